"""The pipeline end to end: seeds load, the run log, failures per stage, and ``--jobs``/``--batch-size``
never change the result."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from etl import __version__, pipeline
from etl.db import migrate
from etl.rules import load_rules
from etl.settings import Settings
from tests.conftest import SEEDS, query
from tests.corpus import make_corpus
from tests.ops import canonical_dump, consistency_problems, table_counts


def settings(db: Path, input_dir: Path | None = SEEDS, **kw) -> Settings:  # noqa: ANN003
    return Settings(db_path=db, input_dir=input_dir, jobs=kw.pop("jobs", 1), **kw)


def test_seeds_load_end_to_end(db_path: Path) -> None:
    summary = pipeline.run(settings(db_path))
    assert summary.exit_code == 0 and summary.status == "succeeded"
    assert (summary.files_seen, summary.files_new, summary.files_failed) == (5, 5, 0)
    assert summary.articles == 5 and summary.paragraphs > 20
    assert summary.line().startswith("files: 5 seen, 5 new, 0 changed, 0 unchanged, 0 failed")
    assert f"articles 5, paragraphs {summary.paragraphs}, people {summary.people}" in summary.line()
    assert migrate.current_revision(db_path) == migrate.head_revision()
    assert query(db_path, "SELECT source_path FROM articles ORDER BY id") == [(p.name,) for p in sorted(SEEDS.glob("*.txt"))]
    assert query(db_path, "SELECT count(*) FROM paragraphs")[0][0] == summary.paragraphs
    assert consistency_problems(db_path) == []


def test_the_runs_row(db_path: Path) -> None:
    summary = pipeline.run(settings(db_path))
    [row] = query(
        db_path,
        "SELECT id, status, started_at, finished_at, input_dir, etl_version, rules_version, pid, files_seen, "
        "files_new, files_failed, articles, paragraphs, people, mentions, seconds, message FROM runs",
    )
    (run_id, status, started, finished, input_dir, version, rules_version, pid, seen, new, failed,
     articles, paragraphs, people, mentions, seconds, message) = row
    assert (run_id, status, input_dir, version) == (summary.run_id, "succeeded", str(SEEDS.resolve()), __version__)
    assert rules_version == load_rules(None).version
    assert started <= finished and seconds > 0 and message is None
    assert (seen, new, failed) == (5, 5, 0)
    assert (articles, paragraphs, people, mentions) == (
        summary.articles, summary.paragraphs, summary.people, summary.mentions
    )
    assert query(db_path, "SELECT count(*) FROM articles WHERE run_id = ? AND first_run_id = ?", (run_id, run_id)) == [(5,)]


def test_a_run_that_died_is_marked_failed_by_the_next(db_path: Path) -> None:
    pipeline.run(settings(db_path))
    con_sql = (
        "INSERT INTO runs (started_at, status, etl_version, rules_version, pid, files_seen, files_new, files_changed, "
        "files_unchanged, files_failed, files_deleted, articles_recleaned, articles, paragraphs, people, mentions) "
        "VALUES ('2026-01-01T00:00:00+00:00', 'running', '0.1.0', 'x', 999999, 0,0,0,0,0,0,0,0,0,0,0)"
    )
    import sqlite3

    con = sqlite3.connect(db_path)
    con.execute(con_sql)
    con.commit()
    con.close()
    summary = pipeline.run(settings(db_path))
    assert summary.dead_runs == [2]
    rows = query(db_path, "SELECT id, status, finished_at IS NOT NULL, message FROM runs ORDER BY id")
    assert rows[1][:3] == (2, "failed", 1)
    assert "died before finishing (marked by run 3)" in rows[1][3]
    assert rows[2][:2] == (3, "succeeded")


def test_a_run_stopped_by_an_error_marks_itself_failed(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.load, "write_article", broken)
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(settings(db_path))
    [(status, message)] = query(db_path, "SELECT status, message FROM runs")
    assert status == "failed" and message.startswith("interrupted: KeyboardInterrupt")
    assert query(db_path, "SELECT count(*) FROM articles") == [(0,)]
    monkeypatch.undo()
    assert pipeline.run(settings(db_path)).files_new == 5  # nothing half-done was left behind


def test_transform_and_load_errors_fail_one_file_each(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = sorted(p.name for p in SEEDS.glob("*.txt"))
    real_transform, real_write = pipeline.transform, pipeline.load.write_article

    def transform(raw, *args):  # noqa: ANN001, ANN002, ANN202
        if raw.source_path == seeds[1]:
            raise ValueError("a bug in cleaning")
        return real_transform(raw, *args)

    def write_article(conn, article, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        article_id = real_write(conn, article, *args, **kwargs)  # half written, then the error: rolled back
        if article.raw.source_path == seeds[3]:
            raise RuntimeError("a bug in loading")
        return article_id

    monkeypatch.setattr(pipeline, "transform", transform)
    monkeypatch.setattr(pipeline.load, "write_article", write_article)
    summary = pipeline.run(settings(db_path))
    assert summary.exit_code == 1 and summary.status == "partial"
    assert query(db_path, "SELECT source_path, stage, error FROM failures ORDER BY source_path") == [
        (seeds[1], "transform", "ValueError: a bug in cleaning"),
        (seeds[3], "load", "RuntimeError: a bug in loading"),
    ]
    # the batch holding the load error was written again article by article: counted once each
    assert (summary.files_new, summary.files_failed, len(summary.failures)) == (3, 2, 2)
    assert query(db_path, "SELECT files_new, files_failed FROM runs") == [(3, 2)]
    loaded = {r[0] for r in query(db_path, "SELECT source_path FROM articles")}
    assert loaded == set(seeds) - {seeds[1], seeds[3]}
    assert consistency_problems(db_path) == []
    monkeypatch.undo()
    summary = pipeline.run(settings(db_path))  # fixed: the next run loads them
    assert (summary.files_new, summary.files_unchanged, summary.exit_code) == (2, 3, 0)


def test_a_file_that_takes_too_long_fails_with_a_reason(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow_one = sorted(p.name for p in SEEDS.glob("*.txt"))[2]
    real_transform = pipeline.transform

    def transform(raw, *args):  # noqa: ANN001, ANN002, ANN202
        if raw.source_path == slow_one:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # pure-Python work, like a pathological regex loop
                pass
        return real_transform(raw, *args)

    monkeypatch.setattr(pipeline, "transform", transform)
    started = time.monotonic()
    summary = pipeline.run(settings(db_path, file_timeout=0.5))
    assert time.monotonic() - started < 8
    assert [(f.source_path, f.stage) for f in summary.failures] == [(slow_one, "transform")]
    assert "cleaning took longer than 0.5 s" in summary.failures[0].error
    assert summary.files_new == 4


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "input"
    make_corpus(folder, 120)
    return folder


def _full(db: Path) -> dict:
    """The canonical dump plus every id: --jobs and --batch-size must not even change ids."""
    dump = canonical_dump(db)
    dump["paragraph_ids"] = query(db, "SELECT id, article_id, position FROM paragraphs ORDER BY id")
    dump["people_ids"] = query(db, "SELECT id, name FROM people ORDER BY id")
    dump["mention_ids"] = query(db, "SELECT id, person_id, paragraph_id, char_start FROM mentions ORDER BY id")
    return dump


def test_jobs_and_batch_size_never_change_the_result(corpus: Path, tmp_path: Path) -> None:
    results = {}
    for jobs, batch in [(1, 200), (2, 200), (2, 7), (3, 1)]:
        db = tmp_path / f"j{jobs}b{batch}.sqlite"
        summary = pipeline.run(settings(db, corpus, jobs=jobs, batch_size=batch))
        assert summary.exit_code == 0
        results[(jobs, batch)] = (_full(db), table_counts(db))
    first = results[(1, 200)]
    for key, result in results.items():
        assert result == first, f"--jobs {key[0]} --batch-size {key[1]} differs from --jobs 1"


def test_articles_survive_the_trip_from_worker_to_writer() -> None:
    """Results cross a process boundary pickled (records pickle as their field values)."""
    import pickle

    from etl.records import RawDocument
    from etl.rules import load_rules
    from etl.transform import transform

    for seed in sorted(SEEDS.glob("*.txt")):
        article = transform(RawDocument(seed.name, "0" * 64, 1, 2, "utf-8", seed.read_text()), load_rules())
        assert article.mentions and article.metadata.credits is not None
        copy = pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == article and type(copy.segments[0].segment) is type(article.segments[0].segment)


def test_every_task_and_result_survives_the_trip() -> None:
    """Tasks go to the workers and results come back pickled as their field values (one ``attrgetter``)."""
    import pickle

    from etl.extract import SourceFile
    from etl.records import Paragraph, RawDocument

    source = SourceFile("/in/a.txt", "a.txt", 10, 20)
    raw = RawDocument("a.txt", "f" * 64, 10, 20, "utf-8", "text")
    values = [
        source,
        pipeline.FileTask(source, None),
        pipeline.FileTask(source, "e" * 64),
        pipeline.RecleanTask(7, raw, True, frozenset({(0, 1, "body")})),
        pipeline.CountTask(source, None),
        pipeline.Counted("a.txt", ("ab", "cd")),
        pipeline.Unchanged("a.txt", "e" * 64),
        pipeline.Same(7),
        pipeline.Failed("a.txt", "decode", "UnicodeDecodeError: ..."),
        pipeline.Loaded(pipeline.transform(raw, load_rules()), ("note",)),
        Paragraph(0, "body", "Text.", 1, 2),
    ]
    for value in values:
        copy = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == value and type(copy) is type(value)


def test_pool_workers_run_behind_the_writer(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's process (the single writer) keeps its priority; its pool workers take a lower one."""
    log = tmp_path / "priorities"
    real = pipeline._process

    def process(task):  # noqa: ANN001, ANN202 - forked workers inherit this patch
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {os.getpriority(os.PRIO_PROCESS, 0)}\n")
        return real(task)

    monkeypatch.setattr(pipeline, "_process", process)
    own = os.getpriority(os.PRIO_PROCESS, 0)
    summary = pipeline.run(settings(db_path, jobs=2))
    assert summary.exit_code == 0 and summary.files_new == 5
    seen = {tuple(map(int, line.split())) for line in log.read_text().splitlines()}
    assert seen and all(pid != os.getpid() for pid, _ in seen)
    assert {priority for _, priority in seen} == {min(own + pipeline.WORKER_NICENESS, 19)}
    assert os.getpriority(os.PRIO_PROCESS, 0) == own


