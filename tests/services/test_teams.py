"""Teams, members, village assignment and balance: scope, roles, validation, size warning, audit."""

import pytest
from sqlalchemy import func, select

from models.db import read_session, write_session
from models.tables import AppSetting, AuditLog, Member, TeamVillage
from services import teams as svc
from services.errors import PermissionDenied, ValidationFailed
from services.teams import MemberInput
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
        # A new leader replaces the old one: one leader per team.
        svc.update_member(
            s,
            actor=coord,
            member_id=second.id,
            data=MemberInput("Lê Thị Hoa", "police", phone="0987654321", is_leader=True),
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
    assert set(proposal.assignment) == set(villages)
    with write_session(engine) as s:
        svc.apply_balance(s, actor=coord, commune_id=ids["A"], assignment=proposal.assignment)
    with read_session(engine) as s:
        rows = set(s.exec(select(TeamVillage.village_id, TeamVillage.team_id)).all())
        audit = s.exec(select(AuditLog.action).where(AuditLog.action == "team.balance_applied")).all()
    assert rows == set(proposal.assignment.items())
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
