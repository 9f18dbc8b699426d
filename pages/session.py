"""Group sessions at a village cultural house or the commune's one-stop counter: attendees from many
households (or a walk-in added on the spot), each with guidance and skill levels as in a home visit."""

import uuid

import streamlit as st
from sqlalchemy.exc import InterfaceError, OperationalError

from models.db import DatabaseUnavailable, read_session, write_session
from models.enums import Role, VisitOutcome
from services.errors import AppError, ValidationFailed
from services.people.households import add_resident, household_card, likely_duplicates
from services.visits.queries import attendee_cards, commune_of_village, session_places, teammates
from services.visits.record import VisitInput, record_visit
from services.visits.search import search_households
from webui import visit_form
from webui.guard import require
from webui.state import engine, flash, lang, t

actor = require(Role.VOLUNTEER, Role.COORDINATOR)

DB_ERRORS = (OperationalError, InterfaceError, DatabaseUnavailable)
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
KEY_WALKIN_CONFIRM = "session.walkin_confirm"  # duplicates were shown: the next tap adds anyway
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


st.subheader(t("journey.session_heading"))

with read_session(engine()) as session:
    places = {p.area_id: p for p in session_places(session, actor=actor)}
    # A coordinator has no team of their own: only volunteers name teammates here.
    mates = {m.member_id: m.full_name for m in teammates(session, actor=actor)}
if not places:
    st.info(t("journey.no_places"))
    st.stop()

if KEY_IDEMPOTENCY not in st.session_state:
    st.session_state[KEY_IDEMPOTENCY] = uuid.uuid4().hex
form = f"session.f{st.session_state.get(KEY_FORM, 0)}"
slots: dict = {}

place_col, date_col = st.columns([2, 1], vertical_alignment="bottom")
with place_col:
    area_id = st.selectbox(
        t("journey.session_place"),
        options=list(places),
        format_func=lambda i: t("journey.session_place." + places[i].place, name=places[i].name),
        key=KEY_PLACE,
    )
    slots["area"] = st.empty()
with date_col:
    visited_on = visit_form.visit_date(form, slots)

# ---------------------------------------------------------------- finding attendees

if st.session_state.pop(KEY_CLEAR_QUERY, False):
    # Set before the widget is drawn, so the browser's box empties too (popping the key did not).
    st.session_state[KEY_QUERY] = ""
query = st.text_input(
    t("journey.search"), key=KEY_QUERY, placeholder=t("journey.search_hint"), icon=":material/search:"
)
chosen = set(_attendees())
if query.strip():
    with read_session(engine()) as session:
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

