"""Widgets shared by the household and resident registries: the filters (village, visit status and
status row, the barrier choice; each page passes its own key prefix), the edit-history and visit-history
tables, the skill ladder cells, the page line with its total, paging and picking a row (each page names
its keys in a `Registry`), the table with a visible download button, and the edit, status, move and
merge forms' saving."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from sqlmodel import Session
from streamlit.delta_generator import DeltaGenerator

from core import labels
from models.enums import SKILLS
from services.audit_view import summary as audit_summary
from services.errors import AppError, ValidationFailed
from services.people.export import table_csv
from services.people.registry import BARRIERS, RegistryFilter
from webui.db import reading, writing
from webui.state import lang, t
from webui.visit_form import ladder


def area_visit_status(village_names: dict[int, str], key_prefix: str) -> tuple[int | None, str, str]:
    """The first row of filters: village (None = all), visit status and status, keyed
    `{key_prefix}_village`, `{key_prefix}_visit` and `{key_prefix}_status`."""
    c1, c2, c3 = st.columns(3)
    village = c1.selectbox(
        t("reg.area"),
        [None, *village_names],
        format_func=lambda v: t("reg.all_villages") if v is None else village_names[v],
        key=f"{key_prefix}_village",
    )
    visit = c2.selectbox(
        t("reg.visit_status"),
        ["any", "never", "due", "visited"],
        format_func=lambda v: t(labels.VISIT_FILTER[v]),
        key=f"{key_prefix}_visit",
    )
    status = c3.selectbox(
        t("reg.status"),
        ["active", "inactive", "all"],
        format_func=lambda v: t(labels.STATUS_FILTER[v]),
        key=f"{key_prefix}_status",
    )
    return village, visit, status


def barrier_select(column: DeltaGenerator, key: str) -> str | None:
    """One barrier (or "old_age") to filter on; None = any."""
    return column.selectbox(
        t("reg.barrier"),
        [None, *BARRIERS, "old_age"],
        format_func=lambda v: t("reg.barrier.any") if v is None else t(labels.BARRIER_FILTER[v]),
        key=key,
    )


def edit_history(items) -> None:
    """The "edits" tab of a household or resident: who changed what, newest first."""
    st.dataframe(
        [
            {
                t("reg.col.date"): a.at.strftime("%Y-%m-%d %H:%M"),
                t("reg.col.user"): a.user,
                t("reg.col.action"): a.action,
                t("reg.col.details"): audit_summary(a.details, lang()),
            }
            for a in items
        ],
        hide_index=True,
    )


def skill_cells(levels: dict[str, int]) -> dict[str, str]:
    """One column per skill, in the campaign's order, headed by the same short label as on the visit
    form and holding the same marks ("●●○" = did it with help), instead of bare digits."""
    return {t(labels.SKILL_SHORT[s.value]): ladder(levels.get(s.value, 0)) for s in SKILLS}


def skill_column_config() -> dict:
    return {t(labels.SKILL_SHORT[s.value]): st.column_config.TextColumn(width="small") for s in SKILLS}


PAGE_LINE = {"households": labels.N_("reg.page_households"), "residents": labels.N_("reg.page_residents")}


def page_line(column: DeltaGenerator, *, noun: str, page: int, page_size: int, total: int) -> None:
    """The line under the table, e.g. "Trang 1/12 · 231 hộ": this page, the number of pages and of rows
    in all. `noun`: "households" or "residents"."""
    pages = max(1, math.ceil(total / page_size))
    column.caption(t(PAGE_LINE[noun], page=page, pages=pages, count=total))


def cached_total(key: str, signature: str, count) -> int:
    """The filter's total, counted once per filter (not again on every page turn or click); `count()`
    runs the query. A page forgets it (`forget_total`) after an edit that may change it."""
    saved = st.session_state.get(key)
    if saved is None or saved[0] != signature:
        saved = (signature, count())
        st.session_state[key] = saved
    return saved[1]


def forget_total(key: str) -> None:
    st.session_state.pop(key, None)


def table_with_download(rows: list[dict], *, file_stem: str, key: str, column_config=None) -> None:
    """A table and, under it, a download button anyone can see and touch (the table's own download
    icon shows only when a mouse hovers over it)."""
    st.dataframe(rows, hide_index=True, column_config=column_config)
    st.download_button(
        t("reg.download_table"),
        data=lambda: table_csv(rows),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=key,
    )


# ---------------------------------------------------------------- one registry page


@dataclass(frozen=True)
class Registry:
    """One registry page. `prefix` starts its widget keys ("hh" → "hh_prev", "hh_download"); `state`
    its session-state keys ("households" → "households.page", "households.last_filter",
    "households.selected", "households.total"); `noun` names its rows on the page line; `file_stem`
    names the table's download; `skill_columns`: its rows carry skill ladders (narrow columns, the legend
    under the table)."""

    prefix: str
    state: str
    noun: str
    file_stem: str
    skill_columns: bool = False
    page_size: int = 50

    @property
    def page(self) -> str:  # the page number shown
        return f"{self.state}.page"

    @property
    def last_filter(self) -> str:  # the filter that page number belongs to
        return f"{self.state}.last_filter"

    @property
    def selected(self) -> str:  # the row picked to open
        return f"{self.state}.selected"

    @property
    def total(self) -> str:  # (filter signature, count)
        return f"{self.state}.total"


def registry_filter(village: int | None, visit: str, status: str, query: str, **more) -> RegistryFilter:
    """The filter of the first row (`area_visit_status`), the search box and the page's own choices."""
    return RegistryFilter(
        area_id=village, visit_status=None if visit == "any" else visit, status=status, query=query, **more
    )


