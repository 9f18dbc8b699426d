"""Every rollup row recomputed from the raw rows: `check-rollups` compares it with the stored rows
(`compare`), `rebuild-rollups` and the demo seeding replace the stored rows with it (`rebuild`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Integer, String, and_, case, delete, func, insert, literal, select
from sqlmodel import Session

from core.clock import week_start
from models.enums import SKILLS, Guidance, SkillLevel, VisitOutcome
from models.tables import (
    Area,
    Household,
    Resident,
    ResidentSkill,
    SkillEvent,
    Visit,
    VisitGuidance,
    VisitMember,
    VisitResident,
)
from services.access import ancestor_ids
from services.rollups.contributions import (
    ACTIVITY_COLUMNS,
    ADULT_AGE,
    COHORT_COLUMNS,
    DOSSIER_KINDS,
    FOLLOW_UP,
    NOT_MASTERED,
    ONLINE_SERVICE_SKILLS,
    RATING_MEASURES,
    TABLES,
    UNKNOWN_BIRTH_YEAR,
)

Rows = dict[str, dict[tuple, dict[str, int]]]  # {table: {key: {column: count}}}


def recount(session: Session) -> Rows:
    """Every rollup row recomputed from the raw rows: {table: {key: {column: count}}}, zeros omitted."""
    counts = _Counts(dict(session.exec(select(Area.id, Area.path)).all()))
    residents_per_village = _count_residents(session, counts)
    _count_households(session, counts)
    _count_skills(session, counts, residents_per_village)
    _count_cohorts(session, counts)
    _count_outcomes(session, counts)
    _count_activity(session, counts)
    _count_dated(session, counts)
    _count_conversion(session, counts)
    _count_ratings(session, counts)
    return counts.result()


class _Counts:
    """Counts being summed per rollup row; a village's counts go to the village and every ancestor."""

    def __init__(self, paths: dict[int, str]) -> None:
        self.paths = paths
        self.rows: dict[str, dict[tuple, dict[str, int]]] = {
            t: defaultdict(lambda: defaultdict(int)) for t in TABLES
        }

    def add_area(self, table: str, village_id: int, rest: tuple, column: str, value: int) -> None:
        if not value:
            return
        for ancestor in ancestor_ids(self.paths[village_id]):
            self.rows[table][(ancestor, *rest)][column] += value

    def result(self) -> Rows:
        return {t: {k: dict(v) for k, v in rows.items() if any(v.values())} for t, rows in self.rows.items()}


_ACTIVE_RESIDENT = and_(Resident.status == "active", Household.status == "active")


def _count_residents(session: Session, counts: _Counts) -> dict[int, int]:
    """rollup_area's resident columns; returns the active residents per village."""
    mastered = (
        select(ResidentSkill.resident_id)
        .where(ResidentSkill.level == SkillLevel.MASTERED)
        .group_by(ResidentSkill.resident_id)
        .having(func.count() == len(SKILLS))
        .subquery()
    )
    area_rows = session.exec(
        select(
            Household.village_id,
            func.count(Resident.id),
            func.count(Resident.first_guided_on),
            func.count(mastered.c.resident_id),
            func.sum(case((Resident.has_smartphone.is_(False), 1), else_=0)),
            func.sum(case((Resident.phone_own_name.is_(False), 1), else_=0)),
            func.sum(case((Resident.vneid_level < 2, 1), else_=0)),
            func.sum(case((Resident.has_payment_account.is_(False), 1), else_=0)),
            func.sum(case((Resident.digital_course_done.is_(True), 1), else_=0)),
        )
        .join(Household, Household.id == Resident.household_id)
        .outerjoin(mastered, mastered.c.resident_id == Resident.id)
        .where(_ACTIVE_RESIDENT)
        .group_by(Household.village_id)
    ).all()
    residents_per_village: dict[int, int] = {}
    for village_id, residents, guided, all_five, no_sp, not_own, no_vn, no_pay, course in area_rows:
        residents_per_village[village_id] = residents
        for column, value in (
            ("residents", residents),
            ("residents_guided", guided),
            ("residents_all_five", all_five),
            ("no_smartphone", no_sp),
            ("phone_not_own", not_own),
            ("no_vneid2", no_vn),
            ("no_payment", no_pay),
            ("course_done", course),
        ):
            counts.add_area("rollup_area", village_id, (), column, int(value or 0))
    return residents_per_village


