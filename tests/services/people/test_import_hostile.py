"""Resident import against hostile and broken files (issue #12): zip bombs and oversized workbooks are
refused from the zip directory, reading stops at the row, column and cell caps in bounded memory, CSV
quoting mistakes, single-line and header-only files get their own messages, control and invisible
characters never reach the database or break the export, phones and ID numbers are checked, legacy
encodings are named, formulas are called formulas. Every hostile file is built here, programmatically."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zlib
from datetime import date
from types import SimpleNamespace

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from core.text import clean_text, guess_legacy_encoding, is_valid_phone, looks_like_id_number, normalize_phone
from models.db import read_session
from models.tables import Household, Resident
from services.errors import ValidationFailed
from services.people.export import export_bytes
from services.people.importing.parse import ROWS_MAX, read_table
from tests import factories as f
from tests.services.people.importing.files import HEADER, as_csv, dump, run

# ---------------------------------------------------------------- building XLSX files by hand

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
    f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
    '<sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


class Deflated:
    """A part given as a raw deflate stream with its size and CRC (to write bombs without inflating
    them first)."""

    def __init__(self, stream: bytes, size: int, crc: int) -> None:
        self.stream, self.size, self.crc = stream, size, crc


def repeated(head: bytes, unit: bytes, count: int, tail: bytes) -> Deflated:
    """head + unit * count + tail, deflated by compressing `unit` once and repeating its block (valid
    because the unit only refers back to itself: use a unit of one repeated byte, >= 32 KiB)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head + unit) + c.flush(zlib.Z_SYNC_FLUSH)
    block = c.compress(unit) + c.flush(zlib.Z_SYNC_FLUSH)
    last = c.compress(tail) + c.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    return Deflated(first + block * (count - 1) + last, len(head) + len(unit) * count + len(tail), crc)


def zip_bytes(parts: dict[str, bytes | Deflated]) -> bytes:
    """A zip of `parts` (deflated), written by hand so a part may be a pre-made Deflated stream."""
    out, directory = io.BytesIO(), []
    for name, content in parts.items():
        if not isinstance(content, Deflated):
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            content = Deflated(c.compress(content) + c.flush(), len(content), zlib.crc32(content))
        raw = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, 0x21, content.crc,
                              len(content.stream), content.size, len(raw), 0) + raw)  # fmt: skip
        out.write(content.stream)
        directory.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, 8, 0, 0x21,
                                     content.crc, len(content.stream), content.size, len(raw), 0, 0, 0, 0,
                                     0, offset) + raw)  # fmt: skip
    start = out.tell()
    for entry in directory:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), size, start, 0))
    return out.getvalue()


def xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell_xml(ref: str, value) -> str:
    """One <c>: str as an inline string, int/float as a number, ("=", formula, cached or None) as a
    formula, ("e", "#REF!") as an error value."""
    if isinstance(value, tuple) and value[0] == "=":
        cached = "" if value[2] is None else f"<v>{value[2]}</v>"
        return f'<c r="{ref}"><f>{xml_text(value[1])}</f>{cached}</c>'
    if isinstance(value, tuple) and value[0] == "e":
        return f'<c r="{ref}" t="e"><v>{value[1]}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{xml_text(value)}</t></is></c>'


def letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def sheet_xml(rows: list[list]) -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(cell_xml(f"{letters(c)}{r}", v) for c, v in enumerate(row, start=1) if v is not None)
        body.append(f'<row r="{r}">{cells}</row>')
    return f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(body)}</sheetData></worksheet>'


def xlsx(rows: list[list] | None = None, *, sheet: bytes | Deflated | None = None,
         strings: bytes | Deflated | None = None) -> bytes:  # fmt: skip
    """A minimal workbook: the sheet from `rows` (or given), a shared strings part (empty unless given)."""
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES.encode(),
            "_rels/.rels": ROOT_RELS.encode(),
            "xl/workbook.xml": WORKBOOK.encode(),
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.encode(),
            "xl/sharedStrings.xml": strings or f'<sst xmlns="{MAIN}"/>'.encode(),
            "xl/worksheets/sheet1.xml": sheet if sheet is not None else sheet_xml(rows or []).encode(),
        }
    )


