"""Profile a cold ``etl run --jobs 1`` under cProfile and print the top entries as Markdown.

    python bench/profile_run.py --articles 10000 > /tmp/profile.md    # also writes /tmp/etl.prof

``--jobs 1`` keeps extract, transform and load in one process, so one profile sees all of it.
The corpus is bench/generate.py's (same seed as the benchmark); ``--input`` profiles another
folder instead.  (Not named profile.py: that would shadow the standard library's ``profile``,
which cProfile imports.)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import site
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def _where(filename: str, line: int, name: str) -> str:
    """``etl/transform/repair.py:207 repair_text``, with library paths shortened."""
    if filename.startswith("~") or filename.startswith("<"):
        return f"`{name}`"  # built-ins: {method 'sub' of 're.Pattern' objects}
    roots = [str(REPO), *site.getsitepackages(), os.path.dirname(os.__file__)]
    for root in sorted(roots, key=len, reverse=True):
        if filename.startswith(root + os.sep):
            filename = filename[len(root) + 1 :]
            break
    return f"`{filename}:{line} {name}`"


def top_table(stats: pstats.Stats, key: str, limit: int) -> str:
    index = {"cumulative": 3, "tottime": 2}[key]
    entries = sorted(stats.stats.items(), key=lambda kv: kv[1][index], reverse=True)[:limit]
    lines = ["| # | calls | tottime s | cumtime s | function |", "|---:|---:|---:|---:|---|"]
    for rank, ((filename, line, name), (cc, nc, tt, ct, _)) in enumerate(entries, 1):
        calls = f"{nc:,}" if nc == cc else f"{nc:,}/{cc:,}"
        lines.append(f"| {rank} | {calls} | {tt:.2f} | {ct:.2f} | {_where(filename, line, name)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--input", type=Path, help="profile this folder instead of a generated corpus")
    parser.add_argument("--stats", type=Path, default=Path("/tmp/etl.prof"), help="where to dump the raw profile")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    from etl.cli import cli

    workdir = Path(tempfile.mkdtemp(prefix="etl-profile-"))
    try:
        corpus = args.input
        if corpus is None:
            corpus = workdir / "corpus"
            generate.generate(corpus, args.articles, args.seed)
        db = workdir / "profile.sqlite"
        # CPU time, not wall time: the machine may be shared, and waiting is not this run's cost
        profiler = cProfile.Profile(time.process_time)
        started = time.perf_counter()
        profiler.enable()
        try:
            cli.main(["run", "--input", str(corpus), "--db", str(db), "--jobs", "1"], standalone_mode=False)
        except SystemExit:
            pass
        profiler.disable()
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    profiler.dump_stats(args.stats)
    stats = pstats.Stats(profiler)
    what = f"{args.articles:,} generated articles (seed {args.seed})" if args.input is None else str(args.input)
    print(f"Cold `etl run --jobs 1` on {what}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}: "
          f"{seconds:.1f} s wall under cProfile ({stats.total_tt:.1f} CPU s profiled). Raw stats: {args.stats}.\n")
    print(f"### Top {args.top} by cumulative time\n")
    print(top_table(stats, "cumulative", args.top))
    print(f"\n### Top {args.top} by total (own) time\n")
    print(top_table(stats, "tottime", args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
