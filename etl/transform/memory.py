"""Corpus memory: lines that recur across many articles are boilerplate even when no rule knows them.

A new outlet brings its own furniture ("Ukraine Today", "Daily at 9am EST", an author box) that no
lexicon lists.  What gives it away is that it recurs, word for word, in article after article.  This
module holds the pure parts of that idea:

* :func:`fingerprint` reduces a line to a short key that survives the variations outlets introduce
  between copies (case, digits such as times and counts, punctuation, quotes and dashes, spacing);
* :class:`CorpusMemory` is a frozen snapshot of "in how many live articles does each fingerprint
  occur", in the whole corpus and, where the outlet can be told, in each outlet's articles;
* :func:`is_recurring` is THE rule, as a function of the number of OTHER articles containing the
  line, so that it means the same whether or not the article being cleaned is already counted.

How the database side uses it (``etl.pipeline`` / ``etl.db.load``):

* ``Article.fingerprints[i]`` is the fingerprint of ``Article.segments[i]`` ("" for a segment too
  short to fingerprint).  The loader stores the distinct ones per article and counts, per
  fingerprint, the live articles containing it.
* The snapshot handed to ``transform`` holds the stored counts.  An article that is stored (a
  re-clean) is counted in them, so :meth:`CorpusMemory.others` subtracts one for the article itself.
  For an article that is not stored yet this under-counts by one; that only matters when the count
  sits exactly at the threshold, and then loading the article lifts the stored count to the
  threshold, the line flips to "frequent" and the pipeline re-cleans every article containing it,
  this one included, with the exact count.
* :meth:`CorpusMemory.threshold` is the stored count at which a line becomes "frequent" (enters the
  snapshot): ``min_other_articles + 1``.  Lines below it cannot change a verdict, so the snapshot
  may leave them out.
* Long sentence-like lines recur legitimately (one wire story syndicated by several outlets, or
  several scraped versions of one story), so for them the count alone is not enough: they must
  also occur in a large share of the corpus' articles, which needs ``total_articles``.  Without
  totals, memory never removes a long sentence.

Per outlet.  An outlet's own furniture sentence ("The Harbour Gazette is an independent newsroom
funded by its readers.") is in every one of its articles but, in an archive of twenty outlets,
in only 5 % of the corpus: the corpus-wide share rule cannot see it.  So sentence-like lines are
also judged within the article's outlet (``etl.transform.credits.detect_outlet``, which reads the
segments only, so the counting pass and the cleaning agree on it): the same rule with the outlet's
counts and the outlet's number of live articles.  A line is recurring when either scope says so.
For every other line the outlet scope could add nothing (a line cannot be in more of an outlet's
articles than of the corpus', and only the share rule has a denominator), so the outlet counts
hold only what can be recurring there (:meth:`CorpusMemory.matters_in_outlet`: enough articles and
the share).  Articles whose outlet is not told are judged in the corpus scope only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from etl.rules import Rules
from etl.transform.tokens import letters, letters_many

_EMPTY: Mapping[str, int] = MappingProxyType({})


def normalize_letters(text: str) -> bytes:
    """Only the letters of ``text``, casefolded (UTF-8): what stays equal between copies of a
    line.  The same as joining the classifier's tokens, which is how classify computes it."""
    return letters(text)


def fingerprint_letters(letters_only: bytes, min_letters: int = 4) -> str:
    """:func:`fingerprint` of a line whose :func:`normalize_letters` form is ``letters_only``."""
    if len(letters_only) < min_letters:
        return ""
    return hashlib.blake2b(letters_only, digest_size=8).hexdigest()


def fingerprint(text: str, min_letters: int = 4) -> str:
    """A 16-hex-digit key for a line, equal for copies that differ in case, digits, punctuation,
    quotes, dashes or spacing; "" when the line has fewer than ``min_letters`` letters.

    Digits are dropped on purpose: "Daily at 9am EST" and "Daily at 7am EST", "3 min read" and
    "5 min read" are the same furniture.
    """
    return fingerprint_letters(letters(text), min_letters)


def _memory_rules(rules: Rules) -> Mapping[str, object]:
    return rules["cleaning"].get("memory", {})


def min_fingerprint_letters(rules: Rules) -> int:
    """Lines with fewer letters than this get no fingerprint ("" ): too short to tell apart."""
    return int(_memory_rules(rules).get("min_fingerprint_letters", 4))


def document_lines(text: str, rules: Rules) -> tuple[frozenset[str], str | None]:
    """The distinct fingerprints ``transform`` gives the segments of a decoded document, and the
    outlet it detects in them (None when the text does not tell).

    Both depend on repair and segmentation only, never on the classifier's verdicts, so the
    pipeline's counting pass gets them at a fraction of the cost of a full transform and knows
    each line's final count, in the corpus and in the outlet, before any article is cleaned with it.
    """
    from etl.transform.credits import detect_outlet  # here: importing this module stays cheap
    from etl.transform.repair import repair_text
    from etl.transform.segment import segment_texts

    texts = segment_texts(repair_text(text), rules)
    min_letters = min_fingerprint_letters(rules)
    found = {fingerprint_letters(b, min_letters) for b in set(letters_many(texts))}  # each distinct line once
    found.discard("")
    return frozenset(found), detect_outlet(texts, rules)


def segment_fingerprints(texts: Sequence[str], rules: Rules) -> tuple[str, ...]:
    """:func:`fingerprint` of each of a document's segment texts, normalized in one pass."""
    min_letters = min_fingerprint_letters(rules)
    return tuple([fingerprint_letters(b, min_letters) for b in letters_many(texts)])  # == letters()


