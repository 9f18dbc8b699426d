"""The overview's Altair charts, built from plain rows (no Streamlit here: the page draws them with
webui.charts.show, the reports turn them into images with `png`). Each chart's figures go into one
DataFrame that the chart draws, the "show as table" view lists and the CSV download holds — so the three
never disagree.

One colour per skill and the campaign's order of skills everywhere (models.enums.SKILLS); every label
and tooltip goes through the caller's `t`, so the charts speak the UI language. Sizes are chosen to read
on a portrait tablet (768 px): width follows the container, horizontal bars with the names on the left
(long Vietnamese area names are not cut), fonts at 13 px.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import altair as alt
import pandas as pd

from core import labels
from models.enums import SKILL_LEVELS, SKILLS, VisitOutcome
from services.satisfaction import Ratings

Translate = Callable[..., str]

# Okabe–Ito: tells the five skills apart for colour-blind readers too, and prints in greyscale apart.
SKILL_COLOURS: dict[str, str] = {
    "submit": "#0072B2",
    "pay": "#E69F00",
    "feedback": "#009E73",
    "receive": "#CC79A7",
    "apps": "#D55E00",
}
NEVER = "never_visited"  # a household with no active visit (the coverage chart's fifth state)
# Best to worst, so the green "done" bars line up on the left edge.
OUTCOME_ORDER: tuple[str, ...] = (
    VisitOutcome.DONE.value,
    VisitOutcome.COME_BACK.value,
    VisitOutcome.NOBODY_HOME.value,
    VisitOutcome.REFUSED.value,
    NEVER,
)
OUTCOME_COLOURS: dict[str, str] = {
    "done": "#009E73",
    "come_back": "#E69F00",
    "nobody_home": "#56B4E9",
    "refused": "#D55E00",
    NEVER: "#C8C8C8",
}
ALL_FIVE_COLOUR = "#0072B2"
TARGET_COLOUR = "#B00020"
BARRIER_COLOUR = "#7F5A83"
AGE_COLOUR = "#4D6D9A"
QUOTA_COLOUR = "#0072B2"  # a quota on track
AT_RISK_COLOUR = "#E69F00"  # an at-risk quota: the warning colour
AT_RISK_TEXT = "#A0522D"  # warning text on white (the warning colour itself is too pale for text)
PACE_DASH = [6, 4]
CONVERSION_SCHEME = "blues"
# Skill levels 0–3 drawn in the skill's colour mixed with white, paler for lower levels. Mixed here, not
# by an opacity channel: the chart theme fades every bar, and "does it alone" must be the skill's colour.
LEVEL_STRENGTH = (0.12, 0.35, 0.65, 1.0)
FONT_SIZE = 13
ROW_HEIGHT = 30  # per bar of a horizontal bar chart
AREA_LABEL_LIMIT = 240  # px for an area's name on the y axis before it is cut
TEAM_LABEL_LIMIT = 330  # team names are longer ("Tổ công nghệ số cộng đồng Xóm Đồi – Xóm Cốc")


@dataclass(frozen=True)
class ChartSpec:
    """A chart with the figures it draws: `frame` (the chart's data), `headers` (the frame's columns the
    table and CSV show, in order, with their translated header)."""

    key: str
    title: str
    caption: str
    frame: pd.DataFrame
    headers: dict[str, str]
    chart: alt.TopLevelMixin
    selection: str | None = None  # the click selection a page may read (drill-down)

    def table(self) -> pd.DataFrame:
        """The figures drawn, as the table and the CSV show them."""
        return self.frame[list(self.headers)].rename(columns=self.headers)

    def csv(self) -> bytes:
        # UTF-8 with a BOM: Excel opens Vietnamese text correctly.
        return self.table().to_csv(index=False).encode("utf-8-sig")


def value(row: object, name: str) -> object:
    """A field of a row that is a mapping or an object (dataclass, named tuple)."""
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def tint(colour: str, strength: float) -> str:
    """`colour` (#rrggbb) mixed with white: 1.0 is the colour itself."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * strength):02x}" for c in rgb)


def skill_labels(t: Translate) -> list[str]:
    return [t(labels.SKILL[s.value]) for s in SKILLS]


def styled(
    chart: alt.TopLevelMixin, *, height: int, label_limit: int = AREA_LABEL_LIMIT
) -> alt.TopLevelMixin:
    """Container width, readable fonts, names never cut short at tablet width."""
    # "fit-x": the width follows the container while `height` stays the plot's own height (Streamlit's
    # default "fit" squeezes the bars to make room for the axis title and the legend).
    return (
        chart.properties(
            width="container", height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
        )
        .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=label_limit)
        .configure_legend(
            labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, orient="bottom", columns=2, labelLimit=320
        )
        .configure_view(stroke=None)
    )


