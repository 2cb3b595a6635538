"""The physical shape of a database's tables, as SQLite reports it, for comparing two schemas.

Table rebuilds (Alembic's batch mode) rewrite a table's ``CREATE TABLE`` text (quoting, spacing),
so schemas are compared here through SQLite's own description of them instead: columns, foreign
keys, indexes (name, uniqueness, columns, partial ``WHERE``), and whether the table has a rowid.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path


def _where(sql: str | None) -> str | None:
    """The ``WHERE`` clause of a partial index's SQL, whitespace normalized."""
    if not sql:
        return None
    found = re.search(r"\bWHERE\b(.*)$", sql, re.IGNORECASE | re.DOTALL)
    return " ".join(found.group(1).split()) if found else None


def table_shape(con: sqlite3.Connection, table: str) -> dict:
    """Columns, foreign keys, indexes and rowid-ness of ``table``.

    Indexes SQLite makes for a PRIMARY KEY or UNIQUE constraint (``sqlite_autoindex_*``, or the
    table itself for a WITHOUT ROWID primary key) are keyed by their origin and columns, not their
    generated names."""
    columns = [tuple(r[1:]) for r in con.execute(f'PRAGMA table_xinfo("{table}")')]
    fks = sorted(tuple(r[2:]) for r in con.execute(f'PRAGMA foreign_key_list("{table}")'))
    sqls = dict(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)))
    indexes = {}
    for _, name, unique, origin, partial in con.execute(f'PRAGMA index_list("{table}")'):
        cols = tuple(r[2] for r in con.execute(f'PRAGMA index_info("{name}")'))
        key = name if origin == "c" else f"{origin}:{','.join(map(str, cols))}"
        indexes[key] = (bool(unique), cols, _where(sqls.get(name)) if partial else None)
    (with_rowid,) = con.execute("SELECT NOT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?", (table,)).fetchone()
    return {"columns": columns, "foreign_keys": fks, "indexes": indexes, "with_rowid": bool(with_rowid)}


def shape(db: Path | sqlite3.Connection, tables: list[str] | None = None) -> dict[str, dict]:
    """:func:`table_shape` of ``tables`` (default: every plain table but SQLite's and Alembic's)."""
    con = sqlite3.connect(db) if isinstance(db, Path | str) else db
    try:
        if tables is None:
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                    "AND name != 'alembic_version' ORDER BY name"
                )
            ]
        return {t: table_shape(con, t) for t in tables}
    finally:
        if con is not db:
            con.close()
