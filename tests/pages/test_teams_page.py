"""The teams page in AppTest: roles, a volunteer's own team only, member form errors, clearing after a save,
no duplicate member, confirmed leader change, shared-village warnings, balance reviewed then applied."""

from pathlib import Path

import pytest
from sqlalchemy import delete, select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from models.db import read_session, write_session
from models.tables import Member, TeamVillage
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


def table_with(at: AppTest, column: str):
    """The one table on the page that has `column`."""
    tables = [*at.dataframe, *at.table]
    matches = [d.value for d in tables if column in d.value.columns]
    assert len(matches) == 1, [list(d.value.columns) for d in tables]
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
    loads = table_with(at, vi("teams.col_after"))
    assert sorted(loads[vi("teams.col_after")]) == [1, 3]
    button(at, vi("teams.balance_apply")).click().run()
    assert not at.exception, at.exception
    with read_session(e) as s:
        rows = set(s.exec(select(TeamVillage.village_id, TeamVillage.team_id)).all())
    assert {v for v, _t in rows} == {ids["A1"], ids["A2"]}
    assert len({t_ for _v, t_ in rows}) == 2


def fill_member(at: AppTest, name: str, phone: str, *, leader: bool) -> None:
    widget(at.text_input, vi("teams.full_name")).set_value(name)
    widget(at.text_input, vi("teams.phone")).set_value(phone)
    widget(at.checkbox, vi("teams.is_leader")).set_value(leader)


def members_named(engine, name: str) -> list[tuple[str, bool]]:
    with read_session(engine) as s:
        rows = s.exec(select(Member.full_name, Member.is_leader).where(Member.full_name == name)).all()
    return [tuple(r) for r in rows]


def test_member_form_is_empty_after_a_save_and_a_repeat_is_refused(world):
    e, _ids, mine, users = world
    at = open_page(users["coordinator"])
    widget(at.selectbox, vi("teams.pick")).set_value(mine).run()
    fill_member(at, "Trần Thị Mai", "0912345678", leader=True)
    button(at, vi("teams.member_save")).click().run()
    assert not at.exception, at.exception
    assert vi("teams.member_saved") in [x.value for x in at.success]
    # The add form starts afresh: no name, no phone, no leader tick left from the saved member.
    assert widget(at.selectbox, vi("teams.member_pick")).value == 0
    assert widget(at.text_input, vi("teams.full_name")).value == ""
    assert widget(at.text_input, vi("teams.phone")).value == ""
    assert widget(at.checkbox, vi("teams.is_leader")).value is False
    assert members_named(e, "Trần Thị Mai") == [("Trần Thị Mai", True)]

    # The same person again (typed differently) is refused next to the name, and the input stays.
    fill_member(at, "trần thị  mai", "0912 345 678", leader=False)
    button(at, vi("teams.member_save")).click().run()
    assert not at.exception, at.exception
    assert [x.value for x in at.error] == [vi("team.err_member_duplicate", name="Trần Thị Mai")]
    assert widget(at.text_input, vi("teams.full_name")).value == "trần thị  mai"
    assert members_named(e, "Trần Thị Mai") == [("Trần Thị Mai", True)]


def test_moving_the_leader_flag_asks_first(world):
    e, _ids, mine, users = world
    at = open_page(users["coordinator"])
    widget(at.selectbox, vi("teams.pick")).set_value(mine).run()
    fill_member(at, "Trần Thị Mai", "0912345678", leader=True)
    button(at, vi("teams.member_save")).click().run()  # the team had no leader: no question

    fill_member(at, "Lò Văn Bình", "0987654321", leader=True)
    button(at, vi("teams.member_save")).click().run()
    assert not at.exception, at.exception
    question = vi("teams.leader_confirm", leader="Trần Thị Mai", name="Lò Văn Bình")
    assert question in [w.value for w in at.warning]
    assert not at.success
    assert members_named(e, "Trần Thị Mai") == [("Trần Thị Mai", True)]  # A keeps the flag...
    assert members_named(e, "Lò Văn Bình") == []  # ...and nothing is written before the answer

    # "No": nothing saved, the input stays for a second look.
    button(at, vi("teams.leader_confirm_no", leader="Trần Thị Mai")).click().run()
    assert vi("teams.leader_kept", leader="Trần Thị Mai") in [i.value for i in at.info]
    assert widget(at.text_input, vi("teams.full_name")).value == "Lò Văn Bình"
    assert members_named(e, "Lò Văn Bình") == []

    # Ask again, then "yes": B leads, A no longer does, and the form is empty.
    button(at, vi("teams.member_save")).click().run()
    button(at, vi("teams.leader_confirm_yes", name="Lò Văn Bình")).click().run()
    assert not at.exception, at.exception
    assert vi("teams.member_saved") in [x.value for x in at.success]
    assert members_named(e, "Lò Văn Bình") == [("Lò Văn Bình", True)]
    assert members_named(e, "Trần Thị Mai") == [("Trần Thị Mai", False)]
    assert widget(at.text_input, vi("teams.full_name")).value == ""
    assert widget(at.checkbox, vi("teams.is_leader")).value is False
    assert not [w for w in at.warning if w.value == question]


