"""Datelines: is a whole line a publication date, and which one (ISO 8601).

:func:`parse_dateline` accepts a line only if, after an optional prefix ("Updated:", "Published
on", ...), every word in it belongs to the date vocabulary of ``etl/rules/dates.toml`` (month and
weekday names, time-zone abbreviations, a few fillers such as "at") and it names a year, a month
and a day.  That check is a fast tokenizer: an ordinary sentence ("On May 19, 2022, the general
said...") fails at its first ordinary word.  The cleaned date (prefix, weekday and zone removed,
Ukrainian/Russian month names put in English) is then parsed by python-dateutil.

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
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

from etl.rules import Rules, default_rules

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
    )


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


@lru_cache(maxsize=8192)
def parse_dateline(text: str, rules: Rules | None = None) -> str | None:
    """ISO 8601 date or date-time if the whole line is a publication date/time, else None.
    Cached: the classifier and the metadata stage ask about the same lines."""
    c = _compiled(rules if rules is not None else default_rules())
    line = text.strip()
    if not line or len(line) > c.max_length or _DIGIT_RE.search(line) is None:
        return None
    m = c.prefix_re.match(line)
    rest = line[m.end() :] if m else line
    parts = _scan(rest.lower(), c)
    if parts is None or not (parts.year and parts.month and parts.day):
        return None
    day_first = parts.dotted or (c.day_first and not parts.year_first)
    try:
        dt = dateutil_parser.parse(" ".join(parts.words), dayfirst=day_first, yearfirst=parts.year_first)
    except (ValueError, OverflowError):
        return None
    if not c.min_year <= dt.year <= c.max_year:
        return None
    if not parts.time:
        return dt.strftime("%Y-%m-%d")
    if dt.tzinfo is None and parts.zone is not None:
        dt = dt.replace(tzinfo=parts.zone)
    if dt.tzinfo is None:
        return dt.strftime("%Y-%m-%dT%H:%M:%S")
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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
