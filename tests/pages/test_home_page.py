"""The home page in AppTest: every figure's label and caption say what it counts, "visited" means a
visit of any outcome (as in the registry), "done" is its own figure, and the activity figure is named
after the period it counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.clock import today, week_start
from core.i18n import t
from models.db import write_session
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    users = {
        "volunteer": f.create_user(e, role="volunteer", area_code="A", team_id=team),
        "leader": f.create_user(e, role="leader", area_code="A"),
    }
    homes = [f.create_household(e, village_id=ids["A1"]) for _ in range(3)]
    resident = f.create_resident(e, household_id=homes[0])
    volunteer = f.actor_for(e, users["volunteer"])
    visits = [
        VisitInput("a", today(), "home", "done", household_id=homes[0], residents=[ResidentInput(resident)]),
        VisitInput("b", today(), "home", "nobody_home", household_id=homes[1]),
        # Eight days ago counting today: neither this week nor the last 7 days.
        VisitInput("c", today() - timedelta(days=7), "home", "come_back", household_id=homes[1]),
    ]
    with write_session(e) as s:
        for data in visits:
            record_visit(s, actor=volunteer, data=data)
    return users


def open_home(user_id: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["auth.user_id"] = user_id
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_leader_sees_visited_any_outcome_done_apart_and_this_weeks_visits(world):
    at = open_home(world["leader"])
    assert not at.exception, at.exception
    shown = metrics(at)
    # Issue #8: "Hộ đã đến" showed the share of households with a *done* visit (1 of 3).
    assert shown[vi("fig.home.reached")] == "2 (67%)"
    assert shown[vi("fig.home.done")] == "1 (33%)"
    assert shown[vi("home.households")] == "3"
    captions = [c.value for c in at.caption]
    assert vi("fig.home.reached_help", never="1") in captions
    assert vi("fig.home.done_help") in captions
    # Issue #8: "Lượt hướng dẫn 7 ngày qua" counted the visits of the current ISO week.
    assert "Lượt hướng dẫn 7 ngày qua" not in shown
    monday = week_start(today())
    assert shown[vi("fig.home.week_visits")] == "2"  # "c", 7 days ago, is always before this Monday
    period = {"start": monday.strftime("%d/%m"), "end": today().strftime("%d/%m")}
    assert vi("fig.home.week_visits_help", **period) in captions
    assert shown[vi("fig.home.visits_done")] == "1"


def test_volunteer_sees_their_own_visits_of_the_last_seven_days(world):
    at = open_home(world["volunteer"])
    assert not at.exception, at.exception
    shown = metrics(at)
    assert shown[vi("fig.home.my_visits")] == "2"  # "c" was 7 days before today: outside
    period = {"start": (today() - timedelta(days=6)).strftime("%d/%m"), "end": today().strftime("%d/%m")}
    assert vi("fig.home.my_visits_help", **period) in [c.value for c in at.caption]
    assert shown[vi("fig.home.reached")] == "2 (67%)"
