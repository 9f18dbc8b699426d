"""Sign-in: passwords, lockout, the per-source throttle, answers that do not tell whether a username exists,
remember-me tokens (hashed, expiring, revocable), deactivation."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from core.clock import utcnow
from models.db import read_session, write_session
from models.tables import AuditLog, AuthToken, User
from services import auth
from services.access import Actor
from services.auth import AuthFailed
from tests import factories as f


def _sign_in(engine, username, password, *, source=None, throttle=None):
    """A sign-in as the page makes it: a read, argon2 with no transaction open, a short write."""
    result = auth.sign_in(
        read=lambda: read_session(engine),
        write=lambda: write_session(engine),
        username=username,
        password=password,
        source=source,
        remember=False,
        throttle=throttle,
    )
    return result.actor if isinstance(result, auth.SignedIn) else result


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cheap_argon2(monkeypatch):
    """Many attempts per test: a cheaper argon2id (the same code path, the cost is not under test)."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", hasher)
    monkeypatch.setattr(auth, "_DUMMY_HASH", hasher.hash("not-a-real-password"))


def _failed_attempts(engine, uid):
    with read_session(engine) as s:
        user = s.get(User, uid)
        return user.failed_attempts, user.locked_until


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


def test_authenticate_on_one_session_still_signs_in_and_counts(engine):
    """The command line and scripts use `authenticate` on a session they commit themselves."""
    _ids, uid = _setup(engine)
    with write_session(engine) as s:
        assert isinstance(auth.authenticate(s, username="dieuphoi", password=f.PASSWORD), Actor)
    with write_session(engine) as s:
        refused = auth.authenticate(s, username="dieuphoi", password="bad-password!")
    assert refused.key == "login.failed"
    assert _failed_attempts(engine, uid) == (1, None)


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


# ---------------------------------------------------------------- issue #12: lockout, throttle, enumeration


