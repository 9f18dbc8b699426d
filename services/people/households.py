"""Households and residents added on the spot by a volunteer, the household card, and duplicate warnings.

Every write keeps the rollups exact in the caller's transaction (contribution deltas) and leaves an
audit entry. Editing, moving and merging live elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.clock import today, utcnow
from core.text import (
    is_valid_phone,
    looks_like_id_number,
    normalize_name,
    normalize_phone,
    normalize_text,
    person_sort_key,
    reversed_digits,
    search_key,
)
from models.enums import AreaLevel, Role, Sex
from models.tables import Area, Household, Resident, Visit, VisitResident
from services import audit
from services.access import Actor, get_area_in_scope, require_role, require_village_access
from services.errors import FieldProblem, NotFound, PermissionDenied, PossibleDuplicates, ValidationFailed
from services.people.derived import current_levels
from services.people.registry import mask_phone
from services.permissions import Act, entry, roles_of
from services.rollups.contributions import household_contribution, resident_contribution, resident_facts
from services.rollups.deltas import Deltas
from services.visits.record import BARRIER_FIELDS

WRITER_ROLES = roles_of(Act.HOUSEHOLD_ADD)
READER_ROLES = roles_of(Act.HOUSEHOLD_CARD)
NAME_MAX = 200
ADDRESS_MAX = 300
CODE_MAX = 40
MIN_BIRTH_YEAR = 1900
CARD_VISITS = 5
_CODE_ATTEMPTS = 20


# ---------------------------------------------------------------- plain data handed to pages


@dataclass(frozen=True)
class HouseholdCreated:
    household_id: int
    code: str
    head_resident_id: int


@dataclass(frozen=True)
class ResidentCard:
    id: int
    full_name: str
    birth_year: int | None
    sex: str | None
    phone: str | None
    is_head: bool
    levels: dict[str, int]  # every skill code -> 0..3 (no row = 0)
    barriers: dict[str, object]  # BARRIER_FIELDS -> value (None = not asked yet)
    first_guided_on: date | None


@dataclass(frozen=True)
class VisitBrief:
    id: int
    visited_on: date
    kind: str
    place: str
    outcome: str
    follow_up_on: date | None
    status: str
    residents: int
    notes: str


@dataclass(frozen=True)
class HouseholdCard:
    id: int
    code: str
    village_id: int
    village_name: str
    address: str
    phone: str | None
    first_visited_on: date | None
    last_visited_on: date | None
    follow_up_on: date | None
    residents: list[ResidentCard]
    recent_visits: list[VisitBrief]  # newest first, withdrawn ones included (status says so)


@dataclass(frozen=True)
class DuplicateCandidate:
    resident_id: int
    full_name: str
    birth_year: int | None
    household_id: int
    household_code: str
    village_name: str
    same_name_and_year: bool
    same_phone: bool
    in_scope: bool  # whether the actor may open that household


# ---------------------------------------------------------------- validation helpers


def _check_name(value: str | None, field: str, problems: list[FieldProblem]) -> str:
    name = normalize_name(value)
    if not name or not search_key(name):
        problems.append(FieldProblem(field, "err.required"))
    elif len(name) > NAME_MAX:
        problems.append(FieldProblem(field, "journey.too_long", {"max": NAME_MAX}))
    elif looks_like_id_number(name):
        problems.append(FieldProblem(field, "err.id_number"))
    return name


def _check_birth_year(value: int | None, field: str, problems: list[FieldProblem], *, required: bool) -> None:
    if value is None:
        if required:
            problems.append(FieldProblem(field, "err.required"))
        return
    if not isinstance(value, int) or isinstance(value, bool) or not MIN_BIRTH_YEAR <= value <= today().year:
        problems.append(
            FieldProblem(field, "journey.birth_year_range", {"min": MIN_BIRTH_YEAR, "max": today().year})
        )


def _check_phone(value: str | None, field: str, problems: list[FieldProblem]) -> str | None:
    phone = normalize_phone(value)
    if phone is not None and not is_valid_phone(phone):
        problems.append(FieldProblem(field, "journey.phone_invalid"))
    return phone


def _check_sex(value: str | None, field: str, problems: list[FieldProblem]) -> str | None:
    if value in (None, ""):
        return None
    if value not in {s.value for s in Sex}:
        problems.append(FieldProblem(field, "err.invalid_choice"))
    return value


def _check_barriers(barriers: dict[str, object], problems: list[FieldProblem]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in barriers.items():
        if value is None:
            continue
        if name == "vneid_level":
            valid = not isinstance(value, bool) and value in (0, 1, 2)
        else:
            valid = isinstance(value, bool)
        if not valid:
            problems.append(FieldProblem(name, "err.invalid_choice"))
            continue
        out[name] = value
    return out


# ---------------------------------------------------------------- creating on the spot


def _next_code(session: Session, village_code: str) -> str:
    """`<village code>-H<nnnn>`: one more than the highest number already used in that village."""
    prefix = f"{village_code}-H"
    codes = session.exec(
        select(Household.code).where(Household.code >= prefix, Household.code < prefix[:-1] + "I")
    ).scalars()
    highest = 0
    for code in codes:
        tail = code[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:04d}"


@entry(Act.HOUSEHOLD_ADD)
def create_household(
    session: Session,
    *,
    actor: Actor,
    village_id: int,
    address: str,
    head_name: str,
    phone: str | None = None,
    code: str | None = None,
    head_birth_year: int | None = None,
    head_sex: str | None = None,
    allow_duplicates: bool = False,
) -> HouseholdCreated:
    """Add a household found on the spot, with its head as its first resident.

    `code` is generated as "<village code>-H<nnnn>" when empty. `phone` is the household's (and the
    head's) phone. Raises PermissionDenied outside the actor's villages, ValidationFailed with fields
    "address", "head_name", "phone", "code", "head_birth_year", "head_sex", and PossibleDuplicates
    when the head may already be listed in the commune, unless `allow_duplicates` (the user saw them).
    """
    require_role(actor, *WRITER_ROLES)
    village = require_village_access(session, actor, village_id)
    if village.level != "village":
        raise ValidationFailed([FieldProblem("village", "err.invalid_choice")])
    problems: list[FieldProblem] = []
    address = _check_address(address, problems)
    name = _check_name(head_name, "head_name", problems)
    phone = _check_phone(phone, "phone", problems)
    _check_birth_year(head_birth_year, "head_birth_year", problems, required=False)
    sex = _check_sex(head_sex, "head_sex", problems)
    code = _check_new_code(session, code, problems)
    if problems:
        raise ValidationFailed(problems)
    if not allow_duplicates:
        _refuse_likely_duplicates(
            session, actor, village, full_name=name, birth_year=head_birth_year, phone=phone
        )

    household = _insert_household(session, village=village, code=code, address=address, phone=phone)
    deltas = Deltas()
    deltas.add(household_contribution(household))
    head = _insert_resident(
        session,
        household=household,
        full_name=name,
        birth_year=head_birth_year,
        sex=sex,
        phone=phone,
        is_head=True,
        barriers={},
        deltas=deltas,
    )
    deltas.apply(session)
    audit.record(
        session,
        user_id=actor.user_id,
        action="household.created",
        entity="household",
        entity_id=household.id,
        area_id=village.id,
        details={"code": household.code, "address": address, "head_resident_id": head.id},
    )
    return HouseholdCreated(household.id, household.code, head.id)


def _check_address(address: str, problems: list[FieldProblem]) -> str:
    address = normalize_text(address)
    if not address:
        problems.append(FieldProblem("address", "err.required"))
    elif len(address) > ADDRESS_MAX:
        problems.append(FieldProblem("address", "journey.too_long", {"max": ADDRESS_MAX}))
    elif looks_like_id_number(address):
        problems.append(FieldProblem("address", "err.id_number"))
    return address


def _check_new_code(session: Session, code: str | None, problems: list[FieldProblem]) -> str | None:
    """A household code typed by the user (upper-cased), refused when malformed or taken; None = generate."""
    code = normalize_text(code).upper() or None
    if code is not None:
        if len(code) > CODE_MAX or not re.fullmatch(r"[A-Z0-9._\-/]+", code):
            problems.append(FieldProblem("code", "journey.code_format", {"max": CODE_MAX}))
        elif session.exec(select(Household.id).where(Household.code == code)).scalar() is not None:
            problems.append(FieldProblem("code", "journey.code_taken", {"code": code}))
    return code


def _insert_household(
    session: Session, *, village: Area, code: str | None, address: str, phone: str | None
) -> Household:
    """Insert the household under `code`, else the village's next free code; a code another tablet took
    between our read and our insert is refused (typed) or drawn again (generated)."""
    now = utcnow()
    for _attempt in range(_CODE_ATTEMPTS):
        household = Household(
            code=code or _next_code(session, village.code),
            village_id=village.id,
            address=address,
            address_key=search_key(address),
            phone=phone,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(household)
                session.flush()
            return household
        except IntegrityError:
            if code is not None:
                raise ValidationFailed([FieldProblem("code", "journey.code_taken", {"code": code})]) from None
    raise ValidationFailed([FieldProblem("code", "journey.code_taken", {"code": "?"})])


def _insert_resident(
    session: Session,
    *,
    household: Household,
    full_name: str,
    birth_year: int | None,
    sex: str | None,
    phone: str | None,
    is_head: bool,
    barriers: dict[str, object],
    deltas: Deltas,
) -> Resident:
    now = utcnow()
    resident = Resident(
        household_id=household.id,
        full_name=full_name,
        name_key=search_key(full_name),
        birth_year=birth_year,
        sex=sex,
        phone=phone,
        phone_rev=reversed_digits(phone),
        is_head=is_head,
        created_at=now,
        updated_at=now,
        **barriers,
    )
    session.add(resident)
    session.flush()
    deltas.add(resident_contribution(resident_facts(session, resident.id)))
    return resident


@entry(Act.HOUSEHOLD_ADD)
def add_resident(
    session: Session,
    *,
    actor: Actor,
    household_id: int,
    full_name: str,
    birth_year: int | None,
    sex: str | None = None,
    phone: str | None = None,
    is_head: bool = False,
    has_smartphone: bool | None = None,
    phone_own_name: bool | None = None,
    vneid_level: int | None = None,
    has_payment_account: bool | None = None,
    poor_network: bool | None = None,
    fears_mistakes: bool | None = None,
    digital_course_done: bool = False,
    allow_duplicates: bool = False,
) -> int:
    """Add a resident to an active household in the actor's villages; returns the resident id.

    Barrier flags: None = not asked yet; `vneid_level` 0, 1 or 2. `is_head=True` makes the new
    resident the head (the previous head keeps living there but is no longer marked head).
    ValidationFailed fields: "full_name", "birth_year", "sex", "phone" and the barrier names.
    PossibleDuplicates (carrying the matches) when someone in the commune may be the same person
    (`likely_duplicates`); a caller that showed them and was told to go on passes `allow_duplicates=True`.
    """
    require_role(actor, *WRITER_ROLES)
    household = session.get(Household, household_id)
    if household is None or household.status != "active":
        raise NotFound()
    village = require_village_access(session, actor, household.village_id)
    problems: list[FieldProblem] = []
    name = _check_name(full_name, "full_name", problems)
    _check_birth_year(birth_year, "birth_year", problems, required=True)
    sex = _check_sex(sex, "sex", problems)
    phone = _check_phone(phone, "phone", problems)
    barriers = _check_barriers(
        {
            "has_smartphone": has_smartphone,
            "phone_own_name": phone_own_name,
            "vneid_level": vneid_level,
            "has_payment_account": has_payment_account,
            "poor_network": poor_network,
            "fears_mistakes": fears_mistakes,
            "digital_course_done": bool(digital_course_done),
        },
        problems,
    )
    if problems:
        raise ValidationFailed(problems)
    if not allow_duplicates:
        _refuse_likely_duplicates(session, actor, village, full_name=name, birth_year=birth_year, phone=phone)
    if is_head:
        session.exec(
            update(Resident)
            .where(Resident.household_id == household.id, Resident.is_head.is_(True))
            .values(is_head=False, updated_at=utcnow())
        )
    deltas = Deltas()
    resident = _insert_resident(
        session,
        household=household,
        full_name=name,
        birth_year=birth_year,
        sex=sex,
        phone=phone,
        is_head=is_head,
        barriers=barriers,
        deltas=deltas,
    )
    deltas.apply(session)
    audit.record(
        session,
        user_id=actor.user_id,
        action="resident.created",
        entity="resident",
        entity_id=resident.id,
        area_id=village.id,
        details={"household_id": household.id, "full_name": name, "birth_year": birth_year},
    )
    return resident.id


# ---------------------------------------------------------------- duplicates


def _refuse_likely_duplicates(
    session: Session,
    actor: Actor,
    village: Area,
    *,
    full_name: str,
    birth_year: int | None,
    phone: str | None,
) -> None:
    """PossibleDuplicates when someone active in the village's commune may be this person."""
    commune_id = village.parent_id if village.level == AreaLevel.VILLAGE else village.id
    matches = likely_duplicates(
        session, actor=actor, commune_id=commune_id, full_name=full_name, birth_year=birth_year, phone=phone
    )
    if matches:
        raise PossibleDuplicates(matches)


