-- Whose name is written in the most ways?
-- People with the most recorded forms of their name (person_aliases), with every form and how
-- often it was seen, most frequent first.
SELECT
    pe.name,
    count(*) AS alias_count,
    sum(pa.count) AS mentions,
    (SELECT group_concat(form, '; ')
       FROM (SELECT alias || ' (' || count || ')' AS form FROM person_aliases
             WHERE person_id = pe.id ORDER BY count DESC, alias)) AS aliases
FROM people AS pe
JOIN person_aliases AS pa ON pa.person_id = pe.id
GROUP BY pe.id
ORDER BY alias_count DESC, mentions DESC, pe.name
LIMIT 20;
