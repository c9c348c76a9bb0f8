"""Finding a Chinese (CJK) font for generated PDFs, on Debian and on Windows.

fpdf2 can embed the OpenType/CFF faces of Debian's ``fonts-noto-cjk`` collection, but the PDF it
then writes uses an embedded encoding CMap that several text extractors (pdfminer/pdfplumber,
hence copy-paste in some viewers and our own tests) cannot read. A TrueType-outline font is
embedded with the standard ``Identity-H`` encoding instead, which every reader understands. So a
CFF face is converted once -- subset to the characters Chinese reports use, curves converted to
quadratic with fontTools (a dependency of fpdf2) -- into a cache directory, and that file is
embedded. TrueType fonts (Windows 黑体/微软雅黑, WenQuanYi, Droid Sans Fallback) are used as is.

Lookup order: ``$PERFWATCH_CJK_FONT`` (a path, optionally ``path#index`` for a collection), the
known file locations below, then ``fc-match :lang=zh-cn``.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENV_FONT = "PERFWATCH_CJK_FONT"
ENV_CACHE = "PERFWATCH_CACHE_DIR"

# Known places, best first. Noto CJK ships as a .ttc (Debian fonts-noto-cjk) or as single .otf
# files (fonts-noto-cjk on older releases, manual installs).
_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)
_WINDOWS_NAMES: tuple[str, ...] = ("simhei.ttf", "msyh.ttc", "msyh.ttf", "simsun.ttc", "simkai.ttf")

# Unicode ranges kept when converting a CFF face: Latin, punctuation, symbols (√ ● ▲ ①),
# CJK punctuation, the CJK Unified Ideographs block and full-width forms.
_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E), (0x00A0, 0x017F), (0x02C6, 0x02DD), (0x0391, 0x03C9), (0x0401, 0x0451),
    (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF),
    (0x2500, 0x25FF), (0x2600, 0x26FF), (0x2700, 0x27BF), (0x3000, 0x303F), (0x3200, 0x32FF),
    (0x4E00, 0x9FFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
)
_CONVERTER_VERSION = "1"

INSTALL_HINT = (
    "未找到可用于生成 PDF 的中文字体。请安装中文字体后重试："
    "Debian/Ubuntu 运行 sudo apt-get install fonts-noto-cjk；"
    "Windows 系统自带的黑体（simhei.ttf）或微软雅黑（msyh.ttc）位于 C:\\Windows\\Fonts；"
    f"也可以用环境变量 {ENV_FONT} 指定字体文件路径（.ttf/.otf/.ttc）。"
)


class FontNotFound(Exception):
    """No usable CJK font on this machine (message in Chinese, naming what to install)."""


@dataclass(frozen=True)
class FontSource:
    """A font file and, for a collection (.ttc), the face to use."""

    path: Path
    index: int = 0


@dataclass(frozen=True)
class PdfFont:
    """The file fpdf2 should embed: TrueType outlines when at all possible."""

    path: Path
    index: int
    truetype: bool  # False only when conversion failed and the CFF face is used directly


def _windows_font_dirs() -> list[Path]:
    dirs = []
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def _parse_env(value: str) -> FontSource:
    path, _, idx = value.partition("#")
    return FontSource(Path(path).expanduser(), int(idx) if idx.isdigit() else -1)


def _fc_match() -> Path | None:
    exe = shutil.which("fc-match")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "-f", "%{file}", ":lang=zh-cn"], check=False, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
    return path if path and path.suffix.lower() in {".ttf", ".otf", ".ttc", ".otc"} and path.is_file() else None


def candidate_paths() -> list[Path]:
    """Every place looked at, in order (for messages and tests)."""
    paths = [Path(p) for p in _CANDIDATES]
    if platform.system() == "Windows" or os.environ.get("WINDIR"):
        paths += [d / n for d in _windows_font_dirs() for n in _WINDOWS_NAMES]
    return paths


def _pick_face(path: Path) -> int:
    """The Simplified Chinese face of a collection (Noto CJK: index 2 'SC'), else the first one
    whose character map has Chinese."""
    from fontTools.ttLib import TTCollection

    if path.suffix.lower() not in {".ttc", ".otc"}:
        return 0
    coll = TTCollection(str(path), lazy=True)
    best = -1
    for i, face in enumerate(coll.fonts):
        name = str(face["name"].getDebugName(4) or "")
        cmap = face.getBestCmap() or {}
        if ord("中") not in cmap:
            continue
        if "Mono" not in name and (" SC" in name or "GB" in name or name.endswith("SC")):
            return i
        if best < 0:
            best = i
    return max(best, 0)


def find_cjk_font() -> FontSource:
    """The CJK font to use, or :class:`FontNotFound` with an installation hint."""
    env = os.environ.get(ENV_FONT)
    if env:
        src = _parse_env(env)
        if not src.path.is_file():
            raise FontNotFound(f"环境变量 {ENV_FONT} 指定的字体文件不存在：{src.path}。" + INSTALL_HINT)
        return FontSource(src.path, src.index if src.index >= 0 else _pick_face(src.path))
    for path in candidate_paths():
        if path.is_file():
            return FontSource(path, _pick_face(path))
    found = _fc_match()
    if found is not None:
        return FontSource(found, _pick_face(found))
    raise FontNotFound(INSTALL_HINT)


def cache_dir() -> Path:
    """Where converted fonts are kept: ``$PERFWATCH_CACHE_DIR``, else the user's cache directory."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser()
    if platform.system() == "Windows" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "perfwatch" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "perfwatch"


