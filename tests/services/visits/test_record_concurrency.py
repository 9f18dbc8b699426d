"""Tablets submitting at the same moment: identical submits make one visit; rollups stay exact."""

import threading

from sqlalchemy import func, select

from models.db import read_session, write_session
from models.tables import SkillEvent, Visit
from services.rollups.recount import compare
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f

THREADS = 8


def _world(engine):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    actor = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team))
    hh = f.create_household(engine, village_id=ids["A1"])
    residents = [f.create_resident(engine, household_id=hh, full_name=f"Hồ Văn Tư {i}") for i in range(3)]
    return actor, hh, residents


def _run_at_once(engine, actor, inputs):
    """Each thread opens its own write session and records its input; all start together."""
    barrier = threading.Barrier(len(inputs))
    results: list[object] = [None] * len(inputs)

    def work(i):
        barrier.wait()
        try:
            with write_session(engine) as s:
                results[i] = record_visit(s, actor=actor, data=inputs[i])
        except Exception as exc:  # reported below, with the thread's index
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    return results


def _same_form(hh, residents, key="same-form"):
    return VisitInput(
        idempotency_key=key,
        visited_on=f.today_minus(0),
        place="home",
        outcome="done",
        household_id=hh,
        residents=[
            ResidentInput(r, guidance={"guide_submit", "guide_apps"}, levels={"submit": 2, "apps": 3})
            for r in residents
        ],
    )


def test_identical_submits_at_once_make_one_visit(engine):
    actor, hh, residents = _world(engine)
    ids = _run_at_once(engine, actor, [_same_form(hh, residents) for _ in range(THREADS)])
    assert len(set(ids)) == 1
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Visit)).scalar_one() == 1
        assert s.exec(select(func.count()).select_from(SkillEvent)).scalar_one() == 2 * len(residents)
        assert compare(s) == []


def test_different_visits_about_the_same_residents_at_once_keep_rollups_exact(engine):
    actor, hh, residents = _world(engine)
    inputs = []
    for i in range(THREADS):
        form = _same_form(hh, residents, key=f"form-{i}")
        for item in form.residents:
            item.levels = {"submit": 1 + i % 3, "pay": 3 - i % 3}
            item.reasons = {"submit": "reassessed", "pay": "reassessed"}
        inputs.append(form)
    ids = _run_at_once(engine, actor, inputs)
    assert len(set(ids)) == THREADS
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(Visit)).scalar_one() == THREADS
        assert compare(s) == []
