"""What gets printed for whom: leaflets for a commune or village, household cards, paper visit sheets.

Every function takes an explicit Session and `actor` (None = the server administrator on the command
line) and refuses areas outside the actor's scope before reading anything else. Each returns the
finished PDF as bytes (see services/printing/pdf.py for the layouts).

Links printed on cards point at the visit page: `<public address>/visit?household=<id>`
(`visit_url`), which opens that household for recording a visit. The public address is the one an
admin set in the app, else APP_BASE_URL (services/app_settings.py); cards are refused while it is
unset or names the server itself (127.0.0.1, localhost), since no phone could open such a QR code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, select
from sqlmodel import Session

from core.clock import today
from core.settings import get_settings
from core.text import person_sort_key, sort_key
from models.enums import AreaLevel, PersonStatus
from models.tables import Area, Household, Member, Resident, Team, TeamVillage
from services import access, app_settings
from services.access import Actor, ancestor_ids, get_area_in_scope, require_role, require_village_access
from services.errors import AppError, NotFound
from services.people.derived import current_levels
from services.permissions import Act, authorize, entry, roles_of
from services.printing import pdf
from services.printing.content import Catalogue, get_catalogue
from services.sheet_entry import format_sheet_id, record_printed_sheets

LEAFLET_ROLES = roles_of(Act.LEAFLET_PRINT)
FIELD_ROLES = roles_of(Act.FIELD_PRINT)
MAX_CONTACTS = 6
MAX_COPIES = 200


@dataclass(frozen=True)
class AreaChoice:
    id: int
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class PrintedSheets:
    pdf: bytes
    sheet_ids: tuple[str, ...]


def visit_url(household_id: int, base_url: str | None = None) -> str:
    """The app address that opens one household on the visit page (printed as a QR on its card)."""
    base = (base_url or get_settings().app_base_url).rstrip("/")
    return f"{base}/visit?household={household_id}"


# ---------------------------------------------------------------- areas to choose from


@entry(Act.LEAFLET_PRINT)
def communes_in_scope(session: Session, *, actor: Actor) -> list[AreaChoice]:
    """Places a leaflet may be addressed from, each one `leaflet_document` accepts for this actor:
    the communes inside the actor's area; for a volunteer, the commune above their team's villages.

    A leader or coordinator scoped to one village gets that village instead of the commune above it:
    the commune lies outside their area, which every other read refuses, and a village leaflet
    (`leaflet_place`) names the commune anyway, with the contacts of the teams serving the village."""
    require_role(actor, *LEAFLET_ROLES)
    if actor.is_volunteer:
        # The commune above: a prefix of their villages' paths.
        ids = {i for p in actor.village_paths for i in ancestor_ids(p)}
        rows = session.exec(select(Area).where(Area.id.in_(ids), Area.level == AreaLevel.COMMUNE)).scalars()
    elif actor.area_level == AreaLevel.VILLAGE:
        rows = session.exec(select(Area).where(Area.path == actor.area_path)).scalars()
    else:
        rows = session.exec(
            select(Area).where(Area.level == AreaLevel.COMMUNE, Area.path.like(actor.area_path + "%"))
        ).scalars()
    return sorted((_choice(a) for a in rows), key=lambda c: sort_key(c.name))


@entry(Act.FIELD_PRINT)
def villages_in_scope(session: Session, *, actor: Actor) -> list[AreaChoice]:
    """Villages whose households the actor may print cards and sheets for (a volunteer: their team's)."""
    require_role(actor, *FIELD_ROLES)
    villages = access.villages_in_scope(session, actor)
    return [AreaChoice(v.id, v.code, v.name, AreaLevel.VILLAGE.value) for v in villages]


@entry(Act.LEAFLET_PRINT)
def area_by_code(session: Session, *, actor: Actor | None, code: str, village: bool = False) -> AreaChoice:
    """The area with this code, checked like the printing functions check it: NotFound for an unknown
    code; PermissionDenied outside the actor's scope (with `village=True`: outside the villages the
    actor may print household cards and visit sheets for)."""
    area = session.exec(select(Area).where(Area.code == (code or "").strip())).scalar()
    if area is None:
        raise NotFound("err.unknown_area", code=code)
    if village and area.level != AreaLevel.VILLAGE:
        raise AppError("err.print_not_village")
    if actor is not None:
        if village:
            authorize(actor, Act.FIELD_PRINT)
            require_village_access(session, actor, area.id)
        else:
            get_area_in_scope(session, actor, area.id)
    return _choice(area)


def _choice(area: Area) -> AreaChoice:
    return AreaChoice(area.id, area.code, area.name, area.level)


# ---------------------------------------------------------------- leaflets


@entry(Act.LEAFLET_PRINT)
def leaflet_place(session: Session, *, actor: Actor | None, area_id: int) -> pdf.LeafletPlace:
    """Names and team contacts printed on a leaflet handed out in a commune or a village."""
    area = _area(session, actor, area_id)
    if area.level == AreaLevel.VILLAGE:
        commune = session.get(Area, area.parent_id)
        village_ids = [area.id]
        return pdf.LeafletPlace(
            commune_name=commune.name if commune else None,
            village_name=area.name,
            contacts=_contacts(session, area, village_ids) or _contacts(session, commune, None),
        )
    if area.level != AreaLevel.COMMUNE:
        raise AppError("err.print_area_level")
    return pdf.LeafletPlace(commune_name=area.name, contacts=_contacts(session, area, None))


def _contacts(session: Session, area: Area | None, village_ids: list[int] | None) -> tuple[pdf.Contact, ...]:
    """Team members to call: for a village, the teams assigned to it; for a commune, every team in it.
    Team leaders first, then members with a phone number."""
    if area is None:
        return ()
    query = (
        select(Member.full_name, Member.phone, Team.name)
        .join(Team, Team.id == Member.team_id)
        .where(Member.active.is_(True), Team.active.is_(True))
    )
    if village_ids is not None:
        assigned = select(TeamVillage.team_id).where(TeamVillage.village_id.in_(village_ids))
        query = query.where((Team.id.in_(assigned)) | (Team.area_id == area.id))
    else:
        query = query.join(Area, Area.id == Team.area_id).where(Area.path.like(area.path + "%"))
    query = query.order_by(
        case((Member.is_leader.is_(True), 0), else_=1),
        case((Member.phone.is_(None), 1), else_=0),
        Team.name,
        Member.name_key,
    ).limit(MAX_CONTACTS)
    return tuple(pdf.Contact(name, phone, team) for name, phone, team in session.exec(query).all())


@entry(Act.LEAFLET_PRINT)
def leaflet_document(
    session: Session | None,
    *,
    actor: Actor | None,
    leaflet_id: str,
    size: str = "A4",
    area_id: int | None = None,
    catalogue: Catalogue | None = None,
) -> bytes:
    """One leaflet as a PDF, addressed from a commune or village (its name and team contacts) when
    `area_id` is given. Without an area no session is needed."""
    if actor is not None:
        require_role(actor, *LEAFLET_ROLES)
    catalogue = catalogue or get_catalogue()
    leaflet = _leaflet(catalogue, leaflet_id)
    _size(size)
    place = leaflet_place(session, actor=actor, area_id=area_id) if area_id is not None else None
    return pdf.leaflet_pdf(leaflet, catalogue, base_url=_public_url(session), size=size, place=place)


@entry(Act.LEAFLET_PRINT)
def village_leaflets_document(
    session: Session,
    *,
    actor: Actor | None,
    village_id: int,
    leaflet_ids: list[str] | None = None,
    copies: int = 1,
    size: str = "A4",
    catalogue: Catalogue | None = None,
) -> bytes:
    """A village's batch as one multi-page PDF: the chosen leaflets (all by default), `copies` of each,
    each with the village and commune names and the contacts of the teams serving the village."""
    if actor is not None:
        require_role(actor, *LEAFLET_ROLES)
    catalogue = catalogue or get_catalogue()
    leaflets = [_leaflet(catalogue, lid) for lid in (leaflet_ids or list(catalogue.leaflets))]
    _size(size)
    if not 1 <= copies <= MAX_COPIES:
        raise AppError("err.print_copies", max=MAX_COPIES)
    village = _area(session, actor, village_id)
    if village.level != AreaLevel.VILLAGE:
        raise AppError("err.print_not_village")
    place = leaflet_place(session, actor=actor, area_id=village_id)
    items = [(lf, place) for lf in leaflets for _ in range(copies)]
    return pdf.leaflets_pdf(items, catalogue, base_url=_public_url(session), size=size)


def _public_url(session: Session | None) -> str:
    """The app's public address for QR codes (set in the app, else APP_BASE_URL)."""
    return app_settings.public_address(session).url if session is not None else get_settings().app_base_url


def _leaflet(catalogue: Catalogue, leaflet_id: str):
    leaflet = catalogue.leaflets.get(leaflet_id)
    if leaflet is None:
        raise NotFound("err.unknown_leaflet", id=leaflet_id)
    return leaflet


def _size(size: str) -> None:
    if size not in pdf.SIZES:
        raise AppError("err.print_size", size=size)


def _area(session: Session, actor: Actor | None, area_id: int) -> Area:
    if actor is None:
        area = session.get(Area, area_id)
        if area is None:
            raise NotFound()
        return area
    return get_area_in_scope(session, actor, area_id)


# ---------------------------------------------------------------- households of a village


@dataclass(frozen=True)
class _HouseholdRows:
    village: Area
    commune: Area | None
    households: list[Household]
    residents: dict[int, list[Resident]]


def _village_households(session: Session, actor: Actor | None, village_id: int) -> _HouseholdRows:
    if actor is not None:
        require_role(actor, *FIELD_ROLES)
        village = require_village_access(session, actor, village_id)
    else:
        village = session.get(Area, village_id)
        if village is None:
            raise NotFound()
    if village.level != AreaLevel.VILLAGE:
        raise AppError("err.print_not_village")
    households = list(
        session.exec(
            select(Household)
            .where(Household.village_id == village.id, Household.status == PersonStatus.ACTIVE)
            .order_by(Household.code)
        ).scalars()
    )
    residents: dict[int, list[Resident]] = defaultdict(list)
    if households:
        rows = session.exec(
            select(Resident).where(
                Resident.household_id.in_([h.id for h in households]), Resident.status == PersonStatus.ACTIVE
            )
        ).scalars()
        for r in rows:
            residents[r.household_id].append(r)
        for members in residents.values():
            members.sort(key=lambda r: (not r.is_head, r.birth_year or 9999, person_sort_key(r.full_name)))
    return _HouseholdRows(village, session.get(Area, village.parent_id), households, residents)


@entry(Act.FIELD_PRINT)
def household_cards_document(session: Session, *, actor: Actor | None, village_id: int) -> bytes:
    """One card per active household of the village, two to an A4 page: code, residents with their
    current skill ladder (filled boxes), empty boxes to tick, and a QR that opens the household on the
    visit page. Refused (AppError) while the public address is unset or a loopback address."""
    data = _village_households(session, actor, village_id)
    base = app_settings.require_public_base_url(session)
    resident_ids = [r.id for members in data.residents.values() for r in members]
    levels = current_levels(session, resident_ids, every_skill=False)
    commune_name = data.commune.name if data.commune else ""
    cards = [
        pdf.HouseholdCard(
            household_id=h.id,
            code=h.code,
            address=h.address,
            village_name=data.village.name,
            commune_name=commune_name,
            residents=tuple(
                pdf.CardResident(r.full_name, r.birth_year, dict(levels.get(r.id, {})))
                for r in data.residents.get(h.id, [])
            ),
            url=visit_url(h.id, base),
        )
        for h in data.households
    ]
    if not cards:
        raise AppError("err.print_no_households")
    return pdf.household_cards_pdf(cards, printed_on=today())


@entry(Act.FIELD_PRINT)
def visit_sheets_document(
    session: Session, *, actor: Actor | None, village_id: int, printed_on: date | None = None
) -> PrintedSheets:
    """Paper visit sheets for every active household of the village; each sheet's id
    (`PV-<village code>-<yyyymmdd>-<nn>`) is printed on it, returned in `sheet_ids` and recorded in
    visit_sheet with its households in printed order (a write: the caller commits). The same list
    printed again the same day keeps its id; a changed list gets a new number."""
    data = _village_households(session, actor, village_id)
    if not data.households:
        raise AppError("err.print_no_households")
    printed_on = printed_on or today()
    households = [
        pdf.SheetHousehold(
            h.code, h.address, tuple((r.full_name, r.birth_year) for r in data.residents.get(h.id, []))
        )
        for h in data.households
    ]
    chunks = pdf.paginate_visit_sheets(households)
    id_of = {h.code: h.id for h in data.households}
    ids = record_printed_sheets(
        session,
        printed_by=actor.user_id if actor is not None else None,
        village_id=data.village.id,
        village_code=data.village.code,
        printed_on=printed_on,
        household_lists=[[id_of[h.code] for h in chunk] for chunk in chunks],
    )
    commune_name = data.commune.name if data.commune else ""
    sheets = [
        pdf.VisitSheet(sid, data.village.name, commune_name, chunk)
        for sid, chunk in zip(ids, chunks, strict=True)
    ]
    return PrintedSheets(
        pdf.visit_sheets_pdf(sheets, printed_on=printed_on), tuple(s.sheet_id for s in sheets)
    )


def sheet_id(village_code: str, printed_on: date, number: int) -> str:
    return format_sheet_id(village_code, printed_on, number)
