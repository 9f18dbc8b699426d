"""Correcting and withdrawing visits: history kept, who may change a visit and until when, recent
visits, and exact rollups under random sequences of record / correct / withdraw."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.clock import today
from models.db import read_session, write_session
from models.tables import Household, Resident, Visit, VisitRevision
from services.errors import PermissionDenied, ValidationFailed
from services.visits.corrections import correct_visit, recent_visits, withdraw_visit
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f
from tests.services.visits.visit_world import _assert_exact, _events, _input, _level, _record, _world


def test_correction_rewrites_the_visit_and_keeps_history(engine):
    w = _world(engine)
    first = _record(
        engine,
        w["vol"],
        _input(w, "c1", days_ago=3, residents=[ResidentInput(w["r1"], levels={"submit": 2})]),
    )
    vid = _record(
        engine,
        w["vol"],
        _input(
            w,
            "c2",
            days_ago=1,
            follow_up_in=3,
            residents=[
                ResidentInput(w["r1"], guidance={"guide_submit"}, levels={"submit": 3, "apps": 2}),
                ResidentInput(w["r2"], guidance={"guide_pay"}, levels={"pay": 1}),
            ],
        ),
    )
    _assert_exact(engine)
    # 3 -> 1 is a fall from 2 (the level without this visit): refused without a reason, nothing changes.
    bad = _input(w, "fix-1", days_ago=1, residents=[ResidentInput(w["r1"], levels={"submit": 1})])
    with pytest.raises(ValidationFailed), write_session(engine) as s:
        correct_visit(s, actor=w["vol"], visit_id=vid, data=bad)
    assert _level(engine, w["r1"], "submit") == 3
    assert all(e.active for e in _events(engine, visit_id=vid))
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(VisitRevision)).scalar_one() == 0
    _assert_exact(engine)

    fixed = _input(
        w,
        "fix-2",
        days_ago=2,
        residents=[ResidentInput(w["r1"], guidance={"guide_apps"}, levels={"submit": 2})],
    )
    with write_session(engine) as s:
        assert correct_visit(s, actor=w["vol"], visit_id=vid, data=fixed) == vid
    with write_session(engine) as s:  # the same correction sent again is a no-op
        correct_visit(s, actor=w["vol"], visit_id=vid, data=fixed)
    assert _level(engine, w["r1"], "submit") == 2
    assert _level(engine, w["r1"], "apps") == 0
    assert _level(engine, w["r2"], "pay") == 0
    old = _events(engine, visit_id=vid, active=False)
    assert {(e.resident_id, e.skill, e.level) for e in old} == {
        (w["r1"], "submit", 3),
        (w["r1"], "apps", 2),
        (w["r2"], "pay", 1),
    }
    assert _events(engine, visit_id=first)[0].active
    with read_session(engine) as s:
        visit = s.get(Visit, vid)
        assert visit.visited_on == f.today_minus(2) and visit.follow_up_on is None
        assert visit.idempotency_key == "c2"
        revisions = s.exec(select(VisitRevision).where(VisitRevision.visit_id == vid)).scalars().all()
        assert [r.action for r in revisions] == ["corrected"]
        assert '"c2"' in revisions[0].snapshot
        assert s.get(Resident, w["r2"]).first_guided_on is None
        assert s.get(Household, w["hh"]).follow_up_on is None
    _assert_exact(engine)


def test_withdrawal_needs_a_reason_and_rolls_everything_back(engine):
    w = _world(engine)
    vid = _record(
        engine,
        w["vol"],
        _input(
            w, "wd", days_ago=1, follow_up_in=2, residents=[ResidentInput(w["r1"], {"guide_pay"}, {"pay": 3})]
        ),
    )
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        withdraw_visit(s, actor=w["vol"], visit_id=vid, reason="  ")
    assert err.value.for_field("reason")
    with write_session(engine) as s:
        withdraw_visit(s, actor=w["vol"], visit_id=vid, reason="Wrong household")
    with read_session(engine) as s:
        visit = s.get(Visit, vid)
        assert (visit.status, visit.withdrawn_reason) == ("withdrawn", "Wrong household")
        household = s.get(Household, w["hh"])
        assert household.first_visited_on is None and household.follow_up_on is None
        assert s.get(Resident, w["r1"]).first_guided_on is None
    assert _level(engine, w["r1"], "pay") == 0
    assert [e.active for e in _events(engine, visit_id=vid)] == [False]
    _assert_exact(engine)
    with pytest.raises(ValidationFailed), write_session(engine) as s:
        withdraw_visit(s, actor=w["vol"], visit_id=vid, reason="again")
    with pytest.raises(ValidationFailed), write_session(engine) as s:
        correct_visit(s, actor=w["vol"], visit_id=vid, data=_input(w, "x"))


def test_who_may_change_a_visit_and_until_when(engine):
    w = _world(engine)
    vid = _record(engine, w["vol"], _input(w, "who", days_ago=7))
    old = _record(engine, w["vol"], _input(w, "old", days_ago=8))
    for actor in ("mate", "leader", "coord_b", "vol_b"):
        with pytest.raises(PermissionDenied), write_session(engine) as s:
            withdraw_visit(s, actor=w[actor], visit_id=vid, reason="no")
        with pytest.raises(PermissionDenied), write_session(engine) as s:
            correct_visit(s, actor=w[actor], visit_id=vid, data=_input(w, "who-2", days_ago=7))
    with pytest.raises(PermissionDenied) as err, write_session(engine) as s:
        correct_visit(s, actor=w["vol"], visit_id=old, data=_input(w, "old-2", days_ago=8))
    assert err.value.key == "journey.correction_closed"
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        withdraw_visit(s, actor=w["coord"], visit_id=old, reason="late")
    with write_session(engine) as s:  # the coordinator of the area may fix the volunteer's visit
        correct_visit(
            s, actor=w["coord"], visit_id=vid, data=_input(w, "who-3", days_ago=7, outcome="refused")
        )
    with read_session(engine) as s:
        assert s.get(Visit, vid).outcome == "refused"
    _assert_exact(engine)


def test_recent_visits(engine):
    w = _world(engine)
    mine = _record(engine, w["vol"], _input(w, "r1", days_ago=0, residents=[ResidentInput(w["r1"])]))
    older = _record(engine, w["vol"], _input(w, "r2", days_ago=8))
    theirs = _record(engine, w["mate"], _input(w, "r3", days_ago=1))
    _record(engine, w["vol"], VisitInput("r4", f.today_minus(20), "home", "done", household_id=w["hh"]))
    with read_session(engine) as s:
        own = recent_visits(s, actor=w["vol"], days=8)
        area = recent_visits(s, actor=w["coord"])
        other = recent_visits(s, actor=w["coord_b"])
    assert [v.id for v in own] == [mine, older]
    assert own[0].correctable and not own[1].correctable
    assert own[0].residents == 1 and own[0].household_code and own[0].area_name == "Thôn Một"
    assert [v.id for v in area] == [mine, theirs]
    assert all(v.correctable for v in area) and not area[0].mine
    assert other == []
    with write_session(engine) as s:
        withdraw_visit(s, actor=w["vol"], visit_id=mine, reason="duplicate")
    with read_session(engine) as s:
        first = recent_visits(s, actor=w["vol"])[0]
    assert (first.id, first.status, first.correctable) == (mine, "withdrawn", False)


_resident_edits = st.fixed_dictionaries(
    {
        "who": st.sampled_from(["r1", "r2"]),
        "levels": st.dictionaries(st.sampled_from(["submit", "pay", "apps"]), st.integers(0, 3), max_size=2),
        "guide": st.booleans(),
    }
)


_operations = st.lists(
    st.tuples(st.sampled_from(["record", "correct", "withdraw"]), st.integers(0, 6), _resident_edits),
    min_size=1,
    max_size=6,
)


@pytest.mark.slow
def test_random_record_correct_withdraw_keep_rollups_exact(engine):
    w = _world(engine)
    counter = iter(range(10**6))

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(_operations)
    def run(operations):
        for op, days_ago, edit in operations:
            resident = ResidentInput(
                w[edit["who"]],
                guidance={"guide_submit"} if edit["guide"] else set(),
                levels=edit["levels"],
                reasons=dict.fromkeys(edit["levels"], "reassessed"),
            )
            data = _input(
                w, f"h{next(counter)}", days_ago=days_ago, residents=[resident], follow_up_in=days_ago % 3
            )
            with read_session(engine) as s:
                active = (
                    s.exec(
                        select(Visit.id)
                        .where(Visit.status == "active", Visit.visited_on >= today() - timedelta(days=7))
                        .order_by(Visit.id.desc())
                    )
                    .scalars()
                    .all()
                )
            with write_session(engine) as s:
                if op == "record" or not active:
                    record_visit(s, actor=w["vol"], data=data)
                elif op == "correct":
                    correct_visit(s, actor=w["vol"], visit_id=active[days_ago % len(active)], data=data)
                else:
                    withdraw_visit(s, actor=w["vol"], visit_id=active[days_ago % len(active)], reason="test")
        _assert_exact(engine)

    run()
