"""The faster formulations in segment.py equal the plain ones they replace."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.transform import segment as seg

_HYPHEN_END = re.compile(r"[^\W\d_]-$")
_LEADING_WS = re.compile(r"^[ \t\u00a0\u3000]*")
_PARTS = st.lists(st.text(alphabet="ab-é1 \t\u00a0\u3000.", min_size=1, max_size=12), min_size=1, max_size=6)


def _join_plain(parts: list[str]) -> str:
    out = [parts[0]]
    for prev, part in zip(parts, parts[1:]):
        out.append(part if _HYPHEN_END.search(prev) and seg._LOWER_START.match(part) else " " + part)
    return "".join(out)


@settings(max_examples=500, deadline=None)
@given(_PARTS)
def test_join_equals_plain(parts):
    assert seg._join(parts) == _join_plain(parts)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab \t\u00a0\u3000\u2003\n", max_size=12))
def test_indent_by_lstrip_equals_regex(raw):
    assert len(raw) - len(raw.lstrip(seg._INDENT_CHARS)) == len(_LEADING_WS.match(raw).group())


_SEP_TEXT = st.text(alphabet="ab19 \t\u00a0|•·-–—/.2", max_size=30)


@settings(max_examples=1000, deadline=None)
@given(_SEP_TEXT)
def test_rewritten_regexes_match_the_same(text):
    from etl.transform import classify

    pairs = [
        (re.compile(r"\d{4}|\d[./-]\d{1,2}[./-]\d"), seg._DATE_HINT),
        (re.compile(r"\s+[|•·]\s+|\s+[-–—]\s+"), classify._META_SPLIT),
    ]
    for old, new in pairs:
        assert [m.span() for m in old.finditer(text)] == [m.span() for m in new.finditer(text)]
        assert old.split(text) == new.split(text)