def test_a_village_given_to_a_second_team_is_warned(world):
    e, ids, mine, users = world
    other = f.create_team(e, area_id=ids["A"], name="Tổ Hai Xã An")
    at = open_page(users["coordinator"])
    widget(at.selectbox, vi("teams.pick")).set_value(other).run()
    picker = widget(at.multiselect, vi("teams.villages"))
    assert vi("teams.village_option_taken", name="Thôn Một", n=0) in picker.options
    picker.set_value([ids["A1"]])
    button(at, vi("teams.villages_save")).click().run()
    assert not at.exception, at.exception
    shared = vi("team.village_shared", village="Thôn Một", teams="Tổ Xã An")
    # After the save (beside the form) and on the team's view: Thôn Một is also Tổ Xã An's.
    assert vi("teams.villages_saved") + " " + shared in [w.value for w in at.warning]
    assert shared in [w.value for w in at.warning]
    at.run()
    assert shared in [w.value for w in at.warning]
    with read_session(e) as s:
        holders = (
            s.exec(select(TeamVillage.team_id).where(TeamVillage.village_id == ids["A1"])).scalars().all()
        )
    assert sorted(holders) == sorted([mine, other])  # shared is allowed, with the warning

    f.create_member(e, team_id=mine)
    f.create_member(e, team_id=other)
    widget(at.selectbox, vi("teams.balance_commune")).set_value(ids["A"]).run()
    button(at, vi("teams.balance_propose")).click().run()
    assert not at.exception, at.exception
    everywhere = vi("team.village_shared_all", village="Thôn Một", teams="Tổ Hai Xã An, Tổ Xã An")
    assert everywhere in [w.value for w in at.warning]


def test_a_balanced_commune_gets_no_proposal_and_an_unbalanced_one_says_why(world):
    e, ids, mine, users = world
    for _ in range(4):
        f.create_household(e, village_id=ids["A1"])
    for _ in range(4):
        f.create_household(e, village_id=ids["A2"])
    other = f.create_team(e, area_id=ids["A"], name="Tổ Hai Xã An", village_ids=(ids["A2"],))
    f.create_member(e, team_id=other)  # one member each (Tổ Xã An has its volunteer): 4 and 4
    at = open_page(users["coordinator"])
    widget(at.selectbox, vi("teams.balance_commune")).set_value(ids["A"]).run()
    button(at, vi("teams.balance_propose")).click().run()
    assert not at.exception, at.exception
    assert vi("teams.balance_none", gap="0,0") in [i.value for i in at.info]
    assert vi("teams.balance_apply") not in [b.label for b in at.button]

    # Tổ Hai Xã An gets a second member and both villages: 8 households for 2 members against 0.
    f.create_member(e, team_id=other, full_name="Lò Văn Bình")
    with write_session(e) as s:
        s.add(TeamVillage(team_id=other, village_id=ids["A1"]))
        s.exec(delete(TeamVillage).where(TeamVillage.team_id == mine))
    button(at, vi("teams.balance_propose")).click().run()
    assert not at.exception, at.exception
    texts = [m.value for m in at.markdown]
    assert vi("teams.balance_gap", before="4,0", after="2,0") in texts
    loads = table_with(at, vi("teams.col_per_member")).set_index(vi("teams.col_name"))
    assert loads.loc["Tổ Hai Xã An", vi("teams.col_per_member")] == "4,0 → 2,0"
    assert loads.loc["Tổ Xã An", vi("teams.col_per_member")] == "0,0 → 4,0"
