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
   results in input order, whole articles per transaction (``batch_size`` of them), so the outcome
   is identical to ``--jobs 1`` and a reader never sees half an article.
4. Articles whose file disappeared are soft-deleted (not when the input folder is empty, or for
   files under a folder that could not be read).
5. Corpus memory: lines whose "recurs across many articles" status flipped make the articles
   containing them be re-cleaned.  The new status is committed only after they all are, so a run
   killed half-way through leaves the flip to be redone by the next run.  Such a re-clean first
   only classifies the article; when every segment keeps its stored label and reason, the article
   is not transformed further nor rewritten (its rows would be the same).
6. Finish the run row (status, counts, seconds) and return a summary.

Crash safety comes from SQLite (WAL, one transaction per batch of whole articles) plus that rule:
every piece of state that says "this work is done" is committed in the same transaction as the
work, or after it.  A run killed at any point leaves a database that the next run completes to the
same result as a run that was never interrupted (see ``tests/test_crash.py`` for what "same" means).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc

from etl import __version__, resolve
from etl.db import load, migrate
from etl.db.engine import NEXT_BEGIN, make_engine
from etl.extract import ExtractError, Skipped, SourceFile, decode_note, read, to_document, walk
from etl.records import CONTENT_LABELS, PARAGRAPH_LABELS, Article, LabeledSegment, RawDocument
from etl.rules import Rules, load_rules
from etl.settings import EXIT_OK, EXIT_PARTIAL, Settings
from etl.transform import clean_text, transform
from etl.transform.memory import CorpusMemory

log = logging.getLogger("etl")

#: How many tasks may be in flight in the pool at once: enough to keep every core busy, few
#: enough that memory stays flat however large the input folder is.
TASKS_IN_FLIGHT_PER_JOB = 4
FILES_PER_TASK = 16
#: Paths seen by the walk are recorded (for finding vanished files) this many at a time.
SEEN_PATHS_BATCH = 1000
#: How often a pool worker checks that the run that started it is still alive.
PARENT_CHECK_SECONDS = 0.2


class RunLockedError(RuntimeError):
    """Another ``etl run`` holds the lock on this database."""


class InputError(RuntimeError):
    """The input folder cannot be used."""


class Progress(Protocol):
    """What the pipeline tells a progress display (the CLI draws a bar on a terminal)."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


# --------------------------------------------------------------------------- lock


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """One write transaction (``BEGIN IMMEDIATE``), committing whatever reads autobegan before it.

    The run's connection reads in deferred transactions (they take no lock); every write goes
    through here, taking the write lock up front, so it never fails half-way on a stale snapshot.
    """
    if conn.in_transaction():
        conn.commit()
    conn.info[NEXT_BEGIN] = "BEGIN IMMEDIATE"
    with conn.begin():
        yield conn


class RunLock:
    """An exclusive ``flock`` on ``<db>.lock``, never on the database file itself.

    Closing any handle to a SQLite file drops SQLite's own POSIX locks, so the run lock lives in a
    separate file.  The kernel releases it when the process dies, even on ``kill -9``; pool workers
    close their inherited copy at once (see :func:`_init_pool_worker`), so an orphaned worker can
    never keep a dead run's lock.
    """

    def __init__(self, db_path: Path, wait: bool) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self.wait = wait
        self._fh: Any = None

    @property
    def fd(self) -> int:
        return self._fh.fileno()

    def __enter__(self) -> "RunLock":
        try:
            self._fh = open(self.path, "a+")
        except OSError as exc:
            raise migrate.DatabaseError(f"cannot create lock file {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder()
            if not self.wait:
                self._fh.close()
                raise RunLockedError(
                    f"another etl run holds {self.path}{f' ({holder})' if holder else ''}; "
                    "exiting with 75 (use --wait to queue behind it)"
                ) from None
            log.info("waiting for the lock %s%s", self.path, f" held by {holder}" if holder else "")
            fcntl.flock(self._fh, fcntl.LOCK_EX)
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(f"pid {os.getpid()}, started {load.utc_now()}\n")
        self._fh.flush()
        return self

    def _holder(self) -> str:
        try:
            self._fh.seek(0)
            return self._fh.read().strip()
        except OSError:  # pragma: no cover - the lock file vanished under us
            return ""

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
    from_walk: bool = False  # its file was seen unchanged (counts as an unchanged file)
    #: The stored verdicts (see :func:`_shape`) when the re-clean may well change nothing (a
    #: corpus-memory re-clean): the worker classifies first and, when the verdicts are the same,
    #: skips metadata, mentions and the rewrite.
    stored_shape: frozenset[tuple] | None = None


@dataclass(frozen=True, slots=True)
class Loaded:
    article: Article
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unchanged:
    source_path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Same:
    """A re-clean whose segments, labels and reasons equal the stored ones: nothing to rewrite."""

    article_id: int


@dataclass(frozen=True, slots=True)
class Failed:
    source_path: str
    stage: str
    error: str


Task = FileTask | RecleanTask
Result = Loaded | Unchanged | Same | Failed

@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits the workers enforce (see :class:`etl.settings.Settings`)."""

    max_file_bytes: int
    max_line_chars: int
    file_seconds: float


