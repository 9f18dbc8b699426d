"""Backup: a top-level admin downloads the whole database (a SQLite file or a pg_dump archive), made when
the button is pressed; the audit log records who took it. Restoring is a server command, not a button."""

import streamlit as st

from services import backup
from services.errors import AppError
from services.permissions import Act
from webui.db import reading
from webui.guard import require
from webui.state import engine, lang, t

actor = require(Act.BACKUP_TAKE)

# session_state keys (widgets only)
KEY_DOWNLOAD = "admin_backup.download"


def download(kind: str) -> None:
    db = engine()
    file_name = backup.backup_file_name(kind)

    def make() -> bytes:
        # Runs on Streamlit's worker thread when the button is pressed, not while the page is drawn:
        # the service checks the user again against the database and writes the audit record.
        return backup.download_backup(db, actor=actor, file_name=file_name)

    st.download_button(
        t("backup.download"),
        data=make,
        file_name=file_name,
        mime="application/octet-stream",
        icon=":material/download:",
        type="primary",
        on_click="ignore",
        key=KEY_DOWNLOAD,
    )


def recent() -> None:
    st.subheader(t("backup.recent"))
    try:
        with reading() as session:
            records = backup.recent_backups(session, actor=actor)
    except AppError as exc:
        st.error(exc.message(lang()))
        return
    if not records:
        st.caption(t("backup.recent_none"))
        return
    st.dataframe(
        [
            {
                t("backup.col_at"): r.local_at.strftime("%d/%m/%Y %H:%M"),
                t("backup.col_user"): r.username,
                t("backup.col_file"): r.file_name,
                t("backup.col_size"): backup.human_size(r.size),
            }
            for r in records
        ],
        hide_index=True,
    )


def render() -> None:
    st.title(t("backup.heading"))
    if not backup.may_take_backup(actor):
        st.info(t("backup.only_top_admin"))
        return
    kind = backup.engine_kind(engine())
    st.write(t("backup.intro_sqlite") if kind == backup.SQLITE else t("backup.intro_postgresql"))
    st.warning(t("backup.keep_safe"), icon=":material/lock:")
    download(kind)
    st.caption(t("backup.restore_hint"))
    recent()


render()
