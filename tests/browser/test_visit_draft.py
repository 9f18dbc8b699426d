"""A half-filled visit form survives a page reload in Chromium at 768×1024: the reopened household
offers "Tiếp tục lượt ghi nhận chưa lưu" and brings the input back."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from core.i18n import t
from models.db import make_engine, read_session, write_session
from models.tables import Household, User, VisitDraft
from services.access import load_actor
from tests.browser.conftest import DEMO_PASSWORD, DEMO_USERS, wait_idle
from tests.browser.test_signin import sign_in

pytestmark = pytest.mark.browser

NOTE = "Hẹn chiều mai quay lại, bà đi chợ"


def vi(key: str, **params: object) -> str:
    return t(key, "vi", **params)


def volunteer_household(env: dict[str, str]) -> tuple[int, int]:
    """(user id, household id): the demo volunteer and an active household in their villages."""
    engine = make_engine(env["DATABASE_URL"])
    try:
        with read_session(engine) as s:
            user_id = s.exec(select(User.id).where(User.username == DEMO_USERS["volunteer"])).scalar_one()
            actor = load_actor(s, user_id)
            household = (
                s.exec(
                    select(Household.id)
                    .where(Household.village_id.in_(actor.village_ids), Household.status == "active")
                    .order_by(Household.id.desc())
                )
                .scalars()
                .first()
            )
        return user_id, household
    finally:
        engine.dispose()


def drop_drafts(env: dict[str, str], user_id: int) -> None:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with write_session(engine) as s:
            s.execute(delete(VisitDraft).where(VisitDraft.user_id == user_id))
    finally:
        engine.dispose()


def wait_for_draft(env: dict[str, str], user_id: int, timeout: float = 15.0) -> None:
    """Wait until the server has stored the user's draft (the rerun after typing writes it)."""
    engine = make_engine(env["DATABASE_URL"])
    deadline = time.monotonic() + timeout
    try:
        while True:
            with read_session(engine) as s:
                if s.exec(select(VisitDraft.user_id).where(VisitDraft.user_id == user_id)).first():
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"no draft was stored within {timeout:.0f} s")
            time.sleep(0.2)
    finally:
        engine.dispose()


def test_a_reload_offers_the_unsaved_visit(page: Page, demo_app, demo_env, shot):
    user_id, household = volunteer_household(demo_env)
    drop_drafts(demo_env, user_id)
    try:
        page.goto(f"{demo_app}/visit?household={household}")
        wait_idle(page)
        sign_in(page, DEMO_USERS["volunteer"], DEMO_PASSWORD)
        wait_idle(page)
        notes = page.get_by_label(vi("journey.notes"))
        notes.fill(NOTE)
        notes.press("Enter")
        wait_idle(page)
        wait_for_draft(demo_env, user_id)

        page.reload()  # a new session, restored from the remember-me cookie
        wait_idle(page)
        resume = page.get_by_role("button", name=vi("shell.draft_continue"))
        expect(resume).to_be_visible()
        expect(page.get_by_role("button", name=vi("shell.draft_discard"))).to_be_visible()
        expect(page.get_by_label(vi("journey.notes"))).to_have_count(0)
        shot(page, "draft-offer-768x1024")

        resume.click()
        wait_idle(page)
        expect(page.get_by_label(vi("journey.notes"))).to_have_value(NOTE)
        shot(page, "draft-restored-768x1024")
    finally:
        drop_drafts(demo_env, user_id)
