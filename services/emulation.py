"""The emulation board (thi đua, issue #11): villages and teams ranked by progress against their own
targets, with this week's movers.

Definitions:
- an owner's own targets are its quotas in the campaign: a village's are its area quotas, a team's its
  team quotas (member quotas are not ranked here);
- share = Σ min(progress, target) / Σ target over the owner's quotas (services.teams.campaigns counts the
  progress, as the overview's quota fulfilment does), so each owner is measured against its own size and a
  small village can win;
- villages are ranked among villages and teams among teams, separately, over the owners that lie in both
  the viewed area and the campaign's area (a village by its place, a team by its area);
- ranks compare the shares exactly (as fractions): equal shares share a rank, standard competition
  ranking (1, 1, 3), and both rows are marked `tied`;
- an owner with no quota (or only quotas of target 0) has no target: it is listed after the ranked ones
  with rank None, never dropped — every village and active team in scope appears;
- a week ago: the same shares as of 7 days before `as_of` (the same quotas, the progress of then), and the
  rank then among the same owners; None when the campaign had not begun a week ago. Movers are the ranked
  owners whose share rose most over those 7 days (up to MOVERS of each kind).

Who sees what: leaders, coordinators and admins read the campaigns of their subtree and may view their own
area or any area below it. A volunteer cannot read campaigns (services.teams.campaigns.READER_ROLES), so
this service reads a campaign on their behalf — only a campaign whose area holds their team's area — and
returns nothing but their own team's row and its place ("rank k of n" among the teams of the volunteer's
own area): no other team's or village's figures, and no movers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy import select
from sqlmodel import Session

from core.clock import today
from core.text import sort_key
from models.enums import AreaLevel, Role
from models.tables import Area, Campaign, Team
from services.access import Actor, ancestor_ids, get_area_in_scope, require_role
from services.errors import NotFound, PermissionDenied
from services.permissions import Act, entry, roles_of
from services.teams import campaigns
from services.teams.campaigns import CampaignRow

BOARD_ROLES = roles_of(Act.EMULATION)
KINDS = ("area", "team")  # quota owner kinds ranked here: villages, teams
MOVERS = 3
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class BoardRow:
    """One village (kind "area") or team on the board. `rank` is None when it has no target."""

    kind: str
    owner_id: int
    name: str
    rank: int | None
    tied: bool  # another owner of the same kind has exactly the same share
    progress_capped: int  # Σ min(progress, target)
    target: int  # Σ target (0: no target set)
    share: float | None
    rank_week_ago: int | None = None
    progress_capped_week_ago: int | None = None

    @property
    def share_week_ago(self) -> float | None:
        if self.progress_capped_week_ago is None or not self.target:
            return None
        return self.progress_capped_week_ago / self.target

    @property
    def rank_change(self) -> int | None:
        """Places climbed since a week ago (negative: places lost)."""
        if self.rank is None or self.rank_week_ago is None:
            return None
        return self.rank_week_ago - self.rank

    @property
    def gain(self) -> Fraction | None:
        """The share gained since a week ago, exactly."""
        if self.progress_capped_week_ago is None or not self.target:
            return None
        return Fraction(self.progress_capped - self.progress_capped_week_ago, self.target)

    @property
    def points_change(self) -> float | None:
        """The share gained since a week ago, in percentage points."""
        gain = self.gain
        return None if gain is None else float(100 * gain)


@dataclass(frozen=True)
class Ranking:
    """One kind's board: ranked rows first (rank, then name), then the rows with no target (by name).
    `ranked` is how many have a target (the "n" of "rank k of n")."""

    kind: str
    rows: tuple[BoardRow, ...]
    ranked: int
    movers: tuple[BoardRow, ...] = ()


@dataclass(frozen=True)
class Board:
    campaign_id: int
    campaign_name: str
    area_id: int
    area_name: str
    as_of: date
    week_ago: date | None  # None: the campaign had not begun 7 days before `as_of`
    villages: Ranking
    teams: Ranking
    team_only: bool = False  # a volunteer's board: their own team's row only


# ---------------------------------------------------------------- choices for the page


@entry(Act.EMULATION)
def board_campaigns(session: Session, *, actor: Actor) -> list[CampaignRow]:
    """The campaigns the actor may open a board for: a reader's campaigns (services.teams.campaigns),
    a volunteer's the active campaigns whose area holds their team's area (the active one first)."""
    require_role(actor, *BOARD_ROLES)
    if not actor.is_volunteer:
        return campaigns.list_campaigns(session, actor=actor)
    team_path = _team_path(session, actor.team_id)
    if team_path is None:
        return []
    rows = session.exec(
        select(Campaign, Area)
        .join(Area, Area.id == Campaign.area_id)
        .where(Campaign.active.is_(True), Area.id.in_(ancestor_ids(team_path)))
    ).all()
    out = [
        CampaignRow(
            c.id,
            c.name,
            a.id,
            a.name,
            c.starts_on,
            c.ends_on,
            c.target_guided_pct,
            c.target_all_five_pct,
            c.target_online_dossier_pct,
            c.active,
        )
        for c, a in rows
    ]
    return sorted(out, key=lambda c: (-c.starts_on.toordinal(), sort_key(c.name)))


@entry(Act.EMULATION)
def board_areas(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """Areas a reader may view the board of: their own, then the districts and communes below it
    (id, name). A volunteer's board is always their own area's: none to choose."""
    require_role(actor, *BOARD_ROLES)
    if actor.is_volunteer:
        return []
    below = session.exec(
        select(Area.id, Area.name).where(
            Area.path.like(actor.area_path + "_%"),
            Area.level.in_([AreaLevel.DISTRICT.value, AreaLevel.COMMUNE.value]),
        )
    ).all()
    lower = sorted(((int(i), n) for i, n in below), key=lambda a: sort_key(a[1]))
    return [(actor.area_id, actor.area_name), *lower]


# ---------------------------------------------------------------- the board


@entry(Act.EMULATION)
def emulation_board(
    session: Session,
    *,
    actor: Actor,
    campaign_id: int,
    area_id: int | None = None,
    as_of: date | None = None,
) -> Board:
    """The board of `campaign_id` for `area_id` (default: the actor's own area) as of `as_of` (default
    today; never past the campaign's end). Refused (PermissionDenied "err.out_of_scope") for an area or a
    campaign outside the actor's scope; a volunteer gets only their own team's row (see the module)."""
    require_role(actor, *BOARD_ROLES)
    reader, campaign = _reader_and_campaign(session, actor, campaign_id)
    area = _viewed_area(session, actor, area_id)
    campaign_path = session.get(Area, campaign.area_id).path
    base = _common_path(area.path, campaign_path)
    as_of = min(as_of or today(), campaign.ends_on)
    week_ago = as_of - WEEK if as_of - WEEK >= campaign.starts_on else None
    days = (as_of,) if week_ago is None else (as_of, week_ago)
    by_day = campaigns.quota_progress_by_day(session, actor=reader, campaign_id=campaign.id, days=days)
    owners = _owners(session, base, by_day[as_of]) if base is not None else {k: {} for k in KINDS}
    now = _totals(by_day[as_of], owners)
    before = _totals(by_day[week_ago], owners) if week_ago is not None else None
    rankings = {
        kind: _ranking(kind, owners[kind], now[kind], None if before is None else before[kind])
        for kind in KINDS
    }
    villages, teams = rankings["area"], rankings["team"]
    if actor.is_volunteer:
        own = tuple(r for r in teams.rows if r.owner_id == actor.team_id)
        villages, teams = Ranking("area", (), 0), Ranking("team", own, teams.ranked)
    return Board(
        campaign.id,
        campaign.name,
        area.id,
        area.name,
        as_of,
        week_ago,
        villages,
        teams,
        team_only=actor.is_volunteer,
    )


def _reader_and_campaign(session: Session, actor: Actor, campaign_id: int) -> tuple[Actor, Campaign]:
    """The actor that reads the campaign's quotas, and the campaign. A reader reads as themselves (the
    campaign service checks its scope); a volunteer through a reader scoped to the campaign's area, once
    the campaign is known to hold their team's area."""
    if not actor.is_volunteer:
        campaigns.get_campaign(session, actor=actor, campaign_id=campaign_id)  # role and scope
        return actor, session.get(Campaign, campaign_id)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound()
    team_path = _team_path(session, actor.team_id)
    area = session.get(Area, campaign.area_id)
    if team_path is None or not team_path.startswith(area.path):
        raise PermissionDenied("err.out_of_scope")
    on_behalf = replace(
        actor,
        role=Role.LEADER,
        area_id=area.id,
        area_path=area.path,
        area_code=area.code,
        area_name=area.name,
        area_level=area.level,
        team_id=None,
        member_id=None,
        village_ids=(),
        village_paths=(),
    )
    return on_behalf, campaign


