"""The registries in Chromium at 768×1024 as the demo coordinator: the page line gives the total
("Trang 1/5 · 231 hộ"), a download button is on screen without hovering, skill levels read as marks."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from core.i18n import t
from services.import_template import headers
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.test_signin import sign_in
from webui.state import COOKIE_NAME

pytestmark = pytest.mark.browser


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def next_frames(page: Page) -> None:
    """Two animation frames: the data grid's canvas has drawn what it was told."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def open_registry(page: Page, base: str, path: str) -> None:
    page.goto(f"{base}/{path}")
    wait_idle(page)
    sign_in(page, DEMO_USERS["coordinator"], DEMO_PASSWORD)
    wait_idle(page)
    page.wait_for_selector("[data-testid='stDataFrame'] canvas")
    next_frames(page)


def test_households_registry_at_tablet_width(page: Page, demo_app, shot):
    open_registry(page, demo_app, "households")
    expect(page.get_by_role("heading", name=vi("reg.households_heading"))).to_be_visible()
    line = page.get_by_text(re.compile(r"^Trang 1/\d+ · \d+ hộ$"))
    expect(line).to_be_visible()
    pages, total = map(int, re.findall(r"\d+", line.inner_text())[1:])
    assert total > 50 and pages == -(-total // 50)
    download = page.get_by_role("button", name=vi("reg.download_table"))
    expect(download).to_be_visible()  # no hover needed
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768
    download.scroll_into_view_if_needed()
    next_frames(page)
    shot(page, "registry-768x1024")


def test_residents_registry_shows_the_ladder(page: Page, demo_app, shot):
    open_registry(page, demo_app, "residents")
    expect(page.get_by_text(re.compile(r"^Trang 1/\d+ · \d+ người$"))).to_be_visible()
    expect(page.get_by_text(vi("reg.ladder_legend"))).to_be_visible()
    expect(page.get_by_role("button", name=vi("reg.download_table"))).to_be_visible()
    page.get_by_test_id("stDataFrame").first.scroll_into_view_if_needed()
    next_frames(page)
    shot(page, "registry-residents-768x1024")


def test_import_page_at_tablet_width(page: Page, demo_app, shot):
    """Templates on offer, "Nhập vào hệ thống" closed until a check passes, no progress bar left
    half-way after a rejected file."""
    page.goto(demo_app)  # the entry page first: app.py's navigation knows "import-residents"
    wait_idle(page)
    sign_in(page, DEMO_USERS["coordinator"], DEMO_PASSWORD)
    expect(page.get_by_label(vi("login.password"))).to_have_count(0, timeout=30_000)
    wait_idle(page)
    # The remember-me cookie is written by a script after sign-in; the next page load needs it.
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE_NAME}=')", timeout=30_000)
    page.goto(f"{demo_app}/import-residents")
    wait_idle(page)
    expect(page.get_by_role("heading", name=vi("imp.heading"))).to_be_visible(timeout=30_000)
    wait_idle(page)
    for key in ("imp.template_csv", "imp.template_xlsx"):
        expect(page.get_by_role("button", name=vi(key))).to_be_visible()
    apply = page.get_by_role("button", name=vi("imp.apply"))
    expect(apply).to_be_disabled()
    shot(page, "import-768x1024")
    with page.expect_download() as download:
        page.get_by_role("button", name=vi("imp.template_xlsx")).click()
    assert download.value.suggested_filename == "mau-danh-sach-ho-dan.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    header, *examples = list(sheet.iter_rows(values_only=True))
    assert list(header) == headers() and len(examples) == 2
    bad = "Mã hộ,Thôn,Họ và tên,Năm sinh\nP2,Nowhere,,1800\n".encode()
    page.locator("input[type='file']").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    wait_idle(page)
    expect(page.get_by_text(vi("imp.check_first"))).to_be_visible()
    expect(apply).to_be_disabled()
    page.get_by_role("button", name=vi("imp.check")).click()
    wait_idle(page)
    expect(page.get_by_test_id("stAlertContentError").first).to_be_visible()
    expect(page.get_by_test_id("stProgress")).to_have_count(0)
    expect(apply).to_be_disabled()
    shot(page, "import-rejected-768x1024")