def _count_households(session: Session, counts: _Counts) -> None:
    """rollup_area's household columns."""
    household_rows = session.exec(
        select(
            Household.village_id,
            func.count(),
            func.count(Household.first_visited_on),
            func.count(Household.last_visited_on),
        )
        .where(Household.status == "active")
        .group_by(Household.village_id)
    ).all()
    for village_id, households, visited, reached in household_rows:
        counts.add_area("rollup_area", village_id, (), "households", households)
        counts.add_area("rollup_area", village_id, (), "households_visited", visited)
        counts.add_area("rollup_area", village_id, (), "households_reached", reached)


def _count_skills(session: Session, counts: _Counts, residents_per_village: dict[int, int]) -> None:
    """rollup_skill: residents per skill and level (level 0, which has no stored row, by difference)."""
    skill_rows = session.exec(
        select(Household.village_id, ResidentSkill.skill, ResidentSkill.level, func.count())
        .join(Resident, Resident.id == ResidentSkill.resident_id)
        .join(Household, Household.id == Resident.household_id)
        .where(_ACTIVE_RESIDENT, ResidentSkill.level > 0)
        .group_by(Household.village_id, ResidentSkill.skill, ResidentSkill.level)
    ).all()
    above_zero: dict[tuple[int, str], int] = defaultdict(int)
    for village_id, skill, level, count in skill_rows:
        counts.add_area("rollup_skill", village_id, (skill, level), "residents", count)
        above_zero[(village_id, skill)] += count
    for village_id, residents in residents_per_village.items():
        for skill in SKILLS:
            counts.add_area(
                "rollup_skill",
                village_id,
                (skill.value, 0),
                "residents",
                residents - above_zero[(village_id, skill.value)],
            )


def _count_cohorts(session: Session, counts: _Counts) -> None:
    """rollup_cohort: active residents per village and birth year (UNKNOWN_BIRTH_YEAR when missing)."""
    online = [s.value for s in ONLINE_SERVICE_SKILLS]
    levels = (
        select(
            ResidentSkill.resident_id,
            func.sum(case((ResidentSkill.level == SkillLevel.MASTERED, 1), else_=0)).label("mastered"),
            func.sum(
                case(
                    (and_(ResidentSkill.level == SkillLevel.MASTERED, ResidentSkill.skill.in_(online)), 1),
                    else_=0,
                )
            ).label("online"),
        )
        .group_by(ResidentSkill.resident_id)
        .subquery()
    )
    all_five = func.coalesce(levels.c.mastered, 0) == len(SKILLS)
    below = func.coalesce(levels.c.mastered, 0) < len(SKILLS)

    def count_if(*conditions):
        return func.sum(case((and_(*conditions), 1), else_=0))

    year = func.coalesce(Resident.birth_year, UNKNOWN_BIRTH_YEAR)
    rows = session.exec(
        select(
            Household.village_id,
            year,
            func.count(Resident.id),
            func.count(Resident.first_guided_on),
            count_if(all_five),
            count_if(Resident.has_smartphone.is_(True)),
            count_if(Resident.has_payment_account.is_(True)),
            count_if(Resident.vneid_level == 2),
            count_if(Resident.digital_course_done.is_(True)),
            count_if(func.coalesce(levels.c.online, 0) > 0),
            count_if(below, Resident.has_smartphone.is_(False)),
            count_if(below, Resident.phone_own_name.is_(False)),
            count_if(below, Resident.vneid_level < 2),
            count_if(below, Resident.has_payment_account.is_(False)),
        )
        .join(Household, Household.id == Resident.household_id)
        .outerjoin(levels, levels.c.resident_id == Resident.id)
        .where(_ACTIVE_RESIDENT)
        .group_by(Household.village_id, year)
    ).all()
    for village_id, birth_year, *values in rows:
        for column, value in zip(COHORT_COLUMNS, values, strict=True):
            counts.add_area("rollup_cohort", village_id, (int(birth_year),), column, int(value or 0))


