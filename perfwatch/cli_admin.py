"""``python -m perfwatch user|backup|restore``: accounts, backups and restore from the command line.

The command line acts on the file directly, as the ``system`` role, named after the operating
system user in the audit log (``cli:NAME``). Passwords are read from a prompt (getpass, twice)
or, with ``--password-stdin``, from the first line of standard input; never from arguments.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from perfwatch import audit, auth, backup, db
from perfwatch.cli import cli_actor
from perfwatch.cli import open_existing as _open
from perfwatch.store import ROLE_LABELS, ValidationError


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        return password[:-1] if password.endswith("\r") else password
    first = getpass.getpass("密码：")
    second = getpass.getpass("再次输入密码：")
    if first != second:
        raise ValidationError("两次输入的密码不一致。")
    return first


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").replace("，", ",").split(",") if c.strip()]


def cmd_user_add(args: argparse.Namespace) -> int:
    conn = _open(args)
    try:
        password = None if args.no_password else _read_password(args)
        auth.create_user(conn, cli_actor(), args.name, args.role, password, args.display_name,
                         _codes(args.projects), oidc_email=args.email)
        codes = auth.project_codes_of(conn, args.name)
    finally:
        conn.close()
    extra = f"，负责项目：{'、'.join(codes)}" if codes else ""
    print(f"已添加用户 {args.name.strip()}（{ROLE_LABELS[args.role]}）{extra}")
    return 0


def cmd_user_reset(args: argparse.Namespace) -> int:
    conn = _open(args)
    try:
        if auth.get_user(conn, args.name) is None:
            raise ValidationError(f"用户 {args.name} 不存在。")
        auth.reset_password(conn, cli_actor(), args.name, _read_password(args))
    finally:
        conn.close()
    print(f"已重置用户 {args.name.strip()} 的密码。")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    conn = _open(args)
    try:
        auth.disable_user(conn, cli_actor(), args.name, disabled=not args.enable)
    finally:
        conn.close()
    print(f"已{'启用' if args.enable else '停用'}用户 {args.name.strip()}。")
    return 0


def cmd_user_assign(args: argparse.Namespace) -> int:
    conn = _open(args)
    try:
        auth.assign_projects(conn, cli_actor(), args.name, _codes(args.projects))
        codes = auth.project_codes_of(conn, args.name)
    finally:
        conn.close()
    print(f"用户 {args.name.strip()} 负责的项目：{'、'.join(codes) or '（无）'}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    conn = _open(args)
    try:
        users = auth.list_users(conn)
    finally:
        conn.close()
    if not users:
        print("还没有任何账号。首次启动网页时会要求创建管理员，或运行 python -m perfwatch user add NAME --role admin。")
        return 0
    for u in users:
        state = "已停用" if u["disabled"] else "启用"
        codes = "、".join(u["project_codes"])  # type: ignore[arg-type]
        parts = [str(u["username"]), str(u["display_name"] or "—"), ROLE_LABELS.get(str(u["role"]), str(u["role"])), state]
        if codes:
            parts.append(f"项目 {codes}")
        if u["oidc_email"]:
            parts.append(f"统一认证 {u['oidc_email']}")
        print("  ".join(parts))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    conn = _open(args)
    try:
        result = backup.create_backup(conn, cli_actor(), args.out, db_path=args.db)
    finally:
        conn.close()
    counts = result.manifest["tables"]
    print(f"已备份到 {result.path}")
    print(f"结构版本 {result.manifest['schema_version']}，{len(counts)} 张表，共 {sum(counts.values())} 行。")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    counts = backup.restore_backup(args.backup_dir, args.db)
    print(f"已从 {args.backup_dir} 恢复到新文件 {args.db}：{len(counts)} 张表，共 {sum(counts.values())} 行。")
    print(f"使用方法：设置环境变量 {db.ENV_DB}={Path(args.db).expanduser().resolve()} 后启动，或在命令中加 --db。")
    return 0


def cmd_verify_audit(args: argparse.Namespace) -> int:
    conn = _open(args)
    try:
        report = audit.chain_report(conn)
    finally:
        conn.close()
    print(report.summary())
    for problem in report.problems[:200]:
        print(f"  - {problem}")
    if len(report.problems) > 200:
        print(f"  ……另有 {len(report.problems) - 200} 处")
    return 0 if report.ok else 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    """Add ``user``, ``backup`` and ``restore`` to ``python -m perfwatch``."""
    roles = ", ".join(f"{r}={ROLE_LABELS[r]}" for r in auth.ROLES)
    pw = argparse.ArgumentParser(add_help=False)
    pw.add_argument("--password-stdin", action="store_true", help="从标准输入的第一行读取密码（用于脚本）")

    user = subparsers.add_parser("user", help="账号管理：添加、重置密码、停用、分配项目、列出",
                                 description="管理登录账号。密码只从提示或标准输入读取，不接受命令行参数。")
    usub = user.add_subparsers(dest="user_command", metavar="ACTION")
    usub.required = True

    p = usub.add_parser("add", parents=[common, pw], help="添加账号", description=f"添加账号。角色：{roles}。")
    p.add_argument("name", help="用户名")
    p.add_argument("--role", required=True, choices=auth.ROLES, help=roles)
    p.add_argument("--projects", metavar="CODE,CODE", help="项目负责人负责的项目编码，逗号分隔")
    p.add_argument("--display-name", metavar="姓名", help="显示的姓名")
    p.add_argument("--email", metavar="EMAIL", help="统一身份认证（OIDC）邮箱")
    p.add_argument("--no-password", action="store_true", help="不设密码，仅允许统一身份认证登录（需 --email）")
    p.set_defaults(func=cmd_user_add)

    p = usub.add_parser("reset", parents=[common, pw], help="重置密码", description="为账号设置新密码。")
    p.add_argument("name", help="用户名")
    p.set_defaults(func=cmd_user_reset)

    p = usub.add_parser("disable", parents=[common], help="停用账号（--enable 重新启用）",
                        description="停用账号；其已登录的会话在下次操作时结束。")
    p.add_argument("name", help="用户名")
    p.add_argument("--enable", action="store_true", help="重新启用该账号")
    p.set_defaults(func=cmd_user_disable)

    p = usub.add_parser("assign", parents=[common], help="设置项目负责人负责的项目",
                        description="把项目负责人负责的项目设为给定的编码（替换原有分配）。")
    p.add_argument("name", help="用户名")
    p.add_argument("--projects", metavar="CODE,CODE", required=True, help="项目编码，逗号分隔；空字符串表示清空")
    p.set_defaults(func=cmd_user_assign)

    p = usub.add_parser("list", parents=[common], help="列出账号", description="列出所有账号（不显示密码）。")
    p.set_defaults(func=cmd_user_list)

    p = subparsers.add_parser("backup", parents=[common], help="备份数据库（parquet 导出 + manifest.json）",
                              description="把整个数据库一致地导出到 DIR/perfwatch-YYYYmmdd-HHMMSS/。"
                                          f"默认目录：环境变量 {backup.ENV_BACKUP_DIR}，否则数据库旁的 backups/。"
                                          "网页正在使用数据库时文件被占用，请在“数据备份”页备份。")
    p.add_argument("--out", metavar="DIR", help="备份目录")
    p.set_defaults(func=cmd_backup)

    p = subparsers.add_parser("verify-audit", parents=[common], help="核对操作日志的哈希链（是否有记录在系统之外被修改或删除）",
                              description="逐条重算操作日志的哈希链，列出在本系统之外被修改、删除或插入的记录。"
                                          "完整时退出码为 0，发现异常时为 1。")
    p.set_defaults(func=cmd_verify_audit)

    p = subparsers.add_parser("restore", help="从备份恢复到一个新的数据库文件",
                              description="把备份目录恢复到 --db 指定的新文件；已存在的文件不会被覆盖。")
    p.add_argument("backup_dir", metavar="BACKUP_DIR", help="perfwatch backup 生成的目录")
    p.add_argument("--db", required=True, metavar="NEWFILE", help="要创建的新数据库文件")
    p.set_defaults(func=cmd_restore)
