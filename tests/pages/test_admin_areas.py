"""The areas page in AppTest: browse with counts, add/rename/move with field errors, CSV import, roles."""

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from models.db import read_session
from models.tables import Area
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/admin_areas.py"


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
    parts = [e.value for e in (*at.markdown, *at.caption, *at.error, *at.success, *at.info, *at.title)]
    parts += [e.value for e in at.subheader]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [str(o) for sb in at.selectbox for o in sb.options]
    return "\n".join(str(p) for p in parts)


def area_table(engine) -> list[tuple]:
    with read_session(engine) as s:
        return [
            tuple(r)
            for r in s.exec(
                select(Area.id, Area.code, Area.name, Area.parent_id, Area.path).order_by(Area.id)
            ).all()
        ]


def area(engine, code: str):
    with read_session(engine) as s:
        return s.exec(select(Area.name, Area.level, Area.parent_id).where(Area.code == code)).first()


@pytest.fixture
def setup(sqlite_engine):
    ids = f.create_tree(sqlite_engine)
    hh = f.create_household(sqlite_engine, village_id=ids["A1"])
    for name in ("Nguyễn Văn An", "Trần Thị Bình"):
        f.create_resident(sqlite_engine, household_id=hh, full_name=name)
    admin = f.create_user(sqlite_engine, role="admin", area_code="A", username="admin.an")
    return sqlite_engine, ids, admin


def test_browse_children_with_counts(setup):
    _engine, _ids, admin = setup
    at = open_page(admin)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Mã"]) == ["A2", "A1"]  # Vietnamese order: "Thôn Hai" before "Thôn Một"
    row = table[table["Mã"] == "A1"].iloc[0]
    assert (row["Hộ dân"], row["Người dân"], row["Cấp"]) == (1, 2, "Thôn/Tổ dân phố")
    shown = texts(at)
    assert "Xã Bình" not in shown and "Thôn Ba" not in shown


def test_province_admin_browses_down(setup):
    engine, ids, _admin = setup
    admin_p = f.create_user(engine, role="admin", area_code="P", username="admin.tinh")
    at = open_page(admin_p)
    assert sorted(at.dataframe[0].value["Mã"]) == ["A", "B"]
    assert at.dataframe[0].value.set_index("Mã").loc["A", "Người dân"] == 2
    at.selectbox(key="admin_areas.current").set_value(ids["B"]).run()
    assert list(at.dataframe[0].value["Mã"]) == ["B1"]


def test_add_area_and_field_errors(setup):
    engine, ids, admin = setup
    at = open_page(admin)
    field(at.text_input, "admin_areas.add_code").input("A1")
    field(at.text_input, "admin_areas.add_name").input("Thôn Mới")
    button(at, "Thêm địa bàn").click().run()
    assert [e.value for e in at.error] == ["Mã địa bàn A1 đã tồn tại."]
    assert field(at.text_input, "admin_areas.add_code").value == "A1"
    assert field(at.text_input, "admin_areas.add_name").value == "Thôn Mới"
    field(at.text_input, "admin_areas.add_code").input("A-003")
    button(at, "Thêm địa bàn").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Đã thêm địa bàn A-003."]
    assert field(at.text_input, "admin_areas.add_code").value == ""  # a new, empty form
    assert field(at.text_input, "admin_areas.add_name").value == ""
    assert area(engine, "A-003") == ("Thôn Mới", "village", ids["A"])
    assert "A-003" in list(at.dataframe[0].value["Mã"])


