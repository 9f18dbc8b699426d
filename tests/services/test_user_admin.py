"""User administration: create in scope, validation, reset, unlock, (de)activate, role and area checks."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import utcnow
from models.db import read_session, write_session
from models.tables import AuthToken, User
from services import auth
from services.errors import PermissionDenied, ValidationFailed
from tests import factories as f

GOOD = "a-long-password-1"


def users_table(engine) -> list[tuple]:
    with read_session(engine) as s:
        return [
            tuple(r)
            for r in s.exec(
                select(
                    User.id, User.username, User.password_hash, User.is_active, User.locked_until
                ).order_by(User.id)
            ).all()
        ]


def create(engine, actor, **kwargs):
    args = {"username": "nguyen.an", "password": GOOD, "role": "coordinator", "area_code": "A"} | kwargs
    with write_session(engine) as s:
        return auth.create_user(s, actor=actor, **args)


@pytest.fixture
def tree(engine):
    return f.create_tree(engine)


def admin_of(engine, code: str):
    return f.actor_for(engine, f.create_user(engine, role="admin", area_code=code))


def test_admin_creates_user_in_scope(engine, tree):
    admin_a = admin_of(engine, "A")
    uid = create(engine, admin_a, username="  Nguyen.An ", full_name="nguyễn   văn  an", area_code="A1")
    with read_session(engine) as s:
        user = s.get(User, uid)
        assert (user.username, user.full_name, user.role, user.area_id) == (
            "nguyen.an",
            "Nguyễn Văn An",
            "coordinator",
            tree["A1"],
        )
        assert user.password_hash != GOOD
    with write_session(engine) as s:
        actor = auth.authenticate(s, username="nguyen.an", password=GOOD)
    assert actor.user_id == uid


def test_volunteer_needs_a_team_inside_the_area(engine, tree):
    admin_a = admin_of(engine, "A")
    team_a = f.create_team(engine, area_id=tree["A"], village_ids=(tree["A1"],))
    team_b = f.create_team(engine, area_id=tree["B"], village_ids=(tree["B1"],))
    before = users_table(engine)
    with pytest.raises(ValidationFailed) as err:
        create(engine, admin_a, role="volunteer")
    assert [(p.field, p.key) for p in err.value.problems] == [("team", "err.volunteer_needs_team")]
    with pytest.raises(ValidationFailed) as err:
        create(engine, admin_a, role="volunteer", team_id=team_b)
    assert [(p.field, p.key) for p in err.value.problems] == [("team", "err.team_outside_area")]
    assert users_table(engine) == before
    uid = create(engine, admin_a, role="volunteer", team_id=team_a)
    assert f.actor_for(engine, uid).village_ids == (tree["A1"],)


def test_create_reports_every_problem(engine, tree):
    admin_p = admin_of(engine, "P")
    create(engine, admin_p, username="taken")
    before = users_table(engine)
    with pytest.raises(ValidationFailed) as err:
        create(engine, admin_p, username="Taken", password="short", role="boss", area_code="NOPE")
    problems = {p.field: p for p in err.value.problems}
    assert set(problems) == {"username", "password", "role", "area"}
    assert problems["username"].key == "err.username_taken"
    assert problems["password"].message("vi") == "Mật khẩu phải có ít nhất 10 ký tự."
    with pytest.raises(ValidationFailed) as err:
        create(engine, admin_p, username="Có dấu")
    assert err.value.problems[0].key == "err.username_format"
    with pytest.raises(ValidationFailed) as err:
        create(engine, admin_p, username="long.name", full_name="x" * 201)
    assert err.value.problems[0].field == "full_name"
    assert users_table(engine) == before


def test_reset_password_unlock_and_activation(engine, tree):
    admin_a = admin_of(engine, "A")
    uid = create(engine, admin_a)
    with write_session(engine) as s:
        token = auth.issue_token(s, user_id=uid)
        user = s.get(User, uid)
        user.locked_until = utcnow() + timedelta(minutes=10)
        user.failed_attempts = 3
        s.add(user)
    with read_session(engine) as s:
        assert [u.locked for u in auth.list_users(s, actor=admin_a) if u.id == uid] == [True]
    with write_session(engine) as s:
        auth.unlock_user(s, actor=admin_a, user_id=uid)
    with read_session(engine) as s:
        row = next(u for u in auth.list_users(s, actor=admin_a) if u.id == uid)
        assert (row.locked, row.failed_attempts) == (False, 0)

    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        auth.reset_password(s, actor=admin_a, user_id=uid, new_password="short")
    assert err.value.problems[0].field == "password"
    with write_session(engine) as s:
        auth.reset_password(s, actor=admin_a, user_id=uid, new_password="another-password-2")
    with write_session(engine) as s:
        assert not isinstance(
            auth.authenticate(s, username="nguyen.an", password="another-password-2"), Exception
        )
        assert isinstance(auth.authenticate(s, username="nguyen.an", password=GOOD), auth.AuthFailed)
        assert s.exec(select(AuthToken.revoked_at).where(AuthToken.user_id == uid)).scalar() is not None
        assert auth.actor_from_token(s, token=token) is None

    with write_session(engine) as s:
        auth.set_active(s, actor=admin_a, user_id=uid, active=False)
    with write_session(engine) as s:
        refused = auth.authenticate(s, username="nguyen.an", password="another-password-2")
    assert isinstance(refused, auth.AuthFailed) and refused.key == "login.inactive"
    with write_session(engine) as s:
        auth.set_active(s, actor=admin_a, user_id=uid, active=True)
    with write_session(engine) as s:
        assert not isinstance(
            auth.authenticate(s, username="nguyen.an", password="another-password-2"), Exception
        )


def test_admin_cannot_deactivate_themselves(engine, tree):
    admin_a = admin_of(engine, "A")
    with pytest.raises(PermissionDenied) as err, write_session(engine) as s:
        auth.set_active(s, actor=admin_a, user_id=admin_a.user_id, active=False)
    assert err.value.key == "err.cannot_change_self"
    with read_session(engine) as s:
        assert s.get(User, admin_a.user_id).is_active


def test_commune_admin_cannot_touch_users_of_another_commune(engine, tree):
    admin_a = admin_of(engine, "A")
    admin_b = admin_of(engine, "B")
    in_b = create(engine, admin_b, username="tran.binh", area_code="B1")
    before = users_table(engine)
    with pytest.raises(PermissionDenied):
        create(engine, admin_a, username="sneaky", area_code="B")
    with pytest.raises(PermissionDenied):  # refused before any word about the username
        create(engine, admin_a, username="tran.binh", area_code="B1")
    with pytest.raises(PermissionDenied):  # nor above their own area
        create(engine, admin_a, username="sneaky", area_code="P")
    for action in (
        lambda s: auth.reset_password(s, actor=admin_a, user_id=in_b, new_password=GOOD + "x"),
        lambda s: auth.unlock_user(s, actor=admin_a, user_id=in_b),
        lambda s: auth.set_active(s, actor=admin_a, user_id=in_b, active=False),
    ):
        with pytest.raises(PermissionDenied), write_session(engine) as s:
            action(s)
    with read_session(engine) as s:
        listed = {u.username for u in auth.list_users(s, actor=admin_a)}
    assert "tran.binh" not in listed and admin_b.username not in listed
    assert admin_a.username in listed
    assert users_table(engine) == before


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "leader"])
def test_other_roles_cannot_administer_users(engine, tree, role):
    team = (
        f.create_team(engine, area_id=tree["A"], village_ids=(tree["A1"],)) if role == "volunteer" else None
    )
    actor = f.actor_for(engine, f.create_user(engine, role=role, area_code="A", team_id=team))
    target = f.create_user(engine, role="coordinator", area_code="A1")
    before = users_table(engine)
    for action in (
        lambda s: auth.create_user(
            s, actor=actor, username="x.user", password=GOOD, role="leader", area_code="A"
        ),
        lambda s: auth.list_users(s, actor=actor),
        lambda s: auth.reset_password(s, actor=actor, user_id=target, new_password=GOOD),
        lambda s: auth.unlock_user(s, actor=actor, user_id=target),
        lambda s: auth.set_active(s, actor=actor, user_id=target, active=False),
    ):
        with pytest.raises(PermissionDenied), write_session(engine) as s:
            action(s)
    assert users_table(engine) == before
