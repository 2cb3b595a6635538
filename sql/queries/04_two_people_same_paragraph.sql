-- Where are two people mentioned in the same paragraph?
-- Paragraphs of live articles that mention both people, oldest first. A person is picked by any
-- spelling of the name (people.name or an alias) with a LIKE pattern: edit the two patterns in
-- `pick` ('%' matches anything; LIKE ignores case for ASCII letters).
WITH pick (pattern_a, pattern_b) AS (VALUES ('%Milley%', '%Zaluzh%')),
person_a AS (
    SELECT pe.id FROM people AS pe, pick
    WHERE pe.name LIKE pick.pattern_a
       OR EXISTS (SELECT 1 FROM person_aliases AS pa WHERE pa.person_id = pe.id AND pa.alias LIKE pick.pattern_a)
),
person_b AS (
    SELECT pe.id FROM people AS pe, pick
    WHERE pe.name LIKE pick.pattern_b
       OR EXISTS (SELECT 1 FROM person_aliases AS pa WHERE pa.person_id = pe.id AND pa.alias LIKE pick.pattern_b)
)
SELECT
    a.published_at,
    a.outlet,
    a.title,
    p.position AS paragraph_position,
    p.text AS paragraph_text
FROM paragraphs AS p
JOIN articles AS a ON a.id = p.article_id AND a.deleted_at IS NULL
WHERE EXISTS (SELECT 1 FROM mentions AS m WHERE m.paragraph_id = p.id AND m.person_id IN (SELECT id FROM person_a))
  AND EXISTS (SELECT 1 FROM mentions AS m WHERE m.paragraph_id = p.id AND m.person_id IN (SELECT id FROM person_b))
ORDER BY a.published_at, a.source_path, p.position;
