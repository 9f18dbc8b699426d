"""The teams page in AppTest: roles, a volunteer's own team only, member form errors, balance applied."""

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from models.db import read_session
from models.tables import Member, TeamVillage
from services.i18n import t
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/teams.py"


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


def open_page(user_id: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = user_id
    return at.switch_page(PAGE).run()


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert len(matches) == 1, [b.label for b in at.button]
    return matches[0]


def widget(items, label: str):
    matches = [w for w in items if w.label == label]
    assert len(matches) == 1, [w.label for w in items]
    return matches[0]


def table_names(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value[vi("teams.col_name")])


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    mine = f.create_team(e, area_id=ids["A"], name="Tổ Xã An", village_ids=(ids["A1"],))
    f.create_team(e, area_id=ids["A2"], name="Tổ Thôn Hai")
    f.create_team(e, area_id=ids["B"], name="Tổ Xã Bình")
    users = {
        "coordinator": f.create_user(e, role="coordinator", area_code="A"),
        "admin": f.create_user(e, role="admin", area_code="P"),
        "leader": f.create_user(e, role="leader", area_code="A"),
        "volunteer": f.create_user(e, role="volunteer", area_code="A", team_id=mine, username="tnv.an"),
    }
    return e, ids, mine, users


@pytest.mark.parametrize("role", ["coordinator", "admin", "leader"])
def test_renders_teams_in_scope(world, role):
    _e, _ids, _mine, users = world
    at = open_page(users[role])
    assert not at.exception, at.exception
    expected = {"Tổ Xã An", "Tổ Thôn Hai"} | ({"Tổ Xã Bình"} if role == "admin" else set())
    assert set(table_names(at)) == expected
    labels = [b.label for b in at.button]
    if role == "leader":
        assert vi("teams.member_save") not in labels and vi("teams.balance_propose") not in labels
        assert vi("teams.read_only") in [c.value for c in at.caption]
    else:
        assert vi("teams.member_save") in labels and vi("teams.balance_propose") in labels


def test_volunteer_sees_only_their_team_read_only(world):
    _e, _ids, _mine, users = world
    at = open_page(users["volunteer"])
    assert not at.exception, at.exception
    assert table_names(at) == ["Tổ Xã An"]
    assert widget(at.selectbox, vi("teams.pick")).options == ["Tổ Xã An · Xã An"]
    assert "tnv.an" in at.dataframe[1].value.to_csv()
    assert vi("teams.member_save") not in [b.label for b in at.button]


def test_member_form_shows_errors_next_to_fields_and_keeps_input(world):
    e, _ids, mine, users = world
    at = open_page(users["coordinator"])
    widget(at.selectbox, vi("teams.pick")).set_value(mine).run()
    widget(at.text_input, vi("teams.full_name")).set_value("Trần Thị Mai")
    widget(at.text_input, vi("teams.phone")).set_value("12ab")
    button(at, vi("teams.member_save")).click().run()
    assert not at.exception, at.exception
    assert [x.value for x in at.error] == [vi("team.err_phone")]
    assert widget(at.text_input, vi("teams.full_name")).value == "Trần Thị Mai"
    with read_session(e) as s:
        assert s.exec(select(Member.id).where(Member.full_name == "Trần Thị Mai")).first() is None
    widget(at.text_input, vi("teams.phone")).set_value("0912 345 678")
    button(at, vi("teams.member_save")).click().run()
    assert not at.exception, at.exception
    assert at.success and at.success[0].value == vi("teams.member_saved")
    with read_session(e) as s:
        assert s.exec(select(Member.phone).where(Member.full_name == "Trần Thị Mai")).scalar() == "0912345678"


def test_size_warning_shown_when_team_is_large(world):
    e, ids, _mine, users = world
    village_team = f.create_team(e, area_id=ids["A1"], name="Tổ Thôn Một")
    for n in range(6):
        f.create_member(e, team_id=village_team, full_name=f"Người {n}")
    at = open_page(users["coordinator"])
    widget(at.selectbox, vi("teams.pick")).set_value(village_team).run()
    assert not at.exception, at.exception
    assert vi("team.size_warning", count=6, limit=5) in [w.value for w in at.warning]


def test_balance_proposal_reviewed_then_applied(world):
    e, ids, mine, users = world
    for _ in range(3):
        f.create_household(e, village_id=ids["A1"])
    f.create_household(e, village_id=ids["A2"])
    f.create_member(e, team_id=mine)
    other = f.create_team(e, area_id=ids["A"], name="Tổ Hai Xã An")
    f.create_member(e, team_id=other)
    at = open_page(users["coordinator"])
    widget(at.selectbox, vi("teams.balance_commune")).set_value(ids["A"]).run()
    button(at, vi("teams.balance_propose")).click().run()
    assert not at.exception, at.exception
    loads = at.dataframe[-2].value
    assert sorted(loads[vi("teams.col_after")]) == [1, 3]
    button(at, vi("teams.balance_apply")).click().run()
    assert not at.exception, at.exception
    with read_session(e) as s:
        rows = set(s.exec(select(TeamVillage.village_id, TeamVillage.team_id)).all())
    assert {v for v, _t in rows} == {ids["A1"], ids["A2"]}
    assert len({t_ for _v, t_ in rows}) == 2
