"""Issue 8 on the visit page in AppTest: nobody present until touched, children under 14 folded
away, the two groups labelled ("Đã hướng dẫn" / "Hiện làm được"), what the confirmation says, the
worklist header's count, search results with residents and visit status, and the form's key list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from streamlit.proto.LabelVisibility_pb2 import LabelVisibility
from streamlit.testing.v1 import AppTest

from core.clock import today
from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import read_session, write_session
from models.tables import Resident, VisitGuidance, VisitResident
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f
from tests.pages.test_visit_page import by_key, form_prefix
from webui import state, visit_form

TIMEOUT = 60
PAGE = str(PROJECT_ROOT / "pages" / "visit.py")
MY_VISITS = str(PROJECT_ROOT / "pages" / "my_visits.py")


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


@pytest.fixture
def world(sqlite_engine):
    """One household: two adults (the head born 1958, one born 14 years ago: no longer a child),
    a child of 6; a second household never visited."""
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    w = {"engine": e, "ids": ids}
    w["vol"] = f.create_user(e, role="volunteer", area_code="A", team_id=team, username="vol_a")
    w["hh"] = f.create_household(e, village_id=ids["A1"], code="A1-0001", address="Xóm Đình, số 5")
    year = today().year
    w["head"] = f.create_resident(e, household_id=w["hh"], full_name="Hoàng Văn Toàn", birth_year=1958)
    w["teen"] = f.create_resident(e, household_id=w["hh"], full_name="Hoàng Thị Mơ", birth_year=year - 14)
    w["child"] = f.create_resident(e, household_id=w["hh"], full_name="Hoàng Minh Bo", birth_year=year - 6)
    with write_session(e) as s:
        s.get(Resident, w["head"]).is_head = True
    w["quiet"] = f.create_household(e, village_id=ids["A1"], code="A1-0002", address="Xóm Đình, số 7")
    f.create_resident(e, household_id=w["quiet"], full_name="Vi Thị Nhàn", birth_year=1990)
    return w


def opened(user_id: int, household: int) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    at.query_params["household"] = str(household)
    return at.run()


def listing(user_id: int) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at.run()


def present_of(at: AppTest, prefix: str, rid: int):
    found = [c for c in at.checkbox if c.key == f"{prefix}.r{rid}.present"]
    return found[0].value if found else None


def recorded(engine) -> tuple[set[int], set[tuple[int, str]]]:
    with read_session(engine) as s:
        present = set(s.exec(select(VisitResident.resident_id)).scalars())
        guidance = set(s.exec(select(VisitGuidance.resident_id, VisitGuidance.kind)).all())
    return present, guidance


# ---------------------------------------------------------------- item 2: present only when touched


def test_nobody_is_present_until_touched_and_only_the_touched_are_recorded(world):
    at = opened(world["vol"], world["hh"])
    assert not at.exception, at.exception
    prefix = form_prefix(at, world["hh"])
    assert present_of(at, prefix, world["head"]) is False
    assert present_of(at, prefix, world["teen"]) is False
    # The controls are there to touch even though nobody is ticked.
    by_key(at.button_group, f"{prefix}.r{world['teen']}.level.pay").set_value(1).run()
    assert present_of(at, prefix, world["teen"]) is True
    assert present_of(at, prefix, world["head"]) is False
    by_key(at.button, "visit.save").click().run()
    assert not at.exception, at.exception
    present, guidance = recorded(world["engine"])
    assert present == {world["teen"]}, "untouched residents must not be recorded as met"
    assert guidance == set()
    assert [s.value for s in at.success] == [
        vi("visit_form.saved_done", household="A1-0001 (Hoàng Văn Toàn)", n=1)
    ]


@pytest.mark.parametrize(
    "touch",
    [
        lambda at, p: by_key(at.button_group, f"{p}.guidance").set_value(["guide_apps"]),
        lambda at, p: by_key(at.button_group, f"{p}.level.apps").set_value(2),
        lambda at, p: by_key(at.text_input, f"{p}.evidence").input("G22.19-250009"),
        lambda at, p: by_key(at.selectbox, f"{p}.barrier.has_smartphone").select("no"),
    ],
    ids=["guidance", "level", "evidence", "barrier"],
)
def test_touching_any_control_of_a_resident_marks_them_present(world, touch):
    at = opened(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    head = visit_form.resident_prefix(prefix, world["head"])
    touch(at, head).run()
    assert not at.exception, at.exception
    assert present_of(at, prefix, world["head"]) is True
    assert present_of(at, prefix, world["teen"]) is False


def test_unticking_after_a_touch_leaves_the_resident_out(world):
    at = opened(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    head, teen = world["head"], world["teen"]
    by_key(at.button_group, f"{prefix}.r{head}.guidance").set_value(["guide_pay"]).run()
    by_key(at.button_group, f"{prefix}.r{teen}.guidance").set_value(["guide_submit"]).run()
    by_key(at.checkbox, f"{prefix}.r{teen}.present").uncheck().run()
    assert present_of(at, prefix, teen) is False  # unticking is not a touch that ticks again
    by_key(at.button, "visit.save").click().run()
    present, guidance = recorded(world["engine"])
    assert present == {head}
    assert guidance == {(head, "guide_pay")}


def test_a_visit_nobody_answered_says_so(world):
    at = opened(world["vol"], world["quiet"])
    prefix = form_prefix(at, world["quiet"])
    by_key(at.button_group, f"{prefix}.outcome").set_value("nobody_home").run()
    by_key(at.button, "visit.save").click().run()
    assert not at.exception, at.exception
    expected = vi("visit_form.saved_other", household="A1-0002", outcome=vi("journey.outcome.nobody_home"))
    assert [s.value for s in at.success] == [expected]


# ---------------------------------------------------------------- item 2: children folded away


def test_children_under_14_are_folded_behind_one_toggle(world):
    at = opened(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    child = world["child"]
    assert present_of(at, prefix, child) is None, "a child's block is drawn before asking"
    assert present_of(at, prefix, world["teen"]) is False, "14 this year is not a child"
    toggle = by_key(at.toggle, f"{prefix}.children")
    assert toggle.label == vi("visit_form.show_children", n=1)
    assert not any("Hoàng Minh Bo" in c.label for c in at.checkbox)

    toggle.set_value(True).run()
    assert present_of(at, prefix, child) is False
    by_key(at.button_group, f"{prefix}.r{child}.guidance").set_value(["guide_apps"]).run()
    assert present_of(at, prefix, child) is True
    # A child ticked present cannot be folded away out of sight.
    assert by_key(at.toggle, f"{prefix}.children").disabled
    by_key(at.button, "visit.save").click().run()
    present, guidance = recorded(world["engine"])
    assert present == {child} and guidance == {(child, "guide_apps")}


def test_a_household_without_children_has_no_toggle(world):
    at = opened(world["vol"], world["quiet"])
    assert not at.exception, at.exception
    assert not [x for x in at.toggle if x.key and x.key.endswith(".children")]


def test_a_correction_shows_a_child_who_was_present(world):
    """Existing visits are not rewritten: a child recorded as present before stays present, shown."""
    e, child = world["engine"], world["child"]
    with write_session(e) as s:
        record_visit(
            s,
            actor=f.actor_for(e, world["vol"]),
            data=VisitInput(
                idempotency_key="old-visit",
                visited_on=today() - timedelta(days=1),
                place="home",
                outcome="done",
                household_id=world["hh"],
                residents=[ResidentInput(world["head"]), ResidentInput(child, guidance={"guide_apps"})],
            ),
        )
    at = AppTest.from_file(MY_VISITS, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = world["vol"]
    at.run()
    visit_id = next(b.key for b in at.button if b.key and b.key.startswith("my_visits.edit."))
    by_key(at.button, visit_id).click().run()
    prefix = next(w.key for w in at.date_input if w.key.endswith(".visited_on")).removesuffix(".visited_on")
    assert present_of(at, prefix, child) is True
    assert present_of(at, prefix, world["head"]) is True
    assert present_of(at, prefix, world["teen"]) is False
    toggle = by_key(at.toggle, f"{prefix}.children")
    assert toggle.value is True and toggle.disabled
    by_key(at.button, "my_visits.save").click().run()
    assert not at.exception, at.exception
    present, _ = recorded(e)
    assert present == {world["head"], child}
    assert [s.value for s in at.success] == [
        vi("visit_form.corrected_done", household="A1-0001 (Hoàng Văn Toàn)", n=2)
    ]


# ---------------------------------------------------------------- item 9: two labelled groups


def test_guidance_and_skill_groups_are_labelled(world):
    at = opened(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    pills = by_key(at.button_group, f"{prefix}.r{world['head']}.guidance")
    assert pills.label == vi("visit_form.guided")
    assert pills.proto.label_visibility.value == LabelVisibility.LabelVisibilityOptions.VISIBLE
    can_do = [m for m in at.markdown if vi("visit_form.can_do") in m.value]
    assert len(can_do) == 2, "one 'can do now' label per adult resident"


# ---------------------------------------------------------------- item 5: the confirmation


def test_the_banner_stays_while_the_toast_and_scroll_come_once(world):
    at = opened(world["vol"], world["quiet"])
    prefix = form_prefix(at, world["quiet"])
    by_key(at.button_group, f"{prefix}.outcome").set_value("refused").run()
    by_key(at.button, "visit.save").click().run()
    scripts = [h for h in at.get("html") if "scrollTo" in h.proto.body]
    assert len(scripts) == 1 and len(at.toast) == 1
    at.run()  # any later rerun (typing in the search box, paging)
    assert len(at.success) == 1
    assert not at.toast and not [h for h in at.get("html") if "scrollTo" in h.proto.body]


# ---------------------------------------------------------------- item 16: worklist and search


def test_worklist_header_counts_households_still_to_visit(world):
    e = world["engine"]
    with write_session(e) as s:
        record_visit(
            s,
            actor=f.actor_for(e, world["vol"]),
            data=VisitInput(
                idempotency_key="done-visit",
                visited_on=today() - timedelta(days=1),
                place="home",
                outcome="done",
                household_id=world["hh"],
            ),
        )
    at = listing(world["vol"])
    assert not at.exception, at.exception
    texts = [m.value for m in at.markdown]
    assert f"**{vi('visit_form.to_visit', n=1)}**" in texts, texts
    assert vi("visit_form.to_visit_help", total=2) in [c.value for c in at.caption]


def test_search_results_name_the_residents_and_the_visit_status(world):
    e = world["engine"]
    with write_session(e) as s:
        record_visit(
            s,
            actor=f.actor_for(e, world["vol"]),
            data=VisitInput(
                idempotency_key="come-back",
                visited_on=today() - timedelta(days=4),
                place="home",
                outcome="come_back",
                household_id=world["hh"],
                follow_up_on=today() - timedelta(days=1),
            ),
        )
    at = listing(world["vol"])
    by_key(at.text_input, "visit.query").input("xom dinh").run()
    hit = by_key(at.button, f"visit.hit.{world['hh']}").label
    for name in ("Hoàng Văn Toàn", "Hoàng Thị Mơ", "Hoàng Minh Bo"):
        assert name in hit, hit
    day = (today() - timedelta(days=4)).strftime("%d/%m/%Y")
    due = (today() - timedelta(days=1)).strftime("%d/%m/%Y")
    assert vi("visit_form.hit_last", date=day, outcome=vi("journey.outcome.come_back")) in hit
    assert vi("visit_form.hit_due", date=due) in hit
    quiet = by_key(at.button, f"visit.hit.{world['quiet']}").label
    assert "Vi Thị Nhàn" in quiet and vi("visit_form.hit_never") in quiet


def test_many_residents_are_named_up_to_a_few(world):
    e = world["engine"]
    for i in range(5):
        f.create_resident(e, household_id=world["quiet"], full_name=f"Vi Văn Số {i}")
    at = listing(world["vol"])
    by_key(at.text_input, "visit.query").input("A1-0002").run()
    label = by_key(at.button, f"visit.hit.{world['quiet']}").label
    assert vi("visit_form.more_people", n=2) in label  # 6 residents, 4 named


# ---------------------------------------------------------------- the form's keys (for drafts)


def test_household_form_keys_list_every_input_of_the_form(world):
    at = opened(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    by_key(at.toggle, f"{prefix}.children").set_value(True).run()
    head = world["head"]
    listed = set(visit_form.household_form_keys(prefix, [world["head"], world["teen"], world["child"]]))
    inputs = [
        *at.checkbox,
        *at.toggle,
        *at.button_group,
        *at.text_input,
        *at.selectbox,
        *at.multiselect,
        *at.date_input,
    ]
    drawn = {w.key for w in inputs if w.key and w.key.startswith(prefix + ".")}
    assert drawn, "no form widgets"
    assert drawn <= listed, drawn - listed
    assert {k for k in drawn if ".reason." in k} == set()  # drawn only when a level went down
    assert f"{prefix}.r{head}.reason.pay" in listed


def test_form_keys_start_with_the_form_prefix(world):
    keys = visit_form.household_form_keys("visit.f3.12", [7])
    assert keys and all(k.startswith("visit.f3.12.") for k in keys)
    assert "visit.f3.12.r7.present" in keys and "visit.f3.12.children" in keys


def test_a_corrected_group_session_says_its_day_and_attendees(world):
    e = world["engine"]
    day = today() - timedelta(days=1)
    with write_session(e) as s:
        record_visit(
            s,
            actor=f.actor_for(e, world["vol"]),
            data=VisitInput(
                idempotency_key="session-1",
                visited_on=day,
                place="community",
                outcome="done",
                session_area_id=world["ids"]["A1"],
                residents=[ResidentInput(world["head"]), ResidentInput(world["child"])],
            ),
        )
    at = AppTest.from_file(MY_VISITS, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = world["vol"]
    at.run()
    edit = next(b.key for b in at.button if b.key and b.key.startswith("my_visits.edit."))
    by_key(at.button, edit).click().run()
    assert not [x for x in at.toggle if x.key and x.key.endswith(".children")]  # attendees: no fold
    by_key(at.button, "my_visits.save").click().run()
    assert not at.exception, at.exception
    expected = vi("visit_form.corrected_session", date=day.strftime("%d/%m/%Y"), n=2)
    assert [s.value for s in at.success] == [expected]