_worker_rules: Rules | None = None
_worker_memory: CorpusMemory | None = None
_worker_limits = Limits(0, 0, 0)


def _init_worker(rules: Rules, memory: CorpusMemory, limits: Limits) -> None:
    global _worker_rules, _worker_memory, _worker_limits
    _worker_rules, _worker_memory, _worker_limits = rules, memory, limits
    resolve.use_rules(rules)


class FileTimeout(Exception):
    """Cleaning one file took longer than ``--file-timeout``."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`FileTimeout` in this (main) thread after ``seconds`` of wall time."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(signum: int, frame: object) -> None:
        raise FileTimeout(f"cleaning took longer than {seconds:g} s (raise it with --file-timeout)")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _transform(raw: RawDocument) -> Article:
    assert _worker_rules is not None
    with _time_limit(_worker_limits.file_seconds):
        return transform(raw, _worker_rules, _worker_memory)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # the run died (kill -9, OOM): do not linger as an orphan


def _init_pool_worker(run_pid: int, lock_fd: int, rules: Rules, memory: CorpusMemory, limits: Limits) -> None:
    """Start a forked pool worker: drop the inherited run lock, leave signals to the run, watch it.

    ``run_pid`` comes from the run itself: a worker whose run was killed before this initializer
    ran has already been re-parented, so its own ``getppid()`` would name the wrong process.
    """
    try:
        os.close(lock_fd)  # flock is shared with the parent's descriptor; a worker must not hold it
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the run handles it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if os.getppid() != run_pid:
        os._exit(1)  # the run died while this worker was starting
    threading.Thread(target=_watch_parent, args=(run_pid,), daemon=True).start()
    _init_worker(rules, memory, limits)


def _shape(labeled: Iterable[LabeledSegment]) -> frozenset[tuple]:
    """What the stored rows of an article say about its segments: a kept segment's lines and kind
    (``paragraphs``), a removed one's lines, label and reason (``removed_segments``).  The texts
    follow from the lines (same raw text, same rules), and so do metadata and mentions."""
    return frozenset(
        (ls.segment.line_start, ls.segment.line_end, ls.label, None if ls.label in PARAGRAPH_LABELS else ls.reason)
        for ls in labeled
    )


def _reclean(task: RecleanTask) -> Result:
    assert _worker_rules is not None
    with _time_limit(_worker_limits.file_seconds):
        if task.stored_shape is not None:
            labeled = clean_text(task.raw.text, _worker_rules, _worker_memory)[1]
            if _shape(labeled) == task.stored_shape:
                return Same(task.article_id)
        return Loaded(transform(task.raw, _worker_rules, _worker_memory))


def _process(task: Task) -> Result:
    """Extract and transform one file (runs in a worker process)."""
    if isinstance(task, RecleanTask):
        try:
            return _reclean(task)
        except FileTimeout as exc:
            return Failed(task.raw.source_path, "transform", str(exc))
        except Exception as exc:  # a bug on one article must not stop the night
            return Failed(task.raw.source_path, "transform", f"{type(exc).__name__}: {exc}")
    source_path = task.source.source_path
    try:
        data, digest = read(task.source, _worker_limits.max_file_bytes)
        if digest == task.known_sha256:
            return Unchanged(source_path, digest)
        raw = to_document(task.source, data, digest, _worker_limits.max_line_chars)
    except ExtractError as exc:
        return Failed(source_path, exc.stage, exc.message)
    except Exception as exc:  # pragma: no cover - an unexpected bug in decoding
        return Failed(source_path, "decode", f"{type(exc).__name__}: {exc}")
    note = decode_note(data, raw.encoding)
    try:
        return Loaded(_transform(raw), (note,) if note else ())
    except FileTimeout as exc:
        return Failed(source_path, "transform", str(exc))
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
    files_revived: int = 0
    articles_recleaned: int = 0
    articles_without_text: int = 0
    articles: int = 0
    paragraphs: int = 0
    people: int = 0
    mentions: int = 0
    seconds: float = 0.0
    backup: Path | None = None
    dead_runs: list[int] = field(default_factory=list)
    failures: list[Failed] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "partial" if self.files_failed else "succeeded"

    @property
    def exit_code(self) -> int:
        return EXIT_PARTIAL if self.files_failed else EXIT_OK

    def line(self) -> str:
        extras = [
            f"{n} {what}"
            for n, what in (
                (self.files_deleted, "deleted"),
                (self.files_revived, "revived"),
                (self.articles_recleaned, "re-cleaned"),
                (self.articles_without_text, "without article text"),
            )
            if n
        ]
        return (
            f"files: {self.files_seen} seen, {self.files_new} new, {self.files_changed} changed, "
            f"{self.files_unchanged} unchanged, {self.files_failed} failed"
            + "".join(f", {e}" for e in extras)
            + f"; articles {self.articles}, paragraphs {self.paragraphs}, people {self.people}, "
            f"mentions {self.mentions}; {self.seconds:.2f}s"
        )


# --------------------------------------------------------------------------- the run


def run(settings: Settings, progress: Progress | None = None) -> RunSummary:
    """Run the whole pipeline once; see the module docstring."""
    started = time.perf_counter()
    db_path = Path(settings.db_path)
    if settings.input_dir is not None:
        input_dir = Path(settings.input_dir)
        if not input_dir.exists():
            raise InputError(f"input folder {input_dir} does not exist")
        if not input_dir.is_dir():
            raise InputError(f"input {input_dir} is not a folder")
        if not os.access(input_dir, os.R_OK | os.X_OK):
            raise InputError(f"input folder {input_dir} cannot be read (permissions)")
    migrate.check_sqlite_file(db_path)
    rules = load_rules(settings.rules_file)
    resolve.use_rules(rules)
    with RunLock(db_path, settings.wait) as lock:
        summary = RunSummary()
        summary.backup = migrate.upgrade(db_path)
        if summary.backup:
            log.warning("backed up the database to %s before upgrading its schema", summary.backup)
        engine = make_engine(db_path)  # deferred BEGIN for reads; writes use transaction()
        try:
            with _clear_database_errors(db_path), engine.connect() as conn:
                summary.dead_runs = _fail_dead_runs(conn)
                summary.run_id = _start_run(conn, settings, rules)
                try:
                    memory = _night_memory(conn, db_path, summary.run_id)
                    _load_all(conn, settings, rules, summary, progress, lock.fd, memory)
                    summary.seconds = time.perf_counter() - started
                    _finish_run(conn, summary, summary.status, None)
                    _memory_file(db_path).unlink(missing_ok=True)
                except BaseException as exc:
                    if conn.in_transaction():
                        conn.rollback()
                    summary.seconds = time.perf_counter() - started
                    reason = "interrupted" if isinstance(exc, (KeyboardInterrupt, SystemExit)) else "stopped"
                    try:
                        _finish_run(conn, summary, "failed", f"{reason}: {type(exc).__name__}: {exc}")
                    except Exception:  # e.g. the disk is full: the next run marks this one failed
                        log.info("could not mark run %s failed", summary.run_id, exc_info=True)
                    raise
        finally:
            engine.dispose()
    return summary


@contextmanager
def _clear_database_errors(db_path: Path) -> Iterator[None]:
    """A database that turns out unusable (read-only, corrupt) is a clear error (exit 2), not a crash."""
    try:
        yield
    except sa_exc.DBAPIError as exc:
        clear = migrate.unusable_error(db_path, exc)
        if clear is None:
            raise
        raise clear from exc


def _fail_dead_runs(conn: Connection) -> list[int]:
    """We hold the lock, so a run still marked ``running`` died (crash, kill -9, power cut)."""
    with transaction(conn):
        dead = conn.exec_driver_sql("SELECT id, pid, started_at FROM runs WHERE status = 'running'").all()
        for run_id, pid, started_at in dead:
            log.warning("run %s (pid %s, started %s) died before finishing: marked failed", run_id, pid, started_at)
        conn.exec_driver_sql(
            "UPDATE runs SET status = 'failed', finished_at = ?, "
            "message = 'the process died before finishing (marked by run ' || ? || ')' WHERE status = 'running'",
            (load.utc_now(), _next_run_id(conn)),
        )
    return [d[0] for d in dead]


def _next_run_id(conn: Connection) -> int:
    return conn.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM runs").scalar_one()


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


_COUNT_COLUMNS = (
    "files_seen", "files_new", "files_changed", "files_unchanged", "files_failed", "files_deleted",
    "articles_recleaned",
)


def _record_progress(conn: Connection, summary: RunSummary) -> None:
    """Write the counts so far to the run row (inside the writer's transaction, so they match it)."""
    conn.exec_driver_sql(
        f"UPDATE runs SET {', '.join(f'{c} = ?' for c in _COUNT_COLUMNS)} WHERE id = ?",
        (*(getattr(summary, c) for c in _COUNT_COLUMNS), summary.run_id),
    )


def _finish_run(conn: Connection, summary: RunSummary, status: str, message: str | None) -> None:
    with transaction(conn):
        totals = conn.exec_driver_sql(
            "SELECT (SELECT count(*) FROM articles WHERE deleted_at IS NULL), "
            "(SELECT count(*) FROM paragraphs p JOIN articles a ON a.id = p.article_id WHERE a.deleted_at IS NULL), "
            "(SELECT count(*) FROM people WHERE article_count > 0), "
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


def load_memory(conn: Connection, threshold: int | None = None) -> CorpusMemory:
    """A corpus memory snapshot for the workers.

    Without ``threshold``: the lines marked ``frequent`` (the state every stored article was
    cleaned with).  With it: the lines whose count reaches it now (the state being moved to).
    """
    if threshold is None:
        rows = conn.exec_driver_sql("SELECT fingerprint, article_count FROM line_fingerprints WHERE frequent").all()
    else:
        rows = conn.exec_driver_sql(
            "SELECT fingerprint, article_count FROM line_fingerprints WHERE article_count >= ?", (threshold,)
        ).all()
    total = conn.exec_driver_sql("SELECT count(*) FROM articles WHERE deleted_at IS NULL").scalar_one()
    return CorpusMemory.from_counts(dict(rows), total_articles=total)


def _memory_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".memory.json")


def _night_memory(conn: Connection, db_path: Path, run_id: int) -> CorpusMemory:
    """The corpus memory snapshot this run cleans new and changed files with.

    Normally the stored state at the start of the run.  But when the previous run did not finish
    (killed, crashed, stopped), it had already loaded some files and so moved the counts; cleaning
    the rest with the moved counts would give a different result than a run that was never
    interrupted.  So each run writes its snapshot beside the database (``<db>.memory.json``,
    removed when the run finishes) and a run that follows an unfinished one takes that snapshot
    over.  Without the file (lost, or from another database) it falls back to the stored state.
    """
    path = _memory_file(db_path)
    previous = conn.exec_driver_sql(
        "SELECT id, status, started_at FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1", (run_id,)
    ).first()
    conn.commit()
    saved = None
    if previous is not None and previous[1] == "failed":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if [data["run_id"], data["started_at"]] == [previous[0], previous[2]]:
                saved = data
        except (OSError, ValueError, KeyError, TypeError):
            saved = None
        if saved is not None:
            log.info("run %s did not finish: cleaning with the corpus memory it started with", previous[0])
    if saved is None:
        memory = load_memory(conn)
        conn.commit()
        counts, total = dict(memory.counts), memory.total_articles
    else:
        counts, total = saved["counts"], saved["total"]
    started_at = conn.exec_driver_sql("SELECT started_at FROM runs WHERE id = ?", (run_id,)).scalar_one()
    conn.commit()
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "w", encoding="utf-8") as fh:
            json.dump({"run_id": run_id, "started_at": started_at, "total": total, "counts": counts}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:  # pragma: no cover - the lock file was writable here a moment ago
        log.info("could not save the corpus memory snapshot to %s: %s", path, exc)
    return CorpusMemory.from_counts(counts, total_articles=total)


class _Pool:
    """The worker pool for one memory snapshot (``None`` executor with ``--jobs 1``)."""

    def __init__(self, settings: Settings, rules: Rules, memory: CorpusMemory, lock_fd: int) -> None:
        self.jobs = max(1, settings.jobs)
        args = (rules, memory, Limits(settings.max_file_bytes, settings.max_line_chars, settings.file_timeout))
        if self.jobs > 1:
            self.executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
                self.jobs, initializer=_init_pool_worker, initargs=(os.getpid(), lock_fd, *args)
            )
        else:
            self.executor = None
            _init_worker(*args)

    def results(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Result]]:
        return ordered_results(tasks, self.executor, self.jobs * TASKS_IN_FLIGHT_PER_JOB)

    def close(self, abort: bool = False) -> None:
        """Shut the pool down; ``abort`` (the run is failing) drops queued work and does not wait.

        Workers are never terminated: one killed while holding the pool's queue lock hangs the
        pool's shutdown at interpreter exit.  They finish the chunk in hand and exit.
        """
        if self.executor is not None:
            self.executor.shutdown(wait=not abort, cancel_futures=True)


