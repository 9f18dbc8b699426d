"""The household and resident registry: filtered lists paged in SQL, in Vietnamese alphabetical order,
and the detail view of one household or resident with its whole history.

Order: residents are listed by given name, then full name, in Vietnamese dictionary order (a < ă < â,
d < đ, e < ê, ...; tones break ties: ngang, huyền, hỏi, ngã, sắc, nặng) — `core.text.person_sort_key`.
That order is stored per resident as `sort_name`, a byte-comparable encoding of the same key, indexed
with the id, so a page is an indexed ORDER BY ... LIMIT whatever the size of the area (ICU collations
exist on PostgreSQL only, and a collation function on SQLite cannot use an index).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import aliased
from sqlmodel import Session

from core.clock import today
from core.text import normalize_text, person_sort_name, search_key
from models.enums import SKILLS, PersonStatus, Role
from models.tables import (
    Area,
    AuditLog,
    Household,
    Member,
    Resident,
    ResidentSkill,
    SkillEvent,
    User,
    Visit,
    VisitGuidance,
    VisitMember,
    VisitResident,
)
from services import access
from services.access import Actor, Village, get_area_in_scope, require_role
from services.audit import CHANGED
from services.errors import NotFound, PermissionDenied
from services.people.derived import current_levels
from services.permissions import Act, entry, roles_of

READ_ROLES = roles_of(Act.REGISTRY_READ)
WRITE_ROLES = roles_of(Act.REGISTRY_EDIT)
PAGE_SIZE_MAX = 200
VISIT_STATUSES = ("never", "due", "visited")
BARRIERS = ("no_smartphone", "phone_not_own", "no_vneid2", "no_payment", "poor_network", "fears_mistakes")
OLD_AGE = 60
RESIDENT_SORTS = ("name", "name_desc", "birth_year", "household")
HOUSEHOLD_SORTS = ("code", "last_visit", "follow_up")
HISTORY_LIMIT = 200


# SQLAlchemy's SQLite compiler drops table hints; let through SQLite's own "INDEXED BY" (used below).
def _sqlite_from_hint(self, table, text):
    return text if text.startswith("INDEXED BY ") else None


SQLiteCompiler.get_from_hint_text = _sqlite_from_hint


# ---------------------------------------------------------------- plain data for pages


@dataclass
class RegistryFilter:
    area_id: int | None = None  # a village or commune inside the actor's area (None: the whole area)
    visit_status: str | None = None  # never | due | visited
    skill: str | None = None  # with below_level: residents below that level in that skill
    below_level: int = 3
    barrier: str | None = None  # one of BARRIERS, or "old_age"
    age_min: int | None = None
    age_max: int | None = None
    status: str = "active"  # active | inactive (moved, deceased, merged) | all
    query: str = ""  # name (residents) or code/address (households), without diacritics is fine


@dataclass(frozen=True)
class ResidentRow:
    id: int
    full_name: str
    birth_year: int | None
    sex: str | None
    phone: str | None
    household_id: int
    household_code: str
    village_name: str
    status: str
    first_guided_on: date | None
    levels: dict[str, int] = field(default_factory=dict)
    consent_on: date | None = None
    consent_method: str | None = None


@dataclass(frozen=True)
class HouseholdRow:
    id: int
    code: str
    village_name: str
    address: str
    head_name: str | None
    residents: int
    phone: str | None
    status: str
    last_visited_on: date | None
    follow_up_on: date | None


@dataclass(frozen=True)
class Page:
    rows: list
    page: int
    page_size: int
    has_next: bool


@dataclass(frozen=True)
class VisitItem:
    id: int
    visited_on: date
    kind: str
    place: str
    outcome: str
    status: str
    follow_up_on: date | None
    members: str
    guidance: str
    notes: str


@dataclass(frozen=True)
class SkillEventItem:
    observed_on: date
    skill: str
    level: int
    previous_level: int
    evidence: str | None
    reason: str | None
    active: bool
    visit_id: int | None


@dataclass(frozen=True)
class AuditItem:
    at: datetime
    user: str
    action: str
    details: dict


@dataclass(frozen=True)
class HouseholdDetail:
    id: int
    code: str
    village_id: int
    village_name: str
    address: str
    phone: str | None
    status: str
    merged_into_code: str | None
    first_visited_on: date | None
    last_visited_on: date | None
    follow_up_on: date | None
    residents: list[ResidentRow]
    visits: list[VisitItem]
    audit: list[AuditItem]


@dataclass(frozen=True)
class ResidentDetail:
    id: int
    full_name: str
    birth_year: int | None
    sex: str | None
    phone: str | None
    is_head: bool
    status: str
    merged_into_id: int | None
    household_id: int
    household_code: str
    village_name: str
    barriers: dict[str, object]
    digital_course_done: bool
    levels: dict[str, int]
    first_guided_on: date | None
    events: list[SkillEventItem]
    visits: list[VisitItem]
    audit: list[AuditItem]
    consent_on: date | None = None
    consent_method: str | None = None
    consent_by: str | None = None  # the user who recorded it (username)


# ---------------------------------------------------------------- helpers


def mask_phone(phone: str | None) -> str | None:
    """Only the last three digits stay visible (what a leader sees)."""
    if not phone:
        return phone
    return "*" * max(0, len(phone) - 3) + phone[-3:]


def phone_for(actor: Actor, phone: str | None) -> str | None:
    return mask_phone(phone) if actor.role == Role.LEADER else phone


def _scope_area(session: Session, actor: Actor, area_id: int | None) -> Area:
    require_role(actor, *READ_ROLES)
    return get_area_in_scope(session, actor, area_id or actor.area_id)


def _villages_under(area: Area):
    """Ids of the villages at or below `area` (a subquery: the household's village must be one)."""
    if area.level == "village":
        return None
    return select(Area.id).where(Area.path.like(area.path + "%"), Area.level == "village")


def _village_clause(area: Area):
    sub = _villages_under(area)
    return Household.village_id == area.id if sub is None else Household.village_id.in_(sub)


def _visit_clause(status: str | None):
    if status == "never":
        return Household.last_visited_on.is_(None)
    if status == "visited":
        return Household.first_visited_on.is_not(None)
    if status == "due":
        return and_(Household.follow_up_on.is_not(None), Household.follow_up_on <= today())
    return None


def _resident_clauses(f: RegistryFilter) -> list:
    clauses = []
    if f.skill:
        if f.skill not in {s.value for s in SKILLS}:
            raise ValueError(f"unknown skill {f.skill!r}")
        clauses.append(
            ~exists().where(
                ResidentSkill.resident_id == Resident.id,
                ResidentSkill.skill == f.skill,
                ResidentSkill.level >= f.below_level,
            )
        )
    year = today().year
    if f.barrier == "no_smartphone":
        clauses.append(Resident.has_smartphone.is_(False))
    elif f.barrier == "phone_not_own":
        clauses.append(Resident.phone_own_name.is_(False))
    elif f.barrier == "no_vneid2":
        clauses.append(Resident.vneid_level < 2)
    elif f.barrier == "no_payment":
        clauses.append(Resident.has_payment_account.is_(False))
    elif f.barrier == "poor_network":
        clauses.append(Resident.poor_network.is_(True))
    elif f.barrier == "fears_mistakes":
        clauses.append(Resident.fears_mistakes.is_(True))
    elif f.barrier == "old_age":
        clauses.append(Resident.birth_year <= year - OLD_AGE)
    elif f.barrier:
        raise ValueError(f"unknown barrier {f.barrier!r}")
    if f.age_min is not None:
        clauses.append(Resident.birth_year <= year - f.age_min)
    if f.age_max is not None:
        clauses.append(Resident.birth_year >= year - f.age_max)
    return clauses


def _status_clause(column, status: str):
    if status == "active":
        return column == PersonStatus.ACTIVE.value
    if status == "inactive":
        return column != PersonStatus.ACTIVE.value
    return None


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    page = max(1, int(page))
    page_size = max(1, min(PAGE_SIZE_MAX, int(page_size)))
    return page, page_size


def _filter_residents(q, area: Area, filters: RegistryFilter):
    """`q` (residents joined to their household) narrowed to the area and the filters."""
    q = q.where(_village_clause(area), *_resident_clauses(filters))
    # A resident counts as active only in an active household (as in the rollups).
    both_active = and_(
        Resident.status == PersonStatus.ACTIVE.value, Household.status == PersonStatus.ACTIVE.value
    )
    if filters.status == "active":
        q = q.where(both_active)
    elif filters.status == "inactive":
        q = q.where(~both_active)
    visit = _visit_clause(filters.visit_status)
    if visit is not None:
        q = q.where(visit)
    needle = search_key(filters.query)
    if needle:
        q = q.where(Resident.name_key.like(f"%{needle}%"))
    return q


def _filter_households(q, area: Area, filters: RegistryFilter):
    """`q` (over households) narrowed to the area and the filters; resident filters (skill, barrier,
    age) keep households with at least one active resident who matches."""
    q = q.where(_village_clause(area))
    status = _status_clause(Household.status, filters.status)
    if status is not None:
        q = q.where(status)
    visit = _visit_clause(filters.visit_status)
    if visit is not None:
        q = q.where(visit)
    clauses = _resident_clauses(filters)
    if clauses:
        q = q.where(
            exists().where(Resident.household_id == Household.id, Resident.status == "active", *clauses)
        )
    needle = search_key(filters.query)
    if needle:
        q = q.where(
            or_(
                Household.code.like(f"{normalize_text(filters.query)}%"),
                Household.address_key.like(f"%{needle}%"),
            )
        )
    return q


@entry(Act.REGISTRY_READ)
def count_residents(session: Session, *, actor: Actor, filters: RegistryFilter) -> int:
    """How many residents `list_residents` pages through with these filters (for "page 1/12")."""
    area = _scope_area(session, actor, filters.area_id)
    q = select(func.count(Resident.id)).join(Household, Household.id == Resident.household_id)
    return session.exec(_filter_residents(q, area, filters)).scalar_one()


@entry(Act.REGISTRY_READ)
def count_households(session: Session, *, actor: Actor, filters: RegistryFilter) -> int:
    """How many households `list_households` pages through with these filters."""
    area = _scope_area(session, actor, filters.area_id)
    q = select(func.count(Household.id))
    return session.exec(_filter_households(q, area, filters)).scalar_one()


# ---------------------------------------------------------------- lists


@entry(Act.REGISTRY_READ)
def list_residents(
    session: Session,
    *,
    actor: Actor,
    filters: RegistryFilter,
    page: int = 1,
    page_size: int = 50,
    sort: str = "name",
) -> Page:
    """One page of residents matching `filters` in the actor's area (a next page exists when one more
    row does; `count_residents` gives the total)."""
    area = _scope_area(session, actor, filters.area_id)
    page, page_size = _page_bounds(page, page_size)
    village = aliased(Area)
    q = (
        select(
            Resident.id,
            Resident.full_name,
            Resident.birth_year,
            Resident.sex,
            Resident.phone,
            Resident.household_id,
            Household.code,
            village.name,
            Resident.status,
            Resident.first_guided_on,
            Resident.consent_on,
            Resident.consent_method,
        )
        .join(Household, Household.id == Resident.household_id)
        .join(village, village.id == Household.village_id)
    )
    q = _filter_residents(q, area, filters)
    if sort in ("name", "name_desc") and area.level in ("province", "district"):
        # A wide area: walk the name index and stop after one page. SQLite's planner would otherwise
        # start from the households of every village and sort the whole province; a commune or a
        # village is small enough for that plan, and a selective filter there needs it.
        q = q.with_hint(Resident, "INDEXED BY ix_resident_sort_name", "sqlite")
    if sort == "name_desc":
        q = q.order_by(Resident.sort_name.desc(), Resident.id.desc())
    elif sort == "birth_year":
        q = q.order_by(Resident.birth_year, Resident.sort_name, Resident.id)
    elif sort == "household":
        q = q.order_by(Household.code, Resident.sort_name, Resident.id)
    else:
        q = q.order_by(Resident.sort_name, Resident.id)
    rows = session.exec(q.limit(page_size + 1).offset((page - 1) * page_size)).all()
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    levels = current_levels(session, [r[0] for r in rows])
    return Page(
        rows=[
            ResidentRow(
                id=r[0],
                full_name=r[1],
                birth_year=r[2],
                sex=r[3],
                phone=phone_for(actor, r[4]),
                household_id=r[5],
                household_code=r[6],
                village_name=r[7],
                status=r[8],
                first_guided_on=r[9],
                levels=levels[r[0]],
                consent_on=r[10],
                consent_method=r[11],
            )
            for r in rows
        ],
        page=page,
        page_size=page_size,
        has_next=has_next,
    )


@entry(Act.REGISTRY_READ)
def list_households(
    session: Session,
    *,
    actor: Actor,
    filters: RegistryFilter,
    page: int = 1,
    page_size: int = 50,
    sort: str = "code",
) -> Page:
    """One page of households; resident filters (skill, barrier, age) keep households with at least one
    active resident who matches."""
    area = _scope_area(session, actor, filters.area_id)
    page, page_size = _page_bounds(page, page_size)
    village = aliased(Area)
    head = aliased(Resident)
    member = aliased(Resident)
    head_name = (
        select(head.full_name)
        .where(head.household_id == Household.id, head.is_head.is_(True), head.status == "active")
        .order_by(head.id)
        .limit(1)
        .scalar_subquery()
    )
    residents = (
        select(func.count(member.id))
        .where(member.household_id == Household.id, member.status == "active")
        .scalar_subquery()
    )
    q = select(
        Household.id,
        Household.code,
        village.name,
        Household.address,
        head_name,
        residents,
        Household.phone,
        Household.status,
        Household.last_visited_on,
        Household.follow_up_on,
    ).join(village, village.id == Household.village_id)
    q = _filter_households(q, area, filters)
    if sort == "last_visit":
        q = q.order_by(Household.last_visited_on.desc(), Household.id)
    elif sort == "follow_up":
        q = q.order_by(Household.follow_up_on, Household.id)
    else:
        q = q.order_by(Household.code)
    rows = session.exec(q.limit(page_size + 1).offset((page - 1) * page_size)).all()
    has_next = len(rows) > page_size
    return Page(
        rows=[
            HouseholdRow(
                id=r[0],
                code=r[1],
                village_name=r[2],
                address=r[3],
                head_name=r[4],
                residents=int(r[5] or 0),
                phone=phone_for(actor, r[6]),
                status=r[7],
                last_visited_on=r[8],
                follow_up_on=r[9],
            )
            for r in rows[:page_size]
        ],
        page=page,
        page_size=page_size,
        has_next=has_next,
    )


# ---------------------------------------------------------------- details with history


def household_in_scope(session: Session, actor: Actor, household_id: int) -> Household:
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound()
    village = session.get(Area, household.village_id)
    if not village.path.startswith(actor.area_path) or actor.is_volunteer:
        raise PermissionDenied("err.out_of_scope")
    return household


def resident_in_scope(session: Session, actor: Actor, resident_id: int) -> tuple[Resident, Household]:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound()
    return resident, household_in_scope(session, actor, resident.household_id)


def _mask_phones(actor: Actor, value: object) -> object:
    """Audit details as the actor may see them: every phone number masked for a leader."""
    if actor.role != Role.LEADER:
        return value
    if isinstance(value, dict):
        return {
            k: (_mask_any(actor, v) if "phone" in k else _mask_phones(actor, v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_phones(actor, v) for v in value]
    return value


def _mask_any(actor: Actor, value: object) -> object:
    if value == CHANGED:  # a personal value the log no longer keeps: nothing to mask
        return value
    if isinstance(value, str):
        return phone_for(actor, value)
    if isinstance(value, list):
        return [_mask_any(actor, v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_any(actor, v) for k, v in value.items()}
    return value


def _audit(session: Session, actor: Actor, entity: str, entity_id: int) -> list[AuditItem]:
    rows = session.exec(
        select(AuditLog.at, User.username, AuditLog.action, AuditLog.details)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.entity == entity, AuditLog.entity_id == str(entity_id))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return [
        AuditItem(at, user or "-", action, _mask_phones(actor, json.loads(details or "{}")))
        for at, user, action, details in rows
    ]


def _visit_items(session: Session, visit_filter, resident_id: int | None = None) -> list[VisitItem]:
    visits = (
        session.exec(
            select(Visit)
            .where(visit_filter)
            .order_by(Visit.visited_on.desc(), Visit.id.desc())
            .limit(HISTORY_LIMIT)
        )
        .scalars()
        .all()
    )
    ids = [v.id for v in visits]
    members: dict[int, list[str]] = {}
    guidance: dict[int, list[str]] = {}
    if ids:
        for vid, name in session.exec(
            select(VisitMember.visit_id, Member.full_name)
            .join(Member, Member.id == VisitMember.member_id)
            .where(VisitMember.visit_id.in_(ids))
            .order_by(Member.full_name)
        ).all():
            members.setdefault(vid, []).append(name)
        g = select(VisitGuidance.visit_id, VisitGuidance.kind).where(VisitGuidance.visit_id.in_(ids))
        if resident_id is not None:
            g = g.where(VisitGuidance.resident_id == resident_id)
        for vid, kind in session.exec(g.order_by(VisitGuidance.kind)).all():
            guidance.setdefault(vid, []).append(kind)
    return [
        VisitItem(
            id=v.id,
            visited_on=v.visited_on,
            kind=v.kind,
            place=v.place,
            outcome=v.outcome,
            status=v.status,
            follow_up_on=v.follow_up_on,
            members=", ".join(members.get(v.id, [])),
            guidance=", ".join(sorted(set(guidance.get(v.id, [])))),
            notes=v.notes,
        )
        for v in visits
    ]


@entry(Act.REGISTRY_READ)
def household_detail(session: Session, *, actor: Actor, household_id: int) -> HouseholdDetail:
    require_role(actor, *READ_ROLES)
    h = household_in_scope(session, actor, household_id)
    village = session.get(Area, h.village_id)
    merged_into = session.get(Household, h.merged_into_id) if h.merged_into_id else None
    residents = (
        session.exec(
            select(Resident).where(Resident.household_id == h.id).order_by(Resident.sort_name, Resident.id)
        )
        .scalars()
        .all()
    )
    levels = current_levels(session, [r.id for r in residents])
    return HouseholdDetail(
        id=h.id,
        code=h.code,
        village_id=h.village_id,
        village_name=village.name,
        address=h.address,
        phone=phone_for(actor, h.phone),
        status=h.status,
        merged_into_code=merged_into.code if merged_into else None,
        first_visited_on=h.first_visited_on,
        last_visited_on=h.last_visited_on,
        follow_up_on=h.follow_up_on,
        residents=[
            ResidentRow(
                id=r.id,
                full_name=r.full_name,
                birth_year=r.birth_year,
                sex=r.sex,
                phone=phone_for(actor, r.phone),
                household_id=h.id,
                household_code=h.code,
                village_name=village.name,
                status=r.status,
                first_guided_on=r.first_guided_on,
                levels=levels[r.id],
                consent_on=r.consent_on,
                consent_method=r.consent_method,
            )
            for r in residents
        ],
        visits=_visit_items(session, Visit.household_id == h.id),
        audit=_audit(session, actor, "household", h.id),
    )


@entry(Act.REGISTRY_READ)
def resident_detail(session: Session, *, actor: Actor, resident_id: int) -> ResidentDetail:
    require_role(actor, *READ_ROLES)
    r, h = resident_in_scope(session, actor, resident_id)
    village = session.get(Area, h.village_id)
    events = (
        session.exec(
            select(SkillEvent)
            .where(SkillEvent.resident_id == r.id)
            .order_by(SkillEvent.observed_on.desc(), SkillEvent.id.desc())
            .limit(HISTORY_LIMIT)
        )
        .scalars()
        .all()
    )
    attended = select(VisitResident.visit_id).where(VisitResident.resident_id == r.id)
    return ResidentDetail(
        id=r.id,
        full_name=r.full_name,
        birth_year=r.birth_year,
        sex=r.sex,
        phone=phone_for(actor, r.phone),
        is_head=r.is_head,
        status=r.status,
        merged_into_id=r.merged_into_id,
        household_id=h.id,
        household_code=h.code,
        village_name=village.name,
        barriers={
            b: getattr(r, b)
            for b in (
                "has_smartphone",
                "phone_own_name",
                "vneid_level",
                "has_payment_account",
                "poor_network",
                "fears_mistakes",
            )
        },
        digital_course_done=r.digital_course_done,
        levels=current_levels(session, [r.id])[r.id],
        first_guided_on=r.first_guided_on,
        events=[
            SkillEventItem(
                e.observed_on, e.skill, e.level, e.previous_level, e.evidence, e.reason, e.active, e.visit_id
            )
            for e in events
        ],
        visits=_visit_items(session, Visit.id.in_(attended), resident_id=r.id),
        audit=_audit(session, actor, "resident", r.id),
        consent_on=r.consent_on,
        consent_method=r.consent_method,
        consent_by=session.exec(select(User.username).where(User.id == r.consent_by)).scalar()
        if r.consent_by
        else None,
    )


@entry(Act.REGISTRY_READ)
def villages_in_scope(session: Session, *, actor: Actor) -> list[Village]:
    """(id, code, name) of the villages in the actor's area, in Vietnamese order, for filter pickers."""
    require_role(actor, *READ_ROLES)
    return access.villages_in_scope(session, actor)


def fill_missing_sort_names(session: Session, batch: int = 20_000) -> int:
    """Set sort_name where a bulk writer left it empty (rows inserted around the ORM); returns how many."""
    done = 0
    while True:
        rows = session.exec(
            select(Resident.id, Resident.full_name).where(Resident.sort_name.is_(None)).limit(batch)
        ).all()
        if not rows:
            return done
        session.connection().execute(
            Resident.__table__.update()
            .where(Resident.__table__.c.id == bindparam("rid"))
            .values(sort_name=bindparam("sname")),
            [{"rid": rid, "sname": person_sort_name(name)} for rid, name in rows],
        )
        done += len(rows)
