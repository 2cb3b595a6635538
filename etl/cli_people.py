"""``etl people ...``: analysts' curation commands (click only; the work is in :mod:`etl.people`).

Registered on the main group in ``etl/cli.py`` with ``cli.add_command(people)``.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click
from sqlalchemy import Connection

from etl import people as lib
from etl.cli_options import db_option
from etl.db import migrate
from etl.db.engine import make_engine


@contextmanager
def _connect(db_path: Path, write: bool) -> Iterator[Connection]:
    if not db_path.exists():
        raise click.ClickException(f"{db_path}: no such database (run `etl run` first)")
    if write:
        migrate.upgrade(db_path)
    engine = make_engine(db_path, begin="BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        with engine.connect() as conn:
            with conn.begin():
                try:
                    yield conn
                except lib.CurationError as exc:
                    raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


def _line(p: lib.PersonRow) -> str:
    flag = " *" if p.curated else ""
    return f"{p.id:>6}  {p.name}  ({p.mention_count} mentions, {p.article_count} articles){flag}"


@click.group()
def people() -> None:
    """List and curate people: merge, split, rename, aliases; export/import decisions.

    Decisions are stored in the database and re-applied by every later run (never undone).

    \b
    Example:
      etl people list --like Zaluzh
      etl people merge "Zaluzhny" "Valerii Zaluzhnyi"
    """


@people.command("list")
@db_option
@click.option("--like", help="Only names or aliases containing this text.")
@click.option("--limit", type=int, default=100, show_default=True, help="At most this many (0: all).")
def list_cmd(db_path: Path, like: str | None, limit: int) -> None:
    """People by number of mentions (* = curated by an analyst).

    \b
    Example:
      etl people list --like Milley --db news.sqlite
    """
    with _connect(db_path, write=False) as conn:
        for p in lib.list_people(conn, like, limit or None):
            click.echo(_line(p))


@people.command("show")
@db_option
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_cmd(db_path: Path, name: str, as_json: bool) -> None:
    """One person (NAME: id, name or alias): aliases, keys and articles.

    \b
    Example:
      etl people show "Mark Milley"
    """
    with _connect(db_path, write=False) as conn:
        info = lib.show_person(conn, name)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=1))
        return
    p = info["person"]
    click.echo(f"{p['id']}  {p['name']}  given={p['given_name']!r} family={p['family_name']!r}  "
               f"{p['mention_count']} mentions, {p['article_count']} articles{'  (curated)' if p['curated'] else ''}")
    click.echo("aliases: " + ", ".join(f"{a['alias']} x{a['count']}" for a in info["aliases"]))
    for a in info["articles"]:
        click.echo(f"  article {a['id']}: {a['source_path']}  ({a['mentions']} mentions)")


@people.command("merge")
@db_option
@click.argument("a")
@click.argument("b")
@click.option("--note", help="Why (kept with the decision).")
def merge_cmd(db_path: Path, a: str, b: str, note: str | None) -> None:
    """Merge person A into person B (B keeps its id).

    \b
    Example:
      etl people merge "Zaluzhny" "Valerii Zaluzhnyi" --note "same general"
    """
    with _connect(db_path, write=True) as conn:
        click.echo(_line(lib.merge_people(conn, a, b, note)))


@people.command("split")
@db_option
@click.argument("name")
@click.option("--alias", "aliases", multiple=True, help="Move mentions written this way (repeatable).")
@click.option("--article", "articles", multiple=True, type=int, help="Move the mentions in this article id (repeatable).")
@click.option("--as", "new_name", help="Name of the new person.")
@click.option("--note", help="Why (kept with the decision).")
def split_cmd(db_path: Path, name: str, aliases: tuple[str, ...], articles: tuple[int, ...], new_name: str | None,
              note: str | None) -> None:
    """Split some of NAME's mentions off into a new person.

    \b
    Example:
      etl people split "John Smith" --article 42 --as "John Smith (footballer)"
      etl people split "Biden" --alias "Hunter Biden"
    """
    with _connect(db_path, write=True) as conn:
        click.echo(_line(lib.split_person(conn, name, aliases=list(aliases) or None, articles=list(articles) or None,
                                          name=new_name, note=note)))


@people.command("rename")
@db_option
@click.argument("name")
@click.argument("new_name")
@click.option("--note", help="Why (kept with the decision).")
def rename_cmd(db_path: Path, name: str, new_name: str, note: str | None) -> None:
    """Fix a person's display name.

    \b
    Example:
      etl people rename "Putin" "Vladimir Putin"
    """
    with _connect(db_path, write=True) as conn:
        click.echo(_line(lib.rename_person(conn, name, new_name, note)))


@people.group("alias")
def alias_group() -> None:
    """A person's other names.

    \b
    Example:
      etl people alias add "Volodymyr Zelensky" "Zelenskyy"
    """


@alias_group.command("add")
@db_option
@click.argument("name")
@click.argument("alias")
@click.option("--note", help="Why (kept with the decision).")
def alias_add_cmd(db_path: Path, name: str, alias: str, note: str | None) -> None:
    """Make ALIAS a name of NAME: future mentions written so resolve to them.

    \b
    Example:
      etl people alias add "Volodymyr Zelensky" "Zelenskyy"
    """
    with _connect(db_path, write=True) as conn:
        click.echo(_line(lib.add_alias(conn, name, alias, note)))


@people.command("export")
@db_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
def export_cmd(db_path: Path, file: Path | None) -> None:
    """Write the analysts' decisions as JSON (to FILE, or standard output).

    \b
    Example:
      etl people export decisions.json
    """
    with _connect(db_path, write=False) as conn:
        text = json.dumps(lib.export_curation(conn), ensure_ascii=False, indent=1)
    if file:
        file.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


@people.command("import")
@db_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cmd(db_path: Path, file: Path) -> None:
    """Apply the decisions of an exported JSON file.

    \b
    Example:
      etl people import decisions.json --db other.sqlite
    """
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{file}: not a decisions file: {exc}") from exc
    with _connect(db_path, write=True) as conn:
        applied, skipped = lib.import_curation(conn, doc)
    click.echo(f"{applied} decisions applied, {skipped} skipped (naming people not in this database)")
