"""Extract: walk the input folder and turn files into :class:`RawDocument` values.

The walk is recursive and sorted, so runs are reproducible.  It never follows a symlink that leaves
the input folder or a symlinked folder (no loops), and it reports every file it skips with a reason
instead of failing the run.  Two kinds of skips:

* *ordinary* (``problem=False``): hidden files, files that are not text by their extension, and
  symlinked folders inside the input (their files are walked under their real path).  Logged with
  ``-v``; nothing was meant to be loaded from them.
* *problems* (``problem=True``): symlinks pointing outside the input folder, broken or looping
  symlinks, folders or files that cannot be read or stat-ed, special files (FIFOs, sockets,
  devices).  The pipeline records them in the ``failures`` table (stage ``walk``), so the run is
  ``partial`` and an operator sees them.

File names that are not valid UTF-8 are loaded: their ``source_path`` shows the undecodable bytes as
``\\xNN`` escapes (SQLite text must be valid Unicode).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.decode import DecodeError, decode, sha256
from etl.records import RawDocument, pickle_as_fields
from etl.settings import DEFAULT_MAX_LINE_CHARS

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

    __reduce__ = pickle_as_fields  # sent to the workers in every task

    path: str | os.PathLike[str]  # absolute path to read (the walk gives str: no Path per file)
    source_path: str  # relative to the input folder, '/'-separated
    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or folder the walk did not take, and why.

    ``problem`` marks skips an operator must hear about (recorded as failures); a folder's
    ``source_path`` ends with ``/``.
    """

    source_path: str
    reason: str
    problem: bool = False


def _relative(path: str, root: str) -> str:
    """``path`` relative to ``root``, '/'-separated, undecodable name bytes as ``\\xNN`` escapes."""
    return _escaped(os.path.relpath(path, root).replace(os.sep, "/"))


def _escaped(rel: str) -> str:
    """``rel`` with undecodable name bytes as ``\\xNN`` escapes (SQLite text must be valid Unicode)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:  # surrogate-escaped bytes of a non-UTF-8 file name
        rel = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return rel


def _symlink_problem(path: str, root: str) -> tuple[str, bool] | None:
    """Why a symlink is not followed (reason, problem), or None when it is a file inside the input."""
    try:
        os.stat(path)  # follows the whole chain
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop (not followed)", True
        if exc.errno == errno.ENOENT:
            return f"broken symlink to {os.readlink(path)!r} (not followed)", True
        return f"symlink cannot be followed: {exc.strerror or exc}", True
    target = os.path.realpath(path)
    if not (target == root or target.startswith(root + os.sep)):
        return f"symlink pointing outside the input folder, to {target!r} (not followed)", True
    if os.path.isdir(target):
        return "symlinked folder (not followed: its files are walked under their real path)", False
    return None


def walk(input_dir: Path) -> Iterator[SourceFile | Skipped]:
    """Input files in sorted order, depth first; skipped entries are reported, never raised."""
    root = os.path.realpath(input_dir)
    yield from _walk_dir(root, root, "")


def _walk_dir(directory: str, root: str, prefix: str) -> Iterator[SourceFile | Skipped]:
    """``prefix``: ``directory`` relative to ``root`` with a trailing '/' ("" for the root), unescaped."""
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(_relative(directory, root) + "/", f"folder cannot be read: {exc.strerror or exc}", True)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # hidden files and folders (.git, editor swap files) are not articles
        rel = _escaped(prefix + entry.name if os.sep == "/" else os.path.relpath(entry.path, root).replace(os.sep, "/"))
        try:
            if entry.is_symlink():
                problem = _symlink_problem(entry.path, root)
                if problem is not None:
                    yield Skipped(rel + ("/" if not problem[1] else ""), problem[0], problem[1])
                    continue
            elif entry.is_dir(follow_symlinks=False):
                yield from _walk_dir(entry.path, root, prefix + entry.name + "/")
                continue
            st = entry.stat(follow_symlinks=True)
        except OSError as exc:
            yield Skipped(rel, f"cannot stat: {exc.strerror or exc}", True)
            continue
        suffix = os.path.splitext(entry.name)[1].lower()
        if suffix not in TEXT_SUFFIXES:
            yield Skipped(rel, f"not a text file (extension {suffix!r})")
            continue
        if not stat.S_ISREG(st.st_mode):
            yield Skipped(rel, "not a regular file (FIFO, socket or device)", True)
            continue
        yield SourceFile(entry.path, rel, st.st_size, st.st_mtime_ns)


def read(source: SourceFile, max_file_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and their sha256, or :class:`ExtractError` with a reason.

    Opened with ``O_NONBLOCK`` and checked again with ``fstat``: a file swapped for a FIFO after the
    walk fails instead of blocking the run forever.
    """
    try:
        fd = os.open(source.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ExtractError(source.source_path, "read", f"cannot read file: {exc.strerror or exc}") from exc
    with open(fd, "rb", closefd=True) as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ExtractError(source.source_path, "read", "not a regular file any more")
        if st.st_size > max_file_bytes:
            raise ExtractError(
                source.source_path,
                "read",
                f"file is {st.st_size:,} bytes, over the size cap of {max_file_bytes:,} bytes "
                "(raise it with --max-file-size)",
            )
        try:
            data = fh.read(max_file_bytes + 1)
        except OSError as exc:
            raise ExtractError(source.source_path, "read", f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > max_file_bytes:
        raise ExtractError(
            source.source_path, "read", f"file grew over the size cap of {max_file_bytes:,} bytes while being read"
        )
    return data, sha256(data)


def to_document(
    source: SourceFile, data: bytes, digest: str, max_line_chars: int = DEFAULT_MAX_LINE_CHARS
) -> RawDocument:
    """Decode the bytes into a :class:`RawDocument`, or :class:`ExtractError` with a reason."""
    if not data.strip():
        what = "empty" if not data else f"whitespace only ({len(data):,} bytes)"
        raise ExtractError(source.source_path, "decode", f"file is {what}: no text to load")
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        raise ExtractError(source.source_path, "decode", f"not text: {exc}") from exc
    if not text.strip():
        raise ExtractError(
            source.source_path, "decode", f"file is whitespace only when read as {encoding}: no text to load"
        )
    longest = max(map(len, text.splitlines()), default=0)
    if longest > max_line_chars:
        raise ExtractError(
            source.source_path,
            "decode",
            f"a single line of {longest:,} characters, over the line cap of {max_line_chars:,}: "
            "not article text (raise it with --max-line-length)",
        )
    return RawDocument(
        source_path=source.source_path,
        sha256=digest,
        size_bytes=len(data),
        mtime_ns=source.mtime_ns,
        encoding=encoding,
        text=text,
    )


def decode_note(data: bytes, encoding: str) -> str | None:
    """A line for the log when the bytes were not plain UTF-8 (None when they were)."""
    if encoding in ("utf-8", "ascii"):
        return None
    if encoding.startswith(("utf-16", "utf-32", "utf-8")):
        return f"decoded as {encoding}"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 (first invalid byte at offset {exc.start:,}: {exc.reason}); decoded as {encoding}"
    return f"decoded as {encoding}"  # pragma: no cover - valid UTF-8 is always decoded as UTF-8
