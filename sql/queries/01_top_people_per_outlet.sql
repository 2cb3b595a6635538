-- Who is mentioned most, per outlet?
-- The five most mentioned people in each outlet's live articles, with their mention and article
-- counts; ties share a rank. Change `rank <= 5` to see more.
WITH per_outlet AS (
    SELECT
        coalesce(outlet, '(unknown outlet)') AS outlet,
        person_id,
        person_name,
        count(*) AS mentions,
        count(DISTINCT article_id) AS articles
    FROM v_mentions
    GROUP BY 1, person_id
),
ranked AS (
    SELECT *, rank() OVER (PARTITION BY outlet ORDER BY mentions DESC, articles DESC) AS rank
    FROM per_outlet
)
SELECT outlet, rank, person_name, mentions, articles
FROM ranked
WHERE rank <= 5
ORDER BY outlet, rank, person_name;
