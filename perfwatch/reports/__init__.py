"""Generated documents: the official monitoring form (.xlsx) and the printable briefing (.pdf).

Both read their numbers from :func:`perfwatch.status.compute_status` and the database through
``queries/reports/*.sql``; nothing here recomputes a rule.
"""
