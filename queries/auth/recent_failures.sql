-- Failed sign-ins of a username since $since and after its last success, oldest first
-- (refusals while locked out do not count, so the lock-out ends with its window).
-- Params: $username, $since. Returns (attempted_at).
SELECT attempted_at FROM login_attempts
WHERE username = $username AND attempted_at >= $since AND NOT ok AND outcome <> 'locked'
  AND attempted_at > coalesce((SELECT max(attempted_at) FROM login_attempts
                               WHERE username = $username AND ok AND attempted_at >= $since),
                              TIMESTAMP '1900-01-01')
ORDER BY attempted_at;
