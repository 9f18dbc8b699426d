#!/usr/bin/env python3
"""Command line for administrators: database, users, areas, demo data, rollup checks."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from sqlalchemy.exc import OperationalError

from cli.common import LANG, engine_or_exit, fail, file_rejected, input_file, rejected, say, settings_or_exit
from models.db import write_session
from services.errors import AppError, ValidationFailed

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    def register(fn):
        COMMANDS[name] = fn
        return fn

    return register


# ---------------------------------------------------------------- database


@command("init-db")
def cmd_init_db(args: argparse.Namespace) -> int:
    from models.migrate import current_revision, upgrade_to_head

    engine = engine_or_exit()
    upgrade_to_head(engine)
    print(say("cli.db_revision", revision=current_revision(engine)))
    return 0


@command("check-rollups")
def cmd_check_rollups(args: argparse.Namespace) -> int:
    from models.db import read_session
    from services.rollups.recount import compare

    engine = engine_or_exit()
    with read_session(engine) as session:
        diffs = compare(session)
    if not diffs:
        print(say("cli.rollups_match"))
        return 0
    for d in diffs[: args.limit]:
        where = f"{d.table} {d.key} {d.column}"
        print(say("cli.rollup_diff", where=where, stored=d.stored, expected=d.expected))
    if len(diffs) > args.limit:
        print(say("cli.more", n=len(diffs) - args.limit))
    print(say("cli.differences", n=len(diffs)), file=sys.stderr)
    return 1


@command("access-table")
def cmd_access_table(args: argparse.Namespace) -> int:
    from services.permissions import access_table

    print(access_table())
    return 0


@command("rebuild-rollups")
def cmd_rebuild_rollups(args: argparse.Namespace) -> int:
    from services.rollups.recount import rebuild

    engine = engine_or_exit()
    with write_session(engine) as session:
        rebuild(session)
    print(say("cli.rollups_rebuilt"))
    return 0


# ---------------------------------------------------------------- users


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat: ")
    if first != second:
        raise SystemExit(fail(say("cli.passwords_differ")))
    return first


@command("create-user")
def cmd_create_user(args: argparse.Namespace) -> int:
    from services.auth import create_user

    engine = engine_or_exit()
    password = read_password(args)
    try:
        with write_session(engine) as session:
            user_id = create_user(
                session,
                actor=None,
                username=args.username,
                password=password,
                role=args.role,
                area_code=args.area,
                full_name=args.name or "",
                team_id=args.team,
            )
    except ValidationFailed as exc:
        return rejected(say("cli.user_not_created"), exc, args.lang)
    print(say("cli.user_created", username=args.username, id=user_id, role=args.role, area=args.area))
    return 0


# ---------------------------------------------------------------- areas


@command("import-areas")
def cmd_import_areas(args: argparse.Namespace) -> int:
    from services.areas import import_areas_csv

    path = input_file(args.file)
    engine = engine_or_exit()
    try:
        with write_session(engine) as session:
            report = import_areas_csv(session, actor=None, data=path.read_bytes())
    except ValidationFailed as exc:
        return file_rejected(path, exc, args.lang)
    print(say("cli.areas_done", created=report.created, renamed=report.renamed, unchanged=report.unchanged))
    return 0


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    parser.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the messages")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="migrate the database (DATABASE_URL) to the newest schema")
    p = sub.add_parser(
        "check-rollups", help="recount every rollup from the raw rows; exit 1 on any difference"
    )
    p.add_argument("--limit", type=int, default=50, help="differences to print")
    sub.add_parser("rebuild-rollups", help="replace every rollup with a full recount")
    sub.add_parser("access-table", help="who may do what (role x action x area) as a Markdown table")
    p = sub.add_parser("create-user", help="create a user (password from a prompt, or one line of stdin)")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=("admin", "coordinator", "leader", "volunteer"))
    p.add_argument("--area", required=True, help="area code the user is scoped to")
    p.add_argument("--team", type=int, help="team id (required for a volunteer)")
    p.add_argument("--name", help="full name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p = sub.add_parser("import-areas", help="load an area tree from CSV: code,name,level,parent_code")
    p.add_argument("file")
    for extend in EXTENSIONS:
        extend(sub, command)
    return parser


# Command modules in cli/: add_commands(subparsers, command) adds parsers and registers handlers.
EXTENSIONS: list[Callable] = []


def main(argv: list[str] | None = None) -> int:
    _load_extensions()
    args = build_parser().parse_args(argv)
    LANG[0] = args.lang
    settings_or_exit()  # a bad environment variable stops every command (exit 2, the variable named)
    try:
        return COMMANDS[args.command](args)
    except AppError as exc:
        return fail(exc.message(args.lang))
    except OperationalError as exc:
        return fail(say("cli.db_error", reason=str(exc.orig or exc)), 2)


def _load_extensions() -> None:
    """Command modules under cli/ register themselves (kept apart so this file stays short)."""
    import importlib
    import pkgutil

    import cli

    for info in pkgutil.iter_modules(cli.__path__):
        module = importlib.import_module(f"cli.{info.name}")
        if not hasattr(module, "add_commands"):  # cli/common.py: shared helpers, no commands
            continue
        if module.add_commands not in EXTENSIONS:  # main() may run more than once in a process
            EXTENSIONS.append(module.add_commands)


if __name__ == "__main__":
    sys.exit(main())
