"""Signing in, staying signed in across a refresh, signing out, and no page open to anonymous visitors."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.i18n import t
from models.db import make_engine, read_session
from models.tables import Area, User
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from webui.registry import PAGES

pytestmark = pytest.mark.browser

VOLUNTEER = DEMO_USERS["volunteer"]


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label(vi("login.username")).fill(username)
    page.get_by_label(vi("login.password")).fill(password)
    page.get_by_role("button", name=vi("login.submit"), exact=True).click()


def expect_sign_in_form(page: Page) -> None:
    expect(page.get_by_label(vi("login.password"))).to_be_visible()
    expect(page.get_by_role("button", name=vi("login.submit"), exact=True)).to_be_visible()


def expect_home(page: Page) -> None:
    expect(
        page.get_by_role("heading", name=re.compile("^" + re.escape(vi("home.heading", name=""))))
    ).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    expect(page.get_by_text(vi("home.households"), exact=True).first).to_be_visible()
    expect(page.get_by_label(vi("login.password"))).to_have_count(0)


def open_menu(page: Page) -> None:
    """The menu (pages, language, Sign out) is a popover in the top bar, not a sidebar."""
    page.locator(".st-key-shell_menu").get_by_role("button").first.click()
    expect(page.get_by_test_id("stPopoverBody")).to_be_visible()


def test_volunteer_signs_in_stays_signed_in_after_reload_and_signs_out(page: Page, demo_app, tmp_path):
    page.goto(demo_app)
    wait_idle(page)
    expect_sign_in_form(page)

    sign_in(page, VOLUNTEER, DEMO_PASSWORD)
    expect_home(page)
    wait_idle(page)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "fiveb3h_session" in cookies, cookies.keys()
    assert cookies["fiveb3h_session"]["sameSite"] == "Strict"
    shot = tmp_path / "home-signed-in-768x1024.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")

    page.reload()
    wait_idle(page)
    expect_home(page)

    open_menu(page)
    page.get_by_role("button", name=vi("nav.signout")).click()
    expect_sign_in_form(page)
    wait_idle(page)

    page.reload()
    wait_idle(page)
    expect_sign_in_form(page)
    expect(page.get_by_text(re.compile("^" + re.escape(vi("home.heading", name=""))))).to_have_count(0)


def test_signed_out_cookie_cannot_be_replayed(page: Page, demo_app, browser):
    """Sign-out revokes the token on the server: a copy of the cookie taken before is worthless."""
    page.goto(demo_app)
    wait_idle(page)
    sign_in(page, VOLUNTEER, DEMO_PASSWORD)
    expect_home(page)
    wait_idle(page)
    saved = [c for c in page.context.cookies() if c["name"] == "fiveb3h_session"]
    assert saved

    open_menu(page)
    page.get_by_role("button", name=vi("nav.signout")).click()
    expect_sign_in_form(page)
    wait_idle(page)

    other = browser.new_context(viewport={"width": 768, "height": 1024}, locale="vi-VN")
    try:
        other.add_cookies(saved)
        replay = other.new_page()
        replay.goto(demo_app)
        wait_idle(replay)
        expect_sign_in_form(replay)
    finally:
        other.close()


def test_wrong_password_shows_the_vietnamese_error(page: Page, demo_app):
    page.goto(demo_app)
    wait_idle(page)
    sign_in(page, VOLUNTEER, "not-the-password")
    expect(page.get_by_text(vi("login.failed"))).to_be_visible()
    wait_idle(page)
    expect_sign_in_form(page)
    assert not [c for c in page.context.cookies() if c["name"] == "fiveb3h_session"]


def _demo_names(env: dict[str, str]) -> list[str]:
    """Names only a signed-in user should ever see: every area and every user."""
    engine = make_engine(env["DATABASE_URL"])
    try:
        with read_session(engine) as session:
            areas = session.execute(select(Area.name)).scalars().all()
            users = session.execute(select(User.username)).scalars().all()
            full_names = session.execute(select(User.full_name)).scalars().all()
    finally:
        engine.dispose()
    return sorted({n for n in [*areas, *users, *full_names] if n})


def test_anonymous_visitor_opening_any_page_url_first_sees_only_the_sign_in(browser, fresh_app, demo_env):
    """Right after the server starts (no session has run app.py, the pages-folder mode is still on)
    every page URL -- the registry's url_path and the file-name URL -- shows only the sign-in form."""
    secrets = _demo_names(demo_env)
    assert VOLUNTEER in secrets
    # File-name URLs first: they are the ones the pages-folder mode serves before app.py has run.
    paths = [Path(spec.path).stem for spec in PAGES] + [spec.url_path for spec in PAGES] + [""]
    seen: list[str] = []
    # One cookie-less context: every goto opens a new Streamlit session; only the browser cache is shared.
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="vi-VN")
    try:
        page = context.new_page()
        for path in dict.fromkeys(paths):
            page.goto(f"{fresh_app}/{path}")
            wait_idle(page)
            expect_sign_in_form(page)
            expect(page.get_by_test_id("stForm")).to_have_count(1)
            expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
            expect(page.get_by_test_id("stMetric")).to_have_count(0)
            expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
            expect(page.get_by_text(vi("login.forbidden_page"))).to_have_count(0)
            text = page.locator("body").inner_text()
            leaked = [name for name in secrets if name in text]
            assert not leaked, f"/{path} shows {leaked} to an anonymous visitor"
            assert all(c["name"] != "fiveb3h_session" for c in context.cookies())
            seen.append(path)
    finally:
        context.close()
    assert len(seen) >= len(PAGES)


