"""The visit page in AppTest on a real SQLite file: worklist and search, the household card, a visit
for three residents, messages next to the field, a failed save that keeps every field and retries with
the same key, scope refusals, and the coordinator's view."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

import models.db
from core.clock import today
from core.i18n import t
from core.settings import PROJECT_ROOT
from core.text import normalize_name
from models.db import read_session, write_session
from models.tables import Resident, ResidentSkill, SkillEvent, Visit, VisitGuidance, VisitMember
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f
from webui import state

TIMEOUT = 60
PAGE = str(PROJECT_ROOT / "pages" / "visit.py")
# Stored with one tone-mark placement ("Thuỷ" becomes "Thủy"): compare with the normalised form.
NAMES = tuple(normalize_name(n) for n in ("Nguyễn Thị Thuỷ", "Trần Văn Bình", "Lê Văn Cường"))


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], name="Tổ CNS thôn Một", village_ids=(ids["A1"],))
    w = dict(ids)
    w["engine"] = e
    w["team"] = team
    w["vol"] = f.create_user(e, role="volunteer", area_code="A", team_id=team, username="vol_a")
    w["mate"] = f.create_member(e, team_id=team, full_name="Phạm Thị Mai")
    w["coord"] = f.create_user(e, role="coordinator", area_code="A", username="coord_a")
    w["leader"] = f.create_user(e, role="leader", area_code="A", username="lead_a")
    w["admin"] = f.create_user(e, role="admin", area_code="P", username="admin_p")
    w["hh"] = f.create_household(e, village_id=ids["A1"], code="A1-0001", address="Xóm Đình, số 5")
    w["residents"] = [
        f.create_resident(e, household_id=w["hh"], full_name=n, birth_year=1960 + 10 * i)
        for i, n in enumerate(NAMES)
    ]
    w["other"] = f.create_household(e, village_id=ids["A2"], code="A2-0009", address="Xóm Chợ, số 9")
    w["other_resident"] = f.create_resident(e, household_id=w["other"], full_name="Đặng Thị Ngân")
    return w


def signed_in(user_id: int, household: int | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    if household is not None:
        at.query_params["household"] = str(household)
    return at.run()


def by_key(widgets, key: str):
    found = [w for w in widgets if w.key == key]
    assert found, f"no widget {key}"
    return found[0]


def form_prefix(at: AppTest, household: int) -> str:
    keys = [w.key for w in at.date_input if w.key and w.key.endswith(".visited_on")]
    assert keys, "no visit form"
    return keys[0].removesuffix(".visited_on")


def block_of(node, key: str):
    """The innermost block holding the widget with this key (the field's own column or box)."""
    for child in getattr(node, "children", {}).values():
        inner = block_of(child, key)
        if inner is not None:
            return inner
    children = getattr(node, "children", {}).values()
    if any(getattr(c, "key", None) == key for c in children):
        return node
    return None


def errors_in(node) -> list[str]:
    out = []
    for child in getattr(node, "children", {}).values():
        if getattr(child, "type", None) == "error" or type(child).__name__ == "Error":
            out.append(child.value)
        out.extend(errors_in(child))
    return out


def visits(engine) -> list[Visit]:
    with read_session(engine) as s:
        rows = list(s.exec(select(Visit).order_by(Visit.id)).scalars())
        s.expunge_all()  # plain data: the session's rollback must not expire them
    return rows


def fill_three(at: AppTest, w, prefix: str) -> None:
    """Guidance and one new level for each of the three residents (two taps each)."""
    guides = ("guide_submit", "guide_pay", "guide_apps")
    skills = ("submit", "pay", "apps")
    for rid, guide, skill in zip(w["residents"], guides, skills, strict=True):
        by_key(at.button_group, f"{prefix}.r{rid}.guidance").set_value([guide]).run()
        by_key(at.button_group, f"{prefix}.r{rid}.level.{skill}").set_value(2).run()


# ---------------------------------------------------------------- finding and opening


def test_worklist_then_search_without_diacritics_opens_the_household(world):
    at = signed_in(world["vol"])
    assert not at.exception, at.exception
    labels = [b.label for b in at.button]
    assert any("A1-0001" in label for label in labels), labels
    assert not any("A2-0009" in label for label in labels), "a village outside the team is listed"

    by_key(at.text_input, "visit.query").input("nguyen thi thuy").run()
    hits = [b for b in at.button if b.key and b.key.startswith("visit.hit.")]
    assert [b.key for b in hits] == [f"visit.hit.{world['hh']}"]
    assert NAMES[0] in hits[0].label
    hits[0].click().run()
    assert not at.exception, at.exception
    assert at.query_params["household"] == [str(world["hh"])] or at.query_params["household"] == str(
        world["hh"]
    )
    present = [c.label for c in at.checkbox]
    for name in NAMES:
        assert any(name in label for label in present), present
    # What to show next: everyone is at level 0, so the submit leaflet and a download for it.
    assert len([d for d in at.get("download_button")]) == 3
    assert any(vi("journey.next_for", skill=vi("journey.skill_short.submit")) in c.value for c in at.caption)


def test_record_a_done_visit_for_three_residents(world):
    e = world["engine"]
    at = signed_in(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    fill_three(at, world, prefix)
    by_key(at.multiselect, f"{prefix}.members").select(world["mate"]).run()
    key_before = at.session_state["visit.idempotency_key"]
    by_key(at.button, "visit.save").click().run()
    assert not at.exception, at.exception

    rows = visits(e)
    assert len(rows) == 1
    visit = rows[0]
    assert (visit.outcome, visit.place, visit.visited_on, visit.household_id) == (
        "done",
        "home",
        today(),
        world["hh"],
    )
    assert visit.idempotency_key == key_before
    with read_session(e) as s:
        guidance = set(s.exec(select(VisitGuidance.resident_id, VisitGuidance.kind)).all())
        levels = set(
            s.exec(select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level)).all()
        )
        events = s.exec(select(func.count()).select_from(SkillEvent)).scalar_one()
        members = set(s.exec(select(VisitMember.member_id)).scalars())
    r1, r2, r3 = world["residents"]
    assert guidance == {(r1, "guide_submit"), (r2, "guide_pay"), (r3, "guide_apps")}
    assert levels == {(r1, "submit", 2), (r2, "pay", 2), (r3, "apps", 2)}
    assert events == 3, "untouched skills must not create events"
    assert world["mate"] in members

    # Saved: the message (issue 8, item 5: it says what was saved — the household and how many
    # were there — where it used to say only "saved household A1-0001"), as a banner and a toast,
    # what to show next, and a fresh form for the next household.
    saved = vi("visit_form.saved_done", household="A1-0001", n=3)
    assert [s.value for s in at.success] == [saved]
    assert [x.value for x in at.toast] == [saved]
    assert "household" not in at.query_params
    assert "visit.idempotency_key" not in at.session_state
    assert any(vi("journey.show_next") in m.value for m in at.markdown)
    # r1 now has submit at 2 (< 3): the next skill is still submit; r2 and r3 too.
    assert (
        sum(vi("journey.next_for", skill=vi("journey.skill_short.submit")) in c.value for c in at.caption)
        == 3
    )


def test_future_date_shows_the_message_next_to_the_date(world, monkeypatch):
    """The page's calendar runs a day ahead of the server's (a tablet's form opened across midnight
    on another replica): the widget allows tomorrow, the service refuses it next to the field."""
    import webui.visit_form as visit_form

    monkeypatch.setattr(visit_form, "today", lambda: today() + timedelta(days=1))
    at = signed_in(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    by_key(at.date_input, f"{prefix}.visited_on").set_value(today() + timedelta(days=1)).run()
    by_key(at.button, "visit.save").click().run()
    assert not at.exception, at.exception
    assert visits(world["engine"]) == []
    near = errors_in(block_of(at.main, f"{prefix}.visited_on"))
    assert near == [vi("err.visit_future")], near
    assert vi("journey.save_failed_fields") in [x.value for x in at.error]


def test_lowering_a_level_needs_a_reason_next_to_the_skill(world):
    e = world["engine"]
    r1 = world["residents"][0]
    actor = f.actor_for(e, world["vol"])
    with write_session(e) as s:
        record_visit(
            s,
            actor=actor,
            data=VisitInput(
                idempotency_key="earlier",
                visited_on=today() - timedelta(days=3),
                place="home",
                outcome="done",
                household_id=world["hh"],
                residents=[ResidentInput(r1, levels={"submit": 3})],
            ),
        )
    at = signed_in(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    assert by_key(at.button_group, f"{prefix}.r{r1}.level.submit").value == 3
    by_key(at.button_group, f"{prefix}.r{r1}.level.submit").set_value(1).run()
    reason_key = f"{prefix}.r{r1}.reason.submit"
    assert by_key(at.text_input, reason_key).value == ""
    by_key(at.button, "visit.save").click().run()
    assert len(visits(e)) == 1, "nothing new may be written"
    box = block_of(at.main, reason_key)
    assert vi("err.level_down_needs_reason") in errors_in(box)
    assert by_key(at.button_group, f"{prefix}.r{r1}.level.submit").value == 1

    by_key(at.text_input, reason_key).input("Quên mật khẩu, phải làm lại từ đầu").run()
    by_key(at.button, "visit.save").click().run()
    assert len(visits(e)) == 2
    with read_session(e) as s:
        level = s.exec(select(ResidentSkill.level).where(ResidentSkill.resident_id == r1)).scalar_one()
    assert level == 1


def _fill_everything(at: AppTest, w, prefix: str) -> dict:
    """Every kind of field, typed as a volunteer would; returns what to expect back."""
    day = today() - timedelta(days=2)
    follow = today() + timedelta(days=14)
    by_key(at.date_input, f"{prefix}.visited_on").set_value(day).run()
    by_key(at.button_group, f"{prefix}.place").set_value("community").run()
    fill_three(at, w, prefix)
    r3 = w["residents"][2]
    by_key(at.checkbox, f"{prefix}.r{r3}.present").uncheck().run()
    r1 = w["residents"][0]
    by_key(at.text_input, f"{prefix}.r{r1}.evidence").input("G22.19-250001").run()
    by_key(at.selectbox, f"{prefix}.r{r1}.barrier.has_smartphone").select("yes").run()
    by_key(at.multiselect, f"{prefix}.members").select(w["mate"]).run()
    by_key(at.date_input, f"{prefix}.follow_up_on").set_value(follow).run()
    by_key(at.text_input, f"{prefix}.notes").input("Hẹn tối thứ Sáu").run()
    return {"day": day, "follow": follow}


def _assert_everything_kept(at: AppTest, w, prefix: str, typed: dict) -> None:
    r1, r2, r3 = w["residents"]
    assert by_key(at.date_input, f"{prefix}.visited_on").value == typed["day"]
    assert by_key(at.button_group, f"{prefix}.place").value == "community"
    assert by_key(at.button_group, f"{prefix}.outcome").value == "done"
    assert by_key(at.button_group, f"{prefix}.r{r1}.guidance").value == ["guide_submit"]
    assert by_key(at.button_group, f"{prefix}.r{r1}.level.submit").value == 2
    assert by_key(at.button_group, f"{prefix}.r{r2}.guidance").value == ["guide_pay"]
    assert by_key(at.button_group, f"{prefix}.r{r2}.level.pay").value == 2
    assert by_key(at.checkbox, f"{prefix}.r{r3}.present").value is False
    assert by_key(at.text_input, f"{prefix}.r{r1}.evidence").value == "G22.19-250001"
    assert by_key(at.selectbox, f"{prefix}.r{r1}.barrier.has_smartphone").value == "yes"
    assert by_key(at.multiselect, f"{prefix}.members").value == [w["mate"]]
    assert by_key(at.date_input, f"{prefix}.follow_up_on").value == typed["follow"]
    assert by_key(at.text_input, f"{prefix}.notes").value == "Hẹn tối thứ Sáu"


def test_database_busy_keeps_every_field_and_the_retry_saves_one_visit(world, monkeypatch):
    e = world["engine"]
    monkeypatch.setattr(models.db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    at = signed_in(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    typed = _fill_everything(at, world, prefix)
    key = at.session_state["visit.idempotency_key"]

    # Another writer holds the database: the save cannot take the write lock.
    blocker = sqlite3.connect(e.url.database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        by_key(at.button, "visit.save").click().run()
        assert not at.exception, at.exception
        assert vi("journey.save_failed_db") in [x.value for x in at.error]
        _assert_everything_kept(at, world, prefix, typed)
        assert at.session_state["visit.idempotency_key"] == key
        # The offer to try again stays on the next run too, and fails the same way while locked.
        by_key(at.button, "visit.retry").click().run()
        assert vi("journey.save_failed_db") in [x.value for x in at.error]
        _assert_everything_kept(at, world, prefix, typed)
    finally:
        blocker.rollback()
        blocker.close()
    assert visits(e) == []

    by_key(at.button, "visit.retry").click().run()
    assert not at.exception, at.exception
    rows = visits(e)
    assert len(rows) == 1
    assert rows[0].idempotency_key == key
    assert (rows[0].visited_on, rows[0].place, rows[0].follow_up_on, rows[0].notes) == (
        typed["day"],
        "community",
        typed["follow"],
        "Hẹn tối thứ Sáu",
    )
    # A resend of the same form (same key) adds nothing.
    actor = f.actor_for(e, world["vol"])
    with write_session(e) as s:
        again = record_visit(
            s,
            actor=actor,
            data=VisitInput(
                idempotency_key=key,
                visited_on=today(),
                place="home",
                outcome="done",
                household_id=world["hh"],
            ),
        )
    assert again == rows[0].id and len(visits(e)) == 1


def test_refused_save_keeps_every_field_and_saves_once_after_the_fix(world):
    """The ValidationFailed path: a level lowered without a reason refuses the whole save."""
    e = world["engine"]
    r2 = world["residents"][1]
    with write_session(e) as s:
        record_visit(
            s,
            actor=f.actor_for(e, world["vol"]),
            data=VisitInput(
                idempotency_key="earlier",
                visited_on=today() - timedelta(days=5),
                place="home",
                outcome="done",
                household_id=world["hh"],
                residents=[ResidentInput(r2, levels={"pay": 3})],
            ),
        )
    at = signed_in(world["vol"], world["hh"])
    prefix = form_prefix(at, world["hh"])
    typed = _fill_everything(at, world, prefix)  # sets r2's "pay" to 2: lower than 3
    key = at.session_state["visit.idempotency_key"]
    by_key(at.button, "visit.save").click().run()
    assert [v.idempotency_key for v in visits(e)] == ["earlier"]
    reason_key = f"{prefix}.r{r2}.reason.pay"
    assert vi("err.level_down_needs_reason") in errors_in(block_of(at.main, reason_key))
    assert vi("journey.save_failed_fields") in [x.value for x in at.error]
    _assert_everything_kept(at, world, prefix, typed)
    assert at.session_state["visit.idempotency_key"] == key

    by_key(at.text_input, reason_key).input("Chưa tự làm lại được").run()
    _assert_everything_kept(at, world, prefix, typed)
    by_key(at.button, "visit.save").click().run()
    assert [v.idempotency_key for v in visits(e)] == ["earlier", key]


# ---------------------------------------------------------------- who may see what


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_leader_and_admin_are_refused_even_with_a_household_link(world, role):
    at = signed_in(world[role], world["hh"])
    assert not at.exception, at.exception
    assert [x.value for x in at.main.error] == [vi("login.forbidden_page")]
    text = str([m.value for m in at.main.markdown]) + str([c.label for c in at.checkbox])
    assert "A1-0001" not in text and "Thủy" not in text


def test_volunteer_cannot_open_a_household_of_another_village_by_link(world):
    at = signed_in(world["vol"], world["other"])
    assert not at.exception, at.exception
    assert vi("err.out_of_scope") in [x.value for x in at.main.error]
    assert not at.checkbox and not at.date_input
    shown = " ".join(str(m.value) for m in [*at.main.markdown, *at.main.caption])
    assert "A2-0009" not in shown and "Ngân" not in shown


@pytest.mark.parametrize("junk", ["99999999999999999999999", "12abc", "-3", "١٢"])
def test_a_garbled_household_link_is_ignored(world, junk):
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = world["vol"]
    at.query_params["household"] = junk
    at.run()
    assert not at.exception, at.exception
    assert not at.date_input  # no household opened: the worklist is shown instead


def test_coordinator_picks_a_team_and_opens_any_household_of_the_area(world):
    at = signed_in(world["coord"])
    assert not at.exception, at.exception
    team = by_key(at.selectbox, "visit.team")
    labels = [b.label for b in at.button]
    assert any("A1-0001" in x for x in labels) and any("A2-0009" in x for x in labels)
    team.select(world["team"]).run()
    labels = [b.label for b in at.button]
    assert any("A1-0001" in x for x in labels) and not any("A2-0009" in x for x in labels)
    by_key(at.text_input, "visit.query").input("dang thi ngan").run()
    hit = by_key(at.button, f"visit.hit.{world['other']}")
    hit.click().run()
    prefix = form_prefix(at, world["other"])
    rid = world["other_resident"]
    by_key(at.button_group, f"{prefix}.r{rid}.guidance").set_value(["guide_apps"]).run()
    by_key(at.button, "visit.save").click().run()
    assert not at.exception, at.exception
    rows = visits(world["engine"])
    assert len(rows) == 1 and rows[0].household_id == world["other"] and rows[0].created_by == world["coord"]


def test_adding_a_resident_warns_about_a_likely_duplicate_first(world):
    e = world["engine"]
    at = signed_in(world["vol"], world["hh"])
    by_key(at.text_input, "visit.add.name").input("nguyen thi thuy").run()
    by_key(at.number_input, "visit.add.year").set_value(1960).run()
    by_key(at.button, "visit.add.go").click().run()
    assert any(vi("journey.duplicate_warning") in x.value for x in at.warning)
    with read_session(e) as s:
        count = s.exec(select(func.count()).select_from(Resident)).scalar_one()
    assert count == 4, "the first tap must not create"
    assert by_key(at.button, "visit.add.go").label == vi("journey.create_anyway")
    by_key(at.button, "visit.add.go").click().run()
    assert not at.exception, at.exception
    with read_session(e) as s:
        count = s.exec(select(func.count()).select_from(Resident)).scalar_one()
    assert count == 5
    prefix = form_prefix(at, world["hh"])
    assert (
        len([c for c in at.checkbox if c.key and c.key.startswith(prefix) and c.key.endswith(".present")])
        == 4
    )
