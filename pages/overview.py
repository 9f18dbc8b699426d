"""Tổng quan: the leaders' Monday page — headline figures, the official indicators and the campaign's
charts for one area (the user's own by default, drill down by picker, breadcrumb or a click on a bar)
and one period. One overview service call per run; the service decides what the user may see (it
refuses an area outside their subtree; a volunteer gets their team's villages)."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from core import labels
from core.clock import today
from services import overview as svc
from services import summary
from services.errors import AppError
from services.permissions import Act, may
from services.printing import charts
from services.teams.campaigns import list_campaigns
from webui.charts import show
from webui.db import reading
from webui.guard import require
from webui.state import lang, t

KEY_AREA = "overview.area_id"  # the area being looked at (None: the user's own)
KEY_PERIOD = "overview.period_kind"
KEY_CAMPAIGN = "overview.campaign_id"
KEY_RANGE = "overview.range"
KEY_CHILD = "overview.child_pick"
DRILL_CHART = "ov.chart.all_five"  # the widget key of the clickable chart (charts.show)
AREA_PARAM = "area"  # ?area=<id>: a bookmarkable drill-down (the service still checks it)

actor = require(Act.OVERVIEW)


def number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def pct(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


# ---------------------------------------------------------------- scope and period


def current_area_id() -> int | None:
    """The chosen area: session state, else the ?area= parameter (a bookmark), else the user's own."""
    if KEY_AREA not in st.session_state:
        raw = st.query_params.get(AREA_PARAM)
        st.session_state[KEY_AREA] = int(raw) if raw and raw.isdigit() else None
    return st.session_state[KEY_AREA]


def go_to(area_id: int | None) -> None:
    """Look at another area on the next run (the picker, the breadcrumb, a click on a bar)."""
    st.session_state[KEY_AREA] = area_id
    if area_id is None:
        st.query_params.pop(AREA_PARAM, None)
    else:
        st.query_params[AREA_PARAM] = str(area_id)
    st.session_state.pop(DRILL_CHART, None)  # a bar clicked above must not drill again below


def pick_child() -> None:
    picked = st.session_state.pop(KEY_CHILD, None)
    if picked is not None:
        go_to(picked)


def campaigns() -> list:
    """The campaigns the user may read (volunteers read none: their period choice has no campaign)."""
    if not may(actor.role, Act.CAMPAIGN_READ):
        return []
    with reading() as session:
        return list_campaigns(session, actor=actor)


def period_picker(campaign_rows: list) -> svc.Period:
    """Campaign / this week / last 4 weeks / this quarter / a date range; ages count as of its end
    (or today, when it ends later)."""
    kinds = [k for k in labels.PERIOD if k != "campaign" or campaign_rows]
    now = today()
    cols = st.columns(2)
    kind = cols[0].selectbox(t("ov.period"), kinds, format_func=lambda k: t(labels.PERIOD[k]), key=KEY_PERIOD)
    if kind == "campaign":
        by_id = {c.id: c for c in campaign_rows}
        chosen = cols[1].selectbox(
            t("ov.campaign"), list(by_id), format_func=lambda i: by_id[i].name, key=KEY_CAMPAIGN
        )
        c = by_id[chosen]  # what svc.campaign_period returns, without another database round
        return svc.Period("campaign", c.starts_on, c.ends_on, campaign_id=c.id)
    if kind == "week":
        return svc.this_week(now)
    if kind == "4weeks":
        return svc.last_4_weeks(now)
    if kind == "quarter":
        return svc.this_quarter(now)
    picked = cols[1].date_input(
        t("ov.range"),
        value=(now - timedelta(days=27), now),
        max_value=now,
        format="DD/MM/YYYY",
        key=KEY_RANGE,
    )
    dates = [d for d in (picked if isinstance(picked, tuple) else (picked,)) if d]
    # While only the first day is picked, the range is that one day.
    return svc.date_range(dates[0], dates[-1]) if dates else svc.date_range(now, now)


def breadcrumb(scope: svc.Scope) -> None:
    """The way back up: one button per area above the current one, the current one in bold."""
    with st.container(horizontal=True, gap="small", key="ov_breadcrumb"):
        for i, ref in enumerate(scope.breadcrumb[:-1]):
            st.button(
                ref.name,
                key=f"ov.crumb.{ref.id}",
                type="tertiary",
                icon=":material/arrow_upward:" if i == len(scope.breadcrumb) - 2 else None,
                on_click=go_to,
                args=(ref.id if i else None,),
            )
        st.markdown(f"**{scope.area.name}**")


def child_picker(scope: svc.Scope) -> None:
    if not scope.children:
        return
    by_id = {c.id: c.name for c in scope.children}
    st.selectbox(
        t("ov.drill"),
        list(by_id),
        index=None,
        format_func=lambda i: by_id[i],
        placeholder=t("ov.drill_placeholder"),
        key=KEY_CHILD,
        on_change=pick_child,
    )


