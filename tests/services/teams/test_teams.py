"""Teams, members, village assignment and balance: scope, roles, validation, size warning, audit."""

import pytest
from sqlalchemy import func, select

from models.db import read_session, write_session
from models.tables import AppSetting, AuditLog, Member, TeamVillage
from services.errors import PermissionDenied, ValidationFailed
from services.teams import teams as svc
from services.teams.teams import MemberInput
from tests import factories as f


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    coord_a = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    coord_b = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="B"))
    leader_a = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    return engine, ids, coord_a, coord_b, leader_a


def _households(engine, village_id, n):
    for _ in range(n):
        f.create_household(engine, village_id=village_id)


def test_team_and_member_crud_with_audit(world):
    engine, ids, coord, _b, _l = world
    with write_session(engine) as s:
        team_id = svc.create_team(s, actor=coord, area_id=ids["A"], name="  Tổ  CNS   xã An ")
        saved = svc.add_member(
            s,
            actor=coord,
            team_id=team_id,
            data=MemberInput("nguyễn văn  hoà", "teacher", phone="+84 912 345 678", is_leader=True),
        )
        second = svc.add_member(s, actor=coord, team_id=team_id, data=MemberInput("Lê Thị Hoa", "police"))
    assert saved.warnings == []
    with write_session(engine) as s:
        # A new leader replaces the old one (once confirmed): one leader per team.
        svc.update_member(
            s,
            actor=coord,
            member_id=second.id,
            data=MemberInput("Lê Thị Hoa", "police", phone="0987654321", is_leader=True, replace_leader=True),
        )
        svc.update_team(s, actor=coord, team_id=team_id, name="Tổ CNS số 1", active=False)
    with read_session(engine) as s:
        detail = svc.get_team(s, actor=coord, team_id=team_id)
        actions = s.exec(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert detail.name == "Tổ CNS số 1" and detail.active is False
    by_name = {m.full_name: m for m in detail.members}
    assert by_name["Nguyễn Văn Hòa"].phone == "0912345678"
    assert by_name["Nguyễn Văn Hòa"].is_leader is False
    assert by_name["Lê Thị Hoa"].is_leader is True and by_name["Lê Thị Hoa"].phone == "0987654321"
    assert [a for a in actions if a.startswith(("team.", "member."))] == [
        "team.created",
        "member.created",
        "member.created",
        "member.updated",
        "team.updated",
    ]


def test_member_validation_next_to_fields_and_nothing_written(world):
    engine, ids, coord, _b, _l = world
    team_id = f.create_team(engine, area_id=ids["A"])
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.add_member(s, actor=coord, team_id=team_id, data=MemberInput("  ", "wizard", phone="12345"))
    assert {p.field for p in exc.value.problems} == {"full_name", "kind", "phone"}
    assert exc.value.for_field("phone")[0].message("vi").startswith("Số điện thoại")
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Member)).scalar_one() == 0
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.create_team(s, actor=coord, area_id=ids["P"], name="")
    assert {p.field for p in exc.value.problems} == {"name", "area"}


def test_a_user_links_to_one_member_only(world):
    engine, ids, coord, _b, _l = world
    team_id = f.create_team(engine, area_id=ids["A"])
    uid = f.create_user(engine, role="volunteer", area_code="A", team_id=team_id)  # linked by the factory
    with read_session(engine) as s:
        assert uid not in [u for u, _n in svc.linkable_users(s, actor=coord)]
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.add_member(s, actor=coord, team_id=team_id, data=MemberInput("Trần Văn Ba", "other", user_id=uid))
    assert exc.value.problems[0].field == "user_id"
    assert exc.value.problems[0].key == "team.err_user_linked"
    other_team = f.create_team(engine, area_id=ids["A"], name="Tổ hai")
    free_uid = f.create_user(engine, role="volunteer", area_code="A", team_id=team_id, with_member=False)
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.add_member(
            s, actor=coord, team_id=other_team, data=MemberInput("Trần Văn Ba", "other", user_id=free_uid)
        )
    assert exc.value.problems[0].key == "team.err_user_other_team"
    with write_session(engine) as s:
        svc.add_member(
            s, actor=coord, team_id=team_id, data=MemberInput("Trần Văn Ba", "other", user_id=free_uid)
        )


