"""Recording visits and group sessions: guidance, skill ladder, barriers, derived state and rollups,
all in the caller's one transaction; retry-safe through a per-form idempotency key."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.clock import today, utcnow
from core.text import normalize_text
from models.enums import (
    GUIDANCE_KINDS,
    SKILL_LEVELS,
    SKILLS,
    Role,
    VisitKind,
    VisitOutcome,
    VisitPlace,
    VisitStatus,
)
from models.tables import (
    Area,
    Household,
    Member,
    Resident,
    ResidentSkill,
    SkillEvent,
    Team,
    Visit,
    VisitGuidance,
    VisitMember,
    VisitResident,
    VisitRevision,
)
from services import audit
from services.access import Actor, path_in_scope, require_role, require_village_access
from services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.rollups.core import (
    Deltas,
    ResidentFacts,
    VisitFacts,
    facts_of,
    household_contribution,
    resident_contribution,
    resident_facts_many,
    visit_contribution,
    visit_facts,
)

MAX_DAYS_BACK = 30
BARRIER_FIELDS = (
    "has_smartphone",
    "phone_own_name",
    "vneid_level",
    "has_payment_account",
    "poor_network",
    "fears_mistakes",
    "digital_course_done",
)
WRITER_ROLES = (Role.VOLUNTEER, Role.COORDINATOR)


@dataclass
class ResidentInput:
    """What happened with one resident present at a visit."""

    resident_id: int
    guidance: set[str] = field(default_factory=set)
    levels: dict[str, int] = field(default_factory=dict)  # skill -> observed level
    evidence: dict[str, str] = field(default_factory=dict)  # skill -> e.g. the dossier code
    reasons: dict[str, str] = field(default_factory=dict)  # skill -> why the level went down
    barriers: dict[str, object] = field(default_factory=dict)


@dataclass
class VisitInput:
    idempotency_key: str
    visited_on: date
    place: str
    outcome: str
    household_id: int | None = None  # None for a group session / the counter
    session_area_id: int | None = None  # where a session took place (village or commune)
    member_ids: list[int] = field(default_factory=list)  # teammates who went too
    follow_up_on: date | None = None
    notes: str = ""
    residents: list[ResidentInput] = field(default_factory=list)


# ---------------------------------------------------------------- validation


@dataclass
class _People:
    """The form's residents with their households and current levels, read once for the whole visit."""

    residents: dict[int, Resident] = field(default_factory=dict)
    households: dict[int, Household] = field(default_factory=dict)
    levels: dict[int, dict[str, int]] = field(default_factory=dict)

    def facts(self, resident_id: int, levels: dict[str, int] | None = None) -> ResidentFacts:
        resident = self.residents[resident_id]
        household = self.households[resident.household_id]
        return facts_of(resident, household, self.levels[resident_id] if levels is None else levels)


def _rows_by_id(session: Session, model, ids) -> dict:
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


def _load_people(session: Session, resident_ids: list[int]) -> _People:
    """Residents, their households and current levels: at most three queries whatever the number of
    residents (rows the session holds, e.g. just locked, are used as they are)."""
    people = _People()
    if not resident_ids:
        return people
    people.residents = _rows_by_id(session, Resident, resident_ids)
    people.households = _rows_by_id(session, Household, {r.household_id for r in people.residents.values()})
    people.levels = {rid: {} for rid in people.residents}
    for rid, skill, level in session.exec(
        select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level).where(
            ResidentSkill.resident_id.in_(sorted(people.residents))
        )
    ).all():
        people.levels[rid][skill] = level
    return people


