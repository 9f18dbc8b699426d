"""Recording visits and group sessions: guidance, skill ladder, barriers, derived state and rollups,
all in the caller's one transaction; retry-safe through a per-form idempotency key."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

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
from services.clock import today, utcnow
from services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.rollups import (
    Deltas,
    household_contribution,
    resident_contribution,
    resident_facts,
    visit_contribution,
    visit_facts,
)
from services.scope import Actor, path_in_scope, require_role, require_village_access
from services.text import normalize_text

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


def _validate(session: Session, actor: Actor, data: VisitInput) -> tuple[list[FieldProblem], int]:
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
    if data.household_id is not None:
        household = session.get(Household, data.household_id)
        if household is None or household.status != "active":
            raise NotFound()
        require_village_access(session, actor, household.village_id)
        village_id = household.village_id
    else:
        if data.session_area_id is None:
            problems.append(FieldProblem("area", "err.required"))
            return problems, 0
        area = session.get(Area, data.session_area_id)
        if area is None:
            raise NotFound()
        if area.level == "village":
            require_village_access(session, actor, area.id)
        elif not area.path.startswith(actor.area_path) or (
            actor.is_volunteer and not any(p.startswith(area.path) for p in actor.village_paths)
        ):
            raise PermissionDenied("err.out_of_scope")
        village_id = area.id

    seen: set[int] = set()
    for item in data.residents:
        resident = session.get(Resident, item.resident_id)
        if resident is None or resident.status != "active" or item.resident_id in seen:
            problems.append(FieldProblem(f"resident.{item.resident_id}", "err.invalid_resident"))
            continue
        seen.add(item.resident_id)
        household = session.get(Household, resident.household_id)
        if data.household_id is not None and resident.household_id != data.household_id:
            problems.append(FieldProblem(f"resident.{item.resident_id}", "err.invalid_resident"))
            continue
        require_village_access(session, actor, household.village_id)
        if data.outcome != VisitOutcome.DONE and (item.guidance or item.levels):
            problems.append(FieldProblem(f"resident.{item.resident_id}", "err.guidance_needs_done"))
        for kind in item.guidance:
            if kind not in {g.value for g in GUIDANCE_KINDS}:
                problems.append(FieldProblem(f"resident.{item.resident_id}.guidance", "err.invalid_choice"))
        current = _current_levels(session, item.resident_id)
        for skill, level in item.levels.items():
            key = f"resident.{item.resident_id}.{skill}"
            if skill not in {s.value for s in SKILLS} or level not in SKILL_LEVELS:
                problems.append(FieldProblem(key, "err.invalid_choice"))
            elif level < current.get(skill, 0) and not (item.reasons.get(skill) or "").strip():
                problems.append(FieldProblem(key, "err.level_down_needs_reason"))
        for name in item.barriers:
            if name not in BARRIER_FIELDS:
                problems.append(FieldProblem(f"resident.{item.resident_id}.{name}", "err.invalid_choice"))
        vneid = item.barriers.get("vneid_level")
        if vneid is not None and vneid not in (0, 1, 2):
            problems.append(FieldProblem(f"resident.{item.resident_id}.vneid_level", "err.invalid_choice"))
    return problems, village_id


def _current_levels(session: Session, resident_id: int) -> dict[str, int]:
    return dict(
        session.exec(
            select(ResidentSkill.skill, ResidentSkill.level).where(ResidentSkill.resident_id == resident_id)
        ).all()
    )


def _members_who_went(session: Session, actor: Actor, member_ids: list[int]) -> list[int]:
    """The actor's own member record plus teammates; a teammate outside the actor's reach is refused."""
    chosen = set(member_ids)
    if actor.member_id is not None:
        chosen.add(actor.member_id)
    out = []
    for member_id in sorted(chosen):
        member = session.get(Member, member_id)
        if member is None or not member.active:
            raise ValidationFailed([FieldProblem("members", "err.invalid_member")])
        team = session.get(Team, member.team_id)
        team_area = session.get(Area, team.area_id)
        if actor.is_volunteer and member.team_id != actor.team_id:
            raise ValidationFailed([FieldProblem("members", "err.invalid_member")])
        if not team_area.path.startswith(actor.area_path):
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
    _lock_rows(
        session,
        {data.household_id} if data.household_id is not None else set(),
        {item.resident_id for item in data.residents},
    )
    problems, village_id = _validate(session, actor, data)
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
    _write_details(session, actor, visit, data, members, deltas)
    deltas.add(visit_contribution(visit_facts(session, visit.id)))
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
    session: Session, actor: Actor, visit: Visit, data: VisitInput, members: list[int], deltas: Deltas
) -> None:
    now = utcnow()
    for member_id in members:
        session.add(VisitMember(visit_id=visit.id, member_id=member_id))
    households: set[int] = set()
    for item in data.residents:
        before = resident_contribution(resident_facts(session, item.resident_id))
        households.add(_write_resident_rows(session, actor, visit, item, now))
        session.flush()
        recompute_resident(session, item.resident_id)
        deltas.diff(before, resident_contribution(resident_facts(session, item.resident_id)))
    if visit.household_id is not None:
        households.add(visit.household_id)
    for household_id in sorted(households):
        recompute_household(session, household_id, deltas)


def _write_resident_rows(
    session: Session, actor: Actor, visit: Visit, item: ResidentInput, now: datetime
) -> int:
    """Presence, guidance, new skill events and barrier flags of one resident; returns the household id.
    Derived state (current levels, first guidance) is the caller's to recompute."""
    resident = session.get(Resident, item.resident_id)
    session.add(VisitResident(visit_id=visit.id, resident_id=item.resident_id))
    for kind in sorted(item.guidance):
        session.add(VisitGuidance(visit_id=visit.id, resident_id=item.resident_id, kind=kind))
    current = _current_levels(session, item.resident_id)
    for skill in SKILLS:
        if skill.value not in item.levels:
            continue
        level = item.levels[skill.value]
        previous = current.get(skill.value, 0)
        evidence = (item.evidence.get(skill.value) or "").strip() or None
        if level == previous and evidence is None:
            continue  # nothing new observed
        session.add(
            SkillEvent(
                resident_id=item.resident_id,
                skill=skill.value,
                level=level,
                previous_level=previous,
                observed_on=visit.visited_on,
                visit_id=visit.id,
                evidence=evidence,
                reason=(item.reasons.get(skill.value) or "").strip() or None,
                recorded_by=actor.user_id,
                recorded_at=now,
            )
        )
    for name, value in item.barriers.items():
        setattr(resident, name, value)
    resident.updated_at = now
    session.add(resident)
    return resident.household_id


