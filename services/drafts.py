"""Half-filled visit forms kept on the server per user × household, so a reload or a dropped session
loses nothing: saved as the form changes, offered again for 24 hours, deleted once the visit is saved."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from core.clock import utcnow
from models.tables import Household, VisitDraft
from services.access import Actor, require_role, require_village_access
from services.errors import FieldProblem, NotFound, ValidationFailed
from services.people.households import WRITER_ROLES
from services.permissions import Act, entry

DRAFT_HOURS = 24
MAX_DRAFT_CHARS = 64_000  # a household of 15 residents with long notes stays far below this


@dataclass(frozen=True)
class Draft:
    data: dict
    updated_at: datetime


@entry(Act.VISIT_RECORD)
def save_draft(session: Session, *, actor: Actor, household_id: int, data: dict) -> None:
    """Keep (replace) the actor's draft for this household; `data` must be a JSON object of bounded size."""
    _household_in_reach(session, actor, household_id)
    text = _encode(data)
    now = utcnow()
    values = {"user_id": actor.user_id, "household_id": household_id, "data": text, "updated_at": now}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(VisitDraft).values(**values)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["user_id", "household_id"], set_={"data": text, "updated_at": now}
        )
    )
    # The actor's drafts that can no longer be offered are dropped on the way.
    session.execute(
        delete(VisitDraft).where(
            VisitDraft.user_id == actor.user_id, VisitDraft.updated_at < now - timedelta(hours=DRAFT_HOURS)
        )
    )


@entry(Act.VISIT_RECORD)
def load_draft(session: Session, *, actor: Actor, household_id: int) -> dict | None:
    """The actor's draft for this household if it is younger than 24 hours, else None."""
    found = draft_of(session, actor=actor, household_id=household_id)
    return found.data if found else None


@entry(Act.VISIT_RECORD)
def draft_of(session: Session, *, actor: Actor, household_id: int) -> Draft | None:
    """The draft with the time it was last saved (to tell the user), or None (none, or too old)."""
    _household_in_reach(session, actor, household_id)
    row = session.exec(
        select(VisitDraft.data, VisitDraft.updated_at).where(
            VisitDraft.user_id == actor.user_id, VisitDraft.household_id == household_id
        )
    ).first()
    if row is None or row.updated_at <= utcnow() - timedelta(hours=DRAFT_HOURS):
        return None
    try:
        data = json.loads(row.data)
    except ValueError:
        return None
    return Draft(data=data, updated_at=row.updated_at) if isinstance(data, dict) else None


@entry(Act.VISIT_RECORD)
def discard_draft(session: Session, *, actor: Actor, household_id: int) -> None:
    """Delete the actor's draft for this household (after the visit is saved, or on "discard").
    Only the actor's own row is touched, so a household that left their scope can still be cleared."""
    require_role(actor, *WRITER_ROLES)
    session.execute(
        delete(VisitDraft).where(VisitDraft.user_id == actor.user_id, VisitDraft.household_id == household_id)
    )


def _household_in_reach(session: Session, actor: Actor, household_id: int) -> Household:
    require_role(actor, *WRITER_ROLES)
    household = session.get(Household, household_id)
    if household is None or household.status != "active":
        raise NotFound()
    require_village_access(session, actor, household.village_id)
    return household


def _encode(data: dict) -> str:
    if not isinstance(data, dict):
        raise ValidationFailed([FieldProblem("draft", "shell.draft_bad")])
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed([FieldProblem("draft", "shell.draft_bad")]) from exc
    if len(text) > MAX_DRAFT_CHARS:
        raise ValidationFailed([FieldProblem("draft", "shell.draft_too_large")])
    return text