def test_scope_refusals_across_communes(world):
    engine, ids, _coord_a, coord_b, _l = world
    team_a = f.create_team(engine, area_id=ids["A"])
    member_a = f.create_member(engine, team_id=team_a)
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.create_team(s, actor=coord_b, area_id=ids["A1"], name="Tổ lạ")
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.update_team(s, actor=coord_b, team_id=team_a, name="x", active=True)
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.add_member(s, actor=coord_b, team_id=team_a, data=MemberInput("Lê Văn Tư", "other"))
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.update_member(s, actor=coord_b, member_id=member_a, data=MemberInput("Lê Văn Tư", "other"))
    with pytest.raises(PermissionDenied), read_session(engine) as s:
        svc.get_team(s, actor=coord_b, team_id=team_a)
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.propose_balance(s, actor=coord_b, commune_id=ids["A"])
    with read_session(engine) as s:
        assert svc.list_teams(s, actor=coord_b) == []


def test_leader_reads_but_cannot_write_and_volunteer_sees_own_team(world):
    engine, ids, _c, _b, leader = world
    team_a = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    team_other = f.create_team(engine, area_id=ids["A"], name="Tổ khác")
    with read_session(engine) as s:
        assert svc.get_team(s, actor=leader, team_id=team_a).id == team_a
    for call in (
        lambda s: svc.create_team(s, actor=leader, area_id=ids["A"], name="Tổ mới"),
        lambda s: svc.update_team(s, actor=leader, team_id=team_a, name="x", active=True),
        lambda s: svc.add_member(s, actor=leader, team_id=team_a, data=MemberInput("Lê Văn Tư", "other")),
        lambda s: svc.set_team_villages(s, actor=leader, team_id=team_a, village_ids=[ids["A2"]]),
        lambda s: svc.apply_balance(s, actor=leader, commune_id=ids["A"], assignment={}),
    ):
        with pytest.raises(PermissionDenied), write_session(engine) as s:
            call(s)
    vol = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team_a))
    with read_session(engine) as s:
        assert [r.id for r in svc.list_teams(s, actor=vol)] == [team_a]
        assert svc.get_team(s, actor=vol, team_id=team_a).members[0].full_name
        with pytest.raises(PermissionDenied):
            svc.get_team(s, actor=vol, team_id=team_other)
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.add_member(s, actor=vol, team_id=team_a, data=MemberInput("Lê Văn Tư", "other"))


def test_size_warning_is_not_a_refusal_and_follows_the_setting(world):
    engine, ids, coord, _b, _l = world
    village_team = f.create_team(engine, area_id=ids["A1"])
    with write_session(engine) as s:
        results = [
            svc.add_member(s, actor=coord, team_id=village_team, data=MemberInput(f"Người {n}", "other"))
            for n in range(6)
        ]
    assert [bool(r.warnings) for r in results] == [False] * 5 + [True]
    assert results[-1].warnings[0].params == {"count": 6, "limit": 5}
    with write_session(engine) as s:
        s.add(AppSetting(key="team_max_members_village", value="8"))
    with read_session(engine) as s:
        detail = svc.get_team(s, actor=coord, team_id=village_team)
    assert len([m for m in detail.members if m.active]) == 6
    assert detail.size_limit == 8 and detail.warnings == []


def test_villages_must_lie_in_the_team_commune(world):
    engine, ids, coord, _b, _l = world
    team = f.create_team(engine, area_id=ids["A2"])  # a village team: its commune is A
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.set_team_villages(s, actor=coord, team_id=team, village_ids=[ids["A1"], ids["B1"]])
    assert exc.value.problems[0].field == "villages"
    with write_session(engine) as s:
        svc.set_team_villages(s, actor=coord, team_id=team, village_ids=[ids["A1"], ids["A2"]])
    other = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))  # villages may be shared
    with read_session(engine) as s:
        # Listed in Vietnamese alphabetical order: "Thôn Hai" before "Thôn Một".
        assert [v.id for v in svc.get_team(s, actor=coord, team_id=team).villages] == [ids["A2"], ids["A1"]]
        assert svc.get_team(s, actor=coord, team_id=other).villages[0].id == ids["A1"]


