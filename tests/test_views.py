"""The analyst views: definitions match sql/views/, exact results on a known corpus, sane on seeds.

Expected results are data: ``tests/fixtures/views/<view>.json`` holds the columns to select, the
order and the rows the view must give on :func:`tests.analyst_db.build_sample_db`'s corpus.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from etl.db import migrate
from etl.docs import VIEW_DOCS
from tests.analyst_db import REPO, sample_db, seeds_db  # noqa: F401 - fixtures
from tests.conftest import FIXTURES, query

VIEWS_DIR = REPO / "sql" / "views"
VIEW_NAMES = sorted(p.stem for p in VIEWS_DIR.glob("*.sql"))


def normalize_sql(sql: str) -> str:
    """Comments dropped, whitespace collapsed, no trailing semicolon: how two definitions compare."""
    sql = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"\s+", " ", sql).strip().rstrip(";").strip()


def test_every_view_has_a_readable_copy_and_a_fixture(db_path: Path) -> None:
    migrate.upgrade(db_path)
    in_db = sorted(r[0] for r in query(db_path, "SELECT name FROM sqlite_master WHERE type = 'view'"))
    assert in_db == VIEW_NAMES
    assert sorted(p.stem for p in (FIXTURES / "views").glob("*.json")) == VIEW_NAMES
    assert sorted(v.name for v in VIEW_DOCS) == VIEW_NAMES


@pytest.mark.parametrize("view", VIEW_NAMES)
def test_sql_views_copy_equals_the_database_definition(db_path: Path, view: str) -> None:
    migrate.upgrade(db_path)
    (stored,) = query(db_path, "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", (view,))[0]
    assert normalize_sql((VIEWS_DIR / f"{view}.sql").read_text(encoding="utf-8")) == normalize_sql(stored)


@pytest.mark.parametrize("view", VIEW_NAMES)
def test_view_gives_the_expected_rows(sample_db: Path, view: str) -> None:  # noqa: F811
    expected = json.loads((FIXTURES / "views" / f"{view}.json").read_text(encoding="utf-8"))
    con = sqlite3.connect(sample_db)
    cur = con.execute(f"SELECT {', '.join(expected['columns'])} FROM {view} ORDER BY {expected['order_by']}")
    rows = [list(r) for r in cur.fetchall()]
    con.close()
    assert rows == expected["rows"], expected["description"]


def test_views_leave_deleted_articles_out(sample_db: Path) -> None:  # noqa: F811
    deleted = query(sample_db, "SELECT id FROM articles WHERE deleted_at IS NOT NULL")
    assert deleted, "the sample corpus must hold a deleted article"
    (gone,) = deleted[0]
    assert query(sample_db, "SELECT count(*) FROM v_mentions WHERE article_id = ?", (gone,)) == [(0,)]
    assert query(sample_db, "SELECT count(*) FROM v_person_articles WHERE article_id = ?", (gone,)) == [(0,)]
    assert query(sample_db, "SELECT count(*) FROM v_articles WHERE article_id = ?", (gone,)) == [(0,)]
    # Deleting it for good (cascade) changes nothing the views show.
    before = {v: query(sample_db, f"SELECT * FROM {v} ORDER BY 1, 2, 3") for v in VIEW_NAMES}
    con = sqlite3.connect(sample_db)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("DELETE FROM mentions WHERE article_id = ?", (gone,))
    con.execute("DELETE FROM articles WHERE id = ?", (gone,))
    con.commit()
    con.close()
    assert {v: query(sample_db, f"SELECT * FROM {v} ORDER BY 1, 2, 3") for v in VIEW_NAMES} == before


def test_v_mentions_offsets_point_at_the_surface(sample_db: Path) -> None:  # noqa: F811
    rows = query(sample_db, "SELECT paragraph_text, char_start, char_end, surface FROM v_mentions")
    assert rows
    assert all(text[start:end] == surface for text, start, end, surface in rows)


def test_view_columns_are_the_documented_ones(db_path: Path) -> None:
    migrate.upgrade(db_path)
    for doc in VIEW_DOCS:
        columns = [r[1] for r in query(db_path, f"PRAGMA table_info({doc.name})")]
        assert columns == list(doc.columns), f"{doc.name}: update VIEW_DOCS in etl/docs.py"


# --------------------------------------------------------------------------- on the seeds database


def test_seeds_views_agree_with_the_tables(seeds_db: Path) -> None:  # noqa: F811
    live = query(seeds_db, "SELECT count(*) FROM articles WHERE deleted_at IS NULL")[0][0]
    assert live == len(list((REPO / "seeds").glob("*.txt")))
    assert query(seeds_db, "SELECT count(*) FROM v_articles") == [(live,)]
    assert query(seeds_db, "SELECT count(*) FROM v_mentions") == query(seeds_db, "SELECT count(*) FROM mentions")
    rows = query(seeds_db, "SELECT paragraph_text, char_start, char_end, surface FROM v_mentions")
    assert all(text[start:end] == surface for text, start, end, surface in rows)
    # v_people recomputes from mentions what the pipeline stores in people.
    stored = query(seeds_db, "SELECT id, mention_count, article_count FROM people ORDER BY id")
    computed = query(seeds_db, "SELECT person_id, mention_count, article_count FROM v_people ORDER BY person_id")
    assert computed == stored
    # Per-article sums agree across views.
    assert query(seeds_db, "SELECT sum(mention_count) FROM v_articles") == query(
        seeds_db, "SELECT sum(mention_count) FROM v_person_articles"
    )


def test_seeds_top_person_and_pairs(seeds_db: Path) -> None:  # noqa: F811
    top = query(seeds_db, "SELECT name, article_count FROM v_people ORDER BY mention_count DESC LIMIT 1")
    assert top == [("Mark Milley", 5)]
    pairs = query(seeds_db, "SELECT person_a_name, person_b_name, article_count FROM v_cooccurrence_article")
    assert all(a != b for a, b, _ in pairs)
    names = {frozenset((a, b)): n for a, b, n in pairs}
    milley_zaluzhnyi = [n for pair, n in names.items() if "Mark Milley" in pair and any("Zaluzh" in x for x in pair)]
    assert milley_zaluzhnyi and milley_zaluzhnyi[0] >= 3
    assert query(seeds_db, "SELECT count(*) FROM v_cooccurrence_article WHERE person_a_id >= person_b_id") == [(0,)]
    assert query(seeds_db, "SELECT count(*) FROM v_cooccurrence_paragraph WHERE person_a_id >= person_b_id") == [(0,)]
