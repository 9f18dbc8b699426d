"""The leaders' overview: every figure of a hand-built commune equals a value worked out by hand here;
after the demo seed every figure equals a plain GROUP BY over the base tables; scope is enforced."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.clock import today, week_start
from models.db import read_session, write_session
from models.enums import SKILLS
from models.tables import Area, Household, Resident, ResidentSkill, Visit
from services import overview as ov
from services.errors import PermissionDenied
from services.people.admin import set_household_status, update_household
from services.rollups.recount import compare
from services.teams.campaigns import create_campaign, set_quota
from services.visits.corrections import correct_visit, withdraw_visit
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f

ALL_FIVE = dict.fromkeys((s.value for s in SKILLS), 3)
DEC_31 = ov.date_range(date(2025, 12, 1), date(2025, 12, 31))
JAN_1 = ov.date_range(date(2026, 1, 1), date(2026, 1, 1))


@pytest.fixture(autouse=True)
def _fresh_cache():
    ov.clear_cache()
    yield
    ov.clear_cache()


def _visit(engine, actor, key, household, outcome, days_ago, residents=()):
    data = VisitInput(
        key, f.today_minus(days_ago), "home", outcome, household_id=household, residents=list(residents)
    )
    with write_session(engine) as s:
        return record_visit(s, actor=actor, data=data)


def _world(engine):
    """Commune A: villages A1 (the volunteer team's) and A2; commune B with B1. See the test below for
    who lives where and what happened."""
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    w = dict(ids)
    w["vol"] = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    w["coord"] = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    w["leader"] = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    w["leader_b"] = f.actor_for(engine, f.create_user(engine, role="leader", area_code="B"))
    w["leader_p"] = f.actor_for(engine, f.create_user(engine, role="leader", area_code="P"))
    hh1 = f.create_household(engine, village_id=ids["A1"])
    r1 = f.create_resident(
        engine, household_id=hh1, birth_year=1960, has_smartphone=True, has_payment_account=False
    )
    r2 = f.create_resident(engine, household_id=hh1, full_name="Lê Văn Bình", birth_year=2011, vneid_level=2)
    f.create_resident(engine, household_id=hh1, full_name="Lê Thị Cúc", birth_year=None, has_smartphone=False)
    hh2 = f.create_household(engine, village_id=ids["A2"])  # moved to A1 after its visits
    f.create_resident(
        engine,
        household_id=hh2,
        full_name="Trần Văn Dũng",
        birth_year=1995,
        has_smartphone=True,
        phone_own_name=False,
        digital_course_done=True,
    )
    hh3 = f.create_household(engine, village_id=ids["A2"])
    r5 = f.create_resident(
        engine,
        household_id=hh3,
        full_name="Phạm Thị Én",
        birth_year=1980,
        vneid_level=1,
        has_payment_account=True,
    )
    hh4 = f.create_household(engine, village_id=ids["A2"])  # moved away: counts nowhere
    r6 = f.create_resident(engine, household_id=hh4, full_name="Võ Văn Giang", birth_year=1970)
    hh5 = f.create_household(engine, village_id=ids["A1"])  # never visited
    f.create_resident(
        engine, household_id=hh5, full_name="Hồ Thị Hạnh", birth_year=2000, has_payment_account=False
    )
    hh6 = f.create_household(engine, village_id=ids["B1"])
    f.create_resident(
        engine, household_id=hh6, full_name="Mai Văn Khoa", birth_year=1990, has_smartphone=True
    )

    coord = w["coord"]
    _visit(
        engine,
        coord,
        "v1",
        hh1,
        "done",
        6,
        [
            ResidentInput(r1, guidance={"guide_submit"}, levels=dict(ALL_FIVE)),
            ResidentInput(r2, levels={"submit": 3}),
        ],
    )
    _visit(engine, coord, "v2", hh2, "nobody_home", 5)
    v3 = _visit(engine, coord, "v3", hh2, "come_back", 3)
    with write_session(engine) as s:  # withdrawn: hh2's last outcome is nobody_home again
        withdraw_visit(s, actor=coord, visit_id=v3, reason="wrong household")
    v4 = _visit(
        engine, coord, "v4", hh3, "done", 4, [ResidentInput(r5, guidance={"guide_pay"}, levels={"pay": 2})]
    )
    with write_session(engine) as s:  # corrected: in fact refused, nobody was taught
        correct_visit(
            s, actor=coord, visit_id=v4, data=VisitInput("v4-fix", f.today_minus(4), "home", "refused", hh3)
        )
    _visit(engine, coord, "v5", hh4, "done", 2, [ResidentInput(r6, levels={"apps": 3})])
    with write_session(engine) as s:
        set_household_status(s, actor=coord, household_id=hh4, status="moved")
        update_household(s, actor=coord, household_id=hh2, values={"village_id": ids["A1"]})
    w.update(hh1=hh1, hh2=hh2, hh3=hh3, hh4=hh4, hh5=hh5)
    return w


def _overview(engine, actor, area_id=None, period=DEC_31, **kw):
    with read_session(engine) as s:
        return ov.overview(s, actor=actor, area_id=area_id, period=period, **kw)


def test_every_figure_of_a_hand_built_commune(engine):
    """Counted in commune A: hh1 (r1 1960, r2 2011, r3 no birth year), hh2 (r4 1995; moved A2 → A1),
    hh3 (r5 1980), hh5 (r7 2000); hh4 is marked moved away (r6 not counted)."""
    w = _world(engine)
    with read_session(engine) as s:
        assert compare(s) == []
    o = _overview(engine, w["leader"])
    assert o.scope.area.id == w["A"] and not o.scope.team_only
    assert [a.id for a in o.scope.breadcrumb] == [w["A"]]
    assert [a.id for a in o.scope.children] == [w["A2"], w["A1"]]  # Thôn Hai, Thôn Một
    assert o.as_of == date(2025, 12, 31)
    h = o.headline
    assert (h.residents, h.adults, h.age_unknown) == (6, 4, 1)  # adults: r1 65, r4 30, r5 45, r7 25
    assert (h.guided, h.guided_share) == (1, 1 / 6)  # r1 only: r5's guidance was corrected away
    assert [(m.skill, m.residents) for m in h.mastered] == [
        ("submit", 2),
        ("pay", 1),
        ("feedback", 1),
        ("receive", 1),
        ("apps", 1),
    ]
    assert (h.all_five, h.all_five_share) == (1, 1 / 6)
    assert h.households == 4
    assert h.outcomes == ov.OutcomeCounts(done=1, nobody_home=1, refused=1, come_back=0, never_visited=1)
    assert h.quota is None
    assert {i.code: (i.numerator, i.denominator, i.target_share, i.target_year) for i in o.indicators} == {
        "adults_smartphone": (2, 4, 0.80, 2025),  # r1, r4 (r3 has no birth year)
        "adults_payment_account": (1, 4, 0.80, 2025),  # r5
        "vneid2_14plus": (1, 5, None, None),  # r2, aged 14
        "adults_online_services": (1, 4, 0.70, 2030),  # r1 (r2 does it alone but is 14)
        "digital_course_done": (1, 6, None, None),  # r4, over every resident
    }
    ladder = {(r.skill, r.level): r.residents for r in o.skill_ladder}
    assert [(r.skill, r.level) for r in o.skill_ladder] == [(s.value, lv) for s in SKILLS for lv in range(4)]
    assert ladder[("submit", 3)] == 2 and ladder[("submit", 0)] == 4
    assert ladder[("pay", 3)] == 1 and ladder[("pay", 2)] == 0 and ladder[("pay", 0)] == 5
    assert [(c.area_id, c.residents, c.all_five, c.households, c.outcomes) for c in o.children] == [
        (w["A2"], 1, 0, 1, ov.OutcomeCounts(0, 0, 1, 0, 0)),
        (w["A1"], 5, 1, 3, ov.OutcomeCounts(1, 1, 0, 0, 1)),
    ]
    assert [(b.barrier, b.residents) for b in o.barriers] == [
        ("no_smartphone", 1),  # r3
        ("phone_not_own", 1),  # r4
        ("no_vneid2", 1),  # r5
        ("no_payment", 1),  # r7 (r1 has none either, but masters all five)
    ]
    assert [(b.band, b.residents, b.below_level3) for b in o.age_bands] == [
        ("15-29", 1, 1),
        ("30-44", 1, 1),
        ("45-59", 1, 1),
        ("60+", 1, 0),
        ("unknown", 1, 1),
    ]


def test_a_resident_turns_15_on_the_first_of_january_without_a_write(engine):
    w = _world(engine)
    before, after = (
        _overview(engine, w["leader"], period=DEC_31),
        _overview(engine, w["leader"], period=JAN_1),
    )
    assert (before.headline.adults, after.headline.adults) == (4, 5)  # r2, born 2011
    online = {i.code: (i.numerator, i.denominator) for i in after.indicators}
    assert online["adults_online_services"] == (2, 5)
    assert online["adults_smartphone"] == (2, 5)
    assert [(b.band, b.residents) for b in after.age_bands][:2] == [("15-29", 2), ("30-44", 1)]


def test_scope_is_enforced_on_the_server(engine):
    w = _world(engine)
    with pytest.raises(PermissionDenied):
        _overview(engine, w["leader"], area_id=w["B"])
    with pytest.raises(PermissionDenied):
        _overview(engine, w["leader_b"], area_id=w["A1"])
    province = _overview(engine, w["leader_p"])
    assert [c.id for c in province.scope.children] == [w["A"], w["B"]]
    assert province.headline.residents == 7
    drilled = _overview(engine, w["leader_p"], area_id=w["A1"])
    assert [a.id for a in drilled.scope.breadcrumb] == [w["P"], w["A"], w["A1"]]
    assert drilled.headline.residents == 5 and drilled.children == ()


def test_a_volunteer_sees_only_their_team_villages(engine):
    w = _world(engine)
    mine = _overview(engine, w["vol"])
    assert mine.scope.area.id == w["A"] and mine.scope.team_only
    assert [c.id for c in mine.scope.children] == [w["A1"]]
    assert (mine.headline.residents, mine.headline.households) == (5, 3)
    assert [c.area_id for c in mine.children] == [w["A1"]]
    assert _overview(engine, w["vol"], area_id=w["A1"]).headline.residents == 5
    for other in ("A2", "B", "B1", "P"):
        with pytest.raises(PermissionDenied):
            _overview(engine, w["vol"], area_id=w[other])


def test_campaign_quota_summary_and_the_cache(engine):
    w = _world(engine)
    with write_session(engine) as s:
        cid = create_campaign(
            s,
            actor=w["coord"],
            area_id=w["A"],
            name="Chiến dịch",
            starts_on=f.today_minus(30),
            ends_on=f.today_minus(-30),
        )
        set_quota(
            s,
            actor=w["coord"],
            campaign_id=cid,
            owner_kind="area",
            owner_id=w["A1"],
            metric="households_visited",
            target=4,
        )
    with read_session(engine) as s:
        period = ov.campaign_period(s, actor=w["leader"], campaign_id=cid)
    o = _overview(engine, w["leader"], period=period)
    q = o.headline.quota
    # Visits held in A1 within the period: hh1 only (hh2's visits were held in A2, before it moved).
    assert (q.quotas, q.target_total, q.progress_capped, q.met) == (1, 4, 1, 0)
    assert q.fulfilment == 0.25
    assert _overview(engine, w["vol"], period=period).headline.quota is None  # volunteers do not read quotas
    # Cached: a later write is not seen until the cache is cleared (at most 60 s in the app).
    hh = f.create_household(engine, village_id=w["A1"])
    assert _overview(engine, w["leader"], period=period).headline.households == 4
    assert _overview(engine, w["leader"], period=period, use_cache=False).headline.households == 5
    ov.clear_cache()
    assert _overview(engine, w["leader"], period=period).headline.households == 5
    assert hh


def test_periods():
    assert ov.this_week(date(2026, 1, 1)) == ov.Period("week", date(2025, 12, 29), date(2026, 1, 4))
    assert ov.last_4_weeks(date(2026, 1, 28)) == ov.Period("4weeks", date(2026, 1, 1), date(2026, 1, 28))
    assert ov.this_quarter(date(2025, 11, 5)) == ov.Period("quarter", date(2025, 10, 1), date(2025, 12, 31))
    assert ov.this_quarter(date(2026, 2, 5)) == ov.Period("quarter", date(2026, 1, 1), date(2026, 3, 31))
    with pytest.raises(ValueError):
        ov.date_range(date(2026, 1, 2), date(2026, 1, 1))


# ---------------------------------------------------------------- the seeded commune vs base tables


def _by_hand(session, village_ids: list[int], as_of: date) -> dict:
    """The overview's figures from the base tables, by plain GROUP BYs (no rollups)."""
    people = session.exec(
        select(
            Resident.id,
            Resident.birth_year,
            Resident.first_guided_on,
            Resident.has_smartphone,
            Resident.phone_own_name,
            Resident.vneid_level,
            Resident.has_payment_account,
            Resident.digital_course_done,
        )
        .join(Household, Household.id == Resident.household_id)
        .where(
            Household.village_id.in_(village_ids), Household.status == "active", Resident.status == "active"
        )
    ).all()
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    since = as_of - timedelta(days=6)
    out: dict = defaultdict(int)
    for rid, skill, level, mastered_on in session.exec(
        select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.level, ResidentSkill.mastered_on)
        .join(Resident, Resident.id == ResidentSkill.resident_id)
        .join(Household, Household.id == Resident.household_id)
        .where(
            Household.village_id.in_(village_ids), Household.status == "active", Resident.status == "active"
        )
    ).all():
        levels[rid][skill] = level
        if level == 3 and mastered_on <= as_of:
            out[("reached_week", skill, week_start(mastered_on))] += 1
            out[("new_mastered", skill)] += mastered_on >= since
    for rid, year, guided, phone, own, vneid, pay, course in people:
        lv = levels[rid]
        five = all(lv.get(s.value, 0) == 3 for s in SKILLS)
        online = any(lv.get(s.value, 0) == 3 for s in ov.ONLINE_SERVICE_SKILLS)
        age = None if year is None else as_of.year - year
        out["residents"] += 1
        out["guided"] += guided is not None
        out["new_guided"] += guided is not None and since <= guided <= as_of
        out["all_five"] += five
        out["age_unknown"] += age is None
        for skill in SKILLS:
            out[("ladder", skill.value, lv.get(skill.value, 0))] += 1
        out["course_done"] += bool(course)
        if age is not None and age >= 15:
            out["adults"] += 1
            out["adult_smartphone"] += phone is True
            out["adult_pay"] += pay is True
            out["adult_online"] += online
        if age is not None and age >= 14:
            out["14plus"] += 1
            out["vneid2"] += vneid == 2
        if not five:
            out["below_no_smartphone"] += phone is False
            out["below_phone_not_own"] += own is False
            out["below_no_vneid2"] += vneid is not None and vneid < 2
            out["below_no_payment"] += pay is False
        band = (
            "unknown"
            if age is None
            else next((b for b, lo, hi in ov.AGE_BANDS if age >= lo and (hi is None or age <= hi)), None)
        )
        if band:
            out[("band", band)] += 1
            out[("band_below", band)] += not five
    households = session.exec(
        select(Household.id, Household.first_visited_on, Household.follow_up_on).where(
            Household.village_id.in_(village_ids), Household.status == "active"
        )
    ).all()
    out["households"] = len(households)
    for _hid, first_done, follow_up in households:
        out["overdue"] += follow_up is not None and follow_up < as_of
        out["new_done"] += first_done is not None and since <= first_done <= as_of
    last: dict[int, str] = {}
    for hid, outcome in session.exec(
        select(Visit.household_id, Visit.outcome)
        .join(Household, Household.id == Visit.household_id)
        .where(Household.village_id.in_(village_ids), Household.status == "active", Visit.status == "active")
        .order_by(Visit.visited_on, Visit.id)
    ).all():
        last[hid] = outcome
    for outcome in last.values():
        out[("outcome", outcome)] += 1
    return out


