"""Bylines, reporting and photo credits, and the outlet an article names.

* :func:`parse_credits` reads one byline ("By Jane Doe and John Roe", "By: Reuters", "By Jane Doe,
  Reuters", "Jane Doe | AP") or credit line ("(Reporting by Idrees Ali and Phil Stewart; editing
  by Jonathan Oatis)", "(AP Photo/Alex Brandon)", "Photo: Getty Images", "Jane Doe contributed to
  this report.") into :class:`~etl.records.Credit` values with a role: ``author``, ``agency``,
  ``editor``, ``photographer`` or ``reporter``.  Agencies get the canonical name of the lexicon
  ("AP" -> "Associated Press"); outlets that are not agencies ("By Jane Doe, CNN") are not credits.
* :func:`is_credit_line` says whether a whole line is a reporting or photo credit (and why).
  Bylines ("By Jane Doe") are not credit lines, and neither is a caption that ends with a credit
  ("... in Washington / Photo: Associated Press"): the classifier handles both.
* :func:`detect_outlet` finds the outlet a text shows: self-references ("listen to X articles",
  "get the X app", "© 2022 X", "follow X on Twitter", "subscribe to X"), wire ledes
  ("WASHINGTON (Reuters) -"), agencies in bylines; each with a weight, the best total wins.
  A name from the lexicon (``etl/rules/outlets.toml``) gets its canonical spelling; an unknown
  name found by a pattern is kept as written.  Cited sources ("according to the Washington
  Post") and photo credits never count: they name other outlets.

Vocabulary (role phrases, titles, organization words) is in ``etl/rules/credits.toml``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from etl.records import Credit
from etl.transform import remembered_re as re  # ``re``, its compiled patterns remembered (rules cache)
from etl.transform.gates import required_literal
from etl.rules import Rules, default_rules

__all__ = ["agency_names", "canonical_agency", "detect_outlet", "is_credit_line", "names_outlet", "parse_credits"]

_SPACES = re.compile(r"\s+")
#: A capitalized name of one to six words ("Fox News", "The Associated Press", "RBC-Ukraine").
_NAME = r"(?P<name>(?:[A-Z][\w&'’-]*(?:\.[\w&'’-]+)*)(?:\s+(?:of|and|&|the|[A-Z][\w&'’-]*(?:\.[\w&'’-]+)*)){0,5})"


@dataclass(frozen=True)
class _Lexicon:
    canonical: dict[str, tuple[str, bool]]  # casefolded alias -> (canonical name, is an agency)
    short: frozenset[str]  # aliases matched only case-sensitively (AP, PA, CP ...)
    short_folded: frozenset[str]


@dataclass(frozen=True)
class _Compiled:
    lex: _Lexicon
    role_re: re.Pattern[str]
    roles: dict[str, str]
    byline_open_re: re.Pattern[str]
    photo_label_re: re.Pattern[str]
    agency_photo_re: re.Pattern[str]
    photo_noise: frozenset[str]
    titles: frozenset[str]
    org_words: frozenset[str]
    particles: frozenset[str]
    place_re: re.Pattern[str]
    contributed: tuple[re.Pattern[str], ...]
    self_refs: tuple[tuple[re.Pattern[str], int], ...]
    # per self-reference pattern: a run of characters every match contains, casefolded
    # (gates.required_literal; "" when none): the pattern is searched only in lines that have it
    self_ref_needs: tuple[str, ...]
    not_names: frozenset[str]
    wire_re: re.Pattern[str]
    wire_weight: int
    byline_weight: int
    # line -> what it tells detect_outlet (see _outlet_line); bounded, filled in insertion order
    # (an OrderedDict: its oldest entry goes in O(1), see detect_outlet)
    outlet_lines: OrderedDict[str, tuple] = field(default_factory=OrderedDict, compare=False)
    # outlet -> the regex finding it named in a line (see names_outlet)
    outlet_name_res: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first, spaces matching any whitespace."""
    # (ties alphabetically: a set's order changes from process to process, and the pattern's text
    # is the key its compiled form is remembered under; equal-length words never match the same text)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _lexicon(outlets: dict) -> _Lexicon:
    canonical: dict[str, tuple[str, bool]] = {}
    short: set[str] = set()
    for key, is_agency in (("agencies", True), ("outlets", False)):
        for entry in outlets.get(key, ()):
            name = entry["name"]
            for alias in (name, *entry.get("aliases", ())):
                canonical.setdefault(alias.casefold(), (name, is_agency))
                if alias.isupper() and len(alias) <= 4:
                    short.add(alias)
    return _Lexicon(
        canonical=canonical,
        short=frozenset(short),
        short_folded=frozenset(a.casefold() for a in short),
    )


