"""5B3H entry point: page config, sign-in, and the signed-in role's navigation. Nothing else."""

import sys

import streamlit as st

from core.settings import SettingsError, get_settings
from webui.guard import current_actor
from webui.registry import PAGES
from webui.state import t

st.set_page_config(page_title="5B3H", page_icon=":material/school:", layout="centered")

# A bad environment variable stops here with a message naming it (and in the server's log), not a traceback.
try:
    get_settings()
except SettingsError as exc:
    print(f"5B3H: {exc}", file=sys.stderr)
    st.error(t("shell.settings_error", detail=str(exc)))
    st.stop()

# Sign-in state (and the user's remembered language) first, so the page titles are in that language.
current_actor()
# Every page is registered for every visitor: another role's page URL then opens that page, whose
# guard refuses in the app's own words, instead of Streamlit's English "Page not found" dialog.
# Navigation is not access control: the menu lists only the role's pages and every page checks roles.
pages = [
    st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path, default=i == 0)
    for i, spec in enumerate(PAGES)
]
st.navigation(pages, position="hidden").run()
