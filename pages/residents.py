"""Người dân: the resident registry (filtered, paged in SQL), one resident's history, edits and export.
`?resident=<id>` (the QR on a printed certificate) opens that resident's record."""

import streamlit as st

from core import labels
from models.enums import SKILLS, Role, Sex
from services.errors import AppError
from services.people import admin
from services.people.consent import METHOD_LABEL, consent_label, record_consent
from services.people.erasure import erase_resident
from services.people.export import export_bytes
from services.people.registry import (
    RegistryFilter,
    count_residents,
    list_residents,
    resident_detail,
    villages_in_scope,
)
from services.permissions import Act, may
from webui import registry_filters as reg
from webui.db import reading
from webui.guard import require
from webui.state import lang, t

REGISTRY = reg.Registry(
    prefix="res", state="residents", noun="residents", file_stem="nguoi-dan-trang", skill_columns=True
)
AGE_BANDS = {
    "any": (None, None),
    "under15": (None, 14),
    "15_35": (15, 35),
    "36_59": (36, 59),
    "60plus": (60, None),
}
# The resident form fields a problem can name, and their labels (any other: the name's).
FIELD_LABEL = {
    "full_name": labels.N_("adm.full_name"),
    "birth_year": labels.N_("adm.birth_year"),
    "phone": labels.N_("adm.phone"),
}

actor = require(Act.REGISTRY_READ)
can_edit = may(actor.role, Act.REGISTRY_EDIT)
RESIDENT_PARAM = "resident"


def _resident_param() -> int | None:
    """The resident of `?resident=<id>`; anything that is not a plausible id is ignored."""
    raw = st.query_params.get(RESIDENT_PARAM)
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 18:  # ids fit in 63 bits
        return None
    return int(raw)


def filters_form(village_names: dict[int, str]) -> tuple[RegistryFilter, str]:
    with st.expander(t("reg.filters"), expanded=True):
        village, visit, status = reg.area_visit_status(village_names, "res_f")
        c4, c5, c6 = st.columns(3)
        skill = c4.selectbox(
            t("reg.skill"),
            [None, *[s.value for s in SKILLS]],
            format_func=lambda v: t("reg.skill_any") if v is None else t(labels.SKILL[v]),
            key="res_f_skill",
        )
        below = c5.selectbox(
            t("reg.below_level"), [3, 2, 1], format_func=lambda v: t(labels.SKILL_LEVEL[v]), key="res_f_below"
        )
        barrier = reg.barrier_select(c6, "res_f_barrier")
        c7, c8, c9 = st.columns(3)
        age = c7.selectbox(
            t("reg.age"), list(AGE_BANDS), format_func=lambda v: t(labels.AGE_BAND[v]), key="res_f_age"
        )
        query = c8.text_input(t("reg.search_name"), key="res_f_query")
        sort = c9.selectbox(
            t("reg.sort"),
            ["name", "name_desc", "birth_year", "household"],
            format_func=lambda v: t(labels.SORT[v]),
            key="res_f_sort",
        )
    filters = reg.registry_filter(
        village,
        visit,
        status,
        query,
        skill=skill,
        below_level=below,
        barrier=barrier,
        age_min=AGE_BANDS[age][0],
        age_max=AGE_BANDS[age][1],
    )
    return filters, sort


def resident_row(r) -> dict:
    return {
        t("reg.col.name"): r.full_name,
        t("reg.col.birth_year"): r.birth_year,
        **reg.skill_cells(r.levels),
        t("reg.col.code"): r.household_code,
        t("reg.col.village"): r.village_name,
        t("reg.col.phone"): r.phone or "",
        t("reg.col.status"): t(labels.PERSON_STATUS[r.status]),
        t("consent.col"): consent_label(r.consent_on, r.consent_method, lang()),
    }


