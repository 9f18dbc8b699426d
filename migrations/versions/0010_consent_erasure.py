"""Consent and erasure (issue #12 items 15-16): resident.consent_by (the user who recorded the consent)
and resident.consent_method (verbal | written | imported) beside the existing consent_on; and the audit
log's personal values already stored (full_name, phone, address, birth_year, notes) replaced by the field
names only, as services.audit stores them from now on.

The audit log refuses UPDATE at the database (triggers of 0001): this revision drops the UPDATE trigger,
rewrites the affected rows and creates the trigger again in the same transaction, and records that
controlled path as one audit row "audit.redacted" with the number of rows rewritten (none when no row
held a personal value).

Revision ID: 0010
Revises: 0009
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy of services.audit's rule (migrations never import application code).
PERSONAL = frozenset({"full_name", "phone", "address", "birth_year", "notes"})
CHANGED = "changed"
BATCH = 2000


def _personal(key: object) -> bool:
    return isinstance(key, str) and (key in PERSONAL or key.endswith("_phone"))


def _redact(value: object) -> object:
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict = {}
    changes = dict(value["changes"]) if isinstance(value.get("changes"), dict) else None
    before, after = value.get("before"), value.get("after")
    pair = isinstance(before, dict) and isinstance(after, dict)
    if pair:
        for key in [k for k in dict.fromkeys([*before, *after]) if _personal(k)]:
            if before.get(key) != after.get(key):
                changes = changes if changes is not None else {}
                changes[key] = [CHANGED]
    for key, item in value.items():
        if key == "changes" and changes is not None:
            continue
        if pair and key in ("before", "after"):
            out[key] = {k: _redact(v) for k, v in item.items() if not _personal(k)}
        elif _personal(key):
            out[key] = None if item is None or item == "" else True
        else:
            out[key] = _redact(item)
    if changes is not None:
        out["changes"] = {k: ([CHANGED] if _personal(k) else _redact(v)) for k, v in changes.items()}
    return out


def _redact_text(raw: str | None) -> str | None:
    """The stored details with personal values replaced, or None when nothing changes."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return None
    redacted = _redact(value)
    if redacted == value:
        return None
    return json.dumps(redacted, ensure_ascii=False, default=str, sort_keys=True)


def _drop_update_trigger(postgres: bool) -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update" + (" ON audit_log" if postgres else ""))


def _create_update_trigger(postgres: bool) -> None:
    if postgres:
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )


def _redact_audit_log() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("details", sa.Text),
    )
    _drop_update_trigger(postgres)
    rewritten = 0
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(audit.c.id, audit.c.details)
            .where(audit.c.id > last_id)
            .order_by(audit.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        updates = [{"rid": rid, "new": new} for rid, raw in rows if (new := _redact_text(raw)) is not None]
        if updates:
            bind.execute(
                audit.update().where(audit.c.id == sa.bindparam("rid")).values(details=sa.bindparam("new")),
                updates,
            )
            rewritten += len(updates)
        last_id = rows[-1][0]
    _create_update_trigger(postgres)
    if not rewritten:  # a fresh or already clean database: nothing was rewritten, nothing to record
        return
    bind.execute(
        audit.insert().values(
            at=datetime.now(UTC),
            action="audit.redacted",
            entity="audit_log",
            details=json.dumps({"rows": rewritten}, sort_keys=True),
        )
    )


def upgrade() -> None:
    # Raw DDL: a column-level CHECK is accepted by ALTER TABLE … ADD COLUMN on both engines. consent_by
    # names a user without a foreign key: SQLite could not drop such a column again on downgrade, and
    # users are never deleted (only deactivated).
    op.execute("ALTER TABLE resident ADD COLUMN consent_by INTEGER")
    op.execute(
        "ALTER TABLE resident ADD COLUMN consent_method VARCHAR(16)"
        " CHECK (consent_method IS NULL OR consent_method IN ('verbal', 'written', 'imported'))"
    )
    _redact_audit_log()


def downgrade() -> None:
    # The redacted values are gone for good; only the columns are taken back.
    op.execute("ALTER TABLE resident DROP COLUMN consent_method")
    op.execute("ALTER TABLE resident DROP COLUMN consent_by")
