-- How many actuals (spend rows and indicator results) the database holds, to tell an empty
-- dashboard from a populated one. No params. Returns (spend_rows, result_rows).
SELECT (SELECT count(*) FROM spend_entries) AS spend_rows,
       (SELECT count(*) FROM indicator_results) AS result_rows;
