"""Recording visits: the skill ladder (a level goes down only with a reason), group sessions with
attendees from many households, and scope."""

import pytest
from sqlalchemy import func, select

from core.clock import today
from models.db import read_session, write_session
from models.tables import Household, Resident, Visit
from services.errors import PermissionDenied, ValidationFailed
from services.visits.corrections import correct_visit, recent_visits, withdraw_visit
from services.visits.record import ResidentInput, VisitInput
from tests import factories as f
from tests.services.visits.visit_world import _assert_exact, _events, _input, _level, _record, _world


def test_level_goes_down_only_with_a_reason_and_history_is_kept(engine):
    w = _world(engine)
    _record(
        engine, w["vol"], _input(w, "up", days_ago=2, residents=[ResidentInput(w["r1"], levels={"pay": 3})])
    )
    down = _input(w, "down", days_ago=1, residents=[ResidentInput(w["r1"], levels={"pay": 1})])
    with pytest.raises(ValidationFailed) as err:
        _record(engine, w["vol"], down)
    assert err.value.problems[0].key == "err.level_down_needs_reason"
    assert _level(engine, w["r1"], "pay") == 3
    down.residents[0].reasons = {"pay": "forgot the PIN, needs help again"}
    _record(engine, w["vol"], down)
    assert _level(engine, w["r1"], "pay") == 1
    events = _events(engine, resident_id=w["r1"], skill="pay")
    assert [(e.previous_level, e.level, e.active) for e in events] == [(0, 3, True), (3, 1, True)]
    assert events[1].reason == "forgot the PIN, needs help again"
    _assert_exact(engine)


def test_group_sessions_with_attendees_from_many_households(engine):
    w = _world(engine)
    hh2 = f.create_household(engine, village_id=w["A1"])
    r3 = f.create_resident(engine, household_id=hh2, full_name="Tạ Thị Yến")
    hh_a2 = f.create_household(engine, village_id=w["A2"])
    r4 = f.create_resident(engine, household_id=hh_a2, full_name="Tạ Văn Bảo")
    village_session = VisitInput(
        idempotency_key="s1",
        visited_on=today(),
        place="community",
        outcome="done",
        session_area_id=w["A1"],
        residents=[
            ResidentInput(w["r1"], {"guide_apps"}, {"apps": 2}),
            ResidentInput(r3, {"guide_pay"}, {"pay": 1}),
        ],
    )
    sid = _record(engine, w["vol"], village_session)
    with read_session(engine) as s:
        assert s.get(Visit, sid).kind == "session" and s.get(Household, hh2).first_visited_on is None
        assert s.get(Resident, r3).first_guided_on == today()
    _assert_exact(engine)
    # The volunteer's team has only A1: a commune session with an A2 resident is refused.
    commune_session = VisitInput(
        "s2",
        today(),
        "community",
        "done",
        session_area_id=w["A"],
        residents=[ResidentInput(r4, {"guide_pay"})],
    )
    with pytest.raises(PermissionDenied):
        _record(engine, w["vol"], commune_session)
    commune_session.residents.append(ResidentInput(r3, {"guide_submit"}, {"submit": 3}))
    cid = _record(engine, w["coord"], commune_session)
    _assert_exact(engine)
    with write_session(engine) as s:
        correct_visit(
            s,
            actor=w["coord"],
            visit_id=cid,
            data=VisitInput(
                "s2-fix", today(), "counter", "done", session_area_id=w["A"], residents=[ResidentInput(r4)]
            ),
        )
    assert _level(engine, r3, "submit") == 0
    _assert_exact(engine)
    with write_session(engine) as s:
        withdraw_visit(s, actor=w["vol"], visit_id=sid, reason="test session")
    assert _level(engine, w["r1"], "apps") == 0
    _assert_exact(engine)


def test_scope_refusals_for_visits(engine):
    w = _world(engine)
    vid = _record(engine, w["vol"], _input(w, "sc"))
    hh_b = f.create_household(engine, village_id=w["B1"])
    with pytest.raises(PermissionDenied):
        _record(engine, w["vol"], _input(w, "sc-b", household=hh_b))
    with pytest.raises(PermissionDenied):
        _record(engine, w["coord_b"], _input(w, "sc-b2"))
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        correct_visit(s, actor=w["vol"], visit_id=vid, data=_input(w, "sc-c", household=hh_b))
    with read_session(engine) as s:
        assert all(v.id != vid for v in recent_visits(s, actor=w["vol_b"]))
    _assert_exact(engine)


def test_another_users_form_key_is_refused_without_revealing_the_visit(engine):
    """Issue #12 item 19: resending someone else's idempotency key (another area's visit) used to
    return that visit's id; it is refused now and writes nothing. The owner's resend still returns it."""
    w = _world(engine)
    vid = _record(engine, w["vol"], _input(w, "owned-key", residents=[ResidentInput(w["r1"], {"guide_pay"})]))
    hh_b = f.create_household(engine, village_id=w["B1"])
    probe = _input(w, "owned-key", household=hh_b)
    for intruder in (w["vol_b"], w["coord_b"], w["mate"]):
        with pytest.raises(ValidationFailed) as err:
            _record(engine, intruder, probe)
        assert [(p.field, p.key) for p in err.value.problems] == [("form", "err.invalid_form")]
    assert _record(engine, w["vol"], _input(w, "owned-key")) == vid
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Visit)).scalar_one() == 1
    _assert_exact(engine)
