"""Shared widgets of the visit, session and correction forms: one resident's block (present, guidance,
skill ladder, reasons, evidence, barriers, what to show next), the children fold, the visit-level
fields, the saved confirmation, and the list of a form's widget keys. No SQL here: callers pass plain
cards from the services and get back `ResidentInput`s and error slots."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitPageNotFoundError

from core import labels
from core.clock import today
from models.enums import GUIDANCE_KINDS, SKILL_LEVELS, SKILLS, VisitOutcome, VisitPlace
from services.errors import ValidationFailed
from services.people.households import ResidentCard
from services.printing import documents as printing
from services.printing.next_step import next_material
from services.visits.queries import split_children
from services.visits.record import MAX_DAYS_BACK, ResidentInput
from webui.state import lang, t

# Barriers a volunteer updates on the spot (the others are kept as they are).
FORM_BARRIERS = ("has_smartphone", "phone_own_name", "vneid_level", "has_payment_account")
EVIDENCE_SKILL = "submit"  # the dossier code submitted during the visit
FILLED, EMPTY = "●", "○"
VIDEO_PAGE = "videos"

# ---------------------------------------------------------------- widget keys of one form instance
# Every widget of a form instance has the key f"{form}.{suffix}"; a resident's widgets have the key
# f"{form}.r{resident_id}.{suffix}". A new `form` (instance number) starts the form afresh.
VISIT_KEYS = ("visited_on", "place", "outcome", "members", "follow_up_on", "notes")
CHILDREN_KEY = "children"  # the "show children" toggle of a household form
RESIDENT_KEYS = (
    "present",
    "guidance",
    "evidence",
    "dossier_kind",
    "rating",  # drawn only once something is guided
    "consent",
    *(f"barrier.{name}" for name in FORM_BARRIERS),
    *(f"level.{skill.value}" for skill in SKILLS),
    *(f"reason.{skill.value}" for skill in SKILLS),  # drawn only under a skill whose level went down
)


def resident_prefix(form: str, resident_id: int) -> str:
    """The key prefix of one resident's block in form instance `form`."""
    return f"{form}.r{resident_id}"


