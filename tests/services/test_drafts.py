"""Visit drafts kept on the server per user × household, and the user's remembered UI language."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.clock import utcnow
from models.db import read_session, write_session
from models.tables import User, VisitDraft
from services.drafts import DRAFT_HOURS, MAX_DRAFT_CHARS, discard_draft, draft_of, load_draft, save_draft
from services.errors import NotFound, PermissionDenied, ValidationFailed
from services.preferences import language_of, set_language
from tests import factories as f


def _world(engine):
    ids = f.create_tree(engine)
    team_a1 = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    team_a2 = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A2"],))

    def actor(role, area, team=None):
        return f.actor_for(engine, f.create_user(engine, role=role, area_code=area, team_id=team))

    return {
        **ids,
        "hh": f.create_household(engine, village_id=ids["A1"]),
        "vol": actor("volunteer", "A", team_a1),
        "mate": actor("volunteer", "A", team_a1),
        "vol_a2": actor("volunteer", "A", team_a2),
        "coord_a": actor("coordinator", "A"),
        "coord_b": actor("coordinator", "B"),
        "leader": actor("leader", "P"),
    }


FORM = {"visited_on": {"$date": "2026-03-02"}, "r7.present": True, "r7.level.pay": 2, "notes": "Gọi lại"}


def _save(engine, actor, household_id, data=FORM):
    with write_session(engine) as s:
        save_draft(s, actor=actor, household_id=household_id, data=data)


def _load(engine, actor, household_id):
    with read_session(engine) as s:
        return load_draft(s, actor=actor, household_id=household_id)


def test_a_draft_is_kept_replaced_and_discarded(engine):
    w = _world(engine)
    assert _load(engine, w["vol"], w["hh"]) is None
    _save(engine, w["vol"], w["hh"])
    assert _load(engine, w["vol"], w["hh"]) == FORM
    changed = {**FORM, "r7.level.pay": 3}
    _save(engine, w["vol"], w["hh"], changed)
    assert _load(engine, w["vol"], w["hh"]) == changed
    with read_session(engine) as s:
        assert s.exec(select(func.count()).select_from(VisitDraft)).scalar_one() == 1
    with write_session(engine) as s:
        discard_draft(s, actor=w["vol"], household_id=w["hh"])
    assert _load(engine, w["vol"], w["hh"]) is None


def test_each_user_has_their_own_draft(engine):
    w = _world(engine)
    _save(engine, w["vol"], w["hh"])
    assert _load(engine, w["mate"], w["hh"]) is None
    assert _load(engine, w["coord_a"], w["hh"]) is None
    _save(engine, w["coord_a"], w["hh"], {"notes": "coordinator"})
    assert _load(engine, w["vol"], w["hh"]) == FORM


def test_a_draft_older_than_24_hours_is_not_offered_and_is_dropped_on_the_next_save(engine):
    w = _world(engine)
    other = f.create_household(engine, village_id=w["A1"])
    _save(engine, w["vol"], w["hh"])
    with write_session(engine) as s:
        s.execute(update(VisitDraft).values(updated_at=utcnow() - timedelta(hours=DRAFT_HOURS, minutes=1)))
    assert _load(engine, w["vol"], w["hh"]) is None
    _save(engine, w["vol"], other)
    with read_session(engine) as s:
        assert s.exec(select(VisitDraft.household_id)).scalars().all() == [other]


def test_a_draft_just_under_24_hours_old_is_offered_with_its_time(engine):
    w = _world(engine)
    _save(engine, w["vol"], w["hh"])
    saved_at = utcnow() - timedelta(hours=DRAFT_HOURS - 1)
    with write_session(engine) as s:
        s.execute(update(VisitDraft).values(updated_at=saved_at))
    with read_session(engine) as s:
        found = draft_of(s, actor=w["vol"], household_id=w["hh"])
    assert found.data == FORM
    assert abs((found.updated_at - saved_at).total_seconds()) < 1


@pytest.mark.parametrize("who", ["vol_a2", "coord_b", "leader"])
def test_out_of_scope_or_wrong_role_is_refused(engine, who):
    w = _world(engine)
    _save(engine, w["vol"], w["hh"])
    with pytest.raises(PermissionDenied), write_session(engine) as s:
        save_draft(s, actor=w[who], household_id=w["hh"], data=FORM)
    with pytest.raises(PermissionDenied), read_session(engine) as s:
        load_draft(s, actor=w[who], household_id=w["hh"])
    assert _load(engine, w["vol"], w["hh"]) == FORM


def test_unknown_household_is_not_found(engine):
    w = _world(engine)
    with pytest.raises(NotFound), write_session(engine) as s:
        save_draft(s, actor=w["vol"], household_id=w["hh"] + 999, data=FORM)


@pytest.mark.parametrize(
    "data",
    [
        ["not", "an", "object"],
        {"when": object()},
        {"x": float("nan")},
        {"notes": "x" * MAX_DRAFT_CHARS},
    ],
    ids=["list", "not-json", "nan", "too-large"],
)
def test_a_bad_or_oversized_draft_is_refused_and_keeps_the_old_one(engine, data):
    w = _world(engine)
    _save(engine, w["vol"], w["hh"])
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        save_draft(s, actor=w["vol"], household_id=w["hh"], data=data)
    assert err.value.problems[0].field == "draft"
    assert _load(engine, w["vol"], w["hh"]) == FORM


def test_the_chosen_language_is_remembered_per_user(engine):
    w = _world(engine)
    with read_session(engine) as s:
        assert language_of(s, actor=w["vol"]) is None
    with write_session(engine) as s:
        set_language(s, actor=w["vol"], language="en")
    with read_session(engine) as s:
        assert language_of(s, actor=w["vol"]) == "en"
        assert language_of(s, actor=w["mate"]) is None
        assert s.get(User, w["vol"].user_id).language == "en"
    with pytest.raises(ValidationFailed), write_session(engine) as s:
        set_language(s, actor=w["vol"], language="fr")
    with read_session(engine) as s:
        assert language_of(s, actor=w["vol"]) == "en"
