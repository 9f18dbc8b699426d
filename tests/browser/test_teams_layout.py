"""The teams page in Chromium at 768×1024 on a copy of the demo data: the coordinator's view reads
without horizontal scrolling, the member form is empty again after a save (in the browser, not only in
the script's state), and the balance proposal says why it is better."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.i18n import t
from models.db import make_engine, read_session
from models.tables import Member
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.private_app import private_app
from tests.browser.test_signin import open_menu, sign_in

pytestmark = pytest.mark.browser

WIDTH = 768
NEW_MEMBER = ("Hà Thị Lụa", "0912 777 001")


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


@pytest.fixture
def teams_app(demo_env, tmp_path) -> Iterator[tuple[str, str]]:
    """This test writes members and assignments: a server on a private copy of the demo database."""
    with private_app(demo_env, tmp_path) as app:
        yield app


def open_teams(page: Page, base: str) -> None:
    page.goto(base)
    wait_idle(page)
    sign_in(page, DEMO_USERS["coordinator"], DEMO_PASSWORD)
    expect(page.get_by_text(vi("home.households"), exact=True).first).to_be_visible()
    wait_idle(page)
    open_menu(page)
    page.get_by_test_id("stPopoverBody").get_by_role("link", name=vi("nav.teams"), exact=True).click()
    expect(page.get_by_role("heading", name=vi("teams.heading"), exact=True)).to_be_visible()
    wait_idle(page)


def settle_tables(page: Page) -> None:
    """st.dataframe draws its canvas late: wait for it and two animation frames."""
    page.get_by_test_id("stDataFrame").first.locator("canvas").first.wait_for()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= WIDTH, width


def stored_members(db_url: str, full_name: str) -> int:
    engine = make_engine(db_url)
    try:
        with read_session(engine) as s:
            return len(s.exec(select(Member.id).where(Member.full_name == full_name)).all())
    finally:
        engine.dispose()


def test_teams_page_at_tablet_width(page: Page, teams_app, shot):
    base, db_url = teams_app
    open_teams(page, base)
    expect(page.get_by_role("combobox", name=vi("teams.pick"))).to_be_visible()
    settle_tables(page)
    no_horizontal_scroll(page)
    shot(page, "teams-768x1024")

    # Add a member as leader: after the save the form in the browser is empty again.
    name, phone = NEW_MEMBER
    page.get_by_label(vi("teams.full_name"), exact=True).fill(name)
    page.get_by_label(vi("teams.phone"), exact=True).fill(phone)
    page.get_by_role("checkbox", name=vi("teams.is_leader"), exact=True).check(force=True)
    page.get_by_role("button", name=vi("teams.member_save"), exact=True).click()
    wait_idle(page)
    # The demo commune team has a leader: moving the flag is confirmed first, right below the form.
    confirm = page.get_by_role("button", name=vi("teams.leader_confirm_yes", name=name), exact=True)
    expect(confirm).to_be_in_viewport()
    shot(page, "teams-leader-confirm-768x1024")
    confirm.click()
    wait_idle(page)
    expect(page.get_by_test_id("stAlert").get_by_text(vi("teams.member_saved"))).to_be_in_viewport()
    assert stored_members(db_url, name) == 1
    # A busy browser may still hold the previous run's form for a moment: wait until one is left.
    expect(page.get_by_label(vi("teams.full_name"), exact=True)).to_have_count(1, timeout=15_000)
    expect(page.get_by_label(vi("teams.full_name"), exact=True)).to_have_value("")
    expect(page.get_by_label(vi("teams.phone"), exact=True)).to_have_value("")
    expect(page.get_by_role("checkbox", name=vi("teams.is_leader"), exact=True)).not_to_be_checked()
    shot(page, "teams-member-saved-768x1024")

    # The balance proposal: moves with households per member before → after.
    page.get_by_role("button", name=vi("teams.balance_propose"), exact=True).click()
    wait_idle(page)
    apply = page.get_by_role("button", name=vi("teams.balance_apply"), exact=True)
    expect(apply).to_be_visible()
    expect(page.get_by_text("Chênh lệch số hộ trên mỗi thành viên")).to_be_visible()
    expect(page.get_by_text(vi("teams.balance_why"))).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("heading", name=vi("teams.balance")).scroll_into_view_if_needed()
    shot(page, "teams-balance-768x1024")
    apply.scroll_into_view_if_needed()
    settle_tables(page)
    shot(page, "teams-balance-table-768x1024")
    apply.click()
    wait_idle(page)
    notice = page.get_by_test_id("stAlert").get_by_text(vi("teams.balance_applied"))
    expect(notice).to_be_in_viewport()
    shot(page, "teams-balance-applied-768x1024")
