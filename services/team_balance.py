"""Balancing villages across teams: households per member evened out by moving villages one at a time
(swapping two only when no single move helps), keeping only the moves that narrow the gap between the
busiest and the idlest team by at least half a household per member.

Plain data in, plain data out (no database): `teams.propose_balance` feeds it and explains the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import lcm

Holders = dict[int, tuple[int, ...]]  # village id -> the teams it is assigned to
Changes = tuple[tuple[int, int], ...]  # (village id, new team id) made together
# A move is worth its disruption (new households for a team, new faces for the residents) only if the
# gap narrows by at least this many households per member.
MIN_GAIN = Fraction(1, 2)


@dataclass(frozen=True)
class Crew:
    """A team as the balance sees it: active members, and the village it is named for (a village team's
    own village stays with it)."""

    members: int
    own_village: int | None = None


def households_per_member(households: dict[int, int], holders: Holders, teams: dict[int, Crew]) -> dict:
    """Team id -> households per member (exact); a village held by several teams loads each with its share."""
    load = dict.fromkeys(teams, Fraction(0))
    for village_id, team_ids in holders.items():
        for team_id in team_ids:
            load[team_id] += Fraction(households[village_id], len(team_ids))
    return {t: load[t] / teams[t].members for t in teams}


def gap(per_member: dict) -> Fraction:
    """The imbalance shown to the coordinator: busiest minus idlest team, in households per member."""
    values = list(per_member.values())
    return max(values) - min(values) if values else Fraction(0)


def rebalance(households: dict[int, int], holders: Holders, teams: dict[int, Crew]) -> dict[int, int]:
    """The villages to (re)assign, village id -> team id. A village with no team always gets one (the
    team that keeps the teams most even); a village held by one team moves only if undoing that move
    alone would widen the gap by `MIN_GAIN` or more; a shared village and a village team's own village
    stay where they are. Empty when no move narrows the gap enough and every village has a team."""
    if not teams:
        return {}
    scale = _Scale(households, holders, teams)
    held = {v: ts for v, ts in holders.items() if ts}
    fixed = {v: ts for v, ts in held.items() if len(ts) > 1 or teams[ts[0]].own_village == v}
    before = {v: ts[0] for v, ts in held.items() if v not in fixed}
    settled = {}  # unassigned villages whose own village team takes them
    for village_id in households.keys() - held.keys():
        owner = next((t for t in sorted(teams) if teams[t].own_village == village_id), None)
        if owner is not None:
            settled[village_id] = owner
            fixed[village_id] = (owner,)
    base = scale.loads(fixed)
    free = _place_unassigned(scale, base, dict(before), households.keys() - held.keys() - settled.keys())
    free = _improve(scale, base, free)
    free = _prune(scale, base, free, before)
    moves = {v: t for v, t in free.items() if before.get(v) != t}
    only_reassigned = moves.keys() <= before.keys() and not settled
    if only_reassigned and not scale.narrows(
        scale.gap(scale.add(base, before)), scale.gap(scale.add(base, free))
    ):
        return {}  # every village has a team and nothing narrows the gap enough
    return moves | settled


class _Scale:
    """Exact integer arithmetic for the search: loads in units of 1/`share` household, per-member
    figures multiplied by the members' least common multiple."""

    def __init__(self, households: dict[int, int], holders: Holders, teams: dict[int, Crew]) -> None:
        self.teams = sorted(teams)
        self.share = lcm(1, *(len(ts) for ts in holders.values() if ts))
        self.units = {v: h * self.share for v, h in households.items()}
        common = lcm(*(teams[t].members for t in self.teams))
        self.weight = {t: common // teams[t].members for t in self.teams}
        self.per_household = self.share * common  # one household per member, in scaled units

    def loads(self, holders: Holders) -> dict[int, int]:
        load = dict.fromkeys(self.teams, 0)
        for village_id, team_ids in holders.items():
            for team_id in team_ids:
                load[team_id] += self.units[village_id] // len(team_ids)
        return load

    def add(self, base: dict[int, int], single: dict[int, int]) -> dict[int, int]:
        load = dict(base)
        for village_id, team_id in single.items():
            load[team_id] += self.units[village_id]
        return load

    def shifted(self, load: dict[int, int], single: dict[int, int], changes: Changes) -> dict[int, int]:
        """`load` after each village in `changes` leaves its team in `single` (if any) for the new one."""
        out = dict(load)
        for village_id, team_id in changes:
            old = single.get(village_id)
            if old is not None:
                out[old] -= self.units[village_id]
            out[team_id] += self.units[village_id]
        return out

    def narrows(self, wider: int, narrower: int) -> bool:
        """Whether going from gap `wider` to gap `narrower` gains at least `MIN_GAIN`."""
        return wider - narrower >= MIN_GAIN * self.per_household

    def gap(self, load: dict[int, int]) -> int:
        per = [load[t] * self.weight[t] for t in self.teams]
        return max(per) - min(per)

    def key(self, load: dict[int, int]) -> tuple[int, int]:
        """(gap, spread): the gap first; between equal gaps, the more even spread (n·Σx² − (Σx)²)."""
        per = [load[t] * self.weight[t] for t in self.teams]
        return max(per) - min(per), len(per) * sum(x * x for x in per) - sum(per) ** 2


def _place_unassigned(scale: _Scale, base: dict, free: dict[int, int], villages) -> dict[int, int]:
    """Each village without a team, largest first, onto the team that leaves the teams most even."""
    for village_id in sorted(villages, key=lambda v: (-scale.units[v], v)):
        load = scale.add(base, free)
        best = min(scale.teams, key=lambda t: (scale.key(scale.shifted(load, free, ((village_id, t),))), t))
        free = {**free, village_id: best}
    return free


def _moves(free: dict[int, int], teams: list[int]) -> Iterator[Changes]:
    """Every move of one free village to another team."""
    for village_id in sorted(free):
        for team_id in teams:
            if team_id != free[village_id]:
                yield ((village_id, team_id),)


def _swaps(free: dict[int, int]) -> Iterator[Changes]:
    """Every exchange of two free villages between their teams."""
    for a, b in combinations(sorted(free), 2):
        if free[a] != free[b]:
            yield ((a, free[b]), (b, free[a]))


def _best(scale: _Scale, load: dict, free: dict[int, int], candidates, current: tuple):
    """The candidate with the lowest (gap, spread) below `current`, the fewest households moved among
    equals: (key, changes, load), or None."""
    best, best_rank = None, None
    for changes in candidates:
        trial = scale.shifted(load, free, changes)
        key = scale.key(trial)
        rank = (key, sum(scale.units[v] for v, _t in changes))
        if key < current and (best_rank is None or rank < best_rank):
            best, best_rank = (key, changes, trial), rank
    return best


def _improve(scale: _Scale, base: dict, free: dict[int, int]) -> dict[int, int]:
    """Steepest descent on (gap, spread) by single moves; a swap (two moves) only when no single move
    helps and the swap itself narrows the gap by `MIN_GAIN`."""
    load = scale.add(base, free)
    current = scale.key(load)
    for _step in range(4 * len(free) + 10):
        step = _best(scale, load, free, _moves(free, scale.teams), current)
        if step is None:
            step = _best(scale, load, free, _swaps(free), current)
            if step is not None and not scale.narrows(current[0], step[0][0]):
                step = None
        if step is None:
            break
        current, changes, load = step
        free = {**free, **dict(changes)}
    return free


def _prune(scale: _Scale, base: dict, free: dict[int, int], before: dict[int, int]) -> dict[int, int]:
    """Undo, smallest village first, every move whose undoing alone would not widen the gap by
    `MIN_GAIN`."""
    while True:
        load = scale.add(base, free)
        width = scale.gap(load)
        moved = sorted((v for v in before if free[v] != before[v]), key=lambda v: (scale.units[v], v))
        for village_id in moved:
            trial = scale.shifted(load, free, ((village_id, before[village_id]),))
            if not scale.narrows(scale.gap(trial), width):
                free = {**free, village_id: before[village_id]}
                break
        else:
            return free
