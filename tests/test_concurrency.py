"""Concurrency with real processes: one writer at a time (lock file, exit 75, ``--wait``), and readers
that are never blocked and never see half an article while a run loads."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from etl.pipeline import RunLock
from tests.corpus import make_corpus
from tests.ops import consistency_problems, rows, run_etl, start_etl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("concurrency") / "input"
    make_corpus(folder, 240)
    return folder


def _wait_for_lock_holder(lock: Path, pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().startswith(f"pid {pid},"):
            return
        time.sleep(0.02)
    raise AssertionError(f"run {pid} never took the lock")


def test_a_second_run_exits_75_at_once_and_the_first_finishes(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    first = start_etl("run", "--input", corpus, "--db", db, "--jobs", "2")
    try:
        _wait_for_lock_holder(tmp_path / "news.sqlite.lock", first.pid)
        started = time.monotonic()
        second = run_etl("run", "--input", corpus, "--db", db, "--jobs", "2")
        seconds = time.monotonic() - started
        assert first.poll() is None, "the first run ended too soon for the test to mean anything"
    finally:
        out, err = first.communicate(timeout=120)
    assert second.returncode == 75
    assert f"another etl run holds {tmp_path / 'news.sqlite.lock'} (pid {first.pid}, started" in second.stderr
    assert "use --wait" in second.stderr
    assert seconds < 10  # at once: start-up only, no waiting
    assert first.returncode == 0, err
    # the refused run left no trace in the database
    assert rows(db, "SELECT count(*), min(status), max(status) FROM runs") == [(1, "succeeded", "succeeded")]


def test_wait_queues_behind_the_running_one(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    first = start_etl("run", "--input", corpus, "--db", db, "--jobs", "2")
    try:
        _wait_for_lock_holder(tmp_path / "news.sqlite.lock", first.pid)
        second = run_etl("run", "--input", corpus, "--db", db, "--jobs", "2", "--wait")
    finally:
        first.communicate(timeout=120)
    assert first.returncode == 0
    assert second.returncode == 0, second.stderr
    assert "240 unchanged" in second.stdout
    (_, first_finished), (second_started, _) = rows(db, "SELECT started_at, finished_at FROM runs ORDER BY id")
    assert second_started >= first_finished


def test_schema_commands_respect_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    with RunLock(db, wait=False):
        result = run_etl("db", "upgrade", "--db", db)
        again = run_etl("run", "--db", db, "--input", tmp_path)
    assert result.returncode == 75 and "another etl run holds" in result.stderr
    assert again.returncode == 75
    assert not db.exists()
    assert run_etl("db", "upgrade", "--db", db).returncode == 0


class Reader(threading.Thread):
    """An analyst querying in a loop with a plain sqlite3 connection (like the sqlite3 shell)."""

    QUERIES = {
        # one statement = one consistent snapshot, as any SQL client sees it
        "half_articles": (
            "SELECT count(*) FROM articles a WHERE a.paragraph_count != (SELECT count(*) FROM paragraphs p "
            "WHERE p.article_id = a.id AND p.kind IN ('body', 'heading'))"
        ),
        "articles": "SELECT count(*) FROM articles",
        "orphan_mentions": (
            "SELECT count(*) FROM mentions m LEFT JOIN paragraphs p ON p.id = m.paragraph_id WHERE p.id IS NULL"
        ),
        "search": "SELECT count(*) FROM paragraphs WHERE text LIKE '%Milley%'",
    }

    def __init__(self, db: Path, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.db, self.stop = db, stop
        self.slowest = 0.0
        self.queries = 0
        self.counts_seen: set[int] = set()
        self.problems: list[str] = []

    def run(self) -> None:
        con = sqlite3.connect(self.db, timeout=10)
        try:
            while not self.stop.is_set():
                for name, sql in self.QUERIES.items():
                    started = time.monotonic()
                    try:
                        value = con.execute(sql).fetchone()[0]
                    except sqlite3.Error as exc:
                        self.problems.append(f"{name}: {exc}")
                        continue
                    self.slowest = max(self.slowest, time.monotonic() - started)
                    self.queries += 1
                    if name == "articles":
                        self.counts_seen.add(value)
                    elif name in ("half_articles", "orphan_mentions") and value:
                        self.problems.append(f"{name}: {value}")
                time.sleep(0.002)
        finally:
            con.close()


def test_readers_are_never_blocked_and_never_see_half_an_article(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.sqlite"
    assert run_etl("db", "upgrade", "--db", db).returncode == 0
    stop = threading.Event()
    readers = [Reader(db, stop) for _ in range(2)]
    for reader in readers:
        reader.start()
    # a long read transaction held open through the whole load (a notebook, a DBeaver grid)
    long_reader = sqlite3.connect(db, timeout=10)
    long_reader.execute("BEGIN")
    assert long_reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    started = time.monotonic()
    try:
        done = run_etl("run", "--input", corpus, "--db", db, "--jobs", "2", "--batch-size", "5")
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    # the long transaction still sees its snapshot, and did not hold up the writer
    assert long_reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    long_reader.execute("COMMIT")
    long_reader.close()
    for reader in readers:
        assert reader.problems == []
        assert reader.queries > 50
        assert reader.slowest < 1.0, f"a reader waited {reader.slowest:.2f}s"
    seen = set().union(*(r.counts_seen for r in readers))
    assert len(seen) >= 3, f"readers should see the load progress batch by batch, saw {sorted(seen)}"
    assert max(seen) == 240
    assert seconds < 60
    assert consistency_problems(db) == []


def test_another_writer_gets_in_between_batches(corpus: Path, tmp_path: Path) -> None:
    """The run holds the write lock only while writing a batch, never while cleaning, so an
    analyst's small write (an ``etl people`` correction) waits a moment, not the whole night."""
    db = tmp_path / "news.sqlite"
    assert run_etl("db", "upgrade", "--db", db).returncode == 0
    proc = start_etl("run", "--input", corpus, "--db", db, "--jobs", "2", "--batch-size", "20")
    waits: list[float] = []
    con = sqlite3.connect(db, timeout=20, isolation_level=None)
    try:
        while proc.poll() is None:
            started = time.monotonic()
            con.execute("BEGIN IMMEDIATE")
            con.execute(
                "INSERT INTO people_curation (action, payload, created_at) VALUES ('alias', '{}', '2026-01-01')"
            )
            con.execute("COMMIT")
            waits.append(time.monotonic() - started)
            time.sleep(0.05)
    finally:
        _, err = proc.communicate(timeout=120)
        con.close()
    assert proc.returncode == 0, err
    assert len(waits) >= 10
    assert max(waits) < 5.0, f"an outside writer waited {max(waits):.1f}s"
    assert rows(db, "SELECT count(*) FROM people_curation") == [(len(waits),)]
