"""The writer's fast paths give exactly what the plain versions they replaced give."""

from __future__ import annotations

import random
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from etl import resolve
from etl.db import migrate
from etl.db.engine import EXACT_ROWS, INSERT_VARIABLES, _chunk_sizes, insert_rows
from etl.rules import default_rules
from etl.transform.names import NameData, name_data, split_name
from tests.people_fixtures import random_person_keys

_INITIAL = re.compile(r"^[^\W\d_]\.$")


def _db(path: Path) -> sqlite3.Connection:
    migrate.upgrade(path)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(
        "INSERT INTO articles (source_path, word_count, paragraph_count, sha256, size_bytes, mtime_ns, encoding, "
        "raw_text, rules_version) VALUES ('a.txt', 0, 0, '', 0, 0, 'utf-8', '', '')"
    )
    return db


@pytest.mark.parametrize("count", [1, 7, 33, 97, INSERT_VARIABLES // 6, INSERT_VARIABLES // 6 * 2 + 3, INSERT_VARIABLES])
def test_insert_rows_writes_what_executemany_writes(tmp_path: Path, count: int) -> None:
    rng = random.Random(count)
    words = ["Zelensky", "minister", "Kyiv", "élan", "naïve", "shelling", "‘quoted’", "talks"]
    rows = [(1, i, rng.choice(["body", "caption"]), " ".join(rng.choices(words, k=8)), i, i + 1) for i in range(count)]
    fps = [(f"{rng.randrange(20):032x}", 1, f"sample {i}", 0) for i in range(count)]  # repeated keys: upserts
    head = "INSERT INTO paragraphs (article_id, position, kind, text, line_start, line_end)"
    upsert = " ON CONFLICT (fingerprint) DO UPDATE SET article_count = article_count + 1"
    plain, fast = _db(tmp_path / "plain.db"), _db(tmp_path / "fast.db")
    for db in (plain, fast):
        db.execute("BEGIN")
        db.execute("SAVEPOINT s")
    plain.executemany(head + " VALUES (?, ?, ?, ?, ?, ?)", rows)
    plain.executemany(
        "INSERT INTO line_fingerprints (fingerprint, article_count, sample, frequent) VALUES (?, ?, ?, ?)" + upsert, fps
    )
    returned = insert_rows(fast, head, rows, returning="position, id")
    insert_rows(fast, "INSERT INTO line_fingerprints (fingerprint, article_count, sample, frequent)", fps, upsert)
    for db in (plain, fast):
        db.execute("RELEASE s")
        db.execute("COMMIT")
    for sql in (
        "SELECT * FROM paragraphs ORDER BY id",
        "SELECT * FROM line_fingerprints ORDER BY fingerprint",
        "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH 'zelensky OR elan' ORDER BY rowid",
        "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH 'naive AND quoted' ORDER BY rowid",
    ):
        assert plain.execute(sql).fetchall() == fast.execute(sql).fetchall(), sql
    assert dict(returned) == dict(plain.execute("SELECT position, id FROM paragraphs"))
    assert insert_rows(fast, head, []) == []


def _reference_canonical_name(
    data: NameData, aliases: Sequence[tuple[str, int]], given: str | None, family: str | None, keep_initials: bool
) -> str | None:
    """canonical_name as it was before its fast path (Counter, one rank for both cases)."""
    forms: Counter = Counter()
    for alias, n in aliases:
        words = alias.split()
        if len(words) < 2:
            continue
        g, f = split_name(words, data)
        if not g or not f or resolve._is_initial(g):
            continue
        both = " ".join(w for w in words if not _INITIAL.match(w)), " ".join(words)
        forms[both[1 if keep_initials else 0]] += max(n, 1)
    if forms:
        def rank(kv: tuple[str, int]) -> tuple[int, int]:
            return (-(keep_initials and bool(resolve.middle_initials(kv[0]))), -kv[1])

        top = min(map(rank, forms.items()))
        tied = [kv for kv in forms.items() if rank(kv) == top]
        if len(tied) == 1:
            return tied[0][0]
        preferred = set()
        for form, _ in tied:
            g, f = split_name(form.split(), data)
            for full, _, _ in data.notable.get(data.family_key(f or ""), ()):
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


def test_canonical_name_fast_path_matches_the_reference() -> None:
    data = name_data(default_rules())
    pool = [
        "Volodymyr Zelensky", "Volodymyr Zelenskyy", "Zelensky", "Sergei Lavrov", "Sergey Lavrov", "George W. Bush",
        "George H. W. Bush", "George Bush", "Bush", "Mark A. Milley", "Mark Milley", "J. Smith", "John Smith",
        "Olena", "Yulia Volkova", "Yuliia Volkova", "von der Leyen", "Ursula von der Leyen", "Al-Assad",
    ]
    rng = random.Random(7)
    for _ in range(3000):
        aliases = sorted({a: rng.choice([0, 1, 1, 2, 3, 5]) for a in rng.sample(pool, rng.randint(0, 6))}.items())
        given, family = rng.choice([(None, None), ("Mark", "Milley"), (None, "Bush")])
        for keep in (False, True):
            expected = _reference_canonical_name(data, aliases, given, family, keep)
            assert resolve.canonical_name(data, aliases, given, family, keep_initials=keep) == expected, aliases


def test_memoized_keys_match_the_name_data() -> None:
    data = name_data(default_rules())
    for given, family in [("Valerii", "Zaluzhnyi"), ("Valeriy", "Zaluzhny"), ("Joe", "Biden"), ("Łukasz", "Đurović")]:
        for _ in range(2):  # computed, then remembered
            assert resolve.full_key(data, given, family) == f"f:{data.family_key(family)}|{data.given_key(given)}"
            assert resolve.family_key(data, family) == f"s:{data.family_key(family)}"
            assert resolve.given_only_key(data, given) == f"g:{data.given_key(given)}"
            assert resolve._split_full(data, f"{given} {family}") == split_name([given, family], data)


def test_uncurated_people_matches_the_per_person_queries(tmp_path: Path) -> None:
    from etl.db.engine import make_engine

    migrate.upgrade(tmp_path / "k.db")
    engine = make_engine(tmp_path / "k.db")
    with engine.connect() as conn:
        random_person_keys(conn, 3, ["s:a", "s:b", "s:c"], people=12, rows=40, curated=(0, 0, 1))
        for key in ("s:a", "s:b", "s:c", "s:none"):
            slow = [pid for pid in resolve._key_people(conn, key) if not resolve._curated_key(conn, pid, key)]
            assert resolve._uncurated_people(conn, key) == slow
    engine.dispose()


# ------------------------------------- people's names and alias counts written once per batch


def _resolve_fixtures(db_path: Path, batch: int | None, finish: bool = True) -> dict[str, list]:
    """Resolve the people fixtures as articles, in order; names and alias counts written per article
    (``batch`` None) or once per ``batch`` articles, as the run's writer does.  Returns the rows."""
    from etl.db.engine import make_engine
    from etl.transform.mentions import find_mentions
    from etl.records import Paragraph
    from tests.people_fixtures import fixture_names, load_paragraphs

    migrate.upgrade(db_path)
    engine = make_engine(db_path)
    rules = default_rules()
    with engine.connect() as conn, conn.begin():
        db = conn.connection.dbapi_connection
        later = None if batch is None else resolve.Later()
        # every fixture twice, the second time reversed, and articles that make a surname-only person
        # meet its full name later (a merge, which reads names: the batch's are refreshed first)
        names = fixture_names()
        articles = [load_paragraphs(name) for name in names + names[::-1]]
        for at, family in ((3, "Smith"), (len(names) + 2, "Halloran")):  # family names no fixture uses
            articles[at:at] = [
                [Paragraph(0, "body", f"Officials said J. {family} arrived on Monday.", 0, 0)],
                [Paragraph(0, "body", f"Mr {family} declined to comment, said a spokesman.", 0, 0)],
                [Paragraph(0, "body", f"John {family} later spoke to reporters. {family} said the talks went well.", 0, 0)],
            ]
        articles += [  # last: a surname-only person upgraded to a full name, renamed by the refresh only
            [Paragraph(0, "body", "Mr Bondar declined to comment, said a spokesman.", 0, 0)],
            [Paragraph(0, "body", "Petro Bondar later spoke to reporters. Bondar said the talks went well.", 0, 0)],
        ]
        for i, paragraphs in enumerate(articles):
            article_id = db.execute(
                "INSERT INTO articles (source_path, word_count, paragraph_count, sha256, size_bytes, mtime_ns, "
                "encoding, raw_text, rules_version) VALUES (?, 0, 0, '', 0, 0, 'utf-8', '', '')",
                (f"{i}.txt",),
            ).lastrowid
            ids = dict(insert_rows(
                db, "INSERT INTO paragraphs (article_id, position, kind, text, line_start, line_end)",
                [(article_id, p.position, p.kind, p.text, 0, 0) for p in paragraphs], returning="position, id",
            ))
            refs, mentions = find_mentions(paragraphs, rules)
            resolve.resolve_article(conn, article_id, refs, mentions, ids, None, True, later=later)
            if later is not None and (i + 1) % batch == 0 and finish:
                later.flush(conn)
        if later is not None and finish:
            later.flush(conn)
    engine.dispose()
    con = sqlite3.connect(db_path)
    out = {
        "people": con.execute("SELECT id, name, given_name, family_name, name_key FROM people ORDER BY id").fetchall(),
        "mentions": con.execute("SELECT article_id, char_start, person_id FROM mentions ORDER BY id").fetchall(),
        "aliases": con.execute("SELECT * FROM person_aliases ORDER BY id").fetchall(),
        "fts": con.execute("SELECT rowid, name, aliases FROM people_fts ORDER BY rowid").fetchall(),
    }
    con.close()
    return out


@pytest.mark.parametrize("batch", [1, 3, 7, 1000])
def test_people_written_once_per_batch_equal_people_written_per_article(tmp_path: Path, batch: int) -> None:
    per_article = _resolve_fixtures(tmp_path / "each.db", None)
    assert _resolve_fixtures(tmp_path / "batched.db", batch) == per_article
    if batch == 1000:  # not vacuous: without the refresh at the batch's end, some names stay as first written
        stale = _resolve_fixtures(tmp_path / "stale.db", batch, finish=False)
        assert stale["mentions"] == per_article["mentions"] and stale["people"] != per_article["people"]


def test_the_batch_fixtures_exercise_merges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    merges = []
    real = resolve.merge_into
    monkeypatch.setattr(resolve, "merge_into", lambda conn, src, dst, *a: merges.append(src) or real(conn, src, dst, *a))
    _resolve_fixtures(tmp_path / "batched.db", 1000)
    assert len(merges) >= 2


def _write_fixture_articles(db_path: Path, batch: int | None) -> dict[str, list]:
    """The cleaning and people fixtures as articles through ``load.write_article``, then some of them
    replaced (clear_article inside a batch) -- per article (``batch`` None) or ``batched`` with
    :func:`load.finish_batch` every ``batch`` writes.  Returns every table the batch defers."""
    from etl.db import load
    from etl.db.engine import make_engine
    from etl.records import RawDocument
    from etl.rules import load_rules
    from etl.transform import transform

    rules = load_rules()
    resolve.use_rules(rules)
    fixtures = Path(__file__).parent / "fixtures"
    files = sorted((fixtures / "cleaning").glob("*.txt"))[:40] + sorted((fixtures / "people").glob("*.txt"))
    texts = [path.read_text(encoding="utf-8") for path in files]

    def article(name: str, text: str):  # noqa: ANN202
        return transform(RawDocument(name, "0" * 64, len(text), 0, "utf-8", text), rules)

    writes: list[tuple[int | None, object]] = [(None, article(p.name, t)) for p, t in zip(files, texts)]
    # the file of article i+1 now holds another fixture's text: replaced within the same batch
    writes += [(i + 1, article(files[i].name, texts[-1 - i])) for i in range(0, 12, 3)]
    migrate.upgrade(db_path)
    engine = make_engine(db_path)
    with engine.connect() as conn, conn.begin():
        if batch is not None:
            load.start_batch(conn)
        for n, (article_id, article) in enumerate(writes, 1):
            load.write_article(conn, article, None, article_id, batched=batch is not None)
            if batch is not None and n % batch == 0:
                load.finish_batch(conn)
                load.start_batch(conn)
        if batch is not None:
            load.finish_batch(conn)
    engine.dispose()
    con = sqlite3.connect(db_path)
    out = {
        table: con.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        for table in (
            "line_fingerprints", "outlet_line_fingerprints", "article_fingerprints", "person_aliases", "people", "mentions"
        )
    }
    con.close()
    return out


@pytest.mark.parametrize("batch", [1, 5, 1000])
def test_batched_writes_equal_writes_one_by_one(tmp_path: Path, batch: int) -> None:
    from tests.ops import consistency_problems

    one_by_one = _write_fixture_articles(tmp_path / "each.db", None)
    assert len(one_by_one["line_fingerprints"]) > 100 and one_by_one["person_aliases"]
    assert one_by_one["outlet_line_fingerprints"]
    # the replaced articles' own lines were uncounted (in the batch when their counts still waited there)
    assert any(row[1] == 0 for row in one_by_one["line_fingerprints"])
    assert _write_fixture_articles(tmp_path / "batched.db", batch) == one_by_one
    assert consistency_problems(tmp_path / "batched.db") == []


def test_insert_rows_prepares_few_large_statements() -> None:
    """Any row count is cut into statements of at most the chunk; above EXACT_ROWS only powers of
    two and the chunk itself, so a connection caches a handful of large statements per table
    (one per size filled the statement cache and the run's memory grew with the archive)."""
    chunk = INSERT_VARIABLES // 4
    seen: set[int] = set()
    for n in range(1, 3 * chunk):
        sizes = list(_chunk_sizes(n, chunk))
        assert sum(sizes) == n and all(0 < s <= chunk for s in sizes)
        assert len(sizes) <= n // chunk + 4  # full chunks, then a few halving pieces and the rest
        seen.update(sizes)
    large = {s for s in seen if s > EXACT_ROWS}
    assert large == {s for s in (64, 128, chunk) if s <= chunk}
    assert list(_chunk_sizes(13, chunk)) == [13]  # an article's paragraphs: one statement
