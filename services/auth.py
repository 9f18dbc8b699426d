"""Users, passwords (argon2), lockout, sign-in throttling, and remember-me tokens stored only as hashes.

Signing in (`sign_in`), issue #12:
- argon2 (0.1–0.3 s of CPU) runs outside any write transaction: the user is read in a read session, the
  password verified with no transaction open, and only the outcome written in a short transaction.
  SQLite has one writer at a time: a sign-in must not stall the visits being recorded meanwhile.
  Changing one's own password (`change_password`) works the same way.
- An account's failure count is one atomic `UPDATE … RETURNING` (reading it, adding one in Python and
  writing it back lost updates on PostgreSQL): parallel wrong passwords all count, and the one that
  reaches `lockout_attempts` locks the account for `lockout_minutes`. The count stays at the limit
  while locked; an expired lock starts it afresh; a success or an administrator's unlock resets it.
- The answers never tell whether a username exists. A wrong password and an unknown username both get
  `login.failed`, at the same argon2 cost. An unknown username gets `login.locked` after as many
  failures as an account would (counted in this process), so "locked" proves nothing either.
  `login.inactive` comes only after the right password.
- Per-source throttle (`SignInThrottle`, in this process): a source (the client's address, else its
  browser session) with `SOURCE_LIMIT` failures within `THROTTLE_WINDOW_SECONDS`, or `pair_limit()`
  (one fewer than lock an account) on one username, gets `auth.too_many` until the oldest of them ages
  out. That refusal comes before the username is looked up, the same for every username, and touches
  no account: one client guessing fast cannot lock an officer out, nor work through a commune's
  usernames. Locking an account for everyone takes failures from several sources, or one source's
  slow trickle (the account's count does not decay: four failures, a 15-minute wait, one more).
  Behind several replicas each counts alone, and a restart forgets: the database lockout stays the
  backstop.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, literal, or_, select, update
from sqlmodel import Session

from core.clock import utcnow
from core.labels import N_
from core.settings import get_settings
from core.text import normalize_name
from models.enums import Role
from models.tables import Area, AuthToken, Team, User
from services import audit
from services.access import Actor, get_area_in_scope, load_actor
from services.errors import AppError, FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.permissions import Act, authorize, entry

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._]{2,63}")
FULL_NAME_MAX = 200


class AuthFailed(AppError):
    """Sign-in refused; `key` says why (wrong password or unknown user, locked, inactive, too many tries)."""


@dataclass(frozen=True)
class UserRow:
    """A user as plain data for the admin page."""

    id: int
    username: str
    full_name: str
    role: str
    area_code: str
    area_name: str
    team_id: int | None
    is_active: bool
    locked: bool
    failed_attempts: int
    last_login_at: datetime | None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str, field: str = "password") -> list[FieldProblem]:
    minimum = get_settings().min_password_length
    if len(password or "") < minimum:
        return [FieldProblem(field, "err.weak_password", {"min": minimum})]
    return []


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------- sign-in

# Failures that count against the source (a refusal by the throttle itself does not).
_COUNTED = frozenset({"login.failed", "login.locked"})
THROTTLE_WINDOW_SECONDS = 15 * 60
# Failed sign-ins one source may make within the window, on any usernames. A commune office behind one
# public address shares them: typing mistakes of ten officers within 15 minutes are rare.
SOURCE_LIMIT = 10

SessionOpener = Callable[[], AbstractContextManager[Session]]


def pair_limit() -> int:
    """Failures one source may make on one username within the window: one fewer than lock the account,
    so a single client guessing fast is stopped before it locks the account for everyone."""
    return max(1, get_settings().lockout_attempts - 1)


def _minutes_left(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


@dataclass
class _Strikes:
    """The emulated lockout of a username that does not exist (see SignInThrottle)."""

    count: int = 0
    locked_until: float = 0.0


class SignInThrottle:
    """Failed sign-ins seen by this process: per source, per source × username, and the lockout a username
    that does not exist would get if it were an account. Per process: each Streamlit replica counts its
    own (sticky sessions keep a browser on one replica). Thread-safe; memory is bounded (the least
    recently used keys are dropped first)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._failures: OrderedDict[tuple[str, ...], deque[float]] = OrderedDict()
        self._unknown: OrderedDict[str, _Strikes] = OrderedDict()

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._unknown.clear()

    def refusal(self, source: str, username: str) -> int | None:
        """Minutes `source` must wait before it may try `username` again, or None."""
        now = self._clock()
        with self._lock:
            wait = max(
                self._wait(("source", source), SOURCE_LIMIT, now),
                self._wait(("pair", source, username), pair_limit(), now),
            )
        return _minutes_left(wait) if wait > 0 else None

    def failed(self, source: str, username: str) -> None:
        now = self._clock()
        with self._lock:
            for key, limit in (
                (("source", source), SOURCE_LIMIT),
                (("pair", source, username), pair_limit()),
            ):
                times = self._failures.pop(key, None) or deque(maxlen=limit)
                times.append(now)
                self._failures[key] = times  # most recently used last
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def _wait(self, key: tuple[str, ...], limit: int, now: float) -> float:
        # Only the newest `limit` failures are kept: the oldest of them decides when one more is allowed.
        times = self._failures.get(key)
        if times is None or len(times) < limit:
            return 0.0
        return times[-limit] + THROTTLE_WINDOW_SECONDS - now

    def unknown_locked(self, username: str) -> int | None:
        """Minutes left on the emulated lockout of a username that is not an account, or None."""
        now = self._clock()
        with self._lock:
            strikes = self._unknown.get(username)
            if strikes is None or strikes.locked_until <= now:
                return None
            return _minutes_left(strikes.locked_until - now)

    def unknown_failed(self, username: str) -> int | None:
        """Count a failure on a username that is not an account, as the database counts an account's;
        the minutes of the lockout when this failure starts one."""
        settings = get_settings()
        now = self._clock()
        with self._lock:
            strikes = self._unknown.pop(username, None) or _Strikes()
            if strikes.locked_until and strikes.locked_until <= now:
                strikes = _Strikes()  # an expired lock starts the count afresh, as for an account
            strikes.count += 1
            locks = strikes.count >= settings.lockout_attempts
            if locks:
                strikes.locked_until = now + settings.lockout_minutes * 60
            self._unknown[username] = strikes
            while len(self._unknown) > self._max_keys:
                self._unknown.popitem(last=False)
        return settings.lockout_minutes if locks else None


