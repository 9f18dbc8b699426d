"""The area tree: CSV import all-or-nothing and idempotent, rename, move with exact rollups, scope."""

import csv
import io
import unicodedata
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from models.db import read_session, write_session
from models.tables import Area, RollupArea, RollupSkill
from services import areas
from services.errors import PermissionDenied, ValidationFailed
from services.rollups.recount import compare
from tests import factories as f


def area_table(engine) -> list[tuple]:
    with read_session(engine) as s:
        return [
            tuple(row)
            for row in s.exec(
                select(
                    Area.id, Area.code, Area.name, Area.name_key, Area.level, Area.parent_id, Area.path
                ).order_by(Area.id)
            ).all()
        ]


def by_code(engine, code: str) -> SimpleNamespace:
    """The stored area as plain data (ORM objects expire when the read session ends)."""
    with read_session(engine) as s:
        return SimpleNamespace(**s.exec(select(Area).where(Area.code == code)).scalar_one().model_dump())


def do_import(engine, data: str, actor=None, dry_run: bool = False):
    with write_session(engine) as s:
        return areas.import_areas_csv(s, actor=actor, data=data.encode(), dry_run=dry_run)


GOOD_CSV = (
    "code,name,level,parent_code\n"
    "10105-001,thôn  đông,village,10105\n"  # child before its parent
    "10105,Xã Hoà An,commune,01\n"
    "01,Hà Nội,province,\n"
    "10105-002,Thôn Tây,thôn,10105\n"  # a Vietnamese level word
)


def test_import_creates_tree_with_parents_after_children(engine):
    report = do_import(engine, GOOD_CSV)
    assert (report.created, report.renamed, report.unchanged) == (4, 0, 0)
    village = by_code(engine, "10105-001")
    commune = by_code(engine, "10105")
    province = by_code(engine, "01")
    # Official names are stored as given: NFC and single spaces, no capitals added, tone marks
    # where the file puts them (issue #8: title-casing and tone re-placement altered 45 official names).
    assert village.name == "thôn đông"
    assert village.name_key == "thon dong"
    assert commune.name == "Xã Hoà An"
    assert commune.name_key == "xa hoa an"
    assert village.parent_id == commune.id and commune.parent_id == province.id
    assert village.path == f"/{province.id}/{commune.id}/{village.id}/"
    assert by_code(engine, "10105-002").level == "village"


def test_import_is_idempotent(engine):
    do_import(engine, GOOD_CSV)
    before = area_table(engine)
    report = do_import(engine, GOOD_CSV)
    assert (report.created, report.renamed, report.unchanged) == (0, 0, 4)
    assert area_table(engine) == before


def test_reimport_renames_but_never_moves(engine):
    do_import(engine, GOOD_CSV)
    renamed = GOOD_CSV.replace("Thôn Tây", "Thôn Tây Mới")
    report = do_import(engine, renamed)
    assert (report.created, report.renamed, report.unchanged) == (0, 1, 3)
    assert report.renamed_codes == ("10105-002",)
    assert by_code(engine, "10105-002").name == "Thôn Tây Mới"
    before = area_table(engine)
    moved = GOOD_CSV + "10106,Xã Khác,commune,01\n"
    moved = moved.replace("10105-002,Thôn Tây,thôn,10105", "10105-002,Thôn Tây Mới,village,10106")
    with pytest.raises(ValidationFailed) as err:
        do_import(engine, moved)
    assert [(p.line, p.field, p.key) for p in err.value.problems] == [(5, "code", "err.area_conflict")]
    assert area_table(engine) == before


def test_import_all_or_nothing_lists_every_bad_row(engine):
    f.create_tree(engine)
    before = area_table(engine)
    data = (
        "code,name,level,parent_code\n"
        "N1,Thôn Tốt,village,A\n"  # 2: fine on its own
        "N2,Thôn Mồ Côi,village,NOPE\n"  # 3: unknown parent
        "N3,Thôn Lạ,hamlet,A\n"  # 4: bad level
        "N1,Thôn Lặp,village,A\n"  # 5: duplicate code in the file
        "N4,Thôn Sai Cấp,village,P\n"  # 6: a village cannot sit under a province
        "N5,,village,A\n"  # 7: empty name
        "\n"  # 8: blank lines are skipped
        "N6,Xã Mới,commune,P\n"  # 9: fine
    )
    with pytest.raises(ValidationFailed) as err:
        do_import(engine, data)
    found = [(p.line, p.field, p.key) for p in err.value.problems]
    assert found == [
        (3, "parent_code", "err.unknown_area"),
        (4, "level", "err.area_level"),
        (5, "code", "err.duplicate_in_file"),
        (6, "parent_code", "err.area_parent_level"),
        (7, "name", "err.required"),
    ]
    assert err.value.problems[2].params == {"code": "N1", "other": 2}
    assert "dòng 2" in err.value.problems[2].message("vi")
    assert area_table(engine) == before  # nothing written


