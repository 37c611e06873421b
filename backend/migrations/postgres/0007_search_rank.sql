-- Broad text searches at scale: a search matching more sections than `search::RANKED_MATCHES` no longer
-- scores every match but reads matches in one static order and stops after the page.
--
-- That order is the term's code order (the order of a search without text), numbered per term at reindex:
-- `ordinal` is `(term id << 32) + n`, n = 1, 2, … over the term's live sections by compact code, code,
-- course id, section code and section id, so the numbers of a term are one range. `search_facets` holds
-- it as SQLite does (the two engines share its reindex); `section_search` holds it under an index, so a
-- search walks a term's documents in code order and stops after the page.
--
-- `compact_code` (as in `search_facets`) lets a search without filters tell code matches from text
-- matches without looking up each match's facet row.
--
-- `strong` is the part of a document that is the same for every section of a course: its code (as
-- written and compact) and its course's title, plus the term marker. A broad search lists the courses
-- whose code or title holds the words before those that only mention them elsewhere; a GIN index answers
-- that test for the rare words a walk would look for in vain, without the recheck that a weighted
-- tsquery on `doc` costs per match.
ALTER TABLE search_facets ADD COLUMN ordinal BIGINT;
UPDATE search_facets f SET ordinal = o.ordinal
FROM (SELECT section_id, (term_id << 32) + ROW_NUMBER() OVER (
          PARTITION BY term_id ORDER BY compact_code, course_code, course_id, section_code, section_id) AS ordinal
      FROM search_facets) o
WHERE o.section_id = f.section_id;

ALTER TABLE section_search
    ADD COLUMN ordinal BIGINT, ADD COLUMN compact_code TEXT COLLATE "C", ADD COLUMN strong tsvector;
UPDATE section_search s
SET ordinal = x.ordinal,
    compact_code = x.compact_code,
    strong = to_tsvector('simple', c.course_code || ' ' || c.compact_code || ' ' || c.title)
             || array_to_tsvector(ARRAY['#term' || s.term_id])
FROM search_facets x JOIN courses c ON c.id = x.course_id
WHERE x.section_id = s.section_id;
-- A document without facet rows was never found (every search joins them); none should exist.
DELETE FROM section_search WHERE ordinal IS NULL;
ALTER TABLE section_search ALTER COLUMN ordinal SET NOT NULL, ALTER COLUMN compact_code SET NOT NULL,
    ALTER COLUMN strong SET NOT NULL;
CREATE UNIQUE INDEX section_search_ordinal ON section_search (ordinal);
CREATE INDEX section_search_strong ON section_search USING GIN (strong);
