"""The audit log as admins and coordinators read it: who did what, when, before -> after, in their area;
filtered, paged in SQL and exported as CSV.

Scope. An admin sees the entries whose area lies in their subtree, and the entries without an area
(sign-ins, password changes, imports by the command line ...) done by a user of their subtree; an admin of
a top-level area also sees the entries nobody did (demo seed, restore). A coordinator sees only entries
whose area lies in their subtree (never an entry without an area). Leaders and volunteers are refused.

Masking (the same for every role, on the page and in the export): the log says which field changed, never
a resident's personal value. Values under a key containing "phone" keep their last three digits; values of
full_name, address, birth_year and notes show as "(đã ẩn)". The entity and its id name the record changed:
its current values are on its own page for those allowed to see them. Staff names (team members, users),
area and team names, codes, statuses, barrier flags and a withdrawn visit's reason are shown as they are.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from core.clock import VN_OFFSET
from core.i18n import t
from core.labels import EXPORT_COLUMN, N_
from core.text import sort_key
from models.enums import Role
from models.tables import Area, AuditLog, User
from services.access import Actor, get_area_in_scope, require_role
from services.audit import CHANGED
from services.errors import FieldProblem, ValidationFailed
from services.people.export import safe_cell
from services.people.registry import mask_phone
from services.permissions import Act, entry, roles_of

READ_ROLES = roles_of(Act.AUDIT_READ)
EXPORT_MAX = 50_000  # rows in one CSV (the newest first); the page says so when the filter holds more
TIME_FORMAT = "%Y-%m-%d %H:%M"
ARROW = " → "
NOTHING = "—"

# Values never shown: the field changed is named, its value is replaced by "(đã ẩn)".
PERSONAL_FIELDS = frozenset({"full_name", "address", "birth_year", "notes"})

# The kinds of the kind filter and the action prefixes each one covers.
KINDS: dict[str, tuple[str, ...]] = {
    "visit": ("visit.", "sheet."),
    "household": ("household.",),
    "resident": ("resident.", "residents."),
    "team": ("team.", "member."),
    "quota": ("campaign.", "quota."),
    "area": ("area.",),
    "user": ("user.",),
    "system": ("setting.", "backup.", "seed.", "audit."),
}
KIND_LABEL: dict[str, str] = {
    "visit": N_("audit.kind.visit"),
    "household": N_("audit.kind.household"),
    "resident": N_("audit.kind.resident"),
    "team": N_("audit.kind.team"),
    "quota": N_("audit.kind.quota"),
    "area": N_("audit.kind.area"),
    "user": N_("audit.kind.user"),
    "system": N_("audit.kind.system"),
}

# Every action the services write (an action missing here shows its code).
ACTION_LABEL: dict[str, str] = {
    "area.created": N_("audit.act.area_created"),
    "area.renamed": N_("audit.act.area_renamed"),
    "area.moved": N_("audit.act.area_moved"),
    "area.imported": N_("audit.act.area_imported"),
    "team.created": N_("audit.act.team_created"),
    "team.updated": N_("audit.act.team_updated"),
    "team.villages_set": N_("audit.act.team_villages_set"),
    "team.balance_applied": N_("audit.act.team_balance_applied"),
    "member.created": N_("audit.act.member_created"),
    "member.updated": N_("audit.act.member_updated"),
    "campaign.created": N_("audit.act.campaign_created"),
    "quota.set": N_("audit.act.quota_set"),
    "quota.deleted": N_("audit.act.quota_deleted"),
    "quota.cascade_saved": N_("audit.act.quota_cascade_saved"),
    "user.signin": N_("audit.act.user_signin"),
    "user.signout": N_("audit.act.user_signout"),
    "user.locked": N_("audit.act.user_locked"),
    "user.unlocked": N_("audit.act.user_unlocked"),
    "user.created": N_("audit.act.user_created"),
    "user.password_changed": N_("audit.act.user_password_changed"),
    "user.password_reset": N_("audit.act.user_password_reset"),
    "user.activated": N_("audit.act.user_activated"),
    "user.deactivated": N_("audit.act.user_deactivated"),
    "setting.changed": N_("audit.act.setting_changed"),
    "backup.downloaded": N_("audit.act.backup_downloaded"),
    "backup.restored": N_("audit.act.backup_restored"),
    "seed.demo": N_("audit.act.seed_demo"),
    "sheet.entered": N_("audit.act.sheet_entered"),
    "visit.recorded": N_("audit.act.visit_recorded"),
    "visit.corrected": N_("audit.act.visit_corrected"),
    "visit.withdrawn": N_("audit.act.visit_withdrawn"),
    "household.created": N_("audit.act.household_created"),
    "household.edited": N_("audit.act.household_edited"),
    "household.status": N_("audit.act.household_status"),
    "household.merged": N_("audit.act.household_merged"),
    "household.absorbed": N_("audit.act.household_absorbed"),
    "household.imported_update": N_("audit.act.household_imported_update"),
    "resident.created": N_("audit.act.resident_created"),
    "resident.edited": N_("audit.act.resident_edited"),
    "resident.moved_household": N_("audit.act.resident_moved_household"),
    "resident.status": N_("audit.act.resident_status"),
    "resident.merged": N_("audit.act.resident_merged"),
    "resident.absorbed": N_("audit.act.resident_absorbed"),
    "resident.imported_update": N_("audit.act.resident_imported_update"),
    "residents.imported": N_("audit.act.residents_imported"),
    "resident.consent": N_("audit.act.resident_consent"),
    "resident.erased": N_("audit.act.resident_erased"),
    "household.erased": N_("audit.act.household_erased"),
    "audit.redacted": N_("audit.act.audit_redacted"),
}

ENTITY_LABEL: dict[str, str] = {
    "area": N_("audit.entity.area"),
    "household": N_("audit.entity.household"),
    "resident": N_("audit.entity.resident"),
    "visit": N_("audit.entity.visit"),
    "visit_sheet": N_("audit.entity.visit_sheet"),
    "team": N_("audit.entity.team"),
    "member": N_("audit.entity.member"),
    "campaign": N_("audit.entity.campaign"),
    "quota": N_("audit.entity.quota"),
    "user": N_("audit.entity.user"),
    "app_setting": N_("audit.entity.app_setting"),
    "database": N_("audit.entity.database"),
}

# Field names in details shown with the label the edit forms use (others show their code).
FIELD_LABEL: dict[str, str] = {
    "full_name": N_("adm.full_name"),
    "birth_year": N_("adm.birth_year"),
    "sex": N_("adm.sex"),
    "phone": N_("adm.phone"),
    "address": N_("adm.address"),
    "is_head": N_("adm.is_head"),
    "village_id": N_("adm.village"),
    "status": EXPORT_COLUMN["status"],
    "has_smartphone": N_("journey.barrier.has_smartphone"),
    # The barrier flags as the export heads them (one label for one field everywhere).
    **{
        name: EXPORT_COLUMN[name]
        for name in (
            "phone_own_name",
            "vneid_level",
            "has_payment_account",
            "poor_network",
            "fears_mistakes",
            "digital_course_done",
        )
    },
}

# Columns of the table and of the CSV, in order.
COLUMNS: tuple[str, ...] = (
    N_("audit.col.at"),
    N_("audit.col.user"),
    N_("audit.col.action"),
    N_("audit.col.entity"),
    N_("audit.col.area"),
    N_("audit.col.change"),
)


@dataclass(frozen=True)
class AuditFilter:
    """None = any. `area_id` must lie in the actor's area; dates are days in Vietnam, both included."""

    user_id: int | None = None
    area_id: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # Vietnam local time (naive)
    user: str
    action: str
    action_label: str
    entity: str  # e.g. "Người dân #12"
    entity_id: str | None
    area: str
    summary: str  # "before → after", personal values masked


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int
    page_size: int


