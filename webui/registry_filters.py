"""Widgets shared by the household and resident registries: the filters (village, visit status and
status row, the barrier choice; each page passes its own key prefix), the edit-history table, the
skill ladder cells, the page line with its total and the table with a visible download button."""

from __future__ import annotations

import math

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from models.enums import SKILLS
from services.people.export import table_csv
from services.people.registry import BARRIERS
from webui.state import t
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
        format_func=lambda v: t(f"reg.visit.{v}"),
        key=f"{key_prefix}_visit",
    )
    status = c3.selectbox(
        t("reg.status"),
        ["active", "inactive", "all"],
        format_func=lambda v: t(f"reg.status.{v}"),
        key=f"{key_prefix}_status",
    )
    return village, visit, status


def barrier_select(column: DeltaGenerator, key: str) -> str | None:
    """One barrier (or "old_age") to filter on; None = any."""
    return column.selectbox(
        t("reg.barrier"),
        [None, *BARRIERS, "old_age"],
        format_func=lambda v: t("reg.barrier.any") if v is None else t(f"reg.barrier.{v}"),
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
                t("reg.col.details"): str(a.details),
            }
            for a in items
        ],
        hide_index=True,
    )


def skill_cells(levels: dict[str, int]) -> dict[str, str]:
    """One column per skill, in the campaign's order, headed by the same short label as on the visit
    form and holding the same marks ("●●○" = did it with help), instead of bare digits."""
    return {t("journey.skill_short." + s.value): ladder(levels.get(s.value, 0)) for s in SKILLS}


def skill_column_config() -> dict:
    return {t("journey.skill_short." + s.value): st.column_config.TextColumn(width="small") for s in SKILLS}


def page_line(column: DeltaGenerator, *, noun: str, page: int, page_size: int, total: int) -> None:
    """The line under the table, e.g. "Trang 1/12 · 231 hộ": this page, the number of pages and of rows
    in all. `noun`: "households" or "residents"."""
    pages = max(1, math.ceil(total / page_size))
    column.caption(t(f"reg.page_{noun}", page=page, pages=pages, count=total))


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
