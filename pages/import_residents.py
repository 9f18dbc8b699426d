"""Nhập danh sách: upload the commune's resident list, preview the report, then import it (all or nothing)."""

import streamlit as st

from models.db import read_session, write_session
from models.enums import Role
from services.areas import list_subtree
from services.errors import AppError, ValidationFailed
from services.resident_import import ImportReport, import_residents
from webui.guard import require
from webui.state import engine, lang, t

actor = require(Role.COORDINATOR, Role.ADMIN)

st.title(t("imp.heading"))
st.caption(t("imp.help"))

with read_session(engine()) as session:
    communes = list_subtree(session, actor=actor, level="commune")
if actor.area_level == "commune" or not communes:
    area_codes = {actor.area_code: actor.area_name}
else:
    area_codes = {a.code: a.name for a in communes}
area_code = st.selectbox(
    t("imp.area"), list(area_codes), format_func=lambda c: f"{area_codes[c]} ({c})", key="imp_area"
)
upload = st.file_uploader(t("imp.file"), type=["csv", "xlsx"], key="imp_file")
create_villages = st.checkbox(t("imp.create_villages"), key="imp_create_villages")
b1, b2 = st.columns(2)
check = b1.button(t("imp.check"), disabled=upload is None, key="imp_check")
apply = b2.button(t("imp.apply"), type="primary", disabled=upload is None, key="imp_apply")


def progress_bar():
    bar = st.progress(0.0, text=t("imp.progress", pct=0))
    last = [0]

    def update(fraction: float, _stage: str) -> None:
        pct = int(fraction * 100)
        if pct > last[0]:  # a message per percent at most, however long the file
            last[0] = pct
            bar.progress(min(1.0, fraction), text=t("imp.progress", pct=pct))

    return update


def show_report(report: ImportReport, heading: str) -> None:
    st.success(heading)
    st.write(
        t(
            "imp.summary",
            rows=report.rows,
            hc=report.households_created,
            hu=report.households_updated,
            rc=report.residents_created,
            ru=report.residents_updated,
            un=report.unchanged,
        )
    )
    if report.villages_created:
        st.write(t("imp.villages_created", names=", ".join(report.villages_created)))
    if report.ignored_columns:
        st.warning(t("imp.ignored_columns", columns=", ".join(report.ignored_columns)))
    if report.changes:
        st.write(t("imp.changes"))
        st.dataframe(
            [
                {
                    t("imp.col.line"): c.line,
                    t("imp.col.what"): c.label,
                    t("reg.col.details"): "; ".join(f"{k}: {a} → {b}" for k, (a, b) in c.fields.items()),
                }
                for c in report.changes
            ],
            hide_index=True,
        )
    if report.duplicates_total:
        st.warning(t("imp.duplicates", count=report.duplicates_total))
        st.dataframe(
            [
                {
                    t("imp.col.line"): d.line,
                    t("reg.col.name"): f"{d.full_name} ({d.birth_year or '-'})",
                    t("imp.col.existing"): f"#{d.existing_id} {d.existing_name} · {d.existing_household}",
                    t("imp.col.reason"): t("imp.dup." + d.reason),
                }
                for d in report.duplicates
            ],
            hide_index=True,
        )


def show_problems(exc: ValidationFailed) -> None:
    st.error(t("imp.rejected", count=len(exc.problems)))
    st.dataframe(
        [
            {
                t("imp.col.line"): p.line or "",
                t("imp.col.column"): p.field,
                t("imp.col.problem"): p.message(lang()),
            }
            for p in exc.problems
        ],
        hide_index=True,
    )


if upload is not None and (check or apply):
    data = upload.getvalue()
    opener = write_session if apply else read_session
    try:
        with opener(engine()) as session:
            report = import_residents(
                session,
                actor=actor,
                area_code=area_code,
                data=data,
                filename=upload.name,
                create_villages=create_villages,
                dry_run=not apply,
                progress=progress_bar(),
            )
    except ValidationFailed as exc:
        show_problems(exc)
    except AppError as exc:
        st.error(exc.message(lang()))
    else:
        show_report(report, t("imp.applied") if apply else t("imp.preview_ok"))
