-- v_people: every person with counts computed from live articles (mentions, articles, outlets,
-- spelling variants), the first and last publication dates they appear on, and their outlets.
-- People whose every mention is in deleted articles appear with zero counts.
-- Readable copy of the view created by migrations/versions/0002_analyst_views.py.
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
LEFT JOIN stats AS s ON s.person_id = pe.id;
