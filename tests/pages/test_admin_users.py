"""The users page in AppTest: list in scope, create with field errors that keep the input, actions, roles."""

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from models.db import read_session
from models.tables import User
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/admin_users.py"


def open_page(user_id: int) -> AppTest:
    """The page run directly, as a first request to its URL on a fresh server does (no app.py)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = user_id
    return at.switch_page(PAGE).run()


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert len(matches) == 1, [b.label for b in at.button]
    return matches[0]


def field(widgets, key: str):
    """The widget of `key` in its form's current generation (keys end in ".<n>", a new n after a save)."""
    matches = [w for w in widgets if w.key and w.key.rsplit(".", 1)[0] == key]
    assert len(matches) == 1, [w.key for w in widgets]
    return matches[0]


def texts(at: AppTest) -> str:
    """Everything a user can read on the page: markdown, captions, alerts, tables."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.error, *at.success, *at.info, *at.title)]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [str(o) for sb in at.selectbox for o in sb.options]
    return "\n".join(str(p) for p in parts)


def stored_user(engine, username: str):
    with read_session(engine) as s:
        return s.exec(
            select(User.username, User.full_name, User.role, User.area_id).where(User.username == username)
        ).first()


@pytest.fixture
def setup(sqlite_engine):
    ids = f.create_tree(sqlite_engine)
    admin = f.create_user(sqlite_engine, role="admin", area_code="A", username="admin.an")
    f.create_user(sqlite_engine, role="coordinator", area_code="A1", username="dieu.phoi.a")
    f.create_user(sqlite_engine, role="leader", area_code="B", username="secret.binh")
    return sqlite_engine, ids, admin


def test_lists_only_users_in_scope(setup):
    _engine, _ids, admin = setup
    at = open_page(admin)
    assert not at.exception
    table = at.dataframe[0].value
    assert sorted(table["Tên đăng nhập"]) == ["admin.an", "dieu.phoi.a"]
    assert "secret.binh" not in texts(at)
    row = table[table["Tên đăng nhập"] == "dieu.phoi.a"].iloc[0]
    assert (row["Vai trò"], row["Địa bàn"], row["Đang hoạt động"]) == ("Điều phối", "Thôn Một (A1)", "Có")


def test_create_user_through_the_form(setup):
    engine, ids, admin = setup
    at = open_page(admin)
    at.selectbox(key="admin_users.role").set_value("leader")
    at.selectbox(key="admin_users.area").set_value(ids["A2"])
    field(at.text_input, "admin_users.username").input("Le.Lanh.Dao")
    field(at.text_input, "admin_users.full_name").input("lê  lãnh đạo")
    field(at.text_input, "admin_users.password").input("mot-mat-khau-dai")
    field(at.text_input, "admin_users.repeat").input("mot-mat-khau-dai")
    button(at, "Tạo người dùng").click()
    at.run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Đã tạo người dùng le.lanh.dao."]
    assert stored_user(engine, "le.lanh.dao") == ("le.lanh.dao", "Lê Lãnh Đạo", "leader", ids["A2"])
    assert "le.lanh.dao" in list(at.dataframe[0].value["Tên đăng nhập"])
    # The form starts afresh, as new widgets (a browser keeps the text of a widget it still has).
    for key in ("username", "full_name", "password", "repeat"):
        assert field(at.text_input, f"admin_users.{key}").value == ""
        assert field(at.text_input, f"admin_users.{key}").key == f"admin_users.{key}.1"


def test_weak_password_keeps_the_input(setup):
    engine, _ids, admin = setup
    at = open_page(admin)
    field(at.text_input, "admin_users.username").input("nguoi.moi")
    field(at.text_input, "admin_users.full_name").input("Người Mới")
    field(at.text_input, "admin_users.password").input("ngan")
    field(at.text_input, "admin_users.repeat").input("ngan")
    button(at, "Tạo người dùng").click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Mật khẩu phải có ít nhất 10 ký tự."]
    assert field(at.text_input, "admin_users.username").value == "nguoi.moi"
    assert field(at.text_input, "admin_users.full_name").value == "Người Mới"
    assert stored_user(engine, "nguoi.moi") is None
    assert not at.success


def test_duplicate_username_and_mismatch(setup):
    engine, _ids, admin = setup
    at = open_page(admin)
    field(at.text_input, "admin_users.username").input("dieu.phoi.a")
    field(at.text_input, "admin_users.password").input("mot-mat-khau-dai")
    field(at.text_input, "admin_users.repeat").input("mot-mat-khau-dai")
    button(at, "Tạo người dùng").click()
    at.run()
    assert [e.value for e in at.error] == ["Tên đăng nhập dieu.phoi.a đã có người dùng."]
    assert field(at.text_input, "admin_users.username").value == "dieu.phoi.a"
    field(at.text_input, "admin_users.username").input("khac.han")
    field(at.text_input, "admin_users.repeat").input("mot-mat-khau-khac")
    button(at, "Tạo người dùng").click()
    at.run()
    assert [e.value for e in at.error] == ["Hai mật khẩu không khớp."]
    assert stored_user(engine, "khac.han") is None


def test_volunteer_gets_a_team_picker(setup):
    engine, ids, admin = setup
    team = f.create_team(engine, area_id=ids["A"], name="Tổ Thôn Một", village_ids=(ids["A1"],))
    at = open_page(admin)
    assert not [s for s in at.selectbox if s.key.startswith("admin_users.team.")]
    at.selectbox(key="admin_users.role").set_value("volunteer").run()
    field(at.text_input, "admin_users.username").input("tnv.mot")
    field(at.text_input, "admin_users.password").input("mot-mat-khau-dai")
    field(at.text_input, "admin_users.repeat").input("mot-mat-khau-dai")
    button(at, "Tạo người dùng").click()
    at.run()
    assert [e.value for e in at.error] == ["Tình nguyện viên phải thuộc một tổ công nghệ số trong địa bàn."]
    field(at.selectbox, "admin_users.team").set_value(team)
    button(at, "Tạo người dùng").click()
    at.run()
    assert not at.exception and not at.error
    with read_session(engine) as s:
        assert s.exec(select(User.team_id).where(User.username == "tnv.mot")).scalar() == team


def test_deactivate_reactivate_and_reset(setup):
    engine, _ids, admin = setup
    with read_session(engine) as s:
        target = s.exec(select(User.id).where(User.username == "dieu.phoi.a")).scalar()
    at = open_page(admin)
    at.selectbox(key="admin_users.pick").set_value(admin).run()
    assert button(at, "Ngừng hoạt động").disabled  # not on oneself
    at.selectbox(key="admin_users.pick").set_value(target).run()
    button(at, "Ngừng hoạt động").click().run()
    assert [s.value for s in at.success] == ["Đã ngừng hoạt động tài khoản dieu.phoi.a."]
    with read_session(engine) as s:
        assert s.get(User, target).is_active is False
    button(at, "Cho hoạt động lại").click().run()
    with read_session(engine) as s:
        assert s.get(User, target).is_active is True

    field(at.text_input, "admin_users.new_password").input("ngan")
    field(at.text_input, "admin_users.new_repeat").input("ngan")
    button(at, "Đặt lại mật khẩu").click().run()
    assert [e.value for e in at.error] == ["Mật khẩu phải có ít nhất 10 ký tự."]
    field(at.text_input, "admin_users.new_password").input("mat-khau-moi-dai")
    field(at.text_input, "admin_users.new_repeat").input("mat-khau-moi-dai")
    button(at, "Đặt lại mật khẩu").click().run()
    assert not at.error
    assert "dieu.phoi.a" in at.success[0].value
    assert field(at.text_input, "admin_users.new_password").value == ""
    assert field(at.text_input, "admin_users.new_repeat").value == ""


@pytest.mark.parametrize("role", ["coordinator", "leader", "volunteer"])
def test_other_roles_see_no_user_data(setup, role):
    engine, ids, _admin = setup
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],)) if role == "volunteer" else None
    uid = f.create_user(engine, role=role, area_code="A", team_id=team, username=f"nguoi.{role}")
    at = open_page(uid)
    assert not at.exception
    assert [e.value for e in at.error] == ["Vai trò của bạn không được mở trang này."]
    assert not at.dataframe
    shown = texts(at)
    for secret in ("admin.an", "dieu.phoi.a", "secret.binh", "Thôn Một", "Xã Bình"):
        assert secret not in shown
    # Through app.py as well.
    via_app = AppTest.from_file(APP, default_timeout=30)
    via_app.session_state["auth.user_id"] = uid
    via_app.run()
    via_app.switch_page(PAGE).run()  # every page is registered (#8 item 15): its guard refuses
    assert [e.value for e in via_app.main.error] == ["Vai trò của bạn không được mở trang này."]
    assert not via_app.dataframe
