"""Online dossiers split toàn trình / một phần (issue #11, the figures a commune sends upward): the kind
is recorded beside the dossier code, rolled up per area/week and member/day, exact against a recount,
kept through corrections and withdrawals, and split in the report's upward figures."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.clock import today, week_start
from models.db import read_session, write_session
from models.tables import RollupAreaWeek, SkillEvent
from services import overview as ov
from services import reports
from services.errors import ValidationFailed
from services.visits.corrections import correct_visit, withdraw_visit
from services.visits.queries import visit_draft
from services.visits.record import ResidentInput
from tests import factories as f
from tests.services.visits.visit_world import _assert_exact, _input, _record, _world


def _dossier(resident_id, code, kind):
    return ResidentInput(
        resident_id,
        guidance={"guide_submit"},
        levels={"submit": 2},
        evidence={"submit": code},
        dossier_kind=kind,
    )


def _week_row(engine, area_id):
    with read_session(engine) as s:
        row = s.get(RollupAreaWeek, (area_id, week_start(today())))
        return (row.dossiers, row.dossiers_full, row.dossiers_partial) if row else (0, 0, 0)


def test_the_kind_is_stored_rolled_up_and_split_upward(engine):
    w = _world(engine)
    hh2 = f.create_household(engine, village_id=w["A1"])
    r3 = f.create_resident(engine, household_id=hh2, full_name="Tạ Thị Yến")
    _record(
        engine,
        w["vol"],
        _input(
            w, "d1", residents=[_dossier(w["r1"], "H1-01", "full"), _dossier(w["r2"], "H1-02", "partial")]
        ),
    )
    _record(engine, w["vol"], _input(w, "d2", household=hh2, residents=[_dossier(r3, "H1-03", None)]))
    with read_session(engine) as s:
        kinds = dict(s.exec(select(SkillEvent.evidence, SkillEvent.dossier_kind)).all())
    assert kinds == {"H1-01": "full", "H1-02": "partial", "H1-03": None}
    for area in ("A1", "A", "P"):
        assert _week_row(engine, w[area]) == (3, 1, 1)
    _assert_exact(engine)
    with read_session(engine) as s:
        r = reports.build_report(s, actor=w["leader"], area_id=w["A"], period=ov.this_week())
    up = dict(r.upward)
    assert (
        up["dossiers_online"],
        up["dossiers_full"],
        up["dossiers_partial"],
        up["dossiers_kind_unknown"],
    ) == (
        3,
        1,
        1,
        1,
    )


def test_a_kind_needs_a_code_and_a_known_value(engine):
    w = _world(engine)
    no_code = ResidentInput(w["r1"], guidance={"guide_submit"}, dossier_kind="full")
    with pytest.raises(ValidationFailed) as err:
        _record(engine, w["vol"], _input(w, "k1", residents=[no_code]))
    assert [(p.field, p.key) for p in err.value.problems] == [
        (f"resident.{w['r1']}.dossier_kind", "err.dossier_kind_needs_code")
    ]
    with pytest.raises(ValidationFailed) as err:
        _record(engine, w["vol"], _input(w, "k2", residents=[_dossier(w["r1"], "H1-09", "level4")]))
    assert [p.key for p in err.value.problems] == ["err.invalid_choice"]
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(SkillEvent)).scalar_one() == 0


def test_corrections_and_withdrawals_keep_the_split_exact(engine):
    w = _world(engine)
    vid = _record(engine, w["vol"], _input(w, "c1", residents=[_dossier(w["r1"], "H1-01", "full")]))
    with read_session(engine) as s:
        draft = visit_draft(s, actor=w["vol"], visit_id=vid)
    assert [(d.resident_id, d.evidence, d.dossier_kind) for d in draft.residents] == [
        (w["r1"], {"submit": "H1-01"}, "full")
    ]
    with write_session(engine) as s:
        correct_visit(
            s,
            actor=w["vol"],
            visit_id=vid,
            data=_input(w, "c1-fix", residents=[_dossier(w["r1"], "H1-01", "partial")]),
        )
    assert _week_row(engine, w["A"]) == (1, 0, 1)
    _assert_exact(engine)
    with write_session(engine) as s:
        withdraw_visit(s, actor=w["vol"], visit_id=vid, reason="ghi nhầm hộ")
    assert _week_row(engine, w["A"]) == (0, 0, 0)
    _assert_exact(engine)
