"""Paper visit sheets: record each printed sheet, list them per village, and type a returned sheet back in
(one visit per filled row, written by `record_visit` under a key per sheet and household,
so a sheet entered twice, or finished later, writes each visit once)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.clock import utcnow
from core.text import person_sort_key, sort_key
from models.enums import AreaLevel, PersonStatus, VisitPlace
from models.tables import Area, Household, Resident, Visit, VisitSheet
from services import audit
from services.access import Actor, require_role, require_village_access
from services.errors import FieldProblem, NotFound, ValidationFailed
from services.people.derived import current_levels
from services.permissions import Act, entry
from services.visits.record import WRITER_ROLES, ResidentInput, VisitInput, find_by_key, record_visit

MAX_KEY = 64  # Visit.idempotency_key
MAX_OPEN_LISTED = 12  # open sheets listed per village
SHEET_FIELDS = ("visited_on", "form", "members")  # problems that concern the whole sheet, not a row


def format_sheet_id(village_code: str, printed_on: date, number: int) -> str:
    """The id printed on a sheet: `PV-<village code>-<yyyymmdd>-<nn>`."""
    return f"PV-{village_code}-{printed_on:%Y%m%d}-{number:02d}"


def row_key(sheet_id: str, household_id: int) -> str:
    """The idempotency key of the visit typed in from one row of one sheet (the same every time)."""
    key = f"sheet:{sheet_id}:{household_id}"
    if len(key) <= MAX_KEY:
        return key
    return "sheet:" + hashlib.sha256(key.encode()).hexdigest()[: MAX_KEY - 6]


def canonical_sheet_id(typed: str) -> str:
    """What a person typed from the paper, as the id is stored (compared without case): spaces and
    dashes as one dash, "PV-" optional, the sheet number padded ("pv a1 20260309 1" -> PV-A1-20260309-01)."""
    text = re.sub(r"[\s_\u2013\u2014-]+", "-", (typed or "").strip()).strip("-").upper()
    if text and not text.startswith("PV-"):
        text = "PV-" + text
    match = re.fullmatch(r"(.+-\d{8}-)(\d{1,3})", text)
    if match:
        text = match.group(1) + f"{int(match.group(2)):02d}"
    return text


# ---------------------------------------------------------------- printing records the sheets


def record_printed_sheets(
    session: Session,
    *,
    printed_by: int | None,
    village_id: int,
    village_code: str,
    printed_on: date,
    household_lists: list[list[int]],
) -> list[str]:
    """The ids of the sheets about to be printed, one per list of household ids (in printed order),
    recorded in visit_sheet. A list printed earlier the same day keeps its id; any other list gets a
    new number, so an id never names two different lists."""
    prefix = format_sheet_id(village_code, printed_on, 0)[:-2]
    earlier = session.exec(
        select(VisitSheet.id, VisitSheet.village_id, VisitSheet.household_ids).where(
            VisitSheet.id.like(prefix + "%")
        )
    ).all()
    reuse = {row.household_ids: row.id for row in earlier if row.village_id == village_id}
    used = {_number(row.id, prefix) for row in earlier}
    ids = []
    for households in household_lists:
        listed = json.dumps(households)
        if listed in reuse:
            ids.append(reuse.pop(listed))
            continue
        number = max(used | {0}) + 1
        while not _insert_sheet(
            session,
            format_sheet_id(village_code, printed_on, number),
            village_id,
            printed_on,
            printed_by,
            listed,
        ):
            number += 1  # taken meanwhile by another printer
        used.add(number)
        ids.append(format_sheet_id(village_code, printed_on, number))
    return ids


def _number(sheet_id: str, prefix: str) -> int:
    tail = sheet_id[len(prefix) :]
    return int(tail) if tail.isdigit() else 0


def _insert_sheet(
    session: Session, sheet_id: str, village_id: int, printed_on: date, printed_by: int | None, listed: str
) -> bool:
    try:
        with session.begin_nested():
            session.add(
                VisitSheet(
                    id=sheet_id,
                    village_id=village_id,
                    printed_on=printed_on,
                    printed_by=printed_by,
                    household_ids=listed,
                    created_at=utcnow(),
                )
            )
            session.flush()
    except IntegrityError:
        return False
    return True


# ---------------------------------------------------------------- sheets printed vs entered


@dataclass(frozen=True)
class SheetBrief:
    id: str
    printed_on: date
    households: int
    rows_entered: int
    entered_at: datetime | None


@dataclass(frozen=True)
class VillageSheets:
    village_id: int
    code: str
    name: str
    printed: int
    entered: int
    open_sheets: tuple[SheetBrief, ...]  # not yet marked entered, newest first (at most MAX_OPEN_LISTED)

    @property
    def open(self) -> int:
        return self.printed - self.entered


@entry(Act.SHEET_ENTER)
def sheets_overview(session: Session, *, actor: Actor) -> list[VillageSheets]:
    """Per village of the actor (a volunteer: their team's villages; a coordinator: villages of their
    area that have sheets): sheets printed, sheets entered, and the open ones with rows entered so far."""
    require_role(actor, *WRITER_ROLES)
    villages = select(Area.id, Area.code, Area.name).where(
        Area.level == AreaLevel.VILLAGE, Area.path.like(actor.area_path + "%")
    )
    if actor.is_volunteer:
        villages = villages.where(Area.id.in_(actor.village_ids or (-1,)))
    else:
        villages = villages.where(Area.id.in_(select(VisitSheet.village_id)))
    places = {row.id: row for row in session.exec(villages).all()}
    if not places:
        return []
    counts = {
        row.village_id: (row.printed, row.entered)
        for row in session.exec(
            select(
                VisitSheet.village_id,
                func.count().label("printed"),
                func.count(VisitSheet.entered_at).label("entered"),
            )
            .where(VisitSheet.village_id.in_(sorted(places)))
            .group_by(VisitSheet.village_id)
        ).all()
    }
    open_by_village = _open_sheets(session, sorted(places))
    out = [
        VillageSheets(
            village_id=vid,
            code=place.code,
            name=place.name,
            printed=counts.get(vid, (0, 0))[0],
            entered=counts.get(vid, (0, 0))[1],
            open_sheets=tuple(open_by_village.get(vid, ())),
        )
        for vid, place in places.items()
    ]
    return sorted(out, key=lambda v: sort_key(v.name))


def _open_sheets(session: Session, village_ids: list[int]) -> dict[int, list[SheetBrief]]:
    rows = session.exec(
        select(VisitSheet)
        .where(VisitSheet.village_id.in_(village_ids), VisitSheet.entered_at.is_(None))
        .order_by(VisitSheet.printed_on.desc(), VisitSheet.id)
    ).scalars()
    by_village: dict[int, list[VisitSheet]] = defaultdict(list)
    for sheet in rows:
        if len(by_village[sheet.village_id]) < MAX_OPEN_LISTED:
            by_village[sheet.village_id].append(sheet)
    keys = {row_key(s.id, hid): s.id for sheets in by_village.values() for s in sheets for hid in _order(s)}
    entered: dict[str, int] = defaultdict(int)
    for key in _existing_keys(session, list(keys)):
        entered[keys[key]] += 1
    return {
        vid: [SheetBrief(s.id, s.printed_on, len(_order(s)), entered[s.id], s.entered_at) for s in sheets]
        for vid, sheets in by_village.items()
    }


def _order(sheet: VisitSheet) -> list[int]:
    return [int(h) for h in json.loads(sheet.household_ids)]


def _existing_keys(session: Session, keys: list[str]) -> list[str]:
    found = []
    for start in range(0, len(keys), 500):
        found.extend(
            session.exec(
                select(Visit.idempotency_key).where(Visit.idempotency_key.in_(keys[start : start + 500]))
            ).scalars()
        )
    return found


# ---------------------------------------------------------------- one sheet, ready to type in


@dataclass(frozen=True)
class SheetResident:
    id: int
    full_name: str
    birth_year: int | None
    is_head: bool
    levels: dict[str, int]  # current level per skill (missing = 0)


@dataclass(frozen=True)
class EnteredVisit:
    visit_id: int
    visited_on: date
    outcome: str
    status: str


@dataclass(frozen=True)
class SheetRow:
    household_id: int
    code: str
    address: str
    active: bool  # False: moved, merged or removed since printing (nothing can be entered)
    entered: EnteredVisit | None
    residents: tuple[SheetResident, ...]


@dataclass(frozen=True)
class SheetForEntry:
    id: str
    village_id: int
    village_name: str
    commune_name: str
    printed_on: date
    entered_at: datetime | None
    rows: tuple[SheetRow, ...]

    @property
    def rows_left(self) -> int:
        return sum(1 for r in self.rows if r.active and r.entered is None)


@entry(Act.SHEET_ENTER)
def find_sheet(session: Session, *, actor: Actor, typed: str) -> str:
    """The stored id of the sheet whose id was typed (case, spaces and dashes forgiven); NotFound
    when there is none, PermissionDenied outside the actor's villages."""
    return _sheet_in_scope(session, actor, typed).id


