"""CPU per article of each per-file stage, as a run does them, in one process (not a test).

    python bench/generate.py --articles 10000 --out /tmp/c10k
    etl run --input /tmp/c10k --db /tmp/c10k.sqlite                 # once: its corpus memory
    python bench/stages.py /tmp/c10k /tmp/c10k.sqlite --articles 3000

The profile (``profile_run.py``) roughly doubles the cost of Python-heavy code and spreads it over
hundreds of functions; this times the stages themselves with ``time.process_time``: reading,
hashing and decoding, the counting pass (``document_lines``), then each step of ``transform``
(repair, segment, outlet, classify with its fingerprints, metadata, mentions) and the pickling of
the result a worker sends to the writer, with the corpus memory the database holds (so memory
verdicts are exercised as in a run).  Compare two versions by running them alternately
(``PYTHONPATH=/path/to/other/checkout``): the machine's speed swings within minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from etl.db.load import stored_memory
from etl.decode import decode
from etl.rules import load_rules
from etl.transform import paragraphs_of, prepare_stages
from etl.transform.classify import classify_fingerprinted
from etl.transform.credits import detect_outlet
from etl.transform.memory import document_lines
from etl.transform.mentions import find_mentions
from etl.transform.metadata import extract_metadata
from etl.transform.repair import repair_text
from etl.transform.segment import segment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="a folder of articles (bench/generate.py)")
    parser.add_argument("db", help="a database of an etl run over the corpus (for its corpus memory)")
    parser.add_argument("--articles", type=int, default=3000, help="how many files (sorted by path)")
    args = parser.parse_args()

    rules = load_rules()
    prepare_stages(rules)
    with sqlite3.connect(args.db) as db:
        memory = stored_memory(db, rules)
    files = sorted(p for p in args.corpus.rglob("*") if p.is_file())[: args.articles]
    seconds: Counter[str] = Counter()

    def timed(stage: str, fn: Callable[..., Any], *a: Any, **k: Any) -> Any:
        start = time.process_time()
        result = fn(*a, **k)
        seconds[stage] += time.process_time() - start
        return result

    for path in files:
        data = timed("read", path.read_bytes)
        timed("sha256", lambda: hashlib.sha256(data).hexdigest())
        text, _encoding = timed("decode", decode, data)
        timed("counting pass (document_lines)", document_lines, text, rules)
        repaired = timed("repair", repair_text, text)
        segments = timed("segment", segment, repaired, rules)
        outlet = timed("outlet", detect_outlet, [s.text for s in segments], rules)
        labeled, fingerprints = timed(
            "classify (+ fingerprints)", classify_fingerprinted, segments, rules, memory, outlet=outlet
        )
        metadata = timed("metadata", extract_metadata, labeled, rules, outlet=outlet)
        paragraphs = paragraphs_of(labeled)
        found = timed("mentions", find_mentions, paragraphs, rules, title=metadata.title)
        timed("pickle (about what a worker sends)", pickle.dumps, (repaired, labeled, metadata, paragraphs, found, fingerprints))

    for stage, spent in seconds.items():
        print(f"{stage:38s} {spent * 1000 / len(files):7.3f} ms/article")
    print(f"{'total':38s} {sum(seconds.values()) * 1000 / len(files):7.3f} ms/article  ({len(files):,} files)")


if __name__ == "__main__":
    main()
