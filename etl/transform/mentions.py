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

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from etl.records import PARAGRAPH_LABELS, Mention, Paragraph, PersonRef
from etl.rules import Rules
from etl.transform.names import NameData, edit_distance, name_data, skeleton, strip_accents

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
    "stepson stepdaughter stepfather stepmother twin child baby toddler teenager girl boy named dubbed".split()
)
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


U = f"[{_upper_class()}]"
L = r"[^\W\d_]"
PREFIX = r"(?:(?:al|el|ad|ar|as|ash|at|az|an|ud|ul|bin|ibn|abu)-|[dl]['’])"
WORD = rf"(?:{PREFIX})?{U}(?:{L}|['’](?![sS]\b)(?={L})|-(?={L}))*"
ABBR = rf"(?:{U}\.){{2,}}"
TOKEN = rf"(?:{ABBR}|{WORD}\.?)"
SEP = r"[ \u00a0]+"

_SENT_END = re.compile(r"[.!?:;\u2014\u2013\-|•]$")
_PREV_WORDS = re.compile(r"([\w’'-]+)[ \u00a0]+(?:([\w’'-]+)(,?)[ \u00a0]+)?$")
_PREV_ROLE_COMMA = re.compile(r"([\w’'-]+),[ \u00a0]+$")
_AFTER = re.compile(r"(['’]s?(?![\w]))?[ \u00a0]*(,)?[ \u00a0]*([\w’'-]+)?(?:[ \u00a0]+([\w’'-]+))?")
_TITLECASE_WORD = re.compile(r"\b[^\W\d_][\w’'-]*")


@dataclass(frozen=True)
class Lexicon:
    span: re.Pattern
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
    particles = sorted({x for x in p.get("particles", ())}, key=len, reverse=True)
    for x in particles:
        classes[x] = classes.get(x, 0) | PARTICLE
    for x in ("of", "the", "for"):
        classes[x] = classes.get(x, 0) | CONNECT
    part_alt = "|".join(re.escape(x) for x in particles)
    conn = rf"(?:(?:of|for)(?:{SEP}the)?|{part_alt})"
    span = re.compile(rf"(?<![\w'’]){TOKEN}(?:{SEP}(?:{conn}{SEP})*{TOKEN})*")
    item = re.compile(rf"{TOKEN}|(?<![\w'’])(?:of|for|the|{part_alt})(?![\w'’])")
    dotted = frozenset(w for w, f in classes.items() if w.endswith(".") and f & (TITLE | SUFFIX | DATE | DEMONYM | ORG | ORGHEAD))
    sb = [s for s in p.get("speech_before", ())]
    notable_families = frozenset(fam for items in names.notable.values() for _, _, fam in items)
    return Lexicon(
        span=span,
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


@dataclass
class _Person:
    full: list[Run] = field(default_factory=list)
    given: str | None = None
    family: str | None = None
    family_key: str | None = None
    given_key: str | None = None
    forms: Counter = field(default_factory=Counter)
    count: int = 0
    first: tuple[int, int] = (1 << 30, 0)


_TITLE_SMALL = frozenset("with from into over onto upon after about than that this amid near till until".split())


def _is_titlecase(text: str) -> bool:
    """A Title-Case headline: every longer word capitalised (its capitals say nothing about names)."""
    words = _TITLECASE_WORD.findall(text)
    if len(words) < 4:
        return False
    caps = 0
    for w in words:
        if w[0].isupper():
            caps += 1
        elif len(w) >= 4 and w not in _TITLE_SMALL:
            return False
    return caps >= 0.6 * len(words)


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \u00a0\"“”‘’'([«—–-*•":
        if text[i] in "—–-•*" and i > 0 and text[i - 1] == " ":
            return True
        i -= 1
    return i < 0 or bool(_SENT_END.search(text[i]))


def _spans(lex: Lexicon, para_index: int, text: str, runs: list[Run]) -> None:
    classes = lex.classes
    titlecase = _is_titlecase(text)
    for m in lex.span.finditer(text):
        s0 = m.start()
        span_text = m.group()
        if " " not in span_text and "\u00a0" not in span_text:
            # fast path: one word that can never be a name on its own ("The", "Ukraine", "NATO")
            f = classes.get(span_text[:-1] if span_text.endswith(".") else span_text, 0)
            if (f & (STOP | DATE | DEMONYM | ORG | ORGHEAD | TITLE) and not f & AMBIG_TITLE) or (
                len(span_text) > 1 and span_text.isupper()
            ):
                continue
        items: list[tuple[int, int, str, int]] = []
        for it in lex.item.finditer(span_text):
            w = it.group()
            a, b = s0 + it.start(), s0 + it.end()
            end_sentence = False
            if w.endswith(".") and w not in lex.dotted and not (len(w) == 2) and not (len(w) > 3 and w[-3] == "."):
                w = w[:-1]
                b -= 1
                end_sentence = True
            f = classes.get(w, 0)
            if not f and not w.isascii():
                f = classes.get(strip_accents(w), 0)  # "María", "Zoë"
            if len(w) == 2 and w[1] == ".":
                f |= INITIAL
            elif len(w) > 1 and w.isupper() and not f & (SUFFIX | DEMONYM | GIVEN) and "." not in w:
                f |= CAPS
            elif w[0].islower() and "-" not in w and "'" not in w and "’" not in w:
                f = (f & (CONNECT | PARTICLE)) or CONNECT
            items.append((a, b, w, f))
            if end_sentence:
                items.append((b, b, ".", STOP))
        if not items:
            continue
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
        cur: list[int] = []
        prev_break = -1
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
                    (items[cur[0]][3] & PLACE and not items[cur[0]][3] & GIVEN)
                    or (len(cur) > 2 and not items[cur[0]][3] & GIVEN and items[cur[1]][3] & GIVEN)
                ):
                    cur.pop(0)
                if cur:
                    _make_run(lex, para_index, text, items, cur, prev_break, k, titlecase, runs)
            cur = []
            prev_break = k