THROTTLE = SignInThrottle()


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the actor and, when asked for, a new remember-me token."""

    actor: Actor
    token: str | None


@dataclass(frozen=True)
class _Account:
    id: int
    password_hash: str
    locked_until: datetime | None
    is_active: bool


def _clean_username(username: str) -> str:
    return (username or "").strip().lower()


def sign_in(
    *,
    read: SessionOpener,
    write: SessionOpener,
    username: str,
    password: str,
    source: str | None = None,
    remember: bool = True,
    throttle: SignInThrottle | None = THROTTLE,
) -> SignedIn | AuthFailed:
    """Check a password and open a sign-in; count failures, lock the account after too many, throttle
    the source.

    `read()` opens a read session and `write()` a write transaction (webui.db's `reading`/`writing`, or
    models.db's sessions over an engine): the password is verified between them with no transaction
    open, and each write is one short transaction. `source` names the client (its address, else its
    browser session) for the throttle; None skips the per-source counts. `throttle=None` also turns off
    the emulated lockout of unknown usernames. A refusal is returned, not raised (its failure count is
    already committed).
    """
    name = _clean_username(username)
    counted = throttle is not None and source is not None
    if counted:
        wait = throttle.refusal(source, name)
        if wait is not None:
            return AuthFailed(N_("auth.too_many"), minutes=wait)
    result = _attempt(read, write, name, password or "", remember=remember, throttle=throttle)
    if counted and isinstance(result, AuthFailed) and result.key in _COUNTED:
        throttle.failed(source, name)
    return result


def authenticate(session: Session, *, username: str, password: str) -> Actor | AuthFailed:
    """`sign_in` on the caller's one session, which the caller commits (command line, scripts, tests):
    no throttle and no token. Inside a write transaction it holds the lock while argon2 runs: pages
    use `sign_in`."""

    def same() -> AbstractContextManager[Session]:
        return nullcontext(session)

    result = sign_in(
        read=same, write=same, username=username, password=password, remember=False, throttle=None
    )
    return result.actor if isinstance(result, SignedIn) else result


def _attempt(
    read: SessionOpener,
    write: SessionOpener,
    name: str,
    password: str,
    *,
    remember: bool,
    throttle: SignInThrottle | None,
) -> SignedIn | AuthFailed:
    with read() as session:
        row = session.exec(
            select(User.id, User.password_hash, User.locked_until, User.is_active).where(
                User.username == name
            )
        ).first()
    if row is None:
        return _unknown_user(write, name, password, throttle)
    account = _Account(*row)
    now = utcnow()
    if account.locked_until is not None and account.locked_until > now:
        return _locked(account.locked_until - now)
    if not _verify(account.password_hash, password):  # argon2, no transaction open
        with write() as session:
            return _count_failure(session, account.id)
    if not account.is_active:
        return AuthFailed(N_("login.inactive"))
    new_hash = hash_password(password) if _hasher.check_needs_rehash(account.password_hash) else None
    with write() as session:
        opened = _open_sign_in(session, account, new_hash)
        if isinstance(opened, AuthFailed):
            return opened
        token = issue_token(session, user_id=opened.user_id) if remember else None
    return SignedIn(opened, token)


def _unknown_user(
    write: SessionOpener, name: str, password: str, throttle: SignInThrottle | None
) -> AuthFailed:
    """The answers an account would give, at the same cost: a verify against a dummy hash, the same
    counting write (it matches no row, but waits for SQLite's write lock as an account's would), and a
    lockout after as many failures (emulated in this process)."""
    if throttle is not None and (minutes := throttle.unknown_locked(name)):
        return AuthFailed(N_("login.locked"), minutes=minutes)
    _verify(_DUMMY_HASH, password)
    with write() as session:
        _count_failure(session, None)
    if throttle is not None and (minutes := throttle.unknown_failed(name)):
        return AuthFailed(N_("login.locked"), minutes=minutes)
    return AuthFailed(N_("login.failed"))


def _locked(remaining: timedelta) -> AuthFailed:
    return AuthFailed(N_("login.locked"), minutes=_minutes_left(remaining.total_seconds()))


def _not_locked(now: datetime):
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def _count_failure(session: Session, user_id: int | None) -> AuthFailed:
    """One more failure, counted by the database in one statement (parallel attempts all count); the
    failure that reaches the limit locks the account. A locked account is not counted further.
    `user_id=None` (a username that is no account) matches no row."""
    settings = get_settings()
    now = utcnow()
    until = literal(now + timedelta(minutes=settings.lockout_minutes), User.__table__.c.locked_until.type)
    # The row is unlocked or its lock has expired; an expired lock starts the count afresh.
    count = case((User.locked_until.is_not(None), 1), else_=User.failed_attempts + 1)
    row = session.exec(
        update(User)
        .where(User.id == user_id, _not_locked(now))
        .values(failed_attempts=count, locked_until=case((count >= settings.lockout_attempts, until)))
        .returning(User.locked_until)
    ).first()
    if row is None:  # locked meanwhile by a parallel attempt
        locked_until = session.exec(select(User.locked_until).where(User.id == user_id)).scalar()
        if locked_until is not None and locked_until > now:
            return _locked(locked_until - now)
        return AuthFailed(N_("login.failed"))
    if row.locked_until is None:
        return AuthFailed(N_("login.failed"))
    audit.record(session, user_id=user_id, action="user.locked", entity="user", entity_id=user_id)
    return AuthFailed(N_("login.locked"), minutes=settings.lockout_minutes)


def _open_sign_in(session: Session, account: _Account, new_hash: str | None) -> Actor | AuthFailed:
    """Reset the failure count and record the sign-in, unless the account changed since it was read
    (locked by a parallel attempt, deactivated, or given a new password)."""
    now = utcnow()
    values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "last_login_at": now}
    if new_hash is not None:
        values["password_hash"] = new_hash
    opened = session.exec(
        update(User)
        .where(
            User.id == account.id,
            User.password_hash == account.password_hash,
            User.is_active.is_(True),
            _not_locked(now),
        )
        .values(**values)
        .returning(User.id)
    ).first()
    if opened is None:
        row = session.exec(select(User.locked_until, User.is_active).where(User.id == account.id)).first()
        if row is not None and row.locked_until is not None and row.locked_until > now:
            return _locked(row.locked_until - now)
        if row is not None and not row.is_active:
            return AuthFailed(N_("login.inactive"))
        return AuthFailed(N_("login.failed"))
    audit.record(session, user_id=account.id, action="user.signin", entity="user", entity_id=account.id)
    return load_actor(session, account.id)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def issue_token(session: Session, *, user_id: int) -> str:
    """A random remember-me token; only its SHA-256 is stored."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        AuthToken(
            user_id=user_id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=get_settings().token_hours),
            last_seen_at=now,
        )
    )
    session.flush()
    return token


