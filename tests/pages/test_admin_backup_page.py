"""The backup page in AppTest: a top-level admin gets a deferred download whose click makes a real backup
and records who took it; a commune admin gets no button; other roles are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import read_session
from models.tables import AuditLog
from services import backup
from tests import factories as f
from webui import state

PAGE = "pages/admin_backup.py"
TIMEOUT = 30


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


def open_page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at.switch_page(PAGE).run()


@pytest.fixture
def deferred(monkeypatch) -> list:
    """The callables the page registers for deferred downloads (Streamlit runs one when it is clicked)."""
    seen: list = []
    real = MediaFileManager.add_deferred

    def record(self, data_callable, *args, **kwargs):
        seen.append(data_callable)
        return real(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return seen


@pytest.fixture
def world(sqlite_engine):
    f.create_tree(sqlite_engine)
    return {
        "engine": sqlite_engine,
        "top": f.create_user(sqlite_engine, role="admin", area_code="P", username="quantri.tinh"),
        "commune": f.create_user(sqlite_engine, role="admin", area_code="A", username="quantri.xa"),
        "coordinator": f.create_user(sqlite_engine, role="coordinator", area_code="A"),
    }


def test_top_admin_downloads_a_backup_made_on_click(world, deferred, tmp_path):
    at = open_page(world["top"])
    assert not at.exception, at.exception
    assert at.title[0].value == vi("backup.heading")
    assert vi("backup.keep_safe") in [w.value for w in at.warning]
    assert vi("backup.recent_none") in [c.value for c in at.caption]
    (button,) = at.get("download_button")
    assert button.proto.label == vi("backup.download")
    assert button.proto.deferred_file_id and not button.proto.url  # nothing made while drawing the page
    with read_session(world["engine"]) as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == backup.DOWNLOADED)).first() is None

    data = deferred[-1]()  # what Streamlit runs when the button is pressed
    path = tmp_path / "downloaded.sqlite"
    path.write_bytes(data)
    info = backup.inspect_backup(path)
    assert info.counts.areas == 6 and info.counts.users == 3

    with read_session(world["engine"]) as s:
        who = s.exec(select(AuditLog.user_id).where(AuditLog.action == backup.DOWNLOADED)).scalars().all()
    assert who == [world["top"]]

    again = open_page(world["top"])
    assert not again.exception, again.exception
    table = again.dataframe[0].value
    assert list(table[vi("backup.col_user")]) == ["quantri.tinh"]
    (name,) = table[vi("backup.col_file")]
    assert name.startswith("5b3h-") and name.endswith(".sqlite")


def test_commune_admin_gets_no_backup(world, deferred):
    at = open_page(world["commune"])
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [vi("backup.only_top_admin")]
    assert not at.get("download_button")
    assert not deferred


def test_other_roles_are_refused(world, deferred):
    at = AppTest.from_file(str(PROJECT_ROOT / PAGE), default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = world["coordinator"]
    at.run()  # a coordinator who opens its URL is refused before anything is read
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [vi("login.forbidden_page")]
    assert not at.get("download_button")
    assert not deferred


def test_the_page_is_in_the_admin_menu_only():
    from webui.registry import PAGES

    (spec,) = [p for p in PAGES if p.path == PAGE]
    assert spec.roles == ("admin",) and spec.title_key == "backup.nav"
    assert Path(PROJECT_ROOT / spec.path).is_file()