@entry(Act.HOUSEHOLD_CARD)
def likely_duplicates(
    session: Session,
    *,
    actor: Actor,
    commune_id: int,
    full_name: str,
    birth_year: int | None,
    phone: str | None,
    limit: int = 10,
) -> list[DuplicateCandidate]:
    """Active residents under `commune_id` with the same name key and birth year, or the same phone.

    Meant as a warning before `add_resident`/`create_household`: it shows only name, birth year and
    household code, and says whether the actor may open the household (`in_scope`).
    """
    require_role(actor, *READER_ROLES)
    commune = get_area_in_scope(session, actor, commune_id)
    key = search_key(normalize_name(full_name))
    phone_n = normalize_phone(phone)
    conditions = []
    if key and birth_year is not None:
        conditions.append((Resident.name_key == key) & (Resident.birth_year == birth_year))
    if phone_n and is_valid_phone(phone_n):
        conditions.append(Resident.phone_rev == reversed_digits(phone_n))
    if not conditions:
        return []
    prefix = commune.path
    rows = session.exec(
        select(
            Resident.id,
            Resident.full_name,
            Resident.birth_year,
            Resident.name_key,
            Resident.phone,
            Household.id,
            Household.code,
            Household.village_id,
            Area.name,
        )
        .join(Household, Household.id == Resident.household_id)
        .join(Area, Area.id == Household.village_id)
        .where(
            or_(*conditions),
            Resident.status == "active",
            Household.status == "active",
            Area.path >= prefix,
            Area.path < prefix[:-1] + "0",
        )
        .order_by(Resident.id)
        .limit(limit)
    ).all()
    out = []
    for rid, name, year, name_key, r_phone, hid, code, village_id, village_name in rows:
        visible = not actor.is_volunteer or village_id in actor.village_ids
        if not visible:
            # A volunteer learns only that a likely match lives in another village: initials, no
            # birth year, no household — enough to ask the resident, nothing to look people up with.
            name, year, code, rid, hid = _initials(name), None, "", 0, 0
        out.append(
            DuplicateCandidate(
                resident_id=rid,
                full_name=name,
                birth_year=year,
                household_id=hid,
                household_code=code,
                village_name=village_name,
                same_name_and_year=name_key == key and year == birth_year,
                same_phone=bool(phone_n) and r_phone == phone_n,
                in_scope=visible,
            )
        )
    return out


