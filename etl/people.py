"""Analysts' curation of people: list, show, merge, split, rename, add aliases; export and import decisions.

Every decision is applied at once *and* recorded in ``people_curation`` (action + JSON payload naming
people by name, not by id, so a decision file can be imported into another database).  Decisions are
made durable through curated keys in ``person_keys``, which automatic resolution never moves, and
curated people are never removed; :func:`apply_curation` re-applies every recorded decision (idempotent),
so a nightly run can never undo one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection

from etl import resolve
from etl.transform.names import split_name


class CurationError(ValueError):
    """A curation request names no person, several people, or is inconsistent."""


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    given_name: str | None
    family_name: str | None
    mention_count: int
    article_count: int
    curated: bool


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _rows(conn: Connection, sql: str, params: tuple = ()) -> list[tuple]:
    return conn.exec_driver_sql(sql, params).fetchall()


def _row(r: tuple) -> PersonRow:
    return PersonRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]))


_COLS = "id, name, given_name, family_name, mention_count, article_count, curated"


def list_people(conn: Connection, like: str | None = None, limit: int | None = 100) -> list[PersonRow]:
    """People by mention count; ``like`` filters names and aliases (case-insensitive substring)."""
    sql = f"SELECT {_COLS} FROM people"
    params: tuple = ()
    if like:
        sql += (" WHERE name LIKE ? OR id IN (SELECT person_id FROM person_aliases WHERE alias LIKE ?)")
        params = (f"%{like}%", f"%{like}%")
    sql += " ORDER BY mention_count DESC, name"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_row(r) for r in _rows(conn, sql, params)]


def find_person(conn: Connection, ref: str | int) -> PersonRow:
    """One person by id, exact name, or a unique alias."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        rows = _rows(conn, f"SELECT {_COLS} FROM people WHERE id = ?", (int(ref),))
        if rows:
            return _row(rows[0])
        raise CurationError(f"no person with id {ref}")
    rows = _rows(conn, f"SELECT {_COLS} FROM people WHERE name = ? ORDER BY id", (ref,))
    if not rows:
        rows = _rows(
            conn,
            f"SELECT DISTINCT {', '.join('p.' + c for c in _COLS.split(', '))} FROM people p "
            "JOIN person_aliases a ON a.person_id = p.id WHERE a.alias = ? ORDER BY p.id",
            (ref,),
        )
    if not rows:
        rows = _rows(conn, f"SELECT {_COLS} FROM people WHERE name = ? COLLATE NOCASE ORDER BY id", (ref,))
    if len(rows) == 1:
        return _row(rows[0])
    if not rows:
        raise CurationError(f"no person named {ref!r}")
    raise CurationError(f"{ref!r} names {len(rows)} people (ids {', '.join(str(r[0]) for r in rows)}): use an id")


def show_person(conn: Connection, ref: str | int) -> dict[str, Any]:
    """A person with aliases, lookup keys, and the articles that mention them."""
    p = find_person(conn, ref)
    aliases = _rows(conn, "SELECT alias, count FROM person_aliases WHERE person_id = ? ORDER BY count DESC, alias", (p.id,))
    keys = _rows(conn, "SELECT key, anchor_id, curated FROM person_keys WHERE person_id = ? ORDER BY key", (p.id,))
    articles = _rows(
        conn,
        "SELECT a.id, a.source_path, a.title, count(*) FROM mentions m JOIN articles a ON a.id = m.article_id "
        "WHERE m.person_id = ? GROUP BY a.id ORDER BY a.published_at DESC, a.id LIMIT 50",
        (p.id,),
    )
    return {
        "person": p.__dict__,
        "aliases": [{"alias": a, "count": n} for a, n in aliases],
        "keys": [{"key": k, "anchor_id": an, "curated": bool(c)} for k, an, c in keys],
        "articles": [{"id": i, "source_path": s, "title": t, "mentions": n} for i, s, t, n in articles],
    }


def _record(conn: Connection, action: str, payload: dict[str, Any], note: str | None, record: bool) -> None:
    if not record:
        return
    conn.exec_driver_sql(
        "INSERT INTO people_curation (action, payload, created_at, note) VALUES (?, ?, ?, ?)",
        (action, json.dumps(payload, ensure_ascii=False, sort_keys=True), _now(), note),
    )


