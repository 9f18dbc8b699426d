"""Reading a resident list (CSV or XLSX): the header, every cell normalised and checked, each line a
`Row`, villages resolved by code or name, and rows grouped by household code. Every bad cell becomes a
FieldProblem with its line number and column; nothing here writes."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from core.labels import N_
from core.text import (
    is_valid_phone,
    normalize_name,
    normalize_phone,
    normalize_text,
    search_key,
    sort_name_of_words,
)
from models.enums import AreaLevel, Sex
from models.tables import Area
from services.errors import FieldProblem, ValidationFailed

MIN_BIRTH_YEAR = 1900
CODE_MAX = 40
NAME_MAX = 200
ADDRESS_MAX = 300

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


def read_header(header: list) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """(column -> cell index, column -> header label as written, labels of the columns ignored) of a
    header row. ValidationFailed (line 1) when a required column is missing."""
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for i, h in enumerate(header):
        label = _cell(h)
        col = _ALIASES.get(search_key(label).replace("_", " "))
        if col is None or col in index:
            if label:
                ignored.append(label)
            continue
        index[col] = i
        labels[col] = label
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in index]
    if missing:
        raise ValidationFailed(
            [FieldProblem("file", "err.missing_columns", {"columns": ", ".join(missing)}, 1)]
        )
    return index, labels, ignored


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
class Row:
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


class Villages:
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
            return 0, N_("imp.err.ambiguous_village")
        if not self.create:
            return 0, N_("imp.err.unknown_village")
        if key not in self.planned_by_key:
            self.planned.append(normalize_name(text))
            self.planned_by_key[key] = len(self.planned)
        return -self.planned_by_key[key], None


_PREFIX = re.compile(r"^(thon|xom|ban|ap|to dan pho|khu pho|to|khu|village)\s+")


def _strip_prefix(key: str) -> str:
    return _PREFIX.sub("", key)


# ---------------------------------------------------------------- rows


def parse_rows(
    rows_iter, index, labels, villages: Villages, year: int, problems, notify: Progress
) -> list[Row]:
    """Every non-empty line as a Row; a bad cell adds a problem (the row is kept, the cell left empty)."""
    parser = _RowParser(index, villages, year)
    out: list[Row] = []
    width = len(index)
    last = max(index.values())
    for count, (line, cells) in enumerate(rows_iter, start=1):
        if count % 50_000 == 0:
            notify(min(0.45, 0.45 * count / 1_000_000), "read")
        if not cells or all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if len(cells) < width or len(cells) <= last:
            cells = list(cells) + [None] * (last + 1 - len(cells))
        out.append(parser.row(line, cells, _Reporter(problems, labels, line)))
    notify(0.45, "read")
    return out


class _RowParser:
    """The cells of one line checked and normalised into a Row (addresses cached: they repeat)."""

    def __init__(self, index: dict[str, int], villages: Villages, year: int) -> None:
        self.i_code, self.i_village, self.i_name = (
            index["household_code"],
            index["village"],
            index["full_name"],
        )
        self.i_addr, self.i_year, self.i_sex = index.get("address"), index.get("birth_year"), index.get("sex")
        self.i_phone, self.i_head = index.get("phone"), index.get("is_head")
        self.i_smart = index.get("has_smartphone")
        self.villages = villages
        self.year = year
        self.address_cache: dict[str, tuple[str, str]] = {}

    def row(self, line: int, cells: list, bad: _Reporter) -> Row:
        code, village_id = self._household(cells, bad)
        full_name, name_key, sort_name = self._name(cells, bad)
        address, address_key = self._address(cells, bad)
        birth_year = self._birth_year(cells, bad)
        sex = self._sex(cells, bad)
        phone = self._phone(cells, bad)
        is_head, has_smartphone = self._flags(cells, bad)
        return Row(
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

    def _household(self, cells: list, bad: _Reporter) -> tuple[str, int]:
        """Household code and village id (see `Villages.resolve`)."""
        code = _cell(cells[self.i_code])
        if not code:
            bad("household_code", "err.required")
        elif len(code) > CODE_MAX:
            bad("household_code", N_("imp.err.too_long"), max=CODE_MAX)
        raw_village = _cell(cells[self.i_village])
        village_id = 0
        if not raw_village:
            bad("village", "err.required")
        else:
            village_id, problem = self.villages.resolve(raw_village)
            if problem:
                bad("village", problem, value=raw_village)
        return code, village_id

    def _name(self, cells: list, bad: _Reporter) -> tuple[str, str, str]:
        full_name, name_key, sort_name = _name_parts(_cell(cells[self.i_name]))
        if not full_name:
            bad("full_name", "err.required")
        elif len(full_name) > NAME_MAX:
            bad("full_name", N_("imp.err.too_long"), max=NAME_MAX)
        return full_name, name_key, sort_name

    def _address(self, cells: list, bad: _Reporter) -> tuple[str, str]:
        if self.i_addr is None:
            return "", ""
        raw = _cell(cells[self.i_addr])
        got = self.address_cache.get(raw)
        if got is None:
            norm = normalize_text(raw)
            got = (norm, search_key(norm))
            self.address_cache[raw] = got
        if len(got[0]) > ADDRESS_MAX:
            bad("address", N_("imp.err.too_long"), max=ADDRESS_MAX)
        return got

    def _birth_year(self, cells: list, bad: _Reporter) -> int | None:
        if self.i_year is None:
            return None
        raw = _cell(cells[self.i_year])
        if not raw:
            return None
        try:
            birth_year = int(raw)
        except ValueError:
            birth_year = -1
        if not MIN_BIRTH_YEAR <= birth_year <= self.year:
            bad("birth_year", N_("imp.err.birth_year"), value=raw, min=MIN_BIRTH_YEAR, max=self.year)
            return None
        return birth_year

    def _sex(self, cells: list, bad: _Reporter) -> str | None:
        if self.i_sex is None:
            return None
        raw = _cell(cells[self.i_sex])
        if not raw:
            return None
        sex = _SEX.get(_short_key(raw))
        if sex is None:
            bad("sex", N_("imp.err.sex"), value=raw)
        return sex

    def _phone(self, cells: list, bad: _Reporter) -> str | None:
        if self.i_phone is None:
            return None
        phone = _phone(cells[self.i_phone])
        if phone is not None and not is_valid_phone(phone):
            bad("phone", N_("imp.err.phone"), value=_cell(cells[self.i_phone]))
            return None
        return phone

    def _flags(self, cells: list, bad: _Reporter) -> tuple[bool | None, bool | None]:
        """(is head: empty = no, has a smartphone: empty = not known)."""
        is_head = self._yes_no(cells, self.i_head, "is_head", bad, empty=False)
        has_smartphone = self._yes_no(cells, self.i_smart, "has_smartphone", bad, empty=None)
        return is_head, has_smartphone

    @staticmethod
    def _yes_no(cells: list, i: int | None, col: str, bad: _Reporter, *, empty: bool | None) -> bool | None:
        if i is None:
            return None
        raw = _cell(cells[i])
        if not raw:
            return empty
        try:
            return _bool(raw)
        except ValueError:
            bad(col, N_("imp.err.bool"), value=raw)
            return None


class _Reporter:
    """Adds a problem for one column of one line (created only once per row)."""

    __slots__ = ("labels", "line", "problems")

    def __init__(self, problems: list[FieldProblem], labels: dict[str, str], line: int) -> None:
        self.problems, self.labels, self.line = problems, labels, line

    def __call__(self, col: str, key: str, **params) -> None:
        self.problems.append(FieldProblem(self.labels[col], key, params, self.line))


# ---------------------------------------------------------------- households of the file


@dataclass(slots=True)
class HouseholdRows:
    code: str
    line: int
    village_id: int
    address: str
    address_key: str
    phone: str | None = None
    rows: list[Row] = field(default_factory=list)


def group_households(rows: list[Row], labels, problems) -> dict[str, HouseholdRows]:
    """Group rows by household code; rows of one household must agree on village and address; the same
    person (household, name key, birth year) may appear only once."""
    households: dict[str, HouseholdRows] = {}
    people: dict[tuple, int] = {}
    for r in rows:
        if not r.code:
            continue
        h = households.get(r.code)
        if h is None:
            h = households[r.code] = HouseholdRows(r.code, r.line, r.village_id, r.address, r.address_key)
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
