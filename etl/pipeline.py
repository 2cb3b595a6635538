"""``etl run``: lock, run log, and extract → transform → load for every file that needs it.

Shape of a run:

1. Take the lock file beside the database (``<db>.lock``); a second run exits 75 at once, or
   queues with ``--wait``.
2. Bring the schema to head (backing up a non-empty database first) and mark runs left
   ``running`` by a dead process as ``failed``.
3. Walk the input once, in sorted order.  A file whose size and mtime match the stored article is
   skipped without being read; every other file is queued in a temporary table (articles cleaned
   by older rules, or all with ``--reprocess``, are queued for a re-clean from their stored text).
4. Count: the queued files are read, repaired and segmented (no cleaning) to count their line
   fingerprints, so that the corpus memory they are cleaned with is the one they will leave behind.
5. Load: extract and transform run in a process pool (``--jobs``, forked after the stages are
   compiled once in this process); a single writer loads the results in input order, whole
   articles per transaction (``batch_size`` of them), so the outcome is identical to ``--jobs 1``
   and a reader never sees half an article.  Articles whose file disappeared are soft-deleted (not
   when the input folder is empty, or for files under a folder that could not be read).
6. Corpus memory: older articles containing a line whose stored "recurring" level flipped, and this
   run's articles containing a line counted other than predicted, are re-cleaned.  The new levels
   are committed only after they all are, so a run killed half-way through leaves the flip to be
   redone by the next run.  Such a re-clean first only classifies the article; when every segment
   keeps its stored label and reason, the article is not transformed further nor rewritten.
7. Finish the run row (status, counts, seconds) and return a summary.

Crash safety comes from SQLite (WAL, one transaction per batch of whole articles) plus that rule:
every piece of state that says "this work is done" is committed in the same transaction as the
work, or after it.  A run killed at any point leaves a database that the next run completes to the
same result as a run that was never interrupted (see ``tests/test_crash.py`` for what "same" means).
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import chain
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc

from etl import __version__, resolve
from etl.db import load, migrate
from etl.db.engine import NEXT_BEGIN, insert_rows, make_engine
from etl.extract import ExtractError, Skipped, SourceFile, decode_note, read, to_document, walk
from etl.records import (
    CONTENT_LABELS, PARAGRAPH_LABELS, Article, LabeledSegment, RawDocument, pickle_as_fields,
)
from etl.rules import Rules, load_rules
from etl.settings import EXIT_OK, EXIT_PARTIAL, Settings
from etl.transform import clean_text, prepare_stages, transform
from etl.transform.gates import remembered_in
from etl.transform.memory import CorpusMemory, document_lines, long_line_thresholds, outlet_snapshot

log = logging.getLogger("etl")

#: How many tasks may be in flight in the pool at once: enough to keep every core busy, few
#: enough that memory stays flat however large the input folder is.  See :func:`in_flight`.
TASKS_IN_FLIGHT_PER_JOB = 4
FILES_PER_TASK = 16


def in_flight(jobs: int, batch_size: int) -> int:
    """Tasks in flight: a few per worker, plus a writer's batch worth of files.

    The writer takes no result while it writes a batch, so a window smaller than a batch left the
    workers idle for the end of every burst: on 2 cores, 128 files in flight with batches of 200
    kept 1.67-1.70 cores busy; 336 (this) keeps 1.8-1.86.  Memory grows with ``batch_size`` (a
    few MB per hundred articles), not with the input.
    """
    return jobs * TASKS_IN_FLIGHT_PER_JOB + -(-batch_size // FILES_PER_TASK)
#: Paths seen by the walk are recorded (for finding vanished files) this many at a time.
SEEN_PATHS_BATCH = 1000
#: Lines whose count changes the counting pass keeps in memory before adding them up on disk.
COUNT_CHANGES_IN_MEMORY = 50_000
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

    __reduce__ = pickle_as_fields  # crosses the process boundary: as its field values

    source: SourceFile
    known_sha256: str | None


@dataclass(frozen=True, slots=True)
class RecleanTask:
    """Transform an article again from its stored raw text (new rules, --reprocess, memory)."""

    __reduce__ = pickle_as_fields  # crosses the process boundary: as its field values

    article_id: int
    raw: RawDocument
    from_walk: bool = False  # its file was seen unchanged (counts as an unchanged file)
    #: The stored verdicts (see :func:`_shape`) when the re-clean may well change nothing (a
    #: corpus-memory re-clean): the worker classifies first and, when the verdicts are the same,
    #: skips metadata, mentions and the rewrite.
    stored_shape: frozenset[tuple] | None = None


@dataclass(frozen=True, slots=True)
class CountTask:
    """Read a new or changed file for the counting pass: its line fingerprints only, no cleaning."""

    __reduce__ = pickle_as_fields  # crosses the process boundary: as its field values

    source: SourceFile
    known_sha256: str | None  # the stored article's: the same bytes change no count


@dataclass(frozen=True, slots=True)
class Counted:
    """The distinct line fingerprints of a file's current content, and the outlet it tells."""

    __reduce__ = pickle_as_fields  # crosses the process boundary: as its field values

    source_path: str
    fingerprints: tuple[str, ...]
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class Loaded:
    __reduce__ = pickle_as_fields  # crosses the process boundary: as its field values

    article: Article
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unchanged:
    __reduce__ = pickle_as_fields  # crosses the process boundary: as its field values

    source_path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Same:
    """A re-clean whose segments, labels and reasons equal the stored ones: nothing to rewrite."""

    __reduce__ = pickle_as_fields  # crosses the process boundary: as its field values

    article_id: int


@dataclass(frozen=True, slots=True)
class Failed:
    __reduce__ = pickle_as_fields  # crosses the process boundary: as its field values

    source_path: str
    stage: str
    error: str