def _validate(session: Session, actor: Actor, data: VisitInput) -> tuple[list[FieldProblem], int, _People]:
    problems: list[FieldProblem] = []
    now = today()
    if data.visited_on is None:
        problems.append(FieldProblem("visited_on", "err.required"))
    elif data.visited_on > now:
        problems.append(FieldProblem("visited_on", "err.visit_future"))
    elif data.visited_on < now - timedelta(days=MAX_DAYS_BACK):
        problems.append(FieldProblem("visited_on", "err.visit_too_old", {"days": MAX_DAYS_BACK}))
    if data.place not in {p.value for p in VisitPlace}:
        problems.append(FieldProblem("place", "err.invalid_choice"))
    if data.outcome not in {o.value for o in VisitOutcome}:
        problems.append(FieldProblem("outcome", "err.invalid_choice"))
    if data.follow_up_on is not None and data.visited_on and data.follow_up_on < data.visited_on:
        problems.append(FieldProblem("follow_up_on", "err.follow_up_before_visit"))
    if not data.idempotency_key or len(data.idempotency_key) > 64:
        problems.append(FieldProblem("form", "err.invalid_form"))

    # Where it counts, and scope.
    checked: set[int] = set()  # villages whose access is already checked

    def may_write(village: int) -> None:
        if village not in checked:
            require_village_access(session, actor, village)
            checked.add(village)

    if data.household_id is not None:
        household = session.get(Household, data.household_id)
        if household is None or household.status != "active":
            raise NotFound()
        may_write(household.village_id)
        village_id = household.village_id
    else:
        if data.session_area_id is None:
            problems.append(FieldProblem("area", "err.required"))
            return problems, 0, _People()
        area = session.get(Area, data.session_area_id)
        if area is None:
            raise NotFound()
        if area.level == "village":
            may_write(area.id)
        elif not area.path.startswith(actor.area_path) or (
            actor.is_volunteer and not any(p.startswith(area.path) for p in actor.village_paths)
        ):
            raise PermissionDenied("err.out_of_scope")
        village_id = area.id

    people = _load_people(session, [item.resident_id for item in data.residents])
    guidance_kinds = {g.value for g in GUIDANCE_KINDS}
    skill_codes = {s.value for s in SKILLS}
    seen: set[int] = set()
    for item in data.residents:
        resident = people.residents.get(item.resident_id)
        if resident is None or resident.status != "active" or item.resident_id in seen:
            problems.append(FieldProblem(f"resident.{item.resident_id}", "err.invalid_resident"))
            continue
        seen.add(item.resident_id)
        household = people.households[resident.household_id]
        if data.household_id is not None and resident.household_id != data.household_id:
            problems.append(FieldProblem(f"resident.{item.resident_id}", "err.invalid_resident"))
            continue
        may_write(household.village_id)
        if data.outcome != VisitOutcome.DONE and (item.guidance or item.levels):
            problems.append(FieldProblem(f"resident.{item.resident_id}", "err.guidance_needs_done"))
        for kind in item.guidance:
            if kind not in guidance_kinds:
                problems.append(FieldProblem(f"resident.{item.resident_id}.guidance", "err.invalid_choice"))
        current = people.levels[item.resident_id]
        for skill, level in item.levels.items():
            key = f"resident.{item.resident_id}.{skill}"
            if skill not in skill_codes or level not in SKILL_LEVELS:
                problems.append(FieldProblem(key, "err.invalid_choice"))
            elif level < current.get(skill, 0) and not (item.reasons.get(skill) or "").strip():
                problems.append(FieldProblem(key, "err.level_down_needs_reason"))
        for name in item.barriers:
            if name not in BARRIER_FIELDS:
                problems.append(FieldProblem(f"resident.{item.resident_id}.{name}", "err.invalid_choice"))
        vneid = item.barriers.get("vneid_level")
        if vneid is not None and vneid not in (0, 1, 2):
            problems.append(FieldProblem(f"resident.{item.resident_id}.vneid_level", "err.invalid_choice"))
    return problems, village_id, people


