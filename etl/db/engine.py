"""Engines with the pragmas every connection needs.

SQLite settings are per connection, so they are set in a ``connect`` listener on *our* engine
(never on the global ``Engine`` class).  WAL lets analysts read while the nightly run writes; the
pysqlite transaction recipe (``isolation_level=None`` + an explicit ``BEGIN``) makes SQLAlchemy's
transactions real SQLite transactions, DDL included, so a failed step leaves nothing half-done.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

BUSY_TIMEOUT_MS = 30_000
#: Key of ``Connection.info``: the statement that opens the connection's next transaction, once
#: (e.g. ``BEGIN IMMEDIATE`` for a write transaction on a connection that otherwise reads).
NEXT_BEGIN = "etl_next_begin"
#: Key of ``Connection.info``: a dict of caches of what the database holds (e.g. ``resolve.KeyCache``),
#: valid only while what the connection wrote stays written.  The engine drops it whenever a
#: transaction or a (SQLAlchemy) savepoint of the connection rolls back; code that rolls back a
#: savepoint on the driver drops or empties them itself (``load.batch_rollback``).
ROLLBACK_DROPS = "etl_rollback_drops"
#: Foreign keys enforced on the run's writer: a connection whose write transactions are opened through
#: ``NEXT_BEGIN`` (``pipeline.transaction``).  Off from its first write transaction on: the writer
#: inserts parents before their children and deletes children itself (nothing it does relies on
#: ``ON DELETE CASCADE``), and checking every row's parents cost about 4% of its CPU.  Every other
#: connection (analysts' commands, readers) keeps them on; the tests run ``PRAGMA
#: foreign_key_check`` after every kind of run (``tests/ops.consistency_problems``).
WRITER_FOREIGN_KEYS = False
_WRITER_CHECKED = "etl_writer_foreign_keys"
#: Prepared statements each connection keeps (the sqlite3 default is 128).
STATEMENT_CACHE = 1024
#: Page cache per connection, in KiB (SQLite's default is 2,000 KiB).  The writer updates a dozen
#: indexes at random places (fingerprints, mentions, FTS); once they outgrow the default cache every
#: article re-reads their pages from the WAL/OS.  Memory is taken only as pages are used.
CACHE_KIB = 8_192


def sqlite_url(db_path: str | Path) -> str:
    return f"sqlite:///{Path(db_path)}"


def make_engine(db_path: str | Path, *, foreign_keys: bool = True, begin: str = "BEGIN") -> Engine:
    """An engine for ``db_path`` with WAL, foreign keys (unless migrating; the run's writer: see
    ``WRITER_FOREIGN_KEYS``) and a busy timeout.

    ``begin`` is the statement that opens each transaction: ``BEGIN IMMEDIATE`` for a writer, so
    it takes the write lock up front instead of failing half-way with SQLITE_BUSY; a connection
    that mostly reads keeps ``BEGIN`` and sets ``conn.info[NEXT_BEGIN]`` before each write.
    """
    # a larger statement cache: :func:`insert_rows` uses one SQL text per row count and table
    engine = create_engine(
        sqlite_url(db_path), poolclass=NullPool, connect_args={"cached_statements": STATEMENT_CACHE}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API objects
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        cur.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        statement = conn.info.pop(NEXT_BEGIN, None)
        if statement is not None and foreign_keys and _WRITER_CHECKED not in conn.info:
            # the run's writer, outside any transaction (PRAGMA foreign_keys is a no-op inside one)
            on = "ON" if WRITER_FOREIGN_KEYS else "OFF"
            conn.connection.dbapi_connection.execute(f"PRAGMA foreign_keys = {on}")
            conn.info[_WRITER_CHECKED] = on
        conn.exec_driver_sql(statement or begin)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn) -> None:  # noqa: ANN001
        conn.info.pop(ROLLBACK_DROPS, None)

    @event.listens_for(engine, "rollback_savepoint")
    def _on_rollback_savepoint(conn, _name, _context) -> None:  # noqa: ANN001
        conn.info.pop(ROLLBACK_DROPS, None)

    return engine


#: Bound variables per multi-row ``INSERT``: 999 is the lowest limit any SQLite build has had.
INSERT_VARIABLES = 999
_INSERT_SQL: dict[tuple[str, int, int, str, str], str] = {}


#: Up to this many rows, a multi-row ``INSERT`` has a statement of its own size; above it, sizes are
#: powers of two (and the largest chunk).  See :func:`_chunk_sizes`.
EXACT_ROWS = 32


def _chunk_sizes(n: int, chunk: int) -> Iterator[int]:
    """How :func:`insert_rows` cuts ``n`` rows into statements of at most ``chunk`` rows.

    Every size is a statement the connection prepares once and keeps in its cache.  A statement of
    200 rows of an upsert is a large program (tens of kilobytes), and a batch's counts come in every
    size, so one statement per size filled the cache with hundreds of them: the run's memory grew
    with the archive (16 MB more at 100,000 articles once per-outlet counts came).  So sizes above
    ``EXACT_ROWS`` are the largest power of two that fits (or the whole chunk): a handful of large
    statements per table, at the cost of a statement or two more per batch; small inserts (an
    article's paragraphs, mentions) still take one statement.
    """
    while n > 0:
        if n >= chunk:
            size = chunk
        elif n > EXACT_ROWS:
            size = 1 << (n.bit_length() - 1)
        else:
            size = n
        yield size
        n -= size


def insert_rows(db, head: str, rows: list[tuple], tail: str = "", returning: str = "") -> list[tuple]:  # noqa: ANN001
    """``db.executemany(head + " VALUES (?, ...)" + tail, rows)`` as multi-row ``INSERT`` statements.

    Same rows, same order, same triggers, same ids; but one statement per chunk instead of one per
    row.  Per statement SQLite opens a statement journal and FTS5 flushes its pending terms to a new
    segment (the ``paragraphs_fts`` trigger), so ``executemany`` paid that once per row.  The SQL
    text depends only on the row count, so the driver's statement cache serves repeats.  With
    ``returning`` (columns), the ``RETURNING`` rows of all chunks are returned.
    """
    out: list[tuple] = []
    if not rows:
        return out
    width = len(rows[0])
    chunk = max(1, INSERT_VARIABLES // width)
    start = 0
    for size in _chunk_sizes(len(rows), chunk):
        part = rows[start : start + size] if size < len(rows) else rows
        start += size
        spec = (head, width, size, tail, returning)
        sql = _INSERT_SQL.get(spec)
        if sql is None:
            if len(_INSERT_SQL) > 4096:
                _INSERT_SQL.clear()
            one = "(" + ", ".join("?" * width) + ")"
            sql = f"{head} VALUES {', '.join([one] * len(part))}{tail}"
            _INSERT_SQL[spec] = sql = f"{sql} RETURNING {returning}" if returning else sql
        cur = db.execute(sql, [v for row in part for v in row])
        if returning:
            out += cur.fetchall()
    return out