def _failed_attempts(env: dict[str, str], username: str) -> int:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with read_session(engine) as session:
            return session.execute(select(User.failed_attempts).where(User.username == username)).scalar_one()
    finally:
        engine.dispose()


def _wait_for_failed_attempts(env: dict[str, str], username: str, count: int, seconds: float = 20) -> None:
    """Each wrong password has been processed (the form's error text is the same every time)."""
    deadline = time.monotonic() + seconds
    while _failed_attempts(env, username) != count:
        assert time.monotonic() < deadline, (
            f"{username} has {_failed_attempts(env, username)} failures, not {count}"
        )
        time.sleep(0.1)


def test_a_guessing_address_behind_nginx_is_told_to_wait_and_the_owner_still_signs_in(
    browser, fresh_app, demo_env
):
    """Issue #12: four wrong passwords on one name from one address (as nginx forwards it) and that address
    must wait, even from a new browser session; the account is not locked, so its owner signs in at once."""
    leader = DEMO_USERS["leader"]
    assert _failed_attempts(demo_env, leader) == 0
    too_many = vi("auth.too_many", minutes=15)
    attacker = browser.new_context(
        viewport={"width": 768, "height": 1024},
        locale="vi-VN",
        extra_http_headers={"X-Forwarded-For": "203.0.113.7"},
    )
    owner = browser.new_context(
        viewport={"width": 768, "height": 1024},
        locale="vi-VN",
        extra_http_headers={"X-Forwarded-For": "198.51.100.20"},
    )
    try:
        page = attacker.new_page()
        page.goto(fresh_app)
        wait_idle(page)
        for count in range(1, 5):
            sign_in(page, leader, "not-the-password")
            _wait_for_failed_attempts(demo_env, leader, count)
            expect(page.get_by_text(vi("login.failed"))).to_be_visible()
            wait_idle(page)
        sign_in(page, leader, DEMO_PASSWORD)
        expect(page.get_by_text(too_many)).to_be_visible()
        wait_idle(page)
        page.reload()  # a new browser session from the same address
        wait_idle(page)
        sign_in(page, leader, DEMO_PASSWORD)
        expect(page.get_by_text(too_many)).to_be_visible()
        wait_idle(page)
        expect_sign_in_form(page)
        assert _failed_attempts(demo_env, leader) == 4  # refused before the account counted

        mine = owner.new_page()
        mine.goto(fresh_app)
        wait_idle(mine)
        sign_in(mine, leader, DEMO_PASSWORD)
        expect(mine.get_by_role("button", name=vi("login.submit"), exact=True)).to_have_count(0)
        wait_idle(mine)
        assert _failed_attempts(demo_env, leader) == 0
    finally:
        attacker.close()
        owner.close()
