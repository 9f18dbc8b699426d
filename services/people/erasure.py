"""Erasure on request (Decree 13/2023): an admin removes a resident's (or a whole household's) personal
data while the campaign's history stays as counts.

What goes: the name (replaced by "Đã xoá #<id>"), phone, birth year, sex and consent of each resident;
a household's address and phone, the free-text notes of its visits (and of their stored revisions) and
its unsaved drafts. What stays: the rows themselves, their barrier flags, visits, guidance and skill
events, linked to the erased rows, so every count of the past stands. Birth year feeds the cohort
rollups: the change is measured before and after with the registry's ledger and the difference applied
in the same transaction, so `services.rollups.recount.compare` stays empty. The audit entry names who
erased which record, never a value (services.audit keeps personal values out of the log anyway).
"""

from __future__ import annotations

import json

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from core.clock import utcnow
from core.text import person_sort_name, search_key
from models.tables import Resident, SkillEvent, Visit, VisitDraft, VisitResident, VisitRevision
from services import audit
from services.access import Actor, require_role
from services.people.admin import _Ledger, _resident_ids
from services.people.registry import household_in_scope, resident_in_scope
from services.permissions import Act, entry, roles_of

ERASE_ROLES = roles_of(Act.RESIDENT_ERASE)
ERASED_NAME = "Đã xoá #{id}"
RESIDENT_FIELDS = ("full_name", "phone", "birth_year", "sex", "consent_on", "consent_by", "consent_method")


def erased_name(resident_id: int) -> str:
    return ERASED_NAME.format(id=resident_id)


def is_erased(full_name: str, resident_id: int) -> bool:
    return full_name == erased_name(resident_id)


def _blank_resident(resident: Resident, now) -> None:
    resident.full_name = erased_name(resident.id)
    resident.name_key = search_key(resident.full_name)
    resident.sort_name = person_sort_name(resident.full_name)
    resident.phone = resident.phone_rev = None
    resident.birth_year = None
    resident.sex = None
    resident.consent_on = resident.consent_by = resident.consent_method = None
    resident.updated_at = now


def _history(session: Session, resident_ids: list[int]) -> dict[str, int]:
    if not resident_ids:
        return {"visits": 0, "skill_events": 0}
    return {
        "visits": session.exec(
            select(func.count(func.distinct(VisitResident.visit_id))).where(
                VisitResident.resident_id.in_(resident_ids)
            )
        ).scalar_one(),
        "skill_events": session.exec(
            select(func.count(SkillEvent.id)).where(SkillEvent.resident_id.in_(resident_ids))
        ).scalar_one(),
    }


@entry(Act.RESIDENT_ERASE)
def erase_resident(session: Session, *, actor: Actor, resident_id: int) -> dict[str, int]:
    """Erase one resident's personal data (admins of the resident's area only). Returns what stays
    counted: {"visits": n, "skill_events": m}."""
    require_role(actor, *ERASE_ROLES)
    resident_in_scope(session, actor, resident_id)
    ledger = _Ledger(session)
    ledger.lock(residents=[resident_id])
    resident, household = resident_in_scope(session, actor, resident_id)  # again, on the locked rows
    ledger.snapshot(residents=[resident.id])
    _blank_resident(resident, utcnow())
    session.add(resident)
    ledger.apply()
    kept = _history(session, [resident_id])
    audit.record(
        session,
        user_id=actor.user_id,
        action="resident.erased",
        entity="resident",
        entity_id=resident_id,
        area_id=household.village_id,
        details={"fields": list(RESIDENT_FIELDS), **kept},
    )
    return kept


@entry(Act.RESIDENT_ERASE)
def erase_household(session: Session, *, actor: Actor, household_id: int) -> dict[str, int]:
    """Erase a household's address and phone, its visits' notes and drafts, and every one of its
    residents' personal data (admins of its area only). Returns what stays counted."""
    require_role(actor, *ERASE_ROLES)
    household_in_scope(session, actor, household_id)
    ledger = _Ledger(session)
    ledger.lock(members_of=[household_id])
    household = household_in_scope(session, actor, household_id)  # again, on the locked rows
    residents = _resident_ids(session, household.id)
    ledger.snapshot(households=[household.id], residents=residents)
    now = utcnow()
    household.address = household.address_key = ""
    household.phone = None
    household.updated_at = now
    session.add(household)
    for rid in residents:
        resident = session.get(Resident, rid)
        _blank_resident(resident, now)
        session.add(resident)
    visit_ids = list(session.exec(select(Visit.id).where(Visit.household_id == household.id)).scalars())
    if visit_ids:
        session.exec(
            update(Visit)
            .where(Visit.id.in_(visit_ids))
            .values(notes="")
            .execution_options(synchronize_session=False)
        )
        _blank_revision_notes(session, visit_ids)
    session.exec(delete(VisitDraft).where(VisitDraft.household_id == household.id))
    ledger.apply()
    kept = {"residents": len(residents), **_history(session, residents), "household_visits": len(visit_ids)}
    audit.record(
        session,
        user_id=actor.user_id,
        action="household.erased",
        entity="household",
        entity_id=household.id,
        area_id=household.village_id,
        details={"fields": ["address", "phone", "notes"], "resident_ids": residents, **kept},
    )
    return kept


def _blank_revision_notes(session: Session, visit_ids: list[int]) -> None:
    """Stored revisions (the visit before a correction) lose their notes too."""
    for rev_id, raw in session.exec(
        select(VisitRevision.id, VisitRevision.snapshot).where(VisitRevision.visit_id.in_(visit_ids))
    ).all():
        try:
            snapshot = json.loads(raw)
        except ValueError:
            continue
        if isinstance(snapshot, dict) and snapshot.get("notes"):
            snapshot["notes"] = ""
            session.exec(
                update(VisitRevision)
                .where(VisitRevision.id == rev_id)
                .values(snapshot=json.dumps(snapshot, ensure_ascii=False, default=str))
                .execution_options(synchronize_session=False)
            )
