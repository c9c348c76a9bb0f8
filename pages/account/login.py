"""登录: sign in with a local account or single sign-on; on a new database, create the first admin."""

from __future__ import annotations

import streamlit as st

from perfwatch import auth, web
from perfwatch.store import PermissionDenied, ValidationError

conn = web.frame_connection()

if not auth.has_users(conn):
    st.title("创建管理员账号")
    st.info("这是一个新的数据库，还没有任何账号。请先创建管理员账号（之后用它登录并添加其他用户）。")
    with st.form("first_admin"):
        username = st.text_input("用户名", max_chars=auth.USERNAME_MAX_LENGTH)
        display_name = st.text_input("姓名（可选）", max_chars=auth.DISPLAY_NAME_MAX_LENGTH)
        password = st.text_input(f"密码（至少 {auth.PASSWORD_MIN_LENGTH} 个字符，不能是常见密码，不能含账号名）", type="password")
        confirm = st.text_input("再次输入密码", type="password")
        submitted = st.form_submit_button("创建管理员并登录", type="primary")
    if submitted:
        if password != confirm:
            st.error("两次输入的密码不一致。")
        else:
            try:
                actor = auth.create_first_admin(conn, username, password, display_name or None)
            except (ValidationError, PermissionDenied) as exc:
                st.error(str(exc))
            else:
                web.after_write()
                web.sign_in(actor)
                st.rerun()
    st.stop()

st.title("绩效运行监控看板 · 登录")
notice = web.take_notice()
if notice:
    st.info(notice)
refused = web.oidc_refusal()
if refused:
    st.error(refused)
    if st.button("退出统一身份认证"):
        web.sign_out()

if web.oidc_configured() and not refused:
    if st.button("使用单位统一身份认证登录", type="primary"):
        try:
            st.login()
        except Exception as exc:  # e.g. Authlib missing or the provider misconfigured
            st.error(f"统一身份认证暂不可用，请使用账号密码登录。（{type(exc).__name__}）")
    st.caption("或使用本系统账号登录：")

with st.form("sign_in"):
    username = st.text_input("用户名", max_chars=200)
    password = st.text_input("密码", type="password", max_chars=auth.PASSWORD_MAX_LENGTH)
    submitted = st.form_submit_button("登录", type="primary" if not web.oidc_configured() else "secondary")
if submitted:
    try:
        actor = auth.authenticate(conn, username, password, client=st.context.ip_address)
    except auth.AuthError as exc:
        st.error(str(exc))
    else:
        web.sign_in(actor)
        st.rerun()
st.caption("忘记密码请联系管理员重置。")
