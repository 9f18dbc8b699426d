"""Streamlit's own widget texts in Vietnamese: choice placeholders, no English "Select all", and the
file uploader's button and size line."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.i18n import t


def _widgets():
    import streamlit as st

    from webui import localize

    st.selectbox("Thôn", [], key="one", **localize.choose())
    st.multiselect("Thôn", ["a", "b", "c"], key="many", **localize.choose_many())
    localize.uploader_texts("imp_file", ["csv", "xlsx"])
    st.file_uploader("Tệp", type=["csv", "xlsx"], key="imp_file")


def test_choice_placeholders_and_uploader_texts_are_vietnamese():
    at = AppTest.from_function(_widgets).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="one").proto.placeholder == t("shell.choose", "vi")
    many = at.multiselect(key="many").proto
    assert many.placeholder == t("shell.choose_many", "vi")
    assert many.select_all == 0  # no English "Select all" row
    styles = " ".join(h.proto.body for h in at.get("html"))
    assert ".st-key-imp_file" in styles
    assert f'content:"{t("shell.upload_button", "vi")}"' in styles
    assert f'content:"{t("shell.upload_limit", "vi", mb=50)} · CSV, XLSX"' in styles
    assert [c.value for c in at.caption] == [t("shell.upload_hint", "vi", types="CSV, XLSX", mb=50)]
