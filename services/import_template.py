"""Template files for the resident import: the headers the importer expects and two example rows (one
household of two people), as CSV or XLSX, ready to fill in and to pass "check the file" unchanged."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlmodel import Session

from core import labels
from core.i18n import t
from core.text import normalize_text
from models.enums import AreaLevel
from models.tables import Area
from services.access import Actor, get_area_in_scope, require_role
from services.errors import FieldProblem, ValidationFailed
from services.people.importing import COLUMNS, IMPORT_ROLES, REQUIRED
from services.permissions import Act, entry

FORMATS = ("csv", "xlsx")
EXAMPLE_VILLAGE = "Thôn 1"  # used when the commune has no village yet (import with "create villages")
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TEXT_COLUMNS = ("household_code", "phone")  # kept as text in XLSX: codes and leading zeros survive


def headers() -> list[str]:
    """The importer's own column names, in its order (the first accepted header of each column)."""
    return [names[0] for names in COLUMNS.values()]


def example_rows(village: str = EXAMPLE_VILLAGE) -> list[list]:
    """Two residents of one example household in `village`, one cell per header."""
    household = {"household_code": "VD-0001", "village": village, "address": "Xóm Đình, số 12"}
    people = (
        {"full_name": "Nguyễn Văn An", "birth_year": 1968, "sex": "Nam", "phone": "0912345678",
         "is_head": "x", "has_smartphone": "có"},
        {"full_name": "Trần Thị Bình", "birth_year": 1972, "sex": "Nữ", "phone": "",
         "is_head": "", "has_smartphone": "không"},
    )  # fmt: skip
    return [[{**household, **person}.get(column, "") for column in COLUMNS] for person in people]


@entry(Act.RESIDENTS_IMPORT)
def example_village(session: Session, *, actor: Actor, area_code: str) -> str:
    """The name of the commune's first village (so the examples pass the check as they are), else
    EXAMPLE_VILLAGE. Refuses an area outside the actor's scope."""
    require_role(actor, *IMPORT_ROLES)
    area = session.exec(select(Area).where(Area.code == normalize_text(area_code))).scalar()
    if area is None:
        raise ValidationFailed([FieldProblem("area", "err.unknown_area", {"code": area_code})])
    get_area_in_scope(session, actor, area.id)
    name = session.exec(
        select(Area.name)
        .where(Area.path.like(area.path + "%"), Area.level == AreaLevel.VILLAGE.value)
        .order_by(Area.code, Area.id)
        .limit(1)
    ).scalar()
    return name or EXAMPLE_VILLAGE


def template_bytes(fmt: str, *, village: str = EXAMPLE_VILLAGE, lang: str = "vi") -> bytes:
    """The template file in `fmt` ("csv": UTF-8 with BOM so Excel shows the diacritics; "xlsx": the list
    on the first sheet, notes on what each column takes on the second)."""
    if fmt not in FORMATS:
        raise ValidationFailed([FieldProblem("format", "err.invalid_choice")])
    rows = [headers(), *example_rows(village)]
    if fmt == "csv":
        text = io.StringIO(newline="")
        csv.writer(text).writerows(rows)
        return text.getvalue().encode("utf-8-sig")
    return _xlsx(rows, lang)


def _xlsx(rows: list[list], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("imp.template.sheet", lang)
    for row in rows:
        sheet.append(row)
    text_columns = [i for i, column in enumerate(COLUMNS, start=1) if column in TEXT_COLUMNS]
    for column_cells in sheet.iter_cols(min_row=1, max_row=len(rows)):
        letter = column_cells[0].column_letter
        sheet.column_dimensions[letter].width = max(len(str(c.value or "")) for c in column_cells) + 4
        if column_cells[0].column in text_columns:
            for cell in column_cells[1:]:
                cell.number_format = "@"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    _notes_sheet(workbook, lang)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _notes_sheet(workbook, lang: str) -> None:
    """A second sheet (the importer reads only the first): each column, required or not, how to fill it."""
    from openpyxl.styles import Font

    notes = workbook.create_sheet(t("imp.template.notes_sheet", lang))
    notes.append([t("imp.template.col_column", lang), t("imp.template.col_required", lang),
                  t("imp.template.col_note", lang)])  # fmt: skip
    for column, names in COLUMNS.items():
        required = t("exp.yes", lang) if column in REQUIRED else ""
        notes.append([names[0], required, t(labels.TEMPLATE_NOTE[column], lang)])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 24), ("B", 10), ("C", 80)):
        notes.column_dimensions[letter].width = width
