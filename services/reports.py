"""The weekly (or monthly, or any range's) report of one area: the overview's figures for the period and
for the period before it, plus the figures a commune sends upward — all read from the overview service
and the rollups (no second way of counting). `report_xlsx` writes it as a workbook; the PDF is
services/printing/report_pdf.py.

Periods, as the page and `manage.py report --period` take them: this-week, last-week, YYYY-Www (an ISO
week), YYYY-MM (a month), FROM:TO (two ISO dates, both included).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlmodel import Session

from core import labels
from core.clock import today, week_start
from core.i18n import t as translate
from core.labels import N_
from core.text import sort_key
from models.tables import Area, Member, RollupAreaWeek, RollupDated, Team
from services import overview as ov
from services.access import Actor, get_area_in_scope, require_role
from services.errors import FieldProblem, ValidationFailed
from services.permissions import Act, entry
from services.satisfaction import SCORES

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# The figures a commune sends upward: code -> (where it comes from, counted over the period or to date).
UPWARD: dict[str, str] = {
    "teams": N_("report.up.teams"),
    "members": N_("report.up.members"),
    "households_first_done": N_("report.up.households_first_done"),
    "visits": N_("report.up.visits"),
    "residents_first_guided": N_("report.up.residents_first_guided"),
    "vneid2_to_date": N_("report.up.vneid2_to_date"),
    "dossiers_online": N_("report.up.dossiers_online"),
    "dossiers_full": N_("report.up.dossiers_full"),
    "dossiers_partial": N_("report.up.dossiers_partial"),
    "dossiers_kind_unknown": N_("report.up.dossiers_kind_unknown"),
    "payments_mastered": N_("report.up.payments_mastered"),
    "feedback_mastered": N_("report.up.feedback_mastered"),
    "receive_mastered": N_("report.up.receive_mastered"),
    "course_done_to_date": N_("report.up.course_done_to_date"),
}
PERIOD_ERROR = N_("report.err.period")  # the ValueError's message: a catalogue key


def parse_period(text: str, *, day: date | None = None) -> ov.Period:
    """A period from its written form (see the module docstring); ValueError with a catalogue key."""
    day = day or today()
    text = (text or "").strip()
    if text == "this-week":
        return ov.this_week(day)
    if text == "last-week":
        return ov.this_week(week_start(day) - timedelta(days=1))
    if m := ISO_WEEK.match(text):
        try:
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError as exc:
            raise ValueError(PERIOD_ERROR) from exc
        return ov.date_range(start, start + timedelta(days=6))
    if m := MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(PERIOD_ERROR)
        start = date(year, month, 1)
        following = date(year + (month == 12), 1 if month == 12 else month + 1, 1)
        return ov.date_range(start, following - timedelta(days=1))
    if ":" in text:
        first, _, last = text.partition(":")
        try:
            return ov.date_range(date.fromisoformat(first.strip()), date.fromisoformat(last.strip()))
        except ValueError as exc:
            raise ValueError(PERIOD_ERROR) from exc
    raise ValueError(PERIOD_ERROR)


@dataclass(frozen=True)
class AreaOption:
    id: int
    name: str
    level: str


@entry(Act.REPORT)
def report_areas(session: Session, *, actor: Actor) -> list[AreaOption]:
    """The areas the actor may produce a report for: their own area and every commune and village in it
    (tree order); a volunteer, their team's villages."""
    require_role(actor, *ov.READ_ROLES)
    if actor.is_volunteer:
        query = select(Area).where(Area.id.in_(actor.village_ids))
    else:
        query = select(Area).where(Area.path.like(actor.area_path + "%"))
    rows = session.exec(query.order_by(Area.depth)).scalars().all()
    rows = sorted(rows, key=lambda a: (a.depth, sort_key(a.name)))
    return [AreaOption(a.id, a.name, a.level) for a in rows]


def previous_period(period: ov.Period) -> ov.Period:
    """The period of the same length right before `period`."""
    days = (period.end - period.start).days + 1
    return ov.date_range(period.start - timedelta(days=days), period.start - timedelta(days=1))