def _assert_matches(o: ov.Overview, want: dict) -> None:
    h = o.headline
    assert (h.residents, h.adults, h.age_unknown, h.guided, h.all_five, h.households) == (
        want["residents"],
        want["adults"],
        want["age_unknown"],
        want["guided"],
        want["all_five"],
        want["households"],
    )
    got_outcomes = {k: getattr(h.outcomes, k) for k in ov.OUTCOMES}
    assert got_outcomes == {k: want[("outcome", k)] for k in ov.OUTCOMES}
    assert h.outcomes.never_visited == want["households"] - sum(got_outcomes.values())
    assert {(r.skill, r.level): r.residents for r in o.skill_ladder} == {
        (s.value, lv): want[("ladder", s.value, lv)] for s in SKILLS for lv in range(4)
    }
    assert [m.residents for m in h.mastered] == [want[("ladder", s.value, 3)] for s in SKILLS]
    assert {i.code: (i.numerator, i.denominator) for i in o.indicators} == {
        "adults_smartphone": (want["adult_smartphone"], want["adults"]),
        "adults_payment_account": (want["adult_pay"], want["adults"]),
        "vneid2_14plus": (want["vneid2"], want["14plus"]),
        "adults_online_services": (want["adult_online"], want["adults"]),
        "digital_course_done": (want["course_done"], want["residents"]),
    }
    assert {b.barrier: b.residents for b in o.barriers} == {b: want[f"below_{b}"] for b in ov.BARRIERS}
    assert h.overdue == want["overdue"]
    c = h.change
    assert (c.guided, c.households_done) == (want["new_guided"], want["new_done"])
    assert dict(c.mastered) == {s.value: want[("new_mastered", s.value)] for s in SKILLS}
    for row in o.trend.rows:  # each week's residents reaching level 3, and the running total
        assert row.reached == want[("reached_week", row.skill, row.week)]
    last = max(r.week for r in o.trend.rows)
    assert {r.skill: r.cumulative for r in o.trend.rows if r.week == last} == {
        s.value: sum(n for k, n in want.items() if k[:2] == ("reached_week", s.value)) for s in SKILLS
    }
    assert {b.band: (b.residents, b.below_level3) for b in o.age_bands} == {
        band: (want[("band", band)], want[("band_below", band)])
        for band in [b for b, _lo, _hi in ov.AGE_BANDS] + ["unknown"]
    }


