"""analyst views, full-text search and schema_docs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:00:00

For analysts (issue 6):

- views that leave deleted articles out: v_articles, v_people, v_mentions, v_person_articles,
  v_cooccurrence_article, v_cooccurrence_paragraph (readable copies in sql/views/);
- paragraphs_fts: an FTS5 external-content index of paragraphs.text, declared
  ``content="paragraphs"`` (double quotes: the form Datasette detects), synced by triggers;
- people_fts: an FTS5 index of people's names and aliases, rowid = people.id.  It is a plain FTS5
  table (it stores its own small copy of the text): an external-content or contentless table must
  be given the exact old values to delete a row, which a trigger on person_aliases cannot know
  once the alias list has changed, and SQLite 3.40 has no contentless_delete.  Triggers on people
  and person_aliases delete the person's row by rowid and insert it again from the current tables;
- schema_docs: descriptions of every table, view and column and of coded values, written from
  the models' comments when this revision was made (``python -m etl.docs --revision-rows``).

Everything is inline SQL: this revision must keep meaning what it meant when it was written.
A later revision that rebuilds paragraphs, people or person_aliases in batch mode must drop the
views first and recreate the views and the FTS triggers afterwards (a rebuild silently drops
triggers), then run the 'rebuild' of the FTS tables.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


VIEWS = {
    "v_articles": """\
CREATE VIEW v_articles AS
SELECT
    a.id AS article_id,
    a.title,
    a.outlet,
    a.published_at,
    a.authors,
    a.source_path,
    a.word_count,
    (SELECT count(*) FROM paragraphs AS p WHERE p.article_id = a.id AND p.kind IN ('body', 'heading')) AS paragraph_count,
    (SELECT count(*) FROM paragraphs AS p WHERE p.article_id = a.id AND p.kind = 'caption') AS caption_count,
    (SELECT count(*) FROM removed_segments AS r WHERE r.article_id = a.id) AS removed_count,
    (SELECT count(*) FROM mentions AS m WHERE m.article_id = a.id) AS mention_count,
    (SELECT count(DISTINCT m.person_id) FROM mentions AS m WHERE m.article_id = a.id) AS person_count
FROM articles AS a
WHERE a.deleted_at IS NULL
""",
    "v_people": """\
CREATE VIEW v_people AS
WITH live AS (
    SELECT m.person_id, m.paragraph_id, m.article_id, a.outlet, a.published_at
    FROM mentions AS m
    JOIN articles AS a ON a.id = m.article_id
    WHERE a.deleted_at IS NULL
),
stats AS (
    SELECT
        person_id,
        count(*) AS mention_count,
        count(DISTINCT article_id) AS article_count,
        count(DISTINCT outlet) AS outlet_count,
        min(published_at) AS first_published_at,
        max(published_at) AS last_published_at
    FROM live
    GROUP BY person_id
)
SELECT
    pe.id AS person_id,
    pe.name,
    coalesce(s.mention_count, 0) AS mention_count,
    coalesce(s.article_count, 0) AS article_count,
    coalesce(s.outlet_count, 0) AS outlet_count,
    (SELECT count(*) FROM person_aliases AS pa WHERE pa.person_id = pe.id) AS alias_count,
    s.first_published_at,
    s.last_published_at,
    (SELECT group_concat(outlet, '; ')
       FROM (SELECT DISTINCT l.outlet FROM live AS l
             WHERE l.person_id = pe.id AND l.outlet IS NOT NULL ORDER BY l.outlet)) AS outlets,
    pe.curated
FROM people AS pe
LEFT JOIN stats AS s ON s.person_id = pe.id
""",
    "v_mentions": """\
CREATE VIEW v_mentions AS
SELECT
    m.id AS mention_id,
    m.person_id,
    pe.name AS person_name,
    m.surface,
    m.article_name,
    m.article_id,
    a.title,
    a.outlet,
    a.published_at,
    a.source_path,
    m.paragraph_id,
    p.kind AS paragraph_kind,
    p.position AS paragraph_position,
    m.char_start,
    m.char_end,
    p.text AS paragraph_text
