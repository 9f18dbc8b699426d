"""Users: list the users in my area, create one, reset a password, unlock, deactivate or reactivate."""

import streamlit as st

from core import labels
from models.enums import Role
from services import auth
from services.areas import list_subtree
from services.errors import AppError, FieldProblem, ValidationFailed
from services.permissions import Act
from services.teams.teams import list_teams
from webui.db import reading, writing
from webui.form_notice import notice_next_run, show_notice, show_problems
from webui.guard import require
from webui.state import lang, t

actor = require(Act.USER_MANAGE)

# session_state keys (UI choices and form inputs only)
KEY_ROLE = "admin_users.role"
KEY_AREA = "admin_users.area"
KEY_USERNAME = "admin_users.username"
KEY_FULL_NAME = "admin_users.full_name"
KEY_TEAM = "admin_users.team"
KEY_PASSWORD = "admin_users.password"
KEY_REPEAT = "admin_users.repeat"
KEY_PICK = "admin_users.pick"
KEY_NEW_PASSWORD = "admin_users.new_password"
KEY_NEW_REPEAT = "admin_users.new_repeat"
# Form generations: a successful save bumps the counter, so the form's widgets come back new and empty
# (a browser keeps what was typed into a widget it still has); a failed save keeps the input.
KEY_CREATE_GEN = "admin_users.create_gen"
KEY_RESET_GEN = "admin_users.reset_gen"


def gen_key(key: str, counter: str) -> str:
    """The widget key of `key` in the current generation of its form."""
    return f"{key}.{st.session_state.get(counter, 0)}"


def next_gen(counter: str) -> None:
    st.session_state[counter] = st.session_state.get(counter, 0) + 1


def user_list(users, team_names: dict[int, str]) -> None:
    st.subheader(t("admin_users.list"))
    if not users:
        st.info(t("admin_users.empty"))
        return
    st.dataframe(
        [
            {
                t("admin_users.col_username"): u.username,
                t("admin_users.col_name"): u.full_name,
                t("admin_users.col_role"): t(labels.ROLE[u.role]),
                t("admin_users.col_area"): f"{u.area_name} ({u.area_code})",
                t("admin_users.col_team"): team_names.get(u.team_id, "") if u.team_id else "",
                t("admin_users.col_active"): t("admin_users.yes") if u.is_active else t("admin_users.no"),
                t("admin_users.col_locked"): t("admin_users.yes") if u.locked else t("admin_users.no"),
            }
            for u in users
        ],
        hide_index=True,
    )


# ---------------------------------------------------------------- create


def create_section(areas) -> None:
    """Role and area first (they decide whether a team is asked for), then the form; saved, a new empty
    form and the confirmation below it."""
    st.subheader(t("admin_users.create"))
    area_label = {a.id: f"{a.name} ({a.code})" for a in areas}
    area_code = {a.id: a.code for a in areas}
    slots: dict = {}
    role = st.selectbox(
        t("admin_users.role"),
        options=[r.value for r in Role],
        format_func=lambda r: t(labels.ROLE[r]),
        key=KEY_ROLE,
    )
    slots["role"] = st.empty()
    area_id = st.selectbox(
        t("admin_users.area"), options=list(area_label), format_func=area_label.get, key=KEY_AREA
    )
    slots["area"] = st.empty()
    teams = []
    if role == Role.VOLUNTEER and area_id is not None:
        with reading() as session:
            teams = list_teams(session, actor=actor, area_id=area_id)
    values, create_clicked = create_form(role, teams, slots)
    show_notice("create")
    if create_clicked:
        create_user(role, area_code.get(area_id, ""), values, slots)


def create_form(role: str, teams, slots: dict) -> tuple[dict, bool]:
    """The new user's username, name, team (a volunteer), password twice; returns them and the tap."""
    with st.form(gen_key("create_user", KEY_CREATE_GEN)):
        username = st.text_input(
            t("admin_users.username"),
            key=gen_key(KEY_USERNAME, KEY_CREATE_GEN),
            help=t("admin_users.username_help"),
        )
        slots["username"] = st.empty()
        full_name = st.text_input(t("admin_users.full_name"), key=gen_key(KEY_FULL_NAME, KEY_CREATE_GEN))
        slots["full_name"] = st.empty()
        team_id = None
        slots["team"] = None
        if role == Role.VOLUNTEER:
            team_label = {row.id: f"{row.name} · {row.area_name}" for row in teams}
            team_id = st.selectbox(
                t("admin_users.team"),
                options=list(team_label),
                format_func=team_label.get,
                index=None,
                placeholder=t("admin_users.team_pick"),
                key=gen_key(KEY_TEAM, KEY_CREATE_GEN),
            )
            slots["team"] = st.empty()
            if not teams:
                st.caption(t("admin_users.no_teams"))
        password = st.text_input(
            t("admin_users.password"), type="password", key=gen_key(KEY_PASSWORD, KEY_CREATE_GEN)
        )
        slots["password"] = st.empty()
        repeat = st.text_input(
            t("admin_users.repeat"), type="password", key=gen_key(KEY_REPEAT, KEY_CREATE_GEN)
        )
        slots["repeat"] = st.empty()
        clicked = st.form_submit_button(t("admin_users.create_submit"), type="primary")
    values = {"username": username, "full_name": full_name, "team_id": team_id, "password": password}
    return values | {"repeat": repeat}, clicked


