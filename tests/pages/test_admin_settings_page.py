"""The settings page in AppTest: an admin sets the public address (checked next to the field), the
household cards printed afterwards carry it in their QR codes; only a top-level admin may change it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from models.db import read_session
from models.tables import AppSetting
from tests import factories as f
from tests.pages.test_leaflets_page import downloads  # noqa: F401 - a fixture
from tests.pages.test_leaflets_page import page as leaflets_page
from tests.services.printing.test_pdf import A4, page_sizes, qr_codes

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/admin_settings.py"
URL_KEY = "admin_settings.public_url"


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


def open_page(user_id: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = user_id
    return at.switch_page(PAGE).run()


def stored(engine) -> list[str]:
    with read_session(engine) as s:
        return list(s.exec(select(AppSetting.value).where(AppSetting.key == "public_base_url")).scalars())


@pytest.fixture
def world(sqlite_engine, monkeypatch):
    monkeypatch.delenv("APP_BASE_URL", raising=False)
    ids = f.create_tree(sqlite_engine)
    hh = f.create_household(sqlite_engine, village_id=ids["A1"], code="A1-001")
    f.create_resident(sqlite_engine, household_id=hh, full_name="Ksor H'Lan")
    return {
        "engine": sqlite_engine,
        "household": hh,
        "village": ids["A1"],
        "top": f.create_user(sqlite_engine, role="admin", area_code="P"),
        "commune": f.create_user(sqlite_engine, role="admin", area_code="A"),
        "coordinator": f.create_user(sqlite_engine, role="coordinator", area_code="A"),
    }


def test_admin_sets_the_public_address_and_cards_print_it(world, downloads):  # noqa: F811
    engine = world["engine"]
    at = open_page(world["top"])
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [vi("err.public_url_unset")]

    at.text_input(key=URL_KEY).input("http://localhost:8501")
    next(b for b in at.button if b.label == vi("settings.save")).click().run()
    assert [e.value for e in at.error] == [vi("err.public_url_loopback_field")]
    assert at.text_input(key=URL_KEY).value == "http://localhost:8501"  # the input is kept
    assert stored(engine) == []

    at.text_input(key=URL_KEY).input("https://5b3h.xa-an.example.vn/")
    next(b for b in at.button if b.label == vi("settings.save")).click().run()
    assert not at.exception and not at.error
    assert vi("settings.saved", url="https://5b3h.xa-an.example.vn") in [s.value for s in at.success]
    assert stored(engine) == ["https://5b3h.xa-an.example.vn"]
    assert at.text_input(key=URL_KEY).value == "https://5b3h.xa-an.example.vn"
    current = vi(
        "settings.current", url="https://5b3h.xa-an.example.vn", source=vi("settings.source.setting")
    )
    assert current in [s.value for s in at.success]
    assert not at.warning

    cards = leaflets_page(world["coordinator"]).run()
    assert not cards.warning
    cards.selectbox(key="leaflets.village").set_value(world["village"]).run()
    next(b for b in cards.button if b.label == vi("leaflets.make_cards")).click().run()
    assert not cards.exception, cards.exception
    assert page_sizes(downloads[-1]) == [A4]
    assert qr_codes(downloads[-1]) == [
        [f"https://5b3h.xa-an.example.vn/visit?household={world['household']}"]
    ]


def test_saving_it_empty_falls_back_to_the_environment(world, monkeypatch):
    at = open_page(world["top"])
    at.text_input(key=URL_KEY).input("https://5b3h.xa-an.example.vn")
    next(b for b in at.button if b.label == vi("settings.save")).click().run()
    monkeypatch.setenv("APP_BASE_URL", "https://from-env.example.vn")
    at.text_input(key=URL_KEY).input("")
    next(b for b in at.button if b.label == vi("settings.save")).click().run()
    assert stored(world["engine"]) == []
    assert vi("settings.cleared") in [s.value for s in at.success]
    source = vi("settings.source.environment")
    assert vi("settings.current", url="https://from-env.example.vn", source=source) in [
        s.value for s in at.success
    ]


def test_a_commune_admin_sees_the_address_but_cannot_change_it(world):
    at = open_page(world["commune"])
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [vi("settings.only_top_admin")]
    assert not [w for w in at.text_input if w.key == URL_KEY]


def test_other_roles_are_refused(world):
    at = AppTest.from_file(str(Path(APP).parent / PAGE), default_timeout=30)
    at.session_state["auth.user_id"] = world["coordinator"]
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.main.error] == [vi("login.forbidden_page")]
    assert not [w for w in at.text_input if w.key == URL_KEY]