# ---------------------------------------------------------------- figures


def figure(column, label: str, value: str, caption: str, delta: str | None = None) -> None:
    with column:
        st.metric(label, value, delta=delta)
        st.caption(caption)


def count_delta(n: int) -> str | None:
    """A count's change as st.metric shows it (nothing when it did not move)."""
    return None if n == 0 else f"{'+' if n > 0 else '-'}{number(abs(n))}"


def points_delta(now: float | None, before: float | None) -> str | None:
    """The change of a share in percentage points (nothing when either is unknown or it did not move)."""
    if now is None or before is None or abs(now - before) < 0.0005:
        return None
    return t("ov.delta_points", n=f"{100 * (now - before):+.1f}".replace(".", ","))


def share_delta(count: int, base: int, count_change: int, base_change: int) -> str | None:
    """count/base now against (count - change)/(base - change): the share without the last 7 days."""
    before_base = base - base_change
    if not base or not before_base:
        return None
    return points_delta(count / base, (count - count_change) / before_base)


def headline(data: svc.Overview) -> None:
    h, c = data.headline, data.headline.change
    st.caption(t("ov.change_since", date=c.since.strftime("%d/%m/%Y")))
    row = st.columns(3)
    figure(
        row[0],
        t("ov.residents"),
        number(h.residents),
        t("ov.residents_help", unknown=number(h.age_unknown)),
        count_delta(c.residents),
    )
    figure(
        row[1],
        t("ov.adults"),
        number(h.adults),
        t("ov.adults_help", date=data.as_of.strftime("%d/%m/%Y")),
        count_delta(c.adults),
    )
    figure(
        row[2],
        t("ov.guided"),
        pct(h.guided_share),
        t("ov.guided_help", n=number(h.guided)),
        share_delta(h.guided, h.residents, c.guided, c.residents),
    )
    row = st.columns(3)
    figure(
        row[0],
        t("ov.all_five"),
        pct(h.all_five_share),
        t("ov.all_five_help", n=number(h.all_five)),
        share_delta(h.all_five, h.residents, c.all_five, c.residents),
    )
    o = h.outcomes
    figure(
        row[1],
        t("ov.households_visited"),
        f"{number(o.visited)} / {number(o.households)}",
        t(
            "ov.households_help",
            done=number(o.done),
            come_back=number(o.come_back),
            nobody=number(o.nobody_home),
            refused=number(o.refused),
            never=number(o.never_visited),
        )
        + " "
        + t("ov.overdue_help", n=number(h.overdue)),
        t("ov.households_done_delta", n=number(c.households_done)) if c.households_done else None,
    )
    q = h.quota
    if q is not None:
        delta = points_delta(q.fulfilment, q.week_ago_fulfilment)
        caption = t("ov.quota_help", at_risk=q.at_risk, met=q.met, n=q.quotas)
        if q.week_ago_at_risk is not None:
            caption += " " + t("ov.quota_week_ago", at_risk=q.week_ago_at_risk)
        figure(row[2], t("ov.quota"), pct(q.fulfilment), caption, delta)
    st.markdown("**" + t("ov.mastered") + "**")
    st.caption(t("ov.mastered_help"))
    row = st.columns(len(h.mastered))
    changes = dict(c.mastered)
    for column, m in zip(row, h.mastered, strict=True):
        with column:
            st.metric(
                t(labels.SKILL_SHORT[m.skill]),
                pct(m.share),
                delta=share_delta(m.residents, h.residents, changes[m.skill], c.residents),
                help=t(labels.SKILL[m.skill]),
            )


def indicators(data: svc.Overview) -> None:
    """Each official indicator with its own numerator and denominator, against the national target."""
    st.subheader(t("ov.indicators"))
    st.caption(t("ov.indicators_help"))
    columns = st.columns(2)
    for i, ind in enumerate(data.indicators):
        with columns[i % 2], st.container(border=True, key=f"ov_ind_{ind.code}"):
            st.markdown("**" + t(labels.INDICATOR[ind.code]) + "**")
            if ind.min_age is None:
                base = t("ov.ind.base_all")
            else:
                base = t("ov.ind.base_age", age=ind.min_age)
            text = t(
                "ov.ind.line",
                num=number(ind.numerator),
                den=number(ind.denominator),
                base=base,
                share=pct(ind.share),
            )
            st.progress(min(1.0, ind.share or 0.0), text=text)
            if ind.target_share is not None:
                goal = {"target": pct(ind.target_share), "year": ind.target_year}
                if ind.share is not None and ind.share >= ind.target_share:
                    st.caption(t("ov.ind.target_met", **goal))
                else:
                    st.caption(t("ov.ind.target", **goal))
            else:
                st.caption(t("ov.ind.no_target"))