def test_after_the_commune_seed_every_figure_equals_a_group_by(engine):
    from demo.seed import seed_database

    seed_database(engine, scale="commune", seed=11)
    with read_session(engine) as s:
        assert compare(s) == []
        province_code = s.exec(select(Area.code).where(Area.level == "province")).scalars().first()
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code=province_code))
    for as_of in (date(2025, 12, 31), date(2026, 1, 1), today()):
        period = ov.date_range(as_of, as_of)
        top = _overview(engine, leader, period=period)
        assert top.headline.residents > 1000
        areas = [top.scope.area.id, *[c.id for c in top.scope.children]]
        commune = _overview(engine, leader, area_id=top.scope.children[0].id, period=period)
        areas.append(commune.scope.children[0].id)
        for area_id in areas:
            o = _overview(engine, leader, area_id=area_id, period=period)
            with read_session(engine) as s:
                area = s.get(Area, area_id)
                villages = (
                    s.exec(select(Area.id).where(Area.level == "village", Area.path.like(area.path + "%")))
                    .scalars()
                    .all()
                )
                _assert_matches(o, _by_hand(s, list(villages), as_of))
            for child in o.children:
                with read_session(engine) as s:
                    child_area = s.get(Area, child.area_id)
                    villages = (
                        s.exec(
                            select(Area.id).where(
                                Area.level == "village", Area.path.like(child_area.path + "%")
                            )
                        )
                        .scalars()
                        .all()
                    )
                    want = _by_hand(s, list(villages), as_of)
                assert (child.residents, child.all_five, child.households) == (
                    want["residents"],
                    want["all_five"],
                    want["households"],
                )
                assert {k: getattr(child.outcomes, k) for k in ov.OUTCOMES} == {
                    k: want[("outcome", k)] for k in ov.OUTCOMES
                }