def _make_run(lex, para_index, text, items, idx, prev_break, next_k, titlecase, runs) -> None:
    words = [items[i][2] for i in idx]
    flags = [items[i][3] for i in idx]
    start, end = items[idx[0]][0], items[idx[-1]][1]
    r = Run(para_index, start, end, words, flags, [(items[i][0], items[i][1]) for i in idx], titlecase=titlecase)
    first = idx[0]
    # context before
    if first > 0:
        pf = items[first - 1][3]
        if items[first - 1][2] in PLACE_PREFIXES:
            r.score -= 5  # "St. Louis", "Fort Worth", "San Antonio": a place
            r.locative = True
        elif pf & TITLE:
            r.title_before = True
            r.rank_before = items[first - 1][2].endswith(".")
        elif pf & (ORG | ORGHEAD) and not pf & TITLE and len(idx) == 1 and not flags[0] & GIVEN:
            r.score -= 5  # "Carnegie Endowment", "Reuters Institute": part of an organisation's name
            r.locative = True
        elif pf & CONNECT and items[first - 1][2] == "the":
            r.the_before = True
    if first == 0 or (first > 0 and items[first - 1][2] == "."):
        before = text[max(0, start - 40) : start]
        pm = _PREV_WORDS.search(before)
        r.sentence_start = _sentence_start(text, start)
        if not pm and not r.sentence_start:
            pc = _PREV_ROLE_COMMA.search(before)
            if pc and pc.group(1).casefold() in lex.roles and pc.group(1).casefold() not in ("president", "general", "chief", "head", "leader"):
                r.title_before = True
                r.kin_before = pc.group(1).casefold() in KINSHIP
        if pm and not r.sentence_start:
            w1 = pm.group(1).casefold()
            w0 = (pm.group(2) or "").casefold()
            if pm.group(2):
                w1, w0 = pm.group(2).casefold(), pm.group(1).casefold()
                if pm.group(3):
                    # "her husband, Gaël Monfils": a role noun then a comma is an apposition
                    if w1 in lex.roles and w1 not in ("president", "general", "chief", "head", "leader"):
                        r.title_before = True
                        r.kin_before = w1 in KINSHIP
                    w1 = ""
            if w1 in lex.roles:
                r.title_before = True
                if w1 in KINSHIP:
                    r.kin_before = True
            if w1 == "the" or (w1 in ("a", "an") and not r.title_before):
                r.the_before = True
            if w1 in lex.speech_before or (w0, w1) in lex.speech_before2:
                r.score += 1
            if w1 in LOCATIVE:
                r.locative = True
    # context after
    last = idx[-1]
    if last + 1 < len(items) and items[last + 1][2] != ".":
        nf = items[last + 1][3]
        if nf & ORGHEAD or nf & ORG:
            r.locative = True  # part of an organisation or place name
            r.score -= 5
        elif nf & TITLE and len(idx) == 1:
            r.title_after = True  # "Commander Europe Gen. ...": a title's domain, not a name
    else:
        am = _AFTER.match(text, end)
        if am:
            possessive, comma, n1, n2 = am.group(1), am.group(2), am.group(3), am.group(4)
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
            elif n1l in ADVERBS and not comma and (am.group(4) or "").casefold() in lex.speech_after:
                r.score += 1  # "Carlson later said"
            elif comma and n1 and n1.isdigit() and len(n1) <= 3 and text.startswith(",", am.end(3)):
                r.score += 1  # "Ma, 69, said": an age apposition
            elif n1 and n1l in lex.speech_after and comma and n1l in ("said", "says", "told", "added", "wrote"):
                r.score += 1
            elif comma and n1l in ("who", "whose"):
                r.score += 1
            elif comma and n1l in lex.appositions:
                r.weak += 1
            elif n1l in lex.weak_after:
                r.weak += 1
            if text.startswith("-based", end):
                r.locative = True
    runs.append(r)


