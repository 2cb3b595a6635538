"""The ``etl`` command line: parse options, call one library function, turn errors into messages.

Nothing here knows how the pipeline works; see :mod:`etl.pipeline` and friends.
"""

from __future__ import annotations

import gc
import inspect
import logging
import os
import signal
import sys
import threading
from pathlib import Path

import click

from etl import __version__
from etl.cli_options import db_option
from etl.db import migrate
from etl.pipeline import InputError, RunLockedError
from etl.rules import RulesError
from etl.settings import (
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_FILE_TIMEOUT,
    DEFAULT_MAX_LINE_CHARS,
    EXIT_LOCKED,
    EXIT_SOFTWARE,
    Settings,
    default_input,
    default_jobs,
)

EXIT_CODES_HELP = """\b
Exit codes:
  0   everything loaded
  1   some files failed, the rest loaded (see the failures table)
  2   usage error (bad option, missing input folder, unusable database)
  70  the run stopped on an unexpected error (its runs row says why)
  75  another run holds the lock (retry later, or use --wait)"""


def setup_logging(verbose: int, quiet: bool, log_file: Path | None) -> None:
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    elif verbose == 1:
        level = logging.INFO
    elif verbose > 1:
        level = logging.DEBUG
    root = logging.getLogger("etl")
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.setLevel(min(level, logging.INFO) if log_file else level)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(level)
    console.setFormatter(logging.Formatter("etl: %(message)s"))
    # Records marked file_only (e.g. the summary line, already printed on stdout) skip the console.
    console.addFilter(lambda record: not getattr(record, "file_only", False))
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
@click.option("--max-line-length", "max_line_chars", type=click.IntRange(min=1), default=DEFAULT_MAX_LINE_CHARS,
              show_default=True, help="Files with a longer single line (in characters) fail: not article text.")
@click.option("--file-timeout", type=click.FloatRange(min=0), default=DEFAULT_FILE_TIMEOUT, show_default=True,
              help="Seconds cleaning one file may take before it fails with a reason (0: no limit).")
@click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True,
              help="Articles per write transaction (readers see new articles after each).")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also log to this file (appended; info level, with -vv debug).")
@click.option("-v", "--verbose", count=True, help="More detail (-v: skipped files and notes, -vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors: no warnings, no progress bar, no summary line.")
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
    max_line_chars: int,
    file_timeout: float,
    batch_size: int,
    log_file: Path | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Load a folder of raw article files into the database.

    Brings the schema to the newest revision (backing up a non-empty database first), loads new
    and changed files, re-cleans articles made by older rules, marks articles whose file is gone
    as deleted, and prints one summary line.

    Unchanged files (same size and mtime, or same sha256) are skipped.  Files that cannot be
    loaded are recorded in the failures table with a reason and the rest still load.  A progress
    bar is drawn on stderr when it is a terminal.

    \b
    Examples:
      etl run                                  # seeds/ into news.sqlite
      etl run --input /data/scrapes --db /data/news.sqlite --jobs 2
      etl run --reprocess --db news.sqlite     # re-clean everything from stored raw text
      etl run -q --log-file /var/log/etl.log   # from cron: quiet unless something is wrong
    """
    try:
        setup_logging(verbose, quiet, log_file)
    except OSError as exc:
        raise UsageError(f"cannot open the log file {log_file}: {exc.strerror or exc}") from exc
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
        max_line_chars=max_line_chars,
        batch_size=batch_size,
        file_timeout=file_timeout,
        reprocess=reprocess,
        wait=wait,
    )
    bar = _ProgressBar() if not quiet and sys.stderr.isatty() else None
    # What this process imported so far (SQLAlchemy, the pipeline: most of its objects) lives as
    # long as the run: out of the cyclic collector's reach, its passes skip it (a re-run that
    # cleans a hundred files spent 30 ms in them, 17 ms with this; a no-op the same 11 ms).
    gc.freeze()
    in_main_thread = threading.current_thread() is threading.main_thread()
    # SIGTERM (kill, systemd, a cron timeout) marks the run failed and exits 143.
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main_thread else None
    try:
        summary = pipeline.run(settings, progress=bar)
    except RunLockedError as exc:
        click.echo(f"etl: {exc}", err=True)
        ctx.exit(EXIT_LOCKED)
    except (InputError, migrate.DatabaseError, RulesError) as exc:
        raise UsageError(str(exc)) from exc
    except Exception as exc:
        logging.getLogger("etl").info("the run stopped on an unexpected error", exc_info=True)
        click.echo(
            f"etl: the run stopped on an unexpected error: {type(exc).__name__}: {exc} "
            f"(its runs row is marked failed; -v or --log-file shows the traceback)",
            err=True,
        )
        ctx.exit(EXIT_SOFTWARE)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
        if bar is not None:
            bar.finish()
    # Each failure and the backup (if any) were logged as they happened; one summary line ends.
    logging.getLogger("etl").info("run %s: %s", summary.run_id, summary.line(), extra={"file_only": True})
    if not quiet:
        click.echo(summary.line())
    ctx.exit(summary.exit_code)


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


class _ProgressBar:
    """The pipeline's progress display as a click progress bar on stderr, one bar per phase."""

    def __init__(self) -> None:
        self._bar = None

    def start(self, label: str, total: int) -> None:
        self.finish()
        self._bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr, show_pos=True)
        self._bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


