"""Quota progress reads only the owners' own visits: the query plans stay on the owners' indexes."""

from datetime import date

import pytest
from sqlalchemy import func, select

from models.tables import SkillEvent, VisitGuidance
from services import quota_progress as qp

START, END = date(2026, 1, 1), date(2026, 3, 31)


def _plan(engine, statement) -> str:
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        return "\n".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


# sqlite_stat1 rows of a province (600k visits over 200 days, 2 members a visit, 5 members a team), so
# the planner weighs the indexes as it would there, not as in an empty file.
PROVINCE_STATS = [
    ("visit", "ix_visit_visited_on", "600000 3000"),
    ("visit", "ix_visit_village_day", "600000 330 2"),
    ("visit", "ix_visit_team_id", "600000 300"),
    ("visit", "ix_visit_household_id", "600000 3"),
    ("visit_member", "ix_visit_member_member_id", "1200000 120"),
    ("visit_member", "sqlite_autoindex_visit_member_1", "1200000 2 1"),
    ("member", "ix_member_team_id", "10000 5"),
    ("visit_guidance", "sqlite_autoindex_visit_guidance_1", "900000 2 1 1"),
    ("skill_event", "ix_skill_event_visit_id", "3000000 5"),
]


def _province_statistics(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("DELETE FROM sqlite_stat1")
        for table, index, stat in PROVINCE_STATS:
            conn.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", (table, index, stat))
    engine.dispose()  # statistics are read when a connection loads the schema


def _statements(visits):
    return [
        select(visits.c.owner, func.count(func.distinct(visits.c.household_id))).group_by(visits.c.owner),
        select(visits.c.owner, func.count(func.distinct(VisitGuidance.resident_id)))
        .join(VisitGuidance, VisitGuidance.visit_id == visits.c.visit_id)
        .group_by(visits.c.owner),
        select(visits.c.owner, SkillEvent.id).join(SkillEvent, SkillEvent.visit_id == visits.c.visit_id),
    ]


@pytest.mark.parametrize(
    ("owners", "index"),
    [
        (qp.member_visits, "ix_visit_member_member_id"),
        (qp.team_visits, "ix_member_team_id"),
        (qp.village_visits, "ix_visit_village_day"),
    ],
)
def test_progress_queries_start_from_the_owners_visits(sqlite_engine, owners, index):
    """Never every visit of the period (index on visited_on): that is most of a province's visits."""
    _province_statistics(sqlite_engine)
    # A province-wide campaign: quotas for a few hundred owners. SQLite (no STAT4) guesses that a date
    # range keeps 1/64 of the visits, while a campaign's period holds nearly all of them.
    for statement in _statements(owners(list(range(1, 301)), START, END)):
        plan = _plan(sqlite_engine, statement)
        assert index in plan, plan
        assert "ix_visit_visited_on" not in plan, plan
        assert "SCAN visit\n" not in plan + "\n", plan
