"""Households, residents and import pages in AppTest: each role, read-only leader, edits, upload and apply."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from models.db import read_session, write_session
from models.tables import Resident
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ("pages/households.py", "pages/residents.py", "pages/import_residents.py")
GOOD = "Mã hộ,Thôn,Họ và tên,Năm sinh,Số điện thoại,Chủ hộ\nP1,A1,Nguyễn Văn Nhập,1970,0912345678,x\n"


def open_page(user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = user_id
    return at.switch_page(page).run()


def texts(at: AppTest) -> str:
    parts = [
        e.value for e in (*at.markdown, *at.caption, *at.error, *at.success, *at.info, *at.title, *at.warning)
    ]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


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
    hb = f.create_household(e, village_id=ids["B1"], code="HB1")
    f.create_resident(e, household_id=hb, full_name="Người Xã Bên")
    users = {role: f.create_user(e, role=role, area_code="A") for role in ("coordinator", "leader", "admin")}
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    users["volunteer"] = f.create_user(e, role="volunteer", area_code="A", team_id=team)
    return e, ids, users, ra


@pytest.mark.parametrize("page", PAGES)
def test_volunteer_cannot_open(world, page):
    _e, _ids, users, _ra = world
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = users["volunteer"]
    at.run()
    at.switch_page(page).run()  # every page is registered (#8 item 15): its guard refuses
    assert [e.value for e in at.main.error] == ["Vai trò của bạn không được mở trang này."]
    assert not at.dataframe


@pytest.mark.parametrize("page", PAGES[:2])
def test_lists_show_only_the_scope(world, page):
    _e, _ids, users, _ra = world
    at = open_page(users["coordinator"], page)
    assert not at.exception
    shown = texts(at)
    assert "HA1" in shown and "HB1" not in shown and "Người Xã Bên" not in shown
    assert ("0912345678" if page.endswith("residents.py") else "Xóm Đình") in shown


def test_leader_reads_masked_and_cannot_edit_or_import(world):
    _e, _ids, users, ra = world
    at = open_page(users["leader"], "pages/residents.py")
    assert not at.exception
    assert "*******678" in texts(at) and "0912345678" not in texts(at)
    at.selectbox(key="residents.selected").set_value(ra).run()
    assert not at.exception
    assert "Trần Văn Rõ" in [s.value for s in at.subheader]
    assert not [b for b in at.button if b.label == "Lưu"]  # no edit forms
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = users["leader"]
    at.run()
    at.switch_page("pages/import_residents.py").run()  # registered for everyone: its guard refuses
    assert [e.value for e in at.main.error] == ["Vai trò của bạn không được mở trang này."]
    assert not at.file_uploader


def test_coordinator_edits_resident_and_bad_input_is_kept(world):
    e, _ids, users, ra = world
    at = open_page(users["coordinator"], "pages/residents.py")
    at.selectbox(key="residents.selected").set_value(ra).run()
    at.text_input(key=f"re_year_{ra}").set_value("1800")
    at.text_input(key=f"re_name_{ra}").set_value("trần văn rõ ràng")
    button(at, "Lưu").click().run()
    assert not at.exception
    assert any("Năm sinh" in m.value for m in at.error)
    assert at.text_input(key=f"re_name_{ra}").value == "trần văn rõ ràng"  # the input is kept
    with read_session(e) as s:
        assert s.get(Resident, ra).full_name == "Trần Văn Rõ"
    at.text_input(key=f"re_year_{ra}").set_value("1961")
    button(at, "Lưu").click().run()
    assert [m.value for m in at.success] == ["Đã lưu."]
    with read_session(e) as s:
        assert (s.get(Resident, ra).full_name, s.get(Resident, ra).birth_year) == ("Trần Văn Rõ Ràng", 1961)
        assert compare(s) == []


def test_household_detail_and_filter(world):
    _e, _ids, users, _ra = world
    at = open_page(users["coordinator"], "pages/households.py")
    at.selectbox(key="hh_f_visit").set_value("visited").run()
    assert any("Không có kết quả" in m.value for m in at.info)
    at.selectbox(key="hh_f_visit").set_value("never").run()
    options = at.selectbox(key="households.selected").options
    assert len(options) == 2
    at.selectbox(key="households.selected").select_index(1).run()
    assert not at.exception
    assert "Trần Văn Rõ" in texts(at)


def test_import_page_preview_then_apply(world):
    e, _ids, users, _ra = world
    at = open_page(users["coordinator"], "pages/import_residents.py")
    assert not at.exception
    at.file_uploader[0].set_value(("list.csv", GOOD.encode(), "text/csv")).run()
    button(at, "Kiểm tra tệp").click().run()
    assert not at.exception
    assert any("Tệp hợp lệ" in m.value for m in at.success)
    with read_session(e) as s:
        assert s.exec(select(func.count()).select_from(Resident)).scalar() == 2
    button(at, "Nhập vào hệ thống").click().run()
    assert any("Đã nhập xong" in m.value for m in at.success)
    with read_session(e) as s:
        assert s.exec(select(func.count()).select_from(Resident)).scalar() == 3
        assert compare(s) == []
    bad = "Mã hộ,Thôn,Họ và tên,Năm sinh\nP2,Nowhere,,1800\n"
    at.file_uploader[0].set_value(("bad.csv", bad.encode(), "text/csv")).run()
    # A new file must be checked before it can be imported (issue 8, item 13): the check rejects it.
    assert button(at, "Nhập vào hệ thống").disabled
    button(at, "Kiểm tra tệp").click().run()
    assert any("Tệp bị từ chối" in m.value for m in at.error)
    assert button(at, "Nhập vào hệ thống").disabled
    problems = at.dataframe[0].value
    assert list(problems["Dòng"]) == [2, 2, 2]
    with read_session(e) as s:
        assert s.exec(select(func.count()).select_from(Resident)).scalar() == 3


def test_pages_show_their_total(world):
    """ "Trang 1/2 · 52 hộ" instead of a bare "Trang 1" (issue 8, item 16)."""
    e, ids, users, _ra = world
    for n in range(51):
        f.create_household(e, village_id=ids["A2"], code=f"T{n:03d}")
    at = open_page(users["coordinator"], "pages/households.py")
    assert not at.exception
    assert "Trang 1/2 · 52 hộ" in [c.value for c in at.caption]
    button(at, "Trang sau").click().run()
    assert "Trang 2/2 · 52 hộ" in [c.value for c in at.caption]
    at.selectbox(key="hh_f_village").set_value(ids["A1"]).run()  # a new filter: page 1, its own total
    assert "Trang 1/1 · 1 hộ" in [c.value for c in at.caption]
    at = open_page(users["coordinator"], "pages/residents.py")
    assert "Trang 1/1 · 1 người" in [c.value for c in at.caption]


def test_skill_levels_show_as_a_labelled_ladder(world):
    """Five columns headed by the short skill labels, each level as marks ("●●○"), not "2 3 0 0 1"."""
    e, ids, users, ra = world
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],), name="Tổ Thang")
    volunteer = f.actor_for(e, f.create_user(e, role="volunteer", area_code="A", team_id=team))
    household = household_of(e, ra)
    data = VisitInput(
        idempotency_key="ladder", visited_on=f.today_minus(1), place="home", outcome="done",
        household_id=household, residents=[ResidentInput(ra, levels={"submit": 2, "pay": 3, "apps": 1})],
    )  # fmt: skip
    with write_session(e) as s:
        record_visit(s, actor=volunteer, data=data)
    short = [t(f"journey.skill_short.{k}", "vi") for k in ("submit", "pay", "feedback", "receive", "apps")]
    expected = ["●●○", "●●●", "○○○", "○○○", "●○○"]
    at = open_page(users["coordinator"], "pages/residents.py")
    table = at.dataframe[0].value
    assert [table[c][0] for c in short] == expected
    assert t("reg.ladder_legend", "vi") in [c.value for c in at.caption]
    at = open_page(users["coordinator"], "pages/households.py")
    at.selectbox(key="households.selected").set_value(household).run()
    members = at.dataframe[1].value
    assert [members[c][0] for c in short] == expected
    assert "2 3 0 0 1" not in texts(at)


@pytest.mark.parametrize("page", PAGES[:2])
def test_tables_have_a_visible_download_button(world, page):
    """Touch screens never show the table's hover icons: a button under the table downloads it."""
    _e, _ids, users, _ra = world
    at = open_page(users["leader"], page)
    buttons = [b for b in at.get("download_button") if b.label == t("reg.download_table", "vi")]
    assert len(buttons) == 1


def household_of(engine, resident_id: int) -> int:
    with read_session(engine) as s:
        return s.get(Resident, resident_id).household_id
