"""The emulation board page in AppTest: each role sees only its area's figures — a commune's leader and
coordinator their commune's villages and teams, a province leader the campaign they pick (and a commune
below), a volunteer their own team's place and nobody else's, a leader of another commune not this one's
campaign at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import t
from models.db import write_session
from services.teams.campaigns import create_campaign, set_quota
from services.visits.record import VisitInput, record_visit
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/emulation.py"
A_NAMES = ("Thôn Một", "Thôn Hai", "Thôn Mới", "Tổ Một", "Tổ Hai")
B_NAMES = ("Thôn Ba", "Tổ Bình")


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


def _campaign(engine, coordinator, area_id, name, quotas) -> int:
    with write_session(engine) as s:
        cid = create_campaign(
            s,
            actor=coordinator,
            area_id=area_id,
            name=name,
            starts_on=f.today_minus(30),
            ends_on=f.today_minus(-30),
        )
        for kind, owner, target in quotas:
            set_quota(
                s,
                actor=coordinator,
                campaign_id=cid,
                owner_kind=kind,
                owner_id=owner,
                metric="households_visited",
                target=target,
            )
    return cid


@pytest.fixture
def world(sqlite_engine):
    """Commune A's campaign: Thôn Một 1 of 2 households visited and Thôn Hai 2 of 4 (both 50 %, tied
    first), Thôn Mới no quota; Tổ Một 1 of 4 (2nd), Tổ Hai 2 of 2 (1st), all visits within the last
    7 days. Commune B's campaign: Thôn Ba and Tổ Bình, nothing visited."""
    e = sqlite_engine
    ids = f.create_tree(e)
    f.create_area(e, code="A3", name="Thôn Mới", level="village", parent_code="A")  # no quota
    one = f.create_team(e, area_id=ids["A"], name="Tổ Một", village_ids=(ids["A1"],))
    two = f.create_team(e, area_id=ids["A"], name="Tổ Hai", village_ids=(ids["A2"],))
    binh = f.create_team(e, area_id=ids["B"], name="Tổ Bình", village_ids=(ids["B1"],))
    users = {
        "leader": f.create_user(e, role="leader", area_code="A"),
        "coordinator": f.create_user(e, role="coordinator", area_code="A"),
        "province_leader": f.create_user(e, role="leader", area_code="P"),
        "admin": f.create_user(e, role="admin", area_code="P"),
        "volunteer": f.create_user(e, role="volunteer", area_code="A", team_id=one),
        "volunteer_two": f.create_user(e, role="volunteer", area_code="A", team_id=two),
        "leader_b": f.create_user(e, role="leader", area_code="B"),
        "coordinator_b": f.create_user(e, role="coordinator", area_code="B"),
    }
    actor = {k: f.actor_for(e, uid) for k, uid in users.items()}
    quotas_a = [("area", ids["A1"], 2), ("area", ids["A2"], 4), ("team", one, 4), ("team", two, 2)]
    campaign_a = _campaign(e, actor["coordinator"], ids["A"], "Thi đua xã An", quotas_a)
    quotas_b = [("area", ids["B1"], 3), ("team", binh, 3)]
    _campaign(e, actor["coordinator_b"], ids["B"], "Thi đua xã Bình", quotas_b)
    visits = [("volunteer", ids["A1"], 1), ("volunteer_two", ids["A2"], 2), ("volunteer_two", ids["A2"], 2)]
    homes = [f.create_household(e, village_id=village) for _who, village, _d in visits]
    with write_session(e) as s:
        for n, ((who, _v, days_ago), home) in enumerate(zip(visits, homes, strict=True)):
            data = VisitInput(f"emu-page-{n}", f.today_minus(days_ago), "home", "done", household_id=home)
            record_visit(s, actor=actor[who], data=data)
    return {"ids": ids, "users": users, "campaign_a": campaign_a}


