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
from collections.abc import Sequence

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


def tokenize_many(texts: Sequence[str]) -> list[list[bytes]]:
    """:func:`tokenize` of each text (casefolded here), in one pass over their concatenation: the
    per-call overhead is most of the cost for short lines."""
    joined = "\n".join(texts)
    folded: str | None = None
    if folds_in_place(joined):
        # casefolding would change only ASCII capitals: lower them while mapping bytes to tokens
        raw = joined.encode("ascii", "replace")
        spaced = raw.translate(_FOLD_TABLE)
    else:
        folded = joined.casefold()
        if len(folded) != len(joined):  # casefolding changed lengths ("ß" -> "ss"): one by one
            return [tokenize(t.casefold()) for t in texts]
        raw = folded.encode("ascii", "replace")
        spaced = raw.translate(_TABLE)
    out: list[list[bytes]] = []
    start = 0
    # non-ASCII characters in all the texts together: a text with no more than its share of them
    # needs no count of its own (most articles have a few curly quotes at most)
    replaced = raw.count(b"?") - (joined if folded is None else folded).count("?")
    for text in texts:
        end = start + len(text)
        if replaced > NON_ASCII_SHARE * len(text) and raw.count(b"?", start, end) - text.count("?") > NON_ASCII_SHARE * len(text):
            runs = _LETTER_RUNS.findall(folded, start, end) if folded is not None else _LETTER_RUNS.findall(text.casefold())
            out.append([t.encode("utf-8") for t in runs])
        else:
            out.append(spaced[start:end].split())
        start = end + 1
    return out


def letters_many(texts: Sequence[str]) -> list[bytes]:
    """:func:`letters` of each text: ``b"".join(t) for t in tokenize_many(texts)``, without cutting
    the texts into words first (the byte path deletes the bytes that are no letters instead of
    splitting on them: about half the cost).  The same choice of path per text as tokenize_many."""
    joined = "\n".join(texts)
    folded: str | None = None
    if folds_in_place(joined):
        raw = joined.encode("ascii", "replace")
        table, delete = _LOWER_TABLE, _NOT_ASCII_LETTERS
    else:
        folded = joined.casefold()
        if len(folded) != len(joined):  # casefolding changed lengths ("ß" -> "ss"): one by one
            return [letters(t) for t in texts]
        raw = folded.encode("ascii", "replace")
        table, delete = None, _NOT_LOWER_LETTERS
    out: list[bytes] = []
    start = 0
    replaced = raw.count(b"?") - (joined if folded is None else folded).count("?")
    for text in texts:
        end = start + len(text)
        if replaced > NON_ASCII_SHARE * len(text) and raw.count(b"?", start, end) - text.count("?") > NON_ASCII_SHARE * len(text):
            runs = _LETTER_RUNS.findall(folded, start, end) if folded is not None else _LETTER_RUNS.findall(text.casefold())
            out.append("".join(runs).encode("utf-8"))
        else:
            out.append(raw[start:end].translate(table, delete))
        start = end + 1
    return out


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
