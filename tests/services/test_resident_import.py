"""Resident import: both formats, every rejection reason, atomicity, idempotent re-import, update report."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from models.db import read_session, write_session
from models.tables import Area, Household, Resident
from services.errors import PermissionDenied, ValidationFailed
from services.people import importing as resident_import
from services.people.importing import import_residents
from services.rollups.core import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f
from tests.services.test_household_admin import race

HEADER = ["Mã hộ", "Thôn", "Địa chỉ", "Họ và tên", "Năm sinh", "Giới tính", "Số điện thoại", "Chủ hộ",
          "Điện thoại thông minh"]  # fmt: skip
GOOD = [
    ["H001", "A1", "Số 1 ngõ 2", "nguyễn  văn an", "1970", "Nam", "+84 912 345 678", "x", "có"],
    ["H001", "Thôn Một", "Số 1 ngõ 2", "Lê Thị Hoà", "1972", "Nữ", "0912.000.111", "", "không"],
    ["H002", "a2", "Xóm Trên", "Trần Văn Bình", "1985", "", "", "x", ""],
]


def as_csv(rows, header=HEADER, sep=",", bom=True) -> bytes:
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8")


def as_xlsx(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([int(c) if c.isdigit() and len(c) == 4 else c for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def encode(fmt, rows, header=HEADER):
    return (as_csv(rows, header), "list.csv") if fmt == "csv" else (as_xlsx(rows, header), "list.xlsx")


@pytest.fixture
def setup(engine):
    ids = f.create_tree(engine)
    coordinator = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    return engine, ids, coordinator


def run(engine, actor, data, filename="list.csv", **kw):
    with write_session(engine) as s:
        return import_residents(
            s, actor=actor, area_code=kw.pop("area", "A"), data=data, filename=filename, **kw
        )


def dump(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_creates_households_and_residents(setup, fmt):
    engine, ids, actor = setup
    data, name = encode(fmt, GOOD, [*HEADER, "Ghi chú"])
    report = run(engine, actor, data, name)
    assert (report.households_created, report.residents_created, report.rows) == (2, 3, 3)
    assert report.ignored_columns == ["Ghi chú"]
    with read_session(engine) as s:
        people = {r.full_name: r for r in s.exec(select(Resident)).scalars()}
        assert set(people) == {"Nguyễn Văn An", "Lê Thị Hòa", "Trần Văn Bình"}
        an = people["Nguyễn Văn An"]
        assert (an.phone, an.is_head, an.has_smartphone, an.sex, an.birth_year) == (
            "0912345678",
            True,
            True,
            "male",
            1970,
        )
        assert people["Lê Thị Hòa"].has_smartphone is False
        assert people["Trần Văn Bình"].has_smartphone is None
        h2 = s.exec(select(Household).where(Household.code == "H002")).scalar_one()
        assert h2.village_id == ids["A2"]
        assert compare(s) == []


def test_csv_semicolon_no_bom_and_english_headers(setup):
    engine, _ids, actor = setup
    header = ["household_code", "VILLAGE", "Address", "full name", "birth_year", "sex", "phone", "is_head",
              "has_smartphone"]  # fmt: skip
    report = run(engine, actor, as_csv(GOOD, header, sep=";", bom=False))
    assert report.residents_created == 3
    loose = ["ma ho", "thon", "DIA CHI", "ho va ten"]
    report = run(engine, actor, as_csv([["H009", "A1", "x", "Phạm Thu"]], loose))
    assert report.residents_created == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimport_changes_nothing_and_update_is_reported(setup, fmt):
    engine, _ids, actor = setup
    run(engine, actor, *encode(fmt, GOOD))
    again = run(engine, actor, *encode(fmt, GOOD))
    assert (again.households_created, again.households_updated, again.residents_created,
            again.residents_updated, again.unchanged) == (0, 0, 0, 0, 3)  # fmt: skip
    changed = [list(r) for r in GOOD]
    changed[1][6] = "0987654321"  # new phone
    changed[2][2] = "Xóm Dưới"  # new address
    changed.append(["H002", "A2", "Xóm Dưới", "Trần Thị Cúc", "2001", "Nữ", "", "", ""])
    report = run(engine, actor, *encode(fmt, changed))
    assert (report.residents_created, report.residents_updated, report.households_updated) == (1, 1, 1)
    assert report.unchanged == 2
    fields = {(c.entity, c.label): c.fields for c in report.changes}
    assert fields[("resident", "Lê Thị Hòa")] == {"phone": ("0912000111", "0987654321")}
    assert fields[("household", "H002")] == {"address": ("Xóm Trên", "Xóm Dưới")}
    with read_session(engine) as s:
        assert compare(s) == []
        assert s.exec(select(func.count()).select_from(Resident)).scalar() == 4


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_bad_row_rejects_the_file_and_nothing_changes(setup, fmt, tmp_path):
    engine, _ids, actor = setup
    run(engine, actor, *encode(fmt, GOOD))
    next_year = str(date.today().year + 1)
    bad = [
        ["H010", "A1", "", "", "1970", "", "", "", ""],  # line 2: no name
        ["H011", "A1", "", "Ngô Văn Cao", "1899", "", "", "", ""],  # 3: birth year too early
        ["H011", "A1", "", "Ngô Văn Dũng", next_year, "", "", "", ""],  # 4: future birth year
        ["H012", "A1", "", "Vũ Thị Én", "1990", "", "12345", "", ""],  # 5: invalid phone
        ["H013", "Thôn Không Có", "", "Đỗ Văn Phúc", "1990", "", "", "", ""],  # 6: unknown village
        ["H014", "A1", "Số 5", "Hà Văn Gấm", "1990", "", "", "", ""],  # 7
        ["H014", "A2", "Số 5", "Hà Thị Hạnh", "1991", "", "", "", ""],  # 8: household village differs
        ["H014", "A1", "Số 6", "Hà Văn Ích", "1992", "", "", "", ""],  # 9: household address differs
        ["H015", "A1", "", "Kiều Văn Khánh", "1980", "", "", "", ""],  # 10
        ["H015", "A1", "", "kieu van  khanh", "1980", "", "", "", ""],  # 11: same person twice
        ["H016", "A1", "", "Lý Văn Long", "1980", "Không rõ", "", "", ""],  # 12: bad sex value
    ]
    before = dump(engine)
    sqlite_path = engine.url.database if engine.dialect.name == "sqlite" else None
    if sqlite_path:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        raw_before = Path(sqlite_path).read_bytes()
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, *encode(fmt, bad))
    got = {(p.line, p.field, p.key) for p in err.value.problems}
    assert got == {
        (2, "Họ và tên", "err.required"),
        (3, "Năm sinh", "imp.err.birth_year"),
        (4, "Năm sinh", "imp.err.birth_year"),
        (5, "Số điện thoại", "imp.err.phone"),
        (6, "Thôn", "imp.err.unknown_village"),
        (8, "Thôn", "imp.err.household_village"),
        (9, "Địa chỉ", "imp.err.household_address"),
        (11, "Họ và tên", "imp.err.duplicate_person"),
        (12, "Giới tính", "imp.err.sex"),
    }
    assert all(p.message("vi") != p.key for p in err.value.problems)  # every message is in the catalogue
    if sqlite_path:
        engine.dispose()
        assert Path(sqlite_path).read_bytes() == raw_before
    assert dump(engine) == before


def test_missing_required_columns_and_empty_file(setup):
    engine, _ids, actor = setup
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, as_csv([["H1", "x"]], ["Mã hộ", "Ghi chú"]))
    assert err.value.problems[0].key == "err.missing_columns"
    assert "Thôn" in err.value.problems[0].params["columns"]
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, b"")
    assert err.value.problems[0].key == "err.empty_file"
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, "Mã hộ,Thôn,Họ và tên\nH1,A1,Nguyễn Văn Á\n".encode("cp1258", errors="replace"))
    assert err.value.problems[0].key in ("imp.err.not_utf8", "imp.err.unknown_village")


def test_create_villages_and_dry_run(setup):
    engine, ids, actor = setup
    rows = [["H020", "Thôn Mới", "", "Mai Văn Nam", "1970", "", "", "x", ""]]
    with pytest.raises(ValidationFailed):
        run(engine, actor, as_csv(rows))
    before = dump(engine)
    with read_session(engine) as s:
        preview = import_residents(s, actor=actor, area_code="A", data=as_csv(rows), create_villages=True,
                                   dry_run=True)  # fmt: skip
    assert preview.villages_created == ["Thôn Mới"] and preview.residents_created == 1
    assert not preview.applied
    assert dump(engine) == before
    report = run(engine, actor, as_csv(rows), create_villages=True)
    assert report.villages_created == ["Thôn Mới"] and report.applied
    with read_session(engine) as s:
        village = s.exec(select(Area).where(Area.name == "Thôn Mới")).scalar_one()
        assert village.code == "A-001" and village.parent_id == ids["A"]
        assert compare(s) == []
    again = run(engine, actor, as_csv(rows), create_villages=True)
    assert again.villages_created == [] and again.unchanged == 1


def test_likely_duplicates_are_reported_not_merged(setup):
    engine, ids, actor = setup
    hh = f.create_household(engine, village_id=ids["A1"], code="OLD1")
    old = f.create_resident(engine, household_id=hh, full_name="Nguyễn Văn An", birth_year=1970)
    f.create_resident(engine, household_id=hh, full_name="Phan Thị Lụa", birth_year=1960, phone="0912000111")
    report = run(engine, actor, as_csv(GOOD))
    reasons = {(d.full_name, d.reason, d.existing_household) for d in report.duplicates}
    assert ("Nguyễn Văn An", "name_year", "OLD1") in reasons
    assert ("Lê Thị Hòa", "phone", "OLD1") in reasons
    assert report.duplicates[0].existing_id == old
    assert report.residents_created == 3


def test_scope_and_roles(setup):
    engine, ids, actor = setup
    with pytest.raises(PermissionDenied):
        run(engine, actor, as_csv([["H1", "B1", "", "Tạ Văn Sơn", "1970", "", "", "", ""]]), area="B")
    f.create_household(engine, village_id=ids["B1"], code="HB1")
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, as_csv([["HB1", "A1", "", "Tạ Văn Sơn", "1970", "", "", "", ""]]))
    assert err.value.problems[0].key == "imp.err.household_elsewhere"
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    with pytest.raises(PermissionDenied):
        run(engine, leader, as_csv(GOOD))


def test_progress_reaches_the_end(setup):
    engine, _ids, actor = setup
    seen = []
    run(engine, actor, as_csv(GOOD), progress=lambda frac, stage: seen.append(frac))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4


def test_new_resident_in_existing_household_counts_in_rollups(setup):
    engine, ids, actor = setup
    run(engine, actor, as_csv(GOOD))
    run(engine, actor, as_csv([*GOOD, ["H001", "A1", "Số 1 ngõ 2", "Nguyễn Văn Bé", "2010", "", "", "", ""]]))
    with read_session(engine) as s:
        assert compare(s) == []
        assert (
            s.exec(
                text("SELECT residents FROM rollup_area WHERE area_id = :a"), params={"a": ids["A"]}
            ).scalar()
            == 4
        )


def test_a_visit_cannot_commit_between_the_before_read_and_the_update(setup, monkeypatch):
    """A re-import moves a household to another village while a volunteer records a visit to it: the
    visit waits for the import (row locks on PostgreSQL), and the rollups match a recount."""
    engine, ids, coordinator = setup
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"], ids["A2"]))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    run(engine, coordinator, as_csv(GOOD))
    with read_session(engine) as s:
        hh = s.exec(select(Household.id).where(Household.code == "H001")).scalar_one()
        first = s.exec(select(Resident.id).where(Resident.household_id == hh).order_by(Resident.id)).scalar()

    def record():
        data = VisitInput(
            idempotency_key="race-import",
            visited_on=f.today_minus(0),
            place="home",
            outcome="done",
            household_id=hh,
            residents=[ResidentInput(first, levels={"submit": 2})],
        )
        with write_session(engine) as s:
            record_visit(s, actor=volunteer, data=data)

    moved = [["H001", "A2", *row[2:]] if row[0] == "H001" else row for row in GOOD]
    race(
        monkeypatch, resident_import, "household_contribution",
        lambda: run(engine, coordinator, as_csv(moved)), record,
    )  # fmt: skip
    with read_session(engine) as s:
        assert compare(s) == []
        assert s.get(Household, hh).village_id == ids["A2"]
        assert s.exec(select(func.count()).select_from(Resident)).scalar() == 3
