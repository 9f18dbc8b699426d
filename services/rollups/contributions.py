"""What one resident, household or visit contributes to the rollup rows the dashboards read.

A contribution is plain data, {(table, key, column): count}, computed from a thing's facts; a write
takes the contribution of what it touches before and after the change and lets `deltas.Deltas` add the
difference to the village and every ancestor. The table shapes below are shared with the recount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from core.clock import week_start
from models.enums import SKILLS, Guidance, Skill, SkillLevel, VisitOutcome
from models.tables import (
    Household,
    Resident,
    ResidentSkill,
    RollupArea,
    RollupAreaWeek,
    RollupCohort,
    RollupMemberDay,
    RollupOutcome,
    RollupSkill,
    SkillEvent,
    Visit,
    VisitGuidance,
    VisitMember,
    VisitResident,
)

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
COHORT_COLUMNS = (
    "residents",
    "guided",
    "all_five",
    "smartphone",
    "payment_account",
    "vneid2",
    "course_done",
    "online_user",
    "below_no_smartphone",
    "below_phone_not_own",
    "below_no_vneid2",
    "below_no_payment",
)
UNKNOWN_BIRTH_YEAR = 0  # rollup_cohort.birth_year of a resident with no birth year
# "Uses online public services": level 3 in at least one of these (installing the apps alone is not).
ONLINE_SERVICE_SKILLS: tuple[Skill, ...] = (Skill.SUBMIT, Skill.PAY, Skill.FEEDBACK, Skill.RECEIVE)
# table name -> (model, key columns, value columns)
TABLES = {
    "rollup_skill": (RollupSkill, ("area_id", "skill", "level"), ("residents",)),
    "rollup_area": (RollupArea, ("area_id",), AREA_COLUMNS),
    "rollup_cohort": (RollupCohort, ("area_id", "birth_year"), COHORT_COLUMNS),
    "rollup_outcome": (RollupOutcome, ("area_id", "outcome"), ("households",)),
    "rollup_member_day": (RollupMemberDay, ("day", "member_id", "village_id"), ACTIVITY_COLUMNS),
    "rollup_area_week": (RollupAreaWeek, ("area_id", "week"), ACTIVITY_COLUMNS),
}

# A contribution: {(table, key tuple, column): count}
Contribution = dict[tuple[str, tuple, str], int]


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
    birth_year: int | None = None


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
        birth_year=resident.birth_year,
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
    below = not values["residents_all_five"]
    cohort = {
        "residents": 1,
        "guided": values["residents_guided"],
        "all_five": values["residents_all_five"],
        "smartphone": int(facts.has_smartphone is True),
        "payment_account": int(facts.has_payment_account is True),
        "vneid2": int(facts.vneid_level == 2),
        "course_done": values["course_done"],
        "online_user": int(any(facts.levels.get(s, 0) == SkillLevel.MASTERED for s in ONLINE_SERVICE_SKILLS)),
        "below_no_smartphone": int(below and bool(values["no_smartphone"])),
        "below_phone_not_own": int(below and bool(values["phone_not_own"])),
        "below_no_vneid2": int(below and bool(values["no_vneid2"])),
        "below_no_payment": int(below and bool(values["no_payment"])),
    }
    year = (facts.village_id, facts.birth_year if facts.birth_year is not None else UNKNOWN_BIRTH_YEAR)
    for column, value in cohort.items():
        if value:
            out[("rollup_cohort", year, column)] = value
    return out


def household_contribution(household: Household) -> Contribution:
    if household.status != "active":
        return {}
    out: Contribution = {("rollup_area", (household.village_id,), "households"): 1}
    if household.first_visited_on is not None:
        out[("rollup_area", (household.village_id,), "households_visited")] = 1
    if household.last_visited_on is not None:
        out[("rollup_area", (household.village_id,), "households_reached")] = 1
    if household.last_outcome is not None:
        out[("rollup_outcome", (household.village_id, household.last_outcome), "households")] = 1
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