def test_import_header_and_empty_file(engine):
    with pytest.raises(ValidationFailed) as err:
        do_import(engine, "code,name,parent\nX,Y,Z\n")
    assert err.value.problems[0].key == "err.missing_columns"
    assert "level" in err.value.problems[0].message("en")
    with pytest.raises(ValidationFailed) as err:
        do_import(engine, "")
    assert err.value.problems[0].key == "err.empty_file"


def test_dry_run_reports_without_writing(engine):
    f.create_tree(engine)
    before = area_table(engine)
    report = do_import(
        engine, "code,name,level,parent_code\nA,Xã An,commune,P\nA9,Thôn Chín,village,A\n", dry_run=True
    )
    assert report.dry_run
    assert (report.created, report.renamed, report.unchanged) == (1, 0, 1)
    assert report.created_codes == ("A9",)
    assert area_table(engine) == before


def test_import_in_admin_scope(engine):
    ids = f.create_tree(engine)
    admin_a = f.actor_for(engine, f.create_user(engine, role="admin", area_code="A"))
    before = area_table(engine)
    with pytest.raises(ValidationFailed) as err:
        do_import(
            engine,
            "code,name,level,parent_code\n"
            "A7,Thôn Bảy,village,A\n"  # fine: inside A
            "B7,Thôn Bảy,village,B\n"  # 3: parent outside A
            "B1,Thôn Ba Mới,village,B\n"  # 4: renaming an area outside A
            "Z,Tỉnh Mới,province,\n",  # 5: a new root
            actor=admin_a,
        )
    assert [(p.line, p.key) for p in err.value.problems] == [
        (3, "err.out_of_scope"),
        (4, "err.out_of_scope"),
        (5, "err.out_of_scope"),
    ]
    assert area_table(engine) == before
    report = do_import(engine, "code,name,level,parent_code\nA7,Thôn Bảy,village,A\n", actor=admin_a)
    assert report.created == 1
    assert by_code(engine, "A7").parent_id == ids["A"]


def test_create_and_rename(engine):
    ids = f.create_tree(engine)
    admin_a = f.actor_for(engine, f.create_user(engine, role="admin", area_code="A"))
    with write_session(engine) as s:
        new_id = areas.create_area(
            s, actor=admin_a, code=" A3 ", name="thôn   ba  mươi", level="village", parent_code="A"
        )
    created = by_code(engine, "A3")
    # As typed, spaces collapsed (issue #8: area names are not title-cased nor tone-re-placed).
    assert created.id == new_id and created.name == "thôn ba mươi" and created.parent_id == ids["A"]
    with write_session(engine) as s:
        stored = areas.rename_area(s, actor=admin_a, area_id=new_id, name="Thôn  Hoà Bình")
    renamed = by_code(engine, "A3")
    assert (renamed.name, renamed.name_key) == ("Thôn Hoà Bình", "thon hoa binh")
    assert stored == "Thôn Hoà Bình"
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        areas.rename_area(s, actor=admin_a, area_id=new_id, name="   ")
    assert err.value.problems[0].field == "name"


def test_create_reports_every_field(engine):
    f.create_tree(engine)
    admin_p = f.actor_for(engine, f.create_user(engine, role="admin", area_code="P"))
    before = area_table(engine)
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        areas.create_area(s, actor=admin_p, code="A1", name="", level="hamlet", parent_code="A")
    assert sorted(p.field for p in err.value.problems) == ["code", "level", "name"]
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        areas.create_area(s, actor=admin_p, code="Q1", name="Thôn Q", level="village", parent_code="P")
    assert [(p.field, p.key) for p in err.value.problems] == [("parent", "err.area_parent_level")]
    with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
        areas.create_area(s, actor=admin_p, code="Q2", name="Tỉnh Q", level="province", parent_code="")
    assert [(p.field, p.key) for p in err.value.problems] == [("parent", "err.required")]
    assert area_table(engine) == before


