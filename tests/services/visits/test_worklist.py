"""The volunteer's worklist: order (revisits due, the most overdue first; never visited; the rest),
grouping, paging, the count of households still to visit, and scope."""

import pytest

from models.db import read_session, write_session
from models.tables import Resident, TeamVillage
from services.errors import PermissionDenied
from services.visits.record import VisitInput, record_visit
from services.visits.worklist import worklist
from tests import factories as f


def _visit(engine, actor, household_id, *, days_ago, outcome="done", follow_up_in=None, key=None):
    with write_session(engine) as s:
        record_visit(
            s,
            actor=actor,
            data=VisitInput(
                idempotency_key=key or f"w-{household_id}-{days_ago}-{outcome}",
                visited_on=f.today_minus(days_ago),
                place="home",
                outcome=outcome,
                household_id=household_id,
                follow_up_on=None if follow_up_in is None else f.today_minus(-follow_up_in),
            ),
        )


def _world(engine):
    ids = f.create_tree(engine)
    team_x = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"], ids["A2"]))
    team_y = f.create_team(engine, area_id=ids["A"], village_ids=())
    team_b = f.create_team(engine, area_id=ids["B"], village_ids=(ids["B1"],))
    vol = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team_x))
    return ids, team_x, team_y, team_b, vol


def test_order_due_first_then_never_then_rest_grouped_by_village(engine):
    ids, _tx, _ty, _tb, vol = _world(engine)
    h = {}
    # A1 is "Thôn Một", A2 is "Thôn Hai": Vietnamese order puts Hai before Một.
    h["a1_visited"] = f.create_household(engine, village_id=ids["A1"], address="Số 1", code="A1-1")
    h["a1_never_b"] = f.create_household(engine, village_id=ids["A1"], address="Số 7", code="A1-7")
    h["a1_never_a"] = f.create_household(engine, village_id=ids["A1"], address="Số 2", code="A1-2")
    h["a1_overdue"] = f.create_household(engine, village_id=ids["A1"], address="Số 9", code="A1-9")
    h["a2_due"] = f.create_household(engine, village_id=ids["A2"], address="Số 5", code="A2-5")
    h["a2_tried"] = f.create_household(engine, village_id=ids["A2"], address="Số 8", code="A2-8")
    h["a2_visited"] = f.create_household(engine, village_id=ids["A2"], address="Số 3", code="A2-3")
    f.create_resident(engine, household_id=h["a1_overdue"], full_name="Hà Văn Đức")
    head = f.create_resident(engine, household_id=h["a2_due"], full_name="Mai Thị Nga")
    f.create_resident(engine, household_id=h["a2_due"], full_name="Mai Văn Tú")
    with write_session(engine) as s:
        s.get(Resident, head).is_head = True
    _visit(engine, vol, h["a1_visited"], days_ago=4)
    _visit(engine, vol, h["a1_overdue"], days_ago=6, outcome="come_back", follow_up_in=-2)
    _visit(engine, vol, h["a2_due"], days_ago=3, follow_up_in=0)
    _visit(engine, vol, h["a2_tried"], days_ago=2, outcome="nobody_home")
    _visit(engine, vol, h["a2_visited"], days_ago=1, follow_up_in=5)

    with read_session(engine) as s:
        result = worklist(s, actor=vol)
    order = [r.household_id for r in result.rows]
    # Issue 8 (16): revisits due are ordered by how overdue (oldest follow-up first), not by village.
    assert order == [
        h["a1_overdue"],
        h["a2_due"],
        h["a2_tried"],
        h["a1_never_a"],
        h["a1_never_b"],
        h["a2_visited"],
        h["a1_visited"],
    ]
    assert result.total == 7
    # Still to visit: the two revisits due and the three without a done visit; not the two visited.
    assert result.to_visit == 5
    assert result.village_ids == (ids["A2"], ids["A1"])
    rows = {r.household_id: r for r in result.rows}
    assert rows[h["a2_due"]].tag == "due"
    assert rows[h["a2_due"]].head_name == "Mai Thị Nga" and rows[h["a2_due"]].residents == 2
    assert rows[h["a1_overdue"]].tag == "overdue"
    assert rows[h["a2_tried"]].tag == "never" and rows[h["a2_tried"]].last_visited_on == f.today_minus(2)
    assert rows[h["a1_never_a"]].tag == "never" and rows[h["a1_never_a"]].last_visited_on is None
    assert rows[h["a2_visited"]].tag == "visited" and rows[h["a2_visited"]].follow_up_on == f.today_minus(-5)
    assert rows[h["a1_visited"]].village_name == "Thôn Một"

    with read_session(engine) as s:
        page = worklist(s, actor=vol, limit=3, offset=3)
    assert [r.household_id for r in page.rows] == order[3:6]
    assert (page.total, page.to_visit) == (7, 5)


