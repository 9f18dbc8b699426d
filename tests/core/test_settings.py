"""Settings from the environment: defaults, each variable parsed, a bad value refused naming the variable;
the app and manage.py stop with that message instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import DEFAULT_BASE_URL, PROJECT_ROOT, VARIABLES, SettingsError, get_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_the_variables_read():
    assert set(VARIABLES) == {
        "DATABASE_URL",
        "DATA_DIR",
        "AUTO_SEED_DEMO",
        "IDLE_MINUTES",
        "TOKEN_HOURS",
        "APP_BASE_URL",
    }


def test_defaults():
    settings = get_settings()
    assert settings.data_dir == PROJECT_ROOT / "data"
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'data' / '5b3h.sqlite'}"
    assert settings.auto_seed_demo is True
    assert (settings.idle_minutes, settings.token_hours) == (30, 12)
    assert settings.app_base_url == DEFAULT_BASE_URL == "http://127.0.0.1:8501"
    assert settings.app_base_url_is_set is False
    # The sign-in policy is fixed, not read from the environment.
    assert (settings.lockout_attempts, settings.lockout_minutes, settings.min_password_length) == (5, 15, 10)


@pytest.mark.parametrize(
    "name", ["DATABASE_URL", "DATA_DIR", "AUTO_SEED_DEMO", "IDLE_MINUTES", "TOKEN_HOURS"]
)
@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_variable_takes_the_default(monkeypatch, name, blank):
    monkeypatch.setenv(name, blank)
    settings = get_settings()
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'data' / '5b3h.sqlite'}"
    assert (settings.auto_seed_demo, settings.idle_minutes, settings.token_hours) == (True, 30, 12)


def test_database_url_and_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert get_settings().data_dir == tmp_path
    assert get_settings().database_url == f"sqlite:///{tmp_path / '5b3h.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", "  postgresql://u@db.example:5432/fiveb3h \n")
    assert get_settings().database_url == "postgresql://u@db.example:5432/fiveb3h"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" ON ", True), ("0", False), ("false", False),
     ("no", False), ("Off", False)],
)  # fmt: skip
def test_auto_seed_demo(monkeypatch, value, expected):
    monkeypatch.setenv("AUTO_SEED_DEMO", value)
    assert get_settings().auto_seed_demo is expected


def test_idle_minutes_and_token_hours(monkeypatch):
    monkeypatch.setenv("IDLE_MINUTES", " 45 ")
    monkeypatch.setenv("TOKEN_HOURS", "24")
    settings = get_settings()
    assert (settings.idle_minutes, settings.token_hours) == (45, 24)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://5b3h.xa-an.gov.vn", "https://5b3h.xa-an.gov.vn"),
        ("https://5b3h.xa-an.gov.vn/app/", "https://5b3h.xa-an.gov.vn/app"),
        (" http://127.0.0.1:8501// ", "http://127.0.0.1:8501"),
        ("5b3h.xa-an.vn", "5b3h.xa-an.vn"),  # not refused here: the printing services refuse it in words
    ],
)
def test_app_base_url(monkeypatch, value, expected):
    monkeypatch.setenv("APP_BASE_URL", value)
    assert get_settings().app_base_url == expected
    assert get_settings().app_base_url_is_set is True


def test_the_environment_is_read_at_each_call(monkeypatch):
    monkeypatch.setenv("IDLE_MINUTES", "5")
    assert get_settings().idle_minutes == 5
    monkeypatch.setenv("IDLE_MINUTES", "6")
    assert get_settings().idle_minutes == 6
    monkeypatch.delenv("IDLE_MINUTES")
    assert get_settings().idle_minutes == 30


def test_settings_are_frozen():
    with pytest.raises(ValidationError):
        get_settings().idle_minutes = 1  # type: ignore[misc]


BAD_VALUES = [
    ("IDLE_MINUTES", "abc", "IDLE_MINUTES must be a whole number of minutes (1 or more), got 'abc'"),
    ("IDLE_MINUTES", "0", "IDLE_MINUTES must be a whole number of minutes (1 or more), got '0'"),
    ("IDLE_MINUTES", "-5", "IDLE_MINUTES must be a whole number of minutes (1 or more), got '-5'"),
    ("IDLE_MINUTES", "7.5", "IDLE_MINUTES must be a whole number of minutes (1 or more), got '7.5'"),
    ("TOKEN_HOURS", "12h", "TOKEN_HOURS must be a whole number of hours (1 or more), got '12h'"),
    ("TOKEN_HOURS", "٣", "TOKEN_HOURS must be a whole number of hours (1 or more), got '٣'"),
    (
        "AUTO_SEED_DEMO",
        "maybe",
        "AUTO_SEED_DEMO must be 1 or 0 (also true/false, yes/no, on/off), got 'maybe'",
    ),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES)
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        get_settings()
    assert str(err.value) == message


def test_every_bad_value_is_named(monkeypatch):
    monkeypatch.setenv("IDLE_MINUTES", "abc")
    monkeypatch.setenv("TOKEN_HOURS", "0")
    with pytest.raises(SettingsError) as err:
        get_settings()
    assert "IDLE_MINUTES must be" in str(err.value) and "TOKEN_HOURS must be" in str(err.value)


def test_manage_py_stops_with_the_message_and_exit_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update(IDLE_MINUTES="abc", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}")
    done = subprocess.run(
        [sys.executable, "manage.py", "init-db"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr == "lỗi: IDLE_MINUTES must be a whole number of minutes (1 or more), got 'abc'\n"
    assert not Path(tmp_path / "x.sqlite").exists()  # stopped before touching the database


def test_the_app_stops_with_the_message(monkeypatch):
    monkeypatch.setenv("TOKEN_HOURS", "twelve")
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    detail = "TOKEN_HOURS must be a whole number of hours (1 or more), got 'twelve'"
    assert [e.value for e in at.error] == [t("shell.settings_error", "vi", detail=detail)]
    assert not at.text_input  # stopped before the sign-in form
