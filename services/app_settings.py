"""Settings an admin changes in the app (table app_setting): the public address printed in QR codes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session

from core.labels import N_
from core.settings import get_settings
from models.enums import Role
from models.tables import AppSetting
from services import audit
from services.access import Actor
from services.errors import AppError, FieldProblem, PermissionDenied, ValidationFailed
from services.permissions import Act, authorize, entry

PUBLIC_BASE_URL = "public_base_url"  # app_setting key; the APP_BASE_URL environment variable is the fallback
URL_MAX = 200


@dataclass(frozen=True)
class PublicAddress:
    """The address QR codes on household cards open, where it comes from, and why it cannot be printed."""

    url: str
    source: str  # "setting" (set in the app), "environment" (APP_BASE_URL) or "default" (nothing set)
    problem: str | None  # an i18n key while phones could not open it; None when cards may be printed

    def refusal(self) -> AppError | None:
        return AppError(self.problem, url=self.url) if self.problem else None


def is_loopback(url: str) -> bool:
    """The address names the server itself (localhost, 127.x, ::1, 0.0.0.0): no phone can open it."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def url_problem(url: str) -> str | None:
    """Why `url` cannot serve as the public address (an i18n key), or None when it can."""
    if not url:
        return N_("err.public_url_format")
    if len(url) > URL_MAX:
        return N_("err.public_url_long")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return N_("err.public_url_format")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() for ch in url)
        or parts.username is not None
        or parts.query
        or parts.fragment
    ):
        return N_("err.public_url_format")
    if is_loopback(url):
        return N_("err.public_url_loopback_field")
    return None


def stored_public_base_url(session: Session) -> str:
    """The address set in the app ("" when none)."""
    setting = session.get(AppSetting, PUBLIC_BASE_URL)
    return setting.value if setting is not None else ""


def public_address(session: Session) -> PublicAddress:
    """The address set in the app, else APP_BASE_URL, else the default; with the reason it is unusable."""
    stored = stored_public_base_url(session)
    if stored:
        url, source = stored, "setting"
    elif get_settings().app_base_url_is_set:
        url, source = get_settings().app_base_url, "environment"
    else:
        return PublicAddress(get_settings().app_base_url, "default", N_("err.public_url_unset"))
    if is_loopback(url):
        return PublicAddress(url, source, N_("err.public_url_loopback"))
    if url_problem(url):
        return PublicAddress(url, source, N_("err.public_url_invalid"))
    return PublicAddress(url, source, None)


def require_public_base_url(session: Session) -> str:
    """The public address, or AppError while it is unset, a loopback address or not a web address."""
    address = public_address(session)
    refusal = address.refusal()
    if refusal is not None:
        raise refusal
    return address.url


def may_change_settings(actor: Actor) -> bool:
    """Settings hold for the whole installation: only an admin of a top-level area changes them."""
    return actor.role == Role.ADMIN and actor.area_path.count("/") == 2  # "/<id>/": no parent


@entry(Act.SETTINGS_MANAGE)
def set_public_base_url(session: Session, *, actor: Actor, url: str) -> str:
    """Store the public address (http or https, not loopback); an empty value falls back to
    APP_BASE_URL. Returns what was stored."""
    authorize(actor, Act.SETTINGS_MANAGE)
    if not may_change_settings(actor):
        raise PermissionDenied("err.settings_top_admin")
    url = (url or "").strip().rstrip("/")
    if url:
        problem = url_problem(url)
        if problem:
            raise ValidationFailed([FieldProblem(PUBLIC_BASE_URL, problem, {"max": URL_MAX})])
    old = stored_public_base_url(session)
    if url == old:
        return url
    setting = session.get(AppSetting, PUBLIC_BASE_URL)
    if not url:
        session.delete(setting)
    elif setting is None:
        session.add(AppSetting(key=PUBLIC_BASE_URL, value=url))
    else:
        setting.value = url
        session.add(setting)
    audit.record(
        session,
        user_id=actor.user_id,
        action="setting.changed",
        entity="app_setting",
        entity_id=PUBLIC_BASE_URL,
        details={"from": old, "to": url},
    )
    return url
