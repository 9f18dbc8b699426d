"""Registry totals ("Trang 1/12 · 231 hộ"): each count equals the rows the list pages through with the
same filters, stays inside the actor's area, and is refused to a volunteer."""

from __future__ import annotations

import pytest

from models.db import read_session, write_session
from services.errors import PermissionDenied
from services.people import admin
from services.people.registry import (
    RegistryFilter,
    count_households,
    count_residents,
    list_households,
    list_residents,
)
from tests import factories as f

FILTERS = (
    RegistryFilter(),
    RegistryFilter(status="inactive"),
    RegistryFilter(status="all"),
    RegistryFilter(visit_status="never"),
    RegistryFilter(barrier="old_age"),
    RegistryFilter(skill="pay", below_level=3),
    RegistryFilter(age_min=15, age_max=35),
    RegistryFilter(query="van"),
)


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    coordinator = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    years = (1940, 1990, 2015, 1975, 1962)
    for n in range(11):
        village = ids["A1"] if n % 3 else ids["A2"]
        hh = f.create_household(engine, village_id=village, code=f"C{n:02d}", address=f"Xóm {n}")
        for k in range(n % 3 + 1):
            f.create_resident(
                engine,
                household_id=hh,
                full_name=("Lê Văn Tư", "Đỗ Thị Hà", "Phan Minh")[k],
                birth_year=years[(n + k) % len(years)],
            )
    other = f.create_household(engine, village_id=ids["B1"], code="OUT")
    f.create_resident(engine, household_id=other, full_name="Ngoài Văn Xã")
    return engine, ids, coordinator


def listed(fn, session, actor, filters) -> int:
    """Rows the list shows over every page (page size 4: several pages)."""
    total, page = 0, 1
    while True:
        result = fn(session, actor=actor, filters=filters, page=page, page_size=4)
        total += len(result.rows)
        if not result.has_next:
            return total
        page += 1


def test_counts_match_the_paged_lists(world):
    engine, ids, coordinator = world
    with write_session(engine) as s:
        first = list_residents(s, actor=coordinator, filters=RegistryFilter(), page_size=1).rows[0]
        admin.set_resident_status(s, actor=coordinator, resident_id=first.id, status="moved")
    with read_session(engine) as s:
        assert (
            count_residents(s, actor=coordinator, filters=RegistryFilter()) == 20
        )  # 21 listed, one moved away
        assert count_households(s, actor=coordinator, filters=RegistryFilter()) == 11
        for filters in (*FILTERS, RegistryFilter(area_id=ids["A2"])):
            assert count_residents(s, actor=coordinator, filters=filters) == listed(
                list_residents, s, coordinator, filters
            ), filters
            assert count_households(s, actor=coordinator, filters=filters) == listed(
                list_households, s, coordinator, filters
            ), filters


def test_counts_keep_to_the_scope(world):
    engine, ids, coordinator = world
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code="P"))
    with read_session(engine) as s:
        assert count_households(s, actor=leader, filters=RegistryFilter()) == 12  # both communes
        assert count_residents(s, actor=leader, filters=RegistryFilter(area_id=ids["B1"])) == 1
        with pytest.raises(PermissionDenied):
            count_residents(s, actor=coordinator, filters=RegistryFilter(area_id=ids["B1"]))
        with pytest.raises(PermissionDenied):
            count_households(s, actor=volunteer, filters=RegistryFilter())
