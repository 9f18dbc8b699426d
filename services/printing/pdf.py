"""PDF layouts with fpdf2: leaflets, household cards and paper visit sheets, from plain data.

One fresh FPDF per request, returned as bytes; DejaVu Sans embedded (it covers Vietnamese); every
string NFC before it reaches the page; QR codes from `qrcode`, each with its link printed under it.
Printed material is always Vietnamese, whatever the UI language. No database here: see
services/printing/documents.py for what is printed for whom.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import qrcode
from fpdf import FPDF

from models.enums import GUIDANCE_KINDS, SKILLS
from services.printing.content import CONTENT_DIR, Catalogue, Leaflet, video_link

FONT_DIR = CONTENT_DIR / "fonts"
FONT = "DejaVu"
SIZES: dict[str, str | tuple[float, float]] = {"A4": "A4", "A5": (148, 210)}
INK = (16, 42, 94)
GREY = (90, 90, 90)

SKILL_SHORT = {
    "submit": "Nộp hồ sơ",
    "pay": "Thanh toán",
    "feedback": "Phản ánh",
    "receive": "Nhận kết quả",
    "apps": "Ứng dụng",
}
GUIDANCE_SHORT = {"guide_submit": "HD nộp", "guide_pay": "HD t.toán", "guide_apps": "HD ứ.dụng"}
OUTCOMES = ("Đã gặp, hướng dẫn", "Vắng nhà", "Từ chối", "Hẹn lại ngày ........")
LADDER_LEGEND = "Ô 1: đã được hướng dẫn · Ô 2: làm được khi có người giúp · Ô 3: tự làm được"


def nfc(value: object) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value))


# ---------------------------------------------------------------- document basics


def new_pdf(size: str = "A4", *, landscape: bool = False, title: str = "") -> FPDF:
    """A fresh document with the embedded Unicode font (regular and bold) and 10 mm margins."""
    if size not in SIZES:
        raise ValueError(f"unknown paper size {size!r}: use A4 or A5")
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format=SIZES[size])
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=10)
    pdf.set_creator("5B3H")
    if title:
        pdf.set_title(nfc(title))
    pdf.set_text_color(*INK)
    return pdf


def to_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


@functools.lru_cache(maxsize=512)
def qr_image(url: str):
    """A PIL image of the QR code for `url` (the bare qrcode object is not an image fpdf2 reads).
    Remembered per URL: leaflets repeat the same procedure and video codes on every page."""
    return qrcode.make(url).get_image()


_LINES: dict[tuple, tuple[str, ...]] = {}
_LINES_MAX = 20_000


def paragraph(pdf: FPDF, w: float, h: float, text: str, *, align: str = "L", new_x: str = "LMARGIN") -> None:
    """multi_cell, with the line breaking of each (font, size, width, text) remembered: a batch of
    leaflets repeats the same paragraphs on every page, and breaking lines is fpdf2's slowest step."""
    text = nfc(text)
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, round(w, 3), text)
    lines = _LINES.get(key)
    if lines is None:
        lines = tuple(pdf.multi_cell(w, h, text, align=align, dry_run=True, output="LINES"))
        if len(_LINES) >= _LINES_MAX:
            _LINES.clear()
        _LINES[key] = lines
    x0 = pdf.get_x()
    for line in lines:
        pdf.set_x(x0)
        pdf.cell(w, h, line, align=align, new_x="LEFT", new_y="NEXT")
    if new_x == "LMARGIN":
        pdf.set_x(pdf.l_margin)


def qr_png(url: str) -> bytes:
    """The QR code for `url` as PNG bytes (for screens: lossless, so it always scans)."""
    buffer = io.BytesIO()
    qr_image(url).save(buffer, format="PNG")
    return buffer.getvalue()


def put_qr(
    pdf: FPDF, url: str, *, x: float, y: float, size: float, caption: str = "", width: float = 0
) -> float:
    """Draw a QR code at (x, y), its caption and its link under it; return the y below the block."""
    width = width or size
    pdf.image(qr_image(url), x=x + (width - size) / 2, y=y, w=size, h=size, link=url)
    pdf.set_xy(x, y + size + 0.5)
    if caption:
        pdf.set_font(FONT, "B", 7)
        paragraph(pdf, width, 3.2, caption, align="C", new_x="LEFT")
    pdf.set_font(FONT, "", 5.5)
    pdf.set_text_color(*GREY)
    paragraph(pdf, width, 2.5, url, align="C", new_x="LEFT")
    pdf.set_text_color(*INK)
    return pdf.get_y()


