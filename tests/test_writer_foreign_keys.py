"""The run's writer works without foreign-key enforcement (``engine.WRITER_FOREIGN_KEYS``): same
result, and the consistency check still catches a row whose parent is missing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from etl import pipeline
from etl.db import engine, load
from etl.settings import Settings
from tests.conftest import SEEDS
from tests.ops import canonical_dump, consistency_problems


def _run(db: Path, folder: Path) -> None:
    summary = pipeline.run(Settings(db_path=db, input_dir=folder, jobs=1))
    assert summary.exit_code == 0
    assert consistency_problems(db) == []


def test_the_writer_runs_without_foreign_keys_and_writes_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real_start = load.start_batch

    def start_batch(conn):  # noqa: ANN001, ANN202
        seen.append(load.raw(conn).execute("PRAGMA foreign_keys").fetchone()[0])
        real_start(conn)

    monkeypatch.setattr(load, "start_batch", start_batch)
    dumps = {}
    for checked in (True, False):
        monkeypatch.setattr(engine, "WRITER_FOREIGN_KEYS", checked)
        folder = tmp_path / f"input-{checked}"
        shutil.copytree(SEEDS, folder)
        db = tmp_path / f"{checked}.sqlite"
        seen.clear()
        _run(db, folder)
        assert seen and set(seen) == {int(checked)}
        # a second run replaces changed articles (clear_article's deletes) and marks a deleted one
        files = sorted(folder.glob("*.txt"))
        files[0].write_text(files[1].read_text(encoding="utf-8"), encoding="utf-8")
        files[2].write_text(files[2].read_text(encoding="utf-8") + "\nGen. Ivan Petrenko said so.\n", encoding="utf-8")
        files[3].unlink()
        _run(db, folder)
        dumps[checked] = canonical_dump(db)
    assert dumps[True] == dumps[False]
    assert dumps[False]["people"] and dumps[False]["mentions"]


def test_an_orphan_row_is_a_consistency_problem(tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    _run(db, SEEDS)
    con = sqlite3.connect(db)  # foreign keys off, as on the run's writer
    con.execute("UPDATE mentions SET person_id = 999999 WHERE id = (SELECT min(id) FROM mentions)")
    con.commit()
    con.close()
    assert any(p.startswith("foreign_key_check") for p in consistency_problems(db))


def test_other_connections_keep_foreign_keys(tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    _run(db, SEEDS)
    eng = engine.make_engine(db, begin="BEGIN IMMEDIATE")  # an analyst's command
    with eng.connect() as conn, conn.begin():
        assert load.raw(conn).execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(Exception, match="FOREIGN KEY"):
            conn.exec_driver_sql("UPDATE mentions SET person_id = 999999 WHERE id = (SELECT min(id) FROM mentions)")
    eng.dispose()
