"""Loading the people golden fixtures (tests/fixtures/people/NAME.txt + NAME.json) and scoring them."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import Connection

from etl import resolve
from etl.records import Paragraph
from etl.rules import default_rules
from etl.transform.mentions import find_mentions

PEOPLE = Path(__file__).resolve().parent / "fixtures" / "people"


def fixture_names() -> list[str]:
    return sorted(p.stem for p in PEOPLE.glob("*.txt"))


def add_article(conn: Connection, source: str, paragraphs: list[Paragraph]) -> int:
    """Store an article made of ``paragraphs`` (replacing an earlier version of ``source``) and
    resolve the people it names, as the writer does, without the rest of the pipeline."""
    row = conn.exec_driver_sql("SELECT id FROM articles WHERE source_path = ?", (source,)).first()
    if row:
        article_id = row[0]
        resolve.forget_article(conn, article_id)
        conn.exec_driver_sql("DELETE FROM paragraphs WHERE article_id = ?", (article_id,))
    else:
        article_id = conn.exec_driver_sql(
            "INSERT INTO articles (source_path, word_count, paragraph_count, sha256, size_bytes, mtime_ns, encoding, "
            "raw_text, rules_version) VALUES (?, 0, 0, '', 0, 0, 'utf-8', '', '')",
            (source,),
        ).lastrowid
    for p in paragraphs:
        conn.exec_driver_sql(
            "INSERT INTO paragraphs (article_id, position, kind, text, line_start, line_end) VALUES (?, ?, ?, ?, 0, 0)",
            (article_id, p.position, p.kind, p.text),
        )
    conn.exec_driver_sql("UPDATE articles SET paragraph_count = ? WHERE id = ?", (len(paragraphs), article_id))
    ids = dict(conn.exec_driver_sql("SELECT position, id FROM paragraphs WHERE article_id = ?", (article_id,)).all())
    refs, mentions = find_mentions(paragraphs, default_rules())
    resolve.resolve_article(conn, article_id, refs, mentions, ids, None)
    return article_id


def random_person_keys(
    conn: Connection, seed: int, keys: list[str], people: int, rows: int, curated: tuple[int, ...]
) -> list[int]:
    """``people`` new people and ``rows`` random ``person_keys`` rows (a key from ``keys``, a person,
    a ``curated`` value), duplicates included: the messy table key lookups must answer as SQL does.
    Returns the people's ids."""
    rng = random.Random(seed)
    pids = [
        conn.exec_driver_sql(
            "INSERT INTO people (name, name_key, mention_count, article_count, curated) VALUES ('x', 'k', 0, 0, 0)"
        ).lastrowid
        for _ in range(people)
    ]
    for _ in range(rows):
        conn.exec_driver_sql(
            "INSERT INTO person_keys (key, person_id, curated) VALUES (?, ?, ?)",
            (rng.choice(keys), rng.choice(pids), rng.choice(curated)),
        )
    return pids


def load_paragraphs(name: str) -> list[Paragraph]:
    text = (PEOPLE / f"{name}.txt").read_text(encoding="utf-8")
    out = []
    for i, para in enumerate(p for p in text.split("\n\n") if p.strip()):
        para = para.strip("\n")
        kind = "body"
        if para.startswith("## "):
            kind, para = "heading", para[3:]
        elif para.startswith("[caption] "):
            kind, para = "caption", para[len("[caption] "):]
        out.append(Paragraph(position=i, kind=kind, text=para, line_start=i, line_end=i))
    return out


def expected(name: str) -> list[tuple[int, int, str, str]]:
    data = json.loads((PEOPLE / f"{name}.json").read_text(encoding="utf-8"))
    return [tuple(m) for m in data["mentions"]]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bcubed(pairs: list[tuple[str, object]]) -> float:
    """B-cubed F1 of (gold person, system person) pairs, one per matched mention."""
    by_sys, by_gold = defaultdict(Counter), defaultdict(Counter)
    for g, s in pairs:
        by_sys[s][g] += 1
        by_gold[g][s] += 1
    n = len(pairs)
    if not n:
        return 1.0
    p = sum(by_sys[s][g] / sum(by_sys[s].values()) for g, s in pairs) / n
    r = sum(by_gold[g][s] / sum(by_gold[g].values()) for g, s in pairs) / n
    return 2 * p * r / (p + r)
