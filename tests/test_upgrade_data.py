"""Schema upgrades with data in the database: every earlier revision upgrades to head with its data
intact, downgrades keep what the older schema can hold, and ``etl run`` backs up before upgrading.

The data at each revision is real: a database loaded from the seeds at head (plus a deleted article,
a failure and an analyst's curation row) is projected onto the tables and columns that revision
has, inserted there with plain SQL, and checked column by column after the upgrade.  A new revision
is covered automatically; one that adds a NOT NULL column without a default, or that changes what a
column means, needs its own case here.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl import pipeline
from etl.cli import cli
from etl.db import migrate
from etl.settings import Settings
from tests.conftest import SEEDS, query
from tests.ops import consistency_problems

REVISIONS = [rev.revision for rev in reversed(list(migrate.script_directory().walk_revisions()))]
HEAD = REVISIONS[-1]
SKIP_TABLES = ("alembic_version", "schema_docs")  # schema_docs is written by the migrations themselves


def _tables(con: sqlite3.Connection) -> dict[str, list[str]]:
    """Plain tables (not views, FTS tables or their shadow tables) and their columns."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
    ]
    virtual = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]
    names = [n for n in names if n not in SKIP_TABLES and not any(n.startswith(v + "_") for v in virtual)]
    return {n: [r[1] for r in con.execute(f'PRAGMA table_info("{n}")')] for n in names}


def _snapshot(db: Path, tables: dict[str, list[str]]) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    try:
        return {
            t: sorted(con.execute(f'SELECT {", ".join(cols)} FROM "{t}"').fetchall(), key=repr)
            for t, cols in tables.items()
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def head_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A head database holding every kind of row: articles, paragraphs, people, mentions, runs,
    failures, a deleted article, an analyst's decision."""
    folder = tmp_path_factory.mktemp("upgrade") / "input"
    shutil.copytree(SEEDS, folder)
    (folder / "empty.txt").write_bytes(b"")
    db = folder.parent / "head.sqlite"
    pipeline.run(Settings(db_path=db, input_dir=folder, jobs=1))
    sorted(folder.glob("0*.txt"))[-1].unlink()
    pipeline.run(Settings(db_path=db, input_dir=folder, jobs=1))  # a deleted article
    con = sqlite3.connect(db)
    con.execute(
        "INSERT INTO people_curation (action, payload, created_at, note) "
        "VALUES ('rename', '{\"person\": 1, \"name\": \"Valerii Zaluzhnyi\"}', '2026-01-02T00:00:00+00:00', 'test')"
    )
    con.commit()
    con.close()
    counts = {t: query(db, f'SELECT count(*) FROM "{t}"')[0][0] for t in ("articles", "paragraphs", "people", "mentions", "runs", "failures")}
    assert all(counts.values()), counts
    assert query(db, "SELECT count(*) FROM articles WHERE deleted_at IS NOT NULL") == [(1,)]
    return db


def _database_at(revision: str, head_db: Path, target: Path) -> dict[str, list[tuple]]:
    """A database at ``revision`` holding the head data its schema can hold; returns that data."""
    migrate.upgrade(target, revision)
    con = sqlite3.connect(target)
    con.execute(f"ATTACH DATABASE '{head_db}' AS head")
    old = _tables(con)
    head_cols = {t: [r[1] for r in con.execute(f'PRAGMA head.table_info("{t}")')] for t in old}
    con.execute("PRAGMA foreign_keys = OFF")
    with con:
        for table, cols in old.items():
            shared = [c for c in cols if c in head_cols[table]]
            missing = [c for c in cols if c not in shared]
            assert not missing, f"revision {revision}: {table}.{missing} not at head: give this revision its own case"
            con.execute(f'INSERT INTO main."{table}" ({", ".join(shared)}) SELECT {", ".join(shared)} FROM head."{table}"')
    con.execute("DETACH DATABASE head")
    con.close()
    assert consistency_problems(target) == []
    return _snapshot(target, old)


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_every_earlier_revision_with_data_upgrades_to_head_intact(revision: str, head_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    before = _database_at(revision, head_db, db)
    tables = {t: cols for t, cols in _tables(sqlite3.connect(db)).items()}
    backup = migrate.upgrade(db)
    assert migrate.current_revision(db) == HEAD
    assert backup is not None and backup.exists()
    after = _snapshot(db, tables)
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed when upgrading from {revision}"
    assert consistency_problems(db) == []
    # full-text indexes (if any) agree with their tables after the upgrade
    con = sqlite3.connect(db)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%fts5%content=%'"):
        con.execute(f"INSERT INTO {name}({name}) VALUES ('integrity-check')")
    con.close()
    # the backup is the database as it was, at the old revision
    assert migrate.current_revision(backup) == revision
    assert _snapshot(backup, tables) == before


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_downgrade_keeps_what_the_older_schema_holds_and_upgrades_again(
    revision: str, head_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "news.sqlite"
    shutil.copy(head_db, db)
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    migrate.downgrade(db, revision)
    assert migrate.current_revision(db) == revision
    tables = _tables(sqlite3.connect(db))
    expected = {t: rows for t, rows in _snapshot(head_db, tables).items()}
    assert _snapshot(db, tables) == expected
    assert consistency_problems(db) == []
    migrate.upgrade(db)
    assert migrate.current_revision(db) == HEAD
    assert _snapshot(db, tables) == expected


def test_etl_run_backs_up_before_upgrading_and_says_where(head_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    before = _database_at(REVISIONS[0], head_db, db)
    result = CliRunner().invoke(cli, ["run", "--input", str(SEEDS), "--db", str(db), "-j", "1"])
    assert result.exit_code == 0, result.output
    [backup] = sorted(tmp_path.glob("news.sqlite.*.bak"))
    assert backup.name.startswith(f"news.sqlite.{REVISIONS[0]}.")
    assert f"backed up the database to {backup} before upgrading its schema" in result.stderr
    assert migrate.current_revision(backup) == REVISIONS[0]
    tables = _tables(sqlite3.connect(backup))
    assert _snapshot(backup, tables) == before  # the backup holds the data as it was
    assert migrate.current_revision(db) == HEAD
    assert not list(tmp_path.glob("*.partial"))


def test_no_backup_for_a_new_or_current_database(tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    result = CliRunner().invoke(cli, ["run", "--input", str(SEEDS), "--db", str(db), "-j", "1"])
    assert result.exit_code == 0
    result = CliRunner().invoke(cli, ["run", "--input", str(SEEDS), "--db", str(db), "-j", "1"])
    assert "backed up" not in result.stderr
    assert not list(tmp_path.glob("*.bak"))
