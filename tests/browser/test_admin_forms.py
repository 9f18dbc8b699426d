"""The admin forms in Chromium at 768×1024: after a successful save the form in the browser is empty
again (new user, new area), not only in the script's state, and the confirmation is in view; a refused
save keeps what was typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from core.i18n import t
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.private_app import private_app
from tests.browser.test_signin import open_menu, sign_in

pytestmark = pytest.mark.browser


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def box(form, label_key: str):
    """The text box labelled `label_key` (password boxes included) inside `form`."""
    return form.get_by_role("textbox", name=vi(label_key), exact=True)


@pytest.fixture
def admin_app(demo_env, tmp_path) -> Iterator[str]:
    """These tests create users and areas: a server on a private copy of the demo database."""
    with private_app(demo_env, tmp_path) as (url, _db):
        yield url


def open_admin_page(page: Page, base: str, menu_entry: str, heading: str) -> None:
    page.goto(base)
    wait_idle(page)
    sign_in(page, DEMO_USERS["admin"], DEMO_PASSWORD)
    expect(page.get_by_text(vi("home.households"), exact=True).first).to_be_visible()
    wait_idle(page)
    open_menu(page)
    page.get_by_test_id("stPopoverBody").get_by_role("link", name=vi(menu_entry), exact=True).click()
    expect(page.get_by_role("heading", name=vi(heading), exact=True)).to_be_visible()
    wait_idle(page)


def test_new_user_form_is_empty_after_a_save(page: Page, admin_app, shot):
    open_admin_page(page, admin_app, "nav.admin_users", "admin_users.heading")
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name=vi("admin_users.create_submit"))
    )
    username, password = (
        box(form, "admin_users.username"),
        box(form, "admin_users.password"),
    )
    repeat = box(form, "admin_users.repeat")
    username.fill("canbo.moi")
    box(form, "admin_users.full_name").fill("Cán Bộ Mới")
    password.fill("ngan")
    repeat.fill("ngan")
    form.get_by_role("button", name=vi("admin_users.create_submit")).click()
    wait_idle(page)
    expect(page.get_by_text(vi("err.weak_password", min=10))).to_be_visible()
    expect(username).to_have_value("canbo.moi")  # refused: the input stays

    password.fill("mot-mat-khau-dai")
    repeat.fill("mot-mat-khau-dai")
    form.get_by_role("button", name=vi("admin_users.create_submit")).click()
    wait_idle(page)
    # The confirmation is where the eye is (below the form), not in a banner scrolled out of view.
    expect(
        page.get_by_test_id("stAlert").get_by_text(vi("admin_users.created", username="canbo.moi"))
    ).to_be_in_viewport()
    for label in (
        "admin_users.username",
        "admin_users.full_name",
        "admin_users.password",
        "admin_users.repeat",
    ):
        expect(box(form, label)).to_have_value("")
    shot(page, "admin-users-saved-768x1024")


def test_new_area_form_is_empty_after_a_save(page: Page, admin_app, shot):
    open_admin_page(page, admin_app, "nav.admin_areas", "admin_areas.heading")
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name=vi("admin_areas.add_submit"))
    )
    code, name = box(form, "admin_areas.code"), box(form, "admin_areas.name")
    code.fill("25999")
    name.fill("Xã Mới Lập")
    form.get_by_role("button", name=vi("admin_areas.add_submit")).click()
    wait_idle(page)
    expect(
        page.get_by_test_id("stAlert").get_by_text(vi("admin_areas.added", code="25999"))
    ).to_be_in_viewport()
    expect(code).to_have_value("")
    expect(name).to_have_value("")
    shot(page, "admin-areas-saved-768x1024")