def open_board(user_id: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth.user_id"] = user_id
    at.run()
    at.switch_page(PAGE)
    return at.run()


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [str(s.options) for s in at.selectbox]
    parts += [m.label + m.value for m in at.metric] + [d.value.to_csv() for d in at.dataframe]
    return "\n".join(parts)


def tables(at: AppTest) -> list[list[tuple]]:
    """Each table's (rank, name, share, achieved/target, change since last week) rows."""
    keys = ("emu.col.rank", "emu.col.name", "emu.col.share", "emu.col.achieved", "emu.col.change")
    columns = [vi(k) for k in keys]
    return [list(d.value[columns].itertuples(index=False, name=None)) for d in at.dataframe]


# A week ago nobody had visited: every share 0, everyone tied first.
COMMUNE_A = [
    [
        ("1 (đồng hạng)", "Thôn Hai", "50%", "2 / 4", "+50,0 điểm %"),
        ("1 (đồng hạng)", "Thôn Một", "50%", "1 / 2", "+50,0 điểm %"),
        ("–", "Thôn Mới", "Chưa giao chỉ tiêu", "–", "–"),
    ],
    [
        ("1", "Tổ Hai", "100%", "2 / 2", "+100,0 điểm %"),
        ("2", "Tổ Một", "25%", "1 / 4", "▼ 1 · +25,0 điểm %"),
    ],
]


@pytest.mark.parametrize("role", ["leader", "coordinator"])
def test_a_communes_leader_and_coordinator_see_their_communes_board(world, role):
    at = open_board(world["users"][role])
    assert not at.exception, at.exception
    assert at.title[0].value == vi("emu.nav")
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="emulation.campaign_id").options == ["Thi đua xã An"]
    assert [h.value for h in at.subheader] == [vi("emu.villages"), vi("emu.teams")]
    assert tables(at) == COMMUNE_A
    assert at.get("vega_lite_chart"), "no chart drawn"
    text = all_text(at)
    assert vi("emu.movers") in text and "**Tổ Hai**" in text
    assert not any(name in text for name in B_NAMES)


@pytest.mark.parametrize("role", ["province_leader", "admin"])
def test_a_province_user_picks_the_campaign_and_the_commune(world, role):
    ids = world["ids"]
    at = open_board(world["users"][role])
    assert not at.exception, at.exception
    picker = at.selectbox(key="emulation.campaign_id")
    assert sorted(picker.options) == ["Thi đua xã An", "Thi đua xã Bình"]
    picker.set_value(world["campaign_a"]).run()
    assert tables(at) == COMMUNE_A  # the province's board of commune A's campaign: commune A
    area = at.selectbox(key="emulation.area_id")
    assert area.options == ["Tỉnh Thử", "Xã An", "Xã Bình"]
    area.set_value(ids["B"]).run()  # commune B has no part in commune A's campaign
    assert not at.exception, at.exception
    assert not at.dataframe
    assert [i.value for i in at.info] == [vi("emu.empty"), vi("emu.empty")]


def test_a_volunteer_sees_only_their_own_teams_place(world):
    at = open_board(world["users"]["volunteer"])
    assert not at.exception, at.exception
    assert vi("emu.team_only") in [i.value for i in at.info]
    assert [(m.label, m.value, m.delta) for m in at.metric] == [
        (vi("emu.your_team", team="Tổ Một"), vi("emu.place", rank=2, n=2), vi("emu.places_delta", n="-1"))
    ]
    assert not at.dataframe and not at.get("vega_lite_chart")
    text = all_text(at)
    assert "Tổ Hai" not in text and "Thôn" not in text  # no other team's nor any village's figures
    assert not any(name in text for name in B_NAMES)
    other = open_board(world["users"]["volunteer_two"])
    assert [(m.label, m.value) for m in other.metric] == [
        (vi("emu.your_team", team="Tổ Hai"), vi("emu.place", rank=1, n=2))
    ]
    assert "Tổ Một" not in all_text(other)


def test_a_leader_of_another_commune_never_sees_this_communes_board(world):
    at = open_board(world["users"]["leader_b"])
    assert not at.exception, at.exception
    assert at.selectbox(key="emulation.campaign_id").options == ["Thi đua xã Bình"]
    text = all_text(at)
    assert not any(name in text for name in A_NAMES)
    assert tables(at) == [
        [("1", "Thôn Ba", "0%", "0 / 3", "+0,0 điểm %")],
        [("1", "Tổ Bình", "0%", "0 / 3", "+0,0 điểm %")],
    ]


def test_english_switch_translates_the_page(world):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth.user_id"] = world["users"]["leader"]
    at.session_state["ui.lang"] = "en"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == t("emu.nav", "en")
    assert [h.value for h in at.subheader] == [t("emu.villages", "en"), t("emu.teams", "en")]