def _lock_rows(session: Session, household_ids: set[int], resident_ids: set[int]) -> None:
    """Row locks (PostgreSQL; SQLite already holds the database lock) on what a visit changes, in a
    fixed order, and a fresh read of them: two tablets writing about the same resident at once must
    not both compute their rollup deltas from the same "before"."""
    if household_ids:
        session.exec(
            select(Household)
            .where(Household.id.in_(sorted(household_ids)))
            .order_by(Household.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    if resident_ids:
        session.exec(
            select(Resident)
            .where(Resident.id.in_(sorted(resident_ids)))
            .order_by(Resident.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()


# ---------------------------------------------------------------- derived state


def recompute_resident(session: Session, resident_id: int) -> None:
    """Current skill levels from the latest active events; first guidance from active visits."""
    events = session.exec(
        select(SkillEvent.skill, SkillEvent.level, SkillEvent.observed_on)
        .where(SkillEvent.resident_id == resident_id, SkillEvent.active.is_(True))
        .order_by(SkillEvent.observed_on, SkillEvent.id)
    ).all()
    latest: dict[str, tuple[int, date]] = {}
    for skill, level, observed_on in events:
        latest[skill] = (level, observed_on)
    stored = {
        row.skill: row
        for row in session.exec(
            select(ResidentSkill).where(ResidentSkill.resident_id == resident_id)
        ).scalars()
    }
    for skill in SKILLS:
        level, day = latest.get(skill.value, (0, None))
        row = stored.get(skill.value)
        if level == 0:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                ResidentSkill(resident_id=resident_id, skill=skill.value, level=level, updated_on=day)
            )
        elif row.level != level or row.updated_on != day:
            row.level, row.updated_on = level, day
            session.add(row)
    first_guided = session.exec(
        select(func.min(Visit.visited_on))
        .join(VisitGuidance, VisitGuidance.visit_id == Visit.id)
        .where(VisitGuidance.resident_id == resident_id, Visit.status == "active")
    ).scalar()
    resident = session.get(Resident, resident_id)
    resident.first_guided_on = first_guided
    session.add(resident)
    session.flush()


def recompute_household(session: Session, household_id: int, deltas: Deltas) -> None:
    """First done visit, last visit and the pending follow-up, from the household's active visits."""
    household = session.get(Household, household_id)
    before = household_contribution(household)
    visits = session.exec(
        select(Visit.visited_on, Visit.outcome, Visit.follow_up_on)
        .where(Visit.household_id == household_id, Visit.status == "active")
        .order_by(Visit.visited_on, Visit.id)
    ).all()
    done = [v for v in visits if v.outcome == VisitOutcome.DONE]
    household.first_visited_on = done[0].visited_on if done else None
    household.last_visited_on = visits[-1].visited_on if visits else None
    household.follow_up_on = visits[-1].follow_up_on if visits else None
    session.add(household)
    session.flush()
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
    _lock_rows(session, old_households | new_households, old_residents | new_residents)
    # A savepoint: a correction that fails validation half-way leaves the visit as it was.
    with session.begin_nested():
        deltas = Deltas()
        deltas.add(visit_contribution(visit_facts(session, visit.id)), -1)
        existing = {
            rid for rid in new_residents if session.get(Resident, rid) is not None
        }  # unknown ids are reported by validation
        affected = sorted(old_residents | existing)
        before = {rid: resident_contribution(resident_facts(session, rid)) for rid in affected}
        _add_revision(session, actor, visit, "corrected", None, data.idempotency_key)
        _clear_details(session, visit)
        for rid in affected:
            recompute_resident(session, rid)  # levels as they were without this visit
        checked = replace(data, idempotency_key=visit.idempotency_key)
        problems, village_id = _validate(session, actor, checked)
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
        now = utcnow()
        for member_id in members:
            session.add(VisitMember(visit_id=visit.id, member_id=member_id))
        households = set(old_households)
        for item in data.residents:
            households.add(_write_resident_rows(session, actor, visit, item, now))
            session.flush()
            recompute_resident(session, item.resident_id)
        for rid in affected:
            deltas.diff(before[rid], resident_contribution(resident_facts(session, rid)))
        if visit.household_id is not None:
            households.add(visit.household_id)
        for household_id in sorted(households):
            recompute_household(session, household_id, deltas)
        deltas.add(visit_contribution(visit_facts(session, visit.id)))
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
    _lock_rows(session, households, residents)
    deltas = Deltas()
    deltas.add(visit_contribution(visit_facts(session, visit.id)), -1)
    before = {rid: resident_contribution(resident_facts(session, rid)) for rid in sorted(residents)}
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
    for rid in sorted(residents):
        recompute_resident(session, rid)
        deltas.diff(before[rid], resident_contribution(resident_facts(session, rid)))
    for household_id in sorted(households):
        recompute_household(session, household_id, deltas)
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