def described(
    *fields: tuple[str, str, str, str | None],
) -> tuple[list[alt.Tooltip], dict[str, str]]:
    """The tooltips and the table's headers from one list of (field, Vega type, title, number format)."""
    tooltips = [
        alt.Tooltip(f"{name}:{kind}", title=title, **({"format": fmt} if fmt else {}))
        for name, kind, title, fmt in fields
    ]
    return tooltips, {name: title for name, _, title, _ in fields}


def bar_height(rows: int) -> int:
    return max(2, rows) * ROW_HEIGHT + 10


# ---------------------------------------------------------------- 1. skill ladder


def skill_ladder(rows: Iterable[object], t: Translate) -> ChartSpec:
    """Residents at each level 0–3 of each skill, stacked as shares of the skill's residents. `rows`:
    skill, level, residents (a missing skill × level counts 0)."""
    counts = {(str(value(r, "skill")), int(value(r, "level"))): int(value(r, "residents")) for r in rows}
    records = []
    for s in SKILLS:
        total = sum(counts.get((s.value, lv), 0) for lv in SKILL_LEVELS)
        for lv in SKILL_LEVELS:
            n = counts.get((s.value, lv), 0)
            records.append(
                {
                    "skill": s.value,
                    "skill_label": t(labels.SKILL[s.value]),
                    "level": lv,
                    "level_label": t(labels.SKILL_LEVEL[lv]),
                    "residents": n,
                    "share": share(n, total),
                    "colour": tint(SKILL_COLOURS[s.value], LEVEL_STRENGTH[lv]),
                }
            )
    frame = pd.DataFrame.from_records(records)
    tooltip, headers = described(
        ("skill_label", "N", t("ov.chart.skill"), None),
        ("level_label", "N", t("ov.chart.level"), None),
        ("residents", "Q", t("ov.chart.residents"), ",d"),
        ("share", "Q", t("ov.chart.share"), ".0%"),
    )
    chart = (
        alt.Chart(frame)
        # A white edge between the levels: the steps of the ladder stay apart when two shades are close.
        .mark_bar(stroke="white", strokeWidth=1.5)
        .encode(
            x=alt.X(
                "residents:Q",
                stack="normalize",
                title=t("ov.chart.share_of_residents"),
                axis=alt.Axis(format="%", tickCount=5),
            ),
            y=alt.Y("skill_label:N", sort=skill_labels(t), title=None),
            color=alt.Color("colour:N", scale=None, legend=None),
            order=alt.Order("level:Q"),
            tooltip=tooltip,
        )
    )
    return ChartSpec(
        key="ladder",
        title=t("ov.chart.ladder"),
        caption=t("ov.chart.ladder_help"),
        frame=frame,
        headers=headers,
        chart=styled(chart, height=bar_height(len(SKILLS))),
    )


# ---------------------------------------------------------------- 2. all five per child area


