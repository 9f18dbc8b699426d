"""Reading a resident list (CSV or XLSX): the header, every cell normalised and checked, each line a
`Row`, villages resolved by code or name, and rows grouped by household code. Every bad cell becomes a
FieldProblem with its line number and column; nothing here writes.

Files come from anywhere, so reading is bounded (see "limits"): an XLSX is a zip whose central
directory is checked before anything is inflated (parts, sizes, compression ratio: a 1 MB bomb never
becomes 1 GB), its sheet is streamed through expat 64 KiB at a time, one row held; a CSV is refused
early when it has no line break, a header too long to be one, or more rows than allowed. Reading stops
at the row cap, a cell far to the right, a CSV cell over the csv module's limit or a damaged part, with
a message naming the line. Every cell loses control and invisible characters (`clean_text`)."""

from __future__ import annotations

import csv
import functools
import io
import re
import struct
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from xml.parsers import expat

from sqlalchemy import select
from sqlmodel import Session

from core.labels import N_
from core.text import (
    clean_text,
    guess_legacy_encoding,
    has_phone_length,
    is_valid_phone,
    looks_like_id_number,
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


# ---------------------------------------------------------------- limits


ROWS_MAX = 200_000  # data rows in one file (the largest ward has ~250,000 residents: split by village)
LINES_MAX = 1_048_576  # Excel's last row: reading stops there, blank lines included
COLUMNS_MAX = 100  # a cell further right stops the reading
CELL_MAX = 32_767  # characters in one cell: Excel's own limit, so a longer cell never came from a sheet
HEADER_LINE_MAX = 10_000  # characters in a CSV header line
CSV_LINE_MAX = 1_000_000  # characters in any CSV line
# XLSX (a zip): refused from its central directory, before anything is decompressed.
ZIP_MEMBERS_MAX = 1_000
ZIP_DIRECTORY_MAX = 1 << 20  # bytes of central directory
ZIP_RATIO_MAX = 100  # a sheet written by Excel or openpyxl deflates ~5-15:1; a zip bomb ~1000:1
ZIP_RATIO_FLOOR = 1 << 20  # parts smaller than 1 MiB may compress as well as they like
ZIP_PART_MAX = 16 << 20  # workbook, styles, relations... (openpyxl builds them as trees)
SHEET_BYTES_PER_ROW = 1_500  # an openpyxl sheet with inline strings takes ~500 bytes a row
STRINGS_BYTES_PER_ROW = 256  # the shared strings (all held in memory while the sheet is read)
ZIP_SLACK = 64 << 20


@dataclass(frozen=True)
class Limits:
    """What one import may read; the byte limits follow the row limit (an administrator may raise it
    for a province file on the command line)."""

    rows: int = ROWS_MAX

    @property
    def sheet_bytes(self) -> int:
        return max(self.rows, ROWS_MAX) * SHEET_BYTES_PER_ROW

    @property
    def strings_bytes(self) -> int:
        return max(self.rows, ROWS_MAX) * STRINGS_BYTES_PER_ROW

    @property
    def total_bytes(self) -> int:
        return self.sheet_bytes + self.strings_bytes + ZIP_SLACK


class ReadStopped(Exception):
    """The file cannot be read further (too many rows, a cell over the CSV limit, a damaged part...):
    the problem says where; what was read before it is reported with it."""

    def __init__(self, problem: FieldProblem) -> None:
        super().__init__(problem.key)
        self.problem = problem


class _Formula:
    """A formula cell without a stored result (or with an error such as #REF!)."""

    __slots__ = ()

    def __str__(self) -> str:
        return ""


FORMULA = _Formula()


class TooLong:
    """A cell longer than CELL_MAX: only its length is kept."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length

    def __str__(self) -> str:
        return ""


def _stop(key: str, line: int | None = None, **params) -> ReadStopped:
    return ReadStopped(FieldProblem("file", key, params, line))


def _refuse(key: str, line: int | None = None, **params) -> ValidationFailed:
    return ValidationFailed([FieldProblem("file", key, params, line)])


# ---------------------------------------------------------------- CSV


def _decode(data: bytes) -> str:
    """UTF-8 text; otherwise a refusal naming the encoding the file seems to use and how to save it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems = [FieldProblem("file", "imp.err.not_utf8", {}, line)]
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            problems.append(FieldProblem("file", "imp.hostile.encoding_utf16"))
        else:
            guess = guess_legacy_encoding(data)
            if guess == "cp1258":
                problems.append(FieldProblem("file", "imp.hostile.encoding_cp1258"))
            elif guess == "tcvn3":
                problems.append(FieldProblem("file", "imp.hostile.encoding_tcvn3"))
            else:
                problems.append(FieldProblem("file", "imp.hostile.encoding_unknown"))
        raise ValidationFailed(problems) from exc


def _first_line(text: str) -> str:
    """The header line; refuses a file with no line break at all or a first line too long to be a header
    (both looked at within the first HEADER_LINE_MAX characters, so a 50 MB line costs nothing)."""
    head = text[: HEADER_LINE_MAX + 1]
    cut = min((i for i in (head.find("\n"), head.find("\r")) if i >= 0), default=-1)
    if cut >= 0:
        return head[:cut]
    if len(text) <= HEADER_LINE_MAX:
        return text  # one short line: a header and nothing else
    if "\n" not in text and "\r" not in text:
        raise _refuse(N_("imp.hostile.no_line_breaks"), chars=len(text))
    raise _refuse(N_("imp.hostile.header_too_long"), 1, max=HEADER_LINE_MAX)


def _csv_lines(text: str) -> Iterator[str]:
    """The physical lines of the text (line endings kept, as the csv module wants them); a line longer
    than CSV_LINE_MAX stops the reading (the csv module would build one list of all its cells)."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > CSV_LINE_MAX:
            raise _stop(N_("imp.hostile.line_too_long"), number, max=CSV_LINE_MAX)
        yield line


def _too_many_lines(text: str, delimiter: str, max_rows: int) -> int | None:
    """The line where the (max_rows + 1)-th data row lies, counted without parsing (a line with nothing
    but delimiters and spaces is blank), when the text has no quote: then each line is one record, so a
    file over the cap is refused at once rather than after parsing `max_rows` rows. None otherwise."""
    if text.count("\n") <= max_rows or '"' in text:
        return None
    blank = " \t\r\n" + delimiter
    rows = 0
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if number > 1 and line.strip(blank):
            rows += 1
            if rows > max_rows:
                return number
        if number > LINES_MAX:
            return None
    return None


def _read_csv(data: bytes, limits: Limits) -> tuple[list[str], Iterator[tuple[int, list]]]:
    text = _decode(data)
    first = _first_line(text)
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if first.count(delimiter) >= COLUMNS_MAX:
        raise _refuse(N_("imp.hostile.too_many_columns"), 1, max=COLUMNS_MAX)
    over = _too_many_lines(text, delimiter, limits.rows)
    if over is not None:
        raise _refuse(N_("imp.hostile.too_many_rows"), over, max=limits.rows)
    reader = csv.reader(_csv_lines(text), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _refuse(N_("imp.hostile.csv_cell_limit"), 1, start=1) from exc
    except ReadStopped as exc:  # a quoted header running into a line over CSV_LINE_MAX
        raise ValidationFailed([exc.problem]) from exc
    if header is None:
        raise _refuse(N_("err.empty_file"))
    if reader.line_num > 1 and any(delimiter in h and ("\n" in h or "\r" in h) for h in header):
        raise _refuse(N_("imp.hostile.spans_lines"), 1, start=1, end=reader.line_num)

    def rows() -> Iterator[tuple[int, list]]:
        end = reader.line_num
        while True:
            start = end + 1
            try:
                cells = next(reader, None)
            except csv.Error as exc:  # a field over the csv module's limit (128 KiB)
                raise _stop(N_("imp.hostile.csv_cell_limit"), start, start=start) from exc
            if cells is None:
                return
            end = reader.line_num
            if end > start:  # one record over several lines: an unclosed quote, or a line break in a cell
                yield end, _SpansLines(start, end)
                continue
            if len(cells) > COLUMNS_MAX and any(cells[COLUMNS_MAX:]):
                raise _stop(N_("imp.hostile.too_many_columns"), end, max=COLUMNS_MAX)
            if cells and max(map(len, cells)) > CELL_MAX:
                cells = [TooLong(len(c)) if len(c) > CELL_MAX else c for c in cells]
            yield end, cells

    return header, rows()


class _SpansLines:
    """A CSV record that runs from line `start` to line `end`: reported, never read as a row."""

    __slots__ = ("end", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end


# ---------------------------------------------------------------- XLSX: the zip


def _zip_directory_size(data: bytes) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the zip's end record, read before ZipFile builds an
    object per entry; None when there is no end record (not a zip)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or len(data) < at + 22:
        return None
    _sig, _disk, _cd_disk, _here, entries, size, _offset, _comment = struct.unpack(
        "<4s4H2LH", data[at : at + 22]
    )
    return entries, size


def _open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The zip, after its central directory passed the limits: the number of parts, each part's size once
    decompressed (as declared: Python's zipfile never inflates a part past its declared size), the total,
    and the compression ratio of the large parts."""
    directory = _zip_directory_size(data)
    if directory is None:
        raise _refuse(N_("imp.err.unreadable"))
    entries, size = directory
    if (entries != 0xFFFF and entries > ZIP_MEMBERS_MAX) or (size != 0xFFFFFFFF and size > ZIP_DIRECTORY_MAX):
        raise _refuse(N_("imp.hostile.zip_parts"), count=entries, max=ZIP_MEMBERS_MAX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse(N_("imp.err.unreadable")) from exc
    infos = archive.infolist()
    if len(infos) > ZIP_MEMBERS_MAX:
        raise _refuse(N_("imp.hostile.zip_parts"), count=len(infos), max=ZIP_MEMBERS_MAX)
    total = 0
    for info in infos:
        name, size = info.filename, info.file_size
        total += size
        cap = _part_cap(name, limits)
        if size > cap:
            raise _refuse(N_("imp.hostile.zip_part_size"), part=name[:80], mb=_mb(size), max=_mb(cap))
        if size > ZIP_RATIO_FLOOR and size > ZIP_RATIO_MAX * max(1, info.compress_size):
            ratio = size // max(1, info.compress_size)
            raise _refuse(N_("imp.hostile.zip_ratio"), part=name[:80], ratio=ratio, max=ZIP_RATIO_MAX)
    if total > limits.total_bytes:
        raise _refuse(N_("imp.hostile.zip_total"), mb=_mb(total), max=_mb(limits.total_bytes))
    return archive


def _part_cap(name: str, limits: Limits) -> int:
    lower = name.lower()
    if lower.startswith("xl/worksheets/"):
        return limits.sheet_bytes
    if lower.endswith("sharedstrings.xml"):
        return limits.strings_bytes
    if lower.endswith((".xml", ".rels")):
        return ZIP_PART_MAX
    return limits.sheet_bytes  # pictures and the like: never parsed, only counted in the total


def _mb(size: int) -> int:
    return -(-size // (1 << 20))


# ---------------------------------------------------------------- XLSX: the sheet, streamed


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA, _TEXT, _PHONETIC, _ITEM = (
    _MAIN + tag for tag in ("row", "c", "v", "f", "t", "rPh", "si")
)
_CHUNK = 1 << 16


def _xml_parser():
    """An expat parser that refuses any DTD (no entity of any kind can expand) and reports names as
    `namespace}local`."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def no_dtd(*_args) -> None:
        raise _stop(N_("imp.err.unreadable"))

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    return parser


def _feed(parser, source) -> Iterator[None]:
    """Parse `source` 64 KiB at a time, pausing after each block; a damaged part stops the reading."""
    try:
        while block := source.read(_CHUNK):
            parser.Parse(block, False)
            yield
        parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, ValueError, IndexError) as exc:
        raise _stop(N_("imp.err.unreadable")) from exc
    yield


class _Text:
    """Collects the text of one value (a cell's <v> or <t>s, a shared string), counting past CELL_MAX
    without keeping it. Phonetic runs (<rPh>) are not part of the value."""

    __slots__ = ("collecting", "length", "parts", "phonetic")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.collecting = False
        self.phonetic = False

    def reset(self) -> None:
        self.parts = []
        self.length = 0

    def add(self, data: str) -> None:
        if self.collecting:
            self.length += len(data)
            if self.length <= CELL_MAX:
                self.parts.append(data)

    def value(self) -> str | TooLong | None:
        if self.length > CELL_MAX:
            return TooLong(self.length)
        if not self.parts:
            return None
        return self.parts[0] if len(self.parts) == 1 else "".join(self.parts)


def _read_shared_strings(archive: zipfile.ZipFile, path: str | None) -> list:
    """The shared strings table (the cells of type "s" point into it)."""
    strings: list = []
    if path is None or path not in archive.NameToInfo:
        return strings
    text = _Text()
    parser = _xml_parser()

    def start(name: str, _attrs) -> None:
        if name == _ITEM:
            text.reset()
        elif name == _TEXT and not text.phonetic:
            text.collecting = True
        elif name == _PHONETIC:
            text.phonetic = True

    def end(name: str) -> None:
        if name == _TEXT:
            text.collecting = False
        elif name == _PHONETIC:
            text.phonetic = False
        elif name == _ITEM:
            value = text.value()
            strings.append("" if value is None else value)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text.add
    with archive.open(path) as source:
        for _ in _feed(parser, source):
            pass
    return strings


class _SheetReader:
    """expat handlers turning a worksheet's XML into (row number, cell values) pairs, one row held at a
    time. Values: str, int/float, bool, datetime (date-formatted numbers), FORMULA for a formula without
    a stored result or with an error, TooLong for a cell over CELL_MAX."""

    def __init__(self, strings: list, date_styles: set, epoch) -> None:
        self.strings, self.date_styles, self.epoch = strings, date_styles, epoch
        self.done: list[tuple[int, list]] = []
        self.number = 0
        self.cells: dict[int, object] = {}
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.formula = False
        self.text = _Text()

    def start(self, name: str, attrs: dict) -> None:
        if name == _CELL:
            ref = attrs.get("r")
            self.column = _column(ref) if ref else self.column + 1
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style and style.isdigit() else 0
            self.formula = False
            self.text.reset()
        elif name == _VALUE or (name == _TEXT and not self.text.phonetic):
            self.text.collecting = True
        elif name == _FORMULA:
            self.formula = True
        elif name == _PHONETIC:
            self.text.phonetic = True
        elif name == _ROW:
            ref = attrs.get("r")
            self.number = int(ref) if ref and ref.isdigit() else self.number + 1
            self.column = 0
            self.cells = {}

    def end(self, name: str) -> None:
        if name in (_VALUE, _TEXT):
            self.text.collecting = False
        elif name == _CELL:
            value = self._value()
            if value is not None and value != "":
                if self.column > COLUMNS_MAX:
                    raise _stop(N_("imp.hostile.too_many_columns"), self.number, max=COLUMNS_MAX)
                self.cells[self.column] = value
        elif name == _ROW:
            cells = self.cells
            self.done.append((self.number, [cells.get(i) for i in range(1, max(cells) + 1)] if cells else []))
        elif name == _PHONETIC:
            self.text.phonetic = False

    def _value(self):
        text = self.text.value()
        kind = self.kind
        if text is None:
            return FORMULA if self.formula else None
        if text.__class__ is TooLong or kind == "inlineStr" or kind == "str":
            return text
        if kind == "s":
            return self.strings[int(text)]
        if kind == "e":
            return FORMULA  # #REF!, #N/A...: the formula failed
        if kind == "b":
            return text == "1"
        if kind == "d":
            return text
        number = float(text) if any(c in text for c in ".eE") else int(text)
        if self.style in self.date_styles:
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(number, self.epoch)
            except (OverflowError, ValueError):
                return number
        return number


@functools.lru_cache(maxsize=1024)
def _column(ref: str) -> int:
    """Column number of a cell reference ("C7" -> 3)."""
    number = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            number = number * 26 + ord(ch) - 64
        elif ch.isdigit():
            break
        else:
            raise ValueError(ref)
    return number


def _workbook_parts(data: bytes):
    """(first worksheet's path, shared strings path or None, date style ids, epoch), read with openpyxl
    from the small parts (content types, workbook, relations, styles). The worksheets themselves are not
    opened here: openpyxl's read-only mode scans a whole sheet that lacks a dimension record."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    reader.read_manifest()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    strings = reader.package.find(SHARED_STRINGS)
    for _sheet, rel in reader.parser.find_sheets():
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
            path = rel.target
            break
    else:
        raise _refuse(N_("err.empty_file"))
    return (
        path,
        (strings.PartName[1:] if strings is not None else None),
        set(reader.wb._date_formats),
        reader.wb.epoch,
    )


def _read_xlsx(data: bytes, limits: Limits) -> tuple[list[str], Iterator[tuple[int, list]]]:
    archive = _open_zip(data, limits)
    try:
        sheet_path, strings_path, date_styles, epoch = _workbook_parts(data)
    except ValidationFailed:
        raise
    except Exception as exc:  # a damaged or foreign file: say so, never crash
        raise _refuse(N_("imp.err.unreadable")) from exc
    try:
        strings = _read_shared_strings(archive, strings_path)
    except ReadStopped as exc:
        raise ValidationFailed([exc.problem]) from exc
    reader = _SheetReader(strings, date_styles, epoch)
    parser = _xml_parser()
    parser.StartElementHandler, parser.EndElementHandler = reader.start, reader.end
    parser.CharacterDataHandler = reader.text.add

    def all_rows() -> Iterator[tuple[int, list]]:
        with archive.open(sheet_path) as source:
            for _ in _feed(parser, source):
                if reader.done:
                    done, reader.done = reader.done, []
                    yield from done

    rows = all_rows()
    try:
        first = next(rows, None)
    except ReadStopped as exc:
        raise ValidationFailed([exc.problem]) from exc
    if first is None:
        raise _refuse(N_("err.empty_file"))
    return ["" if h is None else str(h) for h in first[1]], rows


def read_table(
    data: bytes, filename: str = "", limits: Limits | None = None
) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """Header cells and (line number, cells) for each row, from CSV (UTF-8, comma or semicolon) or XLSX.
    A file that cannot be a resident list is refused here; the rows iterator raises ReadStopped when a
    file turns out to be one only part of the way."""
    limits = limits or Limits()
    if not data.strip():
        raise _refuse(N_("err.empty_file"))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # Excel 97-2003 (.xls)
        raise _refuse(N_("imp.hostile.old_xls"))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, limits)
    return _read_csv(data, limits)


def _cell(value) -> str:
    if value.__class__ is str:  # every CSV cell: the fast path
        text = clean_text(value).strip()
    elif value is None:
        return ""
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = clean_text(str(value)).strip()
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
                ignored.append(label if len(label) <= 60 else label[:59] + "…")
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
    rows_iter,
    index,
    labels,
    villages: Villages,
    year: int,
    problems,
    notify: Progress,
    *,
    header: list[str] | None = None,
    max_rows: int = ROWS_MAX,
) -> list[Row]:
    """Every non-empty line as a Row; a bad cell adds a problem (the row is kept, the cell left empty).
    Reading stops at a problem that ends it (more than `max_rows` rows, a line past LINES_MAX, a damaged
    part, see ReadStopped): then ValidationFailed lists it with every problem found before it."""
    parser = _RowParser(index, villages, year, header or [])
    out: list[Row] = []
    width = len(index)
    last = max(index.values())
    count = 0
    try:
        for line, cells in rows_iter:
            if line > LINES_MAX:
                raise _stop(N_("imp.hostile.too_many_lines"), line, max=LINES_MAX)
            if cells.__class__ is _SpansLines:
                problems.append(
                    FieldProblem(
                        "file",
                        "imp.hostile.spans_lines",
                        {"start": cells.start, "end": cells.end},
                        cells.start,
                    )
                )
                continue
            if not cells or all(c is None or (c.__class__ is str and not c.strip()) for c in cells):
                continue
            count += 1
            if count > max_rows:
                raise _stop(N_("imp.hostile.too_many_rows"), line, max=max_rows)
            if count % 50_000 == 0:
                notify(min(0.45, 0.45 * count / max_rows), "read")
            if len(cells) < width or len(cells) <= last:
                cells = list(cells) + [None] * (last + 1 - len(cells))
            out.append(parser.row(line, cells, _Reporter(problems, labels, line)))
    except ReadStopped as exc:
        problems.append(exc.problem)
        problems.sort(key=lambda p: (p.line or 0, p.field))
        raise ValidationFailed(problems) from exc
    notify(0.45, "read")
    return out


_LETTER = re.compile(r"[^\W\d_]")


class _RowParser:
    """The cells of one line checked and normalised into a Row (addresses cached: they repeat)."""

    def __init__(self, index: dict[str, int], villages: Villages, year: int, header: list[str]) -> None:
        self.i_code, self.i_village, self.i_name = (
            index["household_code"],
            index["village"],
            index["full_name"],
        )
        self.i_addr, self.i_year, self.i_sex = index.get("address"), index.get("birth_year"), index.get("sex")
        self.i_phone, self.i_head = index.get("phone"), index.get("is_head")
        self.i_smart = index.get("has_smartphone")
        self.imported = {i: col for col, i in index.items()}
        self.header = header
        self.villages = villages
        self.year = year
        self.address_cache: dict[str, tuple[str, str]] = {}

    def row(self, line: int, cells: list, bad: _Reporter) -> Row:
        self._screen(cells, bad)
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

    def _screen(self, cells: list, bad: _Reporter) -> None:
        """Cells no column may hold: over CELL_MAX (any column), a formula without a value, and a citizen
        ID number (the columns imported). Each is reported once and read as empty."""
        for i, value in enumerate(cells):
            kind = value.__class__
            if kind is str:
                if len(value) >= 12 and i in self.imported and looks_like_id_number(value):
                    bad(self.imported[i], N_("imp.hostile.id_number"))
                    cells[i] = None
            elif kind is TooLong:
                col = self.imported.get(i)
                if col is not None:
                    bad(col, N_("imp.hostile.cell_too_long"), length=value.length, max=CELL_MAX)
                else:
                    label = self.header[i] if i < len(self.header) and self.header[i] else f"#{i + 1}"
                    bad.add(
                        label[:60], N_("imp.hostile.cell_too_long"), {"length": value.length, "max": CELL_MAX}
                    )
                cells[i] = None
            elif kind is _Formula:
                if i in self.imported:
                    bad(self.imported[i], N_("imp.hostile.formula"))
                cells[i] = None

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
        raw = cells[self.i_name]
        full_name, name_key, sort_name = _name_parts(_cell(raw))
        if not full_name:
            if raw.__class__ is str and raw.strip():  # only controls, zero-width or direction marks
                bad("full_name", N_("imp.hostile.name_invisible"))
            else:
                bad("full_name", "err.required")
        elif not _LETTER.search(full_name):
            bad("full_name", N_("imp.hostile.name_no_letter"), value=full_name[:60])
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
        value = cells[self.i_year]
        if isinstance(value, date):  # a date-formatted cell: its year
            value = value.year
        raw = _cell(value)
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
        raw = cells[self.i_phone]
        if isinstance(raw, int | float) and not isinstance(raw, bool):  # a number cell in XLSX
            phone = _phone(raw)
            if not is_valid_phone(phone):
                bad("phone", N_("imp.hostile.phone_number_cell"), value=phone)
                return None
            return phone
        phone = _phone(raw)
        if phone is None or is_valid_phone(phone):
            return phone
        text = _cell(raw)
        if len(phone) == 12 and phone.isdigit() and phone.startswith("0"):
            bad("phone", N_("imp.hostile.id_number"))
        elif has_phone_length(phone):
            bad("phone", N_("imp.hostile.phone_prefix"), value=text)
        else:
            bad("phone", N_("imp.err.phone"), value=text)
        return None

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
    """Adds a problem for one column of one line (created only once per row); a column that already has
    a problem on this line gets no second one (a formula is not also "required")."""

    __slots__ = ("labels", "line", "problems", "seen")

    def __init__(self, problems: list[FieldProblem], labels: dict[str, str], line: int) -> None:
        self.problems, self.labels, self.line = problems, labels, line
        self.seen: set[str] | None = None

    def __call__(self, col: str, key: str, **params) -> None:
        self.add(self.labels[col], key, params)

    def add(self, label: str, key: str, params: dict) -> None:
        if self.seen is None:
            self.seen = {label}
        elif label in self.seen:
            return
        else:
            self.seen.add(label)
        self.problems.append(FieldProblem(label, key, params, self.line))


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
