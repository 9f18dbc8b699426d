"""Export the residents of an area (with their household, current skill levels and barriers) to XLSX or
CSV, in batches so a province never sits in memory at once.

The first nine columns are the import headers, so an exported file can be corrected and imported back.
Leaders get phone numbers masked to the last three digits. Any text cell starting with = + - @ (or a
tab or carriage return) is prefixed with a single quote, so no spreadsheet ever runs it as a formula.
Whatever is stored, the export goes through: text loses control and invisible characters on the way out
(`core.text.clean_text`; openpyxl refuses most controls) and is cut at Excel's 32,767 characters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import BinaryIO

from sqlalchemy import func, select
from sqlmodel import Session

from core import labels
from core.i18n import t
from core.text import clean_text
from models.enums import SKILLS
from models.tables import Area, Household, Resident
from services.access import Actor, get_area_in_scope, require_role
from services.errors import FieldProblem, ValidationFailed
from services.people.consent import consent_label
from services.people.derived import current_levels
from services.people.registry import READ_ROLES, phone_for
from services.permissions import Act, entry

BATCH = 5000
FORMATS = ("xlsx", "csv")
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_MAX = 32_767  # characters Excel keeps in one cell
IMPORT_HEADERS = (
    "Mã hộ",
    "Thôn",
    "Địa chỉ",
    "Họ và tên",
    "Năm sinh",
    "Giới tính",
    "Số điện thoại",
    "Chủ hộ",
    "Điện thoại thông minh",
)
BARRIER_COLUMNS = (
    "phone_own_name",
    "vneid_level",
    "has_payment_account",
    "poor_network",
    "fears_mistakes",
    "digital_course_done",
)


def neutralise(value):
    """A text cell a spreadsheet could take for a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def safe_cell(value):
    """A stored value as it may go into a spreadsheet: text cleaned of control and invisible characters
    (before the formula guard, so a hidden character cannot hide a leading "="), at most
    EXCEL_CELL_MAX characters with the guard, and neutralised."""
    if isinstance(value, str):
        return neutralise(clean_text(value)[: EXCEL_CELL_MAX - 1])
    return value


def headers(lang: str = "vi") -> list[str]:
    return [
        *IMPORT_HEADERS,
        t("exp.col.status", lang),
        *[t(labels.SKILL[s.value], lang) for s in SKILLS],
        *[t(labels.EXPORT_COLUMN[c], lang) for c in BARRIER_COLUMNS],
        t("exp.col.first_guided_on", lang),
        t("exp.col.last_visited_on", lang),
        t("consent.col", lang),
    ]


def _yes_no(value, lang: str) -> str:
    if value is None:
        return ""
    return t("exp.yes", lang) if value else t("exp.no", lang)


def _status(status: str | None, lang: str) -> str:
    key = labels.PERSON_STATUS.get(status or "")
    return t(key, lang) if key else (status or "")


@entry(Act.REGISTRY_READ)
def iter_rows(
    session: Session, *, actor: Actor, area_id: int | None = None, lang: str = "vi", include_inactive=False
) -> Iterator[list]:
    """Export rows in id order, fetched BATCH at a time by keyset (never one giant result set)."""
    require_role(actor, *READ_ROLES)
    area = get_area_in_scope(session, actor, area_id or actor.area_id)
    villages = select(Area.id).where(Area.path.like(area.path + "%"), Area.level == "village")
    village_names = dict(
        session.exec(select(Area.id, Area.name).where(Area.path.like(area.path + "%"))).all()
    )
    last_id = 0
    sex_label = {"male": "Nam", "female": "Nữ", "other": "Khác"}
    while True:
        q = (
            select(
                Resident, Household.code, Household.village_id, Household.address, Household.last_visited_on
            )
            .join(Household, Household.id == Resident.household_id)
            .where(Resident.id > last_id, Household.village_id.in_(villages))
            .order_by(Resident.id)
            .limit(BATCH)
        )
        if not include_inactive:
            q = q.where(Resident.status == "active", Household.status == "active")
        batch = session.exec(q).all()
        if not batch:
            return
        ids = [r.id for r, *_ in batch]
        levels = current_levels(session, ids, every_skill=False)
        for r, code, village_id, address, last_visit in batch:
            own = levels.get(r.id, {})
            row = [
                code,
                village_names.get(village_id, ""),
                address,
                r.full_name,
                r.birth_year,
                sex_label.get(r.sex or "", ""),
                phone_for(actor, r.phone) or "",
                "x" if r.is_head else "",
                _yes_no(r.has_smartphone, lang),
                _status(r.status, lang),
                *[own.get(s.value, 0) for s in SKILLS],
                _yes_no(r.phone_own_name, lang),
                "" if r.vneid_level is None else r.vneid_level,
                _yes_no(r.has_payment_account, lang),
                _yes_no(r.poor_network, lang),
                _yes_no(r.fears_mistakes, lang),
                _yes_no(r.digital_course_done, lang),
                r.first_guided_on.isoformat() if r.first_guided_on else "",
                last_visit.isoformat() if last_visit else "",
                consent_label(r.consent_on, r.consent_method, lang),
            ]
            yield [safe_cell(v) for v in row]
        last_id = ids[-1]
        session.expunge_all()  # keep the identity map from growing with the whole area


@entry(Act.REGISTRY_READ)
def count_rows(session: Session, *, actor: Actor, area_id: int | None = None) -> int:
    require_role(actor, *READ_ROLES)
    area = get_area_in_scope(session, actor, area_id or actor.area_id)
    villages = select(Area.id).where(Area.path.like(area.path + "%"), Area.level == "village")
    return session.exec(
        select(func.count(Resident.id))
        .join(Household, Household.id == Resident.household_id)
        .where(Household.village_id.in_(villages), Resident.status == "active", Household.status == "active")
    ).scalar_one()


@entry(Act.REGISTRY_READ)
def export_residents(
    session: Session,
    *,
    actor: Actor,
    out: BinaryIO,
    fmt: str,
    area_id: int | None = None,
    lang: str = "vi",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the export to the binary stream `out`; returns the number of residents written."""
    if fmt not in FORMATS:
        raise ValidationFailed([FieldProblem("format", "err.invalid_choice")])
    rows = iter_rows(session, actor=actor, area_id=area_id, lang=lang)
    written = 0
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(headers(lang))
        for row in rows:
            writer.writerow(row)
            written += 1
            if progress and written % BATCH == 0:
                progress(written)
        text.flush()
        text.detach()
        return written
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # rows stream to a temporary file, not into memory
    sheet = workbook.create_sheet(t("nav.residents", lang))
    sheet.append(headers(lang))
    for row in rows:
        sheet.append(row)
        written += 1
        if progress and written % BATCH == 0:
            progress(written)
    workbook.save(out)
    return written


@entry(Act.REGISTRY_READ)
def export_bytes(session: Session, *, actor: Actor, fmt: str, area_id: int | None = None, lang="vi") -> bytes:
    buffer = io.BytesIO()
    export_residents(session, actor=actor, out=buffer, fmt=fmt, area_id=area_id, lang=lang)
    return buffer.getvalue()


def table_csv(rows: list[dict]) -> bytes:
    """A table as shown on a page (one dict per row, column label -> value) as CSV: UTF-8 with a BOM
    for Excel, formula-like cells neutralised. The visible "download this table" button uses it."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    if rows:
        writer.writerow(list(rows[0]))
        writer.writerows([safe_cell(v) for v in row.values()] for row in rows)
    return text.getvalue().encode("utf-8-sig")
