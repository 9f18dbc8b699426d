"""Recording a visit writes guidance, skills, derived state and rollups that match a recount."""

from models.db import read_session, write_session
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f


def test_record_visit_keeps_rollups_exact(engine):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    uid = f.create_user(engine, role="volunteer", area_code="A", team_id=team)
    hh = f.create_household(engine, village_id=ids["A1"])
    r1 = f.create_resident(engine, household_id=hh, full_name="Bùi Thị Thuỷ")
    actor = f.actor_for(engine, uid)
    data = VisitInput(
        idempotency_key="k1",
        visited_on=f.today_minus(0),
        place="home",
        outcome="done",
        household_id=hh,
        residents=[
            ResidentInput(
                r1,
                guidance={"guide_submit"},
                levels={"submit": 3, "pay": 1},
                evidence={"submit": "H17.99-241122-0001"},
            )
        ],
    )
    with write_session(engine) as s:
        vid = record_visit(s, actor=actor, data=data)
    with write_session(engine) as s:
        assert record_visit(s, actor=actor, data=data) == vid
    with read_session(engine) as s:
        assert compare(s) == []
