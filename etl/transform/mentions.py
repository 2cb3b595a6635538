"""Person mentions inside one article, with exact offsets, and the article's people (PersonRefs).

How it works (rules data in ``etl/rules/people.toml`` and the lexicon files beside it):

1. One compiled regex finds *spans* of capitalised words in each body, heading and caption paragraph,
   with name particles and ``of``/``of the`` allowed between them ("Chief of General Staff Valery
   Gerasimov", "Ursula von der Leyen").  Possessive ``'s``/``’s`` is never part of a word.
2. Each word of a span gets a class by set lookups: title/rank/office, function word, month/day,
   demonym, organisation or organisation head ("University", "Post", "Command"), place, given name,
   initial, suffix, ALL-CAPS.  Multi-word organisations and places ("Washington Post", "Joint Chiefs of
   Staff") are matched first.  The words between breaks form *runs*: candidate names.
3. A run is a person with evidence: a title or role noun before it ("Gen.", "his wife"), a known given
   name followed by another name word, a middle initial, a speech verb ("X said", "said X"), an apposition
   ("X, who"), or the short list of well-known people.  Places, organisations and words of Title-Case or
   ALL-CAPS headlines need stronger evidence.
4. Document-level propagation: a family name (or a single name) seen as a person makes every other use of
   it in the article a mention, unless the context makes it a place ("in Washington", "Austin, Texas").
   Transliteration variants (same folded key) and near-miss spellings of a name the article uses more
   often ("Millie" among "Milley"s) join that person.
5. Mentions are grouped into PersonRefs: a family name alone or a given name alone resolves to the full
   name introduced in the article; two full names with the same family name but different given names
   stay two people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from operator import attrgetter

from etl.records import PARAGRAPH_LABELS, Mention, Paragraph, PersonRef
from etl.rules import Rules
from etl.transform import remembered_re as re  # ``re``, its compiled patterns remembered (rules cache)
from etl.transform.names import NameData, edit_distance, name_data, plain, skeleton, strip_accents

# word classes (bit flags)
TITLE, STOP, DATE, DEMONYM, ORG, ORGHEAD, PLACE, GIVEN = 1, 2, 4, 8, 16, 32, 64, 128
CONNECT, PARTICLE, SUFFIX, INITIAL, CAPS, AMBIG_TITLE = 256, 512, 1024, 2048, 4096, 8192
BREAK = TITLE | STOP | DATE | DEMONYM | ORG | ORGHEAD | CONNECT | CAPS

# titles that are also family names: a title at the start of a run, a name word inside one
AMBIGUOUS_TITLES = frozenset(
    "King Major Marshal Bishop Judge Sheriff Chancellor Earl Baron Duke Lord Prince Sister Father Count "
    "Saint Justice Dean Grand Sultan Sheikh Speaker Deputy Chief Head Guard Page Cardinal Pope Rabbi Admiral "
    "Captain Colonel Senior Junior Late Top Field Marine Ground Space".split()
)
KINSHIP = frozenset(
    "wife husband son daughter mother father brother sister uncle aunt nephew niece cousin grandson "
    "granddaughter grandmother grandfather widow widower girlfriend boyfriend fiancée fiancee fiancé fiance "
    "stepson stepdaughter stepfather stepmother twin child baby toddler teenager girl boy named dubbed "
    "children sons daughters kids grandchildren grandsons granddaughters parents siblings brothers sisters twins "
    "stepchild".split()
)
# lowercase words between a name and a thing noun after it that keep it the name of a thing ("X long-range cruise
# missiles", "X V5 naval drones"); any other word (a verb: "Biden sent tanks") stops the look-ahead
THING_MODIFIERS = frozenset(
    "cruise ballistic naval hypersonic attack combat fighter battle main patrol guided unmanned sea kamikaze "
    "self-propelled anti-ship anti-tank anti-aircraft air-defence air-defense surface-to-air long-range "
    "short-range medium-range air air-launched sea-launched ground-launched stealth light heavy new armoured "
    "armored amphibious landing missile nuclear-powered multirole multi-role reconnaissance strike".split()
)
MADE, SHIP = 1, 2  # Run.thing
# title modifiers that qualify a person ("Former Obama aide X"), not a thing: no evidence either way
TITLE_ADJECTIVES = frozenset(
    "Former Top Senior Junior Late Acting Interim Incoming Outgoing Incumbent Chief Prime Deputy Vice".split()
)
_NEXT_WORDS = re.compile(r"[ \u00a0]+([\w’'-]+)(?:[ \u00a0]+([\w’'-]+))?(?:[ \u00a0]+([\w’'-]+))?")
# "X, a former comedian, said": an apposition closed by a comma and a speech verb
_APPOSITION_SPEECH = re.compile(r"[ \u00a0]*,[ \u00a0]+(?:a|an|the|his|her|their|its)[ \u00a0][^,.;:!?“”\"()]{1,60},[ \u00a0]+(\w+)")
_AGE_NOUN = re.compile(r"\d{1,3}-year-old$")
PLACE_PREFIXES = frozenset("St. St Ste. Saint Sainte San Santa Santo São Fort Ft. Port Mount Mt. Lake Cape Point Glen".split())
ADVERBS = frozenset(
    "also later then previously earlier once again recently subsequently initially reportedly allegedly "
    "separately further still first finally has had have was is will would could".split()
)
LOCATIVE = frozenset(
    "in at from to near across outside inside into toward towards around through via of over within "
    "throughout between visit visited visiting landed arrived based".split()
)


def _upper_class() -> str:
    chars = [chr(c) for c in range(0x2500) if chr(c).isupper()]
    ranges, start, prev = [], None, None
    for ch in chars:
        o = ord(ch)
        if start is None:
            start = prev = o
        elif o == prev + 1:
            prev = o
        else:
            ranges.append((start, prev))
            start = prev = o
    ranges.append((start, prev))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )


_UPPER = _upper_class()  # (once: a pass over 9,472 characters)
U = f"[{_UPPER}]"
L = r"[^\W\d_]"
_PREFIX_WORDS = "al|el|ad|ar|as|ash|at|az|an|ud|ul|bin|ibn|abu"  # written before a hyphen: "al-Assad"
PREFIX = rf"(?:(?:{_PREFIX_WORDS})-|[dl]['’])"
# a word after its first capital: letters, with an apostrophe or a hyphen only before a letter.  Written as
# "letters, then (apostrophe or hyphen, letters) repeated" rather than "(letter|apostrophe|hyphen) repeated": the
# same matches, tried in the same order (longest first), but the engine runs through letters with one fast loop
# instead of a group per letter (the span regex 20% faster; tests/test_mentions_memo.py compares the two)
WORD_TAIL = rf"{L}*(?:(?:['’](?![sS]\b)|-)(?={L}){L}*)*(?![\d]|-\d)"  # "V5", "F-16": a model, not a name
WORD = rf"(?:{PREFIX})?{U}{WORD_TAIL}"
ABBR = rf"(?:{U}\.){{2,}}"
TOKEN = rf"(?:{ABBR}|{WORD}\.?)"
# a name may open a single-quoted quote ('Hamrayev is ...'), but never continues a word or an elision
# (O'Brien, d'Estaing)
START = r"(?<!\w)(?<!\w['’])"
# the first letter of a TOKEN: a capital or the first letter of a PREFIX.  Checked before START, it rejects most
# positions of a text with one character-class test (the span regex runs 20% faster)
FIRST = rf"(?=[{_UPPER}aeubidl])"
SEP = r"[ \u00a0]+"


def _prefix_start() -> re.Pattern:
    """Finds a ``PREFIX`` followed by a capital: the only way a span can start with a lowercase letter.

    It starts with a character class (the prefix's last character), so the regex engine scans for it in C;
    then the capital after it (which most hyphens and apostrophes lack: "well-known", "Russia's") is checked,
    and the prefix itself by one fixed-width look-behind per prefix length.
    """
    by_len: dict[int, list[str]] = {}
    for p in _PREFIX_WORDS.split("|"):
        by_len.setdefault(len(p), []).append(p)
    behind = "|".join(f"(?<=(?:{'|'.join(ps)})-)" for _, ps in sorted(by_len.items()))
    return re.compile(rf"[-'’](?={U})(?:{behind}|(?<=[dl]['’]))")


_PREFIX_START = _prefix_start()

_SENT_END = frozenset(".!?:;\u2014\u2013-|•")  # a character that ends a sentence (or a heading's part)
_PREV_WORDS = re.compile(r"([\w’'-]+)[ \u00a0]+(?:([\w’'-]+)(,?)[ \u00a0]+)?$")


def _prev_words(before: str) -> re.Match | None:
    """``_PREV_WORDS.search(before)``: the one or two words (and a comma) just before the end of ``before``.

    A match is made of at most the last two whitespace-separated chunks of ``before`` (its words and spaces
    are never whitespace-free across a chunk boundary), so no match starts before the second-to-last chunk,
    and the search starts there instead of trying every position of the 40-character window (7 µs a call,
    the costliest regex of the stage).
    """
    parts = before.rsplit(None, 2)
    return _PREV_WORDS.search(before, len(parts[0]) if len(parts) == 3 else 0)


_PREV_ROLE_COMMA = re.compile(r"([\w’'-]+),[ \u00a0]+$")
_AFTER = re.compile(r"(['’]s?(?![\w]))?[ \u00a0]*(,)?[ \u00a0]*([\w’'-]+)?(?:[ \u00a0]+([\w’'-]+))?")
_TITLECASE_WORD = re.compile(r"\b[^\W\d_][\w’'-]*")

#: Role nouns that, before a comma, usually end a phrase rather than open an apposition ("the
#: president, Biden's ally").
_NOT_APPOSITION_ROLES = ("president", "general", "chief", "head", "leader")


def _role_noun(lex: Lexicon, word: str) -> bool:
    """``word`` (casefolded) is a role noun, or a compound of one ("secretary-general",
    "commander-in-chief", "ex-minister")."""
    if word in lex.roles:
        return True
    if "-" in word:
        return any(part in lex.roles and part not in _NOT_APPOSITION_ROLES for part in word.split("-"))
    return False


@dataclass(frozen=True)
class Lexicon:
    span: re.Pattern
    span_upper: re.Pattern  # ``span`` for a text without a _PREFIX_START (see _spans)
    item: re.Pattern
    classes: dict[str, int]
    phrases: dict[tuple[str, ...], int]
    max_phrase: int
    speech_after: frozenset[str]
    weak_after: frozenset[str]
    speech_before: frozenset[str]
    speech_before2: frozenset[tuple[str, str]]
    roles: frozenset[str]
    appositions: frozenset[str]
    dotted: frozenset[str]
    notable_families: frozenset[str]
    names: NameData
    near_max: int
    near_min_len: int
    near_support: int
    title_modifiers: frozenset[str]
    thing_before: frozenset[str]
    thing_after: frozenset[str]
    thing_heads: frozenset[str]
    place_after: frozenset[str]
    surname_form: re.Pattern
    notable_by_start: dict[str, tuple[tuple[str, str], ...]]  # first two plain letters -> ((plain family, family), ...)
    span_memo: dict[str, _SpanInfo] = field(default_factory=dict, compare=False, repr=False)  # see _spans
    para_memo: dict[str, _ParaInfo] = field(default_factory=dict, compare=False, repr=False)  # see _spans
    para_seen: set[int] = field(default_factory=set, compare=False, repr=False)  # hashes of texts seen once


@cache
def lexicon(rules: Rules) -> Lexicon:
    p = rules["people"]
    names = name_data(rules)
    classes: dict[str, int] = {}
    phrases: dict[tuple[str, ...], int] = {}

    def add(words, flag):
        for w in words:
            parts = tuple(w.split())
            if len(parts) > 1:
                phrases[parts] = phrases.get(parts, 0) | flag
            else:
                classes[w] = classes.get(w, 0) | flag

    add(p.get("titles", ()), TITLE)
    add(p.get("stop_words", ()), STOP)
    add(p.get("months_days", ()), DATE)
    add(p.get("demonyms", ()), DEMONYM)
    add(p.get("organisations", ()), ORG)
    add(p.get("org_heads", ()), ORGHEAD)
    add(names.places, PLACE)
    add(names.given_names, GIVEN)
    add(p.get("family_first", ()), GIVEN)  # "Xi Jinping", "Li Qiang": a family name first is a name start too
    add(p.get("suffixes", ()), SUFFIX)
    for t in AMBIGUOUS_TITLES:
        if classes.get(t, 0) & TITLE:
            classes[t] |= AMBIG_TITLE
    # longest first, ties in a fixed order (a set's is not; the pattern's text is its cache key)
    particles = sorted({x for x in p.get("particles", ())}, key=lambda x: (-len(x), x))
    for x in particles:
        classes[x] = classes.get(x, 0) | PARTICLE
    for x in ("of", "the", "for"):
        classes[x] = classes.get(x, 0) | CONNECT
    part_alt = "|".join(re.escape(x) for x in particles)
    conn = rf"(?:(?:of|for)(?:{SEP}the)?|{part_alt})"
    more = rf"(?:{SEP}(?:{conn}{SEP})*{TOKEN})*"  # the span's further tokens
    span = re.compile(rf"{FIRST}{START}{TOKEN}{more}")
    # the same spans in a text without a _PREFIX_START: each starts with a capital, matched first (the engine
    # then skips to the next capital in C instead of trying the pattern at every position: 1.7 times as fast);
    # START is checked after that capital, one character further back
    span_upper = re.compile(rf"{U}(?<!\w.)(?<!\w['’].)(?:\.(?:{U}\.)+|{WORD_TAIL}\.?){more}")
    item = re.compile(rf"{TOKEN}|(?<![\w'’])(?:of|for|the|{part_alt})(?![\w'’])")
    dotted = frozenset(
        w for w, f in classes.items() if w.endswith(".") and f & (TITLE | SUFFIX | DATE | DEMONYM | ORG | ORGHEAD | GIVEN)
    ) | frozenset(w for w in PLACE_PREFIXES if w.endswith("."))  # "St. Louis": not the end of a sentence
    sb = [s for s in p.get("speech_before", ())]
    notable_families = frozenset(fam for items in names.notable.values() for _, _, fam in items)
    by_start: dict[str, list[tuple[str, str]]] = {}
    for fk, items in names.notable.items():
        fp = plain(items[0][2])
        if len(fp) >= 6:
            by_start.setdefault(fp[:2], []).append((fp, items[0][2]))
    endings = "|".join(re.escape(e) for e in sorted(p.get("surname_endings", ()), key=len, reverse=True))
    prefixes = "|".join(re.escape(x) for x in p.get("surname_prefixes", ()))
    surname_form = re.compile(
        rf"(?:{L}{{2,}}(?:{endings or '(?!)'})|(?:{prefixes or '(?!)'}){U}{L}{{2,}})$"
    )
    return Lexicon(
        span=span,
        span_upper=span_upper,
        item=item,
        classes=classes,
        phrases=phrases,
        max_phrase=max((len(k) for k in phrases), default=1),
        speech_after=frozenset(p.get("speech_after", ())) - frozenset(p.get("weak_after", ())),
        weak_after=frozenset(p.get("weak_after", ())),
        speech_before=frozenset(s for s in sb if " " not in s),
        speech_before2=frozenset(tuple(s.split()) for s in sb if " " in s),
        roles=frozenset(p.get("role_nouns", ())),
        appositions=frozenset(p.get("apposition_after", ())),
        dotted=dotted,
        notable_families=notable_families,
        names=names,
        near_max=int(p.get("near_miss_max_distance", 1)),
        near_min_len=int(p.get("near_miss_min_length", 5)),
        near_support=int(p.get("near_miss_min_support", 2)),
        title_modifiers=frozenset(p.get("title_modifiers", ())),
        thing_before=frozenset(p.get("thing_nouns_before", ())),
        thing_after=frozenset(p.get("thing_nouns_after", ())),
        thing_heads=frozenset(p.get("thing_heads", ())),
        place_after=frozenset(p.get("place_nouns_after", ())),
        surname_form=surname_form,
        notable_by_start={k: tuple(v) for k, v in by_start.items()},
    )


@dataclass(slots=True)
class Run:
    """A candidate name: consecutive name words of one span."""

    para: int  # index into the paragraphs list
    start: int
    end: int
    words: list[str]
    flags: list[int]
    offs: list[tuple[int, int]] = field(default_factory=list)
    score: int = 0  # strong evidence count
    weak: int = 0
    title_before: bool = False
    kin_before: bool = False
    locative: bool = False  # "in X", "X, Texas", "X-based"
    sentence_start: bool = False
    titlecase: bool = False
    the_before: bool = False
    person: int = -1  # index into the article's people
    as_given: bool = False
    near: bool = False
    title_after: bool = False
    rank_before: bool = False  # an abbreviated rank or honorific: Gen., Dr., Mr.
    title_cap: bool = False  # a capitalised head title before it ("President", "Secretary of State")
    of_before: bool = False  # "... of X" inside a span ("Sen. Tom Keller of Virginia")
    age_after: bool = False  # "X, 24," / "X, a 24-year-old": with a given name alone, a first-name-only person
    thing: int = 0  # the name of a thing: SHIP ("the frigate X") or MADE (a product, weapon, outlet: "X missiles")


@dataclass
class _Person:
    full: list[Run] = field(default_factory=list)
    given: str | None = None
    family: str | None = None
    family_key: str | None = None
    given_key: str | None = None
    count: int = 0
    first: tuple[int, int] = (1 << 30, 0)
    intro: tuple[int, int] = (1 << 30, 0)  # where the full name first appears
    initials: str = ""  # middle initials of the full name, "" when never written


_TITLE_SMALL = frozenset("with from into over onto upon after about than that this amid near till until".split())


# a word (as _TITLECASE_WORD finds them: not preceded by a word's character) of four or more characters starting
# with a lowercase ASCII letter; it starts with a character class, so the engine scans for it in C
_LONG_LOWER_WORD = re.compile(r"[a-z](?<![\w’'-].)[\w’'-]{3,}")


def _is_titlecase(text: str) -> bool:
    """A Title-Case headline: every longer word capitalised (its capitals say nothing about names)."""
    # a body paragraph has a long lowercase word: not Title-Case, whichever word _is_titlecase_words stops at
    for m in _LONG_LOWER_WORD.finditer(text):
        if m.group() not in _TITLE_SMALL:
            return False
    return _is_titlecase_words(text)


def _is_titlecase_words(text: str) -> bool:
    """``_is_titlecase`` word by word."""
    # word by word, to stop at the first long lowercase word (the second or third word of most body paragraphs)
    words = caps = 0
    for m in _TITLECASE_WORD.finditer(text):
        w = m.group()
        words += 1
        if w[0].isupper():
            caps += 1
        elif len(w) >= 4 and w not in _TITLE_SMALL:
            return False
    return words >= 4 and caps >= 0.6 * words


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \u00a0\"“”‘’'([«—–-*•":
        if text[i] in "—–-•*" and i > 0 and text[i - 1] == " ":
            return True
        i -= 1
    return i < 0 or text[i] in _SENT_END


# a span's classification depends only on its text: bound the per-Lexicon memo so a long run over many
# articles with ever new spans keeps a flat memory (under 1 KB an entry: at most ~4 MB a process)
SPAN_MEMO_MAX = 4_096
# a paragraph's runs depend only on its text: the same paragraphs recur in the copies of one story (wire copy,
# republished articles), mostly a few articles apart, so a small memo catches nearly all of them (rebuilding a
# paragraph's Runs from it costs about a third of finding them; ~1.2 KB an entry with its text, at most ~1.3 MB).
# Only a text seen before is kept (the hashes of the texts seen once: at most ~0.6 MB)
PARA_MEMO_MAX = 1_024
PARA_SEEN_MAX = 8_192


@dataclass(frozen=True, slots=True)
class _RunShape:
    """What a candidate run's own span says about it, with offsets relative to the span's start.

    The evidence found inside the span (a title or "of" before the run, an organisation word after it...) is
    kept here; ``text_before``/``text_after``/``ship_check`` say which context outside the span ``_make_run``
    must still read for each occurrence.
    """

    words: tuple[str, ...]
    flags: tuple[int, ...]
    offs: tuple[tuple[int, int], ...]
    span_start: int  # offset of the span's first item (0 for any span the span regex finds)
    start: int  # offs[0][0]
    end: int  # offs[-1][1]
    score: int = 0
    locative: bool = False
    title_before: bool = False
    title_cap: bool = False
    rank_before: bool = False
    the_before: bool = False
    of_before: bool = False
    title_after: bool = False
    evidence: bool = False  # any of the fields above differs from a Run's default
    ship_check: bool = False  # a chain of titles opens the span: "the frigate Admiral X" is read before it
    text_before: bool = False  # the run opens the span or a sentence inside it
    text_after: bool = False  # the run closes the span or a sentence inside it


@dataclass(frozen=True, slots=True)
class _SpanInfo:
    """What a span's text alone says: its ALL-CAPS words kept for later (offsets relative to the span's start)
    and its candidate runs."""

    caps: tuple[tuple[int, int, str], ...]
    runs: tuple[_RunShape, ...]


_NO_SPAN = _SpanInfo((), ())  # every span with neither runs nor ALL-CAPS words (_spans skips it by identity)


# the fields of a Run after ``para``, in order: a memoised run is rebuilt as Run(para, *its fields)
_RUN_FIELDS = tuple(f.name for f in fields(Run))[1:]
assert _RUN_FIELDS[:5] == ("start", "end", "words", "flags", "offs")
_run_fields = attrgetter(*_RUN_FIELDS[5:])


@dataclass(frozen=True, slots=True)
class _ParaInfo:
    """The runs and ALL-CAPS words of one paragraph text, without the paragraph's index (see _spans)."""

    caps: tuple[tuple[int, int, str], ...]  # (start, end, word)
    runs: tuple[tuple, ...]  # (start, end, words, flags, offs, (the Run's other fields, in order))


