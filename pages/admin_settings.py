"""Settings: the public address the QR codes on household cards open (stored in app_setting)."""

import streamlit as st

from core import labels
from services import app_settings
from services.errors import AppError, ValidationFailed
from services.permissions import Act
from services.printing.pdf import qr_png
from webui.db import reading, writing
from webui.guard import require
from webui.state import flash, lang, t

actor = require(Act.SETTINGS_MANAGE)

# session_state keys (form inputs only)
KEY_URL = "admin_settings.public_url"


def render() -> None:
    st.title(t("settings.heading"))
    st.subheader(t("settings.public_url"))
    st.caption(t("settings.public_url_help"))

    with reading() as session:
        address = app_settings.public_address(session)
        stored = app_settings.stored_public_base_url(session)

    refusal = address.refusal()
    if refusal is not None:
        st.warning(refusal.message(lang()), icon=":material/qr_code_2:")
    else:
        st.success(t("settings.current", url=address.url, source=t(labels.SETTING_SOURCE[address.source])))

    if not app_settings.may_change_settings(actor):
        st.info(t("settings.only_top_admin"))
    else:
        st.session_state.setdefault(KEY_URL, stored)
        with st.form("public_url"):
            value = st.text_input(
                t("settings.public_url"), key=KEY_URL, placeholder=t("settings.public_url_placeholder")
            )
            slot = st.empty()
            saved = st.form_submit_button(t("settings.save"), type="primary")
        if saved:
            try:
                with writing() as session:
                    url = app_settings.set_public_base_url(session, actor=actor, url=value)
            except ValidationFailed as exc:
                slot.error(exc.problems[0].message(lang()))
            except AppError as exc:
                st.error(exc.message(lang()))
            else:
                st.session_state.pop(KEY_URL, None)  # shows what was stored on the next run
                flash(t("settings.saved", url=url) if url else t("settings.cleared"))
                st.rerun()

    if refusal is None:
        st.caption(t("settings.try_qr"))
        st.image(qr_png(f"{address.url}/visit"), width=160)


render()
