-- Append an indicator result; returns the new id.
-- Params: $indicator_id, $as_of, $value, $done_date, $rating, $projected_text, $projected_value,
-- $cause_categories (list or NULL), $cause_text, $likelihood, $measure, $note, $entered_by.
INSERT INTO indicator_results (
    indicator_id, as_of, value, done_date, rating, projected_text, projected_value,
    cause_categories, cause_text, likelihood, measure, note, entered_by)
VALUES ($indicator_id, $as_of, $value, $done_date, $rating, $projected_text, $projected_value,
        $cause_categories, $cause_text, $likelihood, $measure, $note, $entered_by)
RETURNING id;
