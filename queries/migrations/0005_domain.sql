-- 0005_domain: one months-elapsed formula for every engine query, and the nature of count
-- indicators (DOMAIN.md §5a).

-- Months of fiscal year $fy elapsed at the end of day $as_of (0.0–12.0): day d of month m is
-- m − 1 + d / days in the month (end of July = 7.0, 2024-02-29 = 2.0); before the year 0, after
-- it 12. The Python twin is perfwatch.periods.months_elapsed (tests check they agree).
CREATE OR REPLACE MACRO pw_months_elapsed(as_of, fy) AS
    CASE WHEN year(as_of) < fy THEN 0.0
         WHEN year(as_of) > fy THEN 12.0
         ELSE (month(as_of) - 1) + day(as_of) / day(last_day(as_of))
    END;

-- How a count indicator's expectation grows over the year (DOMAIN.md §5a):
--   flow      流量: pro-rated by months (cases handled, people served);
--   stock     存量: the full target from the start, judged like a rate (systems maintained);
--   one_off   一次性: not due until its planned month (milestones), then the full target;
--   scheduled 集中开展: the milestones reached by the as-of date; none: grey until Q4.
-- NULL = not set (treated as flow). Guessed on import from the unit and words, editable.
ALTER TABLE indicators ADD COLUMN nature VARCHAR;