def _spans(lex: Lexicon, para_index: int, text: str, runs: list[Run], caps: list[tuple[int, int, int, str]]) -> None:
    """The candidate runs (and ALL-CAPS words) of one paragraph.

    A paragraph's runs depend only on its text, and the same paragraphs recur in copies of one story: a
    paragraph text seen a second time is memoised (``lex.para_memo``) and its Runs are rebuilt from the memo
    after that (the Runs themselves are changed by find_mentions, so the memo keeps their field values).
    """
    memo = lex.para_memo
    hit = memo.get(text)
    if hit is not None:
        if hit.caps:
            caps.extend((para_index, a, b, w) for a, b, w in hit.caps)
        for start, end, words, flags, offs, rest in hit.runs:
            runs.append(Run(para_index, start, end, list(words), list(flags), list(offs), *rest))
        return
    seen = lex.para_seen
    h = hash(text)
    if h not in seen:  # most texts never come back: remember only that this one was seen
        if len(seen) >= PARA_SEEN_MAX:
            seen.clear()
        seen.add(h)
        _para_spans(lex, para_index, text, runs, caps)
        return
    n_runs, n_caps = len(runs), len(caps)
    _para_spans(lex, para_index, text, runs, caps)
    if len(memo) >= PARA_MEMO_MAX:
        memo.clear()
    memo[text] = _ParaInfo(
        tuple((a, b, w) for _, a, b, w in caps[n_caps:]),
        tuple(
            (r.start, r.end, tuple(r.words), tuple(r.flags), tuple(r.offs), _run_fields(r)) for r in runs[n_runs:]
        ),
    )


