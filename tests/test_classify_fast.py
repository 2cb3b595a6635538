"""Shortcuts in front of two of classify's regexes return what the regexes alone return.

``_has_meta_split`` looks for the separator characters before searching ``_META_SPLIT``;
``_caption_shaped`` rules out an ASCII line without any token of a caption verb before searching
``caption_re``.  Both are compared with the bare regex on every segment of the fixtures and seeds
and on generated lines (every caption verb, in varied case, after varied subjects, and characters
the regex equates with ASCII letters under IGNORECASE).
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.rules import load_rules
from etl.transform.classify import _META_SPLIT, _caption_shaped, _Feat, _has_meta_split, compiled
from etl.transform.tokens import tokenize

from tests.rule_lines import fixture_lines

RULES = load_rules()
C = compiled(RULES)
LINES = list(dict.fromkeys(fixture_lines(RULES)))


def _feat(text: str) -> _Feat:
    return _Feat(text, C, tuple(tokenize(text.casefold())))


def test_meta_split_shortcut_on_fixture_lines() -> None:
    assert sum(_has_meta_split(t) for t in LINES) > 10
    for text in LINES:
        assert _has_meta_split(text) == (_META_SPLIT.search(text) is not None), text


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab Z|•·-–—/\t\u00a0\u2009\u3000\n.,"), max_size=30))
def test_meta_split_shortcut(text: str) -> None:
    assert _has_meta_split(text) == (_META_SPLIT.search(text) is not None)


def _caption_lines() -> list[str]:
    rng = random.Random(5)
    verbs = RULES["cleaning"]["structure"]["caption_verbs"]
    subjects = ["A man", "Firefighters", "President Jane Doe (C)", "The mayor's aide", "O'Neil", "x", "One two three four five six seven"]
    tails = [" along the quay.", " on Monday", "", " \t", " to reporters in Kyiv, May 3, 2023"]
    out = []
    for verb in verbs:
        for _ in range(6):
            v = "".join(ch.upper() if rng.random() < 0.3 else ch for ch in verb)
            out.append(f"{rng.choice(subjects)} {v}{rng.choice(tails)}")
    # characters the regex equates with ASCII letters (Kelvin sign, long s, dotless/dotted i)
    out += ["A man \u212aneels in prayer", "Police \u017ftand guard", "She \u0131s seen at the port", "Crowds l\u0131sten closely"]
    return out


def test_caption_shortcut() -> None:
    lines = LINES + _caption_lines()
    assert sum(C.caption_re.search(t) is not None for t in lines) > 100
    for text in lines:
        assert _caption_shaped(_feat(text), C) == (C.caption_re.search(text) is not None), text
