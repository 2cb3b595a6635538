"""A deterministic synthetic corpus for the operational tests (incremental, crash, concurrency).

``make_corpus(folder, n)`` writes ``n`` small article files recombined from the repository's
seeds: a title, a byline, a few paragraphs from different seeds, some recurring outlet furniture
(so corpus memory has lines to learn), a few cp1252 and UTF-16 files, spread over sub-folders.
The same ``(n, seed)`` always gives the same bytes, so two folders made alike load alike.
"""

from __future__ import annotations

import random
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

FURNITURE = (
    "Subscribe to our daily newsletter",
    "Follow us on Telegram for the latest updates",
    "Kyiv Chronicle | Daily at 9am EST",
    "Read more: the war in maps",
    "Advertisement",
)


def seed_paragraphs() -> list[str]:
    """Body-like paragraphs of the seeds (long lines only, so they stay article text)."""
    out: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for block in path.read_text(encoding="utf-8").splitlines():
            block = block.strip()
            if len(block) > 120:
                out.append(block)
    return out


def article_text(i: int, rng: random.Random, paragraphs: list[str]) -> str:
    title = f"Report {i}: " + rng.choice(paragraphs).split(".")[0][:80]
    body = rng.sample(paragraphs, k=rng.randint(2, 5))
    lines = [title, "", f"By Staff Reporter {i % 7}", ""]
    if rng.random() < 0.6:
        lines += [rng.choice(FURNITURE), ""]
    for k, para in enumerate(body):
        lines += [f"{para} (item {i}.{k})", ""]
    if rng.random() < 0.5:
        lines += [rng.choice(FURNITURE)]
    return "\n".join(lines) + "\n"


def make_corpus(folder: Path, n: int, seed: int = 7) -> list[Path]:
    """Write ``n`` article files under ``folder`` (created); returns their paths in sorted order."""
    rng = random.Random(seed)
    paragraphs = seed_paragraphs()
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i in range(n):
        sub = folder / f"batch{i % 4}"
        sub.mkdir(exist_ok=True)
        path = sub / f"article_{i:04d}.txt"
        text = article_text(i, rng, paragraphs)
        kind = i % 23
        if kind == 5:
            data = text.replace("’", "'").replace("“", '"').replace("”", '"').encode("cp1252", "replace")
        elif kind == 11:
            data = text.encode("utf-16")
        else:
            data = text.encode("utf-8")
        path.write_bytes(data)
        paths.append(path)
    return sorted(paths)
