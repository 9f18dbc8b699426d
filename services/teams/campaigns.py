"""Campaigns and quotas (chỉ tiêu): targets per member, team or village, progress counted from what
happened within the campaign's period, a cascade that splits an area's target exactly, and an at-risk
flag from the pace so far.

How progress is counted (never typed in; see services.quota_progress for the exact rules):
- member: their own visits of the period (the visits they went on), theirs alone;
- team: its members' visits of the period taken together, counting distinct households and residents
  (a repeat visit, or two teammates on one visit, count once) — never the sum of its members' figures;
- village area: the visits held in the village within the period (not the all-time rollup counts).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from math import floor

from sqlalchemy import select
from sqlmodel import Session

from core.clock import today, utcnow
from core.text import normalize_text, person_sort_key, sort_key
from models.enums import SKILLS, AreaLevel, QuotaMetric
from models.tables import (
    Area,
    Campaign,
    Member,
    Quota,
    RollupArea,
    Team,
    TeamVillage,
)
from services import audit
from services import quota_progress as progress_counts
from services.access import Actor, get_area_in_scope, require_role
from services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.permissions import Act, entry, roles_of

MANAGER_ROLES = roles_of(Act.CAMPAIGN_MANAGE)
READER_ROLES = roles_of(Act.CAMPAIGN_READ)
METRICS = tuple(m.value for m in QuotaMetric)
OWNER_KINDS = ("area", "team", "member")
SPLIT_METHODS = ("households", "residents", "even")


@dataclass(frozen=True)
class CampaignRow:
    id: int
    name: str
    area_id: int
    area_name: str
    starts_on: date
    ends_on: date
    target_guided_pct: int | None
    target_all_five_pct: int | None
    target_online_dossier_pct: int | None
    active: bool


@dataclass(frozen=True)
class QuotaProgress:
    id: int
    owner_kind: str
    owner_id: int
    owner_name: str
    metric: str
    skill: str | None
    target: int
    progress: int
    projected: float  # progress carried linearly to the end date
    at_risk: bool

    @property
    def share(self) -> float | None:
        return self.progress / self.target if self.target else None


@dataclass(frozen=True)
class CascadeRow:
    owner_id: int
    name: str
    weight: Fraction
    target: int


@dataclass(frozen=True)
class CascadeProposal:
    campaign_id: int
    metric: str
    skill: str | None
    owner_kind: str
    method: str
    total: int
    rows: list[CascadeRow]


# ---------------------------------------------------------------- campaigns


def _campaign_row(campaign: Campaign, area: Area) -> CampaignRow:
    return CampaignRow(
        campaign.id,
        campaign.name,
        area.id,
        area.name,
        campaign.starts_on,
        campaign.ends_on,
        campaign.target_guided_pct,
        campaign.target_all_five_pct,
        campaign.target_online_dossier_pct,
        campaign.active,
    )


def _campaign_for(session: Session, actor: Actor, campaign_id: int, *, write: bool) -> tuple[Campaign, Area]:
    require_role(actor, *(MANAGER_ROLES if write else READER_ROLES))
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound()
    area = session.get(Area, campaign.area_id)
    if not area.path.startswith(actor.area_path):
        raise PermissionDenied("err.out_of_scope")
    return campaign, area


@entry(Act.CAMPAIGN_READ)
def list_campaigns(session: Session, *, actor: Actor) -> list[CampaignRow]:
    require_role(actor, *READER_ROLES)
    rows = session.exec(
        select(Campaign, Area)
        .join(Area, Area.id == Campaign.area_id)
        .where(Area.path.like(actor.area_path + "%"))
    ).all()
    out = [_campaign_row(c, a) for c, a in rows]
    return sorted(out, key=lambda c: (not c.active, -c.starts_on.toordinal(), sort_key(c.name)))


@entry(Act.CAMPAIGN_READ)
def get_campaign(session: Session, *, actor: Actor, campaign_id: int) -> CampaignRow:
    return _campaign_row(*_campaign_for(session, actor, campaign_id, write=False))


def _check_pct(problems: list[FieldProblem], name: str, value: int | None) -> None:
    if value is not None and not (0 <= value <= 100):
        problems.append(FieldProblem(name, "quota.err_pct"))


@entry(Act.CAMPAIGN_MANAGE)
def create_campaign(
    session: Session,
    *,
    actor: Actor,
    area_id: int | None,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    target_guided_pct: int | None = None,
    target_all_five_pct: int | None = None,
    target_online_dossier_pct: int | None = None,
) -> int:
    require_role(actor, *MANAGER_ROLES)
    name = normalize_text(name)
    problems: list[FieldProblem] = []
    if not name:
        problems.append(FieldProblem("name", "err.required"))
    elif len(name) > 200:
        problems.append(FieldProblem("name", "team.err_too_long", {"max": 200}))
    if area_id is None:
        problems.append(FieldProblem("area", "err.required"))
    if starts_on is None:
        problems.append(FieldProblem("starts_on", "err.required"))
    if ends_on is None:
        problems.append(FieldProblem("ends_on", "err.required"))
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems.append(FieldProblem("ends_on", "quota.err_end_before_start"))
    _check_pct(problems, "target_guided_pct", target_guided_pct)
    _check_pct(problems, "target_all_five_pct", target_all_five_pct)
    _check_pct(problems, "target_online_dossier_pct", target_online_dossier_pct)
    if problems:
        raise ValidationFailed(problems)
    area = get_area_in_scope(session, actor, area_id)
    campaign = Campaign(
        area_id=area.id,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        target_guided_pct=target_guided_pct,
        target_all_five_pct=target_all_five_pct,
        target_online_dossier_pct=target_online_dossier_pct,
        created_at=utcnow(),
    )
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        user_id=actor.user_id,
        action="campaign.created",
        entity="campaign",
        entity_id=campaign.id,
        area_id=area.id,
        details={"name": name, "starts_on": starts_on, "ends_on": ends_on},
    )
    return campaign.id


# ---------------------------------------------------------------- quota owners


def _owner_area_path(session: Session, owner_kind: str, owner_id: int) -> tuple[str, str] | None:
    """(area path that places the owner, display name), or None when there is no such owner."""
    if owner_kind == "member":
        row = session.exec(
            select(Area.path, Member.full_name)
            .join(Team, Team.area_id == Area.id)
            .join(Member, Member.team_id == Team.id)
            .where(Member.id == owner_id)
        ).first()
    elif owner_kind == "team":
        row = session.exec(
            select(Area.path, Team.name).join(Team, Team.area_id == Area.id).where(Team.id == owner_id)
        ).first()
    elif owner_kind == "area":
        row = session.exec(
            select(Area.path, Area.name).where(Area.id == owner_id, Area.level == AreaLevel.VILLAGE.value)
        ).first()
    else:
        row = None
    return (row[0], row[1]) if row else None


def _owner_column(owner_kind: str):
    return {"member": Quota.member_id, "team": Quota.team_id, "area": Quota.area_id}[owner_kind]


def _validate_metric(problems: list[FieldProblem], metric: str, skill: str | None) -> None:
    if metric not in METRICS:
        problems.append(FieldProblem("metric", "err.invalid_choice"))
    elif metric == QuotaMetric.SKILL_MASTERED:
        if not skill:
            problems.append(FieldProblem("skill", "quota.err_skill_required"))
        elif skill not in {s.value for s in SKILLS}:
            problems.append(FieldProblem("skill", "err.invalid_choice"))


def _upsert_quota(
    session: Session,
    campaign_id: int,
    owner_kind: str,
    owner_id: int,
    metric: str,
    skill: str | None,
    target: int,
) -> int:
    column = _owner_column(owner_kind)
    quota = session.exec(
        select(Quota).where(
            Quota.campaign_id == campaign_id,
            column == owner_id,
            Quota.metric == metric,
            Quota.skill.is_(None) if skill is None else Quota.skill == skill,
        )
    ).scalar()
    if quota is None:
        quota = Quota(campaign_id=campaign_id, metric=metric, skill=skill, target=target)
        setattr(quota, column.key, owner_id)
    quota.target = target
    session.add(quota)
    session.flush()
    return quota.id


@entry(Act.CAMPAIGN_MANAGE)
def set_quota(
    session: Session,
    *,
    actor: Actor,
    campaign_id: int,
    owner_kind: str,
    owner_id: int | None,
    metric: str,
    target: int | None,
    skill: str | None = None,
) -> int:
    """Create or change one quota (one per campaign × owner × metric × skill)."""
    campaign, area = _campaign_for(session, actor, campaign_id, write=True)
    skill = skill or None if metric == QuotaMetric.SKILL_MASTERED else None
    problems: list[FieldProblem] = []
    _validate_metric(problems, metric, skill)
    if target is None:
        problems.append(FieldProblem("target", "err.required"))
    elif target < 0:
        problems.append(FieldProblem("target", "quota.err_negative"))
    owner = _owner_area_path(session, owner_kind, owner_id) if owner_id is not None else None
    if owner_id is None:
        problems.append(FieldProblem("owner", "err.required"))
    elif owner is None or not owner[0].startswith(area.path):
        problems.append(FieldProblem("owner", "quota.err_owner_outside"))
    if problems:
        raise ValidationFailed(problems)
    if not owner[0].startswith(actor.area_path):
        raise PermissionDenied("err.out_of_scope")
    quota_id = _upsert_quota(session, campaign.id, owner_kind, owner_id, metric, skill, int(target))
    audit.record(
        session,
        user_id=actor.user_id,
        action="quota.set",
        entity="quota",
        entity_id=quota_id,
        area_id=area.id,
        details={
            "owner": owner_kind,
            "owner_id": owner_id,
            "metric": metric,
            "skill": skill,
            "target": target,
        },
    )
    return quota_id


@entry(Act.CAMPAIGN_MANAGE)
def delete_quota(session: Session, *, actor: Actor, quota_id: int) -> None:
    quota = session.get(Quota, quota_id)
    if quota is None:
        raise NotFound()
    _campaign, area = _campaign_for(session, actor, quota.campaign_id, write=True)
    details = {"metric": quota.metric, "skill": quota.skill, "target": quota.target}
    session.delete(quota)
    audit.record(
        session,
        user_id=actor.user_id,
        action="quota.deleted",
        entity="quota",
        entity_id=quota_id,
        area_id=area.id,
        details=details,
    )
    session.flush()


# ---------------------------------------------------------------- progress


def pace(progress: int, target: int, starts_on: date, ends_on: date, as_of: date) -> tuple[float, bool]:
    """(projected total at the end date, at risk): progress so far carried on linearly."""
    total_days = (ends_on - starts_on).days + 1
    elapsed = min(total_days, (as_of - starts_on).days + 1)
    if elapsed <= 0:
        return float(progress), False  # not started: no pace yet
    projected = progress * total_days / elapsed
    return projected, progress < target and projected < target


@entry(Act.CAMPAIGN_READ)
def quota_progress(
    session: Session, *, actor: Actor, campaign_id: int, as_of: date | None = None
) -> list[QuotaProgress]:
    """Every quota of the campaign with its progress (the campaign's visits up to `as_of`, default
    today) and the at-risk flag."""
    as_of = as_of or today()
    return quota_progress_by_day(session, actor=actor, campaign_id=campaign_id, days=(as_of,))[as_of]


@entry(Act.CAMPAIGN_READ)
def quota_progress_by_day(
    session: Session, *, actor: Actor, campaign_id: int, days: tuple[date, ...]
) -> dict[date, list[QuotaProgress]]:
    """`quota_progress` as of each of several days (e.g. today and a week ago), read in one pass."""
    campaign, _area = _campaign_for(session, actor, campaign_id, write=False)
    quotas = list(session.exec(select(Quota).where(Quota.campaign_id == campaign.id)).scalars())
    member_ids = sorted({q.member_id for q in quotas if q.member_id is not None})
    team_ids = sorted({q.team_id for q in quotas if q.team_id is not None})
    area_ids = sorted({q.area_id for q in quotas if q.area_id is not None})
    cutoffs = {day: min(campaign.ends_on, day) for day in days}
    by_cutoff = _progress_figures(
        session,
        member_ids,
        team_ids,
        area_ids,
        campaign.starts_on,
        max(cutoffs.values()),
        set(cutoffs.values()),
    )
    names = _owner_names(session, member_ids, team_ids, area_ids)
    order = {k: i for i, k in enumerate(OWNER_KINDS)}
    result = {}
    for day, cutoff in cutoffs.items():
        by_owner = by_cutoff[cutoff]
        out = []
        for q in quotas:
            kind, owner_id = _owner_of(q)
            progress = by_owner[kind][owner_id][progress_counts.figure_key(q.metric, q.skill)]
            projected, at_risk = pace(progress, q.target, campaign.starts_on, campaign.ends_on, day)
            out.append(
                QuotaProgress(
                    q.id,
                    kind,
                    owner_id,
                    names[(kind, owner_id)],
                    q.metric,
                    q.skill,
                    q.target,
                    progress,
                    round(projected, 1),
                    at_risk,
                )
            )
        result[day] = sorted(
            out, key=lambda p: (order[p.owner_kind], sort_key(p.owner_name), p.metric, p.skill or "")
        )
    return result


def _owner_of(quota: Quota) -> tuple[str, int]:
    if quota.member_id is not None:
        return "member", quota.member_id
    if quota.team_id is not None:
        return "team", quota.team_id
    return "area", quota.area_id


def _progress_figures(
    session: Session, member_ids, team_ids, area_ids, starts_on: date, ends_on: date, cutoffs: set[date]
) -> dict[date, dict[str, progress_counts.Figures]]:
    """Cut-off day -> owner kind -> owner id -> figure key -> count, each over the owner's own visits of
    the period up to that day (one pass over the visits up to `ends_on`, the latest cut-off)."""
    out: dict[date, dict[str, progress_counts.Figures]] = {c: {} for c in cutoffs}
    histories: dict[int, progress_counts.Mastery] = {}  # residents' replayed skill histories, shared
    for kind, ids, visits in (
        ("member", member_ids, progress_counts.member_visits),
        ("team", team_ids, progress_counts.team_visits),
        ("area", area_ids, progress_counts.village_visits),
    ):
        found = {}
        if ids:
            found = progress_counts.figures_by_day(
                session, visits(list(ids), starts_on, ends_on), sorted(cutoffs), histories
            )
        for cutoff in cutoffs:
            out[cutoff][kind] = defaultdict(lambda: defaultdict(int), found.get(cutoff, {}))
    return out


def _owner_names(session: Session, member_ids, team_ids, area_ids) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    if member_ids:
        for i, n in session.exec(select(Member.id, Member.full_name).where(Member.id.in_(member_ids))).all():
            names[("member", i)] = n
    if team_ids:
        for i, n in session.exec(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all():
            names[("team", i)] = n
    if area_ids:
        for i, n in session.exec(select(Area.id, Area.name).where(Area.id.in_(area_ids))).all():
            names[("area", i)] = n
    return names


# ---------------------------------------------------------------- cascade


def split_total(total: int, weights: list) -> list[int]:
    """Split `total` in proportion to `weights` with largest-remainder rounding: the parts sum to
    `total` exactly. All-zero weights split evenly; ties go to the larger weight, then the first."""
    if total < 0:
        raise ValueError("total must not be negative")
    if not weights:
        return []
    fractions = [Fraction(w) for w in weights]
    whole = sum(fractions)
    if whole <= 0:
        fractions, whole = [Fraction(1)] * len(weights), Fraction(len(weights))
    exact = [total * w / whole for w in fractions]
    parts = [floor(x) for x in exact]
    left = total - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), -fractions[i], i))
    for i in order[:left]:
        parts[i] += 1
    return parts


@entry(Act.CAMPAIGN_READ)
def default_total(session: Session, *, actor: Actor, campaign_id: int, metric: str) -> int | None:
    """The campaign area's total implied by the campaign's targets (None when it sets none)."""
    campaign, area = _campaign_for(session, actor, campaign_id, write=False)
    counts = session.get(RollupArea, area.id)
    households = counts.households if counts else 0
    residents = counts.residents if counts else 0
    if metric == QuotaMetric.HOUSEHOLDS_VISITED:
        return households
    pct = {
        QuotaMetric.RESIDENTS_GUIDED: campaign.target_guided_pct,
        QuotaMetric.ALL_FIVE: campaign.target_all_five_pct,
        QuotaMetric.SKILL_MASTERED: campaign.target_all_five_pct,
    }.get(metric)
    if pct is None:
        return None
    return -(-residents * pct // 100)  # rounded up: 80% of 101 residents is 81 people


def _units(session: Session, area: Area, owner_kind: str, team_id: int | None) -> list[tuple[int, str, dict]]:
    """The owners a cascade splits into, with their weights per method: (id, name, weights)."""
    village_counts = {
        i: (int(h or 0), int(r or 0), name)
        for i, name, h, r in session.exec(
            select(Area.id, Area.name, RollupArea.households, RollupArea.residents)
            .outerjoin(RollupArea, RollupArea.area_id == Area.id)
            .where(Area.path.like(area.path + "%"), Area.level == AreaLevel.VILLAGE.value)
        ).all()
    }
    if owner_kind == "area":
        return [
            (i, name, {"households": h, "residents": r, "even": 1})
            for i, (h, r, name) in sorted(village_counts.items(), key=lambda kv: sort_key(kv[1][2]))
        ]
    team_query = (
        select(Team.id, Team.name)
        .join(Area, Area.id == Team.area_id)
        .where(Team.active.is_(True), Area.path.like(area.path + "%"))
    )
    if team_id is not None:
        team_query = team_query.where(Team.id == team_id)
    teams = dict(session.exec(team_query).all())
    links = session.exec(
        select(TeamVillage.team_id, TeamVillage.village_id).where(
            TeamVillage.team_id.in_(list(teams) or [-1])
        )
    ).all()
    sharing: dict[int, int] = defaultdict(int)
    for _t, v in links:
        sharing[v] += 1
    team_weights: dict[int, dict] = {t: {"households": Fraction(0), "residents": Fraction(0)} for t in teams}
    for t, v in links:
        if v in village_counts:  # a village shared by several teams weighs on each by its share
            h, r, _ = village_counts[v]
            team_weights[t]["households"] += Fraction(h, sharing[v])
            team_weights[t]["residents"] += Fraction(r, sharing[v])
    if owner_kind == "team":
        return [
            (t, name, {**team_weights[t], "even": 1})
            for t, name in sorted(teams.items(), key=lambda kv: sort_key(kv[1]))
        ]
    members = session.exec(
        select(Member.id, Member.full_name, Member.team_id).where(
            Member.team_id.in_(list(teams) or [-1]), Member.active.is_(True)
        )
    ).all()
    size: dict[int, int] = defaultdict(int)
    for _m, _n, t in members:
        size[t] += 1
    return [
        (
            m,
            name,
            {
                "households": team_weights[t]["households"] / size[t],
                "residents": team_weights[t]["residents"] / size[t],
                "even": 1,
            },
        )
        for m, name, t in sorted(members, key=lambda row: person_sort_key(row[1]))
    ]


@entry(Act.CAMPAIGN_MANAGE)
def propose_cascade(
    session: Session,
    *,
    actor: Actor,
    campaign_id: int,
    metric: str,
    owner_kind: str,
    method: str,
    total: int | None,
    skill: str | None = None,
    team_id: int | None = None,
) -> CascadeProposal:
    """Split `total` over the campaign area's villages, teams or members (or one team's members)."""
    campaign, area = _campaign_for(session, actor, campaign_id, write=False)
    skill = skill or None if metric == QuotaMetric.SKILL_MASTERED else None
    problems: list[FieldProblem] = []
    _validate_metric(problems, metric, skill)
    if owner_kind not in OWNER_KINDS:
        problems.append(FieldProblem("owner_kind", "err.invalid_choice"))
    if method not in SPLIT_METHODS:
        problems.append(FieldProblem("method", "err.invalid_choice"))
    if total is None:
        problems.append(FieldProblem("total", "err.required"))
    elif total < 0:
        problems.append(FieldProblem("total", "quota.err_negative"))
    if problems:
        raise ValidationFailed(problems)
    if team_id is not None:
        _check_team_in(session, area, team_id)
    units = _units(session, area, owner_kind, team_id)
    parts = split_total(int(total), [w[method] for _i, _n, w in units])
    rows = [
        CascadeRow(i, name, Fraction(w[method]), part)
        for (i, name, w), part in zip(units, parts, strict=True)
    ]
    return CascadeProposal(campaign.id, metric, skill, owner_kind, method, int(total), rows)


def _check_team_in(session: Session, area: Area, team_id: int) -> None:
    owner = _owner_area_path(session, "team", team_id)
    if owner is None or not owner[0].startswith(area.path):
        raise ValidationFailed([FieldProblem("team", "quota.err_owner_outside")])


@entry(Act.CAMPAIGN_MANAGE)
def save_cascade(
    session: Session,
    *,
    actor: Actor,
    campaign_id: int,
    metric: str,
    owner_kind: str,
    targets: list[tuple[int, int | None]],
    total: int,
    skill: str | None = None,
    accept_changed_total: bool = False,
) -> int:
    """Write one quota per (owner, target) in the caller's one transaction, after checking every row and
    that the parts still add up to `total` (unless the coordinator accepts the changed total)."""
    campaign, area = _campaign_for(session, actor, campaign_id, write=True)
    skill = skill or None if metric == QuotaMetric.SKILL_MASTERED else None
    problems: list[FieldProblem] = []
    _validate_metric(problems, metric, skill)
    if owner_kind not in OWNER_KINDS:
        problems.append(FieldProblem("owner_kind", "err.invalid_choice"))
        raise ValidationFailed(problems)
    seen: set[int] = set()
    for line, (owner_id, target) in enumerate(targets, start=1):
        owner = _owner_area_path(session, owner_kind, owner_id)
        if owner is None or owner_id in seen or not owner[0].startswith(area.path):
            problems.append(FieldProblem("targets", "quota.err_owner_outside", line=line))
        seen.add(owner_id)
        if target is None:
            problems.append(FieldProblem("targets", "err.required", line=line))
        elif target < 0:
            problems.append(FieldProblem("targets", "quota.err_negative", line=line))
    if not problems:
        new_total = sum(int(t) for _o, t in targets)
        if new_total != total and not accept_changed_total:
            problems.append(
                FieldProblem("total", "quota.err_total_changed", {"sum": new_total, "total": total})
            )
    if problems:
        raise ValidationFailed(problems)
    for owner_id, target in targets:
        _upsert_quota(session, campaign.id, owner_kind, owner_id, metric, skill, int(target))
    audit.record(
        session,
        user_id=actor.user_id,
        action="quota.cascade_saved",
        entity="campaign",
        entity_id=campaign.id,
        area_id=area.id,
        details={
            "owner": owner_kind,
            "metric": metric,
            "skill": skill,
            "total": total,
            "saved_total": sum(int(t) for _o, t in targets),
            "rows": len(targets),
        },
    )
    return len(targets)


@entry(Act.CAMPAIGN_READ)
def quota_owner_options(
    session: Session, *, actor: Actor, campaign_id: int, owner_kind: str
) -> list[tuple[int, str]]:
    """Owners a quota of this campaign can be given to: (id, name)."""
    _campaign, area = _campaign_for(session, actor, campaign_id, write=False)
    return [(i, name) for i, name, _w in _units(session, area, owner_kind, None)]


@entry(Act.CAMPAIGN_MANAGE)
def campaign_areas(session: Session, *, actor: Actor) -> list[tuple[int, str, str]]:
    """Provinces and communes in the actor's scope a campaign can cover: (id, name, level)."""
    require_role(actor, *MANAGER_ROLES)
    rows = session.exec(
        select(Area.id, Area.name, Area.level).where(
            Area.path.like(actor.area_path + "%"),
            Area.level.in_([AreaLevel.PROVINCE.value, AreaLevel.COMMUNE.value]),
        )
    ).all()
    return sorted(((int(i), n, lv) for i, n, lv in rows), key=lambda a: (a[2] != "province", sort_key(a[1])))
