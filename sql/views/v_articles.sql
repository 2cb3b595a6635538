-- v_articles: live articles with their metadata and counts of kept paragraphs (body and heading,
-- as in articles.paragraph_count), captions, removed segments, mentions and distinct people.
-- Readable copy of the view created by migrations/versions/0002_analyst_views.py.
CREATE VIEW v_articles AS
SELECT
    a.id AS article_id,
    a.title,
    a.outlet,
    a.published_at,
    a.authors,
    a.source_path,
    a.word_count,
    (SELECT count(*) FROM paragraphs AS p WHERE p.article_id = a.id AND p.kind IN ('body', 'heading')) AS paragraph_count,
    (SELECT count(*) FROM paragraphs AS p WHERE p.article_id = a.id AND p.kind = 'caption') AS caption_count,
    (SELECT count(*) FROM removed_segments AS r WHERE r.article_id = a.id) AS removed_count,
    (SELECT count(*) FROM mentions AS m WHERE m.article_id = a.id) AS mention_count,
    (SELECT count(DISTINCT m.person_id) FROM mentions AS m WHERE m.article_id = a.id) AS person_count
FROM articles AS a
WHERE a.deleted_at IS NULL;
