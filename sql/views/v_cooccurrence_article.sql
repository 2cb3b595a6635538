-- v_cooccurrence_article: pairs of people mentioned in the same live article, each pair once
-- (person_a_id < person_b_id), with the number of articles they share and the date range.
-- Readable copy of the view created by migrations/versions/0002_analyst_views.py.
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
GROUP BY x.person_id, y.person_id;
