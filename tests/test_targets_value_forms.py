"""Every 指标值 form keeps its row: no silent merge when a value is not a number pattern (issue 14 item 2).

The fixture is a 民政局 project table in the Hebei layout whose values are "零投诉", "每月 10 日前",
"9 月底前完 / 成" (wrapped), "有效保障" and "按时完成". Before the fix the parser merged three
indicators into one whose description read "…每月 10 日前文件规定成本指标低保补助总成本…".
Expected values below are read off the fixture by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from perfwatch.dataset import validate_dataset
from perfwatch.importers.targets_text import parse_targets_text
from perfwatch.importers.targets_text.kinds import classify_value, guess_nature

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "targets" / "county-civil-affairs-2025-value-forms.txt"

# (level2, level3, description, target_text, kind, value, deadline, basis) as printed in the fixture
EXPECTED = [
    ("数量指标", "保障人数", "城乡低保保障人数", "≥1500 人", "count", 1500.0, None, "工作计划"),
    ("质量指标", "群众投诉", "低保发放群众有效投诉", "零投诉", "zero", 0.0, None, "工作计划"),
    ("时效指标", "补助发放及时性", "低保补助按月发放", "每月 10 日前", "deadline", None, "12-10", "文件规定"),
    ("成本指标", "低保补助总成本", "低保补助总成本", "≤120 万元", "cost", 120.0, None, "文件规定"),
    ("时效指标", "资料报送", "年度资料报送完成时间", "9 月底前完成", "deadline", None, "09-30", "工作计划"),
    ("社会效益指标", "基本生活保障", "困难群众基本生活保障", "有效保障", "qualitative", None, None, "工作计划"),
    ("社会效益指标", "救助工作", "救助工作按计划推进", "按时完成", "qualitative", None, None, "工作计划"),
    ("服务对象满意度指标", "低保对象满意度", "低保对象满意度", "≥90%", "rate", 90.0, None, "问卷调查"),
]


def _rows(text: str) -> list[tuple[object, ...]]:
    res = parse_targets_text(text, source=FIXTURE.name)
    validate_dataset(res.data, "fixture")
    return [
        (i["level2"], i["level3"], i["description"], i["target_text"], i["kind"], i["value"], i["deadline"], i["basis"])
        for i in res.data["projects"][0]["indicators"]
    ]


def test_value_forms_keep_one_row_per_indicator() -> None:
    # 8 indicators in the table -> 8 rows; the merged description of the old parser is gone
    assert _rows(FIXTURE.read_text(encoding="utf-8")) == EXPECTED


def test_unreadable_value_is_an_error_finding_not_a_merge() -> None:
    # "大约三成" is no value form the parser knows; the next row starts with a level cell, so the row
    # is closed there and reported (error: blocks the write until a person checks it)
    text = FIXTURE.read_text(encoding="utf-8").replace("低保发放群众有效投诉 零投诉", "低保发放群众有效投诉 大约三成")
    res = parse_targets_text(text, source=FIXTURE.name)
    inds = res.data["projects"][0]["indicators"]
    assert len(inds) == 8
    assert (inds[1]["level3"], inds[1]["description"], inds[1]["target_text"]) == ("群众投诉", "低保发放群众有效投诉", "大约三成")
    assert inds[2]["level3"] == "补助发放及时性"
    errors = [f for f in res.findings if f.severity == "error"]
    assert len(errors) == 1 and "大约三成" in errors[0].message and errors[0].line == 51
    row = next(r for r in res.rows if r["index"] == 1)
    assert row["form"] == "unknown" and row["lines"] == [51, 53]


def test_recurring_count_is_counted_per_year() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("城乡低保保障人数 ≥1500 人", "入户核查 每季度 1 次")
    res = parse_targets_text(text, source=FIXTURE.name)
    ind = res.data["projects"][0]["indicators"][0]
    # 4 quarters x 1 = 4 a year
    assert (ind["target_text"], ind["kind"], ind["comparator"], ind["value"], ind["unit"]) == ("每季度 1 次", "count", ">=", 4.0, "次")
    assert any("按全年 4 次" in f.message for f in res.findings)


@pytest.mark.parametrize(
    ("text", "form", "kind", "value", "deadline"),
    [
        ("≥1 次", "count", "count", 1.0, None),
        ("≥80%", "rate", "rate", 80.0, None),
        ("≤5%", "ceiling", "ceiling", 5.0, None),
        ("0 起", "zero", "zero", 0.0, None),
        ("零投诉", "zero", "zero", 0.0, None),
        ("≤2 万元", "cost", "cost", 2.0, None),
        ("12 月 31 日前", "deadline", "deadline", None, "12-31"),
        ("9 月底前完成", "deadline", "deadline", None, "09-30"),
        ("每月 10 日前", "recurring_deadline", "deadline", None, "12-10"),
        ("每季度 1 次", "recurring_count", "count", 4.0, None),
        ("每月 2 次", "recurring_count", "count", 24.0, None),
        ("有效保障", "qualitative", "qualitative", None, None),
        ("明显提升", "qualitative", "qualitative", None, None),
        ("按时完成", "qualitative", "qualitative", None, None),
        ("≥ 八十%", "unknown", "qualitative", None, None),
        ("大约三成", "unknown", "qualitative", None, None),
    ],
)
def test_classify_value(text: str, form: str, kind: str, value: float | None, deadline: str | None) -> None:
    cls = classify_value(text)
    assert (cls.form, cls.value.kind, cls.value.value, cls.value.deadline, cls.value.raw) == (form, kind, value, deadline, text)


def test_guess_nature() -> None:
    # DOMAIN.md §5a examples, classified by hand
    assert guess_nature("法律援助案件", "办理法律援助案件", "≥100 件", "件") == "flow"
    assert guess_nature("培训人次", "组织普法培训", "≥100 人次", "人次") == "flow"  # people trained over the year
    assert guess_nature("信息系统维护数量", "业务信息化系统维护数量", "≥10 套", "套") == "stock"
    assert guess_nature("宣传资料印刷", "印刷宣传资料", "≥1000 件", "件") == "one_off"
    assert guess_nature("案卷评查次数", "组织行政执法案卷评查", "≥2 次", "次") == "scheduled"
    assert guess_nature("入户核查", "入户核查", "每季度 1 次", "次") == "scheduled"
    # not counts: no nature
    assert guess_nature("宣传覆盖率", "宣传覆盖率", "≥80%", "%") is None
    assert guess_nature("补助发放及时性", "低保补助按月发放", "每月 10 日前", None) is None
    assert guess_nature("某指标", "某描述", "大约三成", None) is None
