"""The app shell in Chromium at 768×1024 on the demo data: the menu never narrows the working area,
another role's page URL shows the app's own Vietnamese refusal, and English survives a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from core.i18n import t
from models.db import make_engine, write_session
from models.tables import User
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.test_signin import open_menu, sign_in

pytestmark = pytest.mark.browser

VOLUNTEER = DEMO_USERS["volunteer"]


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def box(page: Page, test_id: str) -> dict:
    return page.get_by_test_id(test_id).bounding_box()


def reset_language(env: dict[str, str], username: str) -> None:
    """The demo database is shared by the browser tests: leave the user's language as it was."""
    engine = make_engine(env["DATABASE_URL"])
    try:
        with write_session(engine) as s:
            s.execute(update(User).where(User.username == username).values(language=None))
    finally:
        engine.dispose()


def test_the_menu_never_narrows_the_visit_page(page: Page, demo_app, shot):
    page.goto(demo_app)
    wait_idle(page)
    sign_in(page, VOLUNTEER, DEMO_PASSWORD)
    wait_idle(page)
    main_before = box(page, "stMain")
    block_before = box(page, "stMainBlockContainer")
    assert main_before["width"] >= 760, main_before  # the whole 768 px viewport (less a scrollbar)

    open_menu(page)
    shot(page, "menu-open-768x1024")
    page.get_by_test_id("stPopoverBody").get_by_role("link", name=vi("nav.visit"), exact=True).click()
    wait_idle(page)
    expect(page.get_by_label(vi("journey.search"))).to_be_visible()  # on the visit page

    expect(page.get_by_test_id("stPopoverBody")).to_have_count(0)  # the menu closed on navigation
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    main_after = box(page, "stMain")
    block_after = box(page, "stMainBlockContainer")
    shot(page, "menu-768x1024")
    assert main_after["width"] == main_before["width"], (main_before, main_after)
    assert block_after["width"] == block_before["width"], (block_before, block_after)
    assert block_after["x"] == block_before["x"], (block_before, block_after)


def test_another_roles_page_url_shows_the_apps_refusal(page: Page, demo_app, shot):
    page.goto(demo_app)
    wait_idle(page)
    sign_in(page, VOLUNTEER, DEMO_PASSWORD)
    expect(page.get_by_label(vi("login.password"))).to_have_count(0, timeout=30_000)
    wait_idle(page)
    # The remember-me cookie is written by a script after sign-in; the next page load needs it.
    page.wait_for_function("() => document.cookie.includes('fiveb3h_session=')", timeout=30_000)
    page.goto(f"{demo_app}/users")  # the administrator's page
    wait_idle(page)
    expect(page.get_by_text(vi("login.forbidden_page"))).to_be_visible()
    expect(page.get_by_role("link", name=vi("shell.back_home"))).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    shot(page, "refusal-768x1024")
    page.get_by_role("link", name=vi("shell.back_home")).click()
    wait_idle(page)
    expect(page.get_by_text(vi("home.households"), exact=True).first).to_be_visible()


def test_english_survives_a_reload_and_a_new_device(page: Page, demo_app, demo_env, browser, shot):
    user = DEMO_USERS["coordinator"]
    try:
        page.goto(demo_app)
        wait_idle(page)
        shot(page, "sign-in-768x1024")
        sign_in(page, user, DEMO_PASSWORD)
        wait_idle(page)
        open_menu(page)
        page.get_by_test_id("stPopoverBody").get_by_role("radio", name="English").click()
        wait_idle(page)
        expect(page.get_by_role("button", name=t("nav.signout", "en"))).to_be_visible()
        page.keyboard.press("Escape")

        page.reload()
        wait_idle(page)
        # .first: the home page's table has a "Households" column header too.
        expect(page.get_by_text(t("home.households", "en"), exact=True).first).to_be_visible()
        expect(page.get_by_label(t("login.password", "vi"))).to_have_count(0)
        shot(page, "home-english-after-reload-768x1024")

        other = browser.new_context(viewport={"width": 768, "height": 1024}, locale="vi-VN")
        try:
            tablet = other.new_page()
            tablet.goto(demo_app)
            wait_idle(tablet)
            sign_in(tablet, user, DEMO_PASSWORD)  # the sign-in page itself is in Vietnamese
            wait_idle(tablet)
            expect(tablet.get_by_text(t("home.households", "en"), exact=True).first).to_be_visible()
        finally:
            other.close()
    finally:
        reset_language(demo_env, user)