@dataclass(frozen=True)
class Standing:
    """The headline counts as they stood at the end of a period: today's counts less what entered them
    after that day (rollup_dated), ages as of that day. Shares are of the residents counted then."""

    day: date
    residents: int
    adults: int
    guided: int
    all_five: int
    mastered: tuple[tuple[str, int], ...]  # SKILLS order
    households_done: int
    quota_fulfilment: float | None

    def share(self, count: int) -> float | None:
        return count / self.residents if self.residents else None


@dataclass(frozen=True)
class Report:
    """Everything a report shows: this period's overview, the previous period's, how the headline stood
    at the end of each, and the upward figures."""

    area: ov.AreaRef
    period: ov.Period
    produced_on: date
    current: ov.Overview
    previous: ov.Overview
    now: Standing  # at the end of the period (or today)
    before: Standing  # at the end of the previous period
    upward: tuple[tuple[str, int], ...]  # UPWARD order

    @property
    def title(self) -> str:
        return f"{self.area.name} · {self.period.start:%d/%m/%Y} – {self.period.end:%d/%m/%Y}"


@entry(Act.REPORT)
def build_report(session: Session, *, actor: Actor, area_id: int | None, period: ov.Period) -> Report:
    """The report of `area_id` (default the actor's own) — refused outside the actor's subtree, and for
    a volunteer anything wider than a village of their team (the service's own scope rules)."""
    area = get_area_in_scope(session, actor, area_id if area_id is not None else actor.area_id)
    if actor.is_volunteer and area.level != "village":
        raise ValidationFailed([FieldProblem("area", "report.err.volunteer_area")])
    current = ov.overview(session, actor=actor, area_id=area.id, period=period)
    previous = ov.overview(session, actor=actor, area_id=area.id, period=previous_period(period))
    upward = _upward(session, area, current, period)
    now, before = _standing(session, area, current), _standing(session, area, previous)
    return Report(current.scope.area, period, today(), current, previous, now, before, upward)


def _standing(session: Session, area: Area, data: ov.Overview) -> Standing:
    """The overview's current counts taken back to its as-of day by what entered them since."""
    day = data.as_of
    after = dict(
        session.exec(
            select(RollupDated.measure, func.sum(RollupDated.count))
            .where(RollupDated.area_id == area.id, RollupDated.day > day, RollupDated.measure != "follow_up")
            .group_by(RollupDated.measure)
        ).all()
    )
    done = session.exec(
        select(func.coalesce(func.sum(RollupDated.count), 0)).where(
            RollupDated.area_id == area.id, RollupDated.measure == "household_done", RollupDated.day <= day
        )
    ).scalar_one()
    h = data.headline

    def then(count: int, measure: str) -> int:
        return count - int(after.get(measure, 0) or 0)

    return Standing(
        day=day,
        residents=then(h.residents, "registered"),
        adults=then(h.adults, "registered_adult"),
        guided=then(h.guided, "guided"),
        all_five=then(h.all_five, "all_five"),
        mastered=tuple((m.skill, then(m.residents, m.skill)) for m in h.mastered),
        households_done=int(done or 0),
        quota_fulfilment=h.quota.fulfilment if h.quota else None,
    )


