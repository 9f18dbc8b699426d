"""Enter paper sheets: open a returned visit sheet by its printed id, type in each household row as on the
paper, save the whole sheet at once; below, the sheets printed and entered per village."""

from dataclasses import dataclass
from datetime import date, datetime

import streamlit as st

from core.clock import local_day
from services import sheet_entry
from services.errors import AppError, ValidationFailed
from services.permissions import Act
from services.visits.queries import teammates
from webui import sheet_form
from webui.db import DatabaseDown, reading, writing
from webui.guard import require
from webui.state import lang, t

actor = require(Act.SHEET_ENTER)

SHEET_PARAM = "sheet"  # ?sheet=<id> opens a sheet directly

# session_state keys: ids and UI choices only
KEY_SHEET = "sheets.sheet"  # the open sheet's stored id
KEY_TYPED = "sheets.typed"
KEY_FORM = "sheets.form"  # form instance number: widget keys carry it, so a new number starts afresh
KEY_FIND_ERROR = "sheets.find_error"
KEY_SAVED = "sheets.saved"  # what the last save wrote, shown once on the next run


def _open(sheet_id: str) -> None:
    st.session_state[KEY_SHEET] = sheet_id
    st.session_state[KEY_FORM] = st.session_state.get(KEY_FORM, 0) + 1
    st.session_state.pop(KEY_FIND_ERROR, None)


def _close() -> None:
    st.session_state.pop(KEY_SHEET, None)
    st.query_params.pop(SHEET_PARAM, None)


def _find() -> None:
    """The typed id (on submit of the find form): open the sheet, or keep the message for this run."""
    typed = st.session_state.get(KEY_TYPED, "")
    if not typed.strip():
        st.session_state[KEY_FIND_ERROR] = t("sheet.need_id")
        return
    try:
        with reading() as session:
            found = sheet_entry.find_sheet(session, actor=actor, typed=typed)
    except AppError as exc:
        st.session_state[KEY_FIND_ERROR] = exc.message(lang())
        return
    _open(found)


def _day(value) -> str:
    """A date, or a stored timestamp as its day in Vietnam (entered after 17:00 UTC is the next day)."""
    if isinstance(value, datetime):
        value = local_day(value)
    return value.strftime("%d/%m/%Y") if value else ""


# ---------------------------------------------------------------- choosing a sheet, and the overview


def chooser() -> None:
    st.caption(t("sheet.intro"))
    with st.form("sheets.find", border=False):
        typed_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
        typed_col.text_input(
            t("sheet.typed"), key=KEY_TYPED, placeholder=t("sheet.typed_hint"), icon=":material/tag:"
        )
        go_col.form_submit_button(
            t("sheet.open"), type="primary", icon=":material/fact_check:", width="stretch", on_click=_find
        )
    message = st.session_state.pop(KEY_FIND_ERROR, None)
    if message:
        st.error(message)


def overview(*, with_buttons: bool) -> None:
    """Sheets printed / entered per village; the open ones as buttons that open them."""
    st.subheader(t("sheet.summary_heading"))
    with reading() as session:
        villages = sheet_entry.sheets_overview(session, actor=actor)
    if not any(v.printed for v in villages):
        st.info(t("sheet.none_printed"))
    for village in villages:
        with st.container(border=True):
            st.markdown(f"**{village.name}** ({village.code})")
            st.caption(
                t("sheet.village_counts", printed=village.printed, entered=village.entered, open=village.open)
            )
            if not with_buttons:
                continue
            for brief in village.open_sheets:
                label = t(
                    "sheet.open_line",
                    id=brief.id,
                    date=_day(brief.printed_on),
                    entered=brief.rows_entered,
                    households=brief.households,
                )
                st.button(
                    label,
                    key=f"sheets.pick.{brief.id}",
                    on_click=_open,
                    args=(brief.id,),
                    icon=":material/description:",
                    width="stretch",
                )
            hidden = village.open - len(village.open_sheets)
            if hidden > 0:
                st.caption(t("sheet.more_open", n=hidden))


# ---------------------------------------------------------------- one sheet


def _saved_message(result: sheet_entry.SheetEntryResult) -> str:
    parts = [t("sheet.saved", id=result.sheet_id, recorded=result.recorded, residents=result.residents)]
    if result.already:
        parts.append(t("sheet.saved_already", n=result.already))
    if result.complete:
        parts.append(t("sheet.saved_complete"))
    elif result.rows_left:
        parts.append(t("sheet.saved_left", left=result.rows_left))
    return " ".join(parts)