def _box(pdf: FPDF, x: float, y: float, side: float, *, filled: bool = False) -> None:
    pdf.rect(x, y, side, side, style="DF" if filled else "D")


# ---------------------------------------------------------------- leaflets


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str | None
    team: str


@dataclass(frozen=True)
class LeafletPlace:
    """Who hands the leaflet out: commune (and village) names and the teams' contacts."""

    commune_name: str | None = None
    village_name: str | None = None
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class QrTarget:
    url: str
    caption: str


def leaflet_targets(leaflet: Leaflet, catalogue: Catalogue, base_url: str) -> list[QrTarget]:
    """The QR codes a leaflet carries: its procedures on the portal, then its videos."""
    out = []
    for code in leaflet.procedures:
        proc = catalogue.procedures[code]
        out.append(QrTarget(catalogue.portal.url_for(code), f"{proc.name} ({proc.online_label})"))
    for vid in leaflet.videos:
        video = catalogue.videos[vid]
        out.append(QrTarget(video_link(video, base_url), f"Video: {video.title}"))
    return out


def add_leaflet_page(
    pdf: FPDF,
    leaflet: Leaflet,
    catalogue: Catalogue,
    *,
    base_url: str,
    place: LeafletPlace | None = None,
    targets: Sequence[QrTarget] | None = None,
) -> None:
    """Lay out one leaflet from a new page (it flows onto a second page only if it must)."""
    place = place or LeafletPlace()
    small = pdf.w < 200  # A5
    body, head, title_size = (9.5, 10.5, 15) if small else (12.5, 14, 22)
    qr_size = 22 if small else 32
    pdf.add_page()
    w = pdf.epw
    pdf.set_font(FONT, "", 8 if small else 9)
    pdf.set_text_color(*GREY)
    pdf.cell(w, 4, "CHIẾN DỊCH “5 BIẾT, 3 HƯỚNG DẪN”", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    where = ", ".join(nfc(p) for p in (place.village_name, place.commune_name) if p)
    if where:
        pdf.set_font(FONT, "B", body)
        paragraph(pdf, w, body * 0.5, where)
    pdf.ln(2)
    pdf.set_font(FONT, "B", title_size)
    paragraph(pdf, w, title_size * 0.45, nfc(leaflet.title))
    pdf.set_draw_color(*INK)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + w, pdf.get_y() + 1)
    pdf.ln(3)
    line_h = body * 0.48
    if leaflet.intro:
        pdf.set_font(FONT, "", body)
        paragraph(pdf, w, line_h, nfc(leaflet.intro))
        pdf.ln(1.5)
    for section in leaflet.sections:
        pdf.set_font(FONT, "B", head)
        paragraph(pdf, w, head * 0.5, nfc(section.heading))
        pdf.set_font(FONT, "", body)
        paragraph(pdf, w, line_h, nfc(section.text))
        pdf.ln(1)
    targets = list(targets) if targets is not None else leaflet_targets(leaflet, catalogue, base_url)
    if targets:
        pdf.ln(2)
        _qr_rows(pdf, targets, qr_size=qr_size, per_row=4)
    if leaflet.closing:
        pdf.set_font(FONT, "", body - 1)
        paragraph(pdf, w, line_h, nfc(leaflet.closing))
    if place.contacts:
        pdf.ln(1.5)
        pdf.set_font(FONT, "B", body - 1)
        paragraph(pdf, w, line_h, "Tổ công nghệ số cộng đồng — liên hệ:")
        pdf.set_font(FONT, "", body - 1)
        for c in place.contacts:
            phone = f" — {c.phone}" if c.phone else ""
            paragraph(pdf, w, line_h, f"• {nfc(c.name)}{phone} ({nfc(c.team)})")


def _qr_rows(pdf: FPDF, targets: Sequence[QrTarget], *, qr_size: float, per_row: int) -> None:
    col_w = pdf.epw / per_row
    block_h = qr_size + 14  # QR + caption + link, roughly
    for start in range(0, len(targets), per_row):
        if pdf.get_y() + block_h > pdf.h - pdf.b_margin:
            pdf.add_page()
        y0 = pdf.get_y()
        bottom = y0
        for i, target in enumerate(targets[start : start + per_row]):
            x = pdf.l_margin + i * col_w
            bottom = max(
                bottom,
                put_qr(pdf, target.url, x=x + 1, y=y0, size=qr_size, caption=target.caption, width=col_w - 2),
            )
        pdf.set_xy(pdf.l_margin, bottom + 2)


