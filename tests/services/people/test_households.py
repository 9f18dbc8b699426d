"""Households and residents added on the spot, the household card and duplicate warnings."""

import pytest
from sqlalchemy import func, select

from core.clock import today
from models.db import read_session, write_session
from models.tables import AuditLog, Household, Resident
from services.errors import PermissionDenied, ValidationFailed
from services.people.households import add_resident, create_household, household_card, likely_duplicates
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f


def _world(engine):
    ids = f.create_tree(engine)
    team_a1 = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    team_b = f.create_team(engine, area_id=ids["B"], village_ids=(ids["B1"],))
    return {
        **ids,
        "vol": f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team_a1)),
        "coord_a": f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A")),
        "coord_b": f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="B")),
        "vol_b": f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="B", team_id=team_b)),
    }


def test_create_household_generates_codes_and_keeps_rollups(engine):
    w = _world(engine)
    with write_session(engine) as s:
        first = create_household(
            s, actor=w["vol"], village_id=w["A1"], address=" Số 3,  ngõ 5 ", head_name="trần văn hoà"
        )
        second = create_household(
            s,
            actor=w["vol"],
            village_id=w["A1"],
            address="Số 4",
            head_name="Lê Thị Lan",
            phone="+84 912 345 678",
        )
    assert first.code == "A1-H0001"
    assert second.code == "A1-H0002"
    with read_session(engine) as s:
        head = s.get(Resident, first.head_resident_id)
        assert head.is_head and head.full_name == "Trần Văn Hòa" and head.name_key == "tran van hoa"
        assert s.get(Household, first.household_id).address == "Số 3, ngõ 5"
        assert s.get(Household, second.household_id).phone == "0912345678"
        assert s.get(Resident, second.head_resident_id).phone_rev == "8765432190"
        actions = s.exec(select(AuditLog.action).where(AuditLog.entity == "household")).scalars().all()
        assert actions.count("household.created") == 2
        assert compare(s) == []


def test_create_household_with_taken_code_is_refused(engine):
    w = _world(engine)
    f.create_household(engine, village_id=w["A1"], code="X-1")
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        create_household(s, actor=w["vol"], village_id=w["A1"], address="a", head_name="An", code="x-1")
    assert err.value.for_field("code")[0].key == "journey.code_taken"


def test_bad_input_names_every_field_and_writes_nothing(engine):
    w = _world(engine)
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        create_household(
            s,
            actor=w["vol"],
            village_id=w["A1"],
            address="  ",
            head_name=" ",
            phone="12345",
            head_birth_year=1850,
        )
    fields = {p.field: p.key for p in err.value.problems}
    assert fields == {
        "address": "err.required",
        "head_name": "err.required",
        "phone": "journey.phone_invalid",
        "head_birth_year": "journey.birth_year_range",
    }
    hh = f.create_household(engine, village_id=w["A1"])
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        add_resident(
            s,
            actor=w["vol"],
            household_id=hh,
            full_name="Ngô Thị Mai",
            birth_year=today().year + 1,
            sex="x",
            vneid_level=5,
        )
    assert {p.field for p in err.value.problems} == {"birth_year", "sex", "vneid_level"}
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        add_resident(s, actor=w["vol"], household_id=hh, full_name="Ngô Thị Mai", birth_year=None)
    assert err.value.for_field("birth_year")[0].key == "err.required"
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Household)).scalar_one() == 1
        assert s.exec(select(func.count()).select_from(Resident)).scalar_one() == 0


def test_add_resident_with_barriers_and_new_head(engine):
    w = _world(engine)
    with write_session(engine) as s:
        made = create_household(
            s, actor=w["coord_a"], village_id=w["A2"], address="Xóm Đông", head_name="Lò Văn Sáng"
        )
        rid = add_resident(
            s,
            actor=w["coord_a"],
            household_id=made.household_id,
            full_name="lò thị thuỷ",
            birth_year=1990,
            sex="female",
            phone="0987 654 321",
            is_head=True,
            has_smartphone=False,
            vneid_level=1,
            has_payment_account=False,
        )
    with read_session(engine) as s:
        r = s.get(Resident, rid)
        assert (r.full_name, r.name_key, r.phone) == ("Lò Thị Thủy", "lo thi thuy", "0987654321")
        assert r.is_head and not s.get(Resident, made.head_resident_id).is_head
        assert (r.has_smartphone, r.vneid_level, r.has_payment_account) == (False, 1, False)
        assert compare(s) == []


def test_scope_refusals(engine):
    w = _world(engine)
    hh_a1 = f.create_household(engine, village_id=w["A1"])
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        create_household(s, actor=w["vol"], village_id=w["A2"], address="a", head_name="An")
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        create_household(s, actor=w["coord_b"], village_id=w["A1"], address="a", head_name="An")
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        add_resident(s, actor=w["coord_b"], household_id=hh_a1, full_name="An", birth_year=1980)
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        add_resident(s, actor=w["vol_b"], household_id=hh_a1, full_name="An", birth_year=1980)
    with pytest.raises(PermissionDenied), read_session(engine) as s:
        household_card(s, actor=w["coord_b"], household_id=hh_a1)
    with pytest.raises(PermissionDenied), read_session(engine) as s:
        likely_duplicates(
            s, actor=w["coord_b"], commune_id=w["A"], full_name="An", birth_year=1980, phone=None
        )
    with read_session(engine) as s:
        assert household_card(s, actor=w["coord_a"], household_id=hh_a1).code


