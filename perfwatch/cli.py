"""``python -m perfwatch``: command-line access to the store.

Each command lives in a function ``cmd_<name>(args) -> int`` registered in :func:`build_parser`;
modules of other features add their commands through ``register(subparsers)`` hooks listed in
``_EXTENSIONS``. Known failures (a locked or corrupt database, bad input) print one Chinese line
to stderr and exit 2 -- never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
from collections.abc import Callable, Sequence

import duckdb

from perfwatch import db
from perfwatch.entry import ConflictError
from perfwatch.store import Actor, PermissionDenied, ValidationError

# Modules that add sub-commands: each defines register(subparsers, common) -> None.
_EXTENSIONS: tuple[str, ...] = (
    "perfwatch.cli_targets",
    "perfwatch.cli_status",
    "perfwatch.cli_entry",
    "perfwatch.cli_reports",
    "perfwatch.cli_admin",
    "perfwatch.cli_round",
)


def common_parser() -> argparse.ArgumentParser:
    """Options every command takes."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--db",
        metavar="PATH",
        help=f"DuckDB 数据库文件（默认：环境变量 {db.ENV_DB}，否则 data/perfwatch.duckdb）",
    )
    return p


def cli_actor(name: str | None = None) -> Actor:
    """Who runs a command: ``--user NAME`` or the operating-system user, with the system role
    (whoever can run the CLI on the file already has it); audited as ``cli:<name>``."""
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no user name in the environment (service account, container)
            name = "unknown"
    return Actor(name if name.startswith("cli:") else f"cli:{name}", "system")


def open_existing(args: argparse.Namespace) -> duckdb.DuckDBPyConnection:
    """The existing database of ``--db``, migrated; never created here (that is ``init``)."""
    path = db.resolve_db_path(args.db)
    if not path.exists():
        raise db.DatabaseError("missing", path, f"数据库文件 {path} 不存在。请先运行 python -m perfwatch init。")
    return db.open_database(path)


def cmd_init(args: argparse.Namespace) -> int:
    path = db.resolve_db_path(args.db)
    existed = path.exists()
    conn = db.connect(path)
    try:
        applied = db.migrate(conn, path)
        from perfwatch.dataset import load_default_dataset_if_empty

        loaded = load_default_dataset_if_empty(conn)
    finally:
        conn.close()
    print(f"数据库：{path}（{'已存在' if existed else '新建'}）")
    print(f"结构迁移：{'、'.join(f'{m.version:04d}_{m.name}' for m in applied) if applied else '已是最新'}")
    if loaded:
        print(
            f"已载入默认数据：{loaded.departments} 个部门，{loaded.projects_added} 个项目，"
            f"{loaded.indicators_added} 个指标"
        )
    else:
        print("数据库已有数据，未载入默认数据。")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    conn = db.open_database(args.db, read_only=True)
    try:
        depts = db.query(conn, "departments")
        if not depts:
            print("数据库中没有部门。")
            return 0
        for dep_id, code, name, year, n_proj, budget, n_ind in depts:
            print(f"{code} {name} {year} 年度：{n_proj} 个项目，预算合计 {budget:.2f} 万元，{n_ind} 个指标")
            for row in db.query(conn, "department_projects", {"department_id": dep_id}):
                _, seq, pcode, pname, pbudget, _, _, _, plan, n = row
                print(f"  {seq}. {pcode}  {pname}  预算 {pbudget:.2f} 万元  计划 {plan or '—'}  指标 {n} 个")
            subs = db.query(conn, "department_part", {"department_id": dep_id})
            n_sub = len({r[0] for r in subs})
            n_sub_ind = sum(1 for r in subs if r[3] is not None)
            print(f"  部门整体：{n_sub} 个分项目标，{n_sub_ind} 个指标")
    finally:
        conn.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = common_parser()
    parser = argparse.ArgumentParser(
        prog="python -m perfwatch",
        description="perfwatch 绩效运行监控看板：命令行工具",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("init", parents=[common], help="创建或升级数据库，空库时载入默认数据",
                       description="创建或升级数据库（按编号执行迁移，仅一次），数据库为空时载入默认数据集。")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("show", parents=[common], help="列出部门、项目（编码、名称、预算、计划）和指标数",
                       description="列出部门、项目（编码、名称、预算、支出计划）和指标数量。")
    p.set_defaults(func=cmd_show)
    for mod_name in _EXTENSIONS:
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name == mod_name:
                continue  # feature not built yet
            raise
        mod.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (db.DatabaseError, ValidationError, PermissionDenied, ConflictError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
    except (duckdb.Error, OSError) as exc:  # disk full, a file cut short, a write conflict ...
        print(f"错误：{db.describe_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断，未完成的写入已回滚。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