def export_box(village: int | None) -> None:
    """The export of the area (or the chosen village), prepared on demand."""
    with st.expander(t("exp.heading")):
        if actor.role == Role.LEADER:
            st.caption(t("exp.masked"))
        e1, e2 = st.columns(2)
        for column, fmt, label in ((e1, "xlsx", labels.N_("exp.xlsx")), (e2, "csv", labels.N_("exp.csv"))):
            if column.button(t("exp.prepare") + f" ({fmt.upper()})", key=f"res_export_{fmt}"):
                with reading() as session:
                    data = export_bytes(session, actor=actor, fmt=fmt, area_id=village, lang=lang())
                column.download_button(
                    t(label), data, file_name=f"nguoi-dan.{fmt}", key=f"res_download_{fmt}"
                )


def resident_view(d) -> None:
    """One resident: their ladder, visits, skill events and edits."""
    st.subheader(d.full_name)
    st.caption(
        (
            t("reg.col.code")
            + f": {d.household_code} · {d.village_name} · "
            + t(labels.PERSON_STATUS[d.status])
        )
        + ((" · " + t("reg.merged_into", target=d.merged_into_id)) if d.merged_into_id else "")
    )
    st.write(
        " · ".join(t(labels.SKILL[s.value]) + ": " + t(labels.SKILL_LEVEL[d.levels[s.value]]) for s in SKILLS)
    )
    if d.consent_on:
        st.caption(
            t(
                "consent.given",
                when=consent_label(d.consent_on, d.consent_method, lang()),
                by=d.consent_by or "-",
            )
        )
    else:
        st.caption(t("consent.not_given"))
    tab_visits, tab_skills, tab_edits = st.tabs(
        [t("reg.history_visits"), t("reg.history_skills"), t("reg.history_edits")]
    )
    with tab_visits:
        reg.visit_history(d.visits)
    with tab_skills:
        st.dataframe(
            [
                {
                    t("reg.col.date"): e.observed_on.isoformat(),
                    t("reg.col.skill"): t(labels.SKILL[e.skill]),
                    t("reg.col.previous"): e.previous_level,
                    t("reg.col.level"): e.level,
                    t("reg.col.evidence"): e.evidence or "",
                    t("reg.col.active"): t("exp.yes") if e.active else t("exp.no"),
                }
                for e in d.events
            ],
            hide_index=True,
        )
    with tab_edits:
        reg.edit_history(d.audit)


def edit_form(d) -> None:
    """Name, birth year, sex, phone, head of household, smartphone."""
    st.subheader(t("adm.edit_resident"))
    sexes = [None, *[s.value for s in Sex]]
    tri = [None, True, False]
    with st.form(f"edit_resident_{d.id}"):
        name = st.text_input(t("adm.full_name"), value=d.full_name, key=f"re_name_{d.id}")
        year = st.text_input(t("adm.birth_year"), value=str(d.birth_year or ""), key=f"re_year_{d.id}")
        sex = st.selectbox(
            t("adm.sex"),
            sexes,
            index=sexes.index(d.sex) if d.sex in sexes else 0,
            format_func=lambda v: "—" if v is None else t(labels.SEX[v]),
            key=f"re_sex_{d.id}",
        )
        phone = st.text_input(t("adm.phone"), value=d.phone or "", key=f"re_phone_{d.id}")
        head = st.checkbox(t("adm.is_head"), value=d.is_head, key=f"re_head_{d.id}")
        smart = st.selectbox(
            t("reg.barrier.no_smartphone"),
            tri,
            index=tri.index(
                None if d.barriers["has_smartphone"] is None else not d.barriers["has_smartphone"]
            ),
            format_func=lambda v: "—" if v is None else (t("exp.yes") if v else t("exp.no")),
            key=f"re_smart_{d.id}",
        )
        saved = st.form_submit_button(t("adm.save"), type="primary")
    if saved:
        values = {
            "full_name": name,
            "birth_year": year.strip() or None,
            "sex": sex,
            "phone": phone,
            "is_head": head,
            "has_smartphone": None if smart is None else not smart,
        }
        reg.save_edits(
            REGISTRY,
            lambda session: admin.update_resident(session, actor=actor, resident_id=d.id, values=values),
            FIELD_LABEL,
            FIELD_LABEL["full_name"],
        )


