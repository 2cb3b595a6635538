"""A deterministic synthetic corpus of dirty scraped news articles, built from ``seeds/*.txt``.

    python bench/generate.py --articles 10000 --out /tmp/corpus        # ~29 MB

Every article is rebuilt from the seeds' own paragraphs, recombined, with the debris real scrapes
carry around them:

- boilerplate lines: ads, subscribe / newsletter / app promos, related ALL-CAPS headlines, photo
  captions with a credit line, datelines, bylines, "about the author" tails, share prompts;
- people: name variants (transliteration endings such as -yi/-iy/-y, -ov/-ow, a rare misspelled
  surname), possessives, and extra quote paragraphs naming a pool of synthetic people;
- layouts: blank-line separated blocks, one paragraph per line, hard-wrapped lines;
- bytes: mostly UTF-8, some cp1252, UTF-16 with and without a BOM, UTF-8 with a BOM, mojibake
  (UTF-8 read as cp1252 and saved again as UTF-8), HTML entities and no-break spaces, CRLF;
- paths: nested ``<outlet>/<year>/<month>/`` folders, a few files without an extension.

Article ``i`` depends only on ``(seed, i)`` (its own ``random.Random``), so the first 1,000
articles of a 10,000-article corpus are the 1,000-article corpus, and ``revision`` re-renders an
article with one extra paragraph (the benchmark's "changed file").  Nothing here is timed.
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import json
import random
import re
import sys
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GENERATOR_VERSION = 1
DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"

OUTLETS = (
    ("Reuters", "reuters"),
    ("Associated Press", "ap"),
    ("The Morning Ledger", "morning-ledger"),
    ("Eastern Herald", "eastern-herald"),
    ("Capital Wire", "capital-wire"),
    ("Kyiv Daily Report", "kyiv-daily"),
    ("Global News Desk", "global-desk"),
    ("Fox News", "fox"),
)
REPORTERS = (
    "Idrees Ali", "Phil Stewart", "Jonathan Oatis", "Anna Kovalenko", "Maria Petrenko", "David Brown",
    "Sarah Klein", "Tom Walker", "Olga Sydorenko", "James Reed", "Laura Chen", "Pavel Orlov",
)
PHOTOGRAPHERS = ("Alex Brandon", "Michael Probst", "Efrem Lukatsky", "Evan Vucci", "Gleb Garanich")
PLACES = ("Kyiv", "Washington", "Brussels", "Warsaw", "Lviv", "Kharkiv", "London", "Berlin", "Odesa")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)

# Synthetic people for the extra quote paragraphs: given names x surnames, each surname written in
# one of its transliterations per article.
GIVEN = (
    "Oleksandr", "Iryna", "Dmytro", "Olena", "Andriy", "Natalia", "Serhiy", "Yulia", "Mykola", "Oksana",
    "Viktor", "Tetiana", "Yuriy", "Svitlana", "Petro", "Halyna", "Roman", "Kateryna", "Bohdan", "Larysa",
)
SURNAMES = (
    ("Kovalenko", "Kovalenco"), ("Tkachuk", "Tkachouk"), ("Melnyk", "Melnik", "Mel'nyk"),
    ("Petrov", "Petrow", "Petroff"), ("Hrytsenko", "Gritsenko", "Hrytsenco"), ("Boyko", "Boiko"),
    ("Kravets", "Kravetz"), ("Oliynyk", "Oliinyk", "Oleynik"), ("Lysenko", "Lisenko"),
    ("Volkov", "Volkoff"), ("Sokolov", "Sokolow"), ("Yakovlev", "Iakovlev", "Jakowlew"),
    ("Shevchuk", "Schewtschuk"), ("Marchenko", "Martchenko"), ("Rudenko", "Roudenko"),
    ("Zhuravlev", "Zhuravlyov", "Juravlev"), ("Pavlenko", "Pawlenko"), ("Savchuk", "Savtchouk"),
)
TITLES = ("", "", "", "Col. ", "Gen. ", "Minister ", "Mayor ", "Dr. ", "Prof. ", "Sen. ")
ROLES = (
    "a spokesperson for the regional administration", "a senior defense official", "an analyst at a Kyiv think tank",
    "the deputy head of the city council", "a retired officer", "a volunteer coordinator",
    "an adviser to the ministry", "a professor of international relations",
)
QUOTES = (
    "We are preparing for a long winter, and the support of our partners is decisive",
    "Nobody expected the talks to move this quickly",
    "The situation on the ground changes every hour",
    "What matters now is that the lines of communication stay open",
    "We will continue to do our job as long as it takes",
    "These numbers tell only part of the story",
    "It is too early to say what this means for the front",
)
QUOTE_TEMPLATES = (
    "“{quote},” said {title}{full}, {role}.",
    "{full}, {role}, told reporters in {place} that the decision had been “{short}.”",
    "According to {title}{full}, {quote_lower}. {surname} added that more details would follow.",
    "{surname_pos} office did not respond to a request for comment on {weekday}.",
    "“{quote},” {surname} said, speaking to {outlet} by phone from {place}.",
)
HEADLINE_TEMPLATES = (
    "{surname} says {topic} will continue despite pressure",
    "{place} officials discuss {topic} with allies",
    "{full} warns of delays in {topic}",
    "What {topic} means for {place}",
    "{surname} and {place} leaders agree on {topic}",
    "Talks on {topic} resume in {place}",
)
TOPICS = (
    "missile defense", "military aid", "ceasefire talks", "grain exports", "energy repairs",
    "reconstruction funds", "prisoner exchanges", "air defense deliveries", "winter preparations",
)
SHORT_QUOTES = ("long overdue", "a mistake", "the only option left", "a first step", "unexpected")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Transliteration endings of capitalized words in the seeds' paragraphs (Zaluzhnyi, Valerii, ...).
ENDING_VARIANTS = (
    (("yi", "iy", "ii", "yy"), ("yi", "iy", "y", "ii", "yy")),
    (("ov",), ("ov", "ow", "off")),
)
MISSPELL = {"ley": "lie", "ll": "l"}  # a rare misspelled surname (Milley -> Millie)
_CAP_WORD_RE = re.compile(r"\b[A-Z][a-z]{3,}\b")

BOILERPLATE_TOP = (
    "Advertisement", "ADVERTISEMENT", "Skip to main content", "Menu", "Sponsored content",
    "NEWYou can now listen to {outlet} articles!", "Breaking News",
)
PROMOS = (
    "Subscribe to our channels in Telegram and Viber.",
    "Sign up for the {outlet} newsletter: the day's top stories in your inbox every morning.",
    "Follow us on Twitter, Facebook and Google News",
    "CLICK HERE TO GET THE {OUTLET} APP",
    "Story continues below advertisement",
    "Advertisement",
    "Support independent journalism. Become a member of {outlet} today.",
    "Read more: {title}",
    "Video of day",
)
TAILS = (
    ("About the Author", "{reporter} is a correspondent for {outlet}.", "Did you find this article useful?"),
    ("Share this article", "Comments"),
    ("{region} Today", "Fresh daily newsletter covering the top headlines and developments in {region}",
     "Daily at 9am EST", "Show more news"),
    ("© {year} {outlet}. All rights reserved.",),
    ("Tags: {region}, war, diplomacy", "Related Topics"),
)


@dataclass(frozen=True)
class Pools:
    """What the seeds give the generator: body paragraphs and headline-like short lines."""

    paragraphs: tuple[str, ...]
    headlines: tuple[str, ...]


def _looks_like_headline(line: str, vocabulary: set[str]) -> bool:
    """5-16 words, not shouting, and naming at least two of the paragraphs' capitalized words."""
    words = re.findall(r"[\w’']+", line)
    return (
        5 <= len(words) <= 16
        and line[0].isupper()
        and not line.isupper()
        and not line.endswith((".", ",", ":", "(", "?", "!"))
        and not any(ch in line for ch in "/()@“”\"")
        and sum(w in vocabulary for w in words) >= 2
    )