@cache
def _compiled(rules: Rules) -> _Compiled:
    cr = rules["credits"]
    words = cr.get("words", {})
    out = rules["outlets"]
    roles = {k.casefold(): v for k, v in cr.get("roles", {}).items()}
    photo_nouns = words.get("photo_nouns", ())
    self_refs = tuple(
        (re.compile(ref["pattern"].replace("{name}", "(?-i:" + _NAME + ")"), re.IGNORECASE), int(ref.get("weight", 1)))
        for ref in out.get("self_references", ())
    )
    return _Compiled(
        lex=_lexicon(out),
        role_re=re.compile(
            r"(?i)(?<![\w-])(?:(?:with\s+)?(?:additional|further|extra)\s+)?(?P<phrase>"
            + _alt(roles)
            + r")\s+by\b\s*:?\s*"
        ),
        roles=roles,
        byline_open_re=re.compile(r"(?i)^\W{0,3}(?:" + _alt(words.get("byline_openers", ("by",))) + r")\b\s*[:\-–—|]?\s*"),
        photo_label_re=re.compile(
            r"(?i)^\W{0,3}(?:" + _alt(words.get("photo_labels", ())) + r")\s*(?::|\bby\b|-|–|—)\s*(?P<body>.+?)\W*$"
        ),
        agency_photo_re=re.compile(
            r"(?i)^\W{0,3}(?P<agency>(?-i:[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,3}))\s+(?:"
            + _alt(photo_nouns)
            + r")\s*(?:/\s*(?P<body>[^)\]]+?))?\s*[)\]]?\W*$"
        ),
        photo_noise=frozenset(w.casefold() for w in words.get("photo_noise", ())),
        titles=frozenset(w.casefold() for w in words.get("titles", ())),
        org_words=frozenset(w.casefold() for w in words.get("org_words", ())),
        particles=frozenset(w.casefold() for w in words.get("name_particles", ())),
        place_re=re.compile(r"\s+(?:" + _alt(words.get("place_openers", ("in",))) + r")\s+[A-Z].*$"),
        contributed=tuple(re.compile(p, re.IGNORECASE) for p in words.get("contributed", ())),
        self_refs=self_refs,
        self_ref_needs=tuple(
            required_literal(pat.pattern, pat.flags) if pat.flags & re.IGNORECASE else "" for pat, _ in self_refs
        ),
        not_names=frozenset(w.casefold() for w in out.get("not_names", ())),
        wire_re=re.compile(out.get("wire_lede", r"(?!)")),
        wire_weight=int(out.get("wire_weight", 2)),
        byline_weight=int(out.get("byline_weight", 1)),
    )


def _c(rules: Rules | None) -> _Compiled:
    return _compiled(rules if rules is not None else default_rules())


# ----------------------------------------------------------------------------- lexicon


