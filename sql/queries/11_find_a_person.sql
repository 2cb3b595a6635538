-- Find a person by any spelling of the name
-- Full-text search of people's names and aliases (people_fts); a trailing * matches any ending,
-- so 'zaluzh*' finds Zaluzhnyi, Zaluzhny and Zaluzhnyy. Shows each match's counts in live articles.
SELECT
    pe.id AS person_id,
    pe.name,
    people_fts.aliases,
    v.mention_count AS mentions,
    v.article_count AS articles,
    v.outlets
FROM people_fts
JOIN people AS pe ON pe.id = people_fts.rowid
JOIN v_people AS v ON v.person_id = pe.id
WHERE people_fts MATCH 'milley OR zaluzh*'
ORDER BY v.mention_count DESC, pe.name;
