"""Tests for the 绩效目标 text parser (perfwatch.importers.targets_text)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfwatch.importers.targets_text import (
    LEVEL2_TO_LEVEL1,
    Finding,
    ParseResult,
    TargetsParseError,
    TargetValue,
    TargetValueError,
    parse_target_value,
    parse_targets_text,
    to_json,
)

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "seed" / "julu-justice-bureau-2024-targets.txt"
DATASET = REPO / "data" / "julu-justice-bureau-2024.targets.json"
FIXTURES = REPO / "tests" / "fixtures" / "targets"
EDU = FIXTURES / "county-education-bureau-2025-targets.txt"
HEALTH = FIXTURES / "county-health-commission-targets.txt"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text: str) -> ParseResult:
    return parse_targets_text(seed_text, source=SEED.name)


def _messages(result: ParseResult, severity: str | None = None) -> list[Finding]:
    return [f for f in result.findings if severity is None or f.severity == severity]


# ---------------------------------------------------------------------------------------------
# parse_target_value
# ---------------------------------------------------------------------------------------------

VALUE_CASES: list[tuple[str, str, float | None, str | None, str, str | None]] = [
    # text, comparator, value, unit, kind, deadline
    ("≥1 次", ">=", 1, "次", "count", None),  # count with a space before the unit
    ("≥2 次", ">=", 2, "次", "count", None),  # count
    ("≥100 件", ">=", 100, "件", "count", None),  # count, 件
    ("≥210 件", ">=", 210, "件", "count", None),  # count, 件
    ("≥80%", ">=", 80, "%", "rate", None),  # ≥ percentage is a rate
    ("≥98%", ">=", 98, "%", "rate", None),  # rate
    ("100%", "=", 100, "%", "rate", None),  # bare percentage: comparator "=", still a rate
    ("≤0.5%", "<=", 0.5, "%", "ceiling", None),  # ≤ percentage is a ceiling
    ("≤0.2%", "<=", 0.2, "%", "ceiling", None),  # decimal ceiling
    ("≤10 工作日", "<=", 10, "工作日", "ceiling", None),  # time ceiling
    ("≤10 个工作日", "<=", 10, "工作日", "ceiling", None),  # 个工作日 normalised to 工作日
    ("≤3 天", "<=", 3, "天", "ceiling", None),  # other time unit
    ("≤72 万元", "<=", 72, "万元", "cost", None),  # money cap is a cost
    ("≤1 万", "<=", 1, "万元", "cost", None),  # bare 万 read as 万元
    ("≤85 000 元", "<=", 85000, "元", "cost", None),  # 元 kept, space inside the number
    ("12 月 31 日前", "deadline", None, None, "deadline", "12-31"),  # spaced date
    ("12 月 31 日之前", "deadline", None, None, "deadline", "12-31"),  # 之前
    ("12 月底之前", "deadline", None, None, "deadline", "12-31"),  # end of month
    ("6 月 30 日前", "deadline", None, None, "deadline", "06-30"),  # mid-year deadline
    ("2025 年 8 月 31日前", "deadline", None, None, "deadline", "08-31"),  # with a year prefix
    ("年底前完成行政执法资格考试", "deadline", None, None, "deadline", "12-31"),  # prose deadline
    ("0 次", "=", 0, "次", "zero", None),  # zero target with space
    ("0次", "=", 0, "次", "zero", None),  # zero target without space
    ("≤0 次", "<=", 0, "次", "zero", None),  # ≤ 0 is also a zero target
    ("0%", "=", 0, "%", "zero", None),  # 0% behaves as a zero target, not a rate
    ("＞＝90%", ">=", 90, "%", "rate", None),  # full-width >=
    (">=90%", ">=", 90, "%", "rate", None),  # ASCII >=
    ("≧90%", ">=", 90, "%", "rate", None),  # ≧ variant
    ("≦5%", "<=", 5, "%", "ceiling", None),  # ≦ variant
    ("＞90%", ">=", 90, "%", "rate", None),  # strict > read as >= (dataset has no strict form)
    ("≥９５％", ">=", 95, "%", "rate", None),  # full-width digits and percent sign
    ("≥1 000 人次", ">=", 1000, "人次", "count", None),  # space as thousands separator
    ("1 000 件", "=", 1000, "件", "count", None),  # no comparator: "=" count
    ("不少于 2次", ">=", 2, "次", "count", None),  # prose: 不少于
    ("不低于 95%", ">=", 95, "%", "rate", None),  # prose: 不低于
    ("达到 100%", ">=", 100, "%", "rate", None),  # prose: 达到
    ("100人次以上", ">=", 100, "人次", "count", None),  # prose: …以上
    ("80%以上", ">=", 80, "%", "rate", None),  # prose rate
    ("0.5%以下", "<=", 0.5, "%", "ceiling", None),  # prose ceiling
    ("10套以上", ">=", 10, "套", "count", None),  # prose count, 套
    ("10 个工作日内", "<=", 10, "工作日", "ceiling", None),  # prose: …内
    ("得到提升", "qualitative", None, None, "qualitative", None),  # qualitative
    ("得到有效保障", "qualitative", None, None, "qualitative", None),  # qualitative
    ("进一步提升", "qualitative", None, None, "qualitative", None),  # qualitative
]


@pytest.mark.parametrize(("text", "comparator", "value", "unit", "kind", "deadline"), VALUE_CASES)
def test_parse_target_value(
    text: str, comparator: str, value: float | None, unit: str | None, kind: str, deadline: str | None
) -> None:
    tv = parse_target_value(text)
    assert isinstance(tv, TargetValue)
    assert (tv.comparator, tv.value, tv.unit, tv.kind, tv.deadline) == (comparator, value, unit, kind, deadline)
    assert tv.raw == text.strip()  # raw text kept as published


@pytest.mark.parametrize(
    "text",
    [
        "≥ 八十%",  # comparator followed by a non-number
        "≥",  # comparator alone
        "",  # empty
        "八十%",  # Chinese numerals with a percent sign
        "≥90件abc123",  # unit with digits
        "13 月底前",  # month out of range
        "2 月 30 日前",  # day out of range
    ],
)
def test_parse_target_value_rejects(text: str) -> None:
    with pytest.raises(TargetValueError):
        parse_target_value(text)


@given(st.integers(min_value=1, max_value=99999), st.sampled_from(["次", "件", "人次", "套"]), st.booleans())
def test_parse_target_value_counts_roundtrip(n: int, unit: str, spaced: bool) -> None:
    tv = parse_target_value(f"≥{n}{' ' if spaced else ''}{unit}")
    assert (tv.comparator, tv.value, tv.unit, tv.kind) == (">=", float(n), unit, "count")


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=28))
def test_parse_target_value_dates(month: int, day: int) -> None:
    assert parse_target_value(f"{month} 月 {day} 日前").deadline == f"{month:02d}-{day:02d}"


# ---------------------------------------------------------------------------------------------
# The seed document
# ---------------------------------------------------------------------------------------------

P = "单位年度工作计划"
# (level2, level3, description, target_text, comparator, value, unit, kind, basis) per project
SEED_ROWS: dict[int, list[tuple[Any, ...]]] = {
    1: [
        ("数量指标", "宣传次数", "宣传次数", "≥1 次", ">=", 1, "次", "count", P),
        ("质量指标", "宣传覆盖率", "宣传覆盖率", "≥80%", ">=", 80, "%", "rate", P),
        ("时效指标", "经费保障及时性", "经费保障及时性", "12 月 31 日前", "deadline", None, None, "deadline", P),
        ("成本指标", "法律援助工作总成本", "法律援助工作总成本", "≤2 万元", "<=", 2, "万元", "cost", P),
        ("社会效益指标", "人民群众对法律意识的提高", "人民群众对法律意识的提高", "≥80%", ">=", 80, "%", "rate", P),
        ("可持续影响指标", "法律援助工作正常开展", "法律援助工作正常开展", "≥90%", ">=", 90, "%", "rate", P),
        ("服务对象满意度指标", "法律援助对象满意度", "法律援助对象满意度", "≥90%", ">=", 90, "%", "rate", "调查问卷"),
    ],
    2: [
        ("数量指标", "普法宣传次数", "普法宣传次数", "≥1 次", ">=", 1, "次", "count", P),
        ("质量指标", "宣传覆盖率", "宣传覆盖率", "≥90%", ">=", 90, "%", "rate", P),
        ("时效指标", "宣传时效", "宣传时效", "12 月 31 日前", "deadline", None, None, "deadline", P),
        ("成本指标", "法治工作总成本", "法治工作总成本", "≤1 万", "<=", 1, "万元", "cost", P),
        ("社会效益指标", "群众法律意识普及率", "群众法律意识普及率", "≥95%", ">=", 95, "%", "rate", P),
        ("可持续影响指标", "人民群众对法治工作满意度", "人民群众对法治工作满意度", "≥90%", ">=", 90, "%", "rate", "调查问卷"),
        ("服务对象满意度指标", "群众满意度", "群众满意度", "≥90%", ">=", 90, "%", "rate", "调查问卷"),
    ],
    3: [
        ("数量指标", "支持办案（业务）数量", "支持基层司法业务等办案（业务）数量", "≥100 件", ">=", 100, "件", "count", "年初安排"),
        ("质量指标", "案件办结率", "解决案件数量占接收案件数量的比率", "≥90%", ">=", 90, "%", "rate", "年初安排"),
        ("时效指标", "经费保障及时性", "经费保障及时性", "12 月 31 日之前", "deadline", None, None, "deadline", "年初安排"),
        ("成本指标", "设备购置、办案（业务）开展成本", "设备购置、办案（业务）开展成本", "≤72 万元", "<=", 72, "万元", "cost", "年初安排"),
        ("社会效益指标", "促进改善办案条件", "促进改善办案条件", "≥90%", ">=", 90, "%", "rate", "年初安排"),
        ("可持续影响指标", "保障工作需要", "保障办案等各项工作的需要，使工作正常开展", "≥95%", ">=", 95, "%", "rate", "年初安排"),
        ("服务对象满意度指标", "服务对象满意度", "对案件办理工作的满意度", "≥95%", ">=", 95, "%", "rate", "调查问卷"),
    ],
    4: [
        ("数量指标", "支持司法行政机关办案业务数量", "支持司法行政机关办案业务数量", "≥210 件", ">=", 210, "件", "count", "查阅卷宗档案"),
        ("质量指标", "法律援助案件办结率", "法律援助案件办结数占受理数的百分比", "≥85%", ">=", 85, "%", "rate", "查阅卷宗档案"),
        ("时效指标", "经费保障及时性", "经费保障及时性", "12 月底之前", "deadline", None, None, "deadline", "单位年度计划"),
        ("成本指标", "办案业务及业务装备总成本", "办案业务及业务装备总成本", "≤26 万元", "<=", 26, "万元", "cost", "单位年度计划"),
        ("社会效益指标", "提高保障经济困难群众获得必要法律咨询服务", "提高保障经济困难群众获得必要法律咨询服务", "≥90%", ">=", 90, "%", "rate", "单位年度计划"),
        ("可持续影响指标", "持续保障司法行政机关及司法所业务正常运行", "持续保障司法行政机关及司法所业务正常运行", "≥95%", ">=", 95, "%", "rate", "单位年度计划"),
        # split by a page break with the table header repeated in between (lines 659-665)
        ("服务对象满意度指标", "服务对象满意度", "服务对象满意度", "≥95%", ">=", 95, "%", "rate", "调查问卷"),
    ],
    5: [
        ("数量指标", "社区矫正对象接收率", "年度实际接收社区矫正对象与应接收对象之比", "100%", "=", 100, "%", "rate", "查阅档案"),
        ("质量指标", "脱管比例", "年度脱离执行地社区矫正机构的监督管理比例", "≤0.5%", "<=", 0.5, "%", "ceiling", "查阅档案记录"),
        ("时效指标", "完成调查评估平均期限", "年度内县司法局自收到调查评估委托函及所附材料之日起完成调查评估的平均期限", "≤10 工作日", "<=", 10, "工作日", "ceiling", "文件规定"),
        ("成本指标", "社区矫正工作总成本", "社区矫正工作总成本", "≤2.9 万元", "<=", 2.9, "万元", "cost", "工作计划"),
        # as published: the name says 接收率, the description and value are about 再犯罪率
        ("社会效益指标", "社区矫正对象接收率", "年度社区矫正对象再犯罪率与列管人数之比", "≤0.2%", "<=", 0.2, "%", "ceiling", "文件规定"),
        ("可持续影响指标", "社区矫正人员脱漏管率", "社区矫正人员脱漏管率", "≤1%", "<=", 1, "%", "ceiling", "工作计划"),
        ("服务对象满意度指标", "服务对象满意度", "服务对象满意度", "≥95%", ">=", 95, "%", "rate", "调查问卷"),
    ],
    6: [
        ("数量指标", "普法宣传次数", "普法宣传次数", "≥3 次", ">=", 3, "次", "count", P),
        ("质量指标", "宣传覆盖率", "宣传覆盖率", "≥90%", ">=", 90, "%", "rate", P),
        ("时效指标", "宣传时效", "宣传时效", "12 月 31 日前", "deadline", None, None, "deadline", P),
        ("成本指标", "普法工作总成本", "普法工作总成本", "≤2 万", "<=", 2, "万元", "cost", P),
        ("社会效益指标", "群众法律意识普及率", "群众法律意识普及率", "≥95%", ">=", 95, "%", "rate", P),
        ("可持续影响指标", "人民群众对普法工作满意度", "人民群众对普法工作满意度", "≥90%", ">=", 90, "%", "rate", "调查问卷"),
        ("服务对象满意度指标", "群众满意度", "群众满意度", "≥90%", ">=", 90, "%", "rate", "调查问卷"),
    ],
    7: [
        ("数量指标", "人民调解员培训次数", "人民调解员培训次数", "≥1 次", ">=", 1, "次", "count", P),
        ("质量指标", "人民调解员培训覆盖率", "人民调解员培训覆盖率", "≥99%", ">=", 99, "%", "rate", "工作安排"),
        ("时效指标", "及时保障人民调解工作各项业务需要", "及时保障人民调解工作各项业务需要", "≥98%", ">=", 98, "%", "rate", "工作安排"),
        ("成本指标", "人民调解总成本", "人民调解总成本", "≤7 万元", "<=", 7, "万元", "cost", "文件规定"),
        ("社会效益指标", "人民调解介入程度", "人民调解介入程度", "≥90%", ">=", 90, "%", "rate", "调解案卷"),
        ("可持续影响指标", "保障人民调解工作开展", "保障人民调解工作开展", "≥99%", ">=", 99, "%", "rate", P),
        ("服务对象满意度指标", "服务对象满意度", "服务对象满意度", "≥90%", ">=", 90, "%", "rate", "调查问卷"),
    ],
    8: [
        ("数量指标", "社区矫正工作人员培训次数", "社区矫正工作人员培训次数", "≥2 次", ">=", 2, "次", "count", "工作计划"),
        ("质量指标", "社区矫正工作人员培训参加比率", "社区矫正工作人员培训参加比率", "≥85%", ">=", 85, "%", "rate", "工作安排"),
        # value wrapped "≤10 个工作" + "日"
        ("时效指标", "完成调查评估平均期限", "年度内县司法局自收到调查评估委托函及所附材料之日起完成调查评估的平均期限", "≤10 个工作日", "<=", 10, "工作日", "ceiling", "文件规定"),
        ("成本指标", "社区矫正工作总成本", "社区矫正工作总成本", "≤10 万", "<=", 10, "万元", "cost", "工作计划"),
        ("社会效益指标", "社区矫正对象再犯罪率", "年度社区矫正对象再犯罪人数与列管人数之比", "≤0.2%", "<=", 0.2, "%", "ceiling", "文件规定"),
        ("可持续影响指标", "社区矫正案件投诉情况", "社区矫正案件投诉情况", "≤5%", "<=", 5, "%", "ceiling", "工作计划"),
        ("服务对象满意度指标", "服务对象满意度", "社区矫正监管对象对管理工作满意度", "≥90%", ">=", 90, "%", "rate", "调查问卷"),
    ],
}

SEED_PROJECTS = [
    # seq, code, name, budget, plan
    (1, "13052924P00584012128B", "法律援助经费", 2.00, (25, 50, 75, 100)),
    (2, "13052924P00584012124W", "法治工作经费", 1.00, (25, 50, 75, 100)),
    (3, "13052924P00584210790E", "冀财政法2023年49号提前下达2024年中央政法纪检监察转移支付资金-司法局", 72.00, (8, 50, 75, 100)),
    (4, "13052924P00584210795G", "冀财政法2023年50号提前下达2024年省级基层公检法司转移支付资金-司法局", 26.00, (8, 50, 75, 100)),
    (5, "13052924P00584210803P", "冀财政法2023年51号提前下达2024年社区矫正补助资金", 2.90, (8, 50, 75, 100)),
    (6, "13052924P00584012129Y", "普法工作经费", 2.00, (25, 50, 75, 100)),
    (7, "13052924P00584012127P", "人民调解经费", 7.00, (25, 50, 75, 100)),
    (8, "13052924P00584012122M", "社区矫正经费", 10.00, (25, 50, 75, 100)),
]


def test_seed_department(seed: ParseResult) -> None:
    data = seed.data
    assert data["format"] == "perfwatch-targets/1"
    assert data["source"] == SEED.name
    assert "findings" not in data
    [dept] = data["departments"]
    assert (dept["code"], dept["name"], dept["fiscal_year"]) == ("315001", "巨鹿县司法局本级", 2024)
    assert dept["overall_goal"].startswith("在县委、县政府的正确领导下，坚持以习近平新时代中国特色社会主义思想为指导")
    assert dept["overall_goal"].endswith("为全县经济发展和社会稳定贡献力量。")
    assert "，不断提升我县依法行政水平。" in dept["overall_goal"]  # line starting with "，" joined
    assert [s[:8] for s in dept["safeguards"].split("\n")] == ["1、加强组织领导", "2、狠抓任务落实", "3、强化预算执行"]
    assert dept["safeguards"].endswith("更好地发挥财政资金的使用效益。")


def test_seed_projects_header(seed: ParseResult) -> None:
    projects = seed.data["projects"]
    assert len(projects) == 8
    for proj, (seq, code, name, budget, plan) in zip(projects, SEED_PROJECTS, strict=False):
        assert (proj["seq"], proj["code"], proj["name"]) == (seq, code, name)
        assert proj["department_code"] == "315001" and proj["fiscal_year"] == 2024
        assert proj["budget"] == pytest.approx(budget) and proj["fiscal_funds"] == pytest.approx(budget)
        assert proj["other_funds"] == 0.0
        assert [(cp["month"], cp["pct"]) for cp in proj["plan"]] == list(zip((3, 6, 10, 12), plan, strict=False))
        assert len(proj["goals"]) == 3 and all(g and not re.match(r"^\d", g) for g in proj["goals"])
        assert proj["purpose"].startswith("用于")
    assert round(sum(p["budget"] for p in projects), 2) == 122.90
    assert projects[0]["goals"][0] == "用于开展法律援助宣传、培训、调研等法律援助工作"
    assert projects[6]["goals"][0] == (
        "保障人民调解工作正常开展，调动广大调解员积极性，充分发挥人民调解在化解矛盾纠纷、维护社会稳定中的独特作用"
    )  # a goal wrapped over two lines
    assert projects[2]["purpose"] == "用于司法行政机关及司法所办案业务及业务装备支出"


@pytest.mark.parametrize("seq", sorted(SEED_ROWS))
def test_seed_indicator_rows(seed: ParseResult, seq: int) -> None:
    proj = seed.data["projects"][seq - 1]
    got = [
        (i["level2"], i["level3"], i["description"], i["target_text"], i["comparator"], i["value"], i["unit"], i["kind"], i["basis"])
        for i in proj["indicators"]
    ]
    assert got == SEED_ROWS[seq]
    for ind in proj["indicators"]:
        assert ind["level1"] == LEVEL2_TO_LEVEL1[ind["level2"]]
        assert ind["deadline"] == ("12-31" if ind["kind"] == "deadline" else None)


def test_seed_indicator_totals(seed: ParseResult) -> None:
    inds = [i for p in seed.data["projects"] for i in p["indicators"]]
    assert len(inds) == 56
    assert {i["level1"] for i in inds} == {"产出指标", "效益指标", "满意度指标"}
    assert sum(i["kind"] == "cost" for i in inds) == 8


SUB_GOALS = [
    (
        "组织推进依法行政水平整体提升",
        [
            ("组织年度行政执法案卷评查不少于 2次", "不少于 2次", ">=", 2, "次", "count"),
            ("符合发放条件的罚没许可证发放率 100%", "100%", "=", 100, "%", "rate"),
            ("年底前完成行政执法资格考试", "年底前完成", "deadline", None, None, "deadline"),
            ("对县本级行政执法人员培训 100人次以上", "100人次以上", ">=", 100, "人次", "count"),
            ("行政执法人员培训合格率 80%以上", "80%以上", ">=", 80, "%", "rate"),
            ("年底前完成本级行政执法人员培训", "年底前完成", "deadline", None, None, "deadline"),
            ("参训行政执法人员满意率 80%以上", "80%以上", ">=", 80, "%", "rate"),
            ("参加培训人员的法律知识水平和依法行政能力得到提升", "得到提升", "qualitative", None, None, "qualitative"),
        ],
    ),
    (
        "普法依法治理水平进一步提高",
        [
            (
                "监督指导县直各部门认真落实“谁执法谁普法”普法责任制，组织开展法治宣传活动次数 3次以上",
                "3次以上", ">=", 3, "次", "count",
            ),
            ("组织普法培训 100人次以上", "100人次以上", ">=", 100, "人次", "count"),
            ("社会公众宪法法律意识、法治观念进一步提升", "进一步提升", "qualitative", None, None, "qualitative"),
        ],
    ),
    (
        "司法行政管理能力进一步提升",
        [
            ("公共法律服务实施标准覆盖率 100%", "100%", "=", 100, "%", "rate"),
            ("安置帮教对象安置率80%以上", "80%以上", ">=", 80, "%", "rate"),
            ("安置帮教对象帮教率 90%以上", "90%以上", ">=", 90, "%", "rate"),
            ("法律援助案件办结率 85%以上", "85%以上", ">=", 85, "%", "rate"),
            ("印刷宣传资料或制作法律援助宣传品 1000件以上", "1000件以上", ">=", 1000, "件", "count"),
            ("社区矫正对象接收率100%", "100%", "=", 100, "%", "rate"),
            ("社区矫正对象再犯罪率 0.5%以下", "0.5%以下", "<=", 0.5, "%", "ceiling"),
            ("年底前完成全县社区矫正工作人员执法培训工作", "年底前完成", "deadline", None, None, "deadline"),
        ],
    ),
    (
        "信息化保障水平进一步提高",
        [
            ("业务信息化系统维护数量 10套以上", "10套以上", ">=", 10, "套", "count"),
            ("网络安全事件量 0次", "0次", "=", 0, "次", "zero"),
            ("信息网络运行安全稳定性得到有效保障", "得到有效保障", "qualitative", None, None, "qualitative"),
            ("使用人员满意度 90%以上", "90%以上", ">=", 90, "%", "rate"),
        ],
    ),
]


def test_seed_sub_goals(seed: ParseResult) -> None:
    subs = seed.data["departments"][0]["sub_goals"]
    assert [len(s["indicators"]) for s in subs] == [8, 3, 8, 4]
    for sg, (title, rows) in zip(subs, SUB_GOALS, strict=False):
        assert sg["title"] == title
        got = [
            (i["level3"], i["target_text"], i["comparator"], i["value"], i["unit"], i["kind"]) for i in sg["indicators"]
        ]
        assert got == rows
        for ind in sg["indicators"]:
            assert ind["level1"] is None and ind["level2"] is None and ind["basis"] is None
            assert ind["description"] == ind["level3"] and not ind["level3"].endswith("。")
    assert subs[0]["goal"] == "提高我县行政执法人员依法行政能力，规范行政执法行为，不断提升我县依法行政水平"
    assert subs[1]["goal"].endswith("促进民主与法治建设。")
    assert subs[3]["goal"] == "维护和完善各类信息化设备和业务信息系统，保障其正常运行。"


def test_seed_misplaced_paragraphs_are_reported(seed: ParseResult) -> None:
    infos = {f.line: f for f in _messages(seed, "info")}
    # the 绩效指标 paragraph at line 52 sits under sub-goal 1 but belongs to sub-goal 2
    assert "归入分项目标 2" in infos[52].message
    # the unlabelled paragraph at line 19 became the overall goal
    assert "总体绩效目标" in infos[19].message


def test_seed_split_satisfaction_row(seed: ParseResult) -> None:
    ind = seed.data["projects"][3]["indicators"][6]
    assert (ind["level1"], ind["level2"], ind["level3"], ind["description"]) == (
        "满意度指标", "服务对象满意度指标", "服务对象满意度", "服务对象满意度",
    )
    [note] = [f for f in seed.findings if "跨页" in f.message]
    assert note.severity == "info" and "665" in note.message and note.where.startswith("项目 4 ")


def test_seed_contradiction_finding(seed: ParseResult) -> None:
    where = "项目 5 冀财政法…/社会效益指标/社区矫正对象接收率"
    notes = [f for f in seed.findings if f.where == where and f.severity == "warning"]
    assert any("名称与描述不符" in f.message and "接收率" in f.message for f in notes)
    assert any("出现两次" in f.message for f in notes)
    assert all(f.line == 770 for f in notes)
    # no other project row is flagged as contradictory
    assert [f.where for f in seed.findings if "名称与描述不符" in f.message] == [where]


def test_seed_findings_overall(seed: ParseResult) -> None:
    assert not _messages(seed, "error")
    assert not [f for f in seed.findings if "无法归类" in f.message]  # every line placed
    warnings = _messages(seed, "warning")
    qualitative = [f for f in warnings if "定性指标" in f.message]
    assert len(qualitative) == 3  # 得到提升, 进一步提升, 得到有效保障
    assert not [f for f in warnings if "成本指标上限" in f.message]  # every cost cap equals its budget
    assert not [f for f in warnings if "支出计划" in f.message or "不一致" in f.message]
    ignored = [f for f in seed.findings if f.message.startswith("已按规则忽略")]
    assert len(ignored) == 1 and "129、1022" in ignored[0].message and "41、66" in ignored[0].message
    wan = [f for f in seed.findings if "按“万元”理解" in f.message]
    assert [f.where.split("/")[0] for f in wan] == ["项目 2 法治工作经费", "项目 6 普法工作经费", "项目 8 社区矫正经费"]
    survey = [f for f in seed.findings if "问卷调查" in f.message]
    assert len(survey) >= 8 and all(f.severity == "info" for f in survey)


def test_to_json_adds_findings(seed: ParseResult) -> None:
    out = to_json(seed)
    assert list(out)[:4] == ["format", "source", "departments", "projects"]
    assert out["findings"] and set(out["findings"][0]) == {"severity", "where", "message"}
    json.dumps(out, ensure_ascii=False)


def test_committed_dataset_matches_fresh_parse(seed_text: str) -> None:
    committed = json.loads(DATASET.read_text(encoding="utf-8"))
    fresh = parse_targets_text(seed_text, source=SEED.name).data
    assert committed == json.loads(json.dumps(fresh, ensure_ascii=False))


def test_build_script(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_default_dataset", REPO / "scripts" / "build_default_dataset.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "out.json"
    assert mod.main([str(SEED), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == DATASET.read_text(encoding="utf-8")


def test_text_after_the_last_table_is_reported_not_imported(seed_text: str, seed: ParseResult) -> None:
    res = parse_targets_text(seed_text + "\n注：本表金额单位为万元，数据来源于部门预算批复。\n", source=SEED.name)
    assert res.data == seed.data
    [note] = [f for f in res.findings if "表格之后无法归类" in f.message]
    assert note.severity == "warning" and note.line == 1156


def test_seed_is_robust_to_line_endings_and_form_feeds(seed_text: str, seed: ParseResult) -> None:
    crlf = seed_text.replace("\n", "\r\n").replace("\r\n 2.法治工作经费", "\r\n\f2.法治工作经费")
    assert parse_targets_text(crlf, source=SEED.name).data == seed.data


def test_datasets_pass_the_loader_validation(seed: ParseResult) -> None:
    from perfwatch.dataset import validate_dataset

    validate_dataset(seed.data, "seed")
    validate_dataset(parse_targets_text(EDU.read_text(encoding="utf-8")).data, "edu")
    validate_dataset(parse_targets_text(HEALTH.read_text(encoding="utf-8"), fiscal_year=2024).data, "health")


# ---------------------------------------------------------------------------------------------
# Other departments' documents
# ---------------------------------------------------------------------------------------------


def _rows(proj: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (i["level2"], i["level3"], i["description"], i["target_text"], i["comparator"], i["value"], i["unit"], i["kind"], i["basis"])
        for i in proj["indicators"]
    ]


def test_education_bureau_fixture() -> None:
    res = parse_targets_text(EDU.read_text(encoding="utf-8"), source=EDU.name)
    [dept] = res.data["departments"]
    assert (dept["code"], dept["name"], dept["fiscal_year"]) == ("402001", "巨鹿县教育局本级", 2025)
    assert dept["overall_goal"].startswith("全面贯彻党的教育方针") and "。加强校园安全管理" in dept["overall_goal"]
    assert [len(s["indicators"]) for s in dept["sub_goals"]] == [4, 5, 3]
    sg2 = dept["sub_goals"][1]["indicators"]
    assert (sg2[1]["target_text"], sg2[1]["kind"], sg2[1]["unit"]) == ("10 个工作日内", "ceiling", "工作日")
    assert [i["target_text"] for i in sg2[2:4]] == ["达到 100%", "2次以上"]  # comma split: both sides measurable
    sg3 = dept["sub_goals"][2]["indicators"]
    assert (sg3[0]["target_text"], sg3[0]["kind"]) == ("0 次", "zero")
    assert sg3[2]["kind"] == "qualitative"
    assert dept["safeguards"].count("\n") == 1

    p1, p2, p3 = res.data["projects"]
    assert (p1["code"], p1["name"]) == ("13052925P00710000453A", "义务教育学校公用经费保障资金")
    assert (p1["budget"], p1["fiscal_funds"], p1["other_funds"]) == (350.0, 300.0, 50.0)
    assert [(c["month"], c["pct"]) for c in p1["plan"]] == [(3, 10), (6, 40), (9, 70), (12, 100)]
    assert p1["purpose"] == "用于义务教育学校公用经费支出，保障学校正常运转"
    assert p1["goals"][1] == "改善学校办学条件，提高教育教学质量，促进义务教育优质均衡发展"
    assert _rows(p1) == [
        ("数量指标", "保障学校数量", "保障义务教育学校数量", "≥25 所", ">=", 25, "所", "count", "年度工作计划"),
        # no level-2 cell: carried over from the row above (merged cell)
        ("数量指标", "保障学生人数", "保障义务教育在校学生人数", "≥18 000 人", ">=", 18000, "人", "count", "学籍系统数据"),
        ("质量指标", "经费拨付率", "公用经费按标准足额拨付率", "100%", "=", 100, "%", "rate", "文件规定"),
        # split by a page number and repeated header before its value
        ("时效指标", "资金拨付及时率", "资金按季度及时拨付到学校的比率", "≥95%", ">=", 95, "%", "rate", "财务台账"),
        ("成本指标", "公用经费总成本", "公用经费总成本", "≤300 万元", "<=", 300, "万元", "cost", "预算批复"),
        ("社会效益指标", "义务教育巩固率", "义务教育巩固率", "≥98%", ">=", 98, "%", "rate", "教育统计数据"),
        ("可持续影响指标", "学校正常运转", "保障学校正常运转", "有效保障", "qualitative", None, None, "qualitative", "年度工作计划"),
        ("服务对象满意度指标", "学生家长满意度", "学生家长满意度", "≥90%", ">=", 90, "%", "rate", "问卷调查"),
    ]
    assert (p2["budget"], p2["fiscal_funds"], p2["other_funds"]) == (120.5, 100.5, 20.0)
    assert [(c["month"], c["pct"]) for c in p2["plan"]] == [(6, 30), (9, 60), (12, 100)]
    assert _rows(p2)[2] == ("时效指标", "资金发放时限", "资助资金发放时限", "≤10 个工作日", "<=", 10, "工作日", "ceiling", "文件规定")
    assert _rows(p2)[4][3:8] == ("0 人", "=", 0, "人", "zero")
    assert p3["name"] == "校园安全管理及校舍维修改造专项经费"
    assert p3["code"] == "13052925P00710000489C"
    assert [(c["month"], c["pct"]) for c in p3["plan"]] == [(3, 25), (6, 50), (10, 80), (12, 100)]
    rows3 = _rows(p3)
    assert rows3[0][3:7] == ("≥1 200 平方米", ">=", 1200, "平方米")
    assert rows3[1][:2] == ("数量指标", "安全培训场次")
    assert rows3[2][3:8] == ("≤5%", "<=", 5, "%", "ceiling")
    assert (p3["indicators"][3]["kind"], p3["indicators"][3]["deadline"]) == ("deadline", "08-31")
    assert rows3[5][3:8] == ("0 次", "=", 0, "次", "zero")

    warnings = _messages(res, "warning")
    assert [f.where for f in warnings if "成本指标上限 300 万元" in f.message] == ["项目 1 义务教育…/成本指标/公用经费总成本"]
    assert [f.where for f in warnings if "定性指标" in f.message] == [  # in reading order
        "分项目标 3 教育安全稳定/校园安全管理水平得到有效提升",
        "项目 1 义务教育…/可持续影响指标/学校正常运转",
    ]
    assert not [f for f in warnings if "无法归类" in f.message]
    assert [f.line for f in res.findings if "无法归类" in f.message] == [1]  # cover title, info only
    assert "70、161、359" in next(f.message for f in res.findings if f.message.startswith("已按规则忽略"))


def test_health_commission_fixture() -> None:
    text = HEALTH.read_text(encoding="utf-8")
    with pytest.raises(TargetsParseError, match=r"第 1 行：无法从文本中确定预算年度"):
        parse_targets_text(text)
    assert parse_targets_text(text, source="health-2023-targets.txt").data["departments"][0]["fiscal_year"] == 2023
    res = parse_targets_text(text, source=HEALTH.name, fiscal_year=2024)
    [dept] = res.data["departments"]
    assert (dept["code"], dept["fiscal_year"]) == ("501001", 2024)
    subs = dept["sub_goals"]
    assert [len(s["indicators"]) for s in subs] == [4, 3]
    # a fragment without a target is merged with its neighbour
    assert subs[0]["indicators"][2]["level3"] == "重点人群签约率 70%以上，持续做实签约服务"
    assert (subs[1]["indicators"][0]["target_text"], subs[1]["indicators"][0]["unit"]) == ("20类以上", "类")

    p1, p2 = res.data["projects"]
    # amounts published in 元 are stored in 万元
    assert (p1["budget"], p1["fiscal_funds"], p1["other_funds"]) == (8.5, 8.0, 0.5)
    assert [(c["month"], c["pct"]) for c in p1["plan"]] == [(3, 20), (6, 45), (9, 70), (12, 95)]
    assert len(p1["goals"]) == 2
    rows = _rows(p1)
    assert rows[1][:2] == ("数量指标", "家庭医生签约人数")
    # basis "年度工作计" + page break + "划"
    assert rows[2] == ("质量指标", "健康档案规范率", "健康档案规范率", "＞＝90%", ">=", 90, "%", "rate", "年度工作计划")
    assert rows[3][:3] == ("质量指标", "疫苗接种率", "适龄儿童免疫规划疫苗漏种率")
    assert rows[5][3:8] == ("≤85 000 元", "<=", 85000, "元", "cost")
    assert rows[6][3:8] == ("稳步提升", "qualitative", None, None, "qualitative")
    assert p2["code"] == "13052900P0093000118Q"
    assert (p2["budget"], p2["fiscal_funds"], p2["other_funds"]) == (30.0, 25.0, 0.0)

    warn = [(f.where, f.message) for f in _messages(res, "warning")]
    assert any(w.startswith("项目 1 ") and "未达到 100%" in m for w, m in warn)
    assert any(w.endswith("/疫苗接种率") and "名称与描述不符" in m for w, m in warn)
    assert any(w.endswith("/健康档案规范率") and "重复" in m for w, m in warn)
    assert any(w == "项目 2 卫生应急…" and "与预算数 30 不一致" in m for w, m in warn)
    assert any(w == "项目 2 卫生应急…" and "逐期递增" in m for w, m in warn)
    assert not any("成本指标上限" in m for _, m in warn)  # ≤85 000 元 == 8.5 万元
    assert not any("无法归类" in m for _, m in warn)


VARIANT_DOC = """\
第一部分 部门整体绩效目标
一、部门总体目标
推进农业技术推广体系建设，提高农业科技成果转化率，带动农民增收。
二、分项目标
（一）农业技术推广
目标：加强基层农技推广队伍建设。
指标：培训农民 500人次以上；主推技术到位率不低于 95%。
（二）农产品质量安全
目标：保障农产品质量安全。
指标：农产品抽检合格率 98%以上；重大农产品质量安全事件 0起。
三、保障措施
1、加强领导。
2、强化监管。
第二部分 预算项目绩效目标
1.农业技术推广项目绩效目标申报表
610001-巨鹿县农业农村局 金额单位：万元
项目编码 13052925P0081000011X
项目名称 农业技术推广项目
预算金额 50.00
其中：财政拨款 40.00 其他来源资金 10.00
用于农业技术培训和示范
支出进度计划（%）
1-3月 1-6月 1-9月 1-12月
20 50 80 100
年度绩效目标 1.培训农民 500 人次
2.示范推广主推技术
一级指标 二级指标 三级指标 指标值 指标值确定依据
产出指标 数量指标 培训农民人次 ≥500 人次 工作计划
质量指标 技术到位率 ≥95% 工作计划
时效指标 完成时间 2025年11月30日前 工作计划
成本指标 项目总成本 ≤50 万元 预算批复
效益指标 经济效益指标 带动农民增收 ≥200 元 统计数据
满意度指标 服务对象满意度指标 农民满意度 ≥90% 问卷调查
"""


def test_label_and_layout_variants() -> None:
    """Other templates: one-line headings, （一） sub-goals, 目标：/指标：, 金额单位, 预算金额, 财政拨款,
    其他来源资金, 支出进度计划 with 1-3月 ranges and bare numbers, inline goals, 申报表 titles, a table
    without a 绩效指标描述 column, and whole rows on one line."""
    res = parse_targets_text(VARIANT_DOC)
    [dept] = res.data["departments"]
    assert (dept["code"], dept["name"], dept["fiscal_year"]) == ("610001", "巨鹿县农业农村局", 2025)
    assert dept["overall_goal"].startswith("推进农业技术推广体系建设")
    assert [s["title"] for s in dept["sub_goals"]] == ["农业技术推广", "农产品质量安全"]
    assert [len(s["indicators"]) for s in dept["sub_goals"]] == [2, 2]
    zero = dept["sub_goals"][1]["indicators"][1]
    assert (zero["target_text"], zero["kind"], zero["unit"]) == ("0起", "zero", "起")
    assert dept["safeguards"] == "1、加强领导。\n2、强化监管。"
    [proj] = res.data["projects"]
    assert (proj["name"], proj["budget"], proj["fiscal_funds"], proj["other_funds"]) == ("农业技术推广项目", 50.0, 40.0, 10.0)
    assert [(c["month"], c["pct"]) for c in proj["plan"]] == [(3, 20), (6, 50), (9, 80), (12, 100)]
    assert proj["goals"] == ["培训农民 500 人次", "示范推广主推技术"]
    assert [(i["level1"], i["level2"], i["level3"], i["description"], i["kind"]) for i in proj["indicators"]] == [
        ("产出指标", "数量指标", "培训农民人次", "培训农民人次", "count"),
        ("产出指标", "质量指标", "技术到位率", "技术到位率", "rate"),
        ("产出指标", "时效指标", "完成时间", "完成时间", "deadline"),
        ("产出指标", "成本指标", "项目总成本", "项目总成本", "cost"),
        ("效益指标", "经济效益指标", "带动农民增收", "带动农民增收", "count"),
        ("满意度指标", "服务对象满意度指标", "农民满意度", "农民满意度", "rate"),
    ]
    assert proj["indicators"][2]["deadline"] == "11-30"
    assert not _messages(res, "warning")


# ---------------------------------------------------------------------------------------------
# Unusable input
# ---------------------------------------------------------------------------------------------


def _cut(text: str, *ranges: tuple[int, int]) -> str:
    lines = text.split("\n")
    return "\n".join(line for a, b in ranges for line in lines[a:b])


@pytest.mark.parametrize(
    ("case", "line"),
    [
        ("empty", 1),
        ("whitespace", 1),
        ("csv", 1),
        ("no_project_table", 129),
        ("truncated_mid_row", 1081),  # file ends inside project 8's rows
        ("header_without_rows", 1066),  # project 8 ends right after its table header
        ("title_without_table", 1057),  # project 8 has no indicator table at all
        ("missing_plan", 134),  # project 1 without 资金支出计划
        ("garbled_value", 183),  # "≥ 八十%"
        ("garbled_prose", 100),  # "≥ 九十%" in 第一部分
    ],
)
def test_unusable_input_raises_with_line(seed_text: str, case: str, line: int) -> None:
    text = {
        "empty": lambda: "",
        "whitespace": lambda: " \n\n\t\n",
        "csv": lambda: "code,name,budget\n13052924P00584012128B,法律援助经费,2.00\n",
        "no_project_table": lambda: _cut(seed_text, (0, 130)),
        "truncated_mid_row": lambda: _cut(seed_text, (0, 1090)),
        "header_without_rows": lambda: _cut(seed_text, (0, 1066)),
        "title_without_table": lambda: _cut(seed_text, (0, 1058)),
        "missing_plan": lambda: _cut(seed_text, (0, 154), (162, 2000)),
        "garbled_value": lambda: seed_text.replace("宣传覆盖率 宣传覆盖率 ≥80%", "宣传覆盖率 宣传覆盖率 ≥ 八十%"),
        "garbled_prose": lambda: seed_text.replace("使用人员满意度 90%以上", "使用人员满意度≥ 九十%"),
    }[case]()
    with pytest.raises(TargetsParseError) as exc:
        parse_targets_text(text)
    assert re.match(rf"^第 {line} 行：", str(exc.value)), str(exc.value)
    assert exc.value.line == line


def test_header_then_next_table_is_truncated(seed_text: str) -> None:
    # project 1 keeps its header but loses all indicator rows; project 2 follows directly
    with pytest.raises(TargetsParseError, match=r"^第 \d+ 行：项目 1“法律援助经费”的绩效指标表不完整"):
        parse_targets_text(_cut(seed_text, (0, 175), (254, 2000)))
