"""Children under 14 on a tablet (Chromium, 768×1024, demo data): folded behind one "show children"
toggle on the visit form, shown unticked when asked for, ticked by a tap on their own controls."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.clock import today
from core.i18n import t
from models.db import make_engine, read_session
from models.tables import Household, Resident, User
from services.access import load_actor
from services.visits.queries import is_child
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.test_signin import sign_in

pytestmark = pytest.mark.browser


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def household_with_children(env: dict[str, str]) -> dict:
    """A household of the demo volunteer's villages with adults and at least one child under 14."""
    engine = make_engine(env["DATABASE_URL"])
    year = today().year
    try:
        with read_session(engine) as s:
            user_id = s.exec(select(User.id).where(User.username == DEMO_USERS["volunteer"])).scalar_one()
            actor = load_actor(s, user_id)
            rows = s.exec(
                select(Resident.household_id, Resident.id, Resident.full_name, Resident.birth_year)
                .join(Household, Household.id == Resident.household_id)
                .where(
                    Household.village_id.in_(actor.village_ids),
                    Household.status == "active",
                    Resident.status == "active",
                )
                .order_by(Resident.household_id, Resident.id)
            ).all()
    finally:
        engine.dispose()
    by_household: dict[int, list] = {}
    for row in rows:
        by_household.setdefault(row.household_id, []).append(row)
    for household_id, people in by_household.items():
        children = [p for p in people if is_child(p.birth_year, year=year)]
        adults = [p for p in people if not is_child(p.birth_year, year=year)]
        names = [p.full_name for p in people]
        if children and adults and len(set(names)) == len(names):
            return {"id": household_id, "children": children, "adults": adults}
    pytest.fail("the demo data has no household with children in the volunteer's villages")


def test_children_are_folded_away_until_asked_for(page: Page, demo_app, demo_env, shot):
    target = household_with_children(demo_env)
    page.goto(f"{demo_app}/visit?household={target['id']}")
    wait_idle(page)
    sign_in(page, DEMO_USERS["volunteer"], DEMO_PASSWORD)
    wait_idle(page)
    expect(page.get_by_role("button", name=vi("journey.save"))).to_be_visible()
    for adult in target["adults"]:
        expect(page.locator(f"[class*='-r{adult.id}-present'] input")).not_to_be_checked()
    for child in target["children"]:
        expect(page.locator(f"[class*='-r{child.id}-present']")).to_have_count(0)
    toggle = page.get_by_text(vi("visit_form.show_children", n=len(target["children"])))
    toggle.scroll_into_view_if_needed()
    shot(page, "visit-children-folded-768x1024")

    toggle.click()
    wait_idle(page)
    child = target["children"][0]
    box = page.locator(f"[class*='-r{child.id}-present'] input")
    expect(box).not_to_be_checked()
    pills = page.locator(f"[class*='-r{child.id}-guidance']")
    pills.get_by_role("button", name=vi("journey.guide_short.guide_apps")).click()
    wait_idle(page)
    expect(box).to_be_checked()
    box.scroll_into_view_if_needed()
    shot(page, "visit-children-shown-768x1024")
