"""The schema's documentation, generated from the models' comments: ``python -m etl.docs``.

One source, four outputs, so they never disagree:

- ``docs/schema.md``: every table and column, the meaning of every ``paragraphs.kind`` and
  ``removed_segments.label``, the views, the full-text search tables and the example queries;
- ``docs/schema.svg``: an ER diagram drawn from the models (plain SVG written here, no Graphviz);
- ``docs/datasette-metadata.json``: Datasette table and column descriptions, the full-text search
  configuration and the example queries of ``sql/queries/`` as canned queries;
- the rows of the ``schema_docs`` table: ``python -m etl.docs --revision-rows`` prints them as a
  Python literal to paste into a new Alembic revision when the models' comments change (an old
  revision keeps its own copy, so it never depends on the current code).

``python -m etl.docs --check`` exits 1 when a committed file is out of date (the tests run it).
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table, UniqueConstraint
from sqlalchemy.dialects import sqlite

from etl.db import migrate
from etl.db.models import Base

REPO = Path(__file__).resolve().parent.parent
DOCS_DIR = REPO / "docs"
QUERIES_DIR = REPO / "sql" / "queries"
VIEWS_DIR = REPO / "sql" / "views"

#: The name Datasette gives a database opened as ``datasette news.sqlite`` (the file's stem).
DATASETTE_DATABASE = "news"

# --------------------------------------------------------------------------- hand-written docs

KIND_DOCS: dict[str, str] = {
    "body": "running text of the article",
    "heading": "a subheading inside the article (the headline itself is articles.title)",
    "caption": "a photo or video caption; kept as a paragraph so analysts can include or exclude it, "
    "but not counted in articles.word_count or articles.paragraph_count",
}

LABEL_DOCS: dict[str, str] = {
    "title": "the headline (stored in articles.title) and repeats of it",
    "dateline": "the publication date/time line (parsed into articles.published_at, kept as articles.dateline)",
    "byline": "an author line such as 'By: Reuters' (names go to article_credits)",
    "credit": "a photo, agency or reporting credit such as '(AP Photo/...)' or '(Reporting by ...)'",
    "duplicate": "a repeat of text already kept earlier in the same article",
    "boilerplate": "ads, promos, newsletter/app/share prompts, author blurbs, related headlines and "
    "lines that recur across many articles (corpus memory)",
}


@dataclass(frozen=True)
class ObjectDoc:
    """A database object that is not a model (view, FTS table, schema_docs) and its columns."""

    name: str
    description: str
    columns: dict[str, str]


VIEW_DOCS: tuple[ObjectDoc, ...] = (
    ObjectDoc(
        "v_mentions",
        "Every mention of a person in a live article, with the person, the article and the paragraph.",
        {
            "mention_id": "mentions.id",
            "person_id": "people.id of the person referred to",
            "person_name": "the person's canonical name (people.name)",
            "surface": "the name as written in this place",
            "article_name": "the fullest form of the person's name in the same article",
            "article_id": "articles.id",
            "title": "the article's headline",
            "outlet": "the article's outlet or agency",
            "published_at": "the article's publication time, ISO 8601",
            "source_path": "the article's file, relative to the input folder",
            "paragraph_id": "paragraphs.id",
            "paragraph_kind": "body, heading or caption",
            "paragraph_position": "0-based order of the paragraph within the article",
            "char_start": "0-based start offset of the surface in paragraph_text",
            "char_end": "end offset, exclusive",
            "paragraph_text": "the cleaned paragraph text",
        },
    ),
    ObjectDoc(
        "v_person_articles",
        "One row per person and live article mentioning them, with counts.",
        {
            "person_id": "people.id",
            "person_name": "the person's canonical name",
            "article_id": "articles.id",
            "title": "the article's headline",
            "outlet": "the article's outlet or agency",
            "published_at": "the article's publication time, ISO 8601",
            "mention_count": "mentions of the person in the article",
            "paragraph_count": "paragraphs of the article mentioning the person",
        },
    ),
    ObjectDoc(
        "v_cooccurrence_article",
        "Pairs of people mentioned in the same live article, each pair once (person_a_id < person_b_id).",
        {
            "person_a_id": "people.id of the first person (the smaller id)",
            "person_a_name": "the first person's canonical name",
            "person_b_id": "people.id of the second person (the larger id)",
            "person_b_name": "the second person's canonical name",
            "article_count": "live articles mentioning both",
            "first_published_at": "earliest publication time among those articles",
            "last_published_at": "latest publication time among those articles",
        },
    ),
    ObjectDoc(
        "v_cooccurrence_paragraph",
        "Pairs of people mentioned in the same paragraph of a live article, each pair once "
        "(person_a_id < person_b_id).",
        {
            "person_a_id": "people.id of the first person (the smaller id)",
            "person_a_name": "the first person's canonical name",
            "person_b_id": "people.id of the second person (the larger id)",
            "person_b_name": "the second person's canonical name",
            "paragraph_count": "paragraphs mentioning both",
            "article_count": "live articles with at least one such paragraph",
        },
    ),
    ObjectDoc(
        "v_articles",
        "Live articles with their metadata and counts of paragraphs, captions, removed segments, "
        "mentions and people.",
        {
            "article_id": "articles.id",
            "title": "headline; NULL when the file has none",
            "outlet": "the outlet or agency",
            "published_at": "publication time, ISO 8601",
            "authors": "author names, '; '-separated",
            "source_path": "the file, relative to the input folder",
            "word_count": "words in body and heading paragraphs",
            "paragraph_count": "body and heading paragraphs",
            "caption_count": "caption paragraphs",
            "removed_count": "raw segments removed (see removed_segments)",
            "mention_count": "person mentions",
            "person_count": "distinct people mentioned",
        },
    ),
    ObjectDoc(
        "v_people",
        "Every person with counts computed from live articles, first and last dates seen and outlets.",
        {
            "person_id": "people.id",
            "name": "canonical display name",
            "mention_count": "mentions in live articles",
            "article_count": "live articles mentioning the person",
            "outlet_count": "distinct outlets of those articles",
            "alias_count": "spelling variants and forms recorded in person_aliases",
            "first_published_at": "earliest publication time of an article mentioning the person",
            "last_published_at": "latest publication time of an article mentioning the person",
            "outlets": "the outlets, '; '-separated, alphabetical",
            "curated": "1 when an analyst's decision touches this person",
        },
    ),
)

FTS_DOCS: tuple[ObjectDoc, ...] = (
    ObjectDoc(
        "paragraphs_fts",
        "FTS5 full-text index of paragraphs.text (external content: rowid = paragraphs.id), kept in "
        "sync by triggers (a run indexes each batch's paragraphs in one statement before it commits). "
        "Query with paragraphs_fts MATCH '...', snippet() and bm25().",
        {"text": "the paragraph text (words are matched case- and accent-insensitively)"},
    ),
    ObjectDoc(
        "paragraphs_fts_pending",
        "Articles whose paragraphs a run has written but not yet added to paragraphs_fts, inside its "
        "write transaction; always empty outside it (internal).",
        {"article_id": "articles.id"},
    ),
    ObjectDoc(
        "people_fts",
        "FTS5 full-text index of people's names and spelling variants (rowid = people.id), kept in "
        "sync by triggers on people and person_aliases.",
        {
            "name": "people.name",
            "aliases": "the person's aliases (person_aliases.alias), '; '-separated, alphabetical",
        },
    ),
)

SCHEMA_DOCS_DOC = ObjectDoc(
    "schema_docs",
    "Descriptions of every table, view and column, and of the values of coded columns.",
    {
        "table_name": "table, view or full-text index",
        "column_name": "the column; NULL for a row describing the table itself",
        "value": "a value of a coded column (paragraphs.kind, removed_segments.label); NULL otherwise",
        "description": "what it means",
    },
)

#: Order of the models in the docs: from the article down to the person, then bookkeeping.
TABLE_ORDER = (
    "articles",
    "paragraphs",
    "removed_segments",
    "article_credits",
    "people",
    "person_aliases",
    "person_keys",
    "mentions",
    "people_curation",
    "runs",
    "failures",
    "line_fingerprints",
    "outlet_line_fingerprints",
    "article_fingerprints",
)

CODED_VALUES: dict[tuple[str, str], dict[str, str]] = {
    ("paragraphs", "kind"): KIND_DOCS,
    ("removed_segments", "label"): LABEL_DOCS,
}


def tables() -> list[Table]:
    """The models' tables in documentation order (tables not in TABLE_ORDER come last, by name)."""
    by_name = dict(Base.metadata.tables)
    order = [n for n in TABLE_ORDER if n in by_name] + sorted(set(by_name) - set(TABLE_ORDER))
    return [by_name[n] for n in order]


