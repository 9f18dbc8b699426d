"""What a form says after a save: the confirmation where the eye is — right below the form that saved
(on the run after the save), scrolled into view, and as a toast, not in a banner at the top of a page
scrolled down — or the refusal, each problem under its own field."""

from __future__ import annotations

from collections import defaultdict

import streamlit as st

from services.errors import AppError, ValidationFailed
from webui.localize import css_class
from webui.state import lang, t

KEY_NOTICE = "ui.form_notice"  # (where, kind, message) for the next run
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
    st.session_state[KEY_NOTICE] = (where, kind, message)


def show_notice(where: str) -> None:
    """Draw the remembered message here (once) if it belongs to `where`, in view, with a toast."""
    notice = st.session_state.get(KEY_NOTICE)
    if not (notice and notice[0] == where):
        return
    st.session_state.pop(KEY_NOTICE)
    _where, kind, message = notice
    key = f"form_notice_{where}"
    with st.container(key=key):
        getattr(st, kind)(message)
    st.toast(message, icon=ICONS[kind])
    st.html(SCROLL_JS % css_class(key), unsafe_allow_javascript=True)


def show_problems(exc: AppError, slots: dict) -> None:
    """Each problem under its own field (`slots`: field -> st.empty()); a refusal without problems, and
    a problem whose field has no slot, where the page is drawing."""
    problems = exc.problems if isinstance(exc, ValidationFailed) else []
    if not problems:
        st.error(exc.message(lang()))
    for problem in problems:
        slot = slots.get(problem.field)
        (slot.error if slot is not None else st.error)(problem.message(lang()))


def show_problems_by_field(exc: ValidationFailed, slots: dict, *, with_line: bool = False) -> None:
    """The messages of each field joined under it (`slots`: field -> st.empty()); the others where the
    page is drawing. `with_line`: each message names its line (a table of targets)."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for problem in exc.problems:
        message = problem.message(lang())
        if with_line and problem.line is not None:
            message = t("quotas.line", line=problem.line, message=message)
        grouped[problem.field].append(message)
    for name, messages in grouped.items():
        slot = slots.get(name)
        (slot.error if slot is not None else st.error)(" ".join(messages))