def names_outlet(line: str, outlet: str, rules: Rules | None = None) -> bool:
    """Whether ``line`` names ``outlet``: its name or one of the lexicon's aliases for it, as whole
    words (a leading "The" optional; short all-capital aliases such as "AP" only in capitals).

    Corpus memory needs this: a line naming the outlet (a wire lede "KYIV (Reuters) -") is often
    what made :func:`detect_outlet` assign the article to that outlet, so within the outlet such a
    line is found in a large share of the articles by construction, not because it is furniture.
    """
    c = _c(rules)
    found = c.outlet_name_res.get(outlet)
    if found is None:
        names = {outlet.casefold()} | {alias for alias, (name, _) in c.lex.canonical.items() if name == outlet}
        names = {n[4:] if n.startswith("the ") else n for n in names}  # (lexicon aliases are casefolded)
        folded = sorted(names - c.lex.short_folded, key=len, reverse=True)
        short = sorted(a for a in c.lex.short if a.casefold() in names)
        parts = [f"(?i:{_alt(folded)})"] if folded else []
        parts += [re.escape(a) for a in short]
        found = c.outlet_name_res[outlet] = re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)")
    return found.search(line) is not None


def _lookup(name: str, c: _Compiled) -> tuple[str, bool] | None:
    """(canonical name, is agency) for a lexicon name as written, else None."""
    key = name.strip(" .,;:!?'\"’()[]").casefold()
    hit = c.lex.canonical.get(key)
    if hit is None and key.startswith("the "):
        hit = c.lex.canonical.get(key[4:])
    if hit is None:
        return None
    # short all-caps aliases ("AP", "PA") only when written in capitals
    written = name.strip(" .,;:!?'\"’()[]")
    if key in c.lex.short_folded and written not in c.lex.short:
        return None
    return hit


def canonical_agency(name: str, rules: Rules | None = None) -> str | None:
    """The canonical name of a news or photo agency ("AP" -> "Associated Press"), or None."""
    hit = _lookup(name, _c(rules))
    return hit[0] if hit and hit[1] else None


def agency_names(rules: Rules | None = None) -> frozenset[str]:
    """Every agency name and alias of the lexicon, as written in ``outlets.toml``."""
    data = (rules if rules is not None else default_rules())["outlets"]
    names: set[str] = set()
    for entry in data.get("agencies", ()):
        names.add(entry["name"])
        names.update(entry.get("aliases", ()))
    return frozenset(names)


# ----------------------------------------------------------------------------- names


