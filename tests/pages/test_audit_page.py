"""The audit page in AppTest: an admin sees the log, a coordinator only their area's, leaders and volunteers
get the app's refusal; the filters, paging and the CSV export."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.clock import utcnow
from core.i18n import t
from models.db import write_session
from models.tables import User
from services import audit, audit_view
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/audit.py"


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def user(engine, *, role: str, area_id: int, username: str, team_id: int | None = None) -> int:
    """A user row without a password (the page test signs in through session state)."""
    now = utcnow()
    with write_session(engine) as s:
        row = User(
            username=username,
            full_name=username.title(),
            password_hash="-",
            role=role,
            area_id=area_id,
            team_id=team_id,
            password_changed_at=now,
            created_at=now,
        )
        s.add(row)
        s.flush()
        return row.id


def open_page(user_id: int) -> AppTest:
    """The page run directly, as a first request to its URL on a fresh server does (no app.py)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = user_id
    return at.switch_page(PAGE).run()


CREATED = "Tạo địa bàn"  # the tree's own entries (create_tree: P, A, B, A1, A2, B1)


def table(at: AppTest):
    (frame,) = at.dataframe
    return frame.value


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    users = {
        "admin": user(e, role="admin", area_id=ids["P"], username="quan.tri"),
        "coordinator": user(e, role="coordinator", area_id=ids["A"], username="dieu.phoi"),
        "coord_b": user(e, role="coordinator", area_id=ids["B"], username="dieu.phoi.b"),
        "leader": user(e, role="leader", area_id=ids["P"], username="lanh.dao"),
        "volunteer": user(e, role="volunteer", area_id=ids["A"], username="tinh.nguyen", team_id=team),
    }
    with write_session(e) as s:
        audit.record(
            s,
            user_id=users["coordinator"],
            action="resident.edited",
            entity="resident",
            entity_id=41,
            area_id=ids["A1"],
            details={
                "changes": {"phone": ["0912345678", "0987654321"], "full_name": ["Bí Mật", "Bí Mật Hai"]}
            },
        )
        audit.record(
            s,
            user_id=users["coord_b"],
            action="visit.recorded",
            entity="visit",
            entity_id=9,
            area_id=ids["B1"],
        )
        audit.record(s, user_id=users["coordinator"], action="user.signin", entity="user", entity_id=1)
    return {"engine": e, "ids": ids, "users": users}


def test_an_admin_sees_every_entry_of_the_province(world):
    at = open_page(world["users"]["admin"])
    assert not at.exception, at.exception
    assert at.title[0].value == vi("audit.heading")
    rows = table(at)
    assert list(rows.columns) == [vi(c) for c in audit_view.COLUMNS]
    actions = ["Đăng nhập", "Ghi lượt thăm", "Sửa thông tin người dân", *[CREATED] * 6]
    assert list(rows[vi("audit.col.action")]) == actions
    edit = rows.iloc[2]
    assert edit[vi("audit.col.user")] == "Dieu.Phoi"
    assert edit[vi("audit.col.entity")] == "Người dân #41"
    assert edit[vi("audit.col.area")] == "Thôn Một"
    assert edit[vi("audit.col.change")] == "Đã đổi: Họ và tên, Số điện thoại"
    assert [c.value for c in at.caption if c.value.startswith("Trang")] == [
        vi("audit.page_line", page=1, pages=1, count=9)
    ]
    assert "0912345678" not in rows.to_csv() and "Bí Mật" not in rows.to_csv()


def test_a_coordinator_sees_only_their_area(world):
    at = open_page(world["users"]["coordinator"])
    assert not at.exception, at.exception
    rows = table(at)
    # No sign-in (it has no area), nothing of commune B.
    assert list(rows[vi("audit.col.action")]) == ["Sửa thông tin người dân", *[CREATED] * 3]
    assert sorted(rows[vi("audit.col.area")][1:]) == ["Thôn Hai", "Thôn Một", "Xã An"]
    areas = at.selectbox(key="audit.f_area").options
    assert areas[0] == vi("audit.filter.area_all")
    assert not any("Bình" in o or "Thôn Ba" in o for o in areas)
    users = at.selectbox(key="audit.f_user").options
    assert not any("Dieu.Phoi.B" in o for o in users)


@pytest.mark.parametrize("role", ["volunteer", "leader"])
def test_leaders_and_volunteers_get_the_apps_refusal(world, role):
    direct = AppTest.from_file(str(Path(APP).parent / PAGE), default_timeout=30)
    direct.session_state["auth.user_id"] = world["users"][role]
    direct.run()
    assert not direct.exception, direct.exception
    assert [e.value for e in direct.main.error] == [vi("login.forbidden_page")]
    assert not direct.dataframe
    through_app = open_page(world["users"][role])  # every page is registered; its guard refuses
    assert not through_app.exception, through_app.exception
    assert [e.value for e in through_app.main.error] == [vi("login.forbidden_page")]
    assert not through_app.dataframe


def test_the_kind_filter_and_an_empty_result(world):
    at = open_page(world["users"]["admin"])
    at.selectbox(key="audit.f_kind").set_value("visit").run()
    assert not at.exception, at.exception
    assert list(table(at)[vi("audit.col.action")]) == ["Ghi lượt thăm"]
    at.selectbox(key="audit.f_kind").set_value("quota").run()
    assert not at.dataframe
    assert [i.value for i in at.info] == [vi("audit.empty")]


def test_the_user_and_area_filters(world):
    at = open_page(world["users"]["admin"])
    at.selectbox(key="audit.f_area").set_value(world["ids"]["B"]).run()
    assert list(table(at)[vi("audit.col.action")]) == ["Ghi lượt thăm", CREATED, CREATED]
    at.selectbox(key="audit.f_area").set_value(None)
    at.selectbox(key="audit.f_user").set_value(world["users"]["coordinator"]).run()
    assert list(table(at)[vi("audit.col.action")]) == ["Đăng nhập", "Sửa thông tin người dân"]


def test_paging_goes_through_the_pages(world):
    engine, ids, users = world["engine"], world["ids"], world["users"]
    with write_session(engine) as s:
        for n in range(60):
            audit.record(
                s,
                user_id=users["coordinator"],
                action="team.updated",
                entity="team",
                entity_id=n,
                area_id=ids["A"],
            )
    at = open_page(users["coordinator"])
    assert len(table(at)) == 50
    assert vi("audit.page_line", page=1, pages=2, count=64) in [c.value for c in at.caption]
    at.button(key="audit.next_btn").click().run()
    assert not at.exception, at.exception
    assert len(table(at)) == 14
    assert vi("audit.page_line", page=2, pages=2, count=64) in [c.value for c in at.caption]
    assert at.button(key="audit.next_btn").disabled
    at.selectbox(key="audit.f_kind").set_value("team").run()  # a new filter starts at page 1
    assert vi("audit.page_line", page=1, pages=2, count=60) in [c.value for c in at.caption]


def test_the_export_is_offered_and_says_when_it_is_cut(world, monkeypatch):
    at = open_page(world["users"]["admin"])
    assert not at.get("download_button")
    at.button(key="audit.prepare_btn").click().run()
    assert not at.exception, at.exception
    (download,) = at.get("download_button")
    assert download.proto.label == vi("audit.download")
    assert not at.warning
    monkeypatch.setattr(audit_view, "EXPORT_MAX", 2)
    at.button(key="audit.prepare_btn").click().run()
    assert [w.value for w in at.warning] == [vi("audit.export_cut", max="2", total=9)]
