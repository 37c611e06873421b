-- Search at scale (a term of 100,000 sections answers in milliseconds).
--
-- `search_facets` holds one row per live section with what filters and ordering read, so a search
-- reads neither `meetings` (no EXISTS per section) nor `courses` until it has its page: the section's
-- upper-cased subject and codes; `days_mask`, the days any of its meetings falls on (bit 1 << i for the
-- i-th letter of `MTWRFSU`, 0 when none is scheduled); `earliest_start` / `latest_end` over its timed
-- meetings (NULL when none is timed); and the numeric bounds of the credits it shows. Its indexes are
-- in result order (code, then section), per term, per term and subject, and per term and day mask (a
-- days filter names the masks it accepts: `MW` is 1, 4 or 5), and carry every
-- filter column, so a search without text reads index entries in order until it has a page (and a
-- capped count), from the index alone once autovacuum has marked the pages all-visible. The code
-- columns use the "C" collation: byte order, as on SQLite, so both engines order alike and a code
-- prefix is an index range under any database locale.
-- `Db::apply_import` rebuilds a term's rows with the text index.
CREATE TABLE search_facets (
    section_id     BIGINT PRIMARY KEY REFERENCES sections (id) ON DELETE CASCADE,
    term_id        BIGINT NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
    course_id      BIGINT NOT NULL,
    subject        TEXT   NOT NULL,
    compact_code   TEXT   COLLATE "C" NOT NULL,
    course_code    TEXT   COLLATE "C" NOT NULL,
    -- '' when the source gives none
    section_code   TEXT   COLLATE "C" NOT NULL,
    days_mask      BIGINT NOT NULL,
    earliest_start BIGINT,
    latest_end     BIGINT,
    -- hundredths of a credit; NULL when the notation is not understood; span = 1 when every amount
    -- from low to high counts (`1-4`), 0 when only the two named ones do (`3 or 4`) or low = high
    credits_low    BIGINT,
    credits_high   BIGINT,
    credits_span   BIGINT NOT NULL,
    open_seats     BIGINT
);
CREATE INDEX search_facets_order
    ON search_facets (term_id, compact_code, course_code, section_code, section_id)
    INCLUDE (subject, days_mask, earliest_start, latest_end, credits_low, credits_high, credits_span, open_seats);
CREATE INDEX search_facets_subject
    ON search_facets (term_id, subject, compact_code, course_code, section_code, section_id)
    INCLUDE (days_mask, earliest_start, latest_end, credits_low, credits_high, credits_span, open_seats);
CREATE INDEX search_facets_days
    ON search_facets (term_id, days_mask, compact_code, course_code, section_code, section_id)
    INCLUDE (subject, earliest_start, latest_end, credits_low, credits_high, credits_span, open_seats);

-- The numeric bounds of each credit notation as stored (`3`, `1-4`, `3 or 4`, `1.5`), in hundredths:
-- the importers' parser reads a notation once, and every section showing it reuses the answer.
-- Notations no parser understands have NULL bounds.
CREATE TABLE credit_notations (
    shown TEXT   PRIMARY KEY,
    low   BIGINT,
    high  BIGINT,
    span  BIGINT NOT NULL
);

-- Catalogs imported before this migration: the notations stored so far are all written by the
-- importers' own formatter (`N`, `N-M`, `N or M`, amounts like `3` or `0.25`), which this reads back.
INSERT INTO credit_notations (shown, low, high, span)
SELECT shown, round(m[1]::numeric * 100)::bigint, round(COALESCE(m[3], m[1])::numeric * 100)::bigint,
       CASE WHEN m[2] = '-' THEN 1 ELSE 0 END
FROM (
    SELECT shown, regexp_match(shown, '^([0-9]+(?:\.[0-9]+)?)(?:( or |-)([0-9]+(?:\.[0-9]+)?))?$') AS m
    FROM (SELECT credits AS shown FROM sections WHERE credits IS NOT NULL
          UNION SELECT credits FROM courses WHERE credits IS NOT NULL) notations
) parsed
WHERE m IS NOT NULL;

INSERT INTO search_facets (section_id, term_id, course_id, subject, compact_code, course_code, section_code,
                           days_mask, earliest_start, latest_end, credits_low, credits_high, credits_span, open_seats)
SELECT s.id, s.term_id, s.course_id, upper(c.subject), c.compact_code, c.course_code, COALESCE(s.section_code, ''),
       COALESCE((SELECT MAX(CASE WHEN m.days LIKE '%M%' THEN 1 ELSE 0 END)
                        + MAX(CASE WHEN m.days LIKE '%T%' THEN 2 ELSE 0 END)
                        + MAX(CASE WHEN m.days LIKE '%W%' THEN 4 ELSE 0 END)
                        + MAX(CASE WHEN m.days LIKE '%R%' THEN 8 ELSE 0 END)
                        + MAX(CASE WHEN m.days LIKE '%F%' THEN 16 ELSE 0 END)
                        + MAX(CASE WHEN m.days LIKE '%S%' THEN 32 ELSE 0 END)
                        + MAX(CASE WHEN m.days LIKE '%U%' THEN 64 ELSE 0 END)
                 FROM meetings m WHERE m.section_id = s.id), 0),
       (SELECT MIN(m.start_minute) FROM meetings m WHERE m.section_id = s.id),
       (SELECT MAX(m.end_minute) FROM meetings m WHERE m.section_id = s.id),
       n.low, n.high, COALESCE(n.span, 0), s.open_seats
FROM sections s
JOIN courses c ON c.id = s.course_id
LEFT JOIN credit_notations n ON n.shown = COALESCE(s.credits, c.credits)
WHERE s.removed_at IS NULL;

-- Each document gains its term's marker, the lexeme `#term<term id>` (the `simple` parser splits at
-- `#`, so no text yields it), and a query ANDs the marker in: the GIN index then returns only that
-- term's matches instead of every term's, to be filtered afterwards. Ranking reads only the student's
-- words, so the marker does not change scores.
UPDATE section_search SET doc = doc || array_to_tsvector(ARRAY['#term' || term_id]);