def _para_spans(
    lex: Lexicon, para_index: int, text: str, runs: list[Run], caps: list[tuple[int, int, int, str]]
) -> None:
    """The candidate runs (and ALL-CAPS words) of one paragraph, found in its text.

    The same spans recur over and over in an article and across articles ("Milley said", "Gen. Mark Milley"), so
    each distinct span text is classified once per Lexicon (``_span_info``); only the context around a run,
    which depends on the paragraph, is looked at for every occurrence (``_make_run``).
    """
    memo = lex.span_memo
    titlecase = None
    span = lex.span if _PREFIX_START.search(text) else lex.span_upper
    for m in span.finditer(text):
        span_text = m.group()
        info = memo.get(span_text)
        if info is None:
            info = _span_info(lex, span_text)
            if len(memo) >= SPAN_MEMO_MAX:
                memo.clear()
            memo[span_text] = info
        if info is _NO_SPAN:  # half of all spans ("The", "Ukraine", "On Monday")
            continue
        s0 = m.start()
        if info.caps:
            caps.extend((para_index, s0 + a, s0 + b, w) for a, b, w in info.caps)
        if info.runs:
            if titlecase is None:
                titlecase = _is_titlecase(text)
            for shape in info.runs:
                runs.append(_make_run(lex, para_index, text, s0, shape, titlecase))


