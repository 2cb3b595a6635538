"""line_fingerprints.frequent_sentence: the long-line state of corpus memory

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:00:00

Corpus memory calls a recurring line boilerplate at two levels: any line found in enough other
articles (``frequent``), and a sentence-like line only when it is also in a large share of them
(long lines recur legitimately: one wire story in several outlets).  Until now only the first level
was stored, so a sentence-like line crossing the second (or falling back below it as the archive
grew) re-cleaned nothing.  The new flag stores the second level; a change of either flag re-cleans
the articles containing the line.  Existing rows start at 0: the next run re-cleans the articles
whose long lines now count as recurring, once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMENT = (
    "the line also counted as recurring boilerplate when sentence-like (in enough other articles and "
    "a large enough share of them) when articles were last cleaned"
)


def upgrade() -> None:
    with op.batch_alter_table("line_fingerprints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("frequent_sentence", sa.Boolean(), nullable=False, server_default=sa.false(), comment=COMMENT)
        )
    op.get_bind().exec_driver_sql(
        "INSERT INTO schema_docs (table_name, column_name, value, description) VALUES (?, ?, ?, ?)",
        ("line_fingerprints", "frequent_sentence", None, COMMENT),
    )


def downgrade() -> None:
    op.execute("DELETE FROM schema_docs WHERE table_name = 'line_fingerprints' AND column_name = 'frequent_sentence'")
    with op.batch_alter_table("line_fingerprints", schema=None) as batch_op:
        batch_op.drop_column("frequent_sentence")
