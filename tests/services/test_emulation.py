"""The emulation board on a hand-built commune: a small village beats a big one, equal shares share a
rank (1, 2, 2, 4), an owner with no target is listed last and unranked, this week's movers come from
the same shares a week ago, and each role sees only what its scope allows. Every expected figure is
worked out by hand in the docstrings and comments (T = today)."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from core.clock import today
from models.db import read_session, write_session
from services import emulation as emu
from services.errors import PermissionDenied
from services.teams.campaigns import create_campaign, set_quota
from services.visits.record import VisitInput, record_visit
from tests import factories as f


def _world(engine):
    """Commune A, campaign "Thi đua" from T-30 to T+29. Villages of A, with their households visited
    (every visit "done", households_visited counted within the campaign's period):
      Đông (big)  quota 10 households: 5 visited at T-20                 -> now 5/10, a week ago 5/10
      Nhỏ (small) quota  2 households: 2 visited at T-2                  -> now 2/2,  a week ago 0/2
      Tây         quota  4 households: 1 visited at T-20, 1 at T-3       -> now 2/4,  a week ago 1/4
      Bắc         quota  5 households: 1 visited at T-20                 -> now 1/5,  a week ago 1/5
      Mới         no quota                                               -> no target set
    Teams of A (their members' visits):
      Tổ Một (Đông, Bắc; volunteer v1 made the 6 visits there): households target 4 (6 visited, capped
        at 4) + residents guided target 4 (none) -> 4/8 = 1/2 now and a week ago;
      Tổ Hai (Nhỏ, Tây; volunteer v2 made the 4 visits there): households target 8 -> 4/8 = 1/2 now,
        1/8 a week ago;
      Tổ Ba (Mới; volunteer v3): no quota -> no target set.
    Commune B: village B1 and team Tổ Bình (volunteer vb), outside the campaign."""
    ids = f.create_tree(engine)
    for code, name in (("A3", "Thôn Đông"), ("A4", "Thôn Nhỏ"), ("A5", "Thôn Tây"), ("A6", "Thôn Bắc")):
        ids[code] = f.create_area(engine, code=code, name=name, level="village", parent_code="A")
    ids["A7"] = f.create_area(engine, code="A7", name="Thôn Mới", level="village", parent_code="A")
    one = f.create_team(engine, area_id=ids["A"], name="Tổ Một", village_ids=(ids["A3"], ids["A6"]))
    two = f.create_team(engine, area_id=ids["A"], name="Tổ Hai", village_ids=(ids["A4"], ids["A5"]))
    three = f.create_team(engine, area_id=ids["A"], name="Tổ Ba", village_ids=(ids["A7"],))
    binh = f.create_team(engine, area_id=ids["B"], name="Tổ Bình", village_ids=(ids["B1"],))
    w = {"ids": ids, "teams": {"one": one, "two": two, "three": three, "b": binh}}
    users = {
        "v1": ("volunteer", "A", one),
        "v2": ("volunteer", "A", two),
        "v3": ("volunteer", "A", three),
        "vb": ("volunteer", "B", binh),
        "coord": ("coordinator", "A", None),
        "leader": ("leader", "A", None),
        "leader_b": ("leader", "B", None),
        "leader_p": ("leader", "P", None),
    }
    for key, (role, area, team) in users.items():
        w[key] = f.actor_for(engine, f.create_user(engine, role=role, area_code=area, team_id=team))
    with write_session(engine) as s:
        cid = create_campaign(
            s,
            actor=w["coord"],
            area_id=ids["A"],
            name="Thi đua",
            starts_on=today() - timedelta(days=30),
            ends_on=today() + timedelta(days=29),
        )
        quotas = [
            ("area", ids["A3"], "households_visited", 10),
            ("area", ids["A4"], "households_visited", 2),
            ("area", ids["A5"], "households_visited", 4),
            ("area", ids["A6"], "households_visited", 5),
            ("team", one, "households_visited", 4),
            ("team", one, "residents_guided", 4),
            ("team", two, "households_visited", 8),
        ]
        for kind, owner, metric, target in quotas:
            set_quota(
                s,
                actor=w["coord"],
                campaign_id=cid,
                owner_kind=kind,
                owner_id=owner,
                metric=metric,
                target=target,
            )
    w["campaign"] = cid
    visits = [("v1", "A3", 20)] * 5 + [("v2", "A4", 2)] * 2 + [("v2", "A5", 20), ("v2", "A5", 3)]
    visits += [("v1", "A6", 20)]
    households = [f.create_household(engine, village_id=ids[village]) for _who, village, _d in visits]
    with write_session(engine) as s:
        for n, ((who, _village, days_ago), household) in enumerate(zip(visits, households, strict=True)):
            data = VisitInput(f"emu-{n}", f.today_minus(days_ago), "home", "done", household_id=household)
            record_visit(s, actor=w[who], data=data)
    return w


def _board(engine, actor, campaign, **kw) -> emu.Board:
    with read_session(engine) as s:
        return emu.emulation_board(s, actor=actor, campaign_id=campaign, **kw)


def _summary(ranking: emu.Ranking) -> list[tuple]:
    return [
        (r.name, r.rank, r.tied, r.progress_capped, r.target, r.rank_week_ago, r.progress_capped_week_ago)
        for r in ranking.rows
    ]


def test_hand_computed_order_ties_missing_targets_and_movers(engine):
    w = _world(engine)
    board = _board(engine, w["leader"], w["campaign"])
    assert (board.area_name, board.as_of, board.week_ago) == ("Xã An", today(), today() - timedelta(days=7))
    assert not board.team_only
    # Nhỏ 2/2 beats Đông 5/10 (a small village wins); Đông and Tây both at 1/2 share rank 2; Bắc 1/5
    # is 4th (1, 2, 2, 4). A week ago: Đông 1/2, Tây 1/4, Bắc 1/5, Nhỏ 0 -> ranks 1, 2, 3, 4.
    # The villages with no quota are listed last, unranked, by name: Mới and the tree's Thôn Một and Thôn Hai.
    assert _summary(board.villages) == [
        ("Thôn Nhỏ", 1, False, 2, 2, 4, 0),
        ("Thôn Đông", 2, True, 5, 10, 1, 5),
        ("Thôn Tây", 2, True, 2, 4, 2, 1),
        ("Thôn Bắc", 4, False, 1, 5, 3, 1),
        ("Thôn Hai", None, False, 0, 0, None, None),
        ("Thôn Một", None, False, 0, 0, None, None),  # Vietnamese order: ô before ơ
        ("Thôn Mới", None, False, 0, 0, None, None),
    ]
    assert board.villages.ranked == 4
    small, big, west, north, *no_target = board.villages.rows
    assert (small.share, big.share, west.share, north.share) == (1.0, 0.5, 0.5, 0.2)
    assert all(r.share is None and r.share_week_ago is None for r in no_target)
    assert (small.rank_change, big.rank_change, west.rank_change, north.rank_change) == (3, -1, 0, -1)
    assert (small.points_change, west.points_change, big.points_change) == (100.0, 25.0, 0.0)
    # Movers: the shares that rose this week, most first (Đông and Bắc did not move).
    assert [(m.name, m.gain) for m in board.villages.movers] == [
        ("Thôn Nhỏ", Fraction(1)),
        ("Thôn Tây", Fraction(1, 4)),
    ]
    # Teams: Một 4/8 (6 households capped at 4, + 0 of 4 guided) ties with Hai 4/8: both first.
    # A week ago Một 4/8, Hai 1/8. Tổ Ba has no quota; Tổ Bình (commune B) is not in this area.
    assert _summary(board.teams) == [
        ("Tổ Hai", 1, True, 4, 8, 2, 1),
        ("Tổ Một", 1, True, 4, 8, 1, 4),
        ("Tổ Ba", None, False, 0, 0, None, None),
    ]
    assert board.teams.ranked == 2
    assert [(m.name, m.gain, m.rank_change) for m in board.teams.movers] == [("Tổ Hai", Fraction(3, 8), 1)]


def test_competition_ranks_compare_exact_fractions():
    shares = {1: Fraction(1, 3), 2: Fraction(2, 6), 3: Fraction(1), 4: Fraction(0), 5: Fraction(1, 3)}
    assert emu.competition_ranks(shares) == {
        3: (1, False),
        1: (2, True),
        2: (2, True),
        5: (2, True),
        4: (5, False),
    }
    # 0.1 + 0.2 != 0.3 in floats; as fractions they are one share.
    assert emu.competition_ranks({1: Fraction(3, 10), 2: Fraction(1, 10) + Fraction(2, 10)}) == {
        1: (1, True),
        2: (1, True),
    }


def test_a_sub_area_a_past_as_of_and_a_campaign_too_young_for_a_week_ago(sqlite_engine):
    w = _world(sqlite_engine)
    ids = w["ids"]
    village = _board(sqlite_engine, w["leader"], w["campaign"], area_id=ids["A5"])
    assert [r.name for r in village.villages.rows] == ["Thôn Tây"]
    assert village.villages.rows[0].rank == 1 and not village.villages.rows[0].tied
    assert village.teams.rows == ()  # the teams belong to the commune, not to the village
    # As of T-10: only the T-20 visits count; a week before that (T-17) the same.
    past = _board(sqlite_engine, w["leader"], w["campaign"], as_of=f.today_minus(10))
    assert [(r.name, r.progress_capped, r.rank) for r in past.villages.rows[:4]] == [
        ("Thôn Đông", 5, 1),
        ("Thôn Tây", 1, 2),
        ("Thôn Bắc", 1, 3),
        ("Thôn Nhỏ", 0, 4),
    ]
    assert past.villages.movers == ()
    # As of T-25 the campaign (from T-30) had not begun a week earlier: no week-ago figures, no movers.
    young = _board(sqlite_engine, w["leader"], w["campaign"], as_of=f.today_minus(25))
    assert young.week_ago is None
    assert all(r.rank_week_ago is None and r.share_week_ago is None for r in young.villages.rows)
    assert young.villages.movers == () and young.teams.movers == ()


def test_scope_other_commune_refused_and_province_sees_the_campaigns_area(sqlite_engine):
    w = _world(sqlite_engine)
    ids, cid = w["ids"], w["campaign"]
    with pytest.raises(PermissionDenied) as refused:
        _board(sqlite_engine, w["leader_b"], cid)
    assert refused.value.key == "err.out_of_scope"
    with pytest.raises(PermissionDenied) as refused:
        _board(sqlite_engine, w["leader"], cid, area_id=ids["B"])
    assert refused.value.key == "err.out_of_scope"
    # The province leader's board of a commune campaign covers the campaign's commune only.
    province = _board(sqlite_engine, w["leader_p"], cid)
    commune = _board(sqlite_engine, w["leader"], cid)
    assert province.villages == commune.villages and province.teams == commune.teams
    assert "Thôn Ba" not in [r.name for r in province.villages.rows]
    coordinator = _board(sqlite_engine, w["coord"], cid)
    assert coordinator.villages == commune.villages


def test_a_volunteer_sees_only_their_own_teams_place(sqlite_engine):
    w = _world(sqlite_engine)
    ids, cid = w["ids"], w["campaign"]
    with read_session(sqlite_engine) as s:
        offered = emu.board_campaigns(s, actor=w["v2"])
        assert [c.id for c in offered] == [cid]
        assert emu.board_campaigns(s, actor=w["vb"]) == []  # commune B's team: not in A's campaign
        assert emu.board_areas(s, actor=w["v2"]) == []
    board = _board(sqlite_engine, w["v2"], cid)
    assert board.team_only
    assert board.villages.rows == () and board.villages.ranked == 0
    assert _summary(board.teams) == [("Tổ Hai", 1, True, 4, 8, 2, 1)]
    assert board.teams.ranked == 2  # "1st of 2"
    assert board.teams.movers == ()  # no other team's figures, not even as a mover
    no_target = _board(sqlite_engine, w["v3"], cid)
    assert _summary(no_target.teams) == [("Tổ Ba", None, False, 0, 0, None, None)]
    assert no_target.teams.ranked == 2
    with pytest.raises(PermissionDenied) as refused:
        _board(sqlite_engine, w["vb"], cid)
    assert refused.value.key == "err.out_of_scope"
    with pytest.raises(PermissionDenied):
        _board(sqlite_engine, w["v2"], cid, area_id=ids["A5"])  # a volunteer's board is their area's
