"""``etl run``: lock, run log, and extract → transform → load for every file that needs it.

Shape of a run:

1. Take the lock file beside the database (``<db>.lock``); a second run exits 75 at once, or
   queues with ``--wait``.
2. Bring the schema to head (backing up a non-empty database first) and mark runs left
   ``running`` by a dead process as ``failed``.
3. Walk the input in sorted order.  A file whose size and mtime match the stored article is skipped
   without being read; otherwise it is read, hashed and, if its content changed, transformed.
   Articles cleaned by older rules (or all, with ``--reprocess``) are re-cleaned from their stored
   raw text.  Extract and transform run in a process pool (``--jobs``); a single writer loads the
   results in input order, several articles per transaction, so the outcome is identical to
   ``--jobs 1`` and a reader never sees half an article.
4. Articles whose file disappeared are soft-deleted.
5. Corpus memory: lines whose "recurs across many articles" status flipped make the articles
   containing them be re-cleaned.
6. Finish the run row (status, counts, seconds) and return a summary.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections import deque
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from etl import __version__
from etl.db import load
from etl.db import migrate
from etl.db.engine import make_engine
from etl.extract import ExtractError, Skipped, SourceFile, read, to_document, walk
from etl.records import Article, RawDocument
from etl.rules import Rules, load_rules
from etl.settings import EXIT_OK, EXIT_PARTIAL, Settings
from etl.transform import transform
from etl.transform.memory import CorpusMemory

log = logging.getLogger("etl")

#: How many tasks may be in flight in the pool at once: enough to keep every core busy, few
#: enough that memory stays flat however large the input folder is.
TASKS_IN_FLIGHT_PER_JOB = 4
FILES_PER_TASK = 16


class RunLockedError(RuntimeError):
    """Another ``etl run`` holds the lock on this database."""


class InputError(RuntimeError):
    """The input folder cannot be used."""


# --------------------------------------------------------------------------- lock


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """One transaction, committing whatever reads autobegan on ``conn`` before it."""
    if conn.in_transaction():
        conn.commit()
    with conn.begin():
        yield conn


class RunLock:
    """An exclusive ``flock`` on ``<db>.lock``, never on the database file itself.

    Closing any handle to a SQLite file drops SQLite's own POSIX locks, so the run lock lives in a
    separate file.  The kernel releases it when the process dies, even on ``kill -9``.
    """

    def __init__(self, db_path: Path, wait: bool) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self.wait = wait
        self._fh: Any = None

    def __enter__(self) -> "RunLock":
        try:
            self._fh = open(self.path, "a+")
        except OSError as exc:
            raise migrate.DatabaseError(f"cannot create lock file {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError:
            self._fh.seek(0)
            holder = self._fh.read().strip()
            self._fh.close()
            raise RunLockedError(
                f"another etl run holds {self.path}{f' ({holder})' if holder else ''}; "
                "exiting (use --wait to queue behind it)"
            ) from None
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(f"pid {os.getpid()}")
        self._fh.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()


# --------------------------------------------------------------------------- tasks and results


@dataclass(frozen=True, slots=True)
class FileTask:
    """Read, decode and transform a file; ``known_sha256`` lets an untouched file skip transform."""

    source: SourceFile
    known_sha256: str | None


@dataclass(frozen=True, slots=True)
class RecleanTask:
    """Transform an article again from its stored raw text (new rules, --reprocess, memory)."""

    article_id: int
    raw: RawDocument


@dataclass(frozen=True, slots=True)
class Unchanged:
    source_path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Failed:
    source_path: str
    stage: str
    error: str


Task = FileTask | RecleanTask
Result = Article | Unchanged | Failed

_worker_rules: Rules | None = None
_worker_memory: CorpusMemory | None = None
_worker_max_bytes: int = 0


def _init_worker(rules: Rules, memory: CorpusMemory, max_bytes: int) -> None:
    global _worker_rules, _worker_memory, _worker_max_bytes
    _worker_rules, _worker_memory, _worker_max_bytes = rules, memory, max_bytes


def _process(task: Task) -> Result:
    """Extract and transform one file (runs in a worker process)."""
    assert _worker_rules is not None
    if isinstance(task, RecleanTask):
        source_path = task.raw.source_path
        try:
            return transform(task.raw, _worker_rules, _worker_memory)
        except Exception as exc:  # a bug on one article must not stop the night
            return Failed(source_path, "transform", f"{type(exc).__name__}: {exc}")
    source_path = task.source.source_path
    try:
        data, digest = read(task.source, _worker_max_bytes)
        if digest == task.known_sha256:
            return Unchanged(source_path, digest)
        raw = to_document(task.source, data, digest)
    except ExtractError as exc:
        return Failed(source_path, exc.stage, exc.message)
    try:
        return transform(raw, _worker_rules, _worker_memory)
    except Exception as exc:
        return Failed(source_path, "transform", f"{type(exc).__name__}: {exc}")


def _process_chunk(tasks: list[Task]) -> list[Result]:
    return [_process(t) for t in tasks]


def _chunks(items: Iterable[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ordered_results(
    tasks: Iterable[Task], executor: Executor | None, window: int
) -> Iterator[tuple[Task, Result]]:
    """Results in task order, with at most ``window`` chunks in flight (flat memory)."""
    if executor is None:
        for task in tasks:
            yield task, _process(task)
        return
    pending: deque[tuple[list[Task], Future]] = deque()
    for chunk in _chunks(tasks, FILES_PER_TASK):
        pending.append((chunk, executor.submit(_process_chunk, chunk)))
        if len(pending) >= window:
            done_chunk, fut = pending.popleft()
            yield from zip(done_chunk, fut.result())
    while pending:
        done_chunk, fut = pending.popleft()
        yield from zip(done_chunk, fut.result())


# --------------------------------------------------------------------------- summary


@dataclass
class RunSummary:
    """What a run did; also written to its ``runs`` row."""

    run_id: int = 0
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_failed: int = 0
    files_deleted: int = 0
    articles_recleaned: int = 0
    articles: int = 0
    paragraphs: int = 0
    people: int = 0
    mentions: int = 0
    seconds: float = 0.0
    backup: Path | None = None
    failures: list[Failed] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "partial" if self.files_failed else "succeeded"

    @property
    def exit_code(self) -> int:
        return EXIT_PARTIAL if self.files_failed else EXIT_OK

    def line(self) -> str:
        return (
            f"files: {self.files_seen} seen, {self.files_new} new, {self.files_changed} changed, "
            f"{self.files_unchanged} unchanged, {self.files_failed} failed"
            + (f", {self.files_deleted} deleted" if self.files_deleted else "")
            + (f", {self.articles_recleaned} re-cleaned" if self.articles_recleaned else "")
            + f"; articles {self.articles}, paragraphs {self.paragraphs}, people {self.people}, "
            f"mentions {self.mentions}; {self.seconds:.2f}s"
        )


# --------------------------------------------------------------------------- the run


def run(settings: Settings, progress: Callable[[int], None] | None = None) -> RunSummary:
    """Run the whole pipeline once; see the module docstring."""
    started = time.perf_counter()
    db_path = Path(settings.db_path)
    if settings.input_dir is not None:
        input_dir = Path(settings.input_dir)
        if not input_dir.exists():
            raise InputError(f"input folder {input_dir} does not exist")
        if not input_dir.is_dir():
            raise InputError(f"input {input_dir} is not a folder")
    migrate.check_sqlite_file(db_path)
    rules = load_rules(settings.rules_file)
    with RunLock(db_path, settings.wait):
        summary = RunSummary()
        summary.backup = migrate.upgrade(db_path)
        if summary.backup:
            log.warning("backed up the database to %s before upgrading its schema", summary.backup)
        engine = make_engine(db_path, begin="BEGIN IMMEDIATE")
        try:
            with engine.connect() as conn:
                _fail_dead_runs(conn)
                summary.run_id = _start_run(conn, settings, rules)
                try:
                    _load_all(conn, settings, rules, summary, progress)
                    summary.seconds = time.perf_counter() - started
                    _finish_run(conn, summary, summary.status, None)
                except BaseException as exc:
                    conn.rollback()
                    summary.seconds = time.perf_counter() - started
                    _finish_run(conn, summary, "failed", f"{type(exc).__name__}: {exc}")
                    raise
        finally:
            engine.dispose()
    return summary


def _fail_dead_runs(conn: Connection) -> None:
    """We hold the lock, so a run still marked ``running`` died (crash, kill -9, power cut)."""
    with transaction(conn):
        conn.exec_driver_sql(
            "UPDATE runs SET status = 'failed', finished_at = ?, "
            "message = 'the process died before finishing (marked by a later run)' WHERE status = 'running'",
            (load.utc_now(),),
        )


def _start_run(conn: Connection, settings: Settings, rules: Rules) -> int:
    with transaction(conn):
        return conn.exec_driver_sql(
            "INSERT INTO runs (started_at, status, input_dir, etl_version, rules_version, pid, files_seen, "
            "files_new, files_changed, files_unchanged, files_failed, files_deleted, articles_recleaned, "
            "articles, paragraphs, people, mentions) VALUES (?, 'running', ?, ?, ?, ?, 0,0,0,0,0,0,0,0,0,0,0)",
            (
                load.utc_now(),
                str(Path(settings.input_dir).resolve()) if settings.input_dir is not None else None,
                __version__,
                rules.version,
                os.getpid(),
            ),
        ).lastrowid


def _finish_run(conn: Connection, summary: RunSummary, status: str, message: str | None) -> None:
    with transaction(conn):
        totals = conn.exec_driver_sql(
            "SELECT (SELECT count(*) FROM articles WHERE deleted_at IS NULL), "
            "(SELECT count(*) FROM paragraphs p JOIN articles a ON a.id = p.article_id WHERE a.deleted_at IS NULL), "
            "(SELECT count(*) FROM people), "
            "(SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id WHERE a.deleted_at IS NULL)"
        ).one()
        summary.articles, summary.paragraphs, summary.people, summary.mentions = totals
        conn.exec_driver_sql(
            "UPDATE runs SET finished_at = ?, status = ?, files_seen = ?, files_new = ?, files_changed = ?, "
            "files_unchanged = ?, files_failed = ?, files_deleted = ?, articles_recleaned = ?, articles = ?, "
            "paragraphs = ?, people = ?, mentions = ?, seconds = ?, message = ? WHERE id = ?",
            (
                load.utc_now(), status, summary.files_seen, summary.files_new, summary.files_changed,
                summary.files_unchanged, summary.files_failed, summary.files_deleted, summary.articles_recleaned,
                *totals, round(summary.seconds, 3), message, summary.run_id,
            ),
        )


def load_memory(conn: Connection) -> CorpusMemory:
    """The corpus memory snapshot the workers classify with: the lines marked frequent."""
    rows = conn.exec_driver_sql(
        "SELECT fingerprint, article_count FROM line_fingerprints WHERE frequent"
    ).all()
    total = conn.exec_driver_sql("SELECT count(*) FROM articles WHERE deleted_at IS NULL").scalar_one()
    return CorpusMemory.from_counts(dict(rows), total_articles=total)


def _load_all(
    conn: Connection,
    settings: Settings,
    rules: Rules,
    summary: RunSummary,
    progress: Callable[[int], None] | None,
) -> None:
    memory = load_memory(conn)
    conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS seen_paths (source_path TEXT PRIMARY KEY)")
    conn.exec_driver_sql("DELETE FROM seen_paths")
    conn.commit()
    stored_by_task: dict[str, load.StoredArticle | None] = {}

    def tasks() -> Iterator[Task]:
        if settings.input_dir is not None:
            yield from _file_tasks(conn, settings, rules, summary, stored_by_task, progress)
        yield from _reclean_tasks(conn, settings, rules, stored_by_task)

    jobs = max(1, settings.jobs)
    executor = (
        ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(rules, memory, settings.max_file_bytes))
        if jobs > 1
        else None
    )
    if executor is None:
        _init_worker(rules, memory, settings.max_file_bytes)
    try:
        writer = _BatchWriter(conn, settings.batch_size)
        for task, result in ordered_results(tasks(), executor, jobs * TASKS_IN_FLIGHT_PER_JOB):
            _apply(writer, task, result, summary, stored_by_task)
        writer.flush()
        if settings.input_dir is not None:
            with transaction(conn):
                gone = [
                    row[0]
                    for row in conn.exec_driver_sql(
                        "SELECT id FROM articles WHERE deleted_at IS NULL "
                        "AND source_path NOT IN (SELECT source_path FROM temp.seen_paths)"
                    )
                ]
                summary.files_deleted = load.mark_deleted(conn, gone, summary.run_id) if gone else 0
        _apply_memory(conn, rules, summary, executor, jobs)
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)


def _file_tasks(
    conn: Connection,
    settings: Settings,
    rules: Rules,
    summary: RunSummary,
    stored_by_task: dict[str, load.StoredArticle | None],
    progress: Callable[[int], None] | None,
) -> Iterator[Task]:
    assert settings.input_dir is not None
    for entry in walk(Path(settings.input_dir)):
        if isinstance(entry, Skipped):
            log.info("skipped %s: %s", entry.source_path, entry.reason)
            summary.skipped.append(entry)
            continue
        summary.files_seen += 1
        if progress:
            progress(1)
        conn.exec_driver_sql("INSERT OR IGNORE INTO temp.seen_paths VALUES (?)", (entry.source_path,))
        stored = load.stored_article(conn, entry.source_path)
        if (
            stored is not None
            and not stored.deleted
            and stored.size_bytes == entry.size_bytes
            and stored.mtime_ns == entry.mtime_ns
        ):
            if stored.rules_version == rules.version and not settings.reprocess:
                summary.files_unchanged += 1
                continue
            raw = _stored_raw(conn, stored.id)
            stored_by_task[entry.source_path] = stored
            yield RecleanTask(stored.id, raw)
            continue
        stored_by_task[entry.source_path] = stored
        up_to_date = stored is not None and stored.rules_version == rules.version and not settings.reprocess
        yield FileTask(entry, stored.sha256 if up_to_date else None)


def _stored_raw(conn: Connection, article_id: int) -> RawDocument:
    row = conn.exec_driver_sql(
        "SELECT source_path, sha256, size_bytes, mtime_ns, encoding, raw_text FROM articles WHERE id = ?",
        (article_id,),
    ).one()
    return RawDocument(*row)


def _reclean_tasks(
    conn: Connection, settings: Settings, rules: Rules, stored_by_task: dict[str, load.StoredArticle | None]
) -> Iterator[Task]:
    """Without an input folder (``--reprocess`` alone), re-clean every stored article."""
    if settings.input_dir is not None:
        return
    condition = "" if settings.reprocess else "AND rules_version != ?"
    params = () if settings.reprocess else (rules.version,)
    ids = [r[0] for r in conn.exec_driver_sql(f"SELECT id FROM articles WHERE deleted_at IS NULL {condition} ORDER BY source_path", params)]
    for article_id in ids:
        raw = _stored_raw(conn, article_id)
        stored_by_task[raw.source_path] = load.stored_article(conn, raw.source_path)
        yield RecleanTask(article_id, raw)


class _BatchWriter:
    """Groups whole articles into write transactions of ``batch_size`` (or fewer) articles."""

    def __init__(self, conn: Connection, batch_size: int) -> None:
        self.conn = conn
        self.batch_size = batch_size
        self.pending = 0

    def __enter__(self) -> Connection:
        if not self.conn.in_transaction():
            self.conn.begin()
        self._savepoint = self.conn.begin_nested()
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> bool:  # noqa: ANN001
        if exc_type is None:
            self._savepoint.commit()
            self.pending += 1
            if self.pending >= self.batch_size:
                self.flush()
            return False
        self._savepoint.rollback()
        return False

    def flush(self) -> None:
        if self.conn.in_transaction():
            self.conn.commit()
        self.pending = 0


def _apply(
    writer: _BatchWriter,
    task: Task,
    result: Result,
    summary: RunSummary,
    stored_by_task: dict[str, load.StoredArticle | None],
) -> None:
    source_path = task.raw.source_path if isinstance(task, RecleanTask) else task.source.source_path
    stored = stored_by_task.pop(source_path, None)
    if isinstance(result, Failed):
        summary.files_failed += 1
        summary.failures.append(result)
        log.warning("failed %s at %s: %s", result.source_path, result.stage, result.error)
        with writer as conn:
            conn.exec_driver_sql(
                "INSERT INTO failures (run_id, source_path, stage, error) VALUES (?, ?, ?, ?)",
                (summary.run_id, result.source_path, result.stage, result.error),
            )
        return
    if isinstance(result, Unchanged):
        assert isinstance(task, FileTask) and stored is not None
        with writer as conn:
            if stored.deleted:
                load.revive(conn, stored.id, task.source.mtime_ns, summary.run_id)
            else:
                load.touch(conn, stored.id, task.source.mtime_ns)
        summary.files_unchanged += 1
        return
    try:
        with writer as conn:
            if isinstance(task, RecleanTask):
                load.write_article(conn, result, summary.run_id, task.article_id)
            else:
                load.write_article(conn, result, summary.run_id, stored.id if stored else None)
    except Exception as exc:  # one article's load error must not lose the others
        summary.files_failed += 1
        failure = Failed(source_path, "load", f"{type(exc).__name__}: {exc}")
        summary.failures.append(failure)
        log.warning("failed %s at load: %s", source_path, failure.error)
        with writer as conn:
            conn.exec_driver_sql(
                "INSERT INTO failures (run_id, source_path, stage, error) VALUES (?, ?, ?, ?)",
                (summary.run_id, source_path, "load", failure.error),
            )
        return
    if isinstance(task, RecleanTask):
        summary.articles_recleaned += 1
    elif stored is None:
        summary.files_new += 1
    elif stored.sha256 == result.raw.sha256:  # same bytes, but cleaned by older rules or deleted
        summary.files_unchanged += 1
        summary.articles_recleaned += 1
    else:
        summary.files_changed += 1


def _apply_memory(
    conn: Connection, rules: Rules, summary: RunSummary, executor: Executor | None, jobs: int
) -> None:
    """Re-clean the articles containing a line whose "frequent" status flipped, until stable."""
    threshold = CorpusMemory.threshold(rules)
    for _ in range(3):  # a re-clean changes no counts, so one pass normally settles it
        flipped = [
            (fp, count >= threshold)
            for fp, count, frequent in conn.exec_driver_sql(
                "SELECT fingerprint, article_count, frequent FROM line_fingerprints "
                "WHERE (article_count >= ?) != frequent",
                (threshold,),
            )
        ]
        if not flipped:
            return
        with transaction(conn):
            conn.exec_driver_sql(
                "UPDATE line_fingerprints SET frequent = ? WHERE fingerprint = ?",
                [(int(state), fp) for fp, state in flipped],
            )
        memory = load_memory(conn)
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS flipped (fingerprint TEXT PRIMARY KEY)")
        conn.exec_driver_sql("DELETE FROM temp.flipped")
        conn.exec_driver_sql("INSERT INTO temp.flipped VALUES (?)", [(fp,) for fp, _ in flipped])
        ids = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT DISTINCT a.id FROM article_fingerprints af JOIN temp.flipped f USING (fingerprint) "
                "JOIN articles a ON a.id = af.article_id WHERE a.deleted_at IS NULL ORDER BY a.source_path"
            )
        ]
        conn.commit()
        if not ids:
            continue
        raws = (RecleanTask(i, _stored_raw(conn, i)) for i in ids)
        if executor is not None:
            executor.shutdown()
        _init_worker(rules, memory, 0)
        pool = (
            ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(rules, memory, 0)) if jobs > 1 else None
        )
        try:
            writer = _BatchWriter(conn, 200)
            for task, result in ordered_results(raws, pool, jobs * TASKS_IN_FLIGHT_PER_JOB):
                if isinstance(result, Article):
                    with writer as c:
                        load.write_article(c, result, summary.run_id, task.article_id)
                    summary.articles_recleaned += 1
            writer.flush()
        finally:
            if pool is not None:
                pool.shutdown()
