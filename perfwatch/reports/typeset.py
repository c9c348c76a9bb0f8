"""Chinese line breaking for the PDFs (fpdf2 breaks CJK text anywhere): no line begins with closing
punctuation such as "）" or "、", and no number or Latin word is split across lines."""

from __future__ import annotations

from fpdf import FPDF

# Characters that may not begin a line in Chinese typesetting (行首禁则).
NO_LINE_START = set("，。、；：！？）》」』】”’%‰·…,.;:!?)]")


def _word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ".%,-+")


def cjk_lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` mm: never a line that begins with closing
    punctuation (行首禁则: the previous character comes down with it), never a number or Latin word
    split across lines (fpdf2 breaks anywhere in CJK text)."""
    lines: list[str] = []
    for para in text.split("\n"):
        current = ""
        for ch in para:
            if current and pdf.get_string_width(current + ch) > width:
                keep = len(current)
                nxt = ch
                # Move characters down while the next line would begin with closing punctuation or
                # the break would split a number or Latin word (at most 12 characters).
                while keep > 0 and (nxt in NO_LINE_START or (_word(nxt) and _word(current[keep - 1]))):
                    keep -= 1
                    nxt = current[keep]
                if keep <= 0 or len(current) - keep > 12:
                    keep = len(current) - 1 if ch in NO_LINE_START and len(current) > 1 else len(current)
                lines.append(current[:keep])
                current = current[keep:]
            current += ch
        lines.append(current)
    return lines


def wrapped(pdf: FPDF, text: str, width: float, padding: float = 1.2) -> str:
    """``text`` pre-broken (lines joined by newlines) for a cell ``width`` mm wide in the current font,
    so fpdf2's own wrapping never starts a line with "）" or "、"."""
    return "\n".join(cjk_lines(pdf, text, width - 2 * padding - 0.6))