picked = st.session_state.get(KEY_PICK)
if picked is not None:
    try:
        with read_session(engine()) as session:
            card = household_card(session, actor=actor, household_id=picked)
    except AppError as exc:
        st.error(exc.message(lang()))
        card = None
    if card is not None:
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
            # A walk-in who is not on the list yet: add them to this household first.
            with st.expander(t("journey.walk_in", code=card.code), icon=":material/person_add:"):
                walk_slots: dict = {}
                name_col, year_col = st.columns([3, 1])
                name = name_col.text_input(t("journey.full_name"), key=WALKIN_PREFIX + "name")
                walk_slots["full_name"] = name_col.empty()
                year = year_col.number_input(
                    t("journey.birth_year"),
                    min_value=1900,
                    max_value=2100,
                    value=None,
                    step=1,
                    key=WALKIN_PREFIX + "year",
                )
                walk_slots["birth_year"] = year_col.empty()
                with read_session(engine()) as session:
                    commune_id = commune_of_village(session, actor=actor, village_id=card.village_id)
                    dups = (
                        likely_duplicates(
                            session,
                            actor=actor,
                            commune_id=commune_id,
                            full_name=name,
                            birth_year=int(year) if year is not None else None,
                            phone=None,
                        )
                        if name.strip()
                        else []
                    )
                confirming = st.session_state.get(KEY_WALKIN_CONFIRM, False)
                if dups and confirming:
                    lines = [
                        t(
                            "journey.duplicate_line",
                            name=d.full_name,
                            year=d.birth_year or "?",
                            code=d.household_code,
                            village=d.village_name,
                        )
                        for d in dups
                    ]
                    st.warning(t("journey.duplicate_warning") + "\n\n" + "\n".join(f"- {x}" for x in lines))
                label = t("journey.create_anyway") if dups and confirming else t("journey.add")
                if st.button(label, key=WALKIN_PREFIX + "go", width="stretch"):
                    if dups and not confirming:
                        st.session_state[KEY_WALKIN_CONFIRM] = True
                        st.rerun()
                    try:
                        with write_session(engine()) as session:
                            new_id = add_resident(
                                session,
                                actor=actor,
                                household_id=card.id,
                                full_name=name,
                                birth_year=int(year) if year is not None else None,
                            )
                    except ValidationFailed as exc:
                        for problem in exc.problems:
                            slot = walk_slots.get(problem.field)
                            (slot.error if slot is not None else st.error)(problem.message(lang()))
                    except AppError as exc:
                        st.error(exc.message(lang()))
                    except DB_ERRORS:
                        st.error(t("err.db_unavailable"))
                    else:
                        st.session_state.pop(KEY_WALKIN_CONFIRM, None)
                        for suffix in ("name", "year"):
                            st.session_state.pop(WALKIN_PREFIX + suffix, None)
                        _add(new_id)
                        flash(t("journey.resident_added", name=name.strip()))
                        st.rerun()

# ---------------------------------------------------------------- attendees and what they learnt

dropped: list[int] = []
with read_session(engine()) as session:
    cards = attendee_cards(session, actor=actor, resident_ids=_attendees(), dropped=dropped)
if dropped:
    # Moved to a household out of reach, marked moved away, or the team's villages changed since
    # they were chosen: dropped from the list, so the next rerun does not meet them again.
    st.session_state[KEY_ATTENDEES] = [i for i in _attendees() if i not in dropped]
    st.warning(t("journey.attendees_dropped", n=len(dropped)), icon=":material/person_remove:")
st.markdown(f"**{t('journey.attendees', n=len(cards))}**")
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
members, _follow, notes = visit_form.team_and_follow_up(form, slots, mates, with_follow_up=False)

status = st.container()
failed = st.session_state.get(KEY_FAILED, False)
save_col, retry_col = st.columns([3, 1]) if failed else (st.container(), None)
clicked = save_col.button(
    t("journey.save"),
    key="session.save",
    type="primary",
    icon=":material/save:",
    width="stretch",
    disabled=not residents,
)
if retry_col is not None:
    clicked = (
        retry_col.button(t("journey.retry"), key="session.retry", icon=":material/refresh:", width="stretch")
        or clicked
    )
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
    try:
        with write_session(engine()) as session:
            record_visit(session, actor=actor, data=data)
    except ValidationFailed as exc:
        status.error(t("journey.save_failed_fields"))
        for message in visit_form.Slots(slots).show(exc):
            status.error(message)
    except AppError as exc:
        status.error(exc.message(lang()))
    except DB_ERRORS:
        st.session_state[KEY_FAILED] = True
        status.error(t("journey.save_failed_db"), icon=":material/sync_problem:")
        if retry_col is None:
            st.button(t("journey.retry"), key="session.retry", icon=":material/refresh:", width="stretch")
    else:
        for key in (KEY_IDEMPOTENCY, KEY_FAILED, KEY_ATTENDEES, KEY_PICK):
            st.session_state.pop(key, None)
        st.session_state[KEY_CLEAR_QUERY] = True
        st.session_state[KEY_FORM] = st.session_state.get(KEY_FORM, 0) + 1
        flash(t("journey.session_saved", n=len(residents)))
        st.rerun()
