"""Certificates ("Giấy chứng nhận Công dân số") for residents who do all five skills on their own.

A resident earns one when every skill of the five is at level 3 (resident_skill.level); the date printed
is the day the last of the five was reached (the latest resident_skill.mastered_on). Only active
residents of active households count. A village's certificates are one A5 landscape PDF, one page each;
residents still short of a skill are listed with what they miss, and get no page.

The QR on a certificate opens the resident's record on the residents page
(`<public address>/residents?resident=<id>`, `resident_url`): it shows the record to a signed-in user
whose area holds the resident, and only the sign-in form to anyone else. Like household cards,
certificates are refused while the public address is unset or names the server itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from sqlalchemy import select
from sqlmodel import Session

from core.clock import today
from core.text import person_sort_key
from models.enums import SKILLS, AreaLevel, PersonStatus
from models.tables import Area, Household, Resident, ResidentSkill
from services import access, app_settings
from services.access import Actor, require_role, require_village_access
from services.errors import AppError, NotFound
from services.permissions import Act, entry, roles_of
from services.printing import pdf
from services.printing.documents import AreaChoice

CERTIFICATE_ROLES = roles_of(Act.CERTIFICATE_PRINT)
MASTERED = 3


@dataclass(frozen=True)
class Issued:
    """A resident who gets a certificate: all five skills at level 3 since `reached`."""

    resident_id: int
    name: str
    household_code: str
    reached: date


@dataclass(frozen=True)
class Missing:
    """A resident who gets none yet: the skills (codes, campaign order) not yet at level 3."""

    resident_id: int
    name: str
    household_code: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Mastery:
    village: AreaChoice
    commune_name: str
    issued: tuple[Issued, ...]
    missing: tuple[Missing, ...]


@dataclass(frozen=True)
class CertificateBatch:
    """A village's certificates: the PDF (None when nobody has all five), who got one, who did not."""

    village: AreaChoice
    pdf: bytes | None
    issued: tuple[Issued, ...]
    missing: tuple[Missing, ...]


def resident_url(resident_id: int, base_url: str) -> str:
    """The app address that opens one resident's record (printed as the QR on their certificate)."""
    return f"{base_url.rstrip('/')}/residents?resident={resident_id}"


@entry(Act.CERTIFICATE_PRINT)
def villages_in_scope(session: Session, *, actor: Actor) -> list[AreaChoice]:
    """Villages the actor may print certificates for: every village in their area; a volunteer's
    team's villages."""
    require_role(actor, *CERTIFICATE_ROLES)
    return [
        AreaChoice(v.id, v.code, v.name, AreaLevel.VILLAGE.value)
        for v in access.villages_in_scope(session, actor)
    ]


# ---------------------------------------------------------------- who has mastered all five


def _village(session: Session, actor: Actor | None, village_id: int) -> Area:
    """The village, refused (PermissionDenied) outside the actor's scope; actor None = the server
    administrator on the command line."""
    if actor is not None:
        require_role(actor, *CERTIFICATE_ROLES)
        village = require_village_access(session, actor, village_id)
    else:
        village = session.get(Area, village_id)
        if village is None:
            raise NotFound()
    if village.level != AreaLevel.VILLAGE:
        raise AppError("err.print_not_village")
    return village


@entry(Act.CERTIFICATE_PRINT)
def village_mastery(session: Session, *, actor: Actor | None, village_id: int) -> Mastery:
    """Who in the village has all five skills at level 3 (and since when) and who misses what, both
    in Vietnamese name order."""
    village = _village(session, actor, village_id)
    commune = session.get(Area, village.parent_id)
    residents = session.exec(
        select(Resident.id, Resident.full_name, Household.code)
        .join(Household, Household.id == Resident.household_id)
        .where(
            Household.village_id == village.id,
            Household.status == PersonStatus.ACTIVE,
            Resident.status == PersonStatus.ACTIVE,
        )
    ).all()
    skills = _mastered_on(session, [rid for rid, _, _ in residents])
    issued: list[Issued] = []
    missing: list[Missing] = []
    for rid, name, household_code in sorted(residents, key=lambda r: (person_sort_key(r[1]), r[2], r[0])):
        days = skills.get(rid, {})
        short = tuple(s.value for s in SKILLS if s.value not in days)
        if short:
            missing.append(Missing(rid, name, household_code, short))
        else:
            issued.append(Issued(rid, name, household_code, max(days.values())))
    choice = AreaChoice(village.id, village.code, village.name, village.level)
    return Mastery(choice, commune.name if commune else "", tuple(issued), tuple(missing))


def _mastered_on(session: Session, resident_ids: list[int]) -> dict[int, dict[str, date]]:
    """resident -> skill -> the day its current run at level 3 began, for the skills at level 3."""
    out: dict[int, dict[str, date]] = {}
    for start in range(0, len(resident_ids), 500):  # bounded IN lists
        rows = session.exec(
            select(
                ResidentSkill.resident_id,
                ResidentSkill.skill,
                ResidentSkill.mastered_on,
                ResidentSkill.updated_on,
            ).where(
                ResidentSkill.resident_id.in_(resident_ids[start : start + 500]),
                ResidentSkill.level == MASTERED,
            )
        ).all()
        for rid, skill, mastered_on, updated_on in rows:
            # mastered_on is set with every level-3 row (migration 0007 backfilled the old ones);
            # updated_on only stands in should a row ever lack it.
            out.setdefault(rid, {})[skill] = mastered_on or updated_on
    return out