def xlsx_bomb(size: int = 1 << 30) -> bytes:
    """~1 MB workbook whose one shared string inflates to `size` bytes of "A" (the sheet points at it)."""
    strings = repeated(f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode(), b"A" * (1 << 20),
                       size >> 20, b"</t></si></sst>")  # fmt: skip
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        + "".join(
            f'<c r="{letters(i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADER, 1)
        )
        + '</row><row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>'
    ).encode()
    return xlsx(sheet=sheet, strings=strings)


def _tree_and_coordinator(engine):
    ids = f.create_tree(engine)
    return engine, ids, f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))


@pytest.fixture
def setup(engine):
    """A commune tree (A with villages A1, A2; B) and A's coordinator, on SQLite and PostgreSQL: for
    what gets stored."""
    return _tree_and_coordinator(engine)


@pytest.fixture
def refusing(sqlite_engine):
    """The same on SQLite only: for files refused while they are read, before any database work."""
    return _tree_and_coordinator(sqlite_engine)


def problems_of(err) -> set[tuple]:
    return {(p.line, p.field, p.key) for p in err.value.problems}


def refused(engine, actor, data, filename="list.csv", **kw) -> set[tuple]:
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, data, filename, **kw)
    assert all(p.message("vi") != p.key and p.message("en") != p.key for p in err.value.problems)
    return problems_of(err)


def person(code="H1", village="A1", name="Nguyễn Văn An", year="1970", phone="", address="") -> list[str]:
    return [code, village, address, name, year, "", phone, "", ""]


def people(engine) -> dict[str, SimpleNamespace]:
    """Stored residents by name: their birth year and phone."""
    with read_session(engine) as s:
        rows = s.exec(select(Resident.full_name, Resident.birth_year, Resident.phone)).all()
    return {name: SimpleNamespace(birth_year=year, phone=phone) for name, year, phone in rows}


# ---------------------------------------------------------------- 1. XLSX bombs and oversized workbooks


def test_xlsx_bomb_is_refused_from_the_zip_directory_without_inflating(refusing):
    engine, _ids, actor = refusing
    data = xlsx_bomb(1 << 30)
    assert len(data) < 2 << 20  # ~1 MB that inflates to 1 GB
    before = dump(engine)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        got = refused(engine, actor, data, "bomb.xlsx")
        took = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == {(None, "file", "imp.hostile.zip_part_size")}
    assert took < 5 and peak < 50 << 20  # bounded: nothing was inflated (openpyxl went past 5 GB)
    assert dump(engine) == before


def test_xlsx_part_that_compresses_like_a_bomb_is_refused_under_the_size_limit(refusing):
    engine, _ids, actor = refusing
    sheet = repeated(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), b" " * (1 << 20), 40,
                     b"</sheetData></worksheet>")  # fmt: skip
    assert refused(engine, actor, xlsx(sheet=sheet), "x.xlsx") == {(None, "file", "imp.hostile.zip_ratio")}


def test_xlsx_with_thousands_of_parts_is_refused_before_they_are_listed(refusing):
    engine, _ids, actor = refusing
    parts = {f"xl/media/p{i}.bin": b"" for i in range(1500)}
    data = zip_bytes({**parts, "[Content_Types].xml": CONTENT_TYPES.encode()})
    assert refused(engine, actor, data, "x.xlsx") == {(None, "file", "imp.hostile.zip_parts")}


def test_xlsx_whose_directory_understates_a_part_is_unreadable_not_inflated(refusing):
    engine, _ids, actor = refusing
    honest = sheet_xml([HEADER, person()]).encode()
    lying = repeated(honest[:-len("</sheetData></worksheet>")], b" " * (1 << 16), 200,
                     b"</sheetData></worksheet>")  # fmt: skip
    lying.size = len(honest)  # the directory says the sheet is small; its stream inflates to 13 MB
    assert refused(engine, actor, xlsx(sheet=lying), "x.xlsx") == {(None, "file", "imp.err.unreadable")}


def test_xlsx_rows_past_the_cap_stop_the_reading(refusing):
    engine, _ids, actor = refusing
    rows = [HEADER] + [person(f"H{i}", name=f"Người Số {i}") for i in range(1, 1003)]
    before = dump(engine)
    got = refused(engine, actor, xlsx(rows), "many.xlsx", max_rows=1000)
    assert got == {(1002, "file", "imp.hostile.too_many_rows")}  # line 1002 holds data row 1001
    assert dump(engine) == before
    report = run(engine, actor, xlsx(rows[:1001]), "ok.xlsx", max_rows=1000, dry_run=True)
    assert report.rows == 1000


