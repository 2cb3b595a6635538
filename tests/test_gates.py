"""Gate words never change a verdict: every match of a pattern contains one of its gate words."""

from __future__ import annotations

import re

import pytest

from etl.rules import load_rules
from etl.transform.gates import first_chars, first_words, gate_words
from etl.transform.tokens import letters, tokenize
from tests.rule_lines import fixture_lines, rule_patterns

RULES = load_rules()

EXTRA_LINES = [
    "Please subscribe to our newsletters",
    "NEWYou can now listen to Gazette articles!",
    "Sign up for our daily briefing, delivered to your inbox",
    "Follow us on X, Threads and Bluesky",
    "We and our 842 partners use cookies to store and access personal data",
    "By continuing to browse this site you agree to our use of cookies.",
    "Accept all",
    "5 min read",
    "10-minute read",
    "Listen (4 min)",
    "Was this story helpful?",
    "Did you enjoy this article?",
    "Read more: Council approves budget",
    "ALSO READ | Mayor resigns",
    "Don\u2019t miss: the week in pictures",
    "Editor\u2019s picks",
    "About the authors",
    "\u00a9 2024 Gazette Media. All rights reserved.",
    "Tags: politics, budget",
    "Jane Doe is a senior correspondent who covers energy.",
    "Agence France-Presse, the global news agency, is one of the world\u2019s oldest news organisations.",
    "Residents fill sandbags (Photo: Jo Lin/Getty Images)",
    "An aerial view. Photograph: Jo Lin/AFP via Getty Images",
    "(AP Photo/Alex Brandon)",
    "Getty Images",
    "Make a donation to support our newsroom.",
    "Підписуйтесь на наш канал у Telegram",
    "Читайте також: Мер пообіцяв ремонт",
    "— Ruth Ainsley (@RuthAinsleyCllr) September 3, 2023",
    "Copyright 2024 Island Courier. All rights reserved.",
    "(c) 2024 Gazette",
    "12 comments",
    "This story was originally published by the Island Courier.",
    "Become a member today",
    "Download the Gazette app for iOS and Android",
]


LINES = [*EXTRA_LINES, *fixture_lines(RULES)]


@pytest.mark.parametrize("pattern,flags", rule_patterns(RULES))
def test_every_match_passes_the_gates(pattern, flags):
    """Each index the classifier may file a pattern under is a necessary condition of a match."""
    gate, first, chars = gate_words(pattern, flags), first_words(pattern, flags), first_chars(pattern, flags)
    regex = re.compile(pattern, flags)
    for line in LINES:
        if not regex.search(line):
            continue
        tokens = [t.decode() for t in tokenize(line.casefold())]
        if gate is not None:
            assert gate & set(tokens), (pattern, line, sorted(gate))
        if first is not None:
            assert tokens and tokens[0] in first, (pattern, line, sorted(first))
        if chars is not None:
            assert line[:1].lower() in chars, (pattern, line, sorted(chars))


def test_first_words_and_chars():
    assert first_words(r"^(?:please )?(?:subscribe|sign up)\b", re.IGNORECASE) == {"please", "subscribe", "sign"}
    assert first_words(r"^tags\s*:", re.IGNORECASE) == {"tags"}
    assert first_words(r"^tags\s*:?", re.IGNORECASE) is None  # "tagsfoo" would match too
    assert first_words(r"\bfollow us", re.IGNORECASE) is None  # not anchored
    assert first_chars(r"^(?:©|\(c\)|copyright\b)", re.IGNORECASE) == {"©", "(", "c"}
    assert first_chars(r"^\d+ min", 0) == set("0123456789")
    assert first_chars(r"^\w+", 0) is None


@pytest.mark.parametrize(
    "pattern,expected",
    [
        (r"\bfollow us\b", {"follow"}),
        (r"\bcookies?\b.{0,80}\byou\b", {"cookie", "cookies"}),
        (r"^(?:please )?(?:subscribe|sign up)\b", {"subscribe", "sign"}),
        (r"\b(?:make|consider making) a (?:donation|contribution)\b", {"donation", "contribution"}),
        (r"\b(?:this|the) (?:article|story) (?:useful|helpful)\b", {"useful", "helpful"}),
        (r"you can now listen\b", {"listen"}),
        (r"\d+\s*min", None),  # "min" may be glued to letters that follow: no gate
        (r"^»", None),
    ],
)
def test_gate_words(pattern, expected):
    gate = gate_words(pattern, re.IGNORECASE)
    assert (set(gate) if gate is not None else None) == expected


def test_byte_tokens_match_the_unicode_letter_runs_for_ascii_words():
    text = "Don\u2019t miss the caf\u00e9 \u2014 it\u2019s open 24/7, says Zelens\u2019kyi."
    tokens = {t.decode() for t in tokenize(text.casefold())}
    exact = set(re.findall(r"[^\W\d_]+", text.casefold()))
    assert {w for w in exact if w.isascii()} <= tokens
    cyrillic = "Зеленський заявив, що Україна не здасться."
    assert tokenize(cyrillic.casefold())[0] == "зеленський".encode()
    assert letters("Rail fares won\u2019t rise \u2014 yet") == letters("rail  fares won't rise - yet")
