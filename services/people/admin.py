"""Coordinators fix the registry: edit a household or resident, move a resident, mark people moved away
or deceased, and merge duplicates without losing any history.

Nobody is deleted: moved, deceased and merged records stay for history and drop out of every
denominator because the rollups count active people only; each write applies its before/after
contribution difference in the caller's transaction and leaves an audit entry with what changed.

Every write first locks the households and residents it changes (`lock_rows_for_change`, the order
services/visits/record.py locks in) and only then reads them and takes its "before": on PostgreSQL a visit
committing in between would otherwise be counted once by itself and once more by this write's diff.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlmodel import Session

from core.clock import today, utcnow
from core.text import (
    is_valid_phone,
    looks_like_id_number,
    normalize_name,
    normalize_phone,
    normalize_text,
    person_sort_name,
    search_key,
)
from models.enums import Sex
from models.tables import (
    Area,
    Household,
    Resident,
    SkillEvent,
    Visit,
    VisitGuidance,
    VisitResident,
)
from services import audit
from services.access import Actor, require_role
from services.errors import FieldProblem, PermissionDenied, ValidationFailed
from services.people.derived import recompute_household, recompute_resident
from services.people.registry import household_in_scope, resident_in_scope
from services.permissions import Act, entry, roles_of
from services.rollups.contributions import (
    Contribution,
    household_contribution,
    resident_contribution,
    resident_facts,
    visit_contribution,
    visit_facts,
)
from services.rollups.deltas import Deltas

WRITE_ROLES = roles_of(Act.REGISTRY_EDIT)
MIN_BIRTH_YEAR = 1900
RESIDENT_FIELDS = (
    "full_name",
    "birth_year",
    "sex",
    "phone",
    "is_head",
    "has_smartphone",
    "phone_own_name",
    "vneid_level",
    "has_payment_account",
    "poor_network",
    "fears_mistakes",
    "digital_course_done",
)
FLAG_FIELDS = ("has_smartphone", "phone_own_name", "has_payment_account", "poor_network", "fears_mistakes")
MARKABLE = ("active", "moved", "deceased")
LOCK_CHUNK = 2000  # ids per SELECT ... FOR UPDATE


# ---------------------------------------------------------------- row locks


def lock_rows_for_change(
    session: Session, *, households=(), residents=(), members_of=()
) -> list[Household | Resident]:
    """Lock what a registry write changes and read it fresh, before its "before" snapshot.

    SELECT ... FOR UPDATE (PostgreSQL; SQLite renders no FOR UPDATE and already holds the database
    lock from BEGIN IMMEDIATE) with populate_existing, households first and then residents, each in id
    order: the order services.visits.record locks in, so the two never wait on each other in a circle.
    `members_of` are households whose residents are locked too, read after the household is locked.
    A resident's household is always locked with it: its village and status are part of what the
    resident counts for. Returns the rows read; keep them referenced so the session keeps them."""
    wanted_households = set(households) | set(members_of)
    wanted_residents = set(residents)
    locked_households: set[int] = set()
    locked_residents: set[int] = set()
    held: list[Household | Resident] = []
    while True:
        if wanted_residents - locked_residents:
            wanted_households |= _households_of(session, wanted_residents - locked_residents)
        held += _lock(session, Household, wanted_households - locked_households)
        locked_households |= wanted_households
        for chunk in _chunks(sorted(members_of)):
            wanted_residents.update(
                session.exec(select(Resident.id).where(Resident.household_id.in_(chunk))).scalars()
            )
        members_of = ()
        rows = _lock(session, Resident, wanted_residents - locked_residents)
        held += rows
        locked_residents |= wanted_residents
        # A resident moved to another household between the two reads: lock that one too.
        missing = {r.household_id for r in rows} - locked_households
        if not missing:
            return held
        wanted_households |= missing


def _lock(session: Session, table, ids: set[int]) -> list:
    rows: list = []
    for chunk in _chunks(sorted(ids)):
        rows += session.exec(
            select(table)
            .where(table.id.in_(chunk))
            .order_by(table.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    return rows


def _households_of(session: Session, resident_ids: set[int]) -> set[int]:
    out: set[int] = set()
    for chunk in _chunks(sorted(resident_ids)):
        out.update(session.exec(select(Resident.household_id).where(Resident.id.in_(chunk))).scalars())
    return out


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + LOCK_CHUNK] for i in range(0, len(ids), LOCK_CHUNK)]


# ---------------------------------------------------------------- contributions of a set of rows


class _Ledger:
    """Contributions of the touched households, residents and visits before a change, then the diff."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.households: set[int] = set()
        self.residents: set[int] = set()
        self.visits: set[int] = set()
        self.before: Contribution = {}
        self.held: list = []  # locked rows, kept referenced so the session keeps their fresh values

    def lock(self, *, households=(), residents=(), members_of=()) -> None:
        """Lock the rows this write changes (see `lock_rows_for_change`); call before reading them."""
        self.held += lock_rows_for_change(
            self.session, households=households, residents=residents, members_of=members_of
        )

    def _total(self) -> dict:
        total: dict = {}
        for hid in sorted(self.households):
            _merge(total, household_contribution(self.session.get(Household, hid)))
        for rid in sorted(self.residents):
            _merge(total, resident_contribution(resident_facts(self.session, rid)))
        for vid in sorted(self.visits):
            _merge(total, visit_contribution(visit_facts(self.session, vid)))
        return total

    def snapshot(self, *, households=(), residents=(), visits=()) -> None:
        self.households.update(households)
        self.residents.update(residents)
        self.visits.update(visits)
        self.before = self._total()

    def apply(self) -> None:
        self.session.flush()
        self.session.expire_all()
        deltas = Deltas()
        deltas.diff(self.before, self._total())
        deltas.apply(self.session)