def _load_all(
    conn: Connection,
    settings: Settings,
    rules: Rules,
    summary: RunSummary,
    progress: Progress | None,
    lock_fd: int,
    memory: CorpusMemory,
) -> None:
    conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS seen_paths (source_path TEXT PRIMARY KEY)")
    conn.exec_driver_sql("DELETE FROM seen_paths")
    conn.commit()
    stored_by_task: dict[str, load.StoredArticle | None] = {}
    unreadable_folders: list[str] = []

    if progress is not None:
        if settings.input_dir is not None:
            progress.start("files", count_inputs(Path(settings.input_dir)))
        else:
            progress.start("articles", _count_reclean(conn, settings, rules))

    writer = _BatchWriter(conn, settings.batch_size, lambda: _record_progress(conn, summary))

    def tasks() -> Iterator[Task]:
        if settings.input_dir is not None:
            yield from _file_tasks(conn, settings, rules, summary, stored_by_task, unreadable_folders, writer, progress)
        else:
            yield from _reclean_tasks(conn, settings, rules, stored_by_task)

    _drain(
        _Pool(settings, rules, memory, lock_fd),
        tasks(),
        writer,
        lambda writer, task, result: _apply(writer, task, result, summary, stored_by_task),
        progress,
    )
    if settings.input_dir is not None:
        _mark_gone(conn, settings, summary, unreadable_folders)
    _apply_memory(conn, settings, rules, summary, progress, lock_fd)


