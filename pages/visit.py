"""Log a visit: worklist, one search box, the household card and the visit form, tablet first.
`?household=<id>` (the QR on a printed household card) opens that household directly."""

import math
import uuid

import streamlit as st

from core import labels
from core.clock import today
from models.enums import VisitOutcome
from services.errors import AppError, NotFound, PermissionDenied, PossibleDuplicates, ValidationFailed
from services.people.consent import record_consent, without_consent
from services.people.households import add_resident, create_household, household_card
from services.permissions import Act
from services.printing.documents import villages_in_scope
from services.teams.teams import list_teams
from services.visits.queries import teammates
from services.visits.record import VisitInput, record_visit
from services.visits.search import search_households
from services.visits.worklist import worklist
from webui import drafts as visit_drafts
from webui import duplicates, visit_form
from webui.db import DatabaseDown, reading, writing
from webui.form_notice import show_problems
from webui.guard import require
from webui.state import flash, lang, t

actor = require(Act.VISIT_RECORD)

HOUSEHOLD_PARAM = "household"
PAGE_SIZE = 6
NAMES_SHOWN = 4  # residents named on a search result (the rest as "+n")

# session_state keys: ids and UI choices only
KEY_TEAM = "visit.team"  # coordinator: whose worklist
KEY_PAGE = "visit.page"  # worklist page number
KEY_QUERY = "visit.query"
KEY_FORM = "visit.form"  # form instance number: widget keys carry it, so a new number starts afresh
KEY_FORM_HOUSEHOLD = "visit.form_household"  # the household the idempotency key belongs to
KEY_IDEMPOTENCY = "visit.idempotency_key"  # one per form instance, replaced only after a save
KEY_FAILED = "visit.save_failed"  # the last save did not reach the database: offer "Try again"
KEY_SAVED_VISIT = "visit.saved_visit"
KEY_SAVED_HOUSEHOLD = "visit.saved_household"
KEY_SAVED_RESIDENTS = "visit.saved_residents"
KEY_SAVED_OUTCOME = "visit.saved_outcome"
KEY_SAVED_FRESH = "visit.saved_fresh"  # the run right after a save: toast and scroll to the banner
KEY_ADD_CONFIRM = "visit.add_confirm"  # (input, likely duplicates shown): the next tap creates anyway
KEY_NEW_CONFIRM = "visit.new_confirm"
ADD_PREFIX = "visit.add."
NEW_PREFIX = "visit.new."


def _household_param() -> int | None:
    """The household of `?household=<id>`; anything that is not a plausible id is ignored."""
    raw = st.query_params.get(HOUSEHOLD_PARAM)
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 18:  # ids fit in 63 bits
        return None
    return int(raw)


def _new_form() -> None:
    st.session_state[KEY_FORM] = st.session_state.get(KEY_FORM, 0) + 1
    for key in (KEY_IDEMPOTENCY, KEY_FAILED, KEY_ADD_CONFIRM):
        st.session_state.pop(key, None)


def form_prefix(household_id: int) -> str:
    """The key prefix of the household's current form instance: every widget key of the form starts
    with it (`visit_form.household_form_keys(form_prefix(h), resident_ids)` lists them all)."""
    return f"visit.f{st.session_state.get(KEY_FORM, 0)}.{household_id}"


def _open(household_id: int) -> None:
    st.query_params[HOUSEHOLD_PARAM] = str(household_id)
    for key in (
        KEY_SAVED_VISIT,
        KEY_SAVED_HOUSEHOLD,
        KEY_SAVED_RESIDENTS,
        KEY_SAVED_OUTCOME,
        KEY_SAVED_FRESH,
    ):
        st.session_state.pop(key, None)
    _new_form()


def _close() -> None:
    st.query_params.pop(HOUSEHOLD_PARAM, None)
    _new_form()


def _first_page() -> None:
    st.session_state[KEY_PAGE] = 0


def _turn(step: int) -> None:
    st.session_state[KEY_PAGE] = max(0, st.session_state.get(KEY_PAGE, 0) + step)


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _team_choice() -> int | None:
    """A coordinator picks whose worklist (any team in the area); a volunteer has their own."""
    if actor.is_volunteer:
        return None
    with reading() as session:
        teams = {row.id: f"{row.name} · {row.area_name}" for row in list_teams(session, actor=actor)}
    return st.selectbox(
        t("journey.team"),
        options=[None, *teams],
        format_func=lambda i: t("journey.all_teams") if i is None else teams[i],
        key=KEY_TEAM,
        on_change=_first_page,
    )


# ---------------------------------------------------------------- adding on the spot