@cache
def load_pools(seeds_dir: Path = DEFAULT_SEEDS) -> Pools:
    """Body paragraphs (long lines) and headlines (short title-shaped lines) of every seed."""
    paragraphs: dict[str, None] = {}
    headlines: dict[str, None] = {}
    files = sorted(Path(seeds_dir).glob("*.txt"))
    if not files:
        raise SystemExit(f"no *.txt seeds in {seeds_dir}")
    lines = [line.strip() for path in files for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if len(line) >= 140:
            paragraphs[line] = None
    vocabulary = {w for p in paragraphs for w in _CAP_WORD_RE.findall(p)}
    for line in lines:
        if len(line) < 140 and _looks_like_headline(line, vocabulary):
            headlines[line] = None
    return Pools(tuple(paragraphs), tuple(headlines))


# --------------------------------------------------------------------------- names


def _variant_names(pools: Pools) -> dict[str, tuple[str, ...]]:
    """Capitalized words of the seeds with transliteration variants, e.g. Zaluzhnyi -> Zaluzhny."""
    out: dict[str, tuple[str, ...]] = {}
    for word in sorted({w for p in pools.paragraphs for w in _CAP_WORD_RE.findall(p)}):
        for endings, variants in ENDING_VARIANTS:
            end = next((e for e in endings if word.endswith(e)), None)
            if end:
                stem = word[: -len(end)]
                out[word] = tuple(dict.fromkeys(stem + v for v in variants))
    return out


@cache
def _name_table(seeds_dir: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(_variant_names(load_pools(seeds_dir)).items())


def _respell(text: str, choice: dict[str, str]) -> str:
    if not choice:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(choice, key=len, reverse=True))) + r")\b")
    return pattern.sub(lambda m: choice[m.group(1)], text)


