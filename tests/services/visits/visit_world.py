"""A commune with two teams, their volunteers, coordinators and a household, and helpers to record
visits and read levels and skill events back, for the visit rule tests."""

from types import SimpleNamespace

from sqlalchemy import select

from models.db import read_session, write_session
from models.tables import ResidentSkill, SkillEvent
from services.rollups.recount import compare
from services.visits.record import VisitInput, record_visit
from tests import factories as f


def _world(engine):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    team_b = f.create_team(engine, area_id=ids["B"], village_ids=(ids["B1"],))
    w = dict(ids)
    w["vol"] = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    w["mate"] = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    w["coord"] = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A"))
    w["coord_b"] = f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="B"))
    w["vol_b"] = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="B", team_id=team_b))
    w["leader"] = f.actor_for(engine, f.create_user(engine, role="leader", area_code="A"))
    w["hh"] = f.create_household(engine, village_id=ids["A1"], address="Số 1")
    w["r1"] = f.create_resident(engine, household_id=w["hh"], full_name="Đinh Thị Hoà", birth_year=1960)
    w["r2"] = f.create_resident(engine, household_id=w["hh"], full_name="Đinh Văn Long", birth_year=1988)
    return w


def _input(w, key, *, days_ago=0, outcome="done", residents=(), follow_up_in=None, household=None):
    return VisitInput(
        idempotency_key=key,
        visited_on=f.today_minus(days_ago),
        place="home",
        outcome=outcome,
        household_id=household or w["hh"],
        follow_up_on=None if follow_up_in is None else f.today_minus(-follow_up_in),
        residents=list(residents),
    )


def _record(engine, actor, data):
    with write_session(engine) as s:
        return record_visit(s, actor=actor, data=data)


def _level(engine, resident_id, skill):
    with read_session(engine) as s:
        row = s.get(ResidentSkill, (resident_id, skill))
        return 0 if row is None else row.level


def _events(engine, **where):
    with read_session(engine) as s:
        statement = select(SkillEvent)
        for column, value in where.items():
            statement = statement.where(getattr(SkillEvent, column) == value)
        return [
            SimpleNamespace(**e.model_dump()) for e in s.exec(statement.order_by(SkillEvent.id)).scalars()
        ]


def _assert_exact(engine):
    with read_session(engine) as s:
        assert compare(s) == []
