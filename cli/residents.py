"""manage.py import-residents and export: the resident list in and out, from the command line."""

from __future__ import annotations

from pathlib import Path

from cli.common import admin_of, engine_or_exit, fail, file_rejected, input_file
from core import labels
from services.errors import ValidationFailed


def add_commands(subparsers, command) -> None:
    p = subparsers.add_parser(
        "import-residents", help="load households and residents from CSV or XLSX (all or nothing)"
    )
    p.add_argument("file")
    p.add_argument("--commune", required=True, help="code of the commune (or province) the list belongs to")
    p.add_argument("--create-villages", action="store_true", help="create villages the file names")
    p.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    command("import-residents")(cmd_import_residents)

    p = subparsers.add_parser("export", help="export residents with skill levels and barriers")
    p.add_argument("--area", required=True, help="area code")
    p.add_argument("--format", required=True, choices=("xlsx", "csv"))
    p.add_argument("--out", required=True, help="output file")
    command("export")(cmd_export)


def cmd_import_residents(args) -> int:
    from core.i18n import t
    from models.db import read_session, write_session
    from services.people.importing import import_residents

    path = input_file(args.file)
    engine = engine_or_exit()
    opener = read_session if args.dry_run else write_session
    try:
        with opener(engine) as session:
            report = import_residents(
                session,
                actor=None,
                area_code=args.commune,
                data=path.read_bytes(),
                filename=path.name,
                create_villages=args.create_villages,
                dry_run=args.dry_run,
            )
    except ValidationFailed as exc:
        return file_rejected(path, exc, args.lang)
    lang = args.lang
    verb = "would be" if args.dry_run else "were"
    print(("dry run: " if args.dry_run else "") + f"{report.rows} rows read; changes {verb}:")
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
        print(f"  line {change.line}: {change.entity} {change.label}: {fields}")
    if report.duplicates_total:
        print(t("imp.duplicates", lang, count=report.duplicates_total))
        for d in report.duplicates:
            print(
                f"  line {d.line}: {d.full_name} ({d.birth_year or '-'}) ~ "
                f"#{d.existing_id} {d.existing_name} [{d.existing_household}] "
                + t(labels.DUPLICATE_REASON[d.reason], lang)
            )
    return 0


def cmd_export(args) -> int:
    from models.db import read_session
    from models.tables import Area
    from services.people.export import export_residents

    engine = engine_or_exit()
    with read_session(engine) as session:
        from sqlalchemy import select

        area = session.exec(select(Area).where(Area.code == args.area.strip())).scalar()
        if area is None:
            return fail(f"no area with code {args.area}")
        actor = admin_of(area)
        out = Path(args.out)
        tmp = out.with_name(out.name + ".part")
        with tmp.open("wb") as handle:
            count = export_residents(session, actor=actor, out=handle, fmt=args.format, lang=args.lang)
        tmp.replace(out)
    print(f"{count} residents exported to {out}")
    return 0
