"""Thi đua: villages and teams of a campaign ranked by progress against their own quotas, with this
week's movers. One emulation service call per run; the service decides what the user may see (an area
outside their subtree is refused; a volunteer gets their own team's place only)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from services import emulation as svc
from services.errors import AppError
from services.permissions import Act
from webui.db import reading
from webui.guard import require
from webui.state import lang, t

KEY_CAMPAIGN = "emulation.campaign_id"
KEY_AREA = "emulation.area_id"
CHART_ROWS = 20  # the chart shows the leaders; the table below lists everyone
BAR_COLOUR = "#0072B2"
TIED_COLOUR = "#56B4E9"
FONT_SIZE = 13
ROW_HEIGHT = 30

actor = require(Act.EMULATION)


def pct(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def points(row: svc.BoardRow) -> str:
    """The share gained since a week ago in percentage points, e.g. "+25,0 điểm %"."""
    change = row.points_change
    return "–" if change is None else t("emu.points", n=f"{change:+.1f}".replace(".", ","))


def change(row: svc.BoardRow) -> str:
    """Places climbed (▲) or lost (▼) since a week ago, then the points gained: "▲ 2 · +25,0 điểm %"."""
    if row.rank is None or row.rank_week_ago is None:
        return "–"
    moved = row.rank_change
    gained = points(row)
    return gained if moved == 0 else f"{'▲' if moved > 0 else '▼'} {abs(moved)} · {gained}"


def achieved(row: svc.BoardRow) -> str:
    return f"{number(row.progress_capped)} / {number(row.target)}" if row.target else "–"


def rank_text(row: svc.BoardRow) -> str:
    if row.rank is None:
        return "–"
    return t("emu.rank_tied", rank=row.rank) if row.tied else str(row.rank)


def share_text(row: svc.BoardRow) -> str:
    """The share, or the visible "no target set" mark of an owner left unranked."""
    return t("emu.no_target") if row.rank is None else pct(row.share)


# ---------------------------------------------------------------- choices


def choose_campaign() -> int | None:
    with reading() as session:
        rows = svc.board_campaigns(session, actor=actor)
    if not rows:
        st.info(t("emu.no_campaign"))
        return None
    by_id = {c.id: c for c in rows}
    return st.selectbox(t("emu.campaign"), list(by_id), format_func=lambda i: by_id[i].name, key=KEY_CAMPAIGN)


def choose_area() -> int | None:
    """A reader above a commune may look at one of the communes below; None: their own area."""
    with reading() as session:
        areas = svc.board_areas(session, actor=actor)
    if len(areas) <= 1:
        return None
    names = dict(areas)
    return st.selectbox(t("emu.area"), list(names), format_func=lambda i: names[i], key=KEY_AREA)


# ---------------------------------------------------------------- a ranking


def table(ranking: svc.Ranking) -> pd.DataFrame:
    """Every row of a ranking as the page lists it: ranked first (a tie marked in the rank), then those
    with no target (marked in the share). Five columns: legible at 768 px with long team names."""
    return pd.DataFrame.from_records(
        [
            {
                t("emu.col.rank"): rank_text(r),
                t("emu.col.name"): r.name,
                t("emu.col.share"): share_text(r),
                t("emu.col.achieved"): achieved(r),
                t("emu.col.change"): change(r),
            }
            for r in ranking.rows
        ]
    )


def chart(ranking: svc.Ranking) -> alt.TopLevelMixin:
    """The leading ranked rows as bars of their share (ties in a lighter blue), legible at 768 px."""
    rows = [r for r in ranking.rows if r.rank is not None][:CHART_ROWS]
    frame = pd.DataFrame.from_records(
        [
            {
                "label": f"{r.rank}. {r.name}",
                "share": r.share,
                "text": pct(r.share),
                "colour": TIED_COLOUR if r.tied else BAR_COLOUR,
                "achieved": achieved(r),
            }
            for r in rows
        ]
    )
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=None, title=None),
        x=alt.X(
            "share:Q",
            title=t("emu.col.share"),
            scale=alt.Scale(domain=[0, 1.15]),
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        ),
        tooltip=[
            alt.Tooltip("label:N", title=t("emu.col.name")),
            alt.Tooltip("share:Q", title=t("emu.col.share"), format=".0%"),
            alt.Tooltip("achieved:N", title=t("emu.col.achieved")),
        ],
    )
    bars = base.mark_bar().encode(color=alt.Color("colour:N", scale=None, legend=None))
    labels = base.mark_text(align="left", dx=4, fontSize=FONT_SIZE).encode(text="text:N")
    return (
        (bars + labels)
        .properties(
            width="container",
            height=max(2, len(rows)) * ROW_HEIGHT + 10,
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        )
        .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=300)
        .configure_view(stroke=None)
    )


def movers(ranking: svc.Ranking, has_week_ago: bool) -> None:
    """The biggest risers of the week (none before the campaign is a week old: the caption on top says
    so; none to show when nobody has a target)."""
    if not has_week_ago or not ranking.ranked:
        return
    st.markdown("**" + t("emu.movers") + "**")
    if not ranking.movers:
        st.caption(t("emu.no_movers"))
        return
    lines = [
        "- " + t("emu.mover_line", name=m.name, points=points(m), before=m.rank_week_ago, rank=m.rank)
        for m in ranking.movers
    ]
    st.markdown("\n".join(lines))


def section(ranking: svc.Ranking, title: str, has_week_ago: bool) -> None:
    st.subheader(title)
    if not ranking.rows:
        st.info(t("emu.empty"))
        return
    movers(ranking, has_week_ago)
    if ranking.ranked:
        st.altair_chart(chart(ranking), width="stretch", key=f"emu.chart.{ranking.kind}")
    st.dataframe(table(ranking), hide_index=True, width="stretch", key=f"emu.table.{ranking.kind}")


def team_place(board: svc.Board) -> None:
    """A volunteer's view: their team's place among the area's teams, nobody else's figures."""
    st.info(t("emu.team_only"))
    if not board.teams.rows:
        st.info(t("emu.no_team"))
        return
    row = board.teams.rows[0]
    if row.rank is None:
        st.metric(t("emu.your_team", team=row.name), t("emu.no_target"))
        st.caption(t("emu.team_no_target"))
        return
    change = row.rank_change
    st.metric(
        t("emu.your_team", team=row.name),
        t("emu.place", rank=row.rank, n=board.teams.ranked),
        delta=t("emu.places_delta", n=f"{change:+d}") if change else None,
    )
    caption = t("emu.team_share", share=pct(row.share), achieved=achieved(row))
    st.caption(caption if row.points_change is None else caption + " " + points(row))
    if row.tied:
        st.caption(t("emu.tied"))


# ---------------------------------------------------------------- the page


def load(campaign_id: int, area_id: int | None) -> svc.Board | None:
    try:
        with reading() as session:
            return svc.emulation_board(session, actor=actor, campaign_id=campaign_id, area_id=area_id)
    except AppError as exc:
        st.error(exc.message(lang()))
        return None


def render() -> None:
    st.title(t("emu.nav"))
    st.caption(t("emu.intro"))
    campaign_id = choose_campaign()
    if campaign_id is None:
        return
    board = load(campaign_id, choose_area())
    if board is None:
        return
    as_of = board.as_of.strftime("%d/%m/%Y")
    if board.week_ago is None:
        st.caption(t("emu.as_of_no_week", date=as_of))
    else:
        st.caption(t("emu.as_of", date=as_of, before=board.week_ago.strftime("%d/%m/%Y")))
    if board.team_only:
        team_place(board)
        return
    section(board.villages, t("emu.villages"), board.week_ago is not None)
    section(board.teams, t("emu.teams"), board.week_ago is not None)


render()