def _span_info(lex: Lexicon, span_text: str) -> _SpanInfo:
    """Classify the words of one span and cut it into candidate runs (see the module docstring, steps 1-2)."""
    classes = lex.classes
    caps: list[tuple[int, int, str]] = []
    if " " not in span_text and "\u00a0" not in span_text:
        # fast path: one word that can never be a name on its own ("The", "Ukraine", "NATO")
        w = span_text[:-1] if span_text.endswith(".") else span_text
        f = classes.get(w, 0)
        if len(span_text) > 1 and span_text.isupper():
            if len(w) > 2 and "." not in w and not f:
                caps.append((0, len(w), w))  # "ROURKE" in body text: kept for later
            return _SpanInfo(tuple(caps), ()) if caps else _NO_SPAN
        if f & (STOP | DATE | DEMONYM | ORG | ORGHEAD | TITLE) and not f & AMBIG_TITLE:
            return _NO_SPAN
    items: list[tuple[int, int, str, int]] = []
    for it in lex.item.finditer(span_text):
        w = it.group()
        a, b = it.start(), it.end()
        end_sentence = False
        if w.endswith(".") and w not in lex.dotted and not (len(w) == 2) and not (len(w) > 3 and w[-3] == "."):
            w = w[:-1]
            b -= 1
            end_sentence = True
        f = classes.get(w, 0)
        if not f and not w.isascii():
            f = classes.get(strip_accents(w), 0)  # "María", "Zoë"
        if not f and "-" in w and w[0].isupper():
            parts = w.split("-")
            if all(classes.get(x, 0) & GIVEN for x in parts):
                f = GIVEN  # "Marie-Claire", "Hans-Peter": a hyphenated given name
        if len(w) == 2 and w[1] == ".":
            f |= INITIAL
        elif len(w) > 1 and w.isupper() and not f & (SUFFIX | DEMONYM | GIVEN) and "." not in w:
            if len(w) > 2 and not f:
                caps.append((a, b, w))
            f |= CAPS
        elif w[0].islower() and "-" not in w and "'" not in w and "’" not in w:
            f = (f & (CONNECT | PARTICLE)) or CONNECT
        items.append((a, b, w, f))
        if end_sentence:
            items.append((b, b, ".", STOP))
    if not items:
        return _SpanInfo(tuple(caps), ()) if caps else _NO_SPAN
    # multi-word organisations and places
    n_items = len(items)
    if lex.max_phrase > 1 and n_items > 1:
        words = [x[2] for x in items]
        i = 0
        while i < n_items:
            hit = 0
            for n in range(min(lex.max_phrase, n_items - i), 1, -1):
                flag = lex.phrases.get(tuple(words[i : i + n]))
                if flag:
                    hit = n
                    mark = ORG if flag & (ORG | ORGHEAD) else (DEMONYM if flag & (DEMONYM | STOP) else ORG)
                    for k in range(i, i + n):
                        a, b, w, f = items[k]
                        items[k] = (a, b, w, mark | (f & GIVEN))
                    break
            i += hit or 1
    # runs of name words between breaks
    shapes: list[_RunShape] = []
    cur: list[int] = []
    for k in range(n_items + 1):
        if k < n_items:
            f = items[k][3]
            if f & AMBIG_TITLE and cur:
                cur.append(k)
                continue
            if f & PARTICLE and not f & CONNECT and items[k][2][0].islower():
                if cur:
                    cur.append(k)
                continue
            if not f & BREAK:
                cur.append(k)
                continue
        if cur:
            while cur and items[cur[-1]][3] & PARTICLE and items[cur[-1]][2][0].islower():
                cur.pop()
            # leading places/orgs before a given name ("Ukraine Valerii Zaluzhnyi"), and an unknown
            # word of an office before a given name and a family name ("Exchequer Rachel Reeves")
            while len(cur) > 1 and (
                (
                    items[cur[0]][3] & PLACE
                    and not items[cur[0]][3] & GIVEN
                    and not items[cur[1]][3] & PARTICLE  # "Van den Broek", "De la Cruz"
                    # a particle opening a sentence, "Van Dijk said": the family name, not the city of Van
                    and not classes.get(items[cur[0]][2].lower(), 0) & PARTICLE
                )
                or (len(cur) > 2 and not items[cur[0]][3] & GIVEN and items[cur[1]][3] & GIVEN)
            ):
                cur.pop(0)
            if cur:
                shapes.append(_run_shape(lex, items, cur))
        cur = []
    if not caps and not shapes:
        return _NO_SPAN
    return _SpanInfo(tuple(caps), tuple(shapes))


def _run_shape(lex: Lexicon, items: list[tuple[int, int, str, int]], idx: list[int]) -> _RunShape:
    """The run of the span's items ``idx`` with the evidence the span itself gives (see ``_RunShape``)."""
    words = [items[i][2] for i in idx]
    flags = [items[i][3] for i in idx]
    score = 0
    locative = title_before = title_cap = rank_before = the_before = of_before = title_after = ship_check = False
    first = idx[0]
    # context before
    if first > 0:
        pf = items[first - 1][3]
        if items[first - 1][2] in PLACE_PREFIXES:
            score -= 5  # "St. Louis", "Fort Worth", "San Antonio": a place
            locative = True
        elif pf & TITLE:
            # the chain of titles before the name needs a head title: "Secretary of State X", not "Foreign Affairs"
            # ("Minister of Defence Jane Doe" too, but not "Minister of Foreign Affairs")
            k = first - 1
            head = items[k][2] not in lex.title_modifiers
            of_head = False
            while k >= 0 and items[k][3] & (TITLE | CONNECT) and items[k][2] != ".":
                if items[k][3] & CONNECT:
                    of_head = True
                elif of_head and items[k][2] not in lex.title_modifiers:
                    head = head or len(idx) > 1
                k -= 1
            if head:
                title_before = title_cap = True
                rank_before = items[first - 1][2].endswith(".")
            elif len(idx) == 1 and items[first - 1][2] not in TITLE_ADJECTIVES:
                score -= 2  # "Foreign Affairs", "Grand Prix": a title word qualifying a thing
            ship_check = k < 0
        elif pf & (ORG | ORGHEAD) and not pf & TITLE and len(idx) == 1 and not flags[0] & GIVEN:
            score -= 5  # "Carnegie Endowment", "Reuters Institute": part of an organisation's name
            locative = True
        elif pf & PLACE and not pf & (TITLE | GIVEN) and len(idx) == 1 and not flags[0] & GIVEN:
            score -= 2  # "Plymouth Argyle", "Dynamo Kyiv": one word glued to a place is a team or a firm
        elif (pf & CONNECT and items[first - 1][2] == "the") or (items[first - 1][2] == "The" and len(idx) == 1):
            the_before = True  # "the Bench", and "The Bench said" opening a sentence: a thing or a body
        elif pf & CONNECT and items[first - 1][2] in ("of", "for"):
            of_before = True  # "Tom Keller of Virginia": a place or an organisation, not a second person
            k = first - 2
            while k >= 0 and items[k][2] == "the":
                k -= 1
            if k >= 0 and items[k][3] & (ORG | ORGHEAD) and not items[k][3] & TITLE:
                score -= 5  # "Institute of Water Problems", "Bank of America": the organisation's name
                locative = True
    last = idx[-1]
    text_after = not (last + 1 < len(items) and items[last + 1][2] != ".")
    if not text_after:
        nf = items[last + 1][3]
        if nf & ORGHEAD or nf & ORG:
            locative = True  # part of an organisation or place name
            score -= 5
        elif nf & TITLE and len(idx) == 1:
            title_after = True  # "Commander Europe Gen. ...": a title's domain, not a name
    return _RunShape(
        words=tuple(words),
        flags=tuple(flags),
        offs=tuple((items[i][0], items[i][1]) for i in idx),
        span_start=items[0][0],
        start=items[first][0],
        end=items[last][1],
        score=score,
        locative=locative,
        title_before=title_before,
        title_cap=title_cap,
        rank_before=rank_before,
        the_before=the_before,
        of_before=of_before,
        title_after=title_after,
        evidence=score != 0 or any((locative, title_before, title_cap, rank_before, the_before, of_before, title_after)),
        ship_check=ship_check,
        text_before=first == 0 or items[first - 1][2] == ".",
        text_after=text_after,
    )