@pytest.mark.parametrize("jobs, batch_size", [(1, 1), (2, 200), (2, 64), (8, 200), (4, 1000)])
def test_the_window_outlasts_a_writers_batch(jobs: int, batch_size: int) -> None:
    """While the writer writes a batch it takes no result: the files in flight must cover a batch
    and still leave every worker some work, or the workers stall at the end of each burst."""
    window = pipeline.in_flight(jobs, batch_size)
    assert (window - jobs * pipeline.TASKS_IN_FLIGHT_PER_JOB) * pipeline.FILES_PER_TASK >= batch_size
    assert window * pipeline.FILES_PER_TASK <= batch_size + jobs * pipeline.TASKS_IN_FLIGHT_PER_JOB * pipeline.FILES_PER_TASK + pipeline.FILES_PER_TASK


def test_a_small_run_needs_no_pool(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer files than pool_min_files are cleaned in the run's own process, with the same result."""
    log = tmp_path / "pids"
    real = pipeline._process

    def process(task):  # noqa: ANN001, ANN202
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(task)

    monkeypatch.setattr(pipeline, "_process", process)
    small = pipeline.run(settings(db_path, jobs=2, pool_min_files=6))  # 5 seeds
    assert small.exit_code == 0 and small.files_new == 5
    assert set(log.read_text().split()) == {str(os.getpid())}
    log.unlink()
    pooled = pipeline.run(settings(tmp_path / "pooled.sqlite", jobs=2, pool_min_files=5))
    assert pooled.files_new == 5 and str(os.getpid()) not in set(log.read_text().split())
    assert canonical_dump(db_path) == canonical_dump(tmp_path / "pooled.sqlite")


def test_pool_min_files_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.settings import DEFAULT_POOL_MIN_FILES

    monkeypatch.setenv("ETL_POOL_MIN_FILES", "40")
    assert Settings(db_path=Path("x")).pool_min_files == 40
    monkeypatch.setenv("ETL_POOL_MIN_FILES", "many")
    assert Settings(db_path=Path("x")).pool_min_files == DEFAULT_POOL_MIN_FILES
    monkeypatch.delenv("ETL_POOL_MIN_FILES")
    assert Settings(db_path=Path("x")).pool_min_files == DEFAULT_POOL_MIN_FILES
