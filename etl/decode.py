"""Raw bytes -> text: BOMs, UTF-8, BOM-less UTF-16/32, legacy single-byte encodings; sha256.

``decode(data)`` returns ``(text, encoding)``; the order of the checks is:

1. **BOM**: UTF-32 LE/BE, UTF-8 (``utf-8-sig``), UTF-16 LE/BE.  The BOM is not part of the text.
2. **Known binary signatures** (PDF, PNG, ZIP, gzip, ...) and **NUL bytes**: data with NULs is
   text only if it looks like BOM-less UTF-32 or UTF-16 (NULs in the high-byte positions of
   ASCII-range characters); otherwise it is binary.
3. **Strict UTF-8** (ASCII is UTF-8 and reported as ``utf-8``).
4. **Legacy encodings**: charset-normalizer proposes an encoding, but on short texts it often
   guesses a cousin (cp1250, mac_roman, even big5 for English cp1252 text with one curly quote).
   So its pick competes with a short list of the encodings news text really comes in, in this
   order: cp1252, cp1251, *the detector's pick*, cp1250, koi8-r, cp1253, cp1254, ... latin-1.
   Each candidate decoding is scored by :func:`implausibility` (C1 controls, symbols or quotes
   glued to letters, mixed scripts or odd case changes inside a word, stray combining marks,
   words made only of accented Latin letters, which is what Cyrillic looks like read as cp1252,
   a few letters that are mostly decoding accidents such as þ/ð/ý).  The least implausible wins;
   ties go to the earlier candidate, so cp1252 wins whenever the pick only differs from it in
   characters that are equally plausible ("itís" in mac_roman vs "it’s").

Encoding names are Python's canonical codec names (``codecs.lookup(name).name``): ``utf-8``,
``utf-8-sig``, ``utf-16-le``, ``utf-16-be``, ``utf-32-le``, ``utf-32-be``, ``cp1252``, ``cp1251``,
``iso8859-1`` ...  UTF-16/32 are reported with their byte order whether or not a BOM was present.

Known limitations (no language model, by choice): a short Czech cp1250 line whose only
non-ASCII letters also exist in cp1252 (č→è, ř→ø) is read as cp1252; Polish (ł, ą, ż map to
symbols in cp1252) is told apart.  Short Hebrew cp1255 text reads as plausible Cyrillic and is
decoded as cp1251.  Icelandic cp1252 text (þ, ð) may be read as cp1254.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

__all__ = ["DecodeError", "decode", "sha256"]


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept; the message says why."""


def sha256(data: bytes) -> str:
    """Hex SHA-256 of the raw bytes."""
    return hashlib.sha256(data).hexdigest()


# Longest BOM first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx/epub)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE document (doc/xls)"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
)

#: C0 control characters that do not occur in text (tab, LF, VT, FF, CR are allowed).  C1
#: controls are not counted: mojibake of UTF-8 read as latin-1 legitimately contains them (the
#: repair stage fixes it), and binary data has C0 controls (about 1 byte in 8) anyway.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
#: Above this share of control characters the data is treated as binary.
MAX_CONTROL_RATIO = 0.02
#: A BOM-less UTF-16 candidate needs NULs in at least this share of its high bytes ...
_UTF16_MIN_NUL_SHARE = 0.10
#: ... and at most this share of NULs in its low bytes.
_UTF16_MAX_OTHER_NUL_SHARE = 0.02
#: A BOM-less UTF-16/32 decoding is accepted only below this implausibility per character.
MAX_WIDE_IMPLAUSIBILITY = 0.05

#: Legacy encodings that compete with charset-normalizer's pick, most likely first.  Latin-1
#: decodes every byte and comes last; its C1 controls make it lose whenever cp1252 fits.
LEGACY_CANDIDATES: tuple[str, ...] = (
    "cp1252",
    "cp1251",
    "cp1250",
    "koi8_r",
    "cp1253",
    "cp1254",
    "cp1257",
    "iso8859_15",
    "mac_roman",
    "latin_1",
)


