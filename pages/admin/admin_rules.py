"""判定规则: the thresholds behind every light, changed without code (admin), audited."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from perfwatch import web
from perfwatch.settings import DEFAULT_RULES, EXECUTION_RULES, PLAN_METHODS, load_rules, rule_text, save_rules
from perfwatch.store import PermissionDenied, ValidationError

actor = web.require_role("admin")
conn = web.frame_connection()
st.title("判定规则")
st.caption("各类亮灯的阈值。修改后所有页面、大屏、监控表和简报立即按新规则计算；每次修改都记入操作日志。")

try:
    current = load_rules(conn)
except ValidationError as exc:
    st.error(f"已保存的规则无效，暂按默认规则显示：{exc}")
    current = DEFAULT_RULES

RULE_LABELS = {"ratio": "比值法（执行率÷计划应达×100）", "points": "百分点法（执行率−计划应达）"}
PLAN_LABELS = {"linear": "线性插值（默认）", "step": "阶梯（取已到达的节点）"}

with st.form("rules"):
    c1, c2 = st.columns(2)
    execution_rule = c1.radio("支出进度灯规则", EXECUTION_RULES, index=EXECUTION_RULES.index(current.execution_rule),
                              format_func=RULE_LABELS.get)
    plan_method = c2.radio("计划应达进度算法", PLAN_METHODS, index=PLAN_METHODS.index(current.plan_method),
                           format_func=PLAN_LABELS.get)
    first_grey = st.checkbox("3月底（首个计划节点）之前，支出进度灯显示灰灯“未到首个节点”，不评红黄灯（超预算照常标记）",
                             value=current.grey_before_first_checkpoint, key="first_grey")
    st.markdown("**比值法阈值**")
    c1, c2 = st.columns(2)
    ratio_red = c1.number_input("低于此值为红灯", value=current.ratio_red_below, step=5.0, key="ratio_red")
    ratio_yellow = c2.number_input("低于此值为黄灯（以上为绿灯）", value=current.ratio_yellow_below, step=5.0,
                                   key="ratio_yellow")
    st.markdown("**百分点法阈值**")
    c1, c2 = st.columns(2)
    points_red = c1.number_input("低于此值（百分点）为红灯", value=current.points_red_below, step=1.0, key="points_red")
    points_yellow = c2.number_input("低于此值（百分点）为黄灯", value=current.points_yellow_below, step=1.0,
                                    key="points_yellow")
    st.markdown("**绩效指标**")
    c1, c2, c3, c4 = st.columns(4)
    rate_tol = c1.number_input("比率指标容差（百分点）", value=current.rate_tolerance_pp, step=1.0, key="rate_tol")
    count_red = c2.number_input("数量指标红灯（完成%低于）", value=current.count_red_below, step=5.0, key="count_red")
    count_yellow = c3.number_input("数量指标黄灯（完成%低于）", value=current.count_yellow_below, step=5.0,
                                   key="count_yellow")
    count_blue = c4.number_input("数量指标蓝灯（完成%不低于）", value=current.count_blue_from, step=5.0, key="count_blue")
    c1, c2 = st.columns([1, 4])
    save = c1.form_submit_button("保存", type="primary")
    reset = c2.form_submit_button("恢复默认规则")

if save or reset:
    new = DEFAULT_RULES if reset else replace(
        current, execution_rule=execution_rule, plan_method=plan_method,
        ratio_red_below=float(ratio_red), ratio_yellow_below=float(ratio_yellow),
        points_red_below=float(points_red), points_yellow_below=float(points_yellow),
        rate_tolerance_pp=float(rate_tol), count_red_below=float(count_red),
        count_yellow_below=float(count_yellow), count_blue_from=float(count_blue),
        grey_before_first_checkpoint=bool(first_grey),
    )
    try:
        save_rules(conn, actor, new)
    except (ValidationError, PermissionDenied) as exc:
        st.error(f"未保存：{exc}")
    else:
        web.after_write()
        current = new
        st.success("已保存，所有页面按新规则计算。")

st.subheader("当前生效的规则")
for line in rule_text(current).values():
    st.text(line)