def _make_run(lex: Lexicon, para_index: int, text: str, s0: int, shape: _RunShape, titlecase: bool) -> Run:
    """A Run of one occurrence of a run shape in a span starting at ``s0``, with the evidence of its context."""
    start, end = s0 + shape.start, s0 + shape.end
    # most runs are one word: no comprehension for them
    offs = [(start, end)] if len(shape.offs) == 1 else [(s0 + a, s0 + b) for a, b in shape.offs]
    r = Run(para_index, start, end, list(shape.words), list(shape.flags), offs, titlecase=titlecase)
    if len(r.words) > 1 and not lex.thing_heads.isdisjoint(r.words[:-1]):
        r.thing = MADE  # "Hurricane Harvey", "Severe Tropical Storm Kristine": a storm, not a person
    if shape.evidence:  # most runs have none inside their span
        r.score = shape.score
        r.locative = shape.locative
        r.title_before = shape.title_before
        r.title_cap = shape.title_cap
        r.rank_before = shape.rank_before
        r.the_before = shape.the_before
        r.of_before = shape.of_before
        r.title_after = shape.title_after
    if shape.ship_check:
        a0 = s0 + shape.span_start
        pm = _prev_words(text[max(0, a0 - 40) : a0])
        if pm and (pm.group(2) or pm.group(1)).casefold() in lex.thing_before:
            r.thing = SHIP  # "the frigate Admiral X"
    if shape.text_before and not _sentence_start(text, start):  # the words before a sentence's first say nothing
        before = text[max(0, start - 40) : start]
        pm = _prev_words(before)
        if not pm and "," in before:  # _PREV_ROLE_COMMA needs a comma
            pc = _PREV_ROLE_COMMA.search(before)
            if pc and _role_noun(lex, pc.group(1).casefold()) and pc.group(1).casefold() not in _NOT_APPOSITION_ROLES:
                r.title_before = True
                r.kin_before = pc.group(1).casefold() in KINSHIP
        if pm:
            g1, g2, comma = pm.groups()
            w1, w0 = g1.casefold(), ""
            if g2:
                w1, w0 = g2.casefold(), g1.casefold()
                if comma:
                    # "her husband, Gaël Monfils": a role noun then a comma is an apposition
                    if _role_noun(lex, w1) and w1 not in _NOT_APPOSITION_ROLES:
                        r.title_before = True
                        r.kin_before = w1 in KINSHIP
                    w1 = ""
            if _role_noun(lex, w1):
                r.title_before = True
                if w1 in KINSHIP:
                    r.kin_before = True
            if w1 == "the" or (w1 in ("a", "an") and not r.title_before):
                r.the_before = True
            if w1 in lex.speech_before or (w0, w1) in lex.speech_before2:
                r.score += 1
            if w1 in LOCATIVE:
                r.locative = True
            if w1 in lex.thing_before:
                r.thing = SHIP  # "the patrol ship X"
    elif shape.text_before:
        r.sentence_start = True
    # context after
    if shape.text_after:
        am = _AFTER.match(text, end)
        if am:
            possessive, comma, n1, n2 = am.groups()
            n1l = (n1 or "").casefold()
            if possessive:
                r.weak += 1
                if n1 and n1 in lex.classes and lex.classes[n1] & ORGHEAD and not comma:
                    r.score -= 5  # "St. Mary's Hospital", "Women's Forum"
                    r.locative = True
            elif comma and n1 and n1[0].isupper() and n1 in lex.names.places:
                r.locative = True  # "Austin, Texas"
            elif n1 and (n1l in lex.speech_after) and not comma:
                r.score += 1
            elif n1l in ADVERBS and not comma and (n2 or "").casefold() in lex.speech_after:
                r.score += 1  # "Carlson later said"
            elif comma and n1 and n1.isdigit() and len(n1) <= 3 and text.startswith(",", am.end(3)):
                r.score += 1  # "Ma, 69, said": an age apposition
                r.age_after = True
            elif n1 and n1l in lex.speech_after and comma and n1l in ("said", "says", "told", "added", "wrote"):
                r.score += 1
            elif comma and n1l in ("who", "whose"):
                r.score += 1
            elif comma and n1l in ("a", "an") and n2 and _AGE_NOUN.match(n2):
                r.score += 1  # "Bohdan, a 61-year-old welder"
                r.age_after = True
            elif comma and n1l in lex.appositions:
                r.weak += 1
                ap = _APPOSITION_SPEECH.match(text, end)
                if ap and ap.group(1).casefold() in lex.speech_after and ap.group(1).casefold() not in lex.weak_after:
                    r.score += 1  # "Prytula, a former comedian, said"
            elif n1l in lex.weak_after:
                r.weak += 1
            if text.startswith("-based", end) or (n1l in lex.place_after and not comma):
                r.locative = True  # "Kyiv-based", "the Vladimir region"
            if not possessive and not comma and n1 and (
                n1l in lex.thing_after or n1l in THING_MODIFIERS or not n1.isalpha()
            ):
                nm = _NEXT_WORDS.match(text, end)
                if nm:
                    for w in nm.groups():
                        if not w:
                            break
                        wl = w.casefold()
                        if wl in lex.thing_after:
                            r.thing = r.thing or MADE  # "X missiles", "X long-range cruise missiles", "X radio"
                            break
                        if not (wl in THING_MODIFIERS or any(c.isdigit() for c in w)):
                            break
    return r


def _name_words(r: Run) -> int:
    """How many words of the run are names (not initials, suffixes or particles)."""
    flags = r.flags
    if len(flags) == 1:  # most runs (no generator for them: this is called for every run, several times)
        return 0 if flags[0] & (INITIAL | SUFFIX | PARTICLE) else 1
    return sum(1 for f in flags if not f & (INITIAL | SUFFIX | PARTICLE))


def _strong(lex: Lexicon, r: Run) -> bool:
    """Is this run a person on its own evidence?"""
    flags = r.flags
    if r.score < -1 or r.thing:
        return False
    if len(flags) == 1:  # most runs: one word, no generators
        if flags[0] & (ORG | ORGHEAD):
            return False
    elif any(f & (ORG | ORGHEAD) for f in flags):
        return False
    n = _name_words(r)
    if n == 1:
        f = flags[0] if len(flags) == 1 else next(f for f in flags if not f & (INITIAL | SUFFIX | PARTICLE))
        if f & (STOP | DATE | DEMONYM | ORG):
            return False
        if r.words[-1] in lex.notable_families and not r.titlecase and not f & PLACE:
            return True
        if r.title_after:
            return False
        if r.sentence_start and not f & GIVEN and not r.title_before and r.words[-1].endswith(("ing", "ly")):
            return False  # "Fighting continued", "Initially said": a capitalised word opening a sentence
        if f & PLACE:
            # "Mayor Paris", "their daughter Florence" yes; "official Washington", "of Virginia", "in Paris" no
            return (r.title_cap or r.kin_before) and not r.locative and not r.of_before
        if r.titlecase:
            return r.rank_before
        if r.title_before:
            return True
        if r.the_before:
            return False
        if flags[0] & INITIAL and r.weak and not r.sentence_start:
            return True  # "M. Ortiz, a nurse": an initial and a name
        return r.score > 0 or r.weak >= 2
    # two or more name words
    if r.titlecase:
        return r.rank_before
    if all(f & PLACE and not f & GIVEN for f in flags if not f & PARTICLE):
        return r.title_before
    if r.title_before or r.score > 0:
        return True
    if r.titlecase:
        return False
    if flags[0] & GIVEN and not flags[-1] & (STOP | DATE):
        return not r.the_before or True
    if any(f & INITIAL for f in flags[1:-1]) and len(flags) >= 3:
        return True
    if r.words[-1] in lex.notable_families and not r.the_before:
        return True
    if (
        n <= 3
        and not flags[-1] & PLACE
        and not flags[0] & PLACE
        and not r.the_before
        and lex.surname_form.search(r.words[-1])
    ):
        return True  # "Jelko Marinković", "Fionn O'Dwyer": a family name by its form
    return False


