"""Global people resolution: an article's PersonRefs -> ``people`` rows across the whole database.

Run by the single writer inside the article's load transaction.  Nothing is compared pairwise over
the archive: every name is looked up by normalized *keys* in the indexed ``person_keys`` table, so the
cost grows with the article's mentions, not with the database.  In the run's batches those lookups are
answered from :class:`KeyCache`, an exact copy of the rows looked up so far, kept by every write here.

Keys (built by :func:`ref_keys` from ``etl.transform.names``):

- ``f:<family>|<given>``  a full name: transliteration-folded family name and given-name group
  ("Valerii Zaluzhnyi", "Valeriy Zaluzhny" -> ``f:zaluzny|valery``).  "Joe Biden" and "Hunter Biden",
  "Valery Gerasimov" and "Valerii Zaluzhnyi" get different keys: nothing merges on a shared part.
- ``s:<family>``  a person known only by family name (no full-named person of that family yet, or
  several, so the article's bare name was ambiguous).
- ``g:<given>`` + ``anchor_id``  a person named by a single given name ("his wife Olena"): never
  merged on the name alone, only with the same name in articles whose main full-named person is the
  same resolved person (the anchor).
- ``m:<family>|<given>|<initials>``  the middle initials of a full-named person ("George H. W. Bush" ->
  ``m:bush|george|hw``): a full name whose initials conflict with every person of its ``f:`` key is a
  new person.
- ``i:<family>|<initial>``  a person known by an initial and a family name ("J. Smith"): never merged
  with "K. Smith" or with the bare family name.
- ``a:<article id>:<key>``  an analyst's split of one article's name; ``n:<name>`` an analyst's name.

Rules: a full name joins the person with its key; else a family-name-only person of that family when
it is the only candidate (it is *upgraded*: same id, so earlier articles' mentions follow); else a new
person.  A family name alone joins the single full-named person of that family; with none it joins
(or creates) the family-only person, or a well-known person from the rules' ``notable`` list; with
several it joins the notable one if listed, else it stays ambiguous (a family-only person of its own).  When a new article leaves exactly one full-named person for a family,
a family-only person is merged into it (older id kept, mentions repointed, aliases folded).  Keys set
by analysts (``curated``) are never moved, and curated people are never removed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from sqlalchemy import Connection

from etl.db.engine import ROLLBACK_DROPS, insert_rows
from etl.records import Mention, PersonRef
from etl.rules import Rules, default_rules
from etl.transform.names import NameData, name_data, split_name

_INITIAL = re.compile(r"^[^\W\d_]\.$")
_PERSON_OF = attrgetter("person")
_MENTION_FIELDS = attrgetter("paragraph", "char_start", "char_end", "surface", "person")
_rules: Rules | None = None


def use_rules(rules: Rules) -> None:
    """Resolution reads the given-name groups, transliteration folding and notable list from these rules."""
    global _rules
    _rules = rules


def _data() -> NameData:
    return name_data(_rules or default_rules())


# ---------------------------------------------------------------------------------------------- keys


def _remembered(data: NameData, slot: int, name: str, key_of: Callable[[str], str]) -> str:
    """``key_of(name)``, remembered in memo ``slot`` of ``data``'s caches (a pure function of the two)."""
    memo = _caches(data)[slot]
    got = memo.get(name)
    if got is None:
        if len(memo) > _MEMO_MAX:
            memo.clear()
        got = memo[name] = key_of(name)
    return got


def _family(data: NameData, family: str) -> str:
    return _remembered(data, 3, family, data.family_key)


def _given(data: NameData, given: str) -> str:
    return _remembered(data, 4, given, data.given_key)


def full_key(data: NameData, given: str, family: str) -> str:
    return f"f:{_family(data, family)}|{_given(data, given)}"


def family_key(data: NameData, family: str) -> str:
    return f"s:{_family(data, family)}"


def initials_key(data: NameData, given: str, family: str, initials: str) -> str:
    return f"m:{_family(data, family)}|{_given(data, given)}|{initials.casefold()}"


def initial_key(data: NameData, initial: str, family: str) -> str:
    return f"i:{_family(data, family)}|{data.fold(initial)[:1]}"


def middle_initials(name: str) -> str:
    """The middle initials of a written full name: "George H. W. Bush" -> "HW" ("" for none)."""
    words = name.split()
    return "".join(w[0] for w in words[1:-1] if _INITIAL.match(w))


def given_only_key(data: NameData, given: str) -> str:
    return f"g:{_given(data, given)}"


def keys_for_name(data: NameData, name: str) -> list[str]:
    """The keys a written name produces (for aliases and renames added by analysts)."""
    words = [w for w in name.replace("’", "'").split() if w]
    if not words:
        return []
    if len(words) == 1:
        return [family_key(data, words[0])]
    given, family = split_name(words, data)
    if given and family:
        if _is_initial(given):
            return [initial_key(data, given, family)]
        initials = middle_initials(" ".join(words))
        if initials:
            return [full_key(data, given, family), initials_key(data, given, family, initials)]
        return [full_key(data, given, family)]
    if family and _INITIAL.match(words[0]):
        return [initial_key(data, words[0], family)]  # "J. Smith": split_name leaves initials out of the given name
    return [family_key(data, family)] if family else []


def _is_initial(given: str) -> bool:
    return bool(_INITIAL.match(given.split()[0])) or len(given.rstrip(".")) == 1


# --------------------------------------------------------------------------------------- db helpers


def _raw(conn: Connection):  # noqa: ANN202 - the sqlite3 connection under SQLAlchemy
    """The DB-API connection, inside the caller's transaction: no per-statement SQLAlchemy overhead."""
    return conn.connection.dbapi_connection


