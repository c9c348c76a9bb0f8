"""The page registry: which pages exist, their section and which roles see them.

``dashboard.py`` builds ``st.navigation`` from :func:`pages_for`. Pure data, no streamlit.
Roles: leader 领导, finance 财务, owner 项目负责人, admin 管理员 (see perfwatch.store.ROLE_LABELS).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

ALL_ROLES: frozenset[str] = frozenset({"leader", "finance", "owner", "admin"})


@dataclass(frozen=True)
class PageSpec:
    path: str            # relative to the repository root, e.g. "pages/targets/targets.py"
    title: str           # Chinese title in the menu
    icon: str
    section: str         # menu group
    roles: frozenset[str] = ALL_ROLES
    default: bool = False
    url_path: str | None = None
    public: bool = False  # shown to anonymous visitors when the public meeting screen setting is on


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/monitor/overview.py", "总览", ":material/dashboard:", "监控看板", default=True, url_path="overview"),
    PageSpec("pages/monitor/spend.py", "支出进度", ":material/payments:", "监控看板", url_path="spend"),
    PageSpec("pages/monitor/indicators.py", "绩效指标", ":material/flag:", "监控看板", url_path="indicators"),
    PageSpec("pages/monitor/project.py", "项目详情", ":material/search:", "监控看板", url_path="project"),
    PageSpec("pages/monitor/departments.py", "部门汇总", ":material/account_balance:", "监控看板", url_path="departments"),
    PageSpec("pages/targets/targets.py", "项目与绩效目标", ":material/list_alt:", "绩效目标", url_path="targets"),
    PageSpec("pages/targets/import_targets.py", "目标导入", ":material/upload_file:", "绩效目标", roles=frozenset({"admin"}),
             url_path="import_targets"),
    PageSpec("pages/entry/entry_spend.py", "支出填报", ":material/edit_note:", "数据填报", roles=frozenset({"finance", "admin"}),
             url_path="entry_spend"),
    PageSpec("pages/entry/entry_results.py", "指标填报", ":material/rate_review:", "数据填报", roles=frozenset({"owner", "admin"}),
             url_path="entry_results"),
    PageSpec("pages/entry/project_report.py", "项目填报", ":material/assignment:", "数据填报",
             roles=frozenset({"owner", "finance", "admin"}), url_path="project_report"),
    PageSpec("pages/entry/completeness.py", "填报情况", ":material/fact_check:", "数据填报", url_path="completeness"),
    PageSpec("pages/meeting/meeting.py", "会议大屏", ":material/co_present:", "会议与报告", url_path="meeting", public=True),
    PageSpec("pages/meeting/reports.py", "报表导出", ":material/description:", "会议与报告", url_path="reports"),
    PageSpec("pages/admin/admin_users.py", "用户管理", ":material/group:", "系统管理", roles=frozenset({"admin"}), url_path="admin_users"),
    PageSpec("pages/admin/admin_audit.py", "操作日志", ":material/receipt_long:", "系统管理", roles=frozenset({"admin"}), url_path="admin_audit"),
    PageSpec("pages/admin/admin_rules.py", "判定规则", ":material/rule:", "系统管理", roles=frozenset({"admin"}),
             url_path="admin_rules"),
    PageSpec("pages/admin/admin_backup.py", "数据备份", ":material/backup:", "系统管理", roles=frozenset({"admin"}), url_path="admin_backup"),
)

SECTION_ORDER: tuple[str, ...] = ("监控看板", "数据填报", "绩效目标", "会议与报告", "系统管理")


# The sign-in page: the only page before sign-in (dashboard.py), never in the menu of a signed-in user.
LOGIN_PAGE = PageSpec("pages/account/login.py", "登录", ":material/login:", "账号", roles=frozenset(), url_path="login")


def pages_for(role: str | None, *, public_only: bool = False) -> dict[str, list[PageSpec]]:
    """Pages a role may open, grouped by section in menu order. ``None`` = every page.

    ``public_only`` keeps only pages flagged ``public`` (an anonymous meeting-screen visitor).
    """
    visible = [p for p in PAGES if (role is None or role in p.roles) and (p.public or not public_only)]
    if visible and not any(p.default for p in visible):
        visible[0] = replace(visible[0], default=True)
    groups: dict[str, list[PageSpec]] = {}
    for section in SECTION_ORDER + tuple(sorted({p.section for p in visible} - set(SECTION_ORDER))):
        items = [p for p in visible if p.section == section]
        if items:
            groups[section] = items
    return groups