def _mark_curated(conn: Connection, pid: int) -> None:
    conn.exec_driver_sql("UPDATE people SET curated = 1 WHERE id = ?", (pid,))


def merge_people(conn: Connection, a: str | int, b: str | int, note: str | None = None, *, record: bool = True) -> PersonRow:
    """Merge person ``a`` into person ``b`` (b keeps its id): mentions, aliases and keys move, for good."""
    pa, pb = find_person(conn, a), find_person(conn, b)
    if pa.id == pb.id:
        return pb
    _record(conn, "merge", {"from": pa.name, "into": pb.name}, note, record)
    resolve.merge_into(conn, pa.id, pb.id, curated=True)
    _mark_curated(conn, pb.id)
    resolve.refresh_name(conn, pb.id)
    return find_person(conn, pb.id)


def split_person(
    conn: Connection,
    ref: str | int,
    *,
    aliases: list[str] | None = None,
    articles: list[int] | None = None,
    name: str | None = None,
    note: str | None = None,
    record: bool = True,
) -> PersonRow:
    """Move the mentions written as ``aliases`` and/or in ``articles`` to a new person (named ``name``).

    Future articles follow the decision: the aliases' keys (and the split articles' names) now lead to
    the new person, as curated keys.
    """
    if not aliases and not articles:
        raise CurationError("split needs --alias or --article")
    p = find_person(conn, ref)
    data = resolve._data()
    new_name = name or (aliases[0] if aliases else f"{p.name} ({', '.join(map(str, articles or []))})")
    words = new_name.split()
    given, family = split_name(words, data) if len(words) >= 2 else (None, words[0] if words else None)
    keys = resolve.keys_for_name(data, new_name) or [f"n:{new_name}"]
    new_id = resolve._create_person(conn, new_name, given, family, keys[0], None, curated=True)
    conds, params = [], []
    if aliases:
        conds.append(f"surface IN ({','.join('?' for _ in aliases)})")
        params += aliases
    if articles:
        conds.append(f"article_id IN ({','.join('?' for _ in articles)})")
        params += [int(x) for x in articles]
    where = " AND ".join(conds) if (aliases and articles) else conds[0]
    moved = _rows(
        conn, f"SELECT article_id, surface, article_name, count(*) FROM mentions WHERE person_id = ? AND {where} "
        "GROUP BY article_id, surface, article_name", (p.id, *params)
    )
    if not moved:
        conn.exec_driver_sql("DELETE FROM person_keys WHERE person_id = ?", (new_id,))
        conn.exec_driver_sql("DELETE FROM people WHERE id = ?", (new_id,))
        raise CurationError(f"no mention of {p.name!r} matches that split")
    conn.exec_driver_sql(f"UPDATE mentions SET person_id = ? WHERE person_id = ? AND {where}", (new_id, p.id, *params))
    counts: dict[str, int] = {}
    for _, surface, _, n in moved:
        counts[surface] = counts.get(surface, 0) + n
    for surface, n in counts.items():
        conn.exec_driver_sql(
            "UPDATE person_aliases SET count = count - ? WHERE person_id = ? AND alias = ?", (n, p.id, surface)
        )
    conn.exec_driver_sql("DELETE FROM person_aliases WHERE person_id = ? AND count <= 0", (p.id,))
    resolve._bump_aliases(conn, {(new_id, s): n for s, n in counts.items()})
    for alias in aliases or []:
        for key in resolve.keys_for_name(data, alias):
            conn.exec_driver_sql("DELETE FROM person_keys WHERE key = ? AND person_id = ? AND curated = 0", (key, p.id))
            resolve._add_key(conn, new_id, key, curated=True)
    for article_id, _, article_name, _ in moved:
        if articles and article_id in articles:
            for key in resolve.keys_for_name(data, article_name):
                resolve._add_key(conn, new_id, f"a:{article_id}:{key}", curated=True)
    _mark_curated(conn, p.id)
    for pid in (p.id, new_id):
        resolve._recount(conn, pid)
        resolve.refresh_name(conn, pid)
    _record(
        conn, "split", {"person": p.name, "aliases": aliases or [], "articles": articles or [], "name": new_name},
        note, record,
    )
    return find_person(conn, new_id)


