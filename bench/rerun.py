"""The no-op and the 1%-changed re-runs alone, old and new code alternately (not a test).

    python bench/generate.py --articles 10000 --out /tmp/c10k
    etl run --input /tmp/c10k --db /tmp/cold.sqlite                        # once: the cold load
    python bench/rerun.py --corpus /tmp/c10k --db /tmp/cold.sqlite --code /tmp/old --code . --rounds 5

``bench/bench.py`` measures each figure once, in one sitting; on a machine whose speed swings by 2×
within minutes, comparing two versions that way compares two moments.  This runs, per round and per
``--code`` folder (put first on ``PYTHONPATH``), a no-op re-run and a re-run after the benchmark's
1% change (``bench.change_one_percent``: every 100th file, alternately edited and touched), each
on a fresh copy of ``--db``, then puts the changed files back as they were (bytes and mtimes).  It
prints each run and, per folder, the medians of the wall and CPU seconds and of the 1% re-run's
extra over the no-op.  A first round warms up (bytecode and rules caches, the page cache) and is
not counted.

The copy keeps its ``<db>.rules-cache`` between runs (as a nightly run would); ``--cold-cache``
deletes it before each run instead.  ``--pyc`` lets the interpreter write and use bytecode caches
(under ``--workdir``), as an installed etl does, even when ``PYTHONDONTWRITEBYTECODE`` is set.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402  (bench/ is not a package)

SUFFIXES = ("", "-wal", "-shm")


def copy_db(src: Path, dest: Path) -> None:
    for suffix in SUFFIXES:
        if Path(f"{src}{suffix}").exists():
            shutil.copy(f"{src}{suffix}", f"{dest}{suffix}")


def remove_db(db: Path, cache: bool) -> None:
    for suffix in (*SUFFIXES, ".lock", *((".rules-cache",) if cache else ())):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def change_one_percent(corpus: Path, articles: int, seed: int) -> list[tuple[Path, bytes, int, int]]:
    """``bench.change_one_percent``, remembering each file as it was (bytes, atime, mtime)."""
    before = []
    for k, i in enumerate(range(0, articles, 100)):
        rel, data = generate.render(i, seed, revision=1 if k % 2 == 0 else 0)
        path = corpus / rel
        st = path.stat()
        before.append((path, path.read_bytes(), st.st_atime_ns, st.st_mtime_ns))
        if k % 2 == 0:
            path.write_bytes(data)
        else:
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    return before


def restore(before: list[tuple[Path, bytes, int, int]]) -> None:
    for path, data, atime, mtime in before:
        path.write_bytes(data)
        os.utime(path, ns=(atime, mtime))


def etl_run(code: Path, corpus: Path, db: Path, jobs: int, env: dict[str, str]) -> tuple[float, float, str]:
    """(wall s, CPU s of the process tree, the run's summary line)."""
    cmd = [sys.executable, "-P", "-c", "import sys; from etl.cli import cli; sys.exit(cli())",
           "run", "--input", str(corpus), "--db", str(db), "--jobs", str(jobs)]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env | {"PYTHONPATH": str(code)}, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"etl run failed with exit code {proc.returncode}")
    cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
    return wall, cpu, (proc.stdout.strip().splitlines() or [""])[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a generate.py corpus, loaded into --db")
    parser.add_argument("--db", type=Path, required=True, help="the database of a cold run over --corpus")
    parser.add_argument("--code", type=Path, action="append", required=True, help="a checkout to run (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cold-cache", action="store_true", help="no rules cache kept between runs")
    parser.add_argument("--pyc", action="store_true", help="write and use bytecode caches")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)
    manifest = json.loads((args.corpus / ".manifest.json").read_text())  # written by generate.py
    articles, seed = manifest["articles"], manifest["seed"]
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        env = dict(os.environ)
        if args.pyc:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for n in range(args.rounds + 1):  # round 0: the warm-up
            for k, code in enumerate(args.code):
                db = Path(tmp) / f"code{k}.sqlite"  # one per folder: each keeps its own rules cache
                for mode in ("no-op", "1% changed"):
                    remove_db(db, cache=args.cold_cache)
                    copy_db(args.db, db)
                    before = change_one_percent(args.corpus, articles, seed) if mode != "no-op" else []
                    try:
                        wall, cpu, summary = etl_run(code.resolve(), args.corpus, db, args.jobs, env)
                    finally:
                        restore(before)
                    if n:
                        runs.setdefault((str(code), mode), []).append((wall, cpu))
                    label = f"round {n}" if n else "warm-up"
                    print(f"{label} {code} {mode}: {wall:.3f} s (CPU {cpu:.3f} s) :: {summary}", flush=True)
            for k in range(len(args.code)):
                remove_db(Path(tmp) / f"code{k}.sqlite", cache=False)
        for code in args.code:
            noop, change = runs[(str(code), "no-op")], runs[(str(code), "1% changed")]
            extra = [c[0] - n[0] for n, c in zip(noop, change)]
            print(
                f"{code}: no-op {statistics.median(w for w, _ in noop):.3f} s "
                f"(CPU {statistics.median(c for _, c in noop):.3f}), 1% changed "
                f"{statistics.median(w for w, _ in change):.3f} s (CPU {statistics.median(c for _, c in change):.3f}), "
                f"extra over the no-op {statistics.median(extra):.3f} s (per round: {', '.join(f'{x:.2f}' for x in extra)})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