@dataclass(frozen=True)
class AuditExport:
    data: bytes  # CSV, UTF-8 with a BOM
    rows: int
    cut: bool  # the filter holds more than EXPORT_MAX entries: only the newest are in the file


@dataclass(frozen=True)
class UserChoice:
    id: int
    label: str


# ---------------------------------------------------------------- reading


@entry(Act.AUDIT_READ)
def list_audit(
    session: Session,
    *,
    actor: Actor,
    filters: AuditFilter,
    page: int = 1,
    page_size: int = 50,
    lang: str = "vi",
) -> AuditPage:
    """One page of the entries the actor may see, newest first, with the total the filter holds."""
    query = _query(session, actor, filters)
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = session.exec(query.limit(page_size).offset((page - 1) * page_size)).all()
    return AuditPage([_row(r, lang) for r in rows], total, page, pages, page_size)


@entry(Act.AUDIT_READ)
def export_audit(session: Session, *, actor: Actor, filters: AuditFilter, lang: str = "vi") -> AuditExport:
    """The filter's entries as CSV (the page's columns and masking), at most EXPORT_MAX, newest first."""
    query = _query(session, actor, filters).limit(EXPORT_MAX + 1).execution_options(yield_per=2000)
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([t(c, lang) for c in COLUMNS])
    written = 0
    cut = False
    for r in session.exec(query):
        if written == EXPORT_MAX:
            cut = True
            break
        writer.writerow([safe_cell(v) for v in _cells(_row(r, lang))])
        written += 1
    return AuditExport(text.getvalue().encode("utf-8-sig"), written, cut)


