-- How many articles per outlet and month?
-- Live articles per outlet and month of publication (YYYY-MM), with their words and people
-- mentioned.
SELECT
    coalesce(outlet, '(unknown outlet)') AS outlet,
    coalesce(substr(published_at, 1, 7), '(undated)') AS month,
    count(*) AS articles,
    sum(word_count) AS words,
    sum(mention_count) AS mentions
FROM v_articles
GROUP BY 1, 2
ORDER BY 1, 2;