def _viewed_area(session: Session, actor: Actor, area_id: int | None) -> Area:
    """A reader's chosen area (inside their subtree); a volunteer's own area only."""
    if actor.is_volunteer:
        if area_id not in (None, actor.area_id):
            raise PermissionDenied("err.out_of_scope")
        return session.get(Area, actor.area_id)
    return get_area_in_scope(session, actor, area_id if area_id is not None else actor.area_id)


def _team_path(session: Session, team_id: int | None) -> str | None:
    if team_id is None:
        return None
    query = select(Area.path).join(Team, Team.area_id == Area.id).where(Team.id == team_id)
    return session.exec(query).scalar()


def _common_path(a: str, b: str) -> str | None:
    """The deeper of two area paths when one lies under the other (their common subtree), else None."""
    if a.startswith(b):
        return a
    if b.startswith(a):
        return b
    return None


def _owners(session: Session, base: str, rows: list) -> dict[str, dict[int, str]]:
    """Kind -> owner id -> name: every village under `base`, and every team placed under it that is
    active or holds a quota of the campaign."""
    villages = session.exec(
        select(Area.id, Area.name).where(Area.level == AreaLevel.VILLAGE.value, Area.path.like(base + "%"))
    ).all()
    quota_teams = {r.owner_id for r in rows if r.owner_kind == "team"}
    teams = session.exec(
        select(Team.id, Team.name, Team.active)
        .join(Area, Area.id == Team.area_id)
        .where(Area.path.like(base + "%"))
    ).all()
    return {
        "area": {int(i): name for i, name in villages},
        "team": {int(i): name for i, name, active in teams if active or i in quota_teams},
    }