def all_five_by_area(rows: Iterable[object], t: Translate, *, target: float | None = None) -> ChartSpec:
    """Share of residents mastering all five skills per child area, highest first, with the campaign's
    target as a red rule. `rows`: area_id, name, residents, all_five. A click on a bar selects its area
    (selection "drill")."""
    records = [
        {
            "area_id": int(value(r, "area_id")),
            "area": str(value(r, "name")),
            "residents": int(value(r, "residents")),
            "all_five": int(value(r, "all_five")),
            "share": share(int(value(r, "all_five")), int(value(r, "residents"))) or 0.0,
        }
        for r in rows
    ]
    records.sort(key=lambda r: (-r["share"], r["area"]))
    frame = pd.DataFrame.from_records(records, columns=["area_id", "area", "residents", "all_five", "share"])
    drill = alt.selection_point(name="drill", fields=["area_id"], on="click")
    tooltip = [
        alt.Tooltip("area:N", title=t("ov.chart.area")),
        alt.Tooltip("all_five:Q", title=t("ov.chart.all_five"), format=",d"),
        alt.Tooltip("residents:Q", title=t("ov.chart.residents"), format=",d"),
        alt.Tooltip("share:Q", title=t("ov.chart.share"), format=".1%"),
    ]
    bars = (
        alt.Chart(frame)
        .mark_bar(color=ALL_FIVE_COLOUR, cursor="pointer")
        .encode(
            x=alt.X(
                "share:Q",
                title=t("ov.chart.all_five_share"),
                axis=alt.Axis(format="%", tickCount=5),
                scale=alt.Scale(domain=[0, max([1.0 if target is None else target, *frame["share"]])]),
            ),
            y=alt.Y("area:N", sort=None, title=None),
            opacity=alt.condition(drill, alt.value(1.0), alt.value(0.55)),
            tooltip=tooltip,
        )
        .add_params(drill)
    )
    labels_ = bars.mark_text(align="left", dx=4, fontSize=FONT_SIZE - 1).encode(
        text=alt.Text("share:Q", format=".0%"), opacity=alt.value(1.0)
    )
    layers = [bars, labels_]
    if target is not None:
        rule = (
            alt.Chart(pd.DataFrame({"target": [target], "label": [t("ov.chart.target")]}))
            .mark_rule(color=TARGET_COLOUR, strokeWidth=2, strokeDash=[6, 3])
            .encode(
                x="target:Q",
                tooltip=[alt.Tooltip("target:Q", title=t("ov.chart.target"), format=".0%")],
            )
        )
        layers.append(rule)
    caption = t("ov.chart.all_five_help")
    if target is not None:
        caption += " " + t("ov.chart.target_help", target=f"{target:.0%}")
    return ChartSpec(
        key="all_five",
        title=t("ov.chart.all_five_title"),
        caption=caption,
        frame=frame,
        headers={
            "area": t("ov.chart.area"),
            "residents": t("ov.chart.residents"),
            "all_five": t("ov.chart.all_five"),
            "share": t("ov.chart.share"),
        },
        chart=styled(alt.layer(*layers), height=bar_height(len(frame))),
        selection="drill",
    )


# ---------------------------------------------------------------- 4. quota progress

QUOTA_KINDS: tuple[str, ...] = ("team", "member")  # the owners drawn, teams first (area quotas are not)
LABEL_SEPARATOR = " · "  # between the owner and the quota in a bar's name (two lines on the axis)
QUOTA_LABEL_LIMIT = 300  # px per line of a quota's name
QUOTA_ROW_HEIGHT = 40  # two lines of 13 px per bar