def _sheet_in_scope(session: Session, actor: Actor, typed: str) -> VisitSheet:
    require_role(actor, *WRITER_ROLES)
    wanted = canonical_sheet_id(typed)
    sheet = session.get(VisitSheet, wanted) if wanted else None
    if sheet is None and wanted:
        sheet = session.exec(select(VisitSheet).where(func.upper(VisitSheet.id) == wanted)).scalars().first()
    if sheet is None:
        raise NotFound("sheet.not_found", id=(typed or "").strip())
    require_village_access(session, actor, sheet.village_id)
    return sheet


@entry(Act.SHEET_ENTER)
def load_sheet(session: Session, *, actor: Actor, sheet_id: str) -> SheetForEntry:
    """A sheet's households and their active residents in printed order (head first, then by birth
    year and name, as on the paper), current levels, and the visit already typed in for each row."""
    sheet = _sheet_in_scope(session, actor, sheet_id)
    order = _order(sheet)
    households = {h.id: h for h in session.exec(select(Household).where(Household.id.in_(order))).scalars()}
    residents: dict[int, list[Resident]] = defaultdict(list)
    for r in session.exec(
        select(Resident).where(Resident.household_id.in_(order), Resident.status == PersonStatus.ACTIVE)
    ).scalars():
        residents[r.household_id].append(r)
    levels = current_levels(
        session, [r.id for members in residents.values() for r in members], every_skill=False
    )
    entered = _entered_visits(session, sheet.id, order)
    village = session.get(Area, sheet.village_id)
    commune = session.get(Area, village.parent_id) if village.parent_id else None
    rows = []
    for hid in order:
        household = households.get(hid)
        if household is None:
            continue
        members = sorted(
            residents.get(hid, []),
            key=lambda r: (not r.is_head, r.birth_year or 9999, person_sort_key(r.full_name)),
        )
        rows.append(
            SheetRow(
                household_id=hid,
                code=household.code,
                address=household.address,
                active=household.status == PersonStatus.ACTIVE,
                entered=entered.get(hid),
                residents=tuple(
                    SheetResident(r.id, r.full_name, r.birth_year, r.is_head, dict(levels.get(r.id, {})))
                    for r in members
                ),
            )
        )
    return SheetForEntry(
        id=sheet.id,
        village_id=village.id,
        village_name=village.name,
        commune_name=commune.name if commune else "",
        printed_on=sheet.printed_on,
        entered_at=sheet.entered_at,
        rows=tuple(rows),
    )


