-- Course search. Each live section has one row in `section_search` with a weighted `tsvector` over its
-- course code (as written, and compact: `CS 225` also as `cs225`; weight A), its course's and its own
-- title and its instructors' names (B), and its course's description (D). `Db::apply_import` rebuilds a
-- term's rows inside its own transaction: a generated column could not reach instructors (on sections)
-- and descriptions (on courses) at once. The `simple` configuration (no stemming) matches SQLite's
-- `unicode61` tokenizer, so both engines agree on which words match.
CREATE TABLE section_search (
    section_id BIGINT PRIMARY KEY REFERENCES sections (id) ON DELETE CASCADE,
    term_id    BIGINT   NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
    doc        tsvector NOT NULL
);
CREATE INDEX section_search_doc ON section_search USING GIN (doc);
CREATE INDEX section_search_term ON section_search (term_id);

-- The compact, lower-cased code for "exact code first, then code prefix" (`cs2` → `CS 225`), matched
-- with `LIKE 'cs2%'`; `text_pattern_ops` lets the btree serve that prefix under any collation, without
-- needing the pg_trgm extension.
ALTER TABLE courses ADD COLUMN compact_code TEXT GENERATED ALWAYS AS (lower(replace(course_code, ' ', ''))) STORED;
CREATE INDEX courses_compact_code ON courses (term_id, compact_code text_pattern_ops);

-- Catalogs imported before this migration are indexed now.
INSERT INTO section_search (section_id, term_id, doc)
SELECT s.id, s.term_id,
       setweight(to_tsvector('simple', c.course_code || ' ' || c.compact_code), 'A')
       || setweight(to_tsvector('simple', c.title || ' ' || COALESCE(s.title, '')), 'B')
       || setweight(to_tsvector('simple', COALESCE(
              (SELECT string_agg(j ->> 'name', ' ') FROM json_array_elements(s.instructors::json) j), '')), 'B')
       || setweight(to_tsvector('simple', COALESCE(c.description, '')), 'D')
FROM sections s JOIN courses c ON c.id = s.course_id
WHERE s.removed_at IS NULL;