def test_csv_rows_past_the_cap_are_refused_with_or_without_quotes(refusing):
    engine, _ids, actor = refusing
    plain = ["Mã hộ,Thôn,Họ và tên", "", ",,"] + [f"H{i},A1,Người Số {i}" for i in range(1001)]
    got = refused(engine, actor, ("\n".join(plain) + "\n").encode(), max_rows=1000)
    assert got == {(1004, "file", "imp.hostile.too_many_rows")}  # counted without parsing
    quoted = [*plain[:3], 'H,A1,"Lê, Thị Bé"', *plain[3:]]  # a quote: read row by row up to the cap
    got = refused(engine, actor, ("\n".join(quoted) + "\n").encode(), max_rows=1000)
    assert got == {(1004, "file", "imp.hostile.too_many_rows")}


def test_csv_over_the_default_cap_of_200000_rows_is_refused_quickly(refusing):
    engine, _ids, actor = refusing
    lines = ["Mã hộ,Thôn,Họ và tên"] + [f"H{i},A1,An" for i in range(ROWS_MAX + 1)]
    start = time.perf_counter()
    got = refused(engine, actor, ("\n".join(lines) + "\n").encode())
    assert got == {(ROWS_MAX + 2, "file", "imp.hostile.too_many_rows")}
    assert time.perf_counter() - start < 30


def test_a_cell_beyond_the_column_cap_stops_the_reading(refusing):
    engine, _ids, actor = refusing
    far = person() + [None] * 150 + ["x"]  # column 160
    assert refused(engine, actor, xlsx([HEADER, person("H0"), far]), "x.xlsx") == {
        (3, "file", "imp.hostile.too_many_columns")
    }
    csv_far = as_csv([person("H0"), person() + [""] * 150 + ["x"]])
    assert refused(engine, actor, csv_far) == {(3, "file", "imp.hostile.too_many_columns")}


def test_xlsx_cell_over_the_excel_limit_is_counted_not_kept(refusing):
    engine, _ids, actor = refusing
    rows = [[*HEADER, "Ghi chú"], person(name="A" * 40_000), [*person("H2"), "x" * 50000]]
    assert refused(engine, actor, xlsx(rows), "x.xlsx") == {
        (2, "Họ và tên", "imp.hostile.cell_too_long"),
        (3, "Ghi chú", "imp.hostile.cell_too_long"),
    }


def test_legit_workbook_made_by_openpyxl_still_imports(setup):
    engine, _ids, actor = setup
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(["H1", "A1", "Số 1", "Trần Văn Bình", 1985, "Nam", "0912345678", "x", "có"])
    buf = io.BytesIO()
    wb.save(buf)
    report = run(engine, actor, buf.getvalue(), "list.xlsx")
    assert report.residents_created == 1 and people(engine)["Trần Văn Bình"].birth_year == 1985


# ---------------------------------------------------------------- 2, 3. broken CSV


def test_unbalanced_quote_is_refused_with_its_lines(refusing):
    engine, _ids, actor = refusing
    data = (
        'Mã hộ,Thôn,Họ và tên,Năm sinh\nH0,A1,Lê Văn Cả,1960\nH1,A1,"Nguyễn Văn An,1970\n'
        "H1,A1,Lê Thị Bé,1975\nH2,A1,Trần Văn Cường,1980\n"
    ).encode()
    assert refused(engine, actor, data) == {(3, "file", "imp.hostile.spans_lines")}  # lines 3 to 6 (EOF)
    closed_late = 'Mã hộ,Thôn,Họ và tên\nH1,A1,"Nguyễn Văn An\nH1,A1,Lê Thị Bé",x\nH2,A1,Hà Văn Dũng\n'
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, closed_late.encode())
    (problem,) = err.value.problems
    assert (problem.line, problem.params) == (2, {"start": 2, "end": 3})
    assert "2" in problem.message("vi") and "3" in problem.message("vi")
    assert people(engine) == {}


