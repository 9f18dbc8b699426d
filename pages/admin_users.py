"""Users: list the users in my area, create one, reset a password, unlock, deactivate or reactivate."""

import streamlit as st

from models.db import read_session, write_session
from models.enums import Role
from services import auth
from services.areas import list_subtree
from services.errors import AppError, FieldProblem, ValidationFailed
from services.teams.teams import list_teams
from webui.form_notice import notice_next_run, show_notice
from webui.guard import require
from webui.state import engine, lang, t

actor = require(Role.ADMIN)

# session_state keys (UI choices and form inputs only)
K_ROLE = "admin_users.role"
K_AREA = "admin_users.area"
K_USERNAME = "admin_users.username"
K_FULL_NAME = "admin_users.full_name"
K_TEAM = "admin_users.team"
K_PASSWORD = "admin_users.password"
K_REPEAT = "admin_users.repeat"
K_PICK = "admin_users.pick"
K_NEW_PASSWORD = "admin_users.new_password"
K_NEW_REPEAT = "admin_users.new_repeat"
# Form generations: a successful save bumps the counter, so the form's widgets come back new and empty
# (a browser keeps what was typed into a widget it still has); a failed save keeps the input.
K_CREATE_GEN = "admin_users.create_gen"
K_RESET_GEN = "admin_users.reset_gen"


def gen_key(key: str, counter: str) -> str:
    """The widget key of `key` in the current generation of its form."""
    return f"{key}.{st.session_state.get(counter, 0)}"


def next_gen(counter: str) -> None:
    st.session_state[counter] = st.session_state.get(counter, 0) + 1


def show_problems(exc: AppError, slots: dict) -> None:
    """Each problem under its own field; anything without a field slot above the form."""
    problems = exc.problems if isinstance(exc, ValidationFailed) else []
    if not problems:
        st.error(exc.message(lang()))
    for problem in problems:
        slot = slots.get(problem.field)
        (slot.error if slot is not None else st.error)(problem.message(lang()))


st.title(t("admin_users.heading"))
st.caption(t("admin_users.scope", area=actor.area_name))

with read_session(engine()) as session:
    users = auth.list_users(session, actor=actor)
    areas = list_subtree(session, actor=actor)
    team_names = {row.id: row.name for row in list_teams(session, actor=actor)}

area_label = {a.id: f"{a.name} ({a.code})" for a in areas}
area_code = {a.id: a.code for a in areas}

# ---------------------------------------------------------------- list
st.subheader(t("admin_users.list"))
if users:
    st.dataframe(
        [
            {
                t("admin_users.col_username"): u.username,
                t("admin_users.col_name"): u.full_name,
                t("admin_users.col_role"): t("role." + u.role),
                t("admin_users.col_area"): f"{u.area_name} ({u.area_code})",
                t("admin_users.col_team"): team_names.get(u.team_id, "") if u.team_id else "",
                t("admin_users.col_active"): t("admin_users.yes") if u.is_active else t("admin_users.no"),
                t("admin_users.col_locked"): t("admin_users.yes") if u.locked else t("admin_users.no"),
            }
            for u in users
        ],
        hide_index=True,
    )
else:
    st.info(t("admin_users.empty"))

# ---------------------------------------------------------------- create
st.subheader(t("admin_users.create"))
role = st.selectbox(
    t("admin_users.role"), options=[r.value for r in Role], format_func=lambda r: t("role." + r), key=K_ROLE
)
role_slot = st.empty()
area_id = st.selectbox(
    t("admin_users.area"), options=list(area_label), format_func=area_label.get, key=K_AREA
)
area_slot = st.empty()
teams = []
if role == Role.VOLUNTEER and area_id is not None:
    with read_session(engine()) as session:
        teams = list_teams(session, actor=actor, area_id=area_id)

with st.form(gen_key("create_user", K_CREATE_GEN)):
    username = st.text_input(
        t("admin_users.username"), key=gen_key(K_USERNAME, K_CREATE_GEN), help=t("admin_users.username_help")
    )
    username_slot = st.empty()
    full_name = st.text_input(t("admin_users.full_name"), key=gen_key(K_FULL_NAME, K_CREATE_GEN))
    full_name_slot = st.empty()
    team_id = None
    team_slot = None
    if role == Role.VOLUNTEER:
        team_label = {row.id: f"{row.name} · {row.area_name}" for row in teams}
        team_id = st.selectbox(
            t("admin_users.team"),
            options=list(team_label),
            format_func=team_label.get,
            index=None,
            placeholder=t("admin_users.team_pick"),
            key=gen_key(K_TEAM, K_CREATE_GEN),
        )
        team_slot = st.empty()
        if not teams:
            st.caption(t("admin_users.no_teams"))
    password = st.text_input(
        t("admin_users.password"), type="password", key=gen_key(K_PASSWORD, K_CREATE_GEN)
    )
    password_slot = st.empty()
    repeat = st.text_input(t("admin_users.repeat"), type="password", key=gen_key(K_REPEAT, K_CREATE_GEN))
    repeat_slot = st.empty()
    create_clicked = st.form_submit_button(t("admin_users.create_submit"), type="primary")