def _titlecase(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _person(piece: str, c: _Compiled) -> str | None:
    """A person's name if ``piece`` looks like one (2-5 capitalized words, no organization or
    title word), normalized (all-capitals names title-cased), else None."""
    tokens = piece.split()
    if not 2 <= len(tokens) <= 5:
        return None
    caps = piece.isupper()
    out = []
    for i, tok in enumerate(tokens):
        low = tok.casefold().strip(".,")
        if low in c.org_words or low in c.titles or any(ch.isdigit() for ch in tok):
            return None
        if low in c.particles and 0 < i < len(tokens) - 1:
            out.append(tok.lower() if caps else tok)
            continue
        if not re.fullmatch(r"[^\W\d_][\w'’.-]*", tok) or not tok[0].isupper():
            return None
        out.append(_titlecase(tok) if caps and len(tok) > 2 else tok)
    return " ".join(out)


def _strip_title(piece: str, c: _Compiled) -> str:
    """ "Reuters Staff" -> "Reuters", "Jane Doe, Senior Correspondent" handled by the split."""
    words = piece.split()
    while len(words) > 1 and " ".join(words[-2:]).casefold() in c.titles:
        words = words[:-2]
    while len(words) > 1 and words[-1].casefold() in c.titles:
        words = words[:-1]
    return " ".join(words)


_SPLIT = re.compile(r"\s*(?:,|;|\||&|\+|\band\b|\bwith\b|\s[-–—]\s|•)\s*", re.IGNORECASE)
_STOP = re.compile(r"(?i)(?:^|\s+)(?:published|updated|posted|last\s+(?:updated|modified)|\d).*$")


def _names(body: str, role: str, line: int, c: _Compiled) -> list[Credit]:
    """Credits for a list of names ("Idrees Ali and Phil Stewart in Washington"); agencies among
    them get the role ``agency``; outlets and titles are dropped."""
    out: list[Credit] = []
    for raw in _SPLIT.split(body):
        piece = _STOP.sub("", c.place_re.sub("", raw.strip(" .:()[]\"'“”"))).strip(" .:")
        if not piece or piece.casefold() in c.titles:
            continue
        hit = _lookup(piece, c) or _lookup(_strip_title(piece, c), c)
        if hit is not None:
            if hit[1]:
                out.append(Credit(name=hit[0], role="agency", line=line))
            continue  # an outlet that is not an agency: not a credit
        if _strip_title(piece, c) != piece:
            continue  # a job after the name ("..., North America correspondent"), not a second name
        person = _person(_after_job(piece, c), c)
        if person is not None:
            out.append(Credit(name=person, role=role, line=line))
    return out


def _after_job(piece: str, c: _Compiled) -> str:
    """The name after a job that comes first ("North America correspondent Bridget Cassidy",
    "Senior Correspondent Jane Doe"): the words after the last title word, else ``piece``."""
    words = piece.split()
    for k in range(len(words) - 2, -1, -1):
        if words[k].casefold().strip(".,") in c.titles:
            return " ".join(words[k + 1 :])
    return piece


def _photo_body(body: str, line: int, c: _Compiled) -> list[Credit]:
    """ "Alex Brandon/AP", "Jane Doe/AFP via Getty Images", "REUTERS/Gleb Garanich/File Photo"."""
    out: list[Credit] = []
    for part in re.split(r"\s*/\s*|\s+via\s+|\s*,\s*|\s+and\s+|\s*&\s*", body):
        part = part.strip(" .()[]")
        if not part or part.casefold() in c.photo_noise:
            continue
        hit = _lookup(part, c)
        if hit is not None:
            if hit[1]:
                out.append(Credit(name=hit[0], role="agency", line=line))
            continue
        person = _person(part, c)
        if person is not None:
            out.append(Credit(name=person, role="photographer", line=line))
    return out


def _dedup(credits: Iterable[Credit]) -> tuple[Credit, ...]:
    seen: set[tuple[str, str]] = set()
    out = []
    for cr in credits:
        key = (cr.name.casefold(), cr.role)
        if key not in seen:
            seen.add(key)
            out.append(cr)
    return tuple(out)


# ----------------------------------------------------------------------------- credit lines


def _photo_credits(text: str, line: int, c: _Compiled) -> list[Credit] | None:
    """Credits if the whole line is a photo credit, else None."""
    m = c.agency_photo_re.match(text)
    if m:
        agency = _lookup(m.group("agency"), c)
        if agency is not None and agency[1]:
            found = [Credit(name=agency[0], role="agency", line=line)]
            if m.group("body"):
                found += _photo_body(m.group("body"), line, c)
            return found
    m = c.photo_label_re.match(text)
    if m and len(m.group("body")) <= 100:
        found = _photo_body(m.group("body"), line, c)
        return found or None
    stripped = text.strip(" ()[]")
    if "/" in stripped or " via " in stripped or _lookup(stripped, c):
        if len(stripped.split()) <= 10:
            parts = [p for p in re.split(r"\s*/\s*|\s+via\s+", stripped) if p]
            found = _photo_body(stripped, line, c)
            agencies = [cr for cr in found if cr.role == "agency"]
            names = {cr.name.casefold() for cr in found}
            # every part is an agency, a photographer or noise, and an agency is among them;
            # a bare agency alone counts only for photo agencies (Getty Images, not Reuters)
            accounted = all(
                p.strip(" .()[]").casefold() in c.photo_noise
                or (_lookup(p, c) or ("", False))[1]
                or (_person(p.strip(" .()[]"), c) or "").casefold() in names
                for p in parts
            )
            if agencies and accounted and (len(parts) > 1 or _is_photo_agency(agencies[0].name, c)):
                return found
    return None


def _is_photo_agency(name: str, c: _Compiled) -> bool:
    return name.casefold() in {"getty images", "shutterstock", "alamy", "sipa", "epa"}


def _role_credits(text: str, line: int, c: _Compiled) -> list[Credit]:
    out: list[Credit] = []
    matches = list(c.role_re.finditer(text))
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        body = re.split(r"[;)\]]", text[m.end() : end], maxsplit=1)[0]
        role = c.roles[_SPACES.sub(" ", m.group("phrase").casefold())]
        if role == "photographer":
            out += _photo_body(body, line, c)
        else:
            out += _names(body, role, line, c)
    return out


#: Lowercase substrings that a photo credit contains ("/" for "REUTERS/Jane Doe").
_PHOTO_HINTS = ("photo", "image", "picture", "credit", "getty", "/", "via", "foto", "фото", "pic", "shutterstock", "alamy")
#: The same for an outlet's self-reference.
_SELF_HINTS = ("listen", "app", "subscri", "follow", "©", "(c)", "copyright", "sign up", "division")


def _hinted(low: str, hints: tuple[str, ...]) -> bool:
    for hint in hints:
        if hint in low:
            return True
    return False


def is_credit_line(text: str, rules: Rules | None = None) -> str | None:
    """A short reason if the whole line is a reporting or photo credit, else None.

    Not remembered here: its one caller, the classifier, remembers its verdict per line text (a
    cache here would only add a key with the rules, hashed in Python, and a tracked entry per
    new line)."""
    if len(text) > 300:
        return None
    low = text.lower()
    by, photo, contributed = "by" in low, _hinted(low, _PHOTO_HINTS), "contribut" in low
    if not (by or photo or contributed):
        return None  # the common case, decided with a few substring tests
    t = " ".join(text.split())
    c = _c(rules)
    if c.byline_open_re.match(t):
        return None  # "By Jane Doe", "Written by ...": a byline, not a credit line
    inner = t.strip("()[] ")
    if by and c.role_re.match(inner) and _role_credits(inner, 0, c):
        phrases = sorted({_SPACES.sub(" ", x.group("phrase").casefold()) for x in c.role_re.finditer(inner)})
        kind = "photo credit" if all(c.roles[p] == "photographer" for p in phrases) else "reporting credit"
        return f"{kind} ({', '.join(p + ' by' for p in phrases)})"
    if photo and _photo_credits(t, 0, c):
        return "photo credit"
    if contributed:
        for pat in c.contributed:
            cm = pat.match(t)
            if cm and _names(cm.group("names"), "reporter", 0, c):
                return "contributor credit"
    return None


def parse_credits(text: str, line: int, rules: Rules | None = None) -> tuple[Credit, ...]:
    """The people and agencies a byline or credit line names, with their roles."""
    return tuple(Credit(name=name, role=role, line=line) for name, role in _parse_credits(text, rules))


@lru_cache(maxsize=4096)
def _parse_credits(text: str, rules: Rules | None) -> tuple[tuple[str, str], ...]:
    return tuple((cr.name, cr.role) for cr in _parse_credits_at(text, 0, rules))


def _parse_credits_at(text: str, line: int, rules: Rules | None) -> tuple[Credit, ...]:
    t = " ".join(text.split())
    if not t:
        return ()
    c = _c(rules)
    photo = _photo_credits(t, line, c)
    if photo:
        return _dedup(photo)
    for pat in c.contributed:
        cm = pat.match(t)
        if cm:
            return _dedup(_names(cm.group("names"), "reporter", line, c))
    inner = t.strip("()[] ")
    opener = c.byline_open_re.match(inner)
    rest = inner[opener.end() :] if opener else inner
    first_role = c.role_re.search(rest)
    head = rest[: first_role.start()] if first_role else rest
    out = _names(head, "author", line, c) if head.strip(" |,;-") else []
    if first_role:
        out += _role_credits(rest[first_role.start() :], line, c)
    return _dedup(out)


# ----------------------------------------------------------------------------- outlet


def _outlet_name(name: str | None, c: _Compiled) -> str | None:
    if not name:
        return None
    name = re.sub(r"(?:'s|’s)$", "", name.strip(" .,;:!?-–—'\"’"))
    hit = _lookup(name, c)
    if hit is not None:
        return hit[0]
    words = name.split()
    if not words or all(w.casefold() in c.not_names for w in words) or len(words) > 5:
        return None
    while words and words[-1].casefold() in c.not_names:
        words.pop()  # "Kyiv Independent Newsletter" -> "Kyiv Independent"
    if not words:
        return None
    name = " ".join(words)
    hit = _lookup(name, c)
    if hit is not None:
        return hit[0]
    return " ".join(_titlecase(w) if w.isupper() and len(w) > 3 else w for w in words)


#: What most lines tell detect_outlet: nothing (no vote, short, no byline opener).
_SILENT: tuple[tuple[tuple[str, int], ...], bool, bool, bool] = ((), True, False, False)
#: How many distinct lines detect_outlet remembers (per compiled rules; lines of <= 200 chars).
OUTLET_CACHE_SIZE = 8192


def _outlet_line(line: str, c: _Compiled) -> tuple[tuple[tuple[str, int], ...], bool, bool, bool]:
    """What one stripped, non-blank line of at most 200 characters tells :func:`detect_outlet`
    (which remembers it per text in ``c.outlet_lines``: furniture recurs): the votes of its wire
    lede and self-references (name, weight), whether it is short enough for a byline, whether it
    opens with a byline opener, and whether it is only one ("By:")."""
    votes: list[tuple[str, int]] = []
    if "(" in line[:80]:
        m = c.wire_re.match(line)
        if m:
            name = _outlet_name(m.group("name"), c)
            if name:
                votes.append((name, c.wire_weight))
    if len(line) <= 200 and _hinted(line.lower(), _SELF_HINTS):
        probe = line.title() if line.isupper() else line
        # (with "İ" or "ı", which the regex engine equates with "i", every pattern is searched)
        folded = probe.casefold() if "İ" not in probe and "ı" not in probe else None
        for (pat, weight), need in zip(c.self_refs, c.self_ref_needs):
            if need and folded is not None and need not in folded:
                continue  # the line lacks characters every match has
            for sm in pat.finditer(probe):
                name = _outlet_name(sm.group("name"), c)
                if name:
                    votes.append((name, weight))
    if len(line) > 120:
        return tuple(votes), False, False, False
    opener = c.byline_open_re.match(line)
    return tuple(votes), True, opener is not None, opener is not None and opener.end() == len(line)


def detect_outlet(lines: Sequence[str], rules: Rules | None = None) -> str | None:
    """The outlet the text names as its own (see the module doc), or None."""
    c = _c(rules)
    scores: dict[str, int] = {}
    first: dict[str, int] = {}

    def vote(name: str | None, weight: int, idx: int) -> None:
        if name:
            scores[name] = scores.get(name, 0) + weight
            first.setdefault(name, idx)

    cache = c.outlet_lines
    prev_opener = False
    for idx, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if len(line) > 200:
            # too long for a self-reference or a byline: only a wire lede counts (not remembered:
            # long lines are paragraphs, which seldom recur)
            if "(" in line[:80]:
                m = c.wire_re.match(line)
                if m:
                    vote(_outlet_name(m.group("name"), c), c.wire_weight, idx)
            prev_opener = False
            continue
        seen = cache.get(line)
        if seen is None:
            seen = _outlet_line(line, c)
            if seen == _SILENT:
                seen = _SILENT  # one shared tuple, recognised by identity below
            if len(cache) >= OUTLET_CACHE_SIZE:
                try:
                    cache.popitem(last=False)
                except KeyError:  # another thread emptied it first
                    pass
            cache[line] = seen
        if seen is _SILENT and not prev_opener:
            continue  # the commonest line: no vote, no byline opener before or in it
        votes, short, opener, bare_opener = seen
        for name, weight in votes:
            vote(name, weight, idx)
        if not short:
            prev_opener = False
            continue
        if prev_opener or opener:
            for cr in parse_credits(line, idx, rules):
                if cr.role == "agency":
                    vote(cr.name, c.byline_weight, idx)
        prev_opener = bare_opener
    if not scores:
        return None
    return max(scores, key=lambda n: (scores[n], -first[n]))