run.help = inspect.cleandoc(run.help or "") + "\n\n" + EXIT_CODES_HELP


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
    backup = _schema_change(migrate.upgrade, db_path, revision)
    if backup:
        click.echo(f"backed up to {backup}")
    click.echo(f"{db_path}: at {migrate.current_revision(db_path)}")


def _schema_change(change, db_path: Path, revision: str) -> Path | None:  # noqa: ANN001
    """Run a schema change under the run lock (never while ``etl run`` writes); clear errors."""
    from etl.pipeline import RunLock

    try:
        migrate.check_sqlite_file(db_path)
        with RunLock(db_path, wait=False):
            return change(db_path, revision)
    except RunLockedError as exc:
        click.echo(f"etl: {exc}", err=True)
        raise SystemExit(EXIT_LOCKED) from exc
    except migrate.DatabaseError as exc:
        raise UsageError(str(exc)) from exc


@db.command()
@click.argument("revision")
@db_option
def downgrade(revision: str, db_path: Path) -> None:
    """Downgrade the schema to REVISION ('base' removes everything).

    \b
    Example:
      etl db downgrade 0001 --db news.sqlite
    """
    backup = _schema_change(migrate.downgrade, db_path, revision)
    if backup:
        click.echo(f"backed up to {backup}")
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


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A TOML file of extra rules merged over the built-in ones (as for etl run).")
@click.option("--width", type=click.IntRange(min=20), default=None,
              help="Truncate the text column to this many characters.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also apply this database's corpus memory (lines recurring across its articles), as etl run "
              "does; without it, only the rules decide.")
def explain(file: Path, rules_file: Path | None, width: int | None, db_path: Path | None) -> None:
    """Print FILE line by line with the verdict (kept or removed), the label and the reason.

    Line numbers are those of removed_segments.line_start and paragraphs.line_start.

    \b
    Examples:
      etl explain seeds/003_a88e475ad9902ead.txt
      etl explain article.txt --rules my_rules.toml --width 60
      etl explain article.txt --db news.sqlite      # with the corpus memory of news.sqlite
    """
    from etl import report
    from etl.decode import DecodeError, decode
    from etl.rules import load_rules
    from etl.transform.explain import explain as explain_text

    try:
        rules = load_rules(rules_file)
        text, encoding = decode(file.read_bytes())
        memory = report.corpus_memory(db_path, rules) if db_path is not None else None
    except (DecodeError, RulesError) as exc:
        raise UsageError(f"{file}: {exc}") from exc
    except report.ReportError as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:
        raise UsageError(f"{file}: cannot read: {exc.strerror}") from exc
    click.echo(f"# {file} (decoded as {encoding})")
    click.echo(explain_text(text, rules, memory=memory, width=width))


def _register_subcommands() -> None:
    from etl.cli_people import people

    cli.add_command(people)


_register_subcommands()


def main() -> None:  # pragma: no cover - console entry point alias
    cli()
