"""The group-session page in AppTest: attendees from two households found without diacritics, guidance
and levels per attendee, saved as one session at the village cultural house or the commune counter."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import read_session, write_session
from models.tables import ResidentSkill, Visit, VisitGuidance, VisitResident
from services.people import admin as household_admin
from tests import factories as f
from tests.pages.test_visit_page import by_key
from webui import state

TIMEOUT = 60
PAGE = str(PROJECT_ROOT / "pages" / "session.py")


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    w = dict(ids, engine=e)
    w["vol"] = f.create_user(e, role="volunteer", area_code="A", team_id=team)
    w["coord"] = f.create_user(e, role="coordinator", area_code="A")
    h1 = f.create_household(e, village_id=ids["A1"], code="A1-0001", address="Xóm Đình")
    h2 = f.create_household(e, village_id=ids["A1"], code="A1-0002", address="Xóm Chùa")
    h3 = f.create_household(e, village_id=ids["A2"], code="A2-0001", address="Xóm Chợ")
    w["thuy"] = f.create_resident(e, household_id=h1, full_name="Nguyễn Thị Thuỷ")
    w["long"] = f.create_resident(e, household_id=h2, full_name="Đinh Văn Long")
    w["ngan"] = f.create_resident(e, household_id=h3, full_name="Đặng Thị Ngân")
    w["h3"] = h3
    return w


def signed_in(user_id: int) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at.run()


def add_by_search(at: AppTest, query: str, resident_id: int) -> None:
    by_key(at.text_input, "session.query").input(query).run()
    by_key(at.button, f"session.add.{resident_id}").click().run()


def test_volunteer_records_a_session_at_the_cultural_house(world):
    e = world["engine"]
    at = signed_in(world["vol"])
    assert not at.exception, at.exception
    place = by_key(at.selectbox, "session.place")
    assert place.options == [
        vi("journey.session_place.community", name="Thôn Một"),
        vi("journey.session_place.counter", name="Xã An"),
    ]
    assert by_key(at.button, "session.save").disabled
    add_by_search(at, "nguyen thi thuy", world["thuy"])
    add_by_search(at, "dinh van long", world["long"])
    # A household of another team's village is not found.
    by_key(at.text_input, "session.query").input("dang thi ngan").run()
    assert vi("journey.search_empty") in [i.value for i in at.info]
    assert at.session_state["session.attendees"] == [world["thuy"], world["long"]]
    prefix = next(w.key for w in at.date_input).removesuffix(".visited_on")
    by_key(at.button_group, f"{prefix}.r{world['thuy']}.guidance").set_value(["guide_submit"]).run()
    by_key(at.button_group, f"{prefix}.r{world['long']}.level.pay").set_value(1).run()
    by_key(at.button, "session.save").click().run()
    assert not at.exception, at.exception
    assert vi("journey.session_saved", n=2) in [s.value for s in at.success]
    assert "session.attendees" not in at.session_state  # a fresh form for the next session
    # The search box is emptied too (issue 8, item 12): the old text found nothing new to add.
    assert by_key(at.text_input, "session.query").value == ""
    with read_session(e) as s:
        visit = s.exec(select(Visit)).scalar_one()
        present = set(s.exec(select(VisitResident.resident_id)).scalars())
        guidance = set(s.exec(select(VisitGuidance.resident_id, VisitGuidance.kind)).all())
        levels = set(
            s.exec(select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level)).all()
        )
        row = (visit.kind, visit.household_id, visit.village_id, visit.place)
    assert row == ("session", None, world["A1"], "community")
    assert present == {world["thuy"], world["long"]}
    assert guidance == {(world["thuy"], "guide_submit")}
    assert levels == {(world["long"], "pay", 1)}


def test_coordinator_records_a_session_at_the_counter_and_removes_an_attendee(world):
    e = world["engine"]
    at = signed_in(world["coord"])
    by_key(at.selectbox, "session.place").set_value(world["A"]).run()
    add_by_search(at, "dang thi ngan", world["ngan"])
    add_by_search(at, "nguyen thi thuy", world["thuy"])
    prefix = next(w.key for w in at.date_input).removesuffix(".visited_on")
    by_key(at.button, f"{prefix}.r{world['thuy']}.remove").click().run()
    assert at.session_state["session.attendees"] == [world["ngan"]]
    by_key(at.button_group, f"{prefix}.r{world['ngan']}.guidance").set_value(["guide_apps"]).run()
    by_key(at.button, "session.save").click().run()
    with read_session(e) as s:
        visit = s.exec(select(Visit)).scalar_one()
        present = list(s.exec(select(VisitResident.resident_id)).scalars())
        row = (visit.kind, visit.village_id, visit.place)
    assert row == ("session", world["A"], "counter")
    assert present == [world["ngan"]]


def test_attendees_moved_out_of_reach_are_dropped_with_a_notice(world):
    """Chosen attendees stay in session_state across reruns; one moved to another team's village and
    one marked moved away are dropped with a notice instead of failing every rerun."""
    e = world["engine"]
    at = signed_in(world["vol"])
    for query, rid in (("nguyen thi thuy", world["thuy"]), ("dinh van long", world["long"])):
        add_by_search(at, query, rid)
    assert at.session_state["session.attendees"] == [world["thuy"], world["long"]]
    coordinator = f.actor_for(e, world["coord"])
    with write_session(e) as s:
        household_admin.move_resident(
            s, actor=coordinator, resident_id=world["thuy"], target_household_id=world["h3"]
        )
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [vi("journey.attendees_dropped", n=1)]
    assert at.session_state["session.attendees"] == [world["long"]]
    assert any(vi("journey.attendees", n=1) in m.value for m in at.markdown)
    with write_session(e) as s:
        household_admin.set_resident_status(s, actor=coordinator, resident_id=world["long"], status="moved")
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [vi("journey.attendees_dropped", n=1)]
    assert at.session_state["session.attendees"] == []
    at.run()  # the notice is shown once; the list stays empty
    assert not at.exception, at.exception
    assert not at.warning
    assert by_key(at.button, "session.save").disabled
