"""Resident-list files for the import tests (both formats) and running an import on a database."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select
from sqlmodel import SQLModel

from models.db import write_session
from services.people.importing import import_residents

HEADER = ["Mã hộ", "Thôn", "Địa chỉ", "Họ và tên", "Năm sinh", "Giới tính", "Số điện thoại", "Chủ hộ",
          "Điện thoại thông minh"]  # fmt: skip


GOOD = [
    ["H001", "A1", "Số 1 ngõ 2", "nguyễn  văn an", "1970", "Nam", "+84 912 345 678", "x", "có"],
    ["H001", "Thôn Một", "Số 1 ngõ 2", "Lê Thị Hoà", "1972", "Nữ", "0912.000.111", "", "không"],
    ["H002", "a2", "Xóm Trên", "Trần Văn Bình", "1985", "", "", "x", ""],
]


def as_csv(rows, header=HEADER, sep=",", bom=True) -> bytes:
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8")


def as_xlsx(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([int(c) if c.isdigit() and len(c) == 4 else c for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def encode(fmt, rows, header=HEADER):
    return (as_csv(rows, header), "list.csv") if fmt == "csv" else (as_xlsx(rows, header), "list.xlsx")


def run(engine, actor, data, filename="list.csv", **kw):
    with write_session(engine) as s:
        return import_residents(
            s, actor=actor, area_code=kw.pop("area", "A"), data=data, filename=filename, **kw
        )


def dump(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out