FROM mentions AS m
JOIN people AS pe ON pe.id = m.person_id
JOIN paragraphs AS p ON p.id = m.paragraph_id
JOIN articles AS a ON a.id = m.article_id
WHERE a.deleted_at IS NULL
""",
    "v_person_articles": """\
CREATE VIEW v_person_articles AS
SELECT
    m.person_id,
    pe.name AS person_name,
    m.article_id,
    a.title,
    a.outlet,
    a.published_at,
    count(*) AS mention_count,
    count(DISTINCT m.paragraph_id) AS paragraph_count
FROM mentions AS m
JOIN people AS pe ON pe.id = m.person_id
JOIN articles AS a ON a.id = m.article_id
WHERE a.deleted_at IS NULL
GROUP BY m.person_id, m.article_id
""",
    "v_cooccurrence_article": """\
CREATE VIEW v_cooccurrence_article AS
WITH person_article AS (
    SELECT DISTINCT m.person_id, m.article_id, a.published_at
    FROM mentions AS m
    JOIN articles AS a ON a.id = m.article_id
    WHERE a.deleted_at IS NULL
)
SELECT
    x.person_id AS person_a_id,
    pa.name AS person_a_name,
    y.person_id AS person_b_id,
    pb.name AS person_b_name,
    count(*) AS article_count,
    min(x.published_at) AS first_published_at,
    max(x.published_at) AS last_published_at
FROM person_article AS x
JOIN person_article AS y ON y.article_id = x.article_id AND x.person_id < y.person_id
JOIN people AS pa ON pa.id = x.person_id
JOIN people AS pb ON pb.id = y.person_id
GROUP BY x.person_id, y.person_id
""",
    "v_cooccurrence_paragraph": """\
CREATE VIEW v_cooccurrence_paragraph AS
WITH person_paragraph AS (
    SELECT DISTINCT m.person_id, m.paragraph_id, m.article_id
    FROM mentions AS m
    JOIN articles AS a ON a.id = m.article_id
    WHERE a.deleted_at IS NULL
)
SELECT
    x.person_id AS person_a_id,
    pa.name AS person_a_name,
    y.person_id AS person_b_id,
    pb.name AS person_b_name,
    count(*) AS paragraph_count,
    count(DISTINCT x.article_id) AS article_count
FROM person_paragraph AS x
JOIN person_paragraph AS y ON y.paragraph_id = x.paragraph_id AND x.person_id < y.person_id
JOIN people AS pa ON pa.id = x.person_id
JOIN people AS pb ON pb.id = y.person_id
GROUP BY x.person_id, y.person_id
""",
}


PARAGRAPHS_FTS = (
    'CREATE VIRTUAL TABLE paragraphs_fts USING fts5(text, content="paragraphs", content_rowid="id", '
    'tokenize="unicode61 remove_diacritics 2")'
)
PEOPLE_FTS = 'CREATE VIRTUAL TABLE people_fts USING fts5(name, aliases, tokenize="unicode61 remove_diacritics 2")'


def _aliases(person_id: str) -> str:
    """SQL for a person's aliases, '; '-separated, alphabetical."""
    return (
        "(SELECT group_concat(alias, '; ') FROM "
        f"(SELECT alias FROM person_aliases WHERE person_id = {person_id} ORDER BY alias))"
    )



