-- Whose name is written in the most ways?
-- People whose name takes the most different forms in live articles (full name, family name
-- alone, other spellings), with every form and how often it occurs, most frequent first.
-- person_aliases holds the same forms counted over all articles, plus analysts' added aliases.
WITH forms AS (
    SELECT person_id, person_name, surface, count(*) AS n
    FROM v_mentions
    GROUP BY person_id, surface
)
SELECT
    f.person_name AS name,
    count(*) AS form_count,
    sum(f.n) AS mentions,
    (SELECT group_concat(form, '; ')
       FROM (SELECT g.surface || ' (' || g.n || ')' AS form FROM forms AS g
             WHERE g.person_id = f.person_id ORDER BY g.n DESC, g.surface)) AS forms
FROM forms AS f
GROUP BY f.person_id
ORDER BY form_count DESC, mentions DESC, name
LIMIT 20;
