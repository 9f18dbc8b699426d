"""Users, passwords (argon2), lockout, and remember-me tokens stored only as hashes."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlmodel import Session

from core.clock import utcnow
from core.labels import N_
from core.settings import get_settings
from core.text import normalize_name
from models.enums import Role
from models.tables import Area, AuthToken, Team, User
from services import audit
from services.access import Actor, get_area_in_scope, load_actor, require_role
from services.errors import AppError, FieldProblem, NotFound, PermissionDenied, ValidationFailed

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._]{2,63}")
FULL_NAME_MAX = 200


class AuthFailed(AppError):
    """Sign-in refused; `key` says why (wrong password, locked, inactive)."""


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


def authenticate(session: Session, *, username: str, password: str) -> Actor | AuthFailed:
    """Check a password; count failures and lock the account after too many.

    Returns the refusal instead of raising it, so the caller's transaction still commits the
    failure count (a raise would roll it back and make the lockout useless).
    """
    settings = get_settings()
    now = utcnow()
    user = session.exec(select(User).where(User.username == (username or "").strip().lower())).scalar()
    if user is None:
        _verify(_DUMMY_HASH, password)
        return AuthFailed(N_("login.failed"))
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return AuthFailed(N_("login.locked"), minutes=minutes)
    if not _verify(user.password_hash, password):
        user.failed_attempts += 1
        session.add(user)
        if user.failed_attempts >= settings.lockout_attempts:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_attempts = 0
            audit.record(session, user_id=user.id, action="user.locked", entity="user", entity_id=user.id)
            return AuthFailed(N_("login.locked"), minutes=settings.lockout_minutes)
        return AuthFailed(N_("login.failed"))
    if not user.is_active:
        return AuthFailed("login.inactive")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    audit.record(session, user_id=user.id, action="user.signin", entity="user", entity_id=user.id)
    session.flush()
    return load_actor(session, user.id)


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


def sign_out(session: Session, *, actor: Actor, token: str | None) -> None:
    if token:
        revoke_token(session, token=token)
    audit.record(
        session, user_id=actor.user_id, action="user.signout", entity="user", entity_id=actor.user_id
    )


def change_own_password(session: Session, *, actor: Actor, current: str, new: str) -> None:
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound()
    problems = []
    if not _verify(user.password_hash, current):
        problems.append(FieldProblem("current", "err.wrong_password"))
    problems += check_password_strength(new, "new")
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    session.add(user)
    revoke_all_tokens(session, user_id=user.id)
    audit.record(session, user_id=user.id, action="user.password_changed", entity="user", entity_id=user.id)


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
        require_role(actor, Role.ADMIN)
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
    require_role(actor, Role.ADMIN)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    get_area_in_scope(session, actor, user.area_id)
    return user


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


def unlock_user(session: Session, *, actor: Actor, user_id: int) -> None:
    user = _managed_user(session, actor, user_id)
    user.failed_attempts = 0
    user.locked_until = None
    session.add(user)
    audit.record(session, user_id=actor.user_id, action="user.unlocked", entity="user", entity_id=user.id)


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


def list_users(session: Session, *, actor: Actor) -> list[UserRow]:
    require_role(actor, Role.ADMIN)
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
