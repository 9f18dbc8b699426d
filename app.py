"""5B3H entry point: page config, sign-in, and the signed-in role's navigation. Nothing else."""

import streamlit as st

from webui.guard import current_actor
from webui.registry import pages_for
from webui.state import t

st.set_page_config(page_title="5B3H", page_icon=":material/school:", layout="centered")

actor = current_actor()
pages = [
    st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path, default=i == 0)
    for i, spec in enumerate(pages_for(actor.role if actor else None))
]
st.navigation(pages, position="hidden").run()
