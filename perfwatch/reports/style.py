"""Colours and the font name shared by the brief and its chart."""

from __future__ import annotations

from perfwatch.vocab import LIGHT_COLORS

FONT = "cjk"
MARGIN = 18.0
INK = (33, 33, 33)
MUTED = (110, 110, 110)
RULE = (200, 200, 200)
HEAD_FILL = (238, 241, 245)
ACCENT = (21, 67, 122)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


LIGHT_RGB: dict[str, tuple[int, int, int]] = {k: _rgb(v) for k, v in LIGHT_COLORS.items()}