def test_a_village_level_coordinator_cannot_hand_out_a_neighbouring_village(world):
    engine, ids, _a, _b, _l = world
    coord_a2 = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A2"))
    team = f.create_team(engine, area_id=ids["A2"])
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        svc.set_team_villages(s, actor=coord_a2, team_id=team, village_ids=[ids["A1"]])
    with write_session(engine) as s:
        svc.set_team_villages(s, actor=coord_a2, team_id=team, village_ids=[ids["A2"]])
    with read_session(engine) as s:
        assert s.exec(select(TeamVillage.village_id).where(TeamVillage.team_id == team)).scalars().all() == [
            ids["A2"]
        ]


def test_balance_evens_households_per_member_and_applies(world):
    engine, ids, coord, _b, _l = world
    from tests.factories import create_area

    extra = [
        create_area(engine, code=f"A{n}", name=f"Thôn {n}", level="village", parent_code="A") for n in (3, 4)
    ]
    villages = [ids["A1"], ids["A2"], *extra]
    for village, n in zip(villages, (8, 6, 4, 2), strict=True):
        _households(engine, village, n)
    # Skewed: team one (2 members) holds every village, team two (2 members) none.
    t1 = f.create_team(engine, area_id=ids["A"], name="Tổ một", village_ids=tuple(villages))
    t2 = f.create_team(engine, area_id=ids["A"], name="Tổ hai")
    for team in (t1, t1, t2, t2):
        f.create_member(engine, team_id=team)
    with read_session(engine) as s:
        proposal = svc.propose_balance(s, actor=coord, commune_id=ids["A"])
    loads = {x.team_id: x for x in proposal.loads}
    before = [x.per_member_before for x in loads.values()]
    after = [x.per_member_after for x in loads.values()]
    assert (max(before), min(before)) == (10, 0)
    assert max(after) - min(after) < max(before) - min(before)
    assert sorted(x.households_after for x in loads.values()) == [10, 10]
    # Only the villages that change hands are proposed (was: every village, moved or not).
    assert proposal.assignment == {ids["A1"]: t2, extra[1]: t2}
    assert (proposal.gap_before, proposal.gap_after) == (10, 0)
    with write_session(engine) as s:
        svc.apply_balance(s, actor=coord, commune_id=ids["A"], assignment=proposal.assignment)
    with read_session(engine) as s:
        rows = set(s.exec(select(TeamVillage.village_id, TeamVillage.team_id)).all())
        audit = s.exec(select(AuditLog.action).where(AuditLog.action == "team.balance_applied")).all()
    assert rows == {(v, t1) for v in villages if v not in proposal.assignment} | set(
        proposal.assignment.items()
    )
    assert {t for _v, t in rows} == {t1, t2}
    assert len(audit) == 1


def test_balance_refuses_a_team_of_another_commune(world):
    engine, ids, coord, _b, _l = world
    f.create_member(engine, team_id=f.create_team(engine, area_id=ids["A"]))
    team_b = f.create_team(engine, area_id=ids["B"])
    f.create_member(engine, team_id=team_b)
    with pytest.raises(ValidationFailed), write_session(engine) as s:
        svc.apply_balance(s, actor=coord, commune_id=ids["A"], assignment={ids["A1"]: team_b})
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(TeamVillage)).scalar_one() == 0


# ---------------------------------------------------------------- duplicates and the leader flag


def _members(engine, team_id) -> list[tuple[str, str | None, bool]]:
    with read_session(engine) as s:
        rows = s.exec(
            select(Member.full_name, Member.phone, Member.is_leader)
            .where(Member.team_id == team_id)
            .order_by(Member.id)
        ).all()
    return [tuple(r) for r in rows]


