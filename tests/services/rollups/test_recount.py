"""The full recount: it finds a tampered rollup row, and a rebuild repairs it."""

from models.db import read_session, write_session
from models.tables import RollupArea
from services.rollups import recount as rollups
from tests import factories as f


def test_recount_detects_a_tampered_rollup(engine):
    ids = f.create_tree(engine)
    hh = f.create_household(engine, village_id=ids["A1"])
    f.create_resident(engine, household_id=hh)
    with read_session(engine) as s:
        assert rollups.compare(s) == []
    with write_session(engine) as s:
        row = s.get(RollupArea, ids["A"])
        row.residents += 1
        s.add(row)
    with read_session(engine) as s:
        diffs = rollups.compare(s)
    assert [(d.table, d.key, d.column, d.stored, d.expected) for d in diffs] == [
        ("rollup_area", (ids["A"],), "residents", 2, 1)
    ]
    with write_session(engine) as s:
        rollups.rebuild(s)
    with read_session(engine) as s:
        assert rollups.compare(s) == []
