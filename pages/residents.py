"""Người dân: the resident registry (filtered, paged in SQL), one resident's history, edits and export."""

import streamlit as st

from models.db import read_session, write_session
from models.enums import SKILLS, Role, Sex
from services.errors import AppError, ValidationFailed
from services.people import admin
from services.people.export import export_bytes
from services.people.registry import (
    RegistryFilter,
    count_residents,
    list_residents,
    resident_detail,
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

PAGE = "residents.page"
SELECTED = "residents.selected"
LAST_FILTER = "residents.last_filter"
TOTAL = "residents.total"  # (filter signature, count)
PAGE_SIZE = 50
AGE_BANDS = {
    "any": (None, None),
    "under15": (None, 14),
    "15_35": (15, 35),
    "36_59": (36, 59),
    "60plus": (60, None),
}

actor = require(Role.COORDINATOR, Role.ADMIN, Role.LEADER)
can_edit = actor.role in (Role.COORDINATOR, Role.ADMIN)

st.title(t("reg.residents_heading"))
if not can_edit:
    st.caption(t("reg.read_only"))

with read_session(engine()) as session:
    villages = villages_in_scope(session, actor=actor)
village_names = {v[0]: v[2] for v in villages}

with st.expander(t("reg.filters"), expanded=True):
    village, visit, status = area_visit_status(village_names, "res_f")
    c4, c5, c6 = st.columns(3)
    skill = c4.selectbox(
        t("reg.skill"),
        [None, *[s.value for s in SKILLS]],
        format_func=lambda v: t("reg.skill_any") if v is None else t(f"skill.{v}"),
        key="res_f_skill",
    )
    below = c5.selectbox(
        t("reg.below_level"), [3, 2, 1], format_func=lambda v: t(f"skill_level.{v}"), key="res_f_below"
    )
    barrier = barrier_select(c6, "res_f_barrier")
    c7, c8, c9 = st.columns(3)
    age = c7.selectbox(
        t("reg.age"), list(AGE_BANDS), format_func=lambda v: t(f"reg.age.{v}"), key="res_f_age"
    )
    query = c8.text_input(t("reg.search_name"), key="res_f_query")
    sort = c9.selectbox(
        t("reg.sort"),
        ["name", "name_desc", "birth_year", "household"],
        format_func=lambda v: t(f"reg.sort.{v}"),
        key="res_f_sort",
    )

filters = RegistryFilter(
    area_id=village,
    visit_status=None if visit == "any" else visit,
    skill=skill,
    below_level=below,
    barrier=barrier,
    age_min=AGE_BANDS[age][0],
    age_max=AGE_BANDS[age][1],
    status=status,
    query=query,
)
signature = repr((filters, sort))
if st.session_state.get(LAST_FILTER) != signature:  # a new filter starts again at page 1
    st.session_state[LAST_FILTER] = signature
    st.session_state[PAGE] = 1
page_no = st.session_state.get(PAGE, 1)

with read_session(engine()) as session:
    result = list_residents(
        session, actor=actor, filters=filters, page=page_no, page_size=PAGE_SIZE, sort=sort
    )
    total = cached_total(TOTAL, signature, lambda: count_residents(session, actor=actor, filters=filters))

if not result.rows:
    st.info(t("reg.empty"))
else:
    table_with_download(
        [
            {
                t("reg.col.name"): r.full_name,
                t("reg.col.birth_year"): r.birth_year,
                **skill_cells(r.levels),
                t("reg.col.code"): r.household_code,
                t("reg.col.village"): r.village_name,
                t("reg.col.phone"): r.phone or "",
                t("reg.col.status"): t(f"person_status.{r.status}"),
            }
            for r in result.rows
        ],
        file_stem=f"nguoi-dan-trang-{page_no}",
        key="res_download",
        column_config=skill_column_config(),
    )
    st.caption(t("reg.ladder_legend"))
p1, p2, p3 = st.columns([1, 1, 2], vertical_alignment="center")
if p1.button(t("reg.prev"), disabled=page_no <= 1, key="res_prev"):
    st.session_state[PAGE] = page_no - 1
    st.rerun()
if p2.button(t("reg.next"), disabled=not result.has_next, key="res_next"):
    st.session_state[PAGE] = page_no + 1
    st.rerun()
page_line(p3, noun="residents", page=page_no, page_size=PAGE_SIZE, total=total)

# ---------------------------------------------------------------- export of the area (or chosen village)
with st.expander(t("exp.heading")):
    if actor.role == Role.LEADER:
        st.caption(t("exp.masked"))
    e1, e2 = st.columns(2)
    for column, fmt, label in ((e1, "xlsx", "exp.xlsx"), (e2, "csv", "exp.csv")):
        if column.button(f"{t('exp.prepare')} ({fmt.upper()})", key=f"res_export_{fmt}"):
            with read_session(engine()) as session:
                data = export_bytes(session, actor=actor, fmt=fmt, area_id=village, lang=lang())
            column.download_button(t(label), data, file_name=f"nguoi-dan.{fmt}", key=f"res_download_{fmt}")

# ---------------------------------------------------------------- one resident
options = [r.id for r in result.rows]
labels = {r.id: f"{r.full_name} ({r.birth_year or '-'}) · {r.household_code}" for r in result.rows}
chosen = st.selectbox(
    t("reg.pick"), [None, *options], format_func=lambda v: "—" if v is None else labels[v], key=SELECTED
)
if chosen is not None:
    with read_session(engine()) as session:
        d = resident_detail(session, actor=actor, resident_id=chosen)
    st.subheader(d.full_name)
    st.caption(
        f"{t('reg.col.code')}: {d.household_code} · {d.village_name} · {t('person_status.' + d.status)}"
        + (f" · {t('reg.merged_into', target=d.merged_into_id)}" if d.merged_into_id else "")
    )
    st.write(
        " · ".join(f"{t('skill.' + s.value)}: {t('skill_level.' + str(d.levels[s.value]))}" for s in SKILLS)
    )
    tab_visits, tab_skills, tab_edits = st.tabs(
        [t("reg.history_visits"), t("reg.history_skills"), t("reg.history_edits")]
    )
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
    with tab_skills:
        st.dataframe(
            [
                {
                    t("reg.col.date"): e.observed_on.isoformat(),
                    t("reg.col.skill"): t("skill." + e.skill),
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
        edit_history(d.audit)

    if can_edit and d.status != "merged":
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
                format_func=lambda v: "—" if v is None else t(f"sex.{v}"),
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
            try:
                with write_session(engine()) as session:
                    changes = admin.update_resident(session, actor=actor, resident_id=d.id, values=values)
            except ValidationFailed as exc:
                labels_by_field = {
                    "full_name": "adm.full_name",
                    "birth_year": "adm.birth_year",
                    "phone": "adm.phone",
                }
                for p in exc.problems:
                    st.error(f"{t(labels_by_field.get(p.field, 'adm.full_name'))}: {p.message(lang())}")
            else:
                forget_total(TOTAL)
                st.success(t("adm.saved") if changes else t("adm.nothing_changed"))

        m1, m2, m3 = st.columns(3)
        with m1.form(f"status_{d.id}"):
            new_status = st.selectbox(
                t("adm.set_status"),
                ["moved", "deceased", "active"],
                format_func=lambda v: t(f"person_status.{v}"),
                key=f"re_status_{d.id}",
            )
            if st.form_submit_button(t("adm.save")):
                try:
                    with write_session(engine()) as session:
                        admin.set_resident_status(session, actor=actor, resident_id=d.id, status=new_status)
                    forget_total(TOTAL)
                    st.success(t("adm.status_saved"))
                except AppError as exc:
                    st.error(exc.message(lang()))
        with m2.form(f"move_{d.id}"):
            target = st.text_input(t("adm.target_code"), key=f"re_target_{d.id}")
            if st.form_submit_button(t("adm.move")):
                try:
                    with write_session(engine()) as session:
                        target_id = admin.find_household(session, actor=actor, code=target)
                        admin.move_resident(
                            session, actor=actor, resident_id=d.id, target_household_id=target_id
                        )
                    forget_total(TOTAL)
                    st.success(t("adm.moved", code=target.strip()))
                except ValidationFailed as exc:
                    st.error(exc.problems[0].message(lang()))
                except AppError as exc:
                    st.error(exc.message(lang()))
        with m3.form(f"merge_{d.id}"):
            survivor = st.number_input(t("adm.survivor_id"), min_value=1, step=1, key=f"re_survivor_{d.id}")
            if st.form_submit_button(t("adm.merge")):
                try:
                    with write_session(engine()) as session:
                        admin.merge_residents(session, actor=actor, loser_id=d.id, survivor_id=int(survivor))
                    forget_total(TOTAL)
                    st.success(t("adm.merged"))
                except ValidationFailed as exc:
                    st.error(exc.problems[0].message(lang()))
                except AppError as exc:
                    st.error(exc.message(lang()))