def table_rows(rows: list[AuditRow], lang: str = "vi") -> list[dict[str, str]]:
    """The rows as the page's table shows them (column label -> text): the same cells as the CSV."""
    labels = [t(c, lang) for c in COLUMNS]
    return [dict(zip(labels, _cells(r), strict=True)) for r in rows]


@entry(Act.AUDIT_READ)
def user_choices(session: Session, *, actor: Actor) -> list[UserChoice]:
    """The users of the actor's area, for the user filter (Vietnamese order of names)."""
    require_role(actor, *READ_ROLES)
    rows = session.exec(
        select(User.id, User.full_name, User.username)
        .join(Area, Area.id == User.area_id)
        .where(Area.path.like(actor.area_path + "%"))
    ).all()
    choices = [UserChoice(uid, f"{name or username} ({username})") for uid, name, username in rows]
    return sorted(choices, key=lambda c: sort_key(c.label))


def local_time(moment: datetime) -> datetime:
    """A stored UTC timestamp as Vietnam's wall-clock time (naive; naive input is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment.astimezone(UTC) + VN_OFFSET).replace(tzinfo=None)


def _utc_start(day: date) -> datetime:
    """The UTC instant at which `day` begins in Vietnam."""
    return datetime.combine(day, time.min, tzinfo=UTC) - VN_OFFSET


# ---------------------------------------------------------------- the query


def _query(session: Session, actor: Actor, filters: AuditFilter) -> Select:
    """The entries in the actor's scope that the filter keeps, newest first (checks role and filter)."""
    require_role(actor, *READ_ROLES)
    _check(filters)
    entry_area = aliased(Area)
    user_area = aliased(Area)
    # Where an entry belongs: its own area; for an admin, an entry without one belongs to its user's area.
    if actor.role == Role.ADMIN:
        where = func.coalesce(entry_area.path, user_area.path)
    else:
        where = entry_area.path
    scope = where.like(actor.area_path + "%")
    if actor.role == Role.ADMIN and actor.area_path.count("/") == 2:  # a top-level admin: no parent
        scope = or_(scope, and_(AuditLog.area_id.is_(None), AuditLog.user_id.is_(None)))
    query = (
        select(
            AuditLog.id,
            AuditLog.at,
            AuditLog.action,
            AuditLog.entity,
            AuditLog.entity_id,
            AuditLog.details,
            User.full_name,
            User.username,
            entry_area.name,
        )
        .select_from(AuditLog)
        .outerjoin(entry_area, entry_area.id == AuditLog.area_id)
        .outerjoin(User, User.id == AuditLog.user_id)
        .outerjoin(user_area, user_area.id == User.area_id)
        .where(scope)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )
    if filters.area_id is not None:
        area = get_area_in_scope(session, actor, filters.area_id)
        query = query.where(where.like(area.path + "%"))
    if filters.user_id is not None:
        query = query.where(AuditLog.user_id == filters.user_id)
    if filters.kind is not None:
        query = query.where(or_(*(AuditLog.action.like(prefix + "%") for prefix in KINDS[filters.kind])))
    if filters.date_from is not None:
        query = query.where(AuditLog.at >= _utc_start(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditLog.at < _utc_start(filters.date_to + timedelta(days=1)))
    return query


def _check(filters: AuditFilter) -> None:
    problems = []
    if filters.kind is not None and filters.kind not in KINDS:
        problems.append(FieldProblem("kind", "err.invalid_choice"))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        problems.append(FieldProblem("dates", "audit.err.dates"))
    if problems:
        raise ValidationFailed(problems)


# ---------------------------------------------------------------- one row


def _row(r, lang: str) -> AuditRow:
    entry_id, at, action, entity, entity_id, details, full_name, username, area_name = r
    user = (full_name or username) if username else t("audit.system", lang)
    label = t(ACTION_LABEL[action], lang) if action in ACTION_LABEL else action
    what = t(ENTITY_LABEL[entity], lang) if entity in ENTITY_LABEL else entity
    if entity_id is not None:
        what += " #" + entity_id
    return AuditRow(
        entry_id,
        local_time(at),
        user,
        action,
        label,
        what,
        entity_id,
        area_name or "",
        summary(_details(details), lang),
    )


def _cells(row: AuditRow) -> tuple[str, ...]:
    return (row.at.strftime(TIME_FORMAT), row.user, row.action_label, row.entity, row.area, row.summary)


def _details(raw: str | None) -> dict:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"": value}


