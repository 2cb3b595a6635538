-- Who is mentioned most, per month?
-- The five most mentioned people in each month of publication (YYYY-MM of published_at; undated
-- articles under '(undated)'), with mention and article counts; ties share a rank.
WITH per_month AS (
    SELECT
        coalesce(substr(published_at, 1, 7), '(undated)') AS month,
        person_id,
        person_name,
        count(*) AS mentions,
        count(DISTINCT article_id) AS articles
    FROM v_mentions
    GROUP BY 1, person_id
),
ranked AS (
    SELECT *, rank() OVER (PARTITION BY month ORDER BY mentions DESC, articles DESC) AS rank
    FROM per_month
)
SELECT month, rank, person_name, mentions, articles
FROM ranked
WHERE rank <= 5
ORDER BY month, rank, person_name;
