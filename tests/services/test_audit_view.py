"""The audit view: who may read it, the area scope of each role, masking, filters, paging, the CSV export."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from core.clock import utcnow
from models.db import read_session, write_session
from models.tables import AuditLog, User
from services import audit_view
from services.audit_view import AuditFilter, export_audit, list_audit, summary
from services.errors import NotFound, PermissionDenied, ValidationFailed
from services.people import admin
from tests import factories as f

# Entries written by hand fall in March 2025; those the services write in a test are dated now.
MARCH = AuditFilter(date_from=date(2025, 3, 1), date_to=date(2025, 3, 31))


def at(day: int, hour: int = 3, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def entry(
    engine,
    *,
    when: datetime,
    action: str,
    user_id=None,
    area_id=None,
    entity="resident",
    entity_id=None,
    details=None,
) -> int:
    with write_session(engine) as s:
        row = AuditLog(
            at=when,
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            area_id=area_id,
            details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
        )
        s.add(row)
        s.flush()
        return row.id


def user(engine, *, role: str, area_id: int, username: str, team_id: int | None = None) -> int:
    """A user row without a password (nobody signs in here; hashing one per user would cost seconds)."""
    now = utcnow()
    with write_session(engine) as s:
        row = User(
            username=username,
            full_name=username,
            password_hash="-",
            role=role,
            area_id=area_id,
            team_id=team_id,
            password_changed_at=now,
            created_at=now,
        )
        s.add(row)
        s.flush()
        return row.id


def ids(engine, actor, filters=MARCH, **kwargs) -> list[int]:
    with read_session(engine) as s:
        page = list_audit(s, actor=actor, filters=filters, page_size=1000, **kwargs)
    return [r.id for r in page.rows]


@pytest.fixture
def world(engine):
    """Province P (communes A with villages A1, A2; B with B1); users of every role; entries in March 2025."""
    tree = f.create_tree(engine)
    users = {
        "top": user(engine, role="admin", area_id=tree["P"], username="top.admin"),
        "admin_a": user(engine, role="admin", area_id=tree["A"], username="admin.a"),
        "coord_a": user(engine, role="coordinator", area_id=tree["A"], username="coord.a"),
        "coord_b": user(engine, role="coordinator", area_id=tree["B"], username="coord.b"),
        "leader": user(engine, role="leader", area_id=tree["P"], username="leader.p"),
    }
    team = f.create_team(engine, area_id=tree["A"], village_ids=(tree["A1"],))
    users["volunteer"] = user(engine, role="volunteer", area_id=tree["A"], team_id=team, username="vol.a")
    actors = {name: f.actor_for(engine, uid) for name, uid in users.items()}
    e = {
        "visit_a1": entry(engine, when=at(2), action="visit.recorded", user_id=users["volunteer"],
                          area_id=tree["A1"], entity="visit", entity_id=7, details={"outcome": "done"}),
        "resident_a2": entry(engine, when=at(3), action="resident.edited", user_id=users["coord_a"],
                             area_id=tree["A2"], entity_id=12,
                             details={"changes": {"phone": ["0912345678", "0987654321"]}}),
        "team_a": entry(engine, when=at(4), action="team.created", user_id=users["coord_a"],
                        area_id=tree["A"], entity="team", entity_id=3, details={"name": "Tổ Một"}),
        "visit_b1": entry(engine, when=at(5), action="visit.recorded", user_id=users["coord_b"],
                          area_id=tree["B1"], entity="visit", entity_id=8),
        "signin_coord_a": entry(engine, when=at(6), action="user.signin", user_id=users["coord_a"],
                                entity="user", entity_id=users["coord_a"]),
        "signin_top": entry(engine, when=at(7), action="user.signin", user_id=users["top"],
                            entity="user", entity_id=users["top"]),
        "seed": entry(engine, when=at(8), action="seed.demo", entity="database", details={"scale": "demo"}),
    }  # fmt: skip
    return {"tree": tree, "users": users, "actors": actors, "e": e, "engine": engine}


# ---------------------------------------------------------------- roles and scope


@pytest.mark.parametrize("role", ["leader", "volunteer"])
def test_leaders_and_volunteers_are_refused(world, role):
    engine, actor = world["engine"], world["actors"][role]
    with read_session(engine) as s:
        with pytest.raises(PermissionDenied):
            list_audit(s, actor=actor, filters=MARCH)
        with pytest.raises(PermissionDenied):
            export_audit(s, actor=actor, filters=MARCH)
        with pytest.raises(PermissionDenied):
            audit_view.user_choices(s, actor=actor)


def test_a_coordinator_sees_only_entries_of_their_area(world):
    e = world["e"]
    got = ids(world["engine"], world["actors"]["coord_a"])
    assert got == [e["team_a"], e["resident_a2"], e["visit_a1"]]  # newest first; no sign-in, no B
    assert ids(world["engine"], world["actors"]["coord_b"]) == [e["visit_b1"]]


def test_an_admin_also_sees_entries_without_an_area_done_by_users_of_their_area(world):
    e = world["e"]
    got = ids(world["engine"], world["actors"]["admin_a"])
    assert got == [e["signin_coord_a"], e["team_a"], e["resident_a2"], e["visit_a1"]]


def test_a_top_level_admin_sees_everything_including_what_nobody_did(world):
    e = world["e"]
    got = ids(world["engine"], world["actors"]["top"])
    assert got == [e[k] for k in ("seed", "signin_top", "signin_coord_a", "visit_b1", "team_a",
                                  "resident_a2", "visit_a1")]  # fmt: skip


def test_area_filter_narrows_inside_the_scope_and_refuses_outside(world):
    engine, tree, e = world["engine"], world["tree"], world["e"]
    coord = world["actors"]["coord_a"]
    assert ids(engine, coord, replace(MARCH, area_id=tree["A1"])) == [e["visit_a1"]]
    assert ids(engine, coord, replace(MARCH, area_id=tree["A"])) == [
        e["team_a"],
        e["resident_a2"],
        e["visit_a1"],
    ]
    with read_session(engine) as s:
        with pytest.raises(PermissionDenied):
            list_audit(s, actor=coord, filters=replace(MARCH, area_id=tree["B1"]))
        with pytest.raises(PermissionDenied):
            export_audit(s, actor=coord, filters=replace(MARCH, area_id=tree["P"]))
        with pytest.raises(NotFound):
            list_audit(s, actor=coord, filters=replace(MARCH, area_id=999_999))
    # An admin's area filter keeps a sign-in by a user of that area.
    top = world["actors"]["top"]
    assert ids(engine, top, replace(MARCH, area_id=tree["A"])) == [
        e["signin_coord_a"], e["team_a"], e["resident_a2"], e["visit_a1"]
    ]  # fmt: skip
    assert ids(engine, top, replace(MARCH, area_id=tree["B"])) == [e["visit_b1"]]


# ---------------------------------------------------------------- filters


def test_user_kind_and_date_filters(world):
    engine, users, e = world["engine"], world["users"], world["e"]
    top = world["actors"]["top"]
    assert ids(engine, top, replace(MARCH, user_id=users["coord_a"])) == [
        e["signin_coord_a"], e["team_a"], e["resident_a2"]
    ]  # fmt: skip
    assert ids(engine, top, replace(MARCH, kind="visit")) == [e["visit_b1"], e["visit_a1"]]
    assert ids(engine, top, replace(MARCH, kind="user")) == [e["signin_top"], e["signin_coord_a"]]
    assert ids(engine, top, replace(MARCH, kind="system")) == [e["seed"]]
    assert ids(engine, top, replace(MARCH, kind="team", user_id=users["coord_a"])) == [e["team_a"]]
    both = AuditFilter(date_from=date(2025, 3, 3), date_to=date(2025, 3, 4))
    assert ids(engine, top, both) == [e["team_a"], e["resident_a2"]]


def test_kind_resident_covers_imports_of_the_household_list(world):
    engine, tree = world["engine"], world["tree"]
    imported = entry(engine, when=at(9), action="residents.imported", area_id=tree["A"], entity="area")
    got = ids(engine, world["actors"]["coord_a"], replace(MARCH, kind="resident"))
    assert got == [imported, world["e"]["resident_a2"]]


def test_dates_are_days_in_vietnam(world):
    """23:59 in Hà Nội on 10 March is 16:59 UTC; 00:00 on 11 March is 17:00 UTC the day before."""
    engine, tree = world["engine"], world["tree"]
    late = entry(engine, when=at(10, 16, 59), action="team.updated", area_id=tree["A"], entity="team")
    next_day = entry(engine, when=at(10, 17, 0), action="team.updated", area_id=tree["A"], entity="team")
    coord = world["actors"]["coord_a"]
    day10 = AuditFilter(date_from=date(2025, 3, 10), date_to=date(2025, 3, 10))
    day11 = AuditFilter(date_from=date(2025, 3, 11), date_to=date(2025, 3, 11))
    assert ids(engine, coord, day10) == [late]
    assert ids(engine, coord, day11) == [next_day]
    with read_session(engine) as s:
        (row,) = list_audit(s, actor=coord, filters=day10).rows
    assert row.at == datetime(2025, 3, 10, 23, 59)


def test_bad_filters_are_refused(world):
    engine, top = world["engine"], world["actors"]["top"]
    with read_session(engine) as s:
        with pytest.raises(ValidationFailed) as bad_kind:
            list_audit(s, actor=top, filters=AuditFilter(kind="auth"))
        with pytest.raises(ValidationFailed) as bad_dates:
            list_audit(
                s, actor=top, filters=AuditFilter(date_from=date(2025, 3, 2), date_to=date(2025, 3, 1))
            )
    assert [p.field for p in bad_kind.value.problems] == ["kind"]
    assert [p.key for p in bad_dates.value.problems] == ["audit.err.dates"]


# ---------------------------------------------------------------- paging


def test_pages_come_from_the_database_with_the_total(world):
    engine, top = world["engine"], world["actors"]["top"]
    everything = ids(engine, top)
    with read_session(engine) as s:
        pages = [list_audit(s, actor=top, filters=MARCH, page=n, page_size=3) for n in (1, 2, 3)]
        beyond = list_audit(s, actor=top, filters=MARCH, page=9, page_size=3)
    assert [(p.page, p.pages, p.total, len(p.rows)) for p in pages] == [
        (1, 3, 7, 3),
        (2, 3, 7, 3),
        (3, 3, 7, 1),
    ]
    assert [r.id for p in pages for r in p.rows] == everything
    assert (beyond.page, [r.id for r in beyond.rows]) == (3, [everything[-1]])
    with read_session(engine) as s:
        empty = list_audit(
            s, actor=top, filters=AuditFilter(date_from=date(2020, 1, 1), date_to=date(2020, 1, 2))
        )
    assert (empty.rows, empty.total, empty.page, empty.pages) == ([], 0, 1, 1)


# ---------------------------------------------------------------- what a row says, masked


def test_a_row_reads_in_the_users_language(world):
    engine, e = world["engine"], world["e"]
    with read_session(engine) as s:
        vi = {r.id: r for r in list_audit(s, actor=world["actors"]["top"], filters=MARCH).rows}
        en = {r.id: r for r in list_audit(s, actor=world["actors"]["top"], filters=MARCH, lang="en").rows}
    row = vi[e["resident_a2"]]
    assert (row.at, row.user, row.action_label, row.entity, row.area) == (
        datetime(2025, 3, 3, 10, 0), "coord.a", "Sửa thông tin người dân", "Người dân #12", "Thôn Hai"
    )  # fmt: skip
    assert row.summary == "Số điện thoại: *******678 → *******321"
    assert (vi[e["seed"]].user, vi[e["seed"]].action_label, vi[e["seed"]].area) == (
        "Hệ thống",
        "Tạo dữ liệu mẫu",
        "",
    )
    assert (en[e["seed"]].user, en[e["seed"]].action_label) == ("System", "Demo data created")
    assert en[e["resident_a2"]].entity == "Resident #12"
    assert vi[e["signin_coord_a"]].summary == "—"


def test_a_real_edit_shows_which_fields_changed_but_not_the_personal_values(world):
    engine, tree = world["engine"], world["tree"]
    household = f.create_household(engine, village_id=tree["A1"], address="Xóm Đình")
    resident = f.create_resident(
        engine, household_id=household, full_name="Trần Thị Bí Mật", phone="0912345678"
    )
    coord = world["actors"]["coord_a"]
    with write_session(engine) as s:
        admin.update_resident(
            s,
            actor=coord,
            resident_id=resident,
            values={"full_name": "Trần Thị Bí Mật Mới", "phone": "0987654321", "birth_year": 1960,
                    "has_smartphone": True},
        )  # fmt: skip
        admin.update_household(s, actor=coord, household_id=household, values={"address": "Xóm Chùa"})
    with read_session(engine) as s:
        rows = list_audit(s, actor=coord, filters=AuditFilter(kind="resident")).rows
        hh = list_audit(s, actor=coord, filters=AuditFilter(kind="household")).rows
    (edit,) = [r for r in rows if r.action == "resident.edited" and r.entity_id == str(resident)]
    assert edit.summary == ("Đã đổi: Năm sinh, Họ và tên, Số điện thoại; Điện thoại thông minh: — → Có")
    assert edit.entity == f"Người dân #{resident}"
    assert edit.area == "Thôn Một"
    (address,) = [r for r in hh if r.action == "household.edited"]
    assert address.summary == "Đã đổi: Địa chỉ"
    for r in [*rows, *hh]:
        assert "Bí Mật" not in r.summary and "Xóm" not in r.summary and "0912" not in r.summary


@pytest.mark.parametrize(
    ("details", "text"),
    [
        ({"changes": {"status": ["active", "moved"]}}, "Trạng thái: active → moved"),
        ({"changes": {"birth_year": [None, 1950]}}, "Năm sinh: — → (đã ẩn)"),
        ({"from": "Thôn Cũ", "to": "Thôn Mới"}, "Thôn Cũ → Thôn Mới"),
        (
            {"before": {"name": "An", "phone": "0912000111", "active": True},
             "after": {"name": "An", "phone": "0912000222", "active": False}},
            "Số điện thoại: *******111 → *******222; active: Có → Không",
        ),
        ({"before": [1, 2], "after": [2, 3]}, "1, 2 → 2, 3"),
        (
            {"household_id": 4, "full_name": "Lê Văn Tư", "birth_year": 1980},
            "household_id: 4; Họ và tên: (đã ẩn); Năm sinh: (đã ẩn)",
        ),
        ({"code": "H1", "address": "Số 5 ngõ 2", "head_resident_id": 9}, "code: H1; Địa chỉ: (đã ẩn); "
         "head_resident_id: 9"),
        ({"reason": "nhập nhầm", "notes": "bà ấy ốm"}, "reason: nhập nhầm; notes: (đã ẩn)"),
        ({"contact_phone": {"home": "0241234567"}}, "contact_phone: (home: *******567)"),
        ({"changes": {"phone_own_name": [None, False]}}, "Số chính chủ: — → Không"),
        ({}, "—"),
    ],
)  # fmt: skip
def test_summary_masks_personal_values(details, text):
    assert summary(details) == text


# ---------------------------------------------------------------- export


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_export_is_the_list_with_the_same_filter_and_masking(world):
    engine, top = world["engine"], world["actors"]["top"]
    for filters in (MARCH, replace(MARCH, kind="visit"), replace(MARCH, area_id=world["tree"]["A"])):
        with read_session(engine) as s:
            pages = list_audit(s, actor=top, filters=filters, page_size=3).pages
            shown = [
                row
                for n in range(1, pages + 1)
                for row in audit_view.table_rows(
                    list_audit(s, actor=top, filters=filters, page=n, page_size=3).rows
                )
            ]
            export = export_audit(s, actor=top, filters=filters)
        header, *rows = read_csv(export.data)
        assert header == ["Thời gian", "Người thực hiện", "Thao tác", "Đối tượng", "Địa bàn", "Trước → sau"]
        assert rows == [list(r.values()) for r in shown]
        assert (export.rows, export.cut) == (len(rows), False)
    with read_session(engine) as s:
        coord = export_audit(s, actor=world["actors"]["coord_a"], filters=MARCH)
    text = coord.data.decode("utf-8-sig")
    assert "*******678 → *******321" in text and "0912345678" not in text
    assert "Đăng nhập" not in text and "Thôn Ba" not in text


def test_the_export_is_capped_and_says_so(world, monkeypatch):
    monkeypatch.setattr(audit_view, "EXPORT_MAX", 2)
    engine, top = world["engine"], world["actors"]["top"]
    with read_session(engine) as s:
        export = export_audit(s, actor=top, filters=MARCH, lang="en")
    header, *rows = read_csv(export.data)
    assert header[0] == "Time"
    assert (export.rows, export.cut, len(rows)) == (2, True, 2)
    assert rows[0][2] == "Demo data created"  # the newest first


def test_export_neutralises_formula_like_cells(world):
    engine, tree = world["engine"], world["tree"]
    entry(
        engine, when=at(11), action="team.created", area_id=tree["A"], entity="team", details={"name": "=1+1"}
    )
    with read_session(engine) as s:
        export = export_audit(
            s,
            actor=world["actors"]["coord_a"],
            filters=AuditFilter(date_from=date(2025, 3, 11), date_to=date(2025, 3, 11)),
        )
    _header, row = read_csv(export.data)
    assert row[-1] == "name: =1+1"  # not at the start of the cell: nothing to neutralise
    entry(
        engine,
        when=at(12),
        action="area.renamed",
        area_id=tree["A"],
        entity="area",
        details={"from": "=A", "to": "B"},
    )
    with read_session(engine) as s:
        export = export_audit(
            s,
            actor=world["actors"]["coord_a"],
            filters=AuditFilter(date_from=date(2025, 3, 12), date_to=date(2025, 3, 12)),
        )
    _header, row = read_csv(export.data)
    assert row[-1] == "'=A → B"


def test_user_choices_are_the_users_of_the_area(world):
    engine = world["engine"]
    with read_session(engine) as s:
        coord = [c.label for c in audit_view.user_choices(s, actor=world["actors"]["coord_a"])]
        top = audit_view.user_choices(s, actor=world["actors"]["top"])
    assert coord == ["admin.a (admin.a)", "coord.a (coord.a)", "vol.a (vol.a)"]
    assert len(top) == 6


def test_local_time_of_a_naive_timestamp_is_utc_plus_seven():
    assert audit_view.local_time(datetime(2025, 1, 1, 20, 30)) == datetime(2025, 1, 2, 3, 30)
    assert audit_view.local_time(datetime(2025, 1, 1, 20, 30, tzinfo=UTC)) == datetime(2025, 1, 2, 3, 30)
    assert audit_view.local_time(datetime(2025, 1, 2, 3, 30, tzinfo=UTC) + timedelta(hours=1)).hour == 11
