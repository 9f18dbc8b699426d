"""Widgets of the paper-sheet entry page, laid out like the printed sheet: one bordered block per
household row (outcome, follow-up, notes) with one compact line per resident (guidance chips, the five
skill boxes 1·2·3). No SQL here: callers pass the services' plain rows and get back `SheetRowInput`s."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import labels
from core.clock import today
from models.enums import GUIDANCE_KINDS, SKILLS, VisitOutcome, VisitStatus
from services.errors import ValidationFailed
from services.sheet_entry import SheetResident, SheetRow, SheetRowInput
from services.visits.queries import is_child
from services.visits.record import MAX_DAYS_BACK, ResidentInput
from webui.state import lang, t

BOXES = (1, 2, 3)  # the skill boxes printed on the sheet (a blank box row records nothing)
FILLED, EMPTY = "●", "○"

# Skill boxes: three equal buttons that always fit their fifth of the row on a tablet; chips and
# outcome buttons tall enough for a thumb.
SHEET_CSS = """<style>
[class*="-lvl-"] [data-testid="stButtonGroup"] [role="radiogroup"] { overflow: visible; }
[class*="-lvl-"] button[data-variant="segmented_control"] {
  flex: 1 1 0; min-width: 0; padding-left: 0; padding-right: 0; min-height: 2.75rem;
}
[class*="-outcome"] button[data-variant="segmented_control"] { min-height: 2.75rem; }
[class*="-guide"] button { min-height: 2.5rem; }
</style>"""


@dataclass
class Slots:
    """Error placeholders beside the fields, keyed like the service's problem fields
    ("visited_on", "row.<household>", "row.<household>.resident.<resident>.<skill>", …)."""

    by_field: dict[str, DeltaGenerator] = field(default_factory=dict)

    def __setitem__(self, name: str, slot: DeltaGenerator) -> None:
        self.by_field[name] = slot

    def show(self, exc: ValidationFailed) -> list[str]:
        """Put each problem in the nearest slot (the field, else its resident, else its row);
        return the messages that found none."""
        left = []
        shown: dict[str, list[str]] = {}
        for problem in exc.problems:
            parts = problem.field.split(".")
            name = next(
                (
                    ".".join(parts[:n])
                    for n in range(len(parts), 0, -1)
                    if ".".join(parts[:n]) in self.by_field
                ),
                None,
            )
            if name is None:
                left.append(problem.message(lang()))
            else:
                shown.setdefault(name, []).append(problem.message(lang()))
        for name, messages in shown.items():
            self.by_field[name].error("  \n".join(dict.fromkeys(messages)), icon=":material/error:")
        return left


def style() -> None:
    """Once per page run, before the rows."""
    st.html(SHEET_CSS)


def _boxes(level: int) -> str:
    return FILLED * level + EMPTY * (3 - level)


def visit_day(key: str, printed_on: date, slots: Slots) -> date | None:
    """The day written on the paper: the day printed by default, not before it, not in the future,
    at most MAX_DAYS_BACK days back (older sheets are refused by the service with a message)."""
    now = today()
    low = min(max(printed_on, now - timedelta(days=MAX_DAYS_BACK)), now)
    chosen = st.date_input(
        t("sheet.visited_on"),
        value=min(max(printed_on, low), now),
        min_value=low,
        max_value=now,
        format="DD/MM/YYYY",
        key=f"{key}.visited_on",
    )
    slots["visited_on"] = st.empty()
    return chosen


def row_block(key: str, number: int, row: SheetRow, slots: Slots) -> SheetRowInput | None:
    """One household row of the sheet; None when nothing can be entered (entered before, or gone)."""
    hid = row.household_id
    with st.container(border=True, key=f"{key}.box"):
        title = f"**{number}. " + t("sheet.household", code=row.code) + "**"
        st.markdown(title + (f" · {row.address}" if row.address else ""))
        if row.entered is not None:
            _entered_line(row)
            return None
        if not row.active:
            st.caption(t("sheet.row_gone"))
            return None
        outcome = st.segmented_control(
            t("sheet.outcome"),
            options=[o.value for o in VisitOutcome],
            default=None,
            format_func=lambda o: t(labels.OUTCOME[o]),
            key=f"{key}.outcome",
            width="stretch",
        )
        slots[f"row.{hid}.outcome"] = st.empty()
        slots[f"row.{hid}"] = st.empty()
        follow_up, notes = _follow_up_and_notes(key, hid, outcome, slots)
        if not row.residents:
            st.caption(t("sheet.no_residents"))
        adults = [r for r in row.residents if not is_child(r.birth_year, year=today().year)]
        children = [r for r in row.residents if r not in adults]
        shown = adults + (children if _children_shown(key, children) else [])
        residents = []
        for resident in row.residents:  # printed order
            if resident not in shown:
                continue
            item = resident_line(f"{key}.r{resident.id}", resident, slots, prefix=f"row.{hid}")
            if item is not None:
                residents.append(item)
    return SheetRowInput(
        household_id=hid, outcome=outcome, follow_up_on=follow_up, notes=notes, residents=residents
    )


def _children_shown(key: str, children: list[SheetResident]) -> bool:
    """One "show children (n)" toggle per row for residents under 14 (by birth year). A child with a
    mark keeps them shown: the toggle is then on and locked, so no mark is hidden or lost."""
    if not children:
        return False
    marked = any(
        st.session_state.get(f"{key}.r{c.id}.{part}")
        for c in children
        for part in ("guide", *(f"lvl-{s.value}" for s in SKILLS))
    )
    if marked:
        st.session_state[f"{key}.children"] = True
    return st.toggle(t("sheet.show_children", n=len(children)), key=f"{key}.children", disabled=marked)


def _entered_line(row: SheetRow) -> None:
    visit = row.entered
    params = {"outcome": t(labels.OUTCOME[visit.outcome]), "date": f"{visit.visited_on:%d/%m/%Y}"}
    if visit.status == VisitStatus.WITHDRAWN:
        st.caption(t("sheet.row_withdrawn", **params))
    else:
        st.markdown(":green[:material/check_circle: " + t("sheet.row_entered", **params) + "]")


def _follow_up_and_notes(key: str, hid: int, outcome: str | None, slots: Slots) -> tuple[date | None, str]:
    """The come-back date (only for "come back", as on the paper) and the row's notes, side by side."""
    follow_up = None
    if outcome == VisitOutcome.COME_BACK:
        date_col, notes_col = st.columns([2, 3])
        with date_col:
            follow_up = st.date_input(
                t("sheet.follow_up"),
                value=None,
                min_value=today() - timedelta(days=MAX_DAYS_BACK),
                format="DD/MM/YYYY",
                key=f"{key}.follow_up",
            )
            slots[f"row.{hid}.follow_up_on"] = st.empty()
    else:
        notes_col = st.container()
    with notes_col:
        notes = st.text_input(t("sheet.notes"), key=f"{key}.notes")
        slots[f"row.{hid}.notes"] = st.empty()
    return follow_up, notes