def _count_outcomes(session: Session, counts: _Counts) -> None:
    """rollup_outcome: active households by the outcome of their latest active visit (by date, then id),
    counted from the visits themselves (so a stale household.last_outcome shows as a difference)."""
    latest = (
        select(
            Visit.household_id,
            Visit.outcome,
            func.row_number()
            .over(partition_by=Visit.household_id, order_by=(Visit.visited_on.desc(), Visit.id.desc()))
            .label("n"),
        )
        .where(Visit.status == "active", Visit.household_id.is_not(None))
        .subquery()
    )
    rows = session.exec(
        select(Household.village_id, latest.c.outcome, func.count())
        .join(latest, and_(latest.c.household_id == Household.id, latest.c.n == 1))
        .where(Household.status == "active")
        .group_by(Household.village_id, latest.c.outcome)
    ).all()
    for village_id, outcome, households in rows:
        counts.add_area("rollup_outcome", village_id, (outcome,), "households", int(households))


def _count_activity(session: Session, counts: _Counts) -> None:
    """rollup_area_week (village and ancestors) and rollup_member_day (the village only)."""
    for (day, village_id, member_id), values in _activity_by_visit_group(session).items():
        for column, value in values.items():
            if not value:
                continue
            if member_id is None:
                counts.add_area("rollup_area_week", village_id, (week_start(day),), column, value)
            else:
                counts.rows["rollup_member_day"][(day, member_id, village_id)][column] += value


def _activity_by_visit_group(session: Session) -> dict[tuple, dict[str, int]]:
    """Activity summed per (day, village, None) and per (day, village, member) from active visits."""
    met = select(VisitResident.visit_id, func.count().label("n")).group_by(VisitResident.visit_id).subquery()
    guided = (
        select(
            VisitGuidance.visit_id,
            func.count(func.distinct(VisitGuidance.resident_id)).label("n"),
            *[func.sum(case((VisitGuidance.kind == g.value, 1), else_=0)).label(g.value) for g in Guidance],
        )
        .group_by(VisitGuidance.visit_id)
        .subquery()
    )
    # An event carrying a submitted dossier's code (counted in total and by its kind).
    dossier = and_(SkillEvent.skill == "submit", SkillEvent.evidence.is_not(None), SkillEvent.evidence != "")
    events = (
        select(
            SkillEvent.visit_id,
            func.sum(case((and_(SkillEvent.level == 3, SkillEvent.previous_level < 3), 1), else_=0)).label(
                "m"
            ),
            func.sum(case((dossier, 1), else_=0)).label("d"),
            *[
                func.sum(case((and_(dossier, SkillEvent.dossier_kind == kind), 1), else_=0)).label(
                    f"d_{kind}"
                )
                for kind in DOSSIER_KINDS
            ],
        )
        .where(SkillEvent.active.is_(True), SkillEvent.visit_id.is_not(None))
        .group_by(SkillEvent.visit_id)
        .subquery()
    )
    columns = (
        func.count(Visit.id),
        func.sum(case((Visit.outcome == VisitOutcome.DONE.value, 1), else_=0)),
        func.sum(func.coalesce(met.c.n, 0)),
        func.sum(func.coalesce(guided.c.n, 0)),
        *[func.sum(func.coalesce(guided.c[g.value], 0)) for g in Guidance],
        func.sum(func.coalesce(events.c.m, 0)),
        func.sum(func.coalesce(events.c.d, 0)),
        *[func.sum(func.coalesce(events.c[f"d_{kind}"], 0)) for kind in DOSSIER_KINDS],
    )

    def base(*extra):
        return (
            select(Visit.visited_on, Visit.village_id, *extra, *columns)
            .outerjoin(met, met.c.visit_id == Visit.id)
            .outerjoin(guided, guided.c.visit_id == Visit.id)
            .outerjoin(events, events.c.visit_id == Visit.id)
            .where(Visit.status == "active")
        )

    out: dict[tuple, dict[str, int]] = {}
    for row in session.exec(
        base(literal(None).label("member_id")).group_by(Visit.visited_on, Visit.village_id)
    ).all():
        out[(row[0], row[1], None)] = dict(zip(ACTIVITY_COLUMNS, (int(x or 0) for x in row[3:]), strict=True))
    for row in session.exec(
        base(VisitMember.member_id)
        .join(VisitMember, VisitMember.visit_id == Visit.id)
        .group_by(Visit.visited_on, Visit.village_id, VisitMember.member_id)
    ).all():
        out[(row[0], row[1], row[2])] = dict(
            zip(ACTIVITY_COLUMNS, (int(x or 0) for x in row[3:]), strict=True)
        )
    return out


