"""indexes for the corpus-memory step: it reads the lines that can change status, not every line

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 10:00:00

Every run ends by bringing the articles in line with the corpus memory: it loads the lines frequent
enough to matter and looks for lines whose stored status (``frequent``, ``frequent_sentence``)
no longer matches their counts.  Both read every row of ``line_fingerprints`` and
``outlet_line_fingerprints``: one row per distinct line of the archive, most of them found once.
That is a cost in proportion to the archive on every run, a no-op included (10 to 15 ms per scan
at 10,000 articles, several per run).

Two kinds of partial index make those reads proportional to what can change status:

- ``ix_*_recurring``: the lines found in at least two articles, by count.  A line can only be
  frequent at a count of at least ``CorpusMemory.threshold`` (2 or more: the rules insist on at
  least one other article), so the queries add ``article_count >= 2`` and range over this index.
  Lines found once (most of them) never enter it, so the writer pays for it only on recurring lines.
- ``ix_*_flagged``: the lines whose stored status is set.  Flags change only in the memory step, so
  the writer never pays for it; it finds the lines whose count fell below a level since.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_line_fingerprints_recurring", "line_fingerprints", "article_count", "article_count >= 2"),
    ("ix_line_fingerprints_flagged", "line_fingerprints", "fingerprint", "frequent OR frequent_sentence"),
    ("ix_outlet_line_fingerprints_recurring", "outlet_line_fingerprints", "article_count", "article_count >= 2"),
    ("ix_outlet_line_fingerprints_flagged", "outlet_line_fingerprints", "outlet, fingerprint", "frequent_sentence"),
]


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} ({columns}) WHERE {where}")


def downgrade() -> None:
    for name, *_ in INDEXES:
        op.execute(f"DROP INDEX {name}")
