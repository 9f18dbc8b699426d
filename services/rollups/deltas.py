"""Applying contribution differences to the rollup rows: the village's row and every ancestor's, in
the writer's transaction, one upsert statement per table in a fixed row order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from models.tables import Area
from services.access import ancestor_ids
from services.rollups.contributions import AREA_LESS, TABLES, Contribution


class Deltas:
    """Accumulates contribution differences, then writes them (village and every ancestor) in one go."""

    def __init__(self) -> None:
        self.changes: dict[tuple[str, tuple, str], int] = defaultdict(int)

    def add(self, contribution: Contribution, sign: int = 1) -> None:
        for key, value in contribution.items():
            self.changes[key] += sign * value

    def diff(self, before: Contribution, after: Contribution) -> None:
        self.add(before, -1)
        self.add(after, +1)

    def apply(self, session: Session) -> None:
        pending = {k: v for k, v in self.changes.items() if v}
        self.changes.clear()
        if not pending:
            return
        paths = _area_paths(
            session, {_area_of(table, key) for (table, key, _c) in pending if table not in AREA_LESS}
        )
        rows: dict[tuple[str, tuple], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (table, key, column), value in pending.items():
            if table == "rollup_member_day" or table in AREA_LESS:
                rows[(table, key)][column] += value
                continue
            for ancestor in ancestor_ids(paths[_area_of(table, key)]):
                rows[(table, (ancestor, *key[1:]))][column] += value
        # One statement per table, its rows in a fixed order: concurrent writers on PostgreSQL take
        # the row locks in the same order and cannot deadlock.
        batches: dict[str, list[tuple[tuple, dict[str, int]]]] = defaultdict(list)
        for (table, key), values in sorted(rows.items(), key=lambda item: (item[0][0], str(item[0][1]))):
            values = {c: v for c, v in values.items() if v}
            if values:
                batches[table].append((key, values))
        for table, batch in batches.items():
            _upsert_many(session, table, batch)


def _area_of(table: str, key: tuple) -> int:
    return key[2] if table == "rollup_member_day" else key[0]


def _area_paths(session: Session, area_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(area_ids))
    return dict(session.exec(select(Area.id, Area.path).where(Area.id.in_(ids))).all())


_UPSERTS: dict[tuple[str, str], object] = {}


def _upsert_statement(dialect: str, table: str):
    """INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c over every value column, built once per
    dialect and table (building `excluded` is costly) so that its compiled form is cached too."""
    statement = _UPSERTS.get((dialect, table))
    if statement is None:
        model, key_columns, value_columns = TABLES[table]
        insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert_fn(model.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=list(key_columns),
            set_={c: model.__table__.c[c] + statement.excluded[c] for c in value_columns},
        )
        _UPSERTS[(dialect, table)] = statement
    return statement


def _upsert_many(session: Session, table: str, batch: list[tuple[tuple, dict[str, int]]]) -> None:
    """Add counts to many rows of one rollup table in one executemany (absent columns add 0)."""
    _model, key_columns, value_columns = TABLES[table]
    params = [
        dict(zip(key_columns, key, strict=True)) | {c: values.get(c, 0) for c in value_columns}
        for key, values in batch
    ]
    session.exec(_upsert_statement(session.get_bind().dialect.name, table), params=params)


def upsert_add(session: Session, table: str, key: tuple, values: dict[str, int]) -> None:
    _upsert_many(session, table, [(key, values)])
