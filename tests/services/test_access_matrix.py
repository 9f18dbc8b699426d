"""The access matrix, generated from the one declaration (services.permissions): every service entry
point × every role × inside and outside the user's area.

- A role the declaration does not allow is refused (PermissionDenied) on both sides, and nothing is
  written.
- An allowed role succeeds inside its area, and what it gets back names nothing of the other commune.
- Outside the area (a target in commune B), the call is refused (PermissionDenied or NotFound) or,
  for a list that scopes itself, returns nothing of commune B; nothing is written either way.

Every name in commune B carries the marker "Beta", so a leak shows in what a call returns. "Nothing
written" is checked by a fingerprint of every table's rows before and after the call (committed or
not). A new entry point without a recipe here fails test_every_entry_point_has_a_recipe; a new public
service function that takes an actor without @entry fails test_every_service_entry_point_is_declared.
"""

from __future__ import annotations

import ast
import hashlib
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

import services
from core.clock import today
from core.settings import PROJECT_ROOT
from models.db import make_engine, read_session, write_session
from models.enums import Role
from services import (
    app_settings,
    areas,
    audit_view,
    auth,
    backup,
    drafts,
    emulation,
    import_template,
    overview,
    preferences,
    reports,
    sheet_entry,
    summary,
)
from services.access import Actor
from services.errors import NotFound, PermissionDenied, ValidationFailed
from services.people import admin, consent, erasure, export, households, registry
from services.people.importing import apply as importing
from services.permissions import ENTRY_POINTS, RULES, Act, Scope
from services.printing import certificates, documents
from services.rollups import dashboard
from services.teams import campaigns, teams
from services.visits import corrections, queries, record, search, worklist
from services.visits.record import ResidentInput, VisitInput
from tests import factories as f
from webui.registry import PAGES

MARKER = "beta"
ROLES = (Role.ADMIN, Role.COORDINATOR, Role.LEADER, Role.VOLUNTEER)
NEW_PASSWORD = "another-horse-22"


# ---------------------------------------------------------------- the world


def _build(engine: Engine) -> dict[str, Any]:
    """Province P; commune A (villages A1, A2) where every tested user works; commune B (village B1),
    whose every name carries the marker. Households, residents, teams, members, visits, campaigns with
    a quota, paper sheets and a draft on both sides."""
    w: dict[str, Any] = {}
    w["P"] = f.create_area(engine, code="MP", name="Tỉnh Thử", level="province")
    w["A"] = f.create_area(engine, code="MA", name="Xã An", level="commune", parent_code="MP")
    w["B"] = f.create_area(engine, code="MB", name="Xã Beta", level="commune", parent_code="MP")
    w["A1"] = f.create_area(engine, code="MA1", name="Thôn Một", level="village", parent_code="MA")
    w["A2"] = f.create_area(engine, code="MA2", name="Thôn Hai", level="village", parent_code="MA")
    w["B1"] = f.create_area(engine, code="MB1", name="Thôn Beta", level="village", parent_code="MB")
    for side, village in (("a", "A1"), ("b", "B1")):
        place = "Một" if side == "a" else "Beta"
        w[f"h{side}"] = f.create_household(
            engine, village_id=w[village], code=f"HM{side}1", address=f"Xóm {place}"
        )
        w[f"h{side}2"] = f.create_household(
            engine, village_id=w[village], code=f"HM{side}2", address=f"Ngõ {place}"
        )
        w[f"r{side}"] = f.create_resident(engine, household_id=w[f"h{side}"], full_name=f"Nguyễn {place} An")
        w[f"r{side}2"] = f.create_resident(engine, household_id=w[f"h{side}"], full_name=f"Trần {place} Bình")
        w[f"r{side}3"] = f.create_resident(engine, household_id=w[f"h{side}2"], full_name=f"Lê {place} Cúc")
    w["ta"] = f.create_team(engine, area_id=w["A"], name="Tổ Một", village_ids=(w["A1"],))
    w["tb"] = f.create_team(engine, area_id=w["B"], name="Tổ Beta", village_ids=(w["B1"],))
    w["ma"] = f.create_member(engine, team_id=w["ta"], full_name="Hoàng Thị Mai")
    w["mb"] = f.create_member(engine, team_id=w["tb"], full_name="Hoàng Beta Mai")
    users = {
        Role.ADMIN: f.create_user(engine, role="admin", area_code="MA", username="m_admin"),
        Role.COORDINATOR: f.create_user(engine, role="coordinator", area_code="MA", username="m_coord"),
        Role.LEADER: f.create_user(engine, role="leader", area_code="MA", username="m_leader"),
        Role.VOLUNTEER: f.create_user(
            engine, role="volunteer", area_code="MA", team_id=w["ta"], username="m_vol"
        ),
    }
    w["users"] = users
    w["top_admin"] = f.create_user(engine, role="admin", area_code="MP", username="m_top")
    w["vol_b"] = f.create_user(engine, role="volunteer", area_code="MB", team_id=w["tb"], username="beta_vol")
    w["coord_b"] = f.create_user(engine, role="coordinator", area_code="MB", username="beta_coord")
    top = f.actor_for(engine, w["top_admin"])
    with write_session(engine) as s:
        app_settings.set_public_base_url(s, actor=top, url="https://5b3h.example.vn")
    for side, coord_id, vol_id in (
        ("a", users[Role.COORDINATOR], users[Role.VOLUNTEER]),
        ("b", w["coord_b"], w["vol_b"]),
    ):
        coord, vol = f.actor_for(engine, coord_id), f.actor_for(engine, vol_id)
        commune, village = (w["A"], w["A1"]) if side == "a" else (w["B"], w["B1"])
        with write_session(engine) as s:
            w[f"v{side}"] = record.record_visit(
                s, actor=vol, data=_visit(f"seed-{side}", w[f"h{side}"], w[f"r{side}"])
            )
        with write_session(engine) as s:
            name = "Chiến dịch Một" if side == "a" else "Chiến dịch Beta"
            w[f"c{side}"] = campaigns.create_campaign(
                s,
                actor=coord,
                area_id=commune,
                name=name,
                starts_on=today() - timedelta(days=30),
                ends_on=today() + timedelta(days=30),
                target_guided_pct=80,
            )
        with write_session(engine) as s:
            w[f"q{side}"] = campaigns.set_quota(
                s,
                actor=coord,
                campaign_id=w[f"c{side}"],
                owner_kind="area",
                owner_id=village,
                metric="households_visited",
                target=2,
            )
        with write_session(engine) as s:
            w[f"s{side}"] = documents.visit_sheets_document(s, actor=coord, village_id=village).sheet_ids[0]
        with write_session(engine) as s:
            drafts.save_draft(s, actor=vol, household_id=w[f"h{side}"], data={"notes": "nháp"})
    return w