def create_user(role: str, area_code: str, values: dict, slots: dict) -> None:
    try:
        if values["password"] != values["repeat"]:
            raise ValidationFailed([FieldProblem("repeat", "admin_users.mismatch")])
        with writing() as session:
            auth.create_user(
                session,
                actor=actor,
                username=values["username"],
                password=values["password"],
                role=role,
                area_code=area_code,
                full_name=values["full_name"],
                team_id=values["team_id"],
            )
    except AppError as exc:
        show_problems(exc, slots)
    else:
        next_gen(KEY_CREATE_GEN)
        notice_next_run("create", t("admin_users.created", username=values["username"].strip().lower()))
        st.rerun()


# ---------------------------------------------------------------- manage one user


def pick_user(users):
    """The user to manage, with their role, area and state."""
    by_id = {u.id: u for u in users}
    picked = st.selectbox(
        t("admin_users.pick"),
        options=list(by_id),
        format_func=lambda i: f"{by_id[i].username} — {by_id[i].full_name}",
        key=KEY_PICK,
    )
    target = by_id[picked]
    st.caption(
        t(
            "admin_users.status",
            role=t(labels.ROLE[target.role]),
            area=target.area_name,
            active=t("admin_users.active") if target.is_active else t("admin_users.inactive"),
            locked=t("admin_users.locked") if target.locked else t("admin_users.not_locked"),
        )
    )
    return target


def run_action(target, action, message: str, **kwargs) -> None:
    """Call one admin service in its own transaction; on success confirm beside the buttons and rerun."""
    try:
        with writing() as session:
            action(session, actor=actor, user_id=target.id, **kwargs)
    except AppError as exc:
        st.error(exc.message(lang()))
    else:
        notice_next_run("manage", message)
        st.rerun()


def state_buttons(target) -> None:
    """Unlock; deactivate (never oneself) or reactivate."""
    col_unlock, col_active = st.columns(2)
    if col_unlock.button(t("admin_users.unlock"), key="admin_users.unlock_btn", disabled=not target.locked):
        run_action(target, auth.unlock_user, t("admin_users.unlocked", username=target.username))
    is_self = target.id == actor.user_id
    if target.is_active:
        if col_active.button(
            t("admin_users.deactivate"),
            key="admin_users.deactivate_btn",
            disabled=is_self,
            help=t("admin_users.self_note") if is_self else None,
        ):
            run_action(
                target, auth.set_active, t("admin_users.deactivated", username=target.username), active=False
            )
    elif col_active.button(t("admin_users.reactivate"), key="admin_users.reactivate_btn"):
        run_action(
            target, auth.set_active, t("admin_users.reactivated", username=target.username), active=True
        )
    show_notice("manage")


def reset_form(target) -> None:
    with st.form(gen_key("reset_password", KEY_RESET_GEN)):
        st.markdown("**" + t("admin_users.reset") + "**")
        new_password = st.text_input(
            t("admin_users.new_password"), type="password", key=gen_key(KEY_NEW_PASSWORD, KEY_RESET_GEN)
        )
        new_password_slot = st.empty()
        new_repeat = st.text_input(
            t("admin_users.repeat"), type="password", key=gen_key(KEY_NEW_REPEAT, KEY_RESET_GEN)
        )
        new_repeat_slot = st.empty()
        reset_clicked = st.form_submit_button(t("admin_users.reset_submit"))
    show_notice("reset")
    if not reset_clicked:
        return
    try:
        if new_password != new_repeat:
            raise ValidationFailed([FieldProblem("repeat", "admin_users.mismatch")])
        with writing() as session:
            auth.reset_password(session, actor=actor, user_id=target.id, new_password=new_password)
    except AppError as exc:
        show_problems(exc, {"password": new_password_slot, "repeat": new_repeat_slot})
    else:
        next_gen(KEY_RESET_GEN)
        notice_next_run("reset", t("admin_users.reset_done", username=target.username))
        st.rerun()


def render() -> None:
    st.title(t("admin_users.heading"))
    st.caption(t("admin_users.scope", area=actor.area_name))
    with reading() as session:
        users = auth.list_users(session, actor=actor)
        areas = list_subtree(session, actor=actor)
        team_names = {row.id: row.name for row in list_teams(session, actor=actor)}
    user_list(users, team_names)
    create_section(areas)
    st.subheader(t("admin_users.manage"))
    if not users:
        st.stop()
    target = pick_user(users)
    state_buttons(target)
    reset_form(target)


render()
