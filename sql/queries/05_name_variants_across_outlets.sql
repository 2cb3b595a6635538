-- How is each person's name written, per outlet?
-- Every form a person's name takes (full name, family name only, other transliterations such as
-- Zaluzhnyi / Zaluzhny) in each outlet, for the people written in more than one way.
SELECT
    person_name,
    surface,
    coalesce(outlet, '(unknown outlet)') AS outlet,
    count(*) AS mentions
FROM v_mentions
WHERE person_id IN (SELECT person_id FROM v_mentions GROUP BY person_id HAVING count(DISTINCT surface) > 1)
GROUP BY person_id, surface, 3
ORDER BY person_name, surface, outlet;
