"""Metadata read off labeled segments: title, published_at, credits, outlet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.records import LabeledSegment, Segment
from etl.rules import load_rules
from etl.transform import clean_text
from etl.transform.metadata import extract_metadata

FIXTURES = Path(__file__).parent / "fixtures" / "cleaning"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json"))
RULES = load_rules()


def _meta(text: str):
    _, labeled, outlet = clean_text(text, RULES)
    return extract_metadata(labeled, RULES, outlet=outlet)


def _expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _fixture_meta(name: str):
    return _meta((FIXTURES / f"{name}.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", CASES)
def test_fixture_title_and_published_at(name):
    meta, expected = _fixture_meta(name), _expected(name)
    assert meta.title == expected["title"]
    # dates.py writes one of three forms: "...Z" (zone known, UTC), naive local time, or a date
    assert meta.published_at == expected["published_at"]
    if expected["published_at"] is None:
        assert meta.dateline is None


@pytest.mark.parametrize("name", [n for n in CASES if "credits" in _expected(n)])
def test_fixture_credits(name):
    got = {(c.name, c.role) for c in _fixture_meta(name).credits}
    assert got == {tuple(c) for c in _expected(name)["credits"]}


def _seg(i: int, line: int, text: str, label: str) -> LabeledSegment:
    return LabeledSegment(Segment(i, line, line, text), label, "test")


def test_no_title_and_no_date_give_none():
    meta = extract_metadata([_seg(0, 0, "A body paragraph that says nothing about dates.", "body")], RULES)
    assert meta.title is None and meta.published_at is None and meta.dateline is None
    assert meta.credits == ()


def test_title_whitespace_is_collapsed():
    meta = extract_metadata([_seg(0, 0, "Ferry  terminal\tapproved ", "title")], RULES)
    assert meta.title == "Ferry terminal approved"


def test_first_publication_is_preferred_over_an_update():
    labeled = [
        _seg(0, 0, "Updated: 21 May 2022, 09:00 UTC", "dateline"),
        _seg(1, 1, "Published: 19 May 2022, 17:52 UTC", "dateline"),
    ]
    meta = extract_metadata(labeled, RULES)
    assert meta.published_at == "2022-05-19T17:52:00Z"
    assert meta.dateline == "Published: 19 May 2022, 17:52 UTC"


def test_an_update_alone_is_the_date():
    meta = extract_metadata([_seg(0, 3, "Updated: May 19, 2022, 17:52 UTC", "dateline")], RULES)
    assert meta.published_at == "2022-05-19T17:52:00Z"


def test_byline_split_over_two_lines_is_read_together():
    labeled = [_seg(0, 5, "By:", "byline"), _seg(1, 6, "Reuters", "byline")]
    credits = extract_metadata(labeled, RULES).credits
    assert [(c.name, c.role) for c in credits] == [("Reuters", "agency")]
    assert credits[0].line == 5


def test_credits_of_a_reporting_line_are_not_repeated():
    line = "(Reporting by Jo Lin and Sam Reed; Editing by Ann Ode)"
    labeled = [_seg(0, 30, line, "credit"), _seg(1, 32, line, "credit")]
    credits = extract_metadata(labeled, RULES).credits
    names = [c.name for c in credits]
    assert len(names) == len(set(zip(names, (c.role for c in credits))))
    assert {"Jo Lin", "Sam Reed", "Ann Ode"} <= set(names)
