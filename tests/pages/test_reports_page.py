"""The Reports page in AppTest: each role is offered only its own areas (a volunteer: their team's
villages), and the made file downloads the service's report of the chosen area and period."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from core.i18n import t
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/reports.py"


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    for village in (ids["A1"], ids["A2"], ids["B1"]):
        home = f.create_household(e, village_id=village)
        f.create_resident(e, household_id=home, birth_year=1980)
    users = {
        "leader": f.create_user(e, role="leader", area_code="A"),
        "volunteer": f.create_user(e, role="volunteer", area_code="A", team_id=team),
    }
    return {"ids": ids, "users": users}


def open_page(user_id: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["auth.user_id"] = user_id
    at.run()
    at.switch_page(PAGE)
    return at.run()


def test_a_leader_gets_the_report_of_their_commune_as_excel(world):
    at = open_page(world["users"]["leader"])
    assert not at.exception, at.exception
    assert at.title[0].value == t("nav.reports", "vi")
    area = at.selectbox(key="reports.area_id")
    ids = world["ids"]
    assert area.options[0].startswith("Xã An") and len(area.options) == 3  # the commune and its villages
    assert not any("Bình" in o or "Thôn Ba" in o for o in area.options)
    at.button(key="reports.make.xlsx").click().run()
    assert not at.exception, at.exception
    (download,) = [d for d in at.get("download_button")]
    assert download.proto.label.startswith(t("report.download", "vi", name="")[:4])
    assert area.value == ids["A"]


def test_a_volunteer_is_offered_only_their_team_villages(world):
    at = open_page(world["users"]["volunteer"])
    assert not at.exception, at.exception
    assert at.selectbox(key="reports.area_id").options == ["Thôn Một · " + t("level.village", "vi")]
    at.button(key="reports.make.pdf").click().run()
    assert not at.exception, at.exception
    assert not at.error


def test_the_excel_file_is_the_services_report(world, sqlite_engine):
    from models.db import read_session
    from services import overview as ov
    from services import reports

    at = open_page(world["users"]["leader"])
    at.radio(key="reports.kind").set_value("this-week").run()
    at.button(key="reports.make.xlsx").click().run()
    files = at.session_state["reports.files"]
    ((key, data),) = files.items()
    assert key[0] == world["ids"]["A"] and key[2] == "xlsx"
    book = load_workbook(io.BytesIO(data))
    actor = f.actor_for(sqlite_engine, world["users"]["leader"])
    ov.clear_cache()
    with read_session(sqlite_engine) as s:
        report = reports.build_report(
            s, actor=actor, area_id=world["ids"]["A"], period=reports.parse_period("this-week")
        )
    upward = book[t("report.t.upward", "vi")]
    assert [row[1].value for row in upward.iter_rows(min_row=4)] == [v for _c, v in report.upward]
