"""Crash safety: ``kill -9`` of a real ``etl run`` at random moments, again and again.

After every kill the database must pass ``PRAGMA integrity_check``, give an empty
``PRAGMA foreign_key_check``, hold no article without all its paragraphs, and keep its derived
counts (corpus memory, people) right; the orphaned pool workers must go away by themselves and
free the lock.  When a run is finally left to finish, the result must equal the result of a run
that was never interrupted, as defined by :func:`tests.ops.canonical_dump` (ids of articles
included; paragraph and person ids excluded).

The kill times are drawn uniformly over the length of an uninterrupted run, so they land in
start-up, schema creation, the main load, the corpus-memory re-clean and the end of the run.  The
seed is printed; set ``ETL_CRASH_SEED`` to replay a failure.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.corpus import make_corpus
from tests.ops import canonical_dump, consistency_problems, diff_dumps, rows, run_etl, start_etl

pytestmark = pytest.mark.slow

N_FILES = 200
ARGS = ("--jobs", "2", "--batch-size", "8")  # small batches: many commit points to land between
TARGET_KILLS = 25
MAX_KILLS_PER_ROUND = 8
BUDGET_SECONDS = 40.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crash") / "input"
    make_corpus(folder, N_FILES)
    return folder


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, float]:
    db = tmp_path_factory.mktemp("reference") / "news.sqlite"
    started = time.monotonic()
    done = run_etl("run", "--input", corpus, "--db", db, *ARGS)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert consistency_problems(db) == []
    return canonical_dump(db), seconds


def _wait_for_group_to_exit(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _phase(db: Path) -> str:
    """Where the killed run was, judged from what it left."""
    if not db.exists():
        return "start-up"
    tables = {r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "runs" not in tables:
        return "schema"
    articles = rows(db, "SELECT count(*) FROM articles")[0][0]
    if articles < N_FILES:
        return "loading"
    pending = rows(db, "SELECT count(*) FROM line_fingerprints WHERE (article_count >= 4) != frequent")[0][0]
    return "re-cleaning" if pending else "finishing"


def test_kill_9_at_random_points_then_finish_equals_uninterrupted(
    corpus: Path, reference: tuple[dict, float], tmp_path: Path
) -> None:
    expected, seconds = reference
    seed = int(os.environ.get("ETL_CRASH_SEED", random.randrange(1_000_000)))
    print(f"ETL_CRASH_SEED={seed}, uninterrupted run {seconds:.1f}s")
    rng = random.Random(seed)
    started = time.monotonic()
    kills = rounds = 0
    phases: dict[str, int] = {}
    while kills < TARGET_KILLS and time.monotonic() - started < BUDGET_SECONDS:
        rounds += 1
        db = tmp_path / f"round{rounds}.sqlite"
        round_kills = 0
        while True:
            proc = start_etl("run", "--input", corpus, "--db", db, *ARGS)
            delay = rng.uniform(0.0, seconds)
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                pass
            if proc.poll() is None and round_kills < MAX_KILLS_PER_ROUND:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
                round_kills += 1
                # The pool workers notice their run is gone and exit; nothing keeps the lock.
                orphans_gone = _wait_for_group_to_exit(proc.pid, 5.0)
                if not orphans_gone:
                    os.killpg(proc.pid, signal.SIGKILL)
                assert orphans_gone, "pool workers outlived their killed run"
                problems = consistency_problems(db) if db.exists() else []
                assert problems == [], f"after kill {kills} at {delay:.2f}s (seed {seed}): {problems}"
                phase = _phase(db)
                phases[phase] = phases.get(phase, 0) + 1
                continue
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, f"seed {seed}: run after {round_kills} kills: {err}"
            break
        assert consistency_problems(db) == []
        differences = diff_dumps(expected, canonical_dump(db))
        assert differences == [], f"seed {seed}, round {rounds} ({round_kills} kills): {differences}"
        statuses = dict(rows(db, "SELECT status, count(*) FROM runs GROUP BY status"))
        assert "running" not in statuses
        assert statuses.get("succeeded") == 1
        # every killed run that got as far as writing its row was marked failed by a later run
        assert statuses.get("failed", 0) <= round_kills
        failed = rows(db, "SELECT message FROM runs WHERE status = 'failed'")
        assert all("died before finishing" in m for (m,) in failed)
    print(f"{kills} kills over {rounds} rounds in {time.monotonic() - started:.0f}s, all consistent; "
          f"killed while: {phases}")
    assert kills >= 10
