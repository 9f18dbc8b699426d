"""Tổ công nghệ số: teams, their members and villages, and a balance of villages across teams."""

from collections import defaultdict

import streamlit as st

from models.db import read_session, write_session
from models.enums import AreaLevel
from services import teams as svc
from services.errors import ValidationFailed
from webui.guard import require
from webui.state import engine, flash, lang, t

TEAM_KEY = "teams.team_id"
BALANCE_KEY = "teams.balance_commune_id"  # the commune whose balance proposal is under review
NEW_MEMBER = 0

actor = require()
manager = actor.role in svc.MANAGER_ROLES


def show_problems(exc: ValidationFailed, slots: dict) -> None:
    """Each message under its field (slots: field -> st.empty()); any other above the page's end."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for problem in exc.problems:
        grouped[problem.field].append(problem.message(lang()))
    for name, messages in grouped.items():
        slot = slots.get(name)
        (slot.error if slot is not None else st.error)(" ".join(messages))


def saved_message(key: str, warnings) -> None:
    if warnings:
        flash(t(key) + " " + " ".join(w.message(lang()) for w in warnings), "warning")
    else:
        flash(t(key))


st.title(t("teams.heading"))
with read_session(engine()) as session:
    rows = svc.list_teams(session, actor=actor)
    areas = svc.team_areas(session, actor=actor) if manager else []

if rows:
    st.dataframe(
        [
            {
                t("teams.col_name"): r.name,
                t("teams.col_area"): r.area_name,
                t("teams.col_members"): r.members,
                t("teams.col_villages"): r.villages,
                t("teams.col_active"): r.active,
            }
            for r in rows
        ],
        hide_index=True,
    )
else:
    st.info(t("teams.empty"))

# ---------------------------------------------------------------- new team
if manager and areas:
    with st.expander(t("teams.new"), expanded=not rows), st.form("team_new"):
        area_names = {a.id: f"{a.name} ({t('level.' + a.level)})" for a in areas}
        new_area = st.selectbox(
            t("teams.area"), list(area_names), format_func=area_names.get, key="team_new_area"
        )
        slot_area = st.empty()
        new_name = st.text_input(t("teams.name"), key="team_new_name", max_chars=200)
        slot_name = st.empty()
        create = st.form_submit_button(t("teams.create"), type="primary")
    if create:
        try:
            with write_session(engine()) as session:
                new_id = svc.create_team(session, actor=actor, area_id=new_area, name=new_name)
        except ValidationFailed as exc:
            show_problems(exc, {"area": slot_area, "name": slot_name})
        else:
            st.session_state[TEAM_KEY] = new_id
            st.session_state.pop("team_new_name", None)
            flash(t("teams.created"))
            st.rerun()

if not rows:
    st.stop()

# ---------------------------------------------------------------- one team
labels = {r.id: f"{r.name} · {r.area_name}" for r in rows}
if st.session_state.get(TEAM_KEY) not in labels:
    st.session_state.pop(TEAM_KEY, None)
team_id = st.selectbox(t("teams.pick"), list(labels), format_func=labels.get, key=TEAM_KEY)
with read_session(engine()) as session:
    team = svc.get_team(session, actor=actor, team_id=team_id)
    commune_villages = (
        svc.commune_villages(session, actor=actor, commune_id=team.commune_id) if manager else []
    )

st.subheader(team.name)
st.caption(f"{team.area_name} · {t('level.' + team.area_level)}")
for warning in team.warnings:
    st.warning(warning.message(lang()))

st.markdown(f"**{t('teams.members')}**")
if team.members:
    st.dataframe(
        [
            {
                t("teams.col_full_name"): m.full_name,
                t("teams.col_kind"): t("kind." + m.kind),
                t("teams.col_phone"): m.phone or "",
                t("teams.col_user"): m.username or "",
                t("teams.col_leader"): m.is_leader,
                t("teams.col_active"): m.active,
            }
            for m in team.members
        ],
        hide_index=True,
    )
else:
    st.info(t("teams.no_members"))

st.markdown(f"**{t('teams.villages')}**")
if team.villages:
    st.write(", ".join(f"{v.name} ({v.households})" for v in team.villages))
else:
    st.info(t("teams.no_villages"))

if not manager:
    st.caption(t("teams.read_only"))
    st.stop()

# ---------------------------------------------------------------- edit the team
with st.expander(t("teams.edit")), st.form(f"team_edit_{team.id}"):
    edit_name = st.text_input(t("teams.name"), value=team.name, key=f"team_name_{team.id}", max_chars=200)
    slot_edit_name = st.empty()
    edit_active = st.checkbox(t("teams.active"), value=team.active, key=f"team_active_{team.id}")
    save_team = st.form_submit_button(t("teams.save"))
if save_team:
    try:
        with write_session(engine()) as session:
            svc.update_team(session, actor=actor, team_id=team.id, name=edit_name, active=edit_active)
    except ValidationFailed as exc:
        show_problems(exc, {"name": slot_edit_name})
    else:
        flash(t("teams.saved"))
        st.rerun()

# ---------------------------------------------------------------- add or edit a member
members = {m.id: m for m in team.members}
member_choice = st.selectbox(
    t("teams.member_pick"),
    [NEW_MEMBER, *members],
    format_func=lambda i: t("teams.member_new") if i == NEW_MEMBER else members[i].full_name,
    key=f"member_pick_{team.id}",
)
current = members.get(member_choice)
with read_session(engine()) as session:
    users = svc.linkable_users(session, actor=actor, member_id=current.id if current else None)
user_names = {None: t("teams.no_user"), **dict(users)}
if current is not None and current.user_id is not None:
    user_names.setdefault(current.user_id, current.username or str(current.user_id))
suffix = f"{team.id}_{member_choice}"
with st.form(f"member_form_{suffix}"):
    m_name = st.text_input(
        t("teams.full_name"),
        value=current.full_name if current else "",
        key=f"m_name_{suffix}",
        max_chars=200,
    )
    slot_m_name = st.empty()
    kinds = list(svc.MEMBER_KINDS)
    m_kind = st.selectbox(
        t("teams.kind"),
        kinds,
        index=kinds.index(current.kind) if current and current.kind in kinds else 0,
        format_func=lambda k: t("kind." + k),
        key=f"m_kind_{suffix}",
    )
    slot_m_kind = st.empty()
    m_phone = st.text_input(
        t("teams.phone"),
        value=(current.phone or "") if current else "",
        key=f"m_phone_{suffix}",
        max_chars=20,
    )
    slot_m_phone = st.empty()
    user_ids = list(user_names)
    m_user = st.selectbox(
        t("teams.user"),
        user_ids,
        index=user_ids.index(current.user_id) if current and current.user_id in user_ids else 0,
        format_func=user_names.get,
        key=f"m_user_{suffix}",
    )
    slot_m_user = st.empty()
    m_leader = st.checkbox(
        t("teams.is_leader"), value=current.is_leader if current else False, key=f"m_lead_{suffix}"
    )
    m_active = st.checkbox(
        t("teams.member_active"), value=current.active if current else True, key=f"m_act_{suffix}"
    )
    save_member = st.form_submit_button(t("teams.member_save"), type="primary")
if save_member:
    data = svc.MemberInput(m_name, m_kind, phone=m_phone, user_id=m_user, is_leader=m_leader, active=m_active)
    try:
        with write_session(engine()) as session:
            if current is None:
                result = svc.add_member(session, actor=actor, team_id=team.id, data=data)
            else:
                result = svc.update_member(session, actor=actor, member_id=current.id, data=data)
    except ValidationFailed as exc:
        show_problems(
            exc,
            {"full_name": slot_m_name, "kind": slot_m_kind, "phone": slot_m_phone, "user_id": slot_m_user},
        )
    else:
        if current is None:
            for key in (f"m_name_{suffix}", f"m_phone_{suffix}"):
                st.session_state.pop(key, None)
        saved_message("teams.member_saved", result.warnings)
        st.rerun()

# ---------------------------------------------------------------- villages
village_names = {v.id: f"{v.name} ({v.households})" for v in commune_villages}
with st.form(f"team_villages_{team.id}"):
    chosen = st.multiselect(
        t("teams.villages"),
        list(village_names),
        default=[v.id for v in team.villages if v.id in village_names],
        format_func=village_names.get,
        key=f"team_villages_pick_{team.id}",
    )
    slot_villages = st.empty()
    save_villages = st.form_submit_button(t("teams.villages_save"))
if save_villages:
    try:
        with write_session(engine()) as session:
            svc.set_team_villages(session, actor=actor, team_id=team.id, village_ids=chosen)
    except ValidationFailed as exc:
        show_problems(exc, {"villages": slot_villages})
    else:
        flash(t("teams.villages_saved"))
        st.rerun()

# ---------------------------------------------------------------- balance
communes = {a.id: a.name for a in areas if a.level == AreaLevel.COMMUNE}
if communes:
    st.subheader(t("teams.balance"))
    st.caption(t("teams.balance_help"))
    commune_id = st.selectbox(
        t("teams.balance_commune"), list(communes), format_func=communes.get, key="teams.balance_pick"
    )
    if st.button(t("teams.balance_propose"), key="balance_propose"):
        st.session_state[BALANCE_KEY] = commune_id
    if st.session_state.get(BALANCE_KEY) == commune_id:
        try:
            with read_session(engine()) as session:
                proposal = svc.propose_balance(session, actor=actor, commune_id=commune_id)
        except ValidationFailed as exc:
            show_problems(exc, {})
            proposal = None
        if proposal is not None:

            def per(value: float | None) -> str:
                return "–" if value is None else f"{value:.1f}"

            st.dataframe(
                [
                    {
                        t("teams.col_name"): x.name,
                        t("teams.col_members"): x.members,
                        t("teams.col_before"): x.households_before,
                        t("teams.col_after"): x.households_after,
                        t("teams.col_per_before"): per(x.per_member_before),
                        t("teams.col_per_after"): per(x.per_member_after),
                    }
                    for x in proposal.loads
                ],
                hide_index=True,
            )
            team_names = {x.team_id: x.name for x in proposal.loads}
            st.dataframe(
                [
                    {
                        t("teams.col_village"): v.name,
                        t("teams.col_households"): v.households,
                        t("teams.col_team_after"): team_names[proposal.assignment[v.id]],
                    }
                    for v in proposal.villages
                ],
                hide_index=True,
            )
            if st.button(t("teams.balance_apply"), type="primary", key="balance_apply"):
                try:
                    with write_session(engine()) as session:
                        svc.apply_balance(
                            session, actor=actor, commune_id=commune_id, assignment=proposal.assignment
                        )
                except ValidationFailed as exc:
                    show_problems(exc, {})
                else:
                    st.session_state.pop(BALANCE_KEY, None)
                    flash(t("teams.balance_applied"))
                    st.rerun()
