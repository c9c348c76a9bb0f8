"""数据备份: when the last backup was made, and a button to make one now."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from perfwatch import backup, web
from perfwatch.store import PermissionDenied, ValidationError

actor = web.require_role("admin")
conn = web.frame_connection()
st.title("数据备份")

last = backup.last_backup(conn)
now = dt.datetime.now()
if last is None:
    st.warning("尚无备份记录。请立即备份。")
else:
    at, path, by = last
    text = f"上次备份：{at:%Y-%m-%d %H:%M}，由 {by} 完成，位置：{path}"
    (st.warning if backup.backup_is_stale(at, now) else st.success)(
        text + ("。已超过 7 天，请尽快备份。" if backup.backup_is_stale(at, now) else "")
    )

target = backup.default_backup_dir(web.real_db_path())
st.write(f"备份写入目录：`{target}`（可用环境变量 {backup.ENV_BACKUP_DIR} 指定）。")
if st.button("立即备份", type="primary"):
    try:
        result = backup.create_backup(conn, actor, target, db_path=web.real_db_path())
    except (ValidationError, PermissionDenied) as exc:
        st.error(str(exc))
    else:
        web.after_write()
        total = sum(result.manifest["tables"].values())
        st.success(f"已备份到 {result.path}（{len(result.manifest['tables'])} 张表，共 {total} 行）。")

st.subheader("恢复")
st.markdown(
    "恢复会写入一个**新的**数据库文件，不会覆盖现有文件。请在命令行运行：\n\n"
    "`python -m perfwatch restore 备份目录 --db 新文件.duckdb`\n\n"
    "然后用环境变量 PERFWATCH_DB 指向新文件启动本系统。"
)
