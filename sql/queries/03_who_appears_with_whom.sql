-- Who appears with whom?
-- Pairs of people mentioned in the same article, most shared articles first, with how many
-- paragraphs mention both and the dates of the first and last such article.
SELECT
    a.person_a_name,
    a.person_b_name,
    a.article_count AS articles,
    coalesce(p.paragraph_count, 0) AS paragraphs,
    a.first_published_at,
    a.last_published_at
FROM v_cooccurrence_article AS a
LEFT JOIN v_cooccurrence_paragraph AS p
    ON p.person_a_id = a.person_a_id AND p.person_b_id = a.person_b_id
ORDER BY articles DESC, paragraphs DESC, a.person_a_name, a.person_b_name
LIMIT 50;
