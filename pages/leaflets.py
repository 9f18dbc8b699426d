"""Leaflets: pick one, preview it, download it as PDF; household cards and visit sheets for a village."""

import streamlit as st

from core import labels
from core.settings import get_settings
from services import app_settings
from services.errors import AppError
from services.permissions import Act, may
from services.printing import documents as printing
from services.printing.content import get_catalogue
from services.printing.pdf import leaflet_targets
from webui.db import reading, writing
from webui.guard import require
from webui.state import lang, t

KEY_LEAFLET = "leaflets.leaflet"
KEY_SIZE = "leaflets.size"
KEY_PLACE = "leaflets.place"
KEY_VILLAGE = "leaflets.village"
KEY_COPIES = "leaflets.copies"
VILLAGE_PARAM = "village"  # ?village=<code> preselects a village (e.g. from a worklist link)

actor = require(Act.LEAFLET_PRINT)
catalogue = get_catalogue()


def places_in_scope():
    """Where a leaflet can be aimed: a commune, or one of the actor's villages (a volunteer hands them
    out there). Returns the places (id -> name) and the actor's villages (field roles only)."""
    with reading() as session:
        communes = printing.communes_in_scope(session, actor=actor)
        field_villages = (
            printing.villages_in_scope(session, actor=actor) if may(actor.role, Act.FIELD_PRINT) else []
        )
    places = {c.id: c.name for c in communes} | {v.id: v.name for v in field_villages}
    return places, field_villages


def pdf_download(label: str, data: bytes, file_name: str, **more) -> None:
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        **more,
    )


def leaflet_choice(places: dict[int, str]) -> tuple[str, str, int | None]:
    """Which leaflet, its size, and the place it names (None: none)."""
    leaflet_id = st.selectbox(
        t("leaflets.pick"),
        options=list(catalogue.leaflets),
        format_func=lambda i: catalogue.leaflets[i].title,
        key=KEY_LEAFLET,
    )
    size = st.segmented_control(t("leaflets.size"), options=["A4", "A5"], default="A4", key=KEY_SIZE) or "A4"
    place_id = st.selectbox(
        t("leaflets.commune"),
        options=[None, *places],
        format_func=lambda i: t("leaflets.no_place") if i is None else places[i],
        key=KEY_PLACE,
    )
    return leaflet_id, size, place_id


def leaflet_preview(leaflet) -> None:
    with st.expander(t("leaflets.preview"), expanded=True):
        st.subheader(leaflet.title)
        st.caption(
            t("leaflets.skill", skill=t(labels.SKILL[leaflet.skill]))
            if leaflet.skill
            else t("leaflets.general")
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


def leaflet_download(leaflet_id: str, size: str, place_id: int | None) -> None:
    try:
        with reading() as session:
            document = printing.leaflet_document(
                session, actor=actor, leaflet_id=leaflet_id, size=size, area_id=place_id, catalogue=catalogue
            )
    except AppError as exc:
        st.error(exc.message(lang()))
    else:
        pdf_download(t("leaflets.download"), document, f"to-roi-{leaflet_id}-{size}.pdf", type="primary")


# ---------------------------------------------------------------- cards and sheets (field roles)


def village_choice(field_villages) -> int | None:
    """The village to print for (`?village=<code>` preselects one); None when the actor has none."""
    villages = {v.id: v for v in field_villages}
    requested = st.query_params.get(VILLAGE_PARAM)
    preselect = None
    if requested:
        try:
            with reading() as session:
                preselect = printing.area_by_code(session, actor=actor, code=requested, village=True).id
        except AppError as exc:
            st.error(exc.message(lang()))
    if not villages:
        st.info(t("leaflets.no_villages"))
        return None
    ids = list(villages)
    return st.selectbox(
        t("leaflets.village"),
        options=ids,
        index=ids.index(preselect) if preselect in villages else 0,
        format_func=lambda i: f"{villages[i].name} ({villages[i].code})",
        key=KEY_VILLAGE,
    )


def village_documents(village_id: int, code: str, size: str) -> None:
    """Household cards, visit sheets (recorded as printed) and a batch of leaflets for one village."""
    with reading() as session:
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
        t("leaflets.copies"), min_value=1, max_value=printing.MAX_COPIES, value=1, key=KEY_COPIES
    )
    try:
        with reading() as session:
            if make_cards:
                data = printing.household_cards_document(session, actor=actor, village_id=village_id)
                pdf_download(t("leaflets.cards_download"), data, f"phieu-ho-{code}.pdf")
            if make_sheets:
                with writing() as writer:  # the printed sheets are recorded
                    sheets = printing.visit_sheets_document(writer, actor=actor, village_id=village_id)
                st.caption(t("leaflets.sheet_ids", ids=", ".join(sheets.sheet_ids)))
                pdf_download(t("leaflets.sheets_download"), sheets.pdf, f"phieu-di-ho-{code}.pdf")
            if make_batch:
                data = printing.village_leaflets_document(
                    session, actor=actor, village_id=village_id, copies=int(copies), size=size
                )
                pdf_download(t("leaflets.batch_download"), data, f"to-roi-{code}-{size}.pdf")
    except AppError as exc:
        st.error(exc.message(lang()))


def render() -> None:
    st.title(t("leaflets.heading"))
    places, field_villages = places_in_scope()
    leaflet_id, size, place_id = leaflet_choice(places)
    leaflet_preview(catalogue.leaflets[leaflet_id])
    leaflet_download(leaflet_id, size, place_id)
    if not may(actor.role, Act.FIELD_PRINT):
        return
    st.divider()
    st.subheader(t("leaflets.field_heading"))
    village_id = village_choice(field_villages)
    if village_id is not None:
        code = next(v.code for v in field_villages if v.id == village_id)
        village_documents(village_id, code, size)


render()
