"""One label and a short reason for every segment of an article.

Plain text has lost the HTML structure (tags, links, class names) that boilerplate removers lean on,
so the classifier reads what is left: the shape of each line and where it sits.

1. **Local evidence**, one segment at a time, strongest first: lines without words, broken
   fragments ("Name (" cut by the scraper), whole-line widget labels, datelines (dates.py), credit
   lines (credits.py), bylines, captions carrying a photo credit, then the boilerplate families of
   ``rules/cleaning.toml`` (call-to-action, promotion, consent, reading widgets, feedback, related
   links, end-of-article sections, bios), each limited to lines short enough that a long sentence
   merely mentioning a newsletter is never removed.  Corpus memory marks lines that recur in many
   other articles.
2. **Repeats**: a segment whose letters equal an earlier one's (so a lede repeated with a different
   dash or apostrophe) or nearly so is a duplicate; a title repeated on the next line too.
3. **Position**.  Sentence-like segments ("anchors": terminal punctuation and function words, or long
   prose) delimit the article.  Before the first anchor is the head: the first headline-shaped line
   is the title; names next to a dateline or after "By:" are bylines; other short lines are
   furniture.  After an end-of-article marker (a reporting credit, "About the author", a copyright
   line) followed by little prose, everything is removed.  After the last anchor is the tail, where
   short unpunctuated lines and headlines are furniture (related links, newsletter boxes).  Inside
   the article, a short unpunctuated line is a caption when it has a caption's present-tense shape,
   a heading when the next paragraph picks up its words, and otherwise a related headline dropped
   into the text.  Neighbours only ever rescue short lines; a long sentence-like line is never
   dropped for its position alone.

Reasons are short and human-readable; ``etl explain FILE`` prints them next to each line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from etl.records import LabeledSegment, Segment
from etl.rules import Rules
from etl.transform import remembered_re as re  # ``re``, its compiled patterns remembered (rules cache)
from etl.transform.credits import is_credit_line, names_outlet, parse_credits
from etl.transform.gates import (
    all_gates,
    compile_error,
    first_chars,
    first_words,
    gate_words,
    required_any,
    required_chars,
)
from etl.transform.memory import CorpusMemory, fingerprint_letters
from etl.transform.segment import date_hint, dateline_iso
from etl.transform.tokens import tokenize, tokenize_many

# ----------------------------------------------------------------------------- compiled rules

_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_ENDS_PERIOD = re.compile(r"\.[\"'”’»)\]]*$")
_DIGIT = re.compile(r"\d")
_SEPARATOR = re.compile(r"[|>»›/]")
_PHOTO_WORDS = re.compile(
    r"photo|foto|image|picture|pictured|getty|shutterstock|alamy|istock|/|\bcredit\b", re.IGNORECASE
)
#: How many earlier segments with the same first/last letters a segment is compared with.
_NEAR_CANDIDATES = 8
#: How many trailing characters of a line an inline photo credit is looked for in.
_CREDIT_WINDOW = 200
_NAME_TOKEN = re.compile(r"[^\s,|/()\-–—:]+")
#: A bulleted or numbered list item ("• Fares rise by 5%", "2) The timetable").
_LIST_ITEM = re.compile(r"^(?:[-*•·▪►–—]|\d{1,2}[.)])\s+\S")
#: "Jane Doe in Seoul and John Roe in Tokyo": reporters with the places they filed from.
_NAME_IN_PLACE = r"[A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){1,3} in [A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){0,2}"
_NAMES_IN_PLACES = re.compile(rf"^{_NAME_IN_PLACE}(?:(?:,| and|, and) {_NAME_IN_PLACE})*$")
#: How many segments before and after a pull quote are searched for the paragraph it repeats.
_PULL_QUOTE_REACH = 25
# the longest subheading that may close a list of related links (see _list_exit_heading)
_LIST_EXIT_HEADING_WORDS = 10
# a photographer's credit line of its own: "Jo Ann Park for The Daily Planet"
_NAME_FOR_OUTLET = re.compile(
    r"^[A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){1,2} for (?:The |the )?[A-Z][\w&’'.-]*(?: [A-Z&][\w&’'.-]*){0,3}$"
)
# how many segments above an article's first sentence a byline may stand for a bio to refer to it
# (share buttons, a photo and its credit often sit between the byline and the bio)
_HEAD_BIO_REACH = 12
_OPENING_QUOTES = frozenset("\"“‘'«„‚")
# ("\s+[|•·]\s+|\s+[-–—]\s+" as one class: the same matches, found faster)
_META_SPLIT = re.compile(r"\s+[|•·\-–—]\s+")
_META_CHARS = "|•·-–—"  # the separators of _META_SPLIT (see _has_meta_split)
_BYLINE_SEPARATOR = re.compile(r"[,|]|\s[-–—]\s")
_SAYS_END = re.compile(r"\b(?:SAYS?|SAID|CLAIMS?|WARNS?|REPORTS?)[\W]*$")
#: Quotation marks: a line carrying them is (or quotes) someone's speech, not the outlet's appeal.
_QUOTE_MARKS = re.compile("[\"“”«»„]")
#: A line announcing a picture's credit ("Photo: A / B / C" is no navigation trail).
_PHOTO_PREFIX = re.compile(r"^(?:photo|photograph|foto|image|picture|pic|credit)s?\b", re.IGNORECASE)
#: "JANE DOE, Harbour Gazette" inside the article: a photographer's credit under a picture.
_CAPS_NAME_OUTLET = re.compile(r"^[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){1,3},\s*[A-Z][\w&.'’-]*(?: [A-Z&][\w&.'’-]*){0,4}$")
#: "2. The harder question": a numbered section title (a numbered list item is followed by another).
_NUMBERED_HEADING = re.compile(r"^\d{1,2}[.)]\s+[A-Z]")
#: "About Acme Widgets": the heading of a press release's company description.
_ABOUT = re.compile(r"^About (?:the )?([A-Z][\w&.’'-]*)(?:\s+(?:[A-Z&][\w&.,’'-]*|of|and|for|the|de|in)){0,7}\s*:?$")
#: What a company's self-description carries: a legal suffix, a stock ticker, a founding/HQ clause.
_COMPANY = re.compile(
    r"\b(?:Inc|Ltd|plc|PLC|LLC|LLP|GmbH|AG|S\.A|SE|Corp|Corporation|Limited|Holdings|N\.V)\b"
    r"|\((?:NYSE|NASDAQ|Nasdaq|LSE|TSX|ASX|OTC|Euronext|XETRA|SIX)\b"
    r"|\b(?:founded|headquartered|incorporated|established) in\b"
)
#: Reported speech: a line with these is news prose, never part of a company description.
_REPORTED = re.compile(r"\b(?:said|says|told|according to)\b|[\"“”]")
#: "Background:", "Source: the minister at a briefing": a label and what it introduces.
_LABEL = re.compile(r"^([^\W\d_][\w’'-]*(?: [\w’'-]+){0,2})\s*:\s*(.*)$")


@dataclass(frozen=True, slots=True)
class _Family:
    name: str
    label: str
    reason: str
    sources: tuple[str, ...]  # the patterns' text, compiled when first needed (see _PatternPlan)
    flags: int
    max_words: int
    unpunctuated_only: bool
    end_marker: bool
    related_intro: bool
    tail_only: bool

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """The family's patterns compiled (``re`` keeps them after the first time); only rare
        checks ask for all of them at once."""
        return tuple(re.compile(p, self.flags) for p in self.sources)


class _PatternPlan(dict):
    """(family, pattern) -> what :func:`_family_match` needs of the pattern: (family, compiled
    search, max words, unpunctuated only, extra gates).

    An entry is made, and its pattern compiled, the first time a line's words make the pattern a
    candidate: the gates leave most patterns untried on most articles (a re-run cleaning a hundred
    files tries about a tenth of them), and compiling all of them cost more than cleaning those
    files.  Looking up an entry already made is a plain ``dict`` lookup.
    """

    __slots__ = ("families", "extra_gates")

    def __init__(self, families: Sequence[_Family], extra_gates: Mapping[tuple[int, int], tuple]) -> None:
        super().__init__()
        self.families = families
        self.extra_gates = extra_gates  # (family, pattern) -> its extra gates, for each pattern not tail-only

    def __missing__(self, key: tuple[int, int]) -> tuple:
        extras = self.extra_gates[key]  # (a KeyError for a key that is no pattern)
        fam = self.families[key[0]]
        entry = self[key] = (
            fam, re.compile(fam.sources[key[1]], fam.flags).search, fam.max_words, fam.unpunctuated_only, extras
        )
        return entry


@dataclass(frozen=True, slots=True)
class _Compiled:
    stopwords: frozenset[bytes]  # UTF-8, like the tokens
    widget_lines: frozenset[str]
    widget_re: re.Pattern[str] | None
    families: tuple[_Family, ...]
    fragment_end: re.Pattern[str]
    breadcrumb: re.Pattern[str] | None
    caption_prefix: re.Pattern[str] | None
    caption_prefix_first: frozenset[bytes] | None  # words an announced caption begins with
    byline_prefix: re.Pattern[str]
    byline_first: frozenset[bytes] | None  # the words a byline can begin with (None: unknown)
    byline_joiners: frozenset[str]
    inline_credit: tuple[tuple[re.Pattern[str], frozenset[bytes] | None], ...]  # (pattern, gate)
    inline_credit_gate: frozenset[bytes] | None  # union of the gates (None: some pattern has none)
    caption_re: re.Pattern[str] | None
    # the tokens of the caption verbs: an ASCII line without any of them is no caption (None: no gate)
    caption_words: frozenset[bytes] | None
    first_index: Mapping[bytes, tuple[tuple[int, int], ...]]  # first word -> (family, pattern)
    gate_index: Mapping[bytes, tuple[tuple[int, int], ...]]  # gate word -> (family, pattern)
    gate_words: frozenset[bytes]
    char_index: Mapping[str, tuple[tuple[int, int], ...]]  # first character -> (family, pattern)
    ungated: tuple[tuple[int, int], ...]  # patterns tried on every segment
    tail_patterns: tuple[tuple[int, int], ...]  # tail-only families' patterns
    family_max_words: tuple[int, int]  # [tail] -> longest segment any family applies to
    t: Mapping[str, Any]  # thresholds
    appeal_address: frozenset[bytes]  # "you", "our", ...: a line talking to the reader
    appeal_words: frozenset[bytes]  # support, donation, newsletter, ...
    appeal_reported: frozenset[bytes]  # said, told, ...: reported speech, never an appeal
    appeal_self: frozenset[bytes]  # "we", "our": the outlet speaking
    appeal_outlet_words: frozenset[bytes]  # journalism, newsletter: what an outlet sells
    appeal_imperatives: frozenset[bytes]  # "support", "join": a short exclamation opening with one
    paragraph_labels: frozenset[str]  # "source", "details": labels opening a line of body
    author_roles: frozenset[bytes]  # "correspondent", "reporter": the last word of an author's job line
    rules: Rules  # for the helpers (dates, credits), which compile their own rules
    fp_min_letters: int
    inline_index: Mapping[bytes, tuple[int, ...]]  # gate word -> inline credit patterns it gates
    inline_ungated: tuple[int, ...]  # inline credit patterns without a gate (tried on every line)
    inline_chars: tuple[str, ...]  # per inline credit pattern: characters every match contains
    # every word some gate of _local's checks looks for (family gates and extra gates, inline credit
    # gates): one intersection with a line's tokens serves all of them (see _local)
    line_words: frozenset[bytes]
    inline_words: frozenset[bytes]  # the inline credit patterns' gate words
    # per inline credit pattern: characters one of which every match contains ("" when unknown)
    inline_any: tuple[str, ...]
    # (pattern, characters every match contains) of the ungated inline credit patterns, in order
    inline_plain: tuple[tuple[int, str], ...]
    # (family, pattern) -> (family, compiled search, max words, unpunctuated only, extra gates): what
    # _family_match needs of a pattern, flat; the extra gates are further word sets every match has
    # a token of (besides the one it is indexed by), checked against the line's gate words
    pattern_plan: Mapping[tuple[int, int], tuple]
    # the tail-only patterns in order: (family, search, max words, unpunctuated only, first words or
    # None, first characters or None, gates); tail_words: every word of those gates
    tail_plan: tuple[tuple, ...]
    tail_words: frozenset[bytes]
    # text -> (features, outcome of _local): see _features; bounded, filled in insertion order
    # (an OrderedDict: evicting its oldest entry is O(1); a plain dict's ``next(iter(d))`` walks
    # over every slot deleted before it until the dict is resized)
    seg_cache: OrderedDict[str, _Feat] = field(default_factory=OrderedDict, compare=False)
    # (first token, first character, gate words present) -> family patterns to try, in order
    family_orders: dict[tuple, tuple[tuple[int, int], ...]] = field(default_factory=dict, compare=False)
    # the same keys -> those patterns' pattern_plan entries (kept beside family_orders, same bound)
    family_plans: dict[tuple, tuple[tuple, ...]] = field(default_factory=dict, compare=False)


def _alternation(patterns: Sequence[str], flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    patterns = [p for p in patterns if p]
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


_DEFAULT_THRESHOLDS: dict[str, Any] = {
    "anchor_min_words": 3,
    "anchor_long_words": 20,
    "anchor_long_density": 0.25,
    "long_sentence_words": 15,
    "short_words": 16,
    "title_min_words": 3,
    "title_max_words": 30,
    "standfirst_min_words": 8,
    "allcaps_ratio": 0.8,
    "allcaps_min_words": 3,
    "allcaps_headline_words": 7,
    "heading_min_overlap": 0.4,
    "heading_min_shared": 2,
    "stem_chars": 5,
    "caption_max_words": 25,
    "near_duplicate_min_chars": 80,
    "near_duplicate_key_chars": 40,
    "near_duplicate_ratio": 0.85,
    "min_body_after_end_marker": 2,
    "fragment_max_words": 8,
    "dateline_max_chars": 90,
    "credit_max_chars": 200,
    "credit_sentence_max_chars": 120,
    "name_line_max_words": 5,
    "duplicate_min_letters": 12,
    "plain_heading_max_words": 6,
    "question_title_max_words": 20,
    "dek_headline_min_words": 5,
    "menu_item_max_words": 4,
    "list_heading_max_words": 10,
    "pull_quote_max_words": 30,
    "pull_quote_min_letters": 20,
    "appeal_max_words": 60,
    "appeal_min_hits": 3,
    "appeal_tail_min_hits": 2,
    "appeal_exclaim_max_words": 12,
    "masthead_max_words": 4,
    "about_section_min_anchors": 3,
}


@cache
def compiled(rules: Rules) -> _Compiled:
    """The cleaning rules compiled once per Rules object (Rules is hashable by version)."""
    cfg = rules["cleaning"]
    lex = cfg.get("lexicon", {})
    structure = cfg.get("structure", {})
    families = []
    # Which patterns to try on a segment (speed; see gates.py): a pattern anchored at the start is
    # indexed by the words a matching line can begin with, another by its gate words, an anchored
    # one without either by its possible first characters; the rest are tried on every segment.  Tail-only families (bios) are tried without an index: only the
    # few segments at the end of an article ever reach them.
    first_index: dict[bytes, list[tuple[int, int]]] = {}
    gate_index: dict[bytes, list[tuple[int, int]]] = {}
    char_index: dict[str, list[tuple[int, int]]] = {}
    ungated: list[tuple[int, int]] = []
    tail_patterns: list[tuple[int, int]] = []
    extra_gates: dict[tuple[int, int], tuple[frozenset[bytes], ...]] = {}
    tail_gates: dict[tuple[int, int], tuple] = {}
    common_words = frozenset(w.casefold().encode("utf-8") for w in lex.get("stopwords", ()))
    for name, fam in cfg.get("families", {}).items():
        flags = 0 if fam.get("case_sensitive") else re.IGNORECASE
        sources = [p for p in fam.get("patterns", ()) if p]
        if not sources:
            continue
        for k, source in enumerate(sources):
            if compile_error(source, flags) is not None:
                re.compile(source, flags)  # a broken rule fails here, though patterns compile when used
            key = (len(families), k)
            if fam.get("tail_only"):
                tail_patterns.append(key)
                # what a line must have for the pattern to match: its first word or character (an
                # anchored pattern) and a token of each of its gates
                tail_gates[key] = (
                    _ascii_gate(first_words(source, flags)),
                    first_chars(source, flags),
                    tuple(g for g in (_ascii_gate(x) for x in all_gates(source, flags)) if g is not None),
                )
                continue
            first = _ascii_gate(first_words(source, flags))
            gate = _ascii_gate(gate_words(source, flags))
            if first is not None and (gate is None or first.isdisjoint(common_words) or not gate.isdisjoint(common_words)):
                gate = None  # index by the first word ...
            else:
                first = None  # ... unless it is a function word ("by", "the") and a rarer word is required
            chars = first_chars(source, flags) if first is None and gate is None else None
            # every other word set each match must have a token of: checked before searching
            extra_gates[key] = tuple(
                g for g in (_ascii_gate(x) for x in all_gates(source, flags)) if g is not None and g != gate
            )
            if first is not None:
                for word in first:
                    first_index.setdefault(word, []).append(key)
            elif gate is not None:
                for word in gate:
                    gate_index.setdefault(word, []).append(key)
            elif chars is not None:
                for char in chars:
                    char_index.setdefault(char, []).append(key)
            else:
                ungated.append(key)
        families.append(
            _Family(
                name=name,
                label=str(fam.get("label", "boilerplate")),
                reason=str(fam.get("reason", name.replace("_", " "))),
                sources=tuple(sources),
                flags=flags,
                max_words=int(fam.get("max_words", 30)),
                unpunctuated_only=bool(fam.get("unpunctuated_only", False)),
                end_marker=bool(fam.get("end_marker", False)),
                related_intro=bool(fam.get("related_intro", False)),
                tail_only=bool(fam.get("tail_only", False)),
            )
        )
    # longest first, ties in a fixed order (a set's is not; the pattern's text is its cache key)
    verbs = sorted({v.strip() for v in structure.get("caption_verbs", ()) if v.strip()}, key=lambda v: (-len(v), v))
    caption_re = None
    if verbs:
        caption_re = re.compile(
            # a subject of up to six words, the verb, and something after it ("... walks along the
            # quay"): "Key points" alone is a heading, not a caption
            r"^(?:[\w.'’-]+\s+){1,6}(?:" + "|".join(re.escape(v) for v in verbs) + r")\s+\S", re.IGNORECASE
        )
    byline_prefix = structure.get("byline_prefix", r"^by\s*:?\s*")
    inline = tuple(
        (re.compile(p, re.IGNORECASE), _ascii_gate(gate_words(p, re.IGNORECASE)))
        for p in structure.get("inline_photo_credit", ())
        if p
    )
    thresholds = dict(_DEFAULT_THRESHOLDS)
    thresholds.update(cfg.get("thresholds", {}))
    inline_words = frozenset().union(*(g for _, g in inline if g is not None))
    inline_sources = [p for p in structure.get("inline_photo_credit", ()) if p]
    pattern_plan = _PatternPlan(tuple(families), extra_gates)
    line_words = frozenset(gate_index).union(inline_words, *(g for e in extra_gates.values() for g in e))
    tail_plan = tuple(
        (families[key[0]], re.compile(families[key[0]].sources[key[1]], families[key[0]].flags).search,
         families[key[0]].max_words,
         families[key[0]].unpunctuated_only, *tail_gates[key])
        for key in tail_patterns
    )
    return _Compiled(
        stopwords=frozenset(w.casefold().encode("utf-8") for w in lex.get("stopwords", ())),
        widget_lines=frozenset(" ".join(t.decode() for t in tokenize(w.casefold())) for w in lex.get("widget_lines", ())),
        widget_re=_alternation(lex.get("widget_patterns", ())),
        families=tuple(families),
        fragment_end=re.compile(structure.get("fragment_end", r"[(\[{]\s*$")),
        breadcrumb=_alternation(structure.get("breadcrumb", ())),
        caption_prefix=_alternation(structure.get("caption_prefix", ())),
        caption_prefix_first=_first_gate(structure.get("caption_prefix", ()), re.IGNORECASE),
        byline_prefix=re.compile(byline_prefix, re.IGNORECASE),
        byline_first=_ascii_gate(first_words(byline_prefix, re.IGNORECASE)),
        byline_joiners=frozenset(w.casefold() for w in structure.get("byline_joiners", ("and",))),
        inline_credit=inline,
        inline_credit_gate=(
            None if any(g is None for _, g in inline) else frozenset().union(*(g for _, g in inline))
        ),
        caption_re=caption_re,
        caption_words=_caption_words(verbs),
        first_index={w: tuple(v) for w, v in first_index.items()},
        gate_index={w: tuple(v) for w, v in gate_index.items()},
        gate_words=frozenset(gate_index),
        char_index={ch: tuple(v) for ch, v in char_index.items()},
        ungated=tuple(ungated),
        tail_patterns=tuple(tail_patterns),
        family_max_words=(
            max((f.max_words for f in families if not f.tail_only), default=0),
            max((f.max_words for f in families if f.tail_only), default=0),
        ),
        t=thresholds,
        appeal_address=_word_set(lex.get("appeal_address", ())),
        appeal_words=_word_set(lex.get("appeal_words", ())),
        appeal_reported=_word_set(lex.get("appeal_reported", ())),
        appeal_self=_word_set(lex.get("appeal_self", ())),
        appeal_outlet_words=_word_set(lex.get("appeal_outlet_words", ())),
        appeal_imperatives=_word_set(lex.get("appeal_imperatives", ())),
        paragraph_labels=frozenset(w.casefold() for w in lex.get("paragraph_labels", ()) if w),
        author_roles=_word_set(lex.get("author_roles", ())),
        rules=rules,
        fp_min_letters=int(cfg.get("memory", {}).get("min_fingerprint_letters", 4)),
        inline_index=_pattern_index(inline),
        inline_ungated=tuple(k for k, (_, gate) in enumerate(inline) if gate is None),
        # (a space is in nearly every line: no use as a filter)
        inline_chars=tuple(
            "".join(sorted(required_chars(p, re.IGNORECASE) - {" "}))
            for p in structure.get("inline_photo_credit", ())
            if p
        ),
        line_words=line_words,
        inline_words=inline_words,
        inline_any=tuple("".join(sorted(required_any(p, re.IGNORECASE))) for p in inline_sources),
        inline_plain=tuple(
            (k, "".join(sorted(required_chars(inline_sources[k], re.IGNORECASE) - {" "})))
            for k, (_, gate) in enumerate(inline)
            if gate is None
        ),
        pattern_plan=pattern_plan,
        tail_plan=tail_plan,
        tail_words=frozenset().union(*(g for _, _, gates in tail_gates.values() for g in gates)),
    )


def _caption_words(verbs: Sequence[str]) -> frozenset[bytes] | None:
    """Every token of the caption verbs (see :func:`_caption_shaped`), or None when a verb has no
    letters (then no line can be ruled out by its words)."""
    words: set[bytes] = set()
    for verb in verbs:
        tokens = tokenize(verb.casefold())
        if not tokens:
            return None
        words.update(tokens)
    return frozenset(words)


def _pattern_index(patterns: Sequence[tuple[re.Pattern[str], frozenset[bytes] | None]]) -> dict[bytes, tuple[int, ...]]:
    """Gate word -> the indexes of the gated patterns it opens, in order."""
    index: dict[bytes, list[int]] = {}
    for k, (_, gate) in enumerate(patterns):
        for word in gate or ():
            index.setdefault(word, []).append(k)
    return {w: tuple(v) for w, v in index.items()}


def _word_set(words: Sequence[str]) -> frozenset[bytes]:
    return frozenset(w.casefold().encode("utf-8") for w in words if w)


def _first_gate(patterns: Sequence[str], flags: int) -> frozenset[bytes] | None:
    """The words lines matching any of ``patterns`` (all anchored) begin with, or None."""
    words: set[bytes] = set()
    for pattern in patterns:
        gate = _ascii_gate(first_words(pattern, flags))
        if gate is None:
            return None
        words |= gate
    return frozenset(words) or None


def _ascii_gate(gate: frozenset[str] | None) -> frozenset[bytes] | None:
    """A gate usable with the byte tokens, or None (always search) when it has non-ASCII words."""
    if gate is None or not all(w.isascii() for w in gate):
        return None
    return frozenset(w.encode("ascii") for w in gate)


# ----------------------------------------------------------------------------- helpers' functions


# ----------------------------------------------------------------------------- features


_UNSET: Any = object()


class _Feat:
    """What the classifier measures on one segment; the costly parts only on demand.

    Everything here depends only on the text and the rules, so one _Feat serves every segment with
    that text (see ``_features``), and what is computed on demand is kept."""

    __slots__ = (
        "text", "n_words", "tokens", "terminal", "anchor", "letters", "_stops", "_caps", "_content", "_c",
        "_tail_hit", "_appeal_hits", "outcome", "_fp",
    )

    def __init__(self, text: str, c: _Compiled, tokens: list[bytes] | None = None) -> None:
        self.text = text
        self.n_words = len(text.split()) if ("  " in text or "\t" in text) else text.count(" ") + 1
        self.tokens = tokenize(text.casefold()) if tokens is None else tokens
        self.terminal = _TERMINAL.search(text, max(len(text) - 8, 0)) is not None
        self._c = c
        self._stops: int | None = None
        self._caps: float | None = None
        self._content: frozenset[bytes] | None = None
        # the casefolded letters only: the key repeats and fingerprints compare
        self.letters: bytes = b"".join(self.tokens)
        self._tail_hit: Any = _UNSET  # see _tail_family
        self._appeal_hits: int | None = None  # see _appeal_hits
        self.outcome: tuple = ()  # the first fields of a _State after _local (see _features)
        self._fp: str | None = None  # see fingerprint
        # sentence-like: the prose that delimits the article (terminal punctuation and a function
        # word, or long prose that lost its full stop)
        t = c.t
        if self.terminal and self.n_words >= t["anchor_min_words"]:
            self.anchor = not c.stopwords.isdisjoint(self.tokens)
        else:
            self.anchor = self.n_words >= t["anchor_long_words"] and self.density >= t["anchor_long_density"]

    @property
    def fingerprint(self) -> str:
        """The corpus-memory fingerprint of the text (``memory.fingerprint``), from its letters."""
        fp = self._fp
        if fp is None:
            fp = self._fp = fingerprint_letters(self.letters, self._c.fp_min_letters)
        return fp

    @property
    def stops(self) -> int:
        """How many tokens are function words."""
        if self._stops is None:
            self._stops = sum(map(self._c.stopwords.__contains__, self.tokens))
        return self._stops

    @property
    def density(self) -> float:
        return self.stops / len(self.tokens) if self.tokens else 0.0

    @property
    def caps(self) -> float:
        """Share of upper-case letters among letters."""
        if self._caps is None:
            if self.text.isupper():
                self._caps = 1.0
            else:
                letters = sum(map(str.isalpha, self.text))
                self._caps = sum(map(str.isupper, self.text)) / letters if letters else 0.0
        return self._caps

    def content(self, c: _Compiled) -> frozenset[bytes]:
        """Stems of the content words (not stopwords, 3+ letters)."""
        if self._content is None:
            k = int(c.t["stem_chars"])
            self._content = frozenset(t[:k] for t in self.tokens if len(t) >= 3 and t not in c.stopwords)
        return self._content


def _is_allcaps(f: _Feat, c: _Compiled) -> bool:
    return f.n_words >= c.t["allcaps_min_words"] and f.n_words <= 40 and f.caps >= c.t["allcaps_ratio"]


def _headline_shaped(f: _Feat, c: _Compiled) -> bool:
    return (
        c.t["title_min_words"] <= f.n_words <= c.t["title_max_words"]
        and not _ENDS_PERIOD.search(f.text, max(len(f.text) - 8, 0))
        and len(f.tokens) >= 2
        and f.text.count("|") < 2  # "Home|Sport|Football|Golf": a menu
    )


def _caption_shaped(f: _Feat, c: _Compiled) -> bool:
    """Whether ``c.caption_re`` (not None) finds a caption's shape in the line ("... walks along
    the quay").

    The pattern tries dozens of verbs, case-insensitively, after each of the first words: about
    15 µs a line.  Its verb stands between whitespace, so in an ASCII line (where case-insensitive
    matching is plain ASCII) each of the verb's letter runs is one of the line's tokens: a line
    without any token of any verb cannot match.  Other lines are always searched (the regex equates
    "K" with the Kelvin sign, "s" with "ſ", which the tokens do not)."""
    if c.caption_words is not None and f.text.isascii() and c.caption_words.isdisjoint(f.tokens):
        return False
    return c.caption_re.search(f.text) is not None


def _quote(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _byline_rest(text: str, c: _Compiled) -> str | None:
    """The names after a byline prefix ("" for a bare "By:"), or None when not a byline."""
    m = c.byline_prefix.match(text)
    if not m:
        return None
    rest = text[m.end():].strip()
    if not rest:
        return "" if m.group().strip() else None
    names = rest.split(",", 1)[0]
    tokens = _NAME_TOKEN.findall(names)
    if not tokens or len(tokens) > 12:
        return None
    if all(
        tok[:1].isupper() or tok.casefold() in c.byline_joiners or tok.casefold().encode() in c.author_roles
        for tok in tokens
    ):
        # the part after a comma is a role or an outlet ("Staff Writer", "senior correspondent");
        # a role may also come before the name ("By North America correspondent Jane Doe")
        if "," in rest and len(rest.split(",", 1)[1].split()) > 8:
            return None
        return rest
    return None


def _has_meta_split(text: str) -> bool:
    """``_META_SPLIT.search(text)`` is not None: most lines have none of its separator characters,
    found by a few substring tests (the regex tries "\\s+" at every character: ~2 µs a line)."""
    for ch in _META_CHARS:
        if ch in text:
            return _META_SPLIT.search(text) is not None
    return False


def meta_parts(text: str) -> list[str]:
    """The parts of a line that strings metadata together ("By Jane Doe | May 3, 2023")."""
    return [p for p in (part.strip() for part in _META_SPLIT.split(text)) if p]


def _meta_line(text: str, c: _Compiled) -> tuple[str, str] | None:
    """(label, reason) for a line made only of bylines and datelines joined by separators
    ("By Jane Doe | May 3, 2023", "Published 12 June 2023 | Updated 13 June 2023"), else None."""
    parts = meta_parts(text)
    if len(parts) < 2:
        return None
    dates = bylines = 0
    for part in parts:
        if dateline_iso(part, c.rules) is not None:
            dates += 1
        elif _byline_rest(part, c):
            bylines += 1
        else:
            return None
    if bylines:
        return "byline", "byline with date" if dates else "bylines"
    return "dateline", "datelines"


def _author_and_outlet(f: _Feat, c: _Compiled) -> bool:
    """A short head line naming an author and an outlet ("Maria Petrenko, Associated Press",
    "Jane Doe | AP", "Laura Chen, Kyiv Daily Report"): capitalized words around a separator, which
    credits.parse_credits reads as an author and an agency, or as a person before the separator."""
    if f.n_words > 10 or f.terminal or f.text.count("|") >= 2 or not _BYLINE_SEPARATOR.search(f.text):
        return False
    if not all(w[:1].isupper() or w.casefold() in c.byline_joiners for w in _NAME_TOKEN.findall(f.text)):
        return False
    head = _BYLINE_SEPARATOR.split(f.text, 1)[0].strip()
    credits = parse_credits(f.text, 0, c.rules)
    # an agency after the name, or the name before the separator is read as a person's
    return any(cr.role == "agency" for cr in credits) and any(cr.role == "author" for cr in credits) or (
        len(head.split()) >= 2 and any(cr.role == "author" and cr.name == head for cr in credits)
    )


def _name_line(f: _Feat, c: _Compiled) -> bool:
    """Only a person's or an agency's name: 1..N capitalized words, no function words, no digits."""
    words = f.text.split()
    return (
        1 <= len(words) <= c.t["name_line_max_words"]
        and f.stops == 0
        and not f.terminal
        and not _DIGIT.search(f.text)
        and all(w[:1].isupper() for w in words)
    )


# ----------------------------------------------------------------------------- classify


@dataclass(slots=True)
class _State:
    label: str | None = None
    reason: str = ""
    end_marker: bool = False
    related_intro: bool = False
    bare_intro: bool = False
    photo_credit: bool = False
    byline_open: bool = False
    memory: int | None = None
    anchor: bool = False
    dup_of: int = -1  # index of the segment this one repeats


def classify(
    segments: Sequence[Segment],
    rules: Rules,
    memory: CorpusMemory | None = None,
    outlet: str | None = None,
) -> tuple[LabeledSegment, ...]:
    """A label from ``records.LABELS`` and a reason for every segment, in order.

    ``memory`` (corpus line counts) and ``outlet`` (to judge long lines by that outlet's counts
    too) are optional; see :mod:`etl.transform.memory` for how counts become verdicts.
    """
    return classify_fingerprinted(segments, rules, memory, outlet)[0]


def classify_fingerprinted(
    segments: Sequence[Segment],
    rules: Rules,
    memory: CorpusMemory | None = None,
    outlet: str | None = None,
) -> tuple[tuple[LabeledSegment, ...], tuple[str, ...]]:
    """:func:`classify`, and the corpus-memory fingerprint of each segment
    (``memory.segment_fingerprints`` of the texts): the classifier has the letters of every segment
    already, so ``transform`` needs no second normalisation of the same text."""
    c = compiled(rules)
    t = c.t
    n = len(segments)
    feats, outcomes = _features([s.text for s in segments], c)
    states = [_State(*outcome) for outcome in outcomes]
    _captions_of_credits(segments, feats, states, c)
    _memory(segments, feats, states, c, rules, memory, outlet)
    _duplicates(segments, feats, states, c)
    for st, f in zip(states, feats):
        st.anchor = st.label is None and f.anchor

    anchors = [i for i in range(n) if states[i].anchor]
    first = anchors[0] if anchors else n
    if anchors:
        _head_bio(anchors, feats, states, c)
        anchors = [i for i in anchors if states[i].anchor]
        first = anchors[0] if anchors else n
    if _question_title(first, feats, states, c):
        states[first].anchor = False
        anchors.pop(0)
        first = anchors[0] if anchors else n

    # --- end-of-article marker followed by little prose: the article ends there
    end = n
    min_after = int(t["min_body_after_end_marker"])
    for i in range(first + 1, n):
        if states[i].end_marker:
            after = len(anchors) - bisect_right(anchors, i)
            if after < min_after:
                end = i
                break
    if end < n:
        where = segments[end].line_start
        for j in range(end + 1, n):
            st = states[j]
            if st.label is None:
                st.label, st.reason = "boilerplate", f"after end-of-article marker (line {where})"
                st.anchor = False

    # --- bios at the end of the article (tail-only families)
    for j in range(min(end, n) - 1, -1, -1):
        st = states[j]
        if st.label is not None:
            continue
        hit = _tail_family(feats[j], c)
        if hit is not None:
            fam, m = hit
            st.label, st.reason, st.anchor = fam.label, f"{fam.reason}: {_quote(m.group(), 30)!r}", False
            continue
        if st.anchor:
            break

    # an ALL-CAPS line ending in "?" or "." is a headline or a label ("MEXICO ELECTION: WHO IS
    # XÓCHITL GÁLVEZ?"), not prose, when the article's prose is in mixed case
    caps_anchors = [
        i for i in range(n)
        if states[i].anchor and states[i].label is None and feats[i].text.isupper() and _is_allcaps(feats[i], c)
    ]
    if caps_anchors and any(states[i].anchor and not feats[i].text.isupper() for i in range(n)):
        for i in caps_anchors:
            states[i].anchor = False

    _about_section(segments, feats, states, c, first)
    anchors = [i for i in range(n) if states[i].anchor]
    first = anchors[0] if anchors else n
    last = anchors[-1] if anchors else n

    _head(segments, feats, states, c, first)
    in_list = False
    list_caps = False  # the current list of links began with an ALL-CAPS headline
    for i in range(first, n):
        st, f = states[i], feats[i]
        prev = states[i - 1] if i else _State()
        if prev.bare_intro:
            in_list, list_caps = True, st.label is None and _is_allcaps(f, c)
        elif in_list and prev.label == "boilerplate":
            in_list = True
        if st.label is not None:
            if st.label != "boilerplate" and st.label != "duplicate":
                in_list = False
            continue
        if st.anchor:
            in_list = False
            st.label, st.reason = "body", "sentence-like text"
            continue
        if in_list and _headline_shaped(f, c):
            if _list_exit_heading(i, feats, states, c, list_caps):
                st.label, st.reason = "heading", "subheading ending a list of links, the prose resumes under it"
            else:
                st.label, st.reason = "boilerplate", "related headline in a list of links"
            continue
        in_list = False
        if i > last:
            _tail(f, st, c)
        elif (
            prev.label == "body"
            and _CAPS_NAME_OUTLET.match(f.text)
            and feats[i - 1].n_words <= t["caption_max_words"]
            and segments[i - 1].line_end == segments[i].line_start - 1
        ):
            st.label, st.reason = "credit", "photographer's name and outlet under a picture"
            prev.label, prev.reason = "caption", f"caption of the photo credit on line {segments[i].line_start}"
        else:
            _middle(i, feats, states, c, segments)

    _appeals(feats, states, c)
    labeled = tuple(
        map(
            LabeledSegment,
            segments,
            [st.label or "body" for st in states],
            [st.reason or "sentence-like text" for st in states],
        )
    )
    return labeled, tuple([f.fingerprint for f in feats])


def _about_section(
    segments: Sequence[Segment], feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled, first: int
) -> None:
    """A press release's company description: "About Acme Widgets" followed by a line naming the
    company, after the news.  It and everything after it not yet labeled (the description, the
    forward-looking statements, the media contacts) are boilerplate."""
    seen = 0
    min_anchors = int(c.t["about_section_min_anchors"])
    for i in range(first, len(states)):
        st = states[i]
        if st.anchor:
            seen += 1
            continue
        if st.label is not None or seen < min_anchors or not feats[i].text.startswith("About "):
            continue
        m = _ABOUT.match(feats[i].text)
        if m is None:
            continue
        nxt = next((j for j in range(i + 1, len(states)) if states[j].label is None), None)
        if nxt is None or m.group(1) not in feats[nxt].text[:80] or not _COMPANY.search(feats[nxt].text):
            continue
        where = segments[i].line_start
        st.label, st.reason = "boilerplate", f"company description section: {_quote(feats[i].text)!r}"
        for j in range(i + 1, len(states)):
            if states[j].label is None:
                if states[j].anchor and _REPORTED.search(feats[j].text):
                    return  # news prose again: the section has ended
                states[j].label, states[j].anchor = "boilerplate", False
                states[j].reason = f"in the company description section (line {where})"
        return


def _appeal_hits(f: _Feat, c: _Compiled) -> int:
    """How many promotional words a line addressed to the reader ("you", "our") carries; 0 for a
    line that does not address the reader or reports speech (quotation marks, "said")."""
    if f._appeal_hits is not None:
        return f._appeal_hits
    tokens = f.tokens
    if (
        f.n_words > c.t["appeal_max_words"]
        or c.appeal_address.isdisjoint(tokens)
        or not c.appeal_reported.isdisjoint(tokens)
        or _QUOTE_MARKS.search(f.text)
    ):
        hits = 0
    else:
        hits = len(c.appeal_words.intersection(tokens))
    f._appeal_hits = hits
    return hits


def _appeals(feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled) -> None:
    """Sentences in which the outlet talks to the reader about supporting, subscribing or
    commenting ("Our newsroom needs your help!"): boilerplate.  In the run of such lines ending
    the article fewer promotional words suffice than inside it."""
    t = c.t
    tail = True
    for i in range(len(states) - 1, -1, -1):
        st, f = states[i], feats[i]
        if st.label != "body" and st.label != "heading":
            continue
        hits = _appeal_hits(f, c)
        need = int(t["appeal_min_hits"])
        if tail:
            need = int(t["appeal_tail_min_hits"])
            if f.n_words <= t["appeal_exclaim_max_words"] and f.text.rstrip().endswith("!"):
                need = 1
                if not hits and f.tokens and f.tokens[0] in c.appeal_imperatives and not _QUOTE_MARKS.search(f.text):
                    # "Back the Courier or join as a member!": an imperative to the reader
                    hits = len(c.appeal_words.intersection(f.tokens[1:]))
        if hits and hits >= need and (
            need == 1 or not c.appeal_self.isdisjoint(f.tokens) or not c.appeal_outlet_words.isdisjoint(f.tokens)
        ):
            st.label = "boilerplate"
            st.reason = f"appeal to the reader ({hits} promotional words)" + (" ending the article" if tail else "")
            continue
        if tail and _is_allcaps(f, c) and not c.appeal_address.isdisjoint(f.tokens):
            st.label, st.reason = "boilerplate", "ALL-CAPS appeal to the reader ending the article"
            continue
        if st.label == "body":
            tail = False


#: The outcome of _local on a line it finds nothing on (a blank _State's first fields).
_BLANK_OUTCOME = (None, "", False, False, False, False, False)

#: How many distinct segment texts ``_features`` remembers (per compiled rules).
SEGMENT_CACHE_SIZE = 4096


def _features(texts: Sequence[str], c: _Compiled) -> tuple[list[_Feat], list[tuple]]:
    """The features of each text and the outcome of :func:`_local` on it (the first fields of a
    :class:`_State`).

    Both depend on the text and the rules only, and the same lines recur across a corpus (site
    furniture, promos, agency boilerplate, a story's copies), so they are remembered per text in
    ``c.seg_cache`` (bounded: the oldest entries go first).  A _Feat is shared by every segment
    with its text; its lazily computed parts are pure functions of the text too.  New texts are
    tokenized in one batch (``tokenize_many`` gives every text the tokens ``tokenize`` would)."""
    cache = c.seg_cache
    feats = [cache.get(text) for text in texts]
    missing = [i for i, f in enumerate(feats) if f is None]
    if missing:
        st = _State()
        for i, tokens in zip(missing, tokenize_many([texts[i] for i in missing])):
            text = texts[i]
            f = cache.get(text)  # an earlier segment of this article with the same text
            if f is None:
                # a tuple of bytes: the garbage collector stops tracking it, the cache stays cheap
                f = _Feat(text, c, tuple(tokens))
                _local(f, st, c)
                if st.label is None:
                    # _local sets no field without a label: the State is still blank (and reused)
                    f.outcome = _BLANK_OUTCOME
                else:
                    f.outcome = (st.label, st.reason, st.end_marker, st.related_intro, st.bare_intro, st.photo_credit, st.byline_open)
                    st = _State()
                if len(cache) >= SEGMENT_CACHE_SIZE:
                    _forget_oldest(cache)
                cache[text] = f
            feats[i] = f
    return feats, [f.outcome for f in feats]


def _forget_oldest(cache: OrderedDict) -> None:
    """Drop the oldest entry of an insertion-ordered cache, in O(1) (tolerating another thread
    emptying it meanwhile)."""
    try:
        cache.popitem(last=False)
    except KeyError:
        pass


def _local(f: _Feat, st: _State, c: _Compiled) -> None:
    """Evidence from the segment alone, strongest first.

    (Every check is guarded by what it needs of the line, cheapest test first: a length, a word
    count, a token or a character; a long sentence of body text passes none of the guards but the
    gate words of the inline credits and the families.)"""
    t = c.t
    text = f.text
    size = len(text)
    n_words = f.n_words
    if size <= t["dateline_max_chars"] and date_hint(text):
        iso = dateline_iso(text, c.rules)
        if iso:
            st.label, st.reason = "dateline", f"dateline ({iso})"
            return
    tokens = f.tokens
    if not tokens:
        st.label, st.reason = "boilerplate", "no words"
        return
    if n_words <= 20:
        if (
            c.breadcrumb is not None
            and _SEPARATOR.search(text)
            and c.breadcrumb.search(text)
            and not _PHOTO_PREFIX.match(text)
        ):
            st.label, st.reason = "boilerplate", "navigation breadcrumb"
            return
    if n_words <= t["fragment_max_words"] and (
        c.fragment_end.search(text) or text.count("(") > text.count(")")
    ):
        st.label, st.reason = "boilerplate", f"broken fragment: {_quote(text)!r}"
        return
    if n_words <= 8:
        norm = b" ".join(tokens).decode("utf-8")
        if norm in c.widget_lines or (c.widget_re is not None and c.widget_re.search(norm)):
            st.label, st.reason = "boilerplate", f"widget label: {norm!r}"
            # "Read also", "Most read": a list of related headlines follows
            # (each pattern on its own: compiling every family's patterns again as one alternation
            # cost more than these rare lines ever save)
            st.bare_intro = any(
                (fam.related_intro or fam.end_marker) and any(p.search(text) for p in fam.patterns)
                for fam in c.families
            )
            return
    if size <= t["credit_max_chars"] and (
        size <= t["credit_sentence_max_chars"] or not f.anchor or text[0] in "(["
    ):
        # (a long sentence that is not in brackets is prose, not a credit line)
        why = is_credit_line(text, c.rules)
        if why:
            st.label, st.reason = "credit", str(why)
            st.photo_credit = bool(_PHOTO_WORDS.search(text))
            st.end_marker = not st.photo_credit
            return
    if n_words <= 20 and _has_meta_split(text):
        kind = _meta_line(text, c)
        if kind is not None:
            st.label, st.reason = kind
            st.byline_open = False
            return
    first = tokens[0]
    if c.byline_first is None or first in c.byline_first:
        rest = _byline_rest(text, c)
        if rest is not None:
            st.label = "byline"
            st.reason = "byline" + (f": {_quote(rest)!r}" if rest else " opener")
            st.byline_open = rest == ""
            return
    if (
        c.caption_prefix is not None
        and (c.caption_prefix_first is None or first in c.caption_prefix_first)
        and c.caption_prefix.search(text)
    ):
        st.label, st.reason = "caption", "announced caption"
        return
    if " for " in text and _NAME_FOR_OUTLET.match(text):  # (the pattern has " for " in it)
        st.label, st.reason, st.photo_credit = "credit", "photographer's name and outlet (X for Outlet)", True
        return
    if f.n_words > 80 and f.n_words > c.family_max_words[0]:
        return  # longer than any inline credit's or family's line
    hits = c.line_words.intersection(tokens)  # every gate word the line has, for both checks
    m = _inline_match(f, c, hits) if n_words <= 80 else None
    if m is not None:
        if m.start() == 0 or not text[: m.start()].strip(" /|-–—([."):
            # the whole line is a credit; a bare agency name ("Reuters") is left to the byline
            # logic unless it says it is a picture's
            if _PHOTO_WORDS.search(text):
                st.label, st.reason, st.photo_credit = "credit", "photo credit", True
                return
        else:
            st.label, st.reason = "caption", f"caption with photo credit {_quote(m.group(), 30)!r}"
            return
    hit = _family_match(f, c, tail=False, hits=hits)
    if hit is None:
        return
    fam, m = hit
    st.label, st.reason = fam.label, f"{fam.reason}: {_quote(m.group(), 30)!r}"
    st.end_marker = fam.end_marker
    if fam.related_intro:
        st.related_intro = True
        # a bare "Read also:" announces that the next line(s) are related headlines
        st.bare_intro = len(text[m.end():].strip(" :|-–—>»")) == 0
    if fam.end_marker:
        st.bare_intro = True  # "Most read", "More from us": a list of links follows


def _inline_match(f: _Feat, c: _Compiled, hits: frozenset[bytes]) -> re.Match[str] | None:
    """``_inline_credit(f, c, hits)``, with the commonest case inline: a line without any inline
    credit gate word needs only the ungated patterns, and only when it has the characters they need
    (a character every match consumes, missing from the line, is missing from the window too)."""
    if hits and not c.inline_words.isdisjoint(hits):
        return _inline_credit(f, c, hits)
    text = f.text
    for k, need in c.inline_plain:
        for ch in need:
            if ch not in text:
                break
        else:
            m = c.inline_credit[k][0].search(text, max(len(text) - _CREDIT_WINDOW, 0))
            if m:
                return m
    return None


def _inline_credit(f: _Feat, c: _Compiled, hits: frozenset[bytes] | None = None) -> re.Match[str] | None:
    """A photo credit ending the line ("... / Photo: Associated Press"), searched only in the
    line's last characters and only when the line has one of the pattern's gate words.

    The patterns to try are the ungated ones plus those opened by a gate word among the line's
    tokens (``inline_index``); on a long line the gate words must also be tokens of the window
    searched.  Only patterns that cannot match are skipped, so the first match (in rule order) is
    the one a search with every pattern would find.  ``hits``: the line's tokens among
    ``c.line_words``, when the caller has them."""
    text = f.text
    start = len(text) - _CREDIT_WINDOW
    if start < 0:
        start = 0
    if hits is None:
        hits = c.line_words.intersection(f.tokens)
    hits = c.inline_words & hits if hits else hits
    if hits:
        if start:
            # a match lies in the window, so its gate words are tokens of the window
            hits = hits.intersection(tokenize(text[start:].casefold()))
        order = set(c.inline_ungated)
        for word in hits:
            order.update(c.inline_index[word])
        order = sorted(order)
    else:
        order = c.inline_ungated
    patterns, needs = c.inline_credit, c.inline_chars
    window = text[start:] if start else text
    anyneeds = c.inline_any
    for k in order:
        # a character every match contains is missing: no need to search
        if needs[k] and not all(ch in window for ch in needs[k]):
            continue
        # (or none of the characters one of which every match contains is there)
        if anyneeds[k] and not any(ch in window for ch in anyneeds[k]):
            continue
        m = patterns[k][0].search(text, start)
        if m:
            return m
    return None


def _tail_family(f: _Feat, c: _Compiled) -> tuple[_Family, re.Match[str]] | None:
    """``_family_match(f, c, tail=True)``, kept on the (shared) features."""
    hit = f._tail_hit
    if hit is _UNSET:
        hit = f._tail_hit = _family_match(f, c, tail=True)
    return hit


def _family_match(
    f: _Feat, c: _Compiled, tail: bool, hits: frozenset[bytes] | None = None
) -> tuple[_Family, re.Match[str]] | None:
    """The first family pattern (in rule order) matching the segment, trying only the patterns
    indexed under its first token or its other tokens (see ``compiled``) and whose extra gates the
    line passes; ``tail`` selects the tail-only families (bios).  ``hits``: the line's tokens among
    ``c.line_words``, when the caller has them."""
    n_words = f.n_words
    if n_words > c.family_max_words[tail]:
        return None
    terminal, text = f.terminal, f.text
    if tail:
        tokens = f.tokens
        found = c.tail_words.intersection(tokens)
        first_token = tokens[0] if tokens else None
        first_char = text[:1].lower()
        for fam, search, max_words, unpunctuated_only, first, chars, gates in c.tail_plan:
            if n_words > max_words or (terminal and unpunctuated_only):
                continue
            # (only patterns that cannot match are skipped: see gates.py)
            if first is not None and first_token not in first:
                continue
            if chars is not None and first_char not in chars:
                continue
            for gate in gates:
                if gate.isdisjoint(found):
                    break
            else:
                m = search(text)
                if m:
                    return fam, m
        return None
    if hits is None:
        hits = c.line_words.intersection(f.tokens)
    tokens = f.tokens
    key = (tokens[0] if tokens else None, text[:1].lower(), c.gate_words & hits)
    order = c.family_orders.get(key)  # the same few keys recur: the order is remembered
    plan = None
    if order is None:
        gated = key[2]
        first = c.first_index.get(key[0]) if tokens else None
        by_char = c.char_index.get(key[1])
        if gated or first or by_char:
            candidates = set(c.ungated)
            if first:
                candidates.update(first)
            if by_char:
                candidates.update(by_char)
            for word in gated:
                candidates.update(c.gate_index[word])
            order = tuple(sorted(candidates))
        else:
            order = c.ungated
        if len(c.family_orders) >= 4096:
            c.family_orders.clear()
        c.family_orders[key] = order
    else:
        plan = c.family_plans.get(key)
    if plan is None:
        # (what the patterns of the order need, flat: derived from the key alone, like the order)
        plan = tuple(c.pattern_plan[k] for k in order)
        if len(c.family_plans) >= 4096:
            c.family_plans.clear()
        c.family_plans[key] = plan
    for fam, search, max_words, unpunctuated_only, extras in plan:
        if n_words > max_words or (terminal and unpunctuated_only):
            continue
        if extras:
            for gate in extras:
                if gate.isdisjoint(hits):
                    break
            else:
                m = search(text)
                if m:
                    return fam, m
            continue
        m = search(text)
        if m:
            return fam, m
    return None


def _captions_of_credits(
    segments: Sequence[Segment], feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled
) -> None:
    """The line right above a photo credit ("(AP Photo/...)", "Getty Images") is its caption."""
    for i in range(1, len(segments)):
        if not states[i].photo_credit or states[i].label != "credit":
            continue
        p = i - 1
        prev = states[p]
        if prev.label not in (None, "body"):
            continue
        adjacent = segments[p].line_end == segments[i].line_start - 1
        shaped = (
            c.caption_re is not None
            and _caption_shaped(feats[p], c)
            and feats[p].n_words <= c.t["caption_max_words"] * 2
        )
        if adjacent or shaped:
            prev.label = "caption"
            prev.reason = f"caption of the photo credit on line {segments[i].line_start}"
            _caption_above(segments, feats, states, c, p)


def _caption_above(
    segments: Sequence[Segment], feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled, p: int
) -> None:
    """A caption running over two lines: the line right above a caption, adjacent to it, without
    terminal punctuation and of caption length, is its first line."""
    q = p - 1
    if (
        q >= 0
        and states[q].label in (None, "body")
        and segments[q].line_end == segments[p].line_start - 1
        and not feats[q].terminal
        and c.t["short_words"] < feats[q].n_words <= c.t["caption_max_words"]
    ):
        states[q].label = "caption"
        states[q].reason = f"first line of the caption on line {segments[p].line_start}"


def _memory(
    segments: Sequence[Segment],
    feats: Sequence[_Feat],
    states: Sequence[_State],
    c: _Compiled,
    rules: Rules,
    memory: CorpusMemory | None,
    outlet: str | None,
) -> None:
    """Lines recurring in many other articles are boilerplate, unless the story itself recurs.

    Copies of one story (mirrors, updated versions) share every line; their lines recur because the
    story does.  So when the article's lede recurs too, only lines recurring in MORE articles than
    the lede (site furniture across many stories) count.  Sentence-like lines are judged in the
    article's outlet as well (see :mod:`etl.transform.memory`), against the lede's count there;
    except a line naming the outlet (a wire lede "KYIV (Reuters) -"): such lines are why articles
    are assigned to the outlet, so their share of its articles says nothing about furniture.
    """
    if not memory:
        return
    fps = [f.fingerprint for f in feats]
    in_outlet = outlet is not None and outlet in memory.outlet_counts
    lede_others = lede_outlet_others = 0
    for f, fp, st in zip(feats, fps, states):
        if st.label is None and f.anchor:
            lede_others = memory.others(fp)[0]
            if in_outlet:
                lede_outlet_others = memory.others(fp, outlet)[0]
            break
    sentence_words = int(rules["cleaning"].get("memory", {}).get("sentence_min_words", 8))
    for f, fp, st in zip(feats, fps, states):
        if st.label is not None or not fp:
            continue
        sentence_like = f.anchor and f.n_words >= sentence_words
        others = memory.verdict(fp, sentence_like, rules)
        if others is not None and others > lede_others:
            st.memory = others
            st.label, st.reason = "boilerplate", f"seen in {others} other articles"
        elif sentence_like and in_outlet and not names_outlet(f.text, outlet, rules):
            others = memory.verdict(fp, True, rules, outlet)
            if others is not None and others > lede_outlet_others:
                st.memory = others
                st.label, st.reason = "boilerplate", f"seen in {others} other articles of {outlet}"


def _duplicates(
    segments: Sequence[Segment], feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled
) -> None:
    """Repeats of an earlier segment (letters only, so dashes/quotes/spacing do not matter)."""
    t = c.t
    min_letters = int(t["duplicate_min_letters"])
    near_min = int(t["near_duplicate_min_chars"])
    key_chars = int(t["near_duplicate_key_chars"])
    ratio = float(t["near_duplicate_ratio"])
    seen: dict[bytes, int] = {}
    prefixes: dict[bytes, list[int]] = {}
    suffixes: dict[bytes, list[int]] = {}
    letters: dict[int, bytes] = {}
    for i, f in enumerate(feats):
        st = states[i]
        label = st.label
        if label is not None and label != "caption" and label != "body":
            continue
        key = f.letters
        if len(key) < min_letters:
            continue
        j = seen.get(key)
        if j is not None:
            st.label, st.dup_of = "duplicate", j
            st.reason = f"repeat of line {segments[j].line_start} (normalized)"
            continue
        if len(f.text) < near_min:
            seen[key] = i
            continue
        pre, suf = key[:key_chars], key[-key_chars:]
        same_start, same_end = prefixes.get(pre), suffixes.get(suf)
        if same_start or same_end:
            # the latest few segments sharing a start or an end (bounded: no quadratic blow-up)
            for cand in (*(same_start or ())[-_NEAR_CANDIDATES:], *(same_end or ())[-_NEAR_CANDIDATES:]):
                other = letters[cand]
                if min(len(key), len(other)) / max(len(key), len(other)) < ratio:
                    continue
                mine, theirs = set(f.tokens), set(feats[cand].tokens)
                if len(mine & theirs) >= ratio * len(mine | theirs):
                    j = cand
                    break
            if j is not None:
                st.label, st.dup_of = "duplicate", j
                st.reason = f"repeat of line {segments[j].line_start} (nearly)"
                continue
        seen[key] = i
        letters[i] = key
        if same_start is None:
            prefixes[pre] = [i]
        else:
            same_start.append(i)
        if same_end is None:
            suffixes[suf] = [i]
        else:
            same_end.append(i)
    _pull_quotes(segments, feats, states, c)


def _pull_quotes(
    segments: Sequence[Segment], feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled
) -> None:
    """A short quotation set apart ("“We had to act fast.”") that repeats words of a longer
    paragraph verbatim is a pull quote: a duplicate of that paragraph."""
    max_words = int(c.t["pull_quote_max_words"])
    min_letters = int(c.t["pull_quote_min_letters"])
    quotes = [
        i for i, (f, st) in enumerate(zip(feats, states))
        if st.label is None and f.n_words <= max_words and f.text[:1] in _OPENING_QUOTES
    ]
    if not quotes:
        return
    # every segment's letters, apart: a quote whose letters occur only once in it (its own) repeats
    # no other segment, and needs no scan of its neighbours
    joined = b"\0".join([f.letters for f in feats])
    for i in quotes:
        key = feats[i].letters
        if len(key) < min_letters or joined.count(key) < 2:
            continue
        # the paragraphs around it (bounded, so a file of thousands of quotes stays linear)
        for j in range(max(i - _PULL_QUOTE_REACH, 0), min(i + _PULL_QUOTE_REACH + 1, len(feats))):
            f, st = feats[j], states[j]
            if j != i and st.label in (None, "body") and len(f.text) > len(feats[i].text) and key in f.letters:
                states[i].label, states[i].dup_of = "duplicate", j
                states[i].reason = f"pull quote repeating line {segments[j].line_start}"
                break


def _head_bio(anchors: Sequence[int], feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled) -> None:
    """An author's bio under the byline, before the article ("Jane Doe is our Europe correspondent.
    She previously ..."): the first sentence-like line, matching a bio pattern, whose subject (its
    first two words) stands alone as a name on one of the few lines above it."""
    i = anchors[0]
    f = feats[i]
    words = f.text.split()
    if len(words) < 3 or not (words[0][:1].isupper() and words[1][:1].isupper()):
        return
    name = f"{words[0]} {words[1]}"
    if not any(
        feats[j].text.strip() == name or feats[j].text.strip().endswith(" " + name)
        for j in range(max(0, i - _HEAD_BIO_REACH), i)
    ):
        return
    hit = _tail_family(f, c)
    if hit is not None:
        fam, m = hit
        states[i].label, states[i].reason = fam.label, f"{fam.reason} under the byline: {_quote(m.group(), 30)!r}"
        states[i].anchor = False


def _question_title(i: int, feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled) -> bool:
    """Whether the first sentence-like segment is really a headline: a question or exclamation
    ("Will the ferry run this winter?") of headline length with nothing but furniture before it,
    followed by a byline/dateline or by a paragraph at least twice as long; or a long headline
    without a full stop (sentence-like only by its length) with no headline-shaped line before it,
    followed by a byline/dateline."""
    if i >= len(feats):
        return False
    f = feats[i]
    question = f.text.rstrip("\"'”’»)").endswith(("?", "!"))
    if question:
        if f.n_words > c.t["question_title_max_words"]:
            return False
    elif f.terminal or not _headline_shaped(f, c):
        return False
    for j in range(i):
        if states[j].label is None and (question or _headline_shaped(feats[j], c)):
            return False  # a line before it is the title (or a standfirst)
    for j in range(i + 1, len(feats)):
        if states[j].label in ("byline", "dateline"):
            return True
        if states[j].label is None:
            return question and states[j].anchor and feats[j].n_words >= 2 * f.n_words
    return False


def _head(
    segments: Sequence[Segment], feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled, first: int
) -> None:
    """Segments before the first sentence-like line: title, bylines, furniture.

    The title is the headline-shaped line sharing most content words with the lede (a headline
    announces its story; navigation and section labels do not), the first one on a tie.
    """
    t = c.t
    head = range(min(first, len(segments)))
    author_lines = {i for i in head if states[i].label is None and _author_and_outlet(feats[i], c)}
    # the author's job under the author's name ("Callum Doe" / "Senior Europe correspondent")
    role_lines = {i for i in head if states[i].label is None and _author_role(i, feats, states, c)}
    candidates = [
        i for i in head
        if states[i].label is None and i not in author_lines and i not in role_lines and _headline_shaped(feats[i], c)
    ]
    title_at = None
    if len(candidates) > 1:
        # a blog's or newsletter's name ("The Harbour Letter") before the post's headline
        masts = {i for i in candidates if _masthead(feats[i], c)}
        if masts:
            kept = [
                i for i in candidates
                if i not in masts or not any(j > i and j not in masts and feats[j].n_words > feats[i].n_words + 1 for j in candidates)
            ]
            candidates = kept or candidates
    if candidates:
        lede = feats[first].content(c) if first < len(feats) else frozenset()
        # on a tie, the line right above the byline or the date wins (a page prints its headline
        # there; a tagline or section label stays above), unless it is a masthead (an outlet's
        # name printed over its byline); a line inside a menu (short items on the lines above and
        # below) loses
        title_at = max(
            candidates,
            key=lambda i: (
                len(feats[i].content(c) & lede),
                i + 1 < len(states) and states[i + 1].label in _HEADLINE_FOLLOWERS and not _masthead(feats[i], c),
                not _in_menu(i, segments, feats, c),
                -i,
            ),
        )
        # a headline and its standfirst on adjacent lines: the standfirst often repeats more of the
        # lede's words, but the headline is the line above it (words counted as letter runs, so a
        # section label such as "PORTS & TERMINALS / AFRICA" above the headline is no headline)
        cand = set(candidates)
        while (
            title_at - 1 in cand
            and segments[title_at - 1].line_end == segments[title_at].line_start - 1
            and len(feats[title_at - 1].tokens) >= max(t["dek_headline_min_words"], len(feats[title_at].tokens) // 2)
            and feats[title_at - 1].content(c) & lede
            and not _masthead(feats[title_at - 1], c)
        ):
            title_at -= 1
    # lines right under the title (no blank line between) are its standfirst when long enough
    dek = set()
    if title_at is not None:
        k = title_at + 1
        while k < len(head) and states[k].label is None and segments[k].line_start == segments[k - 1].line_end + 1:
            dek.add(k)
            k += 1
    for i in head:
        st, f = states[i], feats[i]
        if st.label is not None:
            continue
        if i in author_lines:
            st.label, st.reason = "byline", "author and outlet"
            continue
        if i in role_lines:
            st.label, st.reason = "boilerplate", "author's job under the byline"
            continue
        if _NAMES_IN_PLACES.match(f.text) and any(
            s is not None and s.label in ("dateline", "byline") for s in (states[i - 1] if i else None, states[i + 1] if i + 1 < len(states) else None)
        ):
            st.label, st.reason = "byline", "reporters and where they filed from, next to the dateline/byline"
            continue
        if i in dek and f.n_words >= t["standfirst_min_words"] and (f.terminal or f.density >= 0.2):
            st.label, st.reason = "body", "standfirst under the title"
            continue
        if i == title_at:
            st.label = "title"
            st.reason = "headline-shaped line of the head" + (
                ", shares words with the first paragraph" if len(candidates) > 1 else ""
            )
            continue
        prev = states[i - 1] if i else None
        nxt = states[i + 1] if i + 1 < len(states) else None
        if prev is not None and prev.byline_open and f.n_words <= t["name_line_max_words"] + 3:
            st.label, st.reason = "byline", f"name after {feats[i - 1].text!r}"
            continue
        near_meta = any(s is not None and s.label in ("dateline", "byline") for s in (prev, nxt))
        if near_meta and _name_line(f, c):
            st.label, st.reason = "byline", "name next to the dateline/byline"
            continue
        if (
            c.caption_re is not None
            and not f.terminal
            and f.n_words <= t["caption_max_words"]
            and _caption_shaped(f, c)
        ):
            st.label, st.reason = "caption", "present-tense caption line"
            continue
        if f.n_words >= t["standfirst_min_words"] and (f.terminal or f.density >= 0.2) and (
            title_at is None or i > title_at
        ):
            st.label, st.reason = "body", "standfirst under the title"
            continue
        st.label, st.reason = "boilerplate", (
            "short line in the head, before the article"
            if f.n_words <= t["short_words"]
            else "line without sentence shape in the head, before the article"
        )
    # a repeat of the title keeps pointing at it
    if title_at is not None:
        where = segments[title_at].line_start
        for st in states:
            if st.label == "duplicate" and st.dup_of == title_at:
                st.reason = f"repeat of the title (line {where})"


#: The labels of the line a headline is printed above (its byline, its date).
_HEADLINE_FOLLOWERS = frozenset({"byline", "dateline"})


def _in_menu(i: int, segments: Sequence[Segment], feats: Sequence[_Feat], c: _Compiled) -> bool:
    """A line between two short unpunctuated lines, with no blank line on either side: an item of
    a navigation menu ("Explore content" / "About the journal" / "Publish with us")."""
    if i == 0 or i + 1 >= len(segments):
        return False
    for j in (i - 1, i + 1):
        f = feats[j]
        if f.n_words > c.t["menu_item_max_words"] or f.terminal:
            return False
    return (
        segments[i - 1].line_end == segments[i].line_start - 1
        and segments[i + 1].line_start == segments[i].line_end + 1
    )


def _author_role(i: int, feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled) -> bool:
    """A short unpunctuated line ending in a journalist's job ("Senior Europe correspondent") right
    under the author's name, which follows a byline or dateline (or is one)."""
    f = feats[i]
    if i == 0 or f.terminal or f.n_words > c.t["name_line_max_words"] + 3 or not f.tokens or f.tokens[-1] not in c.author_roles:
        return False
    prev = states[i - 1]
    if prev.label == "byline":
        return True
    return prev.label is None and _name_line(feats[i - 1], c) and i >= 2 and states[i - 2].label in ("byline", "dateline")


