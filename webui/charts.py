"""Drawing the overview's charts on a page: title, caption, the chart or its table, the CSV download.
The charts themselves are built without Streamlit in services/printing/charts.py."""

from __future__ import annotations

import streamlit as st

from services.printing.charts import ChartSpec, Translate


def show(spec: ChartSpec, t: Translate) -> dict | None:
    """Title, caption, the chart or (toggle) its table, and the CSV of the same figures. Returns the
    chart's click selection (a dict of the selected rows' fields) when it has one and a bar was clicked."""
    st.subheader(spec.title)
    st.caption(spec.caption)
    picked = None
    if spec.frame.empty:
        st.info(t("ov.chart.no_data"))
        return None
    if st.toggle(t("ov.chart.as_table"), key=f"ov.table.{spec.key}"):
        st.dataframe(spec.table(), hide_index=True, width="stretch")
    elif spec.selection:
        event = st.altair_chart(spec.chart, width="stretch", on_select="rerun", key=f"ov.chart.{spec.key}")
        points = (event or {}).get("selection", {}).get(spec.selection) or []
        picked = points[0] if points else None
    else:
        st.altair_chart(spec.chart, width="stretch", key=f"ov.chart.{spec.key}")
    st.download_button(
        t("ov.chart.csv"),
        data=spec.csv(),
        file_name=f"{spec.key}.csv",
        mime="text/csv",
        key=f"ov.csv.{spec.key}",
        icon=":material/download:",
    )
    return picked
