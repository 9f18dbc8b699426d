"""Streamlit's own widget texts in the UI language: placeholders for choice widgets and the file
uploader's button and size line (Streamlit 1.67 hard-codes "Upload" and "200MB per file" in English,
so they are replaced by CSS scoped to one uploader's key, with a caption above it that says the same)."""

from __future__ import annotations

import re

import streamlit as st

from webui.state import t


def choose() -> dict[str, object]:
    """Keyword arguments for `st.selectbox`: a placeholder in the UI language instead of
    "Choose an option" / "No options to select". Usage: `st.selectbox(label, options, **choose())`."""
    return {"placeholder": t("shell.choose")}


def choose_many() -> dict[str, object]:
    """Keyword arguments for `st.multiselect`: a placeholder in the UI language instead of "Choose
    options", and no English "Select all" row. Usage: `st.multiselect(label, options, **choose_many())`."""
    return {"placeholder": t("shell.choose_many"), "select_all": False}


def upload_limit_mb() -> int:
    """The per-file upload limit in MB (`server.maxUploadSize` in .streamlit/config.toml)."""
    return int(st.get_option("server.maxUploadSize"))


def uploader_texts(key: str, types: list[str] | tuple[str, ...]) -> None:
    """Call right before `st.file_uploader(..., key=key)`: a caption saying how to upload (file types,
    size limit) and CSS that shows "Chọn tệp" / "Tối đa 20 MB mỗi tệp · CSV, XLSX" on that uploader."""
    mb = upload_limit_mb()
    kinds = ", ".join(kind.upper() for kind in types)
    st.caption(t("shell.upload_hint", types=kinds, mb=mb))
    limit = t("shell.upload_limit", mb=mb) + (f" · {kinds}" if kinds else "")
    scope = "." + css_class(key)
    st.html(
        "<style>"
        f'{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
        "{display:none}"
        f'{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after'
        "{content:" + _css_string(t("shell.upload_button")) + "}"
        f'{scope} [data-testid="stFileUploaderDropzoneInstructions"] span{{display:none}}'
        f'{scope} [data-testid="stFileUploaderDropzoneInstructions"] > div::after'
        f"{{content:{_css_string(limit)}}}"
        "</style>"
    )


def css_class(key: str) -> str:
    """The class Streamlit gives a keyed element: "st-key-" and the key, other characters as "-"."""
    return "st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