def actor_from_token(session: Session, *, token: str) -> Actor | None:
    """The user behind a live token, or None (unknown, expired, revoked, idle too long, inactive user)."""
    if not isinstance(token, str) or not token:
        return None
    settings = get_settings()
    now = utcnow()
    row = session.exec(select(AuthToken).where(AuthToken.token_hash == _token_hash(token))).scalar()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if row.last_seen_at + timedelta(minutes=settings.idle_minutes) <= now:
        row.revoked_at = now  # a shared tablet left idle is signed out for good
        session.add(row)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    row.last_seen_at = now
    session.add(row)
    return load_actor(session, user.id)


def token_is_live(session: Session, *, token: str) -> bool:
    """The token is known, not revoked and not expired (an open session checks it on every run, so a
    password change, a reset or a deactivation elsewhere ends it)."""
    row = session.exec(
        select(AuthToken.revoked_at, AuthToken.expires_at).where(AuthToken.token_hash == _token_hash(token))
    ).first()
    return row is not None and row.revoked_at is None and row.expires_at > utcnow()


def touch_token(session: Session, *, token: str) -> None:
    """Record activity on a token so the idle limit counts from now."""
    session.exec(
        update(AuthToken)
        .where(AuthToken.token_hash == _token_hash(token), AuthToken.revoked_at.is_(None))
        .values(last_seen_at=utcnow())
    )