def rename_person(conn: Connection, ref: str | int, new_name: str, note: str | None = None, *, record: bool = True) -> PersonRow:
    """Give a person a fixed display name (no longer recomputed); the name also becomes a lookup key."""
    p = find_person(conn, ref)
    _record(conn, "rename", {"person": p.name, "name": new_name}, note, record)
    conn.exec_driver_sql("DELETE FROM person_keys WHERE person_id = ? AND key LIKE 'n:%'", (p.id,))
    resolve._add_key(conn, p.id, f"n:{new_name}", curated=True)
    data = resolve._data()
    for key in resolve.keys_for_name(data, new_name):
        resolve._add_key(conn, p.id, key, curated=True)
    words = new_name.split()
    given, family = split_name(words, data) if len(words) >= 2 else (p.given_name, p.family_name)
    conn.exec_driver_sql(
        "UPDATE people SET name = ?, given_name = ?, family_name = ?, curated = 1 WHERE id = ?",
        (new_name, given, family, p.id),
    )
    return find_person(conn, p.id)


def add_alias(conn: Connection, ref: str | int, alias: str, note: str | None = None, *, record: bool = True) -> PersonRow:
    """Record another name of a person: future mentions written so resolve to them."""
    p = find_person(conn, ref)
    _record(conn, "alias", {"person": p.name, "alias": alias}, note, record)
    conn.exec_driver_sql(
        "INSERT INTO person_aliases (person_id, alias, count) VALUES (?, ?, 0) ON CONFLICT (person_id, alias) DO NOTHING",
        (p.id, alias),
    )
    resolve._add_key(conn, p.id, f"l:{alias}", curated=True)
    for key in resolve.keys_for_name(resolve._data(), alias):
        resolve._add_key(conn, p.id, key, curated=True)
    _mark_curated(conn, p.id)
    return find_person(conn, p.id)


def export_curation(conn: Connection) -> dict[str, Any]:
    """All recorded decisions, oldest first, as a JSON-ready document."""
    rows = _rows(conn, "SELECT action, payload, created_at, note FROM people_curation ORDER BY id")
    return {
        "format": 1,
        "decisions": [
            {"action": a, **json.loads(p), "created_at": c, **({"note": n} if n else {})} for a, p, c, n in rows
        ],
    }


def _apply(conn: Connection, d: dict[str, Any], record: bool) -> bool:
    action = d.get("action")
    note = d.get("note")
    try:
        if action == "merge":
            merge_people(conn, d["from"], d["into"], note, record=record)
        elif action == "split":
            split_person(conn, d["person"], aliases=d.get("aliases") or None, articles=d.get("articles") or None,
                         name=d.get("name"), note=note, record=record)
        elif action == "rename":
            rename_person(conn, d["person"], d["name"], note, record=record)
        elif action == "alias":
            add_alias(conn, d["person"], d["alias"], note, record=record)
        else:
            raise CurationError(f"unknown curation action {action!r}")
    except CurationError:
        return False
    return True


def import_curation(conn: Connection, document: dict[str, Any] | str) -> tuple[int, int]:
    """Apply and record the decisions of an exported file; returns (applied, skipped).

    Decisions already recorded (same action and payload) are not recorded twice.
    """
    doc = json.loads(document) if isinstance(document, str) else document
    applied = skipped = 0
    known = {(a, p) for a, p in _rows(conn, "SELECT action, payload FROM people_curation")}
    for d in doc.get("decisions", []):
        payload = {k: v for k, v in d.items() if k not in ("action", "created_at", "note")}
        seen = (d.get("action"), json.dumps(payload, ensure_ascii=False, sort_keys=True)) in known
        if _apply(conn, d, record=not seen):
            applied += 1
        else:
            skipped += 1
    return applied, skipped


def apply_curation(conn: Connection) -> int:
    """Re-apply every recorded decision (idempotent); returns how many still had an effect to make."""
    n = 0
    for action, payload in _rows(conn, "SELECT action, payload FROM people_curation ORDER BY id"):
        d = {"action": action, **json.loads(payload)}
        if action == "merge":
            try:
                a, b = find_person(conn, d["from"]), find_person(conn, d["into"])
            except CurationError:
                continue
            if a.id != b.id:
                resolve.merge_into(conn, a.id, b.id, curated=True)
                n += 1
        elif action == "rename":
            try:
                p = find_person(conn, d["name"])
            except CurationError:
                continue
            resolve.refresh_name(conn, p.id)
    return n
