"""A user's own preferences kept on the server: the UI language they chose last."""

from __future__ import annotations

from sqlmodel import Session

from core.i18n import LANGS
from models.tables import User
from services.access import Actor
from services.errors import FieldProblem, NotFound, ValidationFailed
from services.permissions import Act, entry


@entry(Act.ACCOUNT_OWN)
def language_of(session: Session, *, actor: Actor) -> str | None:
    """The language the actor chose last ("vi" / "en"), or None when they never chose."""
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound()
    return user.language if user.language in LANGS else None


@entry(Act.ACCOUNT_OWN)
def set_language(session: Session, *, actor: Actor, language: str) -> None:
    """Remember the actor's UI language for their next sign-in on any device."""
    if language not in LANGS:
        raise ValidationFailed([FieldProblem("language", "shell.lang_bad")])
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound()
    if user.language != language:
        user.language = language
        session.add(user)
