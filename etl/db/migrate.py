"""Alembic from code: users never need an alembic.ini.

The migrations ship inside the package as ``etl.migrations``.  Every entry point (``etl run``,
``etl db ...``, the tests) goes through :func:`alembic_config`, which hands Alembic a connection
made by :func:`etl.db.engine.make_engine` with foreign keys OFF (SQLite batch rebuilds need it);
:func:`upgrade` then checks ``PRAGMA foreign_key_check`` before committing.

Alembic is imported only when a schema has to change or be inspected: a nightly run over a
database already at :data:`HEAD_REVISION` reads ``alembic_version`` with plain ``sqlite3`` and goes
on (importing Alembic costs about a fifth of a second, a third of a no-op run).
"""

from __future__ import annotations

import io
import os
from glob import escape as glob_escape
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import exc as sa_exc

from etl.db.engine import make_engine

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

#: The newest revision in ``migrations/versions`` (a test checks it against Alembic's own view).
HEAD_REVISION = "0007"


class DatabaseError(RuntimeError):
    """The database cannot be used: not SQLite, read-only, or made by a newer etl."""


def script_location() -> str:
    return str(resources.files("etl.migrations"))


def alembic_config(connection=None, stdout=None) -> Config:  # noqa: ANN001
    from alembic.config import Config

    config = Config(stdout=stdout or io.StringIO())
    config.set_main_option("script_location", script_location())
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return script_directory().get_current_head()


def check_sqlite_file(db_path: Path) -> None:
    """Fail clearly, before Alembic does, when the file is not a usable SQLite database."""
    if db_path.exists():
        if db_path.is_dir():
            raise DatabaseError(f"{db_path} is a directory, not a database file")
        if not os.access(db_path, os.R_OK | os.W_OK):
            raise DatabaseError(f"{db_path} cannot be written (read-only file or permissions)")
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


#: SQLite errors that mean "this file cannot be used as our database" (exit 2), as opposed to
#: transient trouble such as "database is locked".
_UNUSABLE = ("not a database", "malformed", "unable to open", "readonly", "read-only", "disk i/o error")


def unusable_error(db_path: Path, exc: BaseException) -> DatabaseError | None:
    """A clear :class:`DatabaseError` when ``exc`` means the file cannot be our database, else None."""
    message = str(getattr(exc, "orig", None) or exc)
    if any(m in message.lower() for m in _UNUSABLE):
        return DatabaseError(f"{db_path} cannot be used as a database: {message}")
    return None


@contextmanager
def migration_connection(db_path: Path) -> Iterator:
    check_sqlite_file(db_path)
    engine = make_engine(db_path, foreign_keys=False)
    try:
        with engine.connect() as conn:
            yield conn
    except (sqlite3.DatabaseError, sa_exc.DBAPIError) as exc:
        clear = unusable_error(db_path, exc)
        if clear is None:
            raise
        raise clear from exc
    finally:
        engine.dispose()


def current_revision(db_path: Path) -> str | None:
    """The revision the database is at (None for an empty or new file)."""
    db_path = Path(db_path)
    if not db_path.exists():
        return None
    from alembic.runtime.migration import MigrationContext

    with migration_connection(db_path) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revision(db_path: Path) -> str | None:
    """``alembic_version`` read with plain sqlite3; None when absent or unreadable (the caller
    then takes the full path, which reports problems clearly)."""
    try:
        con = sqlite3.connect(db_path)
    except sqlite3.Error:
        return None
    try:
        rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return rows[0][0] if len(rows) == 1 else None


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


#: Tables holding what users put in: a database with a row in any of them is backed up before
#: its schema changes.  (Others hold only what migrations create, e.g. ``schema_docs``.)
USER_DATA_TABLES = ("runs", "articles", "people", "people_curation")


def _check_target(revision: str) -> None:
    """A clear error for a revision this etl does not have (instead of Alembic's traceback)."""
    if revision in ("head", "base") or revision.startswith(("+", "-")):
        return
    try:
        found = script_directory().get_revision(revision)
    except Exception:  # alembic raises several kinds for an unknown or ambiguous id
        found = None
    if found is None:
        known = ", ".join(r.revision for r in script_directory().walk_revisions())
        raise DatabaseError(f"unknown schema revision {revision!r} (this etl knows: {known}, head, base)")


def _has_data(db_path: Path) -> bool:
    """Whether the database holds anything a user would miss (then an upgrade backs it up)."""
    con = sqlite3.connect(db_path)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return any(
            con.execute(f'SELECT EXISTS(SELECT 1 FROM "{t}")').fetchone()[0]
            for t in USER_DATA_TABLES
            if t in tables
        )
    finally:
        con.close()


def backup(db_path: Path, revision: str | None) -> Path:
    """A consistent single-file copy of the database made with ``VACUUM INTO``.

    Named ``<db>.<revision>.<UTC time>.bak`` beside the database.  Written under a temporary name
    and renamed when complete, so a ``.bak`` file is never a half-written copy.
    """
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = db_path.with_name(f"{db_path.name}.{revision or 'base'}.{stamp}.bak")
    n = 1
    while target.exists():
        n += 1
        target = db_path.with_name(f"{db_path.name}.{revision or 'base'}.{stamp}-{n}.bak")
    for stale in db_path.parent.glob(f"{glob_escape(db_path.name)}.*.bak.partial"):
        stale.unlink(missing_ok=True)  # left by a run killed while backing up
    partial = target.with_name(target.name + ".partial")
    con = sqlite3.connect(db_path)
    try:
        con.execute("VACUUM INTO ?", (str(partial),))
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise unusable_error(db_path, exc) or exc
    finally:
        con.close()
    os.replace(partial, target)
    return target


def upgrade(db_path: str | Path, revision: str = "head", *, take_backup: bool = True) -> Path | None:
    """Bring the schema to ``revision``; returns the backup path when one was taken.

    A backup is taken only when the schema actually changes and the database holds articles.
    """
    db_path = Path(db_path)
    if revision in ("head", HEAD_REVISION) and db_path.is_file() and _stored_revision(db_path) == HEAD_REVISION:
        return None  # the nightly case: nothing to do, no Alembic import
    rev = ensure_known_revision(db_path)
    target = head_revision() if revision == "head" else revision
    if rev == target:
        return None
    _check_target(revision)
    backup_path = backup(db_path, rev) if take_backup and rev is not None and _has_data(db_path) else None
    from alembic import command

    with migration_connection(db_path) as conn:
        command.upgrade(alembic_config(conn), revision)
        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise DatabaseError(f"{db_path}: foreign key check failed after migrating: {problems[:5]}")
        conn.commit()
    return backup_path


def downgrade(db_path: str | Path, revision: str, *, take_backup: bool = True) -> Path | None:
    """Take the schema down to ``revision``; returns the backup path when one was taken.

    A downgrade drops what later revisions added, data included, so a database holding data is
    backed up first.
    """
    db_path = Path(db_path)
    rev = ensure_known_revision(db_path)
    if rev is None:
        raise DatabaseError(f"{db_path} has no schema to downgrade")
    _check_target(revision)
    backup_path = backup(db_path, rev) if take_backup and _has_data(db_path) else None
    from alembic import command

    with migration_connection(db_path) as conn:
        command.downgrade(alembic_config(conn), revision)
        conn.commit()
    return backup_path


def history() -> list[str]:
    """Revisions from newest to oldest, as 'id: message' lines."""
    return [
        f"{rev.revision}{' (head)' if rev.is_head else ''}: {rev.doc}"
        for rev in script_directory().walk_revisions()
    ]
