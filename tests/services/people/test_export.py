"""Export: both formats, formula neutralisation, phone masking for leaders, scope."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from models.db import read_session
from services.errors import PermissionDenied
from services.people.export import export_bytes, neutralise
from tests import factories as f


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    hh = f.create_household(engine, village_id=ids["A1"], code="X1", address="-1 ngõ @")
    f.create_resident(engine, household_id=hh, full_name="=HYPERLINK(\"http://x\")", phone="0912345678",
                      has_smartphone=False)  # fmt: skip
    f.create_resident(engine, household_id=hh, full_name="Nguyễn Văn An", birth_year=1980)
    hb = f.create_household(engine, village_id=ids["B1"], code="Y1")
    f.create_resident(engine, household_id=hb, full_name="Người Xã Khác")
    return engine, ids


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM correctly
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return [["" if c is None else c for c in row] for row in wb.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_escapes_and_masks(world, fmt):
    engine, _ids = world
    coordinator = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    reader = read_csv if fmt == "csv" else read_xlsx
    with read_session(engine) as s:
        full = reader(export_bytes(s, actor=coordinator, fmt=fmt))
        masked = reader(export_bytes(s, actor=leader, fmt=fmt))
    header, *rows = full
    assert header[:4] == ["Mã hộ", "Thôn", "Địa chỉ", "Họ và tên"]
    assert len(rows) == 2  # commune B stays out
    by_name = {r[3]: r for r in rows}
    evil = by_name['\'=HYPERLINK("http://x")']
    assert evil[2] == "'-1 ngõ @" and evil[6] == "0912345678" and evil[8] == "Không"
    assert str(by_name["Nguyễn Văn An"][4]) == "1980"
    assert {r[6] for r in masked[1:]} == {"*******678", ""}
    for row in full[1:] + masked[1:]:
        for cell in row:
            assert not (isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"))


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1" and neutralise("+84") == "'+84" and neutralise("@x") == "'@x"
    assert neutralise("-") == "'-" and neutralise("An") == "An" and neutralise(5) == 5


def test_export_scope(world):
    engine, ids = world
    coordinator = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    with read_session(engine) as s, pytest.raises(PermissionDenied):
        export_bytes(s, actor=coordinator, fmt="csv", area_id=ids["B"])
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    with read_session(engine) as s, pytest.raises(PermissionDenied):
        export_bytes(s, actor=volunteer, fmt="csv")
