"""操作日志: every change in audit_log (who, when, what, old, new), filtered and exported."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from perfwatch import audit, audit_labels, web
from perfwatch.textsafe import md

web.require_role("admin")
conn = web.frame_connection()
st.title("操作日志")
st.caption("所有通过本系统写入的数据变更：谁、何时、做了什么、原值与新值。密码不会记录在日志中。")
chain = audit.chain_report(conn)  # every row hashed with the one before: edits outside the app show here
(st.success if chain.ok else st.error)(chain.summary())
if not chain.ok:
    with st.expander(f"异常明细（{len(chain.problems)} 处）", expanded=True):
        st.text("\n".join(chain.problems[:500]))

ANY = "（全部）"
options = audit.facets(conn)
c1, c2, c3, c4 = st.columns([1, 1, 1, 1.4])
who = c1.selectbox("操作人", [ANY, *options["actor"]], format_func=lambda v: v if v == ANY else audit_labels.actor_label(v))
what = c2.selectbox("操作", [ANY, *options["action"]], format_func=lambda v: v if v == ANY else audit_labels.action_label(v))
entity = c3.selectbox("对象", [ANY, *options["entity"]], format_func=lambda v: v if v == ANY else audit_labels.entity_label(v))
today = dt.date.today()
dates = c4.date_input("日期范围", value=(today - dt.timedelta(days=30), today), max_value=today + dt.timedelta(days=1))
date_from, date_to = (dates[0], dates[-1]) if isinstance(dates, (tuple, list)) and dates else (None, None)

# Lazy loading: the newest PAGE_ROWS rows first, more on request (the log grows without bound).
PAGE_ROWS = 500
shown_rows = min(int(st.session_state.get("audit_rows", PAGE_ROWS)), audit.MAX_ROWS)
frame = audit.audit_frame(
    conn,
    actor=None if who == ANY else who,
    action=None if what == ANY else what,
    entity=None if entity == ANY else entity,
    date_from=date_from,
    date_to=date_to,
    limit=shown_rows + 1,
)
more = len(frame) > shown_rows
frame = audit_labels.chinese_frame(frame.head(shown_rows))
st.write(f"显示最新的 {len(frame)} 条记录" + ("（还有更早的记录）" if more else "（全部）"))
st.caption("点选一行，下方显示该条记录完整的原值与新值。")
event = web.dataframe(frame, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                      key="audit_table")
picked = event.selection.rows if event is not None and hasattr(event, "selection") else []
if picked and picked[0] < len(frame):
    row = frame.iloc[picked[0]]
    with st.container(border=True, key="audit_detail"):
        head = f"第 {row['编号']} 条：{row['时间']} {row['操作人']} {row['操作']}（{row['对象']} {row['对象编号']}）"
        st.markdown(f"**{md(head)}**")
        st.markdown("**原值**")
        st.text(str(row["原值"]) or "—")
        st.markdown("**新值**")
        st.text(str(row["新值"]) or "—")
if more and shown_rows < audit.MAX_ROWS and st.button(f"再加载 {PAGE_ROWS} 条", key="audit_more"):
    st.session_state["audit_rows"] = shown_rows + PAGE_ROWS
    st.rerun()

filters = {"actor": None if who == ANY else who, "action": None if what == ANY else what,
           "entity": None if entity == ANY else entity, "date_from": date_from, "date_to": date_to}


def _everything() -> Any:
    """Every filtered row (up to audit.MAX_ROWS) in Chinese: built only when a download is clicked."""
    return audit_labels.chinese_frame(audit.audit_frame(conn, **filters))


stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
d1, d2 = st.columns(2)
d1.download_button("导出 CSV（全部筛选结果）", lambda: audit.to_csv_bytes(_everything()),
                   file_name=f"操作日志-{stamp}.csv", mime="text/csv")
d2.download_button(
    "导出 Excel（全部筛选结果）",
    lambda: audit.to_xlsx_bytes(_everything()),
    file_name=f"操作日志-{stamp}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
