"""The one call every page makes first: find the signed-in user, or show the sign-in form and stop;
refuse a wrong role; draw the role's menu. Pages can run without app.py, so this never trusts it.

The menu is a top bar with a popover, never a sidebar: on a portrait tablet a sidebar left open
narrows the working area of the next page. The UI language is remembered per user on the server."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import time

import streamlit as st
from sqlmodel import Session
from streamlit.errors import StreamlitPageNotFoundError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import labels
from core.i18n import LANGS
from core.settings import get_settings
from models.db import DatabaseConfigError
from services import auth, preferences
from services.access import Actor, load_actor
from services.errors import AppError, PermissionDenied
from services.permissions import Act, may
from webui import state
from webui.db import DatabaseDown, reading, stop_unavailable, writing
from webui.registry import pages_for
from webui.state import t

TOUCH_EVERY_SECONDS = 60
LANG_SWITCH = "lang_switch"
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}
HOME_PAGE = "pages/home.py"
# The top bar replaces the sidebar; Streamlit's 6rem top padding would leave a blank band above it.
TOP_BAR_CSS = '<style>[data-testid="stMainBlockContainer"]{padding-top:3.75rem}</style>'


def require(action: Act) -> Actor:
    """The signed-in actor whose role may do `action` (services.permissions); otherwise stop the page."""
    actor = current_actor()
    if actor is None:
        _sign_in_form()
        st.stop()
    _menu(actor)
    if not may(actor.role, action):
        # Every page is registered for everyone (app.py), so another role's URL lands here, not on
        # Streamlit's English "Page not found" dialog.
        st.error(t("login.forbidden_page"))
        _page_link(HOME_PAGE, t("shell.back_home"), ":material/home:")
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
    except DatabaseDown:  # a write; a read that gets no answer says so itself (reading())
        stop_unavailable()
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
            with reading() as session:
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
        _settle_language(actor)
        return actor
    token = _cookie_token()
    if token is None:
        return None
    with writing() as session:
        actor = auth.actor_from_token(session, token=token)
    if actor is None:
        return None
    st.session_state[state.USER_ID] = actor.user_id
    st.session_state[state.TOKEN] = token
    st.session_state[state.LAST_ACTIVE] = now
    st.session_state[state.LAST_TOUCH] = now
    _settle_language(actor)
    return actor


def _settle_language(actor: Actor) -> None:
    """Once per user and browser session: a language chosen on the sign-in page becomes the user's
    choice; otherwise the language the user chose last (on any device) is shown."""
    if st.session_state.get(state.LANG_USER) == actor.user_id:
        return
    chosen = st.session_state.pop(state.LANG_CHOSEN, None)
    if chosen in LANGS:
        with writing() as session:
            preferences.set_language(session, actor=actor, language=chosen)
    else:
        with reading() as session:
            stored = preferences.language_of(session, actor=actor)
        if stored:
            st.session_state[state.LANG] = stored
    st.session_state[state.LANG_USER] = actor.user_id


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
    with writing() as session:
        auth.touch_token(session, token=token)
    st.session_state[state.LAST_TOUCH] = now


def _forget(*, revoke: bool) -> None:
    token = st.session_state.get(state.TOKEN)
    user_id = st.session_state.get(state.USER_ID)
    if revoke and token:
        with writing() as session:
            auth.revoke_token(session, token=token)
    for key in (state.USER_ID, state.TOKEN, state.LAST_ACTIVE, state.LAST_TOUCH, state.LANG_USER):
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
    st.html(TOP_BAR_CSS)
    with st.container(horizontal=True, horizontal_alignment="right", key="shell_signin_lang"):
        _language_switch(None)
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
        # argon2 runs between the read and the short write, with no transaction open (services.auth).
        result = auth.sign_in(
            read=_read_or_raise,
            write=writing,
            username=username,
            password=password,
            source=client_source(),
        )
    except DatabaseDown as exc:
        st.error(exc.message(state.lang()))
        return
    if isinstance(result, auth.AuthFailed):
        st.error(result.message(state.lang()))
        return
    token = result.token
    now = time.time()
    st.session_state[state.USER_ID] = result.actor.user_id
    st.session_state[state.TOKEN] = token
    st.session_state[state.LAST_ACTIVE] = now
    st.session_state[state.LAST_TOUCH] = now
    st.session_state.pop("login_password", None)
    _write_cookie(token)
    time.sleep(0.3)  # let the browser run the cookie script before the rerun replaces it
    st.rerun()


def _read_or_raise() -> contextlib.AbstractContextManager[Session]:
    # The sign-in form keeps its input when the database does not answer: DatabaseDown, not a stop.
    return reading(stop=False)


def client_source() -> str:
    """Who is signing in, for the per-source sign-in throttle: the client's address, else this browser
    session. Behind a proxy on this host or the private network (nginx), the address is the last
    X-Forwarded-For entry, the one the proxy appended (earlier entries are the client's own claims);
    otherwise the connection's own address, and forwarding headers are ignored (anyone could send them)."""
    peer = _context_value("ip_address")  # None on a loopback connection
    if isinstance(peer, str) and peer and not _is_private(peer):
        return f"ip:{peer}"
    headers = _context_value("headers")
    forwarded = headers.get("X-Forwarded-For") if headers is not None else None
    if isinstance(forwarded, str) and forwarded.strip(" ,"):
        return "ip:" + forwarded.split(",")[-1].strip()
    if isinstance(peer, str) and peer:
        return f"ip:{peer}"
    ctx = get_script_run_ctx()
    return f"session:{ctx.session_id if ctx is not None else 'none'}"


def _context_value(name: str) -> object:
    try:
        return getattr(st.context, name)
    except Exception:  # no server behind this run (AppTest)
        return None


def _is_private(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_private
    except ValueError:
        return False


def renew_token(user_id: int) -> None:
    """A fresh remember-me token for this browser (after a password change revoked the old ones)."""
    with writing() as session:
        token = auth.issue_token(session, user_id=user_id)
    st.session_state[state.TOKEN] = token
    _write_cookie(token)


def sign_out(actor: Actor) -> None:
    token = st.session_state.get(state.TOKEN)
    with writing() as session:
        auth.sign_out(session, actor=actor, token=token)
    _forget(revoke=False)
    state.flash(t("login.signed_out"), "info")


def _menu(actor: Actor) -> None:
    """Who is signed in, and a Menu button whose popover holds the role's pages, the language and
    Sign out. It floats over the page and closes on navigation: the working area keeps its width."""
    st.html(TOP_BAR_CSS)
    with st.container(
        horizontal=True,
        horizontal_alignment="distribute",
        vertical_alignment="center",
        key="shell_top",
    ):
        st.caption(f"**{actor.full_name}** · " + t(labels.ROLE[actor.role]) + f" · {actor.area_name}")
        with st.popover(t("shell.menu"), icon=":material/menu:", key="shell_menu"):
            for spec in pages_for(actor.role):
                _page_link(spec.path, t(spec.title_key), spec.icon)
            st.divider()
            _language_switch(actor)
            if st.button(t("nav.signout"), icon=":material/logout:", key="sign_out", width="stretch"):
                sign_out(actor)
                time.sleep(0.3)
                st.rerun()


def _page_link(path: str, label: str, icon: str) -> None:
    # Page paths resolve against the entry script; a page file run as the entry script
    # (AppTest.from_file("pages/x.py")) cannot link to its siblings. The refusal and the
    # sign-out button must still be drawn.
    with contextlib.suppress(StreamlitPageNotFoundError):
        st.page_link(path, label=label, icon=icon, width="stretch")


def _language_switch(actor: Actor | None) -> None:
    """Tiếng Việt / English. The widget follows the session's language (which may come from the
    user's stored choice), and a change is saved for the signed-in user at once (on_change)."""
    if st.session_state.get(LANG_SWITCH) != state.lang():
        st.session_state[LANG_SWITCH] = state.lang()
    st.segmented_control(
        t("lang.label"),
        options=list(LANGS),
        format_func=LANG_NAMES.get,
        required=True,
        key=LANG_SWITCH,
        on_change=_language_changed,
        args=(actor,),
    )


def _language_changed(actor: Actor | None) -> None:
    choice = st.session_state.get(LANG_SWITCH)
    if choice not in LANGS:
        return
    st.session_state[state.LANG] = choice
    if actor is None or st.session_state.get(state.USER_ID) != actor.user_id:
        st.session_state[state.LANG_CHOSEN] = choice  # signed out: kept for whoever signs in next
        return
    try:
        with writing() as session:
            preferences.set_language(session, actor=actor, language=choice)
    except AppError:  # DatabaseDown included
        pass  # the choice still holds for this session; it is saved with the next change
