"""Datasette (a test-only dependency) opens the seeds database and shows full-text search.

Datasette's ASGI app is driven in-process through ``Datasette.client`` (no server, no port).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from datasette import app as datasette_app  # the test extra installs it; `etl` itself never imports it

from etl import docs
from tests.analyst_db import copy_db, seeds_db  # noqa: F401 - fixtures


def fetch(db: Path, paths: list[str], metadata: dict | None = None) -> list:
    """GET each path from a Datasette serving ``db`` (as `datasette news.sqlite [-m ...]` would)."""

    async def go() -> list:
        ds = datasette_app.Datasette([str(db)], metadata=metadata)
        await ds.invoke_startup()
        return [await ds.client.get(path) for path in paths]

    return asyncio.run(go())


@pytest.fixture
def news(seeds_db: Path, tmp_path: Path) -> Path:  # noqa: F811
    return copy_db(seeds_db, tmp_path)  # named news.sqlite: Datasette calls the database "news"


def test_plain_datasette_detects_paragraph_search(news: Path) -> None:
    search, table_page, plain_page, hidden = fetch(
        news,
        [
            "/news/paragraphs.json?_search=Milley&_shape=objects",
            "/news/paragraphs",
            "/news/articles",
            "/news.json",
        ],
    )
    assert search.status_code == 200, search.text
    rows = search.json()["rows"]
    assert rows and all("milley" in r["text"].lower() for r in rows)
    assert table_page.status_code == 200
    assert 'name="_search"' in table_page.text  # the search box Datasette shows for FTS tables
    assert 'name="_search"' not in plain_page.text  # ... and only for them
    tables = {t["name"]: t for t in hidden.json()["tables"]}
    assert tables["paragraphs"]["fts_table"] == "paragraphs_fts"
    assert tables["paragraphs_fts"]["hidden"] is True  # the index itself is not listed


def test_datasette_with_the_generated_metadata(news: Path) -> None:
    metadata = json.loads((docs.DOCS_DIR / "datasette-metadata.json").read_text(encoding="utf-8"))
    people, meta, canned, view_page, phrase = fetch(
        news,
        [
            "/news/people.json?_search=zaluzhny&_shape=objects",
            "/-/metadata.json",
            "/news/01_top_people_per_outlet.json?_shape=objects",
            "/news/v_mentions",
            "/news/paragraphs.json?_search=%22Joint+Chiefs%22&_shape=objects",
        ],
        metadata=metadata,
    )
    assert people.status_code == 200, people.text
    names = [r["name"] for r in people.json()["rows"]]
    assert len(names) == 1 and names[0].startswith("Valer") and "Zaluzhn" in names[0]  # found by an alias
    assert meta.json()["databases"]["news"]["tables"]["paragraphs"]["fts_table"] == "paragraphs_fts"
    assert canned.status_code == 200, canned.text
    assert any(r["rank"] == 1 and r["person_name"] == "Mark Milley" for r in canned.json()["rows"])
    assert view_page.status_code == 200
    assert docs.VIEW_DOCS[0].description in view_page.text  # descriptions from the metadata
    assert phrase.status_code == 200
    texts = [r["text"] for r in phrase.json()["rows"]]
    assert texts and all("joint chiefs" in t.lower() for t in texts)