def quota_progress(rows: Iterable[object], t: Translate) -> ChartSpec:
    """Each team's, then each member's quota as the share of its target achieved: the bar stops at 100 %
    (the table, the CSV, the tooltip and the figure at the bar's end keep the true share), at-risk quotas
    in the warning colour, a rule at 100 %. `rows`: services.teams.campaigns.QuotaProgress (owner_kind,
    owner_name, metric, skill, target, progress, projected, at_risk); area quotas are left out."""
    status_labels = {False: t("ov.chart.on_track"), True: t("ov.chart.at_risk")}
    records = []
    for r in rows:
        kind = str(value(r, "owner_kind"))
        if kind not in QUOTA_KINDS:
            continue
        skill = value(r, "skill")
        metric = str(value(r, "metric"))
        metric_label = (
            t("ov.chart.quota_skill", skill=t(labels.SKILL[str(skill)]))
            if skill
            else t(labels.METRIC[metric])
        )
        owner = str(value(r, "owner_name"))
        target, progress = int(value(r, "target")), int(value(r, "progress"))
        ratio = share(progress, target)
        at_risk = bool(value(r, "at_risk"))
        records.append(
            {
                "quota_id": int(value(r, "id")),
                "owner_kind": kind,
                "owner_kind_label": t(labels.QUOTA_OWNER[kind]),
                "owner": owner,
                "metric_label": metric_label,
                "label": f"{owner}{LABEL_SEPARATOR}{metric_label}",
                "progress": progress,
                "target": target,
                "achieved": f"{progress:,} / {target:,}".replace(",", "."),
                "share": ratio,
                "shown": min(1.0, ratio or 0.0),
                "projected": round(float(value(r, "projected")), 1),
                "at_risk": at_risk,
                "status_label": status_labels[at_risk],
            }
        )
    # Teams, then members; the order the service gives within each (stable sort).
    records.sort(key=lambda r: QUOTA_KINDS.index(r["owner_kind"]))
    columns = [
        "quota_id",
        "owner_kind",
        "owner_kind_label",
        "owner",
        "metric_label",
        "label",
        "progress",
        "target",
        "achieved",
        "share",
        "shown",
        "projected",
        "at_risk",
        "status_label",
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    order = list(frame["label"])
    teams = json.dumps([r["label"] for r in records if r["owner_kind"] == "team"], ensure_ascii=False)
    statuses = [status_labels[False], status_labels[True]]
    tooltip = [
        alt.Tooltip("owner:N", title=t("ov.chart.owner")),
        alt.Tooltip("owner_kind_label:N", title=t("ov.chart.owner_kind")),
        alt.Tooltip("metric_label:N", title=t("ov.chart.metric")),
        alt.Tooltip("achieved:N", title=t("ov.chart.achieved")),
        alt.Tooltip("share:Q", title=t("ov.chart.quota_share"), format=".0%"),
        alt.Tooltip("projected:Q", title=t("ov.chart.projected"), format=",.0f"),
        alt.Tooltip("status_label:N", title=t("ov.chart.status")),
    ]
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "shown:Q",
                title=t("ov.chart.quota_share"),
                # Room after 100 % for the figure at the end of a full bar.
                scale=alt.Scale(domain=[0, 1.15], nice=False),
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1.0]),
            ),
            y=alt.Y(
                "label:N",
                sort=order,
                title=None,
                # The teams' bars are named in bold: the group above the members'.
                # Owner on the first line, the quota on the second: long team names are not cut at 768 px.
                axis=alt.Axis(
                    labelExpr=f"split(datum.value, '{LABEL_SEPARATOR}')",
                    labelLimit=QUOTA_LABEL_LIMIT,
                    labelFontWeight=alt.ExprRef(f"indexof({teams}, datum.value) >= 0 ? 'bold' : 'normal'"),
                ),
            ),
            color=alt.Color(
                "status_label:N",
                scale=alt.Scale(domain=statuses, range=[QUOTA_COLOUR, AT_RISK_COLOUR]),
                sort=statuses,
                title=t("ov.chart.status"),
            ),
            tooltip=tooltip,
        )
    )
    text = bars.mark_text(align="left", dx=4, fontSize=FONT_SIZE - 1, color="#333333").encode(
        text=alt.Text("share:Q", format=".0%"), color=alt.value("#333333")
    )
    rule = (
        alt.Chart(pd.DataFrame({"full": [1.0]}))
        .mark_rule(color=TARGET_COLOUR, strokeWidth=2, strokeDash=[6, 3])
        .encode(x="full:Q", tooltip=[alt.Tooltip("full:Q", title=t("ov.chart.quota_target"), format=".0%")])
    )
    return ChartSpec(
        key="quota",
        title=t("ov.chart.quota"),
        caption=t("ov.chart.quota_help"),
        frame=frame,
        headers={
            "owner_kind_label": t("ov.chart.owner_kind"),
            "owner": t("ov.chart.owner"),
            "metric_label": t("ov.chart.metric"),
            "progress": t("ov.chart.progress"),
            "target": t("ov.chart.quota_target"),
            "share": t("ov.chart.quota_share"),
            "projected": t("ov.chart.projected"),
            "status_label": t("ov.chart.status"),
        },
        chart=styled(alt.layer(bars, text, rule), height=max(2, len(frame)) * QUOTA_ROW_HEIGHT + 10),
    )


# ---------------------------------------------------------------- 5. coverage


def coverage(rows: Iterable[object], t: Translate) -> ChartSpec:
    """Households by the outcome of their last visit per child area (never visited included), stacked
    in households. `rows`: name and `outcomes` (done, come_back, nobody_home, refused, never_visited)."""
    records = []
    areas = []
    for r in rows:
        name = str(value(r, "name"))
        areas.append(name)
        outcomes = value(r, "outcomes")
        counts = {o: int(value(outcomes, o)) for o in OUTCOME_ORDER}
        total = sum(counts.values())
        overdue = int(value(r, "overdue"))
        for order, outcome in enumerate(OUTCOME_ORDER):
            records.append(
                {
                    "area": name,
                    "outcome": outcome,
                    "outcome_label": t(labels.COVERAGE[outcome]),
                    "order": order,
                    "households": counts[outcome],
                    "share": share(counts[outcome], total),
                    "total": total,
                    "overdue": overdue,
                    "overdue_label": t("ov.chart.overdue_short", n=overdue) if overdue else "",
                }
            )
    columns = ["area", "outcome", "outcome_label", "order", "households", "share", "total", "overdue"]
    frame = pd.DataFrame.from_records(records, columns=[*columns, "overdue_label"])
    tooltip, headers = described(
        ("area", "N", t("ov.chart.area"), None),
        ("outcome_label", "N", t("ov.chart.last_outcome"), None),
        ("households", "Q", t("ov.chart.households"), ",d"),
        ("share", "Q", t("ov.chart.share"), ".0%"),
        ("overdue", "Q", t("ov.chart.overdue"), ",d"),
    )
    names = [t(labels.COVERAGE[o]) for o in OUTCOME_ORDER]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("households:Q", stack="zero", title=t("ov.chart.households")),
            y=alt.Y("area:N", sort=areas, title=None),
            color=alt.Color(
                "outcome_label:N",
                scale=alt.Scale(domain=names, range=[OUTCOME_COLOURS[o] for o in OUTCOME_ORDER]),
                sort=names,
                title=t("ov.chart.last_outcome"),
            ),
            order=alt.Order("order:Q"),
            tooltip=tooltip,
        )
    )
    # Revisits overdue, written after each area's bar (one label per area: its first outcome's row).
    overdue = (
        alt.Chart(frame)
        .transform_filter(alt.datum.order == 0)
        .mark_text(align="left", dx=4, fontSize=FONT_SIZE - 1, color=AT_RISK_TEXT)
        .encode(x=alt.X("total:Q"), y=alt.Y("area:N", sort=areas), text="overdue_label:N")
    )
    return ChartSpec(
        key="coverage",
        title=t("ov.chart.coverage"),
        caption=t("ov.chart.coverage_help"),
        frame=frame,
        headers=headers,
        chart=styled(alt.layer(chart, overdue), height=bar_height(len(areas))),
    )


