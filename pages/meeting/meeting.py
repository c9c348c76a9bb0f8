"""会议大屏: the quarterly meeting wall screen (1920×1080), one topic per screen, no editing.

URL options (for a lobby display): ``?embed=true&theme=dark&auto=30&screen=1``.
Sequencing and styling live in :mod:`perfwatch.meeting`; the numbers come from the engine.
"""

from __future__ import annotations

import time

import streamlit as st

from perfwatch import charts, meeting, numfmt, web
from perfwatch.plan import plan_curve
from perfwatch.reports import data
from perfwatch.settings import LIGHT_NAMES

st.set_page_config(page_title="会议大屏", layout="wide", initial_sidebar_state="collapsed")

KEY_SCREEN = "meeting_screen"
KEY_LAST = "meeting_last_change"
KEY_THEME = "meeting_theme"
KEY_AUTO = "meeting_auto"
MAX_INDICATORS = 2  # lagging indicators per project screen (readable from the back of the room)

url = meeting.parse_options(st.query_params.to_dict())
if KEY_THEME not in st.session_state:
    st.session_state[KEY_THEME] = url.theme
if KEY_AUTO not in st.session_state:
    st.session_state[KEY_AUTO] = url.auto_seconds
if KEY_SCREEN not in st.session_state:
    st.session_state[KEY_SCREEN] = url.screen

ctx = web.sidebar_context()
with st.sidebar:
    st.radio("大屏主题", meeting.THEMES, key=KEY_THEME, format_func=meeting.THEME_LABELS.__getitem__, horizontal=True)
    auto_choices = sorted(set(meeting.AUTO_CHOICES) | {int(st.session_state[KEY_AUTO])})
    st.selectbox("自动翻页", auto_choices, key=KEY_AUTO,
                 format_func=lambda s: "不自动翻页" if s == 0 else f"每 {s} 秒翻一屏",
                 help="大厅展示时可自动循环播放；也可在网址中加 ?auto=30&theme=dark&embed=true")
theme: str = st.session_state[KEY_THEME]
auto: int = int(st.session_state[KEY_AUTO])
st.markdown(meeting.theme_css(theme), unsafe_allow_html=True)  # safe-html: constant CSS, no user text

if not ctx.has_actuals:
    web.no_actuals(ctx, "会议大屏内容")
    st.stop()

status = web.status(ctx)
report = web.shared(ctx, "report", lambda: data.build_report(web.connection(), ctx.department_id, as_of=ctx.as_of,
                                                              status=status))
screens = meeting.build_screens(report)


def _go(delta: int) -> None:
    st.session_state[KEY_SCREEN] = meeting.step(meeting.clamp(st.session_state.get(KEY_SCREEN), len(screens)),
                                                len(screens), delta)
    st.session_state[KEY_LAST] = time.monotonic()


def _summary() -> None:
    from perfwatch.reports.data import fmt_amount, fmt_pct

    c = st.columns(6)
    c[0].metric("监控项目数", f"{len(report.projects)} 个", border=True)
    c[1].metric("资金总量（万元）", fmt_amount(report.budget), border=True)
    c[2].metric(f"{report.period}执行数（万元）", fmt_amount(report.spent), border=True)
    gap = None if report.execution_pct is None or report.expected_pct is None else report.execution_pct - report.expected_pct
    c[3].metric("执行率", fmt_pct(report.execution_pct), border=True,
                delta=None if gap is None else numfmt.pp(gap), delta_arrow="off")
    c[4].metric("计划应达进度", fmt_pct(report.expected_pct), border=True)
    c[5].metric("序时进度", fmt_pct(report.time_pct), border=True)
    left, right = st.columns([1, 2.1])
    with left:
        # Chips: constant light names and counts, project names escaped in perfwatch.meeting.
        st.markdown("### 项目亮灯（综合）")
        st.html(meeting.chips_html(report.light_counts(), "个项目"))
        st.markdown("### 支出进度灯")
        st.html(meeting.chips_html(report.light_counts("execution_light"), "个项目"))
        st.markdown("### 绩效指标灯")
        st.html(meeting.chips_html(report.indicator_light_counts(), "个指标"))
        st.markdown("### 滞后项目")
        st.html(meeting.lag_list_html(report.lagging, 4))
    with right:
        def _chart() -> object:
            fig = charts.execution_chart(status.projects, report.time_pct, name_width=9)
            fig.update_layout(showlegend=False)
            fig.update_xaxes(title_text=None)
            return meeting.style_figure(fig, theme)

        with st.container(key="wall_summary_chart"):
            st.plotly_chart(web.figure(ctx, "meeting_summary", _chart, theme),
                            config={"displayModeBar": False, "responsive": True}, height="stretch", key=f"meeting_summary_chart_{theme}")


