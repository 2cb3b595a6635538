"""Decoding raw bytes: BOMs, UTF-8, BOM-less UTF-16/32, legacy encodings, binary data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from etl.decode import DecodeError, decode, implausibility, sha256

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "encoding"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
SEEDS = sorted((HERE.parent / "seeds").glob("*.txt"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str) -> None:
    data = (FIXTURES / "raw" / name).read_bytes()
    want = EXPECTED[name]
    if "error" in want:
        with pytest.raises(DecodeError, match=want["error"]):
            decode(data)
    else:
        assert decode(data) == (want["text"], want["encoding"])


def test_every_raw_file_has_an_expectation() -> None:
    assert sorted(p.name for p in (FIXTURES / "raw").iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("path", SEEDS, ids=[p.name for p in SEEDS])
def test_seeds_are_utf8(path: Path) -> None:
    data = path.read_bytes()
    assert decode(data) == (data.decode("utf-8"), "utf-8")


def test_decode_error_is_a_value_error_with_a_reason() -> None:
    with pytest.raises(ValueError, match="binary data"):
        decode(b"\x00\x01\x02\x03" * 100)


def test_sha256_of_raw_bytes() -> None:
    assert sha256(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256(b"\xff\xfe") == hashlib.sha256(b"\xff\xfe").hexdigest()


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("Genera\u00b3 powiedzia\u00b3", "Genera\u0142 powiedzia\u0142"),  # cp1250 read as cp1252
        ("\u00cf\u00f0\u00e8\u00e2\u00e5\u00f2", "\u041f\u0440\u0438\u0432\u0435\u0442"),  # cp1251 as cp1252
        ("toplant\u00bb yap\u00bbld\u00bb", "toplant\u0131 yap\u0131ld\u0131"),  # cp1254 as hp-roman8
    ],
)
def test_implausibility_prefers_the_right_reading(wrong: str, right: str) -> None:
    assert implausibility(right) == 0
    assert implausibility(wrong) > 0
