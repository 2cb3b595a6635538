"""The ``etl`` command line: parse options, call one library function, turn errors into messages.

Nothing here knows how the pipeline works; see :mod:`etl.pipeline` and friends.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from etl import __version__
from etl.db import migrate
from etl.pipeline import InputError, RunLockedError
from etl.rules import RulesError
from etl.settings import (
    DEFAULT_MAX_FILE_BYTES,
    EXIT_LOCKED,
    Settings,
    default_db,
    default_input,
    default_jobs,
)

EXIT_CODES_HELP = """\b
Exit codes:
  0   everything loaded
  1   some files failed, the rest loaded (see the failures table)
  2   usage error (bad option, missing input folder, unusable database)
  75  another run holds the lock (retry later, or use --wait)"""


def db_option(func):  # noqa: ANN001, ANN201 - click decorator
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=default_db,
        show_default="news.sqlite, or $ETL_DB",
        help="SQLite database file.",
    )(func)


def setup_logging(verbose: int, quiet: bool, log_file: Path | None) -> None:
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    elif verbose == 1:
        level = logging.INFO
    elif verbose > 1:
        level = logging.DEBUG
    root = logging.getLogger("etl")
    root.handlers.clear()
    root.setLevel(min(level, logging.INFO) if log_file else level)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(level)
    console.setFormatter(logging.Formatter("etl: %(message)s"))
    root.addHandler(console)
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setLevel(logging.INFO if verbose < 2 else logging.DEBUG)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        root.addHandler(handler)
    root.propagate = False


class UsageError(click.ClickException):
    """A problem with options, input or database: exit code 2 with a clear message."""

    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="etl")
def cli() -> None:
    """Turn folders of scraped news text files into one analyst-ready SQLite database.

    \b
    Example:
      etl run --input seeds --db news.sqlite
      sqlite3 news.sqlite 'SELECT name, mention_count FROM people ORDER BY 2 DESC LIMIT 5'
    """


@cli.command()
@click.option(
    "--input",
    "input_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=default_input,
    show_default="seeds, or $ETL_INPUT",
    help="Folder of raw article files (walked recursively).",
)
@db_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=default_jobs, show_default="number of cores",
              help="Worker processes for extract and transform.")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A TOML file of extra cleaning/people rules merged over the built-in ones.")
@click.option("--reprocess", is_flag=True,
              help="Re-clean every article from its stored raw text (no input folder needed when given alone).")
@click.option("--wait", is_flag=True, help="If another run holds the lock, wait for it instead of exiting 75.")
@click.option("--max-file-size", "max_file_bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_FILE_BYTES,
              show_default=True, help="Files larger than this many bytes fail with a clear message.")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), help="Also log to this file.")
@click.option("-v", "--verbose", count=True, help="More detail (-v: skipped files, -vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors, and no summary line.")
@click.pass_context
def run(
    ctx: click.Context,
    input_dir: Path,
    db_path: Path,
    jobs: int,
    rules_file: Path | None,
    reprocess: bool,
    wait: bool,
    max_file_bytes: int,
    log_file: Path | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Load a folder of raw article files into the database.

    Brings the schema to the newest revision (backing up a non-empty database first), loads new
    and changed files, re-cleans articles made by older rules, marks articles whose file is gone
    as deleted, and prints one summary line.

    \b
    Examples:
      etl run                                  # seeds/ into news.sqlite
      etl run --input /data/scrapes --db /data/news.sqlite --jobs 2
      etl run --reprocess --db news.sqlite     # re-clean everything from stored raw text
    """
    setup_logging(verbose, quiet, log_file)
    from etl import pipeline

    # --reprocess alone needs no input folder: it re-cleans the stored raw text.
    input_given = (
        ctx.get_parameter_source("input_dir") is not click.core.ParameterSource.DEFAULT
        or "ETL_INPUT" in os.environ
    )
    settings = Settings(
        db_path=db_path,
        input_dir=None if reprocess and not input_given else input_dir,
        jobs=jobs,
        rules_file=rules_file,
        max_file_bytes=max_file_bytes,
        reprocess=reprocess,
        wait=wait,
    )
    show_progress = not quiet and sys.stderr.isatty()
    try:
        if show_progress:
            with click.progressbar(length=0, label="files", file=sys.stderr, show_pos=True) as bar:
                summary = pipeline.run(settings, progress=bar.update)
        else:
            summary = pipeline.run(settings)
    except RunLockedError as exc:
        click.echo(f"etl: {exc}", err=True)
        ctx.exit(EXIT_LOCKED)
    except (InputError, migrate.DatabaseError, RulesError) as exc:
        raise UsageError(str(exc)) from exc
    if summary.backup:
        click.echo(f"etl: backed up the database to {summary.backup} before upgrading its schema", err=True)
    for failure in summary.failures:
        click.echo(f"etl: failed {failure.source_path} ({failure.stage}): {failure.error}", err=True)
    if not quiet:
        click.echo(summary.line())
    ctx.exit(summary.exit_code)


