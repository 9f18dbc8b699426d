"""My recent visits in AppTest: the list, a correction through the prefilled form (fresh key), a
withdrawal that needs a reason, and a coordinator acting on a volunteer's visit in their area."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.clock import today
from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import read_session, write_session
from models.tables import ResidentSkill, Visit, VisitRevision
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f
from tests.pages.test_visit_page import block_of, by_key, errors_in
from webui import state

TIMEOUT = 60
PAGE = str(PROJECT_ROOT / "pages" / "my_visits.py")


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    w = dict(ids, engine=e)
    w["vol"] = f.create_user(e, role="volunteer", area_code="A", team_id=team)
    w["other_vol"] = f.create_user(e, role="volunteer", area_code="A", team_id=team)
    w["coord"] = f.create_user(e, role="coordinator", area_code="A")
    w["hh"] = f.create_household(e, village_id=ids["A1"], code="A1-0001", address="Xóm Đình")
    w["r1"] = f.create_resident(e, household_id=w["hh"], full_name="Nguyễn Thị Thuỷ")
    w["r2"] = f.create_resident(e, household_id=w["hh"], full_name="Đinh Văn Long")
    with write_session(e) as s:
        w["visit"] = record_visit(
            s,
            actor=f.actor_for(e, w["vol"]),
            data=VisitInput(
                idempotency_key="first",
                visited_on=today() - timedelta(days=2),
                place="home",
                outcome="done",
                household_id=w["hh"],
                notes="Lần đầu",
                residents=[ResidentInput(w["r1"], guidance={"guide_pay"}, levels={"pay": 2})],
            ),
        )
    return w


def signed_in(user_id: int) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at.run()


def visit_row(engine, visit_id: int) -> Visit:
    with read_session(engine) as s:
        visit = s.get(Visit, visit_id)
        s.expunge(visit)
    return visit


def test_volunteer_corrects_a_visit_through_the_prefilled_form(world):
    e, vid, r1, r2 = world["engine"], world["visit"], world["r1"], world["r2"]
    at = signed_in(world["vol"])
    assert not at.exception, at.exception
    assert any("A1-0001" in m.value for m in at.markdown)
    by_key(at.button, f"my_visits.edit.{vid}").click().run()
    prefix = next(w.key for w in at.date_input if w.key.endswith(".visited_on")).removesuffix(".visited_on")
    assert by_key(at.date_input, f"{prefix}.visited_on").value == today() - timedelta(days=2)
    assert by_key(at.checkbox, f"{prefix}.r{r1}.present").value is True
    assert by_key(at.checkbox, f"{prefix}.r{r2}.present").value is False
    assert by_key(at.button_group, f"{prefix}.r{r1}.guidance").value == ["guide_pay"]
    assert by_key(at.button_group, f"{prefix}.r{r1}.level.pay").value == 2
    assert by_key(at.text_input, f"{prefix}.notes").value == "Lần đầu"
    key = at.session_state["my_visits.edit_key"]
    assert key != "first"

    by_key(at.button_group, f"{prefix}.r{r1}.level.pay").set_value(3).run()
    by_key(at.checkbox, f"{prefix}.r{r2}.present").check().run()
    by_key(at.button_group, f"{prefix}.r{r2}.guidance").set_value(["guide_apps"]).run()
    by_key(at.button, "my_visits.save").click().run()
    assert not at.exception, at.exception
    # Issue 8 (5): the confirmation says what was saved (it used to say only "visit corrected").
    saved = vi("visit_form.corrected_done", household="A1-0001", n=2)
    assert [s.value for s in at.success] == [saved]
    assert [x.value for x in at.toast] == [saved]
    with read_session(e) as s:
        levels = set(
            s.exec(select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level)).all()
        )
        revisions = list(s.exec(select(VisitRevision.action).where(VisitRevision.visit_id == vid)).scalars())
        visits = s.exec(select(Visit.id)).all()
    assert levels == {(r1, "pay", 3)}
    assert revisions == ["corrected"]
    assert len(visits) == 1


def test_withdrawing_needs_a_reason_next_to_the_field(world):
    e, vid = world["engine"], world["visit"]
    at = signed_in(world["vol"])
    by_key(at.button, f"my_visits.withdraw.{vid}").click().run()
    by_key(at.button, f"my_visits.confirm.{vid}").click().run()
    reason_key = f"my_visits.reason.{vid}"
    assert vi("err.required") in errors_in(block_of(at.main, reason_key))
    assert visit_row(e, vid).status == "active"
    by_key(at.text_input, reason_key).input("Ghi nhầm hộ").run()
    by_key(at.button, f"my_visits.confirm.{vid}").click().run()
    assert vi("journey.withdrawn_done") in [s.value for s in at.success]
    visit = visit_row(e, vid)
    assert (visit.status, visit.withdrawn_reason) == ("withdrawn", "Ghi nhầm hộ")
    assert any(vi("journey.withdrawn_tag") in m.value for m in at.markdown)
    assert not [b for b in at.button if b.key == f"my_visits.edit.{vid}"]


def test_another_volunteer_does_not_see_it_and_a_coordinator_may_withdraw_it(world):
    e, vid = world["engine"], world["visit"]
    other = signed_in(world["other_vol"])
    assert vi("journey.my_visits_empty") in [i.value for i in other.info]
    assert not any("A1-0001" in m.value for m in other.markdown)

    at = signed_in(world["coord"])
    assert any("A1-0001" in m.value and vi("journey.by_other") in m.value for m in at.markdown)
    by_key(at.button, f"my_visits.withdraw.{vid}").click().run()
    by_key(at.text_input, f"my_visits.reason.{vid}").input("Trùng với lượt khác").run()
    by_key(at.button, f"my_visits.confirm.{vid}").click().run()
    assert visit_row(e, vid).status == "withdrawn"
