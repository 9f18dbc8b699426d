"""Registry lists: Vietnamese order in SQL, paging, filters, scope, masking, details with history."""

from __future__ import annotations

import random

import pytest

from core.text import person_sort_key
from models.db import read_session, write_session
from services.errors import PermissionDenied
from services.people import admin
from services.people.registry import (
    RegistryFilter,
    household_detail,
    list_households,
    list_residents,
    resident_detail,
)
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f

NAMES = ["Nguyễn Văn An", "Trần Thị Ăn", "Lê Văn Ân", "Phạm Anh", "Đỗ Văn Đức", "Bùi Văn Dũng", "Vũ Thị Ê",
         "Hồ Thị Hoà", "Hồ Thị Hóa", "Hồ Thị Hoa", "Ông Văn Ơn", "Mai Thị Yến", "Lý Văn Ý", "Đặng Thuỷ",
         "Trịnh Thúy", "Cao Văn Bá", "Cao Văn Bà", "Cao Văn Ba"]  # fmt: skip


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    coordinator = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    return engine, ids, coordinator


def test_residents_in_vietnamese_order_across_pages(world):
    engine, ids, coordinator = world
    names = list(NAMES)
    random.Random(7).shuffle(names)
    for i, name in enumerate(names):
        hh = f.create_household(engine, village_id=ids["A1"] if i % 2 else ids["A2"])
        f.create_resident(engine, household_id=hh, full_name=name, birth_year=1950 + i)
    seen, page = [], 1
    with read_session(engine) as s:
        while True:
            result = list_residents(s, actor=coordinator, filters=RegistryFilter(), page=page, page_size=5)
            seen += [r.full_name for r in result.rows]
            if not result.has_next:
                break
            page += 1
    expected = sorted(seen, key=person_sort_key)
    assert seen == expected and len(seen) == len(NAMES)
    # a < ă < â and d < đ on the given name
    assert seen.index("Nguyễn Văn An") < seen.index("Trần Thị Ăn") < seen.index("Lê Văn Ân")
    assert seen.index("Bùi Văn Dũng") < seen.index("Đỗ Văn Đức")
    with read_session(engine) as s:
        desc = list_residents(s, actor=coordinator, filters=RegistryFilter(), page_size=200, sort="name_desc")
    assert [r.full_name for r in desc.rows] == list(reversed(expected))
    # a province-wide list walks the name index (its own query plan on SQLite): same order
    admin = f.actor_for(engine, f.create_user(engine, role="admin", area_code="P"))
    with read_session(engine) as s:
        wide = list_residents(s, actor=admin, filters=RegistryFilter(barrier=None), page_size=200)
    assert [r.full_name for r in wide.rows] == expected


def test_filters(world):
    engine, ids, coordinator = world
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    h_visited = f.create_household(engine, village_id=ids["A1"], code="V1")
    h_never = f.create_household(engine, village_id=ids["A2"], code="N1")
    old = f.create_resident(engine, household_id=h_visited, full_name="Già Văn Cả", birth_year=1940,
                            has_smartphone=False)  # fmt: skip
    young = f.create_resident(engine, household_id=h_visited, full_name="Trẻ Văn Út", birth_year=2000)
    other = f.create_resident(engine, household_id=h_never, full_name="Xa Văn Lạ", birth_year=1980)
    data = VisitInput(
        idempotency_key="k", visited_on=f.today_minus(1), place="home", outcome="done",
        household_id=h_visited, follow_up_on=f.today_minus(0),
        residents=[ResidentInput(young, guidance={"guide_pay"}, levels={"pay": 3, "submit": 2})],
    )  # fmt: skip
    with write_session(engine) as s:
        record_visit(s, actor=volunteer, data=data)

    def ids_for(**kw):
        with read_session(engine) as s:
            return {r.id for r in list_residents(s, actor=coordinator, filters=RegistryFilter(**kw)).rows}

    assert ids_for() == {old, young, other}
    assert ids_for(area_id=ids["A2"]) == {other}
    assert ids_for(visit_status="never") == {other}
    assert ids_for(visit_status="visited") == {old, young}
    assert ids_for(visit_status="due") == {old, young}
    assert ids_for(skill="pay", below_level=3) == {old, other}
    assert ids_for(skill="submit", below_level=2) == {old, other}
    assert ids_for(barrier="no_smartphone") == {old}
    assert ids_for(barrier="old_age") == {old}
    assert ids_for(age_min=15, age_max=35) == {young}
    assert ids_for(query="tre van") == {young}
    with write_session(engine) as s:
        admin.set_resident_status(s, actor=coordinator, resident_id=other, status="moved")
    assert ids_for() == {old, young}
    assert ids_for(status="inactive") == {other}
    with read_session(engine) as s:
        households = list_households(
            s, actor=coordinator, filters=RegistryFilter(visit_status="visited")
        ).rows
        assert [(h.code, h.residents) for h in households] == [("V1", 2)]
        assert [h.code for h in list_households(s, actor=coordinator, filters=RegistryFilter(
            barrier="no_smartphone")).rows] == ["V1"]  # fmt: skip
    with write_session(engine) as s:
        admin.set_household_status(s, actor=coordinator, household_id=h_visited, status="moved")
    assert ids_for() == set()  # residents of a household that moved away are not active either
    assert ids_for(status="inactive") == {old, young, other}


