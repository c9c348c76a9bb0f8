-- Number of department-years in the database. No params.
SELECT count(*) FROM departments;
