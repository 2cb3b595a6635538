-- v_mentions: every mention of a person in a live article, with the person's name, the article's
-- title, outlet, date and file, and the paragraph the mention is in (kind, position and text).
-- paragraph_text[char_start:char_end] (0-based, Python-style) is the surface as written.
-- Readable copy of the view created by migrations/versions/0002_analyst_views.py; a test checks
-- that it equals the definition in a freshly migrated database.
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
WHERE a.deleted_at IS NULL;