Task = FileTask | RecleanTask | CountTask
Result = Loaded | Unchanged | Same | Failed | Counted

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


#: How much lower the pool workers' scheduling priority is than the run's own process (``nice``).
#: The run's process is the single writer every article goes through: when it is short of CPU the
#: whole run waits, while the workers only need the CPU it leaves.  On 2 cores (3 busy processes)
#: this raised the cores a cold run keeps busy from 1.49 to 1.65 on average.
WORKER_NICENESS = 10


def _lower_priority() -> None:
    """Give the calling (worker) process a lower scheduling priority; see :data:`WORKER_NICENESS`."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # pragma: no cover - not permitted here: run at the same priority
        pass


def _init_pool_worker(run_pid: int, lock_fd: int, rules: Rules, memory: CorpusMemory, limits: Limits) -> None:
    """Start a forked pool worker: drop the inherited run lock, leave signals to the run, watch it,
    and step back behind the run's writer (:data:`WORKER_NICENESS`).

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
    _lower_priority()
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


def _extract(source: SourceFile, known_sha256: str | None) -> tuple[bytes, RawDocument] | Unchanged | Failed:
    """Read, hash and decode one file: its bytes and document, or why there is nothing to clean."""
    try:
        data, digest = read(source, _worker_limits.max_file_bytes)
        if digest == known_sha256:
            return Unchanged(source.source_path, digest)
        return data, to_document(source, data, digest, _worker_limits.max_line_chars)
    except ExtractError as exc:
        return Failed(source.source_path, exc.stage, exc.message)
    except Exception as exc:  # pragma: no cover - an unexpected bug in decoding
        return Failed(source.source_path, "decode", f"{type(exc).__name__}: {exc}")


def _count(task: CountTask) -> Result:
    assert _worker_rules is not None
    extracted = _extract(task.source, task.known_sha256)
    if not isinstance(extracted, tuple):
        return extracted
    try:
        with _time_limit(_worker_limits.file_seconds):
            fingerprints, outlet = document_lines(extracted[1].text, _worker_rules)
    except Exception as exc:  # the loading pass meets the same problem and records it
        return Failed(task.source.source_path, "transform", f"{type(exc).__name__}: {exc}")
    return Counted(task.source.source_path, tuple(sorted(fingerprints)), outlet)


def _process(task: Task) -> Result:
    """Extract and transform one file (runs in a worker process)."""
    if isinstance(task, CountTask):
        return _count(task)
    if isinstance(task, RecleanTask):
        try:
            return _reclean(task)
        except FileTimeout as exc:
            return Failed(task.raw.source_path, "transform", str(exc))
        except Exception as exc:  # a bug on one article must not stop the night
            return Failed(task.raw.source_path, "transform", f"{type(exc).__name__}: {exc}")
    extracted = _extract(task.source, task.known_sha256)
    if not isinstance(extracted, tuple):
        return extracted
    data, raw = extracted
    note = decode_note(data, raw.encoding)
    try:
        return Loaded(_transform(raw), (note,) if note else ())
    except FileTimeout as exc:
        return Failed(raw.source_path, "transform", str(exc))
    except Exception as exc:
        return Failed(raw.source_path, "transform", f"{type(exc).__name__}: {exc}")


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
    # the gate analyses of the rules' patterns, remembered next to the database (see gates.py)
    with RunLock(db_path, settings.wait) as lock, remembered_in(db_path.with_name(db_path.name + ".rules-cache")):
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
                    _load_all(conn, settings, rules, summary, progress, lock.fd)
                    summary.seconds = time.perf_counter() - started
                    _finish_run(conn, summary, summary.status, None)
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


def load_memory(conn: Connection, rules: Rules) -> CorpusMemory:
    """The corpus memory as stored now (see :func:`etl.db.load.stored_memory`)."""
    memory = load.stored_memory(load.raw(conn), rules)
    conn.commit()  # no read transaction left open
    return memory


