"""The 监控报告 drafted from the data: the §5b outline 一…七 as a list of blocks (headings,
paragraphs, tables) that :mod:`perfwatch.reports.report_docx` writes to Word and
:mod:`perfwatch.reports.report_pdf` to PDF, so both say the same thing with the same numbers.

Every figure is a field of :class:`perfwatch.reports.data.DepartmentReport` (the status engine's
numbers), formatted by the same helpers as the dashboard exports: 万元 with 2 decimals, rates with 2.
The text is a draft the unit edits in Word before filing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from perfwatch.reports.data import (
    DepartmentReport,
    IndicatorLine,
    ProjectLine,
    fmt_amount,
    fmt_pct,
    lagging_indicators,
    light_name,
)
from perfwatch.reports.declared import PENDING
from perfwatch.vocab import LAGGING, LIGHT_NAMES, LIGHTS

LIGHT_ORDER: tuple[str, ...] = LIGHTS


@dataclass
class Block:
    """One piece of the report: kind "title", "h1", "h2", "p", "note" or "table"."""

    kind: str
    text: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Suggestion:
    """调减/收回: the declared year end falls short of the budget by more than the threshold."""

    project: ProjectLine
    shortfall: float          # 万元 = budget − declared
    shortfall_pct: float      # of the budget


def suggestions(report: DepartmentReport, projects: list[ProjectLine] | None = None) -> list[Suggestion]:
    out: list[Suggestion] = []
    for p in projects if projects is not None else report.projects:
        if p.projection is None or p.budget <= 0:
            continue
        short = round(p.budget - p.projection, 2)
        pct = 100.0 * short / p.budget
        if short > 0 and pct > report.cut_threshold_pct:
            out.append(Suggestion(p, short, pct))
    return out


def _counts(counts: dict[str, int]) -> str:
    return "，".join(f"{light_name(k)} {counts[k]} 项" for k in LIGHT_ORDER if counts.get(k))


def _w(v: float | None) -> str:
    return PENDING if v is None else f"{fmt_amount(v)} 万元"


def _ind_line(ind: IndicatorLine) -> str:
    parts = [f"“{ind.level3}”（年度指标值 {ind.target_text}，{ind.actual_text or '—'}，{light_name(ind.light)}）"]
    if ind.causes or ind.cause_text:
        parts.append("原因：" + "；".join(t for t in ("、".join(ind.causes), ind.cause_text) if t))
    else:
        parts.append("原因：" + PENDING)
    parts.append("纠偏措施：" + (ind.measure or PENDING))
    if ind.projected_text:
        parts.append("全年预计：" + ind.projected_text)
    return "；".join(parts) + "。"


def blocks(report: DepartmentReport, project_id: int | None = None) -> list[Block]:
    """The report's blocks: the whole unit, or one project when ``project_id`` is given."""
    r = report
    projects = [p for p in r.projects if project_id is None or p.project_id == project_id]
    one = projects[0] if project_id is not None and projects else None
    subject = f"{one.name}项目" if one else r.name
    per = f"{r.fiscal_year}年{r.period}"
    out: list[Block] = [Block("title", f"{subject}{per}预算绩效运行监控报告")]
    marks = {p.mark for p in projects}
    out.append(Block("note", f"（{'已审核' if marks == {'已审核'} else '草稿'}　数据截至 {r.as_of:%Y-%m-%d}）"))
    out.append(Block("p", f"{r.basis_line}，现将{subject}{per}预算绩效运行监控情况报告如下。"))

    budget = sum(p.budget for p in projects) if one else r.budget
    spent = sum(p.spent for p in projects) if one else r.spent
    exec_pct = one.execution_pct if one else r.execution_pct
    expected = one.expected_pct if one else r.expected_pct
    time_pct = one.time_pct if one else r.time_pct
    exec_light = one.execution_light if one else r.execution_light
    fiscal = sum(p.fiscal_funds for p in projects)
    n_ind = sum(len(p.indicators) for p in projects)
    n_dept = len(r.indicators("department"))

    # 一、基本情况
    out.append(Block("h1", "一、基本情况"))
    basic = (f"实施单位：{r.name}（{r.code}）；主管部门：{r.supervisor.label()}。"
             f"{r.fiscal_year}年纳入监控的项目 {len(projects)} 个，年初预算 {fmt_amount(budget)} 万元，"
             f"其中财政拨款 {fmt_amount(fiscal)} 万元；项目绩效指标 {n_ind} 项")
    basic += "。" if one else f"，部门整体分项目标 {len(r.sub_goals)} 个、部门整体指标 {n_dept} 项。"
    out.append(Block("p", basic))
    if one and one.goals:
        out.append(Block("p", "年度绩效目标：" + "；".join(one.goals)))
    elif not one and r.overall_goal:
        out.append(Block("p", "部门整体绩效目标：" + r.overall_goal))

    # 二、监控工作开展情况
    declared = [p for p in projects if p.projection is not None]
    approved = [p for p in projects if p.mark == "已审核"]
    out.append(Block("h1", "二、监控工作开展情况"))
    out.append(Block("p", f"对{'该项目' if one else f'{len(projects)} 个项目及部门整体绩效目标'}开展{r.period}运行监控，"
                     f"采集截至 {r.as_of:%Y-%m-%d} 的支出执行数和绩效指标完成值，按支出计划节点测算计划应达进度，"
                     f"逐项判定支出进度灯和绩效目标灯。已填报全年预计执行数的项目 {len(declared)} 个，"
                     f"待填报 {len(projects) - len(declared)} 个；已审核 {len(approved)} 个，草稿 {len(projects) - len(approved)} 个。"))

    # 三、预算执行情况
    out.append(Block("h1", "三、预算执行情况"))
    out.append(Block("h2", "（一）总体执行情况"))
    out.append(Block("p", f"截至 {r.as_of:%Y-%m-%d}，累计执行 {fmt_amount(spent)} 万元，执行率 {fmt_pct(exec_pct)}；"
                     f"按支出计划应达 {fmt_pct(expected)}，序时进度 {fmt_pct(time_pct)}；支出进度为{light_name(exec_light)}。"))
    out.append(Block("h2", "（二）分项目执行情况"))
    out.append(Block("table", header=["项目", "年初预算数（万元）", "执行数（万元）", "执行率", "计划应达", "序时进度", "支出进度"],
                     rows=[[f"{p.seq}.{p.name}", fmt_amount(p.budget), fmt_amount(p.spent), fmt_pct(p.execution_pct),
                            fmt_pct(p.expected_pct), fmt_pct(p.time_pct), light_name(p.execution_light)]
                           for p in projects]))
    behind = [p for p in projects if p.execution_light in LAGGING]
    if behind:
        out.append(Block("p", "支出进度滞后的项目：" + "；".join(
            f"{p.name}（执行率 {fmt_pct(p.execution_pct)}，计划应达 {fmt_pct(p.expected_pct)}，{light_name(p.execution_light)}）"
            for p in behind) + "。"))

    # 四、绩效目标完成情况
    out.append(Block("h1", "四、绩效目标完成情况"))
    pc: dict[str, int] = {k: 0 for k in LIGHT_ORDER}
    for p in projects:
        for i in p.indicators:
            pc[i.light] = pc.get(i.light, 0) + 1
    lag_inds = [(p, i) for p in projects for i in lagging_indicators(p)]
    out.append(Block("h2", "（一）项目绩效目标"))
    out.append(Block("p", f"项目绩效指标共 {n_ind} 项：{_counts(pc) or '—'}。滞后（黄灯、红灯）指标 {len(lag_inds)} 项"
                     + ("：" + "；".join(f"{p.name}的“{i.level3}”（{light_name(i.light)}）" for p, i in lag_inds) + "。"
                        if lag_inds else "。")))
    if not one:
        dc = r.indicator_light_counts("department")
        out.append(Block("h2", "（二）部门整体绩效目标"))
        out.append(Block("p", f"部门整体指标共 {n_dept} 项（与项目指标分别统计）：{_counts(dc) or '—'}。"))
        out.append(Block("table", header=["分项目标", "指标数"] + [LIGHT_NAMES[k] for k in LIGHTS[:-1]] + ["灰灯（未到期/待评）"],
                         rows=[[f"{g.seq}.{g.title}", str(len(g.indicators))]
                               + [str(sum(1 for i in g.indicators if i.light == k))
                                  for k in LIGHTS]
                               for g in r.sub_goals]))

    # 五、偏差原因及纠偏措施
    out.append(Block("h1", "五、偏差原因及纠偏措施"))
    lagging = [p for p in projects if p.lagging]
    if not lagging and not lag_inds:
        out.append(Block("p", "截至本期，未发现支出进度或绩效目标滞后的项目。"))
    for k, p in enumerate(lagging, 1):
        cause = "；".join(t for t in ("、".join(p.cause_categories), p.cause_text) if t) or PENDING
        out.append(Block("p", f"{k}. {p.name}（综合{light_name(p.combined_light)}，执行率 {fmt_pct(p.execution_pct)}，"
                         f"计划应达 {fmt_pct(p.expected_pct)}）。支出偏差原因：{cause}。纠偏措施：{p.measure or PENDING}。"))
        for i in lagging_indicators(p):
            out.append(Block("p", "　　指标" + _ind_line(i)))
    if not one:
        dept_lag = [i for i in r.indicators("department") if i.lagging]
        for i in dept_lag:
            out.append(Block("p", "部门整体指标" + _ind_line(i)))

    # 六、全年预计及结转结余
    out.append(Block("h1", "六、全年预计执行及结转结余"))
    total = sum(p.projection or 0.0 for p in declared) if len(declared) == len(projects) else None
    rows = [[f"{p.seq}.{p.name}", fmt_amount(p.budget), PENDING if p.projection is None else fmt_amount(p.projection),
             PENDING if p.carryover is None else fmt_amount(p.carryover),
             PENDING if p.projection is None or not p.budget else fmt_pct(100.0 * p.projection / p.budget)]
            for p in projects]
    rows.append(["合计", fmt_amount(budget), PENDING if total is None else fmt_amount(total),
                 PENDING if total is None else fmt_amount(budget - total),
                 PENDING if total is None or not budget else fmt_pct(100.0 * total / budget)])
    out.append(Block("table", header=["项目", "年初预算数（万元）", "全年预计执行数（万元）", "预计结转结余（万元）", "预计执行率"],
                     rows=rows))
    out.append(Block("p", "全年预计执行数为项目单位填报数；" + (
        f"尚有 {len(projects) - len(declared)} 个项目待填报，合计待全部填报后确定。" if total is None else
        f"预计全年执行 {fmt_amount(total)} 万元，预计结转结余 {fmt_amount(budget - total)} 万元。")))

    # 七、下一步工作及结果应用建议
    out.append(Block("h1", "七、下一步工作及结果应用建议"))
    sug = suggestions(r, projects)
    items: list[str] = []
    for s in sug:
        items.append(f"{s.project.name}全年预计执行 {fmt_amount(s.project.projection)} 万元，较年初预算少 {fmt_amount(s.shortfall)} 万元"
                     f"（{fmt_pct(s.shortfall_pct)}，超过 {fmt_pct(r.cut_threshold_pct)} 的提示阈值），建议调减预算或收回资金 "
                     f"{fmt_amount(s.shortfall)} 万元，统筹用于其他急需领域。")
    for p in lagging:
        items.append(f"{p.name}：督促落实纠偏措施，{'按支出计划加快执行，' if p.execution_light in LAGGING else ''}"
                     f"下期重点跟踪。")
    pending = [p for p in projects if p.projection is None]
    if pending:
        items.append("尽快填报全年预计执行数：" + "、".join(p.name for p in pending) + "。")
    if not items:
        items.append("各项目按计划推进，继续按月跟踪支出进度和绩效指标完成情况。")
    for k, t in enumerate(items, 1):
        out.append(Block("p", f"{k}. {t}"))
    return out


def plain_text(bs: list[Block]) -> str:
    """The report as text (tables row by row), for tests and previews."""
    lines: list[str] = []
    for b in bs:
        if b.kind == "table":
            lines.append(" | ".join(b.header))
            lines += [" | ".join(row) for row in b.rows]
        else:
            lines.append(b.text)
    return "\n".join(lines)
