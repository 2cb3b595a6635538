-- Full-text search of articles
-- Paragraphs of live articles matching a full-text query, best matches first (bm25), with the
-- matching words in [brackets]. Edit the MATCH string: words (all must occur), "a phrase",
-- prefix*, OR, NOT, NEAR(word1 word2, 5). Matching ignores case and accents.
SELECT
    a.title,
    a.outlet,
    a.published_at,
    p.position AS paragraph_position,
    snippet(paragraphs_fts, 0, '[', ']', ' … ', 16) AS snippet,
    round(bm25(paragraphs_fts), 3) AS score
FROM paragraphs_fts
JOIN paragraphs AS p ON p.id = paragraphs_fts.rowid
JOIN articles AS a ON a.id = p.article_id
WHERE paragraphs_fts MATCH 'Gerasimov'
  AND a.deleted_at IS NULL
ORDER BY bm25(paragraphs_fts), a.published_at, a.source_path, p.position
LIMIT 20;