def _count_ratings(session: Session, counts: _Counts) -> None:
    """Satisfaction ratings at active visits: rollup_dated "rating_N" by the visit's village and day
    (village and ancestors) and rollup_team_rating by the visit's team."""
    rows = session.exec(
        select(Visit.village_id, Visit.team_id, Visit.visited_on, VisitResident.satisfaction, func.count())
        .join(Visit, Visit.id == VisitResident.visit_id)
        .where(Visit.status == "active", VisitResident.satisfaction.is_not(None))
        .group_by(Visit.village_id, Visit.team_id, Visit.visited_on, VisitResident.satisfaction)
    ).all()
    for village_id, team_id, day, score, n in rows:
        day = _as_date(day)
        counts.add_area("rollup_dated", village_id, (RATING_MEASURES[int(score)], day), "count", int(n))
        if team_id is not None:
            counts.rows["rollup_team_rating"][(team_id, day, int(score))]["residents"] += int(n)


def _as_date(value) -> date:
    """A date from what the driver returns for a date expression (SQLite gives ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _count_dated(session: Session, counts: _Counts) -> None:
    """rollup_dated: counted residents and active households by the day each measure's date falls on."""

    def add(rows) -> None:
        for village_id, measure, day, n in rows:
            counts.add_area("rollup_dated", village_id, (measure, _as_date(day)), "count", int(n))

    def people(measure, day_column, *where):
        day = day_column.label("day")
        return session.exec(
            select(Household.village_id, literal(measure), day, func.count())
            .select_from(Resident)
            .join(Household, Household.id == Resident.household_id)
            .where(_ACTIVE_RESIDENT, *where)
            .group_by(Household.village_id, day)
        ).all()

    registered = func.date(Resident.created_at)
    add(people("registered", registered))
    born = Resident.birth_year
    add(people("registered_adult", registered, born.is_not(None), _year_of(registered) - born >= ADULT_AGE))
    add(people("guided", Resident.first_guided_on, Resident.first_guided_on.is_not(None)))
    add(
        session.exec(
            select(Household.village_id, ResidentSkill.skill, ResidentSkill.mastered_on, func.count())
            .select_from(ResidentSkill)
            .join(Resident, Resident.id == ResidentSkill.resident_id)
            .join(Household, Household.id == Resident.household_id)
            .where(_ACTIVE_RESIDENT, ResidentSkill.level == SkillLevel.MASTERED)
            .group_by(Household.village_id, ResidentSkill.skill, ResidentSkill.mastered_on)
        ).all()
    )
    five = (
        select(ResidentSkill.resident_id, func.max(ResidentSkill.mastered_on).label("reached"))
        .where(ResidentSkill.level == SkillLevel.MASTERED)
        .group_by(ResidentSkill.resident_id)
        .having(func.count() == len(SKILLS))
        .subquery()
    )
    add(
        session.exec(
            select(Household.village_id, literal("all_five"), five.c.reached, func.count())
            .select_from(Resident)
            .join(Household, Household.id == Resident.household_id)
            .join(five, five.c.resident_id == Resident.id)
            .where(_ACTIVE_RESIDENT)
            .group_by(Household.village_id, five.c.reached)
        ).all()
    )
    for measure, column in (
        ("household_done", Household.first_visited_on),
        (FOLLOW_UP, Household.follow_up_on),
    ):
        rows = session.exec(
            select(Household.village_id, literal(measure), column, func.count())
            .where(Household.status == "active", column.is_not(None))
            .group_by(Household.village_id, column)
        ).all()
        add(rows)


