"""The audit page in Chromium at 768×1024 as the demo admin, on a private copy of the demo database with a
few real edits by the demo coordinator: filters two to a row at a readable width, nothing wider than the
screen, the page line, and a CSV download with the phone numbers masked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.i18n import t
from models.db import make_engine, read_session, write_session
from models.tables import Area, Household, Resident, User
from services.access import load_actor
from services.people import admin
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.private_app import private_app
from tests.browser.test_signin import sign_in

pytestmark = pytest.mark.browser

NEW_PHONE = "0987654321"


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def next_frames(page: Page) -> None:
    """Two animation frames: the data grid's canvas has drawn what it was told."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def edit_as_coordinator(database_url: str) -> None:
    """Three residents' phone and name changed and one household's address, through the real services."""
    engine = make_engine(database_url)
    try:
        with read_session(engine) as s:
            user_id = s.exec(select(User.id).where(User.username == DEMO_USERS["coordinator"])).scalar_one()
            actor = load_actor(s, user_id)
            rows = s.exec(
                select(Resident.id, Resident.household_id)
                .join(Household, Household.id == Resident.household_id)
                .join(Area, Area.id == Household.village_id)
                .where(Area.path.like(actor.area_path + "%"), Resident.status == "active")
                .order_by(Resident.id)
                .limit(3)
            ).all()
        with write_session(engine) as s:
            for n, (resident_id, _household_id) in enumerate(rows):
                values = {"phone": NEW_PHONE, "full_name": f"Nguyễn Văn Đổi {n}"}
                admin.update_resident(s, actor=actor, resident_id=resident_id, values=values)
            admin.update_household(s, actor=actor, household_id=rows[0][1], values={"address": "Xóm Mới"})
    finally:
        engine.dispose()


@pytest.fixture
def audit_app(demo_env, tmp_path) -> Iterator[str]:
    """A server on a private copy of the demo database, with the coordinator's edits in its log."""
    with private_app(demo_env, tmp_path) as (url, database_url):
        edit_as_coordinator(database_url)
        yield url


def test_audit_page_at_tablet_width(page: Page, audit_app, shot, tmp_path):
    page.goto(f"{audit_app}/audit")
    wait_idle(page)
    sign_in(page, DEMO_USERS["admin"], DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=vi("audit.heading"))).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.wait_for_selector("[data-testid='stDataFrame'] canvas")
    next_frames(page)
    expect(page.get_by_text(re.compile(r"^Trang 1 / \d+ · \d+ thao tác$"))).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768

    # The four filters, two to a row, each wide enough to read a full name or a date range.
    filters = [
        page.get_by_test_id("stSelectbox").filter(has_text=vi(key)).first
        for key in ("audit.filter.user", "audit.filter.area", "audit.filter.kind")
    ] + [page.get_by_test_id("stDateInput").first]
    boxes = [f.bounding_box() for f in filters]
    assert all(b["width"] >= 280 for b in boxes), boxes
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[2]["y"] == boxes[3]["y"] > boxes[0]["y"]
    assert all(b["x"] + b["width"] <= 768 for b in boxes), boxes
    grid = page.get_by_test_id("stDataFrame").first.bounding_box()
    assert grid["x"] + grid["width"] <= 768
    shot(page, "audit-768x1024")

    prepare = page.get_by_role("button", name=vi("audit.prepare"))
    prepare.scroll_into_view_if_needed()
    prepare.click()
    wait_idle(page)
    download_button = page.get_by_role("button", name=vi("audit.download"))
    expect(download_button).to_be_visible()
    download_button.scroll_into_view_if_needed()
    next_frames(page)
    shot(page, "audit-export-768x1024")
    with page.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename == "nhat-ky-thao-tac.csv"
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    # Since issue #12 item 16 the log keeps no phone values at all: only that the phone changed.
    assert "321" not in text and NEW_PHONE not in text and "Đã đổi: " in text
    assert "Đổi" not in text and "Xóm Mới" not in text
    assert "Sửa thông tin người dân" in text and "Sửa thông tin hộ" in text and "Đăng nhập" in text
