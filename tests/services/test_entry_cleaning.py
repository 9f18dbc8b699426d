"""Issue #12 items 4 and 5 at the forms (not only the import): invisible and control characters are
stripped from what people type, a 12-digit number that looks like a citizen ID is refused in names,
addresses, visit notes and withdrawal reasons, and visit notes are capped — each next to its field."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.text import clean_notes, normalize_name, normalize_text
from models.db import read_session, write_session
from models.tables import Household, Resident, Visit
from services.errors import ValidationFailed
from services.people import admin
from services.people.households import create_household
from services.visits.corrections import withdraw_visit
from services.visits.record import NOTES_MAX
from tests.services.visits.visit_world import _input, _record, _world

ID = "001203004567"  # the shape of a CCCD number (province 001, 1900s/2000s, …)


def test_normalising_drops_controls_bidi_and_zero_width():
    assert normalize_name("Nguy\u200bễn\x1b[31m Văn\u202e An\x07") == "Nguyễn Văn An"
    assert normalize_text("Xóm\u00a0Đình,\tsố 5\x00") == "Xóm Đình, số 5"
    assert clean_notes("Hẹn lại\r\n\u200bthứ Bảy \n\n") == "Hẹn lại\nthứ Bảy"


def _fields(err) -> list[tuple[str, str]]:
    return [(p.field, p.key) for p in err.value.problems]


def test_a_new_household_refuses_an_id_number_in_the_name_or_address(engine):
    w = _world(engine)
    for kwargs, field in (
        ({"address": f"Số 3 {ID}", "head_name": "Lê Thị Lan"}, "address"),
        ({"address": "Số 3", "head_name": f"Lê Thị Lan {ID}"}, "head_name"),
    ):
        with write_session(engine) as s, pytest.raises(ValidationFailed) as err:
            create_household(s, actor=w["vol"], village_id=w["A1"], **kwargs)
        assert (field, "err.id_number") in _fields(err)
    with write_session(engine) as s:
        created = create_household(
            s, actor=w["vol"], village_id=w["A1"], address="Số\u200b 3", head_name="Lê\u202e Thị Lan"
        )
    with read_session(engine) as s:
        assert s.get(Household, created.household_id).address == "Số 3"
        assert s.get(Resident, created.head_resident_id).full_name == "Lê Thị Lan"


def test_registry_edits_refuse_an_id_number(engine):
    w = _world(engine)
    with write_session(engine) as s, pytest.raises(ValidationFailed) as err:
        admin.update_resident(s, actor=w["coord"], resident_id=w["r1"], values={"full_name": f"Đinh {ID}"})
    assert _fields(err) == [("full_name", "err.id_number")]
    with write_session(engine) as s, pytest.raises(ValidationFailed) as err:
        admin.update_household(s, actor=w["coord"], household_id=w["hh"], values={"address": ID})
    assert _fields(err) == [("address", "err.id_number")]


def test_visit_notes_are_cleaned_capped_and_refuse_an_id_number(engine):
    w = _world(engine)
    long_notes = _input(w, "n1")
    long_notes.notes = "x" * (NOTES_MAX + 1)
    with pytest.raises(ValidationFailed) as err:
        _record(engine, w["vol"], long_notes)
    assert _fields(err) == [("notes", "journey.too_long")]
    with_id = _input(w, "n2")
    with_id.notes = f"CCCD {ID[:3]} {ID[3:6]} {ID[6:9]} {ID[9:]}"
    with pytest.raises(ValidationFailed) as err:
        _record(engine, w["vol"], with_id)
    assert _fields(err) == [("notes", "err.id_number")]
    fine = _input(w, "n3")
    fine.notes = "Hẹn\x1b[2J lại\r\nthứ Bảy\u200b"
    vid = _record(engine, w["vol"], fine)
    with read_session(engine) as s:
        assert s.get(Visit, vid).notes == "Hẹn lại\nthứ Bảy"
    with write_session(engine) as s, pytest.raises(ValidationFailed) as err:
        withdraw_visit(s, actor=w["vol"], visit_id=vid, reason=f"nhầm, {ID}")
    assert _fields(err) == [("reason", "err.id_number")]
    with read_session(engine) as s:
        assert s.exec(select(Visit.status)).scalars().all() == ["active"]
