"""Cut repaired text into segments: the units that get one label each.

Scraped news comes in three layouts, sometimes mixed in one file:

* blank-line separated blocks (one paragraph per block);
* one paragraph per line with no blank lines at all;
* hard-wrapped text (email, plain-text exports) where a paragraph spans several lines of a fixed
  width, separated by blank lines or not.

A line is its own segment unless the file is hard-wrapped and the line is "filled": the next line's
first word would not have fitted on it within the file's wrap width.  That is exactly how a greedy
wrapper breaks lines, so a short line (the end of a paragraph, "By:", "Reuters", a dateline) is never
joined to the next, whatever its content.  Lines that are separate items by their shape (a
parenthesized credit such as "(AP Photo/...)", a byline, a dateline, a list item) are never joined
either, even when the line above is long.  Nor is an overfull line, longer than the wrap width
with room to break it: the wrapper did not write it (an ad or a promo slotted between the wrapped
paragraphs), so it is its own segment however long it is.

Segment line numbers are 0-based raw line numbers of the repaired text, blank lines included.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from functools import cache, lru_cache

from etl.records import Segment
from etl.rules import Rules, default_rules
from etl.transform import remembered_re as re  # ``re``, its compiled patterns remembered (rules cache)
from etl.transform.dates import parse_dateline

_LEADING_WS = re.compile(r"^[ \t\u00a0\u3000]*")
_INDENT_CHARS = " \t\u00a0\u3000"  # what _LEADING_WS matches (str.lstrip of these is the same)
_FIRST_WORD = re.compile(r"\S+")
# a separate item by its shape: a fully parenthesized/bracketed line, a byline, a list item
_ITEM_LINE = re.compile(
    r"^(?:\(.*\)|\[.*\]|(?:[-*•·▪►»]|\d{1,2}[.)])\s.*"
    r"|(?:By|BY|Written by|Words by):?(?:\s+(?:[A-Z][\w.'’-]*,?|and|&))*)$"
)
#: dates.parse_dateline needs a year: a 4-digit number or a numeric date ("19.05.22").
# (written with the leading digit outside the alternation: the regex engine then scans for a digit)
_DATE_HINT = re.compile(r"\d(?:\d{3}|[./-]\d{1,2}[./-]\d)")
#: Longer lines are not looked at as datelines (they are prose that mentions a date).
_DATELINE_MAX_CHARS = 90
_HYPHEN_END = re.compile(r"[^\W\d_]-$")
_LOWER_START = re.compile(r"^[^\W\d_]")
_TERMINAL_END = re.compile(r"[.!?…:][\"'”’)\]]*$")


@cache
def _settings(rules: Rules) -> tuple[int, int, int, float, int, int]:
    cfg = rules["cleaning"].get("segment", {})
    return (
        int(cfg.get("max_wrap_width", 120)),
        int(cfg.get("min_wrap_width", 30)),
        int(cfg.get("wrap_window", 16)),
        float(cfg.get("min_filled_pair_share", 0.5)),
        int(cfg.get("indent_break", 2)),
        int(cfg.get("wrap_slack", 3)),
    )


def date_hint(text: str) -> bool:
    """Whether ``text`` has what a dateline needs (a year or a numeric date): without it
    :func:`dateline_iso` is None."""
    return _DATE_HINT.search(text) is not None


@lru_cache(maxsize=1024)
def dateline_iso(text: str, rules: Rules) -> str | None:
    """``dates.parse_dateline`` remembered: segment, classify and metadata all ask about the same
    few short lines, and a dateutil parse costs tens of microseconds.  Those questions come within
    one article (across articles, 8 of 10 dated lines were new on the benchmark's corpus), so a
    small cache keeps nearly all the hits (96% of those 8,192 entries gave, for a MB less per worker)."""
    if not _DATE_HINT.search(text):
        return None  # parse_dateline needs a year
    return parse_dateline(text, rules)


def _is_item(text: str, rules: Rules) -> bool:
    """A line that is a separate item by its shape: never joined to its neighbours."""
    # (the date hint is tested before the remembered parse: most lines have none, and it is cheaper
    # than a cache lookup keyed by the rules)
    return bool(_ITEM_LINE.match(text)) or (
        len(text) <= _DATELINE_MAX_CHARS and _DATE_HINT.search(text) is not None and dateline_iso(text, rules) is not None
    )


def wrap_width(lengths: Sequence[int], max_width: int, min_width: int, window: int) -> int | None:
    """The width the file looks hard-wrapped at, or None.

    The largest length L (within [min_width, max_width]) such that at least a quarter of the lines
    (and at least 3) end within ``window`` characters below L: greedy wrapping fills most lines of
    a paragraph nearly to the width.
    """
    usable = sorted(n for n in lengths if min_width <= n <= max_width)
    need = max(3, len(lengths) // 4)
    if len(usable) < need:
        return None
    # the largest L with at least `need` lengths in [L - window, L] (bisect: linear-log overall)
    for k in range(len(usable) - 1, need - 2, -1):
        top = usable[k]
        if k + 1 - bisect_left(usable, top - window) >= need:
            return top
    return None


def _continues(line: str, next_line: str, width: int, slack: int) -> bool:
    """Whether ``next_line`` continues the paragraph of ``line`` in text wrapped at ``width``.

    Either the line is "filled" (the next line's first word would not have fitted on it, give or
    take ``slack`` characters for wrappers that count differently), or the next line starts in
    lower case after a line that stops mid-sentence and is at least half the width.
    """
    first = _FIRST_WORD.match(next_line)
    if len(line) + 1 + (len(first.group()) if first else 0) > width - slack:
        return True
    return (
        2 * len(line) >= width
        and _LOWER_START.match(next_line) is not None
        and next_line[:1].islower()
        and not _TERMINAL_END.search(line)
    )


def _overfull(line: str, width: int, slack: int) -> bool:
    """A line longer than the wrap width (give or take ``slack``) that a wrapper would have broken:
    one with a space within the width.  (A single word too long for the width, such as a URL, is
    left on a line of its own by wrappers, so it may still belong to the paragraph.)"""
    return len(line) > width + slack and " " in line[1 : width + slack]


def segment(text: str, rules: Rules | None = None) -> tuple[Segment, ...]:
    """Segments of repaired ``text`` (NFC, "\\n" line ends), blank lines skipped.

    Hard-wrapped paragraphs become one segment with their lines joined by a single space (a word
    hyphenated at the line end is joined without one).
    """
    starts, ends, texts = _cut(text, rules or default_rules())
    return tuple(map(Segment, range(len(texts)), starts, ends, texts))


def segment_texts(text: str, rules: Rules | None = None) -> list[str]:
    """The texts of :func:`segment`'s segments, without building the Segments (the counting pass
    needs only these)."""
    return _cut(text, rules or default_rules())[2]


def _cut(text: str, rules: Rules) -> tuple[list[int], list[int], list[str]]:
    """:func:`segment` as three lists: the segments' first lines, last lines and texts."""
    max_width, min_width, window, min_share, indent_break, slack = _settings(rules)
    raw_lines = text.split("\n")
    lines = [line.strip() for line in raw_lines]

    pairs = [i for i in range(len(lines) - 1) if lines[i] and lines[i + 1]]
    width = None
    if pairs:
        lengths = [len(s) for s in lines if s]
        width = wrap_width(lengths, max_width, min_width, window)
        # a wrapper never leaves a line longer than its width (bar an unbreakable URL)
        if width is not None and sum(1 for n in lengths if n > width) > max(1, len(lengths) // 20):
            width = None
        if width is not None:
            filled = sum(1 for i in pairs if _continues(lines[i], lines[i + 1], width, slack))
            if filled < min_share * len(pairs):
                width = None

    if width is None:  # every non-blank line is a segment
        at = [i for i, line in enumerate(lines) if line]
        return at, at, [lines[i] for i in at]
    starts: list[int] = []
    ends: list[int] = []
    texts: list[str] = []
    i, n = 0, len(lines)
    indents = [len(raw) - len(raw.lstrip(_INDENT_CHARS)) for raw in raw_lines]
    known_item = -1  # a line _is_item already said is an item
    while i < n:
        if not lines[i]:
            i += 1
            continue
        start = i
        parts = [lines[i]]
        if i != known_item and not _overfull(lines[i], width, slack) and not _is_item(lines[i], rules):
            while i + 1 < n and lines[i + 1]:
                if indents[i + 1] - indents[i] >= indent_break:
                    break  # an indented first line starts a new paragraph
                nxt = lines[i + 1]
                if not _continues(lines[i], nxt, width, slack) or _overfull(nxt, width, slack):
                    break
                if _is_item(nxt, rules):
                    known_item = i + 1
                    break
                i += 1
                parts.append(nxt)
        starts.append(start)
        ends.append(i)
        texts.append(_join(parts) if len(parts) > 1 else parts[0])
        i += 1
    return starts, ends, texts


def _join(parts: list[str]) -> str:
    """Wrapped lines joined with single spaces; a word hyphenated at a line end ("well-" +
    "known") is joined without one.  Linear in the paragraph's length."""
    out = [parts[0]]
    for prev, part in zip(parts, parts[1:]):
        # (the hyphen test looks at the last two characters only: parts have no "\n")
        hyphen = prev.endswith("-") and _HYPHEN_END.search(prev, max(len(prev) - 2, 0))
        out.append(part if hyphen and _LOWER_START.match(part) else " " + part)
    return "".join(out)
