"""The overview's Zalo summary in AppTest: a commune leader opens the overview and finds, in the collapsed
expander after the charts, the service's message in a code block (its copy button is Streamlit's), the
character count and the chart's download button; a volunteer looking at the commune gets the report's
refusal instead of a message."""

from __future__ import annotations

from core.i18n import t
from models.db import read_session
from services import overview as svc
from services import summary
from tests import factories as f
from tests.pages.test_overview_page import open_overview, world  # noqa: F401 (the fixture)


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


def test_a_commune_leader_finds_the_message_to_copy(world, sqlite_engine):  # noqa: F811
    at = open_overview(world["users"]["leader"])
    assert not at.exception, at.exception
    expander = next(e for e in at.expander if e.label == vi("sum.title"))
    svc.clear_cache()
    leader = f.actor_for(sqlite_engine, world["users"]["leader"])
    with read_session(sqlite_engine) as s:
        expected = summary.zalo_summary(s, actor=leader, area_id=world["ids"]["A"], period=svc.this_week())
    codes = [c.value for c in expander.code]
    assert codes == [expected.text]
    assert expected.text.startswith("5 biết, 3 hướng dẫn – Xã An, từ ")
    captions = [c.value for c in expander.caption]
    assert vi("sum.chars", n=len(expected.text), max=summary.MAX_CHARS) in captions
    assert at.get("download_button")  # key ov.summary.png


def test_a_volunteer_on_the_commune_is_told_why(world):  # noqa: F811
    at = open_overview(world["users"]["volunteer"])
    assert not at.exception, at.exception
    expander = next(e for e in at.expander if e.label == vi("sum.title"))
    assert not expander.code
    assert vi("report.err.volunteer_area") in [c.value for c in expander.caption]