def _entered_visits(session: Session, sheet_id: str, order: list[int]) -> dict[int, EnteredVisit]:
    keys = {row_key(sheet_id, hid): hid for hid in order}
    out = {}
    for start in range(0, len(keys), 500):
        chunk = list(keys)[start : start + 500]
        for key, vid, day, outcome, status in session.exec(
            select(Visit.idempotency_key, Visit.id, Visit.visited_on, Visit.outcome, Visit.status).where(
                Visit.idempotency_key.in_(chunk)
            )
        ).all():
            out[keys[key]] = EnteredVisit(vid, day, outcome, status)
    return out


# ---------------------------------------------------------------- typing a sheet in


@dataclass
class SheetRowInput:
    """One household row as written on the paper; `outcome` None and nothing else filled = not visited."""

    household_id: int
    outcome: str | None = None
    follow_up_on: date | None = None
    notes: str = ""
    residents: list[ResidentInput] = field(default_factory=list)

    def is_blank(self) -> bool:
        return (
            self.outcome is None
            and not self.residents
            and self.follow_up_on is None
            and not self.notes.strip()
        )


@dataclass(frozen=True)
class SheetEntryResult:
    sheet_id: str
    recorded: int  # visits written now
    already: int  # rows entered before (nothing written again)
    residents: int  # residents present in the visits written now
    rows_left: int  # rows still open (not entered, household still active)
    complete: bool  # the sheet is marked entered


