"""The overview page in AppTest: every role opens it and sees its own scope's figures; a commune leader
never sees another commune's figures, whether the area comes from a crafted ?area= or from session
state; drill-down by the picker and back up by the breadcrumb; the charts' tables hold the service's rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import t
from models.db import read_session, write_session
from services import overview as svc
from services.printing import charts
from services.teams.campaigns import create_campaign, set_quota
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/overview.py"
KEY_AREA = "overview.area_id"


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


@pytest.fixture
def world(sqlite_engine):
    """Province P: commune A (villages A1 with 3 residents, A2 with 1) and commune B (village B1 with 5)."""
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    for village, residents in ((ids["A1"], 3), (ids["A2"], 1), (ids["B1"], 5)):
        home = f.create_household(e, village_id=village)
        for i in range(residents):
            f.create_resident(
                e, household_id=home, full_name=f"Người {i}", birth_year=None if i == 2 else 1960 + i
            )
    users = {
        "province_leader": f.create_user(e, role="leader", area_code="P"),
        "leader": f.create_user(e, role="leader", area_code="A"),
        "coordinator": f.create_user(e, role="coordinator", area_code="A"),
        "admin": f.create_user(e, role="admin", area_code="P"),
        "volunteer": f.create_user(e, role="volunteer", area_code="A", team_id=team),
    }
    return {"ids": ids, "users": users}


def open_overview(user_id: int, *, area: int | None = None, param: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth.user_id"] = user_id
    if area is not None:
        at.session_state[KEY_AREA] = area
    at.run()
    at.switch_page(PAGE)
    if param is not None:
        at.query_params["area"] = param
    return at.run()


def metric(at: AppTest, key: str) -> str:
    return {m.label: m.value for m in at.metric}[vi(key)]


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [b.label for b in at.button] + [str(s.options) for s in at.selectbox]
    parts += [m.label + m.value for m in at.metric] + [d.value.to_csv() for d in at.dataframe]
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("role", "residents", "scope"),
    [
        ("province_leader", "9", "Tỉnh Thử"),
        ("leader", "4", "Xã An"),
        ("coordinator", "4", "Xã An"),
        ("admin", "9", "Tỉnh Thử"),
        ("volunteer", "3", None),  # the team's village A1 only
    ],
)
def test_every_role_opens_the_overview_of_its_scope(world, role, residents, scope):
    at = open_overview(world["users"][role])
    assert not at.exception, at.exception
    assert at.title[0].value == vi("nav.overview")
    assert not at.error, [e.value for e in at.error]
    assert metric(at, "ov.residents") == residents
    if scope:
        assert f"**{scope}**" in [m.value for m in at.markdown]
    if role == "volunteer":
        assert vi("ov.team_only") in [i.value for i in at.info]
    assert at.get("vega_lite_chart"), "no chart drawn"


@pytest.mark.parametrize("how", ["param", "state"])
def test_a_commune_leader_never_sees_another_communes_figures(world, how):
    other = world["ids"]["B"]
    if how == "param":
        at = open_overview(world["users"]["leader"], param=str(other))
    else:
        at = open_overview(world["users"]["leader"], area=other)
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [vi("err.out_of_scope")]
    assert not at.metric and not at.get("vega_lite_chart")
    assert "Xã Bình" not in all_text(at) and "Thôn Ba" not in all_text(at)
    # The way back: the user's own area.
    at.button(key="ov.back").click().run()
    assert not at.error
    assert metric(at, "ov.residents") == "4"


def test_the_province_leader_drills_down_and_back_up(world):
    ids = world["ids"]
    at = open_overview(world["users"]["province_leader"])
    picker = at.selectbox(key="overview.child_pick")
    assert picker.options == ["Xã An", "Xã Bình"]
    picker.set_value(ids["B"]).run()
    assert not at.exception, at.exception
    assert metric(at, "ov.residents") == "5"
    assert "**Xã Bình**" in [m.value for m in at.markdown]
    assert at.query_params["area"] == str(ids["B"])
    at.button(key=f"ov.crumb.{ids['P']}").click().run()
    assert metric(at, "ov.residents") == "9"
    assert "area" not in at.query_params


def test_the_charts_tables_hold_the_services_rows(world):
    at = open_overview(world["users"]["leader"])
    at.toggle(key="ov.table.all_five").set_value(True).run()
    at.toggle(key="ov.table.coverage").set_value(True).run()
    tables = [d.value for d in at.dataframe]
    all_five = next(tb for tb in tables if vi("ov.chart.all_five") in tb.columns)
    # Commune A: village A1 with 3 residents and A2 with 1, nobody mastering all five yet.
    assert sorted(all_five[vi("ov.chart.area")]) == ["Thôn Hai", "Thôn Một"]
    assert dict(zip(all_five[vi("ov.chart.area")], all_five[vi("ov.chart.residents")], strict=True)) == {
        "Thôn Một": 3,
        "Thôn Hai": 1,
    }
    coverage = next(tb for tb in tables if vi("ov.chart.last_outcome") in tb.columns)
    never = coverage[coverage[vi("ov.chart.last_outcome")] == vi("reg.visit.never")]
    assert dict(zip(never[vi("ov.chart.area")], never[vi("ov.chart.households")], strict=True)) == {
        "Thôn Một": 1,
        "Thôn Hai": 1,
    }


def test_english_switch_translates_the_page(world):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth.user_id"] = world["users"]["leader"]
    at.session_state["ui.lang"] = "en"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == t("nav.overview", "en")
    assert t("ov.residents", "en") in [m.label for m in at.metric]


def drawn_frames(at: AppTest) -> list[pd.DataFrame]:
    """The data every chart on the page was sent with (Streamlit ships a chart's datasets as Arrow)."""
    frames = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frames.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pandas())
    return frames


