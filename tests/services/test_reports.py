"""The report (issue #11): periods as written; figures as they stood at the end of the period and of the
one before; the XLSX read back equals the overview's figures (real numbers, % formats, frozen header,
area and period on every sheet); satisfaction after guidance for the period and the one before, and per
child area and team, as the overviews counted it; the PDF's text holds the area and the headline
figures, its fonts are embedded and its charts are images; scope: a volunteer cannot report on a
commune."""

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
from services.visits.record import ResidentInput
from tests.services.test_overview_progress import _visit, _world


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
    assert len(book.sheetnames) == 6
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


def _rated_world(engine):
    """The world, plus ratings: r1 rates 4 and r3 rates 2 at visits yesterday (this period of 4 weeks),
    r1 rated 5 at T-29 (the period before: T-55 to T-28)."""
    w = _world(engine)
    _visit(engine, w["vol1"], "s1", w["hh1"], 1, [ResidentInput(w["r1"], {"guide_submit"}, satisfaction=4)])
    _visit(engine, w["vol2"], "s2", w["hh2"], 1, [ResidentInput(w["r3"], {"guide_pay"}, satisfaction=2)])
    _visit(engine, w["vol1"], "s0", w["hh1"], 29, [ResidentInput(w["r1"], {"guide_pay"}, satisfaction=5)])
    return w


def test_satisfaction_in_the_workbook_equals_the_overviews(engine):
    w = _rated_world(engine)
    r = _report(engine, w["leader"], w["A"], ov.last_4_weeks())
    assert (r.current.satisfaction.by_score, r.previous.satisfaction.by_score) == (
        (0, 1, 0, 1, 0),
        (0,) * 4 + (1,),
    )
    book = load_workbook(io.BytesIO(reports.report_xlsx(r)))
    headline = {row[0].value: row for row in book[t("report.t.headline", "vi")].iter_rows(min_row=4)}
    count, average, satisfied = (
        headline[t(key, "vi")] for key in ("report.sat.count", "report.sat.average", "report.sat.satisfied")
    )
    assert [c.value for c in count[1:]] == [2, 1]
    assert [c.value for c in average[1:]] == [3.0, 5.0]
    assert average[1].number_format == reports.DEC == "0.00"
    assert [c.value for c in satisfied[1:]] == [0.5, 1.0] and satisfied[1].number_format == "0.0%"
    sheet = book[t("report.t.satisfaction", "vi")]
    assert sheet.freeze_panes == "A4"  # and the area and period above, as on every sheet
    assert [c.value for c in sheet[3]] == [
        t("ov.sat.name", "vi"),
        t("ov.chart.owner_kind", "vi"),
        t("ov.sat.ratings", "vi"),
        t("ov.sat.average", "vi"),
        t("ov.sat.satisfied", "vi"),
        *(t("ov.sat.score", "vi", score=score) for score in range(1, 6)),
    ]
    got = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=4)]
    assert got == [
        (
            row.name,
            t("ov.chart.team" if row.owner == "team" else "ov.chart.area", "vi"),
            row.ratings.count,
            row.ratings.average,
            row.ratings.satisfied_share,
            *row.ratings.by_score,
        )
        for row in r.current.satisfaction_rows
    ]
    # Villages A2 (none) and A1 (both ratings), then team T1 (both: its volunteers' visits).
    assert got == [
        ("Thôn Hai", "Địa bàn", 0, None, None, 0, 0, 0, 0, 0),
        ("Thôn Một", "Địa bàn", 2, 3.0, 0.5, 0, 1, 0, 1, 0),
        ("Tổ Một", "Tổ", 2, 3.0, 0.5, 0, 1, 0, 1, 0),
    ]
    row = next(sheet.iter_rows(min_row=5, max_row=5))
    assert (row[2].number_format, row[3].number_format, row[4].number_format) == ("#,##0", "0.00", "0.0%")


def test_the_pdf_holds_the_satisfaction_line_and_table(engine):
    w = _rated_world(engine)
    r = _report(engine, w["leader"], w["A"], ov.last_4_weeks())
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(report_pdf(r))).pages)
    lines = text.splitlines()
    assert f"{t('report.sat.average', 'vi')} 3,00 5,00" in lines
    assert f"{t('report.sat.satisfied', 'vi')} 50,0% 100,0%" in lines
    assert t("report.t.satisfaction", "vi") in lines
    assert "Thôn Hai Địa bàn 0 – – 0 0 0 0 0" in lines
    assert "Tổ Một Tổ 2 3,00 50,0% 0 1 0 1 0" in lines