@entry(Act.SHEET_ENTER)
def enter_sheet(
    session: Session,
    *,
    actor: Actor,
    sheet_id: str,
    visited_on: date | None,
    rows: list[SheetRowInput],
    member_ids: list[int] | None = None,
    close: bool = False,
) -> SheetEntryResult:
    """Type a returned sheet in: one home visit per filled row, dated `visited_on` (the day written on
    the paper, not before it was printed), through `record_visit` (same validation, rollups and
    duplicate safety). Blank rows are skipped. Rows already entered write nothing again. The sheet
    is marked entered once every row of an active household is entered, or when `close` says the blank
    rows were not visited. All or nothing: any problem raises ValidationFailed (fields "visited_on",
    "members", "form" for the sheet; "row.<household id>[.<visit field>]" for a row) and the caller's
    transaction rolls back."""
    sheet = _sheet_in_scope(session, actor, sheet_id)
    order = _order(sheet)
    problems = _sheet_problems(sheet, order, visited_on, rows)
    if problems:
        raise ValidationFailed(problems)
    status = dict(session.exec(select(Household.id, Household.status).where(Household.id.in_(order))).all())
    by_household = {row.household_id: row for row in rows}
    recorded = already = present = 0
    done = set()
    for hid in order:
        row = by_household.get(hid)
        key = row_key(sheet.id, hid)
        if find_by_key(session, key) is not None:
            done.add(hid)
            already += row is not None and not row.is_blank()
            continue
        if row is None or row.is_blank():
            continue
        if status.get(hid) != PersonStatus.ACTIVE:
            problems.append(FieldProblem(f"row.{hid}", "sheet.household_gone"))
            continue
        if row.outcome is None:
            problems.append(FieldProblem(f"row.{hid}.outcome", "sheet.outcome_needed"))
            continue
        data = VisitInput(
            idempotency_key=key,
            visited_on=visited_on,
            place=VisitPlace.HOME,
            outcome=row.outcome,
            household_id=hid,
            member_ids=list(member_ids or []),
            follow_up_on=row.follow_up_on,
            notes=row.notes,
            residents=list(row.residents),
        )
        try:
            with session.begin_nested():
                record_visit(session, actor=actor, data=data)
        except ValidationFailed as exc:
            problems.extend(_row_problems(hid, exc))
            continue
        done.add(hid)
        recorded += 1
        present += len(row.residents)
    if problems:
        raise ValidationFailed(_unique(problems))
    left = [hid for hid in order if hid not in done and status.get(hid) == PersonStatus.ACTIVE]
    if (close or not left) and sheet.entered_at is None:
        _mark_entered(session, actor, sheet, recorded=recorded, skipped=len(left))
    return SheetEntryResult(
        sheet_id=sheet.id,
        recorded=recorded,
        already=already,
        residents=present,
        rows_left=len(left),
        complete=sheet.entered_at is not None,
    )


def _sheet_problems(
    sheet: VisitSheet, order: list[int], visited_on: date | None, rows: list[SheetRowInput]
) -> list[FieldProblem]:
    problems = []
    if visited_on is None:
        problems.append(FieldProblem("visited_on", "err.required"))
    elif visited_on < sheet.printed_on:
        problems.append(
            FieldProblem("visited_on", "sheet.before_printed", {"date": f"{sheet.printed_on:%d/%m/%Y}"})
        )
    seen = set()
    for row in rows:
        if row.household_id not in order or row.household_id in seen:
            problems.append(FieldProblem(f"row.{row.household_id}", "sheet.not_on_sheet"))
        seen.add(row.household_id)
    return problems


def _row_problems(household_id: int, exc: ValidationFailed) -> list[FieldProblem]:
    """A visit's problems placed on the sheet: date, teammates and form once, the rest on the row."""
    out = []
    for p in exc.problems:
        name = p.field if p.field in SHEET_FIELDS else f"row.{household_id}.{p.field}"
        out.append(FieldProblem(name, p.key, dict(p.params)))
    return out


def _unique(problems: list[FieldProblem]) -> list[FieldProblem]:
    seen, out = set(), []
    for p in problems:
        marker = (p.field, p.key)
        if marker not in seen:
            seen.add(marker)
            out.append(p)
    return out


def _mark_entered(session: Session, actor: Actor, sheet: VisitSheet, *, recorded: int, skipped: int) -> None:
    sheet.entered_at = utcnow()
    sheet.entered_by = actor.user_id
    session.add(sheet)
    session.flush()
    audit.record(
        session,
        user_id=actor.user_id,
        action="sheet.entered",
        entity="visit_sheet",
        entity_id=sheet.id,
        area_id=sheet.village_id,
        details={"recorded": recorded, "skipped": skipped},
    )
