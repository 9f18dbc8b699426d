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
    RollupConversion,
    RollupDated,
    RollupMemberDay,
    RollupOutcome,
    RollupSkill,
    RollupTeamRating,
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
    "dossiers_full",
    "dossiers_partial",
)
DOSSIER_KINDS = ("full", "partial")  # dịch vụ công trực tuyến toàn trình / một phần
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
    "rollup_dated": (RollupDated, ("area_id", "measure", "day"), ("count",)),
    "rollup_conversion": (
        RollupConversion,
        ("owner", "owner_id", "skill", "guided_week", "mastered_week"),
        ("residents",),
    ),
    "rollup_team_rating": (RollupTeamRating, ("team_id", "day", "score"), ("residents",)),
}
# Tables whose rows are not carried up the area tree (rollup_member_day: the village only).
AREA_LESS = frozenset({"rollup_conversion", "rollup_team_rating"})
SCORES = (1, 2, 3, 4, 5)  # satisfaction after guidance, 1 (not at all) to 5 (very satisfied)
RATING_MEASURES = {score: f"rating_{score}" for score in SCORES}
# rollup_dated measures, each by the day its date falls on: "registered" (resident row created),
# "registered_adult" (of those, aged 15+ in the year they were registered), "guided" (first guidance),
# each skill code (the current run at level 3 began), "all_five" (the last of the five runs began),
# "household_done" (first done visit), "follow_up" (the household's pending follow-up date), and
# "rating_1" … "rating_5" (satisfaction ratings given at active visits in the area, by the visit's day).
DATED_MEASURES: tuple[str, ...] = (
    "registered",
    "registered_adult",
    "guided",
    *(s.value for s in SKILLS),
    "all_five",
    "household_done",
    "follow_up",
    *RATING_MEASURES.values(),
)
ADULT_AGE = 15
FOLLOW_UP = "follow_up"
NOT_MASTERED = date(9999, 12, 31)  # rollup_conversion.mastered_week of a resident not at level 3 now

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
    registered_on: date | None = None  # the resident row's creation date
    first_guided_on: date | None = None
    mastered_on: dict[str, date] = field(default_factory=dict)  # skills at level 3: the run's first day
    firsts: tuple[tuple[str, int, date], ...] = ()  # (owner "team"|"member", id, first guidance day)


@dataclass(frozen=True)
class Progress:
    """A resident's dated progress: when each level-3 run began, first guidance per team and member."""

    mastered_on: dict[str, date] = field(default_factory=dict)
    firsts: tuple[tuple[str, int, date], ...] = ()


def resident_facts(session: Session, resident_id: int) -> ResidentFacts:
    return resident_facts_many(session, [resident_id])[resident_id]


def progress_of(session: Session, resident_ids: Iterable[int]) -> dict[int, Progress]:
    """Each resident's Progress from resident_skill and their guidance in active visits (three queries)."""
    ids = sorted(set(resident_ids))
    mastered: dict[int, dict[str, date]] = {rid: {} for rid in ids}
    firsts: dict[int, list[tuple[str, int, date]]] = {rid: [] for rid in ids}
    if not ids:
        return {}
    for rid, skill, day in session.exec(
        select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.mastered_on).where(
            ResidentSkill.resident_id.in_(ids), ResidentSkill.level == SkillLevel.MASTERED
        )
    ).all():
        mastered[rid][skill] = day
    guided = (
        select(VisitGuidance.resident_id, Visit.team_id, func.min(Visit.visited_on))
        .join(Visit, Visit.id == VisitGuidance.visit_id)
        .where(VisitGuidance.resident_id.in_(ids), Visit.status == "active", Visit.team_id.is_not(None))
        .group_by(VisitGuidance.resident_id, Visit.team_id)
    )
    for rid, team_id, day in session.exec(guided).all():
        firsts[rid].append(("team", team_id, day))
    by_member = (
        select(VisitGuidance.resident_id, VisitMember.member_id, func.min(Visit.visited_on))
        .join(Visit, Visit.id == VisitGuidance.visit_id)
        .join(VisitMember, VisitMember.visit_id == Visit.id)
        .where(VisitGuidance.resident_id.in_(ids), Visit.status == "active")
        .group_by(VisitGuidance.resident_id, VisitMember.member_id)
    )
    for rid, member_id, day in session.exec(by_member).all():
        firsts[rid].append(("member", member_id, day))
    return {rid: Progress(mastered[rid], tuple(sorted(firsts[rid]))) for rid in ids}


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
    progress = progress_of(session, ids)
    return {
        rid: facts_of(residents[rid], households[residents[rid].household_id], levels[rid], progress[rid])
        for rid in ids
    }


def facts_of(
    resident: Resident, household: Household, levels: dict[str, int], progress: Progress
) -> ResidentFacts:
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
        registered_on=resident.created_at.date() if resident.created_at is not None else None,
        first_guided_on=resident.first_guided_on,
        mastered_on=dict(progress.mastered_on),
        firsts=progress.firsts,
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
    out.update(_dated(facts, all_five=bool(values["residents_all_five"])))
    out.update(_conversion(facts))
    return out


