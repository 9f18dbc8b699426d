"""Benchmark: the report of the top area (province) and of one commune as PDF and XLSX — the time of
each step (figures from the overview service, the workbook, the PDF with its chart images) and the
process's peak memory; beside it, the same figures' raw GROUP BY from bench_overview (the naive way a
report would be counted without the rollups).

    .venv/bin/python bench/bench_report.py --db sqlite:////path/to/province.sqlite [--period last-week]

Read-only on the given database (it must be at the code's newest revision). Target (issue #11): report
for the province (1M residents) as PDF and XLSX, time and peak memory reported.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from bench.bench_overview import actor_for, check_revision, raw_figures, sql_rows
from core.clock import today
from models.db import make_engine, read_session
from services import overview as ov
from services import reports
from services.printing.report_pdf import report_pdf


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return (time.perf_counter() - start) * 1000, value


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(session, label: str, area_id: int, period: ov.Period) -> None:
    actor = actor_for(session, area_id)
    ov.clear_cache()
    data_ms, report = timed(
        lambda: reports.build_report(session, actor=actor, area_id=area_id, period=period)
    )
    xlsx_ms, xlsx = timed(lambda: reports.report_xlsx(report))
    pdf_ms, pdf = timed(lambda: report_pdf(report))
    raw_ms, _ = timed(
        lambda: raw_figures(sql_rows(session), actor.area_path, min(period.end, today()), period)
    )
    print(
        f"{label}: figures {data_ms:.0f} ms | XLSX {xlsx_ms:.0f} ms ({len(xlsx) // 1024} KB)"
        f" | PDF {pdf_ms:.0f} ms ({len(pdf) // 1024} KB) | peak memory so far {peak_mb():.0f} MB"
        f" | the headline by raw GROUP BY alone: {raw_ms:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL (a province-scale file)")
    parser.add_argument("--period", default="last-week", help="as manage.py report takes it")
    args = parser.parse_args()
    engine = make_engine(args.db)
    check_revision(engine)
    period = reports.parse_period(args.period)
    with read_session(engine) as s:
        root = s.execute(text("SELECT id FROM area WHERE depth = 0 ORDER BY id")).scalar()
        commune = s.execute(text("SELECT id FROM area WHERE level = 'commune' ORDER BY id")).scalar()
        print(f"period {period.start} – {period.end}; memory at start {peak_mb():.0f} MB")
        one(s, "top area", root, period)
        one(s, "one commune", commune, period)


if __name__ == "__main__":
    main()
