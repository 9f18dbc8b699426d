"""Rollups stay equal to a full recount whatever sequence of writes happens (property-based), with
counts at every level of the area tree."""

import itertools
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from models.db import make_engine, read_session, write_session
from models.enums import GUIDANCE_KINDS, SKILLS
from models.tables import Resident, RollupArea, RollupSkill
from services.areas import move_area
from services.rollups import recount as rollups
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f

_files = itertools.count()


guidance = st.sets(st.sampled_from([g.value for g in GUIDANCE_KINDS]), max_size=3)


levels = st.dictionaries(st.sampled_from([s.value for s in SKILLS]), st.integers(0, 3), max_size=5)


barriers = st.fixed_dictionaries(
    {},
    optional={
        "has_smartphone": st.booleans(),
        "phone_own_name": st.booleans(),
        "vneid_level": st.sampled_from([0, 1, 2]),
        "has_payment_account": st.booleans(),
        "digital_course_done": st.booleans(),
    },
)


visit_op = st.tuples(
    st.just("visit"),
    st.integers(0, 5),  # household index
    st.sampled_from(["done", "done", "nobody_home", "come_back"]),
    st.lists(
        st.tuples(st.integers(0, 3), guidance, levels, barriers, st.one_of(st.none(), st.integers(1, 5))),
        max_size=3,
    ),
    st.integers(0, 20),  # days ago
    st.booleans(),  # session instead of a home visit
)


household_op = st.tuples(st.just("household"), st.sampled_from(["A1", "A2", "B1"]))


resident_op = st.tuples(st.just("resident"), st.integers(0, 5), st.booleans())


move_op = st.tuples(st.just("move"), st.sampled_from(["A2", "B1"]))


operations = st.lists(st.one_of(visit_op, household_op, resident_op, move_op), min_size=1, max_size=12)


def _fresh_engine(template, tmp_path_factory):
    path = tmp_path_factory.mktemp("hyp") / f"db{next(_files)}.sqlite"
    shutil.copy(template, path)
    return make_engine(f"sqlite:///{path}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_writes_keep_rollups_equal_to_a_recount(ops, sqlite_template, tmp_path_factory):
    engine = _fresh_engine(sqlite_template, tmp_path_factory)
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["P"], village_ids=(ids["A1"], ids["A2"], ids["B1"]))
    uid = f.create_user(engine, role="coordinator", area_code="P", team_id=team, password="long-password-1")
    actor = f.actor_for(engine, uid)
    households = [f.create_household(engine, village_id=ids["A1"])]
    residents: dict[int, list[int]] = {households[0]: [f.create_resident(engine, household_id=households[0])]}
    keys = itertools.count()
    for op in ops:
        if op[0] == "household":
            hh = f.create_household(engine, village_id=ids[op[1]])
            households.append(hh)
            residents[hh] = []
        elif op[0] == "resident":
            hh = households[op[1] % len(households)]
            residents[hh].append(
                f.create_resident(engine, household_id=hh, has_smartphone=op[2], birth_year=1950 + op[1])
            )
        elif op[0] == "move":
            with write_session(engine) as s:
                target = "B" if op[1] == "A2" else "A"
                move_area(s, actor=None, area_id=ids[op[1]], new_parent_code=target)
        else:
            _, h_index, outcome, people, days_ago, as_session = op
            hh = households[h_index % len(households)]
            members = residents[hh]
            chosen = {}
            for r_index, g, lv, b, rating in people:
                if members:
                    rid = members[r_index % len(members)]
                    guided = set(g) if outcome == "done" else set()
                    chosen[rid] = ResidentInput(
                        rid,
                        guidance=guided,
                        levels=lv if outcome == "done" else {},
                        reasons=dict.fromkeys(lv, "re-checked"),
                        barriers=b,
                        satisfaction=rating if guided else None,
                    )
            data = VisitInput(
                idempotency_key=f"k{next(keys)}",
                visited_on=f.today_minus(days_ago),
                place="community" if as_session else "home",
                outcome=outcome,
                household_id=None if as_session else hh,
                session_area_id=ids["A"] if as_session else None,
                residents=list(chosen.values()),
            )
            with write_session(engine) as s:
                record_visit(s, actor=actor, data=data)
    with read_session(engine) as s:
        assert rollups.compare(s) == []
    engine.dispose()


def test_counts_exist_at_every_level_of_the_tree(engine):
    ids = f.create_tree(engine)
    for village in ("A1", "A2", "B1"):
        hh = f.create_household(engine, village_id=ids[village])
        f.create_resident(engine, household_id=hh)
    with read_session(engine) as s:
        by_area = {r.area_id: r.residents for r in s.exec(select(RollupArea)).scalars()}
        level0 = s.exec(
            select(RollupSkill.residents).where(
                RollupSkill.area_id == ids["P"], RollupSkill.skill == "submit", RollupSkill.level == 0
            )
        ).scalar()
        assert s.exec(select(Resident)).scalars().all()
    assert by_area[ids["P"]] == 3 and by_area[ids["A"]] == 2 and by_area[ids["B"]] == 1
    assert by_area[ids["A1"]] == by_area[ids["A2"]] == by_area[ids["B1"]] == 1
    assert level0 == 3
