"""Báo cáo: the report of an area for a period, as PDF or Excel — the same choices as `manage.py report`.
The service decides what the user may report on (a volunteer: a village of their team)."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from core import labels
from core.clock import today, week_start
from services import overview as ov
from services import reports
from services.errors import AppError
from services.permissions import Act
from webui.db import reading
from webui.guard import require
from webui.state import lang, t

KEY_AREA = "reports.area_id"
KEY_KIND = "reports.kind"
KEY_RANGE = "reports.range"
KEY_MONTH = "reports.month"
KEY_FILES = "reports.files"  # {(area, period, format): bytes} made in this session

actor = require(Act.REPORT)


def choose_area() -> int | None:
    with reading() as session:
        options = reports.report_areas(session, actor=actor)
    if not options:
        st.info(t("report.no_area"))
        return None
    by_id = {o.id: o for o in options}
    return st.selectbox(
        t("report.area"),
        list(by_id),
        format_func=lambda i: by_id[i].name + " · " + t(labels.AREA_LEVEL[by_id[i].level]),
        key=KEY_AREA,
    )


def choose_period() -> ov.Period | None:
    kind = st.radio(
        t("report.period"),
        list(labels.REPORT_PERIOD),
        format_func=lambda k: t(labels.REPORT_PERIOD[k]),
        horizontal=True,
        key=KEY_KIND,
    )
    now = today()
    if kind in ("this-week", "last-week"):
        return reports.parse_period(kind)
    if kind == "month":
        first = (week_start(now) - timedelta(days=now.day)).replace(day=1)
        months = [(first.year, first.month)]
        for _ in range(11):
            y, m = months[-1]
            months.append((y - (m == 1), 12 if m == 1 else m - 1))
        months.insert(0, (now.year, now.month))
        months = list(dict.fromkeys(months))
        chosen = st.selectbox(
            t("report.month"), months, format_func=lambda ym: f"{ym[1]:02d}/{ym[0]}", key=KEY_MONTH
        )
        return reports.parse_period(f"{chosen[0]}-{chosen[1]:02d}")
    picked = st.date_input(
        t("report.range"), value=(now - timedelta(days=6), now), key=KEY_RANGE, format="DD/MM/YYYY"
    )
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.info(t("report.range_help"))
        return None
    return ov.date_range(*picked)


def make(area_id: int, period: ov.Period, fmt: str) -> bytes | None:
    """The file, made once per (area, period, format) in this session; a refusal shown in the app's words."""
    files = st.session_state.setdefault(KEY_FILES, {})
    key = (area_id, period, fmt)
    if key in files:
        return files[key]
    try:
        with reading() as session, st.spinner(t("report.making")):
            report = reports.build_report(session, actor=actor, area_id=area_id, period=period)
            if fmt == "pdf":
                from services.printing.report_pdf import report_pdf

                data = report_pdf(report, "vi")
            else:
                data = reports.report_xlsx(report, "vi")
    except AppError as exc:
        st.error(exc.message(lang()))
        return None
    files.clear()  # keep one report's files in memory, not every one made
    files[key] = data
    return data


def render() -> None:
    st.title(t("nav.reports"))
    st.caption(t("report.help"))
    area_id = choose_area()
    period = choose_period()
    if area_id is None or period is None:
        return
    st.caption(t("report.chosen", start=f"{period.start:%d/%m/%Y}", end=f"{period.end:%d/%m/%Y}"))
    stem = f"bao-cao-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    for fmt, label, mime in (
        ("pdf", labels.N_("report.make_pdf"), "application/pdf"),
        (
            "xlsx",
            labels.N_("report.make_xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ):
        if st.button(t(label), key=f"reports.make.{fmt}", icon=":material/description:"):
            data = make(area_id, period, fmt)
            if data is not None:
                st.download_button(
                    t("report.download", name=f"{stem}.{fmt}"),
                    data=data,
                    file_name=f"{stem}.{fmt}",
                    mime=mime,
                    key=f"reports.download.{fmt}",
                    icon=":material/download:",
                    type="primary",
                    on_click="ignore",
                )


render()
