"""Nhật ký thao tác: who did what and when in the user's area, before → after (personal values masked by
the service), filtered by user, area, kind and dates, paged, exported as CSV."""

from datetime import timedelta

import streamlit as st

from core.clock import today
from services import audit_view
from services.areas import list_subtree
from services.errors import AppError, ValidationFailed
from services.permissions import Act
from webui.db import reading
from webui.guard import require
from webui.state import lang, t

actor = require(Act.AUDIT_READ)

PAGE_SIZE = 50
# Pixel widths of the table's columns (time, user, action, record, area, before → after) and row height.
COLUMN_WIDTHS = (90, 118, 120, 94, 86, 192)
ROW_HEIGHT = 76
DEFAULT_DAYS = 30  # the date range first shown: the last 30 days, today included
# session_state keys (UI choices only)
KEY_USER = "audit.f_user"
KEY_AREA = "audit.f_area"
KEY_KIND = "audit.f_kind"
KEY_DATES = "audit.f_dates"
KEY_PAGE = "audit.page"
KEY_LAST_FILTER = "audit.last_filter"
KEY_PREPARE = "audit.prepare_btn"
KEY_DOWNLOAD = "audit.download_btn"


def filters_row() -> audit_view.AuditFilter:
    """User and area, then kind and dates: two to a row, so each keeps a readable width on a tablet."""
    with reading() as session:
        users = {u.id: u.label for u in audit_view.user_choices(session, actor=actor)}
        areas = {a.id: f"{a.name} ({a.code})" for a in list_subtree(session, actor=actor)}
    c1, c2 = st.columns(2)
    user_id = c1.selectbox(
        t("audit.filter.user"),
        [None, *users],
        format_func=lambda v: t("audit.filter.user_all") if v is None else users[v],
        key=KEY_USER,
    )
    area_id = c2.selectbox(
        t("audit.filter.area"),
        [None, *areas],
        format_func=lambda v: t("audit.filter.area_all") if v is None else areas[v],
        key=KEY_AREA,
    )
    c3, c4 = st.columns(2)
    kind = c3.selectbox(
        t("audit.filter.kind"),
        [None, *audit_view.KINDS],
        format_func=lambda v: t("audit.filter.kind_all") if v is None else t(audit_view.KIND_LABEL[v]),
        key=KEY_KIND,
    )
    now = today()
    dates = c4.date_input(
        t("audit.filter.dates"),
        value=(now - timedelta(days=DEFAULT_DAYS - 1), now),
        max_value=now,
        format="DD/MM/YYYY",
        key=KEY_DATES,
    )
    date_from, date_to = (*dates, None, None)[:2]  # a range being picked has one end only
    return audit_view.AuditFilter(
        user_id=user_id, area_id=area_id, kind=kind, date_from=date_from, date_to=date_to
    )


def current_page(filters: audit_view.AuditFilter) -> int:
    """Page 1 again whenever the filter changed."""
    signature = repr(filters)
    if st.session_state.get(KEY_LAST_FILTER) != signature:
        st.session_state[KEY_LAST_FILTER] = signature
        st.session_state[KEY_PAGE] = 1
    return st.session_state.get(KEY_PAGE, 1)


def pager(result: audit_view.AuditPage) -> None:
    p1, p2, p3 = st.columns([1, 1, 2], vertical_alignment="center")
    if p1.button(t("audit.prev"), disabled=result.page <= 1, key="audit.prev_btn", width="stretch"):
        st.session_state[KEY_PAGE] = result.page - 1
        st.rerun()
    if p2.button(
        t("audit.next"), disabled=result.page >= result.pages, key="audit.next_btn", width="stretch"
    ):
        st.session_state[KEY_PAGE] = result.page + 1
        st.rerun()
    p3.caption(t("audit.page_line", page=result.page, pages=result.pages, count=result.total))


def table(result: audit_view.AuditPage) -> None:
    """Every column in view on a portrait tablet: fixed widths that add up to its ~700 px, and rows tall
    enough for a cell to wrap onto three lines (Streamlit wraps text only when rows are over 4rem)."""
    widths = dict(zip(audit_view.COLUMNS, COLUMN_WIDTHS, strict=True))
    st.dataframe(
        audit_view.table_rows(result.rows, lang()),
        hide_index=True,
        row_height=ROW_HEIGHT,
        column_config={t(key): st.column_config.TextColumn(width=width) for key, width in widths.items()},
    )


def number(n: int) -> str:
    """A count with thousands separated as the language writes them (50.000 / 50,000)."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang() == "vi" else text


def export_box(filters: audit_view.AuditFilter, total: int) -> None:
    """The filter's entries as CSV, prepared on demand (the same columns and masking as the table)."""
    if not st.button(t("audit.prepare"), key=KEY_PREPARE, icon=":material/table_view:"):
        return
    with reading() as session:
        export = audit_view.export_audit(session, actor=actor, filters=filters, lang=lang())
    if export.cut:
        st.warning(t("audit.export_cut", max=number(audit_view.EXPORT_MAX), total=number(total)))
    st.download_button(
        t("audit.download"),
        export.data,
        file_name="nhat-ky-thao-tac.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=KEY_DOWNLOAD,
    )


def render() -> None:
    st.title(t("audit.heading"))
    st.caption(t("audit.intro"))
    filters = filters_row()
    try:
        with reading() as session:
            result = audit_view.list_audit(
                session,
                actor=actor,
                filters=filters,
                page=current_page(filters),
                page_size=PAGE_SIZE,
                lang=lang(),
            )
    except ValidationFailed as exc:
        for problem in exc.problems:
            st.error(problem.message(lang()))
        return
    except AppError as exc:  # an area no longer in the user's scope
        st.error(exc.message(lang()))
        return
    if not result.rows:
        st.info(t("audit.empty"))
        return
    table(result)
    pager(result)
    export_box(filters, result.total)


render()
