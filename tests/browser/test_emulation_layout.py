"""The emulation board in Chromium as the province leader at portrait-tablet size: the chart draws, the
tables and captions stay inside the screen; screenshots for a reviewer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.i18n import t
from tests.browser.conftest import DEMO_PASSWORD, wait_idle
from tests.browser.test_overview_layout import CUT_OR_OUTSIDE
from tests.browser.test_signin import open_menu, sign_in

pytestmark = pytest.mark.browser

PROVINCE_LEADER = "lanhdao.tinh"
WIDTH, HEIGHT = 768, 1024


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def test_the_board_at_tablet_width(page: Page, demo_app, shot):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(demo_app)
    wait_idle(page, timeout=60_000)
    expect(page.get_by_label(vi("login.username"))).to_be_visible(timeout=60_000)
    sign_in(page, PROVINCE_LEADER, DEMO_PASSWORD)
    expect(page.get_by_text(vi("home.households"), exact=True).first).to_be_visible(timeout=30_000)
    wait_idle(page)
    open_menu(page)
    page.get_by_test_id("stPopoverBody").get_by_role("link", name=vi("emu.nav"), exact=True).click()
    expect(page.get_by_role("heading", name=vi("emu.nav"), exact=True)).to_be_visible(timeout=30_000)
    wait_idle(page)
    expect(page.get_by_role("heading", name=vi("emu.teams"), exact=True)).to_be_visible(timeout=30_000)
    chart = page.locator(".vega-embed").first  # the demo's quotas are per team: the teams' chart
    chart.scroll_into_view_if_needed()
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    box = chart.bounding_box()
    assert box["width"] >= WIDTH - 150 and box["x"] + box["width"] <= WIDTH, box
    cut = page.evaluate(CUT_OR_OUTSIDE, "[data-testid='stCaptionContainer'], h2, h3")
    assert cut == [], cut
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    shot(page, f"emulation-province-{WIDTH}x{HEIGHT}")
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": min(tall + 40, 8000)})
    wait_idle(page)
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    shot(page, f"emulation-province-{WIDTH}x{HEIGHT}-full")
