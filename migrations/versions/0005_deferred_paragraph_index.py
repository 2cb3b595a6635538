"""paragraphs_fts_pending: the writer indexes a batch's new paragraphs in one statement

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:00:00

FTS5 writes its pending index data to a new segment at the end of every statement that touches
the index.  Through the insert trigger, each article's paragraph INSERT was such a statement, so a
cold load of 10,000 articles wrote 10,000 tiny segments and merged them again: indexing cost 1.5 s
of the writer's CPU where one statement per batch costs 0.4 s.

The triggers stay (every client's writes keep the index right), with one condition: they skip the
paragraphs of articles listed in ``paragraphs_fts_pending``.  The nightly run lists each article
it writes there, inside its write transaction, and before committing indexes those articles'
paragraphs in one statement and empties the table (``etl.db.load.index_pending_paragraphs``).
Outside a run's open transaction the table is always empty, so other readers and writers see the
old behaviour exactly.  Deleting or changing a listed article's paragraphs within the same
transaction skips the index too: they were never indexed.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE_DOC = (
    "Articles whose paragraphs a run has written but not yet added to paragraphs_fts, inside its "
    "write transaction; always empty outside it (internal)."
)
FTS_DOC = (
    "FTS5 full-text index of paragraphs.text (external content: rowid = paragraphs.id), kept in "
    "sync by triggers (a run indexes each batch's paragraphs in one statement before it commits). "
    "Query with paragraphs_fts MATCH '...', snippet() and bm25()."
)
OLD_FTS_DOC = (
    "FTS5 full-text index of paragraphs.text (external content: rowid = paragraphs.id), kept in "
    "sync by triggers. Query with paragraphs_fts MATCH '...', snippet() and bm25()."
)
_SET_FTS_DOC = "UPDATE schema_docs SET description = ? WHERE table_name = 'paragraphs_fts' AND column_name IS NULL"

_NOT_PENDING = "NOT EXISTS (SELECT 1 FROM paragraphs_fts_pending WHERE article_id = {row}.article_id)"

TRIGGERS = {
    "paragraphs_fts_ai": f"""\
CREATE TRIGGER paragraphs_fts_ai AFTER INSERT ON paragraphs WHEN {_NOT_PENDING.format(row="new")} BEGIN
    INSERT INTO paragraphs_fts (rowid, text) VALUES (new.id, new.text);
END""",
    "paragraphs_fts_ad": f"""\
CREATE TRIGGER paragraphs_fts_ad AFTER DELETE ON paragraphs WHEN {_NOT_PENDING.format(row="old")} BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END""",
    "paragraphs_fts_au": f"""\
CREATE TRIGGER paragraphs_fts_au AFTER UPDATE OF id, text ON paragraphs WHEN {_NOT_PENDING.format(row="old")} BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO paragraphs_fts (rowid, text) VALUES (new.id, new.text);
END""",
}

#: The triggers as revision 0002 made them, for the downgrade.
OLD_TRIGGERS = {
    "paragraphs_fts_ai": """\
CREATE TRIGGER paragraphs_fts_ai AFTER INSERT ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (rowid, text) VALUES (new.id, new.text);
END""",
    "paragraphs_fts_ad": """\
CREATE TRIGGER paragraphs_fts_ad AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END""",
    "paragraphs_fts_au": """\
CREATE TRIGGER paragraphs_fts_au AFTER UPDATE OF id, text ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO paragraphs_fts (rowid, text) VALUES (new.id, new.text);
END""",
}


def _replace_triggers(triggers: dict[str, str]) -> None:
    for name, sql in triggers.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(sql)


def upgrade() -> None:
    op.execute("CREATE TABLE paragraphs_fts_pending (article_id INTEGER PRIMARY KEY)")
    _replace_triggers(TRIGGERS)
    op.get_bind().exec_driver_sql(
        "INSERT INTO schema_docs (table_name, column_name, value, description) VALUES (?, ?, ?, ?)",
        [
            ("paragraphs_fts_pending", None, None, TABLE_DOC),
            ("paragraphs_fts_pending", "article_id", None, "articles.id"),
        ],
    )
    op.get_bind().exec_driver_sql(_SET_FTS_DOC, (FTS_DOC,))


def downgrade() -> None:
    op.execute("DELETE FROM schema_docs WHERE table_name = 'paragraphs_fts_pending'")
    op.get_bind().exec_driver_sql(_SET_FTS_DOC, (OLD_FTS_DOC,))
    _replace_triggers(OLD_TRIGGERS)
    op.execute("DROP TABLE paragraphs_fts_pending")
