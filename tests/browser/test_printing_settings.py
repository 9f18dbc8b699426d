"""Household cards and the public address at tablet size: the refusal a coordinator reads while no
public address is set, the admin's settings page, and the cards offered once it is set."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete

from core.i18n import t
from models.db import make_engine, write_session
from models.tables import AppSetting
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from webui.state import COOKIE_NAME

pytestmark = pytest.mark.browser

PUBLIC = "https://5b3h.tinh-minh-hoa.example.vn"


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def sign_in(page: Page, base: str, username: str, path: str, heading: str) -> None:
    """Sign in on the home page, then open `path` (as the menu does) and wait for its heading."""
    page.goto(base)
    wait_idle(page)
    page.get_by_label(vi("login.username")).fill(username)
    page.get_by_label(vi("login.password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=vi("login.submit"), exact=True).click()
    expect(page.get_by_label(vi("login.password"))).to_have_count(0, timeout=30_000)
    wait_idle(page)
    # The remember-me cookie is written by a script after sign-in; the next page load needs it.
    page.wait_for_function(f"() => document.cookie.includes('{COOKIE_NAME}=')", timeout=30_000)
    page.goto(f"{base}/{path}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=30_000)
    wait_idle(page)


@pytest.fixture
def no_public_address(demo_env):
    """The demo database without an address set in the app, before and after the test."""
    engine = make_engine(demo_env["DATABASE_URL"])

    def clear() -> None:
        with write_session(engine) as s:
            s.exec(delete(AppSetting).where(AppSetting.key == "public_base_url"))

    clear()
    yield
    clear()
    engine.dispose()


def test_cards_wait_for_the_public_address_an_admin_sets(
    browser, browser_context_args, demo_app, demo_env, no_public_address, shot
):
    assert not demo_env.get("APP_BASE_URL"), "the demo server must run without APP_BASE_URL"
    coordinator = browser.new_context(**browser_context_args).new_page()
    sign_in(coordinator, demo_app, DEMO_USERS["coordinator"], "leaflets", vi("leaflets.heading"))
    refusal = coordinator.get_by_text(vi("err.public_url_unset"))
    expect(refusal).to_be_visible()
    refusal.scroll_into_view_if_needed()
    cards = coordinator.get_by_role("button", name=vi("leaflets.make_cards"))
    expect(cards).to_be_disabled()
    expect(coordinator.get_by_role("button", name=vi("leaflets.make_sheets"))).to_be_enabled()
    shot(coordinator, "leaflets-cards-refused-768x1024")

    admin = browser.new_context(**browser_context_args).new_page()
    sign_in(admin, demo_app, DEMO_USERS["admin"], "settings", vi("settings.heading"))
    expect(admin.get_by_text(vi("err.public_url_unset"))).to_be_visible()
    shot(admin, "settings-unset-768x1024")
    field = admin.get_by_role("textbox", name=vi("settings.public_url"))
    field.fill("http://localhost:8501")
    admin.get_by_role("button", name=vi("settings.save")).click()
    wait_idle(admin)
    expect(admin.get_by_text(vi("err.public_url_loopback_field"))).to_be_visible()
    shot(admin, "settings-refused-768x1024")
    field.fill(PUBLIC)
    admin.get_by_role("button", name=vi("settings.save")).click()
    wait_idle(admin)
    expect(admin.get_by_text(vi("settings.saved", url=PUBLIC))).to_be_visible()
    expect(admin.get_by_text(vi("settings.try_qr"))).to_be_visible()
    shot(admin, "settings-saved-768x1024", full_page=True)

    coordinator.reload()
    wait_idle(coordinator)
    hint = coordinator.get_by_text(vi("leaflets.cards_hint"))
    expect(hint).to_be_visible()
    hint.scroll_into_view_if_needed()
    expect(coordinator.get_by_role("button", name=vi("leaflets.make_cards"))).to_be_enabled()
    coordinator.get_by_role("button", name=vi("leaflets.make_cards")).click()
    wait_idle(coordinator)
    download = coordinator.get_by_role("button", name=vi("leaflets.cards_download"))
    expect(download).to_be_visible()
    download.scroll_into_view_if_needed()
    shot(coordinator, "leaflets-cards-ready-768x1024")