def _upward(
    session: Session, area: Area, data: ov.Overview, period: ov.Period
) -> tuple[tuple[str, int], ...]:
    """The figures sent upward, from the rollups of the area's own row (period-bound ones by day or week)."""
    teams = session.exec(
        select(func.count(Team.id))
        .join(Area, Area.id == Team.area_id)
        .where(Area.path.like(area.path + "%"), Team.active.is_(True))
    ).scalar_one()
    members = session.exec(
        select(func.count(Member.id))
        .join(Team, Team.id == Member.team_id)
        .join(Area, Area.id == Team.area_id)
        .where(Area.path.like(area.path + "%"), Team.active.is_(True), Member.active.is_(True))
    ).scalar_one()
    dated = dict(
        session.exec(
            select(RollupDated.measure, func.sum(RollupDated.count))
            .where(RollupDated.area_id == area.id, RollupDated.day.between(period.start, period.end))
            .group_by(RollupDated.measure)
        ).all()
    )
    visits, dossiers, full, partial = session.exec(
        select(
            func.coalesce(func.sum(RollupAreaWeek.visits), 0),
            func.coalesce(func.sum(RollupAreaWeek.dossiers), 0),
            func.coalesce(func.sum(RollupAreaWeek.dossiers_full), 0),
            func.coalesce(func.sum(RollupAreaWeek.dossiers_partial), 0),
        ).where(
            RollupAreaWeek.area_id == area.id,
            RollupAreaWeek.week.between(week_start(period.start), period.end),
        )
    ).one()
    indicators = {i.code: i for i in data.indicators}
    values = {
        "teams": teams,
        "members": members,
        "households_first_done": dated.get("household_done", 0),
        "visits": visits,
        "residents_first_guided": dated.get("guided", 0),
        "vneid2_to_date": indicators["vneid2_14plus"].numerator,
        "dossiers_online": dossiers,
        "dossiers_full": full,
        "dossiers_partial": partial,
        "dossiers_kind_unknown": dossiers - full - partial,
        "payments_mastered": dated.get("pay", 0),
        "feedback_mastered": dated.get("feedback", 0),
        "receive_mastered": dated.get("receive", 0),
        "course_done_to_date": indicators["digital_course_done"].numerator,
    }
    return tuple((code, int(values[code] or 0)) for code in UPWARD)


# ---------------------------------------------------------------- tables (shared by the XLSX and the PDF)


@dataclass(frozen=True)
class Table:
    """One table of the report: a sheet of the workbook, a table of the PDF. `kinds` per column:
    "text", "int", "pct" (a share 0–1) or "dec" (a mean, two decimals)."""

    key: str  # catalogue key of its title
    headers: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: tuple[tuple, ...]


