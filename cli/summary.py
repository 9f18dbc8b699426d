"""manage.py summary: the Zalo-ready message of an area for a period on stdout (UTF-8), and its chart as a
PNG when asked, acting as an administrator of that area. Bad arguments exit 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.common import admin_of, engine_or_exit, fail, output_folder_or_exit
from cli.reports import add_area_period, area_or_exit, period_or_exit
from core.i18n import t
from models.db import read_session


def add_commands(sub, command) -> None:
    p = sub.add_parser(
        "summary",
        help="the short message of an area for a period, to paste into a Zalo group (and its chart as PNG)",
    )
    add_area_period(p)
    p.add_argument("--png", help="also write the chart to FILE.png (1080 px wide)")
    command("summary")(cmd_summary)


def cmd_summary(args: argparse.Namespace) -> int:
    from services import summary

    period = period_or_exit(args)
    png = Path(args.png) if args.png else None
    if png is not None and png.suffix.lower() != ".png":
        return fail(t("sum.err.png", args.lang, name=png.name), 2)
    engine = engine_or_exit()
    with read_session(engine) as session:
        area = area_or_exit(session, args)
        result = summary.zalo_summary(
            session, actor=admin_of(area), area_id=area.id, period=period, lang=args.lang
        )
    engine.dispose()
    if png is not None:
        path = output_folder_or_exit(str(png))
        data = summary.summary_chart_png(result)
        path.write_bytes(data)
        # On stderr: stdout holds only the message, ready to pipe or copy.
        print(t("sum.png_written", args.lang, path=str(path), kb=len(data) // 1024), file=sys.stderr)
    sys.stdout.buffer.write((result.text + "\n").encode("utf-8"))
    sys.stdout.flush()
    return 0