def column_doc(column) -> str:  # noqa: ANN001 - a sqlalchemy Column
    """The column's comment; the integer primary keys, which carry none, get a standard one."""
    if column.comment:
        return column.comment
    if column.primary_key and column.name == "id":
        return "row id (primary key)"
    return ""


def column_type(column) -> str:  # noqa: ANN001 - a sqlalchemy Column
    return str(column.type.compile(dialect=sqlite.dialect()))


# --------------------------------------------------------------------------- schema_docs rows


def schema_doc_rows() -> list[tuple[str, str | None, str | None, str]]:
    """``(table_name, column_name, value, description)`` rows for the ``schema_docs`` table."""
    rows: list[tuple[str, str | None, str | None, str]] = []
    for table in tables():
        rows.append((table.name, None, None, table.comment or ""))
        for column in table.columns:
            rows.append((table.name, column.name, None, column_doc(column)))
            for value, text in CODED_VALUES.get((table.name, column.name), {}).items():
                rows.append((table.name, column.name, value, text))
    for doc in (*VIEW_DOCS, *FTS_DOCS, SCHEMA_DOCS_DOC):
        rows.append((doc.name, None, None, doc.description))
        rows.extend((doc.name, column, None, text) for column, text in doc.columns.items())
    return rows


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Query:
    name: str  # file stem, e.g. "01_top_people_per_outlet"
    title: str  # first header comment line
    description: str  # the rest of the header comment
    sql: str  # the whole file


