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
# Skill ladder, trend, all five by area, coverage, barriers, age bands and the campaign's quotas (the
# first period offered is a campaign); conversion per team and member only from a commune down.
CHARTS = 7
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


def wait_for_charts(page: Page, expected: int = CHARTS) -> int:
    """Every Vega chart on the page has drawn (an svg or canvas inside .vega-embed); returns how many."""
    charts = page.locator(".vega-embed")
    expect(charts).to_have_count(expected, timeout=30_000)
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
    page.set_viewport_size({"width": width, "height": min(tall + 40, 8000)})
    wait_for_charts(page)
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    shot(page, f"overview-province-{width}x{height}-full")


def test_a_commune_as_the_province_leader_shows_conversion_per_member(page: Page, demo_app, shot):
    """Drilled into a commune: the per-member conversion grid joins the charts and stays legible."""
    page.set_viewport_size({"width": 768, "height": 1024})
    open_overview(page, demo_app)
    wait_for_charts(page)
    picker = page.get_by_role("combobox", name=vi("ov.drill"))
    picker.scroll_into_view_if_needed()
    picker.click()
    page.get_by_role("option").first.click()
    wait_idle(page)
    expect(page.get_by_text(vi("ov.chart.conversion_member"), exact=True)).to_be_visible(timeout=30_000)
    count = page.locator(".vega-embed").count()
    assert count >= CHARTS + 2  # and its teams' and members' conversion
    wait_for_charts(page, count)
    member_chart = page.get_by_text(vi("ov.chart.conversion_member"), exact=True)
    member_chart.scroll_into_view_if_needed()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768
    shot(page, "overview-commune-conversion-768x1024")
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    trend = page.get_by_text(vi("ov.chart.trend"), exact=True)
    trend.scroll_into_view_if_needed()
    shot(page, "overview-commune-trend-768x1024")
    page.set_viewport_size({"width": 768, "height": min(tall + 40, 8000)})
    wait_for_charts(page, count)
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    shot(page, "overview-commune-768x1024-full")