def summary(details: dict, lang: str = "vi") -> str:
    """What an entry's details say, masked: "field: before → after" for a change, "a → b" for a
    from/to, "key: value" for the rest, joined by "; "."""
    rest = dict(details)
    parts: list[str] = []
    changes = rest.pop("changes", None)
    if isinstance(changes, dict):
        # Personal fields are stored without their values: one short "Changed: a, b" for all of them.
        unkept = [
            _field(f, lang)
            for f, pair in changes.items()
            if isinstance(pair, list | tuple) and list(pair) == [CHANGED]
        ]
        if unkept:
            parts.append(t("audit.changed_fields", lang, fields=", ".join(unkept)))
        for field, pair in changes.items():
            if isinstance(pair, list | tuple) and list(pair) == [CHANGED]:
                continue
            elif isinstance(pair, list | tuple) and len(pair) == 2:
                parts.append(_field(field, lang) + ": " + _pair(pair[0], pair[1], field, lang))
            else:
                parts.append(_field(field, lang) + ": " + shown(pair, field, lang))
    elif changes is not None:
        rest["changes"] = changes
    before, after = rest.pop("before", None), rest.pop("after", None)
    if isinstance(before, dict) and isinstance(after, dict):
        for key in dict.fromkeys([*before, *after]):
            if before.get(key) != after.get(key):
                parts.append(_field(key, lang) + ": " + _pair(before.get(key), after.get(key), key, lang))
    elif before is not None or after is not None:
        parts.append(_pair(before, after, None, lang))
    if "from" in rest or "to" in rest:
        parts.append(_pair(rest.pop("from", None), rest.pop("to", None), None, lang))
    for key, value in rest.items():
        parts.append(_field(key, lang) + ": " + shown(value, key, lang))
    return "; ".join(parts) or NOTHING


def _pair(before: object, after: object, field: str | None, lang: str) -> str:
    return shown(before, field, lang) + ARROW + shown(after, field, lang)


def _field(name: str, lang: str) -> str:
    return t(FIELD_LABEL[name], lang) if name in FIELD_LABEL else name


def shown(value: object, field: str | None = None, lang: str = "vi") -> str:
    """A value as the audit view shows it under `field` (the key it sits under decides the masking,
    for everything below it): personal values hidden, phone numbers cut to their last three digits."""
    if value is None or value == "":
        return NOTHING
    if field in PERSONAL_FIELDS:
        return t("audit.hidden", lang)
    if isinstance(value, bool):
        return t("audit.yes", lang) if value else t("audit.no", lang)
    if isinstance(value, list | tuple):
        return ", ".join(shown(v, field, lang) for v in value) or NOTHING
    if isinstance(value, dict):
        inner = [_field(k, lang) + ": " + shown(v, _inner_field(field, k), lang) for k, v in value.items()]
        return "(" + ", ".join(inner) + ")" if inner else NOTHING
    if field and "phone" in field:
        return mask_phone(str(value))
    return str(value)


def _inner_field(outer: str | None, key: str) -> str:
    """The key that governs a nested value: a phone field masks everything below it."""
    return outer if outer and "phone" in outer else key
