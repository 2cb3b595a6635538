"""The benchmark: `etl run` next to the machine's floor, on a synthetic corpus (not a test).

    python bench/bench.py --articles 10000 --jobs 2            # the README figures
    python bench/bench.py --articles 10000 --jobs 2 --with-100k --json /tmp/bench.json

In one run it generates the corpus (bench/generate.py, seeded) in a scratch folder and measures:

(a) the floor: read and sha256 every file, split it into paragraphs (blank-line blocks; a file
    without blank lines gives one paragraph per line) and insert them with plain ``sqlite3``
    ``executemany`` into a fresh database, same pragmas as etl (WAL, synchronous=NORMAL), on one
    core, in this process; best of 3;
(b) a cold ``etl run --jobs N`` into a fresh database (a subprocess, start-up included);
(c) a no-op re-run over the same unchanged files;
(d) a re-run after 1% of the files changed: every 100th file, alternately edited (one extra
    paragraph, same encoding) and only touched (new mtime, same bytes);
(e) the peak memory of the etl process tree (parent and pool workers), polled from
    /proc/<pid>/smaps_rollup every 50 ms: the summed PSS (judged: shared pages counted once) and
    the summed RSS (forked workers' shared pages counted once per process), plus the largest
    single process's own peak (``wait4`` rusage); at 1,000 articles and at --articles (and at
    100,000 with --with-100k);
(f) the cleaning stage alone (``clean_text`` + ``extract_metadata``) in articles/s and the people
    stage alone (``find_mentions``) in words/s, in this process, on one core, from decoded text,
    per CPU second; on a sample of the corpus and on as many articles generated with every body
    paragraph unique (``generate.py --unique-paragraphs``): the corpus recombines the seeds'
    paragraphs, which flatters anything remembered per text, and a real archive does not repeat
    itself like that.

It prints a Markdown table (figure, target, measured, result) ready for the README, the
machine it ran on, and what each etl run reported.  Every number is measured in this run.

Two precautions for a shared checkout on a shared machine:

- the code under test is a copy of the ``etl`` package taken at the start (``snapshot_code``), so
  edits others make meanwhile cannot change rules or code between the cold run and the re-runs
  (``--no-snapshot`` runs the live checkout);
- the targets are about wall-clock time, but next to it the table gives the CPU time of the etl
  process tree and the CPU time the rest of the machine used during the run: other work on the
  cores slows the wall clock, and that column says by how much to discount it.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BATCH = 200  # articles per transaction in the floor, as etl's default batch size
STAGE_SAMPLE = 3000  # articles for the stage-alone figures

TARGET_DOCS_PER_S = 1000
TARGET_FLOOR_RATIO = 10.0
TARGET_NOOP_RATIO = 1.0
TARGET_CHANGE_FACTOR = 3.0  # extra time over a no-op at most 3x the changed files' share of a cold run
TARGET_RSS_MB = 200
TARGET_RSS_FLAT = 1.25  # "flat": the largest corpus peaks at most 25% above the 1,000-article one
TARGET_CLEAN_PER_S = 2000
TARGET_WORDS_PER_S = 100_000


# --------------------------------------------------------------------------- corpus files


def corpus_files(root: Path) -> list[Path]:
    """Every article file under ``root`` in sorted order (dot files, such as the manifest, skipped)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(Path(dirpath, f) for f in sorted(filenames) if not f.startswith("."))
    return out


def make_corpus(workdir: Path, articles: int, seed: int, unique: bool = False) -> Path:
    out = workdir / f"corpus-{articles}{'-unique' if unique else ''}"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    manifest = generate.generate(out, articles, seed, unique=unique)
    print(
        f"  generated {articles:,} articles, {manifest['bytes'] / 1e6:.1f} MB "
        f"(sha256 {manifest['sha256'][:12]}) in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return out


# --------------------------------------------------------------------------- (a) the floor

_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def _floor_decode(data: bytes) -> str:
    """The cheapest honest decode: a BOM, else UTF-8, else cp1252; no repair."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _floor_paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n")
    blocks = [b.strip() for b in _BLANK_LINE_RE.split(text)]
    if len(blocks) == 1:  # one paragraph per line
        blocks = text.split("\n")
    return [b for b in blocks if b]


def floor_once(corpus: Path, db: Path) -> tuple[float, float, int, int]:
    """(seconds, CPU seconds, articles, paragraph rows): read, hash, split, insert; one core."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, source_path TEXT UNIQUE, sha256 TEXT)")
    conn.execute(
        "CREATE TABLE paragraphs (id INTEGER PRIMARY KEY, article_id INTEGER REFERENCES articles(id), "
        "position INTEGER, text TEXT)"
    )
    conn.execute("CREATE INDEX ix_paragraphs_article ON paragraphs (article_id)")
    articles = rows = 0
    conn.execute("BEGIN")
    for path in corpus_files(corpus):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        paragraphs = _floor_paragraphs(_floor_decode(data))
        article_id = conn.execute(
            "INSERT INTO articles (source_path, sha256) VALUES (?, ?)",
            (path.relative_to(corpus).as_posix(), digest),
        ).lastrowid
        conn.executemany(
            "INSERT INTO paragraphs (article_id, position, text) VALUES (?, ?, ?)",
            [(article_id, k, p) for k, p in enumerate(paragraphs)],
        )
        articles += 1
        rows += len(paragraphs)
        if articles % BATCH == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started, time.process_time() - cpu_started, articles, rows


