"""Append-only audit log entries, written in the same transaction as the change they describe."""

from __future__ import annotations

import json

from sqlmodel import Session

from core.clock import utcnow
from models.tables import AuditLog


def record(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: object = None,
    area_id: int | None = None,
    details: dict | None = None,
) -> None:
    session.add(
        AuditLog(
            at=utcnow(),
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            area_id=area_id,
            details=json.dumps(details or {}, ensure_ascii=False, default=str, sort_keys=True),
        )
    )