def _year(value) -> int | None:
    return int(value) if value is not None else None


def add_resident_form(card) -> None:
    """A resident found at home who is not on the list yet (likely duplicates shown first)."""
    with st.expander(t("journey.add_resident"), icon=":material/person_add:"):
        slots: dict = {}
        name, year, phone = duplicates.person_inputs(ADD_PREFIX, slots, name_label=t("journey.full_name"))
        given = (name, year, phone)
        allow = duplicates.warned(KEY_ADD_CONFIRM, given)
        label = duplicates.add_label(allow)
        if not st.button(label, key=ADD_PREFIX + "go", icon=":material/person_add:", width="stretch"):
            return
        try:
            with writing() as session:
                add_resident(
                    session,
                    actor=actor,
                    household_id=card.id,
                    full_name=name,
                    birth_year=_year(year),
                    phone=phone or None,
                    allow_duplicates=allow,
                )
        except PossibleDuplicates as exc:
            duplicates.hold(KEY_ADD_CONFIRM, given, exc)
        except AppError as exc:
            show_problems(exc, slots)
            return
        duplicates.done(KEY_ADD_CONFIRM, ADD_PREFIX)
        flash(t("journey.resident_added", name=name.strip()))
        st.rerun()


def add_household_form() -> None:
    """A household found on the spot, with its head; likely duplicates of the head are shown first."""
    with reading() as session:
        villages = {v.id: v.name for v in villages_in_scope(session, actor=actor)}
    if not villages:
        return
    with st.expander(t("journey.add_household"), icon=":material/add_home:"):
        slots: dict = {}
        village_id = st.selectbox(
            t("journey.village"), options=list(villages), format_func=villages.get, key=NEW_PREFIX + "village"
        )
        address = st.text_input(t("journey.address"), key=NEW_PREFIX + "address")
        slots["address"] = st.empty()
        name, year, phone = duplicates.person_inputs(
            NEW_PREFIX,
            slots,
            name_label=t("journey.head_name"),
            name_field="head_name",
            year_field="head_birth_year",
        )
        given = (village_id, name, year, phone)
        allow = duplicates.warned(KEY_NEW_CONFIRM, given)
        label = duplicates.add_label(allow)
        if not st.button(label, key=NEW_PREFIX + "go", icon=":material/add_home:", width="stretch"):
            return
        try:
            with writing() as session:
                created = create_household(
                    session,
                    actor=actor,
                    village_id=village_id,
                    address=address,
                    head_name=name,
                    phone=phone or None,
                    head_birth_year=_year(year),
                    allow_duplicates=allow,
                )
        except PossibleDuplicates as exc:
            duplicates.hold(KEY_NEW_CONFIRM, given, exc)
        except AppError as exc:
            show_problems(exc, slots)
            return
        duplicates.done(KEY_NEW_CONFIRM, NEW_PREFIX)
        st.session_state.pop(NEW_PREFIX + "address", None)
        flash(t("journey.household_added", code=created.code))
        _open(created.household_id)
        st.rerun()


# ---------------------------------------------------------------- the list


def _head_name(card) -> str | None:
    return next((r.full_name for r in card.residents if r.is_head), None)


def saved_banner() -> None:
    """After a save: what was saved (a toast and the banner, scrolled into view once), then what to
    show each resident who was there next time."""
    household_id = st.session_state.get(KEY_SAVED_HOUSEHOLD)
    if household_id is None:
        return
    try:
        with reading() as session:
            card = household_card(session, actor=actor, household_id=household_id)
    except AppError:
        return
    present = set(st.session_state.get(KEY_SAVED_RESIDENTS, ()))
    message = visit_form.saved_message(
        household=visit_form.household_label(card.code, _head_name(card)),
        outcome=st.session_state.get(KEY_SAVED_OUTCOME, VisitOutcome.DONE),
        present=len(present),
    )
    fresh = st.session_state.pop(KEY_SAVED_FRESH, False)
    visit_form.saved_confirmation(message, key="visit_saved", fresh=fresh)
    shown = [r for r in card.residents if r.id in present]
    if shown:
        with st.container(border=True):
            st.markdown("**" + t("journey.show_next") + "**")
            for resident in shown:
                st.markdown(f"{resident.full_name} · {visit_form.ladder_line(resident.levels)}")
                visit_form.next_material_row(resident.levels, key=f"visit.saved.{resident.id}")
    visit_form.page_link("pages/my_visits.py", t("journey.open_my_visits"), ":material/history:")


def hit_button(household_id: int, label: str, key: str) -> None:
    st.button(label, key=key, on_click=_open, args=(household_id,), width="stretch")


