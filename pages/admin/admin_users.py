"""用户管理: list accounts, add, reset password, disable/enable, change role, assign projects,
and the sign-in settings. Every change goes through perfwatch.auth (authorised and audited)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perfwatch import auth, pageviews, web
from perfwatch.store import ROLE_LABELS, PermissionDenied, ValidationError, permission_table, set_setting
from perfwatch.textsafe import md

actor = web.require_role("admin")
conn = web.frame_connection()
st.title("用户管理")

ROLE_OPTIONS = list(auth.ROLES)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def attempt(action, success: str) -> None:  # type: ignore[no-untyped-def]
    """Run a write; show its Chinese refusal, or remember the success for after the rerun."""
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        st.error(md(exc))
    else:
        web.after_write()
        st.session_state["admin_users_done"] = success
        st.rerun()


done = st.session_state.pop("admin_users_done", None)
if done:
    st.success(md(done))

users = auth.list_users(conn)
table = pd.DataFrame(
    [
        {
            "用户名": u["username"],
            "姓名": u["display_name"] or "",
            "角色": role_label(str(u["role"])),
            "状态": "已停用" if u["disabled"] else "启用",
            "负责项目": "、".join(u["project_codes"]),  # type: ignore[arg-type]
            "统一认证邮箱": u["oidc_email"] or "",
            "创建时间": u["created_at"],
        }
        for u in users
    ]
)
web.dataframe(table, hide_index=True, width="stretch")
with st.expander("角色与权限（每项操作由哪些角色执行）"):
    web.dataframe(pd.DataFrame(permission_table()), hide_index=True, width="stretch")
    st.caption("项目负责人只能对分配给自己的项目填报、提交和上传佐证材料；领导只能查看。")

names = [str(u["username"]) for u in users]
project_label = pageviews.project_labels(conn)

t_add, t_reset, t_state, t_edit, t_assign, t_settings = st.tabs(
    ["添加用户", "重置密码", "停用/启用", "修改角色与信息", "分配项目", "登录设置"]
)

with t_add:
    with st.form("add_user", clear_on_submit=False):
        username = st.text_input("用户名", max_chars=auth.USERNAME_MAX_LENGTH, key="add_username")
        display_name = st.text_input("姓名", max_chars=auth.DISPLAY_NAME_MAX_LENGTH, key="add_display_name")
        role = st.selectbox("角色", ROLE_OPTIONS, format_func=role_label, key="add_role")
        codes = st.multiselect("负责项目（仅项目负责人）", list(project_label), format_func=project_label.get,
                               key="add_projects", placeholder="请选择")
        email = st.text_input("统一身份认证邮箱（可选）", key="add_email")
        password = st.text_input(f"初始密码（至少 {auth.PASSWORD_MIN_LENGTH} 个字符）", type="password",
                                 key="add_password")
        go = st.form_submit_button("添加", type="primary")
    if go:
        attempt(
            lambda: auth.create_user(conn, actor, username, role, password, display_name or None,
                                     codes if role == "owner" else (), oidc_email=email or None),
            f"已添加用户 {username.strip()}。",
        )

with t_reset:
    with st.form("reset_password"):
        who = st.selectbox("用户", names, key="reset_who")
        pw1 = st.text_input("新密码", type="password")
        pw2 = st.text_input("再次输入新密码", type="password")
        go = st.form_submit_button("重置密码")
    if go:
        if pw1 != pw2:
            st.error("两次输入的密码不一致。")
        elif who:
            attempt(lambda: auth.reset_password(conn, actor, who, pw1), f"已重置 {who} 的密码。")

with t_state:
    who = st.selectbox("用户", names, key="state_who")
    current = next((u for u in users if u["username"] == who), None)
    if current is not None:
        if current["disabled"]:
            if st.button("启用该账号"):
                attempt(lambda: auth.disable_user(conn, actor, who, disabled=False), f"已启用 {who}。")
        elif st.button("停用该账号", type="primary"):
            attempt(lambda: auth.disable_user(conn, actor, who), f"已停用 {who}，其登录会话将在下次操作时结束。")

with t_edit:
    who = st.selectbox("用户", names, key="edit_who")
    current = next((u for u in users if u["username"] == who), None)
    if current is not None:
        with st.form("edit_user"):
            new_role = st.selectbox("角色", ROLE_OPTIONS, index=ROLE_OPTIONS.index(str(current["role"])),
                                    format_func=role_label)
            new_name = st.text_input("姓名", value=str(current["display_name"] or ""), max_chars=auth.DISPLAY_NAME_MAX_LENGTH)
            new_email = st.text_input("统一身份认证邮箱", value=str(current["oidc_email"] or ""))
            go = st.form_submit_button("保存")
        if go:
            attempt(lambda: auth.update_user(conn, actor, who, role=new_role, display_name=new_name, oidc_email=new_email),
                    f"已更新 {who}。")

with t_assign:
    owners = [str(u["username"]) for u in users if u["role"] == "owner"]
    if not owners:
        st.info("还没有项目负责人账号。")
    else:
        who = st.selectbox("项目负责人", owners, key="assign_who")
        current_codes = [c for c in auth.project_codes_of(conn, who) if c in project_label]
        with st.form("assign"):
            codes = st.multiselect("负责的项目", list(project_label), default=current_codes, format_func=project_label.get, placeholder="请选择")
            go = st.form_submit_button("保存分配")
        if go:
            attempt(lambda: auth.assign_projects(conn, actor, who, codes), f"已更新 {who} 负责的项目。")

with t_settings:
    timeout_now = int(auth.idle_timeout(conn).total_seconds() // 60)
    public_now = auth.public_screen_enabled(conn)
    with st.form("auth_settings"):
        minutes = st.number_input("无操作自动退出（分钟）", min_value=5, max_value=24 * 60, value=timeout_now, step=5)
        public = st.checkbox("会议屏幕：允许不登录只读查看标记为公开的页面", value=public_now)
        go = st.form_submit_button("保存设置")
    if go:
        def save() -> None:
            if int(minutes) != timeout_now:
                set_setting(conn, actor, auth.SETTING_IDLE_TIMEOUT, int(minutes))
            if bool(public) != public_now:
                set_setting(conn, actor, auth.SETTING_PUBLIC_SCREEN, bool(public))
        attempt(save, "已保存登录设置。")
