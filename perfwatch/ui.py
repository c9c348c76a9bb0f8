"""The only perfwatch module that imports streamlit: cached connection and query wrappers,
and the shared way pages report a database that cannot be opened.
"""

from __future__ import annotations

from typing import Any, Mapping

import duckdb
import pandas as pd
import streamlit as st

from perfwatch import dataset, db

QUERY_TTL_SECONDS = 60


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # One connection per database file, shared across sessions; every query takes its own cursor.
    # The demo database (示例数据) is opened read-only: nothing can ever be written into it.
    # Seeding an empty database is the frame's step (perfwatch.db never imports the dataset).
    return dataset.open_seeded(path, read_only=_is_demo_path(path))


def db_path() -> str:
    """The database file this session looks at: the demo file while 查看示例数据 is on and a
    dashboard page is running (see :func:`sidebar_context`), else the real one."""
    if demo_active():
        return demo_db_path()
    return real_db_path()


def connection() -> duckdb.DuckDBPyConnection:
    """The open database, or a clear message on the page and a stop (never a traceback).

    Also the sign-in guard of every page: see :func:`require_visitor`.
    """
    require_visitor()
    try:
        return _connection(db_path())
    except db.DatabaseError as exc:
        st.error(exc.message, icon="🚫")
        st.stop()
        raise  # unreachable; st.stop() raises


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _cached_df(path: str, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    return db.query_df(_connection(path), name, dict(params))


def df(name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """``queries/<name>.sql`` as a DataFrame, cached for a minute (cleared on every write)."""
    connection()
    return _cached_df(db_path(), name, tuple(sorted((params or {}).items())))


def after_write() -> None:
    """Forget cached query results once something was written."""
    _cached_df.clear()
    _cached_status.clear()
    _cached_last_data.clear()


# ---------------------------------------------------------------- sign-in and sessions (issue 8)
# The rules live in perfwatch.auth; this is only the Streamlit glue: the session's actor in
# st.session_state["actor"], the idle timeout, single sign-on through st.login, and the frame's
# sidebar. PERFWATCH_AUTH=off is for development and tests only (see dev_actor).

import datetime as dt  # noqa: E402  (this section's imports, kept with it)
import os  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from perfwatch import auth  # noqa: E402
from perfwatch.navigation import PageSpec, pages_for  # noqa: E402
from perfwatch.store import ROLE_LABELS, Actor  # noqa: E402

ENV_AUTH = "PERFWATCH_AUTH"
ENV_ROLE = "PERFWATCH_ROLE"
ENV_PROJECTS = "PERFWATCH_PROJECTS"
ACTOR_KEY = "actor"
_LAST_SEEN_KEY = "auth_last_seen"
_NOTICE_KEY = "auth_notice"
_OIDC_REFUSED_KEY = "auth_oidc_refused"
_PUBLIC_KEY = "auth_public_visitor"
PUBLIC_VISITOR = Actor("访客", "leader", frozenset())  # the meeting screen: read-only, public pages only
BACKUP_WARN_DAYS = 7

LOCKED_READ_ONLY_NOTE = (
    "说明：DuckDB 不允许在另一个程序以读写方式打开该文件时再以只读方式打开，"
    "因此现在也无法只读查看。对方关闭后刷新本页即可。"
)


def frame_connection() -> duckdb.DuckDBPyConnection:
    """Like :func:`connection`, for the frame: a locked file also says why read-only is impossible."""
    try:
        return _connection(real_db_path())  # accounts live in the real database, never the demo
    except db.DatabaseError as exc:
        text = exc.message + ("\n\n" + LOCKED_READ_ONLY_NOTE if exc.reason == "locked" else "")
        st.error(text, icon=":material/error:")
        st.stop()
        raise  # unreachable; st.stop() raises


def dev_actor(conn: duckdb.DuckDBPyConnection) -> Actor | None:
    """Development/test escape hatch: with ``PERFWATCH_AUTH=off`` and no accounts in the database,
    everyone is a local user of role ``PERFWATCH_ROLE`` (default admin; an owner gets the projects
    whose codes are in ``PERFWATCH_PROJECTS``, comma-separated). Once any account exists the
    variable is ignored and sign-in is required."""
    if os.environ.get(ENV_AUTH, "").strip().lower() != "off" or auth.has_users(conn):
        return None
    role = os.environ.get(ENV_ROLE, "admin").strip() or "admin"
    if role not in auth.ROLES:
        role = "leader"
    ids: frozenset[int] | None = None
    if role == "owner":
        codes = [c.strip() for c in os.environ.get(ENV_PROJECTS, "").split(",") if c.strip()]
        ids = frozenset(int(r[0]) for c in codes for r in db.query(conn, "auth/projects_by_code", {"code": c}))
    return Actor("本机用户", role, ids)


def oidc_configured() -> bool:
    """Whether single sign-on is set up (an [auth] section in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_email() -> str | None:
    try:
        if st.user.is_logged_in:
            email = st.user.get("email")
            return str(email) if email else ""
    except Exception:
        return None
    return None


def sign_in(actor: Actor) -> None:
    """Make ``actor`` this session's user."""
    st.session_state[ACTOR_KEY] = actor
    st.session_state[_LAST_SEEN_KEY] = dt.datetime.now()
    st.session_state.pop(_NOTICE_KEY, None)


def sign_out(notice: str | None = None) -> None:
    """Forget this session's user (and the single sign-on cookie, if any)."""
    for key in (ACTOR_KEY, _LAST_SEEN_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[_NOTICE_KEY] = notice
    if _oidc_email() is not None:
        st.session_state[_OIDC_REFUSED_KEY] = "signed_out"
        st.logout()


def take_notice() -> str | None:
    """A message for the sign-in page (e.g. the session timed out), shown once."""
    return st.session_state.pop(_NOTICE_KEY, None)


def oidc_refusal() -> str | None:
    """Why a single sign-on identity was not let in (for the sign-in page), if it was refused."""
    value = st.session_state.get(_OIDC_REFUSED_KEY)
    return None if value in (None, "signed_out") else str(value)


def _signed_in(conn: duckdb.DuckDBPyConnection) -> Actor | None:
    """The session's actor after the idle timeout and a fresh look at the account (disabled
    accounts and changed assignments take effect on the next page load)."""
    actor = st.session_state.get(ACTOR_KEY)
    now = dt.datetime.now()
    if actor is not None:
        if auth.session_expired(st.session_state.get(_LAST_SEEN_KEY), now, auth.idle_timeout(conn)):
            minutes = int(auth.idle_timeout(conn).total_seconds() // 60)
            sign_out(f"超过 {minutes} 分钟未操作，已自动退出登录，请重新登录。")
            return None
        fresh = auth.actor_for(conn, actor.username)
        if fresh is None:
            sign_out("该账号已被停用或删除，已退出登录。")
            return None
        st.session_state[ACTOR_KEY] = fresh
        st.session_state[_LAST_SEEN_KEY] = now
        return fresh
    email = _oidc_email()
    if email is not None and st.session_state.get(_OIDC_REFUSED_KEY) is None:
        try:
            fresh = auth.authenticate_oidc(conn, email, now)
        except auth.AuthError as exc:
            st.session_state[_OIDC_REFUSED_KEY] = str(exc)
            return None
        sign_in(fresh)
        return fresh
    return None


def frame_actor() -> tuple[Actor | None, str]:
    """Who is looking, for dashboard.py: (actor, mode), mode one of
    ``signed_in``, ``dev`` (PERFWATCH_AUTH=off), ``public`` (meeting screen, no sign-in), ``anonymous``."""
    conn = frame_connection()
    actor = _signed_in(conn)
    if actor is not None:
        return actor, "signed_in"
    actor = dev_actor(conn)
    if actor is not None:
        return actor, "dev"
    if auth.has_users(conn) and auth.public_screen_enabled(conn):
        st.session_state[_PUBLIC_KEY] = True
        return PUBLIC_VISITOR, "public"
    st.session_state.pop(_PUBLIC_KEY, None)
    return None, "anonymous"


def require_visitor() -> None:
    """Stop a page that runs without the frame having let this visitor in, or that is not one of
    the visitor's pages.

    Streamlit runs a page file directly, without dashboard.py, in every AppTest run of a page file,
    and -- had the pages lived in a folder named pages/ -- for a deep link (e.g. /targets) as the
    first request after the server starts; they live in app_pages/ for that reason. Pages reach the database only through
    :func:`connection`, which calls this, so none of them shows data to a visitor who is not signed
    in (or let in as the development actor or the public meeting screen), nor a page outside the
    visitor's role.
    """
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
    except Exception:
        ctx = None
    if ctx is None:  # bare Python, not a Streamlit run
        return
    actor: Actor | None = st.session_state.get(ACTOR_KEY)
    public_only = False
    if actor is None:
        conn = frame_connection()
        actor = dev_actor(conn)
        if actor is None and st.session_state.get(_PUBLIC_KEY) and auth.public_screen_enabled(conn):
            actor, public_only = PUBLIC_VISITOR, True
    if actor is None:
        st.error("请先登录。", icon=":material/lock:")
        st.stop()
    assert actor is not None
    if not _page_allowed(ctx, actor.role, public_only):
        st.error("您的角色无权访问此页面。", icon=":material/block:")
        st.stop()


def _page_allowed(ctx: Any, role: str, public_only: bool) -> bool:
    """Whether the running page is one of the role's pages (by Streamlit's page hash)."""
    from streamlit.util import calc_hash

    current = ctx.page_script_hash
    if current in ("", ctx.pages_manager.main_script_hash):
        return True  # the page is the app itself (AppTest.from_file on a page, or no frame at all)
    allowed = set()
    for specs in pages_for(role, public_only=public_only).values():
        for spec in specs:
            stem = Path(spec.path).stem
            allowed.update({calc_hash(spec.url_path or stem), calc_hash(stem)})
    return current in allowed


def current_actor() -> Actor | None:
    """The signed-in actor of this session (or the development actor), else None."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is not None:
        return actor
    return dev_actor(frame_connection())


def require_role(*roles: str) -> Actor:
    """The current actor if its role is one of ``roles``; otherwise a message and a stop.

    Pages call this as well as the frame hiding them: a page run on its own is still guarded
    (the write functions check again on the server).
    """
    actor = current_actor()
    if actor is None:
        st.error("请先登录。", icon=":material/lock:")
        st.stop()
    assert actor is not None
    if actor.role not in roles:
        st.error("您的角色无权访问此页面。", icon=":material/block:")
        st.stop()
    return actor


def nav_page(spec: PageSpec) -> Any:
    """The st.Page of a registry entry."""
    return st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec.default, url_path=spec.url_path)


def backup_status(conn: duckdb.DuckDBPyConnection) -> tuple[str, bool]:
    """A line about the last backup for admins, and whether it is a warning (none / too old)."""
    from perfwatch import backup

    last = backup.last_backup(conn)
    if last is None:
        return "尚无备份记录，请在“数据备份”页或用 python -m perfwatch backup 备份。", True
    at = last[0]
    age = dt.datetime.now() - at
    text = f"上次备份：{at:%Y-%m-%d %H:%M}（{'今天' if age.days <= 0 else f'{age.days} 天前'}）"
    if backup.backup_is_stale(at, dt.datetime.now()):
        return text + f"，已超过 {BACKUP_WARN_DAYS} 天，请尽快备份。", True
    return text, False


def user_box(actor: Actor, mode: str) -> None:
    """The sidebar block: who is signed in, the role, 退出登录; backup age for admins."""
    conn = frame_connection()
    with st.sidebar:
        if mode == "public":
            st.caption("会议屏幕模式：未登录，只读。")
            return
        name = auth.display_name_of(conn, actor.username) if mode == "signed_in" else actor.username
        st.markdown(f"**{_md_escape(name)}**　{ROLE_LABELS.get(actor.role, actor.role)}")
        if mode == "dev":
            st.caption(f"开发模式（{ENV_AUTH}=off）：未启用登录。")
        else:
            # A callback, so it takes effect before whichever script the rerun runs.
            st.button("退出登录", key="auth_sign_out", on_click=sign_out, args=("已退出登录。",))
        if actor.role == "admin":
            text, warn = backup_status(conn)
            (st.warning if warn else st.caption)(text)


def _md_escape(text: str) -> str:
    """User text inside markdown: escape the characters markdown would interpret."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)


# ---------------------------------------------------------------- dashboard pages (issue 5)
# The dashboard's shared sidebar (department, year, 截至日期, 查看示例数据), the engine's Status
# cached per database file and date, light badges and the demo banner. The demo database is a
# separate, read-only file (perfwatch.demo); it is only ever shown on the pages that call
# sidebar_context(), so data entry and admin pages always see the real database.

from dataclasses import dataclass as _dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from perfwatch import demo as _demo  # noqa: E402

DEMO_KEY = "pw_demo"
_DEMO_PAGES_KEY = "_pw_demo_pages"
_LIGHT_BADGE_COLORS = {"red": "red", "yellow": "yellow", "green": "green", "blue": "blue", "grey": "gray"}


@_dataclass(frozen=True)
class DashboardContext:
    """What the sidebar selected, for a dashboard page."""

    department_id: int
    department_code: str
    department_name: str
    fiscal_year: int
    as_of: dt.date
    demo: bool
    last_data_date: dt.date | None
    departments: pd.DataFrame  # every department-year of the database (departments.sql)

    @property
    def has_actuals(self) -> bool:
        return self.last_data_date is not None

    @property
    def year_departments(self) -> int:
        return int((self.departments["fiscal_year"] == self.fiscal_year).sum())


def real_db_path() -> str:
    """The real database file ($PERFWATCH_DB or data/perfwatch.duckdb), whatever the demo flag."""
    return str(db.resolve_db_path(None))


@st.cache_resource(show_spinner="正在准备示例数据……")
def _demo_database(path: str) -> str:
    return str(_demo.ensure_demo_db(Path(path)))


def demo_db_path() -> str:
    """The demo database file, built on first use."""
    return _demo_database(str(_demo.demo_db_path()))


def _is_demo_path(path: str) -> bool:
    return Path(path).resolve() == _demo.demo_db_path().resolve()


def _page_hash() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.page_script_hash


def demo_active() -> bool:
    """Whether this run shows the demo: the toggle is on and the running page is a dashboard page."""
    try:
        if not st.session_state.get(DEMO_KEY):
            return False
        return _page_hash() in st.session_state.get(_DEMO_PAGES_KEY, set())
    except Exception:  # outside a Streamlit run
        return False


def enable_demo() -> None:
    """Switch the session to the demo (callback of the 查看示例数据 button on an empty dashboard)."""
    st.session_state[DEMO_KEY] = True
    st.session_state[f"_keep_{DEMO_KEY}"] = True


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _cached_last_data(path: str, department_id: int) -> dt.date | None:
    from perfwatch import status as _status

    return _status.last_data_date(_connection(path), department_id)


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner="正在计算监控结果……")
def _cached_status(path: str, as_of: dt.date, department_id: int | None, fiscal_year: int | None) -> Any:
    from perfwatch import status as _status

    return _status.compute_status(_connection(path), as_of, department_id=department_id, fiscal_year=fiscal_year)


def status(ctx: DashboardContext, *, all_departments: bool = False) -> Any:
    """The engine's Status (perfwatch.status.compute_status) for the context, cached for a minute.

    ``all_departments``: every department of the context's fiscal year (部门汇总).
    """
    connection()
    if all_departments:
        return _cached_status(db_path(), ctx.as_of, None, ctx.fiscal_year)
    return _cached_status(db_path(), ctx.as_of, ctx.department_id, None)


def spend_series(ctx: DashboardContext, project_id: int | None = None) -> pd.DataFrame:
    """Monthly spend of the context's department (or one project), cached like :func:`df`."""
    params = {"year": ctx.fiscal_year, "project_id": project_id,
              "department_id": None if project_id is not None else ctx.department_id}
    return df("engine/spend_series", params)


def _persisted(key: str, options: list[Any]) -> None:
    """Keep a sidebar choice across pages: copy the stored value into the widget's key."""
    store_key = f"_keep_{key}"
    if store_key in st.session_state and st.session_state[store_key] in options:
        st.session_state[key] = st.session_state[store_key]
    elif key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def _remember(key: str) -> None:
    st.session_state[f"_keep_{key}"] = st.session_state.get(key)


def sidebar_context(title: str | None = None) -> DashboardContext:
    """The dashboard sidebar: 查看示例数据, year and department (when there is more than one) and the
    截至日期 (default: the last month-end with data). Shows the demo banner; stops the page with a
    message when the database holds no targets."""
    pages = st.session_state.setdefault(_DEMO_PAGES_KEY, set())
    page = _page_hash()
    if page is not None:
        pages.add(page)
    _persisted(DEMO_KEY, [True, False])
    with st.sidebar:
        st.toggle("查看示例数据", key=DEMO_KEY, on_change=_remember, args=(DEMO_KEY,),
                  help="示例数据保存在单独的数据库文件中，只读，与真实数据互不混合。")
    if title:
        st.title(title)
    demo_on = demo_active()
    if demo_on:
        st.warning(f"**{_demo.DEMO_BANNER}**（示例：截至 {_demo.DEMO_AS_OF:%Y-%m-%d}，巨鹿县司法局本级）。"
                   "关闭侧栏的“查看示例数据”即回到真实数据。", icon=":material/science:")
    depts = df("departments")
    if depts.empty:
        st.info("数据库中还没有绩效目标。请先在“绩效目标”中导入绩效目标表。", icon=":material/info:")
        st.stop()
    years = sorted({int(y) for y in depts["fiscal_year"]}, reverse=True)
    with st.sidebar:
        if len(years) > 1:
            _persisted("pw_year", years)
            year = st.selectbox("年度", years, key="pw_year", format_func=lambda y: f"{y} 年度",
                                on_change=_remember, args=("pw_year",))
        else:
            year = years[0]
        in_year = depts[depts["fiscal_year"] == year].reset_index(drop=True)
        ids = [int(i) for i in in_year["id"]]
        names = {int(r.id): f"{r.name}（{r.code}）" for r in in_year.itertuples()}
        if len(ids) > 1:
            _persisted("pw_department", ids)
            dept_id = st.selectbox("部门", ids, key="pw_department", format_func=names.__getitem__,
                                   on_change=_remember, args=("pw_department",))
        else:
            dept_id = ids[0]
        row = in_year[in_year["id"] == dept_id].iloc[0]
        last = _cached_last_data(db_path(), dept_id)
        from perfwatch import views as _views

        options = _views.month_ends(year)
        default = _views.default_as_of(last, year)
        key = f"pw_as_of_{'demo' if demo_on else 'real'}_{dept_id}"
        _persisted(key, options)
        as_of = st.selectbox(
            "截至日期", options, index=options.index(default), key=key, on_change=_remember, args=(key,),
            format_func=lambda d: f"{d:%Y-%m-%d}（{d.month}月底）",
            help="监控数据的截止日期。默认取最近一个有数据的月末。"
            + (f"最近数据：{last:%Y-%m-%d}。" if last else "尚无实际数据。"),
        )
        if len(ids) == 1 and len(years) == 1:
            st.caption(f"{row['name']}　{year} 年度")
    return DashboardContext(
        department_id=int(dept_id), department_code=str(row["code"]), department_name=str(row["name"]),
        fiscal_year=int(year), as_of=as_of, demo=demo_on, last_data_date=last, departments=depts,
    )


def no_actuals(ctx: DashboardContext, what: str = "监控数据") -> None:
    """The empty state: no actuals yet. Says so, points to data entry and offers the demo."""
    st.info(f"{ctx.department_name} {ctx.fiscal_year} 年度还没有填报任何实际支出或指标完成情况，暂无{what}可显示。"
            "请先在“数据填报”中录入每月支出和指标完成情况。", icon=":material/edit_note:")
    entry = Path(db.REPO_ROOT / "app_pages" / "entry_spend.py")
    if entry.exists():
        try:
            st.page_link("app_pages/entry_spend.py", label="去填报支出", icon=":material/edit:")
        except Exception:  # the page is not in this session's menu (e.g. a leader's)
            pass
    if not ctx.demo:
        st.button("先看看示例数据", icon=":material/science:", on_click=enable_demo,
                  help="切换到示例数据（巨鹿县司法局 2024 年，截至 7 月底），不会写入真实数据库。")


def light_badge(light: str, text: str | None = None, *, help: str | None = None) -> None:
    """A coloured label for a light with the rule behind it as tooltip (no HTML: user text is safe)."""
    from perfwatch.settings import LIGHT_LABELS, LIGHT_NAMES

    st.badge(text or LIGHT_NAMES.get(light, "—"), color=_LIGHT_BADGE_COLORS.get(light, "gray"),  # type: ignore[arg-type]
             help=help or LIGHT_LABELS.get(light))


def light_counts_row(counts: Mapping[str, int], label: str) -> None:
    """"label 红灯 3 黄灯 5 …" as badges (lights with a count only), the light's meaning as tooltip."""
    from perfwatch.settings import LIGHT_LABELS, LIGHT_NAMES

    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{label}**")
        for light in ("red", "yellow", "green", "blue", "grey"):
            if not counts.get(light):
                continue
            st.badge(f"{LIGHT_NAMES[light]} {int(counts.get(light, 0))}", color=_LIGHT_BADGE_COLORS[light],  # type: ignore[arg-type]
                     help=LIGHT_LABELS[light])


def _light_dot(light: str) -> str:
    """A small SVG dot in the light's colour, as a data URL for st.column_config.ImageColumn."""
    import base64

    from perfwatch.settings import LIGHT_COLORS

    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
           f'<circle cx="8" cy="8" r="7" fill="{LIGHT_COLORS.get(light, "#9e9e9e")}"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def light_dataframe(frame: pd.DataFrame, *, column_config: Mapping[str, Any] | None = None,
                    light_col: str = "light", show_col: str = "灯", **kwargs: Any) -> Any:
    """st.dataframe of a table with a light column: a dot in the light's exact colour before the
    ``show_col`` text (红灯/黄灯…), 2 decimals for numbers, machine columns hidden. Plain data (no
    Styler, no HTML): user text is shown as text, and large tables stay fast."""
    shown = frame.drop(columns=[c for c in (light_col, "project_code", "department_id") if c in frame.columns])
    config: dict[str, Any] = {}
    if light_col in frame.columns and show_col in shown.columns:
        at = list(shown.columns).index(show_col)
        shown.insert(at, "　", [_light_dot(str(l)) for l in frame[light_col]])
        config["　"] = st.column_config.ImageColumn("　", width=28)
        config[show_col] = st.column_config.TextColumn(show_col, width=60)
    for col in shown.columns:
        if col in config or not pd.api.types.is_float_dtype(shown[col]):
            continue
        config[col] = st.column_config.NumberColumn(format="%.1f" if col == "比值" else "%.2f")
    config.update(column_config or {})
    return st.dataframe(shown, column_config=config, hide_index=True, width="stretch", **kwargs)


# ---------------------------------------------------------------- shared page helpers


def pick_department(key: str) -> pd.Series:
    """The department-year the page works on: a selector when there is more than one, a message
    and a stop when there is none. Returns the row of queries/departments.sql."""
    depts = df("departments")
    if depts.empty:
        st.info("数据库中还没有部门和项目。请先导入绩效目标表。")
        st.stop()
    labels = [f"{r.code} {r.name}（{r.fiscal_year} 年度）" for r in depts.itertuples()]
    choice = st.selectbox("部门与年度", range(len(labels)), format_func=labels.__getitem__, key=key) \
        if len(labels) > 1 else 0
    return depts.iloc[choice]


def attempt(action: Any, *, passthrough: tuple[type[BaseException], ...] = ()) -> Any:
    """Run a write; show a refused one as a message (never a traceback). None if refused.

    Exceptions in ``passthrough`` propagate for the page to handle (e.g. a confirmation step).
    """
    from perfwatch import entry

    try:
        return action()
    except passthrough:
        raise
    except entry.USER_ERRORS as exc:
        st.error(entry.error_text(exc), icon=":material/warning:")
        return None