def hit_names(hit) -> str:
    """The household's residents: the head, those the search matched, then the others; a few named."""
    names = list(
        dict.fromkeys([*([hit.head_name] if hit.head_name else []), *(r.full_name for r in hit.residents)])
    )
    names += [n for n in hit.resident_names if n not in names]
    shown = ", ".join(names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += " " + t("visit_form.more_people", n=len(names) - NAMES_SHOWN)
    return shown or t("journey.residents_n", n=0)


def hit_status(hit) -> str:
    """Never visited; or the last visit's day and outcome, and a revisit due or set."""
    if hit.last_visited_on is None:
        return t("visit_form.hit_never")
    parts = [
        t(
            "visit_form.hit_last",
            date=_day(hit.last_visited_on),
            outcome=t(labels.OUTCOME[hit.last_outcome]),
        )
    ]
    if hit.revisit_due(today()):
        parts.append(t("visit_form.hit_due", date=_day(hit.follow_up_on)))
    elif hit.follow_up_on is not None:
        parts.append(t("visit_form.hit_follow_up", date=_day(hit.follow_up_on)))
    return " · ".join(parts)


def list_view() -> None:
    saved_banner()
    query = st.text_input(
        t("journey.search"), key=KEY_QUERY, placeholder=t("journey.search_hint"), icon=":material/search:"
    )
    if query.strip():
        with reading() as session:
            hits = search_households(session, actor=actor, query=query, limit=PAGE_SIZE * 2)
        if not hits:
            st.info(t("journey.search_empty"))
        for hit in hits:
            label = (
                f"**{hit.code}** · {hit.address} · {hit.village_name} · {hit_names(hit)} · {hit_status(hit)}"
            )
            hit_button(hit.household_id, label, key=f"visit.hit.{hit.household_id}")
        return
    team_id = _team_choice()
    page = st.session_state.get(KEY_PAGE, 0)
    with reading() as session:
        listing = worklist(session, actor=actor, team_id=team_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    st.markdown("**" + t("visit_form.to_visit", n=listing.to_visit) + "**")
    st.caption(t("visit_form.to_visit_help", total=listing.total))
    if not listing.rows:
        st.info(t("journey.worklist_empty"))
    village = None
    for row in listing.rows:
        if row.village_id != village:
            village = row.village_id
            st.caption(row.village_name)
        tag = t(labels.WORKLIST_TAG[row.tag])
        if row.follow_up_on:
            tag += f" {_day(row.follow_up_on)}"
        label = (
            f"**{row.code}** · {row.address} · {row.head_name or ''} · "
            + t("journey.residents_n", n=row.residents)
            + f" · {tag}"
        )
        hit_button(row.household_id, label, key=f"visit.row.{row.household_id}")
    pages = max(1, math.ceil(listing.total / PAGE_SIZE))
    if pages > 1:
        prev_col, info_col, next_col = st.columns([2, 1, 2], vertical_alignment="center")
        prev_col.button(
            t("journey.prev"),
            key="visit.prev",
            on_click=_turn,
            args=(-1,),
            disabled=page == 0,
            width="stretch",
            icon=":material/chevron_left:",
        )
        info_col.caption(t("journey.page_of", page=page + 1, pages=pages))
        next_col.button(
            t("journey.next_page"),
            key="visit.next",
            on_click=_turn,
            args=(1,),
            disabled=page + 1 >= pages,
            width="stretch",
            icon=":material/chevron_right:",
        )
    add_household_form()


# ---------------------------------------------------------------- one household


def resident_blocks(form: str, card, *, done: bool, slots: dict) -> list:
    """Every resident's block, nobody ticked present until touched; children under 14 folded away
    behind one toggle after the others; those without recorded consent get the consent box. Returns
    the present residents' inputs."""
    with reading() as session:
        asked = without_consent(session, actor=actor, resident_ids=[r.id for r in card.residents])
    return visit_form.household_blocks(
        form,
        card.residents,
        lambda resident: visit_form.resident_block(
            visit_form.resident_prefix(form, resident.id),
            resident,
            present_default=False,
            details=done,
            slots=slots,
            consent_asked=resident.id in asked,
        ),
    )


def household_view(household_id: int) -> None:
    back_col, title_col = st.columns([1, 3], vertical_alignment="center")
    back_col.button(t("journey.back"), key="visit.back", on_click=_close, icon=":material/arrow_back:")
    card, mates = household_and_mates(household_id)
    form = _form_for(card.id)
    household_heading(title_col, card)
    if visit_drafts.offer(actor, card.id, form):  # an unsaved visit from the last 24 h: continue or discard
        return
    slots: dict = {}
    data = visit_fields(form, card, mates, slots)
    status = st.container()
    clicked, retry_col = visit_form.save_buttons("visit", failed=st.session_state.get(KEY_FAILED, False))
    add_resident_form(card)
    if clicked:
        save_visit(data, status, retry_col, slots)


def household_and_mates(household_id: int):
    """The household's card and the teammates who can be named; a refusal stops the page."""
    try:
        with reading() as session:
            card = household_card(session, actor=actor, household_id=household_id)
            team_id = st.session_state.get(KEY_TEAM) if not actor.is_volunteer else None
            mates = {m.member_id: m.full_name for m in teammates(session, actor=actor, team_id=team_id)}
    except (PermissionDenied, NotFound) as exc:
        st.error(exc.message(lang()))
        st.stop()
    return card, mates


def _form_for(household_id: int) -> str:
    """The household's form instance (a new one when another household was open) and its idempotency key."""
    if st.session_state.get(KEY_FORM_HOUSEHOLD) != household_id:
        _new_form()
        st.session_state[KEY_FORM_HOUSEHOLD] = household_id
    if KEY_IDEMPOTENCY not in st.session_state:
        st.session_state[KEY_IDEMPOTENCY] = uuid.uuid4().hex
    return form_prefix(household_id)


def household_heading(title_col, card) -> None:
    title_col.markdown(f"**{card.code}** · {card.address} · {card.village_name}")
    facts = [
        t("journey.last_visit", date=_day(card.last_visited_on))
        if card.last_visited_on
        else t("journey.never_visited")
    ]
    if card.follow_up_on:
        facts.append(t("journey.follow_up_at", date=_day(card.follow_up_on)))
    st.caption(" · ".join(facts))


def visit_fields(form: str, card, mates: dict[int, str], slots: dict) -> VisitInput:
    """Date, place and outcome, every resident's block, the team and the follow-up; the draft is kept
    as the values change. Returns the visit as the form now stands."""
    visit_form.compact_style()
    visited_on, place, outcome = visit_form.date_and_place(form, slots)
    done = outcome == VisitOutcome.DONE
    if not card.residents:
        st.info(t("journey.no_residents"))
    elif done:
        st.caption(t("visit_form.present_hint") + " " + t("journey.ladder_legend"))
    residents = resident_blocks(form, card, done=done, slots=slots)
    members, follow_up_on, notes = visit_form.team_and_follow_up(form, slots, mates)
    keys = visit_form.household_form_keys(form, [r.id for r in card.residents])
    visit_drafts.keep(actor, card.id, form, keys)  # written only when a value changed
    return VisitInput(
        idempotency_key=st.session_state[KEY_IDEMPOTENCY],
        visited_on=visited_on,
        place=place,
        outcome=outcome,
        household_id=card.id,
        member_ids=members,
        follow_up_on=follow_up_on,
        notes=notes,
        residents=residents if done else [],
    )


def save_visit(data: VisitInput, status, retry_col, slots: dict) -> None:
    """Record the visit once (the idempotency key makes a retry safe); a refusal is shown above the
    buttons and the form keeps its input."""
    try:
        form = form_prefix(data.household_id)
        agreed = [
            r.resident_id
            for r in data.residents
            if visit_form.consent_given(visit_form.resident_prefix(form, r.resident_id))
        ]
        with writing() as session:
            visit_id = record_visit(session, actor=actor, data=data)
            # Consent given during the visit: recorded with it, in the same transaction.
            record_consent(session, actor=actor, resident_ids=agreed, method="verbal", on=data.visited_on)
    except ValidationFailed as exc:
        visit_form.fields_refused(status, exc, slots)
        return
    except DatabaseDown:
        st.session_state[KEY_FAILED] = True
        visit_form.not_saved("visit", status, retry_col)
        return
    except AppError as exc:
        status.error(exc.message(lang()))
        return
    visit_drafts.discard(actor, data.household_id)
    _close()
    st.session_state[KEY_SAVED_VISIT] = visit_id
    st.session_state[KEY_SAVED_HOUSEHOLD] = data.household_id
    st.session_state[KEY_SAVED_RESIDENTS] = [r.resident_id for r in data.residents]
    st.session_state[KEY_SAVED_OUTCOME] = data.outcome
    st.session_state[KEY_SAVED_FRESH] = True
    st.rerun()


def render() -> None:
    st.subheader(t("nav.visit"))
    opened = _household_param()
    if opened is None:
        list_view()
    else:
        household_view(opened)


render()
