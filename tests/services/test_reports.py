"""The report (issue #11): periods as written; figures as they stood at the end of the period and of the
one before; the XLSX read back equals the overview's figures (real numbers, % formats, frozen header,
area and period on every sheet); the PDF's text holds the area and the headline figures, its fonts are
embedded and its charts are images; scope: a volunteer cannot report on a commune."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from core.clock import today
from core.i18n import t
from models.db import read_session
from services import overview as ov
from services import reports
from services.errors import PermissionDenied, ValidationFailed
from services.printing.report_pdf import report_pdf
from tests.services.test_overview_progress import _world


@pytest.fixture(autouse=True)
def _fresh_cache():
    ov.clear_cache()
    yield
    ov.clear_cache()


def test_periods_as_written():
    day = date(2026, 12, 3)  # a Thursday
    this = reports.parse_period("this-week", day=day)
    assert (this.start, this.end) == (date(2026, 11, 30), date(2026, 12, 6))
    last = reports.parse_period("last-week", day=day)
    assert (last.start, last.end) == (date(2026, 11, 23), date(2026, 11, 29))
    week = reports.parse_period("2026-W48", day=day)
    assert (week.start, week.end) == (date(2026, 11, 23), date(2026, 11, 29))
    month = reports.parse_period("2026-02", day=day)
    assert (month.start, month.end) == (date(2026, 2, 1), date(2026, 2, 28))
    span = reports.parse_period("2026-11-01:2026-11-15", day=day)
    assert (span.start, span.end) == (date(2026, 11, 1), date(2026, 11, 15))
    before = reports.previous_period(span)
    assert (before.start, before.end) == (date(2026, 10, 17), date(2026, 10, 31))
    for bad in ("", "yesterday", "2026-13", "2026-W60", "2026-11-15:2026-11-01", "2026-11-01:x"):
        with pytest.raises(ValueError, match=r"report\.err\.period"):
            reports.parse_period(bad, day=day)


def _report(engine, actor, area_id, period):
    with read_session(engine) as s:
        return reports.build_report(s, actor=actor, area_id=area_id, period=period)


def test_standing_at_the_end_of_each_period(engine):
    """The world (see test_overview_progress): r1 first guided T-20 and doing submit and pay alone from
    T-5; r3 registered T-3, guided and doing apps alone from T-2; hh1 first done T-20, hh2 T-2."""
    w = _world(engine)
    period = ov.date_range(today() - timedelta(days=4), today())
    r = _report(engine, w["leader"], w["A"], period)
    assert r.before.day == today() - timedelta(days=5)
    assert (r.now.residents, r.now.guided, r.now.households_done) == (3, 2, 2)
    assert dict(r.now.mastered) == {"submit": 1, "pay": 1, "feedback": 0, "receive": 0, "apps": 1}
    # At T-5: r3 not registered yet; r1 guided, submit and pay reached that very day; hh1 done.
    assert (r.before.residents, r.before.guided, r.before.households_done) == (2, 1, 1)
    assert dict(r.before.mastered) == {"submit": 1, "pay": 1, "feedback": 0, "receive": 0, "apps": 0}
    assert r.before.share(r.before.guided) == 0.5
    upward = dict(r.upward)
    assert upward["teams"] == 1 and upward["members"] == 2
    assert (upward["residents_first_guided"], upward["households_first_done"]) == (1, 1)  # r3, hh2 in T-4..T


def test_the_workbook_holds_the_overviews_numbers(engine):
    w = _world(engine)
    period = ov.last_4_weeks()
    r = _report(engine, w["leader"], w["A"], period)
    book = load_workbook(io.BytesIO(reports.report_xlsx(r)))
    heading = t(
        "report.heading", "vi", area="Xã An", start=f"{period.start:%d/%m/%Y}", end=f"{period.end:%d/%m/%Y}"
    )
    assert len(book.sheetnames) == 5
    for sheet in book.worksheets:
        assert sheet["A1"].value == heading  # area and period on every sheet
        assert sheet.freeze_panes == "A4"
        assert sheet.column_dimensions["A"].width >= 12
    headline = book[t("report.t.headline", "vi")]
    rows = {row[0].value: row for row in headline.iter_rows(min_row=4)}
    residents = rows[t("ov.residents", "vi")]
    assert residents[1].value == r.current.headline.residents == 3 and isinstance(residents[1].value, int)
    guided = rows[t("ov.guided", "vi")]
    assert guided[1].value == pytest.approx(2 / 3) and guided[1].number_format == "0.0%"
    indicators = book[t("ov.indicators", "vi")]
    got = [(row[1].value, row[2].value) for row in indicators.iter_rows(min_row=4)]
    assert got == [(i.numerator, i.denominator) for i in r.current.indicators]
    children = book[t("report.t.children", "vi")]
    assert [(row[0].value, row[1].value) for row in children.iter_rows(min_row=4)] == [
        (c.name, c.residents) for c in r.current.children
    ]
    upward = book[t("report.t.upward", "vi")]
    assert [row[1].value for row in upward.iter_rows(min_row=4)] == [v for _c, v in r.upward]


def test_the_pdf_names_the_area_and_its_figures_with_embedded_fonts_and_chart_images(engine):
    w = _world(engine)
    r = _report(engine, w["leader"], w["A"], ov.last_4_weeks())
    reader = PdfReader(io.BytesIO(report_pdf(r)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Xã An" in text and t("report.t.headline", "vi") in text
    assert t("report.t.upward", "vi") in text and t("report.up.teams", "vi") in text
    assert "66,7%" in text  # 2 of 3 residents guided
    fonts = set()
    images = 0
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts.add("/FontFile2" in descriptor)
        images += len(page.images)
    assert fonts == {True}
    assert images >= 2  # skill ladder and trend at least
    assert t("report.produced", "vi", date=f"{today():%d/%m/%Y}") in text


def test_who_may_produce_which_report(engine):
    w = _world(engine)
    period = ov.last_4_weeks()
    with pytest.raises(PermissionDenied):
        _report(engine, w["leader_b"], w["A"], period)
    with pytest.raises(ValidationFailed):
        _report(engine, w["vol1"], w["A"], period)  # a volunteer: one of their team's villages only
    mine = _report(engine, w["vol1"], w["A1"], period)
    assert mine.area.id == w["A1"] and mine.current.scope.team_only
    with read_session(engine) as s:
        # Vietnamese order: Thôn Hai, Thôn Một.
        assert [o.id for o in reports.report_areas(s, actor=w["vol1"])] == [w["A2"], w["A1"]]
        assert next(o.id for o in reports.report_areas(s, actor=w["leader"])) == w["A"]
