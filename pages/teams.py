"""Tổ công nghệ số: teams, their members and villages, and a balance of villages across teams."""

import streamlit as st

from core import labels
from core.text import normalize_name
from models.enums import AreaLevel
from services.errors import ValidationFailed
from services.permissions import Act, may
from services.teams import teams as svc
from webui.db import reading, writing
from webui.form_notice import notice_next_run, show_notice, show_problems_by_field
from webui.guard import require
from webui.localize import choose_many
from webui.state import flash, lang, t

KEY_TEAM = "teams.team_id"
KEY_BALANCE = "teams.balance_commune_id"  # the commune whose balance proposal is under review
KEY_LEADER = "teams.leader_pending"  # the member form whose save waits for the leader confirmation
# Form generations: a successful save bumps its counter, so the form comes back as new widgets (a
# browser keeps what was typed into a widget it still has); a failed save keeps the input.
KEY_GEN_NEW_TEAM = "teams.gen.new_team"
KEY_GEN_TEAM = "teams.gen.team"
KEY_GEN_MEMBER = "teams.gen.member"
KEY_GEN_VILLAGES = "teams.gen.villages"  # also bumped when a balance is applied
NEW_MEMBER = 0

actor = require(Act.TEAM_READ)
manager = may(actor.role, Act.TEAM_MANAGE)


def gen(name: str) -> int:
    return st.session_state.get(name, 0)


def next_gen(*names: str) -> None:
    for name in names:
        st.session_state[name] = gen(name) + 1


def saved(where: str, message: str, warnings=(), kind: str = "success") -> None:
    """Confirm a save beside its form on the next run, with the warnings the coordinator should read."""
    message = " ".join([message, *(w.message(lang()) for w in warnings)])
    notice_next_run(where, message, "warning" if warnings else kind)


def decimal(value: float | None) -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang() == "vi" else text


def households(value: float) -> int | str:
    """Whole households as a whole number; a share of a village held by several teams with a decimal."""
    return int(value) if value == int(value) else decimal(value)


# ---------------------------------------------------------------- list and new team
def team_list(rows) -> None:
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


def new_team_form(areas, expanded: bool) -> None:
    g = gen(KEY_GEN_NEW_TEAM)
    with st.expander(t("teams.new"), expanded=expanded), st.form(f"team_new_{g}"):
        area_names = {a.id: f"{a.name} (" + t(labels.AREA_LEVEL[a.level]) + ")" for a in areas}
        new_area = st.selectbox(
            t("teams.area"), list(area_names), format_func=area_names.get, key=f"team_new_area_{g}"
        )
        slot_area = st.empty()
        new_name = st.text_input(t("teams.name"), key=f"team_new_name_{g}", max_chars=200)
        slot_name = st.empty()
        create = st.form_submit_button(t("teams.create"), type="primary")
    if create:
        try:
            with writing() as session:
                new_id = svc.create_team(session, actor=actor, area_id=new_area, name=new_name)
        except ValidationFailed as exc:
            show_problems_by_field(exc, {"area": slot_area, "name": slot_name})
        else:
            st.session_state[KEY_TEAM] = new_id
            next_gen(KEY_GEN_NEW_TEAM)
            flash(t("teams.created"))
            st.rerun()


