"""The 操作日志 reads in Chinese: actions, objects, field names and the CLI actor."""

from __future__ import annotations

import pandas as pd

from perfwatch import audit_labels


def test_codes_become_chinese() -> None:
    """Test that raw codes are shown as the Chinese words a user knows (hand-written expectations)."""
    assert audit_labels.action_label("user.create") == "新建用户"
    assert audit_labels.entity_label("indicator_results") == "指标完成值"
    assert audit_labels.actor_label("cli:root") == "命令行（root）"
    assert audit_labels.actor_label("system") == "系统"
    assert audit_labels.actor_label("zhang") == "zhang"
    assert audit_labels.action_label("something.new") == "something.new"  # unknown: shown, not hidden


def test_json_values_get_chinese_field_names() -> None:
    """Test that JSON old/new values show Chinese keys, 是/否 and role names."""
    raw = '{"username": "li", "role": "owner", "disabled": false, "projects": ["P01", "P02"]}'
    assert audit_labels.value_text(raw) == "用户名：li；角色：项目负责人；已停用：否；负责项目：P01、P02"
    assert audit_labels.value_text(None) == ""
    assert audit_labels.value_text("not json") == "not json"


def test_frame_has_no_raw_codes() -> None:
    """Test that the displayed log frame contains no raw action/table code or English JSON key."""
    frame = pd.DataFrame({
        "编号": [2, 1], "时间": ["2026-01-02", "2026-01-01"], "操作人": ["cli:root", "admin"],
        "操作": ["result.record", "user.create"], "对象": ["indicator_results", "users"],
        "对象编号": ["7", None], "原值": [None, None],
        "新值": ['{"value": 98.5, "likelihood": "有可能", "measure": "加快"}', '{"username": "li", "role": "admin"}'],
    })
    out = audit_labels.chinese_frame(frame)
    text = out.to_csv(index=False)
    for raw in ("result.record", "user.create", "indicator_results", "users", "cli:", "username", "likelihood", "None"):
        assert raw not in text, raw
    assert out.loc[0, "新值"] == "完成值：98.5；完成可能性：有可能；纠偏措施：加快"
    assert out.loc[1, "新值"] == "用户名：li；角色：管理员"


def test_report_settings_and_indicator_values_are_chinese() -> None:
    """Test that a project report, a setting row and an indicator's coded values read in Chinese
    (the rows the page walk found with as_of, progress_text, rate, public_meeting_screen)."""
    raw = '{"as_of": "2024-07-31", "progress_text": "招标中", "projected_amount": 6.5, "source": "manual"}'
    assert audit_labels.value_text(raw) == "截至日期：2024-07-31；进展情况：招标中；全年预计执行数（万元）：6.5；来源：手工填报"
    raw = '{"kind": "rate", "comparator": ">=", "basis": "调查问卷"}'
    assert audit_labels.value_text(raw) == "类型：比率（≥/=）；比较方式：≥；指标值确定依据：调查问卷"
    frame = pd.DataFrame({"操作人": ["admin"], "操作": ["settings.update"], "对象": ["settings"],
                          "对象编号": ["public_meeting_screen"], "原值": [None], "新值": ["true"]})
    row = audit_labels.chinese_frame(frame).iloc[0]
    assert (row["对象"], row["对象编号"], row["新值"]) == ("设置", "会议大屏免登录查看", "是")
    assert audit_labels.source_label("manual") == "手工填报"
    assert audit_labels.source_label("文件:a.xlsx") == "文件:a.xlsx"


def test_count_nature_reads_in_chinese() -> None:
    """Test that an indicator's count nature (DOMAIN §5a) is named and valued in Chinese in the log."""
    assert audit_labels.value_text('{"nature": "one_off", "milestones": null}') == "性质：一次性；里程碑：—"
