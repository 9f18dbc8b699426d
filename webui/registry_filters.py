"""Widgets shared by the household and resident registries: the filters (village, visit status and
status row, the barrier choice; each page passes its own key prefix) and the edit-history table."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from services.registry import BARRIERS
from webui.state import t


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