def _dated(facts: ResidentFacts, *, all_five: bool) -> Contribution:
    """rollup_dated rows of a counted resident: registered (as an adult), first guided, reached level 3
    (per skill, the current run) and all five (the day the last of the five runs began)."""
    days: dict[str, date | None] = {"registered": facts.registered_on, "guided": facts.first_guided_on}
    registered = facts.registered_on
    if (
        registered is not None
        and facts.birth_year is not None
        and registered.year - facts.birth_year >= ADULT_AGE
    ):
        days["registered_adult"] = registered
    for skill in SKILLS:
        if facts.levels.get(skill, 0) == SkillLevel.MASTERED:
            days[skill.value] = facts.mastered_on.get(skill.value)
    if all_five and all(facts.mastered_on.get(s.value) for s in SKILLS):
        days["all_five"] = max(facts.mastered_on[s.value] for s in SKILLS)
    return {
        ("rollup_dated", (facts.village_id, measure, day), "count"): 1
        for measure, day in days.items()
        if day is not None
    }


def _conversion(facts: ResidentFacts) -> Contribution:
    """rollup_conversion rows of a counted resident: for each team and member that guided them, per
    skill not already mastered before that first guidance, the week of guidance and of reaching level 3."""
    out: Contribution = {}
    for owner, owner_id, guided_on in facts.firsts:
        for skill in SKILLS:
            reached = facts.mastered_on.get(skill.value) if facts.levels.get(skill, 0) == 3 else None
            if reached is not None and reached < guided_on:
                continue
            week = NOT_MASTERED if reached is None else week_start(reached)
            key = (owner, owner_id, skill.value, week_start(guided_on), week)
            out[("rollup_conversion", key, "residents")] = 1
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
    if household.first_visited_on is not None:
        out[
            ("rollup_dated", (household.village_id, "household_done", household.first_visited_on), "count")
        ] = 1
    if household.follow_up_on is not None:
        out[("rollup_dated", (household.village_id, FOLLOW_UP, household.follow_up_on), "count")] = 1
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
    team_id: int | None = None
    dossier_kinds: dict[str, int] = field(default_factory=dict)  # "full" / "partial" -> dossiers
    ratings: dict[int, int] = field(default_factory=dict)  # score -> residents who gave it


def visit_facts(session: Session, visit_id: int) -> VisitFacts:
    visit = session.get(Visit, visit_id)
    members = tuple(
        session.exec(select(VisitMember.member_id).where(VisitMember.visit_id == visit_id)).scalars()
    )
    scores = (
        session.exec(select(VisitResident.satisfaction).where(VisitResident.visit_id == visit_id))
        .scalars()
        .all()
    )
    ratings: dict[int, int] = defaultdict(int)
    for score in scores:
        if score is not None:
            ratings[int(score)] += 1
    guidance_rows = session.exec(
        select(VisitGuidance.resident_id, VisitGuidance.kind).where(VisitGuidance.visit_id == visit_id)
    ).all()
    kinds: dict[str, int] = defaultdict(int)
    for _rid, kind in guidance_rows:
        kinds[kind] += 1
    events = session.exec(
        select(
            SkillEvent.skill,
            SkillEvent.level,
            SkillEvent.previous_level,
            SkillEvent.evidence,
            SkillEvent.dossier_kind,
        ).where(SkillEvent.visit_id == visit_id, SkillEvent.active.is_(True))
    ).all()
    dossier_kinds: dict[str, int] = defaultdict(int)
    for skill, _l, _p, evidence, kind in events:
        if skill == "submit" and evidence and kind in DOSSIER_KINDS:
            dossier_kinds[kind] += 1
    return VisitFacts(
        active=visit.status == "active",
        day=visit.visited_on,
        village_id=visit.village_id,
        member_ids=members,
        done=visit.outcome == VisitOutcome.DONE,
        residents_met=len(scores),
        residents_guided=len({rid for rid, _ in guidance_rows}),
        guidance=dict(kinds),
        skills_mastered=sum(1 for _s, lvl, prev, _e, _k in events if lvl == 3 and prev < 3),
        dossiers=sum(1 for s, _l, _p, ev, _k in events if s == "submit" and ev),
        team_id=visit.team_id,
        ratings=dict(ratings),
        dossier_kinds=dict(dossier_kinds),
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
        "dossiers_full": facts.dossier_kinds.get("full", 0),
        "dossiers_partial": facts.dossier_kinds.get("partial", 0),
    }
    out: Contribution = {}
    week = week_start(facts.day)
    for column, value in values.items():
        if not value:
            continue
        out[("rollup_area_week", (facts.village_id, week), column)] = value
        for member_id in facts.member_ids:
            out[("rollup_member_day", (facts.day, member_id, facts.village_id), column)] = value
    for score, n in facts.ratings.items():
        if not n:
            continue
        out[("rollup_dated", (facts.village_id, RATING_MEASURES[score], facts.day), "count")] = n
        if facts.team_id is not None:
            out[("rollup_team_rating", (facts.team_id, facts.day, score), "residents")] = n
    return out
