"""Shared widgets: light badges and tables, the department picker, refused writes as messages."""

from __future__ import annotations

import base64
import bisect
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from perfwatch import db, entry, pageviews
from perfwatch.cells import is_missing
from perfwatch.views import text_width_px
from perfwatch.vocab import LIGHT_COLORS, LIGHT_LABELS, LIGHT_MARKDOWN_COLORS, LIGHT_NAMES, LIGHT_UI_COLORS, LIGHTS
from perfwatch.web.data import df


def light_md_color(light: str | None) -> str:
    """The Streamlit markdown colour name of a light (``gray`` for none or unknown)."""
    return LIGHT_MARKDOWN_COLORS.get(light or "", "gray")


def light_markdown(light: str | None, label: str) -> str:
    """``:colour[label]`` for a light; ``label`` must be constant text (it is markdown), never user text."""
    return f":{light_md_color(light)}[{label}]"


def light_badge(light: str, text: str | None = None, *, help: str | None = None) -> None:
    """A coloured label for a light with the rule behind it as tooltip (no HTML: user text is safe)."""
    st.badge(text or LIGHT_NAMES.get(light, "—"), color=LIGHT_UI_COLORS.get(light, "gray"),  # type: ignore[arg-type]
             help=help or LIGHT_LABELS.get(light))


def light_counts_row(counts: Mapping[str, int], label: str) -> None:
    """"label 红灯 3 黄灯 5 …" as badges (lights with a count only), the light's meaning as tooltip."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{label}**")
        for light in LIGHTS:
            if not counts.get(light):
                continue
            st.badge(f"{LIGHT_NAMES[light]} {int(counts.get(light, 0))}", color=LIGHT_UI_COLORS[light],  # type: ignore[arg-type]
                     help=LIGHT_LABELS[light])


@functools.lru_cache(maxsize=16)
def _light_dot(light: str) -> str:
    """A small SVG dot in the light's colour, as a data URL for st.column_config.ImageColumn."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
           f'<circle cx="8" cy="8" r="7" fill="{LIGHT_COLORS.get(light, "#9e9e9e")}"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# Columns holding project, department or indicator names: never cut in a table (a grid cell has no hover).
NAME_COLUMNS: tuple[str, ...] = ("项目名称", "项目", "名称", "部门名称", "三级指标", "项目/分项目标")
_NAME_MAX_PX = 600