def _project(project: data.ProjectLine) -> None:
    st.html(meeting.title_html(project.combined_light, f"{project.seq}. {project.name}"))  # name escaped
    st.markdown(f"**{meeting.project_facts(project)}**")
    left, right = st.columns([1.25, 1])
    with left:
        def _chart() -> object:
            cps = web.reads.plan_checkpoints(project.project_id)
            fig = charts.spend_curve(web.spend_series(ctx, project.project_id),
                                     plan_curve(cps, status.rules.plan_method), as_of=report.as_of,
                                     budget=project.budget, checkpoints=cps, light=project.execution_light,
                                     reason=project.reason, height=640)
            return meeting.style_figure(fig, theme)

        with st.container(key="wall_project_chart"):
            st.plotly_chart(web.figure(ctx, "meeting_project", _chart, project.project_id, theme),
                            config={"displayModeBar": False, "responsive": True}, height="stretch", key=f"meeting_project_chart_{project.project_id}_{theme}")
    with right:
        with st.container(border=True):
            st.html(meeting.title_html(project.execution_light, "支出进度", tag="p"))
            lines = [meeting.md_escape(project.execution_reason or "—")]
            if project.next_checkpoint_month and project.to_next_checkpoint is not None:
                lines.append(f"距{project.next_checkpoint_month}月底计划节点还需支出 "
                             f"**{project.to_next_checkpoint:,.2f} 万元**")
            st.markdown("  \n".join(lines))
        lagging = data.lagging_indicators(project)
        if not lagging:
            st.markdown("### 绩效指标")
            st.markdown(f"没有红灯或黄灯指标；本项目滞后在支出进度（支出进度{LIGHT_NAMES[project.execution_light]}）。")
        else:
            st.markdown(f"### 滞后指标（{len(lagging)} 个）")
        for ind in lagging[:MAX_INDICATORS]:
            with st.container(border=True):
                st.html(meeting.title_html(ind.light, f"{ind.level3}　指标值 {ind.target_text}", tag="p"))
                lines = [f"执行情况：{meeting.md_escape(ind.actual_text or '—')}"]
                causes = "、".join(ind.causes)
                cause = "：".join(t for t in (causes, ind.cause_text) if t) or "（未填报）"
                lines.append(f"偏差原因：{meeting.md_escape(cause)}")
                lines.append(f"纠偏措施：{meeting.md_escape(ind.measure or '（未填报）')}")
                lines.append(f"完成可能性：{meeting.md_escape(ind.likelihood or '—')}")
                st.markdown("  \n".join(lines))
        if len(lagging) > MAX_INDICATORS:
            st.caption(f"另有 {len(lagging) - MAX_INDICATORS} 个滞后指标，详见运行监控简报。")


def _matrix() -> None:
    with st.container(key="wall_full_chart"):
        st.plotly_chart(web.figure(ctx, "meeting_matrix", lambda: meeting.matrix_figure(report, theme), theme),
                        config={"displayModeBar": False, "responsive": True}, height="stretch", key=f"meeting_matrix_{theme}")
    st.caption("每格为该项目该类（二级指标）中最差的指标灯；“—”表示没有此类指标。灰灯：未到期、待评或未填报。")


def _history() -> None:
    with st.container(key="wall_full_chart"):
        st.plotly_chart(web.figure(ctx, "meeting_history",
                                   lambda: meeting.history_figure(web.light_history(ctx), theme), theme),
                        config={"displayModeBar": False, "responsive": True}, height="stretch",
                        key=f"meeting_history_{theme}")
    st.caption("每格为该项目在该月底的综合灯（支出进度与绩效指标取较差者），按当时的数据由同一规则计算。")


@st.fragment(run_every=auto if auto > 0 else None)
def _show() -> None:
    n = len(screens)
    index = meeting.clamp(st.session_state.get(KEY_SCREEN), n)
    if auto > 0:
        index, last = meeting.auto_step(index, n, st.session_state.get(KEY_LAST), time.monotonic(), auto)
        st.session_state[KEY_LAST] = last
    st.session_state[KEY_SCREEN] = index
    screen = screens[index]
    head, prev, label, nxt = st.columns([5.4, 1.1, 1.2, 1.1], vertical_alignment="center")
    head.markdown(f"# {meeting.md_escape(report.name)} · {report.fiscal_year}年{report.period} · {screen.title}")
    prev.button("◀ 上一屏", on_click=_go, args=(-1,), width="stretch", key="meeting_prev")
    label.markdown(f"**{meeting.screen_label(index, n)}**")
    nxt.button("下一屏 ▶", on_click=_go, args=(1,), width="stretch", key="meeting_next")
    if screen.kind == "summary":
        _summary()
    elif screen.kind == "history":
        _history()
    elif screen.kind == "project":
        _project(next(p for p in report.projects if p.project_id == screen.project_id))
    else:
        _matrix()


_show()