def _x(conn: Connection, sql: str, params=()):  # noqa: ANN001, ANN202
    if isinstance(params, list):
        return _raw(conn).executemany(sql, params)
    return _raw(conn).execute(sql, params)


def _q(conn: Connection, sql: str, params: tuple = ()) -> list[tuple]:
    return _raw(conn).execute(sql, params).fetchall()


# ------------------------------------------------------------------------------ the person-key cache

#: ``key < prefix + _TOP`` ends a prefix's key range (as the range queries below do)
_TOP = "\U0010ffff"
#: ``Connection.info`` key of the connection's :class:`KeyCache`, inside the dict that the engine drops
#: when the connection rolls back (see ``etl.db.engine.ROLLBACK_DROPS``)
_CACHE = "person_keys"
#: Off: every lookup goes to the database (for tests that compare the two)
USE_CACHE = True


class KeyCache:
    """The ``person_keys`` rows the run's writer has looked up, kept equal to the table.

    The writer resolves every article's names with a dozen lookups on ``person_keys``; the same
    people recur, so most of those lookups ask what was asked before.  This cache answers them:

    - ``rows``: key -> its rows ``(id, person_id, anchor_id, curated)`` in id order ([] for a key
      that no row has), read on first use;
    - ``prefixes``: a key prefix (ending in ``|``) -> the keys in its range that have rows (all of
      them in ``rows``), read with one range query on first use.

    Exact, not approximate: every write to ``person_keys`` in this module updates it (or evicts the
    keys it touched).  It is used only while *armed*: from ``etl.db.load.start_batch`` to
    ``finish_batch``, i.e. inside the run's write transactions.  Arming reads ``PRAGMA data_version``
    and empties the cache if another connection (an analyst's ``etl people`` command) committed
    since; a rollback of the transaction (engine event) drops it, and a rolled back article's
    savepoint (``load.batch_rollback``) empties it.  A write through this module while the cache is
    not armed drops it.  Bounded: emptied when it holds more than :attr:`MAX_ENTRIES` keys and
    prefixes (about 350 bytes each, so 10 MB when full).
    """

    MAX_ENTRIES = 30_000

    __slots__ = ("rows", "prefixes", "version", "armed")

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {}
        self.prefixes: dict[str, set[str]] = {}
        self.version: int | None = None
        self.armed = False

    def clear(self) -> None:
        self.rows = {}
        self.prefixes = {}

    def _room(self, n: int = 1) -> None:
        if len(self.rows) + len(self.prefixes) + n > self.MAX_ENTRIES:
            self.clear()

    def key_rows(self, conn: Connection, key: str) -> list[tuple]:
        got = self.rows.get(key)
        if got is None:
            self._room()
            got = self.rows[key] = _q(
                conn, "SELECT id, person_id, anchor_id, curated FROM person_keys WHERE key = ? ORDER BY id", (key,)
            )
        return got

    def load_keys(self, conn: Connection, keys: Iterable[str]) -> None:
        """Read the rows of those of ``keys`` not cached yet, a few hundred keys per query."""
        missing = [k for k in dict.fromkeys(keys) if k not in self.rows]
        if not missing:
            return
        self._room(len(missing))
        for start in range(0, len(missing), 400):  # keep under SQLite's limit on bound variables
            part = tuple(missing[start : start + 400])
            found: dict[str, list[tuple]] = {k: [] for k in part}
            for kid, key, pid, anchor, curated in _q(
                conn,
                f"SELECT id, key, person_id, anchor_id, curated FROM person_keys WHERE key IN "
                f"({','.join('?' * len(part))}) ORDER BY key, id",
                part,
            ):
                found[key].append((kid, pid, anchor, curated))
            self.rows.update(found)

    def prefix_keys(self, conn: Connection, prefix: str) -> list[str]:
        """The keys in ``prefix``'s range that have rows, in key order (as the range query's index gives)."""
        got = self.prefixes.get(prefix)
        if got is None:
            assert prefix.endswith("|"), prefix  # write-through finds the prefixes of a key by its "|"s
            self._room()
            rows: dict[str, list[tuple]] = {}
            for kid, key, pid, anchor, curated in _q(
                conn,
                "SELECT id, key, person_id, anchor_id, curated FROM person_keys WHERE key >= ? AND key < ? "
                "ORDER BY key, id",
                (prefix, prefix + _TOP),
            ):
                rows.setdefault(key, []).append((kid, pid, anchor, curated))
            self._room(len(rows))
            self.rows.update(rows)
            got = self.prefixes[prefix] = set(rows)
        return sorted(got)

    def _covering(self, key: str) -> list[str]:
        """The cached prefixes whose range holds ``key``."""
        out = []
        at = key.find("|")
        while at >= 0:
            prefix = key[: at + 1]
            if prefix in self.prefixes and key < prefix + _TOP:
                out.append(prefix)
            at = key.find("|", at + 1)
        return out

    def set_rows(self, key: str, rows: list[tuple]) -> None:
        """``key`` now has exactly ``rows`` (in id order)."""
        self.rows[key] = rows
        for prefix in self._covering(key):
            if rows:
                self.prefixes[prefix].add(key)
            else:
                self.prefixes[prefix].discard(key)

    def evict(self, keys: Iterable[str]) -> None:
        """Forget ``keys`` (and the prefixes over them): their rows changed in ways not followed here."""
        for key in keys:
            self.rows.pop(key, None)
            for prefix in self._covering(key):
                del self.prefixes[prefix]


