"""User text is text: helpers that keep file names, causes, notes and names from being read as
Markdown/HTML when shown, and that tell a text file from binary garbage (no streamlit here).

- :func:`md` escapes a value for ``st.markdown`` / ``st.success`` / ``st.error`` / ``st.info`` /
  ``st.caption`` / ``st.write`` of a string: every Markdown and HTML special character is
  backslash-escaped, so ``[点此](https://evil.example)`` and ``![b](http://…)`` show as typed and
  never become a link or an image. Apply it to the user's part only:
  ``st.success(f"已导入 {md(file_name)}")``.
- :func:`looks_binary` / :func:`csv_error_message`: a Chinese message instead of a csv traceback.
"""

from __future__ import annotations

import csv
import re
import unicodedata

# Markdown (CommonMark + GitHub + Streamlit extras: ~ for strikethrough, $ for LaTeX, : for emoji
# and :colour[text]) and raw-HTML specials.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&\"'^])")


WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?::/|www\.|@)")


def md(value: object) -> str:
    """``value`` as text safe inside Markdown: specials backslash-escaped, line breaks kept as spaces
    within one paragraph (no headings, lists or tables can start), None as an empty string."""
    if value is None:
        return ""
    text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = " ".join(part.strip() for part in text.split("\n"))
    # GitHub-flavoured Markdown turns bare addresses (http://…, www.…, a@b.cn) into links even when
    # escaped: an invisible word joiner inside "://", after "www" and after "@" stops that.
    text = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + WORD_JOINER + m.group(0)[-1], text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def looks_binary(text: str, *, sample: int = 8192) -> bool:
    """Whether decoded "text" is really binary: NUL bytes, many control characters or many
    replacement characters (bytes no encoding could read) in its first ``sample`` characters."""
    head = text[:sample]
    if not head:
        return False
    if "\x00" in head:
        return True
    bad = sum(1 for ch in head if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\t\r\n"))
    return bad > max(3, len(head) // 100)


def csv_error_message(line: int, exc: csv.Error) -> str:
    """A Chinese message for a csv module error on ``line`` (the caller names the file)."""
    text = str(exc)
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        return (f"第 {line} 行：有一个单元格超过 {limit:,} 个字符，不像是支出或指标数据。"
                "请检查文件（是否选错了文件，或引号没有成对）。")
    if "new-line character" in text or "NUL" in text or "line contains" in text:
        return f"第 {line} 行：无法按文本表格读取（含有无法识别的字符或换行）。请另存为 UTF-8 CSV 或 .xlsx 后再导入。"
    return f"第 {line} 行：CSV 格式有误（引号或分隔符不成对），未导入任何数据。"
