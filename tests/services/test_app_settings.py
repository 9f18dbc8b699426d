"""The public address set in the app: validation, round trip, fallback to APP_BASE_URL, who may set it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models.db import read_session, write_session
from models.tables import AppSetting, AuditLog
from services import app_settings
from services.errors import PermissionDenied, ValidationFailed
from tests import factories as f


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://5b3h.xa-an.gov.vn", None),
        ("http://192.168.1.20:8501", None),  # a commune's own network is fine
        ("https://tinh.example.vn/5b3h", None),
        ("", "err.public_url_format"),
        ("5b3h.xa-an.gov.vn", "err.public_url_format"),
        ("ftp://5b3h.xa-an.gov.vn", "err.public_url_format"),
        ("https://", "err.public_url_format"),
        ("https://5b3h.xa an.gov.vn", "err.public_url_format"),
        ("https://user:secret@5b3h.xa-an.gov.vn", "err.public_url_format"),
        ("https://5b3h.xa-an.gov.vn/?x=1", "err.public_url_format"),
        ("https://5b3h.xa-an.gov.vn:port", "err.public_url_format"),
        ("https://" + "a" * 200 + ".vn", "err.public_url_long"),
        ("http://127.0.0.1:8501", "err.public_url_loopback_field"),
        ("http://127.1.2.3", "err.public_url_loopback_field"),
        ("http://LOCALHOST:8501", "err.public_url_loopback_field"),
        ("http://app.localhost", "err.public_url_loopback_field"),
        ("http://[::1]:8501", "err.public_url_loopback_field"),
        ("http://0.0.0.0:8501", "err.public_url_loopback_field"),
    ],
)
def test_url_problem(url, problem):
    assert app_settings.url_problem(url) == problem


@pytest.fixture
def admins(engine):
    f.create_tree(engine)
    return {
        "top": f.actor_for(engine, f.create_user(engine, role="admin", area_code="P")),
        "commune": f.actor_for(engine, f.create_user(engine, role="admin", area_code="A")),
        "coordinator": f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="P")),
    }


def stored(engine) -> list[tuple[str, str]]:
    with read_session(engine) as s:
        return [tuple(r) for r in s.exec(select(AppSetting.key, AppSetting.value)).all()]


def address(engine) -> app_settings.PublicAddress:
    with read_session(engine) as s:
        return app_settings.public_address(s)


def test_set_clear_and_fall_back(engine, admins, monkeypatch):
    monkeypatch.delenv("APP_BASE_URL", raising=False)
    assert address(engine) == app_settings.PublicAddress(
        "http://127.0.0.1:8501", "default", "err.public_url_unset"
    )
    with write_session(engine) as s:
        saved = app_settings.set_public_base_url(s, actor=admins["top"], url="  https://5b3h.xa-an.gov.vn/ ")
    assert saved == "https://5b3h.xa-an.gov.vn"
    assert stored(engine) == [("public_base_url", "https://5b3h.xa-an.gov.vn")]
    assert address(engine) == app_settings.PublicAddress("https://5b3h.xa-an.gov.vn", "setting", None)
    with read_session(engine) as s:
        assert app_settings.require_public_base_url(s) == "https://5b3h.xa-an.gov.vn"
        details = s.exec(select(AuditLog.details).where(AuditLog.action == "setting.changed")).scalar_one()
    assert json.loads(details) == {"from": "", "to": "https://5b3h.xa-an.gov.vn"}

    monkeypatch.setenv("APP_BASE_URL", "https://env.example.vn/")
    with write_session(engine) as s:  # empty: back to the server's APP_BASE_URL
        assert app_settings.set_public_base_url(s, actor=admins["top"], url="") == ""
    assert stored(engine) == []
    assert address(engine) == app_settings.PublicAddress("https://env.example.vn", "environment", None)


def test_bad_addresses_are_refused_and_nothing_is_stored(engine, admins):
    for url in ("http://localhost:8501", "5b3h.xa-an.gov.vn"):
        with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
            app_settings.set_public_base_url(s, actor=admins["top"], url=url)
        assert [p.field for p in err.value.problems] == ["public_base_url"]
    assert stored(engine) == []


@pytest.mark.parametrize("who", ["commune", "coordinator"])
def test_only_an_admin_of_the_top_area_sets_it(engine, admins, who):
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        app_settings.set_public_base_url(s, actor=admins[who], url="https://5b3h.xa-an.gov.vn")
    assert stored(engine) == []
    assert not app_settings.may_change_settings(admins[who])
    assert app_settings.may_change_settings(admins["top"])
