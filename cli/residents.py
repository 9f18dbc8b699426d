"""manage.py import-residents and export: the resident list in and out, from the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from cli.common import admin_of, engine_or_exit, fail, file_rejected, input_file, say
from core import labels
from services.errors import ValidationFailed

T = TypeVar("T")


def add_commands(subparsers, command) -> None:
    p = subparsers.add_parser(
        "import-residents", help="load households and residents from CSV or XLSX (all or nothing)"
    )
    p.add_argument("file")
    p.add_argument("--commune", required=True, help="code of the commune (or province) the list belongs to")
    p.add_argument("--create-villages", action="store_true", help="create villages the file names")
    p.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    p.add_argument(
        "--max-rows",
        type=int,
        default=None,
        help="refuse a file with more data rows than this (default 200000; raise it for a province file)",
    )
    command("import-residents")(cmd_import_residents)

    p = subparsers.add_parser("export", help="export residents with skill levels and barriers")
    p.add_argument("--area", required=True, help="area code")
    p.add_argument("--format", required=True, choices=("xlsx", "csv"))
    p.add_argument("--out", required=True, help="output file")
    command("export")(cmd_export)


def cmd_import_residents(args) -> int:
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    from core.i18n import t
    from models.db import read_session, write_session
    from services.people.importing import ROWS_MAX, import_residents

    path = input_file(args.file)
    max_rows = ROWS_MAX if args.max_rows is None else args.max_rows
    if max_rows < 1:
        return fail(say("cli.max_rows"))
    engine = engine_or_exit()
    try:
        # Checked in a read session, written in one short write transaction: tablets saving visits
        # meanwhile do not wait for the file to be parsed.
        report = import_residents(
            read=lambda: read_session(engine),
            write=lambda: write_session(engine),
            actor=None,
            area_code=args.commune,
            data=path.read_bytes(),
            filename=path.name,
            create_villages=args.create_villages,
            dry_run=args.dry_run,
            max_rows=max_rows,
        )
    except ValidationFailed as exc:
        return file_rejected(path, exc, args.lang)
    except OperationalError:
        raise  # the database did not answer: manage.py says so (exit 2)
    except SQLAlchemyError as exc:
        # Never the statement or its parameters: they hold residents' names and phone numbers.
        reason = type(getattr(exc, "orig", None) or exc).__name__
        return fail(say("cli.db_refused", name=path.name, reason=reason))
    lang = args.lang
    if args.dry_run:
        print(say("cli.import_dry_run", rows=report.rows))
    else:
        print(say("cli.import_done", rows=report.rows))
    print(
        t(
            "imp.summary",
            lang,
            rows=report.rows,
            hc=report.households_created,
            hu=report.households_updated,
            rc=report.residents_created,
            ru=report.residents_updated,
            un=report.unchanged,
        )
    )
    if report.villages_created:
        print(t("imp.villages_created", lang, names=", ".join(report.villages_created)))
    if report.ignored_columns:
        print(t("imp.ignored_columns", lang, columns=", ".join(report.ignored_columns)))
    for change in report.changes:
        fields = "; ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in change.fields.items())
        where = say("cli.line", line=change.line)
        print(f"  {where}: {change.entity} {change.label}: {fields}")
    if report.duplicates_total:
        print(t("imp.duplicates", lang, count=report.duplicates_total))
        for d in report.duplicates:
            print(
                "  " + say("cli.line", line=d.line) + f": {d.full_name} ({d.birth_year or '-'}) ~ "
                f"#{d.existing_id} {d.existing_name} [{d.existing_household}] "
                + t(labels.DUPLICATE_REASON[d.reason], lang)
            )
    return 0


def write_atomically(out: Path, write: Callable[[BinaryIO], T]) -> T:
    """Write `out` through `out.part`, renamed when `write` finished: a failed export leaves neither a
    partial file nor the .part behind (and an older `out` stays as it was)."""
    tmp = out.with_name(out.name + ".part")
    try:
        with tmp.open("wb") as handle:
            result = write(handle)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result


def cmd_export(args) -> int:
    from models.db import read_session
    from models.tables import Area
    from services.people.export import export_residents

    engine = engine_or_exit()
    with read_session(engine) as session:
        from sqlalchemy import select

        area = session.exec(select(Area).where(Area.code == args.area.strip())).scalar()
        if area is None:
            return fail(say("cli.no_area", code=args.area))
        actor = admin_of(area)
        out = Path(args.out)
        count = write_atomically(
            out,
            lambda handle: export_residents(
                session, actor=actor, out=handle, fmt=args.format, lang=args.lang
            ),
        )
    print(say("cli.exported", n=count, path=str(out)))
    return 0
