"""The group-session page in Chromium at 768×1024 on the demo data: the leaflet and video buttons of each
attendee show their whole label (not "T…" / "Vi…"), and after a save the search box is empty."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from core.clock import today
from core.i18n import t
from core.text import search_key
from models.db import make_engine, read_session
from models.tables import Household, Resident, User, Visit, VisitResident
from services.access import load_actor
from services.visits.queries import is_child
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.test_signin import sign_in

pytestmark = pytest.mark.browser

# Button labels whose text is cut (ellipsis or overflow) inside the attendee blocks.
CUT_LABELS = """(selector) => [...document.querySelectorAll(selector)]
    .filter(el => el.offsetParent !== null)
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => el.innerText)"""
# The label boxes Streamlit ellipsises: attendee name (the present checkbox), leaflet, video, remove.
ATTENDEE_LABELS = ", ".join(
    f"{scope} [data-testid='stMarkdownContainer']"
    for scope in (
        "[class*='st-key-session-f'][class*='-present']",
        "[class*='st-key-session-f'][class*='-leaflet']",
        "[data-testid='stLinkButton']",
        "[class*='st-key-session-f'][class*='-remove']",
    )
)


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def two_adults(env: dict[str, str]) -> list[tuple[int, str]]:
    """Two adults of different households in the demo volunteer's villages, each found alone by their
    name typed without diacritics: (resident id, full name)."""
    engine = make_engine(env["DATABASE_URL"])
    found: list[tuple[int, str]] = []
    households: set[int] = set()
    try:
        with read_session(engine) as s:
            user_id = s.exec(select(User.id).where(User.username == DEMO_USERS["volunteer"])).scalar_one()
            actor = load_actor(s, user_id)
            rows = s.exec(
                select(Resident.id, Resident.full_name, Resident.birth_year, Resident.household_id)
                .join(Household, Household.id == Resident.household_id)
                .where(
                    Household.village_id.in_(actor.village_ids),
                    Household.status == "active",
                    Resident.status == "active",
                )
                .order_by(Resident.id)
            ).all()
            for rid, name, year, household_id in rows:
                if household_id in households or is_child(year, year=today().year):
                    continue
                namesakes = s.exec(
                    select(func.count()).select_from(Resident).where(Resident.name_key == search_key(name))
                ).scalar_one()
                if namesakes != 1 or search_key(name) == name:
                    continue
                found.append((rid, name))
                households.add(household_id)
                if len(found) == 2:
                    return found
    finally:
        engine.dispose()
    pytest.fail("the demo data has no two adults with a unique name in the volunteer's villages")


def session_count(env: dict[str, str]) -> int:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with read_session(engine) as s:
            return s.exec(select(func.count()).select_from(Visit).where(Visit.kind == "session")).scalar_one()
    finally:
        engine.dispose()


def last_session_ratings(env: dict[str, str]) -> dict[int, int]:
    """Resident id -> satisfaction saved with the latest session."""
    engine = make_engine(env["DATABASE_URL"])
    try:
        with read_session(engine) as s:
            last = s.exec(select(func.max(Visit.id)).where(Visit.kind == "session")).scalar_one()
            return dict(
                s.exec(
                    select(VisitResident.resident_id, VisitResident.satisfaction).where(
                        VisitResident.visit_id == last, VisitResident.satisfaction.is_not(None)
                    )
                ).all()
            )
    finally:
        engine.dispose()


def add_attendee(page: Page, rid: int, name: str) -> None:
    search = page.get_by_label(vi("journey.search"))
    search.fill(search_key(name))
    search.press("Enter")
    wait_idle(page)
    page.locator(f"[class*='st-key-session-add-{rid}'] button").click()
    wait_idle(page)


def test_session_page_labels_fit_and_search_clears_after_saving(page: Page, demo_app, demo_env, shot):
    people = two_adults(demo_env)
    before = session_count(demo_env)
    page.goto(f"{demo_app}/session")
    wait_idle(page)
    sign_in(page, DEMO_USERS["volunteer"], DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=vi("journey.session_heading"))).to_be_visible()
    wait_idle(page)
    for rid, name in people:
        add_attendee(page, rid, name)
    expect(page.get_by_text(vi("journey.attendees", n=2))).to_be_visible()
    leaflet = page.get_by_role("button", name=vi("journey.leaflet"))
    expect(leaflet.first).to_be_visible()
    assert page.evaluate(CUT_LABELS, ATTENDEE_LABELS) == []
    labels = page.locator(ATTENDEE_LABELS).all_inner_texts()
    assert vi("journey.leaflet") in labels and vi("journey.video") in labels, labels
    page.locator("[data-testid='stMain']").evaluate("el => el.scrollTo(0, 0)")
    shot(page, "session-768x1024")
    page.locator(f"[class*='-r{people[1][0]}-present']").scroll_into_view_if_needed()
    shot(page, "session-second-attendee-768x1024")

    # One guidance chip for the first attendee, then save: the search box is empty afterwards.
    first = people[0][0]
    page.locator(f"[class*='-r{first}-guidance']").get_by_role(
        "button", name=vi("journey.guide_short.guide_submit")
    ).click()
    wait_idle(page)
    # Satisfaction after guidance (issue #11): the guided attendee's five buttons, one tap.
    stars = page.locator(f"[class*='-r{first}-rating']")
    stars.get_by_role("radio", name="4 ★", exact=True).click()
    wait_idle(page)
    assert page.evaluate(CUT_LABELS, f"[class*='-r{first}-rating'] button") == []
    stars.scroll_into_view_if_needed()
    shot(page, "session-rating-768x1024")
    page.get_by_role("button", name=vi("journey.save")).click()
    wait_idle(page)
    expect(page.get_by_test_id("stAlertContentSuccess").first).to_be_visible()
    assert session_count(demo_env) == before + 1
    assert last_session_ratings(demo_env) == {first: 4}
    expect(page.get_by_label(vi("journey.search"))).to_have_value("")
    expect(page.get_by_text(vi("journey.attendees", n=0))).to_be_visible()
    shot(page, "session-saved-768x1024")