def leaflet_pdf(
    leaflet: Leaflet,
    catalogue: Catalogue,
    *,
    base_url: str,
    size: str = "A4",
    place: LeafletPlace | None = None,
) -> bytes:
    pdf = new_pdf(size, title=leaflet.title)
    add_leaflet_page(pdf, leaflet, catalogue, base_url=base_url, place=place)
    return to_bytes(pdf)


def leaflets_pdf(
    items: Iterable[tuple[Leaflet, LeafletPlace | None]],
    catalogue: Catalogue,
    *,
    base_url: str,
    size: str = "A4",
) -> bytes:
    """Many leaflets as one multi-page document (one font parse, one file: fast to print)."""
    pdf = new_pdf(size, title="Tờ rơi")
    for leaflet, place in items:
        add_leaflet_page(pdf, leaflet, catalogue, base_url=base_url, place=place)
    return to_bytes(pdf)


# ---------------------------------------------------------------- household cards


@dataclass(frozen=True)
class CardResident:
    name: str
    birth_year: int | None
    levels: dict[str, int] = field(default_factory=dict)  # skill -> current level 0..3


@dataclass(frozen=True)
class HouseholdCard:
    household_id: int
    code: str
    address: str
    village_name: str
    commune_name: str
    residents: tuple[CardResident, ...]
    url: str  # opens this household in the app


CARD_H = 297 / 2  # a card is half an A4 page: two to a page, cut along the dashed line
_CARD_MARGIN = 9
_CARD_QR = 32
_CARD_SKILL_W = 20
_CARD_ROW = 8.5
_CARD_LEGEND = 8


def household_cards_pdf(cards: Sequence[HouseholdCard], *, printed_on: date) -> bytes:
    """Household cards two to an A4 page (a household with many residents goes on over the next half):
    code, residents, a tick-box ladder of the five skills, a QR that opens the household."""
    pdf = new_pdf("A4", title="Phiếu hộ gia đình")
    pdf.set_auto_page_break(False)
    slots = _CardSlots(pdf)
    for card in cards:
        _card(pdf, slots, card, printed_on)
    return to_bytes(pdf)


