"""Home: a few live figures for the signed-in user's area, read from the rollups."""

import streamlit as st

from models.db import read_session
from models.enums import SKILLS
from services.dashboard import home_summary
from webui.guard import require
from webui.state import engine, t

actor = require()

with read_session(engine()) as session:
    summary = home_summary(session, actor=actor)

st.title(t("home.heading", name=actor.full_name))
st.caption(t("home.scope", area=summary.scope_name) + " · " + t("role." + actor.role))
if summary.team_name:
    st.write(t("home.my_team", team=summary.team_name))
    if summary.village_names:
        st.write(t("home.my_villages", villages=", ".join(summary.village_names)))
    else:
        st.warning(t("home.no_villages"))

totals = summary.totals


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


c1, c2, c3 = st.columns(3)
c1.metric(t("home.households"), f"{totals['households']:,}".replace(",", "."))
c1.metric(t("home.households_visited"), pct(totals["households_visited"], totals["households"]))
c2.metric(t("home.residents"), f"{totals['residents']:,}".replace(",", "."))
c2.metric(t("home.residents_guided"), pct(totals["residents_guided"], totals["residents"]))
c3.metric(t("home.all_five"), pct(totals["residents_all_five"], totals["residents"]))
c3.metric(t("home.week_visits"), summary.activity.get("visits", 0))

if totals["residents"] == 0:
    st.info(t("home.empty"))
else:
    st.subheader(t("home.skill_table"))
    for skill in SKILLS:
        share = summary.mastered_by_skill[skill.value] / totals["residents"]
        st.progress(min(1.0, share), text=f"{t('skill.' + skill.value)}: {share:.0%}")

if summary.children:
    st.subheader(t("home.children"))
    st.dataframe(
        [
            {
                t("home.col_area"): f.name,
                t("home.households"): f.counts["households"],
                t("home.residents"): f.counts["residents"],
                t("home.residents_guided"): pct(f.counts["residents_guided"], f.counts["residents"]),
                t("home.all_five"): pct(f.counts["residents_all_five"], f.counts["residents"]),
            }
            for f in summary.children
        ],
        hide_index=True,
    )
