"""My account: change my password (signs out my other sessions)."""

import streamlit as st

from core import labels
from services.auth import change_password
from services.errors import FieldProblem, ValidationFailed
from services.permissions import Act
from webui.db import DatabaseDown, reading, writing
from webui.guard import renew_token, require
from webui.state import lang, t

actor = require(Act.ACCOUNT_OWN)


def render() -> None:
    st.title(t("account.heading"))
    st.caption(f"{actor.username} · " + t(labels.ROLE[actor.role]) + f" · {actor.area_name}")
    st.subheader(t("account.change_password"))
    with st.form("change_password"):
        current = st.text_input(t("account.current"), type="password", key="acc_current")
        new = st.text_input(t("account.new"), type="password", key="acc_new")
        repeat = st.text_input(t("account.repeat"), type="password", key="acc_repeat")
        submitted = st.form_submit_button(t("account.save"), type="primary")

    if submitted:
        try:
            if new != repeat:
                raise ValidationFailed([FieldProblem("repeat", "account.mismatch")])
            # argon2 (check the current password, hash the new one) runs outside the write transaction.
            change_password(
                read=lambda: reading(stop=False), write=writing, actor=actor, current=current, new=new
            )
        except DatabaseDown as exc:
            st.error(exc.message(lang()))
        except ValidationFailed as exc:
            for problem in exc.problems:
                label = {"current": "account.current", "new": "account.new", "repeat": "account.repeat"}.get(
                    problem.field, "account.new"
                )
                st.error(t(label) + f": {problem.message(lang())}")
        else:
            renew_token(actor.user_id)  # this tablet stays signed in; every other sign-in is revoked
            st.success(t("account.changed"))


render()