def arm_cache(conn: Connection) -> None:
    """Use the connection's key cache from now until :func:`disarm_cache` (``load.start_batch``).

    Run inside the transaction: the cache is emptied when another connection has committed since it
    was last armed (``PRAGMA data_version`` changes only for other connections' commits).
    """
    if not USE_CACHE:
        return
    version = _q(conn, "PRAGMA data_version")[0][0]
    cache = conn.info.setdefault(ROLLBACK_DROPS, {}).get(_CACHE)
    if cache is None:
        cache = conn.info[ROLLBACK_DROPS][_CACHE] = KeyCache()
    if cache.armed or cache.version != version:  # armed: a batch neither finished nor rolled back
        cache.clear()
    cache.version = version
    cache.armed = True


def disarm_cache(conn: Connection) -> None:
    """Stop using the key cache until the next :func:`arm_cache`; it is kept (``load.finish_batch``)."""
    cache = _cache_of(conn)
    if cache is not None:
        cache.armed = False


def cache_rolled_back(conn: Connection) -> None:
    """A savepoint of the transaction was rolled back: what the cache holds may be gone."""
    cache = _cache_of(conn)
    if cache is not None:
        cache.clear()


def _cache_of(conn: Connection) -> KeyCache | None:
    drops = conn.info.get(ROLLBACK_DROPS)
    return drops.get(_CACHE) if drops else None


def _cache(conn: Connection) -> KeyCache | None:
    """The connection's key cache if it is armed."""
    cache = _cache_of(conn)
    return cache if cache is not None and cache.armed else None


def _writing(conn: Connection) -> KeyCache | None:
    """Before a write to ``person_keys``: the armed cache to update, or None (an unarmed cache is dropped)."""
    cache = _cache_of(conn)
    if cache is None or cache.armed:
        return cache
    conn.info[ROLLBACK_DROPS].pop(_CACHE, None)
    return None


def _plain_rows(rows: list[tuple]) -> bool:
    """Rows whose order ``_key_people``'s query fixes: one per person, ``curated`` 0 or 1."""
    return len({r[1] for r in rows}) == len(rows) and all(r[3] in (0, 1) for r in rows)


# ------------------------------------------------------------------------------------------ lookups


def _key_people(conn: Connection, key: str, anchor: int | None = None) -> list[int]:
    cache = _cache(conn)
    if cache is not None:
        rows = cache.key_rows(conn, key)
        if anchor is not None:
            return sorted({r[1] for r in rows if r[2] == anchor})
        if len(rows) < 2:  # what _plain_rows and the sort below give for one row or none
            if not rows:
                return []
            if rows[0][3] in (0, 1):
                return [rows[0][1]]
        elif _plain_rows(rows):
            return [r[1] for r in sorted(rows, key=lambda r: (-r[3], r[1]))]
    if anchor is None:
        rows = _q(conn, "SELECT DISTINCT person_id FROM person_keys WHERE key = ? ORDER BY curated DESC, person_id", (key,))
    else:
        rows = _q(
            conn,
            "SELECT DISTINCT person_id FROM person_keys WHERE key = ? AND anchor_id = ? ORDER BY person_id",
            (key, anchor),
        )
    return [r[0] for r in rows]


def _existing_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    """The ones of ``keys`` that some ``person_keys`` row has."""
    cache = _cache(conn)
    if cache is not None:
        cache.load_keys(conn, keys)
        return {k for k in keys if cache.key_rows(conn, k)}
    found: set[str] = set()
    for start in range(0, len(keys), 400):  # keep under SQLite's limit on bound variables
        part = tuple(keys[start : start + 400])
        found.update(r[0] for r in _q(
            conn, f"SELECT DISTINCT key FROM person_keys WHERE key IN ({','.join('?' * len(part))})", part
        ))
    return found


def _prefix_people(conn: Connection, prefix: str) -> dict[int, list[str]]:
    """People with a key starting with ``prefix`` (an index range scan), with those keys."""
    cache = _cache(conn)
    if cache is not None:
        found: dict[int, list[str]] = {}
        rows = cache.rows
        for key in cache.prefix_keys(conn, prefix):
            for row in rows[key]:
                keys = found.get(row[1])
                if keys is None:
                    found[row[1]] = [key]
                else:
                    keys.append(key)
        return found
    out: dict[int, list[str]] = defaultdict(list)
    for key, pid in _q(
        conn, "SELECT key, person_id FROM person_keys WHERE key >= ? AND key < ?", (prefix, prefix + _TOP)
    ):
        out[pid].append(key)
    return out


def _add_key(conn: Connection, person_id: int, key: str, anchor: int | None = None, curated: bool = False) -> None:
    cache = _writing(conn)
    if cache is not None:
        rows = cache.key_rows(conn, key)
        exists = [r for r in rows if r[1] == person_id and (r[2] == anchor if anchor is not None else r[2] is None)]
    else:
        exists = _q(
            conn,
            "SELECT id FROM person_keys WHERE key = ? AND person_id = ? AND anchor_id IS ?",
            (key, person_id, anchor),
        )
    if exists:
        if curated:
            _x(conn, "UPDATE person_keys SET curated = 1 WHERE id = ?", (exists[0][0],))
            if cache is not None:
                cache.set_rows(key, [(r[0], r[1], r[2], 1) if r[0] == exists[0][0] else r for r in rows])
        return
    cur = _x(conn,
        "INSERT INTO person_keys (key, person_id, anchor_id, curated) VALUES (?, ?, ?, ?)",
        (key, person_id, anchor, int(curated)),
    )
    if cache is not None:
        cache.set_rows(key, [*rows, (cur.lastrowid, person_id, anchor, int(curated))])


def _create_person(
    conn: Connection, name: str, given: str | None, family: str | None, key: str, run_id: int | None,
    anchor: int | None = None, curated: bool = False,
) -> int:
    cur = _x(conn, 
        "INSERT INTO people (name, given_name, family_name, name_key, mention_count, article_count, curated, "
        "first_run_id) VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
        (name, given, family, key, int(curated), run_id),
    )
    pid = cur.lastrowid
    _add_key(conn, pid, key, anchor, curated)
    return pid