def test_the_same_person_twice_in_a_team_is_refused(world):
    engine, ids, coord, _b, _l = world
    team_id = f.create_team(engine, area_id=ids["A"])
    other_team = f.create_team(engine, area_id=ids["A"], name="Tổ hai")
    with write_session(engine) as s:
        first = svc.add_member(
            s, actor=coord, team_id=team_id, data=MemberInput("Nguyễn Văn Hòa", "teacher", "0912345678")
        )
        svc.add_member(s, actor=coord, team_id=team_id, data=MemberInput("Lê Thị Hoa", "police"))
    # Same name (typed another way) and same phone: refused next to the name, nothing written.
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.add_member(
            s, actor=coord, team_id=team_id, data=MemberInput("nguyễn văn hoà", "other", "+84 912 345 678")
        )
    assert [(p.field, p.key) for p in exc.value.problems] == [("full_name", "team.err_member_duplicate")]
    assert exc.value.problems[0].message("vi") == (
        "Tổ đã có thành viên Nguyễn Văn Hòa với số điện thoại này; không thêm trùng."
    )
    # Both without a phone: refused too, with a hint to tell them apart.
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.add_member(s, actor=coord, team_id=team_id, data=MemberInput("Lê Thị Hoa", "teacher"))
    assert exc.value.problems[0].key == "team.err_member_duplicate_no_phone"
    # Editing another member into a copy of the first is refused as well.
    with read_session(engine) as s:
        second_id = s.exec(select(Member.id).where(Member.full_name == "Lê Thị Hoa")).scalar_one()
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.update_member(
            s, actor=coord, member_id=second_id, data=MemberInput("Nguyễn Văn Hòa", "police", "0912345678")
        )
    assert exc.value.problems[0].key == "team.err_member_duplicate"
    assert len(_members(engine, team_id)) == 2
    # A namesake with another phone, the same person in another team, and an edit of oneself are fine.
    with write_session(engine) as s:
        svc.add_member(
            s, actor=coord, team_id=team_id, data=MemberInput("Nguyễn Văn Hòa", "other", "0987654321")
        )
        svc.add_member(
            s, actor=coord, team_id=other_team, data=MemberInput("Nguyễn Văn Hòa", "other", "0912345678")
        )
        svc.update_member(
            s, actor=coord, member_id=first.id, data=MemberInput("Nguyễn Văn Hòa", "officer", "0912345678")
        )
    # A deactivated copy: the message says to reactivate instead.
    with write_session(engine) as s:
        svc.update_member(
            s,
            actor=coord,
            member_id=first.id,
            data=MemberInput("Nguyễn Văn Hòa", "officer", "0912345678", active=False),
        )
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.add_member(
            s, actor=coord, team_id=team_id, data=MemberInput("Nguyễn Văn Hòa", "other", "0912345678")
        )
    assert exc.value.problems[0].key == "team.err_member_duplicate_inactive"


def test_moving_the_leader_flag_needs_confirmation(world):
    engine, ids, coord, _b, _l = world
    team_id = f.create_team(engine, area_id=ids["A"])
    with write_session(engine) as s:
        leader = svc.add_member(
            s, actor=coord, team_id=team_id, data=MemberInput("Trần Thị Mai", "officer", is_leader=True)
        )
    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        svc.add_member(
            s, actor=coord, team_id=team_id, data=MemberInput("Lò Văn Bình", "police", is_leader=True)
        )
    assert [(p.field, p.key, p.params) for p in exc.value.problems] == [
        ("is_leader", "team.leader_taken", {"leader": "Trần Thị Mai"})
    ]
    assert _members(engine, team_id) == [("Trần Thị Mai", None, True)]  # A keeps the flag, B is not added
    with write_session(engine) as s:
        # Re-saving the leader, or adding an inactive member with the tick, asks nothing.
        svc.update_member(
            s, actor=coord, member_id=leader.id, data=MemberInput("Trần Thị Mai", "teacher", is_leader=True)
        )
        svc.add_member(
            s,
            actor=coord,
            team_id=team_id,
            data=MemberInput("Vì Thị Ly", "other", is_leader=True, active=False),
        )
        svc.add_member(
            s,
            actor=coord,
            team_id=team_id,
            data=MemberInput("Lò Văn Bình", "police", is_leader=True, replace_leader=True),
        )
    assert [(n, lead) for n, _p, lead in _members(engine, team_id)] == [
        ("Trần Thị Mai", False),
        ("Vì Thị Ly", False),
        ("Lò Văn Bình", True),
    ]


