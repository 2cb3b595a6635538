"""Fast word tokens for the classifier and for line fingerprints.

A token is a maximal run of letters of the casefolded text, as UTF-8 bytes.  Running a Unicode
regular expression over every body paragraph costs about 20 µs a line, a tenth of the whole
per-article budget, so text that is (nearly) ASCII takes a byte path instead: encode with "?" for
every non-ASCII character, map every byte that is not a-z to a space with one ``bytes.translate``
and split.  Non-ASCII letters then split a word in pieces ("café" -> "caf"), which only adds
tokens that no English lexicon word equals; every ASCII token of the regex tokenization is still
there, which is what the pattern gates (``gates.py``) rely on.  Text with more than a few non-ASCII
characters (Cyrillic, Greek, heavily accented text) takes the exact regex path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

_LETTER_RUNS = re.compile(r"[^\W\d_]+")
# every byte that is not a-z becomes a space
_TABLE = bytes(b if 97 <= b <= 122 else 32 for b in range(256))
# the same for text not casefolded yet: A-Z become a-z too
_FOLD_TABLE = bytes(b if 97 <= b <= 122 else b + 32 if 65 <= b <= 90 else 32 for b in range(256))
_ASCII_BYTES = bytes(range(128))
#: Share of non-ASCII characters above which the exact (regex) path is taken.
NON_ASCII_SHARE = 0.05


def tokenize(casefolded: str) -> list[bytes]:
    """The letter runs of already casefolded text, as UTF-8 bytes (see the module doc)."""
    raw = casefolded.encode("ascii", "replace")
    replaced = raw.count(b"?") - casefolded.count("?")
    if replaced <= NON_ASCII_SHARE * len(casefolded):
        return raw.translate(_TABLE).split()
    return [t.encode("utf-8") for t in _LETTER_RUNS.findall(casefolded)]


def letters(text: str) -> bytes:
    """The letters of ``text`` only, casefolded (tokens joined): equal for copies of a line that
    differ in case, digits, punctuation, quotes, dashes or spacing."""
    return b"".join(tokenize(text.casefold()))


class _Joined:
    """A document's texts joined by newlines and encoded to ASCII ("?" for the rest) once, with
    the per-text choice both batch functions make: the byte path, or the exact letter runs for a
    text with more than its share of non-ASCII characters."""

    __slots__ = ("folded", "raw", "replaced")

    def __init__(self, folded: str | None, raw: bytes, replaced: int) -> None:
        self.folded = folded  # the casefolded join, or None when casefolding only lowers ASCII capitals
        self.raw = raw
        self.replaced = replaced  # non-ASCII characters in all the texts together

    @classmethod
    def of(cls, texts: Sequence[str]) -> "_Joined | None":
        """None when casefolding changes lengths ("ß" -> "ss"): then the texts go one by one."""
        joined = "\n".join(texts)
        if folds_in_place(joined):
            raw = joined.encode("ascii", "replace")
            return cls(None, raw, raw.count(b"?") - joined.count("?"))
        folded = joined.casefold()
        if len(folded) != len(joined):
            return None
        raw = folded.encode("ascii", "replace")
        return cls(folded, raw, raw.count(b"?") - folded.count("?"))

    def spans(self, texts: Sequence[str]) -> Iterator[tuple[int, int, list[str] | None]]:
        """(start, end, letter runs) of each text in :attr:`raw`; the runs only for a text that
        takes the exact path, else None (a text with no more than its share of the document's
        non-ASCII characters needs no count of its own: most articles have a few curly quotes)."""
        raw, folded, replaced = self.raw, self.folded, self.replaced
        start = 0
        for text in texts:
            end = start + len(text)
            share = NON_ASCII_SHARE * len(text)
            if replaced > share and raw.count(b"?", start, end) - text.count("?") > share:
                runs = _LETTER_RUNS.findall(folded, start, end) if folded is not None else _LETTER_RUNS.findall(text.casefold())
                yield start, end, runs
            else:
                yield start, end, None
            start = end + 1


def tokenize_many(texts: Sequence[str]) -> list[list[bytes]]:
    """:func:`tokenize` of each text (casefolded here), in one pass over their concatenation: the
    per-call overhead is most of the cost for short lines."""
    joined = _Joined.of(texts)
    if joined is None:
        return [tokenize(t.casefold()) for t in texts]
    # the byte path: every byte that is not a letter a space (capitals lowered on the way)
    spaced = joined.raw.translate(_FOLD_TABLE if joined.folded is None else _TABLE)
    return [
        [t.encode("utf-8") for t in runs] if runs is not None else spaced[start:end].split()
        for start, end, runs in joined.spans(texts)
    ]


def letters_many(texts: Sequence[str]) -> list[bytes]:
    """:func:`letters` of each text: ``b"".join(t) for t in tokenize_many(texts)``, without cutting
    the texts into words first (the byte path deletes the bytes that are no letters instead of
    splitting on them: about half the cost).  The same choice of path per text as tokenize_many."""
    joined = _Joined.of(texts)
    if joined is None:
        return [letters(t) for t in texts]
    raw = joined.raw
    table, delete = (_LOWER_TABLE, _NOT_ASCII_LETTERS) if joined.folded is None else (None, _NOT_LOWER_LETTERS)
    return [
        "".join(runs).encode("utf-8") if runs is not None else raw[start:end].translate(table, delete)
        for start, end, runs in joined.spans(texts)
    ]


# letters_many's byte path: A-Z lowered, every byte that is no ASCII letter deleted (the folded
# text has no capitals left: every byte that is not a-z deleted)
_LOWER_TABLE = bytes(b + 32 if 65 <= b <= 90 else b for b in range(256))
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))
_NOT_LOWER_LETTERS = bytes(b for b in range(256) if not 97 <= b <= 122)


def folds_in_place(text: str) -> bool:
    """Whether ``text.casefold()`` changes nothing but ASCII capitals, character for character:
    every non-ASCII character of ``text`` casefolds to one non-ASCII character.

    Then the casefolded text, encoded to ASCII with "?" for the rest, is the text's own encoding
    with capitals lowered, and :func:`tokenize_many` skips casefolding the whole text (slow for
    text with any non-ASCII character: about 7 ns a character, most of the tokenizer's cost).
    Only the non-ASCII characters are casefolded to tell: the UTF-8 encoding without its ASCII
    bytes is exactly their encoding.  Not so for "ß" ("ss"), ligatures, "K" (Kelvin sign, "k")."""
    if text.isascii():
        return True
    others = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    folded = others.casefold()
    return len(folded) == len(others) and not folded.encode("ascii", "ignore")
