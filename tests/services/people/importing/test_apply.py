"""Resident import, writing: households and residents created, villages created, dry run, scope and
roles, progress, exact rollups and row locks against a visit recorded meanwhile."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from models.db import read_session, write_session
from models.tables import Area, Household, Resident
from services.errors import PermissionDenied, ValidationFailed
from services.people.importing import apply as resident_import
from services.people.importing import import_residents
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f
from tests.services.people.importing.files import GOOD, HEADER, as_csv, dump, encode, run
from tests.services.people.test_admin import race


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
