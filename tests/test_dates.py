"""Datelines: whole-line dates in many formats -> ISO 8601; sentences and relative dates -> None."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.rules import load_rules
from etl.transform.dates import find_date, parse_dateline

DATA = json.loads((Path(__file__).resolve().parent / "fixtures" / "dates.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("line", "expected"),
    [(c["line"], c["expected"]) for c in DATA["parse_dateline"]],
    ids=[c["line"][:40] or "<empty>" for c in DATA["parse_dateline"]],
)
def test_parse_dateline(line: str, expected: str | None) -> None:
    assert parse_dateline(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [(c["line"], c["expected"]) for c in DATA["find_date"]],
    ids=[c["line"][:40] for c in DATA["find_date"]],
)
def test_find_date(line: str, expected: str | None) -> None:
    assert find_date(line) == expected


def test_fixture_has_both_kinds() -> None:
    values = [c["expected"] for c in DATA["parse_dateline"]]
    assert sum(v is None for v in values) >= 15 and sum(v is not None for v in values) >= 30


def test_user_rules_add_vocabulary(tmp_path: Path) -> None:
    extra = tmp_path / "my_rules.toml"
    extra.write_text(
        '[dates]\nprefixes = ["mis à jour le"]\nfillers = ["à"]\n\n[dates.months]\nmai = 5\n',
        encoding="utf-8",
    )
    line = "Mis à jour le 19 mai 2022 à 17:52 CEST"
    assert parse_dateline(line) is None
    assert parse_dateline(line, load_rules(extra)) == "2022-05-19T15:52:00Z"


def test_numeric_order_is_a_rule(tmp_path: Path) -> None:
    extra = tmp_path / "us.toml"
    extra.write_text("[dates]\nnumeric_day_first = false\n", encoding="utf-8")
    assert parse_dateline("05/06/2022") == "2022-06-05"
    assert parse_dateline("05/06/2022", load_rules(extra)) == "2022-05-06"
    assert parse_dateline("18.11.2022", load_rules(extra)) == "2022-11-18"  # dotted: day-first
