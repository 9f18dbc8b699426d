"""Privacy screens of issue #12 in Chromium at 768×1024 on the demo data: the consent box under the
name of a resident who has not consented yet (visit form), and the admin's erasure form on a resident's
record — readable, nothing cut off, nothing wider than the tablet."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from core.i18n import t
from models.db import make_engine, read_session, write_session
from models.tables import Household, Resident, User
from services.access import load_actor
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.test_signin import sign_in

pytestmark = pytest.mark.browser

CUT = """(selector) => [...document.querySelectorAll(selector)]
    .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1).map(el => el.innerText)"""


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def resident_without_consent(env: dict[str, str]) -> tuple[int, int]:
    """(household, resident) in the demo volunteer's first village, the resident's consent cleared."""
    engine = make_engine(env["DATABASE_URL"])
    try:
        with read_session(engine) as s:
            user_id = s.exec(select(User.id).where(User.username == DEMO_USERS["volunteer"])).scalar_one()
            actor = load_actor(s, user_id)
            household_id, resident_id = s.exec(
                select(Household.id, Resident.id)
                .join(Resident, Resident.household_id == Household.id)
                .where(
                    Household.village_id.in_(actor.village_ids),
                    Household.status == "active",
                    Resident.status == "active",
                    Resident.birth_year < 2000,
                )
                .order_by(Household.id.desc(), Resident.id)
            ).first()
        with write_session(engine) as s:
            s.exec(
                update(Resident)
                .where(Resident.id == resident_id)
                .values(consent_on=None, consent_by=None, consent_method=None)
            )
        return household_id, resident_id
    finally:
        engine.dispose()


def test_the_consent_box_sits_under_the_name(page: Page, demo_app, demo_env, shot):
    household_id, resident_id = resident_without_consent(demo_env)
    page.goto(f"{demo_app}/visit?household={household_id}")
    wait_idle(page)
    sign_in(page, DEMO_USERS["volunteer"], DEMO_PASSWORD)
    wait_idle(page)
    box = page.locator(f"[class*='-r{resident_id}-consent']")
    expect(box.get_by_text(vi("consent.visit_checkbox"))).to_be_visible()
    assert page.evaluate(CUT, f"[class*='-r{resident_id}-'] [data-testid='stMarkdownContainer']") == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768
    box.scroll_into_view_if_needed()
    shot(page, "visit-consent-768x1024")


def test_the_admin_erasure_form_on_a_resident(page: Page, demo_app, demo_env, shot):
    _household, resident_id = resident_without_consent(demo_env)
    page.goto(f"{demo_app}/residents?resident={resident_id}")
    wait_idle(page)
    sign_in(page, DEMO_USERS["admin"], DEMO_PASSWORD)
    wait_idle(page)
    heading = page.locator("[data-testid='stExpander'] summary").filter(has_text=vi("erase.resident_heading"))
    expect(heading).to_be_visible()
    heading.click()
    wait_idle(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768
    form = page.locator("[data-testid='stExpander']").filter(has_text=vi("erase.resident_heading"))
    form.scroll_into_view_if_needed()
    shot(page, "resident-erase-768x1024")