# ---------------------------------------------------------------- 6. barriers


def _count_bars(
    key: str,
    rows: list[tuple[str, int, int | None]],
    t: Translate,
    *,
    title: str,
    caption: str,
    colour: str,
    first: str,
) -> ChartSpec:
    """Horizontal bars of residents below level 3 per category, in the given order, the count at the
    bar's end. `rows`: (label, residents below level 3, residents of the category or None)."""
    with_totals = any(total is not None for _, _, total in rows)
    frame = pd.DataFrame.from_records(
        [
            {
                "label": name,
                "residents": n,
                "of": total,
                "share": share(n, total or 0) if with_totals else None,
            }
            for name, n, total in rows
        ],
        columns=["label", "residents", "of", "share"],
    )
    fields = [("label", "N", first, None), ("residents", "Q", t("ov.chart.below_three"), ",d")]
    if with_totals:
        fields += [("of", "Q", t("ov.chart.residents"), ",d"), ("share", "Q", t("ov.chart.share"), ".0%")]
    tooltip, headers = described(*fields)
    bars = (
        alt.Chart(frame)
        .mark_bar(color=colour)
        .encode(
            x=alt.X("residents:Q", title=t("ov.chart.below_three")),
            y=alt.Y("label:N", sort=[name for name, _, _ in rows], title=None),
            tooltip=tooltip,
        )
    )
    text = bars.mark_text(align="left", dx=4, fontSize=FONT_SIZE - 1, color="#333333").encode(
        text=alt.Text("residents:Q", format=",d")
    )
    return ChartSpec(
        key=key,
        title=title,
        caption=caption,
        frame=frame,
        headers=headers,
        chart=styled(alt.layer(bars, text), height=bar_height(len(rows))),
    )


def barriers(rows: Iterable[object], t: Translate) -> ChartSpec:
    """Residents below level 3 (not all five skills) by barrier. `rows`: barrier, residents."""
    by_code = {str(value(r, "barrier")): int(value(r, "residents")) for r in rows}
    data = [
        (t(labels.OVERVIEW_BARRIER[code]), by_code.get(code, 0), None) for code in labels.OVERVIEW_BARRIER
    ]
    return _count_bars(
        "barriers",
        data,
        t,
        title=t("ov.chart.barriers"),
        caption=t("ov.chart.barriers_help"),
        colour=BARRIER_COLOUR,
        first=t("ov.chart.barrier"),
    )


def age_bands(rows: Iterable[object], t: Translate) -> ChartSpec:
    """Residents below level 3 (not all five skills) by age band, age unknown last, beside the band's
    residents. `rows`: band, residents, below_level3."""
    by_code = {str(value(r, "band")): r for r in rows}
    data = [
        (
            t(labels.OVERVIEW_AGE_BAND[code]),
            int(value(by_code[code], "below_level3")) if code in by_code else 0,
            int(value(by_code[code], "residents")) if code in by_code else 0,
        )
        for code in labels.OVERVIEW_AGE_BAND
    ]
    return _count_bars(
        "age_bands",
        data,
        t,
        title=t("ov.chart.age_bands"),
        caption=t("ov.chart.age_bands_help"),
        colour=AGE_COLOUR,
        first=t("ov.chart.age_band"),
    )