def _name_words(r: Run) -> int:
    return sum(1 for f in r.flags if not f & (INITIAL | SUFFIX) and not (f & PARTICLE))


def _strong(lex: Lexicon, r: Run) -> bool:
    """Is this run a person on its own evidence?"""
    n = _name_words(r)
    flags = r.flags
    if r.score < -1:
        return False
    anyorg = any(f & (ORG | ORGHEAD) for f in flags)
    if anyorg:
        return False
    if n == 1:
        f = next(f for f, w in zip(flags, r.words) if not f & (INITIAL | SUFFIX | PARTICLE))
        if f & (STOP | DATE | DEMONYM | ORG):
            return False
        if r.words[-1] in lex.notable_families and not r.titlecase and not f & PLACE:
            return True
        if r.title_after:
            return False
        if f & PLACE:
            return r.title_before and not r.locative and not r.kin_before
        if r.titlecase:
            return r.rank_before
        if r.title_before:
            return True
        if r.the_before:
            return False
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
    return False


def find_mentions(
    paragraphs: Sequence[Paragraph], rules: Rules, title: str | None = None
) -> tuple[tuple[PersonRef, ...], tuple[Mention, ...]]:
    """The people named in an article's paragraphs (body, heading and caption) and every mention of them."""
    lex = lexicon(rules)
    names = lex.names
    runs: list[Run] = []
    texts: list[str] = []
    for i, para in enumerate(paragraphs):
        texts.append(para.text)
        if para.kind in PARAGRAPH_LABELS and para.text:
            _spans(lex, i, para.text, runs)
    if not runs:
        return (), ()

    # pass 1: runs that are people on their own evidence
    people: list[_Person] = []
    by_full: dict[tuple[str, str], int] = {}
    strong: list[Run] = []
    for r in runs:
        if len(r.words) >= 2 and r.sentence_start:
            _fix_opener(lex, r, texts[r.para])
        if _strong(lex, r):
            strong.append(r)
    # full names first (two or more name words)
    singles: list[Run] = []
    for r in strong:
        if _name_words(r) >= 2:
            given, family = _split(names, r.words)
            if not family:
                continue
            if not given:
                singles.append(r)
                continue
            fk = names.family_key(family)
            gk = names.given_key(given) if given else ""
            key = (fk, gk)
            pi = by_full.get(key)
            if pi is None:
                pi = len(people)
                people.append(_Person(given=given, family=family, family_key=fk, given_key=gk))
                by_full[key] = pi
            _attach(people[pi], r, pi)
            people[pi].full.append(r)
        else:
            singles.append(r)
    families: dict[str, list[int]] = {}
    givens: dict[str, list[int]] = {}
    for pi, p in enumerate(people):
        families.setdefault(p.family_key, []).append(pi)
        if p.given:
            givens.setdefault(names.given_key(p.given), []).append(pi)
    single_people: dict[str, int] = {}

    def single_person(word: str, as_given: bool) -> int:
        key = ("g:" if as_given else "f:") + names.fold(word)
        pi = single_people.get(key)
        if pi is None:
            pi = len(people)
            if as_given:
                people.append(_Person(given=word, family=None, family_key=None, given_key=names.given_key(word)))
            else:
                people.append(_Person(given=None, family=word, family_key=names.family_key(word)))
            single_people[key] = pi
        return pi

    for r in singles:
        word = _single_word(r)
        pi = _lookup(names, people, families, givens, word, r)
        if pi is None:
            as_given = r.kin_before and " " not in word
            pi = single_person(word, as_given)
            if not as_given:
                families.setdefault(people[pi].family_key, []).append(pi)
            else:
                givens.setdefault(names.given_key(word), []).append(pi)
        r.as_given = people[pi].family is None
        _attach(people[pi], r, pi)

    # pass 2: propagation to every other run naming a known person
    known_family = set(families)
    known_given = set(givens)
    runs_extra: list[Run] = []
    for r in runs:
        if r.person >= 0:
            continue
        if any(f & (ORG | ORGHEAD) for f in r.flags) or r.score < -1:
            continue
        word = r.words[-1]
        flag = r.flags[-1]
        if _name_words(r) >= 2:
            # a longer run ending in a known family name ("Soon Milley" never reaches here; "Gen Milley" does)
            given, family = _split(names, r.words)
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
            if pi is not None:
                _attach(people[pi], r, pi)
                people[pi].full.append(r)
            continue
        if flag & (STOP | DATE | DEMONYM | TITLE | CAPS):
            continue
        if flag & PLACE and (r.locative or r.the_before or (r.sentence_start and r.score <= 0 and not r.weak)):
            continue
        if r.the_before:
            continue
        fk = names.family_key(word)
        pi = None
        if fk in known_family:
            pi = _lookup(names, people, families, givens, word, r)
        elif names.given_key(word) in known_given and not r.sentence_start and not flag & PLACE:
            cands = givens[names.given_key(word)]
            if len(cands) == 1:
                pi = cands[0]
                r.as_given = True
        if pi is not None:
            _attach(people[pi], r, pi)

    for r in runs_extra:
        pi = _lookup(names, people, families, givens, r.words[0], r)
        if pi is not None:
            _attach(people[pi], r, pi)
    runs.extend(runs_extra)

    # pass 3: near-miss spellings of a family name the article uses more often
    counts = Counter()
    for p_i, p in enumerate(people):
        counts[p_i] = p.count
    fams = [(p.family_key, i) for i, p in enumerate(people) if p.family_key and len(p.family_key) >= lex.near_min_len]
    if fams:
        for r in runs:
            if r.person >= 0 or len(r.words) != 1 or r.the_before:
                continue
            f = r.flags[0]
            if f & (STOP | DATE | DEMONYM | TITLE | CAPS | ORG | ORGHEAD | PLACE):
                continue
            w = names.fold(r.words[0])
            if len(w) < lex.near_min_len:
                continue
            best = _near(lex, w, fams, people)
            if best is not None:
                r.near = True
                _attach(people[best], r, best)

    # a family-name-only person that is a near-miss spelling of a better-supported full-named one joins it
    for pi, p in enumerate(people):
        if p.given is not None or not p.family_key or p.count == 0 or len(p.family_key) < lex.near_min_len:
            continue
        target = _near(lex, p.family_key, [(fk, i) for fk, i in fams if i != pi and people[i].given], people)
        if target is not None and people[target].count > p.count:
            for r in runs:
                if r.person == pi:
                    r.near = True
                    _attach(people[target], r, target)
            p.count = 0

    # PersonRefs in order of first mention
    used = sorted({r.person for r in runs if r.person >= 0}, key=lambda i: people[i].first)
    keys = {pi: f"p{n + 1}" for n, pi in enumerate(used)}
    refs = []
    for pi in used:
        p = people[pi]
        if p.full:
            best = max(p.full, key=lambda r: (len(r.words), -r.para, -r.start))
            name = " ".join(best.words)
            name = texts[best.para][best.start : best.end]
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


