"""The visit form's server-side draft: offer a kept draft when a household opens, keep the form's
values as they change, drop the draft once the visit is saved.

A draft is the form's own widget values, read from `st.session_state` under the keys the form lists
(`visit_form.household_form_keys`: inputs only, never buttons, whose state cannot be set) and stored
relative to the form instance's prefix. Restoring writes them back before the form is drawn, so the
form's code needs no change. Writes happen only when a value changed since the last write: every
widget change reruns the page, and the run compares the values with what was last kept."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import streamlit as st

from core.clock import VN_OFFSET
from services.access import Actor
from services.drafts import discard_draft, draft_of, save_draft
from services.errors import AppError, ValidationFailed
from webui.db import reading, writing
from webui.state import t

KEY_ANSWERED = "draft.answered"  # the form instance whose draft question is settled
KEY_KEPT = "draft.kept"  # (form instance, fingerprint of the values last kept or first seen)
DATE_TAG = "$date"


def offer(actor: Actor, household_id: int, form: str) -> bool:
    """When a draft younger than 24 hours waits for this household, ask "continue or discard" and
    return True (the caller draws no form until answered). Asked once per form instance."""
    if st.session_state.get(KEY_ANSWERED) == form:
        return False
    try:
        with reading(stop=False) as session:  # no answer: no draft offered, the form goes on
            found = draft_of(session, actor=actor, household_id=household_id)
    except AppError:
        found = None
    if found is None:
        st.session_state[KEY_ANSWERED] = form
        return False
    saved_at = (found.updated_at + VN_OFFSET).strftime("%H:%M %d/%m")
    with st.container(border=True, key="draft_offer"):
        st.info(t("shell.draft_found", time=saved_at), icon=":material/edit_note:")
        go_col, drop_col = st.columns(2)
        go_col.button(
            t("shell.draft_continue"),
            key="draft.continue",
            type="primary",
            icon=":material/restore:",
            on_click=_restore,
            args=(form, found.data),
            width="stretch",
        )
        drop_col.button(
            t("shell.draft_discard"),
            key="draft.discard",
            icon=":material/delete:",
            on_click=_drop,
            args=(actor, household_id, form),
            width="stretch",
        )
    return True


def keep(actor: Actor, household_id: int, form: str, keys: Iterable[str]) -> None:
    """Call after the form's widgets are drawn, with the form's widget keys: writes the draft only
    when a value has changed since the form opened (or since the last write)."""
    values = form_values(form, keys)
    fingerprint = json.dumps(values, sort_keys=True, ensure_ascii=False)
    kept = st.session_state.get(KEY_KEPT)
    if kept is None or kept[0] != form:
        st.session_state[KEY_KEPT] = (form, fingerprint)  # the untouched (or just restored) form
        return
    if kept[1] == fingerprint:
        return
    try:
        with writing() as session:
            save_draft(session, actor=actor, household_id=household_id, data=values)
    except ValidationFailed:
        st.caption(t("shell.draft_too_large"))
        return
    except AppError:  # DatabaseDown included
        return  # the draft is a safety net; the form itself goes on working
    st.session_state[KEY_KEPT] = (form, fingerprint)


def discard(actor: Actor, household_id: int) -> None:
    """After the visit is saved: the draft is done with."""
    st.session_state.pop(KEY_KEPT, None)
    try:
        with writing() as session:
            discard_draft(session, actor=actor, household_id=household_id)
    except AppError:  # DatabaseDown included
        pass  # an orphan draft is offered at most once more and expires within 24 hours


def form_values(form: str, keys: Iterable[str]) -> dict[str, object]:
    """The values held under `keys` (each starting with `form` + "."), keyed by the rest of the key,
    as JSON values; keys without a value this run (a field not drawn) are left out."""
    prefix = form + "."
    values: dict[str, object] = {}
    for key in keys:
        if not key.startswith(prefix) or key not in st.session_state:
            continue
        encoded = _encode(st.session_state[key])
        if encoded is not _SKIP:
            values[key[len(prefix) :]] = encoded
    return values


def _restore(form: str, data: dict) -> None:
    for suffix, value in data.items():
        st.session_state[f"{form}.{suffix}"] = _decode(value)
    st.session_state[KEY_ANSWERED] = form


def _drop(actor: Actor, household_id: int, form: str) -> None:
    st.session_state[KEY_ANSWERED] = form
    discard(actor, household_id)
    st.toast(t("shell.draft_discarded"), icon=":material/delete:")


_SKIP = object()


def _encode(value: object) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else _SKIP
    if isinstance(value, date):  # date_input; a datetime would be a date too, none is used here
        return {DATE_TAG: value.isoformat()}
    if isinstance(value, list | tuple):
        items = [_encode(v) for v in value]
        return _SKIP if any(i is _SKIP for i in items) else items
    return _SKIP


def _decode(value: object) -> object:
    if isinstance(value, dict) and set(value) == {DATE_TAG}:
        try:
            return date.fromisoformat(value[DATE_TAG])
        except (TypeError, ValueError):
            return None
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
