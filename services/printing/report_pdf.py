"""The report as an A4 PDF (fpdf2, DejaVu Sans embedded, Vietnamese): title with the area and period, the
headline figures beside the previous period's, the official indicators against their targets, the main
charts as images (services/printing/charts.png: vl-convert, no browser), the per-area table, satisfaction
after guidance per area and team, the figures sent upward and quotas at risk; page numbers and the date
it was produced in every footer."""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.fonts import FontFace

from core.i18n import t
from services.printing import charts
from services.printing.pdf import FONT, FONT_DIR, GREY, INK, nfc
from services.reports import Report, Table, tables

CHART_WIDTH_MM = 190


class _ReportPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, nfc(f"{self.footer_text} · {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(*INK)


def report_pdf(report: Report, lang: str = "vi") -> bytes:
    produced = t("report.produced", lang, date=f"{report.produced_on:%d/%m/%Y}")
    pdf = _ReportPDF(produced)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_creator("5B3H")
    pdf.set_title(nfc(report.title))
    pdf.set_text_color(*INK)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    heading = t(
        "report.heading",
        lang,
        area=report.area.name,
        start=f"{report.period.start:%d/%m/%Y}",
        end=f"{report.period.end:%d/%m/%Y}",
    )
    pdf.multi_cell(0, 8, nfc(heading), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(0, 5, nfc(t("report.pdf_intro", lang)), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    parts = tables(report, lang)
    _table(pdf, parts[0], lang)  # headline
    _table(pdf, parts[1], lang)  # indicators
    for spec in _chart_specs(report, lang):
        _chart(pdf, spec)
    for table in parts[2:]:
        _table(pdf, table, lang)
    return bytes(pdf.output())


def _chart_specs(report: Report, lang: str) -> list[charts.ChartSpec]:
    def tr(key: str, **params) -> str:
        return t(key, lang, **params)

    data = report.current
    out = [charts.skill_ladder(data.skill_ladder, tr)]
    out.append(charts.trend(data.trend.rows, tr, pace=data.trend.pace, campaign_end=data.trend.campaign_end))
    if data.children:
        out.append(charts.all_five_by_area(data.children, tr))
    return out


def _chart(pdf: FPDF, spec: charts.ChartSpec) -> None:
    if spec.frame.empty:
        return
    image = charts.png(spec, width=900, scale=1.5)
    height = CHART_WIDTH_MM * _aspect(image)
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, nfc(spec.title), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(image), x=pdf.l_margin, w=CHART_WIDTH_MM)
    pdf.ln(3)


def _aspect(png: bytes) -> float:
    """Height over width of a PNG (its IHDR chunk)."""
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    return height / width if width else 0.5


def _cell(value: object, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "pct":
        return f"{value:.1%}".replace(".", ",")
    if kind == "dec":
        return f"{value:.2f}".replace(".", ",")
    if kind == "int":
        return f"{value:,}".replace(",", ".")
    return nfc(value)


def _table(pdf: FPDF, table: Table, lang: str) -> None:
    """A titled table; numbers right-aligned; an empty table says so."""
    pdf.ln(2)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, nfc(t(table.key, lang)), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8.5)
    if not table.rows:
        pdf.set_text_color(*GREY)
        pdf.multi_cell(0, 5, nfc(t("report.empty", lang)), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        return
    align = tuple("LEFT" if k == "text" else "RIGHT" for k in table.kinds)
    first = 3 if len(table.headers) <= 3 else 2
    widths = (first, *(1,) * (len(table.headers) - 1))
    with pdf.table(
        col_widths=widths,
        text_align=align,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 245)),
        line_height=5,
        first_row_as_headings=True,
    ) as grid:
        grid.row([nfc(h) for h in table.headers])
        for row in table.rows:
            kinds = table.kinds
            if kinds[1] == "mixed":
                *row, kind = row
                kinds = ("text",) + (kind,) * (len(row) - 1)
            grid.row([_cell(v, k) for v, k in zip(row, kinds, strict=False)])
