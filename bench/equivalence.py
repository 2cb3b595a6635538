"""Did an optimisation change any result?  Snapshot the outputs of two versions of etl and compare.

    python bench/equivalence.py corpus /tmp/eq/corpus --articles 3000      # once: a varied corpus
    PYTHONPATH=/tmp/eq/base python bench/equivalence.py transform /tmp/eq/corpus /tmp/eq/base.jsonl
    python bench/equivalence.py transform /tmp/eq/corpus /tmp/eq/new.jsonl
    python bench/equivalence.py compare /tmp/eq/base.jsonl /tmp/eq/new.jsonl

    PYTHONPATH=/tmp/eq/base python bench/equivalence.py db /tmp/eq/corpus /tmp/eq/base-db.json
    python bench/equivalence.py db /tmp/eq/corpus /tmp/eq/new-db.json
    python bench/equivalence.py compare /tmp/eq/base-db.json /tmp/eq/new-db.json

(``git worktree add /tmp/eq/base HEAD`` gives the "before" code; ``PYTHONPATH`` puts it ahead of the
installed checkout.)

Speed work must not change what etl produces, and the test suite checks behaviour on small cases
only.  This tool runs both versions over a corpus with variety (the seeds, the annotated pages in
``eval/``, the test fixtures' raw texts in every encoding, and the benchmark's synthetic articles)
and compares everything:

- ``transform``: for every file, the full :class:`etl.records.Article` that ``transform`` returns
  (labels, reasons, metadata, paragraphs, people, mentions, fingerprints) as one JSON line, cleaned
  with the corpus memory the whole corpus gives (so memory verdicts are exercised too);
- ``db``: a cold ``etl run --jobs 2`` into a fresh database, dumped like ``tests.ops.canonical_dump``
  plus credits, aliases and outlets (ids of paragraphs and people left out).

Not a test: it needs the two versions side by side.  Nothing here is timed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = {
    "seeds": (REPO / "seeds", "*.txt"),
    "eval": (REPO / "eval", "*/input/*"),
    "cleaning": (REPO / "tests/fixtures/cleaning", "*.txt"),
    "people": (REPO / "tests/fixtures/people", "*.txt"),
    "encoding": (REPO / "tests/fixtures/encoding/raw", "*"),
}


def build_corpus(out: Path, articles: int) -> int:
    """Copy the varied sources into ``out/<source>/`` and generate ``articles`` synthetic ones."""
    sys.path.insert(0, str(REPO / "bench"))
    import generate

    if out.exists():
        shutil.rmtree(out)
    n = 0
    for name, (root, pattern) in SOURCES.items():
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                target = out / name / str(path.relative_to(root)).replace("/", "_")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                n += 1
    generate.generate(out / "synthetic", articles)
    return n + articles


def _files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file())


def transform_snapshot(corpus: Path, out: Path) -> int:
    """One JSON line per file: the Article ``transform`` gives, with the whole corpus as memory."""
    from etl.extract import SourceFile, read, to_document
    from etl.rules import load_rules
    from etl.transform import transform
    from etl.transform.memory import CorpusMemory, fingerprint
    from etl.transform.repair import repair_text
    from etl.transform.segment import segment

    rules = load_rules()
    docs = []
    for path in _files(corpus):
        rel = str(path.relative_to(corpus))
        st = path.stat()
        try:
            source = SourceFile(path, rel, st.st_size, st.st_mtime_ns)
            docs.append(to_document(source, *read(source, 50_000_000)))
        except Exception as exc:  # noqa: BLE001 - a file that cannot be read is part of the result
            docs.append((rel, f"{type(exc).__name__}: {exc}"))
    counts: Counter[str] = Counter()
    for doc in docs:
        if not isinstance(doc, tuple):
            counts.update({fingerprint(s.text) for s in segment(repair_text(doc.text), rules)} - {""})
    threshold = CorpusMemory.threshold(rules)
    total = sum(1 for d in docs if not isinstance(d, tuple))
    memory = CorpusMemory.from_counts({k: v for k, v in counts.items() if v >= threshold}, total_articles=total)
    with open(out, "w", encoding="utf-8") as fh:
        for doc in docs:
            if isinstance(doc, tuple):
                record = {"source_path": doc[0], "error": doc[1]}
            else:
                article = dataclasses.asdict(transform(doc, rules, memory))
                article["raw"] = {k: article["raw"][k] for k in ("source_path", "sha256", "encoding")}
                record = article
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return len(docs)


DB_QUERIES = {
    "articles": "SELECT id, source_path, title, published_at, dateline, outlet, authors, sha256, encoding, "
    "word_count, paragraph_count, rules_version, deleted_at IS NULL FROM articles ORDER BY id",
    "paragraphs": "SELECT a.source_path, p.position, p.kind, p.text, p.line_start, p.line_end FROM paragraphs p "
    "JOIN articles a ON a.id = p.article_id ORDER BY a.source_path, p.position",
    "removed": "SELECT a.source_path, r.line_start, r.line_end, r.label, r.reason, r.text FROM removed_segments r "
    "JOIN articles a ON a.id = r.article_id ORDER BY a.source_path, r.line_start, r.label",
    "credits": "SELECT a.source_path, c.name, c.role, c.line FROM article_credits c "
    "JOIN articles a ON a.id = c.article_id ORDER BY a.source_path, c.line, c.name, c.role",
    "people": "SELECT name, given_name, family_name, name_key, mention_count, article_count FROM people "
    "ORDER BY name, mention_count, name_key",
    "aliases": "SELECT pe.name, al.alias, al.count FROM person_aliases al JOIN people pe ON pe.id = al.person_id "
    "ORDER BY pe.name, al.alias, al.count",
    "mentions": "SELECT a.source_path, p.position, m.char_start, m.char_end, m.surface, m.article_name, pe.name "
    "FROM mentions m JOIN paragraphs p ON p.id = m.paragraph_id JOIN articles a ON a.id = m.article_id "
    "JOIN people pe ON pe.id = m.person_id ORDER BY a.source_path, p.position, m.char_start",
    "memory": "SELECT fingerprint, article_count, frequent FROM line_fingerprints ORDER BY fingerprint",
    "article_fingerprints": "SELECT a.source_path, f.fingerprint FROM article_fingerprints f "
    "JOIN articles a ON a.id = f.article_id ORDER BY a.source_path, f.fingerprint",
}


def db_snapshot(corpus: Path, out: Path, jobs: int = 2) -> dict[str, int]:
    """A cold ``etl run`` of ``corpus`` into a fresh database, dumped as JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "eq.sqlite"
        cmd = [sys.executable, "-c", "from etl.cli import cli; cli()", "run", "--input", str(corpus),
               "--db", str(db), "--jobs", str(jobs), "-q"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise SystemExit(f"etl run failed ({done.returncode}): {done.stderr[-2000:]}")
        con = sqlite3.connect(db)
        try:
            dump = {name: [list(r) for r in con.execute(sql)] for name, sql in DB_QUERIES.items()}
        finally:
            con.close()
    out.write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
    return {k: len(v) for k, v in dump.items()}


def _by_path(snapshot: Path) -> dict[str, str]:
    out = {}
    for line in snapshot.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out[record["raw"]["source_path"] if "raw" in record else record["source_path"]] = line
    return out


def compare(a: Path, b: Path, show: int = 5) -> int:
    """Print the differences between two snapshots of the same kind; the number of differences."""
    if a.suffix == ".jsonl":
        left, right = _by_path(a), _by_path(b)
        differing = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
        for key in differing[:show]:
            la, lb = json.loads(left.get(key, "{}")), json.loads(right.get(key, "{}"))
            fields = [f for f in la.keys() | lb.keys() if la.get(f) != lb.get(f)]
            print(f"{key}: differs in {sorted(fields)}")
            for f in sorted(fields)[:3]:
                print(f"   first:  {json.dumps(la.get(f), ensure_ascii=False)[:400]}")
                print(f"   second: {json.dumps(lb.get(f), ensure_ascii=False)[:400]}")
        print(f"{len(differing)} of {len(left | right)} files differ")
        return len(differing)
    left, right = json.loads(a.read_text(encoding="utf-8")), json.loads(b.read_text(encoding="utf-8"))
    differences = 0
    for table in left:
        if left[table] != right.get(table):
            differences += 1
            sa = {json.dumps(r) for r in left[table]}
            sb = {json.dumps(r) for r in right.get(table, [])}
            print(f"{table}: {len(left[table])} vs {len(right.get(table, []))} rows")
            for r in sorted(sa - sb)[:show]:
                print(f"   only in first:  {r[:300]}")
            for r in sorted(sb - sa)[:show]:
                print(f"   only in second: {r[:300]}")
    print(f"{differences} of {len(left)} tables differ")
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("corpus", help="build the varied corpus")
    p.add_argument("out", type=Path)
    p.add_argument("--articles", type=int, default=3000, help="synthetic articles to add")
    p = sub.add_parser("transform", help="snapshot transform() over a corpus")
    p.add_argument("corpus", type=Path)
    p.add_argument("out", type=Path)
    p = sub.add_parser("db", help="snapshot a cold etl run over a corpus")
    p.add_argument("corpus", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--jobs", type=int, default=2)
    p = sub.add_parser("compare", help="compare two snapshots")
    p.add_argument("first", type=Path)
    p.add_argument("second", type=Path)
    args = parser.parse_args(argv)
    if args.command == "corpus":
        print(f"{build_corpus(args.out, args.articles)} files in {args.out}")
    elif args.command == "transform":
        print(f"{transform_snapshot(args.corpus, args.out)} files snapshot to {args.out}")
    elif args.command == "db":
        print(f"{db_snapshot(args.corpus, args.out, args.jobs)} rows snapshot to {args.out}")
    else:
        return 1 if compare(args.first, args.second) else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
