"""Accounts, sign-in and owners' project assignments (no streamlit here).

Passwords are kept only as argon2id hashes. Every account change goes through
:func:`perfwatch.store.transaction` (actions ``user.manage`` / ``assignment.manage``), so it is
authorised on the server and audited; audit values never contain a password or a hash.

Sign-in failures are rate-limited three ways, each with exponential back-off: per user name and
client address (:data:`MAX_FAILURES` failures), per user name from any address
(:data:`MAX_FAILURES_PER_USER`) and per address for any name (:data:`MAX_FAILURES_PER_CLIENT`).
Past a limit the next attempt must wait ``BACKOFF_BASE × 2^(failures − limit)`` after the last
failure (at most :data:`BACKOFF_MAX`). So one address cannot try 200 names × 5 passwords, and a
stranger cannot lock an owner out with five wrong passwords from their own machine. Attempts are
stored in ``login_attempts`` (the limit holds across sessions and restarts) and pruned after
:data:`LOCKOUT_WINDOW`. Messages never say whether an account exists.

User names are compared by :func:`username_key` (NFKC + case folding), so ``Ａｄｍｉｎ1`` cannot be
created next to ``admin1``; hashing, the password policy and the name rules are in :mod:`perfwatch.passwords`.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from perfwatch import db
from perfwatch.passwords import (  # noqa: F401  (re-exported: callers use auth.check_password etc.)
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    USERNAME_MAX_LENGTH,
    _burn_time,
    _has_control_chars,
    check_password,
    clean_username,
    common_passwords,
    hash_password,
    username_key,
    verify_password,
)
from perfwatch.store import (
    ROLE_LABELS,
    SYSTEM,
    Actor,
    PermissionDenied,
    ValidationError,
    authorize,
    to_json,
    transaction,
)

ROLES: tuple[str, ...] = ("leader", "finance", "owner", "admin")

MAX_FAILURES = 5                      # per (user name, address)
MAX_FAILURES_PER_USER = 20            # per user name, from any address
MAX_FAILURES_PER_CLIENT = 20          # per address, for any user name
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(minutes=60)
LOCKOUT_WINDOW = dt.timedelta(hours=24)   # attempts older than this are forgotten (pruned)
DISPLAY_NAME_MAX_LENGTH = 100

# Settings (table ``settings``, JSON values) this module reads.
SETTING_IDLE_TIMEOUT = "session_idle_timeout_minutes"
DEFAULT_IDLE_TIMEOUT_MINUTES = 30
SETTING_PUBLIC_SCREEN = "public_meeting_screen"

WRONG_CREDENTIALS = "用户名或密码不正确。"
NOT_MAPPED = "该统一身份认证账号未在本系统开通或已停用，请联系管理员。"


class AuthError(Exception):
    """Sign-in refused (message in Chinese; it does not reveal whether the account exists)."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str | None
    role: str
    password_hash: str | None
    oidc_email: str | None
    disabled: bool

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username


# ---------------------------------------------------------------- names, e-mails and roles (passwords: perfwatch.passwords)


def _clean_display_name(display_name: str | None) -> str | None:
    if display_name is None:
        return None
    name = display_name.strip()
    if not name:
        return None
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(f"姓名不能超过 {DISPLAY_NAME_MAX_LENGTH} 个字符。")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise ValidationError("姓名不能包含控制字符（如换行、制表符）。")
    return name


def _clean_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    value = email.strip()
    if len(value) > 254 or "@" not in value or any(ch.isspace() for ch in value) or _has_control_chars(value):
        raise ValidationError(f"统一身份认证邮箱格式不正确：{value[:60]}")
    return value


def _check_role(role: str) -> str:
    if role not in ROLES:
        labels = "、".join(f"{r}（{ROLE_LABELS[r]}）" for r in ROLES)
        raise ValidationError(f"角色须为 {labels} 之一，收到：{role}")
    return role


# ---------------------------------------------------------------- reading accounts


