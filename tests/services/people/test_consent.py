"""Consent is recorded with who, when and how; leaders and out-of-area users are refused; the registry
and the export show it; the audit log keeps no personal values."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core.clock import today
from models.db import read_session, write_session
from models.tables import AuditLog, Resident
from services import audit
from services.errors import PermissionDenied, ValidationFailed
from services.people import admin
from services.people.consent import record_consent
from services.people.export import headers, iter_rows
from services.people.registry import RegistryFilter, list_residents, resident_detail
from tests import factories as f


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    h1 = f.create_household(engine, village_id=ids["A1"])
    h2 = f.create_household(engine, village_id=ids["A2"])
    hb = f.create_household(engine, village_id=ids["B1"])
    people = {
        "a1": f.create_resident(engine, household_id=h1, full_name="Trần Thị Mai", phone="0912345678"),
        "a2": f.create_resident(engine, household_id=h2, full_name="Lê Văn Tư"),
        "b1": f.create_resident(engine, household_id=hb, full_name="Hà Văn Ba"),
    }
    users = {
        "volunteer": f.create_user(engine, role="volunteer", area_code="A", team_id=team, username="vol"),
        "coordinator": f.create_user(engine, role="coordinator", area_code="A", username="coord"),
        "leader": f.create_user(engine, role="leader", area_code="A", username="lead"),
    }
    actors = {k: f.actor_for(engine, v) for k, v in users.items()}
    return engine, ids, people, users, actors


def test_consent_records_who_when_and_how(world):
    engine, _ids, people, users, actors = world
    with write_session(engine) as s:
        done = record_consent(s, actor=actors["volunteer"], resident_ids=[people["a1"]], method="verbal")
    assert done == [people["a1"]]
    with write_session(engine) as s:  # a second time changes nothing: the first record stands
        assert (
            record_consent(s, actor=actors["coordinator"], resident_ids=[people["a1"]], method="written")
            == []
        )
    with read_session(engine) as s:
        r = s.get(Resident, people["a1"])
        assert (r.consent_on, r.consent_by, r.consent_method) == (today(), users["volunteer"], "verbal")
        entries = (
            s.exec(select(AuditLog.details).where(AuditLog.action == "resident.consent")).scalars().all()
        )
    assert len(entries) == 1
    assert json.loads(entries[0]) == {"consent_on": today().isoformat(), "method": "verbal"}


def test_leaders_out_of_area_and_bad_methods_are_refused(world):
    engine, _ids, people, _users, actors = world
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        record_consent(s, actor=actors["leader"], resident_ids=[people["a1"]], method="verbal")
    with pytest.raises(PermissionDenied), write_session(engine) as s:  # not the volunteer's village
        record_consent(s, actor=actors["volunteer"], resident_ids=[people["a2"]], method="verbal")
    with pytest.raises(PermissionDenied), write_session(engine) as s:  # another commune
        record_consent(s, actor=actors["coordinator"], resident_ids=[people["b1"]], method="written")
    with pytest.raises(ValidationFailed), write_session(engine) as s:
        record_consent(s, actor=actors["coordinator"], resident_ids=[people["a1"]], method="nodded")
    with read_session(engine) as s:
        assert s.exec(select(Resident.consent_on).where(Resident.consent_on.is_not(None))).all() == []


def test_registry_and_export_show_consent(world):
    engine, _ids, people, _users, actors = world
    with write_session(engine) as s:
        record_consent(s, actor=actors["coordinator"], resident_ids=[people["a2"]], method="written")
    coord = actors["coordinator"]
    with read_session(engine) as s:
        rows = {r.id: r for r in list_residents(s, actor=coord, filters=RegistryFilter()).rows}
        detail = resident_detail(s, actor=coord, resident_id=people["a2"])
        exported = list(iter_rows(s, actor=coord))
    assert (rows[people["a2"]].consent_on, rows[people["a2"]].consent_method) == (today(), "written")
    assert rows[people["a1"]].consent_on is None
    assert (detail.consent_on, detail.consent_method, detail.consent_by) == (today(), "written", "coord")
    assert headers()[-1] == "Đồng ý lưu thông tin"
    cells = {row[3]: row[-1] for row in exported}
    assert cells == {"Trần Thị Mai": "", "Lê Văn Tư": f"{today().isoformat()} (ký phiếu)"}


def test_the_audit_log_keeps_field_names_not_personal_values(world):
    engine, _ids, people, _users, actors = world
    with write_session(engine) as s:
        admin.update_resident(
            s,
            actor=actors["coordinator"],
            resident_id=people["a1"],
            values={
                "full_name": "Trần Thị Mai Anh",
                "phone": "0987654321",
                "birth_year": 1961,
                "sex": "female",
            },
        )
    with read_session(engine) as s:
        (entry,) = (
            s.exec(select(AuditLog.details).where(AuditLog.action == "resident.edited")).scalars().all()
        )
    assert json.loads(entry) == {
        "changes": {
            "full_name": ["changed"],
            "phone": ["changed"],
            "birth_year": ["changed"],
            "sex": [None, "female"],
        }
    }
    for secret in ("Mai", "0912", "0987", "1961", "1970"):
        assert secret not in entry


@pytest.mark.parametrize(
    ("details", "stored"),
    [
        ({"changes": {"phone": ["0912", "0987"], "status": ["active", "moved"]}},
         {"changes": {"phone": ["changed"], "status": ["active", "moved"]}}),
        ({"household_id": 4, "full_name": "Lê Văn Tư", "birth_year": 1980, "address": ""},
         {"household_id": 4, "full_name": True, "birth_year": True, "address": None}),
        ({"before": {"name": "An", "phone": "0912000111"}, "after": {"name": "An", "phone": "0912000222"}},
         {"before": {"name": "An"}, "after": {"name": "An"}, "changes": {"phone": ["changed"]}}),
        ({"contact_phone": {"home": "0241234567"}, "reason": "x"}, {"contact_phone": True, "reason": "x"}),
        ({"notes": "bà ấy ốm", "outcome": "done"}, {"notes": True, "outcome": "done"}),
    ],
)  # fmt: skip
def test_redact(details, stored):
    assert audit.redact(details) == stored
