"""Alembic from code: users never need an alembic.ini.

The migrations ship inside the package as ``etl.migrations``.  Every entry point (``etl run``,
``etl db ...``, the tests) goes through :func:`alembic_config`, which hands Alembic a connection
made by :func:`etl.db.engine.make_engine` with foreign keys OFF (SQLite batch rebuilds need it);
:func:`upgrade` then checks ``PRAGMA foreign_key_check`` before committing.
"""

from __future__ import annotations

import io
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from etl.db.engine import make_engine


class DatabaseError(RuntimeError):
    """The database cannot be used: not SQLite, read-only, or made by a newer etl."""


def script_location() -> str:
    return str(resources.files("etl.migrations"))


def alembic_config(connection=None, stdout=None) -> Config:  # noqa: ANN001
    config = Config(stdout=stdout or io.StringIO())
    config.set_main_option("script_location", script_location())
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return script_directory().get_current_head()


def check_sqlite_file(db_path: Path) -> None:
    """Fail clearly, before Alembic does, when the file is not a usable SQLite database."""
    if db_path.exists():
        if db_path.is_dir():
            raise DatabaseError(f"{db_path} is a directory, not a database file")
        with open(db_path, "rb") as fh:
            header = fh.read(16)
        if header and header != b"SQLite format 3\x00":
            raise DatabaseError(f"{db_path} is not a SQLite database (unexpected file header)")
    else:
        parent = db_path.parent if str(db_path.parent) else Path(".")
        if not parent.exists():
            raise DatabaseError(f"cannot create {db_path}: folder {parent} does not exist")
        try:
            probe = parent / f".{db_path.name}.probe"
            probe.touch()
            probe.unlink()
        except OSError as exc:
            raise DatabaseError(f"cannot create {db_path}: {parent} is not writable ({exc.strerror})") from exc


@contextmanager
def migration_connection(db_path: Path) -> Iterator:
    check_sqlite_file(db_path)
    engine = make_engine(db_path, foreign_keys=False)
    try:
        with engine.connect() as conn:
            yield conn
    except sqlite3.DatabaseError as exc:  # pragma: no cover - wrapped by SQLAlchemy below
        raise DatabaseError(f"{db_path}: {exc}") from exc
    finally:
        engine.dispose()


def current_revision(db_path: Path) -> str | None:
    """The revision the database is at (None for an empty or new file)."""
    db_path = Path(db_path)
    if not db_path.exists():
        return None
    with migration_connection(db_path) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_known_revision(db_path: Path) -> str | None:
    """The database's revision, or a clear error when a newer etl made it."""
    rev = current_revision(db_path)
    if rev is not None:
        try:
            script_directory().get_revision(rev)
        except Exception as exc:  # alembic raises several kinds for an unknown id
            raise DatabaseError(
                f"{db_path} is at schema revision {rev!r}, which this etl ({head_revision()} is its newest) "
                f"does not know: it was made by a newer version of etl. Upgrade etl to use it."
            ) from exc
    return rev


def _has_data(db_path: Path) -> bool:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return "articles" in tables and con.execute("SELECT EXISTS(SELECT 1 FROM articles)").fetchone()[0] == 1
    finally:
        con.close()


def backup(db_path: Path, revision: str | None) -> Path:
    """A consistent single-file copy of the database made with ``VACUUM INTO``."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = db_path.with_name(f"{db_path.name}.{revision or 'base'}.{stamp}.bak")
    con = sqlite3.connect(db_path)
    try:
        con.execute("VACUUM INTO ?", (str(target),))
    finally:
        con.close()
    return target


def upgrade(db_path: str | Path, revision: str = "head", *, take_backup: bool = True) -> Path | None:
    """Bring the schema to ``revision``; returns the backup path when one was taken.

    A backup is taken only when the schema actually changes and the database holds articles.
    """
    db_path = Path(db_path)
    rev = ensure_known_revision(db_path)
    target = head_revision() if revision == "head" else revision
    if rev == target:
        return None
    backup_path = backup(db_path, rev) if take_backup and rev is not None and _has_data(db_path) else None
    with migration_connection(db_path) as conn:
        command.upgrade(alembic_config(conn), revision)
        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise DatabaseError(f"{db_path}: foreign key check failed after migrating: {problems[:5]}")
        conn.commit()
    return backup_path


def downgrade(db_path: str | Path, revision: str) -> None:
    db_path = Path(db_path)
    ensure_known_revision(db_path)
    with migration_connection(db_path) as conn:
        command.downgrade(alembic_config(conn), revision)
        conn.commit()


def history() -> list[str]:
    """Revisions from newest to oldest, as 'id: message' lines."""
    return [
        f"{rev.revision}{' (head)' if rev.is_head else ''}: {rev.doc}"
        for rev in script_directory().walk_revisions()
    ]
