"""The overview's dated figures on a hand-built commune: the change over the last 7 days, the weekly
trend toward a campaign target, guidance that led to level 3 per team and member (a team counts
distinct residents, never the sum of its members), revisits overdue, and quotas bounded to the area.
Every expected value is worked out by hand in the comments; the rollups equal a recount at each step."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import today, utcnow, week_start
from models.db import read_session, write_session
from services import overview as ov
from services.rollups.recount import compare
from services.teams.campaigns import create_campaign, set_quota
from services.visits.corrections import withdraw_visit
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_cache():
    ov.clear_cache()
    yield
    ov.clear_cache()


def _world(engine):
    """Team T1 (commune A, villages A1 and A2) with volunteers M1 and M2; team T2 in commune B.
    A1: hh1 = r1 (born 1980, registered 30 days ago), r2 (born 2015, a child); hh2 = r3 (born 1990,
    registered 3 days ago). Visits (T = today):
      V1 T-20 hh1 done, M1 with M2: r1 guided (submit), submit level 1;
      V2 T-5  hh1 done, M1: r1 guided (pay), submit 3 and pay 3;
      V3 T-2  hh2 done, M2: r3 guided (apps), apps 3; follow-up T-1 (overdue today)."""
    w = f.create_tree(engine)
    t1 = f.create_team(engine, area_id=w["A"], name="Tổ Một", village_ids=(w["A1"], w["A2"]))
    t2 = f.create_team(engine, area_id=w["B"], name="Tổ Hai", village_ids=(w["B1"],))
    w.update(t1=t1, t2=t2)
    w["vol1"] = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=t1))
    w["vol2"] = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=t1))
    f.create_user(engine, role="volunteer", area_code="B", team_id=t2)
    w["leader"] = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    w["leader_b"] = f.actor_for(engine, f.create_user(engine, role="leader", area_code="B"))
    w["leader_p"] = f.actor_for(engine, f.create_user(engine, role="leader", area_code="P"))
    w["coord_p"] = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="P"))
    w["coord"] = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    hh1 = f.create_household(engine, village_id=w["A1"])
    hh2 = f.create_household(engine, village_id=w["A1"])
    long_ago = utcnow() - timedelta(days=30)
    r1 = f.create_resident(engine, household_id=hh1, birth_year=1980, created_at=long_ago)
    f.create_resident(engine, household_id=hh1, full_name="Lê Bé", birth_year=2015, created_at=long_ago)
    r3 = f.create_resident(
        engine,
        household_id=hh2,
        full_name="Trần Ba",
        birth_year=1990,
        created_at=utcnow() - timedelta(days=3),
    )
    m2 = w["vol2"].member_id
    w["v1"] = _visit(
        engine, w["vol1"], "v1", hh1, 20, [ResidentInput(r1, {"guide_submit"}, {"submit": 1})], [m2]
    )
    w["v2"] = _visit(
        engine, w["vol1"], "v2", hh1, 5, [ResidentInput(r1, {"guide_pay"}, {"submit": 3, "pay": 3})]
    )
    w["v3"] = _visit(
        engine, w["vol2"], "v3", hh2, 2, [ResidentInput(r3, {"guide_apps"}, {"apps": 3})], follow_up=1
    )
    w.update(hh1=hh1, hh2=hh2, r1=r1, r3=r3)
    return w


def _visit(engine, actor, key, household, days_ago, residents, members=(), follow_up=None):
    data = VisitInput(
        key,
        f.today_minus(days_ago),
        "home",
        "done",
        household_id=household,
        member_ids=list(members),
        follow_up_on=f.today_minus(follow_up) if follow_up is not None else None,
        residents=residents,
    )
    with write_session(engine) as s:
        return record_visit(s, actor=actor, data=data)


def _overview(engine, actor, area_id=None, period=None):
    with read_session(engine) as s:
        return ov.overview(
            s, actor=actor, area_id=area_id, period=period or ov.last_4_weeks(), use_cache=False
        )


def _conversion(o, owner):
    return {(r.name, r.skill): (r.guided, r.reached) for r in o.conversion if r.owner == owner}


def test_change_over_the_last_seven_days_and_overdue_revisits(engine):
    w = _world(engine)
    with read_session(engine) as s:
        assert compare(s) == []
    o = _overview(engine, w["leader"])
    c = o.headline.change
    assert c.since == today() - timedelta(days=6)
    # r3 was registered 3 days ago (an adult); r1, r2 30 days ago.
    assert (c.residents, c.adults) == (1, 1)
    # First guided in the window: r3 (T-2); r1 was first guided T-20.
    assert c.guided == 1
    # Reached level 3 in the window: r1 in submit and pay (T-5), r3 in apps (T-2).
    assert dict(c.mastered) == {"submit": 1, "pay": 1, "feedback": 0, "receive": 0, "apps": 1}
    assert (c.all_five, c.households_done) == (0, 1)  # hh2 first done T-2; hh1 T-20
    assert o.headline.overdue == 1  # hh2's follow-up T-1
    assert [(ch.name, ch.overdue) for ch in o.children] == [("Thôn Hai", 0), ("Thôn Một", 1)]


def test_trend_cumulative_by_week_with_target_and_pace(engine):
    w = _world(engine)
    with write_session(engine) as s:
        cid = create_campaign(
            s,
            actor=w["coord"],
            area_id=w["A"],
            name="Đợt cao điểm",
            starts_on=f.today_minus(27),
            ends_on=f.today_minus(-20),
            target_all_five_pct=50,
        )
    with read_session(engine) as s:
        period = ov.campaign_period(s, actor=w["leader"], campaign_id=cid)
    o = _overview(engine, w["leader"], period=period)
    weeks = sorted({r.week for r in o.trend.rows})
    # At least the last 8 weeks, though the campaign began 27 days ago.
    assert weeks[0] == week_start(today()) - timedelta(weeks=7) and weeks[-1] == week_start(today())
    assert len(weeks) == 8
    rows = {(r.week, r.skill): (r.reached, r.cumulative) for r in o.trend.rows}
    assert rows[(week_start(today() - timedelta(days=5)), "submit")][0] == 1  # r1, T-5
    assert rows[(weeks[-1], "submit")][1] == 1 and rows[(weeks[-1], "apps")][1] == 1
    assert rows[(weeks[-1], "feedback")] == (0, 0)
    # Target: 50 % of the 3 residents of commune A, rounded up = 2; 20 days left = 3 weeks.
    pace = {p.skill: p for p in o.trend.pace}
    assert (pace["submit"].target, pace["submit"].current, pace["submit"].weeks_left) == (2, 1, 3)
    assert pace["submit"].needed_per_week == round(1 / 3, 1)
    assert pace["feedback"].needed_per_week == round(2 / 3, 1)
    assert o.trend.campaign_end == f.today_minus(-20) and o.trend.target_share == 0.5
    assert _overview(engine, w["leader"]).trend.pace == ()  # no campaign chosen: no target


def test_conversion_per_team_counts_distinct_residents(engine):
    w = _world(engine)
    o = _overview(engine, w["leader"])
    vol1, vol2 = w["vol1"], w["vol2"]
    names = {vol1.member_id: None, vol2.member_id: None}
    member_rows = [r for r in o.conversion if r.owner == "member"]
    for r in member_rows:
        names[r.owner_id] = r.name
    team = _conversion(o, "team")
    # T1 guided r1 (T-20) and r3 (T-2): 2 residents, though M2 guided both and M1 guided r1 (3 in sum).
    assert team == {
        ("Tổ Một", "submit"): (2, 1),  # r1 reached T-5, after being guided
        ("Tổ Một", "pay"): (2, 1),
        ("Tổ Một", "feedback"): (2, 0),
        ("Tổ Một", "receive"): (2, 0),
        ("Tổ Một", "apps"): (2, 1),  # r3, same day as guided
    }
    members = _conversion(o, "member")
    m1, m2 = names[vol1.member_id], names[vol2.member_id]
    assert {s: members[(m1, s)] for s in ("submit", "apps")} == {"submit": (1, 1), "apps": (1, 0)}
    assert {s: members[(m2, s)] for s in ("submit", "apps")} == {"submit": (2, 1), "apps": (2, 1)}
    # The period bounds the guidance: the last 7 days hold only r3's (V3).
    week = _overview(engine, w["leader"], period=ov.date_range(today() - timedelta(days=1), today()))
    assert _conversion(week, "team")[("Tổ Một", "apps")] == (1, 1)
    assert ("Tổ Một", "submit") in _conversion(week, "team")
    # Withdrawing V2 takes r1 back below level 3: no conversion left in submit and pay.
    with write_session(engine) as s:
        withdraw_visit(s, actor=w["vol1"], visit_id=w["v2"], reason="entered twice")
    with read_session(engine) as s:
        assert compare(s) == []
    after = _conversion(_overview(engine, w["leader"]), "team")
    assert after[("Tổ Một", "submit")] == (2, 0) and after[("Tổ Một", "pay")] == (2, 0)


def test_conversion_scope(engine):
    w = _world(engine)
    assert {r.name for r in _overview(engine, w["leader_b"]).conversion} == set()  # T2 guided nobody
    assert _overview(engine, w["leader_p"]).conversion == ()  # a province: pick a commune first
    drilled = _overview(engine, w["leader_p"], area_id=w["A"])
    assert {(r.owner, r.team) for r in drilled.conversion} == {("team", "Tổ Một"), ("member", "Tổ Một")}
    mine = _overview(engine, w["vol1"])
    assert {r.owner for r in mine.conversion} == {"team", "member"}
    assert {r.team for r in mine.conversion} == {"Tổ Một"}


def test_quota_figures_are_bounded_to_the_viewed_area(engine):
    w = _world(engine)
    with write_session(engine) as s:
        cid = create_campaign(
            s,
            actor=w["coord_p"],
            area_id=w["P"],
            name="Đợt tỉnh",
            starts_on=f.today_minus(27),
            ends_on=f.today_minus(-20),
        )
        for team, target in ((w["t1"], 4), (w["t2"], 6)):
            set_quota(
                s,
                actor=w["coord_p"],
                campaign_id=cid,
                owner_kind="team",
                owner_id=team,
                metric="households_visited",
                target=target,
            )
    with read_session(engine) as s:
        period = ov.campaign_period(s, actor=w["leader_p"], campaign_id=cid)
    province = _overview(engine, w["leader_p"], period=period).headline.quota
    assert (province.quotas, province.target_total) == (2, 10)
    commune = _overview(engine, w["leader_p"], area_id=w["A"], period=period).headline.quota
    assert (commune.quotas, commune.target_total) == (1, 4)  # T1 only
    assert [r.owner_name for r in commune.rows] == ["Tổ Một"]
    # T1 visited hh1 and hh2 (done) within the campaign: 2 of 4; a week ago (T-7) only hh1.
    assert (commune.progress_capped, commune.fulfilment, commune.week_ago_fulfilment) == (2, 0.5, 0.25)
    assert (province.fulfilment, province.week_ago_fulfilment) == (0.2, 0.1)
    assert province.week_ago_at_risk is not None