@entry(Act.CERTIFICATE_PRINT)
def certificates_document(
    session: Session, *, actor: Actor | None, village_id: int, issued_on: date | None = None
) -> CertificateBatch:
    """The village's certificates as one A5 landscape PDF (None when nobody has all five yet), with
    who got one and who misses what. Refused (AppError) while the public address cannot go on a QR
    (checked only when there is something to print)."""
    mastery = village_mastery(session, actor=actor, village_id=village_id)
    if not mastery.issued:
        return CertificateBatch(mastery.village, None, (), mastery.missing)
    base = app_settings.require_public_base_url(session)
    certificates = [
        Certificate(
            name=row.name,
            village_name=mastery.village.name,
            commune_name=mastery.commune_name,
            reached=row.reached,
            url=resident_url(row.resident_id, base),
        )
        for row in mastery.issued
    ]
    data = certificates_pdf(certificates, issued_on=issued_on or today())
    return CertificateBatch(mastery.village, data, mastery.issued, mastery.missing)


# ---------------------------------------------------------------- the layout (no database below)


@dataclass(frozen=True)
class Certificate:
    name: str
    village_name: str
    commune_name: str
    reached: date
    url: str  # opens the resident's record in the app


FRAME = 6  # mm from the paper's edge to the outer frame
QR_SIZE = 30
QR_BLOCK_W = 70  # room for the address printed under the code
SKILLS_DONE = (
    "nộp hồ sơ, thanh toán phí, gửi phản ánh, nhận kết quả, "
    "cài đặt và dùng ứng dụng (VNeID, VssID, ngân hàng hoặc ví điện tử)"
)


def certificates_pdf(certificates: Sequence[Certificate], *, issued_on: date) -> bytes:
    """One A5 landscape page per certificate, in the order given."""
    document = pdf.new_pdf("A5", landscape=True, title="Giấy chứng nhận Công dân số")
    document.set_auto_page_break(False)
    for certificate in certificates:
        add_certificate_page(document, certificate, issued_on=issued_on)
    return pdf.to_bytes(document)


def add_certificate_page(document: FPDF, c: Certificate, *, issued_on: date) -> None:
    """The issuing commune at the top, the title, the name large, what was achieved and when; the QR
    to the record bottom left, the place, date and signature bottom right."""
    document.add_page()
    _frame(document)
    w = document.epw
    commune = pdf.nfc(c.commune_name)
    document.set_xy(document.l_margin, FRAME + 6)
    document.set_font(pdf.FONT, "B", 10)
    document.cell(w, 5, commune.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    document.set_font(pdf.FONT, "", 8)
    document.set_text_color(*pdf.GREY)
    document.cell(w, 4, "Chiến dịch “5 biết, 3 hướng dẫn”", align="C", new_x="LMARGIN", new_y="NEXT")
    document.set_text_color(*pdf.INK)
    document.ln(3)
    document.set_font(pdf.FONT, "B", 22)
    document.cell(w, 10, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    document.set_font(pdf.FONT, "B", 12)
    document.cell(w, 6, "CÔNG DÂN SỐ", align="C", new_x="LMARGIN", new_y="NEXT")
    document.ln(2)
    document.set_font(pdf.FONT, "", 10)
    document.cell(w, 5, "Chứng nhận", align="C", new_x="LMARGIN", new_y="NEXT")
    document.set_font(pdf.FONT, "B", 20)
    pdf.paragraph(document, w, 9, pdf.nfc(c.name), align="C")
    document.set_font(pdf.FONT, "", 10)
    pdf.paragraph(document, w, 5, f"{pdf.nfc(c.village_name)}, {commune}", align="C")
    document.ln(1.5)
    _centered(document, f"đã tự làm được trên mạng cả 5 việc: {SKILLS_DONE}.")
    document.set_font(pdf.FONT, "B", 10.5)
    document.cell(
        w, 6, f"Ngày đạt đủ 5 kỹ năng: {c.reached:%d/%m/%Y}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    _foot(document, c, commune, issued_on)


def _centered(document: FPDF, text: str) -> None:
    """A paragraph centred with a wider margin than the page's."""
    inset = 18
    document.set_x(document.l_margin + inset)
    pdf.paragraph(document, document.epw - 2 * inset, 4.6, text, align="C")


def _frame(document: FPDF) -> None:
    document.set_draw_color(*pdf.INK)
    document.set_line_width(0.8)
    document.rect(FRAME, FRAME, document.w - 2 * FRAME, document.h - 2 * FRAME)
    document.set_line_width(0.2)
    inner = FRAME + 1.5
    document.rect(inner, inner, document.w - 2 * inner, document.h - 2 * inner)


def _foot(document: FPDF, c: Certificate, commune: str, issued_on: date) -> None:
    """QR and its link on the left; place and date of issue, and room to sign, on the right."""
    top = document.h - FRAME - 5 - QR_SIZE - 12
    pdf.put_qr(
        document,
        c.url,
        x=document.l_margin + 2,
        y=top,
        size=QR_SIZE,
        caption="Quét để xem hồ sơ (cần đăng nhập)",
        width=QR_BLOCK_W,
    )
    right_w = 80
    x = document.w - document.r_margin - right_w - 2
    document.set_xy(x, top + 6)
    document.set_font(pdf.FONT, "", 9)
    document.cell(
        right_w, 5, f"{commune}, ngày {issued_on.day} tháng {issued_on.month} năm {issued_on.year}", align="C"
    )
    document.set_xy(x, top + 11)
    document.set_font(pdf.FONT, "B", 9.5)
    document.cell(right_w, 5, f"ĐẠI DIỆN {commune.upper()}", align="C")
    document.set_xy(x, top + 16)
    document.set_font(pdf.FONT, "", 7.5)
    document.set_text_color(*pdf.GREY)
    document.cell(right_w, 4, "(ký, ghi rõ họ tên)", align="C")
    document.set_text_color(*pdf.INK)