def _person(conn: Connection, pid: int) -> tuple | None:
    rows = _q(conn, "SELECT id, name, given_name, family_name, name_key, curated FROM people WHERE id = ?", (pid,))
    return rows[0] if rows else None


# ----------------------------------------------------------------------------------------- resolving


def _full_facts(data: NameData, name: str, given: str, family: str) -> tuple:
    """What :func:`_resolve_full` derives from a full name alone, remembered per NameData (names recur):
    (its ``f:`` key, family key, given is an initial, middle initials, ``m:`` key or None, ``m:`` prefix)."""
    memo = _caches(data)[5]
    facts = memo.get((name, given, family))
    if facts is None:
        if len(memo) > _MEMO_MAX:
            memo.clear()
        initials = middle_initials(name)
        fk = _family(data, family)
        facts = memo[name, given, family] = (
            full_key(data, given, family),
            fk,
            _is_initial(given),
            initials,
            initials_key(data, given, family, initials) if initials else None,
            f"m:{fk}|{_given(data, given)}|",
        )
    return facts


def _resolve_full(conn: Connection, data: NameData, ref: PersonRef, run_id: int | None) -> int:
    """A full name: its key; conflicting middle initials split ("George W. Bush" / "George H. W. Bush")."""
    given, family = ref.given or "", ref.family or ""
    key, fk, initial, initials, mkey, mprefix = _full_facts(data, ref.name, given, family)
    if initial:
        return _resolve_initial(conn, data, given, family, ref.name, run_id)
    hits = _key_people(conn, key)
    if initials:
        exact = _key_people(conn, mkey)
        if exact:
            return exact[0]
        # people of this name whose recorded middle initials differ are other people
        free = [pid for pid in hits if not _prefix_people_of(conn, pid, mprefix)]
        if free:
            _add_key(conn, free[0], mkey)
            return free[0]
        if hits:
            pid = _create_person(conn, ref.name, given, family, key, run_id)
            _add_key(conn, pid, mkey)
            for other in hits:
                refresh_name(conn, other)  # its middle initials now tell it apart: show them
            return pid
    if hits:
        return hits[0]  # with several (different middle initials), the oldest
    full = _prefix_people(conn, f"f:{fk}|")
    if not full:
        # upgrade a person known only by the family name, or by an initial and the family name ("O. Petrenko"
        # for "Oleh Petrenko"), when there is exactly one: same id, earlier mentions follow
        for old_key in (initial_key(data, given, family), f"s:{fk}"):
            old = _key_people(conn, old_key)
            if len(old) == 1 and not _curated_key(conn, old[0], old_key):
                pid = old[0]
                cache = _writing(conn)
                _x(conn, "DELETE FROM person_keys WHERE person_id = ? AND key = ? AND curated = 0", (pid, old_key))
                if cache is not None:
                    cache.set_rows(old_key, [
                        r for r in cache.key_rows(conn, old_key) if not (r[1] == pid and r[3] == 0)
                    ])
                _x(conn,
                    "UPDATE people SET given_name = ?, family_name = ?, name_key = ? WHERE id = ?", (given, family, key, pid)
                )
                _add_key(conn, pid, key)
                if initials:
                    _add_key(conn, pid, mkey)
                return pid
    pid = _create_person(conn, f"{given} {family}", given, family, key, run_id)
    if initials:
        _add_key(conn, pid, mkey)
    return pid


def _prefix_people_of(conn: Connection, pid: int, prefix: str) -> bool:
    cache = _cache(conn)
    if cache is not None:
        return any(r[1] == pid for key in cache.prefix_keys(conn, prefix) for r in cache.rows[key])
    return bool(_q(
        conn, "SELECT 1 FROM person_keys WHERE person_id = ? AND key >= ? AND key < ? LIMIT 1",
        (pid, prefix, prefix + "\U0010ffff"),
    ))


def _resolve_initial(conn: Connection, data: NameData, initial: str, family: str, name: str, run_id: int | None) -> int:
    """An initial and a family name ("J. Smith"): the one full-named person it fits, else its own person.

    "J. Smith" and "K. Smith" never meet; with no full-named "J..." Smith (or several) it is a person of its own
    (key ``i:smith|j``), upgraded in place when a full "John Smith" arrives and is the only candidate.
    """
    fk = _family(data, family)
    letter = data.fold(initial)[:1]
    cands = [
        pid for pid, keys in _prefix_people(conn, f"f:{fk}|").items()
        if any(k.split("|", 1)[1].startswith(letter) for k in keys)
    ]
    if len(cands) == 1:
        return cands[0]
    key = initial_key(data, initial, family)
    hits = _key_people(conn, key)
    if hits:
        return hits[0]
    return _create_person(conn, name, initial, family, key, run_id)


def _uncurated_people(conn: Connection, key: str) -> list[int]:
    """``[pid for pid in _key_people(conn, key) if not _curated_key(conn, pid, key)]`` in one query.

    The people left have only uncurated rows for the key, so _key_people's order among them is by id.
    """
    cache = _cache(conn)
    if cache is not None:
        rows = [(r[1], r[3]) for r in cache.key_rows(conn, key)]
    else:
        rows = _q(conn, "SELECT person_id, curated FROM person_keys WHERE key = ?", (key,))
    if all(c in (0, 1) for _, c in rows):
        return sorted({pid for pid, _ in rows} - {pid for pid, c in rows if c == 1})
    return [pid for pid in _key_people(conn, key) if not _curated_key(conn, pid, key)]


