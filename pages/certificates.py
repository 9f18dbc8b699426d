"""Certificates: pick a village, see who does all five skills alone and who still misses what, download
the village's certificates as one PDF (one A5 landscape page each)."""

import streamlit as st

from core import labels
from services import app_settings
from services.errors import AppError
from services.permissions import Act
from services.printing import certificates as cert
from webui.db import reading
from webui.guard import require
from webui.state import lang, t

KEY_VILLAGE = "certificates.village"
KEY_MAKE = "certificates.make"

actor = require(Act.CERTIFICATE_PRINT)


def village_choice() -> tuple[int, str] | None:
    """The village (id, code) to print for, among the actor's; None when they have none."""
    with reading() as session:
        villages = {v.id: v for v in cert.villages_in_scope(session, actor=actor)}
    if not villages:
        st.info(t("cert.no_villages"))
        return None
    village_id = st.selectbox(
        t("cert.village"),
        options=list(villages),
        format_func=lambda i: f"{villages[i].name} ({villages[i].code})",
        key=KEY_VILLAGE,
    )
    return village_id, villages[village_id].code


def mastery_lists(mastery: cert.Mastery) -> None:
    """Who gets a certificate (and since when), who does not yet and which skills they miss."""
    issued, missing = mastery.issued, mastery.missing
    st.markdown(t("cert.summary", issued=len(issued), missing=len(missing)))
    if issued:
        st.subheader(t("cert.issued_heading"))
        st.dataframe(
            [
                {
                    t("cert.col.name"): row.name,
                    t("cert.col.household"): row.household_code,
                    t("cert.col.reached"): f"{row.reached:%d/%m/%Y}",
                }
                for row in issued
            ],
            hide_index=True,
            key="certificates.issued",
        )
    if missing:
        st.subheader(t("cert.missing_heading"))
        st.dataframe(
            [
                {
                    t("cert.col.name"): row.name,
                    t("cert.col.household"): row.household_code,
                    t("cert.col.missing"): ", ".join(t(labels.SKILL_SHORT[s]) for s in row.skills),
                }
                for row in missing
            ],
            hide_index=True,
            key="certificates.missing",
        )


def certificate_download(village_id: int, code: str, mastery: cert.Mastery) -> None:
    """The button that builds the village's PDF, then its download button."""
    if not mastery.issued:
        st.info(t("cert.none_eligible", village=f"{mastery.village.name} ({code})"))
        return
    with reading() as session:
        refusal = app_settings.public_address(session).refusal()  # the QR must open on a phone
    if refusal is not None:
        st.warning(refusal.message(lang()), icon=":material/qr_code_2:")
    if not st.button(
        t("cert.make"), icon=":material/workspace_premium:", type="primary", disabled=refusal is not None
    ):
        return
    try:
        with reading() as session:
            batch = cert.certificates_document(session, actor=actor, village_id=village_id)
    except AppError as exc:
        st.error(exc.message(lang()))
        return
    st.download_button(
        t("cert.download", count=len(batch.issued)),
        data=batch.pdf,
        file_name=f"giay-chung-nhan-{code}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
    )


def render() -> None:
    st.title(t("cert.heading"))
    st.caption(t("cert.intro"))
    choice = village_choice()
    if choice is None:
        return
    village_id, code = choice
    try:
        with reading() as session:
            mastery = cert.village_mastery(session, actor=actor, village_id=village_id)
    except AppError as exc:
        st.error(exc.message(lang()))
        return
    certificate_download(village_id, code, mastery)
    mastery_lists(mastery)


render()
