"""The app shell in AppTest: the menu in a top-bar popover (never the sidebar), the language remembered
per user across sessions."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import read_session
from models.tables import User
from tests import factories as f
from webui import state
from webui.guard import LANG_SWITCH
from webui.registry import pages_for

TIMEOUT = 30
APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture
def users(sqlite_engine):
    ids = f.create_tree(sqlite_engine)
    team = f.create_team(sqlite_engine, area_id=ids["A"], village_ids=(ids["A1"],))
    return {
        role: f.create_user(
            sqlite_engine,
            role=role,
            area_code="A",
            username=f"shell_{role}",
            team_id=team if role == "volunteer" else None,
        )
        for role in ("volunteer", "coordinator", "leader", "admin")
    }


def session_of(user_id: int) -> AppTest:
    """A new browser session of a signed-in user (as after a reload restored from the cookie)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at.run()


def stored_language(engine, user_id: int) -> str | None:
    with read_session(engine) as s:
        return s.get(User, user_id).language


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "leader", "admin"])
def test_the_menu_is_a_top_bar_popover_with_only_the_roles_pages(users, role):
    at = session_of(users[role])
    assert not at.exception, at.exception
    assert len(at.sidebar.children) == 0, "nothing may open a sidebar that narrows the page"
    top = at.main.get_by_key("shell_top")
    links = [link.label for link in top.page_link]
    assert links == [t(spec.title_key, "vi") for spec in pages_for(role)]
    assert [b.key for b in top.button] == ["sign_out"]


def test_english_is_remembered_for_the_user_in_a_new_session(sqlite_engine, users):
    uid = users["volunteer"]
    at = session_of(uid)
    assert at.button(key="sign_out").label == t("nav.signout", "vi")
    at.segmented_control(key=LANG_SWITCH).set_value("en").run()
    assert not at.exception, at.exception
    assert at.button(key="sign_out").label == t("nav.signout", "en")
    assert stored_language(sqlite_engine, uid) == "en"

    again = session_of(uid)  # a reload: a new session restored from the remember-me cookie
    assert not again.exception, again.exception
    assert again.button(key="sign_out").label == t("nav.signout", "en")
    assert again.segmented_control(key=LANG_SWITCH).value == "en"
    assert again.session_state[state.LANG] == "en"

    other = session_of(users["coordinator"])  # someone else on the next tablet keeps Vietnamese
    assert other.button(key="sign_out").label == t("nav.signout", "vi")

    again.segmented_control(key=LANG_SWITCH).set_value("vi").run()
    assert stored_language(sqlite_engine, uid) == "vi"
    assert session_of(uid).button(key="sign_out").label == t("nav.signout", "vi")


def test_a_language_chosen_on_the_sign_in_page_becomes_the_users_choice(sqlite_engine, users):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.segmented_control(key=LANG_SWITCH).set_value("en").run()
    assert at.text_input(key="login_username").label == t("login.username", "en")
    at.text_input(key="login_username").input("shell_leader")
    at.text_input(key="login_password").input(f.PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.button(key="sign_out").label == t("nav.signout", "en")
    assert stored_language(sqlite_engine, users["leader"]) == "en"


def test_signing_in_applies_the_stored_language_when_none_was_chosen(sqlite_engine, users):
    session_of(users["admin"]).segmented_control(key=LANG_SWITCH).set_value("en").run()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input(key="login_username").input("shell_admin")
    at.text_input(key="login_password").input(f.PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.button(key="sign_out").label == t("nav.signout", "en")


def test_another_roles_page_shows_the_apps_refusal_not_page_not_found(users):
    at = session_of(users["volunteer"])
    at.switch_page("pages/admin_users.py").run()  # registered for everyone; its guard refuses
    assert not at.exception, at.exception
    assert [e.value for e in at.main.error] == [t("login.forbidden_page", "vi")]
    assert [link.label for link in at.main.page_link if link.label == t("shell.back_home", "vi")]