def test_likely_duplicates_in_the_commune(engine):
    w = _world(engine)
    hh_a2 = f.create_household(engine, village_id=w["A2"], code="A2-H0001")
    hh_b1 = f.create_household(engine, village_id=w["B1"])
    same = f.create_resident(engine, household_id=hh_a2, full_name="Phạm Thị Hoà", birth_year=1975)
    f.create_resident(engine, household_id=hh_a2, full_name="Phạm Thị Hoà", birth_year=1976)
    by_phone = f.create_resident(
        engine, household_id=hh_a2, full_name="Đỗ Văn Tùng", birth_year=1990, phone="0911222333"
    )
    f.create_resident(engine, household_id=hh_b1, full_name="Phạm Thị Hòa", birth_year=1975)
    query = {"commune_id": w["A"], "full_name": "pham thi hòa", "birth_year": 1975, "phone": "0911 222 333"}
    with read_session(engine) as s:
        found = likely_duplicates(s, actor=w["coord_a"], **query)
        for_volunteer = likely_duplicates(s, actor=w["vol"], **query)
    assert {d.resident_id for d in found} == {same, by_phone}
    by_id = {d.resident_id: d for d in found}
    assert by_id[same].same_name_and_year and not by_id[same].same_phone
    assert by_id[by_phone].same_phone and by_id[same].household_code == "A2-H0001"
    assert all(d.in_scope for d in found)
    # The volunteer's team works in A1 only: they are warned that likely matches live in Thôn Hai,
    # with initials only — no name, birth year or household to look people up with.
    assert sorted(
        (d.full_name, d.birth_year, d.household_code, d.household_id, d.village_name, d.in_scope)
        for d in for_volunteer
    ) == [
        ("P. T. H.", None, "", 0, "Thôn Hai", False),
        ("Đ. V. T.", None, "", 0, "Thôn Hai", False),
    ]
    with read_session(engine) as s:
        assert (
            likely_duplicates(s, actor=w["vol"], commune_id=w["A"], full_name="", birth_year=None, phone="")
            == []
        )


def test_household_card(engine):
    w = _world(engine)
    hh = f.create_household(engine, village_id=w["A1"], address="Số 9")
    head = f.create_resident(
        engine, household_id=hh, full_name="Vũ Văn Nam", birth_year=1950, has_smartphone=False
    )
    child = f.create_resident(engine, household_id=hh, full_name="Vũ Thị Hà", birth_year=2001)
    with write_session(engine) as s:
        s.get(Resident, head).is_head = True
    with write_session(engine) as s:
        record_visit(
            s,
            actor=w["vol"],
            data=VisitInput(
                idempotency_key="card-1",
                visited_on=f.today_minus(1),
                place="home",
                outcome="done",
                household_id=hh,
                follow_up_on=f.today_minus(-3),
                residents=[ResidentInput(child, guidance={"guide_apps"}, levels={"apps": 3, "pay": 2})],
            ),
        )
    with read_session(engine) as s:
        card = household_card(s, actor=w["vol"], household_id=hh)
    assert [r.id for r in card.residents] == [head, child]
    assert card.residents[0].levels == {"submit": 0, "pay": 0, "feedback": 0, "receive": 0, "apps": 0}
    assert card.residents[1].levels["apps"] == 3 and card.residents[1].levels["pay"] == 2
    assert card.residents[0].barriers["has_smartphone"] is False
    assert card.residents[1].first_guided_on == f.today_minus(1)
    assert card.last_visited_on == f.today_minus(1) and card.follow_up_on == f.today_minus(-3)
    assert len(card.recent_visits) == 1 and card.recent_visits[0].residents == 1


def test_household_card_masks_phones_for_roles_that_do_not_call(engine):
    """Issue #12 item 17: leaders and admins get the card with phones masked by the service."""
    w = _world(engine)
    hh = f.create_household(engine, village_id=w["A1"], address="Số 7")
    with write_session(engine) as s:
        s.get(Household, hh).phone = "0912345678"
    f.create_resident(engine, household_id=hh, full_name="Vũ Văn Nam", phone="0987654321")
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    admin = f.actor_for(engine, f.create_user(engine, role="admin", area_code="P"))
    with read_session(engine) as s:
        seen = {
            name: household_card(s, actor=actor, household_id=hh)
            for name, actor in (
                ("vol", w["vol"]),
                ("coord", w["coord_a"]),
                ("leader", leader),
                ("admin", admin),
            )
        }
    for name in ("vol", "coord"):
        assert (seen[name].phone, seen[name].residents[0].phone) == ("0912345678", "0987654321")
    for name in ("leader", "admin"):
        assert (seen[name].phone, seen[name].residents[0].phone) == ("*******678", "*******321")