def test_csv_cell_over_128_kib_is_a_message_not_a_crash(refusing):
    engine, _ids, actor = refusing
    data = ("Mã hộ,Thôn,Họ và tên\nH1,A1,An\nH2,A1," + "B" * 200_000 + "\n").encode()
    assert refused(engine, actor, data) == {(3, "file", "imp.hostile.csv_cell_limit")}
    open_quote = ('Mã hộ,Thôn,Họ và tên\nH1,A1,"An\n' + "x,y\n" * 40_000).encode()
    got = refused(engine, actor, open_quote)
    assert {key for _l, _f, key in got} == {"imp.hostile.csv_cell_limit"}
    mid = ("Mã hộ,Thôn,Họ và tên,Ghi chú\nH1,A1,An," + "n" * 40_000 + "\n").encode()
    assert refused(engine, actor, mid) == {(2, "Ghi chú", "imp.hostile.cell_too_long")}


def test_single_line_of_50_mb_is_refused_at_once(refusing):
    engine, _ids, actor = refusing
    data = b"Ma ho,Thon,Ho va ten," + b"x," * (25 << 20)
    start = time.perf_counter()
    got = refused(engine, actor, data)
    assert got == {(None, "file", "imp.hostile.no_line_breaks")}
    assert time.perf_counter() - start < 3  # was 62 s, then "Tệp rỗng"


def test_header_only_empty_and_long_first_line_say_different_things(refusing):
    engine, _ids, actor = refusing
    assert refused(engine, actor, b"Ma ho,Thon,Ho va ten\n") == {(1, "file", "imp.hostile.no_data_rows")}
    assert refused(engine, actor, b"Ma ho,Thon,Ho va ten") == {(1, "file", "imp.hostile.no_data_rows")}
    assert refused(engine, actor, xlsx([HEADER]), "x.xlsx") == {(1, "file", "imp.hostile.no_data_rows")}
    assert refused(engine, actor, b"") == {(None, "file", "err.empty_file")}
    assert refused(engine, actor, b"  \n\n") == {(None, "file", "err.empty_file")}
    long_first = b"a" * 20_000 + b"\nH1,A1,An\n"
    assert refused(engine, actor, long_first) == {(1, "file", "imp.hostile.header_too_long")}
    assert refused(engine, actor, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls") == {
        (None, "file", "imp.hostile.old_xls")
    }


# ---------------------------------------------------------------- 4. control and invisible characters


def test_controls_bidi_and_zero_width_are_stripped_and_invisible_names_refused(setup):
    engine, _ids, actor = setup
    rows = [
        person("H1\u200b", name="Nguyễn\x1b[31m Văn\x07 An\u202e", address="Số 1\x00 ngõ\u200d 2"),
        person("H2", name="Lê\u00a0Thị\tBé"),
    ]
    report = run(engine, actor, as_csv(rows))
    assert report.residents_created == 2
    stored = people(engine)
    assert set(stored) == {"Nguyễn Văn An", "Lê Thị Bé"}  # the whole terminal escape goes
    with read_session(engine) as s:
        h1 = s.exec(select(Household).where(Household.code == "H1")).scalar_one()
        assert h1.address == "Số 1 ngõ 2"
    bad = [
        person("H3", name="\u200b\u200d\u202e"),
        person("H4", name="\x1b\x07"),
        person("H5", name="12 - 3"),
    ]
    assert refused(engine, actor, as_csv(bad)) == {
        (2, "Họ và tên", "imp.hostile.name_invisible"),
        (3, "Họ và tên", "imp.hostile.name_invisible"),
        (4, "Họ và tên", "imp.hostile.name_no_letter"),
    }


def test_export_never_crashes_on_stored_control_characters(engine, tmp_path):
    ids = f.create_tree(engine)
    hh = f.create_household(engine, village_id=ids["A1"], code="E1", address="Ngõ\x0b 3\u202e")
    f.create_resident(engine, household_id=hh, full_name="Bad\x1b[2J\x07 Name\x03=1+1")
    f.create_resident(engine, household_id=hh, full_name='\x01=HYPERLINK("http://x")')
    coordinator = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    with read_session(engine) as s:
        data = export_bytes(s, actor=coordinator, fmt="xlsx")  # IllegalCharacterError before
        text = export_bytes(s, actor=coordinator, fmt="csv").decode("utf-8-sig")
    rows = list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))
    names = {r[3] for r in rows[1:]}
    assert names == {"Bad Name=1+1", '\'=HYPERLINK("http://x")'}  # cleaned, then guarded
    assert {r[2] for r in rows[1:]} == {"Ngõ  3"}
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text


