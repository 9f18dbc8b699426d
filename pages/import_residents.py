"""Nhập danh sách: upload the commune's resident list, check it (a preview of the report), then import
it (all or nothing). Template files with the expected headers and two example rows can be downloaded."""

import streamlit as st

from core import labels
from services import import_template
from services.areas import list_subtree
from services.errors import AppError, ValidationFailed
from services.people.importing import ROWS_MAX, ImportReport, import_residents
from services.permissions import Act
from webui import localize
from webui.db import reading, writing
from webui.guard import require
from webui.state import lang, t

TEMPLATE_LABEL = {"csv": labels.N_("imp.template_csv"), "xlsx": labels.N_("imp.template_xlsx")}

# session_state: what the last successful check was run on (file, commune, "create villages"); the
# import button opens only while the upload and the choices are still the same.
KEY_CHECKED = "imp.checked"

actor = require(Act.RESIDENTS_IMPORT)


def area_choice() -> str:
    """The commune the list is for (an admin above communes picks one)."""
    with reading() as session:
        communes = list_subtree(session, actor=actor, level="commune")
    if actor.area_level == "commune" or not communes:
        area_codes = {actor.area_code: actor.area_name}
    else:
        area_codes = {a.code: a.name for a in communes}
    return st.selectbox(
        t("imp.area"), list(area_codes), format_func=lambda c: f"{area_codes[c]} ({c})", key="imp_area"
    )


def template_file(fmt: str, commune_code: str) -> bytes:
    """The template, its example rows in the commune's first village (built when downloaded)."""
    with reading(stop=False) as session:  # called when the file is downloaded, not in a page run
        village = import_template.example_village(session, actor=actor, area_code=commune_code)
    return import_template.template_bytes(fmt, village=village, lang=lang())


def templates(area_code: str) -> None:
    st.caption(t("imp.template_help"))
    for column, fmt in zip(st.columns(2), import_template.FORMATS, strict=True):
        column.download_button(
            t(TEMPLATE_LABEL[fmt]),
            data=lambda fmt=fmt, code=area_code: template_file(fmt, code),
            file_name=f"mau-danh-sach-ho-dan.{fmt}",
            mime=import_template.MIME[fmt],
            icon=":material/download:",
            on_click="ignore",
            key=f"imp_template_{fmt}",
            width="stretch",
        )


def progress_bar():
    """A progress bar and its update callback for the importer."""
    bar = st.progress(0.0, text=t("imp.progress", pct=0))
    last = [0]

    def update(fraction: float, _stage: str) -> None:
        pct = int(fraction * 100)
        if pct > last[0]:  # a message per percent at most, however long the file
            last[0] = pct
            bar.progress(min(1.0, fraction), text=t("imp.progress", pct=pct))

    return bar, update


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
                    t("imp.col.reason"): t(labels.DUPLICATE_REASON[d.reason]),
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


def run_import(upload, area_code: str, create_villages: bool, *, apply: bool) -> ImportReport | None:
    """Check (dry run) or apply the uploaded file; shows the problems and returns None when refused.
    The progress bar ends at 100% when the run went through and disappears when it did not."""
    bar, update = progress_bar()
    try:
        # Checked in a read session, written (unless a check) in one short write transaction. A database
        # that does not answer raises DatabaseDown from either, shown like a refusal.
        report = import_residents(
            read=lambda: reading(stop=False),
            write=writing,
            actor=actor,
            area_code=area_code,
            data=upload.getvalue(),
            filename=upload.name,
            create_villages=create_villages,
            dry_run=not apply,
            progress=update,
        )
    except ValidationFailed as exc:
        bar.empty()
        show_problems(exc)
    except AppError as exc:
        bar.empty()
        st.error(exc.message(lang()))
    except Exception:
        bar.empty()
        raise
    else:
        bar.progress(1.0, text=t("imp.progress_done"))
        return report
    return None


def import_section(area_code: str) -> None:
    """The upload, "check" (a dry run) and "import", which opens only after a check of this very upload
    and these choices passed."""
    localize.uploader_texts("imp_file", ["csv", "xlsx"])
    st.caption(
        t(
            "imp.hostile.limits",
            rows=f"{ROWS_MAX:,}".replace(",", "." if lang() == "vi" else ","),
            mb=st.get_option("server.maxUploadSize"),
        )
    )
    upload = st.file_uploader(t("imp.file"), type=["csv", "xlsx"], key="imp_file")
    create_villages = st.checkbox(t("imp.create_villages"), key="imp_create_villages")
    choices = None if upload is None else (upload.file_id, area_code, create_villages)
    b1, b2 = st.columns(2)
    check = b1.button(t("imp.check"), disabled=upload is None, key="imp_check", width="stretch")
    apply_slot = b2.empty()  # drawn after the check below, so a check that passes opens it at once
    hint = st.empty()
    if check and upload is not None:
        st.session_state.pop(KEY_CHECKED, None)
        report = run_import(upload, area_code, create_villages, apply=False)
        if report is not None:
            st.session_state[KEY_CHECKED] = choices
            show_report(report, t("imp.preview_ok"))
    ready = choices is not None and st.session_state.get(KEY_CHECKED) == choices
    apply = apply_slot.button(
        t("imp.apply"), type="primary", disabled=not ready, key="imp_apply", width="stretch"
    )
    if upload is not None and not ready:
        hint.caption(t("imp.check_first"))
    if apply and ready:
        report = run_import(upload, area_code, create_villages, apply=True)
        st.session_state.pop(KEY_CHECKED, None)  # imported: a new check before importing again
        apply_slot.button(
            t("imp.apply"), type="primary", disabled=True, key="imp_apply_done", width="stretch"
        )
        if report is not None:
            show_report(report, t("imp.applied"))


def render() -> None:
    st.title(t("imp.heading"))
    st.caption(t("imp.help"))
    area_code = area_choice()
    templates(area_code)
    import_section(area_code)


render()
