"""The 操作日志 in Chinese: action codes, table names, JSON field names and actors as people read
them (no streamlit; the page and its CSV/XLSX exports call :func:`chinese_frame`).

Unknown codes are shown as they are (never hidden), so a new action still appears in the log.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from perfwatch.plan import PLAN_METHOD_LABELS
from perfwatch.store import PERMISSION_LABELS, ROLE_LABELS
from perfwatch.targets_view import KIND_LABELS
from perfwatch.vocab import NATURE_LABELS

ACTION_NAMES: dict[str, str] = {
    "user.create": "新建用户",
    "user.create_first_admin": "首次启动创建管理员",
    "user.update": "修改用户",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "user.reset_password": "重置密码",
    "user.manage": "用户管理",
    "assignment.manage": "分配负责项目",
    "spend.record": "录入支出",
    "spend.undo": "撤销支出",
    "spend.over_budget_confirmed": "确认超预算支出",
    "result.record": "填报指标完成值",
    "result.undo": "撤销指标完成值",
    "report.record": "填报项目情况",  # before round.declare had its own name (older audit rows)
    "round.declare": "填报项目情况",
    "declaration.record": "保存项目填报",
    "round.submit": "提交审核",
    "round.return": "退回修改",
    "round.approve": "审核通过",
    "attachment.add": "上传佐证材料",
    "attachment.remove": "删除佐证材料",
    "period.lock": "锁定月份",
    "period.unlock": "解锁月份",
    "settings.update": "修改设置",
    "backup.create": "创建备份",
    "targets.import": "导入绩效目标",
    "targets.department.add": "新增部门",
    "targets.department.update": "修改部门",
    "targets.sub_goal.add": "新增分项目标",
    "targets.sub_goal.update": "修改分项目标",
    "targets.project.add": "新增项目",
    "targets.project.update": "修改项目",
    "targets.project.retire": "停用项目",
    "targets.plan.update": "修改支出计划",
    "targets.goals.update": "修改项目绩效目标",
    "targets.indicator.add": "新增指标",
    "targets.indicator.update": "修改指标",
    "targets.indicator.retire": "停用指标",
    "targets.milestones.update": "导入时修改指标里程碑",
    "indicator.nature.set": "修改指标性质",
    "indicator.milestones.set": "修改指标里程碑",
}

ENTITY_NAMES: dict[str, str] = {
    "users": "用户",
    "user_projects": "用户负责项目",
    "spend_entries": "支出数",
    "indicator_results": "指标完成值",
    "project_reports": "项目情况",
    "round_states": "审核状态",
    "attachments": "佐证材料",
    "period_locks": "月份锁定",
    "settings": "设置",
    "backups": "备份",
    "departments": "部门",
    "sub_goals": "分项目标",
    "projects": "项目",
    "plan_checkpoints": "支出计划",
    "goals": "绩效目标",
    "indicators": "绩效指标",
    "indicator_milestones": "指标里程碑",
}

FIELD_NAMES: dict[str, str] = {
    "id": "编号", "username": "用户名", "display_name": "姓名", "role": "角色", "oidc_email": "单点登录邮箱",
    "email": "邮箱", "disabled": "已停用", "password": "密码", "projects": "负责项目", "created_via": "创建方式",
    "project_id": "项目编号", "project_code": "项目编码", "department_id": "部门编号",
    "department_code": "部门编码", "period": "月份", "month": "月份", "amount": "金额（万元）",
    "value": "完成值", "done_date": "完成日期", "rating": "评价", "projected_text": "全年预计（文字）",
    "projected_value": "全年预计值", "cause_categories": "偏差原因类别", "cause_text": "偏差原因说明",
    "likelihood": "完成可能性", "measure": "纠偏措施", "note": "备注", "locked": "已锁定",
    "path": "路径", "tables": "表数", "code": "编码", "name": "名称", "fiscal_year": "年度",
    "title": "标题", "goal": "目标", "goals": "绩效目标", "budget": "预算数（万元）",
    "fiscal_funds": "财政拨款（万元）", "carryover_funds": "上年结转（万元）", "other_funds": "其他资金（万元）",
    "retired": "已停用", "level3": "三级指标", "target_text": "指标值", "unit": "单位", "kind": "类型",
    "comparator": "比较方式", "deadline": "完成时限", "seq": "序号", "plan": "支出计划", "key": "设置项",
    "undoes": "撤销的记录", "undoes_row": "撤销的记录", "batch_id": "批次", "source": "来源",
    "over_budget_confirmed": "已确认超预算", "indicator_id": "指标编号", "user_id": "用户编号",
    "overall_goal": "总体目标", "purpose": "用途", "entered_by": "录入人", "created_by": "创建人",
    "created_at": "创建时间", "description": "说明", "text": "内容", "nature": "性质",
    "as_of": "截至日期", "progress_text": "进展情况", "projected_amount": "全年预计执行数（万元）",
    "declared_at": "填报时间", "state": "状态", "comment": "意见", "file_name": "文件名", "size": "大小（字节）",
    # the rules (perfwatch.settings.Rules) as the 判定规则 page names them
    "execution_rule": "支出进度灯规则", "plan_method": "计划应达进度算法",
    "ratio_red_below": "比值规则红灯阈值", "ratio_yellow_below": "比值规则黄灯阈值",
    "points_red_below": "百分点规则红灯阈值", "points_yellow_below": "百分点规则黄灯阈值",
    "rate_tolerance_pp": "比率指标容差（个百分点）", "count_red_below": "数量指标红灯阈值",
    "count_yellow_below": "数量指标黄灯阈值", "count_blue_from": "数量指标蓝灯阈值",
    "grey_before_first_checkpoint": "首个节点前显示灰灯",
    "basis": "指标值确定依据", "safeguards": "保障措施", "level1": "一级指标", "level2": "二级指标",
    "sub_goal_id": "分项目标编号", "milestones": "里程碑",
}

# Setting keys (the 对象编号 of a settings row, and the 设置项 of its value).
SETTING_NAMES: dict[str, str] = {
    "rules": "判定规则",
    "session_idle_timeout_minutes": "空闲自动退出时间（分钟）",
    "public_meeting_screen": "会议大屏免登录查看",
    "report.basis_line": "报告依据",
    "report.cut_threshold_pct": "压减阈值（%）",
}

# Coded values shown by their Chinese word.
_VALUE_WORDS: dict[str, dict[str, str]] = {
    "execution_rule": {"ratio": "比值规则", "points": "百分点规则"},
    "plan_method": PLAN_METHOD_LABELS,
    "source": {"manual": "手工填报"},
    "kind": KIND_LABELS,
    "comparator": {">=": "≥", "<=": "≤", "=": "=", "deadline": "时限", "qualitative": "定性"},
}


def actor_label(actor: Any) -> str:
    """Who did it: "cli:root" -> "命令行（root）", "system" -> "系统", a user name as it is."""
    text = "" if actor is None else str(actor)
    if text.startswith("cli:"):
        return f"命令行（{text[4:] or '未知用户'}）"
    if text == "system":
        return ROLE_LABELS["system"]
    return text or "—"


def source_label(source: Any) -> str:
    """Where a figure came from: the code "manual" as 手工填报; other sources are already Chinese
    text (表格录入, 文件:name.xlsx, 撤销, 项目填报…) and shown as they are; "—" when missing."""
    if source is None or (isinstance(source, float) and source != source):
        return "—"
    text = str(source)
    return _VALUE_WORDS["source"].get(text, text or "—")


def action_label(action: Any) -> str:
    text = "" if action is None else str(action)
    return ACTION_NAMES.get(text) or PERMISSION_LABELS.get(text) or text or "—"


def entity_label(entity: Any) -> str:
    text = "" if entity is None else str(entity)
    return ENTITY_NAMES.get(text, text or "—")


def _value_text(key: str | None, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "role" and isinstance(value, str):
        return ROLE_LABELS.get(value, value)
    if key == "created_via" and value == "first_start":
        return "首次启动"
    if key == "key" and isinstance(value, str):
        return SETTING_NAMES.get(value, value)
    if key in _VALUE_WORDS and isinstance(value, str):
        return _VALUE_WORDS[key].get(value, value)
    if key == "nature" and isinstance(value, str):
        return NATURE_LABELS.get(value, value)
    if _is_month_pairs(value):  # milestones (or plan checkpoints) as [[month, value], ...]: "6月:1；12月:2"
        return "；".join(f"{int(m)}月:{float(v):g}" for m, v in value)
    if isinstance(value, list):
        return "、".join(_value_text(None, v) for v in value) or "（无）"
    if isinstance(value, dict):
        return "，".join(f"{FIELD_NAMES.get(k, k)}：{_value_text(k, v)}" for k, v in value.items()) or "（无）"
    return str(value)


def _is_month_pairs(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(p, list) and len(p) == 2 and isinstance(p[0], int) and not isinstance(p[0], bool) and 1 <= p[0] <= 12
        and isinstance(p[1], (int, float)) and not isinstance(p[1], bool) for p in value)


def value_text(raw: Any) -> str:
    """An old/new value (JSON text) with Chinese field names: '{"username": "a", "disabled": true}'
    -> "用户名：a；已停用：是". Blank when there is none; text that is not JSON is shown as it is."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return ""
    text = str(raw)
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, dict):
        return "；".join(f"{FIELD_NAMES.get(k, k)}：{_value_text(k, v)}" for k, v in value.items())
    return _value_text(None, value)


def chinese_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The audit frame (Chinese column names from :func:`perfwatch.audit.audit_frame`) with Chinese
    actions, objects, actors and values."""
    out = frame.copy()
    for col, fn in (("操作人", actor_label), ("操作", action_label), ("对象", entity_label),
                    ("原值", value_text), ("新值", value_text)):
        if col in out.columns:
            out[col] = out[col].map(fn)
    if "对象编号" in out.columns:
        ids = out["对象编号"].map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
        if "对象" in frame.columns:  # a settings row is identified by its key: show the setting's name
            is_setting = frame["对象"].astype(str) == "settings"
            ids = ids.where(~is_setting, ids.map(lambda k: SETTING_NAMES.get(k, k)))
        out["对象编号"] = ids
    return out