def test_the_drawn_charts_carry_the_services_rows(world, sqlite_engine):
    at = open_overview(world["users"]["province_leader"])
    actor = f.actor_for(sqlite_engine, world["users"]["province_leader"])
    with read_session(sqlite_engine) as s:
        data = svc.overview(s, actor=actor, period=svc.this_week(), use_cache=False)
    frames = drawn_frames(at)
    ladder = next(fr for fr in frames if "level" in fr.columns)
    assert list(zip(ladder["skill"], ladder["level"], ladder["residents"], strict=True)) == [
        (r.skill, r.level, r.residents) for r in data.skill_ladder
    ]
    all_five = next(fr for fr in frames if "all_five" in fr.columns)
    assert sorted(
        zip(all_five["area_id"], all_five["residents"], all_five["all_five"], strict=True)
    ) == sorted((c.area_id, c.residents, c.all_five) for c in data.children)
    coverage = next(fr for fr in frames if "outcome" in fr.columns)
    drawn = {
        (a, o): n
        for a, o, n in zip(coverage["area"], coverage["outcome"], coverage["households"], strict=True)
    }
    assert drawn == {(c.name, o): getattr(c.outcomes, o) for c in data.children for o in charts.OUTCOME_ORDER}
    barriers = next(fr for fr in frames if "label" in fr.columns and fr["of"].isna().all())
    assert list(barriers["residents"]) == [b.residents for b in data.barriers]


