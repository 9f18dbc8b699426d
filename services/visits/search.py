"""One search box for the tablet: a resident's name (diacritics optional), household code, address or
the last digits of a phone, limited to the actor's scope and fast at a province's scale.

How it stays fast: the scope is resolved first to a list of villages. A small scope (a team's villages,
a commune) is read through the household village index and every candidate is ranked in SQL. A wide
scope (a province) cannot be scanned per keystroke, so it asks the indexed searches first (name key
starting with the whole query, phone tail, code) and scans only as far as needed to fill the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select
from sqlmodel import Session

from core.text import normalize_text, search_key
from models.tables import Area, Household, Resident, RollupArea, Visit
from services.access import Actor
from services.permissions import Act, authorize, entry
from services.visits.worklist import scope_village_ids, subtree_range

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MIN_PHONE_DIGITS = 3
MATCHES_SHOWN = 3
# Above this many residents in scope, ranking every candidate in SQL costs too much per keystroke.
WIDE_SCOPE_RESIDENTS = 60_000

# Ranks (lower is better) and what matched.
RANK_CODE = 0
RANK_NAME_EXACT = 1
RANK_NAME_PREFIX = 2
RANK_PHONE = 3
RANK_CODE_PREFIX = 3
RANK_NAME_WORD_STARTS = 4
RANK_NAME_ANYWHERE = 5
RANK_ADDRESS_WORD_STARTS = 6
RANK_ADDRESS_ANYWHERE = 7
RANK_CODE_TAIL = 8

_PHONE_CHARS = re.compile(r"[\s.\-+()]")


@dataclass(frozen=True)
class ResidentMatch:
    resident_id: int
    full_name: str
    birth_year: int | None
    phone_tail: str | None  # last 4 digits, enough to recognise it


@dataclass(frozen=True)
class SearchHit:
    household_id: int
    code: str
    village_id: int
    village_name: str
    address: str
    head_name: str | None
    matched_on: str  # "code" | "name" | "phone" | "address"
    rank: int  # lower is a better match
    residents: list[ResidentMatch] = field(default_factory=list)  # residents that matched (a few)
    resident_names: list[str] = field(default_factory=list)  # active residents, head first
    last_visited_on: date | None = None  # latest active visit of any outcome (None: never visited)
    last_outcome: str | None = None  # that visit's outcome
    follow_up_on: date | None = None  # the follow-up date that visit set

    def revisit_due(self, on: date) -> bool:
        """A follow-up date that is `on` or passed."""
        return self.follow_up_on is not None and self.follow_up_on <= on


@dataclass
class _Query:
    text: str
    key: str
    words: list[str]
    digits: str | None  # the query as phone digits, if it is one
    code: str  # the query as a household code (upper case, no spaces)


def _parse(query: str) -> _Query:
    text = normalize_text(query)
    key = search_key(text)
    compact = _PHONE_CHARS.sub("", text)
    digits = compact if compact.isdigit() and len(compact) >= MIN_PHONE_DIGITS else None
    if digits and digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return _Query(text, key, key.split(), digits, re.sub(r"\s+", "", text).upper())


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(column, pattern: str):
    return column.like(pattern, escape="\\")


def _prefix_range(column, prefix: str):
    """Indexed `column LIKE 'prefix%'` (SQLite's case-insensitive LIKE cannot use a plain index)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper, _like(column, _escape(prefix) + "%"))


def _word_start(column, word: str):
    w = _escape(word)
    return or_(_like(column, w + "%"), _like(column, "% " + w + "%"))


def _anywhere(column, word: str):
    return _like(column, "%" + _escape(word) + "%")


class _Scope:
    """Where to look: village ids, and whether the scope is too wide to rank every candidate."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.actor = actor
        self.village_ids = scope_village_ids(session, actor)
        if actor.is_volunteer:
            counted = self.village_ids
        else:
            counted = [actor.area_id]
        residents = session.exec(
            select(func.coalesce(func.sum(RollupArea.residents), 0)).where(RollupArea.area_id.in_(counted))
        ).scalar_one()
        self.wide = int(residents) > WIDE_SCOPE_RESIDENTS and not actor.is_volunteer

    def households(self):
        """Conditions that keep a Household row inside the scope."""
        if self.wide:
            lo, hi = subtree_range(self.actor.area_path)
            villages = select(Area.id).where(Area.path >= lo, Area.path < hi)
            return (Household.village_id.in_(villages), Household.status == "active")
        return (Household.village_id.in_(self.village_ids), Household.status == "active")


@entry(Act.VISIT_FIND)
def search_households(
    session: Session, *, actor: Actor, query: str, limit: int = DEFAULT_LIMIT
) -> list[SearchHit]:
    """Households matching what was typed, best first, never outside the actor's scope.

    Matches: any active resident's name with or without diacritics (every query word must appear in
    the name; the whole query at the start of the name ranks first, words at word starts next),
    the household code (exact, prefix, or the part after the village code such as "H0012"), the
    address, and the last digits of a resident's phone (3 digits or more). Volunteers search their
    team's villages, everyone else their area's subtree.
    """
    authorize(actor, Act.VISIT_FIND)
    limit = max(1, min(int(limit), MAX_LIMIT))
    q = _parse(query)
    if not q.key and not q.digits:
        return []
    scope = _Scope(session, actor)
    if not scope.village_ids:
        return []
    best: dict[int, tuple[int, int, str]] = {}  # household -> (rank, order found, matched on)

    def take(rows, matched_on: str) -> None:
        for household_id, rank in rows:
            current = best.get(household_id)
            if current is None or rank < current[0]:
                best[household_id] = (int(rank), len(best), matched_on)

    def enough() -> bool:
        return len(best) >= limit

    take(_by_code(session, scope, q, limit), "code")
    if q.digits:
        take(_by_phone(session, scope, q, limit), "phone")
    if not q.digits:
        if scope.wide:
            take(_by_name_prefix(session, scope, q, limit), "name")
            if not enough():
                take(_by_name_scan(session, scope, q, limit, ranked=False), "name")
        else:
            take(_by_name_scan(session, scope, q, limit, ranked=True), "name")
        if not scope.wide or not enough():
            take(_by_address(session, scope, q, limit, ranked=not scope.wide), "address")
    # Ties keep the order each search returned them in (its own best-first order).
    chosen = [(hid, (rank, on)) for hid, (rank, _n, on) in sorted(best.items(), key=lambda i: i[1][:2])][
        :limit
    ]
    return _hits(session, q, chosen)


# ---------------------------------------------------------------- the individual searches


def _by_code(session: Session, scope: _Scope, q: _Query, limit: int):
    if not q.code or len(q.code) > 40:
        return []
    rank = case(
        (Household.code == q.code, RANK_CODE),
        else_=case((_like(Household.code, _escape(q.code) + "%"), RANK_CODE_PREFIX), else_=RANK_CODE_TAIL),
    )
    matches = [_prefix_range(Household.code, q.code)]
    if not scope.wide and len(q.code) >= 2:
        # "H0012" or "0012" for "A1-H0012": the tail after the village code.
        matches.append(_like(Household.code, "%" + _escape(q.code)))
    return session.exec(
        select(Household.id, rank).where(or_(*matches), *scope.households()).order_by(rank).limit(limit)
    ).all()


def _by_phone(session: Session, scope: _Scope, q: _Query, limit: int):
    rev = q.digits[::-1]
    return session.exec(
        select(Resident.household_id, func.min(literal(RANK_PHONE)))
        .join(Household, Household.id == Resident.household_id)
        .where(_prefix_range(Resident.phone_rev, rev), Resident.status == "active", *scope.households())
        .group_by(Resident.household_id)
        .limit(limit)
    ).all()


def _name_rank(q: _Query):
    return case(
        (Resident.name_key == q.key, RANK_NAME_EXACT),
        (_like(Resident.name_key, _escape(q.key) + "%"), RANK_NAME_PREFIX),
        (and_(*[_word_start(Resident.name_key, w) for w in q.words]), RANK_NAME_WORD_STARTS),
        else_=RANK_NAME_ANYWHERE,
    )


def _by_name_prefix(session: Session, scope: _Scope, q: _Query, limit: int):
    """Indexed: the name key starts with the whole query ("nguyen thi th" -> "nguyen thi thuy")."""
    rank = _name_rank(q)
    return session.exec(
        select(Resident.household_id, func.min(rank))
        .join(Household, Household.id == Resident.household_id)
        .where(_prefix_range(Resident.name_key, q.key), Resident.status == "active", *scope.households())
        .group_by(Resident.household_id)
        .limit(limit)
    ).all()


def _by_name_scan(session: Session, scope: _Scope, q: _Query, limit: int, *, ranked: bool):
    """Every query word somewhere in the name key. Ranked: best households across the whole scope;
    unranked (wide scope): the first households found, ranked among themselves."""
    rank = _name_rank(q)
    statement = (
        select(Resident.household_id, func.min(rank).label("rank"))
        .join(Household, Household.id == Resident.household_id)
        .where(*[_anywhere(Resident.name_key, w) for w in q.words], Resident.status == "active")
        .where(*scope.households())
        .group_by(Resident.household_id)
    )
    if ranked:
        statement = statement.order_by(func.min(rank), func.min(Resident.name_key), Resident.household_id)
    return session.exec(statement.limit(limit)).all()


def _by_address(session: Session, scope: _Scope, q: _Query, limit: int, *, ranked: bool):
    if not q.words:
        return []
    rank = case(
        (and_(*[_word_start(Household.address_key, w) for w in q.words]), RANK_ADDRESS_WORD_STARTS),
        else_=RANK_ADDRESS_ANYWHERE,
    )
    statement = select(Household.id, rank).where(
        *[_anywhere(Household.address_key, w) for w in q.words], *scope.households()
    )
    if ranked:
        statement = statement.order_by(rank, Household.address_key, Household.id)
    return session.exec(statement.limit(limit)).all()


# ---------------------------------------------------------------- results as plain data


def _resident_matches(q: _Query, name_key: str, phone_rev: str | None) -> bool:
    if q.digits:
        return bool(phone_rev) and phone_rev.startswith(q.digits[::-1])
    return bool(q.words) and all(w in name_key for w in q.words)


def _hits(session: Session, q: _Query, chosen: list[tuple[int, tuple[int, str]]]) -> list[SearchHit]:
    if not chosen:
        return []
    ids = [household_id for household_id, _ in chosen]
    households = {
        h.id: (h, name)
        for h, name in session.exec(
            select(Household, Area.name)
            .join(Area, Area.id == Household.village_id)
            .where(Household.id.in_(ids))
        ).all()
    }
    last_visits = _last_visits(session, ids)
    residents: dict[int, list[Resident]] = {}
    for r in session.exec(
        select(Resident)
        .where(Resident.household_id.in_(ids), Resident.status == "active")
        .order_by(Resident.is_head.desc(), Resident.id)
    ).scalars():
        residents.setdefault(r.household_id, []).append(r)
    out = []
    for household_id, (rank, matched_on) in chosen:
        household, village_name = households[household_id]
        people = residents.get(household_id, [])
        head = next((r.full_name for r in people if r.is_head), None)
        matched = [
            ResidentMatch(r.id, r.full_name, r.birth_year, r.phone[-4:] if r.phone else None)
            for r in people
            if matched_on in ("name", "phone") and _resident_matches(q, r.name_key, r.phone_rev)
        ][:MATCHES_SHOWN]
        last = last_visits.get(household_id)
        out.append(
            SearchHit(
                household_id=household.id,
                code=household.code,
                village_id=household.village_id,
                village_name=village_name,
                address=household.address,
                head_name=head,
                matched_on=matched_on,
                rank=rank,
                residents=matched,
                resident_names=[r.full_name for r in people],
                last_visited_on=last.visited_on if last else None,
                last_outcome=last.outcome if last else None,
                follow_up_on=last.follow_up_on if last else None,
            )
        )
    return out


def _last_visits(session: Session, household_ids: list[int]) -> dict:
    """Household id -> its latest active visit (day, outcome, follow-up), the one that sets the
    household's last visit and follow-up dates. One query over the few households on the page."""
    out = {}
    for row in session.exec(
        select(Visit.household_id, Visit.visited_on, Visit.outcome, Visit.follow_up_on)
        .where(Visit.household_id.in_(household_ids), Visit.status == "active")
        .order_by(Visit.household_id, Visit.visited_on.desc(), Visit.id.desc())
    ).all():
        out.setdefault(row.household_id, row)
    return out
