"""State derived from the visits, kept on the people's rows so lists and cards need no scans: a
resident's current skill levels (resident_skill, from the latest active skill events) and first
guidance date, a household's first done visit, last visit and pending follow-up. Also the one read of
current skill levels every list, card and printout uses (`current_levels`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlmodel import Session

from models.enums import SKILLS, VisitOutcome
from models.tables import Household, Resident, ResidentSkill, SkillEvent, Visit, VisitGuidance
from services.rollups.contributions import household_contribution
from services.rollups.deltas import Deltas

LEVELS_CHUNK = 900  # resident ids per IN (...) query
_RESIDENT_SKILL = ResidentSkill.__table__


def current_levels(
    session: Session, resident_ids: Iterable[int], *, every_skill: bool = True
) -> dict[int, dict[str, int]]:
    """Current level per skill of each resident, from resident_skill: every skill (0 where no row is
    stored), or with `every_skill=False` only the stored rows. Every id given has an entry."""
    ids = list(dict.fromkeys(resident_ids))
    skills = [s.value for s in SKILLS] if every_skill else []
    out = {rid: dict.fromkeys(skills, 0) for rid in ids}
    for start in range(0, len(ids), LEVELS_CHUNK):
        for rid, skill, level in session.exec(
            select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level).where(
                ResidentSkill.resident_id.in_(ids[start : start + LEVELS_CHUNK])
            )
        ).all():
            out[rid][skill] = level
    return out


def rows_by_id(session: Session, model, ids) -> dict:
    """Rows by primary key: those the session already holds as they are, the others in one query.
    (The identity map holds rows only while something references them: callers keep them.)"""
    found, missing = {}, []
    for row_id in set(ids):
        row = session.identity_map.get(session.identity_key(model, row_id))
        if row is None:
            missing.append(row_id)
        else:
            found[row_id] = row
    if missing:
        for row in session.exec(select(model).where(model.id.in_(sorted(missing)))).scalars():
            found[row.id] = row
    return found


def recompute_resident(session: Session, resident_id: int) -> None:
    """Current skill levels from the latest active events; first guidance from active visits."""
    recompute_residents(session, [resident_id])
    session.flush()


_DELETE_LEVEL = delete(_RESIDENT_SKILL).where(
    _RESIDENT_SKILL.c.resident_id == bindparam("b_resident"), _RESIDENT_SKILL.c.skill == bindparam("b_skill")
)
_UPDATE_LEVEL = (
    update(_RESIDENT_SKILL)
    .where(
        _RESIDENT_SKILL.c.resident_id == bindparam("b_resident"),
        _RESIDENT_SKILL.c.skill == bindparam("b_skill"),
    )
    .values(level=bindparam("b_level"), updated_on=bindparam("b_day"), mastered_on=bindparam("b_mastered"))
)


def recompute_residents(session: Session, resident_ids: list[int]) -> dict[int, dict[str, int]]:
    """`recompute_resident` for many residents in a few statements; returns their new levels (skill ->
    level above 0). The Resident objects get their first guidance date (flushed with the session).
    resident_skill.mastered_on is the day the current run at level 3 began."""
    ids = sorted(set(resident_ids))
    if not ids:
        return {}
    latest: dict[int, dict[str, tuple[int, date, date | None]]] = {rid: {} for rid in ids}
    for rid, skill, level, observed_on in session.exec(
        select(SkillEvent.resident_id, SkillEvent.skill, SkillEvent.level, SkillEvent.observed_on)
        .where(SkillEvent.resident_id.in_(ids), SkillEvent.active.is_(True))
        .order_by(SkillEvent.observed_on, SkillEvent.id)
    ).all():
        previous = latest[rid].get(skill)
        run_start = None
        if level == 3:
            run_start = previous[2] if previous is not None and previous[2] is not None else observed_on
        latest[rid][skill] = (level, observed_on, run_start)
    stored = {
        (rid, skill): (level, day, mastered_on)
        for rid, skill, level, day, mastered_on in session.exec(
            select(
                ResidentSkill.resident_id,
                ResidentSkill.skill,
                ResidentSkill.level,
                ResidentSkill.updated_on,
                ResidentSkill.mastered_on,
            ).where(ResidentSkill.resident_id.in_(ids))
        ).all()
    }
    removed, added, changed = [], [], []
    levels: dict[int, dict[str, int]] = {}
    for rid in ids:
        levels[rid] = {}
        for skill in SKILLS:
            level, day, mastered_on = latest[rid].get(skill.value, (0, None, None))
            row = stored.get((rid, skill.value))
            if level == 0:
                if row is not None:
                    removed.append({"b_resident": rid, "b_skill": skill.value})
                continue
            levels[rid][skill.value] = level
            if row is None:
                added.append(
                    {
                        "resident_id": rid,
                        "skill": skill.value,
                        "level": level,
                        "updated_on": day,
                        "mastered_on": mastered_on,
                    }
                )
            elif row != (level, day, mastered_on):
                changed.append(
                    {
                        "b_resident": rid,
                        "b_skill": skill.value,
                        "b_level": level,
                        "b_day": day,
                        "b_mastered": mastered_on,
                    }
                )
    if removed:
        session.exec(_DELETE_LEVEL, params=removed)
    if changed:
        session.exec(_UPDATE_LEVEL, params=changed)
    if added:
        session.exec(insert(_RESIDENT_SKILL), params=added)
    first_guided = dict(
        session.exec(
            select(VisitGuidance.resident_id, func.min(Visit.visited_on))
            .join(Visit, Visit.id == VisitGuidance.visit_id)
            .where(VisitGuidance.resident_id.in_(ids), Visit.status == "active")
            .group_by(VisitGuidance.resident_id)
        ).all()
    )
    for rid in ids:
        resident = session.get(Resident, rid)
        resident.first_guided_on = first_guided.get(rid)
        session.add(resident)
    return levels


def recompute_household(session: Session, household_id: int, deltas: Deltas) -> None:
    """First done visit, last visit (its date and outcome) and the pending follow-up, from the
    household's active visits."""
    recompute_households(session, [household_id], deltas)
    session.flush()


def recompute_households(session: Session, household_ids: list[int], deltas: Deltas) -> None:
    """`recompute_household` for many households in two queries (changes flushed with the session)."""
    ids = sorted(set(household_ids))
    if not ids:
        return
    households = rows_by_id(session, Household, ids)
    visits: dict[int, list] = {hid: [] for hid in ids}
    for row in session.exec(
        select(Visit.household_id, Visit.visited_on, Visit.outcome, Visit.follow_up_on)
        .where(Visit.household_id.in_(ids), Visit.status == "active")
        .order_by(Visit.household_id, Visit.visited_on, Visit.id)
    ).all():
        visits[row.household_id].append(row)
    for hid in ids:
        household = households[hid]
        before = household_contribution(household)
        rows = visits[hid]
        done = [v for v in rows if v.outcome == VisitOutcome.DONE]
        household.first_visited_on = done[0].visited_on if done else None
        household.last_visited_on = rows[-1].visited_on if rows else None
        household.last_outcome = rows[-1].outcome if rows else None
        household.follow_up_on = rows[-1].follow_up_on if rows else None
        session.add(household)
        deltas.diff(before, household_contribution(household))
