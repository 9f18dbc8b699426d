"""My recent visits: today's and the last 7 days'; correct one (prefilled form) or withdraw it with a
reason. A coordinator sees and corrects the visits of their whole area."""

import uuid
from dataclasses import dataclass

import streamlit as st

from core import labels
from core.clock import today
from models.enums import VisitKind, VisitOutcome, VisitStatus
from services.errors import AppError, ValidationFailed
from services.people.households import HouseholdCard, household_card
from services.permissions import Act
from services.visits.corrections import correct_visit, recent_visits, withdraw_visit
from services.visits.queries import VisitDraft, attendee_cards, teammates, visit_draft
from services.visits.record import VisitInput
from webui import visit_form
from webui.db import DatabaseDown, reading, writing
from webui.guard import require
from webui.state import lang, t

actor = require(Act.VISIT_CORRECT)

DAYS = 7

# session_state keys: ids and UI choices only
KEY_EDIT = "my_visits.edit"  # id of the visit being corrected
KEY_EDIT_FORM = "my_visits.edit_form"  # correction form instance number
KEY_EDIT_IDEMPOTENCY = "my_visits.edit_key"  # fresh per correction form, kept until it is saved
KEY_EDIT_FAILED = "my_visits.edit_failed"
KEY_WITHDRAW = "my_visits.withdraw"  # id of the visit whose withdrawal is being confirmed
REASON_PREFIX = "my_visits.reason."
KEY_SAVED = "my_visits.saved"  # what the last correction or withdrawal saved, shown once at the top


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


def _edit(visit_id: int | None) -> None:
    st.session_state[KEY_EDIT] = visit_id
    st.session_state[KEY_EDIT_FORM] = st.session_state.get(KEY_EDIT_FORM, 0) + 1
    st.session_state.pop(KEY_EDIT_IDEMPOTENCY, None)
    st.session_state.pop(KEY_EDIT_FAILED, None)
    st.session_state.pop(KEY_WITHDRAW, None)


def _withdraw(visit_id: int | None) -> None:
    st.session_state[KEY_WITHDRAW] = visit_id


def _confirm(message: str) -> None:
    """Shown on the next run at the top of the page (toast, banner, view scrolled to it)."""
    st.session_state[KEY_SAVED] = message


def saved_banner() -> None:
    message = st.session_state.pop(KEY_SAVED, None)
    if message:
        visit_form.saved_confirmation(message, key="my_visits_saved", fresh=True)


def correction_message(draft, card, items: list, outcome: str, visited_on) -> str:
    """What the correction saved: the household (or the session's day) and who was there."""
    if card is None:
        return t("visit_form.corrected_session", date=_day(visited_on or draft.visited_on), n=len(items))
    head = next((r.full_name for r in card.residents if r.is_head), None)
    return visit_form.saved_message(
        household=visit_form.household_label(card.code, head),
        outcome=outcome,
        present=len(items),
        correction=True,
    )


def where(v) -> str:
    if v.kind == VisitKind.SESSION:
        return t("journey.visit_session", area=v.area_name)
    return f"{v.household_code} · {v.address}"


@dataclass
class Correcting:
    """The visit being corrected, as its form needs it."""

    draft: VisitDraft
    card: HouseholdCard | None  # the household's card; None for a group session
    residents: list  # whose blocks are drawn
    label: str  # where the visit took place
    mates: dict[int, str]


def correction_form(visit_id: int) -> None:
    loaded = load_correction(visit_id)
    if loaded is None:
        return
    if KEY_EDIT_IDEMPOTENCY not in st.session_state:
        st.session_state[KEY_EDIT_IDEMPOTENCY] = uuid.uuid4().hex
    form = f"my_visits.f{st.session_state.get(KEY_EDIT_FORM, 0)}.{visit_id}"
    slots: dict = {}
    data = correction_fields(form, loaded, slots)
    status = st.container()
    if correction_buttons():
        save_correction(visit_id, loaded, data, status, slots)


