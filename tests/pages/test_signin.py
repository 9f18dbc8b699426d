"""The sign-in form (issue #12): it checks the password with no write transaction open, tells a client that
failed too often to wait, and finds the client's address behind nginx without trusting what anyone sends."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from services import auth
from tests import factories as f
from webui import guard, state

TIMEOUT = 30
APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Every AppTest session has the same id: the process-wide throttle must start empty."""
    auth.THROTTLE.clear()
    yield
    auth.THROTTLE.clear()


@pytest.fixture
def officer(sqlite_engine):
    f.create_tree(sqlite_engine)
    return f.create_user(sqlite_engine, role="coordinator", area_code="A", username="canbo")


def submit(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def test_the_form_checks_the_password_while_other_tablets_can_still_write(
    sqlite_engine, officer, monkeypatch
):
    """Item 9: the form held the SQLite write lock through argon2; a visit saved meanwhile had to wait."""
    started, release = threading.Event(), threading.Event()
    real = auth._verify

    def verify(password_hash: str, password: str) -> bool:
        started.set()
        assert release.wait(30)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "_verify", verify)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input(key="login_username").input("canbo")
    at.text_input(key="login_password").input(f.PASSWORD)
    with ThreadPoolExecutor(1) as pool:
        run = pool.submit(lambda: at.button[0].click().run())
        try:
            assert started.wait(20), "the sign-in never reached the password check"
            con = sqlite3.connect(sqlite_engine.url.database, timeout=1.0, isolation_level=None)
            begun = time.perf_counter()
            try:
                con.execute("BEGIN IMMEDIATE")
                con.execute("UPDATE area SET name = name WHERE id = (SELECT min(id) FROM area)")
                con.execute("COMMIT")
            finally:
                con.close()
            waited = time.perf_counter() - begun
        finally:
            release.set()
        run.result(60)
    assert waited < 0.5, f"the write lock was held for {waited:.2f} s during the password check"
    assert not at.exception, at.exception
    assert at.session_state[state.USER_ID] == officer


def test_a_client_that_failed_four_times_on_one_name_is_told_to_wait_and_the_owner_is_not(
    sqlite_engine, officer, monkeypatch
):
    """Item 12: a guessing client cannot lock the officer out; it must wait before the account counts."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    for _ in range(4):
        submit(at, "canbo", "bad-password!")
        assert [e.value for e in at.error] == [t("login.failed", "vi")]
    submit(at, "canbo", f.PASSWORD)
    assert [e.value for e in at.error] == [t("auth.too_many", "vi", minutes=15)]
    assert state.USER_ID not in at.session_state

    monkeypatch.setattr(guard, "client_source", lambda: "ip:198.51.100.20")  # the officer's own tablet
    owner = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    submit(owner, "canbo", f.PASSWORD)
    assert not owner.exception, owner.exception
    assert owner.session_state[state.USER_ID] == officer


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # nginx on this host: loopback peer (None); the last entry is the one nginx appended.
        (None, "6.6.6.6, 203.0.113.7", "ip:203.0.113.7"),
        # nginx on another machine of the private network.
        ("10.0.0.5", "203.0.113.7", "ip:203.0.113.7"),
        # Reached directly from outside: a forwarding header is the client's own claim, ignored.
        ("113.160.1.9", "1.1.1.1", "ip:113.160.1.9"),
        # A tablet on the commune's network, no proxy.
        ("192.168.1.20", None, "ip:192.168.1.20"),
        # Nothing known (local development): the browser session.
        (None, None, "session:none"),
    ],
)
def test_the_client_source_behind_a_proxy(monkeypatch, peer, forwarded, expected):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    values = {"ip_address": peer, "headers": headers}
    monkeypatch.setattr(guard, "_context_value", values.get)
    monkeypatch.setattr(guard, "get_script_run_ctx", lambda: None)
    assert guard.client_source() == expected