def test_move_village_keeps_rollups_exact(engine):
    ids = f.create_tree(engine)
    for village, people in ((ids["A1"], 3), (ids["A2"], 2), (ids["B1"], 1)):
        hh = f.create_household(engine, village_id=village)
        for i in range(people):
            f.create_resident(engine, household_id=hh, full_name=f"Người {i}", has_smartphone=False)
    admin_p = f.actor_for(engine, f.create_user(engine, role="admin", area_code="P"))
    with read_session(engine) as s:
        assert compare(s) == []
        assert s.get(RollupArea, ids["A"]).residents == 5
        assert s.get(RollupArea, ids["B"]).residents == 1
    with write_session(engine) as s:
        areas.move_area(s, actor=admin_p, area_id=ids["A1"], new_parent_code="B")
    with read_session(engine) as s:
        assert compare(s) == []
        moved = s.get(Area, ids["A1"])
        assert moved.parent_id == ids["B"]
        assert moved.path == f"/{ids['P']}/{ids['B']}/{ids['A1']}/"
        old = s.get(RollupArea, ids["A"])
        assert (old.households, old.residents, old.no_smartphone) == (1, 2, 2)
        new = s.get(RollupArea, ids["B"])
        assert (new.households, new.residents, new.no_smartphone) == (2, 4, 4)
        assert s.get(RollupArea, ids["P"]).residents == 6
        skill_b = s.get(RollupSkill, (ids["B"], "submit", 0))
        assert skill_b.residents == 4
        children = areas.list_children_with_counts(s, actor=admin_p, parent_id=ids["B"])
        assert [(c.code, c.residents) for c in children] == [("B1", 1), ("A1", 3)]


def test_move_commune_moves_its_subtree(engine):
    ids = f.create_tree(engine)
    f.create_area(engine, code="Q", name="Tỉnh Khác", level="province")
    hh = f.create_household(engine, village_id=ids["A2"])
    f.create_resident(engine, household_id=hh)
    with write_session(engine) as s:
        areas.move_area(s, actor=None, area_id=ids["A"], new_parent_code="Q")
    q = by_code(engine, "Q")
    a2 = by_code(engine, "A2")
    assert a2.path == f"/{q.id}/{ids['A']}/{ids['A2']}/" and a2.depth == 2
    with read_session(engine) as s:
        assert compare(s) == []
        assert s.get(RollupArea, q.id).residents == 1
        assert s.get(RollupArea, ids["P"]).residents == 0


def test_move_refuses_bad_targets(engine):
    ids = f.create_tree(engine)
    admin_p = f.actor_for(engine, f.create_user(engine, role="admin", area_code="P"))
    before = area_table(engine)
    cases = [
        (ids["A"], "B1", "err.area_parent_level"),  # a commune under a village
        (ids["A"], "A1", "err.area_cycle"),  # into its own subtree
        (ids["A1"], "A1", "err.area_cycle"),  # into itself
        (ids["A1"], "NOPE", "err.unknown_area"),
        (ids["A1"], "", "err.required"),
        (ids["A1"], "P", "err.area_parent_level"),  # a village directly under a province
    ]
    for area_id, parent, key in cases:
        with pytest.raises(ValidationFailed) as err, write_session(engine) as s:
            areas.move_area(s, actor=admin_p, area_id=area_id, new_parent_code=parent)
        assert err.value.problems[0].key == key, (area_id, parent)
    assert area_table(engine) == before


