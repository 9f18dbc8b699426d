"""The one call every page makes first: find the signed-in user, or show the sign-in form and stop;
refuse a wrong role; draw the role's menu. Pages can run without app.py, so this never trusts it."""

from __future__ import annotations

import json
import time

import streamlit as st
from sqlalchemy.exc import InterfaceError, OperationalError
from streamlit.errors import StreamlitPageNotFoundError

from models.db import DatabaseConfigError, DatabaseUnavailable, read_session, write_session
from models.settings import get_settings
from services import auth
from services.errors import PermissionDenied
from services.scope import Actor, load_actor
from webui import state
from webui.registry import pages_for
from webui.state import t

TOUCH_EVERY_SECONDS = 60
# The database did not answer (down, unreachable, locked for too long).
DB_DOWN = (OperationalError, InterfaceError, DatabaseUnavailable)


def require(*roles: str) -> Actor:
    """The signed-in actor with one of `roles` (any role when none given); otherwise stop the page."""
    _language_switch()
    actor = current_actor()
    if actor is None:
        _sign_in_form()
        st.stop()
    _menu(actor)
    if roles and actor.role not in roles:
        st.error(t("login.forbidden_page"))
        st.stop()
    state.show_flash()
    return actor


def current_actor() -> Actor | None:
    """The actor of this browser session, restoring it from the remember-me cookie after a refresh.
    When the database is misconfigured or does not answer, say so in plain words and stop the page."""
    try:
        return _current_actor()
    except DatabaseConfigError:
        st.error(t("err.db_config"))
    except DB_DOWN:
        st.error(t("err.db_unavailable_page"))
        st.button(t("journey.retry"), key="db_retry", type="primary")  # a press reruns the page
    st.stop()


def _current_actor() -> Actor | None:
    settings = get_settings()
    now = time.time()
    user_id = st.session_state.get(state.USER_ID)
    if user_id is not None:
        last = st.session_state.get(state.LAST_ACTIVE, now)
        if now - last > settings.idle_minutes * 60:
            _forget(revoke=True)
            state.flash(t("login.idle_out", minutes=settings.idle_minutes), "info")
            return None
        try:
            with read_session(state.engine()) as session:
                actor = load_actor(session, user_id)
                token = st.session_state.get(state.TOKEN)
                if token and not auth.token_is_live(session, token=token):
                    raise PermissionDenied("login.session_ended")
        except PermissionDenied:
            # Deactivated, or the password was changed or reset elsewhere: this tablet signs out too.
            _forget(revoke=True)
            state.flash(t("login.session_ended"), "info")
            return None
        st.session_state[state.LAST_ACTIVE] = now
        _touch_token(now)
        return actor
    token = _cookie_token()
    if token is None:
        return None
    with write_session(state.engine()) as session:
        actor = auth.actor_from_token(session, token=token)
    if actor is None:
        return None
    st.session_state[state.USER_ID] = actor.user_id
    st.session_state[state.TOKEN] = token
    st.session_state[state.LAST_ACTIVE] = now
    st.session_state[state.LAST_TOUCH] = now
    return actor


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(state.COOKIE_NAME)
    except Exception:
        return None
    return value if isinstance(value, str) and value else None  # AppTest hands back a MagicMock


def _touch_token(now: float) -> None:
    token = st.session_state.get(state.TOKEN)
    if not token or now - st.session_state.get(state.LAST_TOUCH, 0) < TOUCH_EVERY_SECONDS:
        return
    with write_session(state.engine()) as session:
        auth.touch_token(session, token=token)
    st.session_state[state.LAST_TOUCH] = now


def _forget(*, revoke: bool) -> None:
    token = st.session_state.get(state.TOKEN)
    user_id = st.session_state.get(state.USER_ID)
    if revoke and token:
        with write_session(state.engine()) as session:
            auth.revoke_token(session, token=token)
    for key in (state.USER_ID, state.TOKEN, state.LAST_ACTIVE, state.LAST_TOUCH):
        st.session_state.pop(key, None)
    if user_id is not None:
        _write_cookie(None)


