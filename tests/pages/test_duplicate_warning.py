"""The one duplicate-warning widget where someone is added on the spot: a new household's head on the
visit page and a walk-in at a group session. The first tap warns and creates nothing; "Vẫn thêm mới"
creates; a changed input is checked again."""

from __future__ import annotations

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import read_session
from models.tables import Household, Resident
from tests.pages.test_session_page import world  # noqa: F401 (the fixture)
from tests.pages.test_visit_page import by_key
from webui import state

TIMEOUT = 60


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


def signed_in(page: str, user_id: int) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / page), default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at.run()


def count(engine, table) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(table)).scalar_one()


def warned(at: AppTest) -> bool:
    return any(vi("journey.duplicate_warning") in w.value for w in at.warning)


def test_a_walk_in_who_may_be_listed_is_added_on_the_second_tap(world):  # noqa: F811
    e = world["engine"]
    at = signed_in("session.py", world["vol"])
    by_key(at.text_input, "session.query").input("xom dinh").run()
    by_key(at.button, f"session.pick.{next(iter(_households(e, 'A1-0001')))}").click().run()
    by_key(at.text_input, "session.walkin.name").input("nguyen thi thuy").run()
    by_key(at.number_input, "session.walkin.year").set_value(1970).run()
    assert not warned(at), "no warning before the tap"
    by_key(at.button, "session.walkin.go").click().run()
    assert not at.exception, at.exception
    assert warned(at)
    assert any("Nguyễn Thị Thủy (1970) · hộ A1-0001 · Thôn Một" in w.value for w in at.warning)
    assert count(e, Resident) == 3, "the first tap must not create"
    assert by_key(at.button, "session.walkin.go").label == vi("journey.create_anyway")
    by_key(at.button, "session.walkin.go").click().run()
    assert not at.exception, at.exception
    assert count(e, Resident) == 4
    assert len(at.session_state["session.attendees"]) == 1  # the walk-in is an attendee at once


def test_a_changed_input_is_checked_again(world):  # noqa: F811
    at = signed_in("session.py", world["vol"])
    by_key(at.text_input, "session.query").input("xom dinh").run()
    by_key(at.button, f"session.pick.{next(iter(_households(world['engine'], 'A1-0001')))}").click().run()
    by_key(at.text_input, "session.walkin.name").input("nguyen thi thuy").run()
    by_key(at.number_input, "session.walkin.year").set_value(1970).run()
    by_key(at.button, "session.walkin.go").click().run()
    assert warned(at)
    by_key(at.number_input, "session.walkin.year").set_value(1971).run()  # someone else
    assert not warned(at)
    assert by_key(at.button, "session.walkin.go").label == vi("journey.add")


def test_a_new_household_whose_head_may_be_listed_warns_first(world):  # noqa: F811
    e = world["engine"]
    at = signed_in("visit.py", world["vol"])
    by_key(at.text_input, "visit.new.address").input("Xóm Mới, số 1").run()
    by_key(at.text_input, "visit.new.name").input("Nguyễn Thị Thủy").run()
    by_key(at.number_input, "visit.new.year").set_value(1970).run()
    by_key(at.button, "visit.new.go").click().run()
    assert not at.exception, at.exception
    assert warned(at)
    assert count(e, Household) == 3, "the first tap must not create"
    by_key(at.button, "visit.new.go").click().run()
    assert not at.exception, at.exception
    assert count(e, Household) == 4
    assert at.query_params["household"] == str(max(_households(e)))  # the new household opens


def _households(engine, code: str | None = None) -> list[int]:
    with read_session(engine) as s:
        query = select(Household.id)
        if code is not None:
            query = query.where(Household.code == code)
        return list(s.exec(query).scalars())