def test_the_quota_chart_table_holds_the_services_quota_rows(world, sqlite_engine):
    ids, users = world["ids"], world["users"]
    team = f.create_team(sqlite_engine, area_id=ids["A"], name="Tổ Thôn Một", village_ids=(ids["A1"],))
    member = f.create_member(sqlite_engine, team_id=team, full_name="Trần Văn Nam")
    coordinator = f.actor_for(sqlite_engine, users["coordinator"])
    with write_session(sqlite_engine) as s:
        cid = create_campaign(
            s,
            actor=coordinator,
            area_id=ids["A"],
            name="Chiến dịch",
            starts_on=f.today_minus(30),
            ends_on=f.today_minus(-30),
        )
        for kind, owner, metric, target in (
            ("member", member, "households_visited", 5),
            ("team", team, "residents_guided", 8),
            ("area", ids["A1"], "households_visited", 4),  # not a team's or a member's: not drawn
        ):
            set_quota(
                s,
                actor=coordinator,
                campaign_id=cid,
                owner_kind=kind,
                owner_id=owner,
                metric=metric,
                target=target,
            )
    svc.clear_cache()
    at = open_overview(users["leader"])  # the first period offered is the campaign
    assert not at.exception, at.exception
    assert at.selectbox(key="overview.period_kind").value == "campaign"
    at.toggle(key="ov.table.quota").set_value(True).run()
    table = next(d.value for d in at.dataframe if vi("ov.chart.quota_share") in d.value.columns)
    with read_session(sqlite_engine) as s:
        period = svc.campaign_period(s, actor=f.actor_for(sqlite_engine, users["leader"]), campaign_id=cid)
        data = svc.overview(
            s, actor=f.actor_for(sqlite_engine, users["leader"]), period=period, use_cache=False
        )
    rows = [r for r in data.headline.quota.rows if r.owner_kind != "area"]
    rows.sort(key=lambda r: ("team", "member").index(r.owner_kind))
    assert [r.owner_name for r in rows] == ["Tổ Thôn Một", "Trần Văn Nam"]
    assert list(
        zip(
            table[vi("ov.chart.owner")],
            table[vi("ov.chart.progress")],
            table[vi("ov.chart.quota_target")],
            strict=True,
        )
    ) == [(r.owner_name, r.progress, r.target) for r in rows]
    assert list(table[vi("ov.chart.owner_kind")]) == [vi("owner.team"), vi("owner.member")]
    at_risk = {True: vi("ov.chart.at_risk"), False: vi("ov.chart.on_track")}
    assert list(table[vi("ov.chart.status")]) == [at_risk[r.at_risk] for r in rows]


def test_trend_conversion_and_the_weeks_change_are_drawn_from_the_service(world, sqlite_engine):
    """The volunteer guides a resident of A1 who does three skills alone: the leader's page shows the
    change over 7 days under the figures, the trend's weekly rows, and the team's conversion with the
    number of residents behind each share; the coverage table lists the overdue revisit."""
    from sqlalchemy import select

    from models.tables import Resident
    from services.visits.record import ResidentInput, VisitInput, record_visit

    ids, users = world["ids"], world["users"]
    volunteer = f.actor_for(sqlite_engine, users["volunteer"])
    with read_session(sqlite_engine) as s:
        resident, household = s.exec(
            select(Resident.id, Resident.household_id).where(Resident.full_name == "Người 0")
        ).first()
    with write_session(sqlite_engine) as s:
        record_visit(
            s,
            actor=volunteer,
            data=VisitInput(
                "page-trend",
                f.today_minus(1),
                "home",
                "done",
                household_id=household,
                follow_up_on=f.today_minus(0),
                residents=[ResidentInput(resident, {"guide_submit"}, {"submit": 3, "pay": 3, "apps": 3})],
            ),
        )
    svc.clear_cache()
    at = open_overview(users["leader"])
    assert not at.exception, at.exception
    deltas = {m.label: m.delta for m in at.metric}
    # Everyone in this world was registered today: +4 residents, and no share a week ago to compare.
    assert deltas[vi("ov.residents")] == "+4"
    assert not deltas[vi("ov.guided")]
    actor = f.actor_for(sqlite_engine, users["leader"])
    with read_session(sqlite_engine) as s:
        data = svc.overview(s, actor=actor, period=svc.this_week(), use_cache=False)
    assert data.headline.change.guided == 1 and dict(data.headline.change.mastered)["pay"] == 1
    frames = drawn_frames(at)
    trend = next(fr for fr in frames if "cumulative" in fr.columns)
    assert sorted(zip(trend["skill"], trend["reached"], trend["cumulative"], strict=True)) == sorted(
        (r.skill, r.reached, r.cumulative) for r in data.trend.rows
    )
    assert trend.groupby("skill")["cumulative"].max().to_dict() == {
        "submit": 1,
        "pay": 1,
        "feedback": 0,
        "receive": 0,
        "apps": 1,
    }
    conversion = next(fr for fr in frames if "guided" in fr.columns and "cell" in fr.columns)
    team_rows = [r for r in data.conversion if r.owner == "team"]
    assert sorted(
        zip(conversion["skill"], conversion["guided"], conversion["reached"], strict=True)
    ) == sorted((r.skill, r.guided, r.reached) for r in team_rows)
    assert {r.skill: (r.guided, r.reached) for r in team_rows}["pay"] == (1, 1)
    assert vi("ov.chart.cell", share="100%", n=1) in set(conversion["cell"])
    # Chart 4 (coverage) keeps its revisit overdue: none yet, the follow-up is today.
    at.toggle(key="ov.table.coverage").set_value(True).run()
    coverage = next(d.value for d in at.dataframe if vi("ov.chart.overdue") in d.value.columns)
    assert set(coverage[vi("ov.chart.overdue")]) == {0}
    assert ids["A1"]