def _members_who_went(session: Session, actor: Actor, member_ids: list[int]) -> list[int]:
    """The actor's own member record plus teammates; a teammate outside the actor's reach is refused."""
    chosen = set(member_ids)
    if actor.member_id is not None:
        chosen.add(actor.member_id)
    if not chosen:
        return []
    found = {
        row.id: row
        for row in session.exec(
            select(Member.id, Member.active, Member.team_id, Area.path)
            .join(Team, Team.id == Member.team_id)
            .join(Area, Area.id == Team.area_id)
            .where(Member.id.in_(sorted(chosen)))
        ).all()
    }
    out = []
    for member_id in sorted(chosen):
        member = found.get(member_id)
        if member is None or not member.active:
            raise ValidationFailed([FieldProblem("members", "err.invalid_member")])
        if actor.is_volunteer and member.team_id != actor.team_id:
            raise ValidationFailed([FieldProblem("members", "err.invalid_member")])
        if not member.path.startswith(actor.area_path):
            raise PermissionDenied("err.out_of_scope")
        out.append(member_id)
    return out


# ---------------------------------------------------------------- recording


def find_by_key(session: Session, key: str) -> int | None:
    return session.exec(select(Visit.id).where(Visit.idempotency_key == key)).scalar()


def record_visit(session: Session, *, actor: Actor, data: VisitInput) -> int:
    """Write one visit with everything it implies. Returns its id; the same key twice returns the
    first visit's id and writes nothing more (double tap, resubmit after a dropped connection)."""
    require_role(actor, *WRITER_ROLES)
    existing = find_by_key(session, data.idempotency_key)
    if existing is not None:
        return existing
    _held = _lock_rows(  # kept referenced: the locked rows stay in the session for reuse
        session,
        {data.household_id} if data.household_id is not None else set(),
        {item.resident_id for item in data.residents},
    )
    problems, village_id, people = _validate(session, actor, data)
    if problems:
        raise ValidationFailed(problems)
    members = _members_who_went(session, actor, data.member_ids)
    now = utcnow()
    visit = Visit(
        idempotency_key=data.idempotency_key,
        kind=VisitKind.HOUSEHOLD if data.household_id is not None else VisitKind.SESSION,
        household_id=data.household_id,
        village_id=village_id,
        team_id=actor.team_id,
        visited_on=data.visited_on,
        place=data.place,
        outcome=data.outcome,
        follow_up_on=data.follow_up_on,
        notes=(data.notes or "").strip(),
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(visit)
            session.flush()
    except IntegrityError:
        # Another request with the same key committed first: that one is the visit.
        existing = find_by_key(session, data.idempotency_key)
        if existing is None:
            raise
        return existing
    deltas = Deltas()
    _write_details(session, actor, visit, data, members, people, deltas)
    deltas.apply(session)
    audit.record(
        session,
        user_id=actor.user_id,
        action="visit.recorded",
        entity="visit",
        entity_id=visit.id,
        area_id=village_id,
        details={
            "household_id": data.household_id,
            "outcome": data.outcome,
            "residents": len(data.residents),
        },
    )
    return visit.id


def _write_details(
    session: Session,
    actor: Actor,
    visit: Visit,
    data: VisitInput,
    members: list[int],
    people: _People,
    deltas: Deltas,
) -> None:
    """The rows of a new visit, derived state and the rollup deltas, computed from what is in hand.

    Only the residents present and the visit's own household can change: the facts before come from
    the rows read for validation, the facts after from the recomputation (which reads the raw rows)."""
    ids = [item.resident_id for item in data.residents]
    before = {rid: people.facts(rid) for rid in ids}
    events = _write_rows(session, actor, visit, data, members, people, utcnow())
    levels = _recompute_residents(session, ids)
    for rid in ids:
        deltas.diff(resident_contribution(before[rid]), resident_contribution(people.facts(rid, levels[rid])))
    if visit.household_id is not None:
        _recompute_households(session, [visit.household_id], deltas)
    deltas.add(visit_contribution(_written_visit_facts(visit, data, members, events)))


_VISIT_MEMBER = VisitMember.__table__
_VISIT_RESIDENT = VisitResident.__table__
_VISIT_GUIDANCE = VisitGuidance.__table__
_SKILL_EVENT = SkillEvent.__table__
_RESIDENT_SKILL = ResidentSkill.__table__


def _write_rows(
    session: Session,
    actor: Actor,
    visit: Visit,
    data: VisitInput,
    members: list[int],
    people: _People,
    now: datetime,
) -> list[dict]:
    """Who went, presence, guidance, new skill events (one executemany per table) and barrier flags.
    Returns the skill events written. `people.levels` are the levels before this visit; derived state
    (current levels, first guidance) is the caller's to recompute."""
    if members:
        session.exec(insert(_VISIT_MEMBER), params=[{"visit_id": visit.id, "member_id": m} for m in members])
    presence, guidance, events = [], [], []
    for item in data.residents:
        rid = item.resident_id
        presence.append({"visit_id": visit.id, "resident_id": rid})
        guidance.extend(
            {"visit_id": visit.id, "resident_id": rid, "kind": k} for k in sorted(set(item.guidance))
        )
        current = people.levels[rid]
        for skill in SKILLS:
            if skill.value not in item.levels:
                continue
            level = item.levels[skill.value]
            previous = current.get(skill.value, 0)
            evidence = (item.evidence.get(skill.value) or "").strip() or None
            if level == previous and evidence is None:
                continue  # nothing new observed
            events.append(
                {
                    "resident_id": rid,
                    "skill": skill.value,
                    "level": level,
                    "previous_level": previous,
                    "observed_on": visit.visited_on,
                    "visit_id": visit.id,
                    "evidence": evidence,
                    "reason": (item.reasons.get(skill.value) or "").strip() or None,
                    "active": True,
                    "recorded_by": actor.user_id,
                    "recorded_at": now,
                }
            )
        resident = people.residents[rid]
        for name, value in item.barriers.items():
            setattr(resident, name, value)
        resident.updated_at = now
    for table, rows in ((_VISIT_RESIDENT, presence), (_VISIT_GUIDANCE, guidance), (_SKILL_EVENT, events)):
        if rows:
            session.exec(insert(table), params=rows)
    return events


def _written_visit_facts(
    visit: Visit, data: VisitInput, members: list[int], events: list[dict]
) -> VisitFacts:
    """`visit_facts` of a visit just written, from the rows themselves rather than read back."""
    kinds: dict[str, int] = defaultdict(int)
    for item in data.residents:
        for kind in set(item.guidance):
            kinds[kind] += 1
    return VisitFacts(
        active=visit.status == VisitStatus.ACTIVE,
        day=visit.visited_on,
        village_id=visit.village_id,
        member_ids=tuple(members),
        done=visit.outcome == VisitOutcome.DONE,
        residents_met=len(data.residents),
        residents_guided=sum(1 for item in data.residents if item.guidance),
        guidance=dict(kinds),
        skills_mastered=sum(1 for e in events if e["level"] == 3 and e["previous_level"] < 3),
        dossiers=sum(1 for e in events if e["skill"] == "submit" and e["evidence"]),
    )


def _lock_rows(session: Session, household_ids: set[int], resident_ids: set[int]) -> list:
    """Row locks (PostgreSQL; SQLite already holds the database lock) on what a visit changes, in a
    fixed order, and a fresh read of them: two tablets writing about the same resident at once must
    not both compute their rollup deltas from the same "before". Returns the rows read."""
    rows: list = []
    if household_ids:
        rows += session.exec(
            select(Household)
            .where(Household.id.in_(sorted(household_ids)))
            .order_by(Household.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    if resident_ids:
        rows += session.exec(
            select(Resident)
            .where(Resident.id.in_(sorted(resident_ids)))
            .order_by(Resident.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    return rows


# ---------------------------------------------------------------- derived state


def recompute_resident(session: Session, resident_id: int) -> None:
    """Current skill levels from the latest active events; first guidance from active visits."""
    _recompute_residents(session, [resident_id])
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
    .values(level=bindparam("b_level"), updated_on=bindparam("b_day"))
)


def _recompute_residents(session: Session, resident_ids: list[int]) -> dict[int, dict[str, int]]:
    """`recompute_resident` for many residents in a few statements; returns their new levels (skill ->
    level above 0). The Resident objects get their first guidance date (flushed with the session)."""
    ids = sorted(set(resident_ids))
    if not ids:
        return {}
    latest: dict[int, dict[str, tuple[int, date]]] = {rid: {} for rid in ids}
    for rid, skill, level, observed_on in session.exec(
        select(SkillEvent.resident_id, SkillEvent.skill, SkillEvent.level, SkillEvent.observed_on)
        .where(SkillEvent.resident_id.in_(ids), SkillEvent.active.is_(True))
        .order_by(SkillEvent.observed_on, SkillEvent.id)
    ).all():
        latest[rid][skill] = (level, observed_on)
    stored = {
        (rid, skill): (level, day)
        for rid, skill, level, day in session.exec(
            select(
                ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level, ResidentSkill.updated_on
            ).where(ResidentSkill.resident_id.in_(ids))
        ).all()
    }
    removed, added, changed = [], [], []
    levels: dict[int, dict[str, int]] = {}
    for rid in ids:
        levels[rid] = {}
        for skill in SKILLS:
            level, day = latest[rid].get(skill.value, (0, None))
            row = stored.get((rid, skill.value))
            if level == 0:
                if row is not None:
                    removed.append({"b_resident": rid, "b_skill": skill.value})
                continue
            levels[rid][skill.value] = level
            if row is None:
                added.append({"resident_id": rid, "skill": skill.value, "level": level, "updated_on": day})
            elif row != (level, day):
                changed.append({"b_resident": rid, "b_skill": skill.value, "b_level": level, "b_day": day})
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
    """First done visit, last visit and the pending follow-up, from the household's active visits."""
    _recompute_households(session, [household_id], deltas)
    session.flush()


def _recompute_households(session: Session, household_ids: list[int], deltas: Deltas) -> None:
    """`recompute_household` for many households in two queries (changes flushed with the session)."""
    ids = sorted(set(household_ids))
    if not ids:
        return
    households = _rows_by_id(session, Household, ids)
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
        household.follow_up_on = rows[-1].follow_up_on if rows else None
        session.add(household)
        deltas.diff(before, household_contribution(household))


def visit_snapshot(session: Session, visit_id: int) -> str:
    """JSON of a visit and its details, kept in visit_revision before a correction or withdrawal."""
    visit = session.get(Visit, visit_id)
    data = visit.model_dump(mode="json")
    data["members"] = list(
        session.exec(select(VisitMember.member_id).where(VisitMember.visit_id == visit_id)).scalars()
    )
    data["residents"] = list(
        session.exec(select(VisitResident.resident_id).where(VisitResident.visit_id == visit_id)).scalars()
    )
    data["guidance"] = [
        list(r)
        for r in session.exec(
            select(VisitGuidance.resident_id, VisitGuidance.kind).where(VisitGuidance.visit_id == visit_id)
        ).all()
    ]
    data["skill_events"] = [
        list(r)
        for r in session.exec(
            select(
                SkillEvent.id, SkillEvent.resident_id, SkillEvent.skill, SkillEvent.level, SkillEvent.active
            ).where(SkillEvent.visit_id == visit_id)
        ).all()
    ]
    return json.dumps(data, ensure_ascii=False, default=str, sort_keys=True)


# ---------------------------------------------------------------- corrections, withdrawals, recent visits

CORRECTION_DAYS = 7


def correction_open(visit_day: date, *, on: date | None = None) -> bool:
    """A visit can be corrected or withdrawn until CORRECTION_DAYS days after the day it took place
    (`visited_on`, the day the volunteer chose, not when the form was sent)."""
    return ((on or today()) - visit_day).days <= CORRECTION_DAYS


def _may_change(actor: Actor, visit: Visit) -> bool:
    """The author, or a coordinator of the area, within the correction window (scope checked apart)."""
    if actor.role == Role.COORDINATOR:
        return True
    return actor.role == Role.VOLUNTEER and visit.created_by == actor.user_id


def _load_for_change(session: Session, actor: Actor, visit_id: int) -> Visit:
    require_role(actor, *WRITER_ROLES)
    visit = session.exec(
        select(Visit).where(Visit.id == visit_id).with_for_update().execution_options(populate_existing=True)
    ).scalar()
    if visit is None:
        raise NotFound()
    area = session.get(Area, visit.village_id)
    if not path_in_scope(actor, area.path):
        raise PermissionDenied("err.out_of_scope")
    if not _may_change(actor, visit):
        raise PermissionDenied("journey.visit_not_yours")
    if visit.status != VisitStatus.ACTIVE:
        raise ValidationFailed([FieldProblem("visit", "journey.visit_withdrawn")])
    if not correction_open(visit.visited_on):
        raise PermissionDenied("journey.correction_closed", days=CORRECTION_DAYS)
    return visit


def _visit_people(session: Session, visit: Visit) -> tuple[set[int], set[int]]:
    """Residents present at the visit and every household it touches."""
    residents = set(
        session.exec(select(VisitResident.resident_id).where(VisitResident.visit_id == visit.id)).scalars()
    )
    households = set()
    if residents:
        households = set(
            session.exec(select(Resident.household_id).where(Resident.id.in_(sorted(residents)))).scalars()
        )
    if visit.household_id is not None:
        households.add(visit.household_id)
    return residents, households


def _add_revision(
    session: Session, actor: Actor, visit: Visit, action: str, reason: str | None, key: str | None
) -> None:
    snapshot = json.loads(visit_snapshot(session, visit.id))
    if key:
        snapshot["correction_key"] = key  # the form that replaced this state (resubmits are no-ops)
    session.add(
        VisitRevision(
            visit_id=visit.id,
            revised_by=actor.user_id,
            revised_at=utcnow(),
            action=action,
            reason=reason,
            snapshot=json.dumps(snapshot, ensure_ascii=False, default=str, sort_keys=True),
        )
    )


def _already_applied(session: Session, visit: Visit, key: str) -> bool:
    if not key or key == visit.idempotency_key:
        return False
    for snapshot in session.exec(
        select(VisitRevision.snapshot).where(
            VisitRevision.visit_id == visit.id, VisitRevision.action == "corrected"
        )
    ).scalars():
        if json.loads(snapshot).get("correction_key") == key:
            return True
    return False


def correct_visit(session: Session, *, actor: Actor, visit_id: int, data: VisitInput) -> int:
    """Replace what a visit recorded with `data` (the whole form, as for `record_visit`).

    Who: the volunteer who recorded it, or a coordinator of its area; when: until CORRECTION_DAYS
    days after its original `visited_on`. The previous state is kept in VisitRevision, the visit's old
    SkillEvents stay in the history marked inactive and new ones are written; derived state and
    rollups follow. A lower level than the resident had without this visit needs a reason.
    `data.idempotency_key` should be fresh per correction form: resending the same correction is then
    a no-op. The visit keeps its own idempotency key. Returns the visit id.
    Raises NotFound, PermissionDenied (not yours, out of scope, window closed), ValidationFailed.
    """
    visit = _load_for_change(session, actor, visit_id)
    if _already_applied(session, visit, data.idempotency_key):
        return visit.id
    old_residents, old_households = _visit_people(session, visit)
    new_residents = {item.resident_id for item in data.residents}
    new_households = {data.household_id} if data.household_id is not None else set()
    _held = _lock_rows(  # kept referenced, see record_visit
        session, old_households | new_households, old_residents | new_residents
    )
    # A savepoint: a correction that fails validation half-way leaves the visit as it was.
    with session.begin_nested():
        deltas = Deltas()
        deltas.add(visit_contribution(visit_facts(session, visit.id)), -1)
        existing = {
            rid for rid in new_residents if session.get(Resident, rid) is not None
        }  # unknown ids are reported by validation
        affected = sorted(old_residents | existing)
        before = {rid: resident_contribution(f) for rid, f in resident_facts_many(session, affected).items()}
        _add_revision(session, actor, visit, "corrected", None, data.idempotency_key)
        _clear_details(session, visit)
        _recompute_residents(session, affected)  # levels as they were without this visit
        checked = replace(data, idempotency_key=visit.idempotency_key)
        problems, village_id, people = _validate(session, actor, checked)
        if problems:
            raise ValidationFailed(problems)
        author = session.exec(select(Member.id).where(Member.user_id == visit.created_by)).scalar()
        members = _members_for_correction(session, actor, data.member_ids, author)
        visit.kind = VisitKind.HOUSEHOLD if data.household_id is not None else VisitKind.SESSION
        visit.household_id = data.household_id
        visit.village_id = village_id
        visit.visited_on = data.visited_on
        visit.place = data.place
        visit.outcome = data.outcome
        visit.follow_up_on = data.follow_up_on
        visit.notes = (data.notes or "").strip()
        visit.updated_at = utcnow()
        session.add(visit)
        session.flush()
        events = _write_rows(session, actor, visit, data, members, people, utcnow())
        _recompute_residents(session, [item.resident_id for item in data.residents])
        after = resident_facts_many(session, affected)
        for rid in affected:
            deltas.diff(before[rid], resident_contribution(after[rid]))
        households = set(old_households)
        households.update(people.residents[item.resident_id].household_id for item in data.residents)
        if visit.household_id is not None:
            households.add(visit.household_id)
        _recompute_households(session, sorted(households), deltas)
        deltas.add(visit_contribution(_written_visit_facts(visit, data, members, events)))
        deltas.apply(session)
    audit.record(
        session,
        user_id=actor.user_id,
        action="visit.corrected",
        entity="visit",
        entity_id=visit.id,
        area_id=visit.village_id,
        details={"outcome": data.outcome, "residents": len(data.residents)},
    )
    return visit.id


def _clear_details(session: Session, visit: Visit) -> None:
    """Detach the visit's details before they are rewritten (events stay, as inactive history)."""
    session.exec(
        update(SkillEvent)
        .where(SkillEvent.visit_id == visit.id, SkillEvent.active.is_(True))
        .values(active=False)
    )
    for model in (VisitGuidance, VisitResident, VisitMember):
        session.exec(delete(model).where(model.visit_id == visit.id))
    session.flush()


def _members_for_correction(
    session: Session, actor: Actor, member_ids: list[int], author_member: int | None
) -> list[int]:
    """Teammates from the form plus the author's own member record (not the corrector's)."""
    chosen = set(member_ids)
    if author_member is not None:
        chosen.add(author_member)
    out = []
    for member_id in sorted(chosen):
        member = session.get(Member, member_id)
        if member is None or (not member.active and member_id != author_member):
            raise ValidationFailed([FieldProblem("members", "err.invalid_member")])
        if actor.is_volunteer and member.team_id != actor.team_id:
            raise ValidationFailed([FieldProblem("members", "err.invalid_member")])
        team_area = session.get(Area, session.get(Team, member.team_id).area_id)
        if not team_area.path.startswith(actor.area_path):
            raise PermissionDenied("err.out_of_scope")
        out.append(member_id)
    return out


def withdraw_visit(session: Session, *, actor: Actor, visit_id: int, reason: str) -> None:
    """Withdraw a visit recorded by mistake: status 'withdrawn', its skill events inactive, its rows
    and a revision kept as history, derived state and rollups follow. Same who/when rules as
    `correct_visit`; `reason` is required (ValidationFailed on field "reason"). Withdrawing twice
    refuses the second time (field "visit")."""
    reason = normalize_text(reason)
    if not reason:
        raise ValidationFailed([FieldProblem("reason", "err.required")])
    if len(reason) > 500:
        raise ValidationFailed([FieldProblem("reason", "journey.too_long", {"max": 500})])
    visit = _load_for_change(session, actor, visit_id)
    residents, households = _visit_people(session, visit)
    _held = _lock_rows(session, households, residents)  # kept referenced, see record_visit
    deltas = Deltas()
    deltas.add(visit_contribution(visit_facts(session, visit.id)), -1)
    before = {rid: resident_contribution(f) for rid, f in resident_facts_many(session, residents).items()}
    _add_revision(session, actor, visit, "withdrawn", reason, None)
    visit.status = VisitStatus.WITHDRAWN
    visit.withdrawn_reason = reason
    visit.updated_at = utcnow()
    session.add(visit)
    session.exec(
        update(SkillEvent)
        .where(SkillEvent.visit_id == visit.id, SkillEvent.active.is_(True))
        .values(active=False)
    )
    session.flush()
    _recompute_residents(session, sorted(residents))
    after = resident_facts_many(session, residents)
    for rid in sorted(residents):
        deltas.diff(before[rid], resident_contribution(after[rid]))
    _recompute_households(session, sorted(households), deltas)
    deltas.apply(session)
    audit.record(
        session,
        user_id=actor.user_id,
        action="visit.withdrawn",
        entity="visit",
        entity_id=visit.id,
        area_id=visit.village_id,
        details={"reason": reason},
    )


@dataclass(frozen=True)
class RecentVisit:
    id: int
    visited_on: date
    created_at: datetime
    kind: str  # household | session
    household_id: int | None
    household_code: str | None
    address: str | None
    area_name: str  # the village (or the commune of a session)
    place: str
    outcome: str
    residents: int  # residents present
    status: str  # active | withdrawn
    mine: bool
    correctable: bool  # the actor may still correct or withdraw it


def recent_visits(session: Session, *, actor: Actor, days: int = 7, limit: int = 200) -> list[RecentVisit]:
    """Visits on or after today − `days`, newest first: a volunteer's own, a coordinator's (leader's,
    admin's) whole area. `correctable` says whether `correct_visit`/`withdraw_visit` would accept it."""
    require_role(actor, Role.VOLUNTEER, Role.COORDINATOR, Role.LEADER, Role.ADMIN)
    since = today() - timedelta(days=max(0, int(days)))
    met = (
        select(func.count())
        .select_from(VisitResident)
        .where(VisitResident.visit_id == Visit.id)
        .scalar_subquery()
    )
    statement = (
        select(Visit, Area.name, Area.path, Household.code, Household.address, met)
        .join(Area, Area.id == Visit.village_id)
        .outerjoin(Household, Household.id == Visit.household_id)
        .where(Visit.visited_on >= since)
    )
    if actor.is_volunteer:
        statement = statement.where(Visit.created_by == actor.user_id)
    else:
        lo = actor.area_path
        statement = statement.where(Area.path >= lo, Area.path < lo[:-1] + "0")
    rows = session.exec(
        statement.order_by(Visit.visited_on.desc(), Visit.created_at.desc(), Visit.id.desc()).limit(limit)
    ).all()
    out = []
    for visit, area_name, area_path, code, address, n in rows:
        correctable = (
            visit.status == VisitStatus.ACTIVE
            and correction_open(visit.visited_on)
            and _may_change(actor, visit)
            and path_in_scope(actor, area_path)
        )
        out.append(
            RecentVisit(
                id=visit.id,
                visited_on=visit.visited_on,
                created_at=visit.created_at,
                kind=visit.kind,
                household_id=visit.household_id,
                household_code=code,
                address=address,
                area_name=area_name,
                place=visit.place,
                outcome=visit.outcome,
                residents=int(n),
                status=visit.status,
                mine=visit.created_by == actor.user_id,
                correctable=correctable,
            )
        )
    return out
