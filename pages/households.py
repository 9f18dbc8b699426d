"""Hộ dân: the household registry (filtered, paged in SQL), one household's members and history, edits."""

import streamlit as st

from models.db import read_session, write_session
from models.enums import Role
from services.errors import AppError, ValidationFailed
from services.people import admin
from services.people.registry import (
    RegistryFilter,
    count_households,
    household_detail,
    list_households,
    villages_in_scope,
)
from webui.guard import require
from webui.registry_filters import (
    area_visit_status,
    barrier_select,
    cached_total,
    edit_history,
    forget_total,
    page_line,
    skill_cells,
    skill_column_config,
    table_with_download,
)
from webui.state import engine, lang, t

PAGE = "households.page"
SELECTED = "households.selected"
LAST_FILTER = "households.last_filter"
TOTAL = "households.total"  # (filter signature, count)
PAGE_SIZE = 50

actor = require(Role.COORDINATOR, Role.ADMIN, Role.LEADER)
can_edit = actor.role in (Role.COORDINATOR, Role.ADMIN)

st.title(t("reg.households_heading"))
if not can_edit:
    st.caption(t("reg.read_only"))

with read_session(engine()) as session:
    villages = villages_in_scope(session, actor=actor)
village_names = {v[0]: v[2] for v in villages}

with st.expander(t("reg.filters"), expanded=True):
    village, visit, status = area_visit_status(village_names, "hh_f")
    c4, c5, c6 = st.columns(3)
    barrier = barrier_select(c4, "hh_f_barrier")
    query = c5.text_input(t("reg.search_household"), key="hh_f_query")
    sort = c6.selectbox(
        t("reg.sort"),
        ["code", "last_visit", "follow_up"],
        format_func=lambda v: t(f"reg.sort.{v}"),
        key="hh_f_sort",
    )

filters = RegistryFilter(
    area_id=village,
    visit_status=None if visit == "any" else visit,
    barrier=barrier,
    status=status,
    query=query,
)
signature = repr((filters, sort))
if st.session_state.get(LAST_FILTER) != signature:
    st.session_state[LAST_FILTER] = signature
    st.session_state[PAGE] = 1
page_no = st.session_state.get(PAGE, 1)

with read_session(engine()) as session:
    result = list_households(
        session, actor=actor, filters=filters, page=page_no, page_size=PAGE_SIZE, sort=sort
    )
    total = cached_total(TOTAL, signature, lambda: count_households(session, actor=actor, filters=filters))

if not result.rows:
    st.info(t("reg.empty"))
else:
    table_with_download(
        [
            {
                t("reg.col.code"): h.code,
                t("reg.col.village"): h.village_name,
                t("reg.col.address"): h.address,
                t("reg.col.head"): h.head_name or "",
                t("reg.col.residents"): h.residents,
                t("reg.col.phone"): h.phone or "",
                t("reg.col.last_visit"): h.last_visited_on.isoformat() if h.last_visited_on else "",
                t("reg.col.follow_up"): h.follow_up_on.isoformat() if h.follow_up_on else "",
                t("reg.col.status"): t(f"person_status.{h.status}"),
            }
            for h in result.rows
        ],
        file_stem=f"ho-dan-trang-{page_no}",
        key="hh_download",
    )
p1, p2, p3 = st.columns([1, 1, 2], vertical_alignment="center")
if p1.button(t("reg.prev"), disabled=page_no <= 1, key="hh_prev"):
    st.session_state[PAGE] = page_no - 1
    st.rerun()
if p2.button(t("reg.next"), disabled=not result.has_next, key="hh_next"):
    st.session_state[PAGE] = page_no + 1
    st.rerun()
page_line(p3, noun="households", page=page_no, page_size=PAGE_SIZE, total=total)

labels = {h.id: f"{h.code} · {h.head_name or h.address or ''}" for h in result.rows}
chosen = st.selectbox(
    t("reg.pick"), [None, *labels], format_func=lambda v: "—" if v is None else labels[v], key=SELECTED
)
if chosen is not None:
    with read_session(engine()) as session:
        d = household_detail(session, actor=actor, household_id=chosen)
    st.subheader(f"{d.code} · {d.village_name}")
    st.caption(
        f"{d.address} · {d.phone or ''} · {t('person_status.' + d.status)}"
        + (f" · {t('reg.merged_into', target=d.merged_into_code)}" if d.merged_into_code else "")
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
                    t("reg.col.status"): t(f"person_status.{r.status}"),
                    **skill_cells(r.levels),
                }
                for r in d.residents
            ],
            hide_index=True,
            column_config=skill_column_config(),
        )
        st.caption(t("reg.ladder_legend"))
    with tab_visits:
        st.dataframe(
            [
                {
                    t("reg.col.date"): v.visited_on.isoformat(),
                    t("reg.col.outcome"): v.outcome,
                    t("reg.col.members"): v.members,
                    t("reg.col.guidance"): ", ".join(t("guide." + g) for g in v.guidance.split(", ") if g),
                    t("reg.col.status"): v.status,
                }
                for v in d.visits
            ],
            hide_index=True,
        )
    with tab_edits:
        edit_history(d.audit)

    if can_edit and d.status != "merged":
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
            try:
                with write_session(engine()) as session:
                    changes = admin.update_household(
                        session,
                        actor=actor,
                        household_id=d.id,
                        values={"address": address, "phone": phone, "village_id": new_village},
                    )
            except ValidationFailed as exc:
                for p in exc.problems:
                    st.error(
                        f"{t('adm.' + p.field if p.field in ('phone', 'address') else 'adm.village')}: "
                        f"{p.message(lang())}"
                    )
            else:
                forget_total(TOTAL)
                st.success(t("adm.saved") if changes else t("adm.nothing_changed"))

        m1, m2 = st.columns(2)
        with m1.form(f"hh_status_{d.id}"):
            new_status = st.selectbox(
                t("adm.set_status"),
                ["moved", "active"],
                format_func=lambda v: t(f"person_status.{v}"),
                key=f"he_status_{d.id}",
            )
            if st.form_submit_button(t("adm.save")):
                try:
                    with write_session(engine()) as session:
                        admin.set_household_status(session, actor=actor, household_id=d.id, status=new_status)
                    forget_total(TOTAL)
                    st.success(t("adm.status_saved"))
                except AppError as exc:
                    st.error(exc.message(lang()))
        with m2.form(f"hh_merge_{d.id}"):
            st.caption(t("adm.merge_household"))
            survivor = st.text_input(t("adm.survivor_code"), key=f"he_survivor_{d.id}")
            if st.form_submit_button(t("adm.merge")):
                try:
                    with write_session(engine()) as session:
                        survivor_id = admin.find_household(session, actor=actor, code=survivor)
                        admin.merge_households(session, actor=actor, loser_id=d.id, survivor_id=survivor_id)
                    forget_total(TOTAL)
                    st.success(t("adm.merged"))
                except ValidationFailed as exc:
                    st.error(exc.problems[0].message(lang()))
                except AppError as exc:
                    st.error(exc.message(lang()))
