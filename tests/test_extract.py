"""Extract alone: the walk (order, names, symlinks, skips), reading (caps, errors) and decoding checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from etl.extract import ExtractError, Skipped, SourceFile, decode_note, read, to_document, walk


def _walk(folder: Path) -> tuple[list[str], dict[str, Skipped]]:
    files, skipped = [], {}
    for entry in walk(folder):
        if isinstance(entry, SourceFile):
            files.append(entry.source_path)
        else:
            skipped[entry.source_path] = entry
    return files, skipped


def _source(path: Path, rel: str = "x.txt") -> SourceFile:
    st = path.stat() if path.exists() else None
    return SourceFile(path, rel, st.st_size if st else 0, st.st_mtime_ns if st else 0)


def test_walk_is_recursive_sorted_and_relative(input_dir: Path) -> None:
    for rel in ["b.txt", "a/z.txt", "a/b/c.txt", "A.txt", "noext", "c.TXT"]:
        (input_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (input_dir / rel).write_text("text\n")
    files, skipped = _walk(input_dir)
    assert files == ["A.txt", "a/b/c.txt", "a/z.txt", "b.txt", "c.TXT", "noext"]
    assert skipped == {}


def test_hidden_entries_are_ignored_and_other_extensions_skipped_quietly(input_dir: Path) -> None:
    (input_dir / ".git").mkdir()
    (input_dir / ".git" / "HEAD.txt").write_text("ref\n")
    (input_dir / ".swap.txt").write_text("x\n")
    (input_dir / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (input_dir / "page.html").write_text("<p>x</p>")
    files, skipped = _walk(input_dir)
    assert files == []
    assert set(skipped) == {"photo.jpg", "page.html"}
    assert all(not s.problem for s in skipped.values())
    assert "not a text file" in skipped["photo.jpg"].reason


@pytest.mark.parametrize(
    "name", ["with space.txt", "it's \"quoted\".txt", "Зеленський заявив.txt", "café – naïve ☕.txt", "tab\there.txt"]
)
def test_awkward_file_names_keep_their_exact_name(input_dir: Path, name: str) -> None:
    (input_dir / name).write_text("A sentence about something.\n", encoding="utf-8")
    files, _ = _walk(input_dir)
    assert files == [name]


def test_a_file_name_that_is_not_utf8_is_loaded_under_an_escaped_name(input_dir: Path) -> None:
    raw_name = os.fsencode(str(input_dir)) + b"/caf\xe9.txt"  # latin-1 bytes in a name
    with open(raw_name, "wb") as fh:
        fh.write(b"Some article text.\n")
    [entry] = list(walk(input_dir))
    assert isinstance(entry, SourceFile)
    assert entry.source_path == "caf\\xe9.txt"
    entry.source_path.encode("utf-8")  # storable as SQLite text
    assert read(entry, 1000)[0] == b"Some article text.\n"


def test_symlinks(input_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not ours\n")
    (input_dir / "real.txt").write_text("ours\n")
    (input_dir / "sub").mkdir()
    (input_dir / "sub" / "deep.txt").write_text("deep\n")
    os.symlink(input_dir / "real.txt", input_dir / "alias.txt")  # inside: followed
    os.symlink(outside / "secret.txt", input_dir / "leak.txt")  # outside: not followed
    os.symlink(outside, input_dir / "outdir")  # folder outside
    os.symlink("../real.txt", input_dir / "sub" / "up.txt")  # relative, inside
    os.symlink(input_dir / "sub", input_dir / "sub" / "loopdir")  # folder loop
    os.symlink("self.txt", input_dir / "self.txt")  # a link to itself
    os.symlink("ping.txt", input_dir / "pong.txt")
    os.symlink("pong.txt", input_dir / "ping.txt")
    os.symlink("missing.txt", input_dir / "broken.txt")
    files, skipped = _walk(input_dir)
    assert files == ["alias.txt", "real.txt", "sub/deep.txt", "sub/up.txt"]
    reasons = {k: (v.reason, v.problem) for k, v in skipped.items()}
    assert reasons["leak.txt"][1] and "outside the input folder" in reasons["leak.txt"][0]
    assert str(outside / "secret.txt") in reasons["leak.txt"][0]
    assert reasons["outdir"][1] and "outside the input folder" in reasons["outdir"][0]
    for loop in ("self.txt", "ping.txt", "pong.txt"):
        assert reasons[loop] == ("symlink loop (not followed)", True)
    assert reasons["broken.txt"][1] and "broken symlink" in reasons["broken.txt"][0]
    assert reasons["sub/loopdir/"][1] is False and "symlinked folder" in reasons["sub/loopdir/"][0]


def test_special_files_are_problems_not_hangs(input_dir: Path) -> None:
    os.mkfifo(input_dir / "pipe.txt")
    files, skipped = _walk(input_dir)
    assert files == []
    assert skipped["pipe.txt"].problem and "not a regular file" in skipped["pipe.txt"].reason


def test_an_unreadable_folder_is_a_problem_not_a_crash(input_dir: Path) -> None:
    (input_dir / "locked").mkdir()
    (input_dir / "ok.txt").write_text("fine\n")
    os.chmod(input_dir / "locked", 0)
    try:
        if os.access(input_dir / "locked", os.R_OK):
            pytest.skip("running as root: permissions do not apply (tests/test_bad_input.py drops CAP_DAC_OVERRIDE for it)")
        files, skipped = _walk(input_dir)
    finally:
        os.chmod(input_dir / "locked", 0o755)
    assert files == ["ok.txt"]
    assert skipped["locked/"].problem and "cannot be read" in skipped["locked/"].reason


def test_size_cap_names_the_size(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 5000)
    with pytest.raises(ExtractError) as err:
        read(_source(path, "big.txt"), 4096)
    assert err.value.stage == "read"
    assert "5,000 bytes, over the size cap of 4,096 bytes" in err.value.message


def test_a_file_that_vanished_after_the_walk(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="cannot read file: No such file"):
        read(SourceFile(tmp_path / "gone.txt", "gone.txt", 10, 0), 1000)


def test_read_returns_bytes_and_sha256(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    data, digest = read(_source(path), 100)
    assert data == b"abc"
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file is empty"),
        (b"  \n\t\r\n  ", "whitespace only"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not text: binary data"),
        (bytes(range(256)) * 8, "not text: binary data"),
        (b"\xff\xfe" + "   \n".encode("utf-16-le"), "whitespace only when read as utf-16"),
        (b"word " * 300_000, "a single line of 1,500,000 characters, over the line cap of 1,000,000"),
    ],
    ids=["empty", "whitespace", "png", "random-bytes", "utf16-whitespace", "long-line"],
)
def test_to_document_refuses_what_is_not_text(data: bytes, reason: str) -> None:
    source = SourceFile(Path("/nonexistent"), "f.txt", len(data), 0)
    with pytest.raises(ExtractError) as err:
        to_document(source, data, "0" * 64)
    assert err.value.stage == "decode"
    assert reason in err.value.message


def test_invalid_byte_sequences_are_decoded_and_noted() -> None:
    data = "Zaluzhnyi said it was “a mistake”.\n".encode("utf-8") + b"caf\xe9 \xff\n"
    doc = to_document(SourceFile(Path("/x"), "f.txt", len(data), 0), data, "0" * 64)
    assert doc.text.startswith("Zaluzhnyi")
    note = decode_note(data, doc.encoding)
    assert note is not None and "not valid UTF-8 (first invalid byte at offset" in note
    assert decode_note(b"plain", "utf-8") is None


def test_a_long_line_under_the_cap_is_text() -> None:
    data = b"word " * 1000
    doc = to_document(SourceFile(Path("/x"), "f.txt", len(data), 0), data, "0" * 64, max_line_chars=5000)
    assert doc.text == data.decode()
