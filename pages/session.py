"""Group sessions at a village cultural house or the commune's one-stop counter: attendees from many
households (or a walk-in added on the spot), each with guidance and skill levels as in a home visit."""

import uuid

import streamlit as st

from core import labels
from models.enums import VisitOutcome
from services.errors import AppError, PossibleDuplicates, ValidationFailed
from services.people.households import add_resident, household_card
from services.permissions import Act
from services.visits.queries import attendee_cards, session_places, teammates
from services.visits.record import VisitInput, record_visit
from services.visits.search import search_households
from webui import duplicates, visit_form
from webui.db import DatabaseDown, reading, writing
from webui.guard import require
from webui.state import flash, lang, t

actor = require(Act.VISIT_RECORD)

HITS = 8

# session_state keys: ids and UI choices only
KEY_PLACE = "session.place"  # area id of the village (cultural house) or commune (counter)
KEY_ATTENDEES = "session.attendees"  # resident ids, in the order they were added
KEY_QUERY = "session.query"
KEY_CLEAR_QUERY = "session.clear_query"  # set by a save: the next run empties the search box
KEY_PICK = "session.pick_household"  # household whose residents are listed to pick from
KEY_FORM = "session.form"  # form instance number (widget keys carry it)
KEY_IDEMPOTENCY = "session.idempotency_key"  # one per form instance, replaced only after a save
KEY_FAILED = "session.save_failed"
KEY_WALKIN_CONFIRM = "session.walkin_confirm"  # (input, likely duplicates shown): the next tap adds anyway
WALKIN_PREFIX = "session.walkin."

# At tablet width an attendee's first row (name, next skill, leaflet, video, remove) squeezed the
# buttons to "T…" / "Vi…": let that row wrap, the name taking a line of its own above the buttons.
ATTENDEE_ROW = '[data-testid="stHorizontalBlock"]:has(> * [class*="st-key-session-f"][class*="-present"])'
ATTENDEE_ROW_CSS = f"""<style>
{ATTENDEE_ROW} {{ flex-wrap: wrap; row-gap: 0.25rem; }}
{ATTENDEE_ROW} > [data-testid="stColumn"]:first-child {{
  flex: 1 1 100% !important; width: 100% !important; min-width: 100% !important;
}}
</style>"""


def _attendees() -> list[int]:
    return list(st.session_state.get(KEY_ATTENDEES, []))


def _add(resident_id: int) -> None:
    ids = _attendees()
    if resident_id not in ids:
        st.session_state[KEY_ATTENDEES] = [*ids, resident_id]


def _remove(resident_id: int) -> None:
    st.session_state[KEY_ATTENDEES] = [i for i in _attendees() if i != resident_id]


def _pick(household_id: int | None) -> None:
    st.session_state[KEY_PICK] = household_id


def places_and_mates() -> tuple[dict, dict[int, str]]:
    """Where a session can take place (villages and communes of the actor's area), and the teammates who
    can be named (a coordinator has no team of their own: only volunteers name teammates here)."""
    with reading() as session:
        places = {p.area_id: p for p in session_places(session, actor=actor)}
        mates = {m.member_id: m.full_name for m in teammates(session, actor=actor)}
    return places, mates


def _form() -> str:
    """The form instance (widget keys carry it) and its idempotency key."""
    if KEY_IDEMPOTENCY not in st.session_state:
        st.session_state[KEY_IDEMPOTENCY] = uuid.uuid4().hex
    return f"session.f{st.session_state.get(KEY_FORM, 0)}"


def place_and_date(places: dict, form: str, slots: dict):
    place_col, date_col = st.columns([2, 1], vertical_alignment="bottom")
    with place_col:
        area_id = st.selectbox(
            t("journey.session_place"),
            options=list(places),
            format_func=lambda i: t(labels.SESSION_PLACE[places[i].place], name=places[i].name),
            key=KEY_PLACE,
        )
        slots["area"] = st.empty()
    with date_col:
        visited_on = visit_form.visit_date(form, slots)
    return area_id, visited_on


# ---------------------------------------------------------------- finding attendees


def search_box(chosen: set[int]) -> None:
    """One search box; each household found offers its matching residents, or the whole household."""
    if st.session_state.pop(KEY_CLEAR_QUERY, False):
        # Set before the widget is drawn, so the browser's box empties too (popping the key did not).
        st.session_state[KEY_QUERY] = ""
    query = st.text_input(
        t("journey.search"), key=KEY_QUERY, placeholder=t("journey.search_hint"), icon=":material/search:"
    )
    if not query.strip():
        return
    with reading() as session:
        hits = search_households(session, actor=actor, query=query, limit=HITS)
    if not hits:
        st.info(t("journey.search_empty"))
    for hit in hits:
        with st.container(border=True):
            st.markdown(f"**{hit.code}** · {hit.address} · {hit.village_name}")
            cols = st.columns(len(hit.residents) + 1)
            for col, match in zip(cols, hit.residents, strict=False):
                col.button(
                    t("journey.add_person", name=match.full_name),
                    key=f"session.add.{match.resident_id}",
                    on_click=_add,
                    args=(match.resident_id,),
                    disabled=match.resident_id in chosen,
                    icon=":material/person_add:",
                    width="stretch",
                )
            cols[-1].button(
                t("journey.whole_household", code=hit.code),
                key=f"session.pick.{hit.household_id}",
                on_click=_pick,
                args=(hit.household_id,),
                width="stretch",
            )


