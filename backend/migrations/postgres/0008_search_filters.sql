-- Text searches with filters at scale. A text match used to be joined to its facet row to test the
-- filters, which read the heap pages of every match on both tables (21 ms for "introduction" with a
-- days filter at 100,000 sections). `section_search` now holds the filter columns of `search_facets`
-- (same names and meanings), so a search tests them on the document's own row, and an index on the
-- day mask and one on the subject let the planner AND the filter's rows with the GIN index's matches
-- before reading any heap page. `search::reindex_term` fills them with the rest of the row.
ALTER TABLE section_search
    ADD COLUMN subject        TEXT,
    ADD COLUMN days_mask      BIGINT,
    ADD COLUMN earliest_start BIGINT,
    ADD COLUMN latest_end     BIGINT,
    ADD COLUMN credits_low    BIGINT,
    ADD COLUMN credits_high   BIGINT,
    ADD COLUMN credits_span   BIGINT,
    ADD COLUMN open_seats     BIGINT;
UPDATE section_search s
SET subject = x.subject, days_mask = x.days_mask, earliest_start = x.earliest_start, latest_end = x.latest_end,
    credits_low = x.credits_low, credits_high = x.credits_high, credits_span = x.credits_span,
    open_seats = x.open_seats
FROM search_facets x
WHERE x.section_id = s.section_id;
ALTER TABLE section_search ALTER COLUMN subject SET NOT NULL, ALTER COLUMN days_mask SET NOT NULL,
    ALTER COLUMN credits_span SET NOT NULL;
CREATE INDEX section_search_days ON section_search (term_id, days_mask);
CREATE INDEX section_search_subject ON section_search (term_id, subject);
