"""The Zalo-ready summary (issue #11): a short plain message about one area and one period for a Zalo
group (at most MAX_CHARS characters) and one chart as a PNG narrow enough for a phone.

What the message says, in this order (every sentence a `sum.` catalogue entry):
- the area and the period's dates;
- households visited (any outcome, to date) out of all households, and those first done in the period;
- residents first guided in the period (and guided to date, as a share of residents);
- skills newly mastered in the period: level 3 reached (the current run began) per skill and in total,
  then the residents doing all five alone now;
- the best child area (village of a commune, commune of a province): the most residents first guided
  in the period, then the most skills newly mastered in it, then the highest all-five share, then the
  name (Vietnamese order); left out when no child area moved in the period or there is no child area;
- what is behind: the child area (with residents, not the best) with the lowest all-five share (ties: the
  fewest guided in the period, then the name), households whose revisit date has passed, and quotas at
  risk (a campaign period only).

The campaign's emulation board is not used here: a summary's period is any range of days, not a campaign,
so the best area is chosen from the figures of the period itself.

The period-bound figures come from rollup_dated rows of the area and its children (by exact day), the rest
from the overview (cached). Access: the report's rules (services.reports.build_report) — the actor's
subtree, a volunteer a village of their team only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session

from core.i18n import t as translate
from core.labels import N_
from core.text import sort_key
from models.enums import SKILLS
from models.tables import RollupDated
from services import overview as ov
from services.access import Actor, get_area_in_scope
from services.errors import FieldProblem, ValidationFailed
from services.permissions import Act, entry

MAX_CHARS = 600
ELLIPSIS = "…"
# Name lengths tried in turn when the message is too long (area, best, behind names are cut to these).
NAME_LIMITS = (80, 60, 40, 30, 20, 12)
SKILL_WORD: dict[str, str] = {
    "submit": N_("sum.skill.submit"),
    "pay": N_("sum.skill.pay"),
    "feedback": N_("sum.skill.feedback"),
    "receive": N_("sum.skill.receive"),
    "apps": N_("sum.skill.apps"),
}
PERIOD_MEASURES = ("guided", "household_done", *(s.value for s in SKILLS))


@dataclass(frozen=True)
class ChildMove:
    """A child area's figures used to pick the best and the one behind."""

    name: str
    residents: int
    all_five_share: float | None
    guided: int  # first guided in the period
    mastered: int  # level 3 reached in the period, all skills together


@dataclass(frozen=True)
class Summary:
    """The message (`text`, at most MAX_CHARS characters) and what it was made from."""

    text: str
    area: ov.AreaRef
    period: ov.Period
    lang: str
    best: str | None  # the best child area's name (uncut), None when there is none
    behind: str | None  # the child area behind (uncut), None when there is none
    overview: ov.Overview = field(compare=False, repr=False)


@entry(Act.OVERVIEW)
def zalo_summary(
    session: Session, *, actor: Actor, area_id: int | None, period: ov.Period, lang: str = "vi"
) -> Summary:
    """The summary of `area_id` (default the actor's own) for `period` in `lang`."""
    area = get_area_in_scope(session, actor, area_id if area_id is not None else actor.area_id)
    if actor.is_volunteer and area.level != "village":
        raise ValidationFailed([FieldProblem("area", "report.err.volunteer_area")])
    data = ov.overview(session, actor=actor, area_id=area.id, period=period)
    counts = _period_counts(session, [area.id, *(c.area_id for c in data.children)], period)
    moves = [
        ChildMove(
            c.name,
            c.residents,
            c.all_five_share,
            counts.get((c.area_id, "guided"), 0),
            sum(counts.get((c.area_id, s.value), 0) for s in SKILLS),
        )
        for c in data.children
    ]
    best = best_child(moves)
    behind = behind_child(moves, best)
    own = {m: n for (a, m), n in counts.items() if a == area.id}
    text = compose(data, own, best, behind, lang)
    return Summary(text, data.scope.area, period, lang, best and best.name, behind and behind.name, data)


def _period_counts(session: Session, area_ids: list[int], period: ov.Period) -> dict[tuple[int, str], int]:
    """(area id, measure) -> what entered the count within the period (rollup_dated, by exact day)."""
    rows = session.exec(
        select(RollupDated.area_id, RollupDated.measure, func.sum(RollupDated.count))
        .where(
            RollupDated.area_id.in_(area_ids),
            RollupDated.measure.in_(PERIOD_MEASURES),
            RollupDated.day.between(period.start, period.end),
        )
        .group_by(RollupDated.area_id, RollupDated.measure)
    ).all()
    return {(area_id, measure): int(n or 0) for area_id, measure, n in rows}


def best_child(moves: list[ChildMove]) -> ChildMove | None:
    """Most guided in the period, then most skills mastered in it, then the highest all-five share, then
    the name; None when no child area guided anyone or mastered anything in the period."""
    moved = [m for m in moves if m.guided or m.mastered]
    if not moved:
        return None
    return min(moved, key=lambda m: (-m.guided, -m.mastered, -(m.all_five_share or 0.0), sort_key(m.name)))


def behind_child(moves: list[ChildMove], best: ChildMove | None) -> ChildMove | None:
    """Of the child areas with residents (the best left out), the lowest all-five share, then the fewest
    guided in the period, then the name."""
    rest = [m for m in moves if m.residents and m != best]
    if not rest:
        return None
    return min(rest, key=lambda m: (m.all_five_share or 0.0, m.guided, sort_key(m.name)))


