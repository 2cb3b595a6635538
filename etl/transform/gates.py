"""Which words a regular expression cannot match without: a cheap gate in front of each pattern.

The boilerplate families are dozens of patterns; scanning every segment with all of them costs tens
of microseconds per line.  But most patterns cannot match unless the line contains a given whole
word ("follow us" needs the token "follow"), and the classifier already has the line's tokens.
:func:`gate_words` reads a pattern's parse tree and returns a set of words of which at least one
must be a token of any text the pattern matches (or None when it cannot tell), so a pattern is only
run on lines that pass a set intersection.  The gate is a necessary condition, so gating never
changes a verdict, it only skips searches that would fail anyway; the tests check that.

A word counts only when the pattern delimits it on both sides (``\\b``, ``^``/``$``, a space or
other non-letter literal, a class of non-letters such as ``\\s``), because tokens are maximal runs
of letters (``[^\\W\\d_]+``, casefolded).  Branches are expanded (each alternative followed by the
rest of the pattern), within a budget, so "(?:subscribe|sign up) (?:to|for) our newsletters?"
yields {"newsletter", "newsletters"}.

The analyses cost far more than compiling the patterns (about 0.25 s for the built-in cleaning
rules, most of a re-run that cleans a hundred files), and each is a pure function of the pattern,
its flags, this module's code and Python's regex parser.  So their results are remembered: in the
process, and across runs in a cache file next to the database (:func:`remembered_in`), keyed by a
hash of this module's source, the Python version and etl's version.  A missing, corrupt or stale
file is ignored and rebuilt; the file never decides a result, it only saves recomputing one.

The same file remembers how the stages' patterns compile (:func:`compile`, which the stages use as
``re.compile`` through :mod:`etl.transform.remembered_re`): parsing a pattern and generating the
regex engine's code is done in Python and costs 0.1-1 ms a pattern, a few hundred of them the first
time the stages are used, most of a re-run that cleans a hundred files.  The engine's code is plain
data (words of ``_sre.CODESIZE`` bytes), tied to the interpreter by the key (Python's version and
the engine's ``MAGIC``); rebuilding a pattern from it gives the pattern ``re.compile`` gives.
"""

from __future__ import annotations

import _sre
import hashlib
import json
import logging
import os
import re
import sys
from array import array
from base64 import b64decode, b64encode
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, TypeVar

try:  # Python 3.11+
    import re._compiler as _compiler
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_compile as _compiler  # type: ignore[no-redef]
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_WORDS = re.compile(r"[^\W\d_]+")
_DELIMITING_AT = {_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_END, _c.AT_END_STRING}
_NON_LETTER_CATEGORIES = {_c.CATEGORY_SPACE, _c.CATEGORY_DIGIT, _c.CATEGORY_NOT_WORD}
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT)
#: Expansions of branches allowed per pattern (compile time only).
_BUDGET = 5000

Gate = frozenset[str]
Item = tuple

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- remembered results

_Analysis = TypeVar("_Analysis", bound=Callable[..., Any])
#: (analysis, pattern, flags) -> its result: every analysis made in this process or loaded from a
#: cache file.  Results are immutable (frozensets, tuples, str), so one object serves every caller.
_results: dict[tuple[str, str, int], Any] = {}
#: The keys looked up in this process, and those computed here (not loaded): a cache file is
#: written only when something was computed, with what this process used.
_used: set[tuple[str, str, int]] = set()
_computed: set[tuple[str, str, int]] = set()
#: analysis name -> (to JSON, from JSON); from JSON raises on anything but what to JSON writes
_CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {}
#: A cache file holding more than this many results keeps only those the last run used (old
#: patterns of rules edited over the months do not pile up).
_MAX_SAVED = 20_000
_CACHE_FORMAT = 1
#: The cache file :func:`remembered_in` names, until it is read: at the first analysis not already
#: in memory, so that a run which compiles no rules (nothing to clean) never reads it.
_unread: list[Path] = []
#: Whether a :func:`remembered_in` is in force (see :func:`compile`).
_in_force: list[Path] = []