def test_rename_and_move(setup):
    engine, ids, admin = setup
    admin_p = f.create_user(engine, role="admin", area_code="P", username="admin.tinh")
    at = open_page(admin)
    field(at.selectbox, "admin_areas.rename_pick").set_value(ids["A2"])
    field(at.text_input, "admin_areas.rename_name").input("   ")
    button(at, "Đổi tên").click().run()
    assert [e.value for e in at.error] == ["Bắt buộc nhập."]
    # Area names are official names, stored as given but for spaces (issue #8, item 7: was title-cased).
    field(at.text_input, "admin_areas.rename_name").input(" Thôn  Hai   Mới ")
    button(at, "Đổi tên").click().run()
    assert area(engine, "A2").name == "Thôn Hai Mới"
    assert [s.value for s in at.success] == ["Đã đổi tên thành Thôn Hai Mới."]
    assert field(at.text_input, "admin_areas.rename_name").value == ""

    at = open_page(admin_p)
    at.selectbox(key="admin_areas.current").set_value(ids["A"]).run()
    field(at.selectbox, "admin_areas.move_pick").set_value(ids["A1"])
    field(at.text_input, "admin_areas.move_parent").input("NOPE")
    button(at, "Chuyển địa bàn").click().run()
    assert [e.value for e in at.error] == ["Không có địa bàn mã NOPE."]
    assert field(at.text_input, "admin_areas.move_parent").value == "NOPE"
    field(at.text_input, "admin_areas.move_parent").input("B")
    button(at, "Chuyển địa bàn").click().run()
    assert not at.error
    assert area(engine, "A1").parent_id == ids["B"]
    assert field(at.text_input, "admin_areas.move_parent").value == ""
    at.selectbox(key="admin_areas.current").set_value(ids["P"]).run()
    counts = at.dataframe[0].value.set_index("Mã")
    assert (counts.loc["A", "Người dân"], counts.loc["B", "Người dân"]) == (0, 2)


def test_import_preview_lists_bad_rows_and_writes_nothing(setup):
    engine, _ids, admin = setup
    before = area_table(engine)
    at = open_page(admin)
    bad = (
        "code,name,level,parent_code\n"
        "A5,Thôn Năm,village,A\n"
        "A6,,village,A\n"
        "A7,Thôn Bảy,hamlet,A\n"
        "A8,Thôn Tám,village,B\n"
    ).encode()
    at.file_uploader[0].set_value(("areas.csv", bad, "text/csv")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Tệp có 3 lỗi; chưa nhập gì. Sửa các dòng dưới đây rồi tải lên lại."
    ]
    report = at.dataframe[-1].value
    assert list(report["Dòng"]) == [3, 4, 5]
    assert list(report["Cột"]) == ["name", "level", "parent_code"]
    assert report["Lỗi"].iloc[1] == "Cấp địa bàn không hợp lệ: hamlet."
    assert not [b for b in at.button if b.label == "Nhập vào hệ thống"]
    assert area_table(engine) == before


def test_import_then_reimport_changes_nothing(setup):
    engine, ids, admin = setup
    good = "code,name,level,parent_code\nA6,Thôn Sáu,village,A\nA5,Thôn Năm,village,A\n".encode()
    at = open_page(admin)
    at.file_uploader[0].set_value(("areas.csv", good, "text/csv")).run()
    assert [s.value for s in at.success] == ["Tệp hợp lệ: sẽ thêm 2, đổi tên 0, giữ nguyên 0 địa bàn."]
    assert area(engine, "A5") is None  # the preview writes nothing
    button(at, "Nhập vào hệ thống").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Đã nhập: thêm 2, đổi tên 0, giữ nguyên 0 địa bàn."]
    assert area(engine, "A5") == ("Thôn Năm", "village", ids["A"])
    after = area_table(engine)
    at.file_uploader[0].set_value(("areas.csv", good, "text/csv")).run()
    assert [s.value for s in at.success] == ["Tệp hợp lệ: sẽ thêm 0, đổi tên 0, giữ nguyên 2 địa bàn."]
    assert button(at, "Nhập vào hệ thống").disabled
    assert area_table(engine) == after


@pytest.mark.parametrize("role", ["coordinator", "leader", "volunteer"])
def test_other_roles_see_no_area_data(setup, role):
    engine, ids, _admin = setup
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A2"],)) if role == "volunteer" else None
    uid = f.create_user(engine, role=role, area_code="A", team_id=team, username=f"nguoi.{role}")
    at = open_page(uid)
    assert not at.exception
    assert [e.value for e in at.error] == ["Vai trò của bạn không được mở trang này."]
    assert not at.dataframe and not at.file_uploader
    shown = texts(at)
    for secret in ("Thôn Một", "Thôn Hai", "Xã Bình", "Tỉnh Thử", "A1"):
        assert secret not in shown
    via_app = AppTest.from_file(APP, default_timeout=30)
    via_app.session_state["auth.user_id"] = uid
    via_app.run()
    via_app.switch_page(PAGE).run()  # every page is registered (#8 item 15): its guard refuses
    assert [e.value for e in via_app.main.error] == ["Vai trò của bạn không được mở trang này."]
    assert not via_app.dataframe