# ---------------------------------------------------------------- the text


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **params)` in `lang` (a literal key at each call, so pybabel finds it)."""

    def t(key: str, **params: object) -> str:
        return translate(key, lang, **params)

    return t


def number(n: int, lang: str) -> str:
    """1.234 in Vietnamese, 1,234 in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "vi" else text


def percent(share: float | None, lang: str) -> str:
    """12,5% in Vietnamese (12.5% in English), one decimal unless it is ,0; "–" when unknown."""
    if share is None:
        return "–"
    text = f"{100 * share:.1f}".removesuffix(".0")
    return (text.replace(".", ",") if lang == "vi" else text) + "%"


def shorten(name: str, limit: int | None) -> str:
    """`name` cut to `limit` characters, the cut marked with an ellipsis."""
    if limit is None or len(name) <= limit:
        return name
    return name[: limit - 1].rstrip() + ELLIPSIS


def compose(
    data: ov.Overview,
    own: dict[str, int],
    best: ChildMove | None,
    behind: ChildMove | None,
    lang: str,
) -> str:
    """The message, shortened until it fits MAX_CHARS: first the "behind" clause keeps only its first
    item, then the names are cut to NAME_LIMITS in turn; a last resort cuts the text itself."""
    items = behind_items(data, behind, lang, None)
    for kept in [items[:keep] for keep in range(len(items), 1, -1)] + [items[:1]]:
        text = _lines(data, own, best, kept, lang, None)
        if len(text) <= MAX_CHARS:
            return text
    for limit in NAME_LIMITS:
        text = _lines(data, own, best, behind_items(data, behind, lang, limit)[:1], lang, limit)
        if len(text) <= MAX_CHARS:
            return text
    text = text[: MAX_CHARS - 1] + ELLIPSIS
    assert len(text) <= MAX_CHARS
    return text


def behind_items(data: ov.Overview, behind: ChildMove | None, lang: str, limit: int | None) -> list[str]:
    """The child area behind, the overdue revisits, the quotas at risk (each only when there is one)."""
    t = translator(lang)
    items = []
    if behind is not None:
        share = percent(behind.all_five_share, lang)
        items.append(t("sum.behind_area", name=shorten(behind.name, limit), share=share))
    if data.headline.overdue:
        items.append(t("sum.behind_overdue", n=data.headline.overdue))
    quota = data.headline.quota
    if quota is not None and quota.at_risk:
        items.append(t("sum.behind_quotas", n=quota.at_risk))
    return items


def _lines(
    data: ov.Overview,
    own: dict[str, int],
    best: ChildMove | None,
    behind: list[str],
    lang: str,
    limit: int | None,
) -> str:
    t = translator(lang)
    h = data.headline
    period = data.period
    lines = [
        t(
            "sum.heading",
            area=shorten(data.scope.area.name, limit),
            start=f"{period.start:%d/%m/%Y}",
            end=f"{period.end:%d/%m/%Y}",
        ),
        t(
            "sum.households",
            visited=number(h.outcomes.visited, lang),
            households=number(h.households, lang),
            done=number(own.get("household_done", 0), lang),
        ),
        t(
            "sum.guided",
            n=number(own.get("guided", 0), lang),
            total=number(h.guided, lang),
            share=percent(h.guided_share, lang),
        ),
        _mastered_line(data, own, lang),
    ]
    if best is not None:
        lines.append(
            t(
                "sum.best",
                name=shorten(best.name, limit),
                n=number(best.guided, lang),
                share=percent(best.all_five_share, lang),
            )
        )
    if behind:
        lines.append(t("sum.behind", items="; ".join(behind)))
    return "\n".join(lines)


def _mastered_line(data: ov.Overview, own: dict[str, int], lang: str) -> str:
    """Skills newly mastered in the period (per skill, those above 0), then all five to date."""
    per_skill = [(s.value, own.get(s.value, 0)) for s in SKILLS]
    total = sum(n for _, n in per_skill)
    h = data.headline
    t = translator(lang)
    all_five = t("sum.all_five", n=number(h.all_five, lang), share=percent(h.all_five_share, lang))
    if not total:
        return t("sum.mastered_none") + " " + all_five
    parts = []
    for skill, n in per_skill:
        if n:
            word = t(SKILL_WORD[skill])
            parts.append(word + " " + number(n, lang))
    mastered = t("sum.mastered", n=number(total, lang), skills=", ".join(parts))
    return mastered + " " + all_five


# ---------------------------------------------------------------- the chart


def summary_chart_png(source: object, width: int = 1080, lang: str | None = None) -> bytes:
    """The skill ladder of a Summary (or a services.reports.Report) as a PNG at most `width` pixels wide:
    drawn at half that width and scale 2, so its text stays readable on a phone."""
    from services.printing import charts

    data: ov.Overview = source.overview if isinstance(source, Summary) else source.current
    lang = lang or getattr(source, "lang", "vi")
    t = translator(lang)
    spec = charts.skill_ladder(data.skill_ladder, t)
    title = {
        "text": t("sum.chart_title", area=data.scope.area.name, date=f"{data.as_of:%d/%m/%Y}"),
        "subtitle": t("sum.chart_subtitle"),
        "anchor": "start",
        "fontSize": 15,
        "subtitleFontSize": 12,
    }
    spec = dataclasses.replace(spec, chart=spec.chart.properties(title=title))
    return charts.png(spec, width=width // 2, scale=2.0)
