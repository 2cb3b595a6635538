"""Options shared by every command group (``etl`` and ``etl people``), defined once."""

from __future__ import annotations

from pathlib import Path

import click

from etl.settings import default_db

#: ``--db PATH``: the database file, default ``news.sqlite`` or ``$ETL_DB``.
db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=default_db,
    show_default="news.sqlite, or $ETL_DB",
    help="SQLite database file.",
)