def is_recurring(
    other_articles: int,
    sentence_like: bool,
    rules: Rules,
    total_other_articles: int = 0,
) -> bool:
    """Whether a line found in ``other_articles`` other articles is recurring boilerplate.

    Short or non-sentence lines need ``memory.min_other_articles`` other articles.  Sentence-like
    lines also need ``memory.long_line_min_other_articles`` and a share of at least
    ``memory.long_line_min_share`` of ``total_other_articles`` (unknown total: never).
    """
    if other_articles < int(_memory_rules(rules).get("min_other_articles", 3)):
        return False
    if not sentence_like:
        return True
    min_others, min_share = long_line_thresholds(rules)
    if other_articles < min_others or total_other_articles <= 0:
        return False
    return other_articles / total_other_articles >= min_share


def long_line_thresholds(rules: Rules) -> tuple[int, float]:
    """(``long_line_min_other_articles``, ``long_line_min_share``): what a sentence-like line
    needs on top of ``min_other_articles`` to count as recurring (see :func:`is_recurring`)."""
    cfg = _memory_rules(rules)
    return int(cfg.get("long_line_min_other_articles", 10)), float(cfg.get("long_line_min_share", 0.3))


def outlet_snapshot(
    rows: Iterable[tuple[str, str, int]], outlet_totals: Mapping[str, int], rules: Rules
) -> dict[str, dict[str, int]]:
    """``outlet_counts`` for :meth:`CorpusMemory.from_counts` from stored (outlet, fingerprint,
    count) rows: only the lines that can be recurring in their outlet."""
    out: dict[str, dict[str, int]] = {}
    matters = CorpusMemory.matters_in_outlet
    for outlet, fp, n in rows:
        if matters(n, outlet_totals.get(outlet, 0), rules):
            out.setdefault(outlet, {})[fp] = n
    return out


@dataclass(frozen=True)
class CorpusMemory:
    """How many live articles contain each line fingerprint, in the corpus and per outlet.

    Counts are as stored: they include the article being re-cleaned when it is stored (see the
    module docstring).  ``total_articles`` (and ``outlet_totals``) are the live article counts the
    share rule for long lines compares with; 0 means unknown.  ``outlet_counts`` hold, per outlet,
    the lines that can be recurring there (:meth:`matters_in_outlet`; the others cannot matter).
    """

    counts: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    total_articles: int = 0
    outlet_counts: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: MappingProxyType({}))
    outlet_totals: Mapping[str, int] = field(default_factory=lambda: _EMPTY)

    @classmethod
    def from_counts(
        cls,
        counts: Mapping[str, int],
        total_articles: int = 0,
        outlet_counts: Mapping[str, Mapping[str, int]] | None = None,
        outlet_totals: Mapping[str, int] | None = None,
    ) -> CorpusMemory:
        """A snapshot from plain dicts (e.g. rows of ``line_fingerprints``)."""
        return cls(
            counts=MappingProxyType(dict(counts)),
            total_articles=int(total_articles),
            outlet_counts=MappingProxyType(
                {k: MappingProxyType(dict(v)) for k, v in (outlet_counts or {}).items() if v}
            ),
            outlet_totals=MappingProxyType(dict(outlet_totals or {})),
        )

    @staticmethod
    def threshold(rules: Rules) -> int:
        """The stored article count at which a line is "frequent": ``min_other_articles`` others
        plus the article itself."""
        return int(_memory_rules(rules).get("min_other_articles", 3)) + 1

    @staticmethod
    def outlet_threshold(rules: Rules) -> int:
        """The stored count in an outlet's articles from which the outlet scope can call a line
        recurring: as many other articles as a sentence-like line needs, plus the article itself."""
        return max(long_line_thresholds(rules)[0], int(_memory_rules(rules).get("min_other_articles", 3))) + 1

    @staticmethod
    def matters_in_outlet(count: int, outlet_total: int, rules: Rules) -> bool:
        """Whether a line stored ``count`` times among an outlet's ``outlet_total`` live articles
        can be recurring in the outlet scope: enough of them and a large enough share.  Only such
        lines go into ``outlet_counts`` (a line below the share can never be recurring there, and a
        lede guarding one that is has at least its share), which keeps the snapshot small on a large
        archive where much recurs a little within each outlet."""
        if count < CorpusMemory.outlet_threshold(rules) or outlet_total <= 1:
            return False
        return (count - 1) / (outlet_total - 1) >= long_line_thresholds(rules)[1]

    def __bool__(self) -> bool:
        return bool(self.counts) or bool(self.outlet_counts)

    def others(self, fp: str, outlet: str | None = None) -> tuple[int, int]:
        """(other articles containing ``fp``, other articles in total): in the corpus, or with
        ``outlet`` in that outlet's articles.  Self is subtracted from both."""
        if not fp:
            return 0, 0
        if outlet is None:
            count, total = self.counts.get(fp, 0), self.total_articles
        else:
            count, total = self.outlet_counts.get(outlet, _EMPTY).get(fp, 0), self.outlet_totals.get(outlet, 0)
        return max(count - 1, 0), max(total - 1, 0)

    def verdict(self, fp: str, sentence_like: bool, rules: Rules, outlet: str | None = None) -> int | None:
        """The number of other articles (in the corpus, or in ``outlet``'s articles) when the line
        counts as recurring boilerplate in that scope, else None."""
        others, total = self.others(fp, outlet)
        if others and is_recurring(others, sentence_like, rules, total):
            return others
        return None