def load_correction(visit_id: int) -> Correcting | None:
    """The stored visit, its household (or the session's attendees) and the teammates who can be named;
    None after showing a refusal (with «Huỷ» to leave the form)."""
    try:
        with reading() as session:
            draft = visit_draft(session, actor=actor, visit_id=visit_id)
            card = None
            if draft.household_id is not None:
                card = household_card(session, actor=actor, household_id=draft.household_id)
                residents = card.residents
                label = f"{card.code} · {card.address}"
            else:
                residents = [
                    a.card
                    for a in attendee_cards(
                        session, actor=actor, resident_ids=[r.resident_id for r in draft.residents]
                    )
                ]
                label = t("journey.visit_session", area="")
            team_id = actor.team_id if actor.is_volunteer else draft.team_id
            mates = {m.member_id: m.full_name for m in teammates(session, actor=actor, team_id=team_id)}
    except AppError as exc:
        st.error(exc.message(lang()))
        st.button(t("journey.cancel"), key="my_visits.cancel_edit", on_click=_edit, args=(None,))
        return None
    return Correcting(draft, card, residents, label, mates)


def correction_fields(form: str, c: Correcting, slots: dict) -> VisitInput:
    """The form prefilled with what was saved; returns the corrected visit as it now stands."""
    draft = c.draft
    visit_form.compact_style()
    st.markdown("**" + t("journey.correcting", date=_day(draft.visited_on), where=c.label) + "**")
    if draft.household_id is not None:
        visited_on, place, outcome = visit_form.date_and_place(
            form, slots, visited_on=draft.visited_on, place=draft.place, outcome=draft.outcome
        )
    else:
        visited_on, place, outcome = (
            visit_form.visit_date(form, slots, draft.visited_on),
            draft.place,
            draft.outcome,
        )
    done = outcome == VisitOutcome.DONE
    items = corrected_residents(form, c, done=done, slots=slots)
    members, follow_up_on, notes = visit_form.team_and_follow_up(
        form,
        slots,
        c.mates,
        member_ids=draft.member_ids,
        follow_up_on=draft.follow_up_on,
        notes=draft.notes,
        with_follow_up=draft.household_id is not None,
    )
    return VisitInput(
        idempotency_key=st.session_state[KEY_EDIT_IDEMPOTENCY],
        visited_on=visited_on,
        place=place,
        outcome=outcome,
        household_id=draft.household_id,
        session_area_id=None if draft.household_id is not None else draft.area_id,
        member_ids=members,
        follow_up_on=follow_up_on,
        notes=notes,
        residents=items if done else [],
    )


def corrected_residents(form: str, c: Correcting, *, done: bool, slots: dict) -> list:
    """Every resident's block, prefilled with what was saved for those who were there."""
    saved = {r.resident_id: r for r in c.draft.residents}

    def draw(resident):
        old = saved.get(resident.id)
        return visit_form.resident_block(
            visit_form.resident_prefix(form, resident.id),
            resident,
            present_default=old is not None,
            guidance_default=old.guidance if old else None,
            levels_default={**resident.levels, **(old.levels if old else {})},
            evidence_default=(old.evidence.get(visit_form.EVIDENCE_SKILL, "") if old else ""),
            dossier_kind_default=old.dossier_kind if old else None,
            reasons_default=old.reasons if old else None,
            rating_default=old.satisfaction if old else None,
            details=done,
            slots=slots,
        )

    if c.card is not None:  # a household visit: children under 14 folded away unless one was present
        present = {r.id: r.id in saved for r in c.residents}
        return visit_form.household_blocks(form, c.residents, draw, present_defaults=present)
    return [item for item in map(draw, c.residents) if item is not None]  # a session: all were chosen


def correction_buttons() -> bool:
    """Save (labelled «Thử lại» after a save that did not reach the database) and Cancel; True on Save."""
    save_col, cancel_col = st.columns([3, 1])
    clicked = save_col.button(
        t("journey.retry") if st.session_state.get(KEY_EDIT_FAILED) else t("journey.save_correction"),
        key="my_visits.save",
        type="primary",
        icon=":material/save:",
        width="stretch",
    )
    cancel_col.button(
        t("journey.cancel"), key="my_visits.cancel_edit", on_click=_edit, args=(None,), width="stretch"
    )
    return clicked