def _merge(total: dict, contribution: Contribution) -> None:
    for key, value in contribution.items():
        total[key] = total.get(key, 0) + value


def _resident_ids(session: Session, household_id: int) -> list[int]:
    return list(session.exec(select(Resident.id).where(Resident.household_id == household_id)).scalars())


def _writable_household(session: Session, actor: Actor, household_id: int) -> Household:
    require_role(actor, *WRITE_ROLES)
    return household_in_scope(session, actor, household_id)


def _writable_resident(session: Session, actor: Actor, resident_id: int) -> tuple[Resident, Household]:
    require_role(actor, *WRITE_ROLES)
    return resident_in_scope(session, actor, resident_id)


@entry(Act.REGISTRY_EDIT)
def find_household(session: Session, *, actor: Actor, code: str) -> int:
    """Id of the household with this code in the actor's area (for move and merge forms)."""
    require_role(actor, *WRITE_ROLES)
    code = normalize_text(code)
    household = session.exec(select(Household).where(Household.code == code)).scalar()
    if household is None:
        raise ValidationFailed([FieldProblem("code", "adm.err.unknown_household", {"code": code})])
    try:
        household_in_scope(session, actor, household.id)
    except PermissionDenied as exc:
        raise ValidationFailed([FieldProblem("code", "adm.err.unknown_household", {"code": code})]) from exc
    return household.id


# ---------------------------------------------------------------- edits


@entry(Act.REGISTRY_EDIT)
def update_household(session: Session, *, actor: Actor, household_id: int, values: dict) -> dict:
    """Change address, phone or village. Returns {field: (before, after)} of what changed."""
    _writable_household(session, actor, household_id)
    ledger = _Ledger(session)
    ledger.lock(members_of=[household_id])
    household = _writable_household(session, actor, household_id)  # again, on the locked row
    problems: list[FieldProblem] = []
    new: dict = {}
    if "address" in values:
        new["address"] = normalize_text(values["address"])
        if looks_like_id_number(new["address"]):
            problems.append(FieldProblem("address", "err.id_number"))
    if "phone" in values:
        phone = normalize_phone(values["phone"])
        if phone is not None and not is_valid_phone(phone):
            problems.append(FieldProblem("phone", "adm.err.phone"))
        new["phone"] = phone
    if "village_id" in values:
        village = session.get(Area, int(values["village_id"]))
        if village is None or village.level != "village":
            problems.append(FieldProblem("village_id", "err.invalid_choice"))
        elif not village.path.startswith(actor.area_path):
            raise PermissionDenied("err.out_of_scope")
        new["village_id"] = int(values["village_id"])
    if problems:
        raise ValidationFailed(problems)
    changes = {k: (getattr(household, k), v) for k, v in new.items() if getattr(household, k) != v}
    if not changes:
        return {}
    ledger.snapshot(households=[household.id], residents=_resident_ids(session, household.id))
    for name, (_old, value) in changes.items():
        setattr(household, name, value)
    household.address_key = search_key(household.address)
    _save(session, actor, ledger, household, household, "household.edited", {"changes": changes})
    return changes


