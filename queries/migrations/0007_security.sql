-- 0007_security: look-alike user names, per-address sign-in limits, a tamper-evident audit chain.

-- The user name as compared: NFKC-normalised and case-folded (perfwatch.auth.username_key), so
-- "Admin1" and full-width "ａｄｍｉｎ1" are the same account as "admin1". Filled for existing accounts
-- by perfwatch.auth.fill_username_keys right after this migration (NULLs are allowed by the index;
-- existing look-alikes keep their exact-name sign-in and get a key suffixed with their id).
ALTER TABLE users ADD COLUMN username_key VARCHAR;
CREATE UNIQUE INDEX users_username_key ON users (username_key);

-- Where a sign-in attempt came from (the browser's address as Streamlit sees it; NULL = command line).
ALTER TABLE login_attempts ADD COLUMN client VARCHAR;
CREATE INDEX login_attempts_at ON login_attempts (attempted_at);

-- Each audit row carries the hash of the previous row and its own (perfwatch.audit_chain):
-- a row changed or removed outside the app breaks the chain and `verify-audit` names it.
ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR;

-- The first administrator is claimed by inserting this key (primary key: one winner under any race).
-- Nothing to create: settings.key is already the primary key; see perfwatch.auth.create_first_admin.
