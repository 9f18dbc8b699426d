"""manage.py report: the weekly (monthly, any range's) report of an area as PDF or XLSX, acting as an
administrator of that area (the command line already has the database). Bad arguments exit 2."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import admin_of, engine_or_exit, fail, output_folder_or_exit
from core.i18n import t
from models.db import read_session

FORMATS = (".pdf", ".xlsx")


def add_commands(sub, command) -> None:
    p = sub.add_parser(
        "report",
        help="the report of an area for a period, as PDF or XLSX (the file name's extension decides)",
    )
    p.add_argument("--area", required=True, help="area code (province, commune or village)")
    p.add_argument(
        "--period",
        default="last-week",
        help="this-week | last-week | YYYY-Www | YYYY-MM | FROM:TO (ISO dates); default last-week",
    )
    p.add_argument("--out", required=True, help="FILE.pdf or FILE.xlsx")
    command("report")(cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from models.tables import Area
    from services import reports

    try:
        period = reports.parse_period(args.period)
    except ValueError as exc:
        return fail(t(str(exc), args.lang), 2)
    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        return fail(t("report.err.format", args.lang, name=out.name), 2)
    engine = engine_or_exit()
    with read_session(engine) as session:
        area = session.exec(select(Area).where(Area.code == args.area.strip())).scalar()
        if area is None:
            return fail(t("report.err.area", args.lang, code=args.area), 2)
        actor = admin_of(area)
        report = reports.build_report(session, actor=actor, area_id=area.id, period=period)
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