class _CardSlots:
    """Hands out the halves of A4 pages in order: top, bottom, the next page's top, ..."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.used = 0

    def next_top(self) -> float:
        """The y where the next half starts (a new page for a top half; a cut line above a bottom one)."""
        bottom_half = self.used % 2 == 1
        if not bottom_half:
            self.pdf.add_page()
        else:
            _cut_line(self.pdf)
        self.used += 1
        return CARD_H if bottom_half else 0


def _cut_line(pdf: FPDF) -> None:
    pdf.set_draw_color(*GREY)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    pdf.line(4, CARD_H, pdf.w - 4, CARD_H)
    pdf.set_dash_pattern()
    pdf.set_draw_color(*INK)


def _card(pdf: FPDF, slots: _CardSlots, card: HouseholdCard, printed_on: date) -> None:
    top = slots.next_top()
    _card_head(pdf, card, printed_on, top)
    name_w = pdf.epw - len(SKILLS) * _CARD_SKILL_W
    _card_header(pdf, name_w)
    for resident in card.residents:
        if pdf.get_y() + _CARD_ROW > _legend_y(top):
            _card_legend(pdf, top)
            top = slots.next_top()
            _card_continued_head(pdf, card, top)
            _card_header(pdf, name_w)
        _card_row(pdf, resident, name_w, _CARD_ROW)
    _card_legend(pdf, top)


def _legend_y(top: float) -> float:
    return top + CARD_H - _CARD_MARGIN - _CARD_LEGEND


def _card_head(pdf: FPDF, card: HouseholdCard, printed_on: date, top: float) -> None:
    """Code, address, village and date on the left; the QR to the household on the right."""
    y0 = top + _CARD_MARGIN
    qr_w = _CARD_QR + 26  # room for the link printed under the code on one line
    text_w = pdf.epw - qr_w - 4
    put_qr(
        pdf,
        card.url,
        x=pdf.l_margin + pdf.epw - qr_w,
        y=y0,
        size=_CARD_QR,
        caption="Quét để mở hộ này",
        width=qr_w,
    )
    below_qr = pdf.get_y()
    pdf.set_xy(pdf.l_margin, y0)
    pdf.set_font(FONT, "", 7.5)
    pdf.set_text_color(*GREY)
    pdf.cell(text_w, 4, "PHIẾU HỘ GIA ĐÌNH · 5 BIẾT, 3 HƯỚNG DẪN", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 16)
    pdf.cell(text_w, 8, f"Hộ {nfc(card.code)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    if card.address:
        paragraph(pdf, text_w, 5, nfc(card.address))
    paragraph(pdf, text_w, 5, f"{nfc(card.village_name)}, {nfc(card.commune_name)}")
    pdf.set_font(FONT, "", 8)
    pdf.cell(text_w, 5, f"In ngày {printed_on:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), below_qr) + 2)


def _card_continued_head(pdf: FPDF, card: HouseholdCard, top: float) -> None:
    pdf.set_xy(pdf.l_margin, top + _CARD_MARGIN)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(pdf.epw, 7, f"Hộ {nfc(card.code)} (tiếp theo)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    pdf.cell(pdf.epw, 5, f"{nfc(card.village_name)}, {nfc(card.commune_name)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _card_legend(pdf: FPDF, top: float) -> None:
    pdf.set_xy(pdf.l_margin, _legend_y(top) + 1)
    pdf.set_font(FONT, "", 7.5)
    paragraph(pdf, pdf.epw, 3.4, LADDER_LEGEND + ". Ô tô đậm: đã ghi nhận.")


def _card_header(pdf: FPDF, name_w: float) -> None:
    y = pdf.get_y()
    pdf.set_font(FONT, "B", 7)
    pdf.set_fill_color(230, 234, 242)
    pdf.rect(pdf.l_margin, y, pdf.epw, 8, style="F")
    pdf.set_xy(pdf.l_margin, y)
    pdf.cell(name_w, 8, "Người dân", border=1)
    for skill in SKILLS:
        pdf.cell(_CARD_SKILL_W, 8, SKILL_SHORT[skill], border=1, align="C")
    pdf.set_xy(pdf.l_margin, y + 8)


def _card_row(pdf: FPDF, resident: CardResident, name_w: float, row_h: float) -> None:
    x0, y = pdf.l_margin, pdf.get_y()
    pdf.rect(x0, y, name_w, row_h)
    pdf.set_xy(x0 + 1, y + 0.6)
    pdf.set_font(FONT, "", 9)
    pdf.cell(name_w - 2, 4, nfc(resident.name))
    if resident.birth_year:
        pdf.set_xy(x0 + 1, y + 4.4)
        pdf.set_font(FONT, "", 6.5)
        pdf.cell(name_w - 2, 3.5, f"sinh năm {resident.birth_year}")
    pdf.set_fill_color(*INK)
    for i, skill in enumerate(SKILLS):
        cx = x0 + name_w + i * _CARD_SKILL_W
        pdf.rect(cx, y, _CARD_SKILL_W, row_h)
        level = resident.levels.get(skill.value, 0)
        for step in (1, 2, 3):
            _box(pdf, cx + 2.5 + (step - 1) * 5.5, y + (row_h - 4) / 2, 4, filled=level >= step)
    pdf.set_xy(x0, y + row_h)


# ---------------------------------------------------------------- paper visit sheets


@dataclass(frozen=True)
class SheetHousehold:
    code: str
    address: str
    residents: tuple[tuple[str, int | None], ...]  # (name, birth year)


@dataclass(frozen=True)
class VisitSheet:
    sheet_id: str
    village_name: str
    commune_name: str
    households: tuple[SheetHousehold, ...]


# Column widths on A4 landscape (277 mm between the margins).
_COL_NAME, _COL_YEAR, _COL_GUIDE, _COL_SKILL = 64, 14, 16, 22
_COL_NOTES = 277 - _COL_NAME - _COL_YEAR - 3 * _COL_GUIDE - 5 * _COL_SKILL
_ROW = 7.5


def paginate_visit_sheets(
    households: Sequence[SheetHousehold], *, rows_per_sheet: int = 20
) -> list[tuple[SheetHousehold, ...]]:
    """Split households over sheets without splitting a household (a household row + one per resident)."""
    sheets: list[list[SheetHousehold]] = [[]]
    used = 0
    for h in households:
        need = 1 + len(h.residents)
        if sheets[-1] and used + need > rows_per_sheet:
            sheets.append([])
            used = 0
        sheets[-1].append(h)
        used += need
    return [tuple(s) for s in sheets if s]


def visit_sheets_pdf(sheets: Sequence[VisitSheet], *, printed_on: date) -> bytes:
    """A4 landscape sheets: households and residents with boxes for the outcome, the three kinds of
    guidance and the five skills; each sheet carries its id so a typed-in sheet can be traced back."""
    pdf = new_pdf("A4", landscape=True, title="Phiếu đi hộ")
    pdf.set_auto_page_break(False)
    for sheet in sheets:
        _sheet_page(pdf, sheet, printed_on)
    return to_bytes(pdf)


def _sheet_page(pdf: FPDF, sheet: VisitSheet, printed_on: date) -> None:
    pdf.add_page()
    w = pdf.epw
    pdf.set_font(FONT, "B", 13)
    pdf.cell(w * 0.7, 7, "PHIẾU GHI KẾT QUẢ HƯỚNG DẪN TẠI HỘ GIA ĐÌNH")
    pdf.set_font(FONT, "B", 11)
    pdf.cell(w * 0.3, 7, f"Số phiếu: {sheet.sheet_id}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(w * 0.7, 6, f"{nfc(sheet.village_name)}, {nfc(sheet.commune_name)}")
    pdf.set_font(FONT, "", 8)
    pdf.cell(w * 0.3, 6, f"In ngày {printed_on:%d/%m/%Y}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.cell(
        w,
        6,
        "Ngày đến: ....../....../...........    Người đi: ...............................................",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, "", 7)
    pdf.cell(
        w,
        4,
        "Kỹ năng: " + LADDER_LEGEND + ". Hướng dẫn: đánh dấu nội dung đã hướng dẫn.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(1)
    _sheet_header(pdf)
    for household in sheet.households:
        _sheet_household(pdf, household)


def _sheet_header(pdf: FPDF) -> None:
    pdf.set_font(FONT, "B", 6.5)
    pdf.set_fill_color(230, 234, 242)
    h = 8
    pdf.cell(_COL_NAME, h, "Hộ / người dân", border=1, fill=True)
    pdf.cell(_COL_YEAR, h, "Năm sinh", border=1, fill=True, align="C")
    for kind in GUIDANCE_KINDS:
        pdf.cell(_COL_GUIDE, h, GUIDANCE_SHORT[kind.value], border=1, fill=True, align="C")
    for skill in SKILLS:
        pdf.cell(_COL_SKILL, h, SKILL_SHORT[skill.value], border=1, fill=True, align="C")
    pdf.cell(_COL_NOTES, h, "Ghi chú", border=1, fill=True, new_x="LMARGIN", new_y="NEXT")


def _sheet_household(pdf: FPDF, household: SheetHousehold) -> None:
    x0, y = pdf.l_margin, pdf.get_y()
    pdf.set_fill_color(245, 246, 250)
    pdf.rect(x0, y, pdf.epw, _ROW, style="DF")
    pdf.set_xy(x0 + 1, y)
    pdf.set_font(FONT, "B", 8.5)
    label = f"Hộ {nfc(household.code)}" + (f" — {nfc(household.address)}" if household.address else "")
    pdf.cell(_COL_NAME + _COL_YEAR - 2, _ROW, label[:60])
    pdf.set_font(FONT, "", 7.5)
    x = x0 + _COL_NAME + _COL_YEAR + 1
    pdf.set_fill_color(255, 255, 255)
    for outcome in OUTCOMES:
        _box(pdf, x, y + (_ROW - 3.5) / 2, 3.5)
        pdf.set_xy(x + 4.5, y)
        label_w = pdf.get_string_width(nfc(outcome)) + 2
        pdf.cell(label_w, _ROW, nfc(outcome))
        x += 4.5 + label_w + 5
    pdf.set_xy(x0, y + _ROW)
    for name, year in household.residents:
        _sheet_resident(pdf, name, year)


def _sheet_resident(pdf: FPDF, name: str, year: int | None) -> None:
    x0, y = pdf.l_margin, pdf.get_y()
    pdf.set_font(FONT, "", 8.5)
    pdf.cell(_COL_NAME, _ROW, "   " + nfc(name), border=1)
    pdf.cell(_COL_YEAR, _ROW, str(year or ""), border=1, align="C")
    x = x0 + _COL_NAME + _COL_YEAR
    pdf.set_fill_color(255, 255, 255)
    for i in range(len(GUIDANCE_KINDS)):
        pdf.rect(x + i * _COL_GUIDE, y, _COL_GUIDE, _ROW)
        _box(pdf, x + i * _COL_GUIDE + (_COL_GUIDE - 4) / 2, y + (_ROW - 4) / 2, 4)
    x += len(GUIDANCE_KINDS) * _COL_GUIDE
    pdf.set_font(FONT, "", 5.5)
    for i in range(len(SKILLS)):
        cx = x + i * _COL_SKILL
        pdf.rect(cx, y, _COL_SKILL, _ROW)
        for step in (1, 2, 3):
            bx = cx + 2.5 + (step - 1) * 6.5
            _box(pdf, bx, y + (_ROW - 4) / 2, 4)
    x += len(SKILLS) * _COL_SKILL
    pdf.rect(x, y, _COL_NOTES, _ROW)
    pdf.set_xy(x0, y + _ROW)