def save_correction(visit_id: int, c: Correcting, data: VisitInput, status, slots: dict) -> None:
    try:
        with writing() as session:
            correct_visit(session, actor=actor, visit_id=visit_id, data=data)
    except ValidationFailed as exc:
        visit_form.fields_refused(status, exc, slots)
        return
    except DatabaseDown:
        st.session_state[KEY_EDIT_FAILED] = True
        status.error(t("journey.save_failed_db"), icon=":material/sync_problem:")
        return
    except AppError as exc:
        status.error(exc.message(lang()))
        return
    _edit(None)
    _confirm(correction_message(c.draft, c.card, data.residents, data.outcome, data.visited_on))
    st.rerun()


def withdraw_box(visit_id: int) -> None:
    slot_key = REASON_PREFIX + str(visit_id)
    reason = st.text_input(t("journey.withdraw_reason"), key=slot_key)
    slot = st.empty()
    go, cancel = st.columns([3, 1])
    confirm = go.button(
        t("journey.withdraw_confirm"), key=f"my_visits.confirm.{visit_id}", type="primary", width="stretch"
    )
    cancel.button(
        t("journey.cancel"),
        key=f"my_visits.cancel.{visit_id}",
        on_click=_withdraw,
        args=(None,),
        width="stretch",
    )
    if not confirm:
        return
    try:
        with writing() as session:
            withdraw_visit(session, actor=actor, visit_id=visit_id, reason=reason)
    except ValidationFailed as exc:
        for problem in exc.problems:
            (slot.error if problem.field == "reason" else st.error)(problem.message(lang()))
        return
    except DatabaseDown as exc:
        slot.error(exc.message(lang()))
        return
    except AppError as exc:
        st.error(exc.message(lang()))
        return
    st.session_state.pop(KEY_WITHDRAW, None)
    st.session_state.pop(slot_key, None)
    _confirm(t("journey.withdrawn_done"))
    st.rerun()


def visit_row(v) -> None:
    with st.container(border=True):
        text_col, edit_col, withdraw_col = st.columns([4, 1, 1], vertical_alignment="center")
        line = (
            f"**{_day(v.visited_on)}** · {where(v)} · "
            + t(labels.OUTCOME[v.outcome])
            + " · "
            + t("journey.residents_n", n=v.residents)
        )
        if v.status == VisitStatus.WITHDRAWN:
            line = f"~~{line}~~ · " + t("journey.withdrawn_tag")
        if not v.mine:
            line += " · _" + t("journey.by_other") + "_"
        text_col.markdown(line)
        if v.correctable:
            edit_col.button(
                t("journey.edit"), key=f"my_visits.edit.{v.id}", on_click=_edit, args=(v.id,), width="stretch"
            )
            withdraw_col.button(
                t("journey.withdraw"),
                key=f"my_visits.withdraw.{v.id}",
                on_click=_withdraw,
                args=(v.id,),
                width="stretch",
            )
        if st.session_state.get(KEY_WITHDRAW) == v.id and v.correctable:
            withdraw_box(v.id)


def render() -> None:
    st.subheader(t("nav.my_visits"))
    saved_banner()
    editing = st.session_state.get(KEY_EDIT)
    if editing is not None:
        correction_form(editing)
    else:
        with reading() as session:
            visits = recent_visits(session, actor=actor, days=DAYS)
        if not visits:
            st.info(t("journey.my_visits_empty"))
        day = today()
        for title, group in (
            (t("journey.today"), [v for v in visits if v.visited_on == day]),
            (t("journey.this_week"), [v for v in visits if v.visited_on != day]),
        ):
            if not group:
                continue
            st.markdown(f"**{title}**")
            for v in group:
                visit_row(v)


render()
