-- What was removed from the articles, and why?
-- Removed segments of live articles per label and reason, with how many there are, in how many
-- articles, the label's total and one example (shortened to 80 characters).
SELECT
    r.label,
    r.reason,
    count(*) AS segments,
    count(DISTINCT r.article_id) AS articles,
    sum(count(*)) OVER (PARTITION BY r.label) AS label_segments,
    substr(min(r.text), 1, 80) AS example
FROM removed_segments AS r
JOIN articles AS a ON a.id = r.article_id AND a.deleted_at IS NULL
GROUP BY r.label, r.reason
ORDER BY label_segments DESC, r.label, segments DESC, r.reason;