def test_after_the_commune_seed_conversion_equals_a_group_by(engine):
    """Chart 7 per team of the seeded commune against the visits, guidance and levels themselves."""
    from demo.seed import seed_database
    from models.tables import Team, VisitGuidance

    seed_database(engine, scale="commune", seed=5)
    with read_session(engine) as s:
        commune_id = s.exec(select(Area.id).where(Area.level == "commune")).scalars().first()
        province_code = s.exec(select(Area.code).where(Area.level == "province")).scalars().first()
        teams = dict(s.exec(select(Team.id, Team.name)).all())
        first: dict[tuple[int, int], date] = {}
        for team_id, rid, day in s.exec(
            select(Visit.team_id, VisitGuidance.resident_id, Visit.visited_on)
            .join(Visit, Visit.id == VisitGuidance.visit_id)
            .join(Resident, Resident.id == VisitGuidance.resident_id)
            .join(Household, Household.id == Resident.household_id)
            .where(Visit.status == "active", Resident.status == "active", Household.status == "active")
        ).all():
            if team_id is not None:
                first[(team_id, rid)] = min(day, first.get((team_id, rid), day))
        mastered = {
            (rid, skill): day
            for rid, skill, day in s.exec(
                select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.mastered_on).where(
                    ResidentSkill.level == 3
                )
            ).all()
        }
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code=province_code))
    period = ov.last_4_weeks()
    o = _overview(engine, leader, area_id=commune_id, period=period)
    want: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (team_id, rid), guided_on in first.items():
        if not week_start(period.start) <= week_start(guided_on) <= period.end:
            continue
        for skill in SKILLS:
            reached = mastered.get((rid, skill.value))
            if reached is not None and reached < guided_on:
                continue
            cell = want[(teams[team_id], skill.value)]
            cell[0] += 1
            cell[1] += reached is not None and week_start(reached) <= period.end
    got = {(r.name, r.skill): [r.guided, r.reached] for r in o.conversion if r.owner == "team"}
    assert got == dict(want) and len(got) >= 5
    assert sum(g for g, _ in got.values()) > 100
