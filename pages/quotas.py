"""Chỉ tiêu: campaigns, quota progress within the campaign's period (at-risk quotas first, as cards that
read at tablet width), and the cascade that splits an area's target over villages, teams or members."""

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd
import streamlit as st

from core import labels
from core.clock import today
from models.enums import SKILLS, QuotaMetric
from services.errors import ValidationFailed
from services.permissions import Act, may
from services.teams import campaigns as svc
from webui.db import reading, writing
from webui.form_notice import show_problems_by_field
from webui.guard import require
from webui.state import flash, t

KEY_CAMPAIGN = "quotas.campaign_id"
ALL_TEAMS = 0

actor = require(Act.CAMPAIGN_READ)
manager = may(actor.role, Act.CAMPAIGN_MANAGE)


def plain(text: str) -> str:
    """`text` shown as written inside Markdown (a name's * or _ must not turn into formatting)."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~:$" else c for c in text)


def fmt_number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def short_metric(metric: str, skill: str | None) -> str:
    """The metric as a card line names it (one skill: just the skill, the card says the rest)."""
    return t("fig.q.metric_skill", skill=t(labels.SKILL[skill])) if skill else t(labels.METRIC[metric])


def quota_line(p: svc.QuotaProgress) -> None:
    """One quota as one bar: what, how far, where it is heading."""
    text = t(
        "fig.q.line",
        metric=short_metric(p.metric, p.skill),
        progress=fmt_number(p.progress),
        target=fmt_number(p.target),
        share="–" if p.share is None else f"{p.share:.0%}",
        projected=fmt_number(p.projected),
    )
    st.progress(min(1.0, p.share or 0.0), text=text)


def owner_cards(rows: list[svc.QuotaProgress], section: str) -> None:
    """One bordered card per owner (in the order of `rows`), its quotas listed inside."""
    by_owner: dict[tuple[str, int], list[svc.QuotaProgress]] = {}
    for p in rows:
        by_owner.setdefault((p.owner_kind, p.owner_id), []).append(p)
    for (kind, owner_id), quotas in by_owner.items():
        with st.container(border=True, key=f"quota_card_{section}_{kind}_{owner_id}"):
            st.markdown(f"**{plain(quotas[0].owner_name)}**")
            st.caption(t(labels.QUOTA_KIND[kind]))
            for p in quotas:
                quota_line(p)


def shortfall(p: svc.QuotaProgress) -> tuple[float, float]:
    """Worst first: the lowest projection against the target, then the largest gap."""
    return (p.projected / p.target if p.target else 1.0, p.projected - p.target)


def render_progress(rows: list[svc.QuotaProgress]) -> None:
    """At-risk quotas first, worst projection first, each shown by name; the others folded below."""
    at_risk = sorted((p for p in rows if p.at_risk), key=shortfall)
    on_track = [p for p in rows if not p.at_risk]
    if at_risk:
        st.warning(t("quotas.at_risk_count", count=len(at_risk)), icon=":material/warning:")
        st.caption(t("fig.q.at_risk_order"))
        owner_cards(at_risk, "risk")
    else:
        st.success(t("fig.q.none_at_risk"))
    if on_track:
        with st.expander(t("fig.q.on_track_title", count=len(on_track)), expanded=not at_risk):
            owner_cards(on_track, "track")


def new_campaign_form(areas, *, expanded: bool) -> None:
    with st.expander(t("quotas.new_campaign"), expanded=expanded), st.form("campaign_new"):
        area_names = {i: f"{name} (" + t(labels.AREA_LEVEL[level]) + ")" for i, name, level in areas}
        c_area = st.selectbox(t("quotas.c_area"), list(area_names), format_func=area_names.get, key="c_area")
        slots = {"area": st.empty()}
        c_name = st.text_input(t("quotas.c_name"), key="c_name", max_chars=200)
        slots["name"] = st.empty()
        c_starts = st.date_input(t("quotas.c_starts"), value=today(), key="c_starts", format="DD/MM/YYYY")
        slots["starts_on"] = st.empty()
        c_ends = st.date_input(
            t("quotas.c_ends"), value=today() + timedelta(days=90), key="c_ends", format="DD/MM/YYYY"
        )
        slots["ends_on"] = st.empty()
        pct = {}
        for field, label, default in (
            ("target_guided_pct", labels.N_("quotas.c_guided_pct"), 80),
            ("target_all_five_pct", labels.N_("quotas.c_all_five_pct"), 80),
            ("target_online_dossier_pct", labels.N_("quotas.c_dossier_pct"), 80),
        ):
            pct[field] = st.number_input(t(label), value=default, step=1, key=f"c_{field}")
            slots[field] = st.empty()
        create = st.form_submit_button(t("quotas.c_create"), type="primary")
    if not create:
        return
    try:
        with writing() as session:
            new_id = svc.create_campaign(
                session,
                actor=actor,
                area_id=c_area,
                name=c_name,
                starts_on=c_starts,
                ends_on=c_ends,
                **{k: int(v) if v is not None else None for k, v in pct.items()},
            )
    except ValidationFailed as exc:
        show_problems_by_field(exc, slots, with_line=True)
    else:
        st.session_state[KEY_CAMPAIGN] = new_id
        flash(t("quotas.c_created"))
        st.rerun()


# ---------------------------------------------------------------- one campaign and its progress


def campaign_picker(campaigns) -> int:
    names = {c.id: c.name for c in campaigns}
    if st.session_state.get(KEY_CAMPAIGN) not in names:
        st.session_state.pop(KEY_CAMPAIGN, None)
    return st.selectbox(t("quotas.campaign"), list(names), format_func=names.get, key=KEY_CAMPAIGN)


def campaign_progress(campaign_id: int) -> None:
    """The campaign's area, period (and which day of it this is), targets, and its quotas' progress."""
    with reading() as session:
        campaign = svc.get_campaign(session, actor=actor, campaign_id=campaign_id)
        progress = svc.quota_progress(session, actor=actor, campaign_id=campaign_id)
    period_days = (campaign.ends_on - campaign.starts_on).days + 1
    st.caption(
        t(
            "fig.q.period",
            area=campaign.area_name,
            start=campaign.starts_on.strftime("%d/%m/%Y"),
            end=campaign.ends_on.strftime("%d/%m/%Y"),
            day=min(period_days, max(0, (today() - campaign.starts_on).days + 1)),
            days=period_days,
        )
    )
    targets = [
        t(key, pct=value)
        for key, value in (
            (labels.N_("fig.q.target_guided"), campaign.target_guided_pct),
            (labels.N_("fig.q.target_all_five"), campaign.target_all_five_pct),
            (labels.N_("fig.q.target_dossiers"), campaign.target_online_dossier_pct),
        )
        if value is not None
    ]
    if targets:
        st.caption(t("fig.q.targets", targets="; ".join(targets)))
    st.subheader(t("quotas.progress"))
    if progress:
        render_progress(progress)
        st.caption(t("fig.q.how_counted"))
    else:
        st.info(t("quotas.no_quotas"))


# ---------------------------------------------------------------- cascade


@dataclass(frozen=True)
class Cascade:
    """What is split, over whom, how, and the total split."""

    campaign_id: int
    metric: str
    skill: str | None
    owner_kind: str
    method: str
    team_id: int | None  # members of one team only (None: all)
    total: int


def cascade_choice(campaign_id: int) -> Cascade:
    metrics = [m.value for m in QuotaMetric]
    metric = st.selectbox(
        t("quotas.metric"), metrics, format_func=lambda m: t(labels.METRIC[m]), key="cas_metric"
    )
    skill = None
    if metric == QuotaMetric.SKILL_MASTERED:
        skill = st.selectbox(
            t("quotas.skill"),
            [s.value for s in SKILLS],
            format_func=lambda s: t(labels.SKILL[s]),
            key="cas_skill",
        )
    owner_kind = st.selectbox(
        t("quotas.owner_kind"),
        list(svc.OWNER_KINDS),
        format_func=lambda k: t(labels.QUOTA_OWNER[k]),
        key="cas_owner",
    )
    method = st.selectbox(
        t("quotas.method"),
        list(svc.SPLIT_METHODS),
        format_func=lambda k: t(labels.SPLIT_METHOD[k]),
        key="cas_method",
    )
    team_filter = None
    with reading() as session:
        default = svc.default_total(session, actor=actor, campaign_id=campaign_id, metric=metric)
        teams = svc.quota_owner_options(session, actor=actor, campaign_id=campaign_id, owner_kind="team")
    if owner_kind == "member" and teams:
        team_names = {ALL_TEAMS: t("quotas.all_teams"), **dict(teams)}
        picked = st.selectbox(t("quotas.team"), list(team_names), format_func=team_names.get, key="cas_team")
        team_filter = picked or None
    total = st.number_input(
        t("quotas.total"),
        min_value=0,
        value=int(default or 0),
        step=1,
        key=f"cas_total_{campaign_id}_{metric}",
    )
    return Cascade(campaign_id, metric, skill, owner_kind, method, team_filter, int(total))


def cascade_editor(c: Cascade):
    """The proposed split as an editable table (targets only); None when there is no one to split over.
    Returns the edited table and its key."""
    with reading() as session:
        proposal = svc.propose_cascade(
            session,
            actor=actor,
            campaign_id=c.campaign_id,
            metric=c.metric,
            owner_kind=c.owner_kind,
            method=c.method,
            total=c.total,
            skill=c.skill,
            team_id=c.team_id,
        )
    if not proposal.rows:
        st.info(t("quotas.nothing_to_split"))
        return None
    frame = pd.DataFrame(
        {
            "owner_id": [r.owner_id for r in proposal.rows],
            "name": [r.name for r in proposal.rows],
            "weight": [round(float(r.weight), 2) for r in proposal.rows],
            "target": [r.target for r in proposal.rows],
        }
    )
    # A new proposal (another metric, method, total...) starts a fresh editor; edits stay while it is
    # the same.
    editor_key = (
        f"cas_editor_{c.campaign_id}_{c.metric}_{c.skill}_{c.owner_kind}_{c.method}_{c.team_id}_{c.total}"
    )
    edited = st.data_editor(
        frame,
        key=editor_key,
        hide_index=True,
        disabled=["owner_id", "name", "weight"],
        column_config={
            "owner_id": None,
            # Names get the room (a team's name is long); the two numbers need little.
            "name": st.column_config.TextColumn(t("quotas.col_name"), width="large"),
            "weight": st.column_config.NumberColumn(t("quotas.col_weight"), width="small"),
            "target": st.column_config.NumberColumn(t("quotas.col_target"), step=1, width="small"),
        },
        num_rows="fixed",
    )
    return edited, editor_key


def cascade_save(c: Cascade, edited, editor_key: str, slot_total) -> None:
    """The sum against the total (a different sum must be accepted as the new total), then Save."""
    slot_targets = st.empty()
    targets_now = [None if pd.isna(v) else int(v) for v in edited["target"]]
    rows_sum = sum(v or 0 for v in targets_now)
    st.caption(t("quotas.sum_now", sum=rows_sum, total=c.total))
    accept = False
    if rows_sum != c.total:  # only then is there a choice to make
        st.warning(t("fig.q.total_differs", sum=rows_sum, total=c.total))
        accept = st.checkbox(
            t("fig.q.accept_new_total"), key=f"cas_accept_{editor_key}", help=t("fig.q.accept_new_total_help")
        )
    if not st.button(t("quotas.save"), type="primary", key="cas_save"):
        return
    try:
        with writing() as session:
            count = svc.save_cascade(
                session,
                actor=actor,
                campaign_id=c.campaign_id,
                metric=c.metric,
                owner_kind=c.owner_kind,
                targets=list(zip([int(i) for i in edited["owner_id"]], targets_now, strict=True)),
                total=c.total,
                skill=c.skill,
                accept_changed_total=accept,
            )
    except ValidationFailed as exc:
        show_problems_by_field(exc, {"total": slot_total, "targets": slot_targets}, with_line=True)
    else:
        flash(t("quotas.saved", count=count))
        st.rerun()


def render() -> None:
    st.title(t("quotas.heading"))
    with reading() as session:
        campaigns = svc.list_campaigns(session, actor=actor)
        areas = svc.campaign_areas(session, actor=actor) if manager else []
    if manager and areas:
        new_campaign_form(areas, expanded=not campaigns)
    if not campaigns:
        st.info(t("quotas.no_campaign"))
        st.stop()
    campaign_id = campaign_picker(campaigns)
    campaign_progress(campaign_id)
    if not manager:
        st.stop()
    st.subheader(t("quotas.cascade"))
    cascade = cascade_choice(campaign_id)
    slot_total = st.empty()
    shown = cascade_editor(cascade)
    if shown is None:
        st.stop()
    edited, editor_key = shown
    cascade_save(cascade, edited, editor_key, slot_total)


render()