# ---------------------------------------------------------------- shared villages and the balance


def _per_member(households: dict[int, int], holders: dict[int, list[int]], members: dict[int, int]) -> dict:
    """Households per member computed here, independently of the service (a shared village is split)."""
    load = dict.fromkeys(members, 0.0)
    for village, teams in holders.items():
        for team in teams:
            load[team] += households[village] / len(teams)
    return {t: load[t] / members[t] for t in members}


def _gap(per: dict) -> float:
    return max(per.values()) - min(per.values())


def test_a_village_in_two_teams_is_warned(world):
    engine, ids, coord, _b, _l = world
    t1 = f.create_team(engine, area_id=ids["A"], name="Tổ một", village_ids=(ids["A1"],))
    t2 = f.create_team(engine, area_id=ids["A"], name="Tổ hai")
    for team in (t1, t2):
        f.create_member(engine, team_id=team)
    _households(engine, ids["A1"], 6)
    _households(engine, ids["A2"], 2)
    with write_session(engine) as s:
        result = svc.set_team_villages(s, actor=coord, team_id=t2, village_ids=[ids["A1"], ids["A2"]])
    assert [(w.key, w.params) for w in result.warnings] == [
        ("team.village_shared", {"village": "Thôn Một", "teams": "Tổ một"})
    ]
    with read_session(engine) as s:
        detail = svc.get_team(s, actor=coord, team_id=t1)
        villages = {v.id: v for v in svc.commune_villages(s, actor=coord, commune_id=ids["A"])}
        proposal = svc.propose_balance(s, actor=coord, commune_id=ids["A"])
    assert [(w.key, w.params) for w in detail.warnings] == [
        ("team.village_shared", {"village": "Thôn Một", "teams": "Tổ hai"})
    ]
    assert villages[ids["A1"]].teams == ("Tổ hai", "Tổ một")  # Vietnamese order
    assert set(villages[ids["A1"]].team_ids) == {t1, t2}
    assert [(w.key, w.params) for w in proposal.warnings] == [
        ("team.village_shared_all", {"village": "Thôn Một", "teams": "Tổ hai, Tổ một"})
    ]
    assert ids["A1"] not in proposal.assignment  # the shared village is left to the coordinator
    # A deactivated team no longer counts as a second holder.
    with write_session(engine) as s:
        svc.update_team(s, actor=coord, team_id=t1, name="Tổ một", active=False)
    with read_session(engine) as s:
        assert svc.get_team(s, actor=coord, team_id=t2).warnings == []


def test_balance_never_proposes_a_swap_that_changes_nothing(world):
    engine, ids, coord, _b, _l = world
    _households(engine, ids["A1"], 8)
    _households(engine, ids["A2"], 8)
    # Each team holds the village the old helper would have given to the other: a pointless swap.
    t1 = f.create_team(engine, area_id=ids["A"], name="Tổ một", village_ids=(ids["A2"],))
    t2 = f.create_team(engine, area_id=ids["A"], name="Tổ hai", village_ids=(ids["A1"],))
    for team in (t1, t1, t2, t2):
        f.create_member(engine, team_id=team)
    with read_session(engine) as s:
        proposal = svc.propose_balance(s, actor=coord, commune_id=ids["A"])
    assert proposal.moves == [] and proposal.assignment == {}
    assert proposal.gap_before == proposal.gap_after == 0