def _initials(full_name: str) -> str:
    return " ".join(w[0] + "." for w in full_name.split() if w)


# ---------------------------------------------------------------- the household card


# Who sees phone numbers whole on a household card: the people who call and visit the household.
CARD_PHONE_ROLES = (Role.VOLUNTEER, Role.COORDINATOR)


def card_phone(actor: Actor | None, phone: str | None) -> str | None:
    """A phone number as `actor` may see it on a card: whole for field roles, else the last 3 digits."""
    return phone if actor is not None and actor.role in CARD_PHONE_ROLES else mask_phone(phone)


def resident_card(resident: Resident, levels: dict[str, int], actor: Actor | None = None) -> ResidentCard:
    """A resident as the visit form shows them: particulars, current `levels`, barrier flags; the phone
    masked unless `actor` is a field role."""
    return ResidentCard(
        id=resident.id,
        full_name=resident.full_name,
        birth_year=resident.birth_year,
        sex=resident.sex,
        phone=card_phone(actor, resident.phone),
        is_head=resident.is_head,
        levels=levels,
        barriers={name: getattr(resident, name) for name in BARRIER_FIELDS},
        first_guided_on=resident.first_guided_on,
    )


@entry(Act.HOUSEHOLD_CARD)
def household_card(session: Session, *, actor: Actor, household_id: int) -> HouseholdCard:
    """What the tablet shows for one household: active residents with their five current levels
    (0–3), barrier flags, birth year; last visit, follow-up and the last few visits."""
    require_role(actor, *READER_ROLES)
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound()
    village = session.get(Area, household.village_id)
    if not village.path.startswith(actor.area_path) or (
        actor.is_volunteer and village.id not in actor.village_ids
    ):
        raise PermissionDenied("err.out_of_scope")
    residents = session.exec(
        select(Resident).where(Resident.household_id == household.id, Resident.status == "active")
    ).scalars()
    residents = list(residents)
    levels = current_levels(session, [r.id for r in residents])
    cards = [resident_card(r, levels[r.id], actor) for r in residents]
    cards.sort(key=lambda c: (not c.is_head, c.birth_year or 9999, person_sort_key(c.full_name)))
    met = (
        select(func.count())
        .select_from(VisitResident)
        .where(VisitResident.visit_id == Visit.id)
        .scalar_subquery()
    )
    visits = session.exec(
        select(Visit, met)
        .where(Visit.household_id == household.id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(CARD_VISITS)
    ).all()
    return HouseholdCard(
        id=household.id,
        code=household.code,
        village_id=village.id,
        village_name=village.name,
        address=household.address,
        phone=card_phone(actor, household.phone),
        first_visited_on=household.first_visited_on,
        last_visited_on=household.last_visited_on,
        follow_up_on=household.follow_up_on,
        residents=cards,
        recent_visits=[
            VisitBrief(
                v.id, v.visited_on, v.kind, v.place, v.outcome, v.follow_up_on, v.status, int(n), v.notes
            )
            for v, n in visits
        ],
    )