def _write_cookie(token: str | None) -> None:
    """Set or clear the remember-me cookie in the browser (the server keeps only the token's hash)."""
    name = state.COOKIE_NAME
    if token is None:
        value = f"{name}=; Max-Age=0; Path=/; SameSite=Strict"
    else:
        max_age = get_settings().token_hours * 3600
        value = f"{name}={token}; Max-Age={max_age}; Path=/; SameSite=Strict"
    # Secure is added when served over HTTPS (plain HTTP drops Secure cookies except on localhost).
    script = (
        f"<script>(function(){{var c={json.dumps(value)};"
        "if (window.parent.location.protocol === 'https:') c += '; Secure';"
        "window.parent.document.cookie = c; document.cookie = c;})();</script>"
    )
    st.html(script, unsafe_allow_javascript=True)


def _sign_in_form() -> None:
    state.show_flash()
    st.title(t("app.title"))
    st.caption(t("app.tagline"))
    st.subheader(t("login.heading"))
    with st.form("sign_in", clear_on_submit=False):
        username = st.text_input(t("login.username"), key="login_username", autocomplete="username")
        password = st.text_input(
            t("login.password"), type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("login.submit"), type="primary", width="stretch")
    if not submitted:
        return
    if not username.strip() or not password:
        st.error(t("login.need_fields"))
        return
    try:
        with write_session(state.engine()) as session:
            result = auth.authenticate(session, username=username, password=password)
            token = auth.issue_token(session, user_id=result.user_id) if isinstance(result, Actor) else None
    except DB_DOWN:
        st.error(t("err.db_unavailable"))
        return
    if not isinstance(result, Actor):
        st.error(result.message(state.lang()))
        return
    now = time.time()
    st.session_state[state.USER_ID] = result.user_id
    st.session_state[state.TOKEN] = token
    st.session_state[state.LAST_ACTIVE] = now
    st.session_state[state.LAST_TOUCH] = now
    st.session_state.pop("login_password", None)
    _write_cookie(token)
    time.sleep(0.3)  # let the browser run the cookie script before the rerun replaces it
    st.rerun()


def renew_token(user_id: int) -> None:
    """A fresh remember-me token for this browser (after a password change revoked the old ones)."""
    with write_session(state.engine()) as session:
        token = auth.issue_token(session, user_id=user_id)
    st.session_state[state.TOKEN] = token
    _write_cookie(token)


def sign_out(actor: Actor) -> None:
    token = st.session_state.get(state.TOKEN)
    with write_session(state.engine()) as session:
        auth.sign_out(session, actor=actor, token=token)
    _forget(revoke=False)
    state.flash(t("login.signed_out"), "info")


def _menu(actor: Actor) -> None:
    with st.sidebar:
        st.markdown(f"**{actor.full_name}**  \n{t('role.' + actor.role)} · {actor.area_name}")
        for spec in pages_for(actor.role):
            try:
                st.page_link(spec.path, label=t(spec.title_key), icon=spec.icon, width="stretch")
            except StreamlitPageNotFoundError:
                # Page paths resolve against the entry script; a page file run as the entry script
                # (AppTest.from_file("pages/x.py")) cannot link to its siblings. The refusal and the
                # sign-out button below must still be drawn.
                continue
        if st.button(t("nav.signout"), icon=":material/logout:", key="sign_out", width="stretch"):
            sign_out(actor)
            time.sleep(0.3)
            st.rerun()


def _language_switch() -> None:
    with st.sidebar:
        choice = st.segmented_control(
            t("lang.label"),
            options=["vi", "en"],
            format_func=lambda c: {"vi": "Tiếng Việt", "en": "English"}[c],
            default=state.lang(),
            key="lang_switch",
        )
        if choice and choice != state.lang():
            st.session_state[state.LANG] = choice
            st.rerun()
