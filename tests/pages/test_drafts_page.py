"""The visit form's server-side draft in AppTest: kept as the form changes (not on every rerun), offered
again in a new session (a reload, a dropped connection), restored or discarded, deleted after a save."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import read_session
from models.enums import VisitOutcome
from models.tables import ResidentSkill, Visit, VisitDraft
from tests import factories as f
from webui import state

TIMEOUT = 60
PAGE = str(PROJECT_ROOT / "pages" / "visit.py")
NOTE = "Hẹn chiều mai quay lại"


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    hh = f.create_household(e, village_id=ids["A1"], code="A1-0001", address="Xóm Đình, số 5")
    resident = f.create_resident(e, household_id=hh, full_name="Nguyễn Thị Lan", birth_year=1970)
    return {
        "engine": e,
        "hh": hh,
        "resident": resident,
        "vol": f.create_user(e, role="volunteer", area_code="A", team_id=team, username="vol_a"),
        "mate": f.create_user(e, role="volunteer", area_code="A", team_id=team, username="vol_b"),
    }


def open_household(user_id: int, household: int) -> AppTest:
    """A new browser session (as after a reload) of a signed-in user, on the household's visit form."""
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    at.query_params["household"] = str(household)
    return at.run()


def widget(widgets, suffix: str):
    found = [w for w in widgets if w.key and w.key.endswith(suffix)]
    assert found, f"no widget *{suffix}"
    return found[0]


def drafts(engine) -> list[tuple]:
    with read_session(engine) as s:
        return list(s.exec(select(VisitDraft.user_id, VisitDraft.household_id, VisitDraft.updated_at)).all())


def half_filled(w) -> AppTest:
    """The volunteer notes "nobody home" and a note, and leaves without saving."""
    at = open_household(w["vol"], w["hh"])
    assert not at.exception, at.exception
    assert drafts(w["engine"]) == []  # opening the form writes nothing
    widget(at.segmented_control, ".outcome").set_value(VisitOutcome.NOBODY_HOME).run()
    widget(at.text_input, ".notes").input(NOTE).run()
    assert not at.exception, at.exception
    return at


def test_the_form_is_kept_as_it_changes_and_not_on_every_rerun(world):
    at = half_filled(world)
    kept = drafts(world["engine"])
    assert [(u, h) for u, h, _ in kept] == [(world["vol"], world["hh"])]
    at.run()
    at.run()
    assert drafts(world["engine"]) == kept  # reruns without a change write nothing
    with read_session(world["engine"]) as s:
        data = s.get(VisitDraft, (world["vol"], world["hh"])).data
    assert NOTE in data and VisitOutcome.NOBODY_HOME in data


def test_a_new_session_offers_the_draft_and_continues_it(world):
    half_filled(world)
    at = open_household(world["vol"], world["hh"])
    assert not at.exception, at.exception
    assert at.button(key="draft.continue").label == t("shell.draft_continue", "vi")
    assert at.button(key="draft.discard").label == t("shell.draft_discard", "vi")
    assert not [w for w in at.text_input if w.key and w.key.endswith(".notes")]  # answer first

    at.button(key="draft.continue").click().run()
    assert not at.exception, at.exception
    assert widget(at.text_input, ".notes").value == NOTE
    assert widget(at.segmented_control, ".outcome").value == VisitOutcome.NOBODY_HOME

    at.button(key="visit.save").click().run()
    assert not at.exception, at.exception
    with read_session(world["engine"]) as s:
        saved = s.exec(select(Visit.outcome, Visit.notes)).all()
    assert [tuple(v) for v in saved] == [(VisitOutcome.NOBODY_HOME, NOTE)]
    assert drafts(world["engine"]) == []  # saved: the draft is gone
    again = open_household(world["vol"], world["hh"])
    assert not [b for b in again.button if b.key == "draft.continue"]


def test_discarding_the_draft_starts_afresh(world):
    half_filled(world)
    at = open_household(world["vol"], world["hh"])
    at.button(key="draft.discard").click().run()
    assert not at.exception, at.exception
    assert drafts(world["engine"]) == []
    assert widget(at.text_input, ".notes").value == ""
    assert widget(at.segmented_control, ".outcome").value == VisitOutcome.DONE


def test_a_teammate_is_not_offered_my_draft(world):
    half_filled(world)
    at = open_household(world["mate"], world["hh"])
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "draft.continue"]
    assert widget(at.text_input, ".notes").value == ""


def test_a_residents_ticks_come_back_after_a_reload(world):
    rid = world["resident"]
    at = open_household(world["vol"], world["hh"])
    widget(at.segmented_control, f".r{rid}.level.pay").set_value(2).run()
    widget(at.pills, f".r{rid}.guidance").set_value(["guide_pay"]).run()
    assert not at.exception, at.exception
    assert widget(at.checkbox, f".r{rid}.present").value  # touching a control ticked them present

    again = open_household(world["vol"], world["hh"])  # the reload that used to lose every tick
    again.button(key="draft.continue").click().run()
    assert not again.exception, again.exception
    assert widget(again.checkbox, f".r{rid}.present").value
    assert widget(again.segmented_control, f".r{rid}.level.pay").value == 2
    assert widget(again.pills, f".r{rid}.guidance").value == ["guide_pay"]

    again.button(key="visit.save").click().run()
    assert not again.exception, again.exception
    with read_session(world["engine"]) as s:
        level = s.exec(
            select(ResidentSkill.level).where(ResidentSkill.resident_id == rid, ResidentSkill.skill == "pay")
        ).scalar_one()
    assert level == 2
    assert drafts(world["engine"]) == []
