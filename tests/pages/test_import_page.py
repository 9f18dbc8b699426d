"""The import page in AppTest: "Nhập vào hệ thống" opens only after the file passed the check (and closes
when the file or the choices change), the progress bar never stays half-way after a rejection, and the
template offered on the page passes the check as it is."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import read_session
from models.tables import Resident
from services.import_template import template_bytes
from tests import factories as f
from webui import state

TIMEOUT = 60
PAGE = str(PROJECT_ROOT / "pages" / "import_residents.py")
GOOD = "Mã hộ,Thôn,Họ và tên,Năm sinh\nP1,A1,Nguyễn Văn Nhập,1970\n"
BAD = "Mã hộ,Thôn,Họ và tên,Năm sinh\nP2,Nowhere,,1800\n"


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


@pytest.fixture
def world(sqlite_engine):
    f.create_tree(sqlite_engine)
    return sqlite_engine, f.create_user(sqlite_engine, role="coordinator", area_code="A")


def signed_in(user_id: int) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at.run()


def button(at: AppTest, key: str):
    found = [b for b in at.button if b.key == key]
    assert found, [b.key for b in at.button]
    return found[0]


def upload(at: AppTest, name: str, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    at.file_uploader[0].set_value((name, data, "text/csv" if name.endswith(".csv") else "application/zip"))
    at.run()


def progress_texts(at: AppTest) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def residents(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(Resident)).scalar_one()


def test_import_opens_only_after_a_passing_check(world):
    engine, coordinator = world
    at = signed_in(coordinator)
    assert not at.exception, at.exception
    assert button(at, "imp_apply").disabled and button(at, "imp_check").disabled
    upload(at, "list.csv", GOOD)
    assert button(at, "imp_apply").disabled  # uploaded, not checked yet
    assert vi("imp.check_first") in [c.value for c in at.caption]
    button(at, "imp_check").click().run()
    assert not at.exception, at.exception
    assert vi("imp.preview_ok") in [s.value for s in at.success]
    assert not button(at, "imp_apply").disabled  # opened in the same run as the passing check
    assert progress_texts(at) == [vi("imp.progress_done")]
    at.checkbox(key="imp_create_villages").check().run()
    assert button(at, "imp_apply").disabled  # a choice changed: check again
    button(at, "imp_check").click().run()
    button(at, "imp_apply").click().run()
    assert vi("imp.applied") in [s.value for s in at.success]
    assert residents(engine) == 1
    assert button(at, "imp_apply_done").disabled  # imported: not twice without a new check
    at.run()
    assert button(at, "imp_apply").disabled


def test_a_rejected_file_leaves_no_progress_bar_and_cannot_be_imported(world):
    engine, coordinator = world
    at = signed_in(coordinator)
    upload(at, "list.csv", GOOD)
    button(at, "imp_check").click().run()
    assert not button(at, "imp_apply").disabled
    upload(at, "bad.csv", BAD)  # another file: the earlier check does not count for it
    assert button(at, "imp_apply").disabled
    button(at, "imp_check").click().run()
    assert not at.exception, at.exception
    assert any(vi("imp.rejected", count=3) == e.value for e in at.error)
    assert progress_texts(at) == []  # not stuck at "Đang xử lý… 60%"
    assert button(at, "imp_apply").disabled
    assert residents(engine) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_offered_template_passes_the_check(world, fmt):
    _engine, coordinator = world
    at = signed_in(coordinator)
    labels = {b.key: b.label for b in at.get("download_button")}
    assert labels == {
        "imp_template_csv": vi("imp.template_csv"),
        "imp_template_xlsx": vi("imp.template_xlsx"),
    }
    assert vi("imp.template_help") in [c.value for c in at.caption]
    upload(at, f"mau.{fmt}", template_bytes(fmt, village="Thôn Một"))
    button(at, "imp_check").click().run()
    assert not at.exception, at.exception
    assert vi("imp.preview_ok") in [s.value for s in at.success]
    assert not button(at, "imp_apply").disabled
