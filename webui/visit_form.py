"""Shared widgets of the visit, session and correction forms: one resident's block (present, guidance,
skill ladder, reasons, evidence, barriers, what to show next) and the visit-level fields. No SQL here:
callers pass plain cards from the services and get back `ResidentInput`s and error slots."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitPageNotFoundError

from models.enums import GUIDANCE_KINDS, SKILL_LEVELS, SKILLS, VisitOutcome, VisitPlace
from services import printing
from services.clock import today
from services.errors import ValidationFailed
from services.households import ResidentCard
from services.next_step import next_material
from services.visits import MAX_DAYS_BACK, ResidentInput
from webui.state import lang, t

# Barriers a volunteer updates on the spot (the others are kept as they are).
FORM_BARRIERS = ("has_smartphone", "phone_own_name", "vneid_level", "has_payment_account")
EVIDENCE_SKILL = "submit"  # the dossier code submitted during the visit
FILLED, EMPTY = "●", "○"
VIDEO_PAGE = "videos"


@dataclass
class Slots:
    """Error placeholders next to the fields, keyed by the service's problem field names."""

    by_field: dict[str, DeltaGenerator]

    def show(self, exc: ValidationFailed) -> list[str]:
        """Put each problem under its field; return the messages that found no field."""
        left = []
        for problem in exc.problems:
            slot = self.by_field.get(problem.field)
            if slot is None and problem.field.startswith("resident."):
                slot = self.by_field.get(".".join(problem.field.split(".")[:2]))
            if slot is None:
                left.append(problem.message(lang()))
            else:
                slot.error(problem.message(lang()))
        return left


def page_link(path: str, label: str, icon: str) -> None:
    """A link to a sibling page (skipped when this page runs as the entry script, as in AppTest)."""
    with contextlib.suppress(StreamlitPageNotFoundError):
        st.page_link(path, label=label, icon=icon, width="stretch")


def ladder(level: int) -> str:
    return FILLED * level + EMPTY * (3 - level)


def ladder_line(levels: dict[str, int]) -> str:
    """The five skills as a compact ladder, e.g. "Nộp HS ●●○ · T.toán ○○○ …"."""
    return " · ".join(
        f"{t('journey.skill_short.' + s.value)} {ladder(levels.get(s.value, 0))}" for s in SKILLS
    )


def barrier_line(barriers: dict[str, object]) -> str:
    """What the resident lacks, in a few words ("" when nothing known is missing)."""
    lacks = []
    if barriers.get("has_smartphone") is False:
        lacks.append(t("reg.barrier.no_smartphone"))
    if barriers.get("phone_own_name") is False:
        lacks.append(t("reg.barrier.phone_not_own"))
    if barriers.get("vneid_level") is not None and barriers["vneid_level"] < 2:
        lacks.append(t("reg.barrier.no_vneid2"))
    if barriers.get("has_payment_account") is False:
        lacks.append(t("reg.barrier.no_payment"))
    return t("journey.lacks", items=", ".join(lacks)) if lacks else ""


@st.cache_data(show_spinner=False, max_entries=32)
def leaflet_pdf(leaflet_id: str) -> bytes:
    """A leaflet's PDF without an address block (the same for everyone, so cached per process)."""
    return printing.leaflet_document(None, actor=None, leaflet_id=leaflet_id)


def next_material_row(levels: dict[str, int], key: str, *, columns=None) -> None:
    """What to show the resident next: the lowest missing skill, its leaflet (download) and video.
    `columns`: three columns to draw into (text, leaflet, video); a new row otherwise."""
    material = next_material(levels)
    text, leaflet_col, video_col = columns or st.columns([3, 1, 1], vertical_alignment="center")
    if material is None:
        text.caption(t("journey.all_mastered"))
        return
    text.caption(t("journey.next_for", skill=t("journey.skill_short." + material.skill)))
    leaflet_col.download_button(
        t("journey.leaflet"),
        data=lambda lid=material.leaflet.id: leaflet_pdf(lid),
        file_name=f"to-roi-{material.leaflet.id}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        key=f"{key}.leaflet",
        help=material.leaflet.title,
        width="stretch",
    )
    video_col.link_button(
        t("journey.video"),
        f"{VIDEO_PAGE}?video={material.video.id}",
        icon=":material/smart_display:",
        help=material.video.title,
        width="stretch",
    )


COMPACT_CSS = """<style>
/* Skill ladders: four equal buttons that always fit their column on a tablet (no hidden "3"). */
[class*="-level-"] [data-testid="stButtonGroup"] [role="radiogroup"] { overflow: visible; }
[class*="-level-"] button[data-variant="segmented_control"] {
  flex: 1 1 0; min-width: 0; padding-left: 0; padding-right: 0; min-height: 2.6rem;
}
</style>"""