def _person(rng: random.Random) -> tuple[str, str]:
    given = rng.choice(GIVEN)
    spellings = rng.choice(SURNAMES)
    surname = spellings[0] if rng.random() < 0.6 else rng.choice(spellings)
    return given, surname


def _quote_paragraph(rng: random.Random, outlet: str) -> str:
    given, surname = _person(rng)
    quote = rng.choice(QUOTES)
    return rng.choice(QUOTE_TEMPLATES).format(
        quote=quote,
        quote_lower=quote[0].lower() + quote[1:],
        short=rng.choice(SHORT_QUOTES),
        title=rng.choice(TITLES),
        full=f"{given} {surname}",
        surname=surname,
        surname_pos=f"{surname}’s" if rng.random() < 0.8 else f"{surname}'s",
        role=rng.choice(ROLES),
        place=rng.choice(PLACES),
        weekday=rng.choice(WEEKDAYS),
        outlet=outlet,
    )


# --------------------------------------------------------------------------- one article


def _dateline(rng: random.Random, year: int, month: int) -> str:
    day, hour, minute = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
    name = MONTHS[month - 1]
    return rng.choice((
        f"{day} {name} {year}, {hour:02d}:{minute:02d} AM",
        f"Updated: {name} {day}, {year}, {hour:02d}:{minute:02d} UTC",
        f"Published {name[:3]}. {day}, {year} {hour % 12 + 1}:{minute:02d}pm EST",
        f"{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}",
        f"{WEEKDAYS[rng.randrange(7)]}, {day} {name} {year}",
    ))


def _byline(rng: random.Random, outlet: str) -> list[str]:
    a, b = rng.sample(REPORTERS, 2)
    return rng.choice((
        [f"By {a}"],
        [f"By {a} and {b}"],
        ["By:", outlet],
        [f"By {a.upper()}"],
        [f"{a}, {outlet}"],
    ))


def _caption(rng: random.Random, pools: Pools) -> list[str]:
    para = rng.choice(pools.paragraphs)
    words = para.split()
    start = rng.randrange(max(1, len(words) - 14))
    text = " ".join(words[start : start + rng.randint(8, 14)]).strip(",.;:“”\"'") + "."
    photographer = rng.choice(PHOTOGRAPHERS)
    return rng.choice((
        [text, f"(AP Photo/{photographer})"],
        [f"{text[:-1]} / Photo: Associated Press"],
        [f"{text} Photo: Reuters/{photographer}"],
        [f"{text} (Getty Images)"],
    ))


def _title(rng: random.Random, pools: Pools) -> str:
    if pools.headlines and rng.random() < 0.4:
        return rng.choice(pools.headlines)
    given, surname = _person(rng)
    return rng.choice(HEADLINE_TEMPLATES).format(
        full=f"{given} {surname}", surname=surname, place=rng.choice(PLACES), topic=rng.choice(TOPICS)
    )