def admin_forms(d) -> None:
    """The status; a move to another household; a merge into another resident."""
    m1, m2, m3 = st.columns(3)
    reg.status_form(
        m1,
        REGISTRY,
        form_key=f"status_{d.id}",
        select_key=f"re_status_{d.id}",
        statuses=["moved", "deceased", "active"],
        write=lambda session, status: admin.set_resident_status(
            session, actor=actor, resident_id=d.id, status=status
        ),
    )
    with m2.form(f"move_{d.id}"):
        target = st.text_input(t("adm.target_code"), key=f"re_target_{d.id}")
        if st.form_submit_button(t("adm.move")):

            def move(session) -> None:
                target_id = admin.find_household(session, actor=actor, code=target)
                admin.move_resident(session, actor=actor, resident_id=d.id, target_household_id=target_id)

            reg.admin_action(REGISTRY, move, t("adm.moved", code=target.strip()))
    with m3.form(f"merge_{d.id}"):
        survivor = st.number_input(t("adm.survivor_id"), min_value=1, step=1, key=f"re_survivor_{d.id}")
        if st.form_submit_button(t("adm.merge")):
            reg.admin_action(
                REGISTRY,
                lambda session: admin.merge_residents(
                    session, actor=actor, loser_id=d.id, survivor_id=int(survivor)
                ),
                t("adm.merged"),
            )


def consent_form(d) -> None:
    """Record a consent given in writing or on a list the commune holds (coordinators and admins)."""
    if d.consent_on:
        return
    with st.form(f"consent_{d.id}"):
        method = st.selectbox(
            t("consent.method"),
            list(METHOD_LABEL),
            index=1,
            format_func=lambda m: t(METHOD_LABEL[m]),
            key=f"re_consent_method_{d.id}",
        )
        if st.form_submit_button(t("consent.record")):
            reg.admin_action(
                REGISTRY,
                lambda session: record_consent(session, actor=actor, resident_ids=[d.id], method=method),
                t("consent.recorded"),
            )


def erase_form(d) -> None:
    """Admins only: erase the resident's personal data, after typing the resident's number."""
    with st.expander(t("erase.resident_heading")), st.form(f"erase_{d.id}"):
        st.warning(t("erase.resident_warning"))
        typed = st.text_input(t("erase.type_to_confirm", word=str(d.id)), key=f"re_erase_{d.id}")
        if st.form_submit_button(t("erase.button"), type="primary"):
            if typed.strip() != str(d.id):
                st.error(t("erase.mismatch"))
                return
            reg.admin_action(
                REGISTRY,
                lambda session: erase_resident(session, actor=actor, resident_id=d.id),
                t("erase.done"),
            )


def render() -> None:
    reg.heading(t("reg.residents_heading"), can_edit=can_edit)
    with reading() as session:
        villages = villages_in_scope(session, actor=actor)
    village_names = {v[0]: v[2] for v in villages}
    filters, sort = filters_form(village_names)
    rows = reg.filtered_table(REGISTRY, filters, sort, actor, list_residents, count_residents, resident_row)
    export_box(filters.area_id)
    chosen = reg.pick(
        REGISTRY, {r.id: f"{r.full_name} ({r.birth_year or '-'}) · {r.household_code}" for r in rows}
    )
    if chosen is None:
        chosen = _resident_param()
    if chosen is None:
        return
    try:
        with reading() as session:
            d = resident_detail(session, actor=actor, resident_id=chosen)
    except AppError as exc:  # a link to a resident outside the user's area, or one that is gone
        st.error(exc.message(lang()))
        return
    resident_view(d)
    if can_edit and d.status != "merged":
        consent_form(d)
        edit_form(d)
        admin_forms(d)
    if may(actor.role, Act.RESIDENT_ERASE):
        erase_form(d)


render()
