"""Full-text search: paragraphs_fts and people_fts stay right through every kind of write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from etl.db import migrate
from tests.analyst_db import build_sample_db, sample_db, seeds_db  # noqa: F401 - fixtures
from tests.conftest import query

FTS_TRIGGERS = {
    "paragraphs_fts_ai",
    "paragraphs_fts_ad",
    "paragraphs_fts_au",
    "people_fts_ai",
    "people_fts_ad",
    "people_fts_au",
    "person_aliases_fts_ai",
    "person_aliases_fts_ad",
    "person_aliases_fts_au",
}


def connect(db: Path) -> sqlite3.Connection:
    con = sqlite3.connect(db, isolation_level=None)  # autocommit: every statement is what a client sends
    con.execute("PRAGMA foreign_keys = ON")
    return con


def search(con: sqlite3.Connection, words: str) -> list[int]:
    return [r[0] for r in con.execute("SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ? ORDER BY rowid", (words,))]


def people_found(con: sqlite3.Connection, words: str) -> list[int]:
    return [r[0] for r in con.execute("SELECT rowid FROM people_fts WHERE people_fts MATCH ? ORDER BY rowid", (words,))]


def assert_paragraphs_index_consistent(con: sqlite3.Connection) -> None:
    # rank = 1: also compare the index with the content table (paragraphs); raises on any drift.
    con.execute("INSERT INTO paragraphs_fts (paragraphs_fts, rank) VALUES ('integrity-check', 1)")


def assert_people_index_matches_tables(con: sqlite3.Connection) -> None:
    con.execute("INSERT INTO people_fts (people_fts) VALUES ('integrity-check')")
    indexed = con.execute("SELECT rowid, name, aliases FROM people_fts ORDER BY rowid").fetchall()
    expected = con.execute(
        "SELECT id, name, (SELECT group_concat(alias, '; ') FROM "
        "(SELECT alias FROM person_aliases WHERE person_id = people.id ORDER BY alias)) FROM people ORDER BY id"
    ).fetchall()
    assert indexed == expected


def test_triggers_exist_at_head(db_path: Path) -> None:
    # A later batch rebuild of paragraphs, people or person_aliases silently drops these.
    migrate.upgrade(db_path)
    triggers = {r[0] for r in query(db_path, "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert FTS_TRIGGERS <= triggers


def test_datasette_detects_the_paragraphs_index(db_path: Path) -> None:
    from datasette.utils import detect_fts

    migrate.upgrade(db_path)
    con = sqlite3.connect(db_path)
    assert detect_fts(con, "paragraphs") == "paragraphs_fts"
    (sql,) = con.execute("SELECT sql FROM sqlite_master WHERE name = 'paragraphs_fts'").fetchone()
    con.close()
    assert 'content="paragraphs"' in sql and 'content_rowid="id"' in sql


def test_search_paragraphs(sample_db: Path) -> None:  # noqa: F811
    con = connect(sample_db)
    assert_paragraphs_index_consistent(con)
    gerasimov = con.execute("SELECT id FROM paragraphs WHERE text LIKE '%Gerasimov%' ORDER BY id").fetchall()
    assert search(con, "Gerasimov") == [r[0] for r in gerasimov] and len(gerasimov) == 2
    assert search(con, "gerasimov") == search(con, "Gerasimov")  # case-insensitive
    assert len(search(con, "cafe")) == 1  # accents ignored: "café"
    assert search(con, '"spoke by telephone"') == [gerasimov[0][0]]
    assert search(con, "zaluzh*") == search(con, "Zaluzhnyi OR Zaluzhny")
    (snippet,) = con.execute(
        "SELECT snippet(paragraphs_fts, 0, '[', ']', '…', 8) FROM paragraphs_fts WHERE paragraphs_fts MATCH 'telephone'"
    ).fetchone()
    assert "[telephone]" in snippet
    con.close()


def test_paragraph_writes_keep_the_index_in_sync(sample_db: Path) -> None:  # noqa: F811
    con = connect(sample_db)
    cur = con.execute(
        "INSERT INTO paragraphs (article_id, position, kind, text, line_start, line_end) "
        "VALUES (3, 9, 'body', 'Shoigu visited the front.', 30, 30)"
    )
    new_id = cur.lastrowid
    assert search(con, "Shoigu") == [new_id]
    con.execute("UPDATE paragraphs SET text = 'Austin visited the front.' WHERE id = ?", (new_id,))
    assert search(con, "Shoigu") == []
    assert new_id in search(con, "Austin")
    con.execute("UPDATE paragraphs SET kind = 'caption' WHERE id = ?", (new_id,))  # not indexed: no change
    assert new_id in search(con, "front")
    assert_paragraphs_index_consistent(con)
    con.execute("DELETE FROM paragraphs WHERE id = ?", (new_id,))
    assert search(con, "front") == []
    # Deleting an article cascades to its paragraphs, and the delete trigger still fires.
    con.execute("DELETE FROM mentions WHERE article_id = 1")
    con.execute("DELETE FROM articles WHERE id = 1")
    assert search(con, "telephone") == []
    assert_paragraphs_index_consistent(con)
    # An upsert (never INSERT OR REPLACE) keeps it right too.
    con.execute(
        "INSERT INTO paragraphs (article_id, position, kind, text, line_start, line_end) "
        "VALUES (3, 0, 'body', 'Replaced text about Budanov.', 0, 0) "
        "ON CONFLICT (article_id, position) DO UPDATE SET text = excluded.text"
    )
    assert len(search(con, "Budanov")) == 1 and search(con, "missile") == []
    assert_paragraphs_index_consistent(con)
    con.close()


def test_search_people_by_name_and_alias(sample_db: Path) -> None:  # noqa: F811
    con = connect(sample_db)
    assert_people_index_matches_tables(con)
    assert people_found(con, "Zaluzhny") == [4]  # an alias
    assert people_found(con, "valerii") == [4]
    assert people_found(con, "Millie") == [1]  # a misspelling seen in the text
    assert people_found(con, "milley") == [1]
    con.close()


def test_people_writes_keep_the_index_in_sync(sample_db: Path) -> None:  # noqa: F811
    con = connect(sample_db)
    # A new person, then an alias for them.
    con.execute(
        "INSERT INTO people (id, name, name_key, mention_count, article_count, curated) "
        "VALUES (10, 'Kyrylo Budanov', 'budanov', 0, 0, 0)"
    )
    assert people_found(con, "Budanov") == [10]
    con.execute("INSERT INTO person_aliases (person_id, alias, count) VALUES (10, 'Budanow', 1)")
    assert people_found(con, "Budanow") == [10]
    assert_people_index_matches_tables(con)
    # Renaming: the old name is no longer found unless it is an alias.
    con.execute("UPDATE people SET name = 'Kyrylo Budanov Jr' WHERE id = 10")
    assert people_found(con, "Jr") == [10]
    assert_people_index_matches_tables(con)
    # A count update (frequent during runs) leaves the index alone and right.
    con.execute("UPDATE person_aliases SET count = count + 5 WHERE person_id = 10")
    con.execute("UPDATE people SET mention_count = 99 WHERE id = 10")
    assert_people_index_matches_tables(con)
    # Upsert of an alias seen again.
    con.execute(
        "INSERT INTO person_aliases (person_id, alias, count) VALUES (10, 'Budanow', 1) "
        "ON CONFLICT (person_id, alias) DO UPDATE SET count = count + 1"
    )
    assert_people_index_matches_tables(con)
    # Editing an alias's text.
    con.execute("UPDATE person_aliases SET alias = 'Budanoff' WHERE person_id = 10 AND alias = 'Budanow'")
    assert people_found(con, "Budanow") == [] and people_found(con, "Budanoff") == [10]
    # A merge moves the aliases to the surviving person: both rows are re-indexed.
    con.execute("UPDATE person_aliases SET person_id = 4 WHERE person_id = 10")
    assert people_found(con, "Budanoff") == [4]
    assert_people_index_matches_tables(con)
    # Deleting a person with aliases (cascade) removes them from the index.
    con.execute("DELETE FROM person_aliases WHERE person_id = 4 AND alias = 'Budanoff'")
    con.execute("INSERT INTO person_aliases (person_id, alias, count) VALUES (10, 'Budanov', 1)")
    con.execute("DELETE FROM people WHERE id = 10")
    assert people_found(con, "Budanov") == []
    assert_people_index_matches_tables(con)
    con.close()


def test_upgrade_indexes_existing_rows(tmp_path: Path) -> None:
    """A database filled at 0001 gets its existing paragraphs and people indexed by 0002."""
    db = build_sample_db(tmp_path / "news.sqlite")
    migrate.downgrade(db, "0001")
    assert "paragraphs_fts" not in {r[0] for r in query(db, "SELECT name FROM sqlite_master")}
    assert query(db, "SELECT count(*) FROM paragraphs")[0][0] > 0
    migrate.upgrade(db)
    con = connect(db)
    assert_paragraphs_index_consistent(con)
    assert_people_index_matches_tables(con)
    assert len(search(con, "Gerasimov")) == 2
    assert people_found(con, "Zaluzhny") == [4]
    con.close()


def test_downgrade_removes_everything_0002_made(tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    migrate.upgrade(db, "0001")
    before = set(query(db, "SELECT type, name FROM sqlite_master"))
    migrate.upgrade(db, "0002")
    migrate.downgrade(db, "0001")
    assert set(query(db, "SELECT type, name FROM sqlite_master")) == before


@pytest.mark.parametrize("words", ["Milley", "Gerasimov", "Zaluzhnyi"])
def test_seeds_search_finds_paragraphs_naming_the_person(seeds_db: Path, words: str) -> None:  # noqa: F811
    con = sqlite3.connect(seeds_db)
    found = set(search(con, words))
    containing = {r[0] for r in con.execute("SELECT id, text FROM paragraphs").fetchall() if words.lower() in r[1].lower()}
    con.close()
    assert containing and found == containing


# ---------------------------------------------------------------- the run's deferred index (0005)


def _article(name: str, body: str) -> "Article":  # noqa: F821 - imported below, lazily like the pipeline
    from etl.records import RawDocument
    from etl.rules import load_rules
    from etl.transform import transform

    text = f"{body}\n\nThe talks in Geneva lasted three hours and ended without a statement.\n"
    return transform(RawDocument(name, "0" * 64, len(text), 0, "utf-8", text), load_rules())


def _write(db: Path, *writes: tuple[str, str, int | None], index: bool = True) -> list[int]:
    """Write articles as the run's batch writer does (batched, one transaction); ids written."""
    from etl.db import load
    from etl.db.engine import make_engine

    engine = make_engine(db)
    ids = []
    with engine.connect() as conn, conn.begin():
        for name, body, article_id in writes:
            ids.append(load.write_article(conn, _article(name, body), None, article_id, batched=True))
        if index:
            load.finish_batch(conn)
    engine.dispose()
    return ids