def picked_household(chosen: set[int]) -> None:
    """The household picked from the search: each resident to add, and a walk-in to add to it."""
    picked = st.session_state.get(KEY_PICK)
    if picked is None:
        return
    try:
        with reading() as session:
            card = household_card(session, actor=actor, household_id=picked)
    except AppError as exc:
        st.error(exc.message(lang()))
        return
    with st.container(border=True):
        head, close = st.columns([4, 1], vertical_alignment="center")
        head.markdown(f"**{card.code}** · {card.address}")
        close.button(t("journey.cancel"), key="session.pick_close", on_click=_pick, args=(None,))
        cols = st.columns(3)
        for i, resident in enumerate(card.residents):
            cols[i % 3].button(
                t("journey.add_person", name=resident.full_name),
                key=f"session.add_h.{resident.id}",
                on_click=_add,
                args=(resident.id,),
                disabled=resident.id in chosen,
                width="stretch",
            )
        walk_in_form(card)


def walk_in_form(card) -> None:
    """A walk-in who is not on the list yet: added to this household first (likely duplicates shown
    first), then to the attendees."""
    with st.expander(t("journey.walk_in", code=card.code), icon=":material/person_add:"):
        walk_slots: dict = {}
        name, year, _ = duplicates.person_inputs(
            WALKIN_PREFIX, walk_slots, name_label=t("journey.full_name"), with_phone=False
        )
        given = (card.id, name, year)
        allow = duplicates.warned(KEY_WALKIN_CONFIRM, given)
        if not st.button(duplicates.add_label(allow), key=WALKIN_PREFIX + "go", width="stretch"):
            return
        try:
            with writing() as session:
                new_id = add_resident(
                    session,
                    actor=actor,
                    household_id=card.id,
                    full_name=name,
                    birth_year=int(year) if year is not None else None,
                    allow_duplicates=allow,
                )
        except PossibleDuplicates as exc:
            duplicates.hold(KEY_WALKIN_CONFIRM, given, exc)
        except ValidationFailed as exc:
            for problem in exc.problems:
                slot = walk_slots.get(problem.field)
                (slot.error if slot is not None else st.error)(problem.message(lang()))
            return
        except AppError as exc:
            st.error(exc.message(lang()))
            return
        duplicates.done(KEY_WALKIN_CONFIRM, WALKIN_PREFIX)
        _add(new_id)
        flash(t("journey.resident_added", name=name.strip()))
        st.rerun()


# ---------------------------------------------------------------- attendees and what they learnt


def attendee_blocks(form: str, slots: dict) -> list:
    """Each attendee's block (guidance and levels as in a home visit); returns their inputs."""
    dropped: list[int] = []
    with reading() as session:
        cards = attendee_cards(session, actor=actor, resident_ids=_attendees(), dropped=dropped)
    if dropped:
        # Moved to a household out of reach, marked moved away, or the team's villages changed since
        # they were chosen: dropped from the list, so the next rerun does not meet them again.
        st.session_state[KEY_ATTENDEES] = [i for i in _attendees() if i not in dropped]
        st.warning(t("journey.attendees_dropped", n=len(dropped)), icon=":material/person_remove:")
    st.markdown("**" + t("journey.attendees", n=len(cards)) + "**")
    if not cards:
        st.caption(t("journey.no_attendees"))
    else:
        st.caption(t("journey.ladder_legend"))
    visit_form.compact_style()
    st.html(ATTENDEE_ROW_CSS)
    residents = []
    for attendee in cards:
        item = visit_form.resident_block(
            f"{form}.r{attendee.card.id}",
            attendee.card,
            caption=f"{attendee.household_code} · {attendee.village_name}",
            slots=slots,
            on_remove=lambda rid=attendee.card.id: _remove(rid),
        )
        if item is not None:
            residents.append(item)
    return residents


def save_session(data: VisitInput, status, retry_col, slots: dict) -> None:
    try:
        with writing() as session:
            record_visit(session, actor=actor, data=data)
    except ValidationFailed as exc:
        visit_form.fields_refused(status, exc, slots)
    except DatabaseDown:
        st.session_state[KEY_FAILED] = True
        visit_form.not_saved("session", status, retry_col)
    except AppError as exc:
        status.error(exc.message(lang()))
    else:
        for key in (KEY_IDEMPOTENCY, KEY_FAILED, KEY_ATTENDEES, KEY_PICK):
            st.session_state.pop(key, None)
        st.session_state[KEY_CLEAR_QUERY] = True
        st.session_state[KEY_FORM] = st.session_state.get(KEY_FORM, 0) + 1
        flash(t("journey.session_saved", n=len(data.residents)))
        st.rerun()


def render() -> None:
    st.subheader(t("journey.session_heading"))
    places, mates = places_and_mates()
    if not places:
        st.info(t("journey.no_places"))
        st.stop()
    form = _form()
    slots: dict = {}
    area_id, visited_on = place_and_date(places, form, slots)
    chosen = set(_attendees())
    search_box(chosen)
    picked_household(chosen)
    residents = attendee_blocks(form, slots)
    members, _follow, notes = visit_form.team_and_follow_up(form, slots, mates, with_follow_up=False)
    status = st.container()
    failed = st.session_state.get(KEY_FAILED, False)
    clicked, retry_col = visit_form.save_buttons("session", failed=failed, disabled=not residents)
    if clicked:
        place = places[area_id]
        data = VisitInput(
            idempotency_key=st.session_state[KEY_IDEMPOTENCY],
            visited_on=visited_on,
            place=place.place,
            outcome=VisitOutcome.DONE,
            household_id=None,
            session_area_id=place.area_id,
            member_ids=members,
            notes=notes,
            residents=residents,
        )
        save_session(data, status, retry_col, slots)


render()
