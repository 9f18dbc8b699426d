"""Rollup tables the dashboards read, kept exact by applying deltas in the writer's transaction.

Every write describes the *contribution* of what it touches (a resident, a household, a visit) before
and after the change; the difference is added to the village's rows and to every ancestor's rows, so
any area's view reads only its own and its children's counts. `recount` rebuilds the same numbers
from the raw rows, which `check-rollups` compares and the seeding uses to fill the tables in one pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from core.clock import week_start
from models.enums import SKILL_LEVELS, SKILLS, Guidance, SkillLevel, VisitOutcome
from models.tables import (
    Area,
    Household,
    Resident,
    ResidentSkill,
    RollupArea,
    RollupAreaWeek,
    RollupMemberDay,
    RollupSkill,
    SkillEvent,
    Visit,
    VisitGuidance,
    VisitMember,
    VisitResident,
)
from services.access import ancestor_ids

AREA_COLUMNS = (
    "households",
    "households_visited",
    "households_reached",
    "residents",
    "residents_guided",
    "residents_all_five",
    "no_smartphone",
    "phone_not_own",
    "no_vneid2",
    "no_payment",
    "course_done",
)
ACTIVITY_COLUMNS = (
    "visits",
    "visits_done",
    "residents_met",
    "residents_guided",
    "guide_submit",
    "guide_pay",
    "guide_apps",
    "skills_mastered",
    "dossiers",
)
# table name -> (model, key columns, value columns)
TABLES = {
    "rollup_skill": (RollupSkill, ("area_id", "skill", "level"), ("residents",)),
    "rollup_area": (RollupArea, ("area_id",), AREA_COLUMNS),
    "rollup_member_day": (RollupMemberDay, ("day", "member_id", "village_id"), ACTIVITY_COLUMNS),
    "rollup_area_week": (RollupAreaWeek, ("area_id", "week"), ACTIVITY_COLUMNS),
}

# A contribution: {(table, key tuple, column): count}
Contribution = dict[tuple[str, tuple, str], int]


# ---------------------------------------------------------------- contributions


@dataclass
class ResidentFacts:
    """What of a resident the rollups count (plain data, compared before and after a change)."""

    village_id: int
    counted: bool  # active resident in an active household
    levels: dict[str, int] = field(default_factory=dict)
    guided: bool = False
    has_smartphone: bool | None = None
    phone_own_name: bool | None = None
    vneid_level: int | None = None
    has_payment_account: bool | None = None
    digital_course_done: bool = False


def resident_facts(session: Session, resident_id: int) -> ResidentFacts:
    resident = session.get(Resident, resident_id)
    household = session.get(Household, resident.household_id)
    levels = dict(
        session.exec(
            select(ResidentSkill.skill, ResidentSkill.level).where(ResidentSkill.resident_id == resident_id)
        ).all()
    )
    return facts_of(resident, household, levels)


def resident_facts_many(session: Session, resident_ids: Iterable[int]) -> dict[int, ResidentFacts]:
    """`resident_facts` of many residents in three queries (the ORM objects in the session are used
    as they are, pending changes included)."""
    ids = sorted(set(resident_ids))
    if not ids:
        return {}
    residents = {r.id: r for r in session.exec(select(Resident).where(Resident.id.in_(ids))).scalars()}
    household_ids = sorted({r.household_id for r in residents.values()})
    households = {
        h.id: h for h in session.exec(select(Household).where(Household.id.in_(household_ids))).scalars()
    }
    levels: dict[int, dict[str, int]] = {rid: {} for rid in ids}
    for rid, skill, level in session.exec(
        select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level).where(
            ResidentSkill.resident_id.in_(ids)
        )
    ).all():
        levels[rid][skill] = level
    return {
        rid: facts_of(residents[rid], households[residents[rid].household_id], levels[rid]) for rid in ids
    }


def facts_of(resident: Resident, household: Household, levels: dict[str, int]) -> ResidentFacts:
    """The facts of a resident whose rows are already at hand (a copy: later changes do not leak in)."""
    return ResidentFacts(
        village_id=household.village_id,
        counted=resident.status == "active" and household.status == "active",
        levels=dict(levels),
        guided=resident.first_guided_on is not None,
        has_smartphone=resident.has_smartphone,
        phone_own_name=resident.phone_own_name,
        vneid_level=resident.vneid_level,
        has_payment_account=resident.has_payment_account,
        digital_course_done=resident.digital_course_done,
    )


def resident_contribution(facts: ResidentFacts) -> Contribution:
    if not facts.counted:
        return {}
    v = (facts.village_id,)
    out: Contribution = {}
    for skill in SKILLS:
        out[("rollup_skill", (facts.village_id, skill.value, facts.levels.get(skill, 0)), "residents")] = 1
    values = {
        "residents": 1,
        "residents_guided": int(facts.guided),
        "residents_all_five": int(all(facts.levels.get(s, 0) == SkillLevel.MASTERED for s in SKILLS)),
        "no_smartphone": int(facts.has_smartphone is False),
        "phone_not_own": int(facts.phone_own_name is False),
        "no_vneid2": int(facts.vneid_level is not None and facts.vneid_level < 2),
        "no_payment": int(facts.has_payment_account is False),
        "course_done": int(bool(facts.digital_course_done)),
    }
    for column, value in values.items():
        if value:
            out[("rollup_area", v, column)] = value
    return out


def household_contribution(household: Household) -> Contribution:
    if household.status != "active":
        return {}
    out: Contribution = {("rollup_area", (household.village_id,), "households"): 1}
    if household.first_visited_on is not None:
        out[("rollup_area", (household.village_id,), "households_visited")] = 1
    if household.last_visited_on is not None:
        out[("rollup_area", (household.village_id,), "households_reached")] = 1
    return out


@dataclass
class VisitFacts:
    active: bool
    day: date
    village_id: int
    member_ids: tuple[int, ...]
    done: bool
    residents_met: int
    residents_guided: int
    guidance: dict[str, int]
    skills_mastered: int
    dossiers: int


def visit_facts(session: Session, visit_id: int) -> VisitFacts:
    visit = session.get(Visit, visit_id)
    members = tuple(
        session.exec(select(VisitMember.member_id).where(VisitMember.visit_id == visit_id)).scalars()
    )
    met = session.exec(
        select(func.count()).select_from(VisitResident).where(VisitResident.visit_id == visit_id)
    ).scalar_one()
    guidance_rows = session.exec(
        select(VisitGuidance.resident_id, VisitGuidance.kind).where(VisitGuidance.visit_id == visit_id)
    ).all()
    kinds: dict[str, int] = defaultdict(int)
    for _rid, kind in guidance_rows:
        kinds[kind] += 1
    events = session.exec(
        select(SkillEvent.skill, SkillEvent.level, SkillEvent.previous_level, SkillEvent.evidence).where(
            SkillEvent.visit_id == visit_id, SkillEvent.active.is_(True)
        )
    ).all()
    return VisitFacts(
        active=visit.status == "active",
        day=visit.visited_on,
        village_id=visit.village_id,
        member_ids=members,
        done=visit.outcome == VisitOutcome.DONE,
        residents_met=met,
        residents_guided=len({rid for rid, _ in guidance_rows}),
        guidance=dict(kinds),
        skills_mastered=sum(1 for _s, lvl, prev, _e in events if lvl == 3 and prev < 3),
        dossiers=sum(1 for s, _l, _p, ev in events if s == "submit" and ev),
    )


def visit_contribution(facts: VisitFacts) -> Contribution:
    if not facts.active:
        return {}
    values = {
        "visits": 1,
        "visits_done": int(facts.done),
        "residents_met": facts.residents_met,
        "residents_guided": facts.residents_guided,
        "guide_submit": facts.guidance.get(Guidance.SUBMIT, 0),
        "guide_pay": facts.guidance.get(Guidance.PAY, 0),
        "guide_apps": facts.guidance.get(Guidance.APPS, 0),
        "skills_mastered": facts.skills_mastered,
        "dossiers": facts.dossiers,
    }
    out: Contribution = {}
    week = week_start(facts.day)
    for column, value in values.items():
        if not value:
            continue
        out[("rollup_area_week", (facts.village_id, week), column)] = value
        for member_id in facts.member_ids:
            out[("rollup_member_day", (facts.day, member_id, facts.village_id), column)] = value
    return out


# ---------------------------------------------------------------- applying deltas


class Deltas:
    """Accumulates contribution differences, then writes them (village and every ancestor) in one go."""

    def __init__(self) -> None:
        self.changes: dict[tuple[str, tuple, str], int] = defaultdict(int)

    def add(self, contribution: Contribution, sign: int = 1) -> None:
        for key, value in contribution.items():
            self.changes[key] += sign * value

    def diff(self, before: Contribution, after: Contribution) -> None:
        self.add(before, -1)
        self.add(after, +1)

    def apply(self, session: Session) -> None:
        pending = {k: v for k, v in self.changes.items() if v}
        self.changes.clear()
        if not pending:
            return
        paths = _area_paths(session, {_area_of(table, key) for (table, key, _c) in pending})
        rows: dict[tuple[str, tuple], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (table, key, column), value in pending.items():
            if table == "rollup_member_day":
                rows[(table, key)][column] += value
                continue
            for ancestor in ancestor_ids(paths[_area_of(table, key)]):
                rows[(table, (ancestor, *key[1:]))][column] += value
        # One statement per table, its rows in a fixed order: concurrent writers on PostgreSQL take
        # the row locks in the same order and cannot deadlock.
        batches: dict[str, list[tuple[tuple, dict[str, int]]]] = defaultdict(list)
        for (table, key), values in sorted(rows.items(), key=lambda item: (item[0][0], str(item[0][1]))):
            values = {c: v for c, v in values.items() if v}
            if values:
                batches[table].append((key, values))
        for table, batch in batches.items():
            _upsert_many(session, table, batch)


def _area_of(table: str, key: tuple) -> int:
    return key[2] if table == "rollup_member_day" else key[0]


def _area_paths(session: Session, area_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(area_ids))
    return dict(session.exec(select(Area.id, Area.path).where(Area.id.in_(ids))).all())


_UPSERTS: dict[tuple[str, str], object] = {}


def _upsert_statement(dialect: str, table: str):
    """INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c over every value column, built once per
    dialect and table (building `excluded` is costly) so that its compiled form is cached too."""
    statement = _UPSERTS.get((dialect, table))
    if statement is None:
        model, key_columns, value_columns = TABLES[table]
        insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert_fn(model.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=list(key_columns),
            set_={c: model.__table__.c[c] + statement.excluded[c] for c in value_columns},
        )
        _UPSERTS[(dialect, table)] = statement
    return statement


def _upsert_many(session: Session, table: str, batch: list[tuple[tuple, dict[str, int]]]) -> None:
    """Add counts to many rows of one rollup table in one executemany (absent columns add 0)."""
    _model, key_columns, value_columns = TABLES[table]
    params = [
        dict(zip(key_columns, key, strict=True)) | {c: values.get(c, 0) for c in value_columns}
        for key, values in batch
    ]
    session.exec(_upsert_statement(session.get_bind().dialect.name, table), params=params)


def upsert_add(session: Session, table: str, key: tuple, values: dict[str, int]) -> None:
    _upsert_many(session, table, [(key, values)])


# ---------------------------------------------------------------- full recount


def recount(session: Session) -> dict[str, dict[tuple, dict[str, int]]]:
    """Every rollup row recomputed from the raw rows: {table: {key: {column: count}}}, zeros omitted."""
    paths = dict(session.exec(select(Area.id, Area.path)).all())
    result: dict[str, dict[tuple, dict[str, int]]] = {
        t: defaultdict(lambda: defaultdict(int)) for t in TABLES
    }

    def add_area(table: str, village_id: int, rest: tuple, column: str, value: int) -> None:
        if not value:
            return
        for ancestor in ancestor_ids(paths[village_id]):
            result[table][(ancestor, *rest)][column] += value

    active_res = and_(Resident.status == "active", Household.status == "active")
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
        .where(active_res)
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
            add_area("rollup_area", village_id, (), column, int(value or 0))
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
        add_area("rollup_area", village_id, (), "households", households)
        add_area("rollup_area", village_id, (), "households_visited", visited)
        add_area("rollup_area", village_id, (), "households_reached", reached)

    skill_rows = session.exec(
        select(Household.village_id, ResidentSkill.skill, ResidentSkill.level, func.count())
        .join(Resident, Resident.id == ResidentSkill.resident_id)
        .join(Household, Household.id == Resident.household_id)
        .where(active_res, ResidentSkill.level > 0)
        .group_by(Household.village_id, ResidentSkill.skill, ResidentSkill.level)
    ).all()
    above_zero: dict[tuple[int, str], int] = defaultdict(int)
    for village_id, skill, level, count in skill_rows:
        add_area("rollup_skill", village_id, (skill, level), "residents", count)
        above_zero[(village_id, skill)] += count
    for village_id, residents in residents_per_village.items():
        for skill in SKILLS:
            add_area(
                "rollup_skill",
                village_id,
                (skill.value, 0),
                "residents",
                residents - above_zero[(village_id, skill.value)],
            )

    for (day, village_id, member_id), values in _activity_by_visit_group(session).items():
        for column, value in values.items():
            if not value:
                continue
            if member_id is None:
                add_area("rollup_area_week", village_id, (week_start(day),), column, value)
            else:
                result["rollup_member_day"][(day, member_id, village_id)][column] += value
    return {t: {k: dict(v) for k, v in rows.items() if any(v.values())} for t, rows in result.items()}


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
    events = (
        select(
            SkillEvent.visit_id,
            func.sum(case((and_(SkillEvent.level == 3, SkillEvent.previous_level < 3), 1), else_=0)).label(
                "m"
            ),
            func.sum(
                case(
                    (
                        and_(
                            SkillEvent.skill == "submit",
                            SkillEvent.evidence.is_not(None),
                            SkillEvent.evidence != "",
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("d"),
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


def stored(session: Session) -> dict[str, dict[tuple, dict[str, int]]]:
    out: dict[str, dict[tuple, dict[str, int]]] = {}
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


def level_counts_default() -> dict[int, int]:
    return dict.fromkeys(SKILL_LEVELS, 0)