def _curated_key(conn: Connection, pid: int, key: str) -> bool:
    cache = _cache(conn)
    if cache is not None:
        return any(r[1] == pid and r[3] == 1 for r in cache.key_rows(conn, key))
    return bool(_q(conn, "SELECT 1 FROM person_keys WHERE person_id = ? AND key = ? AND curated = 1", (pid, key)))


def _resolve_family(conn: Connection, data: NameData, ref: PersonRef, run_id: int | None) -> int:
    family = ref.family or ref.name
    fk = _family(data, family)
    full = _prefix_people(conn, f"f:{fk}|")
    notable = data.notable.get(fk, ())
    if len(full) == 1:
        return next(iter(full))
    if len(full) > 1 and notable:
        nkey = full_key(data, notable[0][1], notable[0][2])
        hits = [pid for pid, keys in full.items() if nkey in keys]
        if len(hits) == 1:
            return hits[0]
    if not full and notable:
        full_name, given, fam = notable[0]
        return _create_person(conn, full_name, given, fam, full_key(data, given, fam), run_id)
    fam = _key_people(conn, f"s:{fk}")
    if fam:
        return fam[0]
    return _create_person(conn, family, None, family, f"s:{fk}", run_id)


def _resolve_given(conn: Connection, data: NameData, ref: PersonRef, anchor: int | None, run_id: int | None) -> int:
    given = ref.given or ref.name
    key = given_only_key(data, given)
    hits = _key_people(conn, key, anchor) if anchor is not None else []
    if hits:
        return hits[0]
    return _create_person(conn, given, given, None, key, run_id, anchor=anchor)


@dataclass
class Later:
    """What a batch of articles leaves for the end of the batch (see ``etl.db.load.finish_batch``).

    People's names and their alias counts are read by nothing in the resolution of the next
    articles except merges (and a replaced article's forgetting), so they are written once per batch:
    the same people and spellings recur across a batch.  :meth:`flush` writes them in the order they
    came, so the rows are those that writing after every article gives.
    """

    names: set[int] = field(default_factory=set)  # people whose name needs a refresh
    aliases: Counter = field(default_factory=Counter)  # (person id, alias) -> mentions to add

    def flush(self, conn: Connection) -> None:
        if self.aliases:
            _bump_aliases(conn, self.aliases)
            self.aliases = Counter()
        if self.names:
            refresh_names(conn, self.names)
            self.names = set()

    def copy(self) -> "Later":
        return Later(set(self.names), Counter(self.aliases))


def resolve_refs(
    conn: Connection,
    article_id: int,
    refs: Sequence[PersonRef],
    counts: Mapping[str, int],
    run_id: int | None,
    later: Later | None = None,
) -> dict[str, int]:
    """PersonRef.key -> people.id for one article (creating, upgrading and merging people as needed).

    ``later``: names and alias counts waiting for the end of the batch (see :func:`resolve_article`);
    a merge reads and moves them, so they are written first.
    """
    data = _data()
    out: dict[str, int] = {}
    order = sorted(refs, key=lambda r: (r.family is None, -counts.get(r.key, 0)))
    touched_families: set[str] = set()
    scoped_keys = {k: pid for k, pid in _q(
        conn, "SELECT key, person_id FROM person_keys WHERE key >= ? AND key < ?",
        (f"a:{article_id}:", f"a:{article_id}:\U0010ffff"),
    )}
    for ref in order:
        if ref.family is None:
            continue
        if scoped_keys:
            base = full_key(data, ref.given, ref.family) if ref.given else family_key(data, ref.family)
            scoped = scoped_keys.get(f"a:{article_id}:{base}")
        else:
            scoped = None
        if scoped:
            out[ref.key] = scoped
        elif ref.given:
            out[ref.key] = _resolve_full(conn, data, ref, run_id)
        else:
            out[ref.key] = _resolve_family(conn, data, ref, run_id)
        touched_families.add(_family(data, ref.family))
    # the article's main full-named person anchors its single-name people
    anchor = None
    for ref in order:
        if ref.family is not None and ref.key in out:
            anchor = out[ref.key]
            break
    for ref in order:
        if ref.family is None:
            scoped = scoped_keys.get(f"a:{article_id}:{given_only_key(data, ref.given or ref.name)}") if scoped_keys else None
            out[ref.key] = scoped or _resolve_given(conn, data, ref, anchor, run_id)
    # a family-only person left with exactly one full-named person of its family joins that person.  Which
    # ``s:`` keys exist at all is read once: nothing below adds a key (merges move or delete them), so a
    # family whose key is missing now would find no one, and is skipped
    present = _existing_keys(conn, [f"s:{fk}" for fk in touched_families])
    for fk in touched_families:
        if f"s:{fk}" not in present:
            continue
        fam = _uncurated_people(conn, f"s:{fk}")
        if not fam:
            continue
        full = _prefix_people(conn, f"f:{fk}|")
        if len(full) == 1:
            target = next(iter(full))
            for pid in fam:
                if pid != target:
                    if later is not None:
                        later.flush(conn)
                    keep, drop = min(pid, target), max(pid, target)
                    merge_into(conn, drop, keep)
                    out = {k: (keep if v == drop else v) for k, v in out.items()}
                    target = keep
    return out


