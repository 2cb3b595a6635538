"""gates.required_chars: every match of a pattern contains each of its required characters, so a
line without one of them is skipped without changing a verdict."""

from __future__ import annotations

import re

import pytest

from etl.rules import load_rules
from etl.transform.gates import required_chars
from tests.rule_lines import fixture_lines, rule_patterns

RULES = load_rules()

EXTRA_LINES = [
    "Residents fill sandbags (Photo: Jo Lin/Getty Images)",
    "An aerial view. Photograph: Jo Lin/AFP via Getty Images",
    "(AP Photo/Alex Brandon)",
    "The mayor speaks at the quay on May 2. (Jo Ann Park/The Daily Planet)",
    "Boats in the harbour. \u2014 The Courier/File",
    "Instagram / @islandcourier",
    "(Updates with minister's comment)",
    "Update: the road has reopened",
    "doi: 10.1038/s41586",
    "\u2014 Ruth Ainsley (@RuthAinsleyCllr) September 3, 2023",
    "pic.twitter.com/AbC123",
]


LINES = [*EXTRA_LINES, *fixture_lines(RULES)]


@pytest.mark.parametrize("pattern,flags", rule_patterns(RULES))
def test_every_match_contains_the_required_chars(pattern, flags):
    need = required_chars(pattern, flags)
    regex = re.compile(pattern, flags)
    for line in LINES:
        m = regex.search(line)
        if m:
            assert need <= set(m.group()), (pattern, line, sorted(need))


def test_some_rules_have_useful_required_chars():
    inline = RULES["cleaning"]["structure"]["inline_photo_credit"]
    assert sum(bool(required_chars(p, re.IGNORECASE) - {" "}) for p in inline) >= 3


@pytest.mark.parametrize(
    "pattern,expected",
    [
        (r"\(AP Photo/[^)]+\)", {"(", " ", "/", ")"}),
        (r"(?:a|b)/c", {"/"}),
        (r"(?:a/|b/)c", {"/"}),  # in every alternative
        (r"(?:a/|b)c", set()),  # not in every alternative
        (r"x(?:/y)?", set()),  # optional
        (r"x(?:/y)+", {"/"}),  # at least once
        (r"x(?:/y){0,3}", set()),
        (r"(?<=\.)\s+\(", {"("}),  # the look-behind is not part of the match
        (r"x(?=/)", set()),
        (r"[/|]x", set()),  # a class: either
        (r"photo:", {":"}),
        (r"Photo", set()),  # letters: other cases under IGNORECASE
        (r"(?i:k)", set()),
        (r"(", set()),  # not a regex
    ],
)
def test_required_chars(pattern, expected):
    assert required_chars(pattern, re.IGNORECASE) == expected