def campaign_target(campaign_rows: list, period: svc.Period) -> float | None:
    """The campaign's all-five target (a share) for the rule on chart 2, when one is chosen."""
    for c in campaign_rows:
        if c.id == period.campaign_id and c.target_all_five_pct is not None:
            return c.target_all_five_pct / 100
    return None


def chart_section(data: svc.Overview, target: float | None) -> None:
    show(charts.skill_ladder(data.skill_ladder, t), t)
    trend = data.trend
    show(charts.trend(trend.rows, t, pace=trend.pace, campaign_end=trend.campaign_end), t)
    if data.children:
        picked = show(charts.all_five_by_area(data.children, t, target=target), t)
        if picked and picked.get("area_id") in {c.id for c in data.scope.children}:
            go_to(int(picked["area_id"]))
            st.rerun()
        show(charts.coverage(data.children, t), t)
    show(charts.barriers(data.barriers, t), t)
    show(charts.age_bands(data.age_bands, t), t)
    quota = data.headline.quota  # a campaign period, for a role that reads quotas
    if quota is not None and quota.rows:
        show(charts.quota_progress(quota.rows, t), t)
    if data.conversion:
        show(charts.conversion(data.conversion, t, owner="team"), t)
        show(charts.conversion(data.conversion, t, owner="member"), t)
    elif data.scope.area.level in ("province", "district"):
        st.subheader(t("ov.chart.conversion_team"))
        st.caption(t("ov.chart.conversion_pick_commune"))


def satisfaction_section(data: svc.Overview) -> None:
    """The ratings residents gave after guidance in the period: the area's average, how many ratings and
    the share satisfied, then the chart per child area and team (none drawn when nobody rated)."""
    st.subheader(t("ov.sat.title"))
    st.caption(t("ov.sat.help"))
    ratings = data.satisfaction
    if not ratings.count:
        st.info(t("ov.sat.none"))
        return
    comma = lang() == "vi"
    figure(
        st.container(key="ov_satisfaction"),
        t("ov.sat.average"),
        t("ov.sat.average_value", average=charts.decimal(ratings.average, comma=comma)),
        t("ov.sat.average_help", n=number(ratings.count), share=pct(ratings.satisfied_share)),
    )
    if data.satisfaction_rows:
        show(charts.satisfaction(data.satisfaction_rows, t, comma=comma), t)


def summary_section(data: svc.Overview) -> None:
    """The Zalo-ready message of the area and period shown, in a code block: Streamlit's code block has a
    copy button at its top right, which is the message's copy button. The chart's PNG is drawn only when
    the download button is clicked (a deferred download)."""
    with st.expander(t("sum.title"), expanded=False):
        try:
            with reading() as session:
                message = summary.zalo_summary(
                    session, actor=actor, area_id=data.scope.area.id, period=data.period, lang=lang()
                )
        except AppError as exc:  # e.g. a volunteer looking at a commune: a village of their team only
            problems = getattr(exc, "problems", None)  # ValidationFailed says why in its problems
            st.caption(" ".join(p.message(lang()) for p in problems) if problems else exc.message(lang()))
            return
        st.caption(t("sum.copy_help"))
        st.code(message.text, language=None, wrap_lines=True)
        st.caption(t("sum.chars", n=len(message.text), max=summary.MAX_CHARS))
        st.download_button(
            t("sum.png"),
            data=lambda: summary.summary_chart_png(message),
            file_name=f"tom-tat-{data.period.start:%Y%m%d}-{data.period.end:%Y%m%d}.png",
            mime="image/png",
            key="ov.summary.png",
            icon=":material/download:",
            on_click="ignore",
        )


# ---------------------------------------------------------------- the page


def load(area_id: int | None, period: svc.Period) -> svc.Overview | None:
    """The one overview call; a refused area is said in the app's words, with the way back."""
    try:
        with reading() as session:
            return svc.overview(session, actor=actor, area_id=area_id, period=period)
    except AppError as exc:
        st.error(exc.message(lang()))
        st.button(t("ov.back_home"), key="ov.back", on_click=go_to, args=(None,), icon=":material/undo:")
        return None


def render() -> None:
    st.title(t("nav.overview"))
    campaign_rows = campaigns()
    period = period_picker(campaign_rows)
    data = load(current_area_id(), period)
    if data is None:
        return
    breadcrumb(data.scope)
    if data.scope.team_only:
        st.info(t("ov.team_only"))
    child_picker(data.scope)
    st.caption(t("ov.as_of", date=data.as_of.strftime("%d/%m/%Y")))
    headline(data)
    indicators(data)
    if data.headline.residents == 0:
        st.info(t("home.empty"))
        return
    chart_section(data, campaign_target(campaign_rows, period))
    satisfaction_section(data)
    summary_section(data)


render()