# ---------------------------------------------------------------- one team
def team_view(team) -> None:
    st.subheader(team.name)
    st.caption(f"{team.area_name} · " + t(labels.AREA_LEVEL[team.area_level]))
    for warning in team.warnings:
        st.warning(warning.message(lang()))
    st.markdown("**" + t("teams.members") + "**")
    if team.members:
        st.dataframe(
            [
                {
                    t("teams.col_full_name"): m.full_name,
                    t("teams.col_kind"): t(labels.MEMBER_KIND[m.kind]),
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
    st.markdown("**" + t("teams.villages") + "**")
    if team.villages:
        st.write(", ".join(t("teams.village_option", name=v.name, n=v.households) for v in team.villages))
    else:
        st.info(t("teams.no_villages"))


def team_edit_form(team) -> None:
    g = f"{team.id}_{gen(KEY_GEN_TEAM)}"
    with st.expander(t("teams.edit")), st.form(f"team_edit_{g}"):
        edit_name = st.text_input(t("teams.name"), value=team.name, key=f"team_name_{g}", max_chars=200)
        slot_edit_name = st.empty()
        edit_active = st.checkbox(t("teams.active"), value=team.active, key=f"team_active_{g}")
        save_team = st.form_submit_button(t("teams.save"))
    if save_team:
        try:
            with writing() as session:
                svc.update_team(session, actor=actor, team_id=team.id, name=edit_name, active=edit_active)
        except ValidationFailed as exc:
            show_problems_by_field(exc, {"name": slot_edit_name})
        else:
            next_gen(KEY_GEN_TEAM)
            flash(t("teams.saved"))
            st.rerun()


# ---------------------------------------------------------------- add or edit a member
def member_form(team) -> None:
    members = {m.id: m for m in team.members}
    st.markdown("**" + t("teams.member_form") + "**")
    member_choice = st.selectbox(
        t("teams.member_pick"),
        [NEW_MEMBER, *members],
        format_func=lambda i: t("teams.member_new") if i == NEW_MEMBER else members[i].full_name,
        key=f"member_pick_{team.id}",
    )
    current = members.get(member_choice)
    with reading() as session:
        users = svc.linkable_users(session, actor=actor, member_id=current.id if current else None)
    user_names = {None: t("teams.no_user"), **dict(users)}
    if current is not None and current.user_id is not None:
        user_names.setdefault(current.user_id, current.username or str(current.user_id))
    suffix = f"{team.id}_{member_choice}_{gen(KEY_GEN_MEMBER)}"
    with st.form(f"member_form_{suffix}"):
        m_name = st.text_input(
            t("teams.full_name"),
            value=current.full_name if current else "",
            key=f"m_name_{suffix}",
            max_chars=200,
        )
        slots = {"full_name": st.empty()}
        kinds = list(svc.MEMBER_KINDS)
        m_kind = st.selectbox(
            t("teams.kind"),
            kinds,
            index=kinds.index(current.kind) if current and current.kind in kinds else 0,
            format_func=lambda k: t(labels.MEMBER_KIND[k]),
            key=f"m_kind_{suffix}",
        )
        slots["kind"] = st.empty()
        m_phone = st.text_input(
            t("teams.phone"),
            value=(current.phone or "") if current else "",
            key=f"m_phone_{suffix}",
            max_chars=20,
        )
        slots["phone"] = st.empty()
        user_ids = list(user_names)
        m_user = st.selectbox(
            t("teams.user"),
            user_ids,
            index=user_ids.index(current.user_id) if current and current.user_id in user_ids else 0,
            format_func=user_names.get,
            key=f"m_user_{suffix}",
        )
        slots["user_id"] = st.empty()
        m_leader = st.checkbox(
            t("teams.is_leader"), value=current.is_leader if current else False, key=f"m_lead_{suffix}"
        )
        m_active = st.checkbox(
            t("teams.member_active"), value=current.active if current else True, key=f"m_act_{suffix}"
        )
        save_member = st.form_submit_button(t("teams.member_save"), type="primary")
    show_notice("member")
    data = svc.MemberInput(m_name, m_kind, phone=m_phone, user_id=m_user, is_leader=m_leader, active=m_active)
    if save_member:
        st.session_state.pop(KEY_LEADER, None)
        save_member_data(team, current, data, suffix, slots)
    elif st.session_state.get(KEY_LEADER) == suffix:
        confirm_leader(team, current, data, suffix, slots)


def save_member_data(team, current, data: svc.MemberInput, suffix: str, slots: dict) -> None:
    try:
        with writing() as session:
            if current is None:
                result = svc.add_member(session, actor=actor, team_id=team.id, data=data)
            else:
                result = svc.update_member(session, actor=actor, member_id=current.id, data=data)
    except ValidationFailed as exc:
        if [p.key for p in exc.problems] == ["team.leader_taken"]:
            st.session_state[KEY_LEADER] = suffix
            confirm_leader(team, current, data, suffix, slots)
        else:
            show_problems_by_field(exc, slots)
    else:
        st.session_state.pop(KEY_LEADER, None)
        next_gen(KEY_GEN_MEMBER)
        saved("member", t("teams.member_saved"), result.warnings)
        st.rerun()


def confirm_leader(team, current, data: svc.MemberInput, suffix: str, slots: dict) -> None:
    """The team has a leader already: say who loses the flag and ask before moving it."""
    leader = next((m.full_name for m in team.members if m.is_leader and m.active), "")
    name = normalize_name(data.full_name)
    with st.container(border=True, key=f"leader_confirm_{suffix}"):
        st.warning(t("teams.leader_confirm", leader=leader, name=name))
        yes = st.button(
            t("teams.leader_confirm_yes", name=name),
            type="primary",
            key=f"leader_yes_{suffix}",
            width="stretch",
        )
        no = st.button(
            t("teams.leader_confirm_no", leader=leader), key=f"leader_no_{suffix}", width="stretch"
        )
    if yes:
        data.replace_leader = True
        save_member_data(team, current, data, suffix, slots)
    elif no:
        st.session_state.pop(KEY_LEADER, None)
        saved("member", t("teams.leader_kept", leader=leader), kind="info")
        st.rerun()


# ---------------------------------------------------------------- villages
def villages_form(team, commune_villages) -> None:
    choices = {}
    for v in commune_villages:
        elsewhere = any(team_id != team.id for team_id in v.team_ids)
        key = labels.N_("teams.village_option_taken") if elsewhere else "teams.village_option"
        choices[v.id] = t(key, name=v.name, n=v.households)
    g = f"{team.id}_{gen(KEY_GEN_VILLAGES)}"
    with st.form(f"team_villages_{g}"):
        chosen = st.multiselect(
            t("teams.villages"),
            list(choices),
            default=[v.id for v in team.villages if v.id in choices],
            format_func=choices.get,
            key=f"team_villages_pick_{g}",
            **choose_many(),
        )
        slot_villages = st.empty()
        save_villages = st.form_submit_button(t("teams.villages_save"))
    show_notice("villages")
    if save_villages:
        try:
            with writing() as session:
                result = svc.set_team_villages(session, actor=actor, team_id=team.id, village_ids=chosen)
        except ValidationFailed as exc:
            show_problems_by_field(exc, {"villages": slot_villages})
        else:
            next_gen(KEY_GEN_VILLAGES)
            saved("villages", t("teams.villages_saved"), result.warnings)
            st.rerun()


# ---------------------------------------------------------------- balance
def balance_section(areas) -> None:
    communes = {a.id: a.name for a in areas if a.level == AreaLevel.COMMUNE}
    if not communes:
        return
    st.subheader(t("teams.balance"))
    st.caption(t("teams.balance_explain"))
    show_notice("balance")
    commune_id = st.selectbox(
        t("teams.balance_commune"), list(communes), format_func=communes.get, key="teams.balance_pick"
    )
    if st.button(t("teams.balance_propose"), key="balance_propose"):
        st.session_state[KEY_BALANCE] = commune_id
    if st.session_state.get(KEY_BALANCE) != commune_id:
        return
    try:
        with reading() as session:
            proposal = svc.propose_balance(session, actor=actor, commune_id=commune_id)
    except ValidationFailed as exc:
        show_problems_by_field(exc, {})
        return
    for warning in proposal.warnings:
        st.warning(warning.message(lang()))
    if not proposal.moves:
        st.info(t("teams.balance_none", gap=decimal(proposal.gap_before)))
        return
    balance_proposal(proposal, commune_id)


def balance_proposal(proposal, commune_id: int) -> None:
    """What moves, and why it is better: households per member of each team now → proposed."""
    st.markdown(
        t("teams.balance_gap", before=decimal(proposal.gap_before), after=decimal(proposal.gap_after))
    )
    st.markdown("**" + t("teams.balance_moves", n=len(proposal.moves)) + "**")
    lines = []
    for m in proposal.moves:
        if m.from_team is None:
            lines.append(
                t("teams.balance_move_new", village=m.village_name, n=m.households, to_team=m.to_team)
            )
        else:
            lines.append(
                t(
                    "teams.balance_move",
                    village=m.village_name,
                    n=m.households,
                    from_team=m.from_team,
                    to_team=m.to_team,
                )
            )
    st.markdown("\n".join(f"- {line}" for line in lines))
    # A static table: its cells wrap, so the "now → proposed" column is never cut at tablet width.
    st.table(
        [
            {
                t("teams.col_name"): x.name,
                t("teams.col_members"): x.members,
                t("teams.col_before"): households(x.households_before),
                t("teams.col_after"): households(x.households_after),
                t("teams.col_per_member"): f"{decimal(x.per_member_before)} → {decimal(x.per_member_after)}",
            }
            for x in proposal.loads
        ],
        hide_index=True,
        border="horizontal",
    )
    st.caption(t("teams.balance_why"))
    if st.button(t("teams.balance_apply"), type="primary", key="balance_apply"):
        try:
            with writing() as session:
                svc.apply_balance(session, actor=actor, commune_id=commune_id, assignment=proposal.assignment)
        except ValidationFailed as exc:
            show_problems_by_field(exc, {})
        else:
            st.session_state.pop(KEY_BALANCE, None)
            next_gen(KEY_GEN_VILLAGES)
            saved("balance", t("teams.balance_applied"))
            st.rerun()


# ---------------------------------------------------------------- the page


def render() -> None:
    st.title(t("teams.heading"))
    with reading() as session:
        rows = svc.list_teams(session, actor=actor)
        areas = svc.team_areas(session, actor=actor) if manager else []

    if rows:
        team_list(rows)
    else:
        st.info(t("teams.empty"))
    if manager and areas:
        new_team_form(areas, expanded=not rows)
    if not rows:
        st.stop()

    choices = {r.id: f"{r.name} · {r.area_name}" for r in rows}
    if st.session_state.get(KEY_TEAM) not in choices:
        st.session_state.pop(KEY_TEAM, None)
    team_id = st.selectbox(t("teams.pick"), list(choices), format_func=choices.get, key=KEY_TEAM)
    with reading() as session:
        team = svc.get_team(session, actor=actor, team_id=team_id)
        villages = svc.commune_villages(session, actor=actor, commune_id=team.commune_id) if manager else []

    team_view(team)
    if not manager:
        st.caption(t("teams.read_only"))
        st.stop()
    team_edit_form(team)
    member_form(team)
    villages_form(team, villages)
    balance_section(areas)


render()