def _remembered(encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> Callable[[_Analysis], _Analysis]:
    """Remember an analysis's results per (pattern, flags); ``encode``/``decode``: to and from
    JSON, for the cache file."""

    def decorate(analysis: _Analysis) -> _Analysis:
        name = analysis.__name__
        _CODECS[name] = (encode, decode)

        @wraps(analysis)
        def remembered(pattern: str, flags: int = 0) -> Any:
            key = (name, pattern, int(flags))
            _used.add(key)
            try:
                return _results[key]
            except KeyError:
                pass
            if _unread:
                load_cache(_unread.pop())
                if key in _results:
                    return _results[key]
            result = _results[key] = analysis(pattern, flags)
            _computed.add(key)
            return result

        return remembered  # type: ignore[return-value]

    return decorate


def _words_from(value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise ValueError(f"not a list of words: {value!r}")
    return frozenset(value)


def _words_to(words: frozenset[str]) -> list[str]:
    return sorted(words)


def _maybe_words_to(words: frozenset[str] | None) -> list[str] | None:
    return None if words is None else sorted(words)


def _maybe_words_from(value: Any) -> frozenset[str] | None:
    return None if value is None else _words_from(value)


def _gates_to(gates: tuple[Gate, ...]) -> list[list[str]]:
    return [sorted(gate) for gate in gates]  # in order: callers prefer the first of equal gates


def _gates_from(value: Any) -> tuple[Gate, ...]:
    if not isinstance(value, list):
        raise ValueError(f"not a list of gates: {value!r}")
    return tuple(_words_from(gate) for gate in value)


def _text_from(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not a text: {value!r}")
    return value


def _same(value: Any) -> Any:
    return value


_WORDS_CODEC = (_words_to, _words_from)
_MAYBE_WORDS_CODEC = (_maybe_words_to, _maybe_words_from)


@lru_cache(maxsize=1)
def cache_key() -> str | None:
    """What a cache file's results depend on besides the patterns: this module's code, Python's
    regex parser (its version) and etl's version.  None when the source cannot be read (then no
    file is used)."""
    from etl import __version__

    try:
        source = Path(__file__).read_bytes()
    except OSError:
        return None
    parts = (source, sys.version.encode(), str(_sre.MAGIC).encode(), __version__.encode())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def load_cache(path: Path) -> int:
    """Add the results stored in ``path`` to this process's; returns how many were loaded.

    Anything wrong with the file (missing, unreadable, not JSON, another key, a malformed entry)
    loads nothing: the analyses are then simply made again."""
    key = cache_key()
    if key is None:
        return 0
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or data.get("format") != _CACHE_FORMAT or data.get("key") != key:
            return 0
        loaded: dict[tuple[str, str, int], Any] = {}
        for name, pattern, flags, value in data["results"]:
            if not isinstance(pattern, str) or type(flags) is not int:
                raise ValueError(f"malformed entry for {name!r}")
            loaded[(name, pattern, flags)] = _CODECS[name][1](value)
    except FileNotFoundError:
        return 0
    except (OSError, ValueError, TypeError, KeyError, RecursionError) as exc:  # JSONDecodeError: a ValueError
        log.info("ignored the rules cache %s: %s", path, exc)
        return 0
    for k, value in loaded.items():
        _results.setdefault(k, value)
    return len(loaded)


def save_cache(path: Path) -> bool:
    """Write this process's results to ``path`` if any was computed here (not loaded); returns
    whether it wrote.  Atomic (a temporary file renamed over it): a concurrent reader sees the old
    file or the new one, and two writers leave one of their files whole.  Failing to write (a
    read-only folder, a full disk) is not an error: the next run makes the analyses again."""
    key = cache_key()
    if key is None or not _computed:
        return False
    keys = list(_used) if len(_results) > _MAX_SAVED else list(_results)
    data = {
        "format": _CACHE_FORMAT,
        "key": key,
        "results": [[name, pattern, flags, _CODECS[name][0](_results[(name, pattern, flags)])]
                    for name, pattern, flags in sorted(keys)],
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # one writer per process
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:  # (ValueError: a pattern that UTF-8 cannot encode)
        log.info("could not write the rules cache %s: %s", path, exc)
        tmp.unlink(missing_ok=True)
        return False
    _computed.clear()
    return True


@contextmanager
def remembered_in(path: Path) -> Iterator[None]:
    """Take the analyses' results from the cache file ``path`` (read when the first analysis is
    asked for), and write them back at the end when new ones were made meanwhile."""
    _unread[:] = [path]
    _in_force[:] = [path]
    try:
        yield
    finally:
        _unread.clear()
        _in_force.clear()
        save_cache(path)


# --------------------------------------------------------------------------- the analyses


def _flatten(items: Iterable[Item]) -> list[Item]:
    """Inline capturing groups (their content is a plain part of the sequence)."""
    out: list[Item] = []
    for op, av in items:
        if op is _c.SUBPATTERN and not av[1] and not av[2]:
            out.extend(_flatten(av[-1]))
        else:
            out.append((op, av))
    return out


@lru_cache(maxsize=2048)
def _items(pattern: str, flags: int) -> tuple[Item, ...] | None:
    """The flattened parse of ``pattern`` (None when it does not parse).  Every analysis below
    starts from it: compiling the rules parses each pattern once, not once per analysis."""
    try:
        return tuple(_flatten(_p.parse(pattern, flags)))
    except re.error:
        return None


def _anchored(pattern: str, flags: int) -> list[Item] | None:
    """The items after a leading "^", or None when the pattern is not anchored at the start."""
    items = _items(pattern, flags)
    if not items or items[0] != (_c.AT, _c.AT_BEGINNING):
        return None
    return list(items[1:])


def _alternatives(item: Item) -> list[list[Item]] | None:
    """The alternatives of a branch or of an optional part ("(?:please )?" -> "", "please ")."""
    op, av = item
    if op is _c.BRANCH:
        return [_flatten(a) for a in av[1]]
    if op in _REPEATS and av[0] == 0 and av[1] == 1:
        return [[], _flatten(av[2])]
    return None


def _is_letter(code: int) -> bool:
    return chr(code).isalpha()


def _non_letter(item: Item) -> bool:
    """Whether an atomic item can only match a non-letter or a boundary."""
    op, av = item
    if op is _c.AT:
        return av in _DELIMITING_AT
    if op is _c.LITERAL:
        return not _is_letter(av)
    if op is _c.IN:
        for member_op, member in av:
            if member_op is _c.LITERAL and not _is_letter(member):
                continue
            if member_op is _c.CATEGORY and member in _NON_LETTER_CATEGORIES:
                continue
            if member_op is _c.RANGE and not any(_is_letter(x) for x in range(member[0], member[1] + 1)):
                continue
            return False
        return True
    return False


def _starts_delimited(seq: Sequence[Item], right: bool) -> bool:
    """Whether whatever ``seq`` matches begins with a non-letter (``right``: what follows seq)."""
    if not seq:
        return right
    first, rest = seq[0], seq[1:]
    alternatives = _alternatives(first)
    if alternatives is not None:
        return all(_starts_delimited(alt + list(rest), right) for alt in alternatives)
    op, av = first
    if op in _REPEATS:
        body = _flatten(av[2])
        starts = bool(body) and _starts_delimited(body, False)
        return starts if av[0] >= 1 else starts and _starts_delimited(rest, right)
    return _non_letter(first)


def _ends_delimited(seq: Sequence[Item], left: bool) -> bool:
    """Whether whatever ``seq`` matches ends with a non-letter (``left``: what precedes seq)."""
    if not seq:
        return left
    last, head = seq[-1], seq[:-1]
    alternatives = _alternatives(last)
    if alternatives is not None:
        return all(_ends_delimited(list(head) + alt, left) for alt in alternatives)
    op, av = last
    if op in _REPEATS:
        body = _flatten(av[2])
        ends = bool(body) and _ends_delimited(body, False)
        return ends if av[0] >= 1 else ends and _ends_delimited(head, left)
    return _non_letter(last)


#: Words so frequent in prose that a gate made of them lets most lines through.
_COMMON = frozenset(
    "this that with from have will your you our was were are for and not but all can has had "
    "been they their them more about said says which would there what when who its also into "
    "than then only other some over after before just like".split()
)


def _cost(gate: Gate) -> int:
    """Prefer gates of few, rare words: "donation" lets fewer lines through than "a" or "this"."""
    return len(gate) + 10 * sum(1 for w in gate if len(w) <= 3 or w in _COMMON)


def _best(gates: Iterable[Gate]) -> Gate | None:
    return min(gates, key=_cost, default=None)


def _gates(items: list[Item], left: bool, right: bool, budget: list[int], every: bool = False) -> list[Gate]:
    """Gates of a sequence of parse items, given whether its edges are delimited (``every``: at a
    branch, every gate all its alternatives share and the union of their best, not only the best
    of these)."""
    gates: list[Gate] = []
    run: list[str] = []
    run_left = left

    def flush(text: str, text_left: bool, text_right: bool) -> None:
        for m in _WORDS.finditer(text):
            if (m.start() > 0 or text_left) and (m.end() < len(text) or text_right):
                gates.append(frozenset({m.group().casefold()}))

    for k, item in enumerate(items):
        op, av = item
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        rest = items[k + 1 :]
        alternatives = _alternatives(item)
        if alternatives is not None:
            # expand: the letters just before the branch, each alternative, then the rest
            text = "".join(run)
            cut = len(text)
            while cut and text[cut - 1].isalpha():
                cut -= 1
            flush(text[:cut], run_left, True)
            prefix = [(_c.LITERAL, ord(ch)) for ch in text[cut:]]
            prefix_left = cut > 0 or run_left
            found: list[list[Gate]] = []
            for alternative in alternatives:
                budget[0] -= 1
                candidates = [] if budget[0] < 0 else _gates(prefix + alternative + rest, prefix_left, right, budget, every)
                if not candidates:
                    return gates  # an alternative needs no word: the branch gives no gate
                found.append(candidates)
            # a gate every alternative has (a word after the branch) beats the union of their best
            common = set(found[0]).intersection(*found[1:])
            union = frozenset().union(*(_best(c) for c in found))
            if every:
                gates.extend(sorted(common, key=sorted))
                gates.append(union)
            else:
                gates.append(_best([*common, union]))
            return gates
        if op in _REPEATS:
            body = _flatten(av[2])
            prev_end = (not run[-1].isalpha()) if run else run_left
            after = _starts_delimited(rest, right)
            body_starts, body_ends = _starts_delimited(body, False), _ends_delimited(body, False)
            if av[0] == 0:  # optional: no word in it is needed; both cases must delimit
                flush("".join(run), run_left, body_starts and after)
                run, run_left = [], prev_end and body_ends
            else:  # at least once: its words are needed
                flush("".join(run), run_left, body_starts)
                gates.extend(_gates(body, prev_end and body_ends, body_starts and after, budget, every))
                run, run_left = [], body_ends
            continue
        delim = _non_letter(item)
        flush("".join(run), run_left, delim)
        run, run_left = [], delim
    flush("".join(run), run_left, right)
    return gates


@_remembered(*_MAYBE_WORDS_CODEC)
def gate_words(pattern: str, flags: int = 0) -> Gate | None:
    """A set of words at least one of which is a token of every match of ``pattern``, or None."""
    items = _items(pattern, flags)
    return None if items is None else _best(_gates(list(items), False, False, [_BUDGET]))


def _first_words(items: list[Item], budget: list[int]) -> set[str] | None:
    """The possible first words of a match of ``items`` (which must start the text), or None."""
    run: list[str] = []
    for k, item in enumerate(items):
        op, av = item
        if op is _c.LITERAL and _is_letter(av):
            run.append(chr(av))
            continue
        alternatives = _alternatives(item)
        if alternatives is not None and (run or op is _c.BRANCH or av[0] == 0):
            prefix = [(_c.LITERAL, ord(ch)) for ch in run]
            words: set[str] = set()
            for alternative in alternatives:
                budget[0] -= 1
                if budget[0] < 0:
                    return None
                found = _first_words(prefix + alternative + items[k + 1 :], budget)
                if found is None:
                    return None
                words |= found
            return words
        if not run:
            return None  # the text starts with something other than a letter
        return {"".join(run).casefold()} if _starts_delimited(items[k:], False) else None
    return {"".join(run).casefold()} if run else None


@_remembered(*_MAYBE_WORDS_CODEC)
def first_words(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """For a pattern anchored at the start ("^..."), the words a matching line can begin with;
    None when the pattern is not anchored or may begin otherwise."""
    items = _anchored(pattern, flags)
    words = None if items is None else _first_words(items, [_BUDGET])
    return frozenset(words) if words else None


def _first_chars(items: list[Item], budget: list[int]) -> set[str] | None:
    """The possible first characters (lower-cased) of a match of ``items``, or None if any."""
    for k, item in enumerate(items):
        op, av = item
        rest = items[k + 1 :]
        if op is _c.AT:
            continue  # a boundary consumes nothing
        if op is _c.LITERAL:
            return {chr(av).lower()}
        if op is _c.IN:
            chars: set[str] = set()
            for member_op, member in av:
                if member_op is _c.LITERAL:
                    chars.add(chr(member).lower())
                elif member_op is _c.RANGE and member[1] - member[0] <= 256:
                    chars.update(chr(x).lower() for x in range(member[0], member[1] + 1))
                elif member_op is _c.CATEGORY and member is _c.CATEGORY_DIGIT:
                    chars.update("0123456789")
                else:
                    return None
            return chars
        alternatives = _alternatives(item)
        if op in _REPEATS and alternatives is None:
            body = _flatten(av[2])
            alternatives = [body] if av[0] >= 1 else [body, []]
        if alternatives is not None:
            out: set[str] = set()
            for alternative in alternatives:
                budget[0] -= 1
                found = None if budget[0] < 0 else _first_chars(alternative + rest, budget)
                if found is None:
                    return None
                out |= found
            return out
        return None
    return None


@_remembered(*_MAYBE_WORDS_CODEC)
def first_chars(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """For a pattern anchored at the start, the (lower-cased) characters a matching line can begin
    with; None when the pattern is not anchored or may begin with anything."""
    items = _anchored(pattern, flags)
    chars = None if items is None else _first_chars(items, [_BUDGET])
    return frozenset(chars) if chars else None


def _required(items: Iterable[Item], uncased: bool = False) -> set[str]:
    """ASCII non-letter characters that every match of ``items`` consumes (``uncased``: any
    non-letter without case variants, "©" too)."""
    out: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            ch = chr(av)
            # ASCII non-letters only: they have no other case under re.IGNORECASE
            if (ch.isascii() or (uncased and ch.lower() == ch == ch.upper())) and not ch.isalpha():
                out.add(ch)
        elif op is _c.SUBPATTERN:
            out |= _required(av[-1], uncased)
        elif op in _REPEATS or op is getattr(_c, "POSSESSIVE_REPEAT", None):
            if av[0] >= 1:
                out |= _required(av[2], uncased)
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            out |= _required(av, uncased)
        elif op is _c.BRANCH:
            sets = [_required(alt, uncased) for alt in av[1]]
            out |= set.intersection(*sets) if sets else set()
        # anything else (classes, lookarounds, boundaries, back-references) requires nothing
    return out


@_remembered(*_WORDS_CODEC)
def required_chars(pattern: str, flags: int = 0) -> frozenset[str]:
    """ASCII non-letter characters (",", "/", "(") each of which is part of every match of
    ``pattern``: a text lacking one of them cannot match (a cheap ``in`` test before a search).
    Lookarounds are not counted (what they see is not part of the match)."""
    items = _items(pattern, flags)
    return frozenset() if items is None else frozenset(_required(items))


@_remembered(_gates_to, _gates_from)
def all_gates(pattern: str, flags: int = 0) -> tuple[Gate, ...]:
    """Every gate :func:`gate_words` chooses from: word sets each of which has a token of every
    match of ``pattern`` (so a text must hit all of them); empty when none is known."""
    items = _items(pattern, flags)
    return () if items is None else tuple(dict.fromkeys(_gates(list(items), False, False, [_BUDGET], every=True)))


@_remembered(_same, _text_from)
def required_literal(pattern: str, flags: int = 0) -> str:
    """The longest run of literal characters in the top-level sequence of ``pattern``: every match
    contains it (casefolded under ``re.IGNORECASE``; "" when there is none).  Under IGNORECASE a
    text can match without containing the casefolded run only through "İ" or "ı", which the
    regex engine equates with "i" but casefolding does not: callers test for those first."""
    items = _items(pattern, flags)
    if items is None:
        return ""
    best, run = "", []
    for op, av in (*items, (None, None)):
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    return best.casefold() if flags & re.IGNORECASE else best


@_remembered(*_WORDS_CODEC)
def required_any(pattern: str, flags: int = 0) -> frozenset[str]:
    """Non-letter characters without case (ASCII ones, "©") at least one of which every match of
    ``pattern`` consumes, for a
    pattern that is one branch at the top ("©...|\\[...\\]|.../..."): one required character of each
    alternative (see :func:`required_chars`); empty when some alternative requires none, or when
    the pattern is not a branch."""
    items = _items(pattern, flags)
    if items is None or len(items) != 1 or items[0][0] is not _c.BRANCH:
        return frozenset()
    out: set[str] = set()
    for alternative in items[0][1][1]:
        needed = _required(alternative, uncased=True)
        if not needed:
            return frozenset()
        out.add(min(needed))
    return frozenset(out)


@_remembered(_same, lambda value: None if value is None else _text_from(value))
def compile_error(pattern: str, flags: int = 0) -> str | None:
    """The error compiling ``pattern`` raises, or None when it compiles.  Remembered like the
    analyses, so that a caller compiling its patterns only when first used (classify) can still
    reject a broken rule at once without compiling every pattern on every run."""
    try:
        re.compile(pattern, flags)
    except re.error as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------- compiled patterns


def _code_to(value: tuple) -> list:
    flags, code, groups, groupindex, indexgroup = value
    if sys.byteorder != "little":  # pragma: no cover - the file holds little-endian words
        code = array(code.typecode, code)
        code.byteswap()
    return [flags, b64encode(code.tobytes()).decode("ascii"), groups, groupindex, list(indexgroup)]


def _code_from(value: Any) -> tuple:
    flags, code, groups, groupindex, indexgroup = value
    if not (type(flags) is int and type(groups) is int and isinstance(code, str) and isinstance(groupindex, dict)
            and isinstance(indexgroup, list)):
        raise ValueError(f"not a compiled pattern: {value!r:.80}")
    if not all(isinstance(k, str) and type(i) is int for k, i in groupindex.items()) or not all(
        g is None or isinstance(g, str) for g in indexgroup
    ):
        raise ValueError("malformed group names")
    words = array(_CODE_TYPE)
    words.frombytes(b64decode(code, validate=True))  # ValueError unless whole words
    if sys.byteorder != "little":  # pragma: no cover
        words.byteswap()
    return flags, words, groups, groupindex, tuple(indexgroup)


#: An array type of the size of the regex engine's code words (``_sre.CODESIZE`` bytes).
_CODE_TYPE = next(t for t in "IL" if array(t).itemsize == _sre.CODESIZE)


@_remembered(_code_to, _code_from)
def sre_code(pattern: str, flags: int = 0) -> tuple:
    """What ``re.compile(pattern, flags)`` hands the regex engine after parsing the pattern and
    generating its code (the slow part, in Python): (flags, code, groups, group index, index group).
    Tied to the interpreter: the cache file's key has Python's version and the engine's ``MAGIC``."""
    parsed = _p.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return flags | parsed.state.flags, array(_CODE_TYPE, code), parsed.state.groups - 1, groupindex, tuple(indexgroup)


#: Flags :func:`compile` handles itself (the others, DEBUG and TEMPLATE, go to ``re.compile``).
_PLAIN_FLAGS = int(re.IGNORECASE | re.LOCALE | re.MULTILINE | re.DOTALL | re.UNICODE | re.VERBOSE | re.ASCII)
#: The patterns :func:`compile` made in this process, as ``re`` keeps them (bounded the same way).
_patterns: dict[tuple[str, int], re.Pattern[str]] = {}
_MAX_PATTERNS = 1024


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - re.compile's stand-in
    """``re.compile(pattern, flags)``; during a run (:func:`remembered_in`) with the parse and code
    generation remembered in the cache file like the analyses (:func:`sre_code`): the stages
    compile a few hundred patterns when first used (about 60 ms, most of a small run's cleaning),
    rebuilding them from the remembered code costs a few.  The result equals ``re.compile``'s
    (``re.Pattern`` equality compares the code); a pattern that does not compile raises the same
    ``re.error``.  Outside a run it is ``re.compile``."""
    flags = int(flags)
    if not _in_force or type(pattern) is not str or flags & ~_PLAIN_FLAGS:
        return re.compile(pattern, flags)
    key = (pattern, flags)
    found = _patterns.get(key)
    if found is None:
        try:
            engine_flags, code, groups, groupindex, indexgroup = sre_code(pattern, flags)
            found = _sre.compile(pattern, engine_flags, code.tolist(), groups, dict(groupindex), indexgroup)
        except Exception:  # noqa: BLE001 - "invalid SRE code" (a damaged file), or an interpreter
            # whose private compiler differs: re.compile is the answer (and raises re.error for a
            # broken pattern, as sre_code did)
            _results.pop(("sre_code", pattern, flags), None)
            found = re.compile(pattern, flags)
        if len(_patterns) >= _MAX_PATTERNS:
            _patterns.clear()
        _patterns[key] = found
    return found
