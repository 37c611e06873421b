-- Broad text searches at scale: a search matching more sections than `search::RANKED_MATCHES` no longer
-- scores every match but reads matches in one static order and stops after the page.
--
-- That order is the term's code order (the order of a search without text), numbered per term at reindex:
-- `search_facets.ordinal` is `(term id << 32) + n`, n = 1, 2, … over the term's live sections by compact
-- code, code, course id, section code and section id, so the numbers of a term are one range. The text
-- index's rowid becomes that number (it was the section id): FTS5 returns matches in rowid order and
-- stops early under `ORDER BY rowid LIMIT n`, so the first matches it reads are the first in code order,
-- and a term's matches are a rowid range, which replaces the term marker column.
--
-- The course title gets a column of its own (`title`; a section's own title moves to `section_title`):
-- a broad search lists the courses whose code or title holds the words before those that only mention
-- them elsewhere, and with the title column holding only what is the same for every section of a course,
-- a course's sections all fall on the same side and stay together.
ALTER TABLE search_facets ADD COLUMN ordinal INTEGER;
UPDATE search_facets SET ordinal = o.ordinal
FROM (SELECT section_id, (term_id << 32) + ROW_NUMBER() OVER (
          PARTITION BY term_id ORDER BY compact_code, course_code, course_id, section_code, section_id) AS ordinal
      FROM search_facets) o
WHERE o.section_id = search_facets.section_id;
-- A text match finds its facet row by ordinal; with the term and compact code at hand (and the section
-- id, the rowid), a search without filters tells code matches from text matches from the index alone.
CREATE INDEX search_facets_ordinal ON search_facets (ordinal, term_id, compact_code);

DROP TABLE section_search;
CREATE VIRTUAL TABLE section_search USING fts5(
    code,
    compact_code,
    title,
    section_title,
    instructors,
    description,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO section_search (rowid, code, compact_code, title, section_title, instructors, description)
SELECT x.ordinal, c.course_code, c.compact_code, c.title, COALESCE(s.title, ''),
       COALESCE((SELECT group_concat(json_extract(j.value, '$.name'), ' ') FROM json_each(s.instructors) j), ''),
       COALESCE(c.description, '')
FROM search_facets x JOIN sections s ON s.id = x.section_id JOIN courses c ON c.id = s.course_id;