def test_overdue_revisits_come_oldest_follow_up_first_across_villages(engine):
    """Follow-ups due 9, 3 and 1 days ago and today, spread over both villages and addresses that
    would put them in another order: the most overdue comes first."""
    ids, _tx, _ty, _tb, vol = _world(engine)
    plan = [  # (village, address, follow-up days from today)
        ("A1", "Số 1", -3),
        ("A2", "Số 9", -1),
        ("A1", "Số 2", 0),
        ("A2", "Số 8", -9),
    ]
    made = []
    for village, address, follow in plan:
        household = f.create_household(engine, village_id=ids[village], address=address)
        _visit(engine, vol, household, days_ago=10, outcome="come_back", follow_up_in=follow)
        made.append(household)
    later = f.create_household(engine, village_id=ids["A1"], address="Số 0")
    _visit(engine, vol, later, days_ago=1, follow_up_in=4)  # visited, follow-up not due yet
    with read_session(engine) as s:
        result = worklist(s, actor=vol)
    assert [r.household_id for r in result.rows] == [made[3], made[0], made[1], made[2], later]
    assert [r.tag for r in result.rows] == ["overdue", "overdue", "overdue", "due", "visited"]
    assert (result.total, result.to_visit) == (5, 4)


def test_to_visit_counts_only_households_still_to_visit(engine):
    ids, _tx, _ty, _tb, vol = _world(engine)
    done = [f.create_household(engine, village_id=ids["A1"]) for _ in range(3)]
    for household in done:
        _visit(engine, vol, household, days_ago=2)
    tried = f.create_household(engine, village_id=ids["A2"])
    _visit(engine, vol, tried, days_ago=2, outcome="nobody_home")  # nobody home: still to visit
    f.create_household(engine, village_id=ids["A2"])  # never visited
    f.create_household(engine, village_id=ids["B1"])  # another commune: not on the list at all
    with read_session(engine) as s:
        result = worklist(s, actor=vol, limit=2)
    assert (result.total, result.to_visit) == (5, 2)
    assert len(result.rows) == 2


def test_volunteer_sees_only_their_team_villages(engine):
    ids, team_x, team_y, _tb, _vol = _world(engine)
    with write_session(engine) as s:
        s.add(TeamVillage(team_id=team_y, village_id=ids["A2"]))
    vol_y = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team_y))
    a1 = f.create_household(engine, village_id=ids["A1"])
    a2 = f.create_household(engine, village_id=ids["A2"])
    f.create_household(engine, village_id=ids["B1"])
    with read_session(engine) as s:
        assert [r.household_id for r in worklist(s, actor=vol_y).rows] == [a2]
        with pytest.raises(PermissionDenied):
            worklist(s, actor=vol_y, team_id=team_x)
    coord_a = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    with read_session(engine) as s:
        assert {r.household_id for r in worklist(s, actor=coord_a, team_id=team_x).rows} == {a1, a2}
        assert [r.household_id for r in worklist(s, actor=coord_a, team_id=team_y).rows] == [a2]
        assert {r.household_id for r in worklist(s, actor=coord_a).rows} == {a1, a2}


def test_coordinator_cannot_pass_a_team_of_another_commune(engine):
    ids, _tx, _ty, team_b, _vol = _world(engine)
    f.create_household(engine, village_id=ids["B1"])
    coord_a = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    with read_session(engine) as s, pytest.raises(PermissionDenied):
        worklist(s, actor=coord_a, team_id=team_b)