class _CountChanges:
    """How this run's loads will move each line's count, in the corpus and in the article's outlet:
    +1 per new file containing the line, -1 per replaced or vanished article that contained it;
    and the number of live articles, in all and per outlet.

    Kept in dicts while small and added up in temporary tables beyond ``COUNT_CHANGES_IN_MEMORY``
    lines, so a first load of a large archive (millions of distinct lines) still runs in flat memory.
    """

    def __init__(self, conn: Connection) -> None:
        self.db = load.raw(conn)
        self.spill = COUNT_CHANGES_IN_MEMORY
        self.pending: dict[str, int] = {}
        self.outlet_pending: dict[tuple[str, str], int] = {}
        self.articles = 0  # change in the number of live articles
        self.outlet_articles: dict[str, int] = {}  # the same, per outlet
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS count_changes (fingerprint TEXT PRIMARY KEY, delta INTEGER NOT NULL)"
        )
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS outlet_count_changes (outlet TEXT NOT NULL, fingerprint TEXT NOT NULL, "
            "delta INTEGER NOT NULL, PRIMARY KEY (outlet, fingerprint))"
        )
        self.db.execute("DELETE FROM temp.count_changes")
        self.db.execute("DELETE FROM temp.outlet_count_changes")

    def add(self, fingerprints: Iterable[str], delta: int, outlet: str | None) -> None:
        """An article with these lines and this outlet comes in (``delta`` +1) or goes (-1)."""
        self.articles += delta
        pending = self.pending
        if outlet is None:
            for fp in fingerprints:
                pending[fp] = pending.get(fp, 0) + delta
        else:
            self.outlet_articles[outlet] = self.outlet_articles.get(outlet, 0) + delta
            in_outlet = self.outlet_pending
            for fp in fingerprints:
                pending[fp] = pending.get(fp, 0) + delta
                in_outlet[outlet, fp] = in_outlet.get((outlet, fp), 0) + delta
        if len(pending) + len(self.outlet_pending) > self.spill:
            self.flush()

    def add_article(self, article_id: int, delta: int) -> None:
        """A stored article comes in (revived: +1) or goes (replaced or vanished: -1)."""
        outlet = self.db.execute("SELECT outlet FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        fingerprints = [r[0] for r in self.db.execute(
            "SELECT fingerprint FROM article_fingerprints WHERE article_id = ?", (article_id,)
        )]
        self.add(fingerprints, delta, outlet)

    def flush(self) -> None:
        self.db.executemany(
            "INSERT INTO temp.count_changes VALUES (?, ?) "
            "ON CONFLICT (fingerprint) DO UPDATE SET delta = delta + excluded.delta",
            [item for item in self.pending.items() if item[1]],
        )
        self.db.executemany(
            "INSERT INTO temp.outlet_count_changes VALUES (?, ?, ?) "
            "ON CONFLICT (outlet, fingerprint) DO UPDATE SET delta = delta + excluded.delta",
            [(outlet, fp, n) for (outlet, fp), n in self.outlet_pending.items() if n],
        )
        self.pending.clear()
        self.outlet_pending.clear()

    def memory(self, rules: Rules) -> CorpusMemory:
        """The corpus memory as it will be once this run's files are loaded."""
        self.flush()
        rows = self.db.execute(
            "SELECT fingerprint, n FROM ("
            " SELECT c.fingerprint, coalesce(l.article_count, 0) + c.delta AS n"
            " FROM temp.count_changes c LEFT JOIN line_fingerprints l USING (fingerprint)"
            " UNION ALL"
            " SELECT fingerprint, article_count FROM line_fingerprints"
            " WHERE article_count >= 2 AND article_count >= ?1"
            " AND fingerprint NOT IN (SELECT fingerprint FROM temp.count_changes)"
            ") WHERE n >= ?1",
            (CorpusMemory.threshold(rules),),
        ).fetchall()
        live = self.db.execute("SELECT count(*) FROM articles WHERE deleted_at IS NULL").fetchone()[0]
        outlet_totals = load.outlet_totals(self.db)
        for outlet, delta in self.outlet_articles.items():
            outlet_totals[outlet] = outlet_totals.get(outlet, 0) + delta
        outlet_counts = outlet_snapshot(
            self.db.execute(
                "SELECT outlet, fingerprint, n FROM ("
                " SELECT c.outlet, c.fingerprint, coalesce(l.article_count, 0) + c.delta AS n"
                " FROM temp.outlet_count_changes c LEFT JOIN outlet_line_fingerprints l USING (outlet, fingerprint)"
                " UNION ALL"
                " SELECT outlet, fingerprint, article_count FROM outlet_line_fingerprints l"
                " WHERE article_count >= 2 AND article_count >= ?1"
                " AND NOT EXISTS (SELECT 1 FROM temp.outlet_count_changes c"
                "  WHERE c.outlet = l.outlet AND c.fingerprint = l.fingerprint)"
                ") WHERE n >= ?1",
                (CorpusMemory.outlet_threshold(rules),),
            ),
            outlet_totals,
            rules,
        )
        self.db.execute("DELETE FROM temp.count_changes")
        self.db.execute("DELETE FROM temp.outlet_count_changes")
        return CorpusMemory.from_counts(
            dict(rows),
            total_articles=live + self.articles,
            outlet_counts=outlet_counts,
            outlet_totals={outlet: n for outlet, n in outlet_totals.items() if n > 0},
        )


