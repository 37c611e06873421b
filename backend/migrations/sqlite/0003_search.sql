-- Course search. Each live section has one row in the FTS5 table `section_search` (rowid = section id)
-- over its course code (as written, and compact: `CS 225` also as `cs225`), its course's and its own
-- title, its instructors' names and its course's description. `Db::apply_import` rebuilds a term's rows
-- inside its own transaction, so the index never shows a half-written import; triggers were the
-- alternative, but instructors live on sections and descriptions on courses, so one rebuild per
-- changed term is simpler and as correct. `unicode61` without stemming matches PostgreSQL's `simple`
-- configuration, so both engines agree on which words match.
CREATE VIRTUAL TABLE section_search USING fts5(
    term_id UNINDEXED,
    code,
    compact_code,
    title,
    instructors,
    description,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

-- The compact, lower-cased code for "exact code first, then code prefix" (`cs2` → `CS 225`).
ALTER TABLE courses ADD COLUMN compact_code TEXT GENERATED ALWAYS AS (lower(replace(course_code, ' ', ''))) VIRTUAL;
CREATE INDEX courses_compact_code ON courses (term_id, compact_code);

-- Catalogs imported before this migration are indexed now.
INSERT INTO section_search (rowid, term_id, code, compact_code, title, instructors, description)
SELECT s.id, s.term_id, c.course_code, c.compact_code, c.title || ' ' || COALESCE(s.title, ''),
       COALESCE((SELECT group_concat(json_extract(j.value, '$.name'), ' ') FROM json_each(s.instructors) j), ''),
       COALESCE(c.description, '')
FROM sections s JOIN courses c ON c.id = s.course_id
WHERE s.removed_at IS NULL;