def _totals(rows: list, owners: dict[str, dict[int, str]]) -> dict[str, dict[int, tuple[int, int]]]:
    """Kind -> owner id -> (Σ min(progress, target), Σ target) over the owner's quotas."""
    out: dict[str, dict[int, tuple[int, int]]] = {k: defaultdict(lambda: (0, 0)) for k in KINDS}
    for r in rows:
        if r.owner_kind in out and r.owner_id in owners[r.owner_kind]:
            capped, target = out[r.owner_kind][r.owner_id]
            out[r.owner_kind][r.owner_id] = (capped + min(r.progress, r.target), target + r.target)
    return out


def competition_ranks(shares: dict[int, Fraction]) -> dict[int, tuple[int, bool]]:
    """Owner -> (rank, tied): standard competition ranking of exact shares, highest first (1, 1, 3)."""
    first_place: dict[Fraction, int] = {}
    for place, share in enumerate(sorted(shares.values(), reverse=True), start=1):
        first_place.setdefault(share, place)
    count = Counter(shares.values())
    return {owner: (first_place[s], count[s] > 1) for owner, s in shares.items()}


def _ranking(
    kind: str,
    names: dict[int, str],
    now: dict[int, tuple[int, int]],
    before: dict[int, tuple[int, int]] | None,
) -> Ranking:
    with_target = {o: now[o] for o in names if now[o][1] > 0}
    ranks = competition_ranks({o: Fraction(c, t) for o, (c, t) in with_target.items()})
    ranks_before = (
        competition_ranks({o: Fraction(before[o][0], t) for o, (_c, t) in with_target.items()})
        if before is not None
        else {}
    )
    rows = []
    for owner, name in names.items():
        capped, target = now[owner]
        rank, tied = ranks.get(owner, (None, False))
        rows.append(
            BoardRow(
                kind,
                owner,
                name,
                rank,
                tied,
                capped,
                target,
                capped / target if target else None,
                ranks_before.get(owner, (None, False))[0],
                before[owner][0] if before is not None and target else None,
            )
        )
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, sort_key(r.name)))
    risers = [r for r in rows if r.gain is not None and r.gain > 0]
    risers.sort(key=lambda r: (-r.gain, -(r.rank_change or 0), r.rank, sort_key(r.name)))
    return Ranking(kind, tuple(rows), len(with_target), tuple(risers[:MOVERS]))