def _drain(
    pool: "_Pool",
    tasks: Iterable[Task],
    writer: "_BatchWriter",
    apply: Callable[["_BatchWriter", Task, Result], None],
    progress: Progress | None,
) -> None:
    """Feed ``tasks`` through ``pool`` and hand each result, in task order, to ``apply``.

    The writer is flushed at the end; on any error (or a signal) the pool is aborted so no worker
    outlives the run.
    """
    try:
        for task, result in pool.results(tasks):
            apply(writer, task, result)
            if progress is not None:
                progress.advance(1)
        writer.flush()
    except BaseException:
        pool.close(abort=True)
        raise
    pool.close()
    if progress is not None:
        progress.finish()


def _mark_gone(conn: Connection, settings: Settings, summary: RunSummary, unreadable_folders: list[str]) -> None:
    """Soft-delete the live articles whose file was not found by this run's walk."""
    with transaction(conn):
        gone = [
            (article_id, source_path)
            for article_id, source_path in conn.exec_driver_sql(
                "SELECT id, source_path FROM articles WHERE deleted_at IS NULL "
                "AND source_path NOT IN (SELECT source_path FROM temp.seen_paths) ORDER BY source_path"
            )
            if not source_path.startswith(tuple(unreadable_folders))
        ]
        if not gone:
            return
        if summary.files_seen == 0:
            log.warning(
                "input folder %s has no files at all: not marking its %d articles deleted "
                "(an unmounted or emptied folder?)",
                settings.input_dir, len(gone),
            )
            return
        for _, source_path in gone:
            log.info("deleted %s: the file is gone (its article stays, marked deleted)", source_path)
        summary.files_deleted = load.mark_deleted(conn, [g[0] for g in gone], summary.run_id)
        _record_progress(conn, summary)


