"""The generated docs (docs/schema.md, docs/schema.svg, docs/datasette-metadata.json) and the
schema_docs table are up to date with the models."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from etl import docs
from etl.db import migrate
from etl.db.models import PARAGRAPH_KINDS, REMOVED_LABELS, Base
from tests.conftest import query


def test_committed_docs_are_up_to_date() -> None:
    stale = [str(p.relative_to(docs.REPO)) for p in docs.outdated()]
    assert not stale, f"out of date: {stale}; run: python -m etl.docs"


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    docs.write(tmp_path)
    assert docs.outdated(tmp_path) == []
    (tmp_path / "schema.md").write_text("# edited by hand\n")
    assert docs.outdated(tmp_path) == [tmp_path / "schema.md"]


def test_every_column_is_described() -> None:
    missing = [f"{t.name}.{c.name}" for t in Base.metadata.tables.values() for c in t.columns if not docs.column_doc(c)]
    assert not missing, f"add a comment= to these columns in etl/db/models.py: {missing}"
    assert all(t.comment for t in Base.metadata.tables.values())


def test_coded_values_are_all_explained() -> None:
    assert tuple(docs.KIND_DOCS) == PARAGRAPH_KINDS
    assert tuple(docs.LABEL_DOCS) == REMOVED_LABELS


def test_schema_docs_table_matches_the_models(db_path: Path) -> None:
    migrate.upgrade(db_path)
    stored = sorted(query(db_path, "SELECT table_name, column_name, value, description FROM schema_docs"), key=repr)
    assert stored == sorted(docs.schema_doc_rows(), key=repr), (
        "schema_docs differs from the models' comments: add a revision that updates schema_docs "
        "(python -m etl.docs --revision-rows prints the rows)"
    )


def test_schema_docs_covers_every_table_view_and_column(db_path: Path) -> None:
    migrate.upgrade(db_path)
    described = set(query(db_path, "SELECT table_name, column_name FROM schema_docs WHERE value IS NULL"))
    objects = query(
        db_path,
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
        "AND name != 'alembic_version' AND name NOT LIKE '%_fts_%'",
    )
    for (name,) in objects:
        assert (name, None) in described, name
        for column in query(db_path, f"PRAGMA table_info({name})"):
            assert (name, column[1]) in described, f"{name}.{column[1]}"


def test_schema_md_names_everything() -> None:
    text = (docs.DOCS_DIR / "schema.md").read_text(encoding="utf-8")
    for table in Base.metadata.tables.values():
        assert f"### {table.name}" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
    for value in (*PARAGRAPH_KINDS, *REMOVED_LABELS):
        assert f"| `{value}` |" in text
    for obj in (*docs.VIEW_DOCS, *docs.FTS_DOCS):
        assert f"### {obj.name}" in text
    assert "![ER diagram of the tables](schema.svg)" in text


def test_er_diagram_shows_every_table_column_and_foreign_key() -> None:
    svg = (docs.DOCS_DIR / "schema.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {"".join(el.itertext()).strip() for el in root.iter("{http://www.w3.org/2000/svg}text")}
    groups = {el.get("id") for el in root.iter("{http://www.w3.org/2000/svg}g")}
    edges = {
        el.findtext("{http://www.w3.org/2000/svg}title")
        for el in root.iter("{http://www.w3.org/2000/svg}path")
        if el.get("marker-end")
    }
    for table in Base.metadata.tables.values():
        assert f"table-{table.name}" in groups
        for column in table.columns:
            assert any(t.endswith(column.name) for t in texts), f"{table.name}.{column.name}"
        for fk in table.foreign_keys:
            assert f"{table.name}.{fk.parent.name} → {fk.column.table.name}.{fk.column.name}" in edges


def test_datasette_metadata_describes_tables_views_and_search() -> None:
    meta = json.loads((docs.DOCS_DIR / "datasette-metadata.json").read_text(encoding="utf-8"))
    db = meta["databases"][docs.DATASETTE_DATABASE]
    for table in Base.metadata.tables.values():
        assert db["tables"][table.name]["description"] == table.comment
        assert set(db["tables"][table.name]["columns"]) == {c.name for c in table.columns}
    for view in docs.VIEW_DOCS:
        assert db["tables"][view.name]["columns"] == view.columns
    assert db["tables"]["paragraphs"]["fts_table"] == "paragraphs_fts"
    assert db["tables"]["people"]["fts_table"] == "people_fts"
    names = sorted(p.stem for p in docs.QUERIES_DIR.glob("*.sql"))
    assert sorted(db["queries"]) == names and len(names) >= 10


def test_every_query_file_has_a_header_comment() -> None:
    for q in docs.example_queries():
        assert q.title and not q.title.startswith(q.name), q.name
        assert q.description, f"{q.name}: say in the header what the query returns"
        assert re.search(r"\bSELECT\b", q.sql, re.IGNORECASE)


def test_revision_rows_literal_round_trips() -> None:
    namespace: dict = {}
    exec(docs.revision_rows_literal(), namespace)  # noqa: S102 - our own generated literal
    assert namespace["SCHEMA_DOCS"] == docs.schema_doc_rows()