def find_mentions(
    paragraphs: Sequence[Paragraph], rules: Rules, title: str | None = None
) -> tuple[tuple[PersonRef, ...], tuple[Mention, ...]]:
    """The people named in an article's paragraphs (body, heading and caption) and every mention of them."""
    lex = lexicon(rules)
    names = lex.names
    runs: list[Run] = []
    caps: list[tuple[int, int, int, str]] = []
    texts: list[str] = []
    for i, para in enumerate(paragraphs):
        texts.append(para.text)
        if para.kind in PARAGRAPH_LABELS and para.text:
            _spans(lex, i, para.text, runs, caps)
    if not runs:
        return (), ()
    article = _Article(texts)
    article.places = {r.words[0] for r in runs if len(r.words) == 1 and r.flags[0] & PLACE and (r.locative or r.of_before)}

    # names of ships, weapons and outlets ("the patrol ship X", "X missiles") are things everywhere in the
    # article, except a product named after a person the article names in full ("the Kennedy airport")
    if any(r.thing for r in runs):
        named = {r.words[-1] for r in runs if not r.thing and _name_words(r) >= 2 and _strong(lex, r)}
        things = {tuple(r.words) for r in runs if r.thing == SHIP}
        things |= {tuple(r.words) for r in runs if r.thing == MADE and r.words[-1] not in named}
        things |= {(t[-1],) for t in things if len(t) > 1 and t[-1] not in named}
        for r in runs:
            if not r.thing and tuple(r.words) in things:
                r.thing = MADE

    # pass 1: runs that are people on their own evidence
    people: list[_Person] = []
    by_full: dict[tuple, int] = {}
    strong: list[Run] = []
    is_strong: set[int] = set()
    for n, r in enumerate(runs):
        if len(r.words) >= 2 and r.sentence_start:
            _fix_opener(lex, r, texts[r.para])
        if _strong(lex, r):
            strong.append(r)
            is_strong.add(n)
    shared_family = _coordinate(lex, runs, texts, is_strong, strong)
    # full names first (two or more name words)
    singles: list[Run] = []
    for r in strong:
        if _name_words(r) >= 2 or id(r) in shared_family:
            if id(r) in shared_family:
                given, family = r.words[0], shared_family[id(r)]  # "Linda and Gary Price": Linda Price
            else:
                given, family = _split(names, r.words)
            if not family:
                continue
            if not given:
                singles.append(r)
                continue
            pi = _full_person(names, people, by_full, given, family, _initials(r))
            _attach_full(people[pi], r, pi)
        else:
            singles.append(r)
    families: dict[str, list[int]] = {}
    givens: dict[str, list[int]] = {}
    for pi, p in enumerate(people):
        families.setdefault(p.family_key, []).append(pi)
        if p.given:
            givens.setdefault(names.given_key(p.given), []).append(pi)
    single_people: dict[str, int] = {}

    def single_person(word: str, as_given: bool, initial: str | None = None) -> int:
        key = ("g:" if as_given else "f:") + names.fold(word) + ("|" + initial if initial else "")
        pi = single_people.get(key)
        if pi is None:
            pi = len(people)
            if as_given:
                people.append(_Person(given=word, family=None, family_key=None, given_key=names.given_key(word)))
            else:
                people.append(_Person(given=initial, family=word, family_key=names.family_key(word)))
            single_people[key] = pi
        return pi

    # a word ending a longer run may be the family name of someone named in full ("Condoleezza Rice"
    # ... "Rice said ... rice prices"): never taken for a common noun
    full_name_ends = {r.words[-1] for r in runs if len(r.words) >= 2}
    for r in singles:
        word = _single_word(r)
        initial = _leading_initial(r)
        pi = _lookup(names, people, families, givens, word, r, article)
        if pi is not None and initial and not _initial_fits(people[pi], initial):
            pi = None  # "K. Smith" is not the article's John Smith
        if pi is None and _common_word(lex, r, article) and r.words[0] not in full_name_ends:
            continue
        if pi is None:
            # a first name alone: after a kinship noun, or a known given name with an age ("said Marta, 24")
            as_given = (
                (r.kin_before or (r.age_after and r.flags[-1] & GIVEN and word not in names.family_first))
                and " " not in word
                and not initial
            )
            pi = single_person(word, as_given, initial)
            if not as_given:
                if pi not in families.setdefault(people[pi].family_key, []):
                    families[people[pi].family_key].append(pi)
            elif pi not in givens.setdefault(names.given_key(word), []):
                givens[names.given_key(word)].append(pi)
        r.as_given = people[pi].family is None
        _attach(people[pi], r, pi)

    # pass 2: propagation to every other run naming a known person
    known_family = set(families)
    known_given = set(givens)
    runs_extra: list[Run] = []
    for r in runs:
        if r.person >= 0 or r.thing:
            continue
        flags = r.flags
        if r.score < -1 or (flags[0] & (ORG | ORGHEAD) if len(flags) == 1 else any(f & (ORG | ORGHEAD) for f in flags)):
            continue
        word = r.words[-1]
        flag = r.flags[-1]
        if _name_words(r) >= 2:
            # a longer run ending in a known family name ("Soon Milley" never reaches here; "Gen Milley" does)
            given, family = _split(names, r.words)
            if family and not given and not r.titlecase and names.family_key(family) in known_family:
                # "Van den Broek said": a family name with a capitalised particle at a sentence start
                pi = _lookup(names, people, families, givens, family, r, article)
                if pi is not None:
                    _attach(people[pi], r, pi)
                continue
            if r.titlecase or not family or not given or r.flags[0] & (PLACE | STOP):
                _split_run(names, r, runs_extra, known_family)
                continue
            fk = names.family_key(family)
            if fk not in known_family:
                continue
            pi = by_full.get((fk, names.given_key(given)))
            if pi is None:
                only = [i for i in families[fk] if people[i].given is None]
                if len(only) == 1 and len(families[fk]) == 1:
                    pi = only[0]  # "Elina Svitolina" ... "Svitolina, who": the family-only person gets a given name
                    p = people[pi]
                    p.given, p.family, p.given_key = given, family, names.given_key(given)
                    by_full[(fk, p.given_key)] = pi
                elif r.flags[0] & (GIVEN | INITIAL) or not article.lower_elsewhere(r.words[0]):
                    # "Declan Rourke" in an article that already names a Rourke: another person of that family
                    pi = _full_person(names, people, by_full, given, family, _initials(r))
                    families[fk].append(pi)
                    givens.setdefault(names.given_key(given), []).append(pi)
                    known_given.add(names.given_key(given))
            if pi is not None:
                _attach_full(people[pi], r, pi)
            continue
        if flag & (STOP | DATE | DEMONYM | TITLE | CAPS):
            continue
        if flag & PLACE and (r.locative or r.of_before or r.the_before):
            continue
        if r.the_before:
            continue
        fk = names.family_key(word)
        if flag & PLACE and r.sentence_start and r.score <= 0 and not r.weak and fk in known_family:
            continue
        pi = None
        if fk in known_family:
            pi = _lookup(names, people, families, givens, word, r, article)
        elif names.given_key(word) in known_given and _given_ref(names, r, word, flag, givens, article, people):
            pi = givens[names.given_key(word)][0]
            r.as_given = True
        if pi is not None:
            _attach(people[pi], r, pi)

    for r in runs_extra:
        pi = _lookup(names, people, families, givens, r.words[0], r, article)
        if pi is not None:
            _attach(people[pi], r, pi)
    runs.extend(runs_extra)

    # now that every full name is known: a family name alone goes to the full-named person of that family the
    # article context supports (also when it was first seen before any full name of that family)
    full_runs = {id(x) for p in people for x in p.full}
    for fk, cands in families.items():
        fulls = [i for i in cands if people[i].given and people[i].full and not _leading_initial(people[i].full[0])]
        alone = [i for i in cands if people[i].given is None and people[i].count]
        if not fulls or (len(fulls) == 1 and not alone):
            continue
        members = set(cands)
        for r in runs:
            if (
                r.person in members
                and id(r) not in full_runs
                and not r.as_given
                and not _leading_initial(r)
                and names.family_key(_single_word(r)) == fk  # the family name, not a given name ("Linda said")
            ):
                t = _dominant(people, fulls, r)
                if t != r.person:
                    people[r.person].count -= 1
                    _attach(people[t], r, t)

    # "ROURKE told the press": an ALL-CAPS family name of a person of the article, in ordinary text
    if caps:
        for para_i, a, b, w in caps:
            fk = names.family_key(w)
            if fk not in known_family or not any(people[i].given for i in families[fk]):
                continue
            if a == 0 or lex.classes.get(w[0] + w[1:].lower(), 0) & PLACE or _caps_heavy(texts[para_i]):
                continue  # "WASHINGTON (AP) —": a dateline
            r = Run(para_i, a, b, [w], [CAPS], [(a, b)])
            pi = _lookup(names, people, families, givens, w, r, article)
            if pi is not None:
                _attach(people[pi], r, pi)
                runs.append(r)

    # pass 3: near-miss spellings of a family name the article uses more often, or of a well-known person's
    fams = [
        (p.family_key, plain(p.family), i)
        for i, p in enumerate(people)
        if p.family_key and len(p.family_key) >= lex.near_min_len
    ]
    for r in runs:
        if r.person >= 0 or len(r.words) != 1 or r.the_before or r.thing:
            continue
        f = r.flags[0]
        if f & (STOP | DATE | DEMONYM | TITLE | CAPS | ORG | ORGHEAD | PLACE):
            continue
        w = names.fold(r.words[0])
        if len(w) < lex.near_min_len:
            continue
        wp = plain(r.words[0])
        best = _near(lex, w, wp, fams, people) if fams else None
        if best is None and len(wp) >= 7 and not f & GIVEN and not r.locative:
            fam = _near_notable(lex, wp)
            if fam is not None and not article.lower_elsewhere(r.words[0]):
                fk = names.family_key(fam)
                if fk in families:
                    best = _lookup(names, people, families, givens, fam, r, article)
                else:
                    best = single_person(fam, False)
                    families[fk] = [best]
                    fams.append((fk, plain(fam), best))
        if best is not None:
            r.near = True
            _attach(people[best], r, best)

    # a family-name-only person that is a near-miss spelling of a better-supported full-named one (or of a
    # well-known person's family name) joins it
    for pi, p in enumerate(people):
        if p.given is not None or not p.family_key or p.count == 0 or len(p.family_key) < lex.near_min_len:
            continue
        full = [x for x in fams if x[2] != pi and people[x[2]].given]
        target = _near(lex, p.family_key, plain(p.family), full, people, support=1)
        if target is not None and (
            people[target].count > p.count or (len(p.family_key) >= 6 and people[target].count >= p.count)
        ):
            pass
        elif (
            p.family_key not in lex.names.notable
            and len(plain(p.family)) >= 7
            and (fam := _near_notable(lex, plain(p.family)))
        ):
            fk = names.family_key(fam)
            same = [i for i in families.get(fk, ()) if i != pi]
            if same:
                target = max(same, key=lambda i: (people[i].count, -people[i].first[0]))
            else:
                p.family, p.family_key = fam, fk  # "Lukaschenko" alone: the well-known Lukashenko
                continue
        else:
            continue
        for r in runs:
            if r.person == pi:
                r.near = True
                _attach(people[target], r, target)
        p.count = 0

    # a multi-word family name or given name alone ("Ó Ceallaigh", "Díaz de Vivar", "St-Pierre Plamondon" after
    # "Seán Ó Ceallaigh"...; "João Pedro" after "João Pedro Almeida"): a person whose every full form is the
    # start or the end of the one longer full name introduced before it in the article is that person
    _join_partial_names(people, runs)

    # PersonRefs in order of first mention
    used = sorted({r.person for r in runs if r.person >= 0}, key=lambda i: people[i].first)
    keys = {pi: f"p{n + 1}" for n, pi in enumerate(used)}
    refs = []
    for pi in used:
        p = people[pi]
        if p.full:
            best = max(p.full, key=lambda r: (len(r.words), -r.para, -r.start))
            name = texts[best.para][best.start : best.end]
            if len(best.words) == 1 and p.given and p.family:
                name = f"{p.given} {p.family}"  # "Linda and Gary Price": a family name written once for two
        elif p.given and p.family:
            name = f"{p.given} {p.family}"
        else:
            name = p.family or p.given or ""
        refs.append(PersonRef(key=keys[pi], name=name, given=p.given, family=p.family))
    mentions = []
    for r in runs:
        if r.person < 0:
            continue
        surface = texts[r.para][r.start : r.end]
        mentions.append(
            Mention(
                paragraph=paragraphs[r.para].position,
                char_start=r.start,
                char_end=r.end,
                surface=surface,
                person=keys[r.person],
            )
        )
    mentions.sort(key=lambda m: (m.paragraph, m.char_start))
    return tuple(refs), tuple(mentions)


