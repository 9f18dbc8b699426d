"""The quotas page in AppTest: roles, campaign form errors, progress with the at-risk flag, the cascade."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.clock import today
from core.i18n import t
from models.db import read_session, write_session
from models.tables import Campaign, Quota
from services.teams import campaigns as svc
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/quotas.py"


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


def signed_in(user_id: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = user_id
    return at


def open_page(user_id: int) -> AppTest:
    return signed_in(user_id).switch_page(PAGE).run()


def bars(at: AppTest) -> list[str]:
    """The text of every progress bar (one per quota line)."""
    return [bar.proto.text for bar in at.get("progress")]


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert len(matches) == 1, [b.label for b in at.button]
    return matches[0]


def widget(items, label: str):
    matches = [w for w in items if w.label == label]
    assert len(matches) == 1, [w.label for w in items]
    return matches[0]


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    for village, n in ((ids["A1"], 2), (ids["A2"], 1)):
        for _ in range(n):
            f.create_household(e, village_id=village)
    team = f.create_team(e, area_id=ids["A"], name="Tổ Xã An", village_ids=(ids["A1"],))
    users = {
        "coordinator": f.create_user(e, role="coordinator", area_code="A"),
        "admin": f.create_user(e, role="admin", area_code="P"),
        "leader": f.create_user(e, role="leader", area_code="A"),
        "volunteer": f.create_user(e, role="volunteer", area_code="A", team_id=team),
    }
    return e, ids, team, users


def make_campaign(e, actor_id, area_id) -> int:
    actor = f.actor_for(e, actor_id)
    start = today() - timedelta(days=9)
    with write_session(e) as s:
        campaign = svc.create_campaign(
            s,
            actor=actor,
            area_id=area_id,
            name="Đợt tháng Mười Một",
            starts_on=start,
            ends_on=start + timedelta(days=29),
            target_guided_pct=80,
        )
        svc.set_quota(
            s,
            actor=actor,
            campaign_id=campaign,
            owner_kind="area",
            owner_id=_village(s, area_id),
            metric="households_visited",
            target=10,
        )
    return campaign


def _village(session, commune_id) -> int:
    from models.tables import Area

    return (
        session.exec(select(Area.id).where(Area.parent_id == commune_id).order_by(Area.code))
        .scalars()
        .first()
    )


@pytest.mark.parametrize("role", ["coordinator", "admin", "leader"])
def test_renders_progress_with_at_risk_flag(world, role):
    e, ids, _team, users = world
    make_campaign(e, users["coordinator"], ids["A"])
    at = open_page(users[role])
    assert not at.exception, at.exception
    # Issue #8: the wide progress table was unreadable at tablet width; quotas are now cards, at-risk
    # ones first (nothing visited yet: this one is at risk), each with its owner named.
    texts = [m.value for m in at.markdown]
    assert "**Thôn Một**" in texts
    line = vi(
        "fig.q.line", metric=vi("metric.households_visited"), progress=0, target=10, share="0%", projected=0
    )
    assert bars(at) == [line]
    assert vi("fig.q.kind.area") in [c.value for c in at.caption]
    assert vi("quotas.at_risk_count", count=1) in [w.value for w in at.warning]
    assert (vi("quotas.save") in [b.label for b in at.button]) is (role != "leader")
    assert len(at.data_editor) == (0 if role == "leader" else 1)
    assert len(at.dataframe) == (0 if role == "leader" else 1)  # only the cascade editor, no wide table


def test_volunteer_is_refused(world):
    e, ids, _team, users = world
    make_campaign(e, users["coordinator"], ids["A"])
    at = signed_in(users["volunteer"]).run()
    # Every page is registered for everyone since issue #8 (item 15): the page's own guard refuses
    # (the old ValueError from switch_page was Streamlit's English "Page not found").
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [x.value for x in at.main.error] == [vi("login.forbidden_page")]
    assert not at.dataframe and not [m for m in at.markdown if "Thôn Một" in m.value]
    direct = AppTest.from_file(str(Path(APP).parent / PAGE), default_timeout=30)
    direct.session_state["auth.user_id"] = users["volunteer"]
    direct.run()
    assert [x.value for x in direct.main.error] == [vi("login.forbidden_page")]
    assert not direct.dataframe


def test_campaign_form_error_next_to_field_keeps_input(world):
    e, _ids, _team, users = world
    at = open_page(users["coordinator"])
    assert not at.exception, at.exception
    widget(at.text_input, vi("quotas.c_name")).set_value("Đợt cuối năm")
    widget(at.date_input, vi("quotas.c_ends")).set_value(today() - timedelta(days=3))
    button(at, vi("quotas.c_create")).click().run()
    assert not at.exception, at.exception
    assert [x.value for x in at.error] == [vi("quota.err_end_before_start")]
    assert widget(at.text_input, vi("quotas.c_name")).value == "Đợt cuối năm"
    with read_session(e) as s:
        assert s.exec(select(Campaign.id)).first() is None
    widget(at.date_input, vi("quotas.c_ends")).set_value(today() + timedelta(days=30))
    button(at, vi("quotas.c_create")).click().run()
    assert not at.exception, at.exception
    with read_session(e) as s:
        assert s.exec(select(Campaign.name)).scalars().all() == ["Đợt cuối năm"]


def test_cascade_edit_checks_total_then_saves(world):
    e, ids, _team, users = world
    campaign = make_campaign(e, users["coordinator"], ids["A"])
    at = open_page(users["coordinator"])
    widget(at.selectbox, vi("quotas.metric")).set_value("households_visited").run()
    widget(at.selectbox, vi("quotas.method")).set_value("households").run()
    widget(at.number_input, vi("quotas.total")).set_value(10).run()
    assert not at.exception, at.exception
    editor = at.data_editor[0]
    assert list(editor.value["target"]) == [3, 7]  # Thôn Hai 1 household, Thôn Một 2: 3.33, 6.67
    # AppTest applies cell edits through the editor's state in session_state.
    at.session_state[editor.key] = {"edited_rows": {0: {"target": 4}}, "added_rows": [], "deleted_rows": []}
    at.run()
    button(at, vi("quotas.save")).click().run()
    assert not at.exception, at.exception
    assert [x.value for x in at.error] == [vi("quota.err_total_changed", sum=11, total=10)]
    with read_session(e) as s:
        assert s.exec(select(Quota.target).where(Quota.area_id == ids["A2"])).first() is None
    assert vi("fig.q.total_differs", sum=11, total=10) in [w.value for w in at.warning]
    widget(at.checkbox, vi("fig.q.accept_new_total")).check().run()
    button(at, vi("quotas.save")).click().run()
    assert not at.exception, at.exception
    with read_session(e) as s:
        saved = dict(s.exec(select(Quota.area_id, Quota.target).where(Quota.campaign_id == campaign)).all())
    assert saved == {ids["A2"]: 4, ids["A1"]: 7}


def test_at_risk_quotas_lead_by_name_and_captions_say_what_is_counted(world):
    e, ids, team, users = world
    coordinator = f.actor_for(e, users["coordinator"])
    member = f.create_member(e, team_id=team, full_name="Đỗ Văn Nam")
    campaign = make_campaign(e, users["coordinator"], ids["A"])  # Thôn Một: 10 households, at risk
    with write_session(e) as s:
        for kind, owner, target in (("team", team, 40), ("member", member, 0)):
            svc.set_quota(
                s,
                actor=coordinator,
                campaign_id=campaign,
                owner_kind=kind,
                owner_id=owner,
                metric="households_visited",
                target=target,
            )
    at = open_page(users["leader"])
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    # Issue #8: the targets caption read "Mục tiêu: Mục tiêu: % người được hướng dẫn 80%".
    assert vi("fig.q.targets", targets=vi("fig.q.target_guided", pct=80)) in captions
    assert not [c for c in captions if c.count("Mục tiêu") > 1]
    assert vi("fig.q.how_counted") in captions
    # At risk first, worst projection first (team 0 of 40, then the village 0 of 10); on track after.
    names = [m.value for m in at.markdown if m.value.startswith("**")]
    assert names == ["**Tổ Xã An**", "**Thôn Một**", "**Đỗ Văn Nam**"]
    assert [c for c in captions if c.startswith(("Tổ ·", "Thôn ·", "Thành viên ·"))] == [
        vi("fig.q.kind.team"),
        vi("fig.q.kind.area"),
        vi("fig.q.kind.member"),
    ]
    assert at.expander[-1].label == vi("fig.q.on_track_title", count=1)


def test_new_total_choice_appears_only_when_the_rows_change_the_total(world):
    e, ids, _team, users = world
    make_campaign(e, users["coordinator"], ids["A"])
    at = open_page(users["coordinator"])
    widget(at.number_input, vi("quotas.total")).set_value(10).run()
    assert not at.exception, at.exception
    assert not [c for c in at.checkbox if c.label == vi("fig.q.accept_new_total")]
    editor = at.data_editor[0]
    at.session_state[editor.key] = {"edited_rows": {0: {"target": 9}}, "added_rows": [], "deleted_rows": []}
    at.run()
    box = widget(at.checkbox, vi("fig.q.accept_new_total"))
    assert box.help == vi("fig.q.accept_new_total_help")
