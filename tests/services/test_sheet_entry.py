"""Paper visit sheets: printing records them, a returned sheet is typed back in through record_visit
(exact rollups, nothing twice, partly entered then completed), scope and all-or-nothing validation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.db import read_session, write_session
from models.tables import (
    Household,
    ResidentSkill,
    SkillEvent,
    Visit,
    VisitGuidance,
    VisitResident,
    VisitSheet,
)
from services import sheet_entry
from services.errors import NotFound, PermissionDenied, ValidationFailed
from services.printing import documents as printing
from services.rollups.recount import compare
from services.sheet_entry import SheetRowInput
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    other_team = f.create_team(engine, area_id=ids["B"], name="Tổ Bình", village_ids=(ids["B1"],))
    households, residents = [], {}
    for n, people in enumerate(
        [["Lò Văn Sáu", "Lò Thị Bảy"], ["Hà Văn Tám"], ["Vi Thị Chín", "Vi Văn Mười"]]
    ):
        hh = f.create_household(engine, village_id=ids["A1"], code=f"A1-{n + 1:03d}", address=f"Số {n + 1}")
        households.append(hh)
        residents[hh] = [
            f.create_resident(engine, household_id=hh, full_name=name, birth_year=1960 + i)
            for i, name in enumerate(people)
        ]
    return {
        "ids": ids,
        "households": households,
        "residents": residents,
        "volunteer": f.actor_for(
            engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team)
        ),
        "stranger": f.actor_for(
            engine, f.create_user(engine, role="volunteer", area_code="B", team_id=other_team)
        ),
        "coordinator": f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A")),
        "printed_on": f.today_minus(3),
    }


def print_sheets(engine, actor, village_id, printed_on):
    with write_session(engine) as s:
        return printing.visit_sheets_document(s, actor=actor, village_id=village_id, printed_on=printed_on)


def stored_sheets(engine) -> dict[str, list[int]]:
    with read_session(engine) as s:
        return {row.id: json.loads(row.household_ids) for row in s.exec(select(VisitSheet)).scalars()}


def enter(engine, actor, sheet_id, rows, *, visited_on=None, close=False):
    with write_session(engine) as s:
        return sheet_entry.enter_sheet(
            s,
            actor=actor,
            sheet_id=sheet_id,
            visited_on=visited_on or f.today_minus(1),
            rows=rows,
            close=close,
        )


def counts(engine) -> dict[str, int]:
    with read_session(engine) as s:
        return {
            model.__name__: s.exec(select(func.count()).select_from(model)).scalar_one()
            for model in (Visit, VisitResident, VisitGuidance, SkillEvent)
        }


def level(engine, resident_id, skill) -> int:
    with read_session(engine) as s:
        row = s.get(ResidentSkill, (resident_id, skill))
        return 0 if row is None else row.level


def assert_rollups_exact(engine) -> None:
    with read_session(engine) as s:
        assert compare(s) == []


# ---------------------------------------------------------------- printing records the sheets


def test_printing_records_each_sheet_with_its_households_in_printed_order(engine, world):
    volunteer, day = world["volunteer"], world["printed_on"]
    printed = print_sheets(engine, volunteer, world["ids"]["A1"], day)
    sheet_id = f"PV-A1-{day:%Y%m%d}-01"
    assert printed.sheet_ids == (sheet_id,)
    assert stored_sheets(engine) == {sheet_id: world["households"]}
    with read_session(engine) as s:
        row = s.get(VisitSheet, sheet_id)
        assert (row.village_id, row.printed_on, row.printed_by) == (
            world["ids"]["A1"],
            day,
            volunteer.user_id,
        )
        assert row.entered_at is None

    # Printed again the same day with the same households: the same id, no new row.
    assert print_sheets(engine, volunteer, world["ids"]["A1"], day).sheet_ids == (sheet_id,)
    assert len(stored_sheets(engine)) == 1

    # A household added: the list differs, so it gets a new number; the old id keeps its old list.
    extra = f.create_household(engine, village_id=world["ids"]["A1"], code="A1-004")
    again = print_sheets(engine, volunteer, world["ids"]["A1"], day)
    assert again.sheet_ids == (f"PV-A1-{day:%Y%m%d}-02",)
    assert stored_sheets(engine) == {
        sheet_id: world["households"],
        again.sheet_ids[0]: [*world["households"], extra],
    }

    # Printed from the command line (no actor) the next day: recorded too, with nobody as the printer.
    with write_session(engine) as s:
        cli = printing.visit_sheets_document(
            s, actor=None, village_id=world["ids"]["A1"], printed_on=day + timedelta(days=1)
        )
        assert cli.sheet_ids == (f"PV-A1-{day + timedelta(days=1):%Y%m%d}-01",)
        assert s.get(VisitSheet, cli.sheet_ids[0]).printed_by is None


def test_only_changed_pages_of_a_reprint_get_new_numbers(engine, world):
    """Two pages; a household added at the end changes page 2 only: page 1 keeps its id."""
    for n in range(4, 12):
        hh = f.create_household(engine, village_id=world["ids"]["A1"], code=f"A1-{n:03d}")
        f.create_resident(engine, household_id=hh, full_name=f"Đinh Văn {n}")
    day = world["printed_on"]
    first = print_sheets(engine, world["volunteer"], world["ids"]["A1"], day).sheet_ids
    assert len(first) == 2
    f.create_household(engine, village_id=world["ids"]["A1"], code="A1-099")
    second = print_sheets(engine, world["volunteer"], world["ids"]["A1"], day).sheet_ids
    assert second[0] == first[0]
    assert second[1] == f"PV-A1-{day:%Y%m%d}-03"
    assert len(stored_sheets(engine)) == 3
    lists = list(stored_sheets(engine).values())
    assert len({json.dumps(x) for x in lists}) == 3  # no id names the same list as another


# ---------------------------------------------------------------- entering a sheet


def _rows(world, *, refused_with_guidance=False):
    h1, h2, _h3 = world["households"]
    r1, r2 = world["residents"][h1]
    follow = f.today_minus(-7)
    return [
        SheetRowInput(
            h1,
            "done",
            residents=[
                ResidentInput(r1, guidance={"guide_submit", "guide_apps"}, levels={"submit": 2, "apps": 1}),
                ResidentInput(r2, guidance={"guide_pay"}),
            ],
        ),
        SheetRowInput(
            h2,
            "refused" if refused_with_guidance else "come_back",
            follow_up_on=follow,
            residents=(
                [ResidentInput(world["residents"][h2][0], guidance={"guide_pay"})]
                if refused_with_guidance
                else []
            ),
        ),
        SheetRowInput(_h3),  # blank: not visited
    ]


def test_entering_a_sheet_records_visits_with_exact_rollups(engine, world):
    volunteer = world["volunteer"]
    sheet_id = print_sheets(engine, volunteer, world["ids"]["A1"], world["printed_on"]).sheet_ids[0]
    h1, h2, h3 = world["households"]
    r1, r2 = world["residents"][h1]

    result = enter(engine, volunteer, sheet_id, _rows(world))

    assert (result.recorded, result.already, result.residents, result.rows_left, result.complete) == (
        2,
        0,
        2,
        1,
        False,
    )
    with read_session(engine) as s:
        visits = {
            v.household_id: v
            for v in s.exec(select(Visit).where(Visit.idempotency_key.like("sheet:%"))).scalars()
        }
        assert set(visits) == {h1, h2}
        assert visits[h1].outcome == "done" and visits[h1].place == "home"
        assert visits[h1].visited_on == f.today_minus(1)
        assert visits[h2].outcome == "come_back"
        assert s.get(Household, h2).follow_up_on == f.today_minus(-7)
        present = set(s.exec(select(VisitResident.resident_id)).scalars())
        assert present == {r1, r2}  # nobody counted as met without a mark on the paper
        assert s.get(VisitSheet, sheet_id).entered_at is None
    assert (level(engine, r1, "submit"), level(engine, r1, "apps"), level(engine, r2, "submit")) == (2, 1, 0)
    assert_rollups_exact(engine)

    # The sheet as the page shows it: two rows entered, one open, residents in printed order.
    with read_session(engine) as s:
        loaded = sheet_entry.load_sheet(s, actor=volunteer, sheet_id=sheet_id)
    assert [r.household_id for r in loaded.rows] == [h1, h2, h3]
    assert [r.entered is not None for r in loaded.rows] == [True, True, False]
    assert [p.id for p in loaded.rows[0].residents] == [r1, r2]
    assert loaded.rows[0].residents[0].levels == {"submit": 2, "apps": 1}
    assert loaded.rows_left == 1


def test_entering_a_sheet_twice_creates_nothing_new_and_a_partial_sheet_completes_later(engine, world):
    volunteer = world["volunteer"]
    sheet_id = print_sheets(engine, volunteer, world["ids"]["A1"], world["printed_on"]).sheet_ids[0]
    enter(engine, volunteer, sheet_id, _rows(world))
    before = counts(engine)

    again = enter(engine, volunteer, sheet_id, _rows(world))

    assert (again.recorded, again.already, again.complete) == (0, 2, False)
    assert counts(engine) == before
    assert_rollups_exact(engine)

    # Later: the third household's row is typed in; every row is now entered and the sheet with it.
    h3 = world["households"][2]
    last = enter(engine, world["coordinator"], sheet_id, [SheetRowInput(h3, "nobody_home")])
    assert (last.recorded, last.rows_left, last.complete) == (1, 0, True)
    assert counts(engine)["Visit"] == before["Visit"] + 1
    with read_session(engine) as s:
        sheet = s.get(VisitSheet, sheet_id)
        assert sheet.entered_at is not None and sheet.entered_by == world["coordinator"].user_id
    assert_rollups_exact(engine)


def test_closing_a_sheet_skips_its_blank_rows(engine, world):
    volunteer = world["volunteer"]
    sheet_id = print_sheets(engine, volunteer, world["ids"]["A1"], world["printed_on"]).sheet_ids[0]
    h1 = world["households"][0]
    result = enter(engine, volunteer, sheet_id, [SheetRowInput(h1, "nobody_home")], close=True)
    assert (result.recorded, result.rows_left, result.complete) == (1, 2, True)
    with read_session(engine) as s:
        overview = sheet_entry.sheets_overview(s, actor=volunteer)
    assert [(v.code, v.printed, v.entered, v.open_sheets) for v in overview] == [("A1", 1, 1, ())]


def test_overview_counts_printed_and_entered_sheets_per_village(engine, world):
    volunteer = world["volunteer"]
    day = world["printed_on"]
    first = print_sheets(engine, volunteer, world["ids"]["A1"], day).sheet_ids[0]
    second = print_sheets(engine, volunteer, world["ids"]["A1"], day + timedelta(days=1)).sheet_ids[0]
    enter(engine, volunteer, first, _rows(world)[:1])
    with read_session(engine) as s:
        (village,) = sheet_entry.sheets_overview(s, actor=volunteer)
        assert sheet_entry.sheets_overview(s, actor=world["stranger"])[0].code == "B1"
        assert [v.code for v in sheet_entry.sheets_overview(s, actor=world["coordinator"])] == ["A1"]
    assert (village.printed, village.entered, village.open) == (2, 0, 2)
    assert [(b.id, b.households, b.rows_entered) for b in village.open_sheets] == [
        (second, 3, 0),
        (first, 3, 1),
    ]


def test_a_typed_sheet_id_is_found_without_case_spaces_or_leading_zero(engine, world):
    volunteer = world["volunteer"]
    day = world["printed_on"]
    sheet_id = print_sheets(engine, volunteer, world["ids"]["A1"], day).sheet_ids[0]
    with read_session(engine) as s:
        for typed in (sheet_id, f" pv-a1-{day:%Y%m%d}-01 ", f"PV A1 {day:%Y%m%d} 1", f"a1-{day:%Y%m%d}-01"):
            assert sheet_entry.find_sheet(s, actor=volunteer, typed=typed) == sheet_id, typed
        with pytest.raises(NotFound):
            sheet_entry.find_sheet(s, actor=volunteer, typed=f"PV-A1-{day:%Y%m%d}-07")


# ---------------------------------------------------------------- refusals


def test_a_sheet_outside_the_volunteers_team_is_refused(engine, world):
    sheet_id = print_sheets(engine, world["volunteer"], world["ids"]["A1"], world["printed_on"]).sheet_ids[0]
    stranger = world["stranger"]
    with read_session(engine) as s:
        with pytest.raises(PermissionDenied):
            sheet_entry.find_sheet(s, actor=stranger, typed=sheet_id)
        with pytest.raises(PermissionDenied):
            sheet_entry.load_sheet(s, actor=stranger, sheet_id=sheet_id)
    with pytest.raises(PermissionDenied):
        enter(engine, stranger, sheet_id, _rows(world))
    assert counts(engine)["Visit"] == 0


def test_validation_problems_are_reported_per_row_and_nothing_is_written(engine, world):
    volunteer = world["volunteer"]
    sheet_id = print_sheets(engine, volunteer, world["ids"]["A1"], world["printed_on"]).sheet_ids[0]
    h1, h2, h3 = world["households"]
    r1 = world["residents"][h1][0]
    r2 = world["residents"][h2][0]
    r3 = world["residents"][h3][0]
    with write_session(engine) as s:  # a visit typed on the visit page: r3 pays online alone
        record_visit(
            s,
            actor=volunteer,
            data=VisitInput("page-visit", f.today_minus(2), "home", "done", household_id=h3,
                            residents=[ResidentInput(r3, levels={"pay": 3})]),
        )  # fmt: skip
    before = counts(engine)

    rows = _rows(world, refused_with_guidance=True)
    rows[0].residents[0].levels["submit"] = 9  # not a level
    with pytest.raises(ValidationFailed) as caught:
        enter(engine, volunteer, sheet_id, rows)
    fields = {(p.field, p.key) for p in caught.value.problems}
    assert fields == {
        (f"row.{h1}.resident.{r1}.submit", "err.invalid_choice"),
        (f"row.{h2}.resident.{r2}", "err.guidance_needs_done"),
    }
    assert counts(engine) == before  # the valid first row was not written either

    # Marks without an outcome, a date in the future, a date before printing.
    with pytest.raises(ValidationFailed) as caught:
        enter(
            engine,
            volunteer,
            sheet_id,
            [SheetRowInput(h1, None, residents=[ResidentInput(r1, {"guide_pay"})])],
        )
    assert [(p.field, p.key) for p in caught.value.problems] == [
        (f"row.{h1}.outcome", "sheet.outcome_needed")
    ]
    with pytest.raises(ValidationFailed) as caught:
        enter(engine, volunteer, sheet_id, _rows(world), visited_on=f.today_minus(-1))
    assert [(p.field, p.key) for p in caught.value.problems] == [("visited_on", "err.visit_future")]
    with pytest.raises(ValidationFailed) as caught:
        enter(engine, volunteer, sheet_id, _rows(world), visited_on=world["printed_on"] - timedelta(days=1))
    assert [(p.field, p.key) for p in caught.value.problems] == [("visited_on", "sheet.before_printed")]
    # A level lower than the one on record needs a reason, as on the visit form.
    with pytest.raises(ValidationFailed) as caught:
        enter(
            engine,
            volunteer,
            sheet_id,
            [SheetRowInput(h3, "done", residents=[ResidentInput(r3, levels={"pay": 1})])],
        )
    assert [(p.field, p.key) for p in caught.value.problems] == [
        (f"row.{h3}.resident.{r3}.pay", "err.level_down_needs_reason")
    ]
    assert counts(engine) == before
    assert level(engine, r3, "pay") == 3
    assert_rollups_exact(engine)