def test_clean_text():
    assert clean_text("A\x1b[31mB\x07\u202eC\u200bD\u00a0E\nF\x00\u2066G\ufeff") == "ABCD E FG"
    assert clean_text("\x1b]0;title\x07An\x1b") == "An"
    assert clean_text("\u200b\u200d\u2060\u3164") == "" and clean_text(None) == ""
    assert clean_text("Nguyễn Văn Ân, H'Hen Niê") == "Nguyễn Văn Ân, H'Hen Niê"
    assert clean_text("e\u0301") == "e\u0301"  # combining marks are letters' parts, kept


# ---------------------------------------------------------------- 5. phones and ID numbers


def test_numeric_phone_cells_need_a_real_prefix(setup):
    engine, _ids, actor = setup
    rows = [
        HEADER,
        ["H1", "A1", "", "Phạm Văn Một", 1970, "", 912345678, "", ""],  # 0912345678: fine
        ["H1", "A1", "", "Phạm Văn Hai", 1971, "", 123456789, "", ""],  # 0123456789: no such prefix
        ["H1", "A1", "", "Phạm Văn Ba", 1972, "", 1090012345, "", ""],  # 01090012345: no such prefix
        ["H1", "A1", "", "Phạm Văn Bốn", 1973, "", 2438251234, "", ""],  # 02438251234: a landline
    ]
    got = refused(engine, actor, xlsx(rows), "p.xlsx")
    assert got == {(3, "Số điện thoại", "imp.hostile.phone_number_cell"),
                   (4, "Số điện thoại", "imp.hostile.phone_number_cell")}  # fmt: skip
    report = run(engine, actor, xlsx([rows[0], rows[1], rows[4]]), "p.xlsx")
    assert report.residents_created == 2
    assert {p.phone for p in people(engine).values()} == {"0912345678", "02438251234"}


def test_text_phones_prefixes_and_id_numbers_anywhere(setup):
    engine, _ids, actor = setup
    rows = [
        person("H1", name="Võ Văn Một", phone="0123456789"),  # 2: no such mobile prefix
        person("H1", name="Võ Văn Hai", phone="001090012345"),  # 3: a CCCD in the phone column
        person("H1", name="Võ Văn Ba 001090012345"),  # 4: in the name
        person("H2", name="Võ Văn Bốn", address="CCCD 001 090 012 345"),  # 5: in the address
        person("H3", name="Võ Văn Năm", phone="12345"),  # 6: not a number at all
        person("H4", name="Võ Văn Sáu", phone="+84 24 3825 1234"),  # landline: fine
    ]
    assert refused(engine, actor, as_csv(rows)) == {
        (2, "Số điện thoại", "imp.hostile.phone_prefix"),
        (3, "Số điện thoại", "imp.hostile.id_number"),
        (4, "Họ và tên", "imp.hostile.id_number"),
        (5, "Địa chỉ", "imp.hostile.id_number"),
        (6, "Số điện thoại", "imp.err.phone"),
    }


def test_phone_rules_and_id_numbers():
    valid = ["0912345678", "0321234567", "0561234567", "0771234567", "0861234567", "02438251234"]
    invalid = ["0123456789", "0412345678", "0612345678", "01090012345", "0212345678", "091234567"]
    assert all(is_valid_phone(p) for p in valid) and not any(is_valid_phone(p) for p in invalid)
    assert normalize_phone("842438251234") == "02438251234"
    assert looks_like_id_number("CCCD: 079090012345.") and looks_like_id_number("001 090 012 345")
    assert not looks_like_id_number("0912345678") and not looks_like_id_number("123456789012")
    assert not looks_like_id_number("000123456789") and not looks_like_id_number(
        "097123456789"
    )  # no province
    assert not looks_like_id_number("0010901234567")  # 13 digits
    assert not looks_like_id_number("0912 345 678 và 0987 654 321")


# ---------------------------------------------------------------- 6. encodings, formulas, duplicates

