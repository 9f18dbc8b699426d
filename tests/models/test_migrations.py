"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel

import models.tables  # noqa: F401
from models.db import make_engine
from models.migrate import current_revision, head_revision, upgrade_to_head


def test_models_match_the_migrated_schema(engine):
    """`engine` was built by the real migrations: autogenerate must find nothing to add or change."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    assert current_revision(engine) == head_revision()


def test_upgrade_on_an_empty_sqlite_file_creates_every_table(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    upgrade_to_head(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    upgrade_to_head(engine)  # running again is harmless
    assert current_revision(engine) == head_revision()


def test_sqlite_connections_are_tuned_for_concurrent_tablets(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragma.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_audit_log_is_append_only_in_the_database(engine):
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, action, entity, details)"
                " VALUES (CURRENT_TIMESTAMP, 'x', 'y', '{}')"
            )
        )
    for statement in ("UPDATE audit_log SET action = 'changed'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_log")).scalars().all() == ["x"]


def test_0005_backfills_households_reached_exactly(tmp_path):
    """An existing database (demo data at revision 0004) upgrades to a households_reached rollup that
    equals a recount from the raw rows, at every level of the area tree."""
    from alembic import command
    from sqlalchemy import func, select

    from demo.seed import seed_database
    from models.db import write_session
    from models.migrate import alembic_config
    from models.tables import Household, RollupArea
    from services.rollups import recount as rollups

    engine = make_engine(f"sqlite:///{tmp_path / 'upgrade.sqlite'}")
    upgrade_to_head(engine)
    seed_database(engine, scale="demo", seed=7)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")  # compare() reads the newer rollups too
    with write_session(engine) as session:
        assert rollups.compare(session) == []
        reached = session.exec(
            select(func.count()).where(Household.status == "active", Household.last_visited_on.is_not(None))
        ).scalar_one()
        top = session.exec(select(func.max(RollupArea.households_reached))).scalar_one()
    assert reached > 0
    assert top == reached  # the province row holds every household of the demo


def test_0002_fills_sort_name_from_its_frozen_copy(tmp_path):
    """Revision 0002 carries its own copy of the Vietnamese sort order (it imports no application code);
    that copy orders every demo resident exactly as the application does today."""
    import importlib.util

    from sqlalchemy import select

    from core.settings import PROJECT_ROOT
    from core.text import person_sort_name
    from demo.seed import seed_database
    from models.db import read_session
    from models.tables import Resident

    path = PROJECT_ROOT / "migrations" / "versions" / "0002_resident_sort_name.py"
    spec = importlib.util.spec_from_file_location("revision_0002", path)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    engine = make_engine(f"sqlite:///{tmp_path / 'sortname.sqlite'}")
    upgrade_to_head(engine)
    seed_database(engine, scale="demo", seed=3)
    with read_session(engine) as session:
        names = session.exec(select(Resident.full_name)).scalars().all()
    names += ["H'Hen Niê", "Ksor H'Lan", "Nguyễn Thị Thuỷ", "Nguyễn Thị Thủy", "  hoà  ", "", "Đặng Văn Ân"]
    assert len(names) > 100
    assert [n for n in names if revision.person_sort_name(n) != person_sort_name(n)] == []


def test_0006_and_0007_backfill_the_overview_rollups_exactly(engine):
    """A database populated at revision 0005 (demo data) upgrades to rollup_cohort, rollup_outcome,
    household.last_outcome (0006), resident_skill.mastered_on, rollup_dated and rollup_conversion (0007)
    that equal a full recount from the raw rows, on SQLite and PostgreSQL."""
    from alembic import command
    from sqlalchemy import func, select

    from demo.seed import seed_database
    from models.db import write_session
    from models.migrate import alembic_config
    from models.tables import Household, ResidentSkill, RollupArea, RollupCohort, RollupOutcome
    from services.rollups import recount as rollups

    seed_database(engine, scale="demo", seed=5)
    mastered_sql = select(ResidentSkill.resident_id, ResidentSkill.skill, ResidentSkill.mastered_on).order_by(
        ResidentSkill.resident_id, ResidentSkill.skill
    )
    with write_session(engine) as session:
        expected = rollups.recount(session)
        mastered = session.exec(mastered_sql).all()
    assert expected["rollup_dated"] and expected["rollup_conversion"]
    assert sum(1 for _r, _s, day in mastered if day is not None) > 100
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    # Going down to 0005 drops the satisfaction ratings (0008) the demo data holds: none come back.
    expected["rollup_team_rating"] = {}
    expected["rollup_dated"] = {
        k: v for k, v in expected["rollup_dated"].items() if not k[1].startswith("rating_")
    }
    # … and the dossier kinds (0009): the activity rollups keep only the dossiers' total.
    for table in ("rollup_area_week", "rollup_member_day"):
        kept = {
            k: {c: n for c, n in v.items() if c not in ("dossiers_full", "dossiers_partial")}
            for k, v in expected[table].items()
        }
        expected[table] = {k: v for k, v in kept.items() if v}
    with write_session(engine) as session:
        assert rollups.compare(session) == []
        assert rollups.stored(session) == expected
        assert session.exec(mastered_sql).all() == mastered  # the day each level-3 run began
        top = session.exec(select(RollupArea).order_by(RollupArea.residents.desc())).scalars().first()
        cohort_total = session.exec(
            select(func.sum(RollupCohort.residents)).where(RollupCohort.area_id == top.area_id)
        ).scalar_one()
        reached = session.exec(
            select(func.sum(RollupOutcome.households)).where(RollupOutcome.area_id == top.area_id)
        ).scalar_one()
        with_outcome = session.exec(
            select(func.count()).where(Household.status == "active", Household.last_outcome.is_not(None))
        ).scalar_one()
    assert cohort_total == top.residents > 0
    assert reached == top.households_reached == with_outcome > 0