def _year_of(day):
    """The year of a date expression, as an integer, on SQLite and PostgreSQL."""
    return func.cast(func.substr(func.cast(day, String), 1, 4), Integer)


CONVERSION_CHUNK = 20_000  # residents per step of the conversion recount (bounded memory)


def _count_conversion(session: Session, counts: _Counts) -> None:
    """rollup_conversion from the visits, the guidance and resident_skill, residents in id chunks."""
    top = session.exec(select(func.max(Resident.id))).scalar() or 0
    rows = counts.rows["rollup_conversion"]
    for low in range(0, top + 1, CONVERSION_CHUNK):
        window = Resident.id.between(low, low + CONVERSION_CHUNK - 1)
        mastered: dict[int, dict[str, date]] = defaultdict(dict)
        for rid, skill, day in session.exec(
            select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.mastered_on)
            .join(Resident, Resident.id == ResidentSkill.resident_id)
            .where(window, ResidentSkill.level == SkillLevel.MASTERED)
        ).all():
            mastered[rid][skill] = _as_date(day)
        for owner, owner_column, join in (
            ("team", Visit.team_id, None),
            ("member", VisitMember.member_id, VisitMember),
        ):
            query = (
                select(Resident.id, owner_column, func.min(Visit.visited_on))
                .select_from(Resident)
                .join(Household, Household.id == Resident.household_id)
                .join(VisitGuidance, VisitGuidance.resident_id == Resident.id)
                .join(Visit, Visit.id == VisitGuidance.visit_id)
            )
            if join is not None:
                query = query.join(VisitMember, VisitMember.visit_id == Visit.id)
            query = query.where(
                window, _ACTIVE_RESIDENT, Visit.status == "active", owner_column.is_not(None)
            ).group_by(Resident.id, owner_column)
            for rid, owner_id, first in session.exec(query).all():
                guided_on = _as_date(first)
                for skill in SKILLS:
                    reached = mastered[rid].get(skill.value)
                    if reached is not None and reached < guided_on:
                        continue
                    week = NOT_MASTERED if reached is None else week_start(reached)
                    rows[(owner, owner_id, skill.value, week_start(guided_on), week)]["residents"] += 1


def stored(session: Session) -> Rows:
    out: Rows = {}
    for table, (model, keys, values) in TABLES.items():
        rows = session.exec(select(*[getattr(model, c) for c in (*keys, *values)])).all()
        out[table] = {}
        for row in rows:
            counts = {c: int(v) for c, v in zip(values, row[len(keys) :], strict=True) if v}
            if counts:
                out[table][tuple(row[: len(keys)])] = counts
    return out


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple
    column: str
    stored: int
    expected: int


def compare(session: Session) -> list[Difference]:
    """Stored rollups against a full recount; empty when they agree."""
    expected = recount(session)
    actual = stored(session)
    diffs: list[Difference] = []
    for table in TABLES:
        exp_rows, act_rows = expected[table], actual[table]
        for key in sorted(set(exp_rows) | set(act_rows), key=str):
            e, a = exp_rows.get(key, {}), act_rows.get(key, {})
            for column in sorted(set(e) | set(a)):
                if e.get(column, 0) != a.get(column, 0):
                    diffs.append(Difference(table, key, column, a.get(column, 0), e.get(column, 0)))
    return diffs


def rebuild(session: Session) -> None:
    """Replace every rollup row with a full recount (bulk seeding, repairs)."""
    expected = recount(session)
    for table, (model, keys, values) in TABLES.items():
        session.exec(delete(model))
        batch = [
            dict(zip(keys, key, strict=True)) | {c: counts.get(c, 0) for c in values}
            for key, counts in expected[table].items()
        ]
        for start in range(0, len(batch), 5000):
            session.exec(insert(model), params=batch[start : start + 5000])