def example_queries(folder: Path = QUERIES_DIR) -> list[Query]:
    """The analysts' example queries: ``sql/queries/*.sql``, each opening with ``--`` comments."""
    found = []
    for path in sorted(folder.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        header = []
        for line in text.splitlines():
            if not line.startswith("--"):
                break
            header.append(line[2:].strip())
        title = header[0] if header else path.stem
        found.append(Query(path.stem, title, " ".join(h for h in header[1:] if h).strip(), text.strip()))
    return found


# --------------------------------------------------------------------------- schema.md


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _keys(table: Table, column) -> str:  # noqa: ANN001
    keys = []
    if column.primary_key:
        keys.append("PK")
    for fk in column.foreign_keys:
        keys.append(f"→ {fk.column.table.name}.{fk.column.name}")
    single_unique = any(
        isinstance(con, UniqueConstraint) and [c.name for c in con.columns] == [column.name]
        for con in table.constraints
    )
    if column.unique or single_unique:
        keys.append("unique")
    return ", ".join(keys)


def render_schema_md() -> str:
    out: list[str] = []
    w = out.append
    w("# The database schema")
    w("")
    w("<!-- Generated by `python -m etl.docs` from etl/db/models.py and etl/docs.py: do not edit by hand. -->")
    w("")
    w("One SQLite file holds everything: the articles with their original text, the kept paragraphs, every")
    w("removed line with the reason, the people and each place they are mentioned, and the history of the")
    w("runs. Inside the database the same descriptions are in the `schema_docs` table")
    w("(`SELECT * FROM schema_docs WHERE table_name = 'mentions'`).")
    w("")
    w("**Deleted articles.** When a file disappears from the input folder its article is kept but marked")
    w("deleted (`articles.deleted_at` is set). The `v_*` views leave deleted articles out; when you query the")
    w("tables directly, add `WHERE articles.deleted_at IS NULL`.")
    w("")
    w("![ER diagram of the tables](schema.svg)")
    w("")
    w("## Contents")
    w("")
    w("- Tables: " + ", ".join(f"[{t.name}](#{t.name})" for t in tables()))
    w("- [Values of coded columns](#values-of-coded-columns)")
    w("- Views: " + ", ".join(f"[{v.name}](#{v.name})" for v in VIEW_DOCS))
    w("- [Full-text search](#full-text-search)")
    w("- [schema_docs](#schema_docs)")
    w("- [Example queries](#example-queries)")
    w("- [Schema versions](#schema-versions)")
    w("")
    w("## Tables")
    for table in tables():
        w("")
        w(f"### {table.name}")
        w("")
        w(table.comment or "")
        w("")
        w("| column | type | null | key | description |")
        w("|---|---|---|---|---|")
        for column in table.columns:
            w(
                f"| `{column.name}` | {column_type(column)} | {'yes' if column.nullable else 'no'} "
                f"| {_md_cell(_keys(table, column))} | {_md_cell(column_doc(column))} |"
            )
    w("")
    w("## Values of coded columns")
    for (table_name, column_name), values in CODED_VALUES.items():
        w("")
        w(f"### {table_name}.{column_name}")
        w("")
        w("| value | meaning |")
        w("|---|---|")
        for value, text in values.items():
            w(f"| `{value}` | {_md_cell(text)} |")
    w("")
    w("## Views")
    w("")
    w("Views are computed when queried, so they are always up to date. Their definitions are in")
    w("`sql/views/` (readable copies of what the migrations create).")
    for view in VIEW_DOCS:
        w("")
        w(f"### {view.name}")
        w("")
        w(f"{view.description} Definition: [`sql/views/{view.name}.sql`](../sql/views/{view.name}.sql).")
        w("")
        w("| column | description |")
        w("|---|---|")
        for column, text in view.columns.items():
            w(f"| `{column}` | {_md_cell(text)} |")
    w("")
    w("## Full-text search")
    w("")
    w("Two SQLite FTS5 indexes, kept up to date by triggers (so they are never stale). Words match")
    w("case-insensitively and ignoring accents; `\"exact phrase\"`, `milley AND gerasimov`, `zaluzh*` and")
    w("`NEAR(a b, 5)` work as in [SQLite's FTS5 query syntax](https://www.sqlite.org/fts5.html#full_text_query_syntax).")
    for fts in FTS_DOCS:
        w("")
        w(f"### {fts.name}")
        w("")
        w(fts.description)
        w("")
        w("| column | description |")
        w("|---|---|")
        for column, text in fts.columns.items():
            w(f"| `{column}` | {_md_cell(text)} |")
    w("")
    w("Search paragraphs, best matches first, with the matching words highlighted:")
    w("")
    w("```sql")
    w("SELECT a.title, a.outlet, snippet(paragraphs_fts, 0, '[', ']', ' … ', 12) AS hit")
    w("FROM paragraphs_fts")
    w("JOIN paragraphs AS p ON p.id = paragraphs_fts.rowid")
    w("JOIN articles AS a ON a.id = p.article_id AND a.deleted_at IS NULL")
    w("WHERE paragraphs_fts MATCH 'Gerasimov'")
    w("ORDER BY bm25(paragraphs_fts);")
    w("```")
    w("")
    w("Find a person by any spelling:")
    w("")
    w("```sql")
    w("SELECT p.id, p.name, people_fts.aliases")
    w("FROM people_fts JOIN people AS p ON p.id = people_fts.rowid")
    w("WHERE people_fts MATCH 'zaluzh*';")
    w("```")
    w("")
    w("In Datasette the search box on the `paragraphs` and `people` tables uses these indexes")
    w("(`/news/paragraphs?_search=Milley`). The paragraphs index also covers deleted articles' paragraphs;")
    w("join `articles` and filter on `deleted_at IS NULL` as above to leave them out.")
    w("")
    w("## schema_docs")
    w("")
    w(SCHEMA_DOCS_DOC.description)
    w("")
    w("| column | description |")
    w("|---|---|")
    for column, text in SCHEMA_DOCS_DOC.columns.items():
        w(f"| `{column}` | {_md_cell(text)} |")
    w("")
    w("## Example queries")
    w("")
    w("Ready-made analyst questions in `sql/queries/`, each with a header comment saying what it answers and")
    w("what to edit. Run one with `sqlite3 -header -column news.sqlite < sql/queries/01_top_people_per_outlet.sql`;")
    w("in Datasette (with `--metadata docs/datasette-metadata.json`) they are canned queries on the database page.")
    w("")
    for q in example_queries():
        w(f"- [`{q.name}.sql`](../sql/queries/{q.name}.sql): {q.title}")
    w("")
    w("## Schema versions")
    w("")
    w("The schema is built and changed only by Alembic migrations that ship inside `etl` (no alembic.ini")
    w("needed). `etl run` brings a database to the newest revision by itself, after backing up a non-empty")
    w("one (`news.sqlite.<revision>.<time>.bak`). To look or act by hand:")
    w("")
    w("- `etl db current --db news.sqlite`: the revision the database is at, and the newest this `etl` knows;")
    w("- `etl db history`: every revision, newest first;")
    w("- `etl db upgrade --db news.sqlite`: bring an older database up to date without loading anything;")
    w("- `etl db downgrade 0002 --db news.sqlite`: go back to an older revision, dropping what later ones")
    w("  added (`base` removes everything).")
    w("")
    w("The revisions:")
    w("")
    for line in migrate.history():
        w(f"- {line}")
    w("")
    return "\n".join(out)


# --------------------------------------------------------------------------- ER diagram (SVG)

_CHAR_W = 7.3  # px per character of 12px monospace
_ROW_H = 18
_HEAD_H = 24
_PAD = 8
_GAP_X = 90
_GAP_Y = 26
_MARGIN = 20


def _ranks(all_tables: list[Table]) -> dict[str, int]:
    """Longest chain of foreign keys below each table: referenced tables left, referencing right."""
    parents = {
        t.name: {fk.column.table.name for fk in t.foreign_keys if fk.column.table.name != t.name} for t in all_tables
    }
    ranks: dict[str, int] = {}

    def rank(name: str) -> int:
        if name not in ranks:
            ranks[name] = 1 + max((rank(p) for p in sorted(parents[name])), default=-1)
        return ranks[name]

    for t in all_tables:
        rank(t.name)
    return ranks


def _row_label(column) -> tuple[str, str, str]:  # noqa: ANN001
    keys = "PK" if column.primary_key else ""
    if column.foreign_keys:
        keys = (keys + " FK").strip()
    return column.name, column_type(column).lower(), keys


def render_er_svg() -> str:
    all_tables = sorted(Base.metadata.tables.values(), key=lambda t: t.name)
    ranks = _ranks(all_tables)
    n_ranks = max(ranks.values()) + 1
    # Neighbours (either direction of a foreign key), to order the tables inside each column.
    neighbours: dict[str, set[str]] = {t.name: set() for t in all_tables}
    for t in all_tables:
        for fk in t.foreign_keys:
            parent = fk.column.table.name
            neighbours[t.name].add(parent)
            neighbours[parent].add(t.name)
    columns: list[list[str]] = [[] for _ in range(n_ranks)]
    for t in all_tables:
        columns[ranks[t.name]].append(t.name)
    # Barycentre ordering, a few sweeps left to right and back: fewer crossing edges.
    order = {name: float(i) for col in columns for i, name in enumerate(col)}
    for _ in range(4):
        for col in columns[1:] + columns[::-1]:
            for name in col:
                near = [order[n] for n in neighbours[name] if ranks[n] != ranks[name]]
                order[name] = sum(near) / len(near) if near else order[name]
            col.sort(key=lambda n: (order[n], n))
            for i, name in enumerate(col):
                order[name] = float(i)

    table_by_name = {t.name: t for t in all_tables}
    widths = {}
    for t in all_tables:
        labels = [_row_label(c) for c in t.columns]
        name_w = max(len(n) for n, _, _ in labels)
        type_w = max(len(ty) for _, ty, _ in labels)
        content = max(name_w + 2 + type_w + 2 + 5, len(t.name) + 2)
        widths[t.name] = content * _CHAR_W + 2 * _PAD
    col_width = [max(widths[n] for n in col) for col in columns]
    heights = {t.name: _HEAD_H + _ROW_H * len(t.columns) + 4 for t in all_tables}
    col_height = [sum(heights[n] for n in col) + _GAP_Y * (len(col) - 1) for col in columns]
    total_h = max(col_height)
    title_h = 40
    pos: dict[str, tuple[float, float]] = {}
    x = float(_MARGIN)
    for ci, col in enumerate(columns):
        y = _MARGIN + title_h + (total_h - col_height[ci]) / 2
        for name in col:
            pos[name] = (x, y)
            y += heights[name] + _GAP_Y
        x += col_width[ci] + _GAP_X
    width = x - _GAP_X + _MARGIN
    height = _MARGIN + title_h + total_h + _MARGIN

    def row_y(table: str, column: str) -> float:
        idx = [c.name for c in table_by_name[table].columns].index(column)
        return pos[table][1] + _HEAD_H + _ROW_H * idx + _ROW_H / 2 + 2

    def fmt(v: float) -> str:
        return f"{v:.1f}".rstrip("0").rstrip(".")

    out: list[str] = []
    w = out.append
    w(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{fmt(width)}" height="{fmt(height)}" '
        f'viewBox="0 0 {fmt(width)} {fmt(height)}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" '
        f'font-size="12">'
    )
    w("<!-- Generated by `python -m etl.docs` from etl/db/models.py: do not edit by hand. -->")
    w("<title>etl database schema</title>")
    w(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
        "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#55606e\"/>"
        "</marker></defs>"
    )
    w(f'<rect width="{fmt(width)}" height="{fmt(height)}" fill="#ffffff"/>')
    w(
        f'<text x="{_MARGIN}" y="{_MARGIN + 14}" font-size="15" font-weight="bold" fill="#1f2933">'
        "etl database schema</text>"
    )
    w(
        f'<text x="{_MARGIN}" y="{_MARGIN + 30}" font-size="11" fill="#55606e">'
        "arrows point from a foreign key (FK) to the referenced key (PK); views and full-text indexes "
        "are described in docs/schema.md</text>"
    )
    # The free space above, between and below the boxes of each column, for edges passing through.
    gaps = []
    for col in columns:
        tops = [pos[n][1] for n in col]
        bottoms = [pos[n][1] + heights[n] for n in col]
        gaps.append([tops[0] - _GAP_Y / 2] + [b + _GAP_Y / 2 for b in bottoms])
    gap_use: dict[tuple[int, float], int] = {}
    # Edges first, so the boxes draw over them.
    for t in all_tables:
        for fk in sorted(t.foreign_keys, key=lambda f: f.parent.name):
            parent = fk.column.table.name
            cx, cy = pos[t.name][0], row_y(t.name, fk.parent.name)
            px = pos[parent][0] + widths[parent]
            py = row_y(parent, fk.column.name)
            if ranks[parent] < ranks[t.name]:
                # Through a gap between the boxes of every column in between, never behind a box.
                points = [(cx, cy)]
                for ci in range(ranks[t.name] - 1, ranks[parent], -1):
                    left = pos[columns[ci][0]][0]
                    right = left + col_width[ci]
                    share = (cx - right) / (cx - px) if cx != px else 0.5
                    target = cy + (py - cy) * share
                    base = min(gaps[ci], key=lambda g: (abs(g - target), g))
                    used = gap_use.get((ci, base), 0)
                    gap_use[(ci, base)] = used + 1
                    gy = base + 6 * ((used + 1) // 2) * (1 if used % 2 else -1)
                    points += [(right + 10, gy), (left - 10, gy)]
                points.append((px, py))
                parts = [f"M{fmt(cx)},{fmt(cy)}"]
                for i in range(0, len(points) - 1, 2):
                    (x1, y1), (x2, y2) = points[i], points[i + 1]
                    bend = max(30.0, (x1 - x2) / 2)
                    if i:
                        parts.append(f"L{fmt(x1)},{fmt(y1)}")
                    parts.append(f"C{fmt(x1 - bend)},{fmt(y1)} {fmt(x2 + bend)},{fmt(y2)} {fmt(x2)},{fmt(y2)}")
                d = " ".join(parts)
            w(
                f'<path d="{d}" fill="none" stroke="#55606e" stroke-width="1.2" marker-end="url(#arrow)">'
                f"<title>{html.escape(t.name)}.{html.escape(fk.parent.name)} → "
                f"{html.escape(parent)}.{html.escape(fk.column.name)}</title></path>"
            )
    for t in all_tables:
        x0, y0 = pos[t.name]
        bw, bh = widths[t.name], heights[t.name]
        w(f'<g id="table-{html.escape(t.name)}">')
        w(f"<title>{html.escape(t.name)}: {html.escape(t.comment or '')}</title>")
        w(
            f'<rect x="{fmt(x0)}" y="{fmt(y0)}" width="{fmt(bw)}" height="{fmt(bh)}" rx="4" '
            'fill="#ffffff" stroke="#334e68" stroke-width="1.2"/>'
        )
        w(
            f'<path d="M{fmt(x0)},{fmt(y0 + _HEAD_H)} V{fmt(y0 + 4)} Q{fmt(x0)},{fmt(y0)} {fmt(x0 + 4)},{fmt(y0)} '
            f'H{fmt(x0 + bw - 4)} Q{fmt(x0 + bw)},{fmt(y0)} {fmt(x0 + bw)},{fmt(y0 + 4)} V{fmt(y0 + _HEAD_H)} z" '
            'fill="#334e68"/>'
        )
        w(
            f'<text x="{fmt(x0 + _PAD)}" y="{fmt(y0 + 16)}" font-weight="bold" fill="#ffffff">'
            f"{html.escape(t.name)}</text>"
        )
        labels = [_row_label(c) for c in t.columns]
        name_w = max(len(n) for n, _, _ in labels)
        for i, (column, (name, type_, keys)) in enumerate(zip(t.columns, labels)):
            ty = y0 + _HEAD_H + _ROW_H * i + 14
            weight = ' font-weight="bold"' if column.primary_key else ""
            colour = "#1f2933" if column.nullable is False else "#52606d"
            w(
                f'<text x="{fmt(x0 + _PAD)}" y="{fmt(ty)}" fill="{colour}"{weight}>'
                f"<title>{html.escape(column_doc(column))}</title>{html.escape(name)}</text>"
            )
            w(
                f'<text x="{fmt(x0 + _PAD + (name_w + 2) * _CHAR_W)}" y="{fmt(ty)}" fill="#7b8794">'
                f"{html.escape(type_)}</text>"
            )
            if keys:
                w(
                    f'<text x="{fmt(x0 + bw - _PAD)}" y="{fmt(ty)}" text-anchor="end" font-size="10" '
                    f'fill="#b44d12">{keys}</text>'
                )
        w("</g>")
    w("</svg>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- Datasette metadata


def datasette_metadata(database: str = DATASETTE_DATABASE) -> dict:
    """Datasette ``metadata.json``: descriptions, full-text search and canned queries."""
    tables_meta: dict[str, dict] = {}
    for table in tables():
        tables_meta[table.name] = {
            "description": table.comment or "",
            "columns": {c.name: column_doc(c) for c in table.columns},
        }
    # Datasette finds paragraphs_fts by itself (content="paragraphs"); saying so does no harm and
    # people_fts (a plain FTS5 table keyed by people.id) needs it.
    tables_meta["paragraphs"].update({"fts_table": "paragraphs_fts", "fts_pk": "id"})
    tables_meta["people"].update({"fts_table": "people_fts", "fts_pk": "id"})
    for doc in (*VIEW_DOCS, SCHEMA_DOCS_DOC):
        tables_meta[doc.name] = {"description": doc.description, "columns": dict(doc.columns)}
    queries = {
        q.name: {"title": q.title, "description": q.description, "sql": q.sql} for q in example_queries()
    }
    return {
        "title": "News articles and the people in them",
        "description": "Built by etl from scraped news text files. Views (v_*) leave deleted articles out; "
        "see docs/schema.md and the schema_docs table.",
        "databases": {database: {"tables": tables_meta, "queries": queries}},
    }


def render_datasette_metadata() -> str:
    return json.dumps(datasette_metadata(), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- main

OUTPUTS = {
    "schema.md": render_schema_md,
    "schema.svg": render_er_svg,
    "datasette-metadata.json": render_datasette_metadata,
}


def outdated(folder: Path = DOCS_DIR) -> list[Path]:
    """Generated files that are missing or differ from what the models give now."""
    stale = []
    for name, render in OUTPUTS.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != render():
            stale.append(path)
    return stale


def write(folder: Path = DOCS_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in OUTPUTS.items():
        path = folder / name
        text = render()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def revision_rows_literal() -> str:
    """``schema_doc_rows()`` as a Python literal, for pasting into a new Alembic revision."""
    lines = ["SCHEMA_DOCS = ["]
    lines += [f"    {row!r}," for row in schema_doc_rows()]
    lines.append("]")
    return "\n".join(lines) + "\n"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.docs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is out of date")
    parser.add_argument(
        "--revision-rows", action="store_true", help="print the schema_docs rows as a Python literal"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.revision_rows:
        sys.stdout.write(revision_rows_literal())
        return 0
    if args.check:
        stale = outdated()
        for path in stale:
            print(f"out of date: {path.relative_to(REPO)} (run: python -m etl.docs)", file=sys.stderr)
        return 1 if stale else 0
    for path in write():
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