def _clean_resident_values(values: dict) -> tuple[dict, list[FieldProblem]]:
    problems: list[FieldProblem] = []
    new: dict = {}
    for name, value in values.items():
        if name not in RESIDENT_FIELDS:
            problems.append(FieldProblem(name, "err.invalid_choice"))
        elif name == "full_name":
            value = normalize_name(value)
            if not value:
                problems.append(FieldProblem(name, "err.required"))
            elif looks_like_id_number(value):
                problems.append(FieldProblem(name, "err.id_number"))
            new[name] = value
        elif name == "birth_year":
            if value in (None, ""):
                new[name] = None
            else:
                try:
                    year = int(value)
                except (TypeError, ValueError):
                    year = 0
                if not MIN_BIRTH_YEAR <= year <= today().year:
                    problems.append(
                        FieldProblem(name, "adm.err.birth_year", {"min": MIN_BIRTH_YEAR, "max": today().year})
                    )
                new[name] = year
        elif name == "sex":
            if value not in (None, "", *[s.value for s in Sex]):
                problems.append(FieldProblem(name, "err.invalid_choice"))
            new[name] = value or None
        elif name == "phone":
            phone = normalize_phone(value)
            if phone is not None and not is_valid_phone(phone):
                problems.append(FieldProblem(name, "adm.err.phone"))
            new[name] = phone
        elif name == "vneid_level":
            if value not in (None, 0, 1, 2):
                problems.append(FieldProblem(name, "err.invalid_choice"))
            new[name] = value
        elif name in ("is_head", "digital_course_done"):
            new[name] = bool(value)
        else:  # barrier flags: None = not asked yet
            if value not in (None, True, False):
                problems.append(FieldProblem(name, "err.invalid_choice"))
            new[name] = value
    return new, problems


@entry(Act.REGISTRY_EDIT)
def update_resident(session: Session, *, actor: Actor, resident_id: int, values: dict) -> dict:
    """Change a resident's particulars or barrier flags. Returns {field: (before, after)}."""
    _writable_resident(session, actor, resident_id)
    new, problems = _clean_resident_values(values)
    if problems:
        raise ValidationFailed(problems)
    ledger = _Ledger(session)
    ledger.lock(residents=[resident_id])
    resident, household = _writable_resident(session, actor, resident_id)  # again, on the locked rows
    changes = {k: (getattr(resident, k), v) for k, v in new.items() if getattr(resident, k) != v}
    if not changes:
        return {}
    ledger.snapshot(residents=[resident.id])
    for name, (_old, value) in changes.items():
        setattr(resident, name, value)
    if "full_name" in changes:
        resident.name_key = search_key(resident.full_name)
        resident.sort_name = person_sort_name(resident.full_name)
    if "phone" in changes:
        resident.phone_rev = resident.phone[::-1] if resident.phone else None
    _save(session, actor, ledger, resident, household, "resident.edited", {"changes": changes})
    return changes


