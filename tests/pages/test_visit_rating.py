"""Satisfaction after guidance on the forms (issue #11) in AppTest on a real SQLite file: the 1–5 row
appears once something is guided, one tap sets it, a second tap clears it (skipped), it is saved with the
visit; a group session rates each attendee; the correction form shows the saved rating and changes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.clock import today
from core.settings import PROJECT_ROOT
from models.db import read_session, write_session
from models.tables import SkillEvent, VisitResident
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f
from tests.pages.test_visit_page import by_key, form_prefix
from webui import state

TIMEOUT = 60


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    w = dict(ids, engine=e)
    w["vol"] = f.create_user(e, role="volunteer", area_code="A", team_id=team)
    w["hh"] = f.create_household(e, village_id=ids["A1"], code="A1-0001", address="Xóm Đình")
    w["hh2"] = f.create_household(e, village_id=ids["A1"], code="A1-0002", address="Xóm Chùa")
    w["r"] = [
        f.create_resident(e, household_id=w["hh"], full_name=name, birth_year=1970 + i)
        for i, name in enumerate(("Nguyễn Thị Thuỷ", "Trần Văn Bình", "Lê Văn Cường"))
    ]
    w["long"] = f.create_resident(e, household_id=w["hh2"], full_name="Đinh Văn Long")
    return w


def open_page(page: str, user_id: int, **params) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / page), default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def ratings(engine) -> dict[int, int | None]:
    with read_session(engine) as s:
        return dict(s.exec(select(VisitResident.resident_id, VisitResident.satisfaction)).all())


def rating_keys(at: AppTest) -> set[str]:
    return {w.key for w in at.button_group if w.key and w.key.endswith(".rating")}


def test_the_rating_appears_with_guidance_and_is_saved_or_skipped(world):
    e, (r1, r2, r3) = world["engine"], world["r"]
    at = open_page("visit.py", world["vol"], household=str(world["hh"]))
    assert not at.exception, at.exception
    prefix = form_prefix(at, world["hh"])
    assert rating_keys(at) == set(), "no rating before anything is guided"
    for rid in (r1, r2, r3):
        by_key(at.button_group, f"{prefix}.r{rid}.guidance").set_value(["guide_pay"]).run()
    assert rating_keys(at) == {f"{prefix}.r{rid}.rating" for rid in (r1, r2, r3)}
    stars = by_key(at.button_group, f"{prefix}.r{r1}.rating")
    assert stars.options == ["1 ★", "2 ★", "3 ★", "4 ★", "5 ★"]
    assert stars.value is None, "skipped unless tapped"
    stars.set_value(5).run()
    by_key(at.button_group, f"{prefix}.r{r2}.rating").set_value(2).run()
    by_key(at.button_group, f"{prefix}.r{r2}.rating").set_value(None).run()  # tapped again: cleared
    by_key(at.button_group, f"{prefix}.r{r3}.rating").set_value(4).run()
    by_key(at.button_group, f"{prefix}.r{r3}.guidance").set_value([]).run()  # nothing guided: no rating
    assert f"{prefix}.r{r3}.rating" not in rating_keys(at)
    by_key(at.button, "visit.save").click().run()
    assert not at.exception, at.exception
    assert at.success, [x.value for x in at.error]
    assert ratings(e) == {r1: 5, r2: None, r3: None}
    with read_session(e) as s:
        assert compare(s) == []


def test_a_group_session_rates_each_attendee(world):
    e, thuy, long_ = world["engine"], world["r"][0], world["long"]
    at = open_page("session.py", world["vol"])
    for query, rid in (("nguyen thi thuy", thuy), ("dinh van long", long_)):
        by_key(at.text_input, "session.query").input(query).run()
        by_key(at.button, f"session.add.{rid}").click().run()
    prefix = next(w.key for w in at.date_input).removesuffix(".visited_on")
    for rid, score in ((thuy, 3), (long_, 5)):
        by_key(at.button_group, f"{prefix}.r{rid}.guidance").set_value(["guide_apps"]).run()
        by_key(at.button_group, f"{prefix}.r{rid}.rating").set_value(score).run()
    by_key(at.button, "session.save").click().run()
    assert not at.exception, at.exception
    assert ratings(e) == {thuy: 3, long_: 5}


def test_the_correction_form_shows_the_saved_rating_and_changes_it(world):
    e, (r1, r2, _r3) = world["engine"], world["r"]
    with write_session(e) as s:
        vid = record_visit(
            s,
            actor=f.actor_for(e, world["vol"]),
            data=VisitInput(
                "first",
                today() - timedelta(days=1),
                "home",
                "done",
                household_id=world["hh"],
                residents=[ResidentInput(r1, guidance={"guide_pay"}, satisfaction=2)],
            ),
        )
    at = open_page("my_visits.py", world["vol"])
    by_key(at.button, f"my_visits.edit.{vid}").click().run()
    prefix = next(w.key for w in at.date_input if w.key.endswith(".visited_on")).removesuffix(".visited_on")
    assert by_key(at.button_group, f"{prefix}.r{r1}.rating").value == 2
    by_key(at.button_group, f"{prefix}.r{r1}.rating").set_value(4).run()
    by_key(at.checkbox, f"{prefix}.r{r2}.present").check().run()
    by_key(at.button_group, f"{prefix}.r{r2}.guidance").set_value(["guide_submit"]).run()
    by_key(at.button_group, f"{prefix}.r{r2}.rating").set_value(5).run()
    by_key(at.button, "my_visits.save").click().run()
    assert not at.exception, at.exception
    assert ratings(e) == {r1: 4, r2: 5}
    with read_session(e) as s:
        assert compare(s) == []


def test_the_dossier_kind_is_chosen_beside_its_code(world):
    """The upward figures split online dossiers toàn trình / một phần: the kind is picked under «Thêm»
    next to the dossier code; without a code none is saved."""
    e, (r1, r2, _r3) = world["engine"], world["r"]
    at = open_page("visit.py", world["vol"], household=str(world["hh"]))
    prefix = form_prefix(at, world["hh"])
    kind = by_key(at.button_group, f"{prefix}.r{r1}.dossier_kind")
    assert kind.options == ["Toàn trình", "Một phần"] and kind.value is None
    by_key(at.text_input, f"{prefix}.r{r1}.evidence").input("H22.01-261203-0001").run()
    by_key(at.button_group, f"{prefix}.r{r1}.dossier_kind").set_value("partial").run()
    by_key(at.button_group, f"{prefix}.r{r2}.dossier_kind").set_value("full").run()  # no code: ignored
    by_key(at.button, "visit.save").click().run()
    assert not at.exception, at.exception
    assert at.success, [x.value for x in at.error]
    with read_session(e) as s:
        saved = s.exec(select(SkillEvent.resident_id, SkillEvent.evidence, SkillEvent.dossier_kind)).all()
    assert saved == [(r1, "H22.01-261203-0001", "partial")]