def has_users(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether any account exists (enabled or not)."""
    return bool(db.query(conn, "auth/count_users")[0][0])


def get_user(conn: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The account named ``username``: exact name first, else the same :func:`username_key`; or None."""
    rows = db.query(conn, "auth/user_by_name", {"username": username.strip()})
    if not rows and username.strip():
        rows = db.query(conn, "auth/user_by_key", {"key": username_key(username)})
    return None if not rows else _user(rows[0])


def fill_username_keys(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Give every account without one its :func:`username_key` (after migration 0007); return the
    names of look-alike accounts that could not get their plain key (they keep signing in by their
    exact name; their key gets ``#id``)."""
    cur = conn.cursor()
    clashes: list[str] = []
    try:
        rows = cur.execute(db.load_query("auth/users_without_key")).fetchall()
        if not rows:
            return clashes
        cur.begin()
        taken = {r[0] for r in cur.execute("SELECT username_key FROM users WHERE username_key IS NOT NULL").fetchall()}
        for uid, name in rows:
            key = username_key(str(name))
            if key in taken:
                clashes.append(str(name))
                key = f"{key}#{uid}"
            taken.add(key)
            cur.execute(db.load_query("auth/set_username_key"), {"id": uid, "key": key})
        cur.commit()
    except BaseException:
        db.rollback_quietly(cur)
        raise
    finally:
        cur.close()
    return clashes


def _user(row: Sequence[Any]) -> User:
    uid, username, display_name, role, password_hash, oidc_email, disabled = row
    return User(int(uid), str(username), display_name, str(role), password_hash, oidc_email, bool(disabled))


def list_users(conn: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Every account (no hashes) with its assigned project codes."""
    cols = ("id", "username", "display_name", "role", "oidc_email", "disabled", "created_at", "project_codes", "has_password")
    out = []
    for row in db.query(conn, "auth/users"):
        rec = dict(zip(cols, row, strict=False))
        rec["project_codes"] = [c for c in str(rec["project_codes"] or "").split(",") if c]
        out.append(rec)
    return out


def project_codes_of(conn: duckdb.DuckDBPyConnection, username: str) -> list[str]:
    """Codes of the projects assigned to ``username``."""
    user = get_user(conn, username)
    if user is None:
        return []
    return [r[0] for r in db.query(conn, "auth/user_project_codes", {"user_id": user.id})]


def _actor(conn: duckdb.DuckDBPyConnection, user: User) -> Actor:
    project_ids: frozenset[int] | None = None
    if user.role == "owner":
        project_ids = frozenset(int(r[0]) for r in db.query(conn, "auth/user_project_ids", {"user_id": user.id}))
    return Actor(user.username, user.role, project_ids)


def actor_for(conn: duckdb.DuckDBPyConnection, username: str) -> Actor | None:
    """The Actor of an enabled account, with an owner's project ids from ``user_projects``.

    None when the account does not exist or is disabled (a session holding it must end).
    """
    user = get_user(conn, username)
    if user is None or user.disabled:
        return None
    return _actor(conn, user)


def display_name_of(conn: duckdb.DuckDBPyConnection, username: str) -> str:
    user = get_user(conn, username)
    return username if user is None else user.shown_name


def get_setting(conn: duckdb.DuckDBPyConnection, key: str, default: object) -> object:
    """A setting's value (decoded JSON), or ``default`` when it is not set or unreadable."""
    rows = db.query(conn, "store/get_setting", {"key": key})
    if not rows:
        return default
    try:
        return json.loads(rows[0][0])
    except (TypeError, ValueError):
        return default


def idle_timeout(conn: duckdb.DuckDBPyConnection) -> dt.timedelta:
    """The idle time after which a session is signed out (setting, default 30 minutes)."""
    value = get_setting(conn, SETTING_IDLE_TIMEOUT, DEFAULT_IDLE_TIMEOUT_MINUTES)
    try:
        minutes = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        minutes = DEFAULT_IDLE_TIMEOUT_MINUTES
    if not minutes > 0:
        minutes = DEFAULT_IDLE_TIMEOUT_MINUTES
    return dt.timedelta(minutes=min(minutes, 24 * 60))


def session_expired(last_seen: dt.datetime | None, now: dt.datetime, timeout: dt.timedelta) -> bool:
    """Whether a session last active at ``last_seen`` has been idle longer than ``timeout``."""
    return last_seen is not None and now - last_seen > timeout


def public_screen_enabled(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether visitors may see the pages flagged public without signing in (default off)."""
    return get_setting(conn, SETTING_PUBLIC_SCREEN, False) is True


# ---------------------------------------------------------------- sign-in


def _record_attempt(
    conn: duckdb.DuckDBPyConnection, username: str, now: dt.datetime, outcome: str, client: str | None = None
) -> None:
    # Sign-in bookkeeping is the system acting; it is kept in login_attempts, not in audit_log.
    # Attempts older than the window are forgotten here, so the table does not grow without end.
    with transaction(conn, SYSTEM, "user.manage") as tx:
        tx.run("auth/prune_login_attempts", {"before": now - LOCKOUT_WINDOW})
        tx.run(
            "auth/insert_login_attempt",
            {"username": username[:200], "client": _client(client), "at": now, "ok": outcome == "ok",
             "outcome": outcome},
        )


def _client(client: object) -> str | None:
    """The address as stored: a non-empty text, else None (e.g. Streamlit's test harness gives a mock)."""
    return client[:100] if isinstance(client, str) and client else None


def backoff(failures: int, limit: int) -> dt.timedelta | None:
    """How long to wait after the last failure, with ``failures`` against ``limit``; None = no wait."""
    if failures < limit:
        return None
    return min(BACKOFF_MAX, BACKOFF_BASE * (2 ** min(failures - limit, 20)))


def locked_until(
    conn: duckdb.DuckDBPyConnection, username: str, now: dt.datetime, client: str | None = None
) -> dt.datetime | None:
    """When ``username`` (from ``client``) may try again, or None if it may try now."""
    rows = db.query(conn, "auth/failures_by",
                    {"username": username[:200], "client": _client(client), "since": now - LOCKOUT_WINDOW})
    until: dt.datetime | None = None
    for scope, limit in (("pair", MAX_FAILURES), ("user", MAX_FAILURES_PER_USER), ("client", MAX_FAILURES_PER_CLIENT)):
        times = [r[1] for r in rows if r[0] == scope]
        wait = backoff(len(times), limit)
        if wait is not None:
            end = times[-1] + wait
            if end > now and (until is None or end > until):
                until = end
    return until


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return (
        f"登录失败次数过多，请在 {until:%H:%M} 之后（约 {minutes} 分钟后）再试；"
        "继续尝试错误密码，等待时间会加倍。忘记密码请联系管理员重置。"
    )


def authenticate(
    conn: duckdb.DuckDBPyConnection, username: str, password: str, now: dt.datetime | None = None,
    *, client: str | None = None,
) -> Actor:
    """The Actor for a correct username and password; otherwise :class:`AuthError`.

    ``client`` is the address the attempt came from (None from the command line). Refused while
    held back (even with the right password). Every attempt is recorded.
    """
    now = now or dt.datetime.now()
    name = (username or "").strip()[:200]
    until = locked_until(conn, name, now, client)
    if until is not None:
        _record_attempt(conn, name, now, "locked", client)
        raise AuthError(_locked_message(until, now))
    user = get_user(conn, name) if name else None
    if user is None:
        _burn_time(password or "")
        _record_attempt(conn, name, now, "unknown_user", client)
        raise AuthError(WRONG_CREDENTIALS)
    if not verify_password(user.password_hash, password or ""):
        _record_attempt(conn, name, now, "bad_password", client)
        raise AuthError(WRONG_CREDENTIALS)
    if user.disabled:
        _record_attempt(conn, name, now, "disabled", client)
        raise AuthError("该账号已停用，请联系管理员。")
    _record_attempt(conn, name, now, "ok", client)
    return _actor(conn, user)


def authenticate_oidc(conn: duckdb.DuckDBPyConnection, email: str | None, now: dt.datetime | None = None) -> Actor:
    """The Actor of the enabled local account mapped to a single-sign-on e-mail."""
    now = now or dt.datetime.now()
    key = f"oidc:{(email or '').strip().lower()}"[:200]
    if not email or not email.strip():
        raise AuthError(NOT_MAPPED)
    rows = db.query(conn, "auth/user_by_email", {"email": email.strip()})
    if not rows or rows[0][2]:
        _record_attempt(conn, key, now, "unknown_email")
        raise AuthError(NOT_MAPPED)
    user = get_user(conn, str(rows[0][1]))
    assert user is not None
    _record_attempt(conn, key, now, "ok")
    return _actor(conn, user)


# ---------------------------------------------------------------- account management (admin)


def _require_user(tx_or_conn: object, username: str) -> User:
    rows = (
        tx_or_conn.run("auth/user_by_name", {"username": username})
        if hasattr(tx_or_conn, "run")
        else db.query(tx_or_conn, "auth/user_by_name", {"username": username})  # type: ignore[arg-type]
    )
    if not rows and username.strip():
        rows = (
            tx_or_conn.run("auth/user_by_key", {"key": username_key(username)})
            if hasattr(tx_or_conn, "run")
            else db.query(tx_or_conn, "auth/user_by_key", {"key": username_key(username)})  # type: ignore[arg-type]
        )
    if not rows:
        raise ValidationError(f"用户 {username} 不存在。")
    return _user(rows[0])


def _project_ids_for_codes(tx: object, codes: Iterable[str]) -> tuple[list[str], set[int]]:
    clean: list[str] = []
    for code in codes:
        c = str(code).strip()
        if c and c not in clean:
            clean.append(c)
    ids: set[int] = set()
    unknown = []
    for c in clean:
        rows = tx.run("auth/projects_by_code", {"code": c})  # type: ignore[attr-defined]
        if not rows:
            unknown.append(c)
        ids.update(int(r[0]) for r in rows)
    if unknown:
        raise ValidationError(f"以下项目编码不存在：{'、'.join(unknown)}")
    return clean, ids


def _check_email_free(tx: object, email: str | None, user_id: int) -> None:
    if email is None:
        return
    taken = tx.run("auth/email_taken", {"email": email, "id": user_id})  # type: ignore[attr-defined]
    if taken:
        raise ValidationError(f"统一身份认证邮箱 {email} 已被用户 {taken[0][0]} 使用。")


def _public(user: User, codes: Sequence[str] | None = None) -> dict[str, object]:
    """What the audit log may hold about an account (never the password or its hash)."""
    rec: dict[str, object] = {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "oidc_email": user.oidc_email,
        "disabled": user.disabled,
    }
    if codes is not None:
        rec["projects"] = list(codes)
    return rec


def create_user(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    username: str,
    role: str,
    password: str | None,
    display_name: str | None = None,
    project_codes: Iterable[str] = (),
    *,
    oidc_email: str | None = None,
) -> int:
    """Create an account (admin only); return its id.

    ``password`` None creates a single-sign-on-only account (``oidc_email`` required then).
    Project codes are assigned for owners; for other roles they are refused.
    """
    authorize(actor, "user.manage")
    name = clean_username(username)
    _check_role(role)
    shown = _clean_display_name(display_name)
    email = _clean_email(oidc_email)
    if password is None:
        if email is None:
            raise ValidationError("没有密码的账号必须填写统一身份认证邮箱。")
        password_hash = None
    else:
        check_password(password, name)
        password_hash = hash_password(password)
    codes_in = [c for c in project_codes if str(c).strip()]
    if codes_in and role != "owner":
        raise ValidationError("只有项目负责人需要分配项目。")
    key = username_key(name)
    try:
        with transaction(conn, actor, "user.manage") as tx:
            _check_name_free(tx, name, key)
            _check_email_free(tx, email, -1)
            codes, ids = _project_ids_for_codes(tx, codes_in)
            row = tx.one(
                "auth/insert_user",
                {"username": name, "username_key": key, "display_name": shown, "role": role,
                 "password_hash": password_hash, "oidc_email": email},
            )
            assert row is not None
            user_id = int(row[0])
            for pid in sorted(ids):
                tx.run("auth/insert_user_project", {"user_id": user_id, "project_id": pid})
            user = User(user_id, name, shown, role, None, email, False)
            tx.audit("users", user_id, None, _public(user, codes if role == "owner" else None), "user.create")
            return user_id
    except duckdb.Error as exc:
        # Two admins creating the same name at once: the second commit meets the first one's row.
        if get_user(conn, name) is not None:
            raise ValidationError(f"用户名 {name} 已存在（刚被另一位管理员创建）。未重复创建。") from exc
        raise ValidationError("创建账号时与另一项同时进行的修改冲突，未创建。请重试。") from exc


def _check_name_free(tx: object, name: str, key: str) -> None:
    rows = tx.run("auth/user_by_name", {"username": name}) or tx.run("auth/user_by_key", {"key": key})  # type: ignore[attr-defined]
    if rows:
        other = str(rows[0][1])
        if other == name:
            raise ValidationError(f"用户名 {name} 已存在。")
        raise ValidationError(f"用户名 {name} 与已有账号 {other} 相同（不区分大小写、全角/半角）。请换一个用户名。")


def create_first_admin(
    conn: duckdb.DuckDBPyConnection, username: str, password: str, display_name: str | None = None
) -> Actor:
    """Create the first administrator; allowed only while the database has no accounts at all."""
    name = clean_username(username)
    shown = _clean_display_name(display_name)
    check_password(password, name)
    password_hash = hash_password(password)
    refused = "系统中已有账号，不能再创建初始管理员。请由管理员在“用户管理”中添加账号。"
    try:
        with transaction(conn, SYSTEM, "user.manage") as tx:
            if tx.one("auth/count_users")[0]:  # type: ignore[index]
                raise PermissionDenied(refused)
            # The claim row has a fixed primary key: of any number of simultaneous first starts, exactly
            # one transaction can insert it; the others fail (duplicate key or write conflict).
            tx.run("auth/claim_first_admin", {"value": to_json({"username": name})})
            row = tx.one(
                "auth/insert_user",
                {"username": name, "username_key": username_key(name), "display_name": shown, "role": "admin",
                 "password_hash": password_hash, "oidc_email": None},
            )
            assert row is not None
            user = User(int(row[0]), name, shown, "admin", None, None, False)
            tx.audit("users", user.id, None, {**_public(user), "created_via": "first_start"}, "user.create_first_admin")
    except duckdb.Error as exc:
        raise PermissionDenied(refused) from exc
    return Actor(name, "admin")


def reset_password(conn: duckdb.DuckDBPyConnection, actor: Actor, username: str, password: str) -> None:
    """Set a new password (admin only). The audit row says that it changed, not what to."""
    authorize(actor, "user.manage")
    check_password(password, username)
    password_hash = hash_password(password)
    with transaction(conn, actor, "user.manage") as tx:
        user = _require_user(tx, username.strip())
        tx.run("auth/update_password", {"id": user.id, "password_hash": password_hash})
        tx.audit("users", user.id, {"username": user.username, "password": "（旧密码）"},
                 {"username": user.username, "password": "（已重置）"}, "user.reset_password")


def _check_not_last_admin(tx: object, user: User, what: str) -> None:
    if user.role != "admin" or user.disabled:
        return
    admins = tx.run("auth/enabled_admins")  # type: ignore[attr-defined]
    if [r for r in admins if int(r[0]) != user.id]:
        return
    raise ValidationError(f"{user.username} 是唯一启用的管理员，不能{what}。请先添加另一个管理员。")


def disable_user(conn: duckdb.DuckDBPyConnection, actor: Actor, username: str, disabled: bool = True) -> None:
    """Disable (or with ``disabled=False`` re-enable) an account (admin only).

    Its open sessions end on their next page load. The last enabled admin cannot be disabled.
    """
    authorize(actor, "user.manage")
    with transaction(conn, actor, "user.manage") as tx:
        user = _require_user(tx, username.strip())
        if user.disabled == disabled:
            return
        if disabled:
            _check_not_last_admin(tx, user, "停用")
        tx.run("auth/update_disabled", {"id": user.id, "disabled": disabled})
        tx.audit("users", user.id, {"username": user.username, "disabled": user.disabled},
                 {"username": user.username, "disabled": disabled}, "user.disable" if disabled else "user.enable")


def update_user(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    username: str,
    *,
    role: str | None = None,
    display_name: str | None = None,
    oidc_email: str | None = None,
) -> None:
    """Change role, display name and single-sign-on e-mail (admin only; None keeps a field;
    an empty string clears the name or e-mail). Leaving the owner role drops the assignments."""
    authorize(actor, "user.manage")
    with transaction(conn, actor, "user.manage") as tx:
        user = _require_user(tx, username.strip())
        new_role = user.role if role is None else _check_role(role)
        new_name = user.display_name if display_name is None else _clean_display_name(display_name)
        new_email = user.oidc_email if oidc_email is None else _clean_email(oidc_email)
        if new_role != "admin":
            _check_not_last_admin(tx, user, "改为其他角色")
        if new_email != user.oidc_email:
            _check_email_free(tx, new_email, user.id)
        if new_email is None and user.password_hash is None:
            raise ValidationError("该账号没有密码，不能清除统一身份认证邮箱。请先重置密码。")
        after = User(user.id, user.username, new_name, new_role, None, new_email, user.disabled)
        if _public(after) == _public(user):
            return
        tx.run("auth/update_user", {"id": user.id, "role": new_role, "display_name": new_name, "oidc_email": new_email})
        if new_role != "owner":
            for (pid,) in tx.run("auth/user_project_ids", {"user_id": user.id}):
                tx.run("auth/delete_user_project", {"user_id": user.id, "project_id": pid})
        tx.audit("users", user.id, _public(user), _public(after), "user.update")


def assign_projects(conn: duckdb.DuckDBPyConnection, actor: Actor, username: str, project_codes: Iterable[str]) -> None:
    """Make ``project_codes`` (every project with such a code, any year) the owner's projects."""
    authorize(actor, "assignment.manage")
    codes_in = list(project_codes)
    with transaction(conn, actor, "assignment.manage") as tx:
        user = _require_user(tx, username.strip())
        if user.role != "owner":
            raise ValidationError(f"{user.username} 不是项目负责人，不能分配项目。")
        codes, wanted = _project_ids_for_codes(tx, codes_in)
        old_codes = [r[0] for r in tx.run("auth/user_project_codes", {"user_id": user.id})]
        current = {int(r[0]) for r in tx.run("auth/user_project_ids", {"user_id": user.id})}
        if current == wanted:
            return
        # Only the difference is written: DuckDB checks keys eagerly, so delete + re-insert of
        # the same key in one transaction could be refused.
        for pid in sorted(current - wanted):
            tx.run("auth/delete_user_project", {"user_id": user.id, "project_id": pid})
        for pid in sorted(wanted - current):
            tx.run("auth/insert_user_project", {"user_id": user.id, "project_id": pid})
        tx.audit("user_projects", user.id, {"username": user.username, "projects": old_codes},
                 {"username": user.username, "projects": sorted(codes)})
