-- What are the newest articles?
-- The 20 most recently published live articles (undated ones last), with their outlet, how many
-- people they mention and where the file is.
SELECT
    published_at,
    outlet,
    title,
    person_count AS people,
    mention_count AS mentions,
    source_path
FROM v_articles
ORDER BY published_at IS NULL, published_at DESC, source_path
LIMIT 20;