def count_inputs(input_dir: Path) -> int:
    """How many files the walk will report (for the progress bar's total)."""
    return sum(1 for e in walk(input_dir) if isinstance(e, SourceFile) or e.problem)


def _count_reclean(conn: Connection, settings: Settings, rules: Rules) -> int:
    condition, params = ("", ()) if settings.reprocess else ("AND rules_version != ?", (rules.version,))
    return conn.exec_driver_sql(
        f"SELECT count(*) FROM articles WHERE deleted_at IS NULL {condition}", params
    ).scalar_one()


def _file_tasks(
    conn: Connection,
    settings: Settings,
    rules: Rules,
    summary: RunSummary,
    stored_by_task: dict[str, load.StoredArticle | None],
    unreadable_folders: list[str],
    writer: "_BatchWriter",
    progress: Progress | None,
) -> Iterator[Task]:
    assert settings.input_dir is not None
    stored_files = load.StoredFolders(conn)
    seen: list[tuple[str]] = []

    def see(source_path: str) -> None:
        seen.append((source_path,))
        if len(seen) >= SEEN_PATHS_BATCH:
            load.raw(conn).executemany("INSERT OR IGNORE INTO temp.seen_paths VALUES (?)", seen)
            seen.clear()

    yield from _walk_tasks(conn, settings, rules, summary, stored_by_task, unreadable_folders, writer, progress,
                           stored_files, see)
    load.raw(conn).executemany("INSERT OR IGNORE INTO temp.seen_paths VALUES (?)", seen)