def test_the_count_stays_at_the_limit_while_locked_and_an_expired_lock_starts_afresh(engine):
    _ids, uid = _setup(engine)
    for _ in range(7):  # two more while locked: not counted
        _sign_in(engine, "dieuphoi", "bad-password!")
    count, locked_until = _failed_attempts(engine, uid)
    assert count == 5 and locked_until is not None
    with write_session(engine) as s:
        s.exec(update(User).where(User.id == uid).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert _sign_in(engine, "dieuphoi", "bad-password!").key == "login.failed"
    assert _failed_attempts(engine, uid) == (1, None)


def test_an_unknown_username_is_locked_after_as_many_failures_as_an_account(engine, cheap_argon2):
    """Issue #12: "locked" used to prove the account exists; now a made-up name is locked just the same."""
    _setup(engine)
    throttle = auth.SignInThrottle()
    known = [_sign_in(engine, "dieuphoi", "bad-password!", throttle=throttle) for _ in range(6)]
    unknown = [_sign_in(engine, "khong.co.ai", "bad-password!", throttle=throttle) for _ in range(6)]
    assert [r.key for r in known] == ["login.failed"] * 4 + ["login.locked"] * 2
    assert [(r.key, r.params) for r in unknown] == [(r.key, r.params) for r in known]
    assert known[-1].params == {"minutes": 15}


def test_a_source_is_refused_before_it_can_lock_an_account(engine, cheap_argon2):
    """Issue #12: four wrong passwords from one client on one username, and that client is told to wait;
    the account is not locked, so its owner signs in from another device at once."""
    _ids, uid = _setup(engine)
    clock = FakeClock()
    throttle = auth.SignInThrottle(clock=clock)
    attacker = "ip:203.0.113.7"
    answers = [
        _sign_in(engine, "dieuphoi", "bad-password!", source=attacker, throttle=throttle) for _ in range(4)
    ]
    assert [r.key for r in answers] == ["login.failed"] * 4
    refused = _sign_in(engine, "dieuphoi", f.PASSWORD, source=attacker, throttle=throttle)
    assert refused.key == "auth.too_many" and refused.params == {"minutes": 15}
    assert "15" in refused.message("vi") and "15" in refused.message("en")
    assert _failed_attempts(engine, uid) == (4, None)  # refused before the account was touched
    # The same answers for a username that does not exist: nothing tells the two apart.
    other = "ip:203.0.113.8"
    made_up = [
        _sign_in(engine, "khong.co.ai", "bad-password!", source=other, throttle=throttle) for _ in range(5)
    ]
    assert [(r.key, r.params) for r in made_up] == [(r.key, r.params) for r in [*answers, refused]]

    owner = _sign_in(engine, "dieuphoi", f.PASSWORD, source="ip:198.51.100.20", throttle=throttle)
    assert isinstance(owner, Actor)
    clock.now += 14 * 60
    assert _sign_in(engine, "dieuphoi", f.PASSWORD, source=attacker, throttle=throttle).params == {
        "minutes": 1
    }
    clock.now += 60
    assert isinstance(_sign_in(engine, "dieuphoi", f.PASSWORD, source=attacker, throttle=throttle), Actor)


def test_one_source_cannot_work_through_a_communes_usernames(engine, cheap_argon2):
    """Ten failures from one source on any usernames, and it waits; the officers are not locked out."""
    _setup(engine)
    officers = [
        f.create_user(engine, role="coordinator", area_code="A", username=f"canbo{i}") for i in range(3)
    ]
    throttle = auth.SignInThrottle()
    attacker = "ip:203.0.113.7"
    names = ["dieuphoi", "canbo0", "canbo1", "canbo2", "khong.co.ai"] * 2
    answers = [_sign_in(engine, name, "bad-password!", source=attacker, throttle=throttle) for name in names]
    assert [r.key for r in answers] == ["login.failed"] * 10
    assert _sign_in(engine, "canbo0", f.PASSWORD, source=attacker, throttle=throttle).key == "auth.too_many"
    assert (
        _sign_in(engine, "ai.do", "whatever-pass", source=attacker, throttle=throttle).key == "auth.too_many"
    )
    with read_session(engine) as s:
        assert s.exec(select(func.count()).where(User.locked_until.is_not(None))).scalar() == 0
        assert max(s.exec(select(User.failed_attempts).where(User.id.in_(officers))).scalars()) == 2
    for name in ("canbo0", "canbo1", "canbo2"):
        assert isinstance(
            _sign_in(engine, name, f.PASSWORD, source="ip:198.51.100.20", throttle=throttle), Actor
        )


def test_a_success_does_not_clear_the_sources_failures(engine, cheap_argon2):
    """Otherwise a client with one valid account could reset its count between guesses."""
    _setup(engine)
    f.create_user(engine, role="coordinator", area_code="A", username="canbo0")
    throttle = auth.SignInThrottle()
    for _ in range(3):
        _sign_in(engine, "dieuphoi", "bad-password!", source="ip:203.0.113.7", throttle=throttle)
    assert isinstance(
        _sign_in(engine, "canbo0", f.PASSWORD, source="ip:203.0.113.7", throttle=throttle), Actor
    )
    _sign_in(engine, "dieuphoi", "bad-password!", source="ip:203.0.113.7", throttle=throttle)
    refused = _sign_in(engine, "dieuphoi", f.PASSWORD, source="ip:203.0.113.7", throttle=throttle)
    assert refused.key == "auth.too_many"


def test_the_throttle_keeps_its_memory_bounded():
    throttle = auth.SignInThrottle(max_keys=50)
    for i in range(1000):
        throttle.failed(f"ip:10.0.{i // 250}.{i % 250}", f"user{i}")
        throttle.unknown_failed(f"user{i}")
    assert len(throttle._failures) <= 50 and len(throttle._unknown) <= 50


def test_an_outdated_hash_is_upgraded_at_sign_in(engine):
    _ids, uid = _setup(engine)
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with write_session(engine) as s:
        s.exec(update(User).where(User.id == uid).values(password_hash=cheap.hash(f.PASSWORD)))
    assert isinstance(_sign_in(engine, "dieuphoi", f.PASSWORD), Actor)
    with read_session(engine) as s:
        stored = s.get(User, uid).password_hash
    assert not auth._hasher.check_needs_rehash(stored)
    assert isinstance(_sign_in(engine, "dieuphoi", f.PASSWORD), Actor)


def test_an_unknown_username_costs_what_a_wrong_password_costs(engine, monkeypatch):
    """The same argon2 check and the same counting write (which waits for SQLite's write lock like an
    account's would): how long the answer takes does not tell whether the username exists."""
    _setup(engine)
    real = auth._verify

    def counted(kind):
        seen = {"verify": 0, "write": 0}

        def verify(password_hash, password):
            seen["verify"] += 1
            return real(password_hash, password)

        def write():
            seen["write"] += 1
            return write_session(engine)

        monkeypatch.setattr(auth, "_verify", verify)
        result = auth.sign_in(
            read=lambda: read_session(engine),
            write=write,
            username=kind,
            password="bad-password!",
            throttle=None,
        )
        assert result.key == "login.failed"
        return seen

    assert counted("dieuphoi") == counted("khong.co.ai") == {"verify": 1, "write": 1}