def filtered_table(
    registry: Registry, filters: RegistryFilter, sort: str, actor, list_rows, count_rows, row: Callable
) -> list:
    """This page of the filtered rows as a table (with its download button), paging under it; returns
    the page's rows. `list_rows` / `count_rows`: the registry's page and count queries; `row` makes a
    table row. A new filter starts again at page 1, and its total is counted once."""
    signature = repr((filters, sort))
    page_no = _current_page(registry, signature)
    with reading() as session:
        result = list_rows(
            session, actor=actor, filters=filters, page=page_no, page_size=registry.page_size, sort=sort
        )
        total = cached_total(
            registry.total, signature, lambda: count_rows(session, actor=actor, filters=filters)
        )
    if not result.rows:
        st.info(t("reg.empty"))
    else:
        table_with_download(
            [row(r) for r in result.rows],
            file_stem=f"{registry.file_stem}-{page_no}",
            key=f"{registry.prefix}_download",
            column_config=skill_column_config() if registry.skill_columns else None,
        )
        if registry.skill_columns:
            st.caption(t("reg.ladder_legend"))
    _pager(registry, page_no=page_no, has_next=result.has_next, total=total)
    return result.rows


def _current_page(registry: Registry, signature: str) -> int:
    """The page to show: page 1 again whenever the filter (its signature) changed."""
    if st.session_state.get(registry.last_filter) != signature:
        st.session_state[registry.last_filter] = signature
        st.session_state[registry.page] = 1
    return st.session_state.get(registry.page, 1)


def _pager(registry: Registry, *, page_no: int, has_next: bool, total: int) -> None:
    """Previous / next under the table, and the page line beside them."""
    p1, p2, p3 = st.columns([1, 1, 2], vertical_alignment="center")
    if p1.button(t("reg.prev"), disabled=page_no <= 1, key=f"{registry.prefix}_prev"):
        st.session_state[registry.page] = page_no - 1
        st.rerun()
    if p2.button(t("reg.next"), disabled=not has_next, key=f"{registry.prefix}_next"):
        st.session_state[registry.page] = page_no + 1
        st.rerun()
    page_line(p3, noun=registry.noun, page=page_no, page_size=registry.page_size, total=total)


def heading(title: str, *, can_edit: bool) -> None:
    st.title(title)
    if not can_edit:
        st.caption(t("reg.read_only"))


def pick(registry: Registry, choices: dict[int, str]) -> int | None:
    """One row of this page to open (None: none)."""
    return st.selectbox(
        t("reg.pick"),
        [None, *choices],
        format_func=lambda v: "—" if v is None else choices[v],
        key=registry.selected,
    )


def visit_history(visits) -> None:
    """The "visits" tab of a household or resident."""
    st.dataframe(
        [
            {
                t("reg.col.date"): v.visited_on.isoformat(),
                t("reg.col.outcome"): v.outcome,
                t("reg.col.members"): v.members,
                t("reg.col.guidance"): ", ".join(t(labels.GUIDANCE[g]) for g in v.guidance.split(", ") if g),
                t("reg.col.status"): v.status,
            }
            for v in visits
        ],
        hide_index=True,
    )


# ---------------------------------------------------------------- saving the edit forms


def save_edits(
    registry: Registry, write: Callable[[Session], dict], field_labels: dict[str, str], fallback: str
) -> None:
    """Save the edit form (`write` returns what changed): "saved" or "nothing changed", or each problem
    labelled with its field (`field_labels`: field -> catalogue key; `fallback` for any other field)."""
    try:
        with writing() as session:
            changes = write(session)
    except ValidationFailed as exc:
        for p in exc.problems:
            st.error(t(field_labels.get(p.field, fallback)) + f": {p.message(lang())}")
    except AppError as exc:
        st.error(exc.message(lang()))
    else:
        forget_total(registry.total)
        st.success(t("adm.saved") if changes else t("adm.nothing_changed"))


def status_form(
    column: DeltaGenerator,
    registry: Registry,
    *,
    form_key: str,
    select_key: str,
    statuses: list[str],
    write: Callable[[Session, str], object],
) -> None:
    """Set the status (moved, deceased, active again …) in a small form of its own."""
    with column.form(form_key):
        new_status = st.selectbox(
            t("adm.set_status"), statuses, format_func=lambda v: t(labels.PERSON_STATUS[v]), key=select_key
        )
        if st.form_submit_button(t("adm.save")):
            try:
                with writing() as session:
                    write(session, new_status)
                forget_total(registry.total)
                st.success(t("adm.status_saved"))
            except AppError as exc:
                st.error(exc.message(lang()))


def admin_action(registry: Registry, write: Callable[[Session], object], done: str) -> None:
    """A move or a merge in one transaction: `done` confirmed, or the refusal (a form's first problem)."""
    try:
        with writing() as session:
            write(session)
        forget_total(registry.total)
        st.success(done)
    except ValidationFailed as exc:
        st.error(exc.problems[0].message(lang()))
    except AppError as exc:
        st.error(exc.message(lang()))