def resolve_article(
    conn: Connection,
    article_id: int,
    refs: Sequence[PersonRef],
    mentions: Sequence[Mention],
    paragraph_ids: Mapping[int, int],
    run_id: int | None,
    live: bool | None = None,
    later: Later | None = None,
) -> None:
    """Insert the article's mention rows linked to people; update people, aliases and counts.

    ``live``: whether the article is live (not soft-deleted), when the caller knows; else it is read.
    ``later``: instead of adding the article's alias counts and refreshing its people's names now,
    add them to ``later``; the caller flushes it (:meth:`Later.flush`) before its transaction
    commits.  A name depends only on the person's aliases and keys as they end up, so refreshing
    the people of a whole batch once gives the names that refreshing after every article gives, for
    a fraction of the queries.
    """
    if not mentions:
        return
    counts = Counter(map(_PERSON_OF, mentions))
    ids = resolve_refs(conn, article_id, [r for r in refs if r.key in counts], counts, run_id, later)
    names = {r.key: r.name for r in refs}
    rows = []
    append = rows.append
    for paragraph, char_start, char_end, surface, person in map(_MENTION_FIELDS, mentions):
        pid = ids.get(person)
        para = paragraph_ids.get(paragraph)
        if pid is None or para is None:
            continue
        append((pid, para, article_id, char_start, char_end, surface, names.get(person, surface)))
    if not rows:
        return
    insert_rows(
        _raw(conn),
        "INSERT INTO mentions (person_id, paragraph_id, article_id, char_start, char_end, surface, article_name)",
        rows,
    )
    aliases = [(r[0], r[5]) for r in rows]  # (person, surface): a mention each
    if later is None:
        _bump_aliases(conn, Counter(aliases))
    else:
        later.aliases.update(aliases)  # counted as the Counter of them would add them (same keys, same order)
    per_person = Counter([r[0] for r in rows])
    if live is None:
        live = _article_live(conn, article_id)
    if live:
        _x(conn, 
            "UPDATE people SET mention_count = mention_count + ?, article_count = article_count + 1 WHERE id = ?",
            [(n, pid) for pid, n in per_person.items()],
        )
    if later is None:
        refresh_names(conn, per_person)
    else:
        later.names.update(per_person)


def _article_live(conn: Connection, article_id: int) -> bool:
    row = _q(conn, "SELECT deleted_at IS NULL FROM articles WHERE id = ?", (article_id,))
    return bool(row and row[0][0])


def _bump_aliases(conn: Connection, alias_counts: Mapping[tuple[int, str], int]) -> None:
    insert_rows(
        _raw(conn),
        "INSERT INTO person_aliases (person_id, alias, count)",
        [(pid, alias, n) for (pid, alias), n in alias_counts.items()],
        " ON CONFLICT (person_id, alias) DO UPDATE SET count = count + excluded.count",
    )


# ------------------------------------------------------------------------------ forgetting, counting


def forget_article(conn: Connection, article_id: int, live: bool | None = None) -> None:
    """Remove an article's mentions before it is replaced or deleted; keep people, aliases and counts right.

    People left with no mentions at all are removed unless an analyst curated them.  ``live``: whether
    the article is live (not soft-deleted), when the caller knows; else it is read.
    """
    rows = _q(
        conn,
        "SELECT person_id, surface, count(*) FROM mentions WHERE article_id = ? GROUP BY person_id, surface",
        (article_id,),
    )
    if not rows:
        return
    if live is None:
        live = _article_live(conn, article_id)
    per_person: Counter = Counter()
    for pid, _surface, n in rows:
        per_person[pid] += n
    _x(conn,
        "UPDATE person_aliases SET count = count - ? WHERE person_id = ? AND alias = ?",
        [(n, pid, surface) for pid, surface, n in rows],
    )
    _x(conn, "DELETE FROM mentions WHERE article_id = ?", (article_id,))
    if live:
        _x(conn,
            "UPDATE people SET mention_count = max(mention_count - ?, 0), article_count = max(article_count - 1, 0) "
            "WHERE id = ?",
            [(n, pid) for pid, n in per_person.items()],
        )
    # an alias an analyst added (an ``l:`` key) stays at zero; the key range uses the index on ``key``
    _x(conn,
        "DELETE FROM person_aliases WHERE person_id = ? AND count <= 0 AND alias NOT IN "
        "(SELECT substr(key, 3) FROM person_keys WHERE person_id = ? AND key >= 'l:' AND key < 'l;' "
        "AND key LIKE 'l:%')",
        [(pid, pid) for pid in per_person],
    )
    # which of them are left unused, in one query: dropping one person changes no other's mentions or curation
    pids = list(per_person)
    unused: set[int] = set()
    for start in range(0, len(pids), 400):  # keep under SQLite's limit on bound variables
        part = tuple(pids[start : start + 400])
        unused.update(r[0] for r in _q(
            conn,
            f"SELECT id FROM people WHERE id IN ({','.join('?' * len(part))}) AND NOT coalesce(curated, 0) "
            "AND NOT EXISTS (SELECT 1 FROM mentions WHERE person_id = people.id)",
            part,
        ))
    for pid in pids:
        if pid in unused:
            _drop(conn, pid)


def _drop(conn: Connection, pid: int) -> None:
    """Remove a person with their aliases and keys (the caller checked they have no mentions)."""
    _x(conn, "DELETE FROM person_aliases WHERE person_id = ?", (pid,))
    cache = _writing(conn)
    gone = _q(conn, "DELETE FROM person_keys WHERE person_id = ? RETURNING key", (pid,))
    if cache is not None:
        for key in {k for (k,) in gone}:
            if key in cache.rows:
                cache.set_rows(key, [r for r in cache.rows[key] if r[1] != pid])
    _x(conn, "DELETE FROM people WHERE id = ?", (pid,))


