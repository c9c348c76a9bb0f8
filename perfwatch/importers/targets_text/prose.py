"""Stage 2b, the department part (第一部分): sections, sub-goals and their indicator clauses."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from perfwatch.importers.targets_text.lines import (
    _GOAL_LABEL,
    _IND_LABEL,
    _NUMBERED,
    _SECTION,
    _SUB_HEADING,
    _cn_number,
    _join,
    _Line,
    _LineReader,
    _short,
    _width,
)
from perfwatch.importers.targets_text.model import (
    TargetsParseError,
    TargetValue,
    TargetValueError,
)
from perfwatch.importers.targets_text.values import (
    _CJK,
    _find_prose_target,
    parse_target_value,
)


class _Prose(_LineReader):

    def parse_department(self, lines: list[_Line]) -> dict[str, Any]:
        section: str | None = None
        buckets: dict[str, list[_Line]] = {"overall": [], "sub": [], "safe": []}
        for ln in lines[1:] if re.fullmatch(r"第一部分\s*", lines[0].text) else lines:
            t = ln.text
            if re.match(r"^第一部分", t) or t.endswith("部门整体绩效目标") and len(t) <= 30 and section is None:
                continue
            m = _SECTION.match(t)
            if m:
                head = m.group(1)
                section = "overall" if "总体" in head else "safe" if "措施" in head else "sub"
                continue
            if self.ignorable(ln):
                continue
            if section is None:
                self.unplaced(ln, "第一部分")
                continue
            buckets[section].append(ln)

        widths = sorted(_width(ln.text) for ln in lines if _width(ln.text) >= 10)
        full = widths[int(len(widths) * 0.9)] if widths else 30.0
        self.para_full = full

        overall = _join([ln.text for ln in buckets["overall"]])
        sub_goals = self.parse_sub_goals(buckets["sub"], overall)
        overall = sub_goals.pop("_overall")
        if not overall:
            self.note("warning", "部门整体绩效目标", "总体绩效目标为空")
        safeguards = self.parse_safeguards(buckets["safe"])
        return {"overall_goal": overall, "safeguards": safeguards, "sub_goals": sub_goals["list"]}

    def paragraphs(self, lines: list[_Line], starts: Callable[[str], bool]) -> list[list[_Line]]:
        """Group wrapped lines into paragraphs: a short line closes a paragraph; labels open one."""
        paras: list[list[_Line]] = []
        closed = True
        for ln in lines:
            t = ln.text
            cont = bool(paras) and t[0] in "，,。、；;：:）)”』」%"
            if not cont and (closed or starts(t)):
                paras.append([ln])
            else:
                paras[-1].append(ln)
            closed = _width(t) < 0.8 * self.para_full
        return paras

    def parse_sub_goals(self, lines: list[_Line], overall: str) -> dict[str, Any]:
        def starts(t: str) -> bool:
            return bool(_GOAL_LABEL.match(t) or _IND_LABEL.match(t) or self._sub_heading(t))

        subs: list[dict[str, Any]] = []
        orphans: list[tuple[str, int, int]] = []  # (text, line, index of sub-goal it sits under)
        unlabelled: list[tuple[str, list[_Line]]] = []
        for para in self.paragraphs(lines, starts):
            first = para[0]
            head = self._sub_heading(first.text) if len(para) == 1 else None
            if head:
                seq, title = head
                if seq != len(subs) + 1:
                    self.note("warning", f"第 {first.no} 行", f"分项目标序号 {seq} 与预期 {len(subs) + 1} 不符", first.no)
                subs.append({"seq": len(subs) + 1, "title": title, "goal": "", "ind": None, "line": first.no})
                continue
            text = _join([ln.text for ln in para])
            if (m := _GOAL_LABEL.match(text)) is not None:
                if not subs:
                    self.unplaced(first, "分项绩效目标（尚无分项目标标题）")
                    continue
                goal = text[m.end():]
                if subs[-1]["goal"]:
                    self.note("warning", f"第 {first.no} 行", f"分项目标 {subs[-1]['seq']} 出现第二段“绩效目标”，已接在前一段之后", first.no)
                    subs[-1]["goal"] += goal
                else:
                    subs[-1]["goal"] = goal
            elif (m := _IND_LABEL.match(text)) is not None:
                if not subs:
                    self.unplaced(first, "分项绩效目标（尚无分项目标标题）")
                    continue
                self.check_garbled(para)
                body = (text[m.end():], para, m.end())
                if subs[-1]["ind"] is None:
                    subs[-1]["ind"] = body
                else:
                    orphans.append((text, first.no, len(subs) - 1))
                    subs[-1].setdefault("_orphans", []).append(body)
            else:
                unlabelled.append((text, para))

        # A second 绩效指标 paragraph under one sub-goal: decide by content where it belongs.
        for k, sg in enumerate(subs):
            for body in sg.pop("_orphans", []):
                text, para, _ = body
                nxt = subs[k + 1] if k + 1 < len(subs) else None
                here = _similarity(text, sg["title"] + sg["goal"])
                there = _similarity(text, nxt["title"] + nxt["goal"]) if nxt else -1.0
                line = para[0].no
                if nxt is not None and (nxt["ind"] is None or there > here):
                    if nxt["ind"] is None:
                        nxt["ind"] = body
                    else:
                        nxt.setdefault("_extra", []).append(body)
                    self.note(
                        "info", f"第 {line} 行",
                        f"此“绩效指标”段位于分项目标 {sg['seq']} 之下，但按内容归入分项目标 {nxt['seq']}"
                        f"“{nxt['title']}”（原文分页错位）", line,
                    )
                else:
                    sg.setdefault("_extra", []).append(body)
                    self.note("info", f"第 {line} 行", f"分项目标 {sg['seq']} 有第二段“绩效指标”，已并入该分项目标", line)

        for text, para in unlabelled:
            if not overall and len(text) >= 40:
                overall = text
                self.note(
                    "info", f"第 {para[0].no} 行",
                    "总体绩效目标为空；分项目标中的这段未标注文字按内容判定为总体绩效目标", para[0].no,
                )
            else:
                for ln in para:
                    self.unplaced(ln, "分项绩效目标")

        out = []
        for sg in subs:
            indicators: list[dict[str, Any]] = []
            bodies = ([sg["ind"]] if sg["ind"] else []) + sg.get("_extra", [])
            for body in bodies:
                indicators.extend(self.parse_clauses(body, sg))
            if not sg["goal"]:
                self.note("warning", f"分项目标 {sg['seq']} {_short(sg['title'])}", "缺少“绩效目标”", sg["line"])
            if not indicators:
                self.note("warning", f"分项目标 {sg['seq']} {_short(sg['title'])}", "缺少“绩效指标”", sg["line"])
            out.append({"seq": sg["seq"], "title": sg["title"], "goal": sg["goal"], "indicators": indicators})
        return {"list": out, "_overall": overall}

    @staticmethod
    def _sub_heading(t: str) -> tuple[int, str] | None:
        m = _SUB_HEADING.match(t)
        if not m or _width(t) > 30 or "：" in t or ":" in t or t.endswith(("。", "；", "，")):
            return None
        digits = m.group(1) or m.group(2)
        return (int(digits) if digits else _cn_number(m.group(3) or m.group(4))), m.group(5).strip()


    def parse_clauses(self, body: tuple[str, list[_Line], int], sg: dict[str, Any]) -> list[dict[str, Any]]:
        text, para, offset = body
        # map character offsets of the joined paragraph back to source lines
        starts: list[tuple[int, int]] = []
        pos = 0
        for ln in para:
            starts.append((pos, ln.no))
            pos += len(_join([ln.text]))

        def line_at(index: int) -> int:
            no = para[0].no
            for p, n in starts:
                if p <= index + offset:
                    no = n
            return no

        out = []
        search_from = 0
        for clause in _split_clauses(text):
            idx = text.find(clause, search_from)
            search_from = max(search_from, idx)
            line = line_at(max(idx, 0))
            target = _find_prose_target(clause)
            where = f"分项目标 {sg['seq']} {_short(sg['title'])}/{clause if len(clause) <= 16 else clause[:15] + '…'}"
            try:
                tv = parse_target_value(target if target else clause)
            except TargetValueError:
                if target:
                    raise TargetsParseError(f"第 {line} 行：指标“{clause}”的目标值“{target}”无法识别", line) from None
                tv = TargetValue(clause, "qualitative", None, None, "qualitative", None)
            out.append(
                {
                    "level1": None, "level2": None, "level3": clause, "description": clause,
                    "target_text": target if target else clause, "comparator": tv.comparator, "value": tv.value,
                    "unit": tv.unit, "deadline": tv.deadline, "kind": tv.kind, "basis": None,
                    "_where": where, "_line": line,
                }
            )
        return out

    def parse_safeguards(self, lines: list[_Line]) -> str:
        items: list[list[str]] = []
        for ln in lines:
            if _NUMBERED.match(ln.text) or not items:
                items.append([ln.text])
            else:
                items[-1].append(ln.text)
        return "\n".join(_join(it) for it in items)

    # -- project tables -------------------------------------------------------------------------


def _split_clauses(text: str) -> list[str]:
    """Split a 绩效指标 paragraph into indicator clauses.

    Split on ；; 。 first; then on ，, only where both sides carry a target (number, deadline or
    qualitative phrase) — a fragment without one is merged into its neighbour.
    """
    out: list[str] = []
    for part in re.split(r"[；;。]", text):
        part = part.strip(" ，,")
        if not part:
            continue
        pieces = re.split(r"([，,])", part)
        merged: list[str] = []
        pending = ""
        k = 0
        while k < len(pieces):
            piece = pieces[k].strip()
            sep = pieces[k + 1] if k + 1 < len(pieces) else "，"
            k += 2
            if not piece:
                continue
            cur = pending + piece
            if _find_prose_target(piece) is not None:
                merged.append(cur)
                pending = ""
            else:
                pending = cur + sep
        if pending:
            pending = pending.rstrip("，,")
            if merged:
                merged[-1] = merged[-1] + "，" + pending
            else:
                merged.append(pending)
        out.extend(m.strip() for m in merged)
    return out


def _bigrams(s: str) -> set[str]:
    s = re.sub(rf"[^{_CJK}]", "", s)
    return {s[i: i + 2] for i in range(len(s) - 1)}


def _similarity(a: str, b: str) -> float:
    ba, bb = _bigrams(a), _bigrams(b)
    return len(ba & bb) / len(bb) if bb else 0.0

