"""One immutable configuration object for a run, built from options and ``ETL_*`` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_INPUT = "seeds"
DEFAULT_DB = "news.sqlite"
DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024
#: A decoded file whose longest line has more characters than this is not article text (a data
#: dump, minified markup): it fails with a reason instead of tying up the cleaning stages.
DEFAULT_MAX_LINE_CHARS = 1_000_000

#: Cleaning one news article takes milliseconds; a file that takes minutes is pathological and
#: must not hold up the night.
DEFAULT_FILE_TIMEOUT = 120.0

#: Exit codes, documented in the README and in ``etl run --help``.
EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the lock; cron may simply try again later
EXIT_SOFTWARE = 70  # EX_SOFTWARE: the run stopped on an unexpected error; its runs row says why


def default_input() -> str:
    return os.environ.get("ETL_INPUT") or DEFAULT_INPUT


def default_db() -> str:
    return os.environ.get("ETL_DB") or DEFAULT_DB


#: A run with fewer files than this to read (or articles to re-clean) does them in its own process:
#: starting and stopping a worker pool costs more than it saves.  ``ETL_POOL_MIN_FILES`` overrides
#: it (0: always a pool with ``--jobs`` > 1).
DEFAULT_POOL_MIN_FILES = 256


def default_pool_min_files() -> int:
    value = os.environ.get("ETL_POOL_MIN_FILES", "")
    return int(value) if value.strip().isdigit() else DEFAULT_POOL_MIN_FILES


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything ``etl run`` needs to know; nothing else reads options or the environment."""

    db_path: Path
    input_dir: Path | None = None  # None with reprocess=True: re-clean from stored raw text only
    jobs: int = field(default_factory=default_jobs)
    rules_file: Path | None = None
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # larger files fail with their size named
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS  # a longer single line is not article text
    file_timeout: float = DEFAULT_FILE_TIMEOUT  # seconds to clean one file before it fails (0: no limit)
    reprocess: bool = False
    wait: bool = False  # queue behind a running run instead of exiting 75
    batch_size: int = 200  # articles per write transaction
    pool_min_files: int = field(default_factory=default_pool_min_files)  # fewer: no worker pool
