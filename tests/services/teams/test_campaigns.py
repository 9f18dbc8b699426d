"""Campaigns and quotas: validation, scope, the exact cascade, progress within the period, at-risk pace."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.clock import today, week_start
from models.db import read_session, write_session
from models.tables import AuditLog, Quota
from services.errors import PermissionDenied, ValidationFailed
from services.quota_progress import replay
from services.teams import campaigns as svc
from services.teams.campaigns import pace, split_total
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f

ALL_MASTERED = {"submit": 3, "pay": 3, "feedback": 3, "receive": 3, "apps": 3}


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    coord_a = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    coord_b = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="B"))
    leader_a = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    return engine, ids, coord_a, coord_b, leader_a


def _campaign(engine, actor, area_id, *, start_days_ago=9, length=30, **targets):
    start = today() - timedelta(days=start_days_ago)
    with write_session(engine) as s:
        return svc.create_campaign(
            s,
            actor=actor,
            area_id=area_id,
            name="Đợt 1",
            starts_on=start,
            ends_on=start + timedelta(days=length - 1),
            **targets,
        )


def _quota_count(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(Quota)).scalar_one()


# ---------------------------------------------------------------- pure helpers


def test_split_total_sums_exactly_with_awkward_numbers():
    assert split_total(100, [1, 1, 1]) == [34, 33, 33]
    assert split_total(7, [5, 0, 3]) == [4, 0, 3]  # 4.375, 0, 2.625
    assert split_total(10, [3, 0, 1]) == [8, 0, 2]  # tie on .5 goes to the larger weight
    assert split_total(5, [0, 0]) == [3, 2]  # all zero: evenly
    assert split_total(0, [4, 2]) == [0, 0]
    assert split_total(3, []) == []
    for total in (1, 17, 100, 1001):
        for weights in ([1, 1, 1], [7, 0, 13, 2], [1, 2, 3, 4, 5, 6, 7]):
            assert sum(split_total(total, weights)) == total


def test_pace_projects_linearly():
    start = today() - timedelta(days=9)
    end = start + timedelta(days=29)
    assert pace(1, 10, start, end, today()) == (3.0, True)
    assert pace(1, 3, start, end, today()) == (3.0, False)
    assert pace(0, 10, start, end, start - timedelta(days=1)) == (0.0, False)  # not started
    assert pace(9, 10, start, end, end + timedelta(days=5)) == (9.0, True)  # over, fell short


def test_replay_finds_the_events_that_reach_level_three_and_complete_all_five():
    four = [(1, "submit", 3), (2, "pay", 3), (3, "feedback", 3), (4, "receive", 2)]
    mastery = replay([*four, (5, "apps", 3), (6, "receive", 3), (7, "pay", 3), (8, "pay", 1), (9, "pay", 3)])
    assert mastery.rises == {1: "submit", 2: "pay", 3: "feedback", 5: "apps", 6: "receive", 9: "pay"}
    assert mastery.completions == {6, 9}  # 7 re-observes a 3; 8 drops out, 9 completes them again
    assert replay(four).completions == frozenset()


# ---------------------------------------------------------------- campaigns


def test_campaign_validation_messages_next_to_fields(world):
    engine, ids, coord, _b, _l = world
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.create_campaign(
            s,
            actor=coord,
            area_id=ids["A"],
            name=" ",
            starts_on=today(),
            ends_on=today() - timedelta(days=1),
            target_guided_pct=-5,
            target_all_five_pct=180,
        )
    fields = {p.field: p.key for p in exc.value.problems}
    assert fields == {
        "name": "err.required",
        "ends_on": "quota.err_end_before_start",
        "target_guided_pct": "quota.err_pct",
        "target_all_five_pct": "quota.err_pct",
    }
    assert exc.value.for_field("ends_on")[0].message("vi").startswith("Ngày kết thúc")
    with read_session(engine) as s:
        assert svc.list_campaigns(s, actor=coord) == []


def test_campaign_scope_and_roles(world):
    engine, ids, coord_a, coord_b, leader = world
    campaign = _campaign(engine, coord_a, ids["A"], target_guided_pct=80)
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.create_campaign(s, actor=coord_b, area_id=ids["A"], name="x", starts_on=today(), ends_on=today())
    with pytest.raises(PermissionDenied), read_session(engine) as s:
        svc.quota_progress(s, actor=coord_b, campaign_id=campaign)
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.set_quota(
            s,
            actor=coord_b,
            campaign_id=campaign,
            owner_kind="area",
            owner_id=ids["A1"],
            metric="all_five",
            target=1,
        )
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.set_quota(
            s,
            actor=leader,
            campaign_id=campaign,
            owner_kind="area",
            owner_id=ids["A1"],
            metric="all_five",
            target=1,
        )
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.create_campaign(s, actor=leader, area_id=ids["A"], name="x", starts_on=today(), ends_on=today())
    volunteer = f.actor_for(
        engine,
        f.create_user(
            engine, role="volunteer", area_code="A", team_id=f.create_team(engine, area_id=ids["A"])
        ),
    )
    with pytest.raises(PermissionDenied), read_session(engine) as s:
        svc.list_campaigns(s, actor=volunteer)
    with read_session(engine) as s:
        assert [c.id for c in svc.list_campaigns(s, actor=leader)] == [campaign]
        assert svc.list_campaigns(s, actor=coord_b) == []
        assert svc.quota_progress(s, actor=leader, campaign_id=campaign) == []
        actions = s.exec(select(AuditLog.action).where(AuditLog.action == "campaign.created")).all()
    assert len(actions) == 1


def test_quota_validation(world):
    engine, ids, coord, _b, _l = world
    campaign = _campaign(engine, coord, ids["A"])
    team_b = f.create_team(engine, area_id=ids["B"])
    member_b = f.create_member(engine, team_id=team_b)
    cases = [
        (dict(owner_kind="member", owner_id=member_b, metric="residents_guided", target=5), {"owner"}),
        (dict(owner_kind="area", owner_id=ids["B1"], metric="residents_guided", target=5), {"owner"}),
        (dict(owner_kind="area", owner_id=ids["A1"], metric="skill_mastered", target=5), {"skill"}),
        (dict(owner_kind="area", owner_id=ids["A1"], metric="all_five", target=-1), {"target"}),
        (dict(owner_kind="area", owner_id=ids["A1"], metric="bogus", target=1), {"metric"}),
    ]
    for kwargs, fields in cases:
        with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
            svc.set_quota(s, actor=coord, campaign_id=campaign, **kwargs)
        assert {p.field for p in exc.value.problems} == fields, kwargs
    assert _quota_count(engine) == 0
    with write_session(engine) as s:
        first = svc.set_quota(
            s,
            actor=coord,
            campaign_id=campaign,
            owner_kind="area",
            owner_id=ids["A1"],
            metric="skill_mastered",
            skill="pay",
            target=4,
        )
        again = svc.set_quota(
            s,
            actor=coord,
            campaign_id=campaign,
            owner_kind="area",
            owner_id=ids["A1"],
            metric="skill_mastered",
            skill="pay",
            target=6,
        )
    assert first == again and _quota_count(engine) == 1


# ---------------------------------------------------------------- cascade


def _village_world(engine, ids):
    """A1: 3 households / 5 residents, A2: none, A3: 1 household / 1 resident."""
    a3 = f.create_area(engine, code="A3", name="Thôn Ba Xã An", level="village", parent_code="A")
    for village, households, residents in ((ids["A1"], 3, 5), (a3, 1, 1)):
        made = [f.create_household(engine, village_id=village) for _ in range(households)]
        for n in range(residents):
            f.create_resident(engine, household_id=made[n % households])
    return a3


def test_cascade_to_villages_by_households_residents_and_evenly(world):
    engine, ids, coord, _b, _l = world
    a3 = _village_world(engine, ids)
    campaign = _campaign(engine, coord, ids["A"], target_guided_pct=80)
    with read_session(engine) as s:
        assert (
            svc.default_total(s, actor=coord, campaign_id=campaign, metric="residents_guided") == 5
        )  # 80% of 6
        assert svc.default_total(s, actor=coord, campaign_id=campaign, metric="households_visited") == 4
        assert svc.default_total(s, actor=coord, campaign_id=campaign, metric="online_dossiers") is None

        def split(method, total):
            p = svc.propose_cascade(
                s,
                actor=coord,
                campaign_id=campaign,
                metric="residents_guided",
                owner_kind="area",
                method=method,
                total=total,
            )
            return {r.owner_id: r.target for r in p.rows}

        assert split("households", 10) == {ids["A1"]: 8, ids["A2"]: 0, a3: 2}
        assert split("residents", 5) == {ids["A1"]: 4, ids["A2"]: 0, a3: 1}  # 4.17, 0, 0.83
        by_even = split("even", 100)
        assert sorted(by_even.values()) == [33, 33, 34] and sum(by_even.values()) == 100


def test_cascade_to_teams_and_members_sums_exactly(world):
    engine, ids, coord, _b, _l = world
    a3 = _village_world(engine, ids)
    t1 = f.create_team(engine, area_id=ids["A"], name="Tổ một", village_ids=(ids["A1"],))
    t2 = f.create_team(engine, area_id=ids["A"], name="Tổ hai", village_ids=(ids["A1"], a3))
    t3 = f.create_team(engine, area_id=ids["A2"], name="Tổ ba", village_ids=(ids["A2"],))
    m1 = f.create_member(engine, team_id=t1, full_name="An")
    m2 = f.create_member(engine, team_id=t2, full_name="Bình")
    m3 = f.create_member(engine, team_id=t2, full_name="Cúc")
    f.create_member(engine, team_id=t3, full_name="Dung")
    campaign = _campaign(engine, coord, ids["A"])
    with read_session(engine) as s:
        teams = svc.propose_cascade(
            s,
            actor=coord,
            campaign_id=campaign,
            metric="households_visited",
            owner_kind="team",
            method="households",
            total=100,
        )
        # A1 (3 households) is shared: 1.5 each; t2 also has A3 (1): weights 1.5, 2.5, 0.
        assert {r.owner_id: r.target for r in teams.rows} == {t1: 37, t2: 63, t3: 0}  # .5 tie: larger weight
        members = svc.propose_cascade(
            s,
            actor=coord,
            campaign_id=campaign,
            metric="households_visited",
            owner_kind="member",
            method="households",
            total=100,
            team_id=t2,
        )
        assert {r.owner_id: r.target for r in members.rows} == {m2: 50, m3: 50}
        everyone = svc.propose_cascade(
            s,
            actor=coord,
            campaign_id=campaign,
            metric="households_visited",
            owner_kind="member",
            method="even",
            total=10,
        )
        assert sum(r.target for r in everyone.rows) == 10 and len(everyone.rows) == 4
    assert m1


def test_save_cascade_checks_totals_and_writes_in_one_go(world):
    engine, ids, coord, _b, _l = world
    campaign = _campaign(engine, coord, ids["A"])
    member_b = f.create_member(engine, team_id=f.create_team(engine, area_id=ids["B"]))
    rows = [(ids["A1"], 6), (ids["A2"], 5)]
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.save_cascade(
            s, actor=coord, campaign_id=campaign, metric="all_five", owner_kind="area", targets=rows, total=10
        )
    assert exc.value.problems[0].field == "total" and exc.value.problems[0].params == {"sum": 11, "total": 10}
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.save_cascade(
            s,
            actor=coord,
            campaign_id=campaign,
            metric="all_five",
            owner_kind="area",
            targets=[(ids["A1"], 12), (ids["A2"], -2)],
            total=10,
        )
    assert [(p.field, p.key, p.line) for p in exc.value.problems] == [("targets", "quota.err_negative", 2)]
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.save_cascade(
            s,
            actor=coord,
            campaign_id=campaign,
            metric="residents_guided",
            owner_kind="member",
            targets=[(member_b, 10)],
            total=10,
        )
    assert exc.value.problems[0].key == "quota.err_owner_outside"
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.save_cascade(
            s,
            actor=coord,
            campaign_id=campaign,
            metric="skill_mastered",
            owner_kind="area",
            targets=rows,
            total=11,
        )
    assert exc.value.problems[0].field == "skill"
    assert _quota_count(engine) == 0
    with write_session(engine) as s:
        written = svc.save_cascade(
            s,
            actor=coord,
            campaign_id=campaign,
            metric="all_five",
            owner_kind="area",
            targets=rows,
            total=10,
            accept_changed_total=True,
        )
    assert written == 2
    with read_session(engine) as s:
        progress = svc.quota_progress(s, actor=coord, campaign_id=campaign)
    assert sorted((p.owner_id, p.target) for p in progress) == sorted(rows)


# ---------------------------------------------------------------- progress


def test_progress_within_period_and_at_risk(world):
    engine, ids, coord, _b, _l = world
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    uid = f.create_user(engine, role="volunteer", area_code="A", team_id=team)
    volunteer = f.actor_for(engine, uid)
    teammate = f.create_member(engine, team_id=team, full_name="Đỗ Văn Nam")
    h1 = f.create_household(engine, village_id=ids["A1"])
    h2 = f.create_household(engine, village_id=ids["A1"])
    r1 = f.create_resident(engine, household_id=h1, full_name="Bùi Thị Thuỷ")
    r2 = f.create_resident(engine, household_id=h2, full_name="Phạm Văn Khoa")
    campaign = _campaign(engine, coord, ids["A"], start_days_ago=9, length=30)
    visits = [
        # Before the campaign: counts for the village's state, not for the member's period.
        VisitInput(
            "v0",
            f.today_minus(12),
            "home",
            "done",
            household_id=h2,
            residents=[ResidentInput(r2, guidance={"guide_pay"})],
        ),
        VisitInput(
            "v1",
            f.today_minus(1),
            "home",
            "done",
            household_id=h1,
            member_ids=[teammate],
            residents=[
                ResidentInput(
                    r1,
                    guidance={"guide_submit", "guide_apps"},
                    levels=ALL_MASTERED,
                    evidence={"submit": "H17.99-241122-0001"},
                )
            ],
        ),
        VisitInput("v2", f.today_minus(0), "home", "nobody_home", household_id=h2),
    ]
    with write_session(engine) as s:
        for data in visits:
            record_visit(s, actor=volunteer, data=data)
    me = volunteer.member_id
    quotas = [
        ("member", me, "households_visited", None, 10),
        ("member", me, "residents_guided", None, 3),
        ("member", me, "skill_mastered", "submit", 1),
        ("member", me, "skill_mastered", "pay", 1),
        ("member", me, "all_five", None, 2),
        ("member", me, "online_dossiers", None, 1),
        ("team", team, "households_visited", None, 4),
        ("area", ids["A1"], "households_visited", None, 2),
        ("area", ids["A1"], "residents_guided", None, 2),
        ("area", ids["A1"], "skill_mastered", "apps", 1),
        ("area", ids["A1"], "all_five", None, 1),
        ("area", ids["A1"], "online_dossiers", None, 5),
    ]
    with write_session(engine) as s:
        for kind, owner, metric, skill, target in quotas:
            svc.set_quota(
                s,
                actor=coord,
                campaign_id=campaign,
                owner_kind=kind,
                owner_id=owner,
                metric=metric,
                skill=skill,
                target=target,
            )
    with read_session(engine) as s:
        rows = svc.quota_progress(s, actor=coord, campaign_id=campaign)
    got = {(p.owner_kind, p.metric, p.skill): (p.progress, p.at_risk) for p in rows}
    assert got == {
        # h1 (done) and h2 (nobody home): "visited" means any outcome (issue #8); pace 6 < 10.
        ("member", "households_visited", None): (2, True),
        ("member", "residents_guided", None): (1, False),  # the pre-campaign visit does not count; pace 3
        ("member", "skill_mastered", "submit"): (1, False),
        ("member", "skill_mastered", "pay"): (1, False),
        ("member", "all_five", None): (1, False),  # pace 3 >= 2
        ("member", "online_dossiers", None): (1, False),
        ("team", "households_visited", None): (2, False),  # h1 and h2 once each: pace 6 >= 4
        ("area", "households_visited", None): (2, False),  # reached
        ("area", "residents_guided", None): (1, False),  # r2 was guided before the campaign (issue #8)
        ("area", "skill_mastered", "apps"): (1, False),
        ("area", "all_five", None): (1, False),
        ("area", "online_dossiers", None): (1, True),  # pace 3 < 5
    }
    by_metric = {(p.owner_kind, p.metric, p.skill): p for p in rows}
    assert by_metric[("member", "households_visited", None)].projected == 6.0
    assert by_metric[("team", "households_visited", None)].owner_name


# ---------------------------------------------------------------- distinct counts within the period


def _wednesday_start():
    """A campaign start on a Wednesday 10–16 days ago: the day before it lies in the same ISO week."""
    return week_start(today() - timedelta(days=14)) + timedelta(days=2)


def test_team_and_area_count_distinct_people_within_the_period(world):
    """The issue's fault: a team's figure added up its members' counts (a repeat visit and every
    companion on a visit counted again) and a village's quota read all-time counts."""
    engine, ids, coord, _b, _l = world
    team = f.create_team(engine, area_id=ids["A"], name="Tổ thôn Một", village_ids=(ids["A1"],))
    one = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    two = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    h1, h2, h3, h4, h5 = (f.create_household(engine, village_id=ids["A1"]) for _ in range(5))
    r1 = f.create_resident(engine, household_id=h1, full_name="Bùi Thị Thuỷ")
    r2 = f.create_resident(engine, household_id=h1, full_name="Phạm Văn Khoa")
    r3 = f.create_resident(engine, household_id=h2, full_name="Lò Văn Pọm")
    r4 = f.create_resident(engine, household_id=h3, full_name="H'Hen Niê")
    r5 = f.create_resident(engine, household_id=h4, full_name="Đinh Thị Mai")
    start = _wednesday_start()
    with write_session(engine) as s:
        campaign = svc.create_campaign(
            s,
            actor=coord,
            area_id=ids["A"],
            name="Đợt 2",
            starts_on=start,
            ends_on=start + timedelta(days=59),
        )

    def day(n):
        return start + timedelta(days=n)

    guided = ResidentInput
    both = [two.member_id]  # "one" records, "two" went too
    plan = [
        # Before the campaign (same ISO week as its start): nothing of this counts.
        (one, VisitInput("b1", day(-1), "home", "done", household_id=h3, residents=[
            guided(r4, guidance={"guide_apps"}, levels=ALL_MASTERED, evidence={"submit": "D-0"})])),
        (one, VisitInput("b2", day(-1), "home", "done", household_id=h4, residents=[
            guided(r5, guidance={"guide_pay"}, levels={"pay": 3})])),
        # Within: both members on the same two visits to h1 (a repeat visit).
        (one, VisitInput("v1", day(1), "home", "done", household_id=h1, member_ids=both, residents=[
            guided(r1, guidance={"guide_submit"}, levels=ALL_MASTERED, evidence={"submit": "D-1"}),
            guided(r2, guidance={"guide_pay"}, levels={"pay": 2})])),
        (one, VisitInput("v2", day(3), "home", "done", household_id=h1, member_ids=both, residents=[
            guided(r1, guidance={"guide_pay"}), guided(r2, guidance={"guide_apps"}, levels={"pay": 3})])),
        (two, VisitInput("v3", day(4), "home", "done", household_id=h2, residents=[guided(r3)])),
        (two, VisitInput("v4", day(5), "home", "nobody_home", household_id=h5)),
        # r4 mastered all five before the campaign: met and guided again, she is no new "all five".
        (one, VisitInput("v5", day(6), "home", "done", household_id=h3, residents=[
            guided(r4, guidance={"guide_apps"})])),
    ]  # fmt: skip
    with write_session(engine) as s:
        for actor, data in plan:
            record_visit(s, actor=actor, data=data)
    metrics = [
        ("households_visited", None),
        ("residents_guided", None),
        ("skill_mastered", "pay"),
        ("all_five", None),
        ("online_dossiers", None),
    ]
    owners = [("member", one.member_id), ("member", two.member_id), ("team", team), ("area", ids["A1"])]
    with write_session(engine) as s:
        for kind, owner in owners:
            for metric, skill in metrics:
                svc.set_quota(
                    s,
                    actor=coord,
                    campaign_id=campaign,
                    owner_kind=kind,
                    owner_id=owner,
                    metric=metric,
                    skill=skill,
                    target=10,
                )
    with read_session(engine) as s:
        rows = svc.quota_progress(s, actor=coord, campaign_id=campaign)
    got = {(p.owner_kind, p.owner_id): {} for p in rows}
    for p in rows:
        got[(p.owner_kind, p.owner_id)][p.skill or p.metric] = p.progress
    # keys: households, guided, pay mastered, all five, dossiers
    assert got[("member", one.member_id)] == _figures(2, 3, 2, 1, 1)  # h1 twice + h3; r1 r2 r4
    assert got[("member", two.member_id)] == _figures(3, 2, 2, 1, 1)  # h1 twice + h2 + h5 (nobody home)
    # Distinct over both members' visits: never 2+3 households or 3+2 residents.
    assert got[("team", team)] == _figures(4, 3, 2, 1, 1)
    # Within the period only: h4, r5 and r4's "all five" and the dossier D-0 came before it.
    assert got[("area", ids["A1"])] == _figures(4, 3, 2, 1, 1)


def _figures(households, guided, pay, all_five, dossiers) -> dict:
    return {
        "households_visited": households,
        "residents_guided": guided,
        "pay": pay,
        "all_five": all_five,
        "online_dossiers": dossiers,
    }