TRIGGERS = {
    # paragraphs_fts: the documented external-content recipe; 'delete' needs the old values.
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
    # people_fts: delete a person's row by rowid, insert it again from the current tables.
    "people_fts_ai": f"""\
CREATE TRIGGER people_fts_ai AFTER INSERT ON people BEGIN
    INSERT INTO people_fts (rowid, name, aliases) VALUES (new.id, new.name, {_aliases("new.id")});
END""",
    "people_fts_ad": """\
CREATE TRIGGER people_fts_ad AFTER DELETE ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.id;
END""",
    "people_fts_au": f"""\
CREATE TRIGGER people_fts_au AFTER UPDATE OF id, name ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.id;
    INSERT INTO people_fts (rowid, name, aliases) VALUES (new.id, new.name, {_aliases("new.id")});
END""",
    "person_aliases_fts_ai": f"""\
CREATE TRIGGER person_aliases_fts_ai AFTER INSERT ON person_aliases BEGIN
    DELETE FROM people_fts WHERE rowid = new.person_id;
    INSERT INTO people_fts (rowid, name, aliases)
        SELECT id, name, {_aliases("people.id")} FROM people WHERE id = new.person_id;
END""",
    "person_aliases_fts_ad": f"""\
CREATE TRIGGER person_aliases_fts_ad AFTER DELETE ON person_aliases BEGIN
    DELETE FROM people_fts WHERE rowid = old.person_id;
    INSERT INTO people_fts (rowid, name, aliases)
        SELECT id, name, {_aliases("people.id")} FROM people WHERE id = old.person_id;
END""",
    "person_aliases_fts_au": f"""\
CREATE TRIGGER person_aliases_fts_au AFTER UPDATE OF person_id, alias ON person_aliases BEGIN
    DELETE FROM people_fts WHERE rowid IN (old.person_id, new.person_id);
    INSERT INTO people_fts (rowid, name, aliases)
        SELECT id, name, {_aliases("people.id")} FROM people WHERE id IN (old.person_id, new.person_id);
END""",
}

SCHEMA_DOCS_TABLE = """\
CREATE TABLE schema_docs (
    table_name TEXT NOT NULL,
    column_name TEXT,
    value TEXT,
    description TEXT NOT NULL
)"""

