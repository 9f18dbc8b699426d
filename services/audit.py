"""Append-only audit log entries, written in the same transaction as the change they describe.

Personal values never reach the log (Decree 13/2023: a resident's erasure must not leave them behind in
a table nobody may rewrite): under a personal key (full_name, phone, address, birth_year, notes, any key
ending in "_phone" — not the barrier flags has_smartphone, phone_own_name) only the field's name is kept:
a change as {"changes": {"phone": ["changed"]}}, a differing before/after pair folded into such a change,
any other value as True (given) or None (empty). Migration 0010 applied
the same rule to the entries stored before it.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from core.clock import utcnow
from models.tables import AuditLog

PERSONAL_FIELDS = frozenset({"full_name", "phone", "address", "birth_year", "notes"})
CHANGED = "changed"


def is_personal(key: object) -> bool:
    """A details key whose value is a resident's (or a person's) personal data."""
    return isinstance(key, str) and (key in PERSONAL_FIELDS or key.endswith("_phone"))


def redact(value: object) -> object:
    """`value` (audit details) with every personal value replaced by the field name only."""
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict = {}
    changes = dict(value["changes"]) if isinstance(value.get("changes"), dict) else None
    before, after = value.get("before"), value.get("after")
    pair = isinstance(before, dict) and isinstance(after, dict)
    if pair:  # {"before": {...}, "after": {...}}: a personal field that differs becomes a change
        for key in [k for k in dict.fromkeys([*before, *after]) if is_personal(k)]:
            if before.get(key) != after.get(key):
                changes = changes if changes is not None else {}
                changes[key] = [CHANGED]
    for key, item in value.items():
        if key == "changes" and changes is not None:
            continue
        if pair and key in ("before", "after"):
            out[key] = {k: redact(v) for k, v in item.items() if not is_personal(k)}
        elif is_personal(key):
            out[key] = None if item is None or item == "" else True
        else:
            out[key] = redact(item)
    if changes is not None:
        out["changes"] = {k: ([CHANGED] if is_personal(k) else redact(v)) for k, v in changes.items()}
    return out


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
            details=json.dumps(redact(details or {}), ensure_ascii=False, default=str, sort_keys=True),
        )
    )
