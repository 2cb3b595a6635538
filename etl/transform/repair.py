"""Encoding and text repair: one ftfy configuration, plus a fast path for text with no damage.

``repair_text(text)`` is what the pipeline calls; it equals ``repair_text_full(text)`` for every
input (a property test checks this), but skips ftfy when the text shows no sign of damage.

What the full repair does, in order:

1. ftfy with :data:`CONFIG` (decided on purpose, every field spelled out below):
   mojibake (UTF-8 read as cp1252/latin-1/cp1251/..., once or twice, including the "â€" forms
   whose lost byte became U+FFFD), HTML entities (only the unambiguous ones with a ``;``:
   "&amp;", "&#8217;", "&nbsp;", repeatedly, so "&amp;#8217;" becomes "’"; a "<" in the line does
   not switch this off, as ftfy's ``"auto"`` would: scraped text is not HTML), C1 controls read
   as cp1252, Latin ligatures ("ﬁ" -> "fi", so analysts' searches find the word), CR/CRLF/U+2028/
   U+2029/NEL -> "\\n", surrogates, terminal escapes, invisible control characters, NFC.
   It keeps curly quotes (``uncurl_quotes=False``: the article's punctuation is the analyst's
   to keep) and full-width forms (``fix_character_width=False``: they are correct CJK
   typography, and folding "，" to "," would rewrite Chinese and Japanese text).
2. Our own finishing touches, :func:`_finish`: no-break spaces (U+00A0, U+2007, U+202F) -> " ";
   soft hyphens, zero-width space, word joiner and stray BOMs removed; ZWJ/ZWNJ removed unless
   they sit between two non-ASCII, non-space characters (emoji sequences, Persian and Indic
   words need them; next to ASCII or a space they are scraping debris); "\\n" line endings;
   trailing whitespace stripped from every line (no line is removed: blank lines stay, so line
   numbers match the raw text's lines); NFC.

The fast path (:func:`route` is its gate) skips ftfy when the text contains none of the
characters an enabled ftfy fixer reacts to, or only ones whose fix :func:`_finish` makes the same
way (line breaks; NBSP and soft hyphens, which ftfy only uses as mojibake clues after "Â"/"Ã").
ftfy's mojibake detector is a large regex (``ftfy.badness.BADNESS_RE``, ~600 µs per 3 KB, the
reason ftfy is slow); we run it only when the text contains a character outside
:data:`SAFE_NON_ASCII`, a set of common characters (curly quotes, dashes, guillemets, lowercase
accented Latin letters, Cyrillic) for which we checked every alternative of that regex: with only
these characters and ASCII it can match only where one of the few pairs in ``_SAFE_PAIR_RE``
occurs (a quote glued to an accented letter, "В«С"), and then we run it.  The analysis is tied to
the regex's text: if an ftfy upgrade changes ``BADNESS_RE``, the safe set is emptied at import
and every non-ASCII text is checked with the regex (slower, still identical).
Identity holds for lines shorter than ftfy's ``max_decode_length`` (1,000,000 characters).
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache

import ftfy
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad
from ftfy.chardata import CONTROL_CHARS, HTML_ENTITY_RE, LIGATURES
from ftfy.fixes import fix_line_breaks, unescape_html

from etl.transform import remembered_re as re  # ``re``, its compiled patterns remembered (rules cache)

__all__ = ["CONFIG", "needs_full_repair", "repair_text", "repair_text_full", "route"]

#: The one ftfy configuration of the project.  Every field is given, so a change of ftfy's
#: defaults cannot change our output silently.
CONFIG = ftfy.TextFixerConfig(
    unescape_html=True,  # always (see module doc); ftfy only decodes entities ending in ";"
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=True,
    fix_character_width=False,  # keep full-width CJK punctuation and letters as written
    uncurl_quotes=False,  # keep the article's curly quotes and apostrophes
    fix_line_breaks=True,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization="NFC",
    max_decode_length=1_000_000,  # ftfy's default; identity with the fast path assumes lines below it
    explain=False,  # explanations cost time and nobody reads them here
)

_NBSP = "\u00a0\u2007\u202f"  # no-break space, figure space, narrow no-break space
_REMOVE = "\u00ad\u200b\u2060\ufeff"  # soft hyphen, zero-width space, word joiner, BOM
_JOINERS = "\u200c\u200d"  # ZWNJ, ZWJ: kept only between two non-ASCII, non-space characters
_LINE_BREAKS = "\r\u2028\u2029\u0085"

_JOINER_RE = re.compile(
    rf"(?:(?<=[\x00-\x7f\s])|\A)[{_JOINERS}]+|[{_JOINERS}]+(?=[\x00-\x7f\s]|\Z)"
)


def _strip_line_ends(text: str) -> str:
    """Strip trailing whitespace (``str.isspace``) from every line; the line count stays."""
    return "\n".join([line.rstrip() for line in text.split("\n")])


def _strip_plain_line_ends(text: str) -> str:
    """:func:`_strip_line_ends` of text on the ``STRIP`` route, which usually has nothing to strip.

    Such text holds only printable ASCII, tab, LF, FF and :data:`SAFE_NON_ASCII` (no whitespace
    among them, tested), so a line ends in whitespace only where a space, tab or FF precedes a
    "\\n" or ends the text: a few substring searches instead of splitting every line."""
    if " \n" in text or "\t\n" in text or "\x0c\n" in text or text.endswith((" ", "\t", "\x0c")):
        return _strip_line_ends(text)
    return text


def _finish(text: str) -> str:
    """Our own normalizations after ftfy (see the module doc)."""
    for ch in _NBSP:
        if ch in text:
            text = text.replace(ch, " ")
    for ch in _REMOVE:
        if ch in text:
            text = text.replace(ch, "")
    if "\u200c" in text or "\u200d" in text:
        text = _JOINER_RE.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for ch in _LINE_BREAKS[1:]:
        if ch in text:
            text = text.replace(ch, "\n")
    text = _strip_line_ends(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def repair_text_full(text: str) -> str:
    """The complete repair: ftfy with :data:`CONFIG`, then :func:`_finish`."""
    return _finish(ftfy.fix_text(text, CONFIG))


# --- the fast-path gate -------------------------------------------------------------------------


def _expand(spec: str) -> set[str]:
    """Characters of a regex character-class body made of literal characters and "a-b" ranges."""
    out: set[str] = set()
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.update(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            out.add(spec[i])
            i += 1
    return out


#: sha256 of the ``BADNESS_RE`` pattern (ftfy 6.3) that SAFE_NON_ASCII was checked against.
ANALYZED_BADNESS_SHA256 = "9dcc0f2ac90d9ae3c85eb7b9b2c0b8a8e8126153847c2b30c91a0bb263f3b8c4"
_PATTERN_OK = (
    hashlib.sha256(BADNESS_RE.pattern.encode("utf-8")).hexdigest() == ANALYZED_BADNESS_SHA256
)

_LOWER_ACCENTED = "".join(sorted(_expand(MOJIBAKE_CATEGORIES["lower_accented"]) - set("œﬁﬂ")))
#: Quotes from ftfy's "start_punctuation" and "end_punctuation" categories that we allow.
_SAFE_START = "‘“„•«‹©"
_SAFE_END = "”»›®™"
#: Non-ASCII characters with which ``BADNESS_RE`` can match only where a ``_SAFE_PAIR_RE`` pair
#: occurs (checked alternative by alternative).  Left out on purpose: capital accented Latin
#: letters (ftfy's "upper_accented": "Ã", "É"...), currency, numeric and "bad" signs, box drawing,
#: Greek, "Ђ" ("вЂ" is cp1251 mojibake of "’"), "œ", the low single quote "‚", C1 controls,
#: ligatures.  All of them are NFC-stable and none composes with another under NFC, so
#: ASCII + SAFE_NON_ASCII text is always NFC (tested).
SAFE_NON_ASCII: frozenset[str] = frozenset(
    (
        _LOWER_ACCENTED
        + "òóôõöøùúûüýÿıőűșț"  # lowercase letters in no ftfy category, or only in "kaomoji"
        + "".join(chr(c) for c in range(0x400, 0x460) if c != 0x402)  # Cyrillic except Ђ
        + "’–—…°‑′″"  # "common" punctuation, degree sign, non-breaking hyphen, primes
        + _SAFE_START
        + _SAFE_END
    )
    if _PATTERN_OK
    else ""
)
#: Characters that only :func:`_finish` changes (ftfy changes line breaks too, the same way):
#: BADNESS_RE needs "Â", "Ã", "Î", "Ð", "Ø" or "Ù" before NBSP or a soft hyphen to match.
FINISH_ONLY = _NBSP + _REMOVE.replace("\ufeff", "") + _JOINERS + "\r\u2028\u2029"
_SAFE = "".join(sorted(SAFE_NON_ASCII))

#: Text made only of printable ASCII, tab, LF, FF and SAFE_NON_ASCII needs no repair unless it has
#: an entity or a safe pair (a tight ``[...]*`` loop: ~7 µs per 3 KB); with FINISH_ONLY
#: characters too, it needs only :func:`_finish`.
_PLAIN_RE = re.compile(f"[\\t\\n\\x0c -~{_SAFE}]*")
_FINISH_RE = re.compile(f"[\\t\\n\\x0c -~{_SAFE}{FINISH_ONLY}]*" if _PATTERN_OK else "(?!)")

#: A superset of the ``BADNESS_RE`` matches possible in ASCII + SAFE_NON_ASCII text: a lowercase
#: accented letter then a quote; a closing quote then a lowercase accented letter; a capital
#: В/Г/Р/С then a quote or degree sign.  Written to start with one character class, which the
#: regex engine scans for quickly.
_SAFE_PAIR_RE = re.compile(
    f"[{_LOWER_ACCENTED}{_SAFE_END}ВГРС](?:(?<=[{_LOWER_ACCENTED}])[{_SAFE_START}{_SAFE_END}]"
    f"|(?<=[{_SAFE_END}])[{_LOWER_ACCENTED}]|(?<=[ВГРС])[{_SAFE_START}{_SAFE_END}°])"
    if _PATTERN_OK
    else "[^\\x00-\\x7f]"  # any non-ASCII character: let BADNESS_RE decide
)

#: Characters that some enabled ftfy fixer changes or removes whatever their context, and that
#: :func:`_finish` does not treat the same way.
_ALWAYS_FIX_RE = re.compile(
    "["
    + re.escape("".join(chr(c) for c in CONTROL_CHARS))  # C0 but \t \n \f \r, DEL, U+206A-F, BOM...
    + "\\x80-\\x9f"  # C1 controls (fix_c1_controls runs before NEL becomes a line break)
    + re.escape("".join(chr(c) for c in LIGATURES))
    + "\\ud800-\\udfff"  # surrogates
    + "ÂÃ"  # BADNESS_RE anchors "^[ÃÂ] " at each line start, which a whole-text search misses
    + "]"
)

FULL, STRIP, FINISH = 0, 1, 2


def _has_entity(text: str) -> bool:
    i = text.find("&")
    while i >= 0:
        if HTML_ENTITY_RE.match(text, i):
            return True
        i = text.find("&", i + 1)
    return False


def route(text: str) -> int:
    """How much repair ``text`` needs for the result of the full repair: ``FULL`` (ftfy),
    ``FINISH`` (only :func:`_finish`: ftfy would change nothing but line breaks) or ``STRIP``
    (only trailing whitespace).  ``FULL`` when in doubt."""
    if _PLAIN_RE.fullmatch(text) is not None:
        cheap = STRIP
    elif _FINISH_RE.fullmatch(text) is not None:
        cheap = FINISH
    else:
        if _ALWAYS_FIX_RE.search(text) or not unicodedata.is_normalized("NFC", text):
            return FULL
        # A whole-text search finds every match a per-line search would (no anchors but "^[ÃÂ]",
        # and those letters are in _ALWAYS_FIX_RE).
        return FULL if _has_entity(text) or is_bad(text) else FINISH
    if _has_entity(text):
        return FULL
    if not text.isascii() and _may_pair(text) and _SAFE_PAIR_RE.search(text) is not None and is_bad(text):
        return FULL
    return cheap


def _may_pair(text: str) -> bool:
    """Whether ``text`` may hold a ``_SAFE_PAIR_RE`` match: two non-ASCII characters in a row.

    Every character of a safe pair is non-ASCII (tested), so text whose ASCII encoding (with "?"
    for the rest) has no "??" has none; the pair regex itself tests a large character class at
    every character (~4 ns each), the encoding and a substring search cost a fraction of that.
    With an unknown ftfy the pair regex is any non-ASCII character: always True."""
    return not _PATTERN_OK or b"??" in text.encode("ascii", "replace")


def needs_full_repair(text: str) -> bool:
    """Whether :func:`repair_text` has to run ftfy on ``text``."""
    return route(text) == FULL


def _without_ftfy(text: str) -> tuple[int, str]:
    """(route, text to finish): the route of ``text``, or of its entity-unescaped form when that
    makes ftfy unnecessary (ftfy's first step is this very unescape; when one pass leaves
    nothing to unescape and the result needs no ftfy fix, ftfy's other steps change nothing)."""
    how = route(text)
    if how == FULL and "&" in text:
        once = unescape_html(text)
        if once != text and unescape_html(once) == once:
            how2 = route(once)
            if how2 != FULL:
                return how2, once
    return how, text


def repair_text(text: str) -> str:
    """Repair ``text`` (see the module doc); identical to :func:`repair_text_full`, only faster.

    Undamaged text skips ftfy.  Damaged text is repaired line by line (ftfy itself works on
    independent lines: with ``unescape_html=True`` no state passes from one line to the next),
    and only the lines that need ftfy go through it."""
    how, pre = _without_ftfy(text)
    if how == STRIP:
        return _strip_plain_line_ends(pre)
    if how == FINISH:
        return _finish(pre)
    if "\n" not in text:
        return repair_text_full(text)
    lines = text.split("\n")
    last = len(lines) - 1
    out = [_repair_line(line if k == last else line + "\n") for k, line in enumerate(lines)]  # ftfy's segments keep their "\n"
    return _finish("".join(out))


@lru_cache(maxsize=2048)
def _repair_line(segment: str) -> str:
    """One line of damaged text (with its "\\n"), through ftfy only when it needs it.  Remembered:
    a damaged file's lines recur in its copies and in other files of the same broken source."""
    how, pre = _without_ftfy(segment)
    if how != FULL:
        return pre
    fixed = _one_step_fix(segment)
    return fixed if fixed is not None else ftfy.fix_text(segment, CONFIG)


#: ftfy's one step of mojibake repair (private to ftfy, hence looked up defensively: without it
#: every damaged line goes through ``ftfy.fix_text``) and the configuration ``ftfy.fix_and_explain``
#: hands it (it calls ``fix_encoding(text)`` without ours: ftfy's defaults, no explanations).
_ONE_STEP = getattr(ftfy, "_fix_encoding_one_step_and_explain", None)
_ENCODING_CONFIG = ftfy.TextFixerConfig(explain=False)


def _one_step_fix(segment: str) -> str | None:
    """``ftfy.fix_text(segment, CONFIG)`` for the commonest damage, or None when not that case.

    A line of UTF-8 read as cp1252 ("Russiaâ€™s") costs ftfy three scans with its mojibake
    detector and two passes of every fixer: its first pass decodes the line, then the detector,
    the fixers and a whole second pass confirm that the result needs nothing more.  When one
    decoding step (the very step ftfy's first pass takes, after the same entity unescape) gives
    text that :func:`route` finds plain (``STRIP``: printable ASCII and safe characters, no
    entity, nothing the detector flags), every later step of ftfy leaves it unchanged, so it is
    ftfy's result; the same holds after ftfy's line-break fix for text that is plain but for
    its line breaks.  Anything else returns None and goes through ftfy (``tests/test_repair.py``
    compares the two on varied damaged lines)."""
    if _ONE_STEP is None or len(segment) > CONFIG.max_decode_length:
        return None
    text = unescape_html(segment) if "&" in segment else segment
    fixed = _ONE_STEP(text, _ENCODING_CONFIG).text
    if fixed == text:
        return None
    how = route(fixed)
    if how == STRIP:
        return fixed
    if how == FINISH:
        # plain but for line breaks ("\r\n" files): ftfy's line-break fixer is the one step that
        # changes it (the fixers before it find nothing in FINISH text but line breaks)
        broken = fix_line_breaks(fixed)
        if route(broken) == STRIP:
            return broken
    return None