def household_form_keys(form: str, resident_ids: Iterable[int]) -> list[str]:
    """Every widget key a household visit form (instance `form`) may draw, buttons left out: what a
    draft captures from `st.session_state` and writes back before the form is drawn. Keys of widgets
    not drawn in a run (a reason field, children folded away) may be absent from session_state."""
    keys = [f"{form}.{suffix}" for suffix in (*VISIT_KEYS, CHILDREN_KEY)]
    for rid in resident_ids:
        keys.extend(f"{resident_prefix(form, rid)}.{suffix}" for suffix in RESIDENT_KEYS)
    return keys


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
    return " · ".join(t(labels.SKILL_SHORT[s.value]) + f" {ladder(levels.get(s.value, 0))}" for s in SKILLS)


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
    text.caption(t("journey.next_for", skill=t(labels.SKILL_SHORT[material.skill])))
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
/* Satisfaction: five equal, finger-sized buttons across the resident's box. */
[class*="-rating"] [data-testid="stButtonGroup"] [role="radiogroup"] { overflow: visible; }
[class*="-rating"] button[data-variant="segmented_control"] {
  flex: 1 1 0; min-width: 0; min-height: 3rem; font-size: 1.1rem;
}
</style>"""


def compact_style() -> None:
    """Once per page run, before the resident blocks."""
    st.html(COMPACT_CSS)


def _tri(value: object) -> str:
    return {True: "yes", False: "no"}.get(value, "unknown")


def _mark_present(present_key: str) -> None:
    """on_change of a resident's controls: touching any of them means the resident is there (runs
    before the rerun draws the checkbox, so setting its key is allowed)."""
    st.session_state[present_key] = True


def resident_block(
    key: str,
    card: ResidentCard,
    *,
    present_default: bool = True,
    guidance_default: set[str] | None = None,
    levels_default: dict[str, int] | None = None,
    evidence_default: str = "",
    dossier_kind_default: str | None = None,
    reasons_default: dict[str, str] | None = None,
    rating_default: int | None = None,
    caption: str | None = None,
    details: bool = True,
    slots: dict[str, DeltaGenerator],
    on_remove: Callable[[], None] | None = None,
    consent_asked: bool = False,
) -> ResidentInput | None:
    """One resident's rows inside a bordered box; returns what was recorded, or None when the
    resident is not present (or `details` is False: the visit did not take place).

    Widget keys all start with `key` (see `resident_prefix`): change it (a new form instance) and the
    block starts afresh. With `details`, the guidance chips, skill ladder, dossier code and barriers
    are drawn whether or not the resident is ticked present, and touching any of them ticks it.
    Skill choices default to `levels_default` (else the current level), so untouched skills record
    nothing. A reason field appears under a skill whose level goes down. With `consent_asked` (a
    resident without recorded consent) a small "agreed to keep their data" box sits under the name;
    the caller reads it with `consent_given`."""
    current = card.levels
    present_key = f"{key}.present"
    touched = {"on_change": _mark_present, "args": (present_key,)}
    with st.container(border=True):
        present = _resident_head(
            key,
            card,
            present_key,
            present_default=present_default,
            caption=caption,
            details=details,
            on_remove=on_remove,
        )
        slots[f"resident.{card.id}"] = st.empty()
        if not details:
            return None
        if consent_asked:
            st.checkbox(
                t("consent.visit_checkbox"), key=f"{key}.consent", help=t("consent.visit_help"), **touched
            )
        guidance, (evidence, dossier_kind), barriers = _guidance_inputs(
            key, card, guidance_default, (evidence_default, dossier_kind_default), slots, touched
        )
        levels = _level_inputs(key, current, levels_default or current, touched)
        reasons = _reason_inputs(key, card.id, current, levels, reasons_default or {}, slots)
        rating = rating_input(key, card.id, bool(guidance), rating_default, slots)
    if not present:
        return None
    return ResidentInput(
        resident_id=card.id,
        guidance=set(guidance or ()),
        levels=levels,
        evidence={EVIDENCE_SKILL: evidence} if evidence.strip() else {},
        reasons={k: v for k, v in reasons.items() if v.strip()},
        barriers=barriers,
        satisfaction=rating,
        dossier_kind=dossier_kind if evidence.strip() else None,
    )


def consent_given(key: str) -> bool:
    """The consent box of the resident block with prefix `key` is ticked."""
    return bool(st.session_state.get(f"{key}.consent"))


RATING_SCORES = (1, 2, 3, 4, 5)


def rating_input(
    key: str, rid: int, guided: bool, default: int | None, slots: dict[str, DeltaGenerator]
) -> int | None:
    """Satisfaction after guidance: five big buttons, one tap, tap again to clear; asked only once
    something was guided (the rating is of the guidance). None when skipped."""
    slot = f"resident.{rid}.satisfaction"
    if not guided:
        slots[slot] = st.empty()
        return None
    chosen = st.segmented_control(
        t("visit_form.rating"),
        options=list(RATING_SCORES),
        default=default if default in RATING_SCORES else None,
        format_func=lambda n: f"{n} ★",
        key=f"{key}.rating",
        help=t("visit_form.rating_help"),
        width="stretch",
    )
    slots[slot] = st.empty()
    return int(chosen) if chosen is not None else None


def _resident_head(
    key: str,
    card: ResidentCard,
    present_key: str,
    *,
    present_default: bool,
    caption: str | None,
    details: bool,
    on_remove: Callable[[], None] | None,
) -> bool:
    """The "present" box with the name, what to show next, a remove button (a session's attendee), and
    a caption line (barriers; the ladder too when no details are asked). Returns whether present."""
    current = card.levels
    head = f"**{card.full_name}**" + (f" ({card.birth_year})" if card.birth_year else "")
    if card.is_head:
        head += " · " + t("journey.head")
    widths = [5, 3, 2, 2] + ([2] if on_remove else [])
    row = st.columns(widths, vertical_alignment="center")
    with row[0]:
        present = st.checkbox(head, value=present_default, key=present_key)
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
    if not details:
        info.insert(1, ladder_line(current))
    info = " · ".join(x for x in info if x)
    if info:
        st.caption(info)
    return present


def _guidance_inputs(
    key: str,
    card: ResidentCard,
    guidance_default: set[str] | None,
    dossier_default: tuple[str, str | None],
    slots: dict[str, DeltaGenerator],
    touched: dict,
) -> tuple[list[str], tuple[str, str | None], dict[str, object]]:
    """The guidance chips ("what I guided"), and under «Thêm» the dossier code with its kind (toàn
    trình / một phần, as the portal labels the service) and the barriers."""
    pills_col, more_col = st.columns([3, 2], vertical_alignment="bottom")
    with pills_col:
        guidance = st.pills(
            t("visit_form.guided"),
            options=[g.value for g in GUIDANCE_KINDS],
            selection_mode="multi",
            default=sorted(guidance_default or ()),
            format_func=lambda g: t(labels.GUIDANCE_SHORT[g]),
            key=f"{key}.guidance",
            help=t("visit_form.guided_help"),
            **touched,
        )
        slots[f"resident.{card.id}.guidance"] = st.empty()
    with more_col, st.expander(t("journey.more")):
        evidence = st.text_input(
            t("journey.evidence"), value=dossier_default[0], key=f"{key}.evidence", **touched
        )
        kind = st.segmented_control(
            t("visit_form.dossier_kind"),
            options=list(labels.DOSSIER_KIND),
            default=dossier_default[1] if dossier_default[1] in labels.DOSSIER_KIND else None,
            format_func=lambda k: t(labels.DOSSIER_KIND[k]),
            key=f"{key}.dossier_kind",
            help=t("visit_form.dossier_kind_help"),
            width="stretch",
            **touched,
        )
        slots[f"resident.{card.id}.dossier_kind"] = st.empty()
        barriers = _barrier_inputs(key, card, slots, touched)
    return guidance, (evidence, kind), barriers


def _reason_inputs(
    key: str,
    rid: int,
    current: dict[str, int],
    levels: dict[str, int],
    reasons_default: dict[str, str],
    slots: dict[str, DeltaGenerator],
) -> dict[str, str]:
    """A reason under each skill whose level goes down (or had one); an error slot under every skill."""
    reasons: dict[str, str] = {}
    for skill in SKILLS:
        field = f"resident.{rid}.{skill.value}"
        if levels[skill.value] < current.get(skill.value, 0) or reasons_default.get(skill.value):
            reasons[skill.value] = st.text_input(
                t("journey.reason_for", skill=t(labels.SKILL[skill.value])),
                value=reasons_default.get(skill.value, ""),
                key=f"{key}.reason.{skill.value}",
            )
        slots[field] = st.empty()
    return reasons


def _level_inputs(key: str, current: dict[str, int], defaults: dict[str, int], touched: dict) -> dict:
    """The five skill ladders under their group label ("what they can do now", as against the
    guidance chips above: "what I guided"). Returns skill -> chosen level."""
    st.markdown(":small[" + t("visit_form.can_do") + "]")
    levels: dict[str, int] = {}
    columns = st.columns(len(SKILLS), gap="small")
    for column, skill in zip(columns, SKILLS, strict=True):
        with column:
            chosen = st.segmented_control(
                t(labels.SKILL_SHORT[skill.value]),
                options=list(SKILL_LEVELS),
                default=defaults.get(skill.value, current.get(skill.value, 0)),
                required=True,
                key=f"{key}.level.{skill.value}",
                help=t(labels.SKILL[skill.value]),
                width="stretch",
                **touched,
            )
        levels[skill.value] = int(chosen if chosen is not None else current.get(skill.value, 0))
    return levels


def _barrier_inputs(
    key: str, card: ResidentCard, slots: dict[str, DeltaGenerator], touched: dict
) -> dict[str, object]:
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
                    t(labels.BARRIER[name]),
                    options=options,
                    index=options.index(old) if old in (0, 1, 2) else 0,
                    format_func=lambda v: (
                        t("journey.not_asked") if v == "unknown" else t(labels.VNEID_LEVEL[v])
                    ),
                    key=f"{key}.barrier.{name}",
                    **touched,
                )
                value = None if chosen == "unknown" else chosen
            else:
                options = ["unknown", "yes", "no"]
                chosen = st.selectbox(
                    t(labels.BARRIER[name]),
                    options=options,
                    index=options.index(_tri(old)),
                    format_func=lambda v: {
                        "unknown": t("journey.not_asked"),
                        "yes": t("journey.yes"),
                        "no": t("journey.no"),
                    }[v],
                    key=f"{key}.barrier.{name}",
                    **touched,
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
            format_func=lambda p: t(labels.PLACE[p]),
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
            format_func=lambda o: t(labels.OUTCOME[o]),
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
            select_all=False,
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


# ---------------------------------------------------------------- children folded away


def household_blocks(
    form: str,
    residents: list[ResidentCard],
    draw: Callable[[ResidentCard], ResidentInput | None],
    *,
    present_defaults: dict[int, bool] | None = None,
) -> list[ResidentInput]:
    """A household's residents: the blocks of those aged 14 or more (or of unknown age), then one
    "show children (n)" toggle and, when on, the children's blocks. `draw` draws one block and
    returns its input (None when not present). Returns the inputs of the residents present."""
    adults, children = split_children(residents, year=today().year)
    items = [draw(r) for r in adults]
    if children_shown(form, children, present_defaults or {}):
        items += [draw(r) for r in children]
    return [item for item in items if item is not None]


def children_shown(form: str, children: list[ResidentCard], present_defaults: dict[int, bool]) -> bool:
    """One "show children (n)" toggle for the residents under 14 of a household form; True when their
    blocks are to be drawn. A child already ticked present (a correction, a restored draft, a tap
    before folding) keeps them shown: the toggle is then on and locked, so no tick is hidden."""
    if not children:
        return False
    key = f"{form}.{CHILDREN_KEY}"
    ticked = any(
        st.session_state.get(f"{resident_prefix(form, c.id)}.present", present_defaults.get(c.id, False))
        for c in children
    )
    if ticked:
        st.session_state[key] = True
    return st.toggle(
        t("visit_form.show_children", n=len(children)),
        key=key,
        disabled=ticked,
        help=t("visit_form.children_locked") if ticked else t("visit_form.show_children_help"),
    )


# ---------------------------------------------------------------- saved confirmation

# The app scrolls inside [data-testid="stMain"]: after a save the next view would open at the old
# offset (mid-list), with the confirmation above the viewport. Runs once, right after the save.
SCROLL_TOP_JS = """<script>(function () {
  var doc = window.parent.document;
  var main = doc.querySelector('[data-testid="stMain"]');
  if (main) { main.scrollTo({top: 0}); }
  window.parent.scrollTo(0, 0);
})();</script>"""


def household_label(code: str, head_name: str | None) -> str:
    """ "A1-0001 (Nguyễn Thị Thủy)": the household code and its head, as a confirmation names it."""
    return f"{code} ({head_name})" if head_name else code


def saved_message(*, household: str, outcome: str, present: int, correction: bool = False) -> str:
    """What was saved, in words: the household, how the visit went, how many residents were there."""
    if outcome == VisitOutcome.DONE:
        key = labels.N_("visit_form.corrected_done") if correction else labels.N_("visit_form.saved_done")
        return t(key, household=household, n=present)
    key = labels.N_("visit_form.corrected_other") if correction else labels.N_("visit_form.saved_other")
    return t(key, household=household, outcome=t(labels.OUTCOME[outcome]))


def saved_confirmation(message: str, *, key: str, fresh: bool) -> None:
    """The success banner saying what was saved. On the run right after the save (`fresh`) also a
    toast, and the view scrolls to the top so the banner is where the eye is."""
    with st.container(key=key):
        st.success(message, icon=":material/check_circle:")
    if fresh:
        st.toast(message, icon=":material/check_circle:")
        st.html(SCROLL_TOP_JS, unsafe_allow_javascript=True)


# ---------------------------------------------------------------- saving (visit, session, correction)


def save_buttons(prefix: str, *, failed: bool, disabled: bool = False):
    """Save (`{prefix}.save`), with «Thử lại» (`{prefix}.retry`) beside it after a save that did not
    reach the database. Returns whether either was tapped, and the retry column (None: none drawn)."""
    save_col, retry_col = st.columns([3, 1]) if failed else (st.container(), None)
    clicked = save_col.button(
        t("journey.save"),
        key=f"{prefix}.save",
        type="primary",
        icon=":material/save:",
        width="stretch",
        disabled=disabled,
    )
    if retry_col is not None:
        clicked = (
            retry_col.button(
                t("journey.retry"), key=f"{prefix}.retry", icon=":material/refresh:", width="stretch"
            )
            or clicked
        )
    return clicked, retry_col


def fields_refused(status: DeltaGenerator, exc: ValidationFailed, slots: dict[str, DeltaGenerator]) -> None:
    """Each problem under its field; above the buttons, "not saved: fix the fields in red" and the
    problems that found no field. Everything entered is kept."""
    left = Slots(slots).show(exc)
    status.error(t("journey.save_failed_fields"))
    for message in left:
        status.error(message)


def not_saved(prefix: str, status: DeltaGenerator, retry_col) -> None:
    """The save did not reach the database: say so above the buttons and offer «Thử lại» (drawn here
    when the buttons were drawn without it). The idempotency key stays: a retry stores one visit."""
    status.error(t("journey.save_failed_db"), icon=":material/sync_problem:")
    if retry_col is None:
        st.button(t("journey.retry"), key=f"{prefix}.retry", icon=":material/refresh:", width="stretch")