def name_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Text columns wide enough for the longest name in each name column of ``frame`` (up to 600 px), so
    the full name is readable; a wider table scrolls sideways instead of cutting names."""
    return {col: st.column_config.TextColumn(col, width=_name_needs(frame, col)[-1])
            for col in NAME_COLUMNS if col in frame.columns}


# An entry grid keeps its name column at the grid's own width (the month columns must stay in view),
# which shows about this many characters; longer names are listed in full below it.
GRID_NAME_CHARS = 24
_CELL_PADDING_PX = 28  # a grid cell's padding around its text
# An entry grid is in view whole, without scrolling sideways, when no wider than the main area of a
# wide page at 1366×768 with the sidebar open (906 px, measured in Chromium).
GRID_VIEW_PX = 900
_STREAMLIT_WIDTHS = {"small": 75, "medium": 200, "large": 400}
_UNSET_WIDTH_PX = 100  # about what the grid gives a short column with no width set
FULL_NAME_LABELS = {"三级指标": "指标全称", "部门名称": "部门全称"}  # else 项目全称


def full_names(names: Any, *, label: str = "项目全称", width_px: int | None = None) -> None:
    """A closed expander listing in full, once each, the names an entry grid cuts: wider than a
    column of ``width_px`` (:func:`fitted_name_columns`), else longer than GRID_NAME_CHARS."""
    def cut(name: str) -> bool:
        return len(name) > GRID_NAME_CHARS if width_px is None else text_width_px(name) + _CELL_PADDING_PX > width_px

    long = [n for n in dict.fromkeys(str(n) for n in names if not is_missing(n)) if cut(n)]
    if long:
        with st.expander(f"{label}（表中显示不全的 {len(long)} 个）"):
            st.text("\n".join(long))


def _name_needs(frame: pd.DataFrame, col: str) -> list[int]:
    """The width each name of ``col`` needs (ascending, at least the header's, at most 600 px)."""
    header = text_width_px(col) + _CELL_PADDING_PX
    return sorted(min(max(text_width_px(str(v)) + _CELL_PADDING_PX, header), _NAME_MAX_PX)
                  for v in frame[col].tolist() if not is_missing(v)) or [header]


def _fewest_cut(needs: list[list[int]], room: int) -> tuple[int, int, list[int]]:
    """(names cut, room left unused, widths) of the widths within ``room`` that cut the fewest names:
    each column tries every width one of its names needs; the last one takes what is left."""
    first, rest = needs[0], needs[1:]
    if not rest:
        width = max(first[0], min(first[-1], room))
        return len(first) - bisect.bisect_right(first, width), max(room - width, 0), [width]
    best: tuple[int, int, list[int]] | None = None
    reserve = sum(n[0] for n in rest)
    for width in sorted(set(first)):
        if width > room - reserve and best is not None:
            break
        cut, left, widths = _fewest_cut(rest, room - width)
        found = (cut + len(first) - bisect.bisect_right(first, width), left, [width, *widths])
        if best is None or found[:2] < best[:2]:
            best = found
    assert best is not None
    return best


def fitted_name_columns(frame: pd.DataFrame, room_px: int) -> dict[str, Any]:
    """Name columns as :func:`name_columns` makes them (each as wide as its longest name) when they
    fit ``room_px`` together; else the widths within it that cut the fewest names, each column at
    least as wide as its header, the room a narrower column does not need going to the rightmost
    (the last name column in ``frame``). The names cut are listed by :func:`full_names`."""
    cols = [c for c in frame.columns if c in NAME_COLUMNS]
    if not cols:
        return {}
    _, _, widths = _fewest_cut([_name_needs(frame, c) for c in cols], room_px)
    return {c: st.column_config.TextColumn(c, width=w) for c, w in zip(cols, widths, strict=True)}


@dataclass(frozen=True)
class PreparedTable:
    """A table ready to draw: the display frame (perfwatch.pageviews.display_table) and its column
    settings. Preparing costs more than drawing (blank text, half-up rounding, name widths, light
    dots), so a page may build it once per data version and share it (:func:`perfwatch.web.shared`);
    it is read-only once built."""

    frame: pd.DataFrame
    column_config: dict[str, Any]


def prepare_table(data: pd.DataFrame | list[dict[str, Any]], decimals: Mapping[str, int] | None = None) -> PreparedTable:
    """The one table formatter: blank text instead of "None", "—" for missing numbers and dates,
    2 decimals rounded half-up (``decimals`` per column otherwise) with thousands separators; name
    columns as wide as their longest name (:func:`name_columns`)."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    table = pageviews.display_table(frame, decimals)
    numbers = {col: number_column(col, n) for col, n in table.places.items()}
    return PreparedTable(table.frame, {**numbers, **name_columns(frame)})


def prepare_light_table(frame: pd.DataFrame, *, light_col: str = "light", show_col: str = "灯") -> PreparedTable:
    """A table with a light column: a dot in the light's exact colour and the ``show_col`` text
    (红灯/黄灯…) as the first columns (in view however wide the name columns are), machine columns
    hidden, numbers and blanks as :func:`prepare_table` shows them (比值 with 1 decimal)."""
    shown = frame.drop(columns=[c for c in (light_col, "project_code", "department_id") if c in frame.columns])
    config: dict[str, Any] = {}
    if light_col in frame.columns and show_col in shown.columns:
        shown = shown[[show_col, *[c for c in shown.columns if c != show_col]]]
        shown.insert(0, "　", [_light_dot(str(light)) for light in frame[light_col]])
        config["　"] = st.column_config.ImageColumn("　", width=28)
        config[show_col] = st.column_config.TextColumn(show_col, width=60)
    table = prepare_table(shown, {"比值": 1})
    return PreparedTable(table.frame, {**table.column_config, **config})


def show_table(table: PreparedTable, *, column_config: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
    """st.dataframe of a prepared table (``column_config`` adds to or overrides the prepared one);
    index hidden, full width and "—" for a missing cell unless the caller says otherwise."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    kwargs.setdefault("placeholder", "—")  # a missing number or a cell the formatter did not reach: never "None"
    return st.dataframe(table.frame, column_config={**table.column_config, **(column_config or {})}, **kwargs)


def dataframe(data: pd.DataFrame | list[dict[str, Any]], *, decimals: Mapping[str, int] | None = None,
              column_config: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
    """st.dataframe through the one table formatter (:func:`prepare_table`)."""
    return show_table(prepare_table(data, decimals), column_config=column_config, **kwargs)


def number_column(label: str, places: int) -> Any:
    """A number column showing exactly ``places`` decimals with thousands separators ("1,234.57",
    "-35.75"). The values must already be rounded half-up to ``places`` (display_table does): the
    browser cuts at the step's decimals and does not round again."""
    return st.column_config.NumberColumn(label, format="localized", step=10.0 ** -places if places else 1)


def data_editor(frame: pd.DataFrame, *, fit_names: bool = False, **kwargs: Any) -> pd.DataFrame:
    """st.data_editor whose missing cells show blank (Streamlit's default shows "None"): an empty
    month is a blank cell, which the caller still tells apart from 0 (NaN in the returned frame).
    Index hidden and full width unless the caller says otherwise.

    ``fit_names``: the name columns share what the other shown columns (their ``column_config``
    widths) leave of GRID_VIEW_PX, so every column is in view at 1366 px (:func:`fitted_name_columns`);
    the names cut are listed in full below the grid (:func:`full_names`)."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    kwargs.setdefault("placeholder", "")
    names: dict[str, Any] = {}
    if fit_names:
        config = dict(kwargs.get("column_config") or {})
        shown = list(kwargs.get("column_order") or frame.columns)
        others = sum(_set_width_px(config.get(c)) for c in shown if c not in NAME_COLUMNS)
        names = fitted_name_columns(frame[[c for c in shown if c in NAME_COLUMNS]], GRID_VIEW_PX - others)
        kwargs["column_config"] = {**names, **config}
    edited = st.data_editor(frame, **kwargs)
    for col, setting in names.items():
        full_names(frame[col], label=FULL_NAME_LABELS.get(col, "项目全称"), width_px=int(setting["width"]))
    return edited


def _set_width_px(setting: Any) -> int:
    """A column's width in pixels as its column_config sets it (a number or small/medium/large)."""
    width = setting.get("width") if isinstance(setting, Mapping) else None
    if isinstance(width, int):
        return width
    return _STREAMLIT_WIDTHS.get(str(width), _UNSET_WIDTH_PX)


def light_dataframe(frame: pd.DataFrame, *, column_config: Mapping[str, Any] | None = None,
                    light_col: str = "light", show_col: str = "灯", **kwargs: Any) -> Any:
    """st.dataframe of :func:`prepare_light_table` (no HTML: user text is shown as text)."""
    return show_table(prepare_light_table(frame, light_col=light_col, show_col=show_col),
                      column_config=column_config, **kwargs)


# Streamlit's uploader has no API for its English "Upload" button and "200MB per file" line: constant
# CSS swaps them for Chinese; the real types and size limit are stated in the caption below it.
_UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {font-size: 0;}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.875rem;}
[data-testid="stFileUploaderDropzoneInstructions"] span {font-size: 0;}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {content: "或将文件拖放到此处"; font-size: 0.875rem;}
</style>"""


def file_uploader(label: str, types: list[str], *, key: str, help: str | None = None, max_mb: int | None = None,
                  **kwargs: Any) -> Any:
    """st.file_uploader with Chinese button text and a Chinese line naming the accepted types and
    the size limit: ``max_mb`` when the upload has a smaller limit of its own (the browser refuses a
    larger file at once), else server.maxUploadSize."""
    st.markdown(_UPLOADER_CSS, unsafe_allow_html=True)  # safe-html: constant CSS, no user text
    upload = st.file_uploader(label, type=types, key=key, help=help, max_upload_size=max_mb, **kwargs)
    limit = max_mb or st.get_option("server.maxUploadSize")
    st.caption(f"支持 {'、'.join(t.upper() for t in types)} 文件，单个文件不超过 {limit} MB。")
    return upload


def pick_department(key: str) -> pd.Series:
    """The department-year the page works on: a selector when there is more than one, a message
    and a stop when there is none. Returns the row of queries/departments.sql."""
    depts = df("departments")
    if depts.empty:
        st.info("数据库中还没有部门和项目。请先导入绩效目标表。")
        st.stop()
    labels = [f"{r.code} {r.name}（{r.fiscal_year} 年度）" for r in depts.itertuples()]
    choice = st.selectbox("部门与年度", range(len(labels)), format_func=labels.__getitem__, key=key) \
        if len(labels) > 1 else 0
    return depts.iloc[choice]


def attempt(action: Any, *, passthrough: tuple[type[BaseException], ...] = ()) -> Any:
    """Run a write; show a refused one as a message (never a traceback). None if refused.

    Exceptions in ``passthrough`` propagate for the page to handle (e.g. a confirmation step).
    """
    try:
        return action()
    except passthrough:
        raise
    except entry.USER_ERRORS as exc:
        st.error(entry.error_text(exc), icon=":material/warning:")
        return None
    except (duckdb.Error, OSError) as exc:  # disk full, write conflict ...: a message, not a traceback
        st.error(db.describe_error(exc), icon=":material/warning:")
        return None
