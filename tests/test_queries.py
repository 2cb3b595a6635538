"""The example queries of sql/queries/ against the database built from seeds/.

Expected results are data: ``tests/fixtures/queries/<query>.json`` (one per .sql file) says what the
result must hold.  Cleaning and people resolution keep improving, so the expectations are facts of
the seeds that must stay true rather than a frozen copy of today's output:

- ``columns``: the exact column names, in order;
- ``min_rows`` / ``max_rows``;
- ``first_row``: a partial row the first row must match;
- ``contains``: partial rows, each matched by at least one row; ``absent``: matched by none;
- ``all_rows``: conditions every row must meet;
- ``sorted_by``: ``[column, "asc"|"desc"]`` keys the rows are ordered by (NULL sorts first, as in SQLite);
- ``unique_by``: columns no two rows share;
- ``sums``: exact column totals.

A condition is a value (equality) or an object with ``regex`` (re.search), ``in``, ``min``, ``max``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.analyst_db import REPO, sample_db, seeds_db  # noqa: F401 - fixtures
from tests.conftest import FIXTURES

QUERIES = sorted((REPO / "sql" / "queries").glob("*.sql"))
EXPECTED = FIXTURES / "queries"


def run(db: Path, sql_file: Path) -> tuple[list[str], list[dict[str, Any]]]:
    con = sqlite3.connect(db)
    try:
        cur = con.execute(sql_file.read_text(encoding="utf-8"))
        columns = [d[0] for d in cur.description]
        return columns, [dict(zip(columns, row)) for row in cur.fetchall()]
    finally:
        con.close()


def matches(value: Any, condition: Any) -> bool:
    if not isinstance(condition, dict):
        return value == condition
    for op, arg in condition.items():
        if op == "regex":
            ok = isinstance(value, str) and re.search(arg, value) is not None
        elif op == "in":
            ok = value in arg
        elif op == "min":
            ok = value is not None and value >= arg
        elif op == "max":
            ok = value is not None and value <= arg
        else:
            raise ValueError(f"unknown condition {op!r}")
        if not ok:
            return False
    return True


def row_matches(row: dict[str, Any], partial: dict[str, Any]) -> bool:
    return all(matches(row[column], condition) for column, condition in partial.items())


def in_order(a: dict[str, Any], b: dict[str, Any], keys: list[list[str]]) -> bool:
    """Whether row a may come before row b under ORDER BY keys (SQLite: NULL is smallest)."""
    for column, direction in keys:
        x, y = a[column], b[column]
        if x == y:
            continue
        if x is None or y is None:
            less = x is None
        else:
            less = x < y
        return less if direction == "asc" else not less
    return True


def check(columns: list[str], rows: list[dict[str, Any]], expected: dict[str, Any]) -> list[str]:
    """Every way the result misses the expectations, in words (empty: all good)."""
    problems = []
    if columns != expected["columns"]:
        return [f"columns {columns} != {expected['columns']}"]
    if len(rows) < expected.get("min_rows", 1):
        problems.append(f"{len(rows)} rows, expected at least {expected.get('min_rows', 1)}")
    if "max_rows" in expected and len(rows) > expected["max_rows"]:
        problems.append(f"{len(rows)} rows, expected at most {expected['max_rows']}")
    if "first_row" in expected and (not rows or not row_matches(rows[0], expected["first_row"])):
        problems.append(f"first row {rows[0] if rows else None} does not match {expected['first_row']}")
    for partial in expected.get("contains", []):
        if not any(row_matches(r, partial) for r in rows):
            problems.append(f"no row matches {partial}")
    for partial in expected.get("absent", []):
        hits = [r for r in rows if row_matches(r, partial)]
        if hits:
            problems.append(f"rows match {partial}, which must be absent: {hits[:2]}")
    for column, condition in expected.get("all_rows", {}).items():
        bad = [r[column] for r in rows if not matches(r[column], condition)]
        if bad:
            problems.append(f"{column}: {bad[:3]} fail {condition}")
    keys = expected.get("sorted_by")
    if keys:
        for i, (a, b) in enumerate(zip(rows, rows[1:])):
            if not in_order(a, b, keys):
                problems.append(f"rows {i} and {i + 1} are not ordered by {keys}: {a} / {b}")
                break
    unique = expected.get("unique_by")
    if unique:
        seen = [tuple(r[c] for c in unique) for r in rows]
        if len(seen) != len(set(seen)):
            problems.append(f"duplicate {unique} in the result")
    for column, total in expected.get("sums", {}).items():
        if sum(r[column] or 0 for r in rows) != total:
            problems.append(f"sum of {column} is {sum(r[column] or 0 for r in rows)}, expected {total}")
    return problems


def test_every_query_has_expectations_and_there_are_ten() -> None:
    assert len(QUERIES) >= 10
    assert sorted(p.stem for p in EXPECTED.glob("*.json")) == [q.stem for q in QUERIES]


@pytest.mark.parametrize("sql_file", QUERIES, ids=lambda p: p.stem)
def test_query_on_seeds(seeds_db: Path, sql_file: Path) -> None:  # noqa: F811
    expected = json.loads((EXPECTED / f"{sql_file.stem}.json").read_text(encoding="utf-8"))
    columns, rows = run(seeds_db, sql_file)
    problems = check(columns, rows, expected)
    assert not problems, f"{sql_file.name} ({expected['description']}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("sql_file", QUERIES, ids=lambda p: p.stem)
def test_query_runs_on_a_database_with_deleted_articles(sample_db: Path, sql_file: Path) -> None:  # noqa: F811
    expected = json.loads((EXPECTED / f"{sql_file.stem}.json").read_text(encoding="utf-8"))
    columns, rows = run(sample_db, sql_file)
    assert columns == expected["columns"]
    # The sample's deleted article is the only one mentioning Olena Ghost or saying "café".
    assert not any("Ghost" in str(v) or "café" in str(v) for r in rows for v in r.values())


def test_the_checker_catches_wrong_results() -> None:
    """The expectations can fail: a result that breaks each rule is reported."""
    expected = {
        "columns": ["name", "n"],
        "min_rows": 2,
        "first_row": {"name": "a"},
        "contains": [{"name": {"regex": "^b"}}],
        "absent": [{"name": "z"}],
        "all_rows": {"n": {"min": 1}},
        "sorted_by": [["n", "desc"]],
        "unique_by": ["name"],
        "sums": {"n": 5},
    }
    good = [{"name": "a", "n": 3}, {"name": "b", "n": 2}]
    assert check(["name", "n"], good, expected) == []
    assert check(["n", "name"], good, expected)
    bad = [{"name": "z", "n": 0}, {"name": "z", "n": 1}]
    problems = check(["name", "n"], bad, expected)
    assert len(problems) == 7, problems  # first row, contains, absent, all_rows, order, unique, sums