VIETNAMESE_CSV = "Mã hộ,Thôn,Họ và tên\nH1,Thôn Một,Nguyễn Văn Ân\nH1,Thôn Một,Đặng Thị Hương\n"


def cp1258(text: str) -> bytes:
    """As Windows saves Vietnamese in code page 1258: base letter (with its vowel mark) + tone mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            import unicodedata

            parts = unicodedata.normalize("NFD", ch)
            tone = [m for m in parts if m in "\u0300\u0301\u0303\u0309\u0323"]
            base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in tone))
            out += (base + "".join(tone)).encode("cp1258")
    return bytes(out)


def tcvn3(text: str) -> bytes:
    from core.text import _TCVN3_HIGH

    table = {ch: 0x80 + i for i, ch in enumerate(_TCVN3_HIGH)}
    return bytes(ord(ch) if ord(ch) < 0x80 else table[ch] for ch in text)


def test_legacy_encodings_are_named_with_how_to_save(refusing):
    engine, _ids, actor = refusing
    for data, line, hint in (
        (cp1258(VIETNAMESE_CSV), 1, "imp.hostile.encoding_cp1258"),
        (tcvn3(VIETNAMESE_CSV), 1, "imp.hostile.encoding_tcvn3"),
        (VIETNAMESE_CSV.encode("utf-16"), 1, "imp.hostile.encoding_utf16"),
        (b"Ma ho,Thon,Ho va ten\nH1,A1,\x81\x8d\x8f\x90\x9d\n", 2, "imp.hostile.encoding_unknown"),
    ):
        assert refused(engine, actor, data) == {(line, "file", "imp.err.not_utf8"), (None, "file", hint)}
    assert guess_legacy_encoding(cp1258(VIETNAMESE_CSV)) == "cp1258"
    assert guess_legacy_encoding(tcvn3(VIETNAMESE_CSV)) == "tcvn3"


def test_formula_cells_say_formula_not_required(setup):
    engine, _ids, actor = setup
    rows = [
        HEADER,
        ["H1", "A1", "", ("=", 'PROPER("le van tam")', None), 1970, "", "", "", ""],  # no result stored
        ["H1", ("e", "#REF!"), "", "Lê Văn Hải", 1971, "", "", "", ""],  # an error value
        ["H2", "A1", "", "Lê Văn Ba", ("=", "1900+80", None), "", "", "", ""],
    ]
    assert refused(engine, actor, xlsx(rows), "f.xlsx") == {
        (2, "Họ và tên", "imp.hostile.formula"),
        (3, "Thôn", "imp.hostile.formula"),
        (4, "Năm sinh", "imp.hostile.formula"),
    }
    cached = [HEADER, ["H1", "A1", "", "Lê Văn Tâm", ("=", "1900+80", 1980), "", "", "", ""]]
    assert run(engine, actor, xlsx(cached), "f.xlsx").residents_created == 1
    assert people(engine)["Lê Văn Tâm"].birth_year == 1980  # a formula with its stored result is read


def test_duplicates_in_one_file_name_both_rows(refusing):
    engine, _ids, actor = refusing
    rows = [person("H1", name="Nguyễn Văn An"), person("H2", name="Bùi Thị Cúc"),
            person("H1", name="nguyen  van AN")]  # fmt: skip
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, as_csv(rows))
    (problem,) = err.value.problems
    assert (problem.line, problem.key, problem.params) == (4, "imp.err.duplicate_person", {"other": 2})
    assert "2" in problem.message("vi") and "2" in problem.message("en")


def test_date_formatted_birth_year_reads_its_year(setup):
    engine, _ids, actor = setup
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(["H1", "A1", "", "Đỗ Văn Ngày", date(1968, 5, 1), "", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    assert run(engine, actor, buf.getvalue(), "d.xlsx").residents_created == 1
    assert people(engine)["Đỗ Văn Ngày"].birth_year == 1968


def test_read_table_streams_rows_of_a_big_sheet_one_block_at_a_time():
    rows = [HEADER] + [person(f"H{i}", name=f"Người {i}") for i in range(5_000)]
    data = xlsx(rows)
    tracemalloc.start()
    try:
        header, it = read_table(data, "x.xlsx")
        count = sum(1 for _ in it)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert header == HEADER and count == 5_000
    assert peak < 1_500_000  # ~0.8 MB whatever the length; holding every row would take 2.6 MB