def _walk_tasks(
    conn: Connection,
    settings: Settings,
    rules: Rules,
    summary: RunSummary,
    stored_by_task: dict[str, load.StoredArticle | None],
    unreadable_folders: list[str],
    writer: "_BatchWriter",
    progress: Progress | None,
    stored_files: load.StoredFolders,
    see: Callable[[str], None],
) -> Iterator[Task]:
    assert settings.input_dir is not None
    for entry in walk(Path(settings.input_dir)):
        if isinstance(entry, Skipped):
            summary.skipped.append(entry)
            if not entry.problem:
                log.info("skipped %s: %s", entry.source_path, entry.reason)
                continue
            # A problem: recorded as a failure; the article of a file seen before is kept.
            if entry.source_path.endswith("/"):
                unreadable_folders.append(entry.source_path)
            see(entry.source_path)
            summary.files_seen += 1
            _fail(writer, summary, Failed(entry.source_path, "walk", entry.reason))
            if progress is not None:
                progress.advance(1)
            continue
        summary.files_seen += 1
        see(entry.source_path)
        stored = stored_files.get(entry.source_path)
        if (
            stored is not None
            and not stored.deleted
            and stored.size_bytes == entry.size_bytes
            and stored.mtime_ns == entry.mtime_ns
        ):
            if stored.rules_version == rules.version and not settings.reprocess:
                summary.files_unchanged += 1
                if progress is not None:
                    progress.advance(1)
                continue
            stored_by_task[entry.source_path] = stored
            yield RecleanTask(stored.id, _stored_raw(conn, stored.id), from_walk=True)
            continue
        stored_by_task[entry.source_path] = stored
        up_to_date = stored is not None and stored.rules_version == rules.version and not settings.reprocess
        yield FileTask(entry, stored.sha256 if up_to_date else None)


