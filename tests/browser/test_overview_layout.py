"""The overview in Chromium as the province leader, at portrait-tablet and laptop size: the charts render
(Vega draws its canvas/svg), nothing is cut or wider than the screen; screenshots for a reviewer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.i18n import t
from tests.browser.conftest import DEMO_PASSWORD, wait_idle
from tests.browser.test_signin import open_menu, sign_in

pytestmark = pytest.mark.browser

PROVINCE_LEADER = "lanhdao.tinh"
CHARTS = 6  # the first period offered is a campaign: its quota chart is the sixth
CUT_OR_OUTSIDE = """(selector) => [...document.querySelectorAll(selector)]
    .filter(el => el.offsetParent !== null)
    .filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth)
    .map(el => el.innerText)"""


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def open_overview(page: Page, base: str) -> None:
    page.goto(base)
    wait_idle(page, timeout=60_000)
    expect(page.get_by_label(vi("login.username"))).to_be_visible(timeout=60_000)
    sign_in(page, PROVINCE_LEADER, DEMO_PASSWORD)
    expect(page.get_by_text(vi("home.households"), exact=True).first).to_be_visible(timeout=30_000)
    wait_idle(page)
    open_menu(page)
    page.get_by_test_id("stPopoverBody").get_by_role("link", name=vi("nav.overview"), exact=True).click()
    expect(page.get_by_role("heading", name=vi("nav.overview"), exact=True)).to_be_visible(timeout=30_000)
    wait_idle(page)


def wait_for_charts(page: Page) -> int:
    """Every Vega chart on the page has drawn (an svg or canvas inside .vega-embed); returns how many."""
    charts = page.locator(".vega-embed")
    # The province has communes below it: skill ladder, all five by area, coverage, barriers, age bands;
    # the demo campaign's quotas.
    expect(charts).to_have_count(CHARTS, timeout=30_000)
    count = charts.count()
    for i in range(count):
        charts.nth(i).scroll_into_view_if_needed()
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible(timeout=30_000)
    return count


@pytest.mark.parametrize(("width", "height"), [(768, 1024), (1366, 768)])
def test_overview_as_the_province_leader_renders_every_chart(page: Page, demo_app, shot, width, height):
    page.set_viewport_size({"width": width, "height": height})
    open_overview(page, demo_app)
    assert wait_for_charts(page) == CHARTS
    for box in (
        page.locator(".vega-embed").nth(i).bounding_box() for i in range(page.locator(".vega-embed").count())
    ):
        assert box["width"] >= min(600, width - 100), box  # a chart that fills its column, not a squeezed one
        assert box["x"] + box["width"] <= width, box
    cut = page.evaluate(
        CUT_OR_OUTSIDE,
        "[data-testid='stMetricLabel'] p, [data-testid='stMetricValue'] div,"
        " [data-testid='stCaptionContainer']",
    )
    assert cut == [], cut
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    # Streamlit scrolls its main block, not the document: back to the top, then one tall viewport for
    # the whole page (Playwright's full_page sees only the document's height).
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    shot(page, f"overview-province-{width}x{height}")
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(tall + 40, 6000)})
    wait_for_charts(page)
    shot(page, f"overview-province-{width}x{height}-full")
