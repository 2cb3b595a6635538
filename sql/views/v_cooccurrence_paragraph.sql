-- v_cooccurrence_paragraph: pairs of people mentioned in the same paragraph of a live article,
-- each pair once (person_a_id < person_b_id), with how many paragraphs and articles they share.
-- Readable copy of the view created by migrations/versions/0002_analyst_views.py.
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
GROUP BY x.person_id, y.person_id;
