"""Name normalisation shared by mention finding (``transform/mentions.py``) and resolution (``resolve.py``).

A *key* folds the regular spelling variants of a name to one string: case, accents, apostrophes and
hyphens, and the transliteration variants of Ukrainian and Russian names (``Zaluzhnyi``, ``Zaluzhny``,
``Zaluzhniy`` -> ``zaluzhny``; ``Sergei``/``Sergey``).  Given names additionally go through the
``given_groups`` data (``Valerii``/``Valeriy``/``Valery``; ``Joe``/``Joseph``), used only together with
a family name: a first name alone is never a merge key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from etl.rules import Rules

_NON_LETTERS = re.compile(r"[^a-z]+")
_I_BEFORE_VOWEL = re.compile(r"(?<=[a-z])i(?=[aeou])")


# letters that Unicode does not decompose into a base letter and a mark
_LETTERS = str.maketrans({
    "Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "Ae", "æ": "ae", "Œ": "Oe", "œ": "oe",
    "ß": "ss", "Þ": "Th", "þ": "th", "ı": "i", "Ħ": "H", "ħ": "h", "Ŧ": "T", "ŧ": "t", "Ð": "D", "ð": "d",
})


def strip_accents(text: str) -> str:
    """Letters without marks: "Đurović" -> "Durovic", "Łukasz" -> "Lukasz", "Søren" -> "Soren"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.translate(_LETTERS)) if not unicodedata.combining(c))


@dataclass(frozen=True)
class NameData:
    """Compiled people data for one Rules object."""

    endings: tuple[tuple[str, str], ...]
    inner: tuple[tuple[str, str], ...]
    given_group: dict[str, str]  # folded spelling -> folded head of its group
    notable: dict[str, tuple[tuple[str, str, str], ...]]  # family key -> ((full name, given, family), ...)
    given_names: frozenset[str]
    places: frozenset[str]
    particles: frozenset[str]
    suffixes: frozenset[str]
    family_first: frozenset[str]
    # keys already computed (name -> key): the same few names are folded again and again in every article
    fold_memo: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    given_memo: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    split_memo: dict[tuple[str, ...], tuple[str | None, str | None]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def fold(self, name: str) -> str:
        key = self.fold_memo.get(name)
        if key is None:
            key = _remember(self.fold_memo, name, _fold_name(self.endings, self.inner, name))
        return key

    def family_key(self, family: str) -> str:
        return self.fold(family)

    def split(self, tokens: list[str]) -> tuple[str | None, str | None]:
        """``split_name(tokens, self)``, memoized: an article splits the same full names again and again."""
        words = tuple(tokens)
        out = self.split_memo.get(words)
        if out is None:
            out = split_name(tokens, self)
            if len(self.split_memo) >= KEY_MEMO_MAX:
                self.split_memo.clear()
            self.split_memo[words] = out
        return out

    def given_key(self, given: str) -> str:
        key = self.given_memo.get(given)
        if key is None:
            first = given.split()[0] if given.split() else given
            folded = self.fold(first)
            key = _remember(self.given_memo, given, self.given_group.get(folded, folded))
        return key


KEY_MEMO_MAX = 8_192


def _remember(memo: dict[str, str], name: str, key: str) -> str:
    """Store a computed key in a bounded memo (emptied when full, so that memory stays flat)."""
    if len(memo) >= KEY_MEMO_MAX:
        memo.clear()
    memo[name] = key
    return key


def _fold_name(endings: tuple, inner: tuple, name: str) -> str:
    s = _NON_LETTERS.sub("", strip_accents(name).casefold())
    for old, new in endings:
        if s.endswith(old) and len(s) > len(old) + 2:
            s = s[: -len(old)] + new
            break
    s = _I_BEFORE_VOWEL.sub("y", s)
    for old, new in inner:
        s = s.replace(old, new)
    return s


@lru_cache(maxsize=16_384)
def plain(name: str) -> str:
    """Lowercase letters only, marks removed, no transliteration folding (for spelling distances)."""
    return _NON_LETTERS.sub("", strip_accents(name).casefold())


def _fold(data: NameData, name: str) -> str:
    return data.fold(name)


def read_lexicon(filename: str) -> frozenset[str]:
    path = resources.files("etl.rules") / filename
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(line)
    return frozenset(out)


def split_name(tokens: list[str], data: NameData) -> tuple[str | None, str | None]:
    """(given, family) of a full name's words (titles already removed, initials kept out of given)."""
    words = [t for t in tokens if t.rstrip(".") not in data.suffixes and t not in data.suffixes]
    if not words:
        return None, None
    if len(words) == 1:
        return None, words[0]
    if words[0].casefold() in data.particles or words[0].casefold().startswith(("al-", "el-")):
        return None, " ".join(words)  # "Von der Leyen", "Al-Assad"
    if words[0] in data.family_first and len(words) >= 2 and words[1] not in data.given_names:
        return " ".join(words[1:]), words[0]
    # the family name is the last word with the particles before it ("von der Leyen", "da Silva")
    i = len(words) - 1
    while i > 1 and words[i - 1].casefold() in data.particles:
        i -= 1
    given_words = [w for w in words[:i] if not (len(w) == 2 and w.endswith("."))]
    return (" ".join(given_words) or None), " ".join(words[i:])


@cache
def name_data(rules: Rules) -> NameData:
    people = rules["people"]
    endings = tuple((a, b) for a, b in people.get("translit_endings", ()))
    inner = tuple((a, b) for a, b in people.get("translit_inner", ()))
    proto = NameData(endings, inner, {}, {}, frozenset(), frozenset(), frozenset(), frozenset(), frozenset())
    group: dict[str, str] = {}
    for names in people.get("given_groups", ()):
        head = _fold(proto, names[0])
        for n in names:
            group.setdefault(_fold(proto, n), head)
    given_names = read_lexicon(people.get("given_names_file", "given_names.txt"))
    places = read_lexicon(people.get("places_file", "places.txt"))
    data = NameData(
        endings,
        inner,
        group,
        {},
        given_names | frozenset(people.get("extra_given_names", ())),
        places,
        frozenset(p.casefold() for p in people.get("particles", ())),
        frozenset(people.get("suffixes", ())),
        frozenset(people.get("family_first", ())),
    )
    notable: dict[str, list[tuple[str, str, str]]] = {}
    for entry in people.get("notable", ()):
        text, _, flag = entry.partition("|")
        words = text.split()
        if flag == "family-first":
            given, family = " ".join(words[1:]), words[0]
        else:
            given, family = split_name(words, data)
        if not family or not given:
            continue
        full = text.strip()
        item = (full, given, family)
        bucket = notable.setdefault(data.family_key(family), [])
        if item not in bucket:
            bucket.append(item)
    data.notable.update({k: tuple(v) for k, v in notable.items()})
    return data


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, cut off above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


_VOWELS = re.compile(r"[aeiouy]+")
_DOUBLES = re.compile(r"(.)\1+")


def skeleton(folded: str) -> str:
    """Consonant skeleton of a folded name: first letter kept, vowels dropped, doubles collapsed."""
    return folded[:1] + _DOUBLES.sub(r"\1", _VOWELS.sub("", folded[1:]))