def _is_truetype(src: FontSource) -> bool:
    from fontTools.ttLib import TTFont

    font = TTFont(str(src.path), fontNumber=src.index, lazy=True)
    try:
        return "glyf" in font
    finally:
        font.close()


def _convert_to_truetype(src: FontSource, out: Path) -> None:
    """Write one face of ``src`` as a TrueType-outline font holding the ``_RANGES`` characters."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(src.path), fontNumber=src.index)
    opts = subset.Options()
    opts.layout_features = []
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    opts.hinting = False
    opts.desubroutinize = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[u for lo, hi in _RANGES for u in range(lo, hi + 1)])
    sub.subset(font)

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # 1 font unit of tolerance; CFF contours run the other way round from TrueType ones.
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    for tag in ("CFF ", "CFF2", "VORG", "VVAR"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: CID-keyed fonts have none worth keeping
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".ttf", dir=out.parent)
    os.close(fd)
    try:
        font.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)  # atomic: a concurrent run sees the old file or the whole new one
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _cache_name(src: FontSource) -> str:
    stat = src.path.stat()
    key = f"{src.path.resolve()}|{src.index}|{stat.st_size}|{int(stat.st_mtime)}|{_CONVERTER_VERSION}"
    return f"{src.path.stem}-{src.index}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.ttf"


def pdf_font(source: FontSource | None = None) -> PdfFont:
    """The font file to embed in PDFs, converting (once, cached) a CFF face to TrueType.

    Raises :class:`FontNotFound` when the machine has no CJK font at all. When conversion fails
    (an unusual font), the original face is returned: PDFs still look right, only some text
    extractors cannot read them back.
    """
    src = source or find_cjk_font()
    try:
        if _is_truetype(src):
            return PdfFont(src.path, src.index, True)
    except Exception as exc:
        raise FontNotFound(f"字体文件 {src.path} 无法读取（{exc}）。" + INSTALL_HINT) from exc
    target = cache_dir() / "fonts" / _cache_name(src)
    if target.is_file():
        return PdfFont(target, 0, True)
    try:
        _convert_to_truetype(src, target)
    except Exception:  # noqa: BLE001 - fall back to embedding the CFF face as is
        return PdfFont(src.path, src.index, False)
    return PdfFont(target, 0, True)