def test_satisfaction_shows_the_areas_average_count_and_each_area_and_team(world, sqlite_engine):
    """Three residents of A1 guided today by the volunteer rate 5, 4 and 2: the commune leader's page
    shows 11 / 3 = 3,7 of 5 from 3 ratings, 67 % satisfied; the table lists village A2 and the team
    with their ratings, A2 with none."""
    from sqlalchemy import select

    from models.tables import Household, Resident
    from services.visits.record import ResidentInput, VisitInput, record_visit

    ids, users = world["ids"], world["users"]
    at = open_overview(users["leader"])  # before any rating: said so, no chart
    assert vi("ov.sat.none") in [i.value for i in at.info]
    assert vi("ov.sat.average") not in [m.label for m in at.metric]
    with read_session(sqlite_engine) as s:
        people = s.exec(
            select(Resident.id, Resident.household_id)
            .join(Household, Household.id == Resident.household_id)
            .where(Household.village_id == ids["A1"])
            .order_by(Resident.full_name)
        ).all()
    assert len({household for _rid, household in people}) == 1 and len(people) == 3
    with write_session(sqlite_engine) as s:
        record_visit(
            s,
            actor=f.actor_for(sqlite_engine, users["volunteer"]),
            data=VisitInput(
                "page-satisfaction",
                f.today_minus(0),
                "home",
                "done",
                household_id=people[0][1],
                residents=[
                    ResidentInput(rid, guidance={"guide_pay"}, satisfaction=score)
                    for (rid, _household), score in zip(people, (5, 4, 2), strict=True)
                ],
            ),
        )
    svc.clear_cache()
    at = open_overview(users["leader"])
    assert not at.exception, at.exception
    assert metric(at, "ov.sat.average") == "3,7 / 5"
    assert vi("ov.sat.average_help", n="3", share="67%") in [c.value for c in at.caption]
    assert vi("ov.sat.none") not in [i.value for i in at.info]
    with read_session(sqlite_engine) as s:
        data = svc.overview(
            s, actor=f.actor_for(sqlite_engine, users["leader"]), period=svc.this_week(), use_cache=False
        )
    assert data.satisfaction.by_score == (0, 1, 0, 1, 1)
    at.toggle(key="ov.table.satisfaction").set_value(True).run()
    table = next(d.value for d in at.dataframe if vi("ov.sat.ratings") in d.value.columns)
    assert list(table[vi("ov.sat.name")]) == [r.name for r in data.satisfaction_rows]
    assert list(table[vi("ov.sat.name")]) == ["Thôn Hai", "Thôn Một", "Tổ CNS"]
    assert list(table[vi("ov.sat.ratings")]) == [0, 3, 3]
    assert table[vi("ov.sat.average")].round(2).fillna(-1).tolist() == [-1, 3.67, 3.67]
    assert list(table[vi("ov.sat.score", score=4)]) == [0, 1, 1]