class _Pool:
    """The worker pool for one memory snapshot (``None`` executor with ``--jobs 1``).

    The processes are forked when the first task comes (a run with nothing to clean forks none),
    right after the stages are imported and the rules compiled in this process, so that every
    worker inherits them instead of doing that work again (about half a second of CPU each).
    """

    def __init__(
        self, settings: Settings, rules: Rules, memory: CorpusMemory, lock_fd: int, files: int | None = None
    ) -> None:
        """``files``: how many files (or articles) the pool will get, when known.  Fewer than
        ``settings.pool_min_files`` are done in this process: forking, handing over and shutting
        down a pool costs more than it saves (a 1%-changed re-run of 10,000 files, 100 of them to
        read: 0.90 s with a pool of 2, 0.60 s without)."""
        self.jobs = 1 if files is not None and files < settings.pool_min_files else max(1, settings.jobs)
        self.window = in_flight(self.jobs, settings.batch_size)
        self.rules = rules
        self.args = (rules, memory, Limits(settings.max_file_bytes, settings.max_line_chars, settings.file_timeout))
        self.lock_fd = lock_fd
        self.executor: ProcessPoolExecutor | None = None
        if self.jobs == 1:
            _init_worker(*self.args)

    def results(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Result]]:
        pending = iter(tasks)
        first = next(pending, None)
        if first is None:
            return
        if self.jobs > 1 and self.executor is None:
            prepare_stages(self.rules)
            # Out of the collector's reach: its passes would write to every inherited object and so
            # make each worker copy the pages it shares with this process.
            gc.freeze()
            self.executor = ProcessPoolExecutor(
                self.jobs, initializer=_init_pool_worker, initargs=(os.getpid(), self.lock_fd, *self.args)
            )
        yield from ordered_results(chain([first], pending), self.executor, self.window)

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
) -> None:
    db = load.raw(conn)
    db.execute("CREATE TEMP TABLE IF NOT EXISTS seen_paths (source_path TEXT PRIMARY KEY)")
    db.execute("DELETE FROM temp.seen_paths")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS cleaned (article_id INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM temp.cleaned")
    stored_by_task: dict[str, load.StoredArticle | None] = {}
    unreadable_folders: list[str] = []
    writer = _BatchWriter(conn, settings.batch_size, lambda: _record_progress(conn, summary))

    if settings.input_dir is not None:
        planned, live_seen = _plan(conn, settings, rules, summary, unreadable_folders, writer)
        # every live article's file was seen (the usual night): none vanished, no need to look for them
        all_seen = live_seen == db.execute("SELECT count(*) FROM articles WHERE deleted_at IS NULL").fetchone()[0]
        memory = (
            _count_pass(conn, settings, rules, summary, unreadable_folders, progress, lock_fd, all_seen).memory(rules)
            if planned
            else CorpusMemory()
        )
        tasks: Iterator[Task] = _planned_tasks(conn, settings, rules, stored_by_task)
        work = planned
        if progress is not None:
            progress.start("files", planned)
    else:
        work = _count_reclean(conn, settings, rules)
        memory = load_memory(conn, rules) if work else CorpusMemory()
        tasks = _reclean_tasks(conn, settings, rules, stored_by_task)
        if progress is not None:
            progress.start("articles", work)

    _drain(
        _Pool(settings, rules, memory, lock_fd, work),
        tasks,
        writer,
        lambda task, result: _apply(writer, task, result, summary, stored_by_task),
        progress,
    )
    if settings.input_dir is not None:
        _mark_gone(conn, settings, summary, unreadable_folders, all_seen)
    _apply_memory(conn, settings, rules, summary, progress, lock_fd, memory)


#: The files a run has to read, found by its one walk of the input; see :func:`_plan`.
_PLANNED_COLUMNS = (
    "source_path", "path", "size_bytes", "mtime_ns", "reclean",
    "stored_id", "stored_size", "stored_mtime", "stored_sha", "stored_rules", "stored_deleted",
)


def _plan(
    conn: Connection,
    settings: Settings,
    rules: Rules,
    summary: RunSummary,
    unreadable_folders: list[str],
    writer: "_BatchWriter",
) -> tuple[int, int]:
    """Walk the input once: count the unchanged files, record the walk's problems, and queue every
    other file in ``temp.planned`` (in walk order) for the counting and loading passes.

    A file whose size and mtime match its stored article is not read; if that article was cleaned
    by other rules (or ``--reprocess``) it is queued for a re-clean from its stored text.  The
    queue lives in a temporary table, so a first load of a huge folder holds no list in memory.
    Returns the number of queued files, and of the files seen whose article is live.
    """
    assert settings.input_dir is not None
    db = load.raw(conn)
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS planned (seq INTEGER PRIMARY KEY, {', '.join(_PLANNED_COLUMNS)})")
    db.execute("DELETE FROM temp.planned")
    insert = (
        f"INSERT INTO temp.planned ({', '.join(_PLANNED_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(_PLANNED_COLUMNS))})"
    )
    stored_files = load.StoredFolders(conn)
    seen: list[tuple[str]] = []
    queued: list[tuple] = []
    planned = live_seen = 0

    def flush() -> None:
        db.executemany("INSERT OR IGNORE INTO temp.seen_paths VALUES (?)", seen)
        db.executemany(insert, queued)
        seen.clear()
        queued.clear()

    for entry in walk(Path(settings.input_dir)):
        if isinstance(entry, Skipped):
            summary.skipped.append(entry)
            if not entry.problem:
                log.info("skipped %s: %s", entry.source_path, entry.reason)
                continue
            # A problem: recorded as a failure; the article of a file seen before is kept.
            if entry.source_path.endswith("/"):
                unreadable_folders.append(entry.source_path)
            seen.append((entry.source_path,))
            summary.files_seen += 1
            _fail(writer, summary, Failed(entry.source_path, "walk", entry.reason))
            continue
        summary.files_seen += 1
        seen.append((entry.source_path,))
        stored = stored_files.get(entry.source_path)
        live_seen += stored is not None and not stored.deleted
        stat_unchanged = (
            stored is not None
            and not stored.deleted
            and stored.size_bytes == entry.size_bytes
            and stored.mtime_ns == entry.mtime_ns
        )
        if stat_unchanged and stored.rules_version == rules.version and not settings.reprocess:
            summary.files_unchanged += 1
        else:
            stored_values = (
                (stored.id, stored.size_bytes, stored.mtime_ns, stored.sha256, stored.rules_version, stored.deleted)
                if stored is not None
                else (None,) * 6
            )
            queued.append((entry.source_path, str(entry.path), entry.size_bytes, entry.mtime_ns, stat_unchanged,
                           *stored_values))
            planned += 1
        if len(seen) >= SEEN_PATHS_BATCH:
            flush()
    flush()
    return planned, live_seen


def _planned(conn: Connection, where: str = "", page: int = 1000) -> Iterator[tuple]:
    """The rows of ``temp.planned`` in walk order, a page at a time (other statements run between)."""
    db = load.raw(conn)
    last = 0
    while True:
        rows = db.execute(
            f"SELECT seq, {', '.join(_PLANNED_COLUMNS)} FROM temp.planned WHERE seq > ? {where} ORDER BY seq LIMIT ?",
            (last, page),
        ).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _planned_source(row: tuple) -> SourceFile:
    return SourceFile(row[2], row[1], row[3], row[4])


def _planned_stored(row: tuple) -> load.StoredArticle | None:
    return None if row[6] is None else load.StoredArticle(row[6], row[7], row[8], row[9], row[10], bool(row[11]))


def _planned_tasks(
    conn: Connection, settings: Settings, rules: Rules, stored_by_task: dict[str, load.StoredArticle | None]
) -> Iterator[Task]:
    """The loading pass's tasks, from the walk's queue."""
    for row in _planned(conn):
        stored = _planned_stored(row)
        stored_by_task[row[1]] = stored
        if row[5]:  # stat unchanged, cleaned by other rules: re-clean from the stored text
            assert stored is not None
            yield RecleanTask(stored.id, _stored_raw(conn, stored.id), from_walk=True)
            continue
        up_to_date = stored is not None and stored.rules_version == rules.version and not settings.reprocess
        yield FileTask(_planned_source(row), stored.sha256 if up_to_date else None)


def _count_pass(
    conn: Connection,
    settings: Settings,
    rules: Rules,
    summary: RunSummary,
    unreadable_folders: list[str],
    progress: Progress | None,
    lock_fd: int,
    all_seen: bool = False,
) -> "_CountChanges":
    """Count the lines of the queued files before any is cleaned, so that each file is cleaned
    once, with the corpus memory as it will be after this run (rather than cleaned with the old
    counts and re-cleaned when one of its lines turns frequent later in the run, which on a first
    load is nearly every article).

    Costs a read, repair and segmentation of each new or changed file, a fraction of cleaning it.
    If a file changes between this pass and the loading pass, or fails in one of them only, some
    counts come out other than predicted; the corpus-memory step at the end of the run re-cleans
    the articles containing those lines (see :func:`_apply_memory`).
    """
    changes = _CountChanges(conn)
    stored_of_path: dict[str, load.StoredArticle | None] = {}

    def tasks() -> Iterator[Task]:
        for row in _planned(conn, "AND NOT reclean"):
            stored = _planned_stored(row)
            stored_of_path[row[1]] = stored
            yield CountTask(_planned_source(row), stored.sha256 if stored else None)

    def count(task: Task, result: Result) -> None:
        stored = stored_of_path.pop(_source_path(task), None)
        if isinstance(result, Counted):
            if stored is not None and not stored.deleted:
                changes.add_article(stored.id, -1)
            changes.add(result.fingerprints, +1, result.outlet)
        elif isinstance(result, Unchanged) and stored is not None and stored.deleted:
            changes.add_article(stored.id, +1)  # the same bytes are back: revived as they are

    queued = load.raw(conn).execute("SELECT count(*) FROM temp.planned WHERE NOT reclean").fetchone()[0]
    if progress is not None:
        progress.start("counting lines", queued)
    _drain(_Pool(settings, rules, CorpusMemory(), lock_fd, queued), tasks(), None, count, progress)
    for article_id in [] if all_seen else _gone(conn, summary, unreadable_folders):
        changes.add_article(article_id, -1)
    return changes


def _drain(
    pool: "_Pool",
    tasks: Iterable[Task],
    writer: "_BatchWriter | None",
    apply: Callable[[Task, Result], None],
    progress: Progress | None,
) -> None:
    """Feed ``tasks`` through ``pool`` and hand each result, in task order, to ``apply``.

    The writer (if any) is flushed at the end; on any error (or a signal) the pool is aborted so no
    worker outlives the run.
    """
    try:
        for task, result in pool.results(tasks):
            apply(task, result)
            if progress is not None:
                progress.advance(1)
        if writer is not None:
            writer.flush()
    except BaseException:
        pool.close(abort=True)
        raise
    pool.close()
    if progress is not None:
        progress.finish()


def _vanished(conn: Connection, unreadable_folders: list[str]) -> list[tuple[int, str]]:
    """(id, source_path) of the live articles whose file the walk did not see (not counting files
    under a folder that could not be read)."""
    return [
        (article_id, source_path)
        for article_id, source_path in load.raw(conn).execute(
            "SELECT id, source_path FROM articles WHERE deleted_at IS NULL "
            "AND source_path NOT IN (SELECT source_path FROM temp.seen_paths) ORDER BY source_path"
        )
        if not source_path.startswith(tuple(unreadable_folders))
    ]


def _gone(conn: Connection, summary: RunSummary, unreadable_folders: list[str]) -> list[int]:
    """Ids of the articles :func:`_mark_gone` will soft-delete."""
    return [] if summary.files_seen == 0 else [i for i, _ in _vanished(conn, unreadable_folders)]


def _mark_gone(
    conn: Connection, settings: Settings, summary: RunSummary, unreadable_folders: list[str], all_seen: bool = False
) -> None:
    """Soft-delete the live articles whose file was not found by this run's walk (none when it saw
    the file of every live article: ``all_seen``)."""
    if all_seen:
        return
    with transaction(conn):
        gone = _vanished(conn, unreadable_folders)
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


def _count_reclean(conn: Connection, settings: Settings, rules: Rules) -> int:
    condition, params = ("", ()) if settings.reprocess else ("AND rules_version != ?", (rules.version,))
    return conn.exec_driver_sql(
        f"SELECT count(*) FROM articles WHERE deleted_at IS NULL {condition}", params
    ).scalar_one()


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

    def op(conn: Connection) -> Callable[[], None]:
        load.raw(conn).execute("UPDATE articles SET run_id = ? WHERE id = ?", (summary.run_id, article_id))
        return on_done

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


#: A queued write: runs inside the batch's transaction and returns what to tell the run once its
#: rows are kept (counts, log lines), or None.
Op = Callable[[Connection], Callable[[], None] | None]
OnError = Callable[[Connection, Exception], None]


class _OpFailed(Exception):
    """An operation of a batch written without savepoints failed: write the batch one by one."""


class _BatchWriter:
    """Writes whole articles in short write transactions of ``batch_size`` (or fewer) articles.

    Operations are queued while the workers clean the next files, then written in one burst:
    the write lock is held only while writing (other writers, e.g. an analyst's ``etl people``
    command, get in between), never while cleaning.  A batch is first written straight through;
    if an operation fails, that transaction is rolled back and the batch written again with each
    operation in its own savepoint, so one article's load error rolls back that article only and
    becomes a failure.  (A savepoint per article in every batch would cost 10-20% of the writer's
    time: among other things, FTS5 flushes its pending index data at each one.)  What an
    operation tells the run (its ``after``) happens once, for the attempt that commits.  A batch is
    also written when its oldest operation has waited ``max_seconds``, so readers see progress.
    ``before_commit`` runs inside every transaction just before it commits (the run row's counts),
    so what a transaction says about the run always matches what it wrote.  The ids of the articles
    the operations wrote (``cleaned``) go into ``temp.cleaned`` once per transaction, at its end.
    """

    def __init__(
        self, conn: Connection, batch_size: int, before_commit: Callable[[], None], max_seconds: float = 5.0
    ) -> None:
        self.conn = conn
        self.batch_size = batch_size
        self.before_commit = before_commit
        self.max_seconds = max_seconds
        self.ops: list[tuple[Op, OnError | None]] = []
        self.oldest = 0.0
        #: articles written by the operations of the current attempt, for ``temp.cleaned``
        self.cleaned: list[int] = []

    def add(self, op: Op, on_error: OnError | None = None) -> None:
        if not self.ops:
            self.oldest = time.monotonic()
        self.ops.append((op, on_error))
        if len(self.ops) >= self.batch_size or time.monotonic() - self.oldest >= self.max_seconds:
            self.flush()

    def flush(self) -> None:
        if not self.ops:
            return
        try:
            with transaction(self.conn) as conn:
                self._write_straight(conn)
        except _OpFailed:
            with transaction(self.conn) as conn:
                self._write_one_by_one(conn)
        self.ops.clear()

    def _write_straight(self, conn: Connection) -> None:
        load.start_batch(conn)
        self.cleaned = []
        afters = []
        for op, _ in self.ops:
            try:
                afters.append(op(conn))
            except Exception as exc:
                raise _OpFailed from exc
        self._finish(conn, afters)

    def _write_one_by_one(self, conn: Connection) -> None:
        db = load.raw(conn)  # savepoints on the driver: no SQLAlchemy statements per article
        load.start_batch(conn)
        self.cleaned = []
        afters = []
        for op, on_error in self.ops:
            mark = load.batch_mark(conn)
            cleaned = len(self.cleaned)
            db.execute("SAVEPOINT etl_article")
            try:
                afters.append(op(conn))
            except Exception as exc:  # one article's load error must not lose the others
                db.execute("ROLLBACK TO etl_article")
                db.execute("RELEASE etl_article")
                load.batch_rollback(conn, mark)
                del self.cleaned[cleaned:]
                if on_error is None:
                    raise
                on_error(conn, exc)
            else:
                db.execute("RELEASE etl_article")
        self._finish(conn, afters)

    def _finish(self, conn: Connection, afters: list[Callable[[], None] | None]) -> None:
        if self.cleaned:  # cleaned with this run's corpus memory (see _apply_memory)
            insert_rows(load.raw(conn), "INSERT OR IGNORE INTO temp.cleaned (article_id)", [(i,) for i in self.cleaned])
            self.cleaned = []
        load.finish_batch(conn)
        for after in afters:
            if after is not None:
                after()
        self.before_commit()


def _record_failure(conn: Connection, summary: RunSummary, failure: Failed) -> Callable[[], None]:
    """Write the failure's row; returns what counts and logs it."""
    conn.exec_driver_sql(
        "INSERT INTO failures (run_id, source_path, stage, error) VALUES (?, ?, ?, ?)",
        (summary.run_id, failure.source_path, failure.stage, failure.error),
    )

    def count() -> None:
        summary.files_failed += 1
        summary.failures.append(failure)
        log.warning("failed %s (%s): %s", failure.source_path, failure.stage, failure.error)

    return count


def _fail(writer: _BatchWriter, summary: RunSummary, failure: Failed) -> None:
    writer.add(lambda conn: _record_failure(conn, summary, failure))


def _source_path(task: Task) -> str:
    return task.raw.source_path if isinstance(task, RecleanTask) else task.source.source_path


def _write(
    writer: _BatchWriter, summary: RunSummary, result: Loaded, article_id: int | None, on_done: Callable[[], None]
) -> None:
    """Queue one article's write; ``on_done`` counts it once written, a load error is a failure."""
    article = result.article

    def op(conn: Connection) -> Callable[[], None]:
        writer.cleaned.append(load.write_article(conn, article, summary.run_id, article_id, batched=True))
        return report

    def report() -> None:
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
        failure = Failed(article.raw.source_path, "load", f"{type(exc).__name__}: {exc}")
        _record_failure(conn, summary, failure)()

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

        def unchanged(conn: Connection) -> Callable[[], None]:
            if stored.deleted:
                load.revive(conn, stored.id, task.source.mtime_ns, summary.run_id)
            else:
                load.touch(conn, stored.id, task.source.mtime_ns)
            return counted

        def counted() -> None:
            if stored.deleted:
                summary.files_revived += 1
                log.info("revived %s: its file is back, unchanged", result.source_path)
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
    run_memory: CorpusMemory,
) -> None:
    """Bring every live article in line with the corpus memory as it now stands.

    Two kinds of article may be out of line:

    * one cleaned by an earlier run, containing a line whose ``frequent`` or
      ``frequent_sentence`` flag flips now (its count, or its share of the live articles, crossed
      a threshold of :func:`etl.transform.memory.is_recurring`);
    * one cleaned by this run with ``run_memory`` (the counting pass's prediction), containing a
      line whose count came out other than predicted (a file changed or failed between the passes),
      or any frequent line if the number of live articles did (the share rule for long lines uses it).

    Those are re-cleaned from their stored text.  The flags are updated only after all of them
    are: a run killed in between leaves the flags as they were, the next run finds the same flips
    and finishes the job (an article this run cleaned with the right memory then re-cleans to
    the same verdicts, which costs a classification and no write).
    """
    threshold = CorpusMemory.threshold(rules)
    long_min_others, long_min_share = long_line_thresholds(rules)
    db = load.raw(conn)
    line = "fingerprint TEXT PRIMARY KEY"
    for table, columns in (("flipped", line), ("mispredicted", line),
                           ("outlet_flipped", _OUTLET_LINE), ("outlet_mispredicted", _OUTLET_LINE),
                           ("outlet_others", "outlet TEXT PRIMARY KEY, others INTEGER NOT NULL")):
        db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns})")
    for _ in range(3):  # a re-clean changes no counts, so one pass normally settles it (see below)
        memory = load_memory(conn, rules)
        # the two levels of is_recurring, as stored counts: any line, and a sentence-like line
        # (only lines at a level or flagged can flip: the two partial indexes of migration 0007)
        levels = (
            "SELECT fingerprint, frequent, frequent_sentence, article_count >= ?1 AS frequent_now,"
            " (article_count >= ?1 AND article_count - 1 >= ?2 AND ?3 > 0"
            "  AND CAST(article_count - 1 AS REAL) / ?3 >= ?4) AS sentence_now FROM line_fingerprints"
        )
        flipped = db.execute(
            f"SELECT fingerprint, frequent_now, sentence_now FROM ("
            f" {levels} WHERE article_count >= 2 AND article_count >= ?1"
            f" UNION {levels} WHERE frequent OR frequent_sentence"
            ") WHERE frequent_now != frequent OR sentence_now != frequent_sentence",
            (threshold, long_min_others, max(memory.total_articles - 1, 0), long_min_share),
        ).fetchall()
        # within an outlet only the sentence level can add a verdict (see etl.transform.memory)
        db.execute("DELETE FROM temp.outlet_others")
        db.executemany("INSERT INTO temp.outlet_others VALUES (?, ?)",
                       [(outlet, n - 1) for outlet, n in memory.outlet_totals.items()])
        outlet_levels = (
            "SELECT l.outlet, l.fingerprint, l.frequent_sentence, (l.article_count >= ?1 AND t.others > 0"
            "  AND CAST(l.article_count - 1 AS REAL) / t.others >= ?2) IS 1 AS sentence_now"
            " FROM outlet_line_fingerprints l LEFT JOIN temp.outlet_others t USING (outlet)"
        )
        outlet_flipped = db.execute(
            f"SELECT outlet, fingerprint, sentence_now FROM ("
            f" {outlet_levels} WHERE l.article_count >= 2 AND l.article_count >= ?1"
            f" UNION {outlet_levels} WHERE l.frequent_sentence"
            ") WHERE sentence_now != frequent_sentence",
            (CorpusMemory.outlet_threshold(rules), long_min_share),
        ).fetchall()
        mispredicted, outlet_mispredicted = _mispredicted(run_memory, memory, db)
        if not (flipped or mispredicted or outlet_flipped or outlet_mispredicted):
            return
        for table, rows in (("flipped", [f[:1] for f in flipped]), ("mispredicted", [(fp,) for fp in mispredicted]),
                            ("outlet_flipped", [f[:2] for f in outlet_flipped]),
                            ("outlet_mispredicted", outlet_mispredicted)):
            db.execute(f"DELETE FROM temp.{table}")
            if rows:
                db.executemany(f"INSERT INTO temp.{table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        # articles cleaned earlier whose lines flipped, and articles this run cleaned with a wrong prediction
        ids = _articles_to_reclean(db, rules, memory, (
            ("flipped", [f[0] for f in flipped], False),
            ("mispredicted", mispredicted, True),
            ("outlet_flipped", [f[1] for f in outlet_flipped], False),
            ("outlet_mispredicted", [fp for _, fp in outlet_mispredicted], True),
        ))
        # every article is now either re-cleaned below or in line with ``memory``
        db.execute("DELETE FROM temp.cleaned")
        run_memory = memory
        log.info("corpus memory: %d lines changed status (%d within an outlet), %d counted other than predicted; "
                 "re-cleaning the %d articles containing them", len(flipped) + len(outlet_flipped),
                 len(outlet_flipped), len(mispredicted) + len(outlet_mispredicted), len(ids))
        rewritten = _reclean_for_memory(conn, settings, rules, summary, progress, lock_fd, memory, ids) if ids else 0
        with transaction(conn):
            load.raw(conn).executemany(
                "UPDATE line_fingerprints SET frequent = ?, frequent_sentence = ? WHERE fingerprint = ?",
                [(frequent, sentence, fp) for fp, frequent, sentence in flipped],
            )
            load.raw(conn).executemany(
                "UPDATE outlet_line_fingerprints SET frequent_sentence = ? WHERE outlet = ? AND fingerprint = ?",
                [(sentence, outlet, fp) for outlet, fp, sentence in outlet_flipped],
            )
            _record_progress(conn, summary)
        if not rewritten:
            # Nothing was rewritten, so no count moved: the flags now match ``memory``'s levels and
            # no article was cleaned since, so another pass would find nothing to do.
            return


#: Distinct lines an article has, give or take (the benchmark corpus: 18); only used to choose the
#: order of a join in :func:`_articles_to_reclean`.
LINES_PER_ARTICLE = 20


def _articles_to_reclean(
    db: Any, rules: Rules, memory: CorpusMemory, tables: Iterable[tuple[str, list[str], bool]]
) -> list[tuple[int, bool]]:
    """(id, cleaned by these rules) of the live articles, by source path, containing a line of one of
    the temporary ``tables`` (name, its lines, whether it holds lines this run mispredicted: then
    only articles cleaned this run count, else only the others; ``outlet_*`` tables: in that outlet).

    Each table is joined in the cheaper of two orders: from its lines (the stored count of each is
    how many articles it leads to) or from the articles (each one's lines looked up in the table).
    A nightly re-run has a handful of lines and ten thousand articles; after a first load, every
    recurring line flips, in articles that were all cleaned this run.  SQLite cannot tell (the
    temporary tables have no statistics) and went from the articles: 40-80 ms for two lines.
    """
    live = memory.total_articles
    cleaned = db.execute("SELECT count(*) FROM temp.cleaned").fetchone()[0]
    at_most = CorpusMemory.threshold(rules)  # a line not in the snapshot is in fewer articles
    found: dict[int, tuple[str, bool]] = {}
    for table, lines, this_run in tables:
        if not lines:
            continue
        from_lines = sum(memory.counts.get(fp, at_most) for fp in lines)
        from_articles = cleaned * LINES_PER_ARTICLE if this_run else live + (live - cleaned) * LINES_PER_ARTICLE
        which = "a.id IN (SELECT article_id FROM temp.cleaned)" if this_run else \
            "a.id NOT IN (SELECT article_id FROM temp.cleaned)"
        outlet = " AND a.outlet = f.outlet" if table.startswith("outlet_") else ""
        joined = (
            f"temp.{table} f CROSS JOIN article_fingerprints af ON af.fingerprint = f.fingerprint "
            f"CROSS JOIN articles a ON a.id = af.article_id{outlet}"
            if _join_from_lines(from_lines, from_articles)
            else f"article_fingerprints af JOIN temp.{table} f USING (fingerprint) JOIN articles a ON a.id = af.article_id{outlet}"
        )
        for article_id, version, source_path in db.execute(
            f"SELECT a.id, a.rules_version, a.source_path FROM {joined} WHERE a.deleted_at IS NULL AND {which}"
        ):
            found[article_id] = (source_path, version == rules.version)
    return [(article_id, current) for article_id, (_, current) in sorted(found.items(), key=lambda item: item[1][0])]


def _join_from_lines(rows_from_lines: int, rows_from_articles: int) -> bool:
    """Whether to join a table of lines to the articles from its lines (see :func:`_articles_to_reclean`)."""
    return rows_from_lines < rows_from_articles


#: Columns of the temporary tables of (outlet, line) pairs.
_OUTLET_LINE = "outlet TEXT NOT NULL, fingerprint TEXT NOT NULL, PRIMARY KEY (outlet, fingerprint)"


def _mispredicted(
    predicted: CorpusMemory, actual: CorpusMemory, db: Any
) -> tuple[list[str], list[tuple[str, str]]]:
    """The lines whose count in ``actual`` differs from ``predicted``, where either makes them
    frequent (every frequent line when the totals differ); and the same within each outlet, as
    (outlet, line).  Nothing when nothing was cleaned this run."""
    if db.execute("SELECT NOT EXISTS (SELECT 1 FROM temp.cleaned)").fetchone()[0]:
        return [], []
    return _differing(predicted.counts, actual.counts, predicted.total_articles, actual.total_articles), [
        (outlet, fp)
        for outlet in sorted(predicted.outlet_counts.keys() | actual.outlet_counts.keys())
        for fp in _differing(
            predicted.outlet_counts.get(outlet, {}), actual.outlet_counts.get(outlet, {}),
            predicted.outlet_totals.get(outlet, 0), actual.outlet_totals.get(outlet, 0),
        )
    ]


def _differing(predicted: Mapping[str, int], actual: Mapping[str, int], predicted_total: int, actual_total: int
               ) -> list[str]:
    candidates = predicted.keys() | actual.keys()
    if predicted_total != actual_total:
        return sorted(candidates)
    return sorted(fp for fp in candidates if predicted.get(fp) != actual.get(fp))


def _reclean_for_memory(
    conn: Connection,
    settings: Settings,
    rules: Rules,
    summary: RunSummary,
    progress: Progress | None,
    lock_fd: int,
    memory: CorpusMemory,
    ids: list[tuple[int, bool]],
) -> int:
    """Re-clean the articles ``ids`` ((id, cleaned by these rules)) with ``memory``; returns how many
    were rewritten (or tried to be: only a rewrite can move a line's count)."""
    if progress is not None:
        progress.start("re-cleaning", len(ids))

    def recleaned() -> None:
        summary.articles_recleaned += 1

    writer = _BatchWriter(conn, settings.batch_size, lambda: _record_progress(conn, summary))
    rewritten = 0

    def apply(task: Task, result: Result) -> None:
        nonlocal rewritten
        if isinstance(result, Failed):
            _fail(writer, summary, result)
        elif isinstance(result, Same):
            _same(writer, summary, result.article_id, recleaned)
        else:
            rewritten += 1
            _write(writer, summary, result, task.article_id, recleaned)

    # An article cleaned by these rules is only classified first: rewritten if that changed
    # a verdict (one cleaned by other rules, whose re-clean failed earlier, is rewritten).
    tasks = (
        RecleanTask(i, _stored_raw(conn, i), stored_shape=_stored_shape(conn, i) if current else None)
        for i, current in ids
    )
    _drain(_Pool(settings, rules, memory, lock_fd, len(ids)), tasks, writer, apply, progress)
    return rewritten
