"""manage.py report: the weekly (monthly, any range's) report of an area as PDF or XLSX, acting as an
administrator of that area (the command line already has the database). Bad arguments exit 2."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import admin_of, engine_or_exit, fail, output_folder_or_exit
from core.i18n import t
from models.db import read_session

FORMATS = (".pdf", ".xlsx")


def add_area_period(p) -> None:
    """--area and --period, as `report` and `summary` take them."""
    p.add_argument("--area", required=True, help="area code (province, commune or village)")
    p.add_argument(
        "--period",
        default="last-week",
        help="this-week | last-week | YYYY-Www | YYYY-MM | FROM:TO (ISO dates); default last-week",
    )


def period_or_exit(args: argparse.Namespace):
    """The period of --period; one it cannot read exits 2 with the catalogue's message."""
    from services import reports

    try:
        return reports.parse_period(args.period)
    except ValueError as exc:
        raise SystemExit(fail(t(str(exc), args.lang), 2)) from exc


def area_or_exit(session, args: argparse.Namespace):
    """The area of --area; an unknown code exits 2."""
    from sqlalchemy import select

    from models.tables import Area

    area = session.exec(select(Area).where(Area.code == args.area.strip())).scalar()
    if area is None:
        raise SystemExit(fail(t("report.err.area", args.lang, code=args.area), 2))
    return area


def add_commands(sub, command) -> None:
    p = sub.add_parser(
        "report",
        help="the report of an area for a period, as PDF or XLSX (the file name's extension decides)",
    )
    add_area_period(p)
    p.add_argument("--out", required=True, help="FILE.pdf or FILE.xlsx")
    command("report")(cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from services import reports

    period = period_or_exit(args)
    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        return fail(t("report.err.format", args.lang, name=out.name), 2)
    engine = engine_or_exit()
    with read_session(engine) as session:
        area = area_or_exit(session, args)
        report = reports.build_report(session, actor=admin_of(area), area_id=area.id, period=period)
    engine.dispose()
    if out.suffix.lower() == ".pdf":
        from services.printing.report_pdf import report_pdf

        data = report_pdf(report, args.lang)
    else:
        data = reports.report_xlsx(report, args.lang)
    path = output_folder_or_exit(str(out))
    path.write_bytes(data)
    print(t("report.written", args.lang, path=str(path), kb=len(data) // 1024, title=report.title))
    return 0
