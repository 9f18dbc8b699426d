"""Sign-in: passwords, lockout, remember-me tokens (hashed, expiring, revocable), deactivation."""

from datetime import timedelta

from sqlalchemy import select, update

from core.clock import utcnow
from models.db import read_session, write_session
from models.tables import AuditLog, AuthToken, User
from services import auth
from services.access import Actor
from services.auth import AuthFailed
from tests import factories as f


def _sign_in(engine, username, password):
    with write_session(engine) as s:
        return auth.authenticate(s, username=username, password=password)


def _setup(engine):
    ids = f.create_tree(engine)
    uid = f.create_user(engine, role="coordinator", area_code="A", username="dieuphoi")
    return ids, uid


def test_password_is_stored_as_argon2_and_sign_in_works(engine):
    _ids, uid = _setup(engine)
    with read_session(engine) as s:
        user = s.get(User, uid)
        assert user.password_hash.startswith("$argon2id$")
        assert f.PASSWORD not in user.password_hash
    actor = _sign_in(engine, "DieuPhoi ", f.PASSWORD)  # usernames are case- and space-insensitive
    assert isinstance(actor, Actor)
    assert actor.role == "coordinator"
    assert actor.area_code == "A"


def test_wrong_password_and_unknown_user_say_the_same(engine):
    _setup(engine)
    wrong = _sign_in(engine, "dieuphoi", "not-the-password")
    unknown = _sign_in(engine, "nobody", "whatever-password")
    assert isinstance(wrong, AuthFailed) and isinstance(unknown, AuthFailed)
    assert wrong.key == unknown.key == "login.failed"
    assert "không đúng" in wrong.message("vi")


def test_five_failures_lock_the_account_for_fifteen_minutes_then_admin_unlocks(engine):
    _ids, uid = _setup(engine)
    results = [_sign_in(engine, "dieuphoi", "bad-password!") for _ in range(5)]
    assert [r.key for r in results] == ["login.failed"] * 4 + ["login.locked"]
    assert results[-1].params["minutes"] == 15
    # Locked: even the right password is refused.
    locked = _sign_in(engine, "dieuphoi", f.PASSWORD)
    assert isinstance(locked, AuthFailed) and locked.key == "login.locked"
    with read_session(engine) as s:
        user = s.get(User, uid)
        assert user.locked_until > utcnow() + timedelta(minutes=14)
        actions = s.exec(select(AuditLog.action).where(AuditLog.entity_id == str(uid))).scalars().all()
        assert "user.locked" in actions
    admin_id = f.create_user(engine, role="admin", area_code="P")
    with write_session(engine) as s:
        auth.unlock_user(s, actor=f.actor_for(engine, admin_id), user_id=uid)
    assert isinstance(_sign_in(engine, "dieuphoi", f.PASSWORD), Actor)


def test_lock_expires_by_itself(engine):
    _ids, uid = _setup(engine)
    for _ in range(5):
        _sign_in(engine, "dieuphoi", "bad-password!")
    with write_session(engine) as s:
        s.exec(update(User).where(User.id == uid).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert isinstance(_sign_in(engine, "dieuphoi", f.PASSWORD), Actor)


def test_success_resets_the_failure_count(engine):
    _ids, uid = _setup(engine)
    for _ in range(4):
        _sign_in(engine, "dieuphoi", "bad-password!")
    assert isinstance(_sign_in(engine, "dieuphoi", f.PASSWORD), Actor)
    with read_session(engine) as s:
        assert s.get(User, uid).failed_attempts == 0


def test_deactivated_user_cannot_sign_in_and_loses_tokens(engine):
    _ids, uid = _setup(engine)
    with write_session(engine) as s:
        token = auth.issue_token(s, user_id=uid)
    admin_id = f.create_user(engine, role="admin", area_code="P")
    with write_session(engine) as s:
        auth.set_active(s, actor=f.actor_for(engine, admin_id), user_id=uid, active=False)
    result = _sign_in(engine, "dieuphoi", f.PASSWORD)
    assert isinstance(result, AuthFailed) and result.key == "login.inactive"
    with write_session(engine) as s:
        assert auth.actor_from_token(s, token=token) is None


def test_token_is_stored_hashed_and_restores_the_user(engine):
    _ids, uid = _setup(engine)
    with write_session(engine) as s:
        token = auth.issue_token(s, user_id=uid)
    with read_session(engine) as s:
        stored = s.exec(select(AuthToken.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 1
    with write_session(engine) as s:
        actor = auth.actor_from_token(s, token=token)
    assert actor is not None and actor.user_id == uid


def test_expired_revoked_idle_and_unknown_tokens_are_refused(engine):
    _ids, uid = _setup(engine)
    with write_session(engine) as s:
        expired = auth.issue_token(s, user_id=uid)
        revoked = auth.issue_token(s, user_id=uid)
        idle = auth.issue_token(s, user_id=uid)
    with write_session(engine) as s:
        s.exec(
            update(AuthToken)
            .where(AuthToken.token_hash == auth._token_hash(expired))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        s.exec(
            update(AuthToken)
            .where(AuthToken.token_hash == auth._token_hash(idle))
            .values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        auth.revoke_token(s, token=revoked)
    with write_session(engine) as s:
        assert auth.actor_from_token(s, token=expired) is None
        assert auth.actor_from_token(s, token=revoked) is None
        assert auth.actor_from_token(s, token=idle) is None
        assert auth.actor_from_token(s, token="made-up") is None
        assert auth.actor_from_token(s, token=None) is None


def test_token_lifetime_is_twelve_hours(engine):
    _ids, uid = _setup(engine)
    with write_session(engine) as s:
        auth.issue_token(s, user_id=uid)
    with read_session(engine) as s:
        row = s.exec(select(AuthToken)).scalar()
        assert timedelta(hours=11, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=12)


def test_password_change_revokes_every_token(engine):
    _ids, uid = _setup(engine)
    actor = f.actor_for(engine, uid)
    with write_session(engine) as s:
        token = auth.issue_token(s, user_id=uid)
    with write_session(engine) as s:
        auth.change_own_password(s, actor=actor, current=f.PASSWORD, new="another-long-password")
    with write_session(engine) as s:
        assert auth.actor_from_token(s, token=token) is None
    assert isinstance(_sign_in(engine, "dieuphoi", "another-long-password"), Actor)
    assert isinstance(_sign_in(engine, "dieuphoi", f.PASSWORD), AuthFailed)


def test_password_change_checks_current_and_strength(engine):
    _ids, uid = _setup(engine)
    actor = f.actor_for(engine, uid)
    import pytest

    from services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc, write_session(engine) as s:
        auth.change_own_password(s, actor=actor, current="wrong-one", new="short")
    fields = {p.field: p.key for p in exc.value.problems}
    assert fields == {"current": "err.wrong_password", "new": "err.weak_password"}


def test_sign_out_revokes_the_token(engine):
    _ids, uid = _setup(engine)
    actor = f.actor_for(engine, uid)
    with write_session(engine) as s:
        token = auth.issue_token(s, user_id=uid)
    with write_session(engine) as s:
        auth.sign_out(s, actor=actor, token=token)
    with write_session(engine) as s:
        assert auth.actor_from_token(s, token=token) is None