def _fix_opener(lex: Lexicon, r: Run, text: str) -> None:
    if r.title_before or r.flags[0] & GIVEN:
        return
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
    from etl.transform.names import split_name

    return split_name(words, names)


def _near(lex: Lexicon, w: str, fams: list[tuple[str, int]], people: list[_Person]) -> int | None:
    """The best-supported person whose family key is a near-miss spelling of ``w``."""
    best = None
    for fk, pi in fams:
        if people[pi].count < lex.near_support or fk[:2] != w[:2] or fk == w:
            continue
        d = edit_distance(w, fk, 2)
        if d <= lex.near_max or (d == 2 and skeleton(w) == skeleton(fk) and len(w) >= 6):
            if best is None or people[pi].count > people[best].count:
                best = pi
    return best


def _split_run(names: NameData, r: Run, out: list[Run], known_family: set[str]) -> None:
    """Words of an unaccepted longer run that are known family names become runs of their own."""
    for w, f, (a, b) in zip(r.words, r.flags, r.offs):
        if f & (STOP | DATE | DEMONYM | TITLE | CAPS | PARTICLE | INITIAL | SUFFIX):
            continue
        if names.family_key(w) in known_family:
            out.append(Run(r.para, a, b, [w], [f], [(a, b)], titlecase=r.titlecase))


def _single_word(r: Run) -> str:
    if _name_words(r) >= 2:
        return " ".join(w for w, f in zip(r.words, r.flags) if not f & (INITIAL | SUFFIX))
    for w, f in zip(r.words, r.flags):
        if not f & (INITIAL | SUFFIX | PARTICLE):
            return w
    return r.words[-1]


def _lookup(names: NameData, people, families, givens, word: str, r: Run) -> int | None:
    """The article person a single word refers to: family name first, then a unique given name."""
    fk = names.family_key(word)
    cands = families.get(fk)
    if cands:
        if len(cands) == 1:
            return cands[0]
        # several people share the family name: the nearest one named before, else the most mentioned
        before = [
            (people[i].first, i) for i in cands if people[i].first <= (r.para, r.start) and people[i].given
        ]
        if before:
            return max(before)[1]
        return max(cands, key=lambda i: people[i].count)
    gk = names.given_key(word)
    cands = givens.get(gk)
    if cands and len(cands) == 1 and not r.sentence_start:
        return cands[0]
    return None


def _attach(p: _Person, r: Run, pi: int) -> None:
    r.person = pi
    p.count += 1
    if (r.para, r.start) < p.first:
        p.first = (r.para, r.start)
