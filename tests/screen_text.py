"""What a page shows, as text, and the tokens that must never be on screen.

Shared by the AppTest walk (tests/test_pages_walk.py) and the browser walk
(tests/browser/test_walk_browser.py): one explicit list of bad tokens, one regex for raw codes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

# Words a program prints for "no value", and the CLI's own actor name: never on a Chinese screen.
BAD_WORDS = ("None", "nan", "NaN", "NaT", "<NA>", "null", "undefined", "Traceback", "cli:root")
# Table names of the database (an audit row or an error that leaked its table).
TABLE_NAMES = ("indicator_results", "spend_entries", "audit_log", "user_projects", "period_locks", "login_attempts",
               "project_reports", "project_declarations", "indicators", "projects", "settings", "users")
_WORD = re.compile(r"(?<![A-Za-z0-9_<:])(" + "|".join(re.escape(w) for w in BAD_WORDS) + r")(?![A-Za-z0-9_])")
_TABLE = re.compile(r"(?<![A-Za-z0-9_./-])(" + "|".join(TABLE_NAMES) + r")(?![A-Za-z0-9_./-])")
# A dotted lowercase code such as report.record, user.create, settings.update (not a file name).
_FILE_EXT = r"(?:csv|xlsx|xls|xlsm|pdf|docx|doc|txt|json|duckdb|py|md|toml|sql|png|zip|io|com|cn|org|net)"
_DOTTED = re.compile(r"(?<![\w@/.:-])[a-z]+(?:_[a-z]+)*\.(?!" + _FILE_EXT + r"\b)[a-z]+(?:_[a-z]+)*(?![\w@/.-])")
# An English snake_case key (JSON keys, column names): e.g. project_id, old_value.
_SNAKE = re.compile(r"(?<![\w@/.:-])[a-z]+_[a-z_]+(?![\w@/.-])")
# A lowercase English word standing alone (a code or key word such as "manual", "ratio", "linear").
_LOWER_WORD = re.compile(r"(?<![\w@/.:%{-])[a-z]{3,}(?![\w@/.:-])")
_STYLE = re.compile(r"<style>.*?</style>", re.S)
# Shown on purpose: a command line to type (in code spans or after "python -m"), URL query parameters.
_COMMAND = re.compile(r"`[^`]*`|python -m perfwatch[^。；，\n）]*|\?[\w=&]+")
_TAG = re.compile(r"<[^>]+>")


def bad_tokens(text: str, *, allowed: Iterable[str] = ()) -> list[str]:
    """The bad tokens in ``text``: "None"/"nan"…, table names, dotted codes, snake_case keys."""
    if text.startswith("data:image/"):  # a light dot (an image cell), not text
        return []
    text = _COMMAND.sub(" ", _TAG.sub(" ", _STYLE.sub(" ", text)))
    found = [m.group(1) for m in _WORD.finditer(text)]
    found += [m.group(1) for m in _TABLE.finditer(text)]
    found += [m.group(0) for m in _DOTTED.finditer(text)]
    found += [m.group(0) for m in _SNAKE.finditer(text)]
    found += [m.group(0) for m in _LOWER_WORD.finditer(text) if m.group(0) not in found]
    ok = set(allowed)
    return [f for f in found if f not in ok]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))  # NaN, NaT, pd.NA
    except (TypeError, ValueError):
        return False


def _figure_strings(spec: str) -> Iterator[str]:
    """The display strings of a Plotly figure: text, hover text, names, titles, tick labels."""
    keys = {"text", "hovertext", "name", "ticktext", "customdata", "hovertemplate", "texttemplate", "x", "y", "labels"}

    def walk(obj: Any, key: str = "") -> Iterator[str]:
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k != "template":
                    yield from walk(v, k)
        elif isinstance(obj, list):
            for v in obj:
                yield from walk(v, key)
        elif isinstance(obj, str) and key in keys:
            yield obj

    try:
        yield from walk(json.loads(spec))
    except ValueError:
        return


def app_texts(at: Any) -> Iterator[tuple[str, str]]:
    """(kind, text) for everything an AppTest run shows: markdown, captions, titles, alerts,
    metric labels and values, widget labels, options, help and placeholders, tab and expander
    labels, table headers and cells (a missing cell without a placeholder shows "None"), chart text."""
    from streamlit.testing.v1.element_tree import Dataframe, Metric, UnknownElement

    for node in at._tree:
        kind = type(node).__name__
        for attr in ("label", "help", "placeholder"):
            value = getattr(node, attr, None)
            if value is None and attr != "label":
                proto = getattr(node, "proto", None)
                value = getattr(proto, attr, None) if proto is not None and hasattr(proto, attr) else None
            if isinstance(value, str) and value:
                yield f"{kind}.{attr}", value
        options = getattr(node, "options", None)
        if isinstance(options, (list, tuple)):
            for o in options:
                yield f"{kind}.option", str(o)
        if isinstance(node, Metric):
            yield "Metric.value", node.value
            yield "Metric.delta", node.proto.delta
        elif isinstance(node, Dataframe):
            frame = node.value
            placeholder = node.proto.placeholder if node.proto.HasField("placeholder") else "None"
            for col in frame.columns:
                yield "Dataframe.column", str(col)
            for col in frame.columns:
                for cell in frame[col].tolist():
                    if _missing(cell):
                        yield "Dataframe.missing", placeholder
                    elif isinstance(cell, str):
                        yield "Dataframe.cell", cell
                    elif isinstance(cell, float) and math.isinf(cell):
                        yield "Dataframe.cell", str(cell)
        elif isinstance(node, UnknownElement) and node.type == "plotly_chart":
            for s in _figure_strings(node.proto.spec):
                yield "Chart.text", s
        elif kind in {"Markdown", "Caption", "Title", "Header", "Subheader", "Text", "Error", "Warning", "Info",
                      "Success", "Toast", "Exception", "Code", "Latex", "Html"}:
            value = node.value
            if isinstance(value, str):
                yield kind, value
