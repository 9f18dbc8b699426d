"""The "Xoá dữ liệu cá nhân" action in AppTest: an admin erases after typing the confirmation (a wrong
word erases nothing); a coordinator never sees it; consent shows and is recorded on the resident page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from models.db import read_session
from models.tables import Household, Resident
from services.rollups.recount import compare
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = user_id
    return at.switch_page(page).run()


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, [b.label for b in at.button]
    return matches[0]


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    ha = f.create_household(e, village_id=ids["A1"], code="HA1", address="Xóm Đình")
    ra = f.create_resident(e, household_id=ha, full_name="Trần Văn Rõ", phone="0912345678", birth_year=1960)
    users = {role: f.create_user(e, role=role, area_code="A") for role in ("coordinator", "admin")}
    return e, users, ha, ra


def test_admin_erases_a_resident_after_typing_the_confirmation(world):
    e, users, _ha, ra = world
    at = open_page(users["admin"], "pages/residents.py")
    at.selectbox(key="residents.selected").set_value(ra).run()
    at.text_input(key=f"re_erase_{ra}").set_value("sai")
    button(at, "Xoá dữ liệu cá nhân").click().run()
    assert "Nội dung xác nhận không khớp: chưa xoá gì." in [x.value for x in at.error]
    with read_session(e) as s:
        assert s.get(Resident, ra).full_name == "Trần Văn Rõ"
    at.text_input(key=f"re_erase_{ra}").set_value(str(ra))
    button(at, "Xoá dữ liệu cá nhân").click().run()
    assert "Đã xoá dữ liệu cá nhân." in [x.value for x in at.success]
    with read_session(e) as s:
        r = s.get(Resident, ra)
        assert (r.full_name, r.phone, r.birth_year) == (f"Đã xoá #{ra}", None, None)
        assert compare(s) == []


def test_admin_erases_a_household(world):
    e, users, ha, ra = world
    at = open_page(users["admin"], "pages/households.py")
    at.selectbox(key="households.selected").set_value(ha).run()
    at.text_input(key=f"he_erase_{ha}").set_value("HA1")
    button(at, "Xoá dữ liệu cá nhân").click().run()
    assert "Đã xoá dữ liệu cá nhân." in [x.value for x in at.success]
    with read_session(e) as s:
        assert s.get(Household, ha).address == ""
        assert s.get(Resident, ra).full_name == f"Đã xoá #{ra}"


def test_a_coordinator_has_no_erase_action_but_records_consent(world):
    e, users, ha, ra = world
    at = open_page(users["coordinator"], "pages/residents.py")
    at.selectbox(key="residents.selected").set_value(ra).run()
    assert not [b for b in at.button if b.label == "Xoá dữ liệu cá nhân"]
    assert "Chưa ghi nhận đồng ý lưu thông tin." in [c.value for c in at.caption]
    button(at, "Ghi nhận đồng ý").click().run()
    assert "Đã ghi nhận đồng ý lưu thông tin." in [x.value for x in at.success]
    with read_session(e) as s:
        assert s.get(Resident, ra).consent_method == "written"
    hh = open_page(users["coordinator"], "pages/households.py")
    hh.selectbox(key="households.selected").set_value(ha).run()
    assert not [b for b in hh.button if b.label == "Xoá dữ liệu cá nhân"]
