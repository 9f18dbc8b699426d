"""The "this person may already be listed" step of every form that adds someone on the spot (a resident
at home, a new household's head, a walk-in at a session).

The rule is the service's: `add_resident` / `create_household` refuse a likely duplicate with
`PossibleDuplicates` (carrying the matches) unless called with `allow_duplicates=True`. The page:

    name, year, phone = duplicates.person_inputs(PREFIX, slots, name_label=...)
    given = (name, year, phone)
    allow = duplicates.warned(KEY, given)           # draws the warning when this input was refused
    if st.button(duplicates.add_label(allow), ...):
        try:
            with writing() as session:
                add_resident(..., allow_duplicates=allow)
        except PossibleDuplicates as exc:
            duplicates.hold(KEY, given, exc)        # remembers the matches and reruns: the warning shows
        ...
        duplicates.done(KEY, PREFIX)                # added: the warning forgotten, the inputs emptied

The first tap never creates when there are matches; the next tap ("Vẫn thêm mới") does. Changing the
input drops the warning: the next tap checks again. Session state holds (input, matches) under KEY.
"""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from services.errors import PossibleDuplicates
from webui.state import t


def person_inputs(
    prefix: str,
    slots: dict,
    *,
    name_label: str,
    name_field: str = "full_name",
    year_field: str = "birth_year",
    with_phone: bool = True,
) -> tuple[str, int | None, str]:
    """Name, birth year (and phone) side by side, keyed `{prefix}name`, `{prefix}year`, `{prefix}phone`,
    each with an error slot under it, kept in `slots` under the service's field names."""
    name_col, year_col, *phone_col = st.columns([3, 1, 2] if with_phone else [3, 1])
    name = name_col.text_input(name_label, key=prefix + "name")
    slots[name_field] = name_col.empty()
    year = year_col.number_input(
        t("journey.birth_year"), min_value=1900, max_value=2100, value=None, step=1, key=prefix + "year"
    )
    slots[year_field] = year_col.empty()
    phone = ""
    if phone_col:
        phone = phone_col[0].text_input(t("journey.phone"), key=prefix + "phone")
        slots["phone"] = phone_col[0].empty()
    return name, year, phone


def warned(key: str, given: tuple) -> bool:
    """True when the last tap on this form met likely duplicates of this same input: the warning is drawn
    here and the next tap adds anyway. A changed input forgets the warning (False)."""
    held = st.session_state.get(key)
    if held is None:
        return False
    if held[0] != given:
        st.session_state.pop(key, None)
        return False
    show(held[1])
    return True


def add_label(allow: bool) -> str:
    return t("journey.create_anyway") if allow else t("journey.add")


def hold(key: str, given: tuple, exc: PossibleDuplicates) -> NoReturn:
    """Remember the matches for this input and rerun: the form shows them and asks again."""
    st.session_state[key] = (given, exc.matches)
    st.rerun()


def done(key: str, prefix: str) -> None:
    """After the person was added: the warning forgotten and the inputs of `person_inputs` emptied."""
    st.session_state.pop(key, None)
    for suffix in ("name", "year", "phone"):
        st.session_state.pop(prefix + suffix, None)


def show(matches) -> None:
    """The warning: one line per likely match (name, birth year, household, village)."""
    lines = [
        t(
            "journey.duplicate_line",
            name=d.full_name,
            year=d.birth_year or "?",
            code=d.household_code,
            village=d.village_name,
        )
        for d in matches
    ]
    st.warning(t("journey.duplicate_warning") + "\n\n" + "\n".join(f"- {line}" for line in lines))