def sheet_view(sheet_id: str) -> None:
    st.button(t("sheet.back"), key="sheets.back", on_click=_close, icon=":material/arrow_back:")
    try:
        with reading() as session:
            sheet = sheet_entry.load_sheet(session, actor=actor, sheet_id=sheet_id)
            mates = {m.member_id: m.full_name for m in teammates(session, actor=actor)}
    except AppError as exc:
        st.error(exc.message(lang()))
        return
    form = f"sheets.f{st.session_state.get(KEY_FORM, 0)}"
    saved = sheet_heading(sheet)
    if not sheet.rows_left:
        rows_view(form, sheet, sheet_form.Slots())
        if saved:
            st.success(saved, icon=":material/check_circle:")
        return
    slots = sheet_form.Slots()
    entry = entry_form(form, sheet, mates, slots)
    status = st.container()
    if saved:
        status.success(saved, icon=":material/check_circle:")
    slots["form"] = status
    if st.button(t("sheet.save"), key="sheets.save", type="primary", icon=":material/save:", width="stretch"):
        save_sheet(sheet, entry, status, slots)


def sheet_heading(sheet: sheet_entry.SheetForEntry) -> str | None:
    """The sheet's id, village and progress, and what the last save wrote (returned: it is shown again
    above the save button)."""
    entered = sum(1 for r in sheet.rows if r.entered is not None)
    st.subheader(sheet.id)
    st.caption(
        t("sheet.where", village=sheet.village_name, commune=sheet.commune_name, date=_day(sheet.printed_on))
        + " · "
        + t("sheet.progress", households=len(sheet.rows), entered=entered, left=sheet.rows_left)
    )
    saved = st.session_state.pop(KEY_SAVED, None)
    if saved:
        # Seen wherever the page is scrolled: a toast, and a banner at the top and at the bottom.
        st.toast(saved, icon=":material/check_circle:")
        st.success(saved, icon=":material/check_circle:")
    if sheet.entered_at is not None:
        st.success(t("sheet.entered_done", date=_day(sheet.entered_at)), icon=":material/task_alt:")
    return saved


@dataclass
class SheetEntry:
    """What the form holds: the day, the teammates who went too, the typed rows, "close the sheet"."""

    visited_on: date
    members: list[int]
    rows: list
    close: bool


def entry_form(
    form: str, sheet: sheet_entry.SheetForEntry, mates: dict, slots: sheet_form.Slots
) -> SheetEntry:
    sheet_form.style()
    date_col, mates_col = st.columns([2, 3], vertical_alignment="bottom")
    with date_col:
        visited_on = sheet_form.visit_day(form, sheet.printed_on, slots)
    members: list[int] = []
    if mates:
        with mates_col:
            members = st.multiselect(
                t("journey.members"),
                options=list(mates),
                format_func=lambda m: mates.get(m, str(m)),
                placeholder=t("journey.members_pick"),
                select_all=False,
                key=f"{form}.members",
            )
            slots["members"] = st.empty()
    st.caption(t("sheet.legend"))
    rows = rows_view(form, sheet, slots)
    close = False
    if sheet.entered_at is None:
        close = st.checkbox(t("sheet.close"), key=f"{form}.close")
    return SheetEntry(visited_on, members, rows, close)


def save_sheet(sheet: sheet_entry.SheetForEntry, entry: SheetEntry, status, slots: sheet_form.Slots) -> None:
    """Save the typed rows at once; a refusal is shown above the button and the form keeps its input."""
    filled = [r for r in entry.rows if not r.is_blank()]
    if not filled and not entry.close:
        status.warning(t("sheet.nothing"))
        return
    try:
        with writing() as session:
            result = sheet_entry.enter_sheet(
                session,
                actor=actor,
                sheet_id=sheet.id,
                visited_on=entry.visited_on,
                rows=filled,
                member_ids=entry.members,
                close=entry.close,
            )
    except ValidationFailed as exc:
        status.error(t("sheet.save_failed"), icon=":material/error:")
        for message in slots.show(exc):
            status.error(message)
        st.toast(t("sheet.save_failed_toast", n=len(exc.problems)), icon=":material/error:")
        return
    except DatabaseDown:
        status.error(t("journey.save_failed_db"), icon=":material/sync_problem:")
        return
    except AppError as exc:
        status.error(exc.message(lang()))
        return
    st.session_state[KEY_SAVED] = _saved_message(result)
    _open(sheet.id)  # a new form instance: the saved rows now show as entered
    st.rerun()


def rows_view(form: str, sheet: sheet_entry.SheetForEntry, slots: sheet_form.Slots) -> list:
    rows = []
    for number, row in enumerate(sheet.rows, start=1):
        item = sheet_form.row_block(f"{form}.h{row.household_id}", number, row, slots)
        if item is not None:
            rows.append(item)
    return rows


def render() -> None:
    st.title(t("nav.sheet_entry"))
    requested = st.query_params.get(SHEET_PARAM)
    if requested and KEY_SHEET not in st.session_state:
        st.session_state[KEY_TYPED] = requested
        st.query_params.pop(SHEET_PARAM)  # tried once; a refusal is shown under the sheet number
        _find()
    opened = st.session_state.get(KEY_SHEET)
    if opened is None:
        chooser()
        overview(with_buttons=True)
    else:
        sheet_view(opened)
        st.divider()
        overview(with_buttons=False)


render()
