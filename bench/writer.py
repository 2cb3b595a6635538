"""The single writer alone: CPU seconds to load already-transformed articles into a fresh database.

    python bench/writer.py --articles 3000                 # transforms them once, cached in /tmp
    python bench/writer.py --articles 3000 --repeat 3      # best of 3

In a cold ``etl run --jobs N`` the writer (the run's own process) loads the articles while the
workers clean the next ones; on a 2-core machine it shares the cores with them, so its CPU time
per article bounds the whole run.  This times exactly that path: the pipeline's batch writer,
``load.write_article`` with people resolution, full-text indexing and corpus-memory counts, in
transactions of the run's batch size, on the benchmark corpus (``generate.py``, seed 1).  The
transform step is done once and cached as a pickle next to the corpus, so only writing is timed
(process CPU time, so other work on a shared machine does not count).  Not a test.
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
from bench import corpus_files  # noqa: E402


def transformed(articles: int, seed: int) -> list:
    """The corpus's articles after ``transform``, cleaned with the memory of the whole corpus."""
    cache = Path(tempfile.gettempdir()) / f"etl-writer-bench-{articles}-{seed}-outlets.pickle"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from etl.decode import decode
    from etl.records import RawDocument
    from etl.rules import load_rules
    from etl.transform import transform
    from etl.transform.memory import CorpusMemory, document_lines

    corpus = Path(tempfile.mkdtemp(prefix="etl-writer-bench-"))
    generate.main(["--articles", str(articles), "--out", str(corpus), "--seed", str(seed)])
    rules = load_rules()
    raws = []
    for path in corpus_files(corpus):
        data = path.read_bytes()
        text, encoding = decode(data)
        raws.append(RawDocument(str(path.relative_to(corpus)), "0" * 64, len(data), 0, encoding, text))
    counts: dict[str, int] = {}
    outlet_counts: dict[str, dict[str, int]] = {}
    outlet_totals: dict[str, int] = {}
    for raw in raws:
        fingerprints, outlet = document_lines(raw.text, rules)
        for fp in fingerprints:
            counts[fp] = counts.get(fp, 0) + 1
        if outlet is not None:
            outlet_totals[outlet] = outlet_totals.get(outlet, 0) + 1
            in_outlet = outlet_counts.setdefault(outlet, {})
            for fp in fingerprints:
                in_outlet[fp] = in_outlet.get(fp, 0) + 1
    memory = CorpusMemory.from_counts(counts, len(raws), outlet_counts, outlet_totals)
    out = [transform(raw, rules, memory) for raw in raws]
    shutil.rmtree(corpus)
    cache.write_bytes(pickle.dumps(out))
    return out


def write_all(articles: list, db: Path, batch_size: int) -> float:
    """CPU seconds to write ``articles`` into a fresh ``db`` through the run's batch writer."""
    from etl import pipeline, resolve
    from etl.db import load, migrate
    from etl.db.engine import make_engine
    from etl.rules import load_rules
    from etl.settings import Settings

    migrate.upgrade(db)
    rules = load_rules()
    resolve.use_rules(rules)
    engine = make_engine(db)
    with engine.connect() as conn:
        load.raw(conn).execute("CREATE TEMP TABLE IF NOT EXISTS cleaned (article_id INTEGER PRIMARY KEY)")
        summary = pipeline.RunSummary()
        summary.run_id = pipeline._start_run(conn, Settings(db_path=db), rules)
        writer = pipeline._BatchWriter(conn, batch_size, lambda: None)
        started = time.process_time()
        for article in articles:
            pipeline._write(writer, summary, pipeline.Loaded(article), None, lambda: None)
        writer.flush()
        seconds = time.process_time() - started
    engine.dispose()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    articles = transformed(args.articles, args.seed)
    best = None
    for _ in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix="etl-writer-db-"))
        seconds = write_all(articles, work / "news.sqlite", args.batch_size)
        shutil.rmtree(work)
        best = seconds if best is None else min(best, seconds)
    print(f"writer: {len(articles):,} articles in {best:.2f} CPU s, {best / len(articles) * 1000:.3f} ms/article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