def test_scope_roles_and_masking(world):
    engine, ids, coordinator = world
    hb = f.create_household(engine, village_id=ids["B1"])
    f.create_resident(engine, household_id=hb)
    ha = f.create_household(engine, village_id=ids["A1"])
    ra = f.create_resident(engine, household_id=ha, phone="0912345678")
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    with read_session(engine) as s:
        with pytest.raises(PermissionDenied):
            list_residents(s, actor=coordinator, filters=RegistryFilter(area_id=ids["B"]))
        with pytest.raises(PermissionDenied):
            household_detail(s, actor=coordinator, household_id=hb)
        with pytest.raises(PermissionDenied):
            list_households(s, actor=volunteer, filters=RegistryFilter())
        rows = list_residents(s, actor=leader, filters=RegistryFilter()).rows
        assert [r.phone for r in rows] == ["*******678"]
        assert resident_detail(s, actor=leader, resident_id=ra).phone == "*******678"
        assert list_residents(s, actor=coordinator, filters=RegistryFilter()).rows[0].phone == "0912345678"
    # The edit history keeps no phone number at all since issue #12 (item 16): only that it changed.
    with write_session(engine) as s:
        admin.update_resident(s, actor=coordinator, resident_id=ra, values={"phone": "0987654321"})
    with read_session(engine) as s:
        for_leader = resident_detail(s, actor=leader, resident_id=ra).audit[0].details["changes"]["phone"]
        for_coordinator = resident_detail(s, actor=coordinator, resident_id=ra).audit[0].details["changes"]
    assert for_leader == ["changed"]
    assert for_coordinator["phone"] == ["changed"]


def test_details_show_history(world):
    engine, ids, coordinator = world
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    hh = f.create_household(engine, village_id=ids["A1"])
    rid = f.create_resident(engine, household_id=hh, full_name="Chu Văn Sử")
    data = VisitInput(
        idempotency_key="h",
        visited_on=f.today_minus(2),
        place="home",
        outcome="done",
        household_id=hh,
        residents=[ResidentInput(rid, guidance={"guide_apps"}, levels={"apps": 2})],
    )
    with write_session(engine) as s:
        record_visit(s, actor=volunteer, data=data)
        admin.update_resident(s, actor=coordinator, resident_id=rid, values={"birth_year": 1961})
    with read_session(engine) as s:
        d = resident_detail(s, actor=coordinator, resident_id=rid)
        assert [(e.skill, e.level) for e in d.events] == [("apps", 2)]
        assert [v.guidance for v in d.visits] == ["guide_apps"]
        assert d.audit[0].action == "resident.edited"
        assert d.audit[0].details["changes"]["birth_year"] == ["changed"]  # personal: values not kept
        assert d.levels["apps"] == 2
        hd = household_detail(s, actor=coordinator, household_id=hh)
        assert [r.id for r in hd.residents] == [rid] and len(hd.visits) == 1
