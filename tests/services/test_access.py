"""Area scope: commune A cannot read or write commune B; a volunteer works only in their team's villages."""

import pytest

from models.db import read_session, write_session
from models.tables import Area
from services.access import get_area_in_scope, path_in_scope, require_village_access
from services.errors import PermissionDenied
from services.rollups.dashboard import home_summary
from services.teams.teams import list_teams
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    team_a = f.create_team(engine, area_id=ids["A1"], name="Tổ Thôn Một", village_ids=(ids["A1"],))
    team_b = f.create_team(engine, area_id=ids["B"], name="Tổ Xã Bình", village_ids=(ids["B1"],))
    users = {
        "coord_a": f.create_user(engine, role="coordinator", area_code="A"),
        "leader_b": f.create_user(engine, role="leader", area_code="B"),
        "vol_a": f.create_user(engine, role="volunteer", area_code="A", team_id=team_a),
        "leader_p": f.create_user(engine, role="leader", area_code="P"),
    }
    hh = {v: f.create_household(engine, village_id=ids[v]) for v in ("A1", "A2", "B1")}
    res = {v: f.create_resident(engine, household_id=h, full_name=f"Người {v}") for v, h in hh.items()}
    return {"engine": engine, "ids": ids, "users": users, "hh": hh, "res": res, "teams": (team_a, team_b)}


def _visit(key, household_id, resident_id):
    return VisitInput(
        idempotency_key=key,
        visited_on=f.today_minus(1),
        place="home",
        outcome="done",
        household_id=household_id,
        residents=[ResidentInput(resident_id, guidance={"guide_pay"}, levels={"pay": 1})],
    )


def test_commune_a_cannot_reach_commune_b_areas(world):
    engine, ids = world["engine"], world["ids"]
    actor = f.actor_for(engine, world["users"]["coord_a"])
    with read_session(engine) as s:
        assert get_area_in_scope(s, actor, ids["A2"]).code == "A2"
        for other in ("B", "B1", "P"):
            with pytest.raises(PermissionDenied):
                get_area_in_scope(s, actor, ids[other])
        with pytest.raises(PermissionDenied):
            require_village_access(s, actor, ids["B1"])


def test_commune_a_cannot_record_a_visit_in_commune_b(world):
    engine = world["engine"]
    actor = f.actor_for(engine, world["users"]["coord_a"])
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        record_visit(s, actor=actor, data=_visit("x1", world["hh"]["B1"], world["res"]["B1"]))
    with write_session(engine) as s:
        assert record_visit(s, actor=actor, data=_visit("x2", world["hh"]["A2"], world["res"]["A2"]))


def test_a_volunteer_works_only_in_their_team_villages(world):
    engine, ids = world["engine"], world["ids"]
    actor = f.actor_for(engine, world["users"]["vol_a"])
    assert actor.village_ids == (ids["A1"],)
    assert path_in_scope(actor, f"/{ids['P']}/{ids['A']}/")  # the areas above are visible as context
    with read_session(engine) as s:
        assert not path_in_scope(actor, s.get(Area, ids["A2"]).path)
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        record_visit(s, actor=actor, data=_visit("v1", world["hh"]["A2"], world["res"]["A2"]))
    with write_session(engine) as s:
        record_visit(s, actor=actor, data=_visit("v2", world["hh"]["A1"], world["res"]["A1"]))


def test_a_leader_cannot_record_visits(world):
    engine = world["engine"]
    actor = f.actor_for(engine, world["users"]["leader_b"])
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        record_visit(s, actor=actor, data=_visit("l1", world["hh"]["B1"], world["res"]["B1"]))


def test_figures_and_teams_are_those_of_the_users_own_area(world):
    engine = world["engine"]
    with read_session(engine) as s:
        b = home_summary(s, actor=f.actor_for(engine, world["users"]["leader_b"]))
        p = home_summary(s, actor=f.actor_for(engine, world["users"]["leader_p"]))
        vol = home_summary(s, actor=f.actor_for(engine, world["users"]["vol_a"]))
        teams_a = list_teams(s, actor=f.actor_for(engine, world["users"]["coord_a"]))
        teams_b = list_teams(s, actor=f.actor_for(engine, world["users"]["leader_b"]))
        with pytest.raises(PermissionDenied):
            list_teams(s, actor=f.actor_for(engine, world["users"]["coord_a"]), area_id=world["ids"]["B"])
    assert b.totals["residents"] == 1 and p.totals["residents"] == 3 and vol.totals["residents"] == 1
    assert [c.code for c in b.children] == ["B1"]
    assert [t.name for t in teams_a] == ["Tổ Thôn Một"] and [t.name for t in teams_b] == ["Tổ Xã Bình"]