def resident_line(key: str, resident: SheetResident, slots: Slots, *, prefix: str) -> ResidentInput | None:
    """One resident of the row: name, guidance chips, the five skill boxes (each labelled with its level
    on record).
    Returns what was marked, or None when nothing was (the resident is then not counted as met)."""
    rid = resident.id
    with st.container(border=True, key=f"{key}.person"):
        name_col, guide_col = st.columns([2, 3], vertical_alignment="center")
        with name_col:
            year = f" ({resident.birth_year})" if resident.birth_year else ""
            head = (" · " + t("journey.head")) if resident.is_head else ""
            st.markdown(f"**{resident.full_name}**{year}{head}")
        with guide_col:
            guidance = st.pills(
                t("sheet.guided"),
                options=[g.value for g in GUIDANCE_KINDS],
                selection_mode="multi",
                default=[],
                format_func=lambda g: t(labels.GUIDANCE_SHORT[g]),
                key=f"{key}.guide",
            )
        slots[f"{prefix}.resident.{rid}"] = st.empty()
        levels: dict[str, int] = {}
        for column, skill in zip(st.columns(len(SKILLS), gap="small"), SKILLS, strict=True):
            on_record = _boxes(resident.levels.get(skill.value, 0))
            with column:
                chosen = st.segmented_control(
                    # The level on record beside the skill's name, as on the printed card.
                    t(labels.SKILL_SHORT[skill.value]) + f" {on_record}",
                    options=list(BOXES),
                    default=None,
                    key=f"{key}.lvl-{skill.value}",
                    width="stretch",
                )
            if chosen is not None:
                levels[skill.value] = int(chosen)
        reasons = _reasons(key, resident, levels, slots, prefix)
    if not guidance and not levels:
        return None
    return ResidentInput(resident_id=rid, guidance=set(guidance), levels=levels, reasons=reasons)


def _reasons(
    key: str, resident: SheetResident, levels: dict[str, int], slots: Slots, prefix: str
) -> dict[str, str]:
    """A reason field under each skill marked lower than the resident's current level."""
    reasons = {}
    for skill in SKILLS:
        name = f"{prefix}.resident.{resident.id}.{skill.value}"
        if skill.value in levels and levels[skill.value] < resident.levels.get(skill.value, 0):
            text = st.text_input(
                t("sheet.reason", skill=t(labels.SKILL[skill.value])), key=f"{key}.reason-{skill.value}"
            )
            if text.strip():
                reasons[skill.value] = text
        slots[name] = st.empty()
    return reasons
