-- Failed sign-ins since $since, oldest first, counted three ways for the rate limit: of a user name
-- (from any address), of an address (any name), and of the pair; each only after that key's last
-- success. Refusals while held back (outcome 'locked') do not count.
-- Params: $username, $client, $since. Returns (scope, attempted_at) with scope 'user', 'client' or 'pair'.
-- test-params: {"client": "127.0.0.1", "since": "2024-07-30 10:00:00"}
WITH recent AS (
    SELECT username, client, attempted_at, ok, outcome FROM login_attempts WHERE attempted_at >= $since
)
SELECT 'user' AS scope, attempted_at FROM recent
WHERE username = $username AND NOT ok AND outcome <> 'locked'
  AND attempted_at > coalesce((SELECT max(attempted_at) FROM recent WHERE username = $username AND ok),
                              TIMESTAMP '1900-01-01')
UNION ALL
SELECT 'client', attempted_at FROM recent
WHERE $client IS NOT NULL AND client = $client AND NOT ok AND outcome <> 'locked'
  AND attempted_at > coalesce((SELECT max(attempted_at) FROM recent WHERE client = $client AND ok),
                              TIMESTAMP '1900-01-01')
UNION ALL
SELECT 'pair', attempted_at FROM recent
WHERE username = $username AND client IS NOT DISTINCT FROM $client AND NOT ok AND outcome <> 'locked'
  AND attempted_at > coalesce((SELECT max(attempted_at) FROM recent
                               WHERE username = $username AND client IS NOT DISTINCT FROM $client AND ok),
                              TIMESTAMP '1900-01-01')
ORDER BY 2;