def _visit(key: str, household_id: int, resident_id: int) -> VisitInput:
    return VisitInput(
        idempotency_key=key,
        visited_on=today() - timedelta(days=1),
        place="home",
        outcome="done",
        household_id=household_id,
        residents=[ResidentInput(resident_id, guidance={"guide_pay"}, levels={"pay": 1})],
    )


@pytest.fixture(scope="module")
def world_file(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("access-matrix") / "world.sqlite"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    w = _build(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, w


@pytest.fixture(scope="module")
def shared(world_file):
    """One copy for the calls that must write nothing (refusals): a call that writes shows in the
    fingerprint of that call, whatever others did before."""
    path, w = world_file
    copy = path.with_name("shared.sqlite")
    shutil.copy(path, copy)
    engine = make_engine(f"sqlite:///{copy}")
    yield engine, w
    engine.dispose()


@pytest.fixture
def fresh(world_file, tmp_path):
    """A copy of its own for a call that may succeed (and write)."""
    path, w = world_file
    copy = tmp_path / "fresh.sqlite"
    shutil.copy(path, copy)
    engine = make_engine(f"sqlite:///{copy}")
    yield engine, w
    engine.dispose()


def fingerprint(engine: Engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY rowid')):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


# ---------------------------------------------------------------- the recipes


@dataclass
class Call:
    engine: Engine
    session: Any
    actor: Actor
    w: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.w[key]


Recipe = Callable[[Call], Any]


def _period(c: Call):
    return overview.this_week()


def _own_area(c: Call) -> int:
    """Commune A; for a volunteer, their team's village (a volunteer reports on a village)."""
    return c["A1"] if c.actor.is_volunteer else c["A"]


def _iter(c: Call, area: str):
    return list(export.iter_rows(c.session, actor=c.actor, area_id=c[area]))


def _export(c: Call, area: str):
    out = io.BytesIO()
    export.export_residents(c.session, actor=c.actor, out=out, fmt="csv", area_id=c[area])
    return out.getvalue()


def _import_csv(village_code: str) -> bytes:
    return f"Mã hộ,Thôn,Họ và tên,Năm sinh\nHN9,{village_code},Phạm Văn Nhập,1985\n".encode()


def _openers(c: Call):
    return (lambda: read_session(c.engine)), (lambda: write_session(c.engine))


def _change_password(c: Call):
    read, write = _openers(c)
    return auth.change_password(read=read, write=write, actor=c.actor, current=f.PASSWORD, new=NEW_PASSWORD)


def _member(name: str):
    return teams.MemberInput(full_name=name, kind="youth_union")


def _sheet_rows(c: Call, side: str):
    return [sheet_entry.SheetRowInput(household_id=c[f"h{side}"], outcome="nobody_home")]


def _cascade(c: Call, side: str):
    return campaigns.propose_cascade(
        c.session,
        actor=c.actor,
        campaign_id=c[f"c{side}"],
        metric="households_visited",
        owner_kind="area",
        method="even",
        total=4,
    )


def _save_cascade(c: Call, side: str):
    village = c["A1"] if side == "a" else c["B1"]
    return campaigns.save_cascade(
        c.session,
        actor=c.actor,
        campaign_id=c[f"c{side}"],
        metric="residents_guided",
        owner_kind="area",
        targets=[(village, 2)],
        total=2,
    )


def _first_leaflet() -> str:
    from services.printing.content import get_catalogue

    return next(iter(get_catalogue().leaflets))


# name -> (inside, outside). `outside` None: the entry point has no target outside the actor's own
# account (Scope.OWN) or area; the inside call's result is still checked for the marker.
RECIPES: dict[str, tuple[Recipe, Recipe | None]] = {
    "services.app_settings:set_public_base_url": (
        lambda c: app_settings.set_public_base_url(c.session, actor=c.actor, url="https://5b3h.example.vn/x"),
        None,
    ),
    "services.areas:create_area": (
        lambda c: areas.create_area(
            c.session, actor=c.actor, code="MA9", name="Thôn Chín", level="village", parent_code="MA"
        ),
        lambda c: areas.create_area(
            c.session, actor=c.actor, code="MB9", name="Thôn Chín", level="village", parent_code="MB"
        ),
    ),
    "services.areas:find_areas": (
        lambda c: areas.find_areas(c.session, actor=c.actor, query="Thon"),
        lambda c: areas.find_areas(c.session, actor=c.actor, query="Beta"),
    ),
    "services.areas:import_areas_csv": (
        lambda c: areas.import_areas_csv(
            c.session, actor=c.actor, data=b"code,name,level,parent_code\nMA8,Thon Tam,village,MA\n"
        ),
        lambda c: areas.import_areas_csv(
            c.session, actor=c.actor, data=b"code,name,level,parent_code\nMB8,Thon Tam,village,MB\n"
        ),
    ),
    "services.areas:list_children": (
        lambda c: areas.list_children(c.session, actor=c.actor, parent_id=c["A"]),
        lambda c: areas.list_children(c.session, actor=c.actor, parent_id=c["B"]),
    ),
    "services.areas:list_children_with_counts": (
        lambda c: areas.list_children_with_counts(c.session, actor=c.actor, parent_id=c["A"]),
        lambda c: areas.list_children_with_counts(c.session, actor=c.actor, parent_id=c["B"]),
    ),
    "services.areas:list_subtree": (
        lambda c: areas.list_subtree(c.session, actor=c.actor, level="village"),
        None,
    ),
    "services.areas:move_area": (
        lambda c: areas.move_area(c.session, actor=c.actor, area_id=c["A2"], new_parent_code="MA"),
        lambda c: areas.move_area(c.session, actor=c.actor, area_id=c["B1"], new_parent_code="MA"),
    ),
    "services.areas:rename_area": (
        lambda c: areas.rename_area(c.session, actor=c.actor, area_id=c["A2"], name="Thôn Hai Mới"),
        lambda c: areas.rename_area(c.session, actor=c.actor, area_id=c["B1"], name="Thôn Ba Mới"),
    ),
    "services.audit_view:export_audit": (
        lambda c: audit_view.export_audit(c.session, actor=c.actor, filters=audit_view.AuditFilter()).data,
        lambda c: audit_view.export_audit(
            c.session, actor=c.actor, filters=audit_view.AuditFilter(area_id=c["B"])
        ),
    ),
    "services.audit_view:list_audit": (
        lambda c: audit_view.list_audit(c.session, actor=c.actor, filters=audit_view.AuditFilter()),
        lambda c: audit_view.list_audit(
            c.session, actor=c.actor, filters=audit_view.AuditFilter(area_id=c["B"])
        ),
    ),
    "services.audit_view:user_choices": (lambda c: audit_view.user_choices(c.session, actor=c.actor), None),
    "services.auth:change_own_password": (
        lambda c: auth.change_own_password(c.session, actor=c.actor, current=f.PASSWORD, new=NEW_PASSWORD),
        None,
    ),
    "services.auth:change_password": (_change_password, None),
    "services.auth:create_user": (
        lambda c: auth.create_user(
            c.session, actor=c.actor, username="m_new", password=NEW_PASSWORD, role="leader", area_code="MA"
        ),
        lambda c: auth.create_user(
            c.session, actor=c.actor, username="m_new", password=NEW_PASSWORD, role="leader", area_code="MB"
        ),
    ),
    "services.auth:list_users": (lambda c: auth.list_users(c.session, actor=c.actor), None),
    "services.auth:reset_password": (
        lambda c: auth.reset_password(
            c.session, actor=c.actor, user_id=c["users"][Role.VOLUNTEER], new_password=NEW_PASSWORD
        ),
        lambda c: auth.reset_password(
            c.session, actor=c.actor, user_id=c["vol_b"], new_password=NEW_PASSWORD
        ),
    ),
    "services.auth:set_active": (
        lambda c: auth.set_active(c.session, actor=c.actor, user_id=c["users"][Role.VOLUNTEER], active=False),
        lambda c: auth.set_active(c.session, actor=c.actor, user_id=c["vol_b"], active=False),
    ),
    "services.auth:sign_out": (lambda c: auth.sign_out(c.session, actor=c.actor, token=None), None),
    "services.auth:unlock_user": (
        lambda c: auth.unlock_user(c.session, actor=c.actor, user_id=c["users"][Role.VOLUNTEER]),
        lambda c: auth.unlock_user(c.session, actor=c.actor, user_id=c["vol_b"]),
    ),
    "services.backup:download_backup": (
        lambda c: backup.download_backup(c.engine, actor=c.actor, file_name="none.sqlite"),
        None,
    ),
    "services.backup:recent_backups": (lambda c: backup.recent_backups(c.session, actor=c.actor), None),
    "services.drafts:discard_draft": (
        lambda c: drafts.discard_draft(c.session, actor=c.actor, household_id=c["ha"]),
        lambda c: drafts.discard_draft(c.session, actor=c.actor, household_id=c["hb"]),
    ),
    "services.drafts:draft_of": (
        lambda c: drafts.draft_of(c.session, actor=c.actor, household_id=c["ha"]),
        lambda c: drafts.draft_of(c.session, actor=c.actor, household_id=c["hb"]),
    ),
    "services.drafts:load_draft": (
        lambda c: drafts.load_draft(c.session, actor=c.actor, household_id=c["ha"]),
        lambda c: drafts.load_draft(c.session, actor=c.actor, household_id=c["hb"]),
    ),
    "services.drafts:save_draft": (
        lambda c: drafts.save_draft(c.session, actor=c.actor, household_id=c["ha"], data={"notes": "mới"}),
        lambda c: drafts.save_draft(c.session, actor=c.actor, household_id=c["hb"], data={"notes": "mới"}),
    ),
    "services.emulation:board_areas": (lambda c: emulation.board_areas(c.session, actor=c.actor), None),
    "services.emulation:board_campaigns": (
        lambda c: emulation.board_campaigns(c.session, actor=c.actor),
        None,
    ),
    "services.emulation:emulation_board": (
        lambda c: emulation.emulation_board(c.session, actor=c.actor, campaign_id=c["ca"]),
        lambda c: emulation.emulation_board(c.session, actor=c.actor, campaign_id=c["cb"]),
    ),
    "services.import_template:example_village": (
        lambda c: import_template.example_village(c.session, actor=c.actor, area_code="MA"),
        lambda c: import_template.example_village(c.session, actor=c.actor, area_code="MB"),
    ),
    "services.overview:campaign_period": (
        lambda c: overview.campaign_period(c.session, actor=c.actor, campaign_id=c["ca"]),
        lambda c: overview.campaign_period(c.session, actor=c.actor, campaign_id=c["cb"]),
    ),
    "services.overview:overview": (
        lambda c: overview.overview(c.session, actor=c.actor, area_id=c["A"], use_cache=False),
        lambda c: overview.overview(c.session, actor=c.actor, area_id=c["B"], use_cache=False),
    ),
    "services.people.admin:find_household": (
        lambda c: admin.find_household(c.session, actor=c.actor, code="HMa1"),
        lambda c: admin.find_household(c.session, actor=c.actor, code="HMb1"),
    ),
    "services.people.admin:merge_households": (
        lambda c: admin.merge_households(c.session, actor=c.actor, loser_id=c["ha2"], survivor_id=c["ha"]),
        lambda c: admin.merge_households(c.session, actor=c.actor, loser_id=c["hb2"], survivor_id=c["hb"]),
    ),
    "services.people.admin:merge_residents": (
        lambda c: admin.merge_residents(c.session, actor=c.actor, loser_id=c["ra2"], survivor_id=c["ra"]),
        lambda c: admin.merge_residents(c.session, actor=c.actor, loser_id=c["rb2"], survivor_id=c["rb"]),
    ),
    "services.people.admin:move_resident": (
        lambda c: admin.move_resident(
            c.session, actor=c.actor, resident_id=c["ra2"], target_household_id=c["ha2"]
        ),
        lambda c: admin.move_resident(
            c.session, actor=c.actor, resident_id=c["rb2"], target_household_id=c["hb2"]
        ),
    ),
    "services.people.admin:set_household_status": (
        lambda c: admin.set_household_status(c.session, actor=c.actor, household_id=c["ha2"], status="moved"),
        lambda c: admin.set_household_status(c.session, actor=c.actor, household_id=c["hb2"], status="moved"),
    ),
    "services.people.admin:set_resident_status": (
        lambda c: admin.set_resident_status(c.session, actor=c.actor, resident_id=c["ra2"], status="moved"),
        lambda c: admin.set_resident_status(c.session, actor=c.actor, resident_id=c["rb2"], status="moved"),
    ),
    "services.people.admin:update_household": (
        lambda c: admin.update_household(
            c.session, actor=c.actor, household_id=c["ha"], values={"address": "Xóm Mới"}
        ),
        lambda c: admin.update_household(
            c.session, actor=c.actor, household_id=c["hb"], values={"address": "Xóm Mới"}
        ),
    ),
    "services.people.admin:update_resident": (
        lambda c: admin.update_resident(
            c.session, actor=c.actor, resident_id=c["ra"], values={"birth_year": 1971}
        ),
        lambda c: admin.update_resident(
            c.session, actor=c.actor, resident_id=c["rb"], values={"birth_year": 1971}
        ),
    ),
    "services.people.consent:record_consent": (
        lambda c: consent.record_consent(c.session, actor=c.actor, resident_ids=[c["ra"]], method="verbal"),
        lambda c: consent.record_consent(c.session, actor=c.actor, resident_ids=[c["rb"]], method="verbal"),
    ),
    "services.people.erasure:erase_household": (
        lambda c: erasure.erase_household(c.session, actor=c.actor, household_id=c["ha2"]),
        lambda c: erasure.erase_household(c.session, actor=c.actor, household_id=c["hb2"]),
    ),
    "services.people.erasure:erase_resident": (
        lambda c: erasure.erase_resident(c.session, actor=c.actor, resident_id=c["ra3"]),
        lambda c: erasure.erase_resident(c.session, actor=c.actor, resident_id=c["rb3"]),
    ),
    "services.people.export:count_rows": (
        lambda c: export.count_rows(c.session, actor=c.actor, area_id=c["A"]),
        lambda c: export.count_rows(c.session, actor=c.actor, area_id=c["B"]),
    ),
    "services.people.export:export_bytes": (
        lambda c: export.export_bytes(c.session, actor=c.actor, fmt="csv", area_id=c["A"]),
        lambda c: export.export_bytes(c.session, actor=c.actor, fmt="csv", area_id=c["B"]),
    ),
    "services.people.export:export_residents": (lambda c: _export(c, "A"), lambda c: _export(c, "B")),
    "services.people.export:iter_rows": (lambda c: _iter(c, "A"), lambda c: _iter(c, "B")),
    "services.people.households:add_resident": (
        lambda c: households.add_resident(
            c.session, actor=c.actor, household_id=c["ha"], full_name="Phạm Văn Cường", birth_year=1980
        ),
        lambda c: households.add_resident(
            c.session, actor=c.actor, household_id=c["hb"], full_name="Phạm Văn Cường", birth_year=1980
        ),
    ),
    "services.people.households:create_household": (
        lambda c: households.create_household(
            c.session, actor=c.actor, village_id=c["A1"], address="Xóm Mới", head_name="Đỗ Văn Dũng"
        ),
        lambda c: households.create_household(
            c.session, actor=c.actor, village_id=c["B1"], address="Xóm Mới", head_name="Đỗ Văn Dũng"
        ),
    ),
    "services.people.households:household_card": (
        lambda c: households.household_card(c.session, actor=c.actor, household_id=c["ha"]),
        lambda c: households.household_card(c.session, actor=c.actor, household_id=c["hb"]),
    ),
    "services.people.households:likely_duplicates": (
        lambda c: households.likely_duplicates(
            c.session,
            actor=c.actor,
            commune_id=c["A"],
            full_name="Nguyễn Một An",
            birth_year=1970,
            phone=None,
        ),
        lambda c: households.likely_duplicates(
            c.session,
            actor=c.actor,
            commune_id=c["B"],
            full_name="Nguyễn Beta An",
            birth_year=1970,
            phone=None,
        ),
    ),
    "services.people.importing.apply:import_residents": (
        lambda c: importing.import_residents(
            c.session, actor=c.actor, area_code="MA", data=_import_csv("MA1"), filename="a.csv"
        ),
        lambda c: importing.import_residents(
            c.session, actor=c.actor, area_code="MB", data=_import_csv("MB1"), filename="b.csv"
        ),
    ),
    "services.people.registry:count_households": (
        lambda c: registry.count_households(
            c.session, actor=c.actor, filters=registry.RegistryFilter(area_id=c["A"])
        ),
        lambda c: registry.count_households(
            c.session, actor=c.actor, filters=registry.RegistryFilter(area_id=c["B"])
        ),
    ),
    "services.people.registry:count_residents": (
        lambda c: registry.count_residents(
            c.session, actor=c.actor, filters=registry.RegistryFilter(area_id=c["A"])
        ),
        lambda c: registry.count_residents(
            c.session, actor=c.actor, filters=registry.RegistryFilter(area_id=c["B"])
        ),
    ),
    "services.people.registry:household_detail": (
        lambda c: registry.household_detail(c.session, actor=c.actor, household_id=c["ha"]),
        lambda c: registry.household_detail(c.session, actor=c.actor, household_id=c["hb"]),
    ),
    "services.people.registry:list_households": (
        lambda c: registry.list_households(
            c.session, actor=c.actor, filters=registry.RegistryFilter(area_id=c["A"])
        ),
        lambda c: registry.list_households(
            c.session, actor=c.actor, filters=registry.RegistryFilter(area_id=c["B"])
        ),
    ),
    "services.people.registry:list_residents": (
        lambda c: registry.list_residents(
            c.session, actor=c.actor, filters=registry.RegistryFilter(area_id=c["A"])
        ),
        lambda c: registry.list_residents(
            c.session, actor=c.actor, filters=registry.RegistryFilter(area_id=c["B"])
        ),
    ),
    "services.people.registry:resident_detail": (
        lambda c: registry.resident_detail(c.session, actor=c.actor, resident_id=c["ra"]),
        lambda c: registry.resident_detail(c.session, actor=c.actor, resident_id=c["rb"]),
    ),
    "services.people.registry:villages_in_scope": (
        lambda c: registry.villages_in_scope(c.session, actor=c.actor),
        None,
    ),
    "services.preferences:language_of": (lambda c: preferences.language_of(c.session, actor=c.actor), None),
    "services.preferences:set_language": (
        lambda c: preferences.set_language(c.session, actor=c.actor, language="en"),
        None,
    ),
    "services.printing.certificates:certificates_document": (
        lambda c: certificates.certificates_document(c.session, actor=c.actor, village_id=c["A1"]).missing,
        lambda c: certificates.certificates_document(c.session, actor=c.actor, village_id=c["B1"]),
    ),
    "services.printing.certificates:village_mastery": (
        lambda c: certificates.village_mastery(c.session, actor=c.actor, village_id=c["A1"]),
        lambda c: certificates.village_mastery(c.session, actor=c.actor, village_id=c["B1"]),
    ),
    "services.printing.certificates:villages_in_scope": (
        lambda c: certificates.villages_in_scope(c.session, actor=c.actor),
        None,
    ),
    "services.printing.documents:area_by_code": (
        lambda c: documents.area_by_code(c.session, actor=c.actor, code="MA"),
        lambda c: documents.area_by_code(c.session, actor=c.actor, code="MB"),
    ),
    "services.printing.documents:communes_in_scope": (
        lambda c: documents.communes_in_scope(c.session, actor=c.actor),
        None,
    ),
    "services.printing.documents:household_cards_document": (
        lambda c: len(documents.household_cards_document(c.session, actor=c.actor, village_id=c["A1"])),
        lambda c: documents.household_cards_document(c.session, actor=c.actor, village_id=c["B1"]),
    ),
    "services.printing.documents:leaflet_document": (
        lambda c: len(
            documents.leaflet_document(c.session, actor=c.actor, leaflet_id=_first_leaflet(), area_id=c["A"])
        ),
        lambda c: documents.leaflet_document(
            c.session, actor=c.actor, leaflet_id=_first_leaflet(), area_id=c["B"]
        ),
    ),
    "services.printing.documents:leaflet_place": (
        lambda c: documents.leaflet_place(c.session, actor=c.actor, area_id=c["A"]),
        lambda c: documents.leaflet_place(c.session, actor=c.actor, area_id=c["B"]),
    ),
    "services.printing.documents:village_leaflets_document": (
        lambda c: len(
            documents.village_leaflets_document(
                c.session, actor=c.actor, village_id=c["A1"], leaflet_ids=[_first_leaflet()]
            )
        ),
        lambda c: documents.village_leaflets_document(
            c.session, actor=c.actor, village_id=c["B1"], leaflet_ids=[_first_leaflet()]
        ),
    ),
    "services.printing.documents:villages_in_scope": (
        lambda c: documents.villages_in_scope(c.session, actor=c.actor),
        None,
    ),
    "services.printing.documents:visit_sheets_document": (
        lambda c: documents.visit_sheets_document(c.session, actor=c.actor, village_id=c["A1"]).sheet_ids,
        lambda c: documents.visit_sheets_document(c.session, actor=c.actor, village_id=c["B1"]),
    ),
    "services.reports:build_report": (
        lambda c: (
            reports.build_report(c.session, actor=c.actor, area_id=_own_area(c), period=_period(c)).area
        ),
        lambda c: reports.build_report(c.session, actor=c.actor, area_id=c["B"], period=_period(c)),
    ),
    "services.reports:report_areas": (lambda c: reports.report_areas(c.session, actor=c.actor), None),
    "services.rollups.dashboard:home_summary": (
        lambda c: dashboard.home_summary(c.session, actor=c.actor),
        None,
    ),
    "services.sheet_entry:enter_sheet": (
        lambda c: sheet_entry.enter_sheet(
            c.session, actor=c.actor, sheet_id=c["sa"], visited_on=today(), rows=_sheet_rows(c, "a")
        ),
        lambda c: sheet_entry.enter_sheet(
            c.session, actor=c.actor, sheet_id=c["sb"], visited_on=today(), rows=_sheet_rows(c, "b")
        ),
    ),
    "services.sheet_entry:find_sheet": (
        lambda c: sheet_entry.find_sheet(c.session, actor=c.actor, typed=c["sa"]),
        lambda c: sheet_entry.find_sheet(c.session, actor=c.actor, typed=c["sb"]),
    ),
    "services.sheet_entry:load_sheet": (
        lambda c: sheet_entry.load_sheet(c.session, actor=c.actor, sheet_id=c["sa"]),
        lambda c: sheet_entry.load_sheet(c.session, actor=c.actor, sheet_id=c["sb"]),
    ),
    "services.sheet_entry:sheets_overview": (
        lambda c: sheet_entry.sheets_overview(c.session, actor=c.actor),
        None,
    ),
    "services.summary:zalo_summary": (
        lambda c: (
            summary.zalo_summary(c.session, actor=c.actor, area_id=_own_area(c), period=_period(c)).text
        ),
        lambda c: summary.zalo_summary(c.session, actor=c.actor, area_id=c["B"], period=_period(c)),
    ),
    "services.teams.campaigns:campaign_areas": (
        lambda c: campaigns.campaign_areas(c.session, actor=c.actor),
        None,
    ),
    "services.teams.campaigns:create_campaign": (
        lambda c: campaigns.create_campaign(
            c.session, actor=c.actor, area_id=c["A"], name="Mới", starts_on=today(), ends_on=today()
        ),
        lambda c: campaigns.create_campaign(
            c.session, actor=c.actor, area_id=c["B"], name="Mới", starts_on=today(), ends_on=today()
        ),
    ),
    "services.teams.campaigns:default_total": (
        lambda c: campaigns.default_total(
            c.session, actor=c.actor, campaign_id=c["ca"], metric="households_visited"
        ),
        lambda c: campaigns.default_total(
            c.session, actor=c.actor, campaign_id=c["cb"], metric="households_visited"
        ),
    ),
    "services.teams.campaigns:delete_quota": (
        lambda c: campaigns.delete_quota(c.session, actor=c.actor, quota_id=c["qa"]),
        lambda c: campaigns.delete_quota(c.session, actor=c.actor, quota_id=c["qb"]),
    ),
    "services.teams.campaigns:get_campaign": (
        lambda c: campaigns.get_campaign(c.session, actor=c.actor, campaign_id=c["ca"]),
        lambda c: campaigns.get_campaign(c.session, actor=c.actor, campaign_id=c["cb"]),
    ),
    "services.teams.campaigns:list_campaigns": (
        lambda c: campaigns.list_campaigns(c.session, actor=c.actor),
        None,
    ),
    "services.teams.campaigns:propose_cascade": (lambda c: _cascade(c, "a"), lambda c: _cascade(c, "b")),
    "services.teams.campaigns:quota_owner_options": (
        lambda c: campaigns.quota_owner_options(
            c.session, actor=c.actor, campaign_id=c["ca"], owner_kind="area"
        ),
        lambda c: campaigns.quota_owner_options(
            c.session, actor=c.actor, campaign_id=c["cb"], owner_kind="area"
        ),
    ),
    "services.teams.campaigns:quota_progress": (
        lambda c: campaigns.quota_progress(c.session, actor=c.actor, campaign_id=c["ca"]),
        lambda c: campaigns.quota_progress(c.session, actor=c.actor, campaign_id=c["cb"]),
    ),
    "services.teams.campaigns:quota_progress_by_day": (
        lambda c: campaigns.quota_progress_by_day(
            c.session, actor=c.actor, campaign_id=c["ca"], days=(today(),)
        ),
        lambda c: campaigns.quota_progress_by_day(
            c.session, actor=c.actor, campaign_id=c["cb"], days=(today(),)
        ),
    ),
    "services.teams.campaigns:save_cascade": (
        lambda c: _save_cascade(c, "a"),
        lambda c: _save_cascade(c, "b"),
    ),
    "services.teams.campaigns:set_quota": (
        lambda c: campaigns.set_quota(
            c.session,
            actor=c.actor,
            campaign_id=c["ca"],
            owner_kind="area",
            owner_id=c["A2"],
            metric="all_five",
            target=1,
        ),
        lambda c: campaigns.set_quota(
            c.session,
            actor=c.actor,
            campaign_id=c["cb"],
            owner_kind="area",
            owner_id=c["B1"],
            metric="all_five",
            target=1,
        ),
    ),
    "services.teams.teams:add_member": (
        lambda c: teams.add_member(c.session, actor=c.actor, team_id=c["ta"], data=_member("Vũ Văn Em")),
        lambda c: teams.add_member(c.session, actor=c.actor, team_id=c["tb"], data=_member("Vũ Văn Em")),
    ),
    "services.teams.teams:apply_balance": (
        lambda c: teams.apply_balance(
            c.session, actor=c.actor, commune_id=c["A"], assignment={c["A1"]: c["ta"]}
        ),
        lambda c: teams.apply_balance(
            c.session, actor=c.actor, commune_id=c["B"], assignment={c["B1"]: c["tb"]}
        ),
    ),
    "services.teams.teams:commune_villages": (
        lambda c: teams.commune_villages(c.session, actor=c.actor, commune_id=c["A"]),
        lambda c: teams.commune_villages(c.session, actor=c.actor, commune_id=c["B"]),
    ),
    "services.teams.teams:create_team": (
        lambda c: teams.create_team(c.session, actor=c.actor, area_id=c["A"], name="Tổ Mới"),
        lambda c: teams.create_team(c.session, actor=c.actor, area_id=c["B"], name="Tổ Mới"),
    ),
    "services.teams.teams:get_team": (
        lambda c: teams.get_team(c.session, actor=c.actor, team_id=c["ta"]),
        lambda c: teams.get_team(c.session, actor=c.actor, team_id=c["tb"]),
    ),
    "services.teams.teams:linkable_users": (lambda c: teams.linkable_users(c.session, actor=c.actor), None),
    "services.teams.teams:list_teams": (
        lambda c: teams.list_teams(c.session, actor=c.actor, area_id=c["A"]),
        lambda c: teams.list_teams(c.session, actor=c.actor, area_id=c["B"]),
    ),
    "services.teams.teams:propose_balance": (
        lambda c: teams.propose_balance(c.session, actor=c.actor, commune_id=c["A"]),
        lambda c: teams.propose_balance(c.session, actor=c.actor, commune_id=c["B"]),
    ),
    "services.teams.teams:set_team_villages": (
        lambda c: teams.set_team_villages(
            c.session, actor=c.actor, team_id=c["ta"], village_ids=[c["A1"], c["A2"]]
        ),
        lambda c: teams.set_team_villages(c.session, actor=c.actor, team_id=c["tb"], village_ids=[c["B1"]]),
    ),
    "services.teams.teams:team_areas": (lambda c: teams.team_areas(c.session, actor=c.actor), None),
    "services.teams.teams:update_member": (
        lambda c: teams.update_member(
            c.session, actor=c.actor, member_id=c["ma"], data=_member("Hoàng Thị Mai")
        ),
        lambda c: teams.update_member(
            c.session, actor=c.actor, member_id=c["mb"], data=_member("Hoàng Thị Mai")
        ),
    ),
    "services.teams.teams:update_team": (
        lambda c: teams.update_team(
            c.session, actor=c.actor, team_id=c["ta"], name="Tổ Một Mới", active=True
        ),
        lambda c: teams.update_team(
            c.session, actor=c.actor, team_id=c["tb"], name="Tổ Một Mới", active=True
        ),
    ),
    "services.visits.corrections:correct_visit": (
        lambda c: corrections.correct_visit(
            c.session, actor=c.actor, visit_id=c["va"], data=_visit("fix-a", c["ha"], c["ra"])
        ),
        lambda c: corrections.correct_visit(
            c.session, actor=c.actor, visit_id=c["vb"], data=_visit("fix-b", c["hb"], c["rb"])
        ),
    ),
    "services.visits.corrections:recent_visits": (
        lambda c: corrections.recent_visits(c.session, actor=c.actor),
        None,
    ),
    "services.visits.corrections:withdraw_visit": (
        lambda c: corrections.withdraw_visit(c.session, actor=c.actor, visit_id=c["va"], reason="Ghi nhầm"),
        lambda c: corrections.withdraw_visit(c.session, actor=c.actor, visit_id=c["vb"], reason="Ghi nhầm"),
    ),
    "services.visits.queries:attendee_cards": (
        lambda c: queries.attendee_cards(c.session, actor=c.actor, resident_ids=[c["ra"]]),
        lambda c: queries.attendee_cards(c.session, actor=c.actor, resident_ids=[c["rb"]]),
    ),
    "services.visits.queries:commune_of_village": (
        lambda c: queries.commune_of_village(c.session, actor=c.actor, village_id=c["A1"]),
        lambda c: queries.commune_of_village(c.session, actor=c.actor, village_id=c["B1"]),
    ),
    "services.visits.queries:session_places": (
        lambda c: queries.session_places(c.session, actor=c.actor),
        None,
    ),
    "services.visits.queries:teammates": (lambda c: queries.teammates(c.session, actor=c.actor), None),
    "services.visits.queries:visit_draft": (
        lambda c: queries.visit_draft(c.session, actor=c.actor, visit_id=c["va"]),
        lambda c: queries.visit_draft(c.session, actor=c.actor, visit_id=c["vb"]),
    ),
    "services.visits.record:record_visit": (
        lambda c: record.record_visit(c.session, actor=c.actor, data=_visit("new-a", c["ha"], c["ra2"])),
        lambda c: record.record_visit(c.session, actor=c.actor, data=_visit("new-b", c["hb"], c["rb2"])),
    ),
    "services.visits.record:validate_visit": (
        lambda c: record.validate_visit(c.session, c.actor, _visit("check-a", c["ha"], c["ra2"]))[0],
        lambda c: record.validate_visit(c.session, c.actor, _visit("check-b", c["hb"], c["rb2"]))[0],
    ),
    "services.visits.search:search_households": (
        lambda c: search.search_households(c.session, actor=c.actor, query="Mot"),
        lambda c: search.search_households(c.session, actor=c.actor, query="Beta"),
    ),
    "services.visits.worklist:worklist": (lambda c: worklist.worklist(c.session, actor=c.actor), None),
}

# Inside the area but refused to an allowed role for a finer rule of the entry point itself.
FINER = {
    # A backup and the installation's settings are for an admin of a top-level area only (Scope.TOP):
    # the commune's admin is refused (the top admin is checked below).
    ("services.app_settings:set_public_base_url", Role.ADMIN),
    ("services.backup:download_backup", Role.ADMIN),
    ("services.backup:recent_backups", Role.ADMIN),
    # A volunteer reads the campaign period through the campaign, which volunteers cannot read.
    # A volunteer sees only their own team and their own visits; the seed visit in A1 is theirs.
}


def _all_entry_points() -> dict[str, Act]:
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(services.__path__, "services."):
        importlib.import_module(module.name)
    return dict(ENTRY_POINTS)


ENTRIES = _all_entry_points()
CASES = [
    pytest.param(name, role, side, id=f"{name.removeprefix('services.')}-{role.value}-{side}")
    for name in sorted(ENTRIES)
    for role in ROLES
    for side in ("inside", "outside")
    if not (
        side == "outside"
        and (name not in RECIPES or RECIPES[name][1] is None)
        and role in RULES[ENTRIES[name]].roles
    )
]


def _run(engine: Engine, actor: Actor, w: dict, recipe: Recipe):
    with write_session(engine) as session:
        return recipe(Call(engine, session, actor, w))


# How an import or a lookup by code says a row's area or household is out of the user's reach.
OUT_OF_REACH = {"err.out_of_scope", "adm.err.unknown_household"}


def _leaks(result: Any) -> bool:
    return MARKER in repr(result).lower()


@pytest.mark.parametrize(("name", "role", "side"), CASES)
def test_access_matrix(name: str, role: Role, side: str, shared, fresh):
    action = ENTRIES[name]
    inside, outside = RECIPES[name]
    recipe = inside if side == "inside" else outside or inside
    allowed = role in RULES[action].roles and (name, role) not in FINER
    if not allowed or side == "outside":
        engine, w = shared
        actor = f.actor_for(engine, w["users"][role])
        before = fingerprint(engine)
        try:
            result = _run(engine, actor, w, recipe)
        except (PermissionDenied, NotFound):
            result = None
        except ValidationFailed as exc:  # an import lists the row whose area is out of reach
            assert any(p.key in OUT_OF_REACH for p in exc.problems), exc
            result = None
        else:
            assert allowed, f"{role} may not {action} but {name} answered {result!r:.200}"
            assert not _leaks(result), f"{name} showed commune B to {role}: {result!r:.300}"
        assert fingerprint(engine) == before, f"{name} wrote something for {role} ({side})"
        return
    engine, w = fresh
    actor = f.actor_for(engine, w["users"][role])
    result = _run(engine, actor, w, recipe)
    assert not _leaks(result), f"{name} showed commune B to {role}: {result!r:.300}"


# ---------------------------------------------------------------- completeness and the top admin


def test_every_entry_point_has_a_recipe():
    assert sorted(set(ENTRIES) - set(RECIPES)) == []
    assert sorted(set(RECIPES) - set(ENTRIES)) == []


# Public functions that take an actor but are not entry points: the checks and masks the entry points
# use (they refuse or mask, they never read or write on their own behalf).
NOT_ENTRY_POINTS = {
    "services/access.py": {
        "require_role",
        "path_in_scope",
        "get_area_in_scope",
        "require_village_access",
        "villages_in_scope",
    },
    "services/app_settings.py": {"may_change_settings"},
    "services/backup.py": {"may_take_backup"},
    "services/people/households.py": {"card_phone", "resident_card"},
    "services/people/registry.py": {"phone_for", "household_in_scope", "resident_in_scope"},
    "services/people/consent.py": {"without_consent"},
    "services/visits/worklist.py": {"scope_village_ids"},
    "services/visits/record.py": {"write_visit_rows"},
    "services/permissions.py": {"authorize"},
}


def test_every_service_entry_point_is_declared():
    """A public service function that receives the actor is an entry point: it must carry @entry."""
    missing = []
    root = Path(PROJECT_ROOT)
    for path in sorted((root / "services").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            params = {a.arg for a in node.args.args + node.args.kwonlyargs}
            if not params & {"actor", "current"} or node.name in NOT_ENTRY_POINTS.get(rel, set()):
                continue
            module = rel.removesuffix(".py").replace("/", ".")
            if f"{module}:{node.name}" not in ENTRIES:
                missing.append(f"{module}:{node.name}")
    assert missing == []


def test_every_page_checks_the_action_it_is_registered_for():
    """The page's guard asks for the same action as its menu entry (so the menu and the page agree)."""
    for spec in PAGES:
        source = (Path(PROJECT_ROOT) / spec.path).read_text(encoding="utf-8")
        assert f"require(Act.{spec.action.name})" in source, spec.path


def test_every_action_is_used():
    used = set(ENTRIES.values()) | {p.action for p in PAGES}
    assert set(RULES) - used == set()


@pytest.mark.parametrize(
    "name",
    [
        "services.app_settings:set_public_base_url",
        "services.backup:recent_backups",
        "services.audit_view:list_audit",
    ],
)
def test_the_top_admin_may_do_what_a_commune_admin_may_not(name, fresh):
    engine, w = fresh
    top = f.actor_for(engine, w["top_admin"])
    _run(engine, top, w, RECIPES[name][0])
    assert RULES[ENTRIES[name]].scope in (Scope.TOP, Scope.AREA)


def test_the_readme_table_is_the_declaration():
    from services.permissions import access_table

    readme = (Path(PROJECT_ROOT) / "README.md").read_text(encoding="utf-8")
    assert access_table() in readme, "README's access table differs: paste `python manage.py access-table`"
