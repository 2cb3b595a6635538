"""The schema: SQLAlchemy 2 models, the contract analysts and checks rely on.

Contract columns (never renamed or removed; add freely around them):

- ``articles(id, source_path, title, published_at, ...)``
- ``paragraphs(id, article_id, position, kind, text)``
- ``people(id, name)``
- ``mentions(id, person_id, paragraph_id, char_start, char_end, surface)``
- ``runs``

The real database is always built by the Alembic migrations in ``migrations/``; these models are
checked against them by ``tests/test_migrations.py``.  Every column carries a ``comment`` so the
schema documents itself (``schema_docs`` view, Datasette metadata and ``docs/schema.md`` are
generated from them).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PARAGRAPH_KINDS = ("body", "heading", "caption")
REMOVED_LABELS = ("title", "dateline", "byline", "credit", "duplicate", "boilerplate")
RUN_STATUSES = ("running", "succeeded", "partial", "failed")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'succeeded', 'partial', 'failed')", name="status"),
        {"comment": "One row per `etl run`: when, what it saw, what it loaded and how it ended."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[str] = mapped_column(Text, comment="UTC start time, ISO 8601")
    finished_at: Mapped[str | None] = mapped_column(Text, comment="UTC end time, ISO 8601; NULL while running")
    status: Mapped[str] = mapped_column(String(16), comment="running, succeeded, partial (some files failed) or failed")
    input_dir: Mapped[str | None] = mapped_column(Text, comment="absolute input folder (NULL for --reprocess only)")
    etl_version: Mapped[str] = mapped_column(String(32), comment="version of the etl package")
    rules_version: Mapped[str] = mapped_column(String(64), comment="version of the cleaning and people rules")
    pid: Mapped[int | None] = mapped_column(Integer, comment="process id of the run")
    files_seen: Mapped[int] = mapped_column(Integer, default=0, comment="input files found")
    files_new: Mapped[int] = mapped_column(Integer, default=0, comment="files loaded for the first time")
    files_changed: Mapped[int] = mapped_column(Integer, default=0, comment="files whose content changed and were reloaded")
    files_unchanged: Mapped[int] = mapped_column(Integer, default=0, comment="files skipped as unchanged")
    files_failed: Mapped[int] = mapped_column(Integer, default=0, comment="files that could not be loaded (see failures)")
    files_deleted: Mapped[int] = mapped_column(Integer, default=0, comment="articles marked deleted because their file disappeared")
    articles_recleaned: Mapped[int] = mapped_column(Integer, default=0, comment="articles re-cleaned from raw_text (new rules, --reprocess or corpus memory)")
    articles: Mapped[int] = mapped_column(Integer, default=0, comment="live articles in the database after the run")
    paragraphs: Mapped[int] = mapped_column(Integer, default=0, comment="paragraphs of live articles after the run")
    people: Mapped[int] = mapped_column(Integer, default=0, comment="people after the run")
    mentions: Mapped[int] = mapped_column(Integer, default=0, comment="mentions after the run")
    seconds: Mapped[float | None] = mapped_column(comment="wall-clock duration")
    message: Mapped[str | None] = mapped_column(Text, comment="why a run failed, when it did")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_published_at", "published_at"),
        Index("ix_articles_outlet", "outlet"),
        Index("ix_articles_deleted_at", "deleted_at"),
        {"comment": "One row per input file: its metadata, original text and provenance."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_path: Mapped[str] = mapped_column(Text, unique=True, comment="path relative to the input folder, '/'-separated")
    title: Mapped[str | None] = mapped_column(Text, comment="headline; NULL when the file has none")
    published_at: Mapped[str | None] = mapped_column(
        Text, comment="publication time, ISO 8601: UTC with +00:00 when the zone is known, date only when no time"
    )
    dateline: Mapped[str | None] = mapped_column(Text, comment="the raw dateline published_at was parsed from")
    outlet: Mapped[str | None] = mapped_column(Text, comment="the outlet or agency, where the text shows it")
    authors: Mapped[str | None] = mapped_column(Text, comment="author names, '; '-separated (details in article_credits)")
    word_count: Mapped[int] = mapped_column(Integer, default=0, comment="words in body and heading paragraphs")
    paragraph_count: Mapped[int] = mapped_column(Integer, default=0, comment="body and heading paragraphs")
    sha256: Mapped[str] = mapped_column(String(64), comment="sha256 of the raw file bytes")
    size_bytes: Mapped[int] = mapped_column(Integer, comment="file size in bytes when loaded")
    mtime_ns: Mapped[int] = mapped_column(Integer, comment="file modification time (ns) when loaded; for the cheap unchanged check")
    encoding: Mapped[str] = mapped_column(String(32), comment="codec that decoded the file, e.g. utf-8, utf-16, cp1252")
    raw_text: Mapped[str] = mapped_column(Text, comment="the decoded original text, so the article can be re-cleaned without its file")
    rules_version: Mapped[str] = mapped_column(String(64), comment="version of the rules that produced the cleaned rows")
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True, comment="run that first loaded the file")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True, comment="run that last (re)loaded or re-cleaned it")
    deleted_at: Mapped[str | None] = mapped_column(Text, comment="UTC time the file was found missing; NULL for live articles")
    deleted_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True, comment="run that noticed the file was gone")


class Paragraph(Base):
    __tablename__ = "paragraphs"
    __table_args__ = (
        UniqueConstraint("article_id", "position", name="uq_paragraphs_article_position"),
        CheckConstraint("kind IN ('body', 'heading', 'caption')", name="kind"),
        {"comment": "Kept text of each article in order: body, heading (subheading) and caption paragraphs."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True, comment="the article"
    )
    position: Mapped[int] = mapped_column(Integer, comment="0-based order within the article")
    kind: Mapped[str] = mapped_column(String(16), comment="body, heading (subheading) or caption (photo caption)")
    text: Mapped[str] = mapped_column(Text, comment="the cleaned paragraph text")
    line_start: Mapped[int] = mapped_column(Integer, comment="0-based first line in the repaired raw text")
    line_end: Mapped[int] = mapped_column(Integer, comment="0-based last line (hard-wrapped lines are joined)")


class RemovedSegment(Base):
    __tablename__ = "removed_segments"
    __table_args__ = (
        CheckConstraint(
            "label IN ('title', 'dateline', 'byline', 'credit', 'duplicate', 'boilerplate')", name="label"
        ),
        Index("ix_removed_segments_label", "label"),
        {"comment": "Every raw segment that did not become a paragraph, with its label and the reason."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True, comment="the article"
    )
    line_start: Mapped[int] = mapped_column(Integer, comment="0-based line number in the repaired raw text")
    line_end: Mapped[int] = mapped_column(Integer, comment="0-based last line")
    label: Mapped[str] = mapped_column(String(16), comment="title, dateline, byline, credit, duplicate or boilerplate")
    reason: Mapped[str] = mapped_column(Text, comment="why the classifier gave this label")
    text: Mapped[str] = mapped_column(Text, comment="the removed text")


class ArticleCredit(Base):
    __tablename__ = "article_credits"
    __table_args__ = (
        Index("ix_article_credits_name", "name"),
        {"comment": "Authors, agencies, editors and photographers credited by bylines and credit lines."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True, comment="the article"
    )
    name: Mapped[str] = mapped_column(Text, comment="person or agency name as credited")
    role: Mapped[str] = mapped_column(String(16), comment="author, agency, reporter, editor or photographer")
    line: Mapped[int] = mapped_column(Integer, comment="0-based raw line of the credit")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = ({"comment": "One row per real person, across all articles."},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, comment="canonical display name: the most complete common form")
    given_name: Mapped[str | None] = mapped_column(Text, comment="given name(s), when known")
    family_name: Mapped[str | None] = mapped_column(Text, comment="family name, when known")
    name_key: Mapped[str] = mapped_column(Text, index=True, comment="normalized lookup key (transliteration-folded family name, or given name for single-name people)")
    mention_count: Mapped[int] = mapped_column(Integer, default=0, comment="mentions in live articles")
    article_count: Mapped[int] = mapped_column(Integer, default=0, comment="live articles mentioning the person")
    curated: Mapped[bool] = mapped_column(Boolean, default=False, comment="an analyst's decision touches this person; never removed automatically")
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True, comment="run that created the person")


class PersonAlias(Base):
    __tablename__ = "person_aliases"
    __table_args__ = (
        UniqueConstraint("person_id", "alias", name="uq_person_aliases_person_alias"),
        Index("ix_person_aliases_alias", "alias"),
        {"comment": "Every surface form a person was written as, with how often."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True, comment="the person")
    alias: Mapped[str] = mapped_column(Text, comment="a surface form, e.g. 'Zaluzhny'")
    count: Mapped[int] = mapped_column(Integer, default=0, comment="mentions written this way (0 for analyst-added aliases not yet seen)")


class Mention(Base):
    __tablename__ = "mentions"
    __table_args__ = (
        Index("ix_mentions_surface", "surface"),
        {"comment": "Each reference to a person by name inside a paragraph: paragraphs.text[char_start:char_end] = surface."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True, comment="the person referred to")
    paragraph_id: Mapped[int] = mapped_column(
        ForeignKey("paragraphs.id", ondelete="CASCADE"), index=True, comment="the paragraph containing it"
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True, comment="the article (denormalized for easy joins)"
    )
    char_start: Mapped[int] = mapped_column(Integer, comment="0-based start offset in paragraphs.text (Python string index)")
    char_end: Mapped[int] = mapped_column(Integer, comment="end offset, exclusive")
    surface: Mapped[str] = mapped_column(Text, comment="the name as written, without titles, ranks or possessive 's")
    article_name: Mapped[str] = mapped_column(Text, comment="the fullest form of this person's name in the same article")


class PersonKey(Base):
    __tablename__ = "person_keys"
    __table_args__ = (
        Index("ix_person_keys_key", "key"),
        {"comment": "Normalized lookup keys that resolve an article's names to people (indexed; analysts' decisions are curated keys)."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(
        Text,
        comment="f:<family>|<given> full name, s:<family> family name alone, g:<given> single name (with anchor_id), "
        "a:<article id>:<key> one article's name (an analyst's split), n:<name> an analyst's name for the person",
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True, comment="the person the key resolves to"
    )
    anchor_id: Mapped[int | None] = mapped_column(
        Integer, index=True, comment="for single-name keys: the main full-named person of the articles naming them"
    )
    curated: Mapped[bool] = mapped_column(Boolean, default=False, comment="set by an analyst's decision; never moved automatically")


class PeopleCuration(Base):
    __tablename__ = "people_curation"
    __table_args__ = ({"comment": "Analysts' decisions about people (merge, split, rename, alias), re-applied by every run."},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(16), comment="merge, split, rename or alias")
    payload: Mapped[str] = mapped_column(Text, comment="the decision's arguments as JSON")
    created_at: Mapped[str] = mapped_column(Text, comment="UTC time of the decision")
    note: Mapped[str | None] = mapped_column(Text, comment="free-text reason given by the analyst")


class Failure(Base):
    __tablename__ = "failures"
    __table_args__ = ({"comment": "Files a run could not load: which, at what stage and why."},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True, comment="the run")
    source_path: Mapped[str] = mapped_column(Text, index=True, comment="path relative to the input folder")
    stage: Mapped[str] = mapped_column(String(16), comment="walk, read, decode, transform or load")
    error: Mapped[str] = mapped_column(Text, comment="the reason, in words")


#: Partial indexes of the corpus-memory tables (migration 0007): the lines found in two articles or
#: more, by count, and the lines whose stored status is set.  See etl.db.load.stored_memory.
RECURRING = text("article_count >= 2")


class LineFingerprint(Base):
    __tablename__ = "line_fingerprints"
    __table_args__ = (
        Index("ix_line_fingerprints_recurring", "article_count", sqlite_where=RECURRING),
        Index("ix_line_fingerprints_flagged", "fingerprint", sqlite_where=text("frequent OR frequent_sentence")),
        {"comment": "Corpus memory: in how many live articles each normalized line occurs."},
    )

    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True, comment="normalized line fingerprint")
    article_count: Mapped[int] = mapped_column(Integer, default=0, comment="live articles containing the line")
    sample: Mapped[str] = mapped_column(Text, comment="one example of the line as written")
    frequent: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="the line counted as recurring boilerplate when articles were last cleaned"
    )
    frequent_sentence: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        comment="the line also counted as recurring boilerplate when sentence-like (in enough other articles and "
        "a large enough share of them) when articles were last cleaned",
    )


class OutletLineFingerprint(Base):
    __tablename__ = "outlet_line_fingerprints"
    __table_args__ = (
        Index("ix_outlet_line_fingerprints_recurring", "article_count", sqlite_where=RECURRING),
        Index("ix_outlet_line_fingerprints_flagged", "outlet", "fingerprint", sqlite_where=text("frequent_sentence")),
        {
            "comment": "Corpus memory per outlet: in how many of an outlet's live articles each normalized line "
            "occurs (articles whose outlet the text tells; the line's text is in line_fingerprints.sample)."
        },
    )

    outlet: Mapped[str] = mapped_column(Text, primary_key=True, comment="the outlet, as in articles.outlet")
    fingerprint: Mapped[str] = mapped_column(
        String(32), primary_key=True, comment="normalized line fingerprint (see line_fingerprints)"
    )
    article_count: Mapped[int] = mapped_column(Integer, default=0, comment="the outlet's live articles containing the line")
    frequent_sentence: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        comment="the line counted as recurring boilerplate when sentence-like, judged within the outlet (in enough "
        "of its other articles and a large enough share of them), when the outlet's articles were last cleaned",
    )


class ArticleFingerprint(Base):
    __tablename__ = "article_fingerprints"
    __table_args__ = ({"comment": "Which normalized lines each article contains (for corpus memory and re-cleaning)."},)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, comment="the article"
    )
    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True, index=True, comment="normalized line fingerprint")
