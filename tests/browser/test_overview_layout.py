"""The overview in Chromium as the province leader, at portrait-tablet and laptop size: the charts render
(Vega draws its canvas/svg), nothing is cut or wider than the screen; the satisfaction section shows the
service's figures for the demo's ratings; screenshots for a reviewer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.i18n import t
from models.db import make_engine, read_session
from models.tables import User
from services import overview as svc
from services.printing.charts import decimal
from services.teams.campaigns import list_campaigns
from tests import factories as f
from tests.browser.conftest import DEMO_PASSWORD, wait_idle
from tests.browser.test_signin import open_menu, sign_in

pytestmark = pytest.mark.browser

PROVINCE_LEADER = "lanhdao.tinh"
# Skill ladder, trend, all five by area, coverage, barriers, age bands, the campaign's quotas (the first
# period offered is a campaign) and satisfaction (the demo's residents rate the guidance); conversion per
# team and member only from a commune down.
CHARTS = 8
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
    # And its teams' and members' conversion (waited for: the charts below them may still be drawing).
    count = wait_for_charts(page, CHARTS + 2)
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


# ---------------------------------------------------------------- satisfaction after guidance


def demo_satisfaction(demo_env) -> svc.Overview:
    """The overview the province leader's page opens on (the first campaign), read by the service from
    the demo database."""
    engine = make_engine(demo_env["DATABASE_URL"])
    try:
        with read_session(engine) as s:
            user_id = s.exec(select(User.id).where(User.username == PROVINCE_LEADER)).scalar_one()
        actor = f.actor_for(engine, user_id)
        with read_session(engine) as s:
            c = list_campaigns(s, actor=actor)[0]
            period = svc.Period("campaign", c.starts_on, c.ends_on, campaign_id=c.id)
            return svc.overview(s, actor=actor, period=period, use_cache=False)
    finally:
        engine.dispose()


def satisfaction_on_top(page: Page) -> None:
    """The satisfaction section's heading at the top of the screen."""
    heading = page.get_by_role("heading", name=vi("ov.sat.title"), exact=True)
    expect(heading).to_be_visible(timeout=30_000)
    heading.evaluate("el => el.scrollIntoView({block: 'start'})")
    wait_idle(page)


def test_the_satisfaction_section_reads_on_a_tablet(page: Page, demo_app, demo_env, shot):
    """The province, then its commune: the average "x,y / 5" with the number of ratings and the share
    satisfied, as the service counts them; the chart per area (and per team in the commune) fits the
    screen; nothing cut."""
    data = demo_satisfaction(demo_env)
    ratings = data.satisfaction
    assert ratings.count > 0, "the demo data holds no rating in its campaign"
    average = vi("ov.sat.average_value", average=decimal(ratings.average))
    caption_text = vi(
        "ov.sat.average_help",
        n=f"{ratings.count:,}".replace(",", "."),
        share=f"{ratings.satisfied_share:.0%}",
    )
    page.set_viewport_size({"width": 768, "height": 1024})
    open_overview(page, demo_app)
    wait_for_charts(page)
    satisfaction_on_top(page)
    value = page.locator(".st-key-ov_satisfaction [data-testid='stMetricValue']")
    caption = page.locator(".st-key-ov_satisfaction [data-testid='stCaptionContainer']")
    expect(value).to_have_text(average)
    expect(caption).to_have_text(caption_text)
    shot(page, "overview-satisfaction-province-768x1024")
    picker = page.get_by_role("combobox", name=vi("ov.drill"))
    picker.scroll_into_view_if_needed()
    picker.click()
    page.get_by_role("option").first.click()
    wait_idle(page)
    expect(page.get_by_text(vi("ov.chart.conversion_member"), exact=True)).to_be_visible(timeout=30_000)
    count = wait_for_charts(page, CHARTS + 2)  # and conversion per team and per member
    satisfaction_on_top(page)
    if len(data.scope.children) == 1:  # the demo's one commune: the same ratings
        expect(value).to_have_text(average)
        expect(caption).to_have_text(caption_text)
    chart = page.locator(".vega-embed").nth(count - 1)  # the last chart on the page
    box = chart.bounding_box()
    assert box["width"] >= 600 and box["x"] + box["width"] <= 768, box
    cut = page.evaluate(
        CUT_OR_OUTSIDE,
        "[data-testid='stMetricLabel'] p, [data-testid='stMetricValue'] div,"
        " [data-testid='stCaptionContainer']",
    )
    assert cut == [], cut
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768
    shot(page, "overview-satisfaction-commune-768x1024")
    chart.evaluate("el => el.scrollIntoView({block: 'start'})")
    shot(page, "overview-satisfaction-commune-chart-768x1024")
