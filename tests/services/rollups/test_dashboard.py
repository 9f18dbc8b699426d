"""Home figures: one meaning of "visited" (any outcome, as the registry's "never visited" is its
complement), "done" as its own figure, and activity counted over exactly the period its label names."""

from datetime import timedelta

import pytest

from core.clock import today, week_start
from models.db import read_session, write_session
from services.people.registry import RegistryFilter, list_households
from services.rollups.dashboard import home_summary
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"], ids["A2"]))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    province = f.actor_for(engine, f.create_user(engine, role="leader", area_code="P"))
    homes = {
        name: f.create_household(engine, village_id=ids[name[:2]]) for name in ("A1a", "A1b", "A1c", "A2a")
    }
    people = {name: f.create_resident(engine, household_id=h) for name, h in homes.items()}
    return engine, ids, volunteer, leader, province, homes, people


def _record(engine, actor, key, day, outcome, household_id, resident_id=None):
    residents = [ResidentInput(resident_id, guidance={"guide_pay"})] if resident_id else []
    data = VisitInput(key, day, "home", outcome, household_id=household_id, residents=residents)
    with write_session(engine) as s:
        record_visit(s, actor=actor, data=data)


def _never_visited_in_registry(engine, actor) -> int:
    with read_session(engine) as s:
        page = list_households(s, actor=actor, filters=RegistryFilter(visit_status="never"), page_size=200)
    return len(page.rows)


def test_visited_means_any_outcome_and_done_is_its_own_figure(world):
    engine, _ids, volunteer, leader, province, homes, people = world
    _record(engine, volunteer, "k1", today(), "done", homes["A1a"], people["A1a"])
    _record(engine, volunteer, "k2", today(), "nobody_home", homes["A1b"])
    _record(engine, volunteer, "k3", today(), "come_back", homes["A2a"])
    with read_session(engine) as s:
        commune = home_summary(s, actor=leader)
        whole = home_summary(s, actor=province)
        own = home_summary(s, actor=volunteer)
    for summary in (commune, whole, own):
        assert summary.totals["households"] == 4
        assert summary.households_reached == 3  # A1a, A1b, A2a: a visit of any outcome
        assert summary.households_done == 1  # a "done" visit: A1a only
    # The registry's "never visited" is exactly the rest.
    assert _never_visited_in_registry(engine, leader) == 4 - commune.households_reached == 1
    by_child = {c.code: c.households_reached for c in commune.children}
    assert by_child == {"A1": 2, "A2": 1}
    assert {c.code: c.households_reached for c in whole.children} == {"A": 3, "B": 0}


def test_activity_counts_the_period_its_label_names(world):
    engine, _ids, volunteer, leader, _p, homes, _people = world
    monday = week_start(today())
    plan = [
        ("w0", monday - timedelta(days=1), "done"),  # last Sunday: not this week
        ("w1", monday, "nobody_home"),
        ("w2", today(), "done"),
        ("d7", today() - timedelta(days=7), "done"),  # eight days counting today: not in the last 7
        ("d6", today() - timedelta(days=6), "nobody_home"),
    ]
    for key, day, outcome in plan:
        _record(engine, volunteer, key, day, outcome, homes["A1c"])
    with read_session(engine) as s:
        area = home_summary(s, actor=leader)
        own = home_summary(s, actor=volunteer)
    in_week = [k for k, day, _o in plan if day >= monday]
    in_week_done = [k for k, day, o in plan if day >= monday and o == "done"]
    assert area.activity_since == monday and not area.activity_is_own
    assert (area.activity["visits"], area.activity["visits_done"]) == (len(in_week), len(in_week_done))
    last7 = [(k, o) for k, day, o in plan if day >= today() - timedelta(days=6)]
    assert own.activity_since == today() - timedelta(days=6) and own.activity_is_own
    assert own.activity["visits"] == len(last7)
    assert own.activity["visits_done"] == sum(1 for _k, o in last7 if o == "done")
