"""outlet_line_fingerprints: corpus memory per outlet

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 09:00:00

Corpus memory calls a sentence-like line boilerplate only when it is in many other articles AND a
large share of them (one wire story recurs legitimately across outlets).  Judged over the whole
corpus, an outlet's own furniture sentence (a newsroom's self-description, an author box) is in
every one of that outlet's articles but in only a small share of a many-outlet archive, so it was
never learnt.  This table counts each line within each outlet's articles (``articles.outlet``,
where the text tells the outlet), and its flag records whether the line counted as recurring
within the outlet when the outlet's articles were last cleaned; a flip re-cleans them.

The counts are filled from what is stored (``article_fingerprints`` of live articles with an
outlet).  The flags start at 0, as no article was cleaned with per-outlet counts yet: the next run
finds the lines that now count as recurring within their outlet and re-cleans, once, the articles
of that outlet containing them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The schema_docs rows of the new table, as ``python -m etl.docs --revision-rows`` printed them.
DOCS = [
    (
        "outlet_line_fingerprints",
        None,
        None,
        "Corpus memory per outlet: in how many of an outlet's live articles each normalized line occurs "
        "(articles whose outlet the text tells; the line's text is in line_fingerprints.sample).",
    ),
    ("outlet_line_fingerprints", "outlet", None, "the outlet, as in articles.outlet"),
    ("outlet_line_fingerprints", "fingerprint", None, "normalized line fingerprint (see line_fingerprints)"),
    ("outlet_line_fingerprints", "article_count", None, "the outlet's live articles containing the line"),
    (
        "outlet_line_fingerprints",
        "frequent_sentence",
        None,
        "the line counted as recurring boilerplate when sentence-like, judged within the outlet (in enough "
        "of its other articles and a large enough share of them), when the outlet's articles were last cleaned",
    ),
]


def upgrade() -> None:
    op.create_table(
        "outlet_line_fingerprints",
        sa.Column("outlet", sa.Text(), nullable=False, comment=DOCS[1][3]),
        sa.Column("fingerprint", sa.String(length=32), nullable=False, comment=DOCS[2][3]),
        sa.Column("article_count", sa.Integer(), nullable=False, comment=DOCS[3][3]),
        sa.Column("frequent_sentence", sa.Boolean(), server_default=sa.false(), nullable=False, comment=DOCS[4][3]),
        sa.PrimaryKeyConstraint("outlet", "fingerprint", name=op.f("pk_outlet_line_fingerprints")),
        comment=DOCS[0][3],
    )
    bind = op.get_bind()
    bind.exec_driver_sql(
        "INSERT INTO outlet_line_fingerprints (outlet, fingerprint, article_count, frequent_sentence) "
        "SELECT a.outlet, af.fingerprint, count(*), 0 FROM article_fingerprints af "
        "JOIN articles a ON a.id = af.article_id "
        "WHERE a.deleted_at IS NULL AND a.outlet IS NOT NULL GROUP BY a.outlet, af.fingerprint"
    )
    for row in DOCS:
        bind.exec_driver_sql(
            "INSERT INTO schema_docs (table_name, column_name, value, description) VALUES (?, ?, ?, ?)", row
        )


def downgrade() -> None:
    op.execute("DELETE FROM schema_docs WHERE table_name = 'outlet_line_fingerprints'")
    op.drop_table("outlet_line_fingerprints")