# ---------------------------------------------------------------- 3. trend


def trend(
    rows: Iterable[object], t: Translate, *, pace: Iterable[object] = (), campaign_end=None
) -> ChartSpec:
    """Residents at level 3 per skill, cumulative by week (a line per skill in its colour); with a
    campaign target, a red rule at the target count and, per skill, a dashed line from where it stands
    to the target on the campaign's last day (the pace needed). `rows`: week, skill, reached,
    cumulative; `pace`: skill, target, current, weeks_left, needed_per_week."""
    actual, needed = t("ov.chart.actual"), t("ov.chart.pace_needed")
    records = [
        {
            "week": value(r, "week"),
            "skill": str(value(r, "skill")),
            "skill_label": t(labels.SKILL_SHORT[str(value(r, "skill"))]),
            "series": actual,
            "reached": int(value(r, "reached")),
            "cumulative": int(value(r, "cumulative")),
            "target": None,
            "needed_per_week": None,
        }
        for r in rows
    ]
    last_week = max((rec["week"] for rec in records), default=None)
    for p in pace:
        skill = str(value(p, "skill"))
        for week, residents in (
            (last_week, int(value(p, "current"))),
            (campaign_end, int(value(p, "target"))),
        ):
            records.append(
                {
                    "week": week,
                    "skill": skill,
                    "skill_label": t(labels.SKILL_SHORT[skill]),
                    "series": needed,
                    "reached": None,
                    "cumulative": residents,
                    "target": int(value(p, "target")),
                    "needed_per_week": float(value(p, "needed_per_week")),
                }
            )
    columns = ["week", "skill", "skill_label", "series", "reached", "cumulative", "target", "needed_per_week"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    if not frame.empty:
        frame["week"] = pd.to_datetime(frame["week"])
    tooltip, headers = described(
        ("week", "T", t("ov.chart.week"), "%d/%m/%Y"),
        ("skill_label", "N", t("ov.chart.skill"), None),
        ("series", "N", t("ov.chart.series"), None),
        ("reached", "Q", t("ov.chart.reached_week"), ",d"),
        ("cumulative", "Q", t("ov.chart.cumulative"), ",d"),
        ("target", "Q", t("ov.chart.target_count"), ",d"),
        ("needed_per_week", "Q", t("ov.chart.needed_per_week"), ",.1f"),
    )
    names = [t(labels.SKILL_SHORT[s.value]) for s in SKILLS]
    colour = alt.Color(
        "skill_label:N",
        scale=alt.Scale(domain=names, range=[SKILL_COLOURS[s.value] for s in SKILLS]),
        sort=names,
        title=t("ov.chart.skill"),
    )
    x = alt.X("week:T", title=t("ov.chart.week"), axis=alt.Axis(format="%d/%m", labelAngle=0, tickCount=6))
    y = alt.Y("cumulative:Q", title=t("ov.chart.cumulative"))
    base = alt.Chart(frame)
    lines = (
        base.transform_filter(alt.datum.series == actual)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
    )
    layers = [lines]
    if any(rec["series"] == needed for rec in records):
        layers.append(
            base.transform_filter(alt.datum.series == needed)
            .mark_line(strokeDash=PACE_DASH, strokeWidth=1.5)
            .encode(x=x, y=y, color=colour, detail="skill:N", tooltip=tooltip)
        )
        layers.append(
            base.transform_filter(alt.datum.series == needed)
            .mark_rule(color=TARGET_COLOUR, strokeWidth=2)
            .encode(y="max(target):Q")
        )
    return ChartSpec(
        key="trend",
        title=t("ov.chart.trend"),
        caption=t("ov.chart.trend_help") if len(layers) > 1 else t("ov.chart.trend_help_no_target"),
        frame=frame,
        headers=headers,
        chart=styled(alt.layer(*layers), height=300),
    )


# ---------------------------------------------------------------- 7. conversion


def conversion(rows: Iterable[object], t: Translate, *, owner: str) -> ChartSpec:
    """Per team (owner "team") or member ("member") and skill: the share of the residents they guided
    in the period who reached level 3 in it, as a grid of cells coloured by that share, each cell
    showing the share and the number of residents behind it. `rows`: services.overview.ConversionRow."""
    records = []
    names: list[str] = []
    for r in rows:
        if str(value(r, "owner")) != owner:
            continue
        name = str(value(r, "name"))
        if name not in names:
            names.append(name)
        guided, reached = int(value(r, "guided")), int(value(r, "reached"))
        ratio = share(reached, guided)
        skill = str(value(r, "skill"))
        records.append(
            {
                "name": name,
                "team": str(value(r, "team")),
                "skill": skill,
                "skill_label": t(labels.SKILL_SHORT[skill]),
                "guided": guided,
                "reached": reached,
                "share": ratio,
                "cell": "–" if ratio is None else t("ov.chart.cell", share=f"{ratio:.0%}", n=guided),
            }
        )
    columns = ["name", "team", "skill", "skill_label", "guided", "reached", "share", "cell"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    first = t("ov.chart.team") if owner == "team" else t("ov.chart.member")
    fields = [("name", "N", first, None)]
    if owner == "member":
        fields.append(("team", "N", t("ov.chart.team"), None))
    tooltip, headers = described(
        *fields,
        ("skill_label", "N", t("ov.chart.skill"), None),
        ("guided", "Q", t("ov.chart.guided_n"), ",d"),
        ("reached", "Q", t("ov.chart.reached_n"), ",d"),
        ("share", "Q", t("ov.chart.share"), ".0%"),
    )
    skills = [t(labels.SKILL_SHORT[s.value]) for s in SKILLS]
    x = alt.X("skill_label:N", sort=skills, title=None, axis=alt.Axis(orient="top", labelAngle=0))
    y = alt.Y("name:N", sort=names, title=None)
    cells = (
        alt.Chart(frame)
        .mark_rect(stroke="white", strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "share:Q",
                scale=alt.Scale(scheme=CONVERSION_SCHEME, domain=[0, 1]),
                legend=alt.Legend(format="%", title=t("ov.chart.share")),
            ),
            tooltip=tooltip,
        )
    )
    text = (
        alt.Chart(frame)
        .mark_text(fontSize=FONT_SIZE - 1)
        .encode(
            x=x,
            y=y,
            text="cell:N",
            color=alt.condition(alt.datum.share > 0.55, alt.value("white"), alt.value("#222222")),
        )
    )
    return ChartSpec(
        key=f"conversion_{owner}",
        title=t("ov.chart.conversion_team") if owner == "team" else t("ov.chart.conversion_member"),
        caption=t("ov.chart.conversion_help"),
        frame=frame,
        headers=headers,
        chart=styled(alt.layer(cells, text), height=bar_height(len(names)), label_limit=TEAM_LABEL_LIMIT),
    )


# ---------------------------------------------------------------- 8. satisfaction after guidance

SCORE_MAX = 5  # ratings are 1 to 5
SATISFACTION_OWNERS: tuple[str, ...] = ("area", "team")
# Areas, teams: dark enough for white text on the bar (contrast above 4.5:1; Okabe–Ito's green is not).
SATISFACTION_COLOURS: dict[str, str] = {"area": ALL_FIVE_COLOUR, "team": "#00785A"}
LABEL_INSIDE_FROM = 3.0  # an average from which the bar holds its own label (long enough at 768 px)
NO_RATING_TEXT = "#666666"


def decimal(number: float | None, *, digits: int = 1, comma: bool = True) -> str:
    """A number with `digits` decimals, a decimal comma in Vietnamese ("4,3"); "–" for None."""
    if number is None:
        return "–"
    text = f"{number:.{digits}f}"
    return text.replace(".", ",") if comma else text


def satisfaction(rows: Iterable[object], t: Translate, *, comma: bool = True) -> ChartSpec:
    """Each child area, then each team, as a horizontal bar of its average satisfaction score on a 0–5
    axis (areas and teams in two colours), with the average and the number of ratings at the bar's end.
    One with no rating in the period keeps its row, named "no rating yet" and drawn without a bar (a zero
    bar would read as the worst score); its zeros stay in the table and the CSV. `rows`:
    services.satisfaction.RatingRow (owner, owner_id, name, ratings); `comma`: the decimal mark of the
    UI language."""
    kinds = {"area": t("ov.chart.area"), "team": t("ov.chart.team")}
    records = []
    for r in rows:
        ratings = Ratings(tuple(int(n) for n in value(value(r, "ratings"), "by_score")))
        average = ratings.average
        satisfied = ratings.satisfied_share
        owner = str(value(r, "owner"))
        records.append(
            {
                "owner": owner,
                "owner_label": kinds[owner],
                "owner_id": int(value(r, "owner_id")),
                "name": str(value(r, "name")),
                "ratings": ratings.count,
                "average": None if average is None else round(average, 2),
                "average_label": decimal(average, digits=2, comma=comma),
                "satisfied": None if satisfied is None else round(satisfied, 4),
                **{f"score_{score}": n for score, n in enumerate(ratings.by_score, start=1)},
                # Where the text goes: the bar's end, or the start of the axis for a row with no bar.
                "label_at": 0.0 if average is None else round(average, 2),
                "label": t("ov.sat.bar_label", average=decimal(average, comma=comma), n=ratings.count)
                if ratings.count
                else t("ov.sat.no_rating"),
            }
        )
    scores = [f"score_{score}" for score in range(1, SCORE_MAX + 1)]
    columns = ["owner", "owner_label", "owner_id", "name", "ratings", "average", "average_label"]
    frame = pd.DataFrame.from_records(records, columns=[*columns, "satisfied", *scores, "label_at", "label"])
    tooltip, _ = described(
        ("name", "N", t("ov.sat.name"), None),
        ("owner_label", "N", t("ov.chart.owner_kind"), None),
        ("ratings", "Q", t("ov.sat.ratings"), ",d"),
        ("average_label", "N", t("ov.sat.average"), None),
        ("satisfied", "Q", t("ov.sat.satisfied"), ".0%"),
    )
    headers = {
        "name": t("ov.sat.name"),
        "ratings": t("ov.sat.ratings"),
        "average": t("ov.sat.average"),
        "satisfied": t("ov.sat.satisfied"),
        **{f"score_{score}": t("ov.sat.score", score=score) for score in range(1, SCORE_MAX + 1)},
    }
    names = [rec["name"] for rec in records]
    shown = [k for k in SATISFACTION_OWNERS if any(rec["owner"] == k for rec in records)]
    kind_labels = [kinds[k] for k in shown]
    y = alt.Y("name:N", sort=names, title=None)
    base = alt.Chart(frame)
    # Rows with no rating have no average: no bar at all (not a bar of length 0).
    bars = (
        base.transform_filter(alt.datum.ratings > 0)
        .mark_bar()
        .encode(
            x=alt.X(
                "average:Q",
                title=t("ov.sat.axis"),
                scale=alt.Scale(domain=[0, SCORE_MAX], nice=False),
                axis=alt.Axis(values=list(range(SCORE_MAX + 1)), format="d"),
            ),
            y=y,
            color=alt.Color(
                "owner_label:N",
                scale=alt.Scale(domain=kind_labels, range=[SATISFACTION_COLOURS[k] for k in shown]),
                sort=kind_labels,
                # A legend only to tell areas from teams (a province's chart has areas alone).
                legend=alt.Legend(title=t("ov.chart.owner_kind")) if len(shown) > 1 else None,
            ),
            tooltip=tooltip,
        )
    )
    # The average and the count at the bar's end: inside a long bar (in white), after a short one; "no
    # rating yet" at the axis' start. Inside, so a 4,8 does not run off the chart's right edge.
    rated, long = alt.datum.ratings > 0, alt.datum.average >= LABEL_INSIDE_FROM
    size = FONT_SIZE - 1
    inside = base.transform_filter(rated & long).mark_text(
        align="right", dx=-6, fontSize=size, color="white", fontWeight="bold"
    )
    after = base.transform_filter(rated & ~long).mark_text(align="left", dx=4, fontSize=size, color="#333333")
    none = base.transform_filter(alt.datum.ratings == 0).mark_text(
        align="left", dx=2, fontSize=size, color=NO_RATING_TEXT, fontStyle="italic"
    )
    labels_ = [
        layer.encode(x=alt.X("label_at:Q"), y=y, text="label:N", tooltip=tooltip)
        for layer in (inside, after, none)
    ]
    return ChartSpec(
        key="satisfaction",
        title=t("ov.sat.chart"),
        caption=t("ov.sat.chart_help"),
        frame=frame,
        headers=headers,
        chart=styled(alt.layer(bars, *labels_), height=bar_height(len(frame)), label_limit=TEAM_LABEL_LIMIT),
    )


# ---------------------------------------------------------------- images


def png(spec: ChartSpec, *, width: int = 900, scale: float = 2.0) -> bytes:
    """The chart as a PNG at a fixed width (the page's charts follow their container, which an image
    has not), drawn by vl-convert (Vega-Lite without a browser)."""
    import vl_convert

    chart = json.loads(spec.chart.to_json())
    chart["width"] = width
    chart["autosize"] = {"type": "fit-x", "contains": "padding"}
    return vl_convert.vegalite_to_png(chart, scale=scale)