def _codec_name(name: str) -> str:
    return codecs.lookup(name).name


def _check_controls(text: str, encoding: str) -> None:
    if not text:
        return
    bad = len(_CONTROL_RE.findall(text))
    if bad and bad / len(text) > MAX_CONTROL_RATIO:
        raise DecodeError(
            f"binary data: {bad} control characters in {len(text)} ({bad / len(text):.0%}) "
            f"when read as {encoding}"
        )


def _decode_unicode(data: bytes, encoding: str, unit: int) -> str:
    """Decode UTF-16/32; a truncated final code unit becomes U+FFFD, anything else is an error."""
    usable = len(data) - len(data) % unit
    try:
        text = data[:usable].decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"invalid {encoding} at byte {exc.start}: {exc.reason}") from None
    return text + ("\ufffd" if usable != len(data) else "")


def _sniff_wide(data: bytes) -> str | None:
    """The BOM-less UTF-32/UTF-16 byte order the NUL pattern suggests, or None."""
    n4 = len(data) // 4
    if n4 and len(data) % 4 == 0:
        cols = [data[i::4].count(0) for i in range(4)]
        # BMP text: the top byte is always 0, the next one nearly always.
        if cols[3] == n4 and cols[2] >= 0.9 * n4 and cols[0] < n4:
            return "utf-32-le"
        if cols[0] == n4 and cols[1] >= 0.9 * n4 and cols[3] < n4:
            return "utf-32-be"
    n2 = len(data) // 2
    if n2:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        if odd >= _UTF16_MIN_NUL_SHARE * n2 and even <= _UTF16_MAX_OTHER_NUL_SHARE * n2:
            return "utf-16-le"
        if even >= _UTF16_MIN_NUL_SHARE * n2 and odd <= _UTF16_MAX_OTHER_NUL_SHARE * n2:
            return "utf-16-be"
    return None


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    """A coarse script name for a letter: the first word of its Unicode name (LATIN, CYRILLIC...)."""
    name = unicodedata.name(ch, "")
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")):
        return "CJK"
    return name.split(" ", 1)[0]


#: Letters that legacy decodings produce by mistake far more often than real text uses them:
#: Icelandic thorn and eth are Turkish ş and ğ read as cp1252.
#: Icelandic thorn and eth are Turkish ş and ğ read as cp1252, "ý" is Turkish dotless ı (and
#: Czech ý decodes the same in cp1250, so cp1250 wins there when anything else is Czech).
_RARE_LETTERS = frozenset("þÞðÐýÝ")
#: Punctuation that does occur between two letters of one word (apostrophes, hyphens, middot).
_IN_WORD_PUNCT = frozenset("’‘ʼ‐‑·")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


#: Words of four or more letters with no ASCII letter: Cyrillic or Greek read as cp1252 or latin-1.
_NON_ASCII_WORD_RE = re.compile(r"(?<![^\W\d_])[^\W\d_\x00-\x7f]{4,}(?![^\W\d_])")
#: implausibility() looks at this many non-ASCII characters at most: plenty to rank decodings.
SCORE_SAMPLE = 400