_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]{4,}(?![\w'’-])")


@cache
def _lower_words(seeds_dir: Path) -> tuple[str, ...]:
    """The seed paragraphs' lowercase words of 4+ letters (the replacement vocabulary)."""
    return tuple(sorted({w for p in load_pools(seeds_dir).paragraphs for w in _LOWER_WORD.findall(p)}))


def _unique(paragraph: str, rng: random.Random, vocabulary: tuple[str, ...], changes: int = 3) -> str:
    """``paragraph`` with ``changes`` lowercase words replaced by other seed words: the same
    length, shape, punctuation and names, but a text (and line fingerprint) no other article has."""
    for _ in range(changes):
        words = list(_LOWER_WORD.finditer(paragraph))
        if not words:
            break
        m = rng.choice(words)
        paragraph = paragraph[: m.start()] + rng.choice(vocabulary) + paragraph[m.end() :]
    return paragraph


def article_blocks(
    i: int, seed: int = 1, revision: int = 0, seeds_dir: Path = DEFAULT_SEEDS, unique: bool = False
) -> tuple[list[list[str]], dict]:
    """The blocks of article ``i`` (each a list of lines) and its rendering choices.

    ``unique``: three words of every body paragraph are replaced by other seed words, so no
    paragraph repeats across articles as the recombined seed paragraphs otherwise do (a real
    archive's paragraphs are unique; the benchmark reports the cleaning stage on both).
    Everything else stays the same, and the default corpus does not change.
    """
    pools = load_pools(seeds_dir)
    rng = random.Random(f"etl-bench:{seed}:{i}")
    outlet, slug = OUTLETS[rng.randrange(len(OUTLETS))]
    year, month = rng.choice((2022, 2023, 2024)), rng.randint(1, 12)
    fmt = {"outlet": outlet, "OUTLET": outlet.upper(), "region": "Ukraine", "year": year,
           "reporter": rng.choice(REPORTERS), "title": _title(rng, pools)}

    # One spelling per name per article, mostly the seed's own.
    choice = {}
    for word, variants in _name_table(seeds_dir):
        if rng.random() < 0.35:
            choice[word] = rng.choice(variants)
    if rng.random() < 0.05:
        for word, _ in _name_table(seeds_dir):
            for old, new in MISSPELL.items():
                if word.endswith(old):
                    choice[word] = word[: -len(old)] + new
                    break

    body: list[str] = []
    target = rng.randint(1200, 2600)
    while sum(len(p) for p in body) < target:
        body.append(_respell(rng.choice(pools.paragraphs), choice))
    if unique:
        changes = random.Random(f"etl-bench:{seed}:{i}:unique")
        body = [_unique(p, changes, _lower_words(seeds_dir)) for p in body]
    for _ in range(rng.randint(1, 3)):
        body.insert(rng.randint(0, len(body)), _quote_paragraph(rng, outlet))
    if rng.random() < 0.3:
        place = rng.choice(PLACES).upper()
        body[0] = f"{place} ({outlet}) – {body[0]}"

    blocks: list[list[str]] = []
    if rng.random() < 0.4:
        blocks.append([rng.choice(BOILERPLATE_TOP).format(**fmt) for _ in range(rng.randint(1, 2))])
    blocks.append([fmt["title"]])
    if rng.random() < 0.2:
        blocks.append([fmt["title"]])  # the title repeated, as scrapers often do
    if rng.random() < 0.7:
        blocks.append(_byline(rng, outlet))
    if rng.random() < 0.8:
        blocks.append([_dateline(rng, year, month)])
    for n, para in enumerate(body):
        blocks.append([para])
        roll = rng.random()
        if n < len(body) - 1 and roll < 0.15:
            blocks.append(_caption(rng, pools))
        elif n < len(body) - 1 and roll < 0.27:
            related = _title(rng, pools)
            blocks.append([related.upper()])
        elif n < len(body) - 1 and roll < 0.37:
            blocks.append([rng.choice(PROMOS).format(**fmt)])
    if rng.random() < 0.4:
        blocks.append([f"(Reporting by {fmt['reporter']}; editing by {rng.choice(REPORTERS)})"])
    if rng.random() < 0.6:
        blocks.append([rng.choice(PROMOS).format(**fmt)])
    if rng.random() < 0.5:
        blocks.extend([line.format(**fmt)] for line in rng.choice(TAILS))

    if revision:
        edit = random.Random(f"etl-bench:{seed}:{i}:rev{revision}")
        at = next(k for k, b in enumerate(blocks) if b[0] in body)
        blocks.insert(at + edit.randint(1, len(body)), [_quote_paragraph(edit, outlet)])

    choices = {
        "slug": slug,
        "year": year,
        "month": month,
        "layout": rng.choices(("blocks", "lines", "wrapped"), (70, 15, 15))[0],
        "wrap": rng.randint(66, 78),
        "encoding": rng.choices(
            ("utf-8", "cp1252", "utf-16", "utf-16-le", "utf-8-sig", "mojibake"), (78, 7, 3, 2, 3, 7)
        )[0],
        "crlf": rng.random() < 0.15,
        "entities": rng.random() < 0.04,
        "no_extension": rng.random() < 0.02,
    }
    return blocks, choices


def _layout(blocks: list[list[str]], layout: str, width: int) -> str:
    if layout == "lines":  # one paragraph per line, no blank lines (a common scraper output)
        return "\n".join(line for block in blocks for line in block) + "\n"
    if layout == "wrapped":  # hard-wrapped paragraphs, blank line between them
        return "\n\n".join(
            "\n".join(textwrap.fill(line, width) if len(line) > width else line for line in block)
            for block in blocks
        ) + "\n"
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _sloppy_cp1252(error: UnicodeDecodeError) -> tuple[str, int]:
    """Bytes cp1252 leaves undefined (0x81, 0x8d, ...) become the C1 control of the same value."""
    return chr(error.object[error.start]), error.start + 1


codecs.register_error("etl-bench-sloppy", _sloppy_cp1252)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "mojibake":  # UTF-8 bytes read as cp1252, saved again as UTF-8
        return text.encode("utf-8").decode("cp1252", "etl-bench-sloppy").encode("utf-8")
    if encoding == "cp1252":
        return text.encode("cp1252", "replace")
    return text.encode(encoding)  # "utf-16" writes a BOM; "utf-16-le" does not


def _entities(text: str) -> str:
    return text.replace(" & ", " &amp; ").replace("’", "&#8217;", 3).replace(" $", "\u00a0$")


def render(
    i: int, seed: int = 1, revision: int = 0, seeds_dir: Path = DEFAULT_SEEDS, unique: bool = False
) -> tuple[str, bytes]:
    """(relative path, file bytes) of article ``i``."""
    blocks, c = article_blocks(i, seed, revision, seeds_dir, unique)
    text = _layout(blocks, c["layout"], c["wrap"])
    if c["entities"]:
        text = _entities(text)
    if c["crlf"]:
        text = text.replace("\n", "\r\n")
    name = f"{i:07d}" + ("" if c["no_extension"] else ".txt")
    return f"{c['slug']}/{c['year']}/{c['month']:02d}/{name}", _encode(text, c["encoding"])


def generate(
    out: Path, articles: int, seed: int = 1, seeds_dir: Path = DEFAULT_SEEDS, unique: bool = False
) -> dict:
    """Write ``articles`` files under ``out`` (which must be empty or absent); returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; choose an empty folder")
    digest = hashlib.sha256()
    total = 0
    for i in range(articles):
        rel, data = render(i, seed, 0, seeds_dir, unique)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        digest.update(rel.encode() + b"\0" + data)
        total += len(data)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "unique_paragraphs": unique,
        "articles": articles,
        "bytes": total,
        "sha256": digest.hexdigest(),
    }
    # A hidden file: the pipeline's walk skips dot files, so it is not an article.
    (out / ".manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True, help="an empty or new folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds-dir", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--unique-paragraphs", action="store_true",
                        help="replace three words of every body paragraph so none repeats across articles")
    args = parser.parse_args(argv)
    m = generate(args.out, args.articles, args.seed, args.seeds_dir, args.unique_paragraphs)
    print(f"{m['articles']} articles, {m['bytes'] / 1e6:.1f} MB in {args.out} (sha256 {m['sha256'][:16]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