run.help = (run.help or "") + "\n\n" + EXIT_CODES_HELP


@cli.group()
def db() -> None:
    """Manage the database schema (Alembic, no alembic.ini needed).

    \b
    Example:
      etl db current --db news.sqlite
      etl db upgrade --db news.sqlite
    """


@db.command()
@click.argument("revision", default="head")
@db_option
def upgrade(revision: str, db_path: Path) -> None:
    """Upgrade the schema to REVISION (default: head).

    \b
    Example:
      etl db upgrade --db news.sqlite
    """
    try:
        backup = migrate.upgrade(db_path, revision)
    except migrate.DatabaseError as exc:
        raise UsageError(str(exc)) from exc
    if backup:
        click.echo(f"backed up to {backup}")
    click.echo(f"{db_path}: at {migrate.current_revision(db_path)}")


@db.command()
@click.argument("revision")
@db_option
def downgrade(revision: str, db_path: Path) -> None:
    """Downgrade the schema to REVISION ('base' removes everything).

    \b
    Example:
      etl db downgrade 0001 --db news.sqlite
    """
    try:
        migrate.downgrade(db_path, revision)
    except migrate.DatabaseError as exc:
        raise UsageError(str(exc)) from exc
    click.echo(f"{db_path}: at {migrate.current_revision(db_path)}")


@db.command()
@db_option
def current(db_path: Path) -> None:
    """Print the schema revision of the database.

    \b
    Example:
      etl db current --db news.sqlite
    """
    try:
        rev = migrate.ensure_known_revision(db_path)
    except migrate.DatabaseError as exc:
        raise UsageError(str(exc)) from exc
    head = migrate.head_revision()
    click.echo(f"{rev or 'base (empty)'}{' (head)' if rev == head else f' (head is {head})'}")


@db.command()
def history() -> None:
    """List the schema revisions, newest first.

    \b
    Example:
      etl db history
    """
    for line in migrate.history():
        click.echo(line)


@cli.command()
@db_option
@click.option("--limit", "-n", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many newest articles and top people to list.")
@click.option("--json", "as_json", is_flag=True, help="Print everything as one JSON object instead.")
def stats(db_path: Path, limit: int, as_json: bool) -> None:
    """Print counts, the newest articles and the most mentioned people.

    Deleted articles are left out. Reads only, so it is safe while a run is loading.

    \b
    Examples:
      etl stats --db news.sqlite
      etl stats --db news.sqlite -n 10 --json
    """
    import json

    from etl import report

    try:
        result = report.stats(db_path, limit)
    except report.ReportError as exc:
        raise UsageError(str(exc)) from exc
    click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) if as_json else report.format_stats(result))


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True,
              help="csv: a header row, NULL as an empty field; jsonl: one JSON object per line.")
@click.option("--table", "-t", "tables", multiple=True, metavar="NAME",
              help="A table or view to export (repeat for several); default: every table and view.")
@click.option("--output", "-o", "output_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the files, one <table>.<format> each (created if missing; files are replaced).")
def export(db_path: Path, fmt: str, tables: tuple[str, ...], output_dir: Path) -> None:
    """Write tables and views to flat files (CSV or JSON Lines) for spreadsheets and other tools.

    All files come from one consistent snapshot of the database, even while a run is loading.

    \b
    Examples:
      etl export --db news.sqlite --output out/                       # every table and view as CSV
      etl export --db news.sqlite --format jsonl -t v_mentions -t people -o out/
    """
    from etl import report

    try:
        written = report.export(db_path, fmt, output_dir, tables)
    except report.ReportError as exc:
        raise UsageError(str(exc)) from exc
    for item in written:
        click.echo(f"{item.path}: {item.rows} rows")


def main() -> None:  # pragma: no cover - console entry point alias
    cli()
