"""Importers that turn published documents into perfwatch datasets."""

from __future__ import annotations
