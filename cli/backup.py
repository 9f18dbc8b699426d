"""manage.py backup, restore and export-areas: the whole database to one file and back (the way to move
a database to another machine), and the area tree as the CSV import-areas reads.

Exit codes: 0 done; 1 a restore not confirmed with --yes (nothing changed); 2 bad arguments, a file that
cannot be read or is not a 5B3H backup, a backup of a newer schema, a database or tool that fails."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cli.common import engine_or_exit, fail
from core.i18n import t
from models.db import read_session


def add_commands(sub, command) -> None:
    p = sub.add_parser(
        "backup",
        help="back the whole database up into FILE (SQLite: online backup; PostgreSQL: pg_dump -Fc)",
    )
    p.add_argument("--out", required=True, help="the backup file to write (must not exist yet)")
    command("backup")(cmd_backup)

    p = sub.add_parser(
        "restore",
        help="replace the whole database with a backup file (says what it replaces; needs --yes)",
    )
    p.add_argument("file", help="a file written by `manage.py backup` (or the admin page)")
    p.add_argument("--yes", action="store_true", help="replace the database's contents")
    command("restore")(cmd_restore)

    p = sub.add_parser(
        "export-areas", help="write the area tree as CSV (code,name,level,parent_code) for import-areas"
    )
    p.add_argument("--out", required=True, help="FILE.csv")
    command("export-areas")(cmd_export_areas)


def cmd_backup(args: argparse.Namespace) -> int:
    from services import backup

    out = Path(args.out)
    if out.exists():
        return fail(t("backup.err.out_exists", args.lang, path=str(out)), 2)
    if not out.parent.is_dir():
        return fail(t("backup.err.out_folder", args.lang, folder=str(out.parent)), 2)
    engine = engine_or_exit()
    start = time.perf_counter()
    try:
        size = backup.write_backup(engine, out)
    except backup.BackupError as exc:
        return fail(exc.message(args.lang), 2)
    finally:
        engine.dispose()
    print(
        t(
            "backup.written",
            args.lang,
            target=backup.describe_target(engine),
            path=str(out),
            size=backup.human_size(size),
            seconds=f"{time.perf_counter() - start:.1f}",
        )
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from services import backup

    path = Path(args.file)
    try:  # the file first: a wrong name is said before anything touches the database
        backup.inspect_backup(path)
    except backup.BackupError as exc:
        return fail(exc.message(args.lang), 2)
    engine = engine_or_exit()
    try:
        plan = backup.plan_restore(engine, path)
    except backup.BackupError as exc:
        engine.dispose()
        return fail(exc.message(args.lang), 2)
    for line in describe_plan(plan, args.lang):
        print(line)
    if not args.yes:
        engine.dispose()
        print(t("backup.plan.confirm", args.lang), file=sys.stderr)
        return 1
    start = time.perf_counter()
    try:
        revision = backup.restore(engine, plan, file_name=path.name)
    except backup.BackupError as exc:
        return fail(exc.message(args.lang), 2)
    finally:
        engine.dispose()
    print(
        t(
            "backup.restored",
            args.lang,
            path=str(path),
            target=plan.target,
            revision=revision,
            seconds=f"{time.perf_counter() - start:.1f}",
        )
    )
    return 0


def describe_plan(plan, lang: str) -> list[str]:
    """What a restore replaces and with what, line by line."""
    from dataclasses import asdict

    from services import backup

    info = plan.backup
    lines = [t("backup.plan.target", lang, target=plan.target, revision=plan.target_revision or "-")]
    if plan.target_counts is None:
        lines.append(t("backup.plan.target_empty", lang))
    else:
        lines.append(t("backup.plan.target_counts", lang, **asdict(plan.target_counts)))
    lines.append(
        t(
            "backup.plan.source",
            lang,
            path=str(info.path),
            size=backup.human_size(info.size),
            created=info.created,
            revision=info.revision,
        )
    )
    if info.counts is not None:
        lines.append(t("backup.plan.source_counts", lang, **asdict(info.counts)))
    if plan.migrates:
        lines.append(t("backup.plan.migrate", lang, revision=info.revision, head=plan.head))
    if plan.dropped_tables:
        lines.append(t("backup.plan.dropped", lang, tables=", ".join(plan.dropped_tables)))
    lines.append(t("backup.plan.stop_app", lang))
    return lines


def cmd_export_areas(args: argparse.Namespace) -> int:
    from services import backup

    out = Path(args.out)
    if out.suffix.lower() != ".csv":
        return fail(t("backup.err.csv_name", args.lang, name=out.name), 2)
    if not out.parent.is_dir():
        return fail(t("backup.err.out_folder", args.lang, folder=str(out.parent)), 2)
    engine = engine_or_exit()
    try:
        with read_session(engine) as session:
            data, count = backup.export_areas_csv(session)
    finally:
        engine.dispose()
    try:
        out.write_bytes(data)
    except OSError as exc:
        return fail(t("backup.err.write", args.lang, path=str(out), detail=exc.strerror or str(exc)), 2)
    print(t("backup.areas_written", args.lang, count=count, path=str(out)))
    return 0