def implausibility(text: str, limit: int | None = None) -> int:
    """How unlike real text a decoding looks; 0 for plausible text.  Looks only at non-ASCII
    characters (the first :data:`SCORE_SAMPLE`) and their neighbours, so ASCII-compatible
    decodings of ASCII text all score 0.  Stops counting once the score exceeds ``limit``."""
    score = 0
    n = len(text)
    end = n
    for k, m in enumerate(_NON_ASCII_RE.finditer(text)):
        i = m.start()
        if k >= SCORE_SAMPLE or (limit is not None and score > limit):
            end = i
            break
        ch = text[i]
        cat = unicodedata.category(ch)
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        if cat in ("Cc", "Cn", "Co", "Cs"):
            score += 10
        elif cat[0] == "L":
            if prev.isalpha() and _script(prev) != _script(ch):
                score += 5
            if cat == "Lu" and unicodedata.category(prev) == "Ll":
                score += 2
            if ch in _RARE_LETTERS:
                score += 1
        elif cat[0] == "M":
            # A combining mark belongs after a letter of its own script.
            if not prev.isalpha() or (_script(prev) != _script(ch) and _script(ch) != "COMBINING"):
                score += 5
        elif cat[0] == "P" and ch not in _IN_WORD_PUNCT and prev.isalpha() and nxt.isalpha():
            score += 2  # "toplant»yap»ld»": a quote or bracket inside a word
        elif cat[0] in "SN" or ch in "¿¡":
            # Symbols, superscripts, fractions glued to a letter: "Genera³", "s¹", "¿o".
            if prev.isalpha() or (nxt.isalpha() and ch not in "¿¡€£$¥©®"):
                score += 2
    for w in _NON_ASCII_WORD_RE.finditer(text, 0, end):
        if _script(w.group()[0]) == "LATIN":
            score += 3
    return score


def _detector_pick(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # imported lazily: only legacy files need it

    best = from_bytes(data).best()
    if best is None:
        return None
    try:
        name = _codec_name(best.encoding)
    except LookupError:
        return None
    # UTF-8 already failed; BOM-less UTF-16/32 without NULs is not worth the risk of a wrong guess.
    return None if name.startswith("utf") else name


def _candidates(data: bytes) -> Iterator[str]:
    """Legacy encodings to try, in order; the detector runs only if cp1252 and cp1251 both
    look implausible (a perfect score stops the search, so its pick is often never needed)."""
    names = [_codec_name(c) for c in LEGACY_CANDIDATES]
    yield from names[:2]
    pick = _detector_pick(data)
    if pick and pick not in names[:2]:
        yield pick
    yield from (c for c in names[2:] if c != pick)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    best: tuple[int, int, str, str] | None = None
    for rank, enc in enumerate(_candidates(data)):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        score = implausibility(text, None if best is None else best[0])
        if best is None or (score, rank) < best[:2]:
            best = (score, rank, text, enc)
            if score == 0:
                break  # earlier candidates win ties; nothing later can beat 0
    if best is None:  # pragma: no cover - latin_1 decodes every byte string
        raise DecodeError("no legacy encoding decodes these bytes")
    return best[2], best[3]


def decode(data: bytes) -> tuple[str, str]:
    """Decode raw file bytes to ``(text, encoding)``; raise :class:`DecodeError` for binary data."""
    if not data:
        return "", "utf-8"
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if encoding == "utf-8-sig":
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    # A UTF-8 BOM on non-UTF-8 bytes: an editor's mistake; detect the rest.
                    data = body
                    break
                _check_nuls(body)
                _check_controls(text, encoding)
                return text, encoding
            text = _decode_unicode(body, encoding, 4 if encoding.startswith("utf-32") else 2)
            _check_controls(text, encoding)
            return text, encoding
    for sig, what in _SIGNATURES:
        if data.startswith(sig):
            raise DecodeError(f"binary data: looks like a {what}")
    if b"\x00" in data:
        wide = _sniff_wide(data)
        if wide is not None:
            try:
                text = _decode_unicode(data, wide, 4 if wide.startswith("utf-32") else 2)
            except DecodeError:
                text = None
            # Binary data can have NULs in a UTF-16-like pattern; real text decodes plausibly.
            if text is not None and implausibility(text) <= MAX_WIDE_IMPLAUSIBILITY * len(text):
                _check_controls(text, wide)
                return text, wide
        _check_nuls(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text, encoding = _decode_legacy(data)
    else:
        encoding = "utf-8"
    _check_controls(text, encoding)
    return text, encoding


def _check_nuls(data: bytes) -> None:
    nuls = data.count(0)
    if nuls:
        raise DecodeError(
            f"binary data: {nuls} NUL byte{'s' if nuls != 1 else ''} and not UTF-16/UTF-32 text"
        )
