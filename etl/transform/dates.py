"""Datelines: is a line a publication date line, and which date (ISO 8601).

:func:`parse_dateline` reads a line in two ways, strict first:

1. *Whole line*: after an optional prefix ("Updated:", "Published on", ...), every word belongs to
   the date vocabulary of ``etl/rules/dates.toml`` (month and weekday names, time-zone
   abbreviations, a few fillers such as "at") and it names a year, a month and a day.  A fast
   tokenizer: an ordinary sentence ("On May 19, 2022, the general said...") fails at its first
   ordinary word.
2. *Date plus furniture* (scraped pages): tokens glued by the scraper are split first (a year
   glued to what follows, "202427 Feb", "2024Updated"; a prefix word glued to the token before
   it, "GMT+1Updated"); the line must be short (``[furniture] max_words``); its runs of date
   vocabulary give the date spans (longest complete date from each start, so "March 5, 2024
   10:41 AM" in "March 5, 2024 10:41 AM 2 min read"); and what is left once the spans are out
   must be only furniture: prefixes, separators, reading-time and relative-time widgets
   ("3 min read", "2 hours ago") and at most two short groups of capitalised words that look like
   a byline or an agency (one word, or a group starting with a known given name or holding a
   job-title/organisation word from ``credits.toml``: "Jane Roe", "Staff Reporter",
   "Associated Press"; not "Live Updates").  Any other lowercase word or stray number rejects
   the line.  With several dates the first one not labelled as a revision wins ("Issued on: X
   Modified: Y" -> X; "Updated Y | Published X" -> X).  A line with an explicit "By Name" cut
   at a separator ("By Jane Doe | May 3, 2023") is left to the classifier as a byline (its names
   are credits); :func:`find_date` and the metadata stage find its date in its pieces.

The cleaned date span (prefix, weekday and zone removed, Ukrainian/Russian month names put in
English) is then parsed by python-dateutil.

Output formats (one of three, so that strings sort and SQLite's date functions read them):

- ``"2022-05-19T17:52:00Z"``: a time and a known zone; always converted to UTC, written with "Z";
- ``"2022-05-19T17:52:00"``: a time without a zone: naive local time, as printed;
- ``"2022-05-19"``: a date without a time (a zone alone is then ignored).

Decisions: numeric dates are day-first when both readings are possible ("05/06/2022" is 5 June;
``numeric_day_first`` in the rules), "18.11.2022" is always day-first, "2022-05-19" and
"2022/05/19" year-first, "05/19/2022" month-first because it cannot be anything else.  A date
without a year ("Thursday, May 19"), a month and year alone, a time alone, and relative dates
("3 hours ago", "yesterday") give None: they cannot be resolved without knowing when the page
was scraped.  Time zones: fixed abbreviations map to offsets (``[dates.timezones]``); ET/CT/MT/PT
follow daylight saving time through the IANA database (``[dates.timezone_regions]``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from etl.rules import Rules, default_rules
from etl.transform import remembered_re as re  # ``re``, its compiled patterns remembered (rules cache)

__all__ = ["find_date", "parse_dateline"]

_TOKEN_RE = re.compile(
    r"""
    (?P<iso>\d{4}-\d{1,2}-\d{1,2}
        (?:[t\s]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?
            (?:\s?(?:z(?![^\W\d_])|[+-]\d{2}:?\d{2}))?)?)
    | (?P<numdate>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})(?!\d)
    | (?P<time>\d{1,2}[:.]\d{2}(?::\d{2})?)(?![\d.])
    | (?P<offset>[+-]\d{1,2}(?::?\d{2})?)(?!\d)
    | (?P<num>\d{1,4})(?:st|nd|rd|th)?(?!(?![ap]\.?m)[^\W_])
    | (?P<ampm>[ap]\.?m\.?)(?![^\W\d_])
    | (?P<word>[^\W\d_]+(?:['ʼ’][^\W\d_]+)?)\.?
    | (?P<sep>[,/|()\-–—•·:;.]+)
    | (?P<space>\s+)
    """,
    re.VERBOSE,
)
_DIGIT_RE = re.compile(r"\d")


@dataclass(frozen=True)
class _Compiled:
    max_length: int
    day_first: bool
    min_year: int
    max_year: int
    prefix_re: re.Pattern[str]
    months: dict[str, int]
    weekdays: frozenset[str]
    fillers: frozenset[str]
    zones: dict[str, timezone]
    regions: dict[str, tuple[str, ...]]  # name without spaces -> IANA zone names to try
    phrases_re: re.Pattern[str]  # multi-word zone names ("kyiv time"), written without spaces
    phrases_ci_re: re.Pattern[str]  # the same, case-insensitive (lines that keep their case)
    glue_re: re.Pattern[str]  # a prefix word glued to the token before it ("GMT+1Updated")
    prefix_any_re: re.Pattern[str]  # a prefix anywhere in the leftover of a line
    furniture_re: re.Pattern[str]  # reading-time and relative-time widgets ("3 min read")
    furniture_words: frozenset[str]  # lowercase words a dateline line may also hold
    particles: frozenset[str]  # lowercase words inside a name ("von der")
    plain_words: frozenset[str]  # every lowercase word a dateline line may hold
    given_names: frozenset[str]  # lowercase; a 2-4 word group must start with one to be a person
    byline_words: frozenset[str]  # lowercase job titles and organisation words ("staff", "press")
    max_words: int
    max_name_words: int
    max_name_groups: int
    max_name_total: int


def _offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


@cache
def _compiled(rules: Rules) -> _Compiled:
    data = rules["dates"]
    prefixes = sorted((p.lower() for p in data.get("prefixes", ())), key=len, reverse=True)
    prefix_re = re.compile(
        r"\s*(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in prefixes) + r")\s*:?\s*"
        if prefixes
        else r"(?!)",
        re.IGNORECASE,
    )
    regions: dict[str, tuple[str, ...]] = {}
    phrases: list[str] = []
    for name, zone in data.get("timezone_regions", {}).items():
        words = name.lower().split()
        regions["".join(words)] = (zone,) if isinstance(zone, str) else tuple(zone)
        if len(words) > 1:
            phrases.append(r"\s+".join(map(re.escape, words)))
    furniture = data.get("furniture", {})
    glue_words = sorted(  # longest first, ties in a fixed order (the pattern's text is its cache key)
        {p.split()[0] for p in prefixes if len(p.split()[0]) >= 5 and p.split()[0].isascii()}, key=lambda w: (-len(w), w)
    )
    prefix_any = r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in prefixes) + r")\b" if prefixes else r"(?!)"
    patterns = [str(p) for p in furniture.get("patterns", ())]
    credit_words = rules["credits"].get("words", {})
    byline_words = frozenset(
        w.lower() for phrase in (*credit_words.get("titles", ()), *credit_words.get("org_words", ())) for w in phrase.split()
    )
    plain_words = frozenset(
        w.lower()
        for group in (
            data.get("months", {}), data.get("weekdays", {}).get("names", ()), data.get("fillers", ()),
            data.get("timezones", {}), furniture.get("words", ()), furniture.get("name_particles", ()),
            ("a", "p", "am", "pm", "st", "nd", "rd", "th", "t", "z"),
        )
        for w in group
    ) | frozenset(w for p in prefixes for w in p.split()) | frozenset(regions) | frozenset(
        w for name in data.get("timezone_regions", {}) for w in name.lower().split()
    )
    return _Compiled(
        max_length=int(data.get("max_length", 100)),
        day_first=bool(data.get("numeric_day_first", True)),
        min_year=int(data.get("min_year", 1990)),
        max_year=int(data.get("max_year", 2100)),
        prefix_re=prefix_re,
        months={k.lower(): int(v) for k, v in data.get("months", {}).items()},
        weekdays=frozenset(w.lower() for w in data.get("weekdays", {}).get("names", ())),
        fillers=frozenset(w.lower() for w in data.get("fillers", ())),
        zones={k.lower(): _offset(v) for k, v in data.get("timezones", {}).items()},
        regions=regions,
        phrases_re=re.compile(r"\b(?:" + "|".join(phrases) + r")\b" if phrases else r"(?!)"),
        phrases_ci_re=re.compile(r"\b(?:" + "|".join(phrases) + r")\b" if phrases else r"(?!)", re.IGNORECASE),
        glue_re=re.compile(
            r"(?<=[^\W_])(?=(?:" + "|".join(w.capitalize() for w in glue_words) + r")\b)" if glue_words else r"(?!)"
        ),
        prefix_any_re=re.compile(prefix_any, re.IGNORECASE),
        furniture_re=re.compile("|".join(f"(?:{p})" for p in patterns) if patterns else r"(?!)", re.IGNORECASE),
        furniture_words=frozenset(w.lower() for w in furniture.get("words", ())),
        particles=frozenset(w.lower() for w in furniture.get("name_particles", ())),
        plain_words=plain_words,
        given_names=_given_names(rules["people"].get("given_names_file", "given_names.txt")),
        byline_words=byline_words,
        max_words=int(furniture.get("max_words", 18)),
        max_name_words=int(furniture.get("max_name_words", 4)),
        max_name_groups=int(furniture.get("max_name_groups", 2)),
        max_name_total=int(furniture.get("max_name_total", 7)),
    )


@cache
def _given_names(filename: str) -> frozenset[str]:
    text = (resources.files("etl.rules") / filename).read_text(encoding="utf-8")
    return frozenset(w.lower() for w in (line.split("#", 1)[0].strip() for line in text.splitlines()) if w)


def _region_zone(names: tuple[str, ...]) -> tzinfo | None:
    for name in names:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return None


@dataclass
class _Parts:
    words: list[str]  # the cleaned date for dateutil
    year: bool = False
    month: bool = False
    day: bool = False
    time: bool = False
    year_first: bool = False
    dotted: bool = False  # "18.11.2022": always day-first
    zone: tzinfo | None = None
    zone_named: bool = False  # a zone was written, even if we could not resolve it


def _scan(rest: str, c: _Compiled) -> _Parts | None:
    """Check that ``rest`` is made only of date tokens; collect what the date names."""
    parts = _Parts(words=[])
    rest = c.phrases_re.sub(lambda m: "".join(m.group().split()), rest)
    matches = list(_TOKEN_RE.finditer(rest))
    if sum(m.end() - m.start() for m in matches) != len(rest):
        return None  # a character no token accepts
    tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in matches]
    i = 0
    last = ""
    while i < len(tokens):
        kind, tok = tokens[i]
        i += 1
        if kind in ("space", "sep"):
            continue
        if kind == "iso":
            if parts.year:
                return None
            parts.year = parts.month = parts.day = parts.year_first = True
            parts.time = ":" in tok
            if tok.endswith("z") or re.search(r"\d[+-]\d{2}:?\d{2}$", tok.replace(" ", "")):
                parts.zone_named = True
            parts.words.append(tok.upper())
        elif kind == "numdate":
            if parts.year or parts.month:
                return None
            fields = re.split(r"[./-]", tok)
            if len(fields[0]) == 4:
                parts.year_first = True
            elif len(fields[2]) not in (2, 4) or len(fields[0]) > 2:
                return None
            parts.dotted = "." in tok
            parts.year = parts.month = parts.day = True
            parts.words.append(tok.replace(".", "/"))
        elif kind == "time":
            if parts.time:
                return None
            parts.time = True
            parts.words.append(tok.replace(".", ":"))  # "09.00" (British style)
        elif kind == "ampm":
            if not parts.time and not (last and last.isdigit()):
                return None
            parts.time = True
            parts.words.append("PM" if tok.startswith("p") else "AM")
        elif kind == "num":
            if len(tok) == 4:
                if parts.year:
                    return None
                parts.year = True
            elif len(tok) <= 2 and not parts.day and not _next_is_ampm(tokens, i):
                parts.day = True
            elif len(tok) > 2 or not _next_is_ampm(tokens, i):
                return None
            parts.words.append(tok)
        elif kind == "offset":
            if not (parts.time or last in c.zones):
                return None  # "+44" next to nothing time-like: not a dateline
            parts.zone = _offset(tok) if last not in c.zones else _combine(c.zones[last], tok)
            parts.zone_named = True
        elif kind == "word":
            word = tok.lower()
            if word in c.months:
                if parts.month:
                    return None
                parts.month = True
                parts.words.append(calendar.month_abbr[c.months[word]])
            elif word in c.weekdays or word in c.fillers:
                pass
            elif word in c.zones:
                parts.zone = c.zones[word]
                parts.zone_named = True
            elif word in c.regions:
                parts.zone = _region_zone(c.regions[word])
                parts.zone_named = True
            else:
                return None
            last = word
            continue
        last = tok
    return parts


def _next_is_ampm(tokens: list[tuple[str | None, str]], i: int) -> bool:
    while i < len(tokens) and tokens[i][0] == "space":
        i += 1
    return i < len(tokens) and tokens[i][0] == "ampm"


def _combine(base: timezone, offset: str) -> timezone:
    return timezone(base.utcoffset(None) + (_offset(offset).utcoffset(None)))


def _dateutil() -> Any:
    """``dateutil.parser``, imported the first time a date needs it (4 ms): :func:`_plain_datetime`
    reads the common shapes without it, and a nightly re-run of a hundred files may never need it."""
    from dateutil import parser

    return parser


def _iso(parts: _Parts, c: _Compiled) -> str | None:
    """The ISO 8601 string for a scanned date (see the module doc for the three formats)."""
    if not (parts.year and parts.month and parts.day):
        return None
    day_first = parts.dotted or (c.day_first and not parts.year_first)
    try:
        dt = _plain_datetime(parts.words, day_first, parts.year_first)
        if dt is None:
            dt = _dateutil().parse(" ".join(parts.words), dayfirst=day_first, yearfirst=parts.year_first)
    except (ValueError, OverflowError):
        return None
    if not c.min_year <= dt.year <= c.max_year:
        return None
    if not parts.time:
        return _ymd(dt)
    if dt.tzinfo is None and parts.zone is not None:
        dt = dt.replace(tzinfo=parts.zone)
    if dt.tzinfo is None:
        return f"{_ymd(dt)}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    dt = dt.astimezone(timezone.utc)
    return f"{_ymd(dt)}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}Z"


def _ymd(dt: datetime) -> str:
    """``dt.strftime("%Y-%m-%d")`` (formatted directly for 4-digit years: strftime is slow)."""
    if dt.year < 1000:
        return dt.strftime("%Y-%m-%d")  # %Y's padding of small years depends on the C library
    return f"{dt.year}-{dt.month:02d}-{dt.day:02d}"


_PLAIN_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_PLAIN_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_MONTH_NUMBER = {calendar.month_abbr[k]: k for k in range(1, 13)}


def _plain_datetime(words: list[str], day_first: bool, year_first: bool) -> datetime | None:
    """The datetime dateutil gives for the commonest cleaned dates, without dateutil (whose
    tokenizer costs ~0.2 ms a call); None when the date is of another shape (dateutil decides).

    Shapes: "2022-05-19", "2022-05-19 17:52[:00]" (year first only), "May 19 2022" and
    "19 May 2022", each optionally followed by "17:52[:00]" and then "AM"/"PM".  With a month
    name, an impossible date or time ("Feb 30 2022", "21:27 AM") raises ValueError, as dateutil
    does; an impossible ISO date gives None (dateutil reads "2022-13-05" as 13 May).  A test
    compares this with dateutil over every month, day, hour and both flags."""
    n = len(words)
    if not n:
        return None
    w0 = words[0]
    m = _PLAIN_ISO.fullmatch(w0)
    if m is not None:
        if day_first or not year_first:
            return None
        named = False
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        rest = words[1:]
        if m[4] is not None:
            if rest:
                return None
            try:
                return datetime(year, month, day, int(m[4]), int(m[5]), int(m[6] or 0))
            except ValueError:
                return None
    elif n >= 3 and len(words[2]) == 4 and words[2].isdigit():
        if w0 in _MONTH_NUMBER and len(words[1]) <= 2 and words[1].isdigit():
            month, day = _MONTH_NUMBER[w0], int(words[1])
        elif words[1] in _MONTH_NUMBER and len(w0) <= 2 and w0.isdigit():
            month, day = _MONTH_NUMBER[words[1]], int(w0)
        else:
            return None
        named = True
        year = int(words[2])
        rest = words[3:]
    else:
        return None
    hour = minute = second = 0
    if rest:
        t = _PLAIN_TIME.fullmatch(rest[0])
        if t is None or len(rest) > 2:
            return None
        hour, minute, second = int(t[1]), int(t[2]), int(t[3] or 0)
        if len(rest) == 2:
            if rest[1] not in ("AM", "PM"):
                return None
            if hour > 12:
                if named:
                    raise ValueError("hour above 12 with AM/PM")
                return None
            if rest[1] == "PM" and hour < 12:
                hour += 12
            elif rest[1] == "AM" and hour == 12:
                hour = 0
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        if named:
            raise
        return None


@lru_cache(maxsize=8192)
def parse_dateline(text: str, rules: Rules | None = None) -> str | None:
    """ISO 8601 date or date-time if the line is a publication dateline, else None.

    First the strict reading (the whole line, after a prefix, is date vocabulary); then the
    scraped-page reading (:func:`_furnished`): a short line holding a date plus only dateline
    furniture, e.g. "Jane Roe — Tuesday, 5 March 2024, 14:21" or "June 3, 2024 4 min read".
    Cached: the classifier and the metadata stage ask about the same lines."""
    c = _compiled(rules if rules is not None else default_rules())
    line = text.strip()
    if not line or len(line) > c.max_length or _DIGIT_RE.search(line) is None:
        return None
    m = c.prefix_re.match(line)
    rest = line[m.end() :] if m else line
    parts = _scan(rest.lower(), c)
    if parts is not None:
        return _iso(parts, c)
    return _furnished(line, c)


#: A 4-digit year glued to what follows: "27 Feb 202427 Feb 2024", "June 3, 2024Updated".
_WORD_RE = re.compile(r"[^\W\d_]+")
_GLUED_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=\d{1,2}\s+[^\W\d_]|\d{1,2}[:.]\d\d\b|[^\W\d_]{2})")
#: "a.m."/"p.m." read as "am"/"pm" (their letters are not words of the line).
_DOTTED_AMPM_RE = re.compile(r"\b([ap])\.m\.?(?=\s|$|[,;|)])", re.IGNORECASE)
#: A revision time without its own date ("..., updated at 10:45 am"): the same day, furniture.
_REVISION_TIME_RE = re.compile(
    r"\b(?:updated?|last\s+(?:modified|updated)|modified|edited|revised)\s*:?\s*(?:at\s+)?"
    r"\d{1,2}(?:[:.h]\d\d)?\s*(?:[ap]m\b)?(?:\s*\([^()]{1,30}\))?",
    re.IGNORECASE,
)
_LINE_TOKEN_RE = re.compile(_TOKEN_RE.pattern + r"| (?P<other>\S)", re.VERBOSE)
_SUBSTANTIVE = frozenset(("iso", "numdate", "time", "num", "word"))
#: Datelines that state a later revision: the first publication date is preferred over them.
_REVISION_RE = re.compile(r"\b(?:updated?|last\s+(?:modified|updated)|modified|edited|revised)\W*$", re.IGNORECASE)
_LEFT_SEP_RE = re.compile(r"[|•·/,;:()\[\]–—]+|\s-+\s|^-+|-+$|\.(?=\s|$)")
_BY_RE = re.compile(r"(?:^|[|•·,;:(–—-]|\s)\s*(?:by|written by|words by)\s+[A-Z]", re.IGNORECASE)
_NAME_WORD_RE = re.compile(r"^(?:[A-Z][^\W_]*(?:['’.\-][^\W_]*)*\.?|[A-Z]\.)$")


def _date_vocab(kind: str | None, tok: str, c: _Compiled) -> bool:
    if kind in ("space", "sep", "iso", "numdate", "time", "offset", "num", "ampm"):
        return True
    if kind == "word":
        w = tok.lower().rstrip(".")
        return w in c.months or w in c.weekdays or w in c.fillers or w in c.zones or w in c.regions
    return False


def _furnished(line: str, c: _Compiled) -> str | None:
    """The date of a short line that holds a date and otherwise only dateline furniture
    (prefixes, separators, reading-time and relative-time widgets, a byline or agency name).
    The first date that is not a revision ("Updated ...", "Modified: ...") wins."""
    line = _GLUED_YEAR_RE.sub(r"\1 ", line)
    line = c.glue_re.sub(" ", line)
    if "." in line:
        line = _DOTTED_AMPM_RE.sub(r"\1m", line)
    if len(line.split()) > c.max_words:
        return None
    # cheap rejection first: an ordinary lowercase word that is neither date nor furniture
    for w in _WORD_RE.findall(line):
        if w[0].islower() and w not in c.plain_words:
            return None
    line = c.phrases_ci_re.sub(lambda m: "".join(m.group().split()), line)
    # widgets out first, so that "March 2024 | 4 min read" does not lend its 4 to the date
    line = c.furniture_re.sub(" | ", line)
    lower = line.lower()
    if len(lower) != len(line):
        return None  # offsets would not match (a rare letter whose lowercase is longer)
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _LINE_TOKEN_RE.finditer(lower)]
    # the same check on tokens ("p.m." and abbreviations with a dot are tokens here)
    for kind, tok, start, _ in tokens:
        if kind == "word" and line[start].islower() and not _date_vocab(kind, tok, c):
            w = tok.rstrip(".")
            if w not in c.furniture_words and w not in c.particles and c.prefix_any_re.fullmatch(w) is None:
                return None
    spans: list[tuple[int, int, _Parts]] = []  # (start, end) in line, scanned date
    i = 0
    n = len(tokens)
    while i < n:
        if not _date_vocab(tokens[i][0], tokens[i][1], c):
            i += 1
            continue
        j = i
        while j < n and _date_vocab(tokens[j][0], tokens[j][1], c):
            j += 1
        spans.extend(_dates_in_run(line, tokens[i:j], c))
        i = j
    if not spans:
        return None
    dated: list[tuple[str, bool]] = []  # (ISO, is a revision)
    prev_end = 0
    for start, end, parts in spans:
        iso = _iso(parts, c)
        if iso is None:
            return None  # a malformed date ("May 32, 2024") is not furniture
        dated.append((iso, bool(_REVISION_RE.search(line[prev_end:start]))))
        prev_end = end
    left = []
    prev_end = 0
    for start, end, _ in spans:
        left.append(line[prev_end:start])
        prev_end = end
    left.append(line[prev_end:])
    rest = " | ".join(left)
    if _DIGIT_RE.search(rest):
        rest = _REVISION_TIME_RE.sub(" | ", rest)
    if _BY_RE.search(rest) and _PIECES_RE.search(line):
        # "By Jane Doe | May 3, 2023" stays a byline (its names are credits); the classifier reads
        # it as "byline with date" and the metadata stage finds the date in its pieces
        return None
    if not _only_furniture(rest, c):
        return None
    return next((iso for iso, revision in dated if not revision), dated[0][0])


def _dates_in_run(
    line: str, run: list[tuple[str | None, str, int, int]], c: _Compiled
) -> list[tuple[int, int, _Parts]]:
    """Complete dates (year, month, day) inside a run of date-vocabulary tokens, longest first
    from each start: "March 5, 2024 10:41 AM 2" -> "March 5, 2024 10:41 AM"."""
    found: list[tuple[int, int, _Parts]] = []
    starts = [k for k, t in enumerate(run) if t[0] in _SUBSTANTIVE]
    if not any(t[0] in ("num", "iso", "numdate") and len(t[1]) >= 4 for t in run) and not any(
        t[0] == "numdate" for t in run
    ):
        return found  # no year: no complete date
    k = 0
    while k < len(starts):
        s = starts[k]
        hit = None
        for e in range(len(run) - 1, s - 1, -1):
            if run[e][0] in ("space", "sep"):
                continue
            text = line[run[s][2] : run[e][3]].lower()
            parts = _scan(text, c)
            if parts is not None and parts.year and parts.month and parts.day:
                hit = (run[s][2], run[e][3], parts, e)
                break
        if hit is None:
            k += 1
            continue
        found.append(hit[:3])
        k = next((q for q, idx in enumerate(starts) if idx > hit[3]), len(starts))
    return found


def _bylineish(words: list[str], c: _Compiled) -> bool:
    """A group of several capitalised words left next to a date: a person ("Jane Roe", "J. Roe",
    "Jane Roe and John Doe"), a job title ("Staff Reporter") or an organisation ("Associated Press")."""
    first = words[0].rstrip(".").lower()
    if first in c.given_names or (len(first) == 1 and words[0].endswith(".")):
        return True
    return any(w.lower().rstrip(".") in c.byline_words for w in words)


def _only_furniture(left: str, c: _Compiled) -> bool:
    """Is what is left of a line, once its dates are out, only dateline furniture?"""
    left = c.furniture_re.sub(" | ", left)
    left = c.prefix_any_re.sub(" | ", left)
    groups = 0
    total = 0
    for chunk in _LEFT_SEP_RE.split(left):
        words = chunk.split()
        if words and words[0].lower() in ("by", "from"):
            words = words[1:]
        words = [w for w in words if w.lower() not in c.fillers and w.lower() not in c.furniture_words]
        if not words:
            continue
        named = 0
        for w in words:
            if _NAME_WORD_RE.match(w) or w.isupper() and w.isalpha():
                named += 1
            elif w.lower() not in c.particles:
                return False
        if not named or len(words) > c.max_name_words:
            return False
        if len(words) > 1 and not _bylineish(words, c):
            return False  # "Live Updates", "Russia-Ukraine War": a headline, not a byline
        groups += 1
        total += len(words)
    return groups <= c.max_name_groups and total <= c.max_name_total


#: Where a line is cut to look for a date inside it: "Jane Doe | May 19, 2022", "Reuters • 5:12 PM".
_PIECES_RE = re.compile(r"\s+[|•·]\s+|\s+[-–—]\s+|\s*\|\s*")


def find_date(text: str, rules: Rules | None = None) -> str | None:
    """The date of the first piece of ``text`` (cut at "|", "•", " - "...) that is a whole
    dateline, e.g. "By Jane Doe | Updated May 19, 2022".  Relative dates ("Published 3 hours
    ago", "yesterday") give None by design (see the module doc)."""
    whole = parse_dateline(text, rules)
    if whole is not None:
        return whole
    for piece in _PIECES_RE.split(text):
        if piece and piece != text:
            found = parse_dateline(piece, rules)
            if found is not None:
                return found
    return None