@entry(Act.REGISTRY_EDIT)
def move_resident(session: Session, *, actor: Actor, resident_id: int, target_household_id: int) -> None:
    """Move a resident (with their whole history) to another household in the actor's area."""
    _writable_resident(session, actor, resident_id)
    _writable_household(session, actor, target_household_id)
    ledger = _Ledger(session)
    ledger.lock(households=[target_household_id], residents=[resident_id])
    resident, source = _writable_resident(session, actor, resident_id)  # again, on the locked rows
    target = _writable_household(session, actor, target_household_id)
    if target.id == source.id:
        raise ValidationFailed([FieldProblem("target", "adm.err.same")])
    if target.status != "active" or resident.status == "merged":
        raise ValidationFailed([FieldProblem("target", "adm.err.inactive")])
    ledger.snapshot(residents=[resident.id])
    resident.household_id = target.id
    resident.is_head = False
    _save(
        session,
        actor,
        ledger,
        resident,
        target,
        "resident.moved_household",
        {"from": source.code, "to": target.code},
    )


@entry(Act.REGISTRY_EDIT)
def set_resident_status(session: Session, *, actor: Actor, resident_id: int, status: str) -> None:
    """Mark a resident moved away or deceased (kept for history, no longer counted), or active again."""
    if status not in MARKABLE:
        raise ValidationFailed([FieldProblem("status", "adm.err.status")])
    _writable_resident(session, actor, resident_id)
    ledger = _Ledger(session)
    ledger.lock(residents=[resident_id])
    resident, household = _writable_resident(session, actor, resident_id)  # again, on the locked rows
    _change_status(session, actor, ledger, resident, household, status)


@entry(Act.REGISTRY_EDIT)
def set_household_status(session: Session, *, actor: Actor, household_id: int, status: str) -> None:
    """Mark a whole household moved away (its residents stop counting with it), or active again."""
    if status not in ("active", "moved"):
        raise ValidationFailed([FieldProblem("status", "adm.err.status")])
    _writable_household(session, actor, household_id)
    ledger = _Ledger(session)
    ledger.lock(members_of=[household_id])
    household = _writable_household(session, actor, household_id)  # again, on the locked row
    _change_status(session, actor, ledger, household, household, status)


def _change_status(
    session: Session,
    actor: Actor,
    ledger: _Ledger,
    row: Resident | Household,
    household: Household,
    status: str,
) -> None:
    """Set the status of a locked resident or household (`household`: where it counts): refused on a
    merged record, nothing on no change; the rollups follow (a household's residents count with it)
    and the audit keeps the old and the new status."""
    if row.status == "merged":
        raise ValidationFailed([FieldProblem("status", "adm.err.inactive")])
    if row.status == status:
        return
    if isinstance(row, Household):
        action = "household.status"
        ledger.snapshot(households=[row.id], residents=_resident_ids(session, row.id))
    else:
        action = "resident.status"
        ledger.snapshot(residents=[row.id])
    old = row.status
    row.status = status
    _save(session, actor, ledger, row, household, action, {"changes": {"status": [old, status]}})


def _save(
    session: Session,
    actor: Actor,
    ledger: _Ledger,
    row: Household | Resident,
    household: Household,
    action: str,
    details: dict,
) -> None:
    """Store a changed household or resident, apply the rollup difference, and audit it under the
    village of `household` (read after the write)."""
    row.updated_at = utcnow()
    session.add(row)
    ledger.apply()
    audit.record(
        session,
        user_id=actor.user_id,
        action=action,
        entity="household" if isinstance(row, Household) else "resident",
        entity_id=row.id,
        area_id=household.village_id,
        details=details,
    )


# ---------------------------------------------------------------- merging duplicates


