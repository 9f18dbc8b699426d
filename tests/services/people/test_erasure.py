"""Erasure removes a resident's or household's personal data, keeps the history as counts, keeps the
rollups exact and leaves an audit entry without values; only admins of the area may erase."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models.db import read_session, write_session
from models.tables import AuditLog, Household, Resident, SkillEvent, Visit, VisitResident
from services.errors import PermissionDenied
from services.people import admin
from services.people.consent import record_consent
from services.people.erasure import erase_household, erase_resident
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    volunteer = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    actors = {
        "admin": f.actor_for(engine, f.create_user(engine, role="admin", area_code="A")),
        "admin_b": f.actor_for(engine, f.create_user(engine, role="admin", area_code="B")),
        "coordinator": f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A")),
        "volunteer": volunteer,
    }
    household = f.create_household(engine, village_id=ids["A1"], address="Số 5 ngõ Đình")
    with write_session(engine) as s:
        s.exec(select(Household).where(Household.id == household)).scalar().phone = "0241234567"
    old = f.create_resident(engine, household_id=household, full_name="Trần Thị Mai", birth_year=1950,
                            phone="0912345678", has_smartphone=False)  # fmt: skip
    young = f.create_resident(engine, household_id=household, full_name="Trần Văn Nam", birth_year=2000)
    data = VisitInput(
        idempotency_key="k1",
        visited_on=f.today_minus(3),
        place="home",
        outcome="done",
        household_id=household,
        notes="bà Mai ốm",
        residents=[
            ResidentInput(resident_id=old, guidance={"guide_apps"}, levels={"apps": 2}),
            ResidentInput(resident_id=young, guidance={"guide_pay"}, levels={"pay": 3}),
        ],
    )
    with write_session(engine) as s:
        record_visit(s, actor=volunteer, data=data)
        record_consent(s, actor=volunteer, resident_ids=[old], method="verbal")
        admin.update_resident(s, actor=actors["coordinator"], resident_id=old, values={"phone": "0987654321"})
    return engine, ids, actors, household, old, young


def test_erasing_a_resident_keeps_counts_and_rollups(world):
    engine, _ids, actors, _household, old, young = world
    with write_session(engine) as s:
        kept = erase_resident(s, actor=actors["admin"], resident_id=old)
    assert kept == {"visits": 1, "skill_events": 1}
    with read_session(engine) as s:
        r = s.get(Resident, old)
        assert (r.full_name, r.phone, r.phone_rev, r.birth_year, r.sex) == (
            f"Đã xoá #{old}",
            None,
            None,
            None,
            None,
        )
        assert (r.consent_on, r.consent_by, r.consent_method) == (None, None, None)
        assert r.has_smartphone is False and r.status == "active"  # barriers stay, it still counts
        assert s.get(Resident, young).full_name == "Trần Văn Nam"
        assert s.exec(select(SkillEvent.id).where(SkillEvent.resident_id == old)).all()
        assert s.exec(select(VisitResident.visit_id).where(VisitResident.resident_id == old)).all()
        assert compare(s) == []
        log = s.exec(select(AuditLog.action, AuditLog.details, AuditLog.user_id)).all()
    (erased,) = [(d, u) for a, d, u in log if a == "resident.erased"]
    assert erased[1] == actors["admin"].user_id
    assert json.loads(erased[0])["visits"] == 1
    everything = " ".join(d for _a, d, _u in log)
    for secret in ("Trần Thị Mai", "0912", "0987", "1950"):
        assert secret not in everything


def test_erasing_a_household_blanks_every_personal_field(world):
    engine, _ids, actors, household, old, young = world
    with write_session(engine) as s:
        kept = erase_household(s, actor=actors["admin"], household_id=household)
    assert kept["residents"] == 2 and kept["household_visits"] == 1
    with read_session(engine) as s:
        h = s.get(Household, household)
        assert (h.address, h.address_key, h.phone, h.status) == ("", "", None, "active")
        names = s.exec(select(Resident.full_name).where(Resident.household_id == household)).scalars().all()
        assert sorted(names) == sorted([f"Đã xoá #{old}", f"Đã xoá #{young}"])
        assert s.exec(select(Visit.notes).where(Visit.household_id == household)).scalars().all() == [""]
        assert compare(s) == []
        details = s.exec(select(AuditLog.details).where(AuditLog.action == "household.erased")).scalar()
    assert "Đình" not in details and "0241" not in details


@pytest.mark.parametrize("who", ["coordinator", "volunteer", "admin_b"])
def test_only_an_admin_of_the_area_may_erase(world, who):
    engine, _ids, actors, household, old, _young = world
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        erase_resident(s, actor=actors[who], resident_id=old)
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        erase_household(s, actor=actors[who], household_id=household)
    with read_session(engine) as s:
        assert s.get(Resident, old).full_name == "Trần Thị Mai"
        assert s.get(Household, household).address == "Số 5 ngõ Đình"