def test_commune_admin_cannot_touch_another_commune(engine):
    ids = f.create_tree(engine)
    admin_a = f.actor_for(engine, f.create_user(engine, role="admin", area_code="A"))
    before = area_table(engine)
    attempts = [
        lambda s: areas.create_area(
            s, actor=admin_a, code="B9", name="Thôn", level="village", parent_code="B"
        ),
        lambda s: areas.rename_area(s, actor=admin_a, area_id=ids["B1"], name="Khác"),
        lambda s: areas.move_area(s, actor=admin_a, area_id=ids["B1"], new_parent_code="A"),
        lambda s: areas.move_area(s, actor=admin_a, area_id=ids["A1"], new_parent_code="B"),
        lambda s: areas.list_children(s, actor=admin_a, parent_id=ids["B"]),
        lambda s: areas.list_children_with_counts(s, actor=admin_a, parent_id=ids["P"]),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied), write_session(engine) as s:
            attempt(s)
    with read_session(engine) as s:
        codes = {a.code for a in areas.list_subtree(s, actor=admin_a)}
    assert codes == {"A", "A1", "A2"}
    assert area_table(engine) == before


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "leader"])
def test_other_roles_cannot_administer_areas(engine, role):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],)) if role == "volunteer" else None
    actor = f.actor_for(engine, f.create_user(engine, role=role, area_code="A", team_id=team))
    before = area_table(engine)
    attempts = [
        lambda s: areas.create_area(s, actor=actor, code="A9", name="Thôn", level="village", parent_code="A"),
        lambda s: areas.rename_area(s, actor=actor, area_id=ids["A1"], name="Khác"),
        lambda s: areas.move_area(s, actor=actor, area_id=ids["A1"], new_parent_code="A"),
        lambda s: areas.import_areas_csv(
            s, actor=actor, data=b"code,name,level,parent_code\nA9,Thon,village,A\n"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied), write_session(engine) as s:
            attempt(s)
    assert area_table(engine) == before


# ---------------------------------------------------------------- the official national list


def national_list() -> list[tuple[str, str, str, str]]:
    """The 34 provinces and 3,321 communes of 2025 as (code, official name, level, parent code)."""
    from vietnam_provinces import Province, Ward  # pinned in requirements-dev.txt

    rows = [(f"{p.code.value:02d}", p.name, "province", "") for p in Province.iter_all()]
    rows += [
        (f"{w.code.value:05d}", w.name, "commune", f"{w.province_code.value:02d}") for w in Ward.iter_all()
    ]
    return rows


def as_csv(rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(areas.AREA_CSV_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def official(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


def test_the_national_list_is_stored_exactly_as_given(engine):
    """Issue #8: importing the official list changed 45 names (title case, tone marks moved)."""
    rows = national_list()
    assert len(rows) == 34 + 3321
    report = do_import(engine, as_csv(rows))
    assert report.created == len(rows)
    with read_session(engine) as s:
        stored = dict(s.exec(select(Area.code, Area.name)).all())
    changed = {code: (name, stored[code]) for code, name, _l, _p in rows if stored[code] != official(name)}
    assert changed == {}
    for name in ("Thành phố Hà Nội", "Đặc khu Vân Đồn", "Phường Đăk BLa", "Xã KDang", "Xã Chiêm Hoá"):
        assert name in stored.values()
    again = do_import(engine, as_csv(rows))  # the same file again changes nothing
    assert (again.created, again.renamed, again.unchanged) == (0, 0, len(rows))


def test_the_national_list_is_found_by_key(engine):
    rows = national_list()
    do_import(engine, as_csv(rows))
    chiem_hoa = next(r for r in rows if r[1] == "Xã Chiêm Hoá")
    admin = f.actor_for(engine, f.create_user(engine, role="admin", area_code=chiem_hoa[3]))
    with read_session(engine) as s:
        for query in ("Chiem Hoa", "chiêm hóa", "CHIÊM HOÀ", "xa chiem"):
            found = areas.find_areas(s, actor=admin, query=query)
            assert [(a.code, a.name) for a in found] == [(chiem_hoa[0], "Xã Chiêm Hoá")], query
        assert [a.name for a in areas.find_areas(s, actor=admin, query="dak bla")] == []  # another province
        assert areas.find_areas(s, actor=admin, query="  ") == []


def test_reimport_restores_names_altered_by_an_older_import(engine):
    """Names stored title-cased with moved tone marks (before the fix) get the official spelling back."""
    do_import(
        engine, "code,name,level,parent_code\n08,Tỉnh Tuyên Quang,province,\n02236,Xã Chiêm Hóa,commune,08\n"
    )
    report = do_import(
        engine, "code,name,level,parent_code\n08,Tỉnh Tuyên Quang,province,\n02236,Xã Chiêm Hoá,commune,08\n"
    )
    assert (report.renamed, report.renamed_codes) == (1, ("02236",))
    assert by_code(engine, "02236").name == "Xã Chiêm Hoá"
    assert by_code(engine, "02236").name_key == "xa chiem hoa"


def test_find_areas_stays_in_scope_and_escapes_wildcards(engine):
    f.create_tree(engine)
    admin_a = f.actor_for(engine, f.create_user(engine, role="admin", area_code="A"))
    with read_session(engine) as s:
        found = areas.find_areas(s, actor=admin_a, query="thon")
        assert [a.code for a in found] == ["A2", "A1"]  # by key: "thon hai" before "thon mot"
        assert [a.code for a in areas.find_areas(s, actor=admin_a, query="thôn ba")] == []  # B1 is in B
        assert areas.find_areas(s, actor=admin_a, query="t_on") == []
