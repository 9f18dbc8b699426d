"""Leaflets: pick one, preview it, download it as PDF; household cards and visit sheets for a village."""

import streamlit as st

from core.settings import get_settings
from models.db import read_session, write_session
from services import app_settings
from services.errors import AppError
from services.printing import documents as printing
from services.printing.content import get_catalogue
from services.printing.pdf import leaflet_targets
from webui.guard import require
from webui.state import engine, lang, t

LEAFLET = "leaflets.leaflet"
SIZE = "leaflets.size"
PLACE = "leaflets.place"
VILLAGE = "leaflets.village"
COPIES = "leaflets.copies"
VILLAGE_PARAM = "village"  # ?village=<code> preselects a village (e.g. from a worklist link)

actor = require(*printing.LEAFLET_ROLES)
catalogue = get_catalogue()

st.title(t("leaflets.heading"))

with read_session(engine()) as session:
    communes = printing.communes_in_scope(session, actor=actor)
    field_villages = (
        printing.villages_in_scope(session, actor=actor) if actor.role in printing.FIELD_ROLES else []
    )
# Leaflets can name a commune, or one of the actor's villages (a volunteer hands them out there).
places = {c.id: c.name for c in communes} | {v.id: v.name for v in field_villages}

leaflet_id = st.selectbox(
    t("leaflets.pick"),
    options=list(catalogue.leaflets),
    format_func=lambda i: catalogue.leaflets[i].title,
    key=LEAFLET,
)
size = st.segmented_control(t("leaflets.size"), options=["A4", "A5"], default="A4", key=SIZE) or "A4"
place_id = st.selectbox(
    t("leaflets.commune"),
    options=[None, *places],
    format_func=lambda i: t("leaflets.no_place") if i is None else places[i],
    key=PLACE,
)

leaflet = catalogue.leaflets[leaflet_id]
with st.expander(t("leaflets.preview"), expanded=True):
    st.subheader(leaflet.title)
    st.caption(
        t("leaflets.skill", skill=t("skill." + leaflet.skill)) if leaflet.skill else t("leaflets.general")
    )
    if leaflet.intro:
        st.write(leaflet.intro)
    for section in leaflet.sections:
        st.markdown(f"**{section.heading}**  \n{section.text}")
    if leaflet.closing:
        st.write(leaflet.closing)
    st.markdown("**" + t("leaflets.qr_list") + "**")
    base_url = get_settings().app_base_url
    for target in leaflet_targets(leaflet, catalogue, base_url):
        st.markdown(f"- {target.caption}: <{target.url}>")

try:
    with read_session(engine()) as session:
        document = printing.leaflet_document(
            session, actor=actor, leaflet_id=leaflet_id, size=size, area_id=place_id, catalogue=catalogue
        )
except AppError as exc:
    st.error(exc.message(lang()))
else:
    st.download_button(
        t("leaflets.download"),
        data=document,
        file_name=f"to-roi-{leaflet_id}-{size}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        type="primary",
    )

# ---------------------------------------------------------------- cards and sheets (field roles)
if actor.role in printing.FIELD_ROLES:
    st.divider()
    st.subheader(t("leaflets.field_heading"))
    villages = {v.id: v for v in field_villages}
    requested = st.query_params.get(VILLAGE_PARAM)
    preselect = None
    if requested:
        try:
            with read_session(engine()) as session:
                preselect = printing.area_by_code(session, actor=actor, code=requested, village=True).id
        except AppError as exc:
            st.error(exc.message(lang()))
    if not villages:
        st.info(t("leaflets.no_villages"))
    else:
        ids = list(villages)
        village_id = st.selectbox(
            t("leaflets.village"),
            options=ids,
            index=ids.index(preselect) if preselect in villages else 0,
            format_func=lambda i: f"{villages[i].name} ({villages[i].code})",
            key=VILLAGE,
        )
        code = villages[village_id].code
        with read_session(engine()) as session:
            # Cards carry a QR to the app: refused while phones could not open its address.
            cards_refusal = app_settings.public_address(session).refusal()
        if cards_refusal is not None:
            st.warning(cards_refusal.message(lang()), icon=":material/qr_code_2:")
        else:
            st.caption(t("leaflets.cards_hint"))
        c1, c2, c3 = st.columns(3)
        make_cards = c1.button(
            t("leaflets.make_cards"),
            icon=":material/badge:",
            width="stretch",
            disabled=cards_refusal is not None,
        )
        make_sheets = c2.button(t("leaflets.make_sheets"), icon=":material/checklist:", width="stretch")
        make_batch = c3.button(t("leaflets.make_batch"), icon=":material/library_books:", width="stretch")
        copies = st.number_input(
            t("leaflets.copies"), min_value=1, max_value=printing.MAX_COPIES, value=1, key=COPIES
        )
        try:
            with read_session(engine()) as session:
                if make_cards:
                    data = printing.household_cards_document(session, actor=actor, village_id=village_id)
                    st.download_button(
                        t("leaflets.cards_download"),
                        data=data,
                        file_name=f"phieu-ho-{code}.pdf",
                        mime="application/pdf",
                        icon=":material/download:",
                        on_click="ignore",
                    )
                if make_sheets:
                    with write_session(engine()) as writer:  # the printed sheets are recorded
                        sheets = printing.visit_sheets_document(writer, actor=actor, village_id=village_id)
                    st.caption(t("leaflets.sheet_ids", ids=", ".join(sheets.sheet_ids)))
                    st.download_button(
                        t("leaflets.sheets_download"),
                        data=sheets.pdf,
                        file_name=f"phieu-di-ho-{code}.pdf",
                        mime="application/pdf",
                        icon=":material/download:",
                        on_click="ignore",
                    )
                if make_batch:
                    data = printing.village_leaflets_document(
                        session, actor=actor, village_id=village_id, copies=int(copies), size=size
                    )
                    st.download_button(
                        t("leaflets.batch_download"),
                        data=data,
                        file_name=f"to-roi-{code}-{size}.pdf",
                        mime="application/pdf",
                        icon=":material/download:",
                        on_click="ignore",
                    )
        except AppError as exc:
            st.error(exc.message(lang()))
