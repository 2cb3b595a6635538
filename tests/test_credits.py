"""Bylines, reporting and photo credits, and the outlet a text names: golden cases as data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.records import Credit
from etl.rules import load_rules
from etl.transform.credits import (
    agency_names,
    canonical_agency,
    detect_outlet,
    is_credit_line,
    names_outlet,
    parse_credits,
)

DATA = json.loads((Path(__file__).resolve().parent / "fixtures" / "credits.json").read_text("utf-8"))


@pytest.mark.parametrize("case", DATA["parse_credits"], ids=[c["text"][:40] for c in DATA["parse_credits"]])
def test_parse_credits(case: dict) -> None:
    got = parse_credits(case["text"], 7)
    assert [[c.name, c.role] for c in got] == case["credits"]
    assert all(isinstance(c, Credit) and c.line == 7 for c in got)


@pytest.mark.parametrize("case", DATA["is_credit_line"], ids=[c["text"][:40] for c in DATA["is_credit_line"]])
def test_is_credit_line(case: dict) -> None:
    got = is_credit_line(case["text"])
    if case["reason"] is None:
        assert got is None
    else:
        assert got is not None and got.startswith(case["reason"])


@pytest.mark.parametrize(
    "case", DATA["detect_outlet"], ids=[" / ".join(c["lines"])[:40] for c in DATA["detect_outlet"]]
)
def test_detect_outlet(case: dict) -> None:
    assert detect_outlet(case["lines"]) == case["outlet"]


def test_agency_lexicon() -> None:
    names = agency_names()
    assert {"Reuters", "Associated Press", "AFP", "AP"} <= names
    assert canonical_agency("AP") == "Associated Press"
    assert canonical_agency("The Associated Press") == "Associated Press"
    assert canonical_agency("ap") is None  # short aliases only in capitals
    assert canonical_agency("CNN") is None  # an outlet, not an agency


def test_user_rules_add_an_outlet(tmp_path: Path) -> None:
    extra = tmp_path / "my_rules.toml"
    extra.write_text(
        '[[outlets.outlets]]\nname = "Example Daily"\naliases = ["Example Daily", "EXD"]\n', encoding="utf-8"
    )
    lines = ["KYIV (EXD) - The general said."]
    assert detect_outlet(lines) == "EXD"
    assert detect_outlet(lines, load_rules(extra)) == "Example Daily"


@pytest.mark.parametrize(
    ("line", "outlet", "named"),
    [
        ("WASHINGTON (Reuters) - The top U.S. military officer said", "Reuters", True),
        ("KYIV (AP) — Ukraine said", "Associated Press", True),  # an alias from the lexicon
        ("The Associated Press contributed to this report.", "Associated Press", True),
        ("Aphids and apples: the ap of it", "Associated Press", False),  # short aliases only in capitals
        ("Reutersville council met on Monday.", "Reuters", False),  # whole words only
        ("Read the harbour gazette every morning.", "Harbour Gazette", True),  # not in the lexicon: as written
        ("Our island desk files these reports.", "Harbour Gazette", False),
    ],
)
def test_names_outlet(line: str, outlet: str, named: bool) -> None:
    assert names_outlet(line, outlet) is named