@entry(Act.REGISTRY_EDIT)
def merge_households(session: Session, *, actor: Actor, loser_id: int, survivor_id: int) -> None:
    """Fold a duplicate household into the survivor: its residents and visits move over, it is kept as
    status 'merged' pointing at the survivor."""
    _writable_household(session, actor, loser_id)
    _writable_household(session, actor, survivor_id)
    ledger = _Ledger(session)
    ledger.lock(members_of=[loser_id, survivor_id])
    loser = _writable_household(session, actor, loser_id)  # again, on the locked rows
    survivor = _writable_household(session, actor, survivor_id)
    if loser.id == survivor.id:
        raise ValidationFailed([FieldProblem("survivor", "adm.err.same")])
    if loser.status == "merged" or survivor.status == "merged":
        raise ValidationFailed([FieldProblem("survivor", "adm.err.inactive")])
    residents = _resident_ids(session, loser.id)
    ledger.snapshot(
        households=[loser.id, survivor.id], residents=residents + _resident_ids(session, survivor.id)
    )
    visits = list(session.exec(select(Visit.id).where(Visit.household_id == loser.id)).scalars())
    now = utcnow()
    session.exec(
        update(Visit)
        .where(Visit.household_id == loser.id)
        .values(household_id=survivor.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.exec(
        update(Resident)
        .where(Resident.household_id == loser.id)
        .values(household_id=survivor.id, is_head=False, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    loser = session.get(Household, loser_id)
    survivor = session.get(Household, survivor_id)
    if not survivor.address and loser.address:
        survivor.address, survivor.address_key = loser.address, loser.address_key
    if not survivor.phone and loser.phone:
        survivor.phone = loser.phone
    loser.status = "merged"
    loser.merged_into_id = survivor.id
    loser.updated_at = survivor.updated_at = now
    session.add_all([loser, survivor])
    session.flush()
    scratch = Deltas()  # the ledger measures the whole change; recompute's own diff is not applied
    recompute_household(session, survivor.id, scratch)
    recompute_household(session, loser.id, scratch)
    ledger.apply()
    for household, action, other in (
        (loser, "household.merged", {"into": survivor.code}),
        (survivor, "household.absorbed", {"from": loser.code}),
    ):
        audit.record(
            session,
            user_id=actor.user_id,
            action=action,
            entity="household",
            entity_id=household.id,
            area_id=household.village_id,
            details={**other, "residents": residents, "visits": visits},
        )


@entry(Act.REGISTRY_EDIT)
def merge_residents(session: Session, *, actor: Actor, loser_id: int, survivor_id: int) -> None:
    """Fold a duplicate resident into the survivor: visits attended, guidance and skill events move over
    (a visit both attended keeps one row), barrier flags the survivor lacks are taken from the loser,
    and the derived state is recomputed. The loser stays as status 'merged' pointing at the survivor."""
    _writable_resident(session, actor, loser_id)
    _writable_resident(session, actor, survivor_id)
    ledger = _Ledger(session)
    ledger.lock(residents=[loser_id, survivor_id])
    loser, loser_household = _writable_resident(session, actor, loser_id)  # again, on the locked rows
    survivor, _ = _writable_resident(session, actor, survivor_id)
    if loser.id == survivor.id:
        raise ValidationFailed([FieldProblem("survivor", "adm.err.same")])
    if loser.status == "merged" or survivor.status == "merged":
        raise ValidationFailed([FieldProblem("survivor", "adm.err.inactive")])
    ledger.snapshot(residents=[loser.id, survivor.id], visits=sorted(_visits_of_resident(session, loser.id)))
    moved = {
        "visits": _move_attendance(session, loser.id, survivor.id),
        "guidance": _move_guidance(session, loser.id, survivor.id),
        "skill_events": _move_skill_events(session, loser.id, survivor.id),
    }
    session.expire_all()
    loser = session.get(Resident, loser_id)
    survivor = session.get(Resident, survivor_id)
    _fold_resident(loser, survivor, utcnow())
    session.add_all([loser, survivor])
    session.flush()
    recompute_resident(session, survivor.id)
    recompute_resident(session, loser.id)
    ledger.apply()
    for entity_id, action, other in (
        (loser.id, "resident.merged", survivor.id),
        (survivor.id, "resident.absorbed", loser.id),
    ):
        audit.record(
            session,
            user_id=actor.user_id,
            action=action,
            entity="resident",
            entity_id=entity_id,
            area_id=loser_household.village_id,
            details={"other": other, **moved},
        )


def _visits_of_resident(session: Session, resident_id: int) -> set[int]:
    """Visits the resident attended, was guided at or had a skill observed at."""
    visit_ids = set(
        session.exec(select(VisitResident.visit_id).where(VisitResident.resident_id == resident_id)).scalars()
    )
    visit_ids |= set(
        session.exec(select(VisitGuidance.visit_id).where(VisitGuidance.resident_id == resident_id)).scalars()
    )
    visit_ids |= {
        v
        for v in session.exec(
            select(SkillEvent.visit_id).where(SkillEvent.resident_id == resident_id)
        ).scalars()
        if v is not None
    }
    return visit_ids


def _move_attendance(session: Session, loser_id: int, survivor_id: int) -> int:
    """Attendance rows move to the survivor; a visit both attended keeps the survivor's row. Returns
    how many moved."""
    moved = 0
    shared = set(
        session.exec(select(VisitResident.visit_id).where(VisitResident.resident_id == survivor_id)).scalars()
    )
    for visit_id in (
        session.exec(select(VisitResident.visit_id).where(VisitResident.resident_id == loser_id))
        .scalars()
        .all()
    ):
        if visit_id in shared:
            _keep_rating(session, visit_id, loser_id, survivor_id)
            session.exec(
                delete(VisitResident).where(
                    VisitResident.visit_id == visit_id, VisitResident.resident_id == loser_id
                )
            )
        else:
            session.exec(
                update(VisitResident)
                .where(VisitResident.visit_id == visit_id, VisitResident.resident_id == loser_id)
                .values(resident_id=survivor_id)
                .execution_options(synchronize_session=False)
            )
            moved += 1
    return moved


def _keep_rating(session: Session, visit_id: int, loser_id: int, survivor_id: int) -> None:
    """A visit both attended: the survivor's row takes the loser's satisfaction rating if it has none."""
    rows = dict(
        session.exec(
            select(VisitResident.resident_id, VisitResident.satisfaction).where(
                VisitResident.visit_id == visit_id, VisitResident.resident_id.in_((loser_id, survivor_id))
            )
        ).all()
    )
    if rows.get(survivor_id) is None and rows.get(loser_id) is not None:
        session.exec(
            update(VisitResident)
            .where(VisitResident.visit_id == visit_id, VisitResident.resident_id == survivor_id)
            .values(satisfaction=rows[loser_id])
            .execution_options(synchronize_session=False)
        )


def _move_guidance(session: Session, loser_id: int, survivor_id: int) -> int:
    """Guidance rows move to the survivor; guidance of a kind the survivor got at the same visit is
    dropped. Returns how many moved."""
    moved = 0
    kept = set(
        session.exec(
            select(VisitGuidance.visit_id, VisitGuidance.kind).where(VisitGuidance.resident_id == survivor_id)
        ).all()
    )
    for visit_id, kind in session.exec(
        select(VisitGuidance.visit_id, VisitGuidance.kind).where(VisitGuidance.resident_id == loser_id)
    ).all():
        where = (
            VisitGuidance.visit_id == visit_id,
            VisitGuidance.resident_id == loser_id,
            VisitGuidance.kind == kind,
        )
        if (visit_id, kind) in kept:
            session.exec(delete(VisitGuidance).where(*where))
        else:
            session.exec(
                update(VisitGuidance)
                .where(*where)
                .values(resident_id=survivor_id)
                .execution_options(synchronize_session=False)
            )
            moved += 1
    return moved


def _move_skill_events(session: Session, loser_id: int, survivor_id: int) -> int:
    """Every skill event moves to the survivor (the history stays whole). Returns how many moved."""
    result = session.exec(
        update(SkillEvent)
        .where(SkillEvent.resident_id == loser_id)
        .values(resident_id=survivor_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _fold_resident(loser: Resident, survivor: Resident, now: datetime) -> None:
    """The survivor takes what it lacks from the loser (flags, phone, birth year, sex, course, consent);
    the loser is marked merged into it."""
    for name in (*FLAG_FIELDS, "vneid_level", "phone", "birth_year", "sex"):
        if getattr(survivor, name) is None and getattr(loser, name) is not None:
            setattr(survivor, name, getattr(loser, name))
    survivor.phone_rev = survivor.phone[::-1] if survivor.phone else None
    survivor.digital_course_done = survivor.digital_course_done or loser.digital_course_done
    if survivor.consent_on is None:
        survivor.consent_on = loser.consent_on
    loser.status = "merged"
    loser.merged_into_id = survivor.id
    loser.updated_at = survivor.updated_at = now