def compact_style() -> None:
    """Once per page run, before the resident blocks."""
    st.html(COMPACT_CSS)


def _tri(value: object) -> str:
    return {True: "yes", False: "no"}.get(value, "unknown")


def resident_block(
    key: str,
    card: ResidentCard,
    *,
    present_default: bool = True,
    guidance_default: set[str] | None = None,
    levels_default: dict[str, int] | None = None,
    evidence_default: str = "",
    reasons_default: dict[str, str] | None = None,
    caption: str | None = None,
    details: bool = True,
    slots: dict[str, DeltaGenerator],
    on_remove: Callable[[], None] | None = None,
) -> ResidentInput | None:
    """One resident's rows inside a bordered box; returns what was recorded, or None when the
    resident is not present (or `details` is False: the visit did not take place).

    Widget keys all start with `key`: change it (a new form instance) and the block starts afresh.
    Skill choices default to `levels_default` (else the current level), so untouched skills record
    nothing. A reason field appears under a skill whose level goes down."""
    current = card.levels
    levels_default = levels_default or current
    rid = card.id
    with st.container(border=True):
        head = f"**{card.full_name}**" + (f" ({card.birth_year})" if card.birth_year else "")
        if card.is_head:
            head += f" · {t('journey.head')}"
        widths = [5, 3, 2, 2] + ([2] if on_remove else [])
        row = st.columns(widths, vertical_alignment="center")
        with row[0]:
            present = st.checkbox(head, value=present_default, key=f"{key}.present")
        next_material_row(current, key, columns=row[1:4])
        if on_remove:
            row[4].button(
                t("journey.remove"),
                key=f"{key}.remove",
                on_click=on_remove,
                icon=":material/close:",
                width="stretch",
            )
        info = [caption, barrier_line(card.barriers)]
        if not (present and details):
            info.insert(1, ladder_line(current))
        info = " · ".join(x for x in info if x)
        if info:
            st.caption(info)
        slots[f"resident.{rid}"] = st.empty()
        if not (present and details):
            return None
        pills_col, more_col = st.columns([3, 2], vertical_alignment="center")
        with pills_col:
            guidance = st.pills(
                t("journey.guidance"),
                options=[g.value for g in GUIDANCE_KINDS],
                selection_mode="multi",
                default=sorted(guidance_default or ()),
                format_func=lambda g: t("journey.guide_short." + g),
                key=f"{key}.guidance",
                label_visibility="collapsed",
            )
            slots[f"resident.{rid}.guidance"] = st.empty()
        with more_col, st.expander(t("journey.more")):
            evidence = st.text_input(t("journey.evidence"), value=evidence_default, key=f"{key}.evidence")
            barriers = _barrier_inputs(key, card, slots)
        levels: dict[str, int] = {}
        columns = st.columns(len(SKILLS), gap="small")
        for column, skill in zip(columns, SKILLS, strict=True):
            with column:
                chosen = st.segmented_control(
                    t("journey.skill_short." + skill.value),
                    options=list(SKILL_LEVELS),
                    default=levels_default.get(skill.value, current.get(skill.value, 0)),
                    required=True,
                    key=f"{key}.level.{skill.value}",
                    help=t("skill." + skill.value),
                    width="stretch",
                )
            levels[skill.value] = int(chosen if chosen is not None else current.get(skill.value, 0))
        reasons: dict[str, str] = {}
        for skill in SKILLS:
            field = f"resident.{rid}.{skill.value}"
            if levels[skill.value] < current.get(skill.value, 0) or (reasons_default or {}).get(skill.value):
                reasons[skill.value] = st.text_input(
                    t("journey.reason_for", skill=t("skill." + skill.value)),
                    value=(reasons_default or {}).get(skill.value, ""),
                    key=f"{key}.reason.{skill.value}",
                )
            slots[field] = st.empty()
    return ResidentInput(
        resident_id=rid,
        guidance=set(guidance or ()),
        levels=levels,
        evidence={EVIDENCE_SKILL: evidence} if evidence.strip() else {},
        reasons={k: v for k, v in reasons.items() if v.strip()},
        barriers=barriers,
    )


