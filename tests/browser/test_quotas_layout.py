"""The quotas page and the home figures in Chromium at 768×1024 on the demo data: at-risk quotas lead,
named in full, with their projection on screen and no horizontal scrolling; home labels uncut."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from core.i18n import t
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.test_signin import open_menu, sign_in

pytestmark = pytest.mark.browser

WIDTH = 768
# Elements whose text is cut (ellipsis or overflow) or that reach past the viewport's right edge.
CUT_OR_OUTSIDE = """(selector) => [...document.querySelectorAll(selector)]
    .filter(el => el.offsetParent !== null)
    .filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth)
    .map(el => el.innerText)"""


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def open_as(page: Page, base: str, role: str, menu_entry: str | None = None) -> None:
    """Sign in as the demo user of `role`, then open a page through the menu, as a user would."""
    page.goto(base)
    wait_idle(page, timeout=60_000)
    expect(page.get_by_label(vi("login.username"))).to_be_visible(timeout=60_000)  # a busy machine
    sign_in(page, DEMO_USERS[role], DEMO_PASSWORD)
    expect(page.get_by_text(vi("home.households"), exact=True).first).to_be_visible(timeout=30_000)
    wait_idle(page)
    if menu_entry:
        open_menu(page)
        page.get_by_test_id("stPopoverBody").get_by_role("link", name=vi(menu_entry), exact=True).click()
        expect(page.get_by_role("heading", name=vi(menu_entry), exact=True)).to_be_visible(timeout=30_000)
        wait_idle(page)


def next_frames(page: Page) -> None:
    """Two animation frames: the data grid's canvas has drawn what it was told."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= WIDTH, width


def test_quotas_at_tablet_width_lead_with_the_at_risk_ones(page: Page, demo_app, shot):
    open_as(page, demo_app, "coordinator", "nav.quotas")
    warning = page.get_by_test_id("stAlertContentWarning").first
    expect(warning).to_contain_text("chỉ tiêu có nguy cơ không đạt")
    # The at-risk ones come first, right under the warning: the first card is one of them.
    assert (
        warning.bounding_box()["y"] < page.locator("[class*='st-key-quota_card_']").first.bounding_box()["y"]
    )
    expect(page.get_by_text("Mục tiêu: Mục tiêu")).to_have_count(0)
    first = page.locator("[class*='st-key-quota_card_risk_']").first
    expect(first).to_be_visible()
    # The first card names its owner in full and shows the projection inside the viewport.
    projection = first.get_by_text("dự kiến cuối đợt").first
    expect(projection).to_be_in_viewport()
    box = projection.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    cut = page.evaluate(
        CUT_OR_OUTSIDE, "[data-testid='stMarkdownContainer'] p, [data-testid='stCaptionContainer']"
    )
    assert cut == [], cut
    no_horizontal_scroll(page)
    shot(page, "quotas-768x1024")
    first.scroll_into_view_if_needed()
    shot(page, "quotas-at-risk-768x1024")


def test_quotas_cascade_to_teams_at_tablet_width(page: Page, demo_app, shot):
    """Split to the teams (the longest names); change one row: the sum differs, and only then the
    choice to save with the new total appears, labelled and explained."""
    open_as(page, demo_app, "coordinator", "nav.quotas")
    split_to = page.get_by_role("combobox", name=vi("quotas.owner_kind"))
    split_to.scroll_into_view_if_needed()
    split_to.click()
    page.get_by_role("option", name=vi("owner.team"), exact=True).click()
    wait_idle(page)
    expect(split_to).to_have_value(vi("owner.team"))
    accept = page.get_by_text(vi("fig.q.accept_new_total"), exact=True)
    expect(accept).to_have_count(0)
    wait_idle(page)
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=30_000)
    for _attempt in range(3):  # the grid may be redrawn once more after the rerun
        try:
            grid.scroll_into_view_if_needed(timeout=10_000)
            break
        except PlaywrightError:
            wait_idle(page)
    grid.locator("canvas").first.wait_for()
    # The grid's accessible copy of its cells: the rows are the teams now.
    expect(grid.locator("td", has_text="Tổ công nghệ số").first).to_be_attached()
    next_frames(page)
    box = grid.bounding_box()
    # The first row's target cell (the last column): header ~36 px, rows ~36 px.
    page.mouse.dblclick(box["x"] + box["width"] - 30, box["y"] + 36 + 18)
    cell_editor = page.locator("#portal input, #portal textarea").first
    cell_editor.wait_for()
    cell_editor.fill("1")
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("khác «Tổng chỉ tiêu»")).to_be_visible(timeout=30_000)
    expect(accept).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("button", name=vi("quotas.save"), exact=True).scroll_into_view_if_needed()
    next_frames(page)
    shot(page, "quotas-cascade-768x1024")


@pytest.mark.parametrize("role", ["leader", "volunteer"])
def test_home_figures_at_tablet_width_are_not_cut(page: Page, demo_app, shot, role):
    open_as(page, demo_app, role)
    expect(page.get_by_text(vi("fig.home.reached"), exact=True)).to_be_visible()
    cut = page.evaluate(CUT_OR_OUTSIDE, "[data-testid='stMetricLabel'] p, [data-testid='stMetricValue'] div")
    assert cut == [], cut
    no_horizontal_scroll(page)
    shot(page, f"home-{role}-768x1024")
