"""The paper-sheet entry page in AppTest on a real SQLite file: open a sheet by the id typed from the paper,
enter two rows, see them entered; a failed save keeps every input and says what is wrong at the row;
the printed / entered overview; a sheet of another team's village is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import read_session, write_session
from models.tables import Household, ResidentSkill, Visit, VisitResident, VisitSheet
from services.printing import documents as printing
from services.rollups.recount import compare
from tests import factories as f
from webui import state

TIMEOUT = 60
PAGE = str(PROJECT_ROOT / "pages" / "sheet_entry.py")


def vi(key: str, **params) -> str:
    return t(key, "vi", **params)


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    other = f.create_team(e, area_id=ids["B"], name="Tổ Bình", village_ids=(ids["B1"],))
    households = [
        f.create_household(e, village_id=ids["A1"], code=f"A1-{n:03d}", address=f"Xóm Đình {n}")
        for n in (1, 2, 3)
    ]
    residents = [
        f.create_resident(e, household_id=households[0], full_name="Lò Văn Sáu", birth_year=1961),
        f.create_resident(e, household_id=households[1], full_name="Hà Thị Tám", birth_year=1972),
    ]
    volunteer = f.create_user(e, role="volunteer", area_code="A", team_id=team, username="vol_a")
    with write_session(e) as s:
        sheet_id = printing.visit_sheets_document(
            s, actor=f.actor_for(e, volunteer), village_id=ids["A1"], printed_on=f.today_minus(2)
        ).sheet_ids[0]
    return {
        "engine": e,
        "ids": ids,
        "households": households,
        "residents": residents,
        "volunteer": volunteer,
        "stranger": f.create_user(e, role="volunteer", area_code="B", team_id=other, username="vol_b"),
        "sheet": sheet_id,
    }


def signed_in(user_id: int) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at.run()


def by_key(widgets, key: str):
    found = [w for w in widgets if w.key == key]
    assert found, f"no widget {key}"
    return found[0]


def open_typed(at: AppTest, typed: str) -> AppTest:
    at.text_input(key="sheets.typed").set_value(typed)
    next(b for b in at.button if b.label == vi("sheet.open")).click()
    return at.run()


def row_prefix(at: AppTest, household_id: int) -> str:
    keys = [w.key for w in at.button_group if w.key and w.key.endswith(f".h{household_id}.outcome")]
    assert keys, f"no open row for household {household_id}"
    return keys[0].removesuffix(".outcome")


def visits(engine) -> list[tuple]:
    with read_session(engine) as s:
        return sorted(s.exec(select(Visit.household_id, Visit.outcome, Visit.idempotency_key)).all())


def save(at: AppTest) -> AppTest:
    by_key(at.button, "sheets.save").click()
    return at.run()


def test_volunteer_opens_a_typed_sheet_and_enters_two_rows(world):
    e, (h1, h2, h3), (r1, _r2) = world["engine"], world["households"], world["residents"]
    at = signed_in(world["volunteer"])
    assert not at.exception, at.exception
    typed = "  " + world["sheet"].lower().replace("-", " ") + " "
    at = open_typed(at, typed)
    assert not at.exception, at.exception
    assert at.subheader[0].value == world["sheet"]
    assert [m.value for m in at.markdown if m.value.startswith("**")][:3] == [
        f"**1. {vi('sheet.household', code='A1-001')}** · Xóm Đình 1",
        "**Lò Văn Sáu** (1961)",
        f"**2. {vi('sheet.household', code='A1-002')}** · Xóm Đình 2",
    ]
    p1, p2 = row_prefix(at, h1), row_prefix(at, h2)
    by_key(at.button_group, f"{p1}.outcome").set_value("done").run()
    by_key(at.button_group, f"{p1}.r{r1}.guide").set_value(["guide_submit", "guide_apps"]).run()
    by_key(at.button_group, f"{p1}.r{r1}.lvl-submit").set_value(2).run()
    by_key(at.button_group, f"{p2}.outcome").set_value("come_back").run()
    by_key(at.date_input, f"{p2}.follow_up").set_value(f.today_minus(-5)).run()
    at = save(at)
    assert not at.exception, at.exception
    assert not at.error, [x.value for x in at.error]

    sheet = world["sheet"]
    assert visits(e) == [(h1, "done", f"sheet:{sheet}:{h1}"), (h2, "come_back", f"sheet:{sheet}:{h2}")]
    with read_session(e) as s:
        assert s.get(ResidentSkill, (r1, "submit")).level == 2
        assert list(s.exec(select(VisitResident.resident_id)).scalars()) == [r1]  # r2 was not marked
        assert s.get(Household, h2).follow_up_on == f.today_minus(-5)
        assert s.get(VisitSheet, sheet).entered_at is None  # the third row is still open
        assert compare(s) == []
    saved = vi("sheet.saved", id=sheet, recorded=2, residents=1)
    assert any(saved in x.value for x in at.success)
    # The two rows now read as entered; only the third is open; the sheet can be closed.
    assert [w.key for w in at.button_group if w.key and w.key.endswith(".outcome")] == [
        f"{row_prefix(at, h3)}.outcome"
    ]
    assert any(
        vi("sheet.row_entered", outcome=vi("journey.outcome.done"), date="") in m.value for m in at.markdown
    )

    at.checkbox[0].check().run()
    at = save(at)
    assert not at.exception, at.exception
    with read_session(e) as s:
        assert s.get(VisitSheet, sheet).entered_at is not None
    assert len(visits(e)) == 2  # the blank row was skipped, nothing written twice
    assert any(
        vi("sheet.entered_done", date=f.today_minus(0).strftime("%d/%m/%Y")) in x.value for x in at.success
    )


def test_a_failed_save_keeps_every_input_and_shows_the_problem_at_the_row(world):
    e, (h1, h2, _h3), (r1, r2) = world["engine"], world["households"], world["residents"]
    at = open_typed(signed_in(world["volunteer"]), world["sheet"])
    p1, p2 = row_prefix(at, h1), row_prefix(at, h2)
    by_key(at.button_group, f"{p1}.outcome").set_value("done").run()
    by_key(at.button_group, f"{p1}.r{r1}.lvl-pay").set_value(3).run()
    by_key(at.button_group, f"{p2}.outcome").set_value("refused").run()
    by_key(at.button_group, f"{p2}.r{r2}.guide").set_value(["guide_pay"]).run()  # guided, yet refused
    by_key(at.text_input, f"{p2}.notes").set_value("Con trai không cho").run()
    at = save(at)
    assert not at.exception, at.exception

    errors = [x.value for x in at.error]
    assert vi("sheet.save_failed") in errors
    assert vi("err.guidance_needs_done") in errors
    assert visits(e) == []  # the valid first row was not written either
    # Every input is still there.
    assert by_key(at.button_group, f"{p1}.outcome").value == "done"
    assert by_key(at.button_group, f"{p1}.r{r1}.lvl-pay").value == 3
    assert by_key(at.button_group, f"{p2}.outcome").value == "refused"
    assert by_key(at.button_group, f"{p2}.r{r2}.guide").value == ["guide_pay"]
    assert by_key(at.text_input, f"{p2}.notes").value == "Con trai không cho"

    # Fixed at the row, saved: both rows written once.
    by_key(at.button_group, f"{p2}.r{r2}.guide").set_value([]).run()
    at = save(at)
    assert not at.error, [x.value for x in at.error]
    assert [v[:2] for v in visits(e)] == [(h1, "done"), (h2, "refused")]


def test_the_overview_lists_sheets_printed_and_entered_per_village_and_opens_one(world):
    at = signed_in(world["volunteer"])
    assert at.subheader[0].value == vi("sheet.summary_heading")
    assert vi("sheet.village_counts", printed=1, entered=0, open=1) in [c.value for c in at.caption]
    pick = by_key(at.button, f"sheets.pick.{world['sheet']}")
    assert world["sheet"] in pick.label and "0/3" in pick.label
    pick.click()
    at.run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == world["sheet"]
    row_prefix(at, world["households"][0])


def test_a_sheet_of_another_teams_village_is_refused(world):
    at = open_typed(signed_in(world["stranger"]), world["sheet"])
    assert not at.exception, at.exception
    assert [x.value for x in at.error] == [vi("err.out_of_scope")]
    assert not [w for w in at.button_group if w.key and w.key.endswith(".outcome")]
    assert f"sheets.pick.{world['sheet']}" not in [b.key for b in at.button]
    at = open_typed(at, "PV-A1-20000101-01")
    assert [x.value for x in at.error] == [vi("sheet.not_found", id="PV-A1-20000101-01")]


def test_sheets_printed_on_the_leaflets_page_are_recorded_and_open_here(world):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "leaflets.py"), default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = world["volunteer"]
    at.run()
    next(b for b in at.button if b.label == vi("leaflets.make_sheets")).click()
    at.run()
    assert not at.exception, at.exception
    today_id = f"PV-A1-{f.today_minus(0):%Y%m%d}-01"
    assert vi("leaflets.sheet_ids", ids=today_id) in [c.value for c in at.caption]
    with read_session(world["engine"]) as s:
        row = s.get(VisitSheet, today_id)
        assert row is not None and row.printed_by == world["volunteer"]
    at = open_typed(signed_in(world["volunteer"]), today_id)
    assert at.subheader[0].value == today_id


def test_children_under_14_are_folded_away_until_shown(world):
    h1 = world["households"][0]
    child = f.create_resident(
        world["engine"], household_id=h1, full_name="Lò Văn Bé", birth_year=f.today_minus(0).year - 5
    )
    at = open_typed(signed_in(world["volunteer"]), world["sheet"])
    prefix = row_prefix(at, h1)
    assert not [w for w in at.button_group if w.key and w.key.startswith(f"{prefix}.r{child}.")]
    toggle = by_key(at.toggle, f"{prefix}.children")
    assert toggle.label == vi("sheet.show_children", n=1)
    toggle.set_value(True).run()
    by_key(at.button_group, f"{prefix}.outcome").set_value("done").run()
    by_key(at.button_group, f"{prefix}.r{child}.guide").set_value(["guide_apps"]).run()
    assert by_key(at.toggle, f"{prefix}.children").proto.disabled  # a marked child stays shown
    at = save(at)
    assert not at.error, [x.value for x in at.error]
    with read_session(world["engine"]) as s:
        assert list(s.exec(select(VisitResident.resident_id)).scalars()) == [child]


def test_a_link_with_the_sheet_id_opens_it(world):
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = world["volunteer"]
    at.query_params["sheet"] = world["sheet"].lower()
    at.run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == world["sheet"]