class _Article:
    """Lazily computed facts about the whole article's text."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self._joined: str | None = None
        self._words: frozenset[str] | None = None
        self.places: set[str] = set()  # place names the article uses as places ("in Austin", "Austin, Texas")

    def lower_elsewhere(self, word: str) -> bool:
        """Is the word also written in lowercase (a common word: "Will", "Grace", "Hope")?

        That is: is ``word.casefold()`` one of the article's words (as ``_TITLECASE_WORD`` finds
        them) that start with a lowercase letter (tests/test_worker_fast.py checks this against that
        definition).  A word of the text is a part of it, so most queries ("harbour") are answered
        by a substring test; the article's words are collected only when that cannot tell."""
        q = word.casefold()
        if not q[:1].islower():
            return False  # no word starting with a lowercase letter equals it
        joined = self._joined
        if joined is None:
            # "\n" is neither a word's character nor glued to one: the same words as text by text
            joined = self._joined = "\n".join(self.texts)
        if q not in joined:
            return False
        if self._words is None:
            self._words = frozenset(_TITLECASE_WORD.findall(joined))
        return q in self._words


_COORD_GAP = re.compile(r"(?:,?[ \u00a0]+(?:and|or|&)|,)[ \u00a0]+")
_BLOCK_COORD = STOP | DATE | DEMONYM | ORG | ORGHEAD | TITLE | CAPS | PLACE


def _coordinate(
    lex: Lexicon, runs: list[Run], texts: list[str], is_strong: set[int], strong: list[Run]
) -> dict[int, str]:
    """People coordinated with people: "Falk and Marinković", "her two children, Yarema and Solomiia", and a given
    name sharing the family name of the next full name ("Linda and Gary Price").  Returns run id -> shared family."""
    shared: dict[int, str] = {}
    links = []
    comma = False  # the previous link was a bare comma: valid only if the list goes on
    for n in range(1, len(runs)):
        a, b = runs[n - 1], runs[n]
        m = a.para == b.para and _COORD_GAP.fullmatch(texts[a.para], a.end, b.start)
        if comma and not m:
            links.pop()  # "Musk, Neuralink's founder": a comma, not a list
        if m:
            links.append((n - 1, n))
        comma = bool(m) and m.group().strip() == ","
    if comma:
        links.pop()
    if not links:
        return shared
    for _ in range(2):
        changed = False
        for x, y in links:
            for src, dst in ((x, y), (y, x)):
                if src not in is_strong or dst in is_strong:
                    continue
                r, s = runs[dst], runs[src]
                if r.thing or r.titlecase or r.the_before or r.locative or r.of_before or r.score < -1:
                    continue
                if len(r.words) != 1:
                    # "Enzo Fernandez and Reece James": a full name with a given name and nothing else;
                    # "Dayot Upamecano and Kim Min-jae": beside a full name, two or three name words
                    # are a full name too, even when the given name is not one the lexicon knows
                    if (
                        len(r.words) <= 3
                        and (any(f & GIVEN for f in r.flags) or _name_words(s) >= 2)
                        and not any(f & _BLOCK_COORD for f in r.flags)
                    ):
                        is_strong.add(dst)
                        strong.append(r)
                        changed = True
                    continue
                f = r.flags[0]
                family = None
                if dst == x and f & GIVEN and _name_words(s) >= 2 and s.flags[0] & GIVEN:
                    if texts[r.para][r.end : s.start].strip() in ("and", "&"):
                        family = _split(lex.names, s.words)[1]
                if f & (_BLOCK_COORD & ~PLACE if family else _BLOCK_COORD):
                    continue
                if family:
                    shared[id(r)] = family
                r.kin_before = r.kin_before or s.kin_before
                is_strong.add(dst)
                strong.append(r)
                changed = True
        if not changed:
            break
    strong.sort(key=lambda r: (r.para, r.start))
    return shared


def _caps_heavy(text: str) -> bool:
    """A paragraph written mostly in capitals (a headline), where capitals say nothing about names."""
    words = _TITLECASE_WORD.findall(text)
    upper = sum(1 for w in words if len(w) > 1 and w.isupper())
    return upper * 2 >= len(words)


def _initials(r: Run) -> str:
    """Middle initials of a full name ("George H. W. Bush" -> "HW")."""
    out = ""
    seen_name = False
    for w, f in zip(r.words, r.flags):
        if f & INITIAL:
            if seen_name:
                out += w[0]
        elif not f & (SUFFIX | PARTICLE):
            seen_name = True
    return out


def _leading_initial(r: Run) -> str | None:
    """The initial of "J. Smith" (an initial for the given name)."""
    if len(r.words) >= 2 and r.flags[0] & INITIAL:
        return r.words[0]
    return None


def _initial_fits(p: _Person, initial: str) -> bool:
    return not p.given or strip_accents(p.given[:1]).casefold() == strip_accents(initial[:1]).casefold()


def _full_person(names: NameData, people: list[_Person], by_full: dict, given: str, family: str, initials: str) -> int:
    """The article person of a full name; conflicting middle initials ("George W." / "George H. W.") split."""
    fk = names.family_key(family)
    gk = names.given_key(given)
    pi = by_full.get((fk, gk))
    if pi is not None and initials and people[pi].initials and people[pi].initials != initials:
        pi = by_full.get((fk, gk, initials))
    if pi is None:
        pi = len(people)
        people.append(_Person(given=given, family=family, family_key=fk, given_key=gk, initials=initials))
        by_full.setdefault((fk, gk), pi)
        if initials:
            by_full[(fk, gk, initials)] = pi
    elif initials and not people[pi].initials:
        people[pi].initials = initials
        by_full[(fk, gk, initials)] = pi
    return pi


