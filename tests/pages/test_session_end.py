"""An open tablet session ends when the password is changed or reset elsewhere, or the user deactivated."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import t
from models.db import write_session
from services import auth
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def _signed_in_through_the_form(username: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(f.PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert t("home.households", "vi") in [m.label for m in at.metric]  # signed in, on the home page
    return at


def _signed_out(at: AppTest) -> bool:
    labels = [w.label for w in at.text_input]
    return t("login.password", "vi") in labels and not at.metric


@pytest.mark.parametrize("how", ["reset", "changed_elsewhere", "deactivated"])
def test_an_open_session_ends(sqlite_engine, how):
    ids = f.create_tree(sqlite_engine)
    uid = f.create_user(sqlite_engine, role="coordinator", area_code="A", username="dieuphoi")
    admin = f.actor_for(sqlite_engine, f.create_user(sqlite_engine, role="admin", area_code="P"))
    at = _signed_in_through_the_form("dieuphoi")
    at.run()
    assert not _signed_out(at)
    with write_session(sqlite_engine) as s:
        if how == "reset":
            auth.reset_password(s, actor=admin, user_id=uid, new_password="brand-new-password")
        elif how == "changed_elsewhere":
            actor = f.actor_for(sqlite_engine, uid)
            auth.change_own_password(s, actor=actor, current=f.PASSWORD, new="brand-new-password")
        else:
            auth.set_active(s, actor=admin, user_id=uid, active=False)
    at.run()
    assert not at.exception
    assert _signed_out(at)
    assert ids  # the tree exists: the sign-out is not for lack of data


def test_changing_my_own_password_keeps_this_tablet_signed_in(sqlite_engine):
    f.create_tree(sqlite_engine)
    f.create_user(sqlite_engine, role="coordinator", area_code="A", username="dieuphoi")
    at = _signed_in_through_the_form("dieuphoi")
    at.switch_page("pages/account.py").run()
    at.text_input(key="acc_current").input(f.PASSWORD)
    at.text_input(key="acc_new").input("brand-new-password")
    at.text_input(key="acc_repeat").input("brand-new-password")
    at.button(key="FormSubmitter:change_password-" + t("account.save", "vi")).click().run()
    assert not at.exception
    assert t("account.changed", "vi") in [s.value for s in at.success]
    at.switch_page("pages/home.py").run()
    assert not _signed_out(at)