def _barrier_inputs(key: str, card: ResidentCard, slots: dict[str, DeltaGenerator]) -> dict[str, object]:
    """Barrier flags as two-way choices; only the ones changed from what is on record are returned."""
    changed: dict[str, object] = {}
    cols = st.columns(2)
    for i, name in enumerate(FORM_BARRIERS):
        column = cols[i % 2]
        old = card.barriers.get(name)
        with column:
            if name == "vneid_level":
                options = ["unknown", 0, 1, 2]
                chosen = st.selectbox(
                    t("journey.barrier." + name),
                    options=options,
                    index=options.index(old) if old in (0, 1, 2) else 0,
                    format_func=lambda v: (
                        t("journey.not_asked") if v == "unknown" else t(f"journey.vneid.{v}")
                    ),
                    key=f"{key}.barrier.{name}",
                )
                value = None if chosen == "unknown" else chosen
            else:
                options = ["unknown", "yes", "no"]
                chosen = st.selectbox(
                    t("journey.barrier." + name),
                    options=options,
                    index=options.index(_tri(old)),
                    format_func=lambda v: {
                        "unknown": t("journey.not_asked"),
                        "yes": t("journey.yes"),
                        "no": t("journey.no"),
                    }[v],
                    key=f"{key}.barrier.{name}",
                )
                value = {"yes": True, "no": False}.get(chosen)
            slots[f"resident.{card.id}.{name}"] = st.empty()
        if value is not None and value != old:
            changed[name] = value
    return changed


# ---------------------------------------------------------------- visit-level fields


@dataclass
class VisitFields:
    visited_on: date | None
    place: str
    outcome: str
    member_ids: list[int]
    follow_up_on: date | None
    notes: str


def visit_date(key: str, slots: dict[str, DeltaGenerator], visited_on: date | None = None) -> date | None:
    """The visit day: today by default, never in the future, at most MAX_DAYS_BACK days back."""
    day = today()
    visited = st.date_input(
        t("journey.visited_on"),
        value=visited_on or day,
        min_value=min(day - timedelta(days=MAX_DAYS_BACK), visited_on or day),
        max_value=day,
        format="DD/MM/YYYY",
        key=f"{key}.visited_on",
    )
    slots["visited_on"] = st.empty()
    return visited


def date_and_place(
    key: str,
    slots: dict[str, DeltaGenerator],
    *,
    visited_on: date | None = None,
    place: str = VisitPlace.HOME,
    outcome: str = VisitOutcome.DONE,
    places: tuple[str, ...] = tuple(p.value for p in VisitPlace),
    show_outcome: bool = True,
) -> tuple[date | None, str, str]:
    """Date (today by default, never in the future, at most MAX_DAYS_BACK back), place, outcome."""
    date_col, place_col = st.columns([1, 2], vertical_alignment="bottom")
    with date_col:
        visited = visit_date(key, slots, visited_on)
    with place_col:
        chosen_place = st.segmented_control(
            t("journey.place"),
            options=list(places),
            default=place if place in places else places[0],
            required=True,
            format_func=lambda p: t("journey.place." + p),
            key=f"{key}.place",
            width="stretch",
        )
        slots["place"] = st.empty()
    chosen_outcome = outcome
    if show_outcome:
        chosen_outcome = st.segmented_control(
            t("journey.outcome"),
            options=[o.value for o in VisitOutcome],
            default=outcome,
            required=True,
            format_func=lambda o: t("journey.outcome." + o),
            key=f"{key}.outcome",
            width="stretch",
        )
        slots["outcome"] = st.empty()
    return visited, chosen_place or places[0], chosen_outcome or VisitOutcome.DONE


def team_and_follow_up(
    key: str,
    slots: dict[str, DeltaGenerator],
    mates: dict[int, str],
    *,
    member_ids: list[int] | None = None,
    follow_up_on: date | None = None,
    notes: str = "",
    with_follow_up: bool = True,
) -> tuple[list[int], date | None, str]:
    """Teammates who went too, the follow-up date (optional) and notes, on one row."""
    mates_col, follow_col, notes_col = st.columns([3, 2, 3])
    with mates_col:
        members = st.multiselect(
            t("journey.members"),
            options=list(mates),
            default=[m for m in (member_ids or []) if m in mates],
            format_func=lambda m: mates.get(m, str(m)),
            placeholder=t("journey.members_pick"),
            key=f"{key}.members",
        )
        slots["members"] = st.empty()
    follow = None
    if with_follow_up:
        with follow_col:
            follow = st.date_input(
                t("journey.follow_up_on"),
                value=follow_up_on,
                min_value=today() - timedelta(days=MAX_DAYS_BACK),
                format="DD/MM/YYYY",
                key=f"{key}.follow_up_on",
            )
            slots["follow_up_on"] = st.empty()
    with notes_col:
        text = st.text_input(t("journey.notes"), value=notes, key=f"{key}.notes")
        slots["notes"] = st.empty()
    return list(members), follow, text