def _masthead(f: _Feat, c: _Compiled) -> bool:
    """A few capitalized words and nothing else: a site's, blog's or newsletter's name."""
    words = f.text.split()
    return len(words) <= c.t["masthead_max_words"] and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _middle(
    i: int, feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled, segments: Sequence[Segment] = ()
) -> None:
    """A segment inside the article that is not sentence-like."""
    t = c.t
    st, f = states[i], feats[i]
    if f.terminal and f.n_words <= t["long_sentence_words"]:
        # a short sentence inside a run of body ("No.", "He declined to comment.")
        st.label, st.reason = "body", "short sentence inside the article"
        return
    if f.n_words > t["short_words"]:
        st.label, st.reason = "body", "long line inside the article"
        return
    allcaps = _is_allcaps(f, c)
    if (
        _NUMBERED_HEADING.match(f.text)
        and f.n_words <= t["plain_heading_max_words"] + 2
        and i + 1 < len(states)
        and states[i + 1].anchor
        # the last item of a numbered list is not a heading
        and not (i and segments and _LIST_ITEM.match(feats[i - 1].text) and segments[i - 1].line_end == segments[i].line_start - 1)
    ):
        st.label, st.reason = "heading", "numbered subheading before a paragraph"
        return
    if not allcaps and _LIST_ITEM.match(f.text):
        st.label, st.reason = "body", "list item inside the article"
        return
    if allcaps and (f.n_words >= t["allcaps_headline_words"] or _SAYS_END.search(f.text)):
        st.label, st.reason = "boilerplate", "ALL-CAPS related headline"
        return
    nxt = i + 1
    label = _LABEL.match(f.text) if ":" in f.text else None
    if label is not None:
        rest = label.group(2)
        if not rest.strip() and nxt < len(states) and states[nxt].anchor:
            st.label, st.reason = "heading", f"label introducing the next paragraph: {_quote(f.text)!r}"
            return
        if label.group(1).casefold() in c.paragraph_labels and len(rest.split()) >= 3:
            st.label, st.reason = "body", f"labelled line inside the article: {label.group(1)!r}"
            return
    if (
        not allcaps
        and c.caption_re is not None
        and f.n_words <= t["caption_max_words"]
        and _caption_shaped(f, c)
    ):
        st.label, st.reason = "caption", "present-tense caption line"
        return
    if nxt < len(states) and (states[nxt].anchor or (states[nxt].label is None and _LIST_ITEM.match(feats[nxt].text))):
        mine = f.content(c)
        shared = mine & feats[nxt].content(c)
        # a subheading of a few words ("The pension factor") needs only one of them picked up
        need = 1 if f.n_words <= 4 else min(int(t["heading_min_shared"]), len(mine))
        if mine and len(shared) >= need and len(shared) / len(mine) >= t["heading_min_overlap"]:
            words = ", ".join(w.decode("utf-8", "replace") for w in sorted(shared)[:3])
            st.label, st.reason = "heading", f"subheading: the next paragraph picks up its words ({words})"
            return
        if _plain_short_heading(f, c):
            st.label, st.reason = "heading", "short sentence-case subheading before a paragraph"
            return
        if (
            f.n_words == 1
            and i
            and states[i - 1].label == "body"
            and len(f.text) >= 4
            and f.text.isalpha()
            and f.text[:1].isupper()
            and not allcaps
        ):
            # "Background", "Reaction": a one-word subheading between two paragraphs
            st.label, st.reason = "heading", "one-word subheading between paragraphs"
            return
    if not allcaps and segments and f.n_words <= t["list_heading_max_words"] and _heads_a_list(i, feats, states, segments):
        st.label, st.reason = "heading", "heading of the list right under it"
        return
    if allcaps:
        st.label, st.reason = "boilerplate", "ALL-CAPS line not picked up by the next paragraph"
    elif f.n_words >= 4:
        st.label, st.reason = "boilerplate", "bare headline inside the article, not picked up by the next paragraph"
    else:
        st.label, st.reason = "boilerplate", "short line without terminal punctuation inside the article"


