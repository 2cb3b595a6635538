-- v_person_articles: one row per person and live article mentioning them, with how many times
-- and in how many paragraphs the article mentions the person.
-- Readable copy of the view created by migrations/versions/0002_analyst_views.py.
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
GROUP BY m.person_id, m.article_id;