show_notice("create")

if create_clicked:
    slots = {
        "username": username_slot,
        "full_name": full_name_slot,
        "role": role_slot,
        "area": area_slot,
        "team": team_slot,
        "password": password_slot,
        "repeat": repeat_slot,
    }
    try:
        if password != repeat:
            raise ValidationFailed([FieldProblem("repeat", "admin_users.mismatch")])
        with write_session(engine()) as session:
            auth.create_user(
                session,
                actor=actor,
                username=username,
                password=password,
                role=role,
                area_code=area_code.get(area_id, ""),
                full_name=full_name,
                team_id=team_id,
            )
    except AppError as exc:
        show_problems(exc, slots)
    else:
        next_gen(K_CREATE_GEN)
        notice_next_run("create", t("admin_users.created", username=username.strip().lower()))
        st.rerun()

# ---------------------------------------------------------------- manage one user
st.subheader(t("admin_users.manage"))
if not users:
    st.stop()
by_id = {u.id: u for u in users}
picked = st.selectbox(
    t("admin_users.pick"),
    options=list(by_id),
    format_func=lambda i: f"{by_id[i].username} — {by_id[i].full_name}",
    key=K_PICK,
)
target = by_id[picked]
st.caption(
    t(
        "admin_users.status",
        role=t("role." + target.role),
        area=target.area_name,
        active=t("admin_users.active") if target.is_active else t("admin_users.inactive"),
        locked=t("admin_users.locked") if target.locked else t("admin_users.not_locked"),
    )
)


def run_action(action, message: str, **kwargs) -> None:
    """Call one admin service in its own transaction; on success confirm beside the buttons and rerun."""
    try:
        with write_session(engine()) as session:
            action(session, actor=actor, user_id=target.id, **kwargs)
    except AppError as exc:
        st.error(exc.message(lang()))
    else:
        notice_next_run("manage", message)
        st.rerun()


col_unlock, col_active = st.columns(2)
if col_unlock.button(t("admin_users.unlock"), key="admin_users.unlock_btn", disabled=not target.locked):
    run_action(auth.unlock_user, t("admin_users.unlocked", username=target.username))
is_self = target.id == actor.user_id
if target.is_active:
    if col_active.button(
        t("admin_users.deactivate"),
        key="admin_users.deactivate_btn",
        disabled=is_self,
        help=t("admin_users.self_note") if is_self else None,
    ):
        run_action(auth.set_active, t("admin_users.deactivated", username=target.username), active=False)
elif col_active.button(t("admin_users.reactivate"), key="admin_users.reactivate_btn"):
    run_action(auth.set_active, t("admin_users.reactivated", username=target.username), active=True)
show_notice("manage")

with st.form(gen_key("reset_password", K_RESET_GEN)):
    st.markdown(f"**{t('admin_users.reset')}**")
    new_password = st.text_input(
        t("admin_users.new_password"), type="password", key=gen_key(K_NEW_PASSWORD, K_RESET_GEN)
    )
    new_password_slot = st.empty()
    new_repeat = st.text_input(
        t("admin_users.repeat"), type="password", key=gen_key(K_NEW_REPEAT, K_RESET_GEN)
    )
    new_repeat_slot = st.empty()
    reset_clicked = st.form_submit_button(t("admin_users.reset_submit"))
show_notice("reset")

if reset_clicked:
    try:
        if new_password != new_repeat:
            raise ValidationFailed([FieldProblem("repeat", "admin_users.mismatch")])
        with write_session(engine()) as session:
            auth.reset_password(session, actor=actor, user_id=target.id, new_password=new_password)
    except AppError as exc:
        show_problems(exc, {"password": new_password_slot, "repeat": new_repeat_slot})
    else:
        next_gen(K_RESET_GEN)
        notice_next_run("reset", t("admin_users.reset_done", username=target.username))
        st.rerun()
