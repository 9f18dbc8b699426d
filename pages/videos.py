"""How-to videos: local clips played in place, online videos as links; a QR code beside each."""

import streamlit as st

from core import labels
from core.settings import get_settings
from models.enums import SKILLS
from services.permissions import Act
from services.printing.content import get_catalogue, video_link
from services.printing.pdf import qr_png
from webui.guard import require
from webui.state import t

KEY_SKILL = "videos.skill"
VIDEO_PARAM = "video"  # ?video=<id>: the link printed under a clip's QR code

require(Act.VIDEO_WATCH)
catalogue = get_catalogue()
base_url = get_settings().app_base_url


def render() -> None:
    st.title(t("videos.heading"))

    wanted = st.query_params.get(VIDEO_PARAM)
    if wanted in catalogue.videos and KEY_SKILL not in st.session_state:
        st.session_state[KEY_SKILL] = catalogue.videos[wanted].skill
    skill = st.selectbox(
        t("videos.filter_skill"),
        options=[None, *(s.value for s in SKILLS)],
        format_func=lambda s: t("videos.all_skills") if s is None else t(labels.SKILL[s]),
        key=KEY_SKILL,
    )

    videos = catalogue.videos_for(skill)
    # The video a QR code asked for comes first.
    videos.sort(key=lambda v: v.id != wanted)
    if not videos:
        st.info(t("videos.empty"))
    if skill:
        titles = ", ".join(lf.title for lf in catalogue.leaflets_for(skill))
        if titles:
            st.caption(t("videos.leaflets", titles=titles))

    for video in videos:
        link = video_link(video, base_url)
        with st.container(border=True):
            st.subheader(video.title)
            st.caption(t(labels.SKILL[video.skill]))
            main, side = st.columns([3, 1])
            with main:
                if video.is_local:
                    st.video(str(catalogue.video_path(video.id)))
                    if video.captions:
                        with st.expander(t("videos.captions")):
                            st.markdown("\n".join(f"- {c}" for c in video.captions))
                else:
                    st.link_button(
                        t("videos.open_link", url=video.url), video.url, icon=":material/open_in_new:"
                    )
            with side:
                st.image(qr_png(link), caption=t("videos.qr_caption"), width=140, output_format="PNG")
                st.caption(link)


render()
