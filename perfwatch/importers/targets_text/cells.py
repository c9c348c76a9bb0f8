"""Stage 3, cells: indicator table lines -> items -> rows -> columns."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from perfwatch.importers.targets_text.kinds import classify_value, guess_nature
from perfwatch.importers.targets_text.lines import (
    _BASIS_END,
    _HEADER_TAIL,
    _QUAL_VALUES,
    LEVEL1_TERMS,
    LEVEL2_TERMS,
    LEVEL2_TO_LEVEL1,
    _is_header_line,
    _Item,
    _join,
    _LevelToken,
    _Line,
    _LineReader,
    _short,
    _width,
)
from perfwatch.importers.targets_text.model import TargetsParseError
from perfwatch.importers.targets_text.values import (
    _ENDS_WITH_COMP,
    _VALUE_TOKEN,
)


class _Cells(_LineReader):

    def tokenise(self, lines: list[_Line], label: str) -> list[_Item]:
        items: list[_Item] = []
        seen_header = False
        self.table_has_desc = True
        i = 0
        n = len(lines)
        while i < n:
            ln = lines[i]
            t = ln.text
            if _is_header_line(t):
                i += 1
                tail = None if "确定依据" in t else ""
                while tail is not None and i < n and lines[i].text in _HEADER_TAIL and (tail + lines[i].text) in "指标值确定依据":
                    tail += lines[i].text
                    i += 1
                    if tail.endswith("依据"):
                        break
                if seen_header and items and items[-1].kind != "break":
                    items.append(_Item("break", "", ln.no))
                if not seen_header:
                    self.table_has_desc = "描述" in t
                seen_header = True
                continue
            if self.ignorable(ln):
                i += 1
                continue
            if ln.page_start and items and items[-1].kind != "break":
                items.append(_Item("break", "", ln.no))
            used = [ln]
            while i + 1 < n and self.should_merge(t, lines[i + 1].text):
                i += 1
                t = t + lines[i].text if not _ENDS_WITH_COMP.search(t) else t + " " + lines[i].text
                used.append(lines[i])
            self.check_garbled(used)
            self.check_garbled([_Line(used[-1].no, t, False)])
            items.extend(self.line_items(t, ln.no))
            i += 1
        return items

    @staticmethod
    def should_merge(cur: str, nxt: str) -> bool:
        if not nxt or " " in nxt or _is_header_line(nxt):
            return False
        if _ENDS_WITH_COMP.search(cur) and re.match(r"\d", nxt):
            return True
        if len(nxt) > 4:
            return False
        joined = list(_VALUE_TOKEN.finditer(cur + nxt))
        return bool(joined) and joined[-1].end() > len(cur)

    @staticmethod
    def line_items(t: str, no: int) -> list[_Item]:
        matches = list(_VALUE_TOKEN.finditer(t))
        out: list[_Item] = []
        if matches:
            m = matches[-1]
            pre, val, post = t[: m.start()], m.group().strip(), t[m.end():].strip()
            cells = _split_cells(pre)
        else:
            cells = _split_cells(t)
            val, post = None, ""
            for k in range(len(cells) - 1, 0, -1):
                if cells[k] in _QUAL_VALUES:
                    val, post = cells[k], " ".join(cells[k + 1:])
                    cells = cells[:k]
                    break
        out.extend(_Item("cell", c, no) for c in cells)
        if val is not None:
            out.append(_Item("value", val, no))
        if post:
            out.append(_Item("basis", post, no))
        return out

    def parse_indicators(
        self, lines: list[_Line], label: str, seq: int, name: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        items = self.close_unvalued_rows(self.tokenise(lines, label), label)
        values = [i for i, it in enumerate(items) if it.kind == "value"]
        if not values:
            last = lines[-1].no
            raise TargetsParseError(f"第 {last} 行：{label}的绩效指标表不完整：没有任何带指标值的指标行", last)
        rows: list[dict[str, Any]] = []
        start = 0
        for k, vi in enumerate(values):
            chunk = items[start:vi]
            if k == 0:
                s = _row_start(chunk)
                lead, row_items = (chunk[:s], chunk[s:]) if s is not None else ([], chunk)
                for it in lead:
                    if it.kind != "break":
                        self.note("warning", f"第 {it.line} 行", f"{label}：指标表开头无法归类的文本“{it.text}”，未导入", it.line)
            else:
                tail, row_items = self.split_chunk(chunk, rows[-1])
                rows[-1]["tail"].extend(tail)
            row: dict[str, Any] = {"items": row_items, "value": items[vi], "basis": [], "tail": []}
            j = vi + 1
            if j < len(items) and items[j].kind == "basis":
                row["basis"].append(items[j])
                j += 1
            rows.append(row)
            start = j
        trailing = items[start:]
        s = _row_start(trailing)
        if s is not None:  # a row starts after the last value: its value is missing
            it = trailing[s]
            raise TargetsParseError(
                f"第 {it.line} 行：{label}的指标行“{it.text}”缺少指标值（表格可能被截断）", it.line
            )
        for it in trailing:
            if it.kind == "cell" and _width(it.text) > 10:  # wider than the 依据 column: not part of the table
                self.note("warning", f"第 {it.line} 行", f"{label}：表格之后无法归类的文本“{it.text[:40]}”，未导入", it.line)
            else:
                rows[-1]["tail"].append(it)

        indicators: list[dict[str, Any]] = []
        meta: list[dict[str, Any]] = []
        cur1: str | None = None
        cur2: str | None = None
        for row in rows:
            ind, info = self.build_row(row, label, seq, name, cur1, cur2)
            cur1, cur2 = ind["level1"], ind["level2"]
            indicators.append(ind)
            meta.append(info)
        return indicators, meta

    def close_unvalued_rows(self, items: list[_Item], label: str) -> list[_Item]:
        """A level-1/2 cell after a row's own cells starts a new row even if no value closed the last one.

        The open row's value was not recognised: its last cell (before a cell that reads like a
        依据) is taken verbatim as the 指标值 and the row is reported, never merged into the next.
        """
        out: list[_Item] = []
        open_cells: list[int] = []  # indexes into out of the open row's own (non-level) cells
        in_row = False
        i = 0
        while i < len(items):
            it = items[i]
            if it.kind in ("value", "basis"):
                in_row = False
                open_cells = []
                out.append(it)
                i += 1
                continue
            tok = _level_token_at(items, i) if it.kind == "cell" else None
            if tok is not None:
                if in_row and len(open_cells) >= 2:
                    self.close_as_unknown(out, open_cells, label)
                out.extend(items[i: i + tok.n])
                i += tok.n
                in_row, open_cells = True, []
                continue
            if it.kind == "cell" and in_row:
                open_cells.append(len(out))
            out.append(it)
            i += 1
        return out

    def close_as_unknown(self, out: list[_Item], open_cells: list[int], label: str) -> None:
        cells = [out[k] for k in open_cells]
        v = len(cells) - 1
        if len(cells) >= 3 and _BASIS_END.search(cells[-1].text) and not _BASIS_END.search(cells[-2].text):
            v = len(cells) - 2
            out[open_cells[-1]] = _Item("basis", cells[-1].text, cells[-1].line)
        out[open_cells[v]] = _Item("value", cells[v].text, cells[v].line)
        self.note(
            "error", f"第 {cells[v].line} 行",
            f"{label}：指标行（第 {cells[0].line}–{cells[-1].line} 行）未找到可识别的指标值，下一行已开始新的指标；"
            f"已把“{cells[v].text}”作为该行的指标值，三级指标、描述和指标值的划分需人工核对",
            cells[v].line,
        )

    def split_chunk(self, chunk: list[_Item], prev: dict[str, Any]) -> tuple[list[_Item], list[_Item]]:
        """Split the items between two values into the previous row's tail and the next row."""
        s = _row_start(chunk)
        if s is not None:
            return chunk[:s], chunk[s:]
        cells = [i for i, it in enumerate(chunk) if it.kind == "cell"]
        basis_so_far = _join([it.text for it in prev["basis"]])
        if basis_so_far and _BASIS_END.search(basis_so_far):
            return [], chunk
        for k in range(1, len(cells) - 1):
            frags = [chunk[i].text for i in cells[:k]]
            if all(_width(f) <= self.W3MAX + 1 for f in frags) and _BASIS_END.search(basis_so_far + _join(frags)):
                cut = cells[k - 1] + 1
                while cut < len(chunk) and chunk[cut].kind == "break":
                    cut += 1
                return chunk[:cut], chunk[cut:]
        return [], chunk

    def build_row(
        self, row: dict[str, Any], label: str, seq: int, name: str, cur1: str | None, cur2: str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        items: list[_Item] = row["items"]
        value: _Item = row["value"]
        i = 0
        level1 = level2 = None
        partial = False
        tok = _level_token_at(items, i)
        if tok and tok.kind == "L1":
            level1, i = tok.text, i + tok.n
            tok = _level_token_at(items, i)
        if tok and tok.kind == "L2":
            level2, i = tok.text, i + tok.n
        elif level1 and i < len(items) and items[i].kind == "cell" and _l2_prefix(items[i].text):
            level2, partial, i = items[i].text, True, i + 1
        pre = _segments(items[i:])
        basis_items = list(row["basis"])
        tail: list[_Item] = row["tail"]
        first_break = next((k for k, it in enumerate(tail) if it.kind == "break"), len(tail))
        basis_items += [it for it in tail[:first_break] if it.kind != "break"]
        post = _segments(tail[first_break:])
        continued = [it.line for seg in post for it in seg]

        # complete a level-2 name broken by a page break
        if partial:
            for seg in pre[1:] + post:
                if seg and seg[0].kind == "cell" and _l2_prefix((level2 or "") + seg[0].text, allow_full=True):
                    level2 = (level2 or "") + seg.pop(0).text
                    if level2 in LEVEL2_TO_LEVEL1:
                        break
        pre = [s for s in pre if s]
        post = [s for s in post if s]
        if self.table_has_desc:
            l3f, descf, extra_basis = _assign_columns(pre, post, self.W3MAX)
        else:  # template without a 绩效指标描述 column
            l3f, descf = [it for seg in pre for it in seg], []
            extra_basis = [it for seg in post for it in seg]
        basis_items += extra_basis
        level3 = _join([it.text for it in l3f])
        description = _join([it.text for it in descf])
        first_line = items[0].line if items else value.line
        where_l2 = level2 or "?"
        if not level3:
            raise TargetsParseError(f"第 {value.line} 行：{label}的指标行缺少三级指标（指标值“{value.text}”）", value.line)
        if not description and not self.table_has_desc:
            description = level3
        elif not description:
            description = level3
            self.note("warning", f"项目 {seq} {_short(name)}/{where_l2}/{level3}", "绩效指标描述为空，按三级指标名称填写", first_line)

        if level2 is not None and level2 not in LEVEL2_TO_LEVEL1:
            full = [t for t in LEVEL2_TERMS if t.startswith(level2)]
            if len(full) == 1:
                self.note("warning", f"第 {first_line} 行", f"{label}：二级指标“{level2}”不完整，按指标体系补全为“{full[0]}”", first_line)
                level2 = full[0]
            else:
                self.note("warning", f"第 {first_line} 行", f"{label}：二级指标“{level2}”不在指标体系中", first_line)
        if level2 is None:
            level2 = cur2
            if level2 is None:
                self.note("warning", f"第 {first_line} 行", f"{label}：指标“{level3}”缺少二级指标", first_line)
        implied = LEVEL2_TO_LEVEL1.get(level2 or "")
        if level1 is None:
            level1 = implied or cur1
        elif implied and implied != level1 and not (level1 == "成本指标" and implied == "产出指标"):
            self.note("warning", f"第 {first_line} 行", f"{label}：二级指标“{level2}”通常属于“{implied}”，表中为“{level1}”", first_line)
        if level1 is None:
            self.note("warning", f"第 {first_line} 行", f"{label}：指标“{level3}”缺少一级指标", first_line)
        where = f"项目 {seq} {_short(name)}/{level2}/{level3}"
        if continued:
            self.note(
                "info", where,
                f"该指标行跨页，分页表头之后的续行（第 {'、'.join(map(str, sorted(set(continued))))} 行）已并入该行",
                value.line,
            )
        cls = classify_value(value.text)
        tv = cls.value
        if cls.form == "unknown":
            self.note("warning", where, f"指标值“{value.text}”（{cls.label}）：{cls.note}", value.line)
        elif cls.note:
            self.note("info", where, cls.note, value.line)
        basis = _join([it.text for it in basis_items]) or None
        ind = {
            "level1": level1, "level2": level2, "level3": level3, "description": description,
            "target_text": value.text, "comparator": tv.comparator, "value": tv.value, "unit": tv.unit,
            "deadline": tv.deadline, "kind": tv.kind, "basis": basis,
        }
        lines = sorted({it.line for it in items + [value] + basis_items} | set(continued))
        return ind, {
            "where": where, "line": value.line, "first_line": first_line, "lines": lines, "form": cls.form,
            "source": " / ".join(self.lines[n - 1].text for n in lines if 0 < n <= len(self.lines)),
            "nature": guess_nature(level3, description, value.text, tv.unit),
        }

    # -- review (绩效目标审核) --------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Module-level helpers for rows and clauses
# ---------------------------------------------------------------------------------------------


def _split_cells(pre: str) -> list[str]:
    """Split a table line into cells on spaces, but keep "冀财政法 2023 年" together."""
    pieces = pre.split()
    cells: list[str] = []
    for p in pieces:
        if cells:
            a, b = cells[-1], p
            artefact = (a[-1].isascii() and a[-1].isalnum()) or (b[0].isascii() and b[0].isalnum())
            if artefact and a not in LEVEL1_TERMS and a not in LEVEL2_TO_LEVEL1:
                cells[-1] = a + " " + b
                continue
        cells.append(p)
    return cells


def _level_token_at(items: Sequence[_Item], i: int) -> _LevelToken | None:
    """An exact level-1 / level-2 term formed by 1-3 consecutive cells starting at i."""
    text = ""
    for n in range(1, 4):
        if i + n - 1 >= len(items) or items[i + n - 1].kind != "cell":
            return None
        text += items[i + n - 1].text
        if text == "成本指标":
            nxt = _level_token_at(items, i + n) if i + n < len(items) else None
            if nxt is not None and nxt.kind == "L2" and LEVEL2_TO_LEVEL1.get(nxt.text) == "成本指标":
                return _LevelToken("L1", text, n)
            return _LevelToken("L2", text, n)
        if text in LEVEL1_TERMS:
            return _LevelToken("L1", text, n)
        if text in LEVEL2_TO_LEVEL1:
            return _LevelToken("L2", text, n)
        if not any(t.startswith(text) for t in LEVEL1_TERMS + LEVEL2_TERMS):
            return None
    return None


def _l2_prefix(text: str, allow_full: bool = False) -> bool:
    if allow_full and text in LEVEL2_TO_LEVEL1:
        return True
    return _width(text) >= 3 and any(t.startswith(text) and t != text for t in LEVEL2_TERMS)


def _row_start(chunk: Sequence[_Item]) -> int | None:
    for s, it in enumerate(chunk):
        if it.kind == "cell" and _level_token_at(chunk, s) is not None:
            return s
    return None


def _segments(items: Sequence[_Item]) -> list[list[_Item]]:
    segs: list[list[_Item]] = [[]]
    for it in items:
        if it.kind == "break":
            segs.append([])
        elif it.kind in ("cell", "basis"):
            segs[-1].append(it)
    return segs


def _assign_columns(
    pre: list[list[_Item]], post: list[list[_Item]], w3max: float
) -> tuple[list[_Item], list[_Item], list[_Item]]:
    """Choose which fragments are 三级指标, which 描述 (and, after the value, which 依据).

    Cells wrap in parallel columns, so each page segment is [三级… 描述…] before the value and
    [三级… 描述… 依据…] for the continuation after a page break. Prefer a split where the joined
    三级指标 equals the 描述 (the common case); otherwise the 三级指标 column is narrow (≤ w3max).
    """
    pre_opts = [range(len(seg) + 1) for seg in pre]
    post_opts = [[(a, b) for a in range(len(seg) + 1) for b in range(a, len(seg) + 1)] for seg in post]
    total = 1
    for o in pre_opts:
        total *= len(o)
    for o2 in post_opts:
        total *= len(o2)
    if total > 20000:  # pathological: treat everything before the value as one segment
        pre = [[it for seg in pre for it in seg]]
        pre_opts = [range(len(pre[0]) + 1)]
        post_opts = [[(0, 0)] for _ in post]
    best: tuple[float, list[_Item], list[_Item], list[_Item]] | None = None
    # a cut index per page segment, then an (a, b) pair per later segment
    options: list[Sequence[Any]] = [*pre_opts, *post_opts]
    for combo in itertools.product(*options):
        l3: list[_Item] = []
        desc: list[_Item] = []
        extra: list[_Item] = []
        moved = 0
        late = 0.0
        for n_seg, (seg, j) in enumerate(zip(pre, combo[: len(pre)], strict=False)):
            if n_seg and j:
                # a later page segment continues the 三级指标 column only if it was cut at a full line
                late += 1.0 if l3 and _width(l3[-1].text) >= w3max - 1.5 else -2.0 * j
            l3 += seg[:j]
            desc += seg[j:]
        for seg, ab in zip(post, combo[len(pre):], strict=False):
            a, b = ab
            l3 += seg[:a]
            desc += seg[a:b]
            extra += seg[b:]
            moved += b
        if not l3:
            continue
        l3_text = _join([it.text for it in l3])
        desc_text = _join([it.text for it in desc])
        score = float(len(l3)) + late
        if desc and l3_text == desc_text:
            score += 1000
        if not desc:
            score -= 500
        score -= 100 * sum(1 for it in l3 if _width(it.text) > w3max)
        score -= 5 * moved
        # the 描述 column is wide: a narrow line followed by more 描述 on the same page is unlikely
        for seg, j in zip(pre, combo[: len(pre)], strict=False):
            body = seg[j:]
            score -= 3 * sum(1 for it in body[:-1] if _width(it.text) <= w3max - 2)
        if best is None or score > best[0]:
            best = (score, l3, desc, extra)
    if best is None:
        return [], [], [it for seg in post for it in seg]
    return best[1], best[2], best[3]

