"""The indicator-result form: one set of widgets for 指标填报 and 项目填报 (same fields, same checks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from perfwatch import entry
from perfwatch.vocab import CAUSE_CATEGORIES, LIKELIHOODS, RATINGS


def result_form(ind: entry.Indicator, fields: Mapping[str, Any], *, prefix: str, suffix: str, as_of: dt.date,
                base_id: int | None, submit_label: str, disabled: bool) -> entry.ResultInput | None:
    """The form for one indicator's result to ``as_of`` (截至目前完成值 / 完成日期 / 完成评价 by the
    indicator's kind, 全年预计完成情况, 完成目标可能性, 偏差原因类别, 原因说明, 纠偏措施, 备注), filled
    with ``fields`` (the current result's fields, empty for none). Widget keys are
    ``{prefix}_{field}_{suffix}``, the form's ``{prefix}_form_{suffix}``. Returns the entered result
    when the button was pressed (``base_id``: the row the edit is based on, for the conflict check),
    else None; the caller saves it through its own write path."""
    month, year = as_of.month, as_of.year

    def k(name: str) -> str:
        return f"{prefix}_{name}_{suffix}"

    with st.form(key=f"{prefix}_form_{suffix}"):
        value: float | None = None
        done_date: dt.date | None = None
        rating: str | None = None
        if ind.value_kind == "number":
            unit = "（%，0–100）" if ind.is_percent else (f"（{ind.unit}）" if ind.unit else "")
            value = st.number_input(f"1–{month}月执行情况：截至目前完成值{unit}", value=fields.get("value"),
                                    min_value=0.0, max_value=100.0 if ind.is_percent else None, step=1.0,
                                    key=k("value"))
        elif ind.value_kind == "date":
            done_date = st.date_input("完成日期（未完成留空）", value=fields.get("done_date"),
                                      min_value=dt.date(year, 1, 1), max_value=as_of, key=k("done"))
        else:
            opts = ["", *RATINGS]
            rating = st.selectbox("完成评价", opts, index=opts.index(fields.get("rating") or ""), key=k("rating")) or None
        projected = st.text_input("全年预计完成情况", value=fields.get("projected_text") or "", key=k("projected"))
        likelihood_opts = ["", *LIKELIHOODS]
        likelihood = st.radio("完成目标可能性", likelihood_opts, index=likelihood_opts.index(fields.get("likelihood") or ""),
                              horizontal=True, format_func=lambda x: x or "未选择", key=k("likelihood")) or None
        cats = st.multiselect("偏差原因类别", list(CAUSE_CATEGORIES), default=list(fields.get("cause_categories") or []),
                              key=k("cats"), placeholder="请选择")
        cause = st.text_area("原因说明", value=fields.get("cause_text") or "", height=68, key=k("cause"))
        measure = st.text_area("纠偏措施", value=fields.get("measure") or "", height=68, key=k("measure"))
        note = st.text_input("备注", value=fields.get("note") or "", key=k("note"))
        submitted = st.form_submit_button(submit_label, type="primary", disabled=disabled)
    if not submitted:
        return None
    return entry.ResultInput(ind.id, as_of, value=value, done_date=done_date, rating=rating, projected_text=projected,
                             cause_categories=tuple(cats), cause_text=cause, likelihood=likelihood, measure=measure,
                             note=note, base_id=base_id)