def _list_exit_heading(i: int, feats: Sequence[_Feat], states: Sequence[_State], c: _Compiled, list_caps: bool) -> bool:
    """The last line of a list of related links, right before the article's prose resumes, is the
    next section's subheading when the paragraph under it picks up one of its words ("Mayor: 'We
    will rebuild'" over "... the mayor said"), or when the list's headlines were in ALL CAPS and
    this line is not (the subheading's own style)."""
    nxt = i + 1
    if nxt >= len(states) or not states[nxt].anchor or feats[i].n_words > _LIST_EXIT_HEADING_WORDS:
        return False
    if feats[nxt].n_words <= c.t["short_words"] or _is_allcaps(feats[nxt], c):
        return False  # another headline, not a paragraph
    if list_caps and not _is_allcaps(feats[i], c):
        return True
    mine = feats[i].content(c)
    return bool(mine & feats[nxt].content(c))


def _heads_a_list(i: int, feats: Sequence[_Feat], states: Sequence[_State], segments: Sequence[Segment]) -> bool:
    """Two or more bulleted or numbered items follow on the very next lines (no blank line between):
    the short line above them is the list's heading ("Key figures from the report")."""
    items = 0
    k = i + 1
    while k < len(segments) and items < 2:
        if states[k].label not in (None, "body") or not _LIST_ITEM.match(feats[k].text):
            break
        if segments[k].line_start != segments[k - 1].line_end + 1:
            break
        items += 1
        k += 1
    return items >= 2


def _plain_short_heading(f: _Feat, c: _Compiled) -> bool:
    """A few words in sentence case, no digits, no names after the first word ("Learn to repair",
    "What happens next"): how feature subheadings look, unlike related news headlines, which name
    people, places and numbers."""
    words = f.text.split()
    return (
        2 <= len(words) <= c.t["plain_heading_max_words"]
        and not _DIGIT.search(f.text)
        and not any(w[:1].isupper() for w in words[1:] if w != "I")
    )


def _tail(f: _Feat, st: _State, c: _Compiled) -> None:
    """A segment after the last sentence-like line: furniture unless it is long prose."""
    if f.n_words > c.t["short_words"] and f.density >= 0.2:
        st.label, st.reason = "body", "long line at the end of the article"
    elif _is_allcaps(f, c):
        st.label, st.reason = "boilerplate", "ALL-CAPS line at tail"
    elif _headline_shaped(f, c) and f.n_words >= 4:
        st.label, st.reason = "boilerplate", "headline-shaped line after the article"
    elif f.terminal:
        st.label, st.reason = "boilerplate", "short line at tail"
    else:
        st.label, st.reason = "boilerplate", "short line without terminal punctuation at tail"
