"""Satisfaction after guidance: a resident guided at a visit may rate it 1–5. The rating is stored on
the attendance row, counted in rollup_dated ("rating_1" … "rating_5", the visit's area and every area
above it, by the visit's day) and in rollup_team_rating (the visit's team); corrections, withdrawals and
merges keep both exact; the overview reads them back for a period; the demo seed gives some."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from core.clock import today
from demo.seed import seed_database
from models.db import read_session, write_session
from models.tables import (
    Area,
    RollupDated,
    RollupTeamRating,
    Visit,
    VisitGuidance,
    VisitResident,
    VisitRevision,
)
from services import overview as ov
from services.errors import ValidationFailed
from services.people.admin import merge_residents
from services.rollups.recount import compare
from services.satisfaction import RatingRow, Ratings
from services.visits.corrections import correct_visit, withdraw_visit
from services.visits.queries import visit_draft
from services.visits.record import ResidentInput, VisitInput
from tests import factories as f
from tests.services.visits.visit_world import _assert_exact, _input, _record, _world


def _rated(resident_id, score, kinds=("guide_submit",)):
    """A resident guided at the visit who gave `score`."""
    return ResidentInput(resident_id, guidance=set(kinds), satisfaction=score)


def _rollups(engine):
    """(rollup_dated rating rows {(area, measure, day): count}, rollup_team_rating {(team, day, score):
    residents}), rows at zero left out."""
    with read_session(engine) as s:
        dated = {
            (area, measure, day): n
            for area, measure, day, n in s.exec(
                select(RollupDated.area_id, RollupDated.measure, RollupDated.day, RollupDated.count).where(
                    RollupDated.measure.like("rating_%")
                )
            ).all()
            if n
        }
        teams = {
            (team, day, score): n
            for team, day, score, n in s.exec(
                select(
                    RollupTeamRating.team_id,
                    RollupTeamRating.day,
                    RollupTeamRating.score,
                    RollupTeamRating.residents,
                )
            ).all()
            if n
        }
    return dated, teams


def _up_the_tree(w, village, measure, day, n):
    """The same rollup_dated count at a village, its commune A and the province."""
    return {(w[code], measure, day): n for code in (village, "A", "P")}


def _ratings_stored(engine, visit_id):
    with read_session(engine) as s:
        return dict(
            s.exec(
                select(VisitResident.resident_id, VisitResident.satisfaction).where(
                    VisitResident.visit_id == visit_id
                )
            ).all()
        )


# ---------------------------------------------------------------- recording


def test_a_rating_is_stored_and_counted_up_the_tree_and_for_the_team(engine):
    w = _world(engine)
    team = w["vol"].team_id
    day = f.today_minus(1)
    vid = _record(
        engine,
        w["vol"],
        _input(
            w,
            "rate-1",
            days_ago=1,
            residents=[_rated(w["r1"], 5), _rated(w["r2"], 4, ("guide_pay", "guide_apps"))],
        ),
    )
    assert _ratings_stored(engine, vid) == {w["r1"]: 5, w["r2"]: 4}
    dated, teams = _rollups(engine)
    assert dated == {
        **_up_the_tree(w, "A1", "rating_5", day, 1),
        **_up_the_tree(w, "A1", "rating_4", day, 1),
    }
    assert teams == {(team, day, 5): 1, (team, day, 4): 1}
    _assert_exact(engine)

    # A second visit the same day: one more 5, and a guided resident who gives no rating.
    _record(
        engine,
        w["vol"],
        _input(
            w,
            "rate-2",
            days_ago=1,
            residents=[_rated(w["r1"], 5), ResidentInput(w["r2"], guidance={"guide_pay"})],
        ),
    )
    dated, teams = _rollups(engine)
    assert dated == {
        **_up_the_tree(w, "A1", "rating_5", day, 2),
        **_up_the_tree(w, "A1", "rating_4", day, 1),
    }
    assert teams == {(team, day, 5): 2, (team, day, 4): 1}
    _assert_exact(engine)


def test_a_rating_needs_guidance_at_the_visit_and_a_score_from_1_to_5(engine):
    w = _world(engine)
    field = f"resident.{w['r1']}.satisfaction"

    def refused(data):
        with pytest.raises(ValidationFailed) as err:
            _record(engine, w["vol"], data)
        return [(p.field, p.key) for p in err.value.problems]

    # Present but not guided: no rating, even when another resident at the visit was guided.
    unguided = _input(w, "no-guide", residents=[ResidentInput(w["r1"], satisfaction=4), _rated(w["r2"], 5)])
    assert refused(unguided) == [(field, "err.rating_needs_guidance")]
    for score in (0, 6, -1, True, False, 4.5, "5"):
        bad = _input(w, f"bad-{score!r}", residents=[_rated(w["r1"], score)])
        assert refused(bad) == [(field, "err.invalid_choice")], score
    # A visit that did not take place guides nobody, so nobody rates it.
    for outcome in ("nobody_home", "come_back", "refused"):
        alone = _input(w, f"{outcome}-1", outcome=outcome, residents=[ResidentInput(w["r1"], satisfaction=3)])
        assert refused(alone) == [(field, "err.rating_needs_guidance")]
        guided = _input(w, f"{outcome}-2", outcome=outcome, residents=[_rated(w["r1"], 3)])
        assert refused(guided) == [(f"resident.{w['r1']}", "err.guidance_needs_done")]
    # Nothing was written by any of them.
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Visit)).scalar_one() == 0
        assert s.exec(select(func.count()).select_from(VisitResident)).scalar_one() == 0
    assert _rollups(engine) == ({}, {})
    _assert_exact(engine)
    # None is "no rating", at any outcome.
    _record(engine, w["vol"], _input(w, "none", outcome="come_back", residents=[ResidentInput(w["r1"])]))
    assert _rollups(engine) == ({}, {})
    _assert_exact(engine)


def test_group_sessions_count_ratings_where_they_took_place(engine):
    w = _world(engine)
    team = w["vol"].team_id
    hh_a1 = f.create_household(engine, village_id=w["A1"])
    r3 = f.create_resident(engine, household_id=hh_a1, full_name="Tạ Thị Yến")
    hh_a2 = f.create_household(engine, village_id=w["A2"])
    r4 = f.create_resident(engine, household_id=hh_a2, full_name="Tạ Văn Bảo")
    day = today()
    # The volunteer's session at village A1's cultural house, residents of two households.
    village = VisitInput(
        "s-village",
        day,
        "community",
        "done",
        session_area_id=w["A1"],
        residents=[_rated(w["r1"], 4), _rated(w["r2"], 2, ("guide_pay",)), _rated(r3, 4, ("guide_apps",))],
    )
    _record(engine, w["vol"], village)
    dated, teams = _rollups(engine)
    assert dated == {
        **_up_the_tree(w, "A1", "rating_4", day, 2),
        **_up_the_tree(w, "A1", "rating_2", day, 1),
    }
    assert teams == {(team, day, 4): 2, (team, day, 2): 1}
    _assert_exact(engine)

    # The coordinator's session at the commune counter (A1 and A2 residents): counted at the commune
    # and the province, in no village; the coordinator has no team, so no team row.
    commune = VisitInput(
        "s-commune",
        day,
        "counter",
        "done",
        session_area_id=w["A"],
        residents=[_rated(w["r1"], 5), _rated(r4, 5, ("guide_pay",)), _rated(r3, 3), ResidentInput(w["r2"])],
    )
    sid = _record(engine, w["coord"], commune)
    with read_session(engine) as s:
        assert (s.get(Visit, sid).village_id, s.get(Visit, sid).team_id) == (w["A"], None)
    dated, teams = _rollups(engine)
    assert dated == {
        **_up_the_tree(w, "A1", "rating_4", day, 2),
        **_up_the_tree(w, "A1", "rating_2", day, 1),
        (w["A"], "rating_5", day): 2,
        (w["P"], "rating_5", day): 2,
        (w["A"], "rating_3", day): 1,
        (w["P"], "rating_3", day): 1,
    }
    assert teams == {(team, day, 4): 2, (team, day, 2): 1}
    _assert_exact(engine)


# ---------------------------------------------------------------- corrections, withdrawal, merge


def test_a_correction_changes_ratings_and_a_withdrawal_removes_them(engine):
    w = _world(engine)
    team = w["vol"].team_id
    day1, day2 = f.today_minus(1), f.today_minus(2)
    vid = _record(
        engine,
        w["vol"],
        _input(w, "c1", days_ago=1, residents=[_rated(w["r1"], 5), _rated(w["r2"], 3, ("guide_pay",))]),
    )
    with read_session(engine) as s:
        draft = visit_draft(s, actor=w["vol"], visit_id=vid)
    assert {r.resident_id: r.satisfaction for r in draft.residents} == {w["r1"]: 5, w["r2"]: 3}

    # r1's 5 becomes a 2, r2 keeps the guidance but takes back the rating, and the day moves.
    fixed = _input(
        w,
        "c1-fix",
        days_ago=2,
        residents=[_rated(w["r1"], 2), ResidentInput(w["r2"], guidance={"guide_pay"})],
    )
    with write_session(engine) as s:
        correct_visit(s, actor=w["vol"], visit_id=vid, data=fixed)
    assert _ratings_stored(engine, vid) == {w["r1"]: 2, w["r2"]: None}
    dated, teams = _rollups(engine)
    assert dated == _up_the_tree(w, "A1", "rating_2", day2, 1)
    assert teams == {(team, day2, 2): 1}
    _assert_exact(engine)
    with read_session(engine) as s:
        draft = visit_draft(s, actor=w["vol"], visit_id=vid)
        snapshot = s.exec(select(VisitRevision.snapshot).where(VisitRevision.visit_id == vid)).scalar_one()
    assert {r.resident_id: r.satisfaction for r in draft.residents} == {w["r1"]: 2, w["r2"]: None}
    assert json.loads(snapshot)["satisfaction"] == {str(w["r1"]): 5, str(w["r2"]): 3}  # the state before

    # A correction that rates a resident it no longer guides is refused and changes nothing.
    bad = _input(w, "c1-bad", days_ago=2, residents=[ResidentInput(w["r1"], satisfaction=2)])
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        correct_visit(s, actor=w["vol"], visit_id=vid, data=bad)
    assert [(p.field, p.key) for p in err.value.problems] == [
        (f"resident.{w['r1']}.satisfaction", "err.rating_needs_guidance")
    ]
    assert _ratings_stored(engine, vid) == {w["r1"]: 2, w["r2"]: None}
    assert _rollups(engine) == (dated, teams)
    _assert_exact(engine)

    # The coordinator corrects it again: the ratings stay the volunteer's team's.
    again = _input(w, "c1-coord", days_ago=1, residents=[_rated(w["r1"], 4), _rated(w["r2"], 4)])
    with write_session(engine) as s:
        correct_visit(s, actor=w["coord"], visit_id=vid, data=again)
    dated, teams = _rollups(engine)
    assert dated == _up_the_tree(w, "A1", "rating_4", day1, 2)
    assert teams == {(team, day1, 4): 2}
    _assert_exact(engine)

    other = _record(engine, w["vol"], _input(w, "c2", days_ago=3, residents=[_rated(w["r1"], 1)]))
    with write_session(engine) as s:
        withdraw_visit(s, actor=w["vol"], visit_id=vid, reason="Wrong household")
    dated, teams = _rollups(engine)
    day3 = f.today_minus(3)
    assert dated == _up_the_tree(w, "A1", "rating_1", day3, 1)  # only the other visit's
    assert teams == {(team, day3, 1): 1}
    assert _ratings_stored(engine, vid) == {w["r1"]: 4, w["r2"]: 4}  # kept as history
    _assert_exact(engine)
    with write_session(engine) as s:
        withdraw_visit(s, actor=w["vol"], visit_id=other, reason="Duplicate")
    assert _rollups(engine) == ({}, {})
    _assert_exact(engine)


def test_merging_residents_keeps_the_ratings_of_a_visit_both_attended(engine):
    w = _world(engine)
    team = w["vol"].team_id
    keep, dup = w["r1"], w["r2"]
    d1, d2, d3 = f.today_minus(1), f.today_minus(2), f.today_minus(3)
    # Both attended; only the duplicate was guided and rated.
    v1 = _record(
        engine, w["vol"], _input(w, "m1", days_ago=1, residents=[ResidentInput(keep), _rated(dup, 4)])
    )
    # Both attended and rated: the survivor's own rating wins.
    v2 = _record(
        engine,
        w["vol"],
        _input(w, "m2", days_ago=2, residents=[_rated(keep, 5), _rated(dup, 2, ("guide_pay",))]),
    )
    # Only the duplicate attended: the row moves with its rating.
    v3 = _record(engine, w["vol"], _input(w, "m3", days_ago=3, residents=[_rated(dup, 3)]))
    _assert_exact(engine)
    with write_session(engine) as s:
        merge_residents(s, actor=w["coord"], loser_id=dup, survivor_id=keep)
    assert _ratings_stored(engine, v1) == {keep: 4}
    assert _ratings_stored(engine, v2) == {keep: 5}
    assert _ratings_stored(engine, v3) == {keep: 3}
    dated, teams = _rollups(engine)
    assert dated == {
        **_up_the_tree(w, "A1", "rating_4", d1, 1),
        **_up_the_tree(w, "A1", "rating_5", d2, 1),
        **_up_the_tree(w, "A1", "rating_3", d3, 1),
    }
    assert teams == {(team, d1, 4): 1, (team, d2, 5): 1, (team, d3, 3): 1}
    _assert_exact(engine)


# ---------------------------------------------------------------- the overview


@pytest.fixture(autouse=True)
def _fresh_cache():
    ov.clear_cache()
    yield
    ov.clear_cache()


def _rated_world(engine):
    """Commune A: team "Tổ Một" (village A1), "Tổ Hai" (A2) and "Tổ Ba" (no village, no rating);
    commune B: "Tổ Bình" (B1). Today: 5, 4 and 2 in A1 by Tổ Một (and one guided resident who gives
    no rating), 3 in A2 by Tổ Hai, 1 in B1 by Tổ Bình; 20 days ago: 1 in A1 by Tổ Một."""
    ids = f.create_tree(engine)
    w = dict(ids)
    w["T1"] = f.create_team(engine, area_id=ids["A"], name="Tổ Một", village_ids=(ids["A1"],))
    w["T2"] = f.create_team(engine, area_id=ids["A"], name="Tổ Hai", village_ids=(ids["A2"],))
    w["T3"] = f.create_team(engine, area_id=ids["A"], name="Tổ Ba")
    w["TB"] = f.create_team(engine, area_id=ids["B"], name="Tổ Bình", village_ids=(ids["B1"],))
    for key, area, team in (("vol1", "A", "T1"), ("vol2", "A", "T2"), ("vol_b", "B", "TB")):
        w[key] = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code=area, team_id=w[team]))
    w["leader"] = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    w["leader_p"] = f.actor_for(engine, f.create_user(engine, role="leader", area_code="P"))
    h1 = f.create_household(engine, village_id=ids["A1"])
    a, b, c, g = (
        f.create_resident(engine, household_id=h1, full_name=name)
        for name in ("Lê Văn An", "Lê Thị Bích", "Lê Văn Cường", "Lê Thị Giang")
    )
    h2 = f.create_household(engine, village_id=ids["A2"])
    d = f.create_resident(engine, household_id=h2, full_name="Trần Văn Dũng")
    hb = f.create_household(engine, village_id=ids["B1"])
    e = f.create_resident(engine, household_id=hb, full_name="Mai Thị Én")

    def visit(actor, key, household, days_ago, residents):
        data = VisitInput(key, f.today_minus(days_ago), "home", "done", household_id=household)
        data.residents = residents
        _record(engine, w[actor], data)

    visit("vol1", "old", h1, 20, [_rated(c, 1)])
    visit(
        "vol1",
        "a1",
        h1,
        0,
        [_rated(a, 5), _rated(b, 4), _rated(c, 2), ResidentInput(g, guidance={"guide_apps"})],
    )
    visit("vol2", "a2", h2, 0, [_rated(d, 3, ("guide_pay",))])
    visit("vol_b", "b1", hb, 0, [_rated(e, 1)])
    _assert_exact(engine)
    return w


def _overview(engine, actor, area_id=None, period=None):
    with read_session(engine) as s:
        return ov.overview(s, actor=actor, area_id=area_id, period=period, use_cache=False)


def _rows(o):
    return [(r.owner, r.owner_id, r.name, r.ratings.by_score) for r in o.satisfaction_rows]


def test_the_overview_shows_ratings_of_the_area_its_children_and_its_teams(engine):
    w = _rated_world(engine)
    week = _overview(engine, w["leader"])  # this week: today's ratings, not the one 20 days ago
    assert week.period == ov.this_week()
    sat = week.satisfaction
    assert (sat.by_score, sat.count, sat.average, sat.satisfied_share) == ((0, 1, 1, 1, 1), 4, 3.5, 0.5)
    assert _rows(week) == [
        ("area", w["A2"], "Thôn Hai", (0, 0, 1, 0, 0)),
        ("area", w["A1"], "Thôn Một", (0, 1, 0, 1, 1)),
        ("team", w["T3"], "Tổ Ba", (0, 0, 0, 0, 0)),  # no rating yet: a row of zeros
        ("team", w["T2"], "Tổ Hai", (0, 0, 1, 0, 0)),
        ("team", w["T1"], "Tổ Một", (0, 1, 0, 1, 1)),
    ]
    assert week.satisfaction_rows[-1] == RatingRow("team", w["T1"], "Tổ Một", Ratings((0, 1, 0, 1, 1)))
    assert week.satisfaction_rows[2].ratings.average is None

    # The last 30 days take the old rating in; a range around it alone takes only it.
    month = _overview(engine, w["leader"], period=ov.date_range(f.today_minus(30), today()))
    assert (month.satisfaction.by_score, month.satisfaction.count) == ((1, 1, 1, 1, 1), 5)
    assert month.satisfaction.average == 3.0
    assert _rows(month)[1] == ("area", w["A1"], "Thôn Một", (1, 1, 0, 1, 1))
    assert _rows(month)[4] == ("team", w["T1"], "Tổ Một", (1, 1, 0, 1, 1))
    old = _overview(engine, w["leader"], period=ov.date_range(f.today_minus(25), f.today_minus(15)))
    assert (old.satisfaction.by_score, old.satisfaction.average) == ((1, 0, 0, 0, 0), 1.0)
    assert [r.ratings.by_score for r in old.satisfaction_rows] == [
        (0, 0, 0, 0, 0),
        (1, 0, 0, 0, 0),
        (0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0),
        (1, 0, 0, 0, 0),
    ]
    # A period that ends the day before yesterday sees only the old rating too.
    before = _overview(engine, w["leader"], period=ov.date_range(f.today_minus(30), f.today_minus(1)))
    assert before.satisfaction.by_score == (1, 0, 0, 0, 0)
    nothing = _overview(engine, w["leader"], period=ov.date_range(f.today_minus(10), f.today_minus(1)))
    assert (nothing.satisfaction.count, nothing.satisfaction.average) == (0, None)
    assert nothing.satisfaction.satisfied_share is None

    # The province: its communes, no team rows (a province's teams are not one chart).
    province = _overview(engine, w["leader_p"])
    assert province.satisfaction.by_score == (1, 1, 1, 1, 1)
    assert _rows(province) == [
        ("area", w["A"], "Xã An", (0, 1, 1, 1, 1)),
        ("area", w["B"], "Xã Bình", (1, 0, 0, 0, 0)),
    ]
    # A village: its own ratings, no children, no team placed in it.
    village = _overview(engine, w["leader"], area_id=w["A1"])
    assert village.satisfaction.by_score == (0, 1, 0, 1, 1)
    assert village.satisfaction.average == pytest.approx(11 / 3)
    assert village.satisfaction_rows == ()


def test_a_volunteer_sees_the_ratings_of_their_team_villages_only(engine):
    w = _rated_world(engine)
    mine = _overview(engine, w["vol1"])
    assert mine.scope.area.id == w["A"] and mine.scope.team_only
    assert mine.satisfaction.by_score == (0, 1, 0, 1, 1)  # A1 only: not A2's 3
    assert mine.satisfaction.count == 3
    assert _rows(mine) == [
        ("area", w["A1"], "Thôn Một", (0, 1, 0, 1, 1)),
        ("team", w["T1"], "Tổ Một", (0, 1, 0, 1, 1)),
    ]
    theirs = _overview(engine, w["vol2"])
    assert theirs.satisfaction.by_score == (0, 0, 1, 0, 0)
    assert _rows(theirs) == [
        ("area", w["A2"], "Thôn Hai", (0, 0, 1, 0, 0)),
        ("team", w["T2"], "Tổ Hai", (0, 0, 1, 0, 0)),
    ]
    month = _overview(engine, w["vol1"], period=ov.date_range(f.today_minus(30), today()))
    assert month.satisfaction.by_score == (1, 1, 0, 1, 1)
    assert _rows(month)[1] == ("team", w["T1"], "Tổ Một", (1, 1, 0, 1, 1))


def test_the_overview_follows_a_correction_of_a_rating(engine):
    w = _rated_world(engine)
    with read_session(engine) as s:
        vid = s.exec(select(Visit.id).where(Visit.idempotency_key == "a2")).scalar_one()
        household = s.get(Visit, vid).household_id
        resident = s.exec(select(VisitResident.resident_id).where(VisitResident.visit_id == vid)).scalar_one()
    assert _overview(engine, w["leader"]).satisfaction.by_score == (0, 1, 1, 1, 1)
    fixed = VisitInput("a2-fix", today(), "home", "done", household_id=household)
    fixed.residents = [_rated(resident, 5, ("guide_pay",))]
    with write_session(engine) as s:
        correct_visit(s, actor=w["vol2"], visit_id=vid, data=fixed)
    week = _overview(engine, w["leader"])
    assert week.satisfaction.by_score == (0, 1, 0, 1, 2)
    assert week.satisfaction.average == 4.0
    assert _rows(week)[0] == ("area", w["A2"], "Thôn Hai", (0, 0, 0, 0, 1))
    assert _rows(week)[3] == ("team", w["T2"], "Tổ Hai", (0, 0, 0, 0, 1))
    _assert_exact(engine)


# ---------------------------------------------------------------- the demo


def test_the_demo_seed_gives_plausible_ratings_of_guided_residents(engine):
    seed_database(engine, scale="demo", seed=11)
    with read_session(engine) as s:
        assert compare(s) == []
        rated = s.exec(
            select(VisitResident.visit_id, VisitResident.resident_id, VisitResident.satisfaction).where(
                VisitResident.satisfaction.is_not(None)
            )
        ).all()
        guided = {
            tuple(row)
            for row in s.exec(select(VisitGuidance.visit_id, VisitGuidance.resident_id).distinct()).all()
        }
        without_team = s.exec(
            select(func.count())
            .select_from(VisitResident)
            .join(Visit, Visit.id == VisitResident.visit_id)
            .where(VisitResident.satisfaction.is_not(None), Visit.team_id.is_(None))
        ).scalar_one()
        province = s.exec(select(Area.id).where(Area.level == "province")).scalar_one()
        province_total = s.exec(
            select(func.sum(RollupDated.count)).where(
                RollupDated.measure.like("rating_%"), RollupDated.area_id == province
            )
        ).scalar_one()
        team_total = s.exec(select(func.sum(RollupTeamRating.residents))).scalar_one()
    assert rated and all((vid, rid) in guided for vid, rid, _score in rated)  # only the guided rate
    assert 0.5 < len(rated) / len(guided) < 0.7  # about 60% of them
    scores = Counter(int(score) for _v, _r, score in rated)
    assert set(scores) <= {1, 2, 3, 4, 5}
    assert (scores[4] + scores[5]) / len(rated) > 0.7  # mostly satisfied
    assert scores[3] > scores[1] + scores[2] > 0  # some 3s, fewer 1s and 2s
    assert without_team == 0  # every demo visit has its team
    assert province_total == team_total == len(rated)


def test_ratings_in_the_week_are_by_the_visit_day(engine):
    """A rating counts on the day of its visit, not the day it was recorded: a visit recorded today
    for last week leaves this week's figures alone."""
    w = _rated_world(engine)
    start = ov.this_week().start
    days_back = (today() - start).days + 1  # the Sunday before this week
    h = f.create_household(engine, village_id=w["A2"])
    r = f.create_resident(engine, household_id=h, full_name="Ngô Văn Hải")
    data = VisitInput("late", today() - timedelta(days=days_back), "home", "done", household_id=h)
    data.residents = [_rated(r, 5)]
    _record(engine, w["vol2"], data)
    assert _overview(engine, w["leader"]).satisfaction.by_score == (0, 1, 1, 1, 1)
    last_week = _overview(engine, w["leader"], period=ov.this_week(start - timedelta(days=1)))
    assert last_week.satisfaction.by_score == (0, 0, 0, 0, 1)
    _assert_exact(engine)


@pytest.mark.parametrize("score", [0, 6, 9])
def test_the_database_refuses_a_score_outside_1_to_5(engine, score):
    """The CHECK of migration 0008: a bulk or hand-made write cannot store a score the rollups do not
    know (the recount would have no measure for it)."""
    w = _world(engine)
    _record(engine, w["vol"], _input(w, "checked", residents=[_rated(w["r1"], 4)]))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE visit_resident SET satisfaction = :s"), {"s": score})
    with read_session(engine) as s:
        assert s.exec(select(VisitResident.satisfaction)).scalars().all() == [4]
