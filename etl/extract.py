"""Extract: walk the input folder and turn files into :class:`RawDocument` values.

The walk is recursive and sorted, so runs are reproducible.  It never follows a symlink that leaves
the input folder or a symlinked folder (no loops), and it reports every file it skips with a reason
instead of failing the run.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.decode import DecodeError, decode, sha256
from etl.records import RawDocument

TEXT_SUFFIXES = frozenset({".txt", ".text", ""})


class ExtractError(Exception):
    """A file cannot be read or decoded; ``stage`` says where it failed."""

    def __init__(self, source_path: str, stage: str, message: str) -> None:
        super().__init__(f"{source_path}: {message}")
        self.source_path = source_path
        self.stage = stage
        self.message = message


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A candidate input file, found by the walk and stat-ed (not yet read)."""

    path: Path  # absolute path to read
    source_path: str  # relative to the input folder, '/'-separated
    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or folder the walk did not take, and why (logged, not a failure)."""

    source_path: str
    reason: str


def _relative(path: str, root: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def walk(input_dir: Path) -> Iterator[SourceFile | Skipped]:
    """Input files in sorted order, depth first; skipped entries are reported, never raised."""
    root = os.path.realpath(input_dir)
    yield from _walk_dir(root, root)


def _walk_dir(directory: str, root: str) -> Iterator[SourceFile | Skipped]:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(_relative(directory, root) + "/", f"folder cannot be read: {exc.strerror}")
        return
    for entry in entries:
        rel = _relative(entry.path, root)
        if entry.name.startswith("."):
            continue  # hidden files and folders (.git, editor swap files) are not articles
        try:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not (target == root or target.startswith(root + os.sep)):
                    yield Skipped(rel, "symlink pointing outside the input folder (not followed)")
                    continue
                if not os.path.exists(target):
                    yield Skipped(rel, "broken or looping symlink (not followed)")
                    continue
                if os.path.isdir(target):
                    yield Skipped(rel, "symlinked folder (not followed, to avoid loops and double counting)")
                    continue
            if entry.is_dir(follow_symlinks=False):
                yield from _walk_dir(entry.path, root)
                continue
            st = entry.stat(follow_symlinks=True)
        except OSError as exc:
            yield Skipped(rel, f"cannot stat: {exc.strerror or exc}")
            continue
        if not stat.S_ISREG(st.st_mode):
            yield Skipped(rel, "not a regular file")
            continue
        suffix = os.path.splitext(entry.name)[1].lower()
        if suffix not in TEXT_SUFFIXES:
            yield Skipped(rel, f"not a text file (extension {suffix!r})")
            continue
        yield SourceFile(Path(entry.path), rel, st.st_size, st.st_mtime_ns)


def read(source: SourceFile, max_file_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and their sha256, or :class:`ExtractError` with a reason."""
    if source.size_bytes > max_file_bytes:
        raise ExtractError(
            source.source_path,
            "read",
            f"file is {source.size_bytes:,} bytes, over the size cap of {max_file_bytes:,} bytes "
            "(raise it with --max-file-size)",
        )
    try:
        with open(source.path, "rb") as fh:
            data = fh.read(max_file_bytes + 1)
    except OSError as exc:
        raise ExtractError(source.source_path, "read", f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > max_file_bytes:
        raise ExtractError(source.source_path, "read", f"file grew over the size cap of {max_file_bytes:,} bytes")
    return data, sha256(data)


def to_document(source: SourceFile, data: bytes, digest: str) -> RawDocument:
    """Decode the bytes into a :class:`RawDocument`, or :class:`ExtractError` with a reason."""
    if not data.strip():
        raise ExtractError(source.source_path, "decode", "file is empty or whitespace only")
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        raise ExtractError(source.source_path, "decode", str(exc)) from exc
    if not text.strip():
        raise ExtractError(source.source_path, "decode", "file is empty or whitespace only")
    return RawDocument(
        source_path=source.source_path,
        sha256=digest,
        size_bytes=len(data),
        mtime_ns=source.mtime_ns,
        encoding=encoding,
        text=text,
    )
