"""Errors every layer may raise or catch, in a module that imports nothing (so importers and rules stay db-free).

:class:`ValidationError` is also importable as ``perfwatch.store.ValidationError``, its historical home.
"""

from __future__ import annotations


class ValidationError(Exception):
    """Input refused before anything was written (message in Chinese)."""
