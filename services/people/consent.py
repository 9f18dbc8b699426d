"""A resident's consent to keeping their data (Decree 13/2023): when, who recorded it and how.

Methods: "verbal" (đồng ý bằng lời khi được hỏi, e.g. ticked on the visit form), "written" (ký phiếu),
"imported" (from a list the commune already holds). Volunteers (in their team's villages), coordinators
and admins record it; leaders only read. Recording again over an existing consent changes nothing: the
first record stands. Each recording is audited without personal values.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from core.clock import today, utcnow
from core.i18n import t
from core.labels import N_
from models.tables import Area, Household, Resident
from services import audit
from services.access import Actor, require_role
from services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.permissions import Act, entry, roles_of

METHODS = ("verbal", "written", "imported")
METHOD_LABEL = {
    "verbal": N_("consent.method.verbal"),
    "written": N_("consent.method.written"),
    "imported": N_("consent.method.imported"),
}
RECORD_ROLES = roles_of(Act.CONSENT_RECORD)


def _check(actor: Actor, method: str, on: date | None) -> date:
    require_role(actor, *RECORD_ROLES)
    problems = []
    if method not in METHODS:
        problems.append(FieldProblem("consent_method", "err.invalid_choice"))
    on = on or today()
    if on > today():
        problems.append(FieldProblem("consent_on", "consent.err.future"))
    if problems:
        raise ValidationFailed(problems)
    return on


@entry(Act.CONSENT_RECORD)
def record_consent(
    session: Session,
    *,
    actor: Actor,
    resident_ids: list[int],
    method: str,
    on: date | None = None,
) -> list[int]:
    """Record consent for these residents (in the actor's area; a volunteer's: their team's villages).
    Residents who already consented keep their record. Returns the ids newly recorded."""
    on = _check(actor, method, on)
    if not resident_ids:
        return []
    rows = session.exec(
        select(Resident, Household.village_id, Area.path)
        .join(Household, Household.id == Resident.household_id)
        .join(Area, Area.id == Household.village_id)
        .where(Resident.id.in_(sorted(set(resident_ids))))
        .order_by(Resident.id)
        .with_for_update(of=Resident)
    ).all()
    if len(rows) != len(set(resident_ids)):
        raise NotFound()
    recorded: list[int] = []
    now = utcnow()
    for resident, village_id, path in rows:
        if not path.startswith(actor.area_path) or (
            actor.is_volunteer and village_id not in actor.village_ids
        ):
            raise PermissionDenied("err.out_of_scope")
        if resident.status == "merged":
            raise ValidationFailed([FieldProblem("consent", "adm.err.inactive")])
        if resident.consent_on is not None:
            continue
        resident.consent_on = on
        resident.consent_by = actor.user_id
        resident.consent_method = method
        resident.updated_at = now
        session.add(resident)
        recorded.append(resident.id)
        audit.record(
            session,
            user_id=actor.user_id,
            action="resident.consent",
            entity="resident",
            entity_id=resident.id,
            area_id=village_id,
            details={"consent_on": on.isoformat(), "method": method},
        )
    session.flush()
    return recorded


def consent_label(on: date | None, method: str | None, lang: str = "vi") -> str:
    """ "2025-03-04 (bằng lời)" for a page or an export cell; "" without consent."""
    if on is None:
        return ""
    if method not in METHOD_LABEL:
        return on.isoformat()
    how = t(METHOD_LABEL[method], lang)
    return on.isoformat() + " (" + how + ")"


def without_consent(session: Session, *, actor: Actor, resident_ids: list[int]) -> set[int]:
    """Which of these residents have no consent recorded yet (the visit form asks only them); empty for
    a role that cannot record consent."""
    if actor.role not in RECORD_ROLES or not resident_ids:
        return set()
    return set(
        session.exec(
            select(Resident.id).where(
                Resident.id.in_(sorted(set(resident_ids))), Resident.consent_on.is_(None)
            )
        ).scalars()
    )