def floor(corpus: Path, db: Path, repeat: int = 3) -> tuple[float, float, int, int]:
    return min(floor_once(corpus, db) for _ in range(repeat))


# --------------------------------------------------------------------------- (b-e) etl runs


def snapshot_code(dest: Path) -> Path:
    """Copy the ``etl`` package (with its migrations) to ``dest`` and use that copy from now on.

    Other people edit the checkout while the benchmark runs; a rules or code change between the
    cold run and the re-runs would make every article be re-cleaned and the re-run figures
    meaningless.  The copy freezes the code under test: this process imports it (``sys.path``) and
    the etl subprocesses too (``PYTHONPATH``).
    """
    spec = importlib.util.find_spec("etl")  # locates the package without importing it
    if spec is None or spec.origin is None:
        raise SystemExit("etl is not installed in this Python (pip install -e .)")
    if "etl" in sys.modules:
        raise RuntimeError("snapshot_code must run before etl is imported")
    src = Path(spec.origin).parent
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(src, dest / "etl", ignore=ignore)
    migrations = src.parent / "migrations"  # an editable install maps etl.migrations to <repo>/migrations
    if not (dest / "etl" / "migrations").is_dir() and migrations.is_dir():
        shutil.copytree(migrations, dest / "etl" / "migrations", ignore=ignore)
    sys.path.insert(0, str(dest))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(dest), os.environ.get("PYTHONPATH"))))
    check = subprocess.run(
        [sys.executable, "-P", "-c", "import etl, etl.migrations; print(etl.__file__); print(etl.migrations.__file__)"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    if not all(Path(f).is_relative_to(dest) for f in check):
        raise SystemExit(f"the snapshot in {dest} is not the etl that subprocesses import: {check}")
    return dest


def _etl_command() -> list[str]:
    """``etl`` as the console script runs it, but by module (PYTHONPATH may point at a snapshot; -P:
    the current folder is not put first on sys.path)."""
    return [sys.executable, "-P", "-c", "import sys; from etl.cli import cli; sys.exit(cli())"]


def _proc_tree(root: int) -> list[int]:
    """``root`` and its descendants, from the parent ids in /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; PSS divides each shared page among the processes sharing it."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class TreeMemory(threading.Thread):
    """Polls a process tree until stopped; keeps the peaks of its summed RSS and summed PSS.

    Pool workers are forked, so they share the parent's pages (the interpreter, imported modules,
    rules): summed RSS counts those pages once per process, summed PSS counts them once.
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss_kb = self.peak_pss_kb = 0
        self.max_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            tree = _proc_tree(self.pid)
            rss, pss = (sum(col) for col in zip(*(_memory_kb(p) for p in tree)))
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.max_processes = max(self.max_processes, len(tree))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


@dataclass
class EtlRun:
    seconds: float
    cpu_seconds: float  # user + system of etl and the workers it reaped
    other_cpu_seconds: float  # CPU time the rest of the machine used meanwhile
    returncode: int
    summary: str
    tree_rss_mb: float  # peak of the summed RSS of the process tree (polled; shared pages counted per process)
    tree_pss_mb: float  # peak of the summed PSS of the process tree (polled; shared pages counted once)
    largest_rss_mb: float  # peak RSS of the largest single process (wait4 rusage)
    processes: int
    counts: dict = field(default_factory=dict)


_COUNT_RE = re.compile(r"(\d+) (seen|new|changed|unchanged|failed|deleted|re-cleaned)")


def _busy_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (/proc/stat, all cores)."""
    with open("/proc/stat") as fh:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fh.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def etl_run(corpus: Path, db: Path, jobs: int) -> EtlRun:
    cmd = [*_etl_command(), "run", "--input", str(corpus), "--db", str(db), "--jobs", str(jobs)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy, started = _busy_seconds(), time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=db.parent)
        memory = TreeMemory(proc.pid)
        memory.start()
        # wait4, not Popen.wait: its rusage has the peak RSS of etl and of the workers it reaped.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        busy = _busy_seconds() - busy
        proc.returncode = os.waitstatus_to_exitcode(status)
        memory.stop()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    summary = (stdout.strip().splitlines() or [""])[-1]
    if proc.returncode not in (0, 1):
        sys.stderr.write(stderr)
        raise SystemExit(f"etl run failed with exit code {proc.returncode}: {' '.join(cmd)}")
    counts = {k: int(n) for n, k in _COUNT_RE.findall(summary)}
    cpu = usage.ru_utime + usage.ru_stime
    return EtlRun(
        seconds, cpu, max(0.0, busy - cpu), proc.returncode, summary, memory.peak_rss_kb / 1024, memory.peak_pss_kb / 1024,
        usage.ru_maxrss / 1024, memory.max_processes, counts,
    )


def change_one_percent(corpus: Path, articles: int, seed: int) -> tuple[int, int]:
    """Every 100th article: even ones get one more paragraph, odd ones only a new mtime."""
    edited = touched = 0
    for k, i in enumerate(range(0, articles, 100)):
        rel, data = generate.render(i, seed, revision=1 if k % 2 == 0 else 0)
        path = corpus / rel
        if k % 2 == 0:
            path.write_bytes(data)
            edited += 1
        else:
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
            touched += 1
    return edited, touched


def startup_seconds() -> float:
    """Wall time of ``etl --version``: interpreter start and the CLI's imports."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([*_etl_command(), "--version"], check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


# --------------------------------------------------------------------------- (f) stages alone


def stages_alone(corpus: Path, sample: int) -> dict:
    """Cleaning articles/s and people words/s on one core, from already decoded text.

    Timed in CPU seconds of this (single-threaded) process, so that other work on a shared machine
    does not count; on an idle machine that equals wall time.
    """
    from etl.decode import decode
    from etl.rules import load_rules
    from etl.transform import clean_text, extract_metadata, paragraphs_of

    rules = load_rules()
    texts = [decode(p.read_bytes())[0] for p in corpus_files(corpus)[:sample]]
    for text in texts[:20]:  # compile the rules' caches outside the timing
        clean_text(text, rules)
    cleaned = []
    started = time.process_time()
    for text in texts:
        _, labeled, outlet = clean_text(text, rules)
        metadata = extract_metadata(labeled, rules, outlet=outlet)
        cleaned.append((labeled, metadata))
    clean_s = time.process_time() - started
    result = {"articles": len(texts), "clean_seconds": clean_s, "clean_per_s": len(texts) / clean_s}

    try:
        from etl.transform.mentions import find_mentions
    except ImportError as exc:
        result["people"] = f"n/a ({exc})"
        return result
    inputs = [(paragraphs_of(labeled), metadata.title) for labeled, metadata in cleaned]
    words = sum(len(p.text.split()) for paragraphs, _ in inputs for p in paragraphs)
    for paragraphs, title in inputs[:20]:
        find_mentions(paragraphs, rules, title=title)
    mentions = 0
    started = time.process_time()
    for paragraphs, title in inputs:
        _, found = find_mentions(paragraphs, rules, title=title)
        mentions += len(found)
    people_s = time.process_time() - started
    result |= {"words": words, "mentions": mentions, "people_seconds": people_s, "words_per_s": words / people_s}
    return result


# --------------------------------------------------------------------------- report


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = "unknown"
    from etl import __version__
    from etl.rules import load_rules

    return {
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(ram_gb, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": platform.platform(),
        "etl": __version__,
        "commit": commit,
        "rules_version": load_rules().version,
    }


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("pass" if ok else "**FAIL**")


def report(r: dict) -> str:
    n, jobs = r["articles"], r["jobs"]
    fl, cold, noop, change = r["floor"], r["cold"], r["noop"], r["change"]
    docs_s = n / cold["seconds"]
    ratio = cold["seconds"] / fl["seconds"]
    noop_ratio = noop["seconds"] / fl["seconds"]
    extra = change["seconds"] - noop["seconds"]
    share = 0.01 * cold["seconds"]
    rows = [
        ("floor: read + sha256 + split + `executemany`, 1 core",
         "reference",
         f"{fl['seconds']:.2f} s, {n / fl['seconds']:,.0f} docs/s ({fl['cpu_seconds']:.2f} CPU s; "
         f"{fl['rows']:,} paragraph rows)", None),
        (f"cold `etl run --jobs {jobs}`, {n:,} articles",
         f"≥ {TARGET_DOCS_PER_S:,} docs/s",
         f"{docs_s:,.0f} docs/s ({cold['seconds']:.1f} s; {cold['cpu_seconds']:.0f} CPU s; others {cold['other_cpu_seconds']:.0f} CPU s)",
         docs_s >= TARGET_DOCS_PER_S),
        ("cold run ÷ floor", f"≤ {TARGET_FLOOR_RATIO:g}×",
         f"{ratio:,.1f}× wall ({cold['cpu_seconds'] / fl['cpu_seconds']:,.0f}× in CPU time)",
         ratio <= TARGET_FLOOR_RATIO),
        ("no-op re-run (unchanged files)",
         f"≤ {TARGET_NOOP_RATIO:g}× floor ({fl['seconds']:.2f} s)",
         f"{noop['seconds']:.2f} s ({noop_ratio:.1f}×; {noop['cpu_seconds']:.2f} CPU s; others {noop['other_cpu_seconds']:.2f})",
         noop_ratio <= TARGET_NOOP_RATIO),
        (f"re-run after 1% changed ({change['edited']} edited, {change['touched']} touched)",
         f"extra over no-op ≤ {TARGET_CHANGE_FACTOR:g} × 1% of cold ({TARGET_CHANGE_FACTOR * share:.2f} s)",
         f"{change['seconds']:.2f} s ({extra:+.2f} s; {change['cpu_seconds']:.2f} CPU s; others {change['other_cpu_seconds']:.2f})",
         extra <= TARGET_CHANGE_FACTOR * share),
    ]
    scale = r["scale"]
    base = scale[0]["tree_pss_mb"] if scale else None
    for s in scale:
        flat = base is None or s["tree_pss_mb"] <= TARGET_RSS_FLAT * base
        rows.append((
            f"peak memory of the etl process tree, {s['articles']:,} articles",
            f"≤ {TARGET_RSS_MB} MB, flat",
            f"{s['tree_pss_mb']:.0f} MB PSS sum ({s['processes']} processes; RSS sum {s['tree_rss_mb']:.0f} MB, "
            f"largest process {s['largest_rss_mb']:.0f} MB)",
            s["tree_pss_mb"] <= TARGET_RSS_MB and flat,
        ))
    rows.append((
        "cold docs/s by corpus size", "no slowdown as the archive grows",
        ", ".join(
            f"{s['articles']:,}: {s['docs_per_s']:,.0f}"
            + (f" ({s['articles'] / s['cpu_seconds']:,.0f} per CPU s)" if "cpu_seconds" in s else "")
            for s in scale
        ), None,
    ))
    for key, corpus_note in (("stages", "the corpus"), ("stages_unique", "every body paragraph unique")):
        st = r.get(key)
        if st is None:
            continue
        rows.append((
            f"cleaning stage alone (repair+segment+classify+metadata), 1 core, {st['articles']:,} articles, "
            f"{corpus_note}",
            f"≥ {TARGET_CLEAN_PER_S:,} articles/s", f"{st['clean_per_s']:,.0f} articles/s (per CPU s)",
            st["clean_per_s"] >= TARGET_CLEAN_PER_S,
        ))
        if "words_per_s" in st:
            rows.append((
                f"people stage alone (`find_mentions`), 1 core, {st['words']:,} words, {corpus_note}",
                f"≥ {TARGET_WORDS_PER_S:,} words/s", f"{st['words_per_s']:,.0f} words/s (per CPU s)",
                st["words_per_s"] >= TARGET_WORDS_PER_S,
            ))
        else:
            rows.append(("people stage alone (`find_mentions`)", f"≥ {TARGET_WORDS_PER_S:,} words/s", st["people"],
                         None))

    rows.append(("`etl --version` (interpreter start + imports)", "context", f"{r['startup_seconds']:.2f} s", None))

    m = r["machine"]
    lines = [
        f"Measured {r['date']} with `python bench/bench.py --articles {n} --jobs {jobs}"
        f"{' --with-100k' if r.get('with_100k') else ''}` (seed {r['seed']}, {r['corpus_mb']:.1f} MB) "
        f"on {m['cores']} cores, {m['cpu']}, {m['ram_gb']:g} GB RAM, Python {m['python']}, "
        f"SQLite {m['sqlite']}, etl {m['etl']} at {m['commit']}"
        f"{' (a copy of the working tree taken at the start)' if r.get('snapshot') else ''}, "
        f"rules {m['rules_version']}.",
        f"CPU s: CPU time of the etl process tree; others: CPU time other processes on the machine used "
        f"during that run (they compete for the {m['cores']} cores and slow the wall-clock figures).",
        "",
        "| figure | target | measured | result |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {verdict(d)} |" for a, b, c, d in rows),
        "",
        "What each etl run reported:",
        "",
        *(f"- {name}: `{r[key]['summary']}`" for name, key in
          (("cold", "cold"), ("no-op", "noop"), ("1% changed", "change"))),
    ]
    for name, key in (("no-op", "noop"), ("1% changed", "change")):
        recleaned = r[key]["counts"].get("re-cleaned", 0)
        if recleaned:
            lines.append(f"- note: the {name} re-run re-cleaned {recleaned:,} articles (corpus memory or rules changes).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--with-100k", action="store_true", help="also measure a cold run of 100,000 articles")
    parser.add_argument("--stage-sample", type=int, default=STAGE_SAMPLE)
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a new temporary one, removed)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="run the checkout's live code instead of a copy taken at the start")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="etl-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    n = args.articles
    r: dict = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "articles": n, "jobs": args.jobs, "seed": args.seed, "with_100k": args.with_100k,
    }
    try:
        if not args.no_snapshot:
            snapshot_code(workdir / "code")
        r["machine"] = machine()
        r["snapshot"] = not args.no_snapshot
        log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
        log(f"corpus of {n:,} articles in {workdir}")
        corpus = make_corpus(workdir, n, args.seed)
        r["corpus_mb"] = sum(p.stat().st_size for p in corpus_files(corpus)) / 1e6

        log("(a) floor, best of 3")
        seconds, cpu, articles, rows = floor(corpus, workdir / "floor.sqlite")
        r["floor"] = {"seconds": seconds, "cpu_seconds": cpu, "articles": articles, "rows": rows}

        db = workdir / "etl.sqlite"
        log(f"(b) cold etl run --jobs {args.jobs}")
        r["cold"] = asdict(etl_run(corpus, db, args.jobs))
        log(f"    {r['cold']['summary']}")
        log("(c) no-op re-run")
        r["noop"] = asdict(etl_run(corpus, db, args.jobs))
        log(f"    {r['noop']['summary']}")
        log("(d) re-run after 1% changed")
        edited, touched = change_one_percent(corpus, n, args.seed)
        r["change"] = asdict(etl_run(corpus, db, args.jobs)) | {"edited": edited, "touched": touched}
        log(f"    {r['change']['summary']}")

        log(f"(f) stages alone on {min(n, args.stage_sample):,} articles")
        r["stages"] = stages_alone(corpus, args.stage_sample)
        # The corpus recombines ~40 seed paragraphs, so anything remembered per text hits far more
        # often than in a real archive; the same stages on articles whose paragraphs never repeat:
        unique = make_corpus(workdir, min(n, args.stage_sample), args.seed, unique=True)
        r["stages_unique"] = stages_alone(unique, args.stage_sample)
        shutil.rmtree(unique)
        r["startup_seconds"] = startup_seconds()

        log("(e) memory at other corpus sizes")
        sizes = sorted({1000, n} | ({100_000} if args.with_100k else set()))
        scale = []
        for size in sizes:
            if size == n:
                run = r["cold"]
            else:
                other = make_corpus(workdir, size, args.seed)
                other_db = workdir / f"etl-{size}.sqlite"
                run = asdict(etl_run(other, other_db, args.jobs))
                log(f"    {size:,}: {run['summary']}")
                shutil.rmtree(other)
            scale.append({
                "articles": size, "seconds": run["seconds"], "docs_per_s": size / run["seconds"],
                "cpu_seconds": run["cpu_seconds"],
                "tree_rss_mb": run["tree_rss_mb"], "tree_pss_mb": run["tree_pss_mb"],
                "largest_rss_mb": run["largest_rss_mb"],
                "processes": run["processes"],
            })
        r["scale"] = scale
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    print(report(r))
    if args.json:
        args.json.write_text(json.dumps(r, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