def test_a_village_team_keeps_its_own_village(world):
    engine, ids, coord, _b, _l = world
    _households(engine, ids["A1"], 10)
    _households(engine, ids["A2"], 10)
    commune_team = f.create_team(engine, area_id=ids["A"], name="Tổ xã")  # the lower id
    village_team = f.create_team(
        engine, area_id=ids["A1"], name="Tổ Thôn Một", village_ids=(ids["A1"], ids["A2"])
    )
    for team in (commune_team, commune_team, village_team, village_team):
        f.create_member(engine, team_id=team)
    with read_session(engine) as s:
        proposal = svc.propose_balance(s, actor=coord, commune_id=ids["A"])
    assert proposal.assignment == {ids["A2"]: commune_team}
    move = proposal.moves[0]
    assert (move.village_name, move.households, move.from_team, move.to_team) == (
        "Thôn Hai",
        10,
        "Tổ Thôn Một",
        "Tổ xã",
    )
    assert (proposal.gap_before, proposal.gap_after) == (10, 0)


def test_every_proposed_move_narrows_the_gap(world):
    engine, ids, coord, _b, _l = world
    from tests.factories import create_area

    more = [
        create_area(engine, code=f"A{n}", name=f"Thôn {n}", level="village", parent_code="A")
        for n in (3, 4, 5, 6)
    ]
    villages = [ids["A1"], ids["A2"], *more]
    households = dict(zip(villages, (30, 20, 12, 9, 5, 4), strict=True))
    for village, n in households.items():
        _households(engine, village, n)
    t1 = f.create_team(
        engine, area_id=ids["A"], name="Tổ một", village_ids=(villages[0], villages[1], villages[2])
    )
    t2 = f.create_team(engine, area_id=ids["A"], name="Tổ hai", village_ids=(villages[3],))
    t3 = f.create_team(engine, area_id=ids["A"], name="Tổ ba", village_ids=(villages[4],))
    t4 = f.create_team(engine, area_id=ids["A"], name="Tổ bốn")
    members = {t1: 3, t2: 2, t3: 4, t4: 1}
    for team, n in members.items():
        for k in range(n):
            f.create_member(engine, team_id=team, full_name=f"Người {team}-{k}")
    holders = {villages[0]: [t1], villages[1]: [t1], villages[2]: [t1], villages[3]: [t2], villages[4]: [t3]}
    with read_session(engine) as s:
        proposal = svc.propose_balance(s, actor=coord, commune_id=ids["A"])
    after = {**holders, **{v: [t] for v, t in proposal.assignment.items()}}
    per_before, per_after = _per_member(households, holders, members), _per_member(households, after, members)
    assert _gap(per_after) < _gap(per_before)
    assert proposal.gap_before == pytest.approx(_gap(per_before), abs=0.01)
    assert proposal.gap_after == pytest.approx(_gap(per_after), abs=0.01)
    for load in proposal.loads:
        assert load.per_member_before == pytest.approx(per_before[load.team_id], abs=0.05)
        assert load.per_member_after == pytest.approx(per_after[load.team_id], abs=0.05)
    # The village with no team (Thôn 6) gets one; every other move is needed: undone alone, the gap
    # widens by half a household per member or more.
    assert villages[5] in proposal.assignment
    assert [m.from_team for m in proposal.moves if m.village_id == villages[5]] == [None]
    reassigned = [v for v in proposal.assignment if v in holders]
    assert reassigned
    for village in reassigned:
        undone = {**after, village: holders[village]}
        assert _gap(_per_member(households, undone, members)) - _gap(per_after) >= 0.5, village


def test_a_volunteer_cannot_list_the_communes_villages(engine):
    """Issue #12 item 19: commune_villages (assignment choices, households per village) is for the people
    who assign teams; a volunteer sees their own team's villages elsewhere."""
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    with read_session(engine) as s:
        with pytest.raises(PermissionDenied):
            svc.commune_villages(s, actor=volunteer, commune_id=ids["A"])
        assert {v.id for v in svc.commune_villages(s, actor=leader, commune_id=ids["A"])} == {
            ids["A1"],
            ids["A2"],
        }
