"""Home: a few live figures for the signed-in user's area, each captioned with exactly what it counts."""

import streamlit as st

from core import labels
from core.clock import today
from models.enums import SKILLS
from services.permissions import Act
from services.rollups.dashboard import home_summary
from webui.db import reading
from webui.guard import require
from webui.state import t

actor = require(Act.HOME)


def number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def with_share(part: int, whole: int) -> str:
    return t("fig.home.value_share", n=number(part), share=pct(part, whole))


def figure(column, label: str, value: str, caption: str) -> None:
    """One figure with the sentence that says what it counts right under it (no hover needed)."""
    with column:
        st.metric(label, value)
        st.caption(caption)


def heading(summary) -> None:
    """Who, where, and a volunteer's team and villages."""
    st.title(t("home.heading", name=actor.full_name))
    st.caption(t("home.scope", area=summary.scope_name) + " · " + t(labels.ROLE[actor.role]))
    if summary.team_name:
        st.write(t("home.my_team", team=summary.team_name))
        if summary.village_names:
            st.write(t("home.my_villages", villages=", ".join(summary.village_names)))
        else:
            st.warning(t("home.no_villages"))


def figures(summary) -> None:
    """Households, residents and the last days' visits, each with what it counts."""
    totals = summary.totals
    households, residents = totals["households"], totals["residents"]
    row = st.columns(3)
    figure(row[0], t("home.households"), number(households), t("fig.home.households_help"))
    figure(
        row[1],
        t("fig.home.reached"),
        with_share(summary.households_reached, households),
        t("fig.home.reached_help", never=number(max(0, households - summary.households_reached))),
    )
    figure(
        row[2],
        t("fig.home.done"),
        with_share(summary.households_done, households),
        t("fig.home.done_help"),
    )
    row = st.columns(3)
    figure(row[0], t("home.residents"), number(residents), t("fig.home.residents_help"))
    figure(
        row[1],
        t("home.residents_guided"),
        with_share(totals["residents_guided"], residents),
        t("fig.home.guided_help"),
    )
    figure(
        row[2],
        t("home.all_five"),
        with_share(totals["residents_all_five"], residents),
        t("fig.home.all_five_help"),
    )
    period = {"start": summary.activity_since.strftime("%d/%m"), "end": today().strftime("%d/%m")}
    row = st.columns(3)
    if summary.activity_is_own:
        visits_label, visits_help = t("fig.home.my_visits"), t("fig.home.my_visits_help", **period)
    else:
        visits_label, visits_help = t("fig.home.week_visits"), t("fig.home.week_visits_help", **period)
    figure(row[0], visits_label, number(summary.activity.get("visits", 0)), visits_help)
    figure(
        row[1],
        t("fig.home.visits_done"),
        number(summary.activity.get("visits_done", 0)),
        t("fig.home.visits_done_help"),
    )


def skill_table(summary) -> None:
    residents = summary.totals["residents"]
    if residents == 0:
        st.info(t("home.empty"))
    else:
        st.subheader(t("home.skill_table"))
        for skill in SKILLS:
            share = summary.mastered_by_skill[skill.value] / residents
            st.progress(min(1.0, share), text=t(labels.SKILL[skill.value]) + f": {share:.0%}")


def children_table(summary) -> None:
    """The areas right under the user's, with their shares."""
    if not summary.children:
        return
    st.subheader(t("home.children"))
    st.caption(t("fig.home.children_help"))
    st.dataframe(
        [
            {
                t("home.col_area"): f.name,
                t("home.households"): f.counts["households"],
                t("fig.home.col_reached"): pct(f.households_reached, f.counts["households"]),
                t("home.residents"): f.counts["residents"],
                t("home.residents_guided"): pct(f.counts["residents_guided"], f.counts["residents"]),
                t("home.all_five"): pct(f.counts["residents_all_five"], f.counts["residents"]),
            }
            for f in summary.children
        ],
        hide_index=True,
    )


def render() -> None:
    with reading() as session:
        summary = home_summary(session, actor=actor)
    heading(summary)
    figures(summary)
    skill_table(summary)
    children_table(summary)


render()