def test_a_batch_written_with_a_deferred_index_is_searchable(db_path: Path) -> None:
    from tests.ops import consistency_problems

    migrate.upgrade(db_path)
    first, second = _write(
        db_path, ("a.txt", "Shoigu inspected the troops on Monday.", None), ("b.txt", "Budanov spoke to reporters.", None)
    )
    con = connect(db_path)
    assert [r[0] for r in con.execute("SELECT article_id FROM paragraphs WHERE id IN (SELECT rowid FROM paragraphs_fts "
                                      "WHERE paragraphs_fts MATCH 'Shoigu')")] == [first]
    assert len(search(con, "Geneva")) == 2
    assert con.execute("SELECT count(*) FROM paragraphs_fts_pending").fetchone() == (0,)
    con.close()
    assert consistency_problems(db_path) == []
    # the next batch replaces one article: its old paragraphs leave the index through the delete trigger
    _write(db_path, ("a.txt", "Austin inspected the troops on Tuesday.", first))
    con = connect(db_path)
    assert search(con, "Shoigu") == [] and len(search(con, "Austin")) == 1 and len(search(con, "Geneva")) == 2
    con.close()
    assert consistency_problems(db_path) == [] and second


def test_an_article_written_twice_in_one_batch_is_indexed_once(db_path: Path) -> None:
    from tests.ops import consistency_problems

    migrate.upgrade(db_path)
    (first,) = _write(db_path, ("a.txt", "Shoigu inspected the troops on Monday.", None))
    # replaced twice before the batch indexes: the middle version was never indexed, so deleting it
    # must not touch the index (an FTS5 'delete' of unindexed values corrupts it)
    _write(
        db_path,
        ("a.txt", "Gerasimov inspected the troops on Tuesday.", first),
        ("a.txt", "Austin inspected the troops on Wednesday.", first),
    )
    con = connect(db_path)
    assert search(con, "Shoigu") == [] and search(con, "Gerasimov") == [] and len(search(con, "Austin")) == 1
    con.close()
    assert consistency_problems(db_path) == []


def test_a_batch_that_does_not_index_is_caught_by_the_consistency_check(db_path: Path) -> None:
    from tests.ops import consistency_problems

    migrate.upgrade(db_path)
    _write(db_path, ("a.txt", "Shoigu inspected the troops on Monday.", None), index=False)
    problems = consistency_problems(db_path)
    assert any("paragraphs_fts out of step" in p for p in problems)
    assert any("waiting for the full-text index" in p for p in problems)


def test_downgrade_to_0004_restores_the_plain_triggers(tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    migrate.upgrade(db, "0004")
    before = set(query(db, "SELECT type, name, sql FROM sqlite_master"))
    migrate.upgrade(db)
    assert "paragraphs_fts_pending" in {r[1] for r in query(db, "SELECT type, name FROM sqlite_master")}
    migrate.downgrade(db, "0004")
    assert set(query(db, "SELECT type, name, sql FROM sqlite_master")) == before
