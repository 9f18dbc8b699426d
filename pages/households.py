"""Hộ dân: the household registry (filtered, paged in SQL), one household's members and history, edits."""

import streamlit as st

from core import labels
from services.people import admin
from services.people.erasure import erase_household
from services.people.registry import (
    RegistryFilter,
    count_households,
    household_detail,
    list_households,
    villages_in_scope,
)
from services.permissions import Act, may
from webui import registry_filters as reg
from webui.db import reading
from webui.guard import require
from webui.state import t

# The household form fields a problem can name, and their labels.
FIELD_LABEL = {
    "phone": labels.N_("adm.phone"),
    "address": labels.N_("adm.address"),
    "village_id": labels.N_("adm.village"),
}

REGISTRY = reg.Registry(prefix="hh", state="households", noun="households", file_stem="ho-dan-trang")

actor = require(Act.REGISTRY_READ)
can_edit = may(actor.role, Act.REGISTRY_EDIT)


def filters_form(village_names: dict[int, str]) -> tuple[RegistryFilter, str]:
    with st.expander(t("reg.filters"), expanded=True):
        village, visit, status = reg.area_visit_status(village_names, "hh_f")
        c4, c5, c6 = st.columns(3)
        barrier = reg.barrier_select(c4, "hh_f_barrier")
        query = c5.text_input(t("reg.search_household"), key="hh_f_query")
        sort = c6.selectbox(
            t("reg.sort"),
            ["code", "last_visit", "follow_up"],
            format_func=lambda v: t(labels.SORT[v]),
            key="hh_f_sort",
        )
    filters = reg.registry_filter(village, visit, status, query, barrier=barrier)
    return filters, sort


def household_row(h) -> dict:
    return {
        t("reg.col.code"): h.code,
        t("reg.col.village"): h.village_name,
        t("reg.col.address"): h.address,
        t("reg.col.head"): h.head_name or "",
        t("reg.col.residents"): h.residents,
        t("reg.col.phone"): h.phone or "",
        t("reg.col.last_visit"): h.last_visited_on.isoformat() if h.last_visited_on else "",
        t("reg.col.follow_up"): h.follow_up_on.isoformat() if h.follow_up_on else "",
        t("reg.col.status"): t(labels.PERSON_STATUS[h.status]),
    }


def household_view(d) -> None:
    """One household: its members with their skill ladders, its visits, its edits."""
    st.subheader(f"{d.code} · {d.village_name}")
    st.caption(
        (f"{d.address} · {d.phone or ''} · " + t(labels.PERSON_STATUS[d.status]))
        + ((" · " + t("reg.merged_into", target=d.merged_into_code)) if d.merged_into_code else "")
    )
    tab_people, tab_visits, tab_edits = st.tabs(
        [t("reg.household_members"), t("reg.history_visits"), t("reg.history_edits")]
    )
    with tab_people:
        st.dataframe(
            [
                {
                    t("reg.col.name"): r.full_name,
                    t("reg.col.birth_year"): r.birth_year,
                    t("reg.col.phone"): r.phone or "",
                    t("reg.col.status"): t(labels.PERSON_STATUS[r.status]),
                    **reg.skill_cells(r.levels),
                }
                for r in d.residents
            ],
            hide_index=True,
            column_config=reg.skill_column_config(),
        )
        st.caption(t("reg.ladder_legend"))
    with tab_visits:
        reg.visit_history(d.visits)
    with tab_edits:
        reg.edit_history(d.audit)


def edit_forms(d, village_names: dict[int, str]) -> None:
    """Address, phone and village; the status; a merge into another household."""
    st.subheader(t("adm.edit_household"))
    village_ids = list(village_names)
    with st.form(f"edit_household_{d.id}"):
        address = st.text_input(t("adm.address"), value=d.address, key=f"he_address_{d.id}")
        phone = st.text_input(t("adm.phone"), value=d.phone or "", key=f"he_phone_{d.id}")
        new_village = st.selectbox(
            t("adm.village"),
            village_ids,
            index=village_ids.index(d.village_id) if d.village_id in village_ids else 0,
            format_func=lambda v: village_names[v],
            key=f"he_village_{d.id}",
        )
        saved = st.form_submit_button(t("adm.save"), type="primary")
    if saved:
        values = {"address": address, "phone": phone, "village_id": new_village}
        reg.save_edits(
            REGISTRY,
            lambda session: admin.update_household(session, actor=actor, household_id=d.id, values=values),
            FIELD_LABEL,
            FIELD_LABEL["village_id"],
        )
    m1, m2 = st.columns(2)
    reg.status_form(
        m1,
        REGISTRY,
        form_key=f"hh_status_{d.id}",
        select_key=f"he_status_{d.id}",
        statuses=["moved", "active"],
        write=lambda session, status: admin.set_household_status(
            session, actor=actor, household_id=d.id, status=status
        ),
    )
    with m2.form(f"hh_merge_{d.id}"):
        st.caption(t("adm.merge_household"))
        survivor = st.text_input(t("adm.survivor_code"), key=f"he_survivor_{d.id}")
        if st.form_submit_button(t("adm.merge")):

            def merge(session) -> None:
                survivor_id = admin.find_household(session, actor=actor, code=survivor)
                admin.merge_households(session, actor=actor, loser_id=d.id, survivor_id=survivor_id)

            reg.admin_action(REGISTRY, merge, t("adm.merged"))


def erase_form(d) -> None:
    """Admins only: erase the household's and its residents' personal data, after typing its code."""
    with st.expander(t("erase.household_heading")), st.form(f"hh_erase_{d.id}"):
        st.warning(t("erase.household_warning"))
        typed = st.text_input(t("erase.type_to_confirm", word=d.code), key=f"he_erase_{d.id}")
        if st.form_submit_button(t("erase.button"), type="primary"):
            if typed.strip() != d.code:
                st.error(t("erase.mismatch"))
                return
            reg.admin_action(
                REGISTRY,
                lambda session: erase_household(session, actor=actor, household_id=d.id),
                t("erase.done"),
            )


def render() -> None:
    reg.heading(t("reg.households_heading"), can_edit=can_edit)
    with reading() as session:
        villages = villages_in_scope(session, actor=actor)
    village_names = {v[0]: v[2] for v in villages}
    filters, sort = filters_form(village_names)
    rows = reg.filtered_table(
        REGISTRY, filters, sort, actor, list_households, count_households, household_row
    )
    chosen = reg.pick(REGISTRY, {h.id: f"{h.code} · {h.head_name or h.address or ''}" for h in rows})
    if chosen is None:
        return
    with reading() as session:
        d = household_detail(session, actor=actor, household_id=chosen)
    household_view(d)
    if can_edit and d.status != "merged":
        edit_forms(d, village_names)
    if may(actor.role, Act.RESIDENT_ERASE):
        erase_form(d)


render()
