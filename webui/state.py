"""Session-state keys (only ids and UI choices live in session_state) and the cached engine."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from core.i18n import DEFAULT_LANG
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
    """A catalogue string in the current UI language (plural entries take their form from `n`/`count`)."""
    return _t(key, lang(), **params)


def flash(message: str, kind: str = "success") -> None:
    """A message to show on the next run (after st.rerun)."""
    st.session_state[FLASH] = (kind, message)


def show_flash() -> None:
    item = st.session_state.pop(FLASH, None)
    if item:
        kind, message = item
        getattr(st, kind)(message)
