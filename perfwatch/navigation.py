"""The page registry: which pages exist, their section and which roles see them.

``dashboard.py`` builds ``st.navigation`` from :func:`pages_for`. Pure data, no streamlit.
Roles: leader 领导, finance 财务, owner 项目负责人, admin 管理员 (see perfwatch.store.ROLE_LABELS).
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES: frozenset[str] = frozenset({"leader", "finance", "owner", "admin"})


@dataclass(frozen=True)
class PageSpec:
    path: str            # relative to the repository root, e.g. "pages/targets.py"
    title: str           # Chinese title in the menu
    icon: str
    section: str         # menu group
    roles: frozenset[str] = ALL_ROLES
    default: bool = False
    url_path: str | None = None


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/targets.py", "项目与绩效目标", "📋", "绩效目标", default=True, url_path="targets"),
)

SECTION_ORDER: tuple[str, ...] = ("监控看板", "数据填报", "绩效目标", "会议与报告", "系统管理")


def pages_for(role: str | None) -> dict[str, list[PageSpec]]:
    """Pages a role may open, grouped by section in menu order. ``None`` = every page."""
    visible = [p for p in PAGES if role is None or role in p.roles]
    if visible and not any(p.default for p in visible):
        first = visible[0]
        visible[0] = PageSpec(first.path, first.title, first.icon, first.section, first.roles, True, first.url_path)
    groups: dict[str, list[PageSpec]] = {}
    for section in SECTION_ORDER + tuple(sorted({p.section for p in visible} - set(SECTION_ORDER))):
        items = [p for p in visible if p.section == section]
        if items:
            groups[section] = items
    return groups
