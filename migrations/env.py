"""Alembic environment shared by `etl db ...`, `etl run`, the `alembic` command line and the tests.

The caller passes a connection in ``config.attributes["connection"]``; failing that, the URL comes
from ``sqlalchemy.url`` (``alembic -x db=news.sqlite`` also works).  Migrations run with foreign
keys OFF (SQLite batch rebuilds need it) inside one transaction (``transactional_ddl``), so a
failed migration leaves the previous schema intact.  Views, FTS tables and triggers are created with
inline SQL by the revisions and are invisible to autogenerate, so they are excluded here.
"""

from __future__ import annotations

from alembic import context

from etl.db.engine import make_engine
from etl.db.models import Base

target_metadata = Base.metadata

# Objects that only migrations create (FTS5 shadow tables, views): autogenerate must not see them.
_SQL_ONLY_PREFIXES = ("paragraphs_fts", "people_fts", "v_", "schema_docs", "sqlite_")


def include_name(name, type_, parent_names) -> bool:  # noqa: ANN001 - alembic hook signature
    if type_ == "table" and name and name.startswith(_SQL_ONLY_PREFIXES):
        return False
    return True


def _configure(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        transactional_ddl=True,
        include_name=include_name,
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("db") or context.config.get_main_option("sqlalchemy.url")
    engine = make_engine(url.removeprefix("sqlite:///"), foreign_keys=False)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("etl migrations run online only (SQLite)")
run_migrations_online()
