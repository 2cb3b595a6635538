"""Shared fixtures: real SQLite files in tmp_path, the repository's seeds, a CLI runner."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

# The suite's corpora are small: without this a run with --jobs 2 would clean them in its own
# process (see Settings.pool_min_files), and the pool's paths would go untested.  Subprocess runs
# inherit it.
os.environ.setdefault("ETL_POOL_MIN_FILES", "0")

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fresh_gates(monkeypatch: pytest.MonkeyPatch) -> None:
    """``etl.transform.gates``' remembered analyses and patterns emptied for the test (put back
    after it), so that what a test remembers or reads from a cache file is its own."""
    from etl.transform import gates

    monkeypatch.setattr(gates, "_results", {})
    monkeypatch.setattr(gates, "_used", set())
    monkeypatch.setattr(gates, "_computed", set())
    monkeypatch.setattr(gates, "_unread", [])
    monkeypatch.setattr(gates, "_patterns", {})


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "news.sqlite"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def input_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "input"
    folder.mkdir()
    return folder


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the database the way an analyst would: a plain sqlite3 connection."""
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()
