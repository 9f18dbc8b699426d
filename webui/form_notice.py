"""A save confirmation shown where the eye is: right below the form that saved (on the run after the
save), scrolled into view, and as a toast, not in a banner at the top of a page scrolled down."""

from __future__ import annotations

import streamlit as st

from webui.localize import css_class

NOTICE = "ui.form_notice"  # (where, kind, message) for the next run
ICONS = {"success": ":material/check_circle:", "warning": ":material/warning:", "info": ":material/info:"}
# The app scrolls inside [data-testid="stMain"]; after the rerun the view keeps its old offset, and
# content that grew above (a new table row) can push the notice below the fold. Runs once per notice.
SCROLL_JS = """<script>(function () {
  var doc = (window.parent || window).document;
  setTimeout(function () {
    var box = doc.querySelector('.%s');
    if (box) { box.scrollIntoView({block: 'center'}); }
  }, 150);
})();</script>"""


def notice_next_run(where: str, message: str, kind: str = "success") -> None:
    """Remember `message` for the next run (call before st.rerun()); `where` names the spot."""
    st.session_state[NOTICE] = (where, kind, message)


def show_notice(where: str) -> None:
    """Draw the remembered message here (once) if it belongs to `where`, in view, with a toast."""
    notice = st.session_state.get(NOTICE)
    if not (notice and notice[0] == where):
        return
    st.session_state.pop(NOTICE)
    _where, kind, message = notice
    key = f"form_notice_{where}"
    with st.container(key=key):
        getattr(st, kind)(message)
    st.toast(message, icon=ICONS[kind])
    st.html(SCROLL_JS % css_class(key), unsafe_allow_javascript=True)
