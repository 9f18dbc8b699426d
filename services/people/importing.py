"""Import the resident list of a commune from CSV or XLSX: one row per resident, all or nothing.

Every bad row is reported with its line number and column, and nothing is written unless the whole
file is good. Rows sharing a household code form one household. A resident already in that household
(same name key and birth year) is updated where the file says something different; empty cells leave
stored values alone (so a sheet without the smartphone column never erases what volunteers recorded).
Re-importing the same file changes nothing. Possible duplicates of residents elsewhere in the area
(same name and birth year, or same phone) are reported, never merged. New rows go in with bulk inserts
and their rollup counts are added per village, then carried up to the ancestors.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlmodel import Session

from core.clock import today, utcnow
from core.text import (
    is_valid_phone,
    normalize_name,
    normalize_phone,
    normalize_text,
    search_key,
    sort_name_of_words,
)
from models.enums import SKILLS, AreaLevel, Role, Sex
from models.tables import Area, Household, Resident
from services import audit
from services.access import Actor, get_area_in_scope, require_role
from services.areas import create_area
from services.errors import FieldProblem, PermissionDenied, ValidationFailed
from services.people.admin import lock_rows_for_change
from services.rollups.core import Deltas, household_contribution, resident_contribution, resident_facts

IMPORT_ROLES = (Role.COORDINATOR, Role.ADMIN)
MIN_BIRTH_YEAR = 1900
CODE_MAX = 40
NAME_MAX = 200
ADDRESS_MAX = 300
BATCH = 10_000
REPORT_LIST_MAX = 1000
CHUNK = 2000  # ids / codes per IN (...) query

# Canonical column -> accepted headers (compared by search key: case, spacing, diacritics ignored).
COLUMNS: dict[str, tuple[str, ...]] = {
    "household_code": ("Mã hộ", "household_code", "household code"),
    "village": ("Thôn", "village"),
    "address": ("Địa chỉ", "address"),
    "full_name": ("Họ và tên", "full_name", "full name"),
    "birth_year": ("Năm sinh", "birth_year", "birth year"),
    "sex": ("Giới tính", "sex"),
    "phone": ("Số điện thoại", "phone"),
    "is_head": ("Chủ hộ", "is_head", "is head"),
    "has_smartphone": ("Điện thoại thông minh", "has_smartphone", "has smartphone"),
}
REQUIRED = ("household_code", "village", "full_name")
_ALIASES = {search_key(a).replace("_", " "): col for col, names in COLUMNS.items() for a in names}
_TRUE = {"x", "co", "1", "yes", "true", "y", "c", "v", "dung", "la chu ho"}
_FALSE = {"khong", "0", "no", "false", "n", "k", "ko", "sai"}
_SEX = {
    "nam": Sex.MALE.value,
    "male": Sex.MALE.value,
    "m": Sex.MALE.value,
    "nu": Sex.FEMALE.value,
    "female": Sex.FEMALE.value,
    "f": Sex.FEMALE.value,
    "khac": Sex.OTHER.value,
    "other": Sex.OTHER.value,
}

Progress = Callable[[float, str], None]


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


# ---------------------------------------------------------------- reading the file


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([FieldProblem("file", "imp.err.not_utf8")]) from exc


def _read_csv(data: bytes) -> tuple[list[str], Iterator[tuple[int, list]]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise ValidationFailed([FieldProblem("file", "err.empty_file")])

    def rows() -> Iterator[tuple[int, list]]:
        for cells in reader:
            yield reader.line_num, cells

    return header, rows()


def _read_xlsx(data: bytes) -> tuple[list[str], Iterator[tuple[int, list]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign file: say so, never crash
        raise ValidationFailed([FieldProblem("file", "imp.err.unreadable")]) from exc
    sheet = workbook.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    header = next(it, None)
    if header is None:
        workbook.close()
        raise ValidationFailed([FieldProblem("file", "err.empty_file")])

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for number, cells in enumerate(it, start=2):
                yield number, list(cells)
        finally:
            workbook.close()

    return ["" if h is None else str(h) for h in header], rows()


def read_table(data: bytes, filename: str = "") -> tuple[list[str], Iterator[tuple[int, list]]]:
    """Header cells and (line number, cells) for each row, from CSV (UTF-8, comma or semicolon) or XLSX."""
    if not data:
        raise ValidationFailed([FieldProblem("file", "err.empty_file")])
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    return _read_csv(data)


def _cell(value) -> str:
    if value.__class__ is str:  # every CSV cell: the fast path
        text = value.strip()
    elif value is None:
        return ""
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]  # undo the export's formula guard
    return text


# ---------------------------------------------------------------- normalising cells (cached: names repeat)

_word_cache: dict[str, tuple[str, str, str]] = {}


def _name_parts(raw: str) -> tuple[str, str, str]:
    """(display name, search key, sort name) of a raw name, one cached word at a time."""
    words = []
    for w in raw.split():
        got = _word_cache.get(w)
        if got is None:
            norm = normalize_name(w)
            got = (norm, search_key(norm), norm.lower())
            if len(_word_cache) < 500_000:
                _word_cache[w] = got
        if got[0]:
            words.append(got)
    full = " ".join(w[0] for w in words)
    key = " ".join(w[1] for w in words if w[1])
    return full, key, sort_name_of_words([w[2] for w in words])


_short_keys: dict[str, str] = {}


def _short_key(value: str) -> str:
    """search_key of a short cell (sex, yes/no), cached: such cells repeat on every row."""
    key = _short_keys.get(value)
    if key is None:
        key = search_key(value)
        if len(_short_keys) < 10_000:
            _short_keys[value] = key
    return key


def _bool(value: str) -> bool | None:
    key = _short_key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(value)


def _phone(value) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        if len(digits) in (9, 10) and not digits.startswith("0"):
            digits = "0" + digits  # a spreadsheet number lost its leading zero
        return digits
    return normalize_phone(_cell(value))


@dataclass(slots=True)
class _Row:
    line: int
    code: str
    village_id: int  # 0 until resolved; negative: a village to create (index into the plan)
    address: str
    address_key: str
    full_name: str
    name_key: str
    sort_name: str
    birth_year: int | None
    sex: str | None
    phone: str | None
    is_head: bool | None
    has_smartphone: bool | None


# ---------------------------------------------------------------- villages


class _Villages:
    """Villages of the import area by code and by name key; unknown names become planned villages."""

    def __init__(self, session: Session, area: Area, create: bool) -> None:
        rows = session.exec(
            select(Area.id, Area.code, Area.name, Area.name_key).where(
                Area.path.like(area.path + "%"), Area.level == AreaLevel.VILLAGE.value
            )
        ).all()
        self.by_code = {code.casefold(): vid for vid, code, _n, _k in rows}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for vid, _c, _name, key in rows:
            self.by_name[key].append(vid)
            stripped = _strip_prefix(key)
            if stripped != key:
                self.by_name[stripped].append(vid)
        self.create = create and area.level == AreaLevel.COMMUNE.value
        self.planned: list[str] = []
        self.planned_by_key: dict[str, int] = {}
        self.cache: dict[str, tuple[int, str | None]] = {}

    def resolve(self, raw: str) -> tuple[int, str | None]:
        """(village id, None), (-n, None) for the n-th planned village, or (0, problem key)."""
        got = self.cache.get(raw)
        if got is None:
            got = self._resolve(raw)
            self.cache[raw] = got
        return got

    def _resolve(self, raw: str) -> tuple[int, str | None]:
        text = normalize_text(raw)
        if text.casefold() in self.by_code:
            return self.by_code[text.casefold()], None
        key = search_key(text)
        ids = sorted(set(self.by_name.get(key, ()) or self.by_name.get(_strip_prefix(key), ())))
        if len(ids) == 1:
            return ids[0], None
        if len(ids) > 1:
            return 0, "imp.err.ambiguous_village"
        if not self.create:
            return 0, "imp.err.unknown_village"
        if key not in self.planned_by_key:
            self.planned.append(normalize_name(text))
            self.planned_by_key[key] = len(self.planned)
        return -self.planned_by_key[key], None


_PREFIX = re.compile(r"^(thon|xom|ban|ap|to dan pho|khu pho|to|khu|village)\s+")


def _strip_prefix(key: str) -> str:
    return _PREFIX.sub("", key)


def _next_village_codes(session: Session, commune: Area, count: int) -> list[str]:
    """`<commune code>-<nnn>` numbers after the highest one in use."""
    prefix = f"{commune.code}-"
    used = session.exec(select(Area.code).where(Area.code.like(prefix + "%"))).scalars().all()
    numbers = [int(c[len(prefix) :]) for c in used if c[len(prefix) :].isdigit()]
    start = max(numbers, default=0) + 1
    return [f"{prefix}{n:03d}" for n in range(start, start + count)]


# ---------------------------------------------------------------- the import


def import_residents(
    session: Session,
    *,
    actor: Actor | None,
    area_code: str,
    data: bytes,
    filename: str = "",
    create_villages: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check the whole file, then (unless `dry_run`) write it. Raises ValidationFailed listing every
    problem, with nothing written. `actor=None` is the command line."""
    notify = progress or (lambda _f, _s: None)
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

    header, rows_iter = read_table(data, filename)
    report = ImportReport()
    problems: list[FieldProblem] = []
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    for i, h in enumerate(header):
        label = _cell(h)
        col = _ALIASES.get(search_key(label).replace("_", " "))
        if col is None or col in index:
            if label:
                report.ignored_columns.append(label)
            continue
        index[col] = i
        labels[col] = label
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in index]
    if missing:
        raise ValidationFailed(
            [FieldProblem("file", "err.missing_columns", {"columns": ", ".join(missing)}, 1)]
        )

    villages = _Villages(session, area, create_villages)
    year = today().year
    rows = _parse_rows(rows_iter, index, labels, villages, year, problems, report, notify)
    report.rows = len(rows)
    if not rows and not problems:
        raise ValidationFailed([FieldProblem("file", "err.empty_file")])
    households = _check_households(rows, labels, problems)
    plan = _plan(session, area, rows, households, index, labels, problems, report, notify)
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.field))
        raise ValidationFailed(problems)
    report.villages_created = list(villages.planned)
    if dry_run:
        notify(1.0, "done")
        return report
    _apply(session, actor, area, villages, plan, report, notify)
    report.applied = True
    audit.record(
        session,
        user_id=actor.user_id if actor else None,
        action="residents.imported",
        entity="area",
        entity_id=area.id,
        area_id=area.id,
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


def _parse_rows(rows_iter, index, labels, villages, year, problems, report, notify) -> list[_Row]:
    out: list[_Row] = []
    i_code, i_village, i_name = index["household_code"], index["village"], index["full_name"]
    i_addr, i_year, i_sex = index.get("address"), index.get("birth_year"), index.get("sex")
    i_phone, i_head, i_smart = index.get("phone"), index.get("is_head"), index.get("has_smartphone")
    address_cache: dict[str, tuple[str, str]] = {}
    width = len(index)
    for count, (line, cells) in enumerate(rows_iter, start=1):
        if count % 50_000 == 0:
            notify(min(0.45, 0.45 * count / 1_000_000), "read")
        if not cells or all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if len(cells) < width or len(cells) <= max(index.values()):
            cells = list(cells) + [None] * (max(index.values()) + 1 - len(cells))

        bad = _Reporter(problems, labels, line)
        code = _cell(cells[i_code])
        if not code:
            bad("household_code", "err.required")
        elif len(code) > CODE_MAX:
            bad("household_code", "imp.err.too_long", max=CODE_MAX)
        raw_village = _cell(cells[i_village])
        village_id = 0
        if not raw_village:
            bad("village", "err.required")
        else:
            village_id, problem = villages.resolve(raw_village)
            if problem:
                bad("village", problem, value=raw_village)
        full_name, name_key, sort_name = _name_parts(_cell(cells[i_name]))
        if not full_name:
            bad("full_name", "err.required")
        elif len(full_name) > NAME_MAX:
            bad("full_name", "imp.err.too_long", max=NAME_MAX)
        address = address_key = ""
        if i_addr is not None:
            raw = _cell(cells[i_addr])
            got = address_cache.get(raw)
            if got is None:
                norm = normalize_text(raw)
                got = (norm, search_key(norm))
                address_cache[raw] = got
            address, address_key = got
            if len(address) > ADDRESS_MAX:
                bad("address", "imp.err.too_long", max=ADDRESS_MAX)
        birth_year = None
        if i_year is not None:
            raw = _cell(cells[i_year])
            if raw:
                try:
                    birth_year = int(raw)
                except ValueError:
                    birth_year = -1
                if not MIN_BIRTH_YEAR <= birth_year <= year:
                    bad("birth_year", "imp.err.birth_year", value=raw, min=MIN_BIRTH_YEAR, max=year)
                    birth_year = None
        sex = None
        if i_sex is not None:
            raw = _cell(cells[i_sex])
            if raw:
                sex = _SEX.get(_short_key(raw))
                if sex is None:
                    bad("sex", "imp.err.sex", value=raw)
        phone = None
        if i_phone is not None:
            phone = _phone(cells[i_phone])
            if phone is not None and not is_valid_phone(phone):
                bad("phone", "imp.err.phone", value=_cell(cells[i_phone]))
                phone = None
        is_head = has_smartphone = None
        if i_head is not None:
            raw = _cell(cells[i_head])
            try:
                is_head = _bool(raw) if raw else False
            except ValueError:
                bad("is_head", "imp.err.bool", value=raw)
        if i_smart is not None:
            raw = _cell(cells[i_smart])
            try:
                has_smartphone = _bool(raw) if raw else None
            except ValueError:
                bad("has_smartphone", "imp.err.bool", value=raw)
        out.append(
            _Row(
                line,
                code,
                village_id,
                address,
                address_key,
                full_name,
                name_key,
                sort_name,
                birth_year,
                sex,
                phone,
                is_head,
                has_smartphone,
            )
        )
    notify(0.45, "read")
    return out


class _Reporter:
    """Adds a problem for one column of one line (created only once per row)."""

    __slots__ = ("labels", "line", "problems")

    def __init__(self, problems: list[FieldProblem], labels: dict[str, str], line: int) -> None:
        self.problems, self.labels, self.line = problems, labels, line

    def __call__(self, col: str, key: str, **params) -> None:
        self.problems.append(FieldProblem(self.labels[col], key, params, self.line))


@dataclass(slots=True)
class _HouseholdPlan:
    code: str
    line: int
    village_id: int
    address: str
    address_key: str
    phone: str | None = None
    rows: list[_Row] = field(default_factory=list)


def _check_households(rows: list[_Row], labels, problems) -> dict[str, _HouseholdPlan]:
    """Group rows by household code; rows of one household must agree on village and address; the same
    person (household, name key, birth year) may appear only once."""
    households: dict[str, _HouseholdPlan] = {}
    people: dict[tuple, int] = {}
    for r in rows:
        if not r.code:
            continue
        h = households.get(r.code)
        if h is None:
            h = households[r.code] = _HouseholdPlan(r.code, r.line, r.village_id, r.address, r.address_key)
        else:
            if r.village_id and h.village_id and r.village_id != h.village_id:
                problems.append(
                    FieldProblem(
                        labels["village"],
                        "imp.err.household_village",
                        {"code": r.code, "other": h.line},
                        r.line,
                    )
                )
            if r.address_key and h.address_key and r.address_key != h.address_key:
                problems.append(
                    FieldProblem(
                        labels.get("address", "address"),
                        "imp.err.household_address",
                        {"code": r.code, "other": h.line},
                        r.line,
                    )
                )
            elif r.address and not h.address:
                h.address, h.address_key = r.address, r.address_key
        h.rows.append(r)
        if r.is_head and r.phone and h.phone is None:
            h.phone = r.phone
        if r.name_key:
            person = (r.code, r.name_key, r.birth_year)
            first = people.get(person)
            if first is not None:
                problems.append(
                    FieldProblem(labels["full_name"], "imp.err.duplicate_person", {"other": first}, r.line)
                )
            else:
                people[person] = r.line
    return households


@dataclass
class _Plan:
    new_households: list[_HouseholdPlan] = field(default_factory=list)
    household_updates: dict[int, dict[str, tuple]] = field(default_factory=dict)
    new_residents: list[tuple[str, _Row]] = field(default_factory=list)  # (household code, row)
    resident_updates: dict[int, dict[str, tuple]] = field(default_factory=dict)
    household_ids: dict[str, int] = field(default_factory=dict)  # existing code -> id
    inactive_codes: set[str] = field(default_factory=set)  # existing households not active


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _plan(session, area, rows, households, index, labels, problems, report, notify) -> _Plan:
    """What would be created and updated; problems for household codes that belong elsewhere."""
    plan = _Plan()
    codes = list(households)
    existing: dict[str, Household] = {}
    for chunk in _chunks(codes):
        for h in session.exec(select(Household).where(Household.code.in_(chunk))).scalars():
            existing[h.code] = h
    paths = dict(session.exec(select(Area.id, Area.path).where(Area.path.like(area.path + "%"))).all())
    for code, h in existing.items():
        if h.village_id not in paths:
            hp = households[code]
            problems.append(
                FieldProblem(labels["household_code"], "imp.err.household_elsewhere", {"code": code}, hp.line)
            )
    notify(0.5, "check")
    # Residents already in the area: matching within a household, and likely duplicates elsewhere.
    by_household: dict[int, dict[tuple, tuple]] = defaultdict(dict)
    by_person: dict[tuple, tuple] = {}
    by_phone: dict[str, tuple] = {}
    columns = (
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
    village_ids = [v for v, p in paths.items()]
    for chunk in _chunks(village_ids, 500):
        for rec in session.exec(
            select(*columns)
            .join(Household, Household.id == Resident.household_id)
            .where(Household.village_id.in_(chunk))
        ).all():
            by_household[rec[1]][(rec[3], rec[4])] = rec
            if rec[9] == "active":
                by_person.setdefault((rec[3], rec[4]), rec)
                if rec[6]:
                    by_phone.setdefault(rec[6], rec)
    notify(0.55, "check")
    for code, hp in households.items():
        h = existing.get(code)
        if h is not None and h.village_id not in paths:
            continue
        if h is None:
            plan.new_households.append(hp)
            members: dict[tuple, tuple] = {}
        else:
            plan.household_ids[code] = h.id
            if h.status != "active":
                plan.inactive_codes.add(code)
            changes = {}
            if hp.village_id and hp.village_id != h.village_id:
                changes["village_id"] = (h.village_id, hp.village_id)
            if hp.address and hp.address != h.address:
                changes["address"] = (h.address, hp.address)
            if hp.phone and hp.phone != h.phone:
                changes["phone"] = (h.phone, hp.phone)
            if changes:
                plan.household_updates[h.id] = changes
                _note_change(report, Change(hp.line, "household", code, changes))
            members = by_household.get(h.id, {})
        for r in hp.rows:
            rec = members.get((r.name_key, r.birth_year))
            if rec is None:
                plan.new_residents.append((code, r))
                dup, reason = by_person.get((r.name_key, r.birth_year)), "name_year"
                if dup is None and r.phone:
                    dup, reason = by_phone.get(r.phone), "phone"
                if dup is not None:
                    report.duplicates_total += 1
                    if len(report.duplicates) < REPORT_LIST_MAX:
                        report.duplicates.append(
                            Duplicate(r.line, r.full_name, r.birth_year, reason, dup[0], dup[2], dup[10])
                        )
                continue
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
    report.households_created = len(plan.new_households)
    report.households_updated = len(plan.household_updates)
    report.residents_created = len(plan.new_residents)
    report.residents_updated = len(plan.resident_updates)
    notify(0.6, "check")
    return plan


def _note_change(report: ImportReport, change: Change) -> None:
    if len(report.changes) < REPORT_LIST_MAX:
        report.changes.append(change)


# ---------------------------------------------------------------- writing


def _apply(session, actor, area, villages: _Villages, plan: _Plan, report, notify) -> None:
    user_id = actor.user_id if actor else None
    now = utcnow()
    # 1. villages the file names that do not exist yet (only with create_villages, under a commune)
    created: dict[int, int] = {}
    if villages.planned:
        codes = _next_village_codes(session, area, len(villages.planned))
        for n, (name, code) in enumerate(zip(villages.planned, codes, strict=True), start=1):
            created[-n] = create_area(
                session, actor=None, code=code, name=name, level="village", parent_code=area.code
            )

    def village(vid: int) -> int:
        return created[vid] if vid < 0 else vid

    deltas = Deltas()
    # 2. existing households and residents that changed: contributions before and after, row by row.
    # Locked first (PostgreSQL), households then residents in id order like a visit locks them, and
    # read fresh: a visit committing between the "before" read and the update would be counted twice.
    touched_residents = set(plan.resident_updates)
    moved_households = [hid for hid, ch in plan.household_updates.items() if "village_id" in ch]
    _held = lock_rows_for_change(  # kept referenced: the locked rows stay in the session
        session, households=plan.household_updates, residents=touched_residents, members_of=moved_households
    )
    for chunk in _chunks(moved_households):
        touched_residents.update(
            session.exec(select(Resident.id).where(Resident.household_id.in_(chunk))).scalars().all()
        )
    before_res = {
        rid: resident_contribution(resident_facts(session, rid)) for rid in sorted(touched_residents)
    }
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
    session.expire_all()
    for rid, before in before_res.items():
        deltas.diff(before, resident_contribution(resident_facts(session, rid)))
    notify(0.65, "write")

    # 3. new households, in bulk; their ids looked up by code
    table = Household.__table__
    for chunk in _chunks(plan.new_households, BATCH):
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
    for chunk in _chunks([h.code for h in plan.new_households]):
        plan.household_ids.update(
            session.exec(select(Household.code, Household.id).where(Household.code.in_(chunk))).all()
        )
    notify(0.7, "write")

    # 4. new residents, in bulk
    table = Resident.__table__
    total = max(1, len(plan.new_residents))
    done = 0
    for chunk in _chunks(plan.new_residents, BATCH):
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

    # 5. rollups of what was created: summed per village, carried to the ancestors by Deltas
    households_per_village: dict[int, int] = defaultdict(int)
    for h in plan.new_households:
        households_per_village[village(h.village_id)] += 1
    residents_per_village: dict[int, int] = defaultdict(int)
    no_smartphone: dict[int, int] = defaultdict(int)
    for code, r in plan.new_residents:
        if code in plan.inactive_codes:
            continue  # added to a household that moved away or was merged: not counted
        vid = village(r.village_id)  # every row of a household names its (possibly new) village
        residents_per_village[vid] += 1
        if r.has_smartphone is False:
            no_smartphone[vid] += 1
    for vid, n in households_per_village.items():
        deltas.add({("rollup_area", (vid,), "households"): n})
    for vid, n in residents_per_village.items():
        contribution = {("rollup_area", (vid,), "residents"): n}
        if no_smartphone[vid]:
            contribution[("rollup_area", (vid,), "no_smartphone")] = no_smartphone[vid]
        for skill in SKILLS:
            contribution[("rollup_skill", (vid, skill.value, 0), "residents")] = n
        deltas.add(contribution)
    deltas.apply(session)
    notify(0.99, "write")
