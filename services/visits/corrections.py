"""Correcting and withdrawing a recorded visit, within CORRECTION_DAYS of the day it took place, and
the list of recent visits that says which ones may still be changed. The previous state is kept in
visit_revision and the old skill events stay as inactive history; derived state and rollups follow in
the caller's transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from core.clock import today, utcnow
from core.text import clean_notes, looks_like_id_number, normalize_text
from models.enums import Role, VisitKind, VisitStatus
from models.tables import (
    Area,
    Household,
    Member,
    Resident,
    SkillEvent,
    Team,
    Visit,
    VisitGuidance,
    VisitMember,
    VisitResident,
    VisitRevision,
)
from services import audit
from services.access import Actor, path_in_scope, require_role
from services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.people.derived import recompute_households, recompute_residents
from services.permissions import Act, authorize, entry
from services.rollups.contributions import (
    resident_contribution,
    resident_facts_many,
    visit_contribution,
    visit_facts,
)
from services.rollups.deltas import Deltas
from services.visits.record import (
    WRITER_ROLES,
    VisitInput,
    lock_visit_rows,
    validate_visit,
    write_visit_rows,
    written_visit_facts,
)

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
    data["satisfaction"] = {
        str(rid): score
        for rid, score in session.exec(
            select(VisitResident.resident_id, VisitResident.satisfaction).where(
                VisitResident.visit_id == visit_id, VisitResident.satisfaction.is_not(None)
            )
        ).all()
    }
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


@entry(Act.VISIT_CORRECT)
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
    _held = lock_visit_rows(  # kept referenced, see record_visit
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
        recompute_residents(session, affected)  # levels as they were without this visit
        checked = replace(data, idempotency_key=visit.idempotency_key)
        problems, village_id, people = validate_visit(session, actor, checked)
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
        visit.notes = clean_notes(data.notes)
        visit.updated_at = utcnow()
        session.add(visit)
        session.flush()
        events = write_visit_rows(session, actor, visit, data, members, people, utcnow())
        recompute_residents(session, [item.resident_id for item in data.residents])
        after = resident_facts_many(session, affected)
        for rid in affected:
            deltas.diff(before[rid], resident_contribution(after[rid]))
        households = set(old_households)
        households.update(people.residents[item.resident_id].household_id for item in data.residents)
        if visit.household_id is not None:
            households.add(visit.household_id)
        recompute_households(session, sorted(households), deltas)
        deltas.add(visit_contribution(written_visit_facts(visit, data, members, events)))
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


@entry(Act.VISIT_CORRECT)
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
    if looks_like_id_number(reason):
        raise ValidationFailed([FieldProblem("reason", "err.id_number")])
    visit = _load_for_change(session, actor, visit_id)
    residents, households = _visit_people(session, visit)
    _held = lock_visit_rows(session, households, residents)  # kept referenced, see record_visit
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
    recompute_residents(session, sorted(residents))
    after = resident_facts_many(session, residents)
    for rid in sorted(residents):
        deltas.diff(before[rid], resident_contribution(after[rid]))
    recompute_households(session, sorted(households), deltas)
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


@entry(Act.VISIT_FIND)
def recent_visits(session: Session, *, actor: Actor, days: int = 7, limit: int = 200) -> list[RecentVisit]:
    """Visits on or after today − `days`, newest first: a volunteer's own, a coordinator's (leader's,
    admin's) whole area. `correctable` says whether `correct_visit`/`withdraw_visit` would accept it."""
    authorize(actor, Act.VISIT_FIND)
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