def _given_ref(
    names: NameData, r: Run, word: str, flag: int, givens: dict, article: _Article, people: list[_Person]
) -> bool:
    """May this single word be the given name of the article's one person with that given name?

    Also at a sentence start or in a quote ("'Declan is ready'") when the article never writes the
    word in lowercase, and for a given name that is also a place ("Florence") when the article never uses
    it as a place.  A first name after a kinship noun ("her husband, Petro") is not a person named in
    full only later in the article, unless a relative of that family was named before it.
    """
    cands = givens.get(names.given_key(word))
    if not cands or len(cands) != 1:
        return False
    if r.sentence_start and article.lower_elsewhere(word):
        return False
    if flag & PLACE and (r.locative or r.of_before or r.the_before or word in article.places):
        return False
    c = people[cands[0]]
    if r.kin_before and c.intro > (r.para, r.start):
        # "her husband, Petro" before a "Petro Bondarchuk" is introduced is another Petro, unless a relative
        # of that family was named before ("Fury with his wife Paris" ... "Paris Fury")
        here = (r.para, r.start)
        return any(p is not c and p.family_key == c.family_key and p.first < here for p in people)
    return True


def _fix_opener(lex: Lexicon, r: Run, text: str) -> None:
    if r.title_before or r.flags[0] & GIVEN or r.flags[1] & PARTICLE:
        return  # "Van den Broek said": a capitalised particle, not a place
    if lex.classes.get(r.words[0].lower(), 0) & PARTICLE and len(r.words) == 2:
        return  # "Van Dijk said", "De Ligt fell": the particle of a family name opening a sentence
    w = r.words[0]
    if w.endswith(("ing", "ed", "ly")) or r.flags[0] & (PLACE | STOP):
        nxt = text.find(r.words[1], r.start + len(w))
        if nxt < 0:
            return
        r.words.pop(0)
        r.flags.pop(0)
        r.offs.pop(0)
        r.start = nxt
        r.sentence_start = False


def _split(names: NameData, words: list[str]) -> tuple[str | None, str | None]:
    return names.split(words)


def _near(
    lex: Lexicon,
    w: str,
    wp: str,
    fams: list[tuple[str, str, int]],
    people: list[_Person],
    support: int | None = None,
) -> int | None:
    """The best-supported person whose family name is a near-miss spelling of a word (folded ``w``, plain ``wp``).

    Compared both folded (transliteration variants) and plain ("Askyonov" for "Aksyonov": folding "ks" to "x"
    would hide the transposition).
    """
    need = lex.near_support if support is None else support
    best = None
    for fk, fp, pi in fams:
        if people[pi].count < need or fk == w or (fk[:2] != w[:2] and fp[:2] != wp[:2]):
            continue
        d = min(edit_distance(w, fk, 2), edit_distance(wp, fp, 2))
        if d <= lex.near_max or (d == 2 and skeleton(w) == skeleton(fk) and len(w) >= 6):
            if best is None or people[pi].count > people[best].count:
                best = pi
    return best


def _near_notable(lex: Lexicon, w: str) -> str | None:
    """The family name of the one well-known person (rules' ``notable``) that ``w`` (plain letters) misspells."""
    hit = None
    for fk, family in lex.notable_by_start.get(w[:2], ()):
        if fk != w and edit_distance(w, fk, 1) <= 1:
            if hit is not None and hit != family:
                return None
            hit = family
    return hit


def _split_run(names: NameData, r: Run, out: list[Run], known_family: set[str]) -> None:
    """Words of an unaccepted longer run that are known family names become runs of their own."""
    for w, f, (a, b) in zip(r.words, r.flags, r.offs):
        if f & (STOP | DATE | DEMONYM | TITLE | CAPS | PARTICLE | INITIAL | SUFFIX):
            continue
        if names.family_key(w) in known_family:
            out.append(Run(r.para, a, b, [w], [f], [(a, b)], titlecase=r.titlecase))


def _common_word(lex: Lexicon, r: Run, article: _Article) -> bool:
    """A lone capitalised word that is a common noun opening a sentence, not a family name: the
    article also writes it in lower case ("Measles is spreading ... the measles vaccine"), or it is
    the plural of a role noun ("Residents told reporters", "Witnesses said": ``role_nouns``).

    Only for a word with no other evidence of a name: no title or kinship noun before it, not a
    known given name, no initial.  The caller only asks about a word no person of the article has
    as family name yet and no longer run of the article ends with, so "Rice said" still joins
    "Condoleezza Rice"."""
    if len(r.words) != 1 or r.flags[0] & (GIVEN | INITIAL) or r.title_before or r.kin_before or r.rank_before:
        return False
    word = r.words[0]
    if word.endswith("s") and len(word) > 3:
        low = word.casefold()
        if low[:-1] in lex.roles or (low.endswith("es") and low[:-2] in lex.roles):
            return True
    return article.lower_elsewhere(word)


def _single_word(r: Run) -> str:
    if _name_words(r) >= 2:
        return " ".join(w for w, f in zip(r.words, r.flags) if not f & (INITIAL | SUFFIX))
    for w, f in zip(r.words, r.flags):
        if not f & (INITIAL | SUFFIX | PARTICLE):
            return w
    return r.words[-1]


def _lookup(names: NameData, people, families, givens, word: str, r: Run, article: _Article) -> int | None:
    """The article person a single word refers to: family name first, then a unique given name."""
    fk = names.family_key(word)
    cands = families.get(fk)
    if cands:
        if len(cands) == 1:
            return cands[0]
        return _dominant(people, cands, r)
    if len(r.words) == 1 and _given_ref(names, r, word, r.flags[0], givens, article, people):
        return givens[names.given_key(word)][0]
    return None


def _dominant(people: list[_Person], cands: list[int], r: Run) -> int:
    """Which of several full-named people sharing a family name a bare family name means.

    The one introduced in the earliest paragraph (the article's main bearer: "Pavlo Kostenko" before his
    brother); of people first named in the same paragraph ("his parents, Olha and Petro Kostenko"), the one
    named last before the mention.  With no full-named candidate, the most mentioned.
    """
    full = [i for i in cands if people[i].given and people[i].full]
    if not full:
        return max(cands, key=lambda i: (people[i].count, -i))
    para = min(people[i].intro[0] for i in full)
    group = [i for i in full if people[i].intro[0] == para]
    if len(group) == 1:
        return group[0]
    before = [i for i in group if people[i].intro <= (r.para, r.start)]
    if before:
        return max(before, key=lambda i: people[i].intro)
    return min(group, key=lambda i: people[i].intro)


def _attach(p: _Person, r: Run, pi: int) -> None:
    r.person = pi
    p.count += 1
    if (r.para, r.start) < p.first:
        p.first = (r.para, r.start)


def _attach_full(p: _Person, r: Run, pi: int) -> None:
    _attach(p, r, pi)
    p.full.append(r)
    if (r.para, r.start) < p.intro:
        p.intro = (r.para, r.start)


def _join_partial_names(people: list[_Person], runs: list[Run]) -> None:
    """Join a person named only by the first or last words of another person's longer full name."""
    forms: dict[int, set[tuple[str, ...]]] = {}
    for pi, p in enumerate(people):
        if p.count and p.full:
            forms[pi] = {tuple(w for w in r.words if not w.endswith(".") or len(w) > 3) for r in p.full}
    # a name is part of a longer one only: in most articles no full name is longer than the others
    longest = max((len(f) for mine in forms.values() for f in mine), default=0)
    for pi, mine in forms.items():
        if not all(len(f) >= 2 for f in mine) or _leading_initial(people[pi].full[0]):
            continue
        if max(len(f) for f in mine) >= longest:
            continue  # no form of anyone is longer than this one
        targets = set()
        for qi, theirs in forms.items():
            if qi == pi or people[qi].count == 0 or people[qi].intro > people[pi].intro:
                continue
            if all(
                any(len(t) > len(f) and (t[: len(f)] == f or t[-len(f) :] == f) for t in theirs) for f in mine
            ):
                targets.add(qi)
        if len(targets) != 1:
            continue
        qi = targets.pop()
        for r in runs:
            if r.person == pi:
                _attach(people[qi], r, qi)
        people[pi].count = 0