def refresh_counts(conn: Connection, article_ids: Iterable[int] | None = None) -> None:
    """Recount mentions and articles of live articles, for the people of ``article_ids`` (or everyone)."""
    if article_ids is None:
        where, params = "", ()
    else:
        ids = list(article_ids)
        if not ids:
            return
        marks = ",".join("?" for _ in ids)
        where = f" WHERE id IN (SELECT DISTINCT person_id FROM mentions WHERE article_id IN ({marks}))"
        params = tuple(ids)
    _x(conn, 
        "UPDATE people SET "
        "mention_count = (SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id "
        "WHERE m.person_id = people.id AND a.deleted_at IS NULL), "
        "article_count = (SELECT count(DISTINCT m.article_id) FROM mentions m JOIN articles a ON a.id = m.article_id "
        "WHERE m.person_id = people.id AND a.deleted_at IS NULL)" + where,
        params,
    )


def _recount(conn: Connection, pid: int) -> None:
    _x(conn, 
        "UPDATE people SET "
        "mention_count = (SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id "
        "WHERE m.person_id = ? AND a.deleted_at IS NULL), "
        "article_count = (SELECT count(DISTINCT m.article_id) FROM mentions m JOIN articles a ON a.id = m.article_id "
        "WHERE m.person_id = ? AND a.deleted_at IS NULL) WHERE id = ?",
        (pid, pid, pid),
    )


# ------------------------------------------------------------------------------------ names, merging


_MISSING = object()
#: per NameData (by id, checked): (data, alias parses, name splits, family keys, given keys, full names'
#: facts); each memo is emptied when it passes _MEMO_MAX entries
_PARSED: dict[int, tuple] = {}
_MEMO_MAX = 20_000
_LAST: list = [None, None]  # the NameData asked for last, and its entry


def _caches(data: NameData) -> tuple:
    if _LAST[0] is data:
        return _LAST[1]
    entry = _PARSED.get(id(data))
    if entry is None or entry[0] is not data:
        if len(_PARSED) > 8:
            _PARSED.clear()
        entry = _PARSED[id(data)] = (data, {}, {}, {}, {}, {})
    _LAST[0], _LAST[1] = data, entry
    return entry


def _alias_forms(data: NameData) -> dict[str, tuple[str, str] | None]:
    """alias -> its parse (see :func:`_parse_alias`), remembered per NameData: ``split_name`` is the costly part."""
    return _caches(data)[1]


def _split_full(data: NameData, name: str) -> tuple[str | None, str | None]:
    """``split_name(name.split(), data)``, remembered per NameData (it depends on nothing else)."""
    splits = _caches(data)[2]
    got = splits.get(name)
    if got is None:
        if len(splits) > _MEMO_MAX:
            splits.clear()
        got = splits[name] = split_name(name.split(), data)
    return got


def _parse_alias(data: NameData, alias: str) -> tuple[str, str] | None:
    """A full-name alias as (form without middle initials, form as written); None when it is not a full name."""
    words = alias.split()
    if len(words) < 2:
        return None
    g, f = split_name(words, data)
    if not g or not f or _is_initial(g):
        return None
    return " ".join(w for w in words if not _INITIAL.match(w)), " ".join(words)


def canonical_name(
    data: NameData,
    aliases: Sequence[tuple[str, int]],
    given: str | None,
    family: str | None,
    keep_initials: bool = False,
) -> str | None:
    """The most complete common form: the most frequent full-name alias, middle initials dropped.

    Ties: the spelling of the rules' ``notable`` list ("Volodymyr Zelensky"), then the longer form, then the first in
    alphabetical order ("Sergei Lavrov" before "Sergey Lavrov").
    With ``keep_initials`` (another person has the same given and family name, and the middle initials tell
    them apart: "George W. Bush" / "George H. W. Bush") the forms with middle initials are kept and preferred.
    """
    forms: dict[str, int] = {}  # insertion ordered, as the Counter this replaced
    parsed = _alias_forms(data)
    pick = 1 if keep_initials else 0
    for alias, n in aliases:
        both = parsed.get(alias, _MISSING)
        if both is _MISSING:
            if len(parsed) > _MEMO_MAX:
                parsed.clear()
            both = parsed[alias] = _parse_alias(data, alias)
        if both is None:
            continue
        form = both[pick]
        forms[form] = forms.get(form, 0) + (n if n > 1 else 1)
    if forms:
        if keep_initials:
            def rank(kv: tuple[str, int]) -> tuple[int, int]:
                return (-bool(middle_initials(kv[0])), -kv[1])

            top = min(map(rank, forms.items()))
            tied = [kv for kv in forms.items() if rank(kv) == top]
        else:  # rank (0, -count): the highest count
            best = max(forms.values())
            tied = [kv for kv in forms.items() if kv[1] == best]
        if len(tied) == 1:
            return tied[0][0]
        preferred = set()
        for form, _ in tied:
            g, f = split_name(form.split(), data)
            for full, _, _ in data.notable.get(_family(data, f or ""), ()):
                preferred.add(" ".join(w for w in full.split() if not _INITIAL.match(w)))
        return min(
            tied,
            key=lambda kv: (
                " ".join(w for w in kv[0].split() if not _INITIAL.match(w)) not in preferred,
                -len(kv[0]),
                kv[0],
            ),
        )[0]
    if given and family:
        return f"{given} {family}"
    if aliases:
        return max(aliases, key=lambda a: (a[1], len(a[0])))[0]
    return None


def refresh_name(conn: Connection, pid: int) -> None:
    """Recompute a person's canonical name (unless an analyst named them) and given/family columns."""
    refresh_names(conn, (pid,))


def refresh_names(conn: Connection, pids: Iterable[int]) -> None:
    """:func:`refresh_name` for several people, with a few set-based queries instead of several per person.

    Each person's result depends only on its own row, aliases and keys (and on which people share its full-name
    key), so the batch gives exactly what refreshing them one by one gives.
    """
    ids = sorted(set(pids))
    for start in range(0, len(ids), 400):  # keep under SQLite's limit on bound variables
        _refresh_chunk(conn, ids[start : start + 400])