def tables(report: Report, lang: str = "vi") -> list[Table]:
    """Headline (with the previous period), indicators, child areas, satisfaction per child area and team,
    upward figures, quotas at risk."""
    n, b = report.now, report.before

    def t(key: str, **params) -> str:
        return translate(key, lang, **params)

    before_mastered = dict(b.mastered)
    headline = [
        (t("ov.residents"), n.residents, b.residents, "int"),
        (t("ov.adults"), n.adults, b.adults, "int"),
        (t("ov.guided"), n.share(n.guided), b.share(b.guided), "pct"),
        (t("ov.all_five"), n.share(n.all_five), b.share(b.all_five), "pct"),
        *[
            (t(labels.SKILL[skill]), n.share(count), b.share(before_mastered[skill]), "pct")
            for skill, count in n.mastered
        ],
        (t("report.households_done"), n.households_done, b.households_done, "int"),
    ]
    if n.quota_fulfilment is not None:
        headline.append((t("ov.quota"), n.quota_fulfilment, b.quota_fulfilment, "pct"))
    # Satisfaction after guidance: the ratings given in each period, as the overviews counted them.
    rated, rated_before = report.current.satisfaction, report.previous.satisfaction
    headline += [
        (t("report.sat.count"), rated.count, rated_before.count, "int"),
        (t("report.sat.average"), rated.average, rated_before.average, "dec"),
        (t("report.sat.satisfied"), rated.satisfied_share, rated_before.satisfied_share, "pct"),
    ]
    h = report.current.headline
    out = [
        Table(
            N_("report.t.headline"),
            (t("report.h.figure"), t("report.h.now"), t("report.h.before")),
            ("text", "mixed", "mixed"),
            tuple((name, now, before, kind) for name, now, before, kind in headline),
        ),
        Table(
            N_("ov.indicators"),
            (
                t("report.h.indicator"),
                t("report.h.numerator"),
                t("report.h.denominator"),
                t("report.h.share"),
                t("report.h.target"),
            ),
            ("text", "int", "int", "pct", "pct"),
            tuple(
                (t(labels.INDICATOR[i.code]), i.numerator, i.denominator, i.share, i.target_share)
                for i in report.current.indicators
            ),
        ),
        Table(
            N_("report.t.children"),
            (
                t("ov.chart.area"),
                t("ov.chart.residents"),
                t("ov.all_five"),
                t("ov.chart.share"),
                t("ov.chart.households"),
                t("report.h.visited"),
                t("ov.chart.overdue"),
            ),
            ("text", "int", "int", "pct", "int", "int", "int"),
            tuple(
                (
                    c.name,
                    c.residents,
                    c.all_five,
                    c.all_five_share,
                    c.households,
                    c.outcomes.visited,
                    c.overdue,
                )
                for c in report.current.children
            ),
        ),
        Table(
            N_("report.t.satisfaction"),
            (
                t("ov.sat.name"),
                t("ov.chart.owner_kind"),
                t("ov.sat.ratings"),
                t("ov.sat.average"),
                t("ov.sat.satisfied"),
                *(t("ov.sat.score", score=score) for score in SCORES),
            ),
            ("text", "text", "int", "dec", "pct", *("int",) * len(SCORES)),
            tuple(
                (
                    row.name,
                    t("ov.chart.team") if row.owner == "team" else t("ov.chart.area"),
                    row.ratings.count,
                    row.ratings.average,
                    row.ratings.satisfied_share,
                    *row.ratings.by_score,
                )
                for row in report.current.satisfaction_rows
            ),
        ),
        Table(
            N_("report.t.upward"),
            (t("report.h.figure"), t("report.h.value")),
            ("text", "int"),
            tuple((t(UPWARD[code]), value) for code, value in report.upward),
        ),
    ]
    quota = h.quota
    at_risk = [r for r in (quota.rows if quota else ()) if r.at_risk]
    out.append(
        Table(
            N_("report.t.at_risk"),
            (
                t("ov.chart.owner"),
                t("ov.chart.metric"),
                t("ov.chart.progress"),
                t("ov.chart.quota_target"),
                t("ov.chart.quota_share"),
            ),
            ("text", "text", "int", "int", "pct"),
            tuple(
                (
                    r.owner_name,
                    t("ov.chart.quota_skill", skill=t(labels.SKILL[r.skill]))
                    if r.skill
                    else t(labels.METRIC[r.metric]),
                    r.progress,
                    r.target,
                    r.progress / r.target if r.target else None,
                )
                for r in at_risk
            ),
        )
    )
    return out


# ---------------------------------------------------------------- XLSX


PCT = "0.0%"
DEC = "0.00"


def report_xlsx(report: Report, lang: str = "vi") -> bytes:
    """One sheet per table: the area and period on the first lines, a frozen header row, real numbers
    (shares as numbers formatted %), column widths set."""
    book = Workbook()
    book.remove(book.active)
    heading = translate(
        "report.heading",
        lang,
        area=report.area.name,
        start=f"{report.period.start:%d/%m/%Y}",
        end=f"{report.period.end:%d/%m/%Y}",
    )
    produced = translate("report.produced", lang, date=f"{report.produced_on:%d/%m/%Y}")
    for table in tables(report, lang):
        sheet = book.create_sheet(_sheet_title(translate(table.key, lang)))
        sheet.append([heading])
        sheet.append([produced])
        sheet.append(list(table.headers))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        sheet["A1"].font = Font(bold=True, size=13)
        for row in table.rows:
            kinds = table.kinds
            if kinds[1] == "mixed":  # the headline: each row says its own kind
                *values, kind = row
                kinds = ("text",) + (kind,) * (len(values) - 1)
                row = values
            sheet.append(list(row))
            for cell, kind in zip(sheet[sheet.max_row], kinds, strict=False):
                if kind == "pct":
                    cell.number_format = PCT
                elif kind == "dec":
                    cell.number_format = DEC
                elif kind == "int":
                    cell.number_format = "#,##0"
        sheet.freeze_panes = "A4"
        for index, header in enumerate(table.headers, start=1):
            longest = max(
                [len(str(header))] + [len(str(r[index - 1])) for r in table.rows if index - 1 < len(r)]
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(12, longest + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel's limits for a sheet name: 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]
