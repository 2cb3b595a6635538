"""person_keys: indexed lookup keys for resolving names to people

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:00:00

Global people resolution (etl/resolve.py) looks names up by normalized keys instead of comparing
against every person: one person has several keys (full name with each given-name group, family
name alone, a single name anchored to the article's main person), and analysts' decisions are
stored as curated keys that automatic resolution never moves.  Only a new table: people is not
rebuilt, so the views and FTS triggers of 0002 are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCS = [
    ("person_keys", None, None, "Normalized lookup keys that resolve an article's names to people (indexed; analysts' decisions are curated keys)."),
    ("person_keys", "id", None, "row id (primary key)"),
    ("person_keys", "key", None, "f:<family>|<given> full name, s:<family> family name alone, g:<given> single name (with anchor_id), a:<article id>:<key> one article's name (an analyst's split), n:<name> an analyst's name for the person"),
    ("person_keys", "person_id", None, "the person the key resolves to"),
    ("person_keys", "anchor_id", None, "for single-name keys: the main full-named person of the articles naming them"),
    ("person_keys", "curated", None, "set by an analyst's decision; never moved automatically"),
]


def upgrade() -> None:
    op.create_table(
        "person_keys",
        sa.Column("id", sa.Integer(), nullable=False, comment="row id (primary key)"),
        sa.Column("key", sa.Text(), nullable=False, comment=DOCS[2][3]),
        sa.Column("person_id", sa.Integer(), nullable=False, comment="the person the key resolves to"),
        sa.Column("anchor_id", sa.Integer(), nullable=True, comment=DOCS[4][3]),
        sa.Column("curated", sa.Boolean(), nullable=False, comment=DOCS[5][3]),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_person_keys_person_id_people"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_keys")),
        comment=DOCS[0][3],
    )
    with op.batch_alter_table("person_keys", schema=None) as batch_op:
        batch_op.create_index("ix_person_keys_key", ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_keys_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_keys_anchor_id"), ["anchor_id"], unique=False)
    op.get_bind().exec_driver_sql(
        "INSERT INTO schema_docs (table_name, column_name, value, description) VALUES (?, ?, ?, ?)", DOCS
    )


def downgrade() -> None:
    op.execute("DELETE FROM schema_docs WHERE table_name = 'person_keys'")
    with op.batch_alter_table("person_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_keys_anchor_id"))
        batch_op.drop_index(batch_op.f("ix_person_keys_person_id"))
        batch_op.drop_index("ix_person_keys_key")
    op.drop_table("person_keys")