def _refresh_chunk(conn: Connection, ids: list[int]) -> None:
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    people = {r[0]: r for r in _q(
        conn, f"SELECT id, name, given_name, family_name FROM people WHERE id IN ({marks})", tuple(ids)
    )}
    if not people:
        return
    # an analyst's name (a curated ``n:`` key) wins; with several, the oldest key row (as a table scan finds it).
    # One read for the ``n:`` and the ``m:`` keys of these people (the ``m:`` ones for _initials_tell_apart_many)
    locked: dict[int, tuple[int, str]] = {}
    mkeys: list[tuple[int, str]] = []
    for pid, kid, key, curated in _q(
        conn,
        f"SELECT person_id, id, key, curated FROM person_keys WHERE person_id IN ({marks}) "
        "AND ((key >= 'n:' AND key < 'n;') OR (key >= 'm:' AND key < 'm;'))",
        tuple(ids),
    ):
        if key[0] == "m":
            mkeys.append((pid, key))
        elif curated == 1 and (pid not in locked or kid < locked[pid][0]):
            locked[pid] = (kid, key)
    aliases: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for pid, alias, n in _q(
        conn,
        f"SELECT person_id, alias, count FROM person_aliases WHERE person_id IN ({marks}) ORDER BY person_id, alias",
        tuple(ids),
    ):
        aliases[pid].append((alias, n))
    apart = _initials_tell_apart_many(conn, ids, marks, mkeys)
    data = _data()
    updates = []
    for pid in ids:
        person = people.get(pid)
        if person is None:
            continue
        if pid in locked:
            name = locked[pid][1][2:]
            if name != person[1]:
                updates.append((name, person[2], person[3], pid))
            continue
        name = canonical_name(data, aliases.get(pid, ()), person[2], person[3], keep_initials=pid in apart)
        if not name:
            continue
        if len(name.split()) >= 2:
            given, family = _split_full(data, name)
        else:
            given, family = person[2], person[3]
        if (name, given, family) != (person[1], person[2], person[3]):
            updates.append((name, given, family, pid))
    if updates:
        _x(conn, "UPDATE people SET name = ?, given_name = ?, family_name = ? WHERE id = ?", updates)


def _initials_tell_apart_many(
    conn: Connection, ids: list[int], marks: str, mkeys: Iterable[tuple[int, str]] | None = None
) -> set[int]:
    """The people among ``ids`` with recorded middle initials who share their full-name key with someone else.

    ``mkeys``: the ``(person_id, key)`` of their ``m:`` keys, when the caller has read them already.
    """
    if mkeys is None:
        mkeys = _q(
            conn, f"SELECT person_id, key FROM person_keys WHERE key >= 'm:' AND key < 'm;' AND person_id IN ({marks})",
            tuple(ids),
        )
    fkeys: dict[int, set[str]] = defaultdict(set)
    for pid, mkey in mkeys:
        fkeys[pid].add("f:" + mkey[2:].rsplit("|", 1)[0])
    if not fkeys:
        return set()
    wanted = sorted(set().union(*fkeys.values()))
    holders: dict[str, set[int]] = defaultdict(set)
    for start in range(0, len(wanted), 400):
        part = wanted[start : start + 400]
        for key, pid in _q(
            conn, f"SELECT key, person_id FROM person_keys WHERE key IN ({','.join('?' * len(part))})", tuple(part)
        ):
            holders[key].add(pid)
    return {pid for pid, keys in fkeys.items() if any(holders[k] - {pid} for k in keys)}


def _initials_tell_apart(conn: Connection, pid: int) -> bool:
    """Does this person have recorded middle initials and share its full-name key with someone else?"""
    return pid in _initials_tell_apart_many(conn, [pid], "?")


def merge_into(conn: Connection, src: int, dst: int, curated: bool = False) -> None:
    """Fold person ``src`` into ``dst``: mentions repointed, aliases and keys folded, ``src`` removed."""
    if src == dst:
        return
    _x(conn, "UPDATE mentions SET person_id = ? WHERE person_id = ?", (dst, src))
    aliases = _q(conn, "SELECT alias, count FROM person_aliases WHERE person_id = ?", (src,))
    _x(conn, "DELETE FROM person_aliases WHERE person_id = ?", (src,))
    if aliases:
        _bump_aliases(conn, {(dst, a): n for a, n in aliases})
    cache = _writing(conn)
    moved: list[tuple] = []  # the keys of the rows changed below (RETURNING), for the key cache
    if curated:
        moved += _q(conn, "UPDATE person_keys SET curated = 1 WHERE person_id = ? RETURNING key", (src,))
    moved += _q(conn,
        "UPDATE person_keys SET person_id = ? WHERE person_id = ? AND key NOT LIKE 'n:%' RETURNING key", (dst, src)
    )
    moved += _q(conn, "UPDATE person_keys SET anchor_id = ? WHERE anchor_id = ? RETURNING key", (dst, src))
    src_row = _person(conn, src)
    if src_row and src_row[5]:
        _x(conn, "UPDATE people SET curated = 1 WHERE id = ?", (dst,))
    dst_row = _person(conn, dst)
    if dst_row and src_row and not dst_row[2] and src_row[2] and src_row[3]:
        _x(conn, 
            "UPDATE people SET given_name = ?, family_name = ?, name_key = ? WHERE id = ?",
            (src_row[2], src_row[3], src_row[4], dst),
        )
    moved += _q(conn, "DELETE FROM person_keys WHERE person_id = ? RETURNING key", (src,))
    if cache is not None:
        cache.evict({k for (k,) in moved})
    _x(conn, "DELETE FROM people WHERE id = ?", (src,))
    _recount(conn, dst)
    refresh_name(conn, dst)
