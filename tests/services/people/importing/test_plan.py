"""Resident import, comparing with the database: idempotent re-import, the update report, likely
duplicates reported (never merged)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.db import read_session
from models.tables import Resident
from services.rollups.recount import compare
from tests import factories as f
from tests.services.people.importing.files import GOOD, as_csv, encode, run


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
