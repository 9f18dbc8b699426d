"""Comparing the file with the database: which households and residents would be created, which
updated (and how), which rows are possible duplicates of residents elsewhere in the area, and which
household codes belong to another area. The report says all of it; nothing here writes.

The snapshots are what a plan relies on, read in the read phase and again in the write transaction: an
import plans again under the write lock only when they differ."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlmodel import Session

from models.tables import Area, Household, Resident
from services.errors import FieldProblem
from services.people.importing.parse import HouseholdRows, Progress, Row

REPORT_LIST_MAX = 1000
CHUNK = 2000  # ids / codes per IN (...) query


# ---------------------------------------------------------------- report


@dataclass(frozen=True)
class Change:
    line: int
    entity: str  # household | resident
    label: str  # household code or resident name
    fields: dict[str, tuple[object, object]]  # field -> (before, after)


@dataclass(frozen=True)
class Duplicate:
    line: int
    full_name: str
    birth_year: int | None
    reason: str  # name_year | phone
    existing_id: int
    existing_name: str
    existing_household: str


@dataclass
class ImportReport:
    rows: int = 0
    villages_created: list[str] = field(default_factory=list)
    households_created: int = 0
    households_updated: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)  # the first REPORT_LIST_MAX
    duplicates: list[Duplicate] = field(default_factory=list)  # the first REPORT_LIST_MAX
    duplicates_total: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False


# ---------------------------------------------------------------- the plan


@dataclass
class Plan:
    new_households: list[HouseholdRows] = field(default_factory=list)
    household_updates: dict[int, dict[str, tuple]] = field(default_factory=dict)
    new_residents: list[tuple[str, Row]] = field(default_factory=list)  # (household code, row)
    resident_updates: dict[int, dict[str, tuple]] = field(default_factory=dict)
    household_ids: dict[str, int] = field(default_factory=dict)  # existing code -> id
    inactive_codes: set[str] = field(default_factory=set)  # existing households not active


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def make_plan(
    session: Session,
    area: Area,
    households: dict[str, HouseholdRows],
    labels: dict[str, str],
    problems: list[FieldProblem],
    report: ImportReport,
    notify: Progress,
) -> Plan:
    """What would be created and updated; problems for household codes that belong elsewhere."""
    plan = Plan()
    existing = _existing_households(session, list(households))
    paths = dict(session.exec(select(Area.id, Area.path).where(Area.path.like(area.path + "%"))).all())
    for code, h in existing.items():
        if h.village_id not in paths:
            hp = households[code]
            problems.append(
                FieldProblem(labels["household_code"], "imp.err.household_elsewhere", {"code": code}, hp.line)
            )
    notify(0.5, "check")
    known = _KnownResidents(session, list(paths))
    notify(0.55, "check")
    for code, hp in households.items():
        h = existing.get(code)
        if h is not None and h.village_id not in paths:
            continue
        if h is None:
            plan.new_households.append(hp)
            members: dict[tuple, tuple] = {}
        else:
            _plan_household_update(plan, report, hp, h)
            members = known.by_household.get(h.id, {})
        for r in hp.rows:
            _plan_resident(plan, report, code, r, members.get((r.name_key, r.birth_year)), known)
    report.households_created = len(plan.new_households)
    report.households_updated = len(plan.household_updates)
    report.residents_created = len(plan.new_residents)
    report.residents_updated = len(plan.resident_updates)
    notify(0.6, "check")
    return plan


def _existing_households(session: Session, codes: list[str]) -> dict[str, Household]:
    existing: dict[str, Household] = {}
    for chunk in chunks(codes):
        for h in session.exec(select(Household).where(Household.code.in_(chunk))).scalars():
            existing[h.code] = h
    return existing


# ---------------------------------------------------------------- what a plan relies on

_HOUSEHOLD_FACTS = (
    Household.id,
    Household.code,
    Household.village_id,
    Household.address,
    Household.phone,
    Household.status,
)


def area_snapshot(session: Session, area: Area) -> tuple:
    """The import area and its tree, as parsing (villages by code and name) and planning (which
    households are inside) read them."""
    rows = session.exec(
        select(Area.id, Area.code, Area.name_key, Area.level, Area.path)
        .where(Area.path.like(area.path + "%"))
        .order_by(Area.id)
    ).all()
    return (area.id, area.path, tuple(tuple(r) for r in rows))


def facts_snapshot(session: Session, area: Area, codes: list[str]) -> tuple:
    """What a plan of these household codes compares with: the households holding them (wherever they
    are), every member of those households with the columns a row is matched and compared on, and the
    count, highest id and active count of the area's residents (new possible duplicates elsewhere in the
    area). A visit changing other columns (skills, barriers other than the smartphone) changes nothing
    here."""
    households = sorted(
        tuple(r)
        for chunk in chunks(codes)
        for r in session.exec(select(*_HOUSEHOLD_FACTS).where(Household.code.in_(chunk))).all()
    )
    members = sorted(
        tuple(r)
        for chunk in chunks([h[0] for h in households])
        for r in session.exec(
            select(*_KnownResidents.COLUMNS[:-1]).where(Resident.household_id.in_(chunk))
        ).all()
    )
    in_area = select(Area.id).where(Area.path.like(area.path + "%"))
    totals = session.exec(
        select(
            func.count(Resident.id),
            func.max(Resident.id),
            func.sum(case((Resident.status == "active", 1), else_=0)),
        )
        .join(Household, Household.id == Resident.household_id)
        .where(Household.village_id.in_(in_area))
    ).one()
    return (tuple(households), tuple(members), tuple(totals))


class _KnownResidents:
    """Residents already in the area's villages: by household and (name key, birth year) to match a
    row within its household; the active ones by person and by phone, to spot likely duplicates."""

    COLUMNS = (
        Resident.id,
        Resident.household_id,
        Resident.full_name,
        Resident.name_key,
        Resident.birth_year,
        Resident.sex,
        Resident.phone,
        Resident.is_head,
        Resident.has_smartphone,
        Resident.status,
        Household.code,
    )

    def __init__(self, session: Session, village_ids: list[int]) -> None:
        self.by_household: dict[int, dict[tuple, tuple]] = defaultdict(dict)
        self.by_person: dict[tuple, tuple] = {}
        self.by_phone: dict[str, tuple] = {}
        for chunk in chunks(village_ids, 500):
            for rec in session.exec(
                select(*self.COLUMNS)
                .join(Household, Household.id == Resident.household_id)
                .where(Household.village_id.in_(chunk))
            ).all():
                self.by_household[rec[1]][(rec[3], rec[4])] = rec
                if rec[9] == "active":
                    self.by_person.setdefault((rec[3], rec[4]), rec)
                    if rec[6]:
                        self.by_phone.setdefault(rec[6], rec)


def _plan_household_update(plan: Plan, report: ImportReport, hp: HouseholdRows, h: Household) -> None:
    """An existing household: what the file changes (village, address, phone; empty cells change nothing)."""
    plan.household_ids[hp.code] = h.id
    if h.status != "active":
        plan.inactive_codes.add(hp.code)
    changes = {}
    if hp.village_id and hp.village_id != h.village_id:
        changes["village_id"] = (h.village_id, hp.village_id)
    if hp.address and hp.address != h.address:
        changes["address"] = (h.address, hp.address)
    if hp.phone and hp.phone != h.phone:
        changes["phone"] = (h.phone, hp.phone)
    if changes:
        plan.household_updates[h.id] = changes
        _note_change(report, Change(hp.line, "household", hp.code, changes))


def _plan_resident(
    plan: Plan, report: ImportReport, code: str, r: Row, rec: tuple | None, known: _KnownResidents
) -> None:
    """A row: a new resident (reported when it looks like someone already listed in the area), or an
    update of `rec`, the same person already in the household."""
    if rec is None:
        plan.new_residents.append((code, r))
        dup, reason = known.by_person.get((r.name_key, r.birth_year)), "name_year"
        if dup is None and r.phone:
            dup, reason = known.by_phone.get(r.phone), "phone"
        if dup is not None:
            report.duplicates_total += 1
            if len(report.duplicates) < REPORT_LIST_MAX:
                report.duplicates.append(
                    Duplicate(r.line, r.full_name, r.birth_year, reason, dup[0], dup[2], dup[10])
                )
        return
    changes = {}
    if r.full_name != rec[2]:
        changes["full_name"] = (rec[2], r.full_name)
    if r.sex is not None and r.sex != rec[5]:
        changes["sex"] = (rec[5], r.sex)
    if r.phone is not None and r.phone != rec[6]:
        changes["phone"] = (rec[6], r.phone)
    if r.is_head is not None and r.is_head != bool(rec[7]):
        changes["is_head"] = (bool(rec[7]), r.is_head)
    if r.has_smartphone is not None and r.has_smartphone != rec[8]:
        changes["has_smartphone"] = (rec[8], r.has_smartphone)
    if changes:
        plan.resident_updates[rec[0]] = changes
        _note_change(report, Change(r.line, "resident", r.full_name, changes))
    else:
        report.unchanged += 1


def _note_change(report: ImportReport, change: Change) -> None:
    if len(report.changes) < REPORT_LIST_MAX:
        report.changes.append(change)
