"""The import itself: check the whole file (parse, plan), then, unless it is a dry run, write it in
one go: villages the file names that do not exist yet, updates of existing households and residents
(with their rollup contributions before and after), new households and residents in bulk inserts and
their rollup counts summed per village."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlmodel import Session

from core.clock import today, utcnow
from core.text import normalize_text, search_key, sort_name_of_words
from models.enums import AreaLevel
from models.tables import Area, Household, Resident
from services import audit
from services.access import Actor, get_area_in_scope, require_role
from services.areas import create_area
from services.errors import FieldProblem, PermissionDenied, ValidationFailed
from services.people.admin import lock_rows_for_change
from services.people.importing.parse import (
    ROWS_MAX,
    HouseholdRows,
    Limits,
    Progress,
    Villages,
    group_households,
    parse_rows,
    read_header,
    read_table,
)
from services.people.importing.plan import (
    ImportReport,
    Plan,
    area_snapshot,
    chunks,
    facts_snapshot,
    make_plan,
)
from services.permissions import Act, entry, roles_of
from services.rollups.contributions import (
    ResidentFacts,
    household_contribution,
    resident_contribution,
    resident_facts,
)
from services.rollups.deltas import Deltas

IMPORT_ROLES = roles_of(Act.RESIDENTS_IMPORT)
BATCH = 10_000

SessionOpener = Callable[[], AbstractContextManager[Session]]


@entry(Act.RESIDENTS_IMPORT)
def import_residents(
    session: Session | None = None,
    *,
    read: SessionOpener | None = None,
    write: SessionOpener | None = None,
    actor: Actor | None,
    area_code: str,
    data: bytes,
    filename: str = "",
    create_villages: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    max_rows: int = ROWS_MAX,
) -> ImportReport:
    """Check the whole file, then (unless `dry_run`) write it. Raises ValidationFailed listing every
    problem, with nothing written. `actor=None` is the command line. At most `max_rows` rows are read
    (the byte limits of an XLSX file follow it); a larger file is refused where it passes the limit.

    `read()` opens a read session and `write()` a write transaction (webui.db's `reading`/`writing`, or
    models.db's sessions over an engine): the file is parsed, checked and compared with the database in
    the read session, with no write lock held, and written in one short write transaction, which first
    re-reads what the plan relied on (the area's tree, the file's households and their members, the
    area's resident count) and plans again under the lock when any of it changed meanwhile: still all
    or nothing, every bad row listed. Given one `session` instead, everything runs in it (the caller
    commits; a write session then holds the lock from parsing to commit)."""
    if session is not None:
        if read is not None or write is not None:
            raise TypeError("import_residents takes a session, or read= and write=, not both")

        def same() -> AbstractContextManager[Session]:
            return nullcontext(session)

        read = write = same
    elif read is None or write is None:
        raise TypeError("import_residents needs a session, or read= and write=")
    two_phase = session is None
    notify = progress or _quiet
    request = _Request(actor, area_code, data, filename, create_villages, max_rows)
    with read() as reading:
        checked = _check(reading, request, notify, snapshot=two_phase)
    report = checked.report
    if dry_run:
        notify(1.0, "done")
        return report
    with write() as writing:
        if two_phase:
            checked = _recheck(writing, request, checked)
            report = checked.report
        _apply(writing, actor, checked.area, checked.villages, checked.plan, notify)
        report.applied = True
        audit.record(
            writing,
            user_id=actor.user_id if actor else None,
            action="residents.imported",
            entity="area",
            entity_id=checked.area.id,
            area_id=checked.area.id,
            details={
                "file": filename,
                "rows": report.rows,
                "villages_created": len(report.villages_created),
                "households_created": report.households_created,
                "households_updated": report.households_updated,
                "residents_created": report.residents_created,
                "residents_updated": report.residents_updated,
            },
        )
    notify(1.0, "done")
    return report


def _quiet(_fraction: float, _stage: str) -> None:
    pass


@dataclass(frozen=True)
class _Request:
    actor: Actor | None
    area_code: str
    data: bytes
    filename: str
    create_villages: bool
    max_rows: int


@dataclass
class _Checked:
    """A file checked against the database: the plan, its report, and what it relied on."""

    area: Area
    villages: Villages
    labels: dict[str, str]
    households: dict[str, HouseholdRows]
    plan: Plan
    report: ImportReport
    tree: tuple | None  # area_snapshot before the villages were read (two-phase runs only)
    facts: tuple | None  # facts_snapshot before the plan read the households and residents


def _check(session: Session, request: _Request, notify: Progress, *, snapshot: bool) -> _Checked:
    """Parse and check the whole file and plan it; ValidationFailed lists every problem. With
    `snapshot`, what the plan relies on is read first (before the plan: under READ COMMITTED, a change
    committing in between shows in the plan, not in the snapshot, so the recheck sees it)."""
    area = _import_area(session, request.actor, request.area_code)
    header, rows_iter = read_table(request.data, request.filename, Limits(request.max_rows))
    report = ImportReport()
    problems: list[FieldProblem] = []
    index, labels, report.ignored_columns = read_header(header)
    tree = area_snapshot(session, area) if snapshot else None
    villages = Villages(session, area, request.create_villages)
    rows = parse_rows(
        rows_iter,
        index,
        labels,
        villages,
        today().year,
        problems,
        notify,
        header=header,
        max_rows=request.max_rows,
    )
    report.rows = len(rows)
    if not rows and not problems:
        raise ValidationFailed([FieldProblem("file", "imp.hostile.no_data_rows", {}, 1)])
    households = group_households(rows, labels, problems)
    facts = facts_snapshot(session, area, list(households)) if snapshot and not problems else None
    plan = make_plan(session, area, households, labels, problems, report, notify)
    _refuse(problems)
    report.villages_created = list(villages.planned)
    return _Checked(area, villages, labels, households, plan, report, tree, facts)


def _recheck(session: Session, request: _Request, checked: _Checked) -> _Checked:
    """In the write transaction: the plan as it is when nothing it relied on changed since the read
    phase; otherwise planned again here, under the lock (parsed again too when the area's tree changed,
    since the villages named in the file were resolved against it)."""
    area = _import_area(session, request.actor, request.area_code)  # still there, still in scope
    if area_snapshot(session, area) != checked.tree:
        return _check(session, request, _quiet, snapshot=False)
    if facts_snapshot(session, area, list(checked.households)) == checked.facts:
        checked.area = area
        return checked
    before = checked.report
    report = ImportReport(rows=before.rows, ignored_columns=before.ignored_columns)
    problems: list[FieldProblem] = []
    plan = make_plan(session, area, checked.households, checked.labels, problems, report, _quiet)
    _refuse(problems)
    report.villages_created = list(checked.villages.planned)
    return replace(checked, area=area, plan=plan, report=report)


def _refuse(problems: list[FieldProblem]) -> None:
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.field))
        raise ValidationFailed(problems)


def _import_area(session: Session, actor: Actor | None, area_code: str) -> Area:
    """The commune (or larger area) imported into, checked against the actor's role and scope."""
    if actor is not None:
        require_role(actor, *IMPORT_ROLES)
    area = session.exec(select(Area).where(Area.code == normalize_text(area_code))).scalar()
    if area is None:
        raise ValidationFailed([FieldProblem("area", "err.unknown_area", {"code": area_code})])
    if actor is not None:
        get_area_in_scope(session, actor, area.id)
        if actor.is_volunteer:
            raise PermissionDenied()
    if area.level == AreaLevel.VILLAGE.value:
        raise ValidationFailed([FieldProblem("area", "imp.err.area_level", {"code": area.code})])
    return area


# ---------------------------------------------------------------- writing


def _apply(session, actor, area, villages: Villages, plan: Plan, notify: Progress) -> None:
    user_id = actor.user_id if actor else None
    now = utcnow()
    # Villages the file names that do not exist yet (only with create_villages, under a commune).
    created = _create_villages(session, area, villages)

    def village(vid: int) -> int:
        return created[vid] if vid < 0 else vid

    deltas = Deltas()
    _update_existing(session, user_id, plan, village, deltas, now)
    notify(0.65, "write")
    _insert_households(session, plan, village, now)
    notify(0.7, "write")
    _insert_residents(session, plan, now, notify)
    _count_new(plan, village, deltas, now.date())
    deltas.apply(session)
    notify(0.99, "write")


def _next_village_codes(session: Session, commune: Area, count: int) -> list[str]:
    """`<commune code>-<nnn>` numbers after the highest one in use."""
    prefix = f"{commune.code}-"
    used = session.exec(select(Area.code).where(Area.code.like(prefix + "%"))).scalars().all()
    numbers = [int(c[len(prefix) :]) for c in used if c[len(prefix) :].isdigit()]
    start = max(numbers, default=0) + 1
    return [f"{prefix}{n:03d}" for n in range(start, start + count)]


def _create_villages(session: Session, area: Area, villages: Villages) -> dict[int, int]:
    """The planned villages created under the commune: {-n (the n-th planned village): new id}."""
    created: dict[int, int] = {}
    if villages.planned:
        codes = _next_village_codes(session, area, len(villages.planned))
        for n, (name, code) in enumerate(zip(villages.planned, codes, strict=True), start=1):
            created[-n] = create_area(
                session, actor=None, code=code, name=name, level="village", parent_code=area.code
            )
    return created


def _update_existing(
    session: Session,
    user_id: int | None,
    plan: Plan,
    village: Callable[[int], int],
    deltas: Deltas,
    now: datetime,
) -> None:
    """Existing households and residents that changed: contributions before and after, row by row.

    Locked first (PostgreSQL), households then residents in id order like a visit locks them, and
    read fresh: a visit committing between the "before" read and the update would be counted twice."""
    touched_residents = set(plan.resident_updates)
    moved_households = [hid for hid, ch in plan.household_updates.items() if "village_id" in ch]
    _held = lock_rows_for_change(  # kept referenced: the locked rows stay in the session
        session, households=plan.household_updates, residents=touched_residents, members_of=moved_households
    )
    for chunk in chunks(moved_households):
        touched_residents.update(
            session.exec(select(Resident.id).where(Resident.household_id.in_(chunk))).scalars().all()
        )
    before_res = {
        rid: resident_contribution(resident_facts(session, rid)) for rid in sorted(touched_residents)
    }
    _update_households(session, user_id, plan, village, deltas, now)
    _update_residents(session, user_id, plan, now)
    session.expire_all()
    for rid, before in before_res.items():
        deltas.diff(before, resident_contribution(resident_facts(session, rid)))


def _update_households(
    session: Session,
    user_id: int | None,
    plan: Plan,
    village: Callable[[int], int],
    deltas: Deltas,
    now: datetime,
) -> None:
    for hid, changes in plan.household_updates.items():
        h = session.get(Household, hid)
        deltas.add(household_contribution(h), -1)
        for name, (_old, new) in changes.items():
            setattr(h, name, village(new) if name == "village_id" else new)
        if "address" in changes:
            h.address_key = search_key(h.address)
        h.updated_at = now
        session.add(h)
        session.flush()
        deltas.add(household_contribution(h), +1)
        audit.record(
            session,
            user_id=user_id,
            action="household.imported_update",
            entity="household",
            entity_id=hid,
            area_id=h.village_id,
            details={"changes": changes},
        )


def _update_residents(session: Session, user_id: int | None, plan: Plan, now: datetime) -> None:
    for rid, changes in plan.resident_updates.items():
        values = {name: new for name, (_old, new) in changes.items()}
        if "full_name" in values:
            values["name_key"] = search_key(values["full_name"])
            values["sort_name"] = sort_name_of_words(values["full_name"].lower().split())
        if "phone" in values:
            values["phone_rev"] = values["phone"][::-1] if values["phone"] else None
        values["updated_at"] = now
        session.exec(
            update(Resident)
            .where(Resident.id == rid)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            session,
            user_id=user_id,
            action="resident.imported_update",
            entity="resident",
            entity_id=rid,
            details={"changes": changes},
        )


def _insert_households(session: Session, plan: Plan, village: Callable[[int], int], now: datetime) -> None:
    """New households, in bulk; their ids looked up by code (into `plan.household_ids`)."""
    table = Household.__table__
    for chunk in chunks(plan.new_households, BATCH):
        session.connection().execute(
            insert(table),
            [
                {
                    "code": h.code,
                    "village_id": village(h.village_id),
                    "address": h.address,
                    "address_key": h.address_key,
                    "phone": h.phone,
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for h in chunk
            ],
        )
    for chunk in chunks([h.code for h in plan.new_households]):
        plan.household_ids.update(
            session.exec(select(Household.code, Household.id).where(Household.code.in_(chunk))).all()
        )


def _insert_residents(session: Session, plan: Plan, now: datetime, notify: Progress) -> None:
    """New residents, in bulk."""
    table = Resident.__table__
    total = max(1, len(plan.new_residents))
    done = 0
    for chunk in chunks(plan.new_residents, BATCH):
        session.connection().execute(
            insert(table),
            [
                {
                    "household_id": plan.household_ids[code],
                    "full_name": r.full_name,
                    "name_key": r.name_key,
                    "sort_name": r.sort_name,
                    "birth_year": r.birth_year,
                    "sex": r.sex,
                    "phone": r.phone,
                    "phone_rev": r.phone[::-1] if r.phone else None,
                    "is_head": bool(r.is_head),
                    "has_smartphone": r.has_smartphone,
                    "digital_course_done": False,
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for code, r in chunk
            ],
        )
        done += len(chunk)
        notify(0.7 + 0.25 * done / total, "write")


def _count_new(plan: Plan, village: Callable[[int], int], deltas: Deltas, registered_on: date) -> None:
    """Rollups of what was created: summed per village, carried to the ancestors by Deltas."""
    households_per_village: dict[int, int] = defaultdict(int)
    for h in plan.new_households:
        households_per_village[village(h.village_id)] += 1
    for vid, n in households_per_village.items():
        deltas.add({("rollup_area", (vid,), "households"): n})
    # A new resident's contribution from the facts the import sets (no skills, not guided yet), so every
    # rollup a resident counts in (area, skill, birth-year cohort) follows the one rule.
    for code, r in plan.new_residents:
        if code in plan.inactive_codes:
            continue  # added to a household that moved away or was merged: not counted
        vid = village(r.village_id)  # every row of a household names its (possibly new) village
        facts = ResidentFacts(
            vid, True, has_smartphone=r.has_smartphone, birth_year=r.birth_year, registered_on=registered_on
        )
        deltas.add(resident_contribution(facts))
