"""The paper-sheet entry page in Chromium at 768×1024 on a private copy of the demo data: the demo
volunteer's village gets its sheets printed, the volunteer types the first sheet's id as written on
paper, fills two rows (one done with guidance and a skill box, one nobody home), saves, and sees the
rows entered; nothing on the page is cut or reaches past the screen's edge."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.clock import today
from core.i18n import t
from models.db import make_engine, read_session, write_session
from models.tables import User, Visit
from services import sheet_entry
from services.access import load_actor
from services.printing import documents as printing
from services.visits.queries import is_child
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.private_app import private_app
from tests.browser.test_signin import sign_in
from webui.state import COOKIE_NAME

pytestmark = pytest.mark.browser

# Visible elements whose text is cut (ellipsis or overflow) or that reach past the viewport's right edge.
CUT_OR_OUTSIDE = """(selector) => [...document.querySelectorAll(selector)]
    .filter(el => el.offsetParent !== null)
    .filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth)
    .map(el => el.innerText || el.getAttribute('aria-label') || el.tagName)"""


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def css_key(key: str) -> str:
    """Streamlit's class for a keyed element: `st-key-` and the key with other characters as '-'."""
    return "st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


def print_first_sheet(database_url: str) -> tuple[sheet_entry.SheetForEntry, list[sheet_entry.SheetRow]]:
    """Print the sheets of the demo volunteer's first village (as the Leaflets page does); the first
    sheet and two of its rows with residents."""
    engine = make_engine(database_url)
    try:
        with read_session(engine) as s:
            user_id = s.exec(select(User.id).where(User.username == DEMO_USERS["volunteer"])).scalar_one()
            actor = load_actor(s, user_id)
        with write_session(engine) as s:
            ids = printing.visit_sheets_document(s, actor=actor, village_id=actor.village_ids[0]).sheet_ids
        with read_session(engine) as s:
            sheet = sheet_entry.load_sheet(s, actor=actor, sheet_id=ids[0])
    finally:
        engine.dispose()
    year = today().year
    rows = [
        r
        for r in sheet.rows
        if r.active and r.entered is None and any(not is_child(p.birth_year, year=year) for p in r.residents)
    ]
    assert len(rows) >= 2, "the first demo sheet needs two households with residents"
    return sheet, rows[:2]


def sheet_visits(database_url: str, sheet_id: str) -> list[tuple]:
    engine = make_engine(database_url)
    try:
        with read_session(engine) as s:
            return sorted(
                s.exec(
                    select(Visit.household_id, Visit.outcome).where(
                        Visit.idempotency_key.like(f"sheet:{sheet_id}:%")
                    )
                ).all()
            )
    finally:
        engine.dispose()


def assert_nothing_cut(page: Page) -> None:
    main = '[data-testid="stMain"] '
    selectors = ("button", "label", "p", '[data-testid="stCaptionContainer"]')
    cut = {s: page.evaluate(CUT_OR_OUTSIDE, main + s) for s in selectors}
    assert not any(cut.values()), cut
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 768


def test_volunteer_enters_two_rows_of_a_paper_sheet_on_a_tablet(page: Page, demo_env, tmp_path, shot):
    with private_app(demo_env, tmp_path) as (base, database_url):
        sheet, (first, second) = print_first_sheet(database_url)
        page.goto(base)
        wait_idle(page, timeout=60_000)
        expect(page.get_by_label(vi("login.username"))).to_be_visible(timeout=60_000)
        sign_in(page, DEMO_USERS["volunteer"], DEMO_PASSWORD)
        expect(page.get_by_label(vi("login.password"))).to_have_count(0, timeout=30_000)
        wait_idle(page)
        # The remember-me cookie is written by a script after sign-in; the next page load needs it.
        page.wait_for_function(f"() => document.cookie.includes('{COOKIE_NAME}=')", timeout=30_000)
        page.goto(f"{base}/sheet-entry")  # as the menu link does
        typed = page.get_by_label(vi("sheet.typed"))
        expect(typed).to_be_visible(timeout=30_000)
        wait_idle(page)
        expect(page.get_by_role("heading", name=vi("sheet.summary_heading"))).to_be_visible()
        shot(page, "sheet-entry-choose-768x1024")

        typed.fill(sheet.id.lower().replace("-", " "))  # as read off the paper
        typed.press("Enter")
        wait_idle(page)
        expect(page.get_by_role("heading", name=sheet.id)).to_be_visible()
        wait_idle(page)
        shot(page, "sheet-entry-opened-768x1024")

        form = "sheets.f1"
        one, two = f"{form}.h{first.household_id}", f"{form}.h{second.household_id}"
        year = today().year
        resident = next(r for r in first.residents if not is_child(r.birth_year, year=year))
        page.locator(f".{css_key(one + '.outcome')}").get_by_role(
            "radio", name=vi("journey.outcome.done"), exact=True
        ).click()
        wait_idle(page)
        guide = page.locator(f".{css_key(f'{one}.r{resident.id}.guide')}")
        guide.get_by_role("button", name=vi("journey.guide_short.guide_submit")).click()
        wait_idle(page)
        ladder = page.locator(f".{css_key(f'{one}.r{resident.id}.lvl-submit')}")
        level = min(3, resident.levels.get("submit", 0) + 1)
        ladder.get_by_role("radio", name=str(level), exact=True).click()
        wait_idle(page)
        page.locator(f".{css_key(two + '.outcome')}").get_by_role(
            "radio", name=vi("journey.outcome.nobody_home"), exact=True
        ).click()
        wait_idle(page)
        page.locator(f".{css_key(one + '.box')}").scroll_into_view_if_needed()
        assert_nothing_cut(page)
        shot(page, "sheet-entry-filled-768x1024")

        page.get_by_role("button", name=vi("sheet.save")).click()
        wait_idle(page)
        saved = vi("sheet.saved", id=sheet.id, recorded=2, residents=1)
        expect(page.get_by_test_id("stToast").filter(has_text=saved)).to_be_visible()
        expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=saved).last).to_be_in_viewport()
        shot(page, "sheet-entry-768x1024")
        assert sheet_visits(database_url, sheet.id) == sorted(
            [(first.household_id, "done"), (second.household_id, "nobody_home")]
        )
        entered = page.locator(f".{css_key('sheets.f2.h' + str(first.household_id) + '.box')}")
        expect(
            entered.get_by_text(re.compile(re.escape(vi("sheet.row_entered", outcome="", date="")[:8])))
        ).to_be_visible()
        assert_nothing_cut(page)
