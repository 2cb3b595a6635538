"""Engines with the pragmas every connection needs.

SQLite settings are per connection, so they are set in a ``connect`` listener on *our* engine
(never on the global ``Engine`` class).  WAL lets analysts read while the nightly run writes; the
pysqlite transaction recipe (``isolation_level=None`` + an explicit ``BEGIN``) makes SQLAlchemy's
transactions real SQLite transactions, DDL included, so a failed step leaves nothing half-done.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

BUSY_TIMEOUT_MS = 30_000
#: Key of ``Connection.info``: the statement that opens the connection's next transaction, once
#: (e.g. ``BEGIN IMMEDIATE`` for a write transaction on a connection that otherwise reads).
NEXT_BEGIN = "etl_next_begin"


def sqlite_url(db_path: str | Path) -> str:
    return f"sqlite:///{Path(db_path)}"


def make_engine(db_path: str | Path, *, foreign_keys: bool = True, begin: str = "BEGIN") -> Engine:
    """An engine for ``db_path`` with WAL, foreign keys (unless migrating) and a busy timeout.

    ``begin`` is the statement that opens each transaction: ``BEGIN IMMEDIATE`` for a writer, so
    it takes the write lock up front instead of failing half-way with SQLITE_BUSY; a connection
    that mostly reads keeps ``BEGIN`` and sets ``conn.info[NEXT_BEGIN]`` before each write.
    """
    engine = create_engine(sqlite_url(db_path), poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API objects
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        conn.exec_driver_sql(conn.info.pop(NEXT_BEGIN, begin))

    return engine
