"""Session-state keys (only ids and UI choices live in session_state) and the cached engine."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from core.i18n import DEFAULT_LANG, MESSAGES
from core.i18n import t as _t
from core.settings import get_settings
from models.db import make_engine

USER_ID = "auth.user_id"
TOKEN = "auth.token"
LAST_ACTIVE = "auth.last_active"
LAST_TOUCH = "auth.last_touch"
FLASH = "ui.flash"
LANG = "ui.lang"
LANG_USER = "ui.lang_user"  # the user whose stored language this session has settled
LANG_CHOSEN = "ui.lang_chosen"  # chosen on the sign-in page: saved for the user who signs in next
COOKIE_NAME = "fiveb3h_session"


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """One engine per process and database URL."""
    return _engine_for(get_settings().database_url)


def lang() -> str:
    return st.session_state.get(LANG, DEFAULT_LANG)


def t(key: str, **params: object) -> str:
    """A catalogue string in the current UI language (singular English form when the count is 1)."""
    current = lang()
    return _t(plural_key(key, current, params), current, **params)


COUNT_PARAMS = ("n", "count")


def plural_key(key: str, language: str, params: dict) -> str:
    """`key + ".one"` when English is shown, the count parameter (`n`, else `count`) is 1 and the
    catalogue has that entry ("1 person", "3 people"); `key` otherwise. Vietnamese has no plural."""
    if language != "en":
        return key
    count = next((params[name] for name in COUNT_PARAMS if name in params), None)
    if count == 1 and key + ".one" in MESSAGES:
        return key + ".one"
    return key


def flash(message: str, kind: str = "success") -> None:
    """A message to show on the next run (after st.rerun)."""
    st.session_state[FLASH] = (kind, message)


def show_flash() -> None:
    item = st.session_state.pop(FLASH, None)
    if item:
        kind, message = item
        getattr(st, kind)(message)