def revoke_token(session: Session, *, token: str) -> None:
    session.exec(
        update(AuthToken)
        .where(AuthToken.token_hash == _token_hash(token), AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all_tokens(session: Session, *, user_id: int) -> None:
    session.exec(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


@entry(Act.ACCOUNT_OWN)
def sign_out(session: Session, *, actor: Actor, token: str | None) -> None:
    if token:
        revoke_token(session, token=token)
    audit.record(
        session, user_id=actor.user_id, action="user.signout", entity="user", entity_id=actor.user_id
    )


@entry(Act.ACCOUNT_OWN)
def change_password(
    *, read: SessionOpener, write: SessionOpener, actor: Actor, current: str, new: str
) -> None:
    """Change my own password and revoke every token of mine (the page gives this tablet a new one).
    argon2 (checking the current password, hashing the new one) runs between a read and a short write."""
    with read() as session:
        old_hash = session.exec(select(User.password_hash).where(User.id == actor.user_id)).scalar()
    if old_hash is None:
        raise NotFound()
    problems = []
    if not _verify(old_hash, current):
        problems.append(FieldProblem("current", "err.wrong_password"))
    problems += check_password_strength(new, "new")
    if problems:
        raise ValidationFailed(problems)
    new_hash = hash_password(new)
    with write() as session:
        changed = session.exec(
            update(User)
            .where(User.id == actor.user_id, User.password_hash == old_hash)
            .values(password_hash=new_hash, password_changed_at=utcnow())
            .returning(User.id)
        ).first()
        if changed is None:  # changed or reset elsewhere meanwhile: what was checked is not current
            raise ValidationFailed([FieldProblem("current", "err.wrong_password")])
        revoke_all_tokens(session, user_id=actor.user_id)
        audit.record(
            session,
            user_id=actor.user_id,
            action="user.password_changed",
            entity="user",
            entity_id=actor.user_id,
        )


@entry(Act.ACCOUNT_OWN)
def change_own_password(session: Session, *, actor: Actor, current: str, new: str) -> None:
    """`change_password` on the caller's one session (scripts, tests); pages use `change_password`."""

    def same() -> AbstractContextManager[Session]:
        return nullcontext(session)

    change_password(read=same, write=same, actor=actor, current=current, new=new)


# ---------------------------------------------------------------- administration


def _validate_new_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    area: Area | None,
    area_code: str,
    team_id: int | None,
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not USERNAME_RE.fullmatch(username):
        problems.append(FieldProblem("username", "err.username_format"))
    elif session.exec(select(User.id).where(User.username == username)).first():
        problems.append(FieldProblem("username", "err.username_taken", {"username": username}))
    problems += check_password_strength(password)
    if role not in set(Role):
        problems.append(FieldProblem("role", "err.unknown_role", {"role": role}))
    if area is None:
        problems.append(FieldProblem("area", "err.unknown_area", {"code": area_code}))
    if role == Role.VOLUNTEER and team_id is None:
        problems.append(FieldProblem("team", "err.volunteer_needs_team"))
    if team_id is not None and area is not None:
        team = session.get(Team, team_id)
        team_area = session.get(Area, team.area_id) if team else None
        if team_area is None or not team_area.path.startswith(area.path):
            problems.append(FieldProblem("team", "err.team_outside_area"))
    return problems


@entry(Act.USER_MANAGE)
def create_user(
    session: Session,
    *,
    actor: Actor | None,
    username: str,
    password: str,
    role: str,
    area_code: str,
    full_name: str = "",
    team_id: int | None = None,
) -> int:
    """Create a user. `actor=None` is the command line run by the server's administrator."""
    if actor is not None:
        authorize(actor, Act.USER_MANAGE)
    username = (username or "").strip().lower()
    area = session.exec(select(Area).where(Area.code == (area_code or "").strip())).scalar()
    if actor is not None and area is not None:
        get_area_in_scope(session, actor, area.id)  # refuse before saying anything about the data
    problems = _validate_new_user(
        session,
        username=username,
        password=password,
        role=role,
        area=area,
        area_code=area_code,
        team_id=team_id,
    )
    if len(normalize_name(full_name)) > FULL_NAME_MAX:
        problems.append(FieldProblem("full_name", "err.full_name_long", {"max": FULL_NAME_MAX}))
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    user = User(
        username=username,
        full_name=normalize_name(full_name),
        password_hash=hash_password(password),
        role=role,
        area_id=area.id,
        team_id=team_id,
        password_changed_at=now,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        user_id=actor.user_id if actor else None,
        action="user.created",
        entity="user",
        entity_id=user.id,
        area_id=area.id,
        details={"username": username, "role": role},
    )
    return user.id


def _managed_user(session: Session, actor: Actor, user_id: int) -> User:
    authorize(actor, Act.USER_MANAGE)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    get_area_in_scope(session, actor, user.area_id)
    return user


@entry(Act.USER_MANAGE)
def reset_password(session: Session, *, actor: Actor, user_id: int, new_password: str) -> None:
    user = _managed_user(session, actor, user_id)
    problems = check_password_strength(new_password)
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_attempts = 0
    user.locked_until = None
    session.add(user)
    revoke_all_tokens(session, user_id=user.id)
    audit.record(
        session, user_id=actor.user_id, action="user.password_reset", entity="user", entity_id=user.id
    )


@entry(Act.USER_MANAGE)
def unlock_user(session: Session, *, actor: Actor, user_id: int) -> None:
    user = _managed_user(session, actor, user_id)
    user.failed_attempts = 0
    user.locked_until = None
    session.add(user)
    audit.record(session, user_id=actor.user_id, action="user.unlocked", entity="user", entity_id=user.id)


@entry(Act.USER_MANAGE)
def set_active(session: Session, *, actor: Actor, user_id: int, active: bool) -> None:
    user = _managed_user(session, actor, user_id)
    if user.id == actor.user_id and not active:
        raise PermissionDenied("err.cannot_change_self")
    user.is_active = active
    session.add(user)
    if not active:
        revoke_all_tokens(session, user_id=user.id)
    audit.record(
        session,
        user_id=actor.user_id,
        action="user.activated" if active else "user.deactivated",
        entity="user",
        entity_id=user.id,
    )


@entry(Act.USER_MANAGE)
def list_users(session: Session, *, actor: Actor) -> list[UserRow]:
    authorize(actor, Act.USER_MANAGE)
    now = utcnow()
    rows = session.exec(
        select(User, Area.code, Area.name)
        .join(Area, Area.id == User.area_id)
        .where(Area.path.like(actor.area_path + "%"))
        .order_by(User.username)
    ).all()
    return [
        UserRow(
            id=u.id,
            username=u.username,
            full_name=u.full_name,
            role=u.role,
            area_code=code,
            area_name=name,
            team_id=u.team_id,
            is_active=u.is_active,
            locked=bool(u.locked_until and u.locked_until > now),
            failed_attempts=u.failed_attempts,
            last_login_at=u.last_login_at,
        )
        for u, code, name in rows
    ]
