"""Satisfaction after guidance (issue #11): the 1–5 ratings residents gave at active visits, read from
the rollups for a period — an area's from rollup_dated ("rating_1" … "rating_5", by the visit's village
and day, carried up the tree), a team's from rollup_team_rating (the visit's team). The overview holds
them (`Overview.satisfaction`, `Overview.satisfaction_rows`); the report and the page show them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from core.text import sort_key
from models.tables import RollupDated, RollupTeamRating
from services.rollups.contributions import RATING_MEASURES, SCORES

SCORE_OF_MEASURE = {measure: score for score, measure in RATING_MEASURES.items()}


@dataclass(frozen=True)
class Ratings:
    """Residents who gave each score, 1 to 5, in a period."""

    by_score: tuple[int, ...] = (0,) * len(SCORES)

    @classmethod
    def of(cls, counts: Mapping[int, int]) -> Ratings:
        return cls(tuple(int(counts.get(score, 0)) for score in SCORES))

    @property
    def count(self) -> int:
        return sum(self.by_score)

    @property
    def average(self) -> float | None:
        """The mean score (None with no rating)."""
        n = self.count
        return sum(score * k for score, k in zip(SCORES, self.by_score, strict=True)) / n if n else None

    @property
    def satisfied_share(self) -> float | None:
        """Of the ratings, the share of 4 and 5 ("hài lòng" or better)."""
        n = self.count
        return (self.by_score[3] + self.by_score[4]) / n if n else None


@dataclass(frozen=True)
class RatingRow:
    """One area below the viewed one, or one team, with its ratings in the period."""

    owner: str  # area | team
    owner_id: int
    name: str
    ratings: Ratings


def from_dated(dated: Mapping[tuple[str, date], int], start: date, end: date) -> Ratings:
    """The ratings among rollup_dated figures already read ((measure, day) -> count)."""
    counts: dict[int, int] = defaultdict(int)
    for (measure, day), n in dated.items():
        score = SCORE_OF_MEASURE.get(measure)
        if score is not None and start <= day <= end:
            counts[score] += n
    return Ratings.of(counts)


def area_rows(
    session: Session, parts: Mapping[int, tuple[str, Iterable[int]]], start: date, end: date
) -> tuple[tuple[RatingRow, ...], int]:
    """Each area's ratings in the period: `parts` maps an area id to (its name, the rollup rows that make
    it up — itself, or a volunteer's team villages inside it). Returns the rows (in the given order) and
    how many rollup rows were read."""
    wanted = {i for _name, ids in parts.values() for i in ids}
    if not wanted:
        return (), 0
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    read = 0
    for area_id, measure, n, rows in session.exec(
        select(RollupDated.area_id, RollupDated.measure, func.sum(RollupDated.count), func.count())
        .where(
            RollupDated.area_id.in_(sorted(wanted)),
            RollupDated.measure.in_(sorted(SCORE_OF_MEASURE)),
            RollupDated.day.between(start, end),
        )
        .group_by(RollupDated.area_id, RollupDated.measure)
    ).all():
        counts[area_id][SCORE_OF_MEASURE[measure]] += int(n)
        read += int(rows)
    out = []
    for owner_id, (name, ids) in parts.items():
        total: dict[int, int] = defaultdict(int)
        for i in ids:
            for score, n in counts.get(i, {}).items():
                total[score] += n
        out.append(RatingRow("area", owner_id, name, Ratings.of(total)))
    return tuple(out), read


def team_rows(
    session: Session, teams: Mapping[int, str], start: date, end: date
) -> tuple[tuple[RatingRow, ...], int]:
    """Each team's ratings in the period (a team with none has a row of zeros: "no rating yet" is worth
    seeing), in Vietnamese order of names, and how many rollup rows were read."""
    if not teams:
        return (), 0
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    read = 0
    for team_id, score, n, rows in session.exec(
        select(
            RollupTeamRating.team_id,
            RollupTeamRating.score,
            func.sum(RollupTeamRating.residents),
            func.count(),
        )
        .where(RollupTeamRating.team_id.in_(sorted(teams)), RollupTeamRating.day.between(start, end))
        .group_by(RollupTeamRating.team_id, RollupTeamRating.score)
    ).all():
        counts[team_id][int(score)] = int(n)
        read += int(rows)
    rows_out = [
        RatingRow("team", team_id, teams[team_id], Ratings.of(counts.get(team_id, {})))
        for team_id in sorted(teams, key=lambda tid: (sort_key(teams[tid]), tid))
    ]
    return tuple(rows_out), read