# (table_name, column_name, value, description), from `python -m etl.docs --revision-rows`.
SCHEMA_DOCS = [
    ('articles', None, None, 'One row per input file: its metadata, original text and provenance.'),
    ('articles', 'id', None, 'row id (primary key)'),
    ('articles', 'source_path', None, "path relative to the input folder, '/'-separated"),
    ('articles', 'title', None, 'headline; NULL when the file has none'),
    ('articles', 'published_at', None, 'publication time, ISO 8601: UTC with +00:00 when the zone is known, date only when no time'),
    ('articles', 'dateline', None, 'the raw dateline published_at was parsed from'),
    ('articles', 'outlet', None, 'the outlet or agency, where the text shows it'),
    ('articles', 'authors', None, "author names, '; '-separated (details in article_credits)"),
    ('articles', 'word_count', None, 'words in body and heading paragraphs'),
    ('articles', 'paragraph_count', None, 'body and heading paragraphs'),
    ('articles', 'sha256', None, 'sha256 of the raw file bytes'),
    ('articles', 'size_bytes', None, 'file size in bytes when loaded'),
    ('articles', 'mtime_ns', None, 'file modification time (ns) when loaded; for the cheap unchanged check'),
    ('articles', 'encoding', None, 'codec that decoded the file, e.g. utf-8, utf-16, cp1252'),
    ('articles', 'raw_text', None, 'the decoded original text, so the article can be re-cleaned without its file'),
    ('articles', 'rules_version', None, 'version of the rules that produced the cleaned rows'),
    ('articles', 'first_run_id', None, 'run that first loaded the file'),
    ('articles', 'run_id', None, 'run that last (re)loaded or re-cleaned it'),
    ('articles', 'deleted_at', None, 'UTC time the file was found missing; NULL for live articles'),
    ('articles', 'deleted_run_id', None, 'run that noticed the file was gone'),
    ('paragraphs', None, None, 'Kept text of each article in order: body, heading (subheading) and caption paragraphs.'),
    ('paragraphs', 'id', None, 'row id (primary key)'),
    ('paragraphs', 'article_id', None, 'the article'),
    ('paragraphs', 'position', None, '0-based order within the article'),
    ('paragraphs', 'kind', None, 'body, heading (subheading) or caption (photo caption)'),
    ('paragraphs', 'kind', 'body', 'running text of the article'),
    ('paragraphs', 'kind', 'heading', 'a subheading inside the article (the headline itself is articles.title)'),
    ('paragraphs', 'kind', 'caption', 'a photo or video caption; kept as a paragraph so analysts can include or exclude it, but not counted in articles.word_count or articles.paragraph_count'),
    ('paragraphs', 'text', None, 'the cleaned paragraph text'),
    ('paragraphs', 'line_start', None, '0-based first line in the repaired raw text'),
    ('paragraphs', 'line_end', None, '0-based last line (hard-wrapped lines are joined)'),
    ('removed_segments', None, None, 'Every raw segment that did not become a paragraph, with its label and the reason.'),
    ('removed_segments', 'id', None, 'row id (primary key)'),
    ('removed_segments', 'article_id', None, 'the article'),
    ('removed_segments', 'line_start', None, '0-based line number in the repaired raw text'),
    ('removed_segments', 'line_end', None, '0-based last line'),
    ('removed_segments', 'label', None, 'title, dateline, byline, credit, duplicate or boilerplate'),
    ('removed_segments', 'label', 'title', 'the headline (stored in articles.title) and repeats of it'),
    ('removed_segments', 'label', 'dateline', 'the publication date/time line (parsed into articles.published_at, kept as articles.dateline)'),
    ('removed_segments', 'label', 'byline', "an author line such as 'By: Reuters' (names go to article_credits)"),
    ('removed_segments', 'label', 'credit', "a photo, agency or reporting credit such as '(AP Photo/...)' or '(Reporting by ...)'"),
    ('removed_segments', 'label', 'duplicate', 'a repeat of text already kept earlier in the same article'),
    ('removed_segments', 'label', 'boilerplate', 'ads, promos, newsletter/app/share prompts, author blurbs, related headlines and lines that recur across many articles (corpus memory)'),
    ('removed_segments', 'reason', None, 'why the classifier gave this label'),
    ('removed_segments', 'text', None, 'the removed text'),
    ('article_credits', None, None, 'Authors, agencies, editors and photographers credited by bylines and credit lines.'),
    ('article_credits', 'id', None, 'row id (primary key)'),
    ('article_credits', 'article_id', None, 'the article'),
    ('article_credits', 'name', None, 'person or agency name as credited'),
    ('article_credits', 'role', None, 'author, agency, reporter, editor or photographer'),
    ('article_credits', 'line', None, '0-based raw line of the credit'),
    ('people', None, None, 'One row per real person, across all articles.'),
    ('people', 'id', None, 'row id (primary key)'),
    ('people', 'name', None, 'canonical display name: the most complete common form'),
    ('people', 'given_name', None, 'given name(s), when known'),
    ('people', 'family_name', None, 'family name, when known'),
    ('people', 'name_key', None, 'normalized lookup key (transliteration-folded family name, or given name for single-name people)'),
    ('people', 'mention_count', None, 'mentions in live articles'),
    ('people', 'article_count', None, 'live articles mentioning the person'),
    ('people', 'curated', None, "an analyst's decision touches this person; never removed automatically"),
    ('people', 'first_run_id', None, 'run that created the person'),
    ('person_aliases', None, None, 'Every surface form a person was written as, with how often.'),
    ('person_aliases', 'id', None, 'row id (primary key)'),
    ('person_aliases', 'person_id', None, 'the person'),
    ('person_aliases', 'alias', None, "a surface form, e.g. 'Zaluzhny'"),
    ('person_aliases', 'count', None, 'mentions written this way (0 for analyst-added aliases not yet seen)'),
    ('mentions', None, None, 'Each reference to a person by name inside a paragraph: paragraphs.text[char_start:char_end] = surface.'),
    ('mentions', 'id', None, 'row id (primary key)'),
    ('mentions', 'person_id', None, 'the person referred to'),
    ('mentions', 'paragraph_id', None, 'the paragraph containing it'),
    ('mentions', 'article_id', None, 'the article (denormalized for easy joins)'),
    ('mentions', 'char_start', None, '0-based start offset in paragraphs.text (Python string index)'),
    ('mentions', 'char_end', None, 'end offset, exclusive'),
    ('mentions', 'surface', None, "the name as written, without titles, ranks or possessive 's"),
    ('mentions', 'article_name', None, "the fullest form of this person's name in the same article"),
    ('people_curation', None, None, "Analysts' decisions about people (merge, split, rename, alias), re-applied by every run."),
    ('people_curation', 'id', None, 'row id (primary key)'),
    ('people_curation', 'action', None, 'merge, split, rename or alias'),
    ('people_curation', 'payload', None, "the decision's arguments as JSON"),
    ('people_curation', 'created_at', None, 'UTC time of the decision'),
    ('people_curation', 'note', None, 'free-text reason given by the analyst'),
    ('runs', None, None, 'One row per `etl run`: when, what it saw, what it loaded and how it ended.'),
    ('runs', 'id', None, 'row id (primary key)'),
    ('runs', 'started_at', None, 'UTC start time, ISO 8601'),
    ('runs', 'finished_at', None, 'UTC end time, ISO 8601; NULL while running'),
    ('runs', 'status', None, 'running, succeeded, partial (some files failed) or failed'),
    ('runs', 'input_dir', None, 'absolute input folder (NULL for --reprocess only)'),
    ('runs', 'etl_version', None, 'version of the etl package'),
    ('runs', 'rules_version', None, 'version of the cleaning and people rules'),
    ('runs', 'pid', None, 'process id of the run'),
    ('runs', 'files_seen', None, 'input files found'),
    ('runs', 'files_new', None, 'files loaded for the first time'),
    ('runs', 'files_changed', None, 'files whose content changed and were reloaded'),
    ('runs', 'files_unchanged', None, 'files skipped as unchanged'),
    ('runs', 'files_failed', None, 'files that could not be loaded (see failures)'),
    ('runs', 'files_deleted', None, 'articles marked deleted because their file disappeared'),
    ('runs', 'articles_recleaned', None, 'articles re-cleaned from raw_text (new rules, --reprocess or corpus memory)'),
    ('runs', 'articles', None, 'live articles in the database after the run'),
    ('runs', 'paragraphs', None, 'paragraphs of live articles after the run'),
    ('runs', 'people', None, 'people after the run'),
    ('runs', 'mentions', None, 'mentions after the run'),
    ('runs', 'seconds', None, 'wall-clock duration'),
    ('runs', 'message', None, 'why a run failed, when it did'),
    ('failures', None, None, 'Files a run could not load: which, at what stage and why.'),
    ('failures', 'id', None, 'row id (primary key)'),
    ('failures', 'run_id', None, 'the run'),
    ('failures', 'source_path', None, 'path relative to the input folder'),
    ('failures', 'stage', None, 'walk, read, decode, transform or load'),
    ('failures', 'error', None, 'the reason, in words'),
    ('line_fingerprints', None, None, 'Corpus memory: in how many live articles each normalized line occurs.'),
    ('line_fingerprints', 'fingerprint', None, 'normalized line fingerprint'),
    ('line_fingerprints', 'article_count', None, 'live articles containing the line'),
    ('line_fingerprints', 'sample', None, 'one example of the line as written'),
    ('line_fingerprints', 'frequent', None, 'the line counted as recurring boilerplate when articles were last cleaned'),
    ('article_fingerprints', None, None, 'Which normalized lines each article contains (for corpus memory and re-cleaning).'),
    ('article_fingerprints', 'article_id', None, 'the article'),
    ('article_fingerprints', 'fingerprint', None, 'normalized line fingerprint'),
    ('v_mentions', None, None, 'Every mention of a person in a live article, with the person, the article and the paragraph.'),
    ('v_mentions', 'mention_id', None, 'mentions.id'),
    ('v_mentions', 'person_id', None, 'people.id of the person referred to'),
    ('v_mentions', 'person_name', None, "the person's canonical name (people.name)"),
    ('v_mentions', 'surface', None, 'the name as written in this place'),
    ('v_mentions', 'article_name', None, "the fullest form of the person's name in the same article"),
    ('v_mentions', 'article_id', None, 'articles.id'),
    ('v_mentions', 'title', None, "the article's headline"),
    ('v_mentions', 'outlet', None, "the article's outlet or agency"),
    ('v_mentions', 'published_at', None, "the article's publication time, ISO 8601"),
    ('v_mentions', 'source_path', None, "the article's file, relative to the input folder"),
    ('v_mentions', 'paragraph_id', None, 'paragraphs.id'),
    ('v_mentions', 'paragraph_kind', None, 'body, heading or caption'),
    ('v_mentions', 'paragraph_position', None, '0-based order of the paragraph within the article'),
    ('v_mentions', 'char_start', None, '0-based start offset of the surface in paragraph_text'),
    ('v_mentions', 'char_end', None, 'end offset, exclusive'),
    ('v_mentions', 'paragraph_text', None, 'the cleaned paragraph text'),
    ('v_person_articles', None, None, 'One row per person and live article mentioning them, with counts.'),
    ('v_person_articles', 'person_id', None, 'people.id'),
    ('v_person_articles', 'person_name', None, "the person's canonical name"),
    ('v_person_articles', 'article_id', None, 'articles.id'),
    ('v_person_articles', 'title', None, "the article's headline"),
    ('v_person_articles', 'outlet', None, "the article's outlet or agency"),
    ('v_person_articles', 'published_at', None, "the article's publication time, ISO 8601"),
    ('v_person_articles', 'mention_count', None, 'mentions of the person in the article'),
    ('v_person_articles', 'paragraph_count', None, 'paragraphs of the article mentioning the person'),
    ('v_cooccurrence_article', None, None, 'Pairs of people mentioned in the same live article, each pair once (person_a_id < person_b_id).'),
    ('v_cooccurrence_article', 'person_a_id', None, 'people.id of the first person (the smaller id)'),
    ('v_cooccurrence_article', 'person_a_name', None, "the first person's canonical name"),
    ('v_cooccurrence_article', 'person_b_id', None, 'people.id of the second person (the larger id)'),
    ('v_cooccurrence_article', 'person_b_name', None, "the second person's canonical name"),
    ('v_cooccurrence_article', 'article_count', None, 'live articles mentioning both'),
    ('v_cooccurrence_article', 'first_published_at', None, 'earliest publication time among those articles'),
    ('v_cooccurrence_article', 'last_published_at', None, 'latest publication time among those articles'),
    ('v_cooccurrence_paragraph', None, None, 'Pairs of people mentioned in the same paragraph of a live article, each pair once (person_a_id < person_b_id).'),
    ('v_cooccurrence_paragraph', 'person_a_id', None, 'people.id of the first person (the smaller id)'),
    ('v_cooccurrence_paragraph', 'person_a_name', None, "the first person's canonical name"),
    ('v_cooccurrence_paragraph', 'person_b_id', None, 'people.id of the second person (the larger id)'),
    ('v_cooccurrence_paragraph', 'person_b_name', None, "the second person's canonical name"),
    ('v_cooccurrence_paragraph', 'paragraph_count', None, 'paragraphs mentioning both'),
    ('v_cooccurrence_paragraph', 'article_count', None, 'live articles with at least one such paragraph'),
    ('v_articles', None, None, 'Live articles with their metadata and counts of paragraphs, captions, removed segments, mentions and people.'),
    ('v_articles', 'article_id', None, 'articles.id'),
    ('v_articles', 'title', None, 'headline; NULL when the file has none'),
    ('v_articles', 'outlet', None, 'the outlet or agency'),
    ('v_articles', 'published_at', None, 'publication time, ISO 8601'),
    ('v_articles', 'authors', None, "author names, '; '-separated"),
    ('v_articles', 'source_path', None, 'the file, relative to the input folder'),
    ('v_articles', 'word_count', None, 'words in body and heading paragraphs'),
    ('v_articles', 'paragraph_count', None, 'body and heading paragraphs'),
    ('v_articles', 'caption_count', None, 'caption paragraphs'),
    ('v_articles', 'removed_count', None, 'raw segments removed (see removed_segments)'),
    ('v_articles', 'mention_count', None, 'person mentions'),
    ('v_articles', 'person_count', None, 'distinct people mentioned'),
    ('v_people', None, None, 'Every person with counts computed from live articles, first and last dates seen and outlets.'),
    ('v_people', 'person_id', None, 'people.id'),
    ('v_people', 'name', None, 'canonical display name'),
    ('v_people', 'mention_count', None, 'mentions in live articles'),
    ('v_people', 'article_count', None, 'live articles mentioning the person'),
    ('v_people', 'outlet_count', None, 'distinct outlets of those articles'),
    ('v_people', 'alias_count', None, 'spelling variants and forms recorded in person_aliases'),
    ('v_people', 'first_published_at', None, 'earliest publication time of an article mentioning the person'),
    ('v_people', 'last_published_at', None, 'latest publication time of an article mentioning the person'),
    ('v_people', 'outlets', None, "the outlets, '; '-separated, alphabetical"),
    ('v_people', 'curated', None, "1 when an analyst's decision touches this person"),
    ('paragraphs_fts', None, None, "FTS5 full-text index of paragraphs.text (external content: rowid = paragraphs.id), kept in sync by triggers. Query with paragraphs_fts MATCH '...', snippet() and bm25()."),
    ('paragraphs_fts', 'text', None, 'the paragraph text (words are matched case- and accent-insensitively)'),
    ('people_fts', None, None, "FTS5 full-text index of people's names and spelling variants (rowid = people.id), kept in sync by triggers on people and person_aliases."),
    ('people_fts', 'name', None, 'people.name'),
    ('people_fts', 'aliases', None, "the person's aliases (person_aliases.alias), '; '-separated, alphabetical"),
    ('schema_docs', None, None, 'Descriptions of every table, view and column, and of the values of coded columns.'),
    ('schema_docs', 'table_name', None, 'table, view or full-text index'),
    ('schema_docs', 'column_name', None, 'the column; NULL for a row describing the table itself'),
    ('schema_docs', 'value', None, 'a value of a coded column (paragraphs.kind, removed_segments.label); NULL otherwise'),
    ('schema_docs', 'description', None, 'what it means'),
]


def upgrade() -> None:
    for sql in VIEWS.values():
        op.execute(sql)
    op.execute(PARAGRAPHS_FTS)
    op.execute(PEOPLE_FTS)
    for sql in TRIGGERS.values():
        op.execute(sql)
    op.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('rebuild')")
    op.execute(f"INSERT INTO people_fts (rowid, name, aliases) SELECT id, name, {_aliases('people.id')} FROM people")
    op.execute("INSERT INTO people_fts (people_fts) VALUES ('rebuild')")
    op.execute(SCHEMA_DOCS_TABLE)
    bind = op.get_bind()
    bind.exec_driver_sql(
        "INSERT INTO schema_docs (table_name, column_name, value, description) VALUES (?, ?, ?, ?)", SCHEMA_DOCS
    )


def downgrade() -> None:
    op.execute("DROP TABLE schema_docs")
    for name in reversed(list(TRIGGERS)):
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE people_fts")
    op.execute("DROP TABLE paragraphs_fts")
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW {name}")