def _stored_raw(conn: Connection, article_id: int) -> RawDocument:
    row = load.raw(conn).execute(
        "SELECT source_path, sha256, size_bytes, mtime_ns, encoding, raw_text FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    return RawDocument(*row)


def _stored_shape(conn: Connection, article_id: int) -> frozenset[tuple]:
    """:func:`_shape` of the stored rows of an article."""
    return frozenset(
        load.raw(conn).execute(
            "SELECT line_start, line_end, kind, NULL FROM paragraphs WHERE article_id = ? UNION ALL "
            "SELECT line_start, line_end, label, reason FROM removed_segments WHERE article_id = ?",
            (article_id, article_id),
        ).fetchall()
    )


def _same(writer: "_BatchWriter", summary: RunSummary, article_id: int, on_done: Callable[[], None]) -> None:
    """A re-clean that changed nothing: the article only records the run that checked it."""

    def op(conn: Connection) -> None:
        load.raw(conn).execute("UPDATE articles SET run_id = ? WHERE id = ?", (summary.run_id, article_id))
        on_done()

    writer.add(op)


def _reclean_tasks(
    conn: Connection, settings: Settings, rules: Rules, stored_by_task: dict[str, load.StoredArticle | None]
) -> Iterator[Task]:
    """Without an input folder (``--reprocess`` alone), re-clean the stored articles."""
    condition, params = ("", ()) if settings.reprocess else ("AND rules_version != ?", (rules.version,))
    ids = [
        r[0]
        for r in conn.exec_driver_sql(
            f"SELECT id FROM articles WHERE deleted_at IS NULL {condition} ORDER BY source_path", params
        )
    ]
    for article_id in ids:
        raw = _stored_raw(conn, article_id)
        stored_by_task[raw.source_path] = load.stored_article(conn, raw.source_path)
        yield RecleanTask(article_id, raw)


Op = Callable[[Connection], None]


class _BatchWriter:
    """Writes whole articles in short write transactions of ``batch_size`` (or fewer) articles.

    Operations are queued while the workers clean the next files, then written in one burst:
    the write lock is held only while writing (other writers, e.g. an analyst's ``etl people``
    command, get in between), never while cleaning.  Each operation runs in its own savepoint, so
    one article's load error rolls back that article only and becomes a failure.  A batch is also
    written when its oldest operation has waited ``max_seconds``, so readers see progress.
    ``before_commit`` runs inside every transaction just before it commits (the run row's counts),
    so what a transaction says about the run always matches what it wrote.
    """

    def __init__(
        self, conn: Connection, batch_size: int, before_commit: Callable[[], None], max_seconds: float = 5.0
    ) -> None:
        self.conn = conn
        self.batch_size = batch_size
        self.before_commit = before_commit
        self.max_seconds = max_seconds
        self.ops: list[tuple[Op, Callable[[Connection, Exception], None] | None]] = []
        self.oldest = 0.0

    def add(self, op: Op, on_error: Callable[[Connection, Exception], None] | None = None) -> None:
        if not self.ops:
            self.oldest = time.monotonic()
        self.ops.append((op, on_error))
        if len(self.ops) >= self.batch_size or time.monotonic() - self.oldest >= self.max_seconds:
            self.flush()

    def flush(self) -> None:
        if not self.ops:
            return
        with transaction(self.conn) as conn:
            db = load.raw(conn)  # savepoints on the driver: no SQLAlchemy statements per article
            for op, on_error in self.ops:
                db.execute("SAVEPOINT etl_article")
                try:
                    op(conn)
                except Exception as exc:  # one article's load error must not lose the others
                    db.execute("ROLLBACK TO etl_article")
                    db.execute("RELEASE etl_article")
                    if on_error is None:
                        raise
                    on_error(conn, exc)
                else:
                    db.execute("RELEASE etl_article")
            self.before_commit()
        self.ops.clear()


def _record_failure(conn: Connection, summary: RunSummary, failure: Failed) -> None:
    summary.files_failed += 1
    summary.failures.append(failure)
    log.warning("failed %s (%s): %s", failure.source_path, failure.stage, failure.error)
    conn.exec_driver_sql(
        "INSERT INTO failures (run_id, source_path, stage, error) VALUES (?, ?, ?, ?)",
        (summary.run_id, failure.source_path, failure.stage, failure.error),
    )


def _fail(writer: _BatchWriter, summary: RunSummary, failure: Failed) -> None:
    writer.add(lambda conn: _record_failure(conn, summary, failure))


def _source_path(task: Task) -> str:
    return task.raw.source_path if isinstance(task, RecleanTask) else task.source.source_path


def _write(
    writer: _BatchWriter, summary: RunSummary, result: Loaded, article_id: int | None, on_done: Callable[[], None]
) -> None:
    """Queue one article's write; ``on_done`` counts it once written, a load error is a failure."""
    article = result.article

    def op(conn: Connection) -> None:
        load.write_article(conn, article, summary.run_id, article_id)
        for note in result.notes:
            log.info("%s: %s", article.raw.source_path, note)
        if not any(p.kind in CONTENT_LABELS for p in article.paragraphs):
            summary.articles_without_text += 1
            labels = sorted({s.label for s in article.removed})
            log.warning(
                "%s: no article text: all %d segments were removed (%s); loaded with 0 paragraphs, "
                "see removed_segments",
                article.raw.source_path, len(article.segments), ", ".join(labels) or "none",
            )
        on_done()

    def on_error(conn: Connection, exc: Exception) -> None:
        _record_failure(conn, summary, Failed(article.raw.source_path, "load", f"{type(exc).__name__}: {exc}"))

    writer.add(op, on_error)


def _apply(
    writer: _BatchWriter,
    task: Task,
    result: Result,
    summary: RunSummary,
    stored_by_task: dict[str, load.StoredArticle | None],
) -> None:
    stored = stored_by_task.pop(_source_path(task), None)
    if isinstance(result, Failed):
        _fail(writer, summary, result)
        return
    if isinstance(result, Unchanged):
        assert isinstance(task, FileTask) and stored is not None

        def unchanged(conn: Connection) -> None:
            if stored.deleted:
                load.revive(conn, stored.id, task.source.mtime_ns, summary.run_id)
                summary.files_revived += 1
                log.info("revived %s: its file is back, unchanged", result.source_path)
            else:
                load.touch(conn, stored.id, task.source.mtime_ns)
            summary.files_unchanged += 1

        writer.add(unchanged)
        return
    article_id = task.article_id if isinstance(task, RecleanTask) else (stored.id if stored else None)

    def written() -> None:
        if isinstance(task, RecleanTask):
            summary.articles_recleaned += 1
            if task.from_walk:
                summary.files_unchanged += 1
            return
        if stored is None:
            summary.files_new += 1
            return
        if stored.deleted:
            summary.files_revived += 1
            log.info("revived %s: its file is back", result.article.raw.source_path)
        if stored.sha256 == result.article.raw.sha256:  # same bytes, cleaned by older rules or revived
            summary.files_unchanged += 1
            if not stored.deleted:
                summary.articles_recleaned += 1
        else:
            summary.files_changed += 1

    _write(writer, summary, result, article_id, written)


def _apply_memory(
    conn: Connection,
    settings: Settings,
    rules: Rules,
    summary: RunSummary,
    progress: Progress | None,
    lock_fd: int,
) -> None:
    """Re-clean the articles containing a line whose "frequent" status flipped, until stable.

    The flags are updated only after every article containing a flipped line has been re-cleaned
    with the new snapshot: a run killed in between leaves the flags as they were, and the next run
    finds the same flips and finishes the job.
    """
    threshold = CorpusMemory.threshold(rules)
    for _ in range(3):  # a re-clean changes no counts, so one pass normally settles it
        flipped = [
            (fp, int(count >= threshold))
            for fp, count, frequent in conn.exec_driver_sql(
                "SELECT fingerprint, article_count, frequent FROM line_fingerprints "
                "WHERE (article_count >= ?) != frequent",
                (threshold,),
            )
        ]
        if not flipped:
            conn.commit()
            return
        memory = load_memory(conn, threshold)
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS flipped (fingerprint TEXT PRIMARY KEY)")
        conn.exec_driver_sql("DELETE FROM temp.flipped")
        conn.exec_driver_sql("INSERT INTO temp.flipped VALUES (?)", [(fp,) for fp, _ in flipped])
        ids = [
            (r[0], r[1] == rules.version)
            for r in conn.exec_driver_sql(
                "SELECT DISTINCT a.id, a.rules_version, a.source_path FROM article_fingerprints af "
                "JOIN temp.flipped f USING (fingerprint) "
                "JOIN articles a ON a.id = af.article_id WHERE a.deleted_at IS NULL ORDER BY a.source_path"
            )
        ]
        conn.commit()
        log.info("corpus memory: %d lines changed status; re-cleaning the %d articles containing them",
                 len(flipped), len(ids))
        if ids:
            if progress is not None:
                progress.start("re-cleaning", len(ids))

            def recleaned() -> None:
                summary.articles_recleaned += 1

            def apply(writer: _BatchWriter, task: Task, result: Result) -> None:
                if isinstance(result, Failed):
                    _fail(writer, summary, result)
                elif isinstance(result, Same):
                    _same(writer, summary, result.article_id, recleaned)
                else:
                    _write(writer, summary, result, task.article_id, recleaned)

            # An article cleaned by these rules is only classified first: rewritten if that changed
            # a verdict (one cleaned by other rules, whose re-clean failed earlier, is rewritten).
            tasks = (
                RecleanTask(i, _stored_raw(conn, i), stored_shape=_stored_shape(conn, i) if current else None)
                for i, current in ids
            )
            _drain(
                _Pool(settings, rules, memory, lock_fd),
                tasks,
                _BatchWriter(conn, settings.batch_size, lambda: _record_progress(conn, summary)),
                apply,
                progress,
            )
        with transaction(conn):
            conn.exec_driver_sql(
                "UPDATE line_fingerprints SET frequent = ? WHERE fingerprint = ?",
                [(state, fp) for fp, state in flipped],
            )
            _record_progress(conn, summary)
