"""One search box: names with or without diacritics, codes, addresses, phone tails; never outside scope."""

import pytest

from models.db import read_session
from services.visits import search as search_module
from services.visits.search import search_households
from tests import factories as f


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    other = f.create_tree(engine, prefix="Z")  # another province
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    h = {
        "thuy": f.create_household(engine, village_id=ids["A1"], code="A1-H0001", address="Số 12 ngõ Chùa"),
        "thuy2": f.create_household(engine, village_id=ids["A1"], code="A1-H0002", address="Xóm Bến"),
        "hoa": f.create_household(engine, village_id=ids["A1"], code="A1-H0003", address="Đường Lê Lợi"),
        "a2": f.create_household(engine, village_id=ids["A2"], code="A2-H0001", address="Xóm Chùa"),
        "b1": f.create_household(engine, village_id=ids["B1"], code="B1-H0001", address="Xóm Chùa"),
        "z": f.create_household(engine, village_id=other["A1"], code="ZA1-H0001", address="Xóm Chùa"),
    }
    r = {
        "thuy": f.create_resident(
            engine, household_id=h["thuy"], full_name="Nguyễn Thị Thuỷ", phone="0912345678"
        ),
        "thuy2": f.create_resident(engine, household_id=h["thuy2"], full_name="Trần Thủy Tiên"),
        "hoa": f.create_resident(engine, household_id=h["hoa"], full_name="Lê Văn Hoà", phone="0987000111"),
        "a2": f.create_resident(
            engine, household_id=h["a2"], full_name="Nguyễn Thị Thủy", phone="0900005678"
        ),
        "b1": f.create_resident(
            engine, household_id=h["b1"], full_name="Nguyễn Thị Thủy", phone="0911115678"
        ),
        "z": f.create_resident(engine, household_id=h["z"], full_name="Nguyễn Thị Thủy", phone="0922225678"),
    }
    return {
        "ids": ids,
        "h": h,
        "r": r,
        "vol": f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="A", team_id=team)),
        "coord": f.actor_for(engine, f.create_user(engine, role="coordinator", area_code="A")),
        "leader": f.actor_for(engine, f.create_user(engine, role="leader", area_code="P")),
    }


def _ids(engine, actor, query, **kw):
    with read_session(engine) as s:
        return [hit.household_id for hit in search_households(s, actor=actor, query=query, **kw)]


def test_names_with_and_without_diacritics(engine, world):
    h, vol = world["h"], world["vol"]
    for query in ("nguyen thi thuy", "Nguyễn Thị Thuỷ", "NGUYỄN THỊ THỦY", "  nguyen   thi  thuy "):
        assert _ids(engine, vol, query) == [h["thuy"]], query
    # "Thuỷ" and "Thủy" are one name, typed either way.
    assert set(_ids(engine, vol, "thuỷ")) == {h["thuy2"], h["thuy"]}
    assert set(_ids(engine, vol, "thủy")) == {h["thuy2"], h["thuy"]}
    assert _ids(engine, vol, "Hòa") == [h["hoa"]]
    assert _ids(engine, vol, "hoà") == [h["hoa"]]
    assert _ids(engine, vol, "le van hoa") == [h["hoa"]]


def test_word_order_partial_words_and_ranking(engine, world):
    h, vol = world["h"], world["vol"]
    assert _ids(engine, vol, "thuy nguyen") == [h["thuy"]]
    assert _ids(engine, vol, "ng th thu") == [h["thuy"]]
    assert _ids(engine, vol, "tran thuy") == [h["thuy2"]]
    # Whole query at the start of the name first, then all words at word starts, then anywhere.
    ids = world["ids"]
    late = f.create_household(engine, village_id=ids["A1"], code="A1-H0009")
    f.create_resident(engine, household_id=late, full_name="Lê Văn An")
    first = f.create_household(engine, village_id=ids["A1"], code="A1-H0010")
    f.create_resident(engine, household_id=first, full_name="An Văn Bình")
    inside = f.create_household(engine, village_id=ids["A1"], code="A1-H0011")
    f.create_resident(engine, household_id=inside, full_name="Trần Thị Lan")
    with read_session(engine) as s:
        hits = search_households(s, actor=vol, query="an")
    assert [x.household_id for x in hits] == [first, late, h["hoa"], inside, h["thuy2"]]
    assert [x.rank for x in hits] == [2, 4, 5, 5, 5]
    assert hits[0].residents[0].full_name == "An Văn Bình"
    assert _ids(engine, vol, "xyz") == []
    assert _ids(engine, vol, "   ") == []


def test_code_address_and_phone_tail(engine, world):
    h, vol, r = world["h"], world["vol"], world["r"]
    with read_session(engine) as s:
        hit = search_households(s, actor=vol, query="a1-h0003")[0]
    assert (hit.household_id, hit.matched_on, hit.code) == (h["hoa"], "code", "A1-H0003")
    assert _ids(engine, vol, "H0002") == [h["thuy2"]]
    assert _ids(engine, vol, "ngo chua") == [h["thuy"]]
    assert _ids(engine, vol, "le loi") == [h["hoa"]]
    with read_session(engine) as s:
        hits = search_households(s, actor=vol, query="5678")
    assert [x.household_id for x in hits] == [h["thuy"]]
    assert hits[0].matched_on == "phone" and hits[0].residents[0].resident_id == r["thuy"]
    assert hits[0].residents[0].phone_tail == "5678"
    assert _ids(engine, vol, "111") == [h["hoa"]]
    assert _ids(engine, vol, "0 111") == [h["hoa"]]
    with read_session(engine) as s:
        short = search_households(s, actor=vol, query="12")  # too short for a phone tail: the address
    assert [(x.household_id, x.matched_on) for x in short] == [(h["thuy"], "address")]


def test_scope_limits(engine, world):
    h, ids = world["h"], world["ids"]
    # The volunteer's team works in A1 only.
    assert _ids(engine, world["vol"], "Xóm Chùa") == []
    assert _ids(engine, world["vol"], "B1-H0001") == []
    # The commune coordinator sees A1 and A2 but not B1 nor the other province.
    assert set(_ids(engine, world["coord"], "nguyen thi thuy")) == {h["thuy"], h["a2"]}
    assert set(_ids(engine, world["coord"], "5678")) == {h["thuy"], h["a2"]}
    assert set(_ids(engine, world["coord"], "xom chua")) == {h["a2"]}
    # The province leader sees the whole province, never the other one.
    assert set(_ids(engine, world["leader"], "nguyen thi thuy")) == {h["thuy"], h["a2"], h["b1"]}
    assert h["z"] not in _ids(engine, world["leader"], "ZA1-H0001")
    assert ids["P"]


def test_wide_scope_strategy_gives_the_same_matches(engine, world, monkeypatch):
    h = world["h"]
    monkeypatch.setattr(search_module, "WIDE_SCOPE_RESIDENTS", 0)
    leader = world["leader"]
    assert set(_ids(engine, leader, "nguyen thi thuy")) == {h["thuy"], h["a2"], h["b1"]}
    assert set(_ids(engine, leader, "thuy")) == {h["thuy"], h["thuy2"], h["a2"], h["b1"]}
    assert set(_ids(engine, leader, "5678")) == {h["thuy"], h["a2"], h["b1"]}
    assert set(_ids(engine, leader, "xom chua")) == {h["a2"], h["b1"]}
    assert _ids(engine, leader, "B1-H0001") == [h["b1"]]
    assert h["z"] not in _ids(engine, leader, "thuy")
    assert len(_ids(engine, leader, "thuy", limit=2)) == 2


def test_hits_carry_every_resident_and_the_visit_status(engine, world):
    """Issue 8 (16): a result names the household's residents (head first) and says whether it was
    never visited, when it was last visited and how, and whether a revisit is due."""
    from datetime import timedelta

    from core.clock import today
    from models.db import write_session
    from models.tables import Resident
    from services.visits.corrections import withdraw_visit
    from services.visits.record import VisitInput, record_visit

    h, vol, ids = world["h"], world["vol"], world["ids"]
    family = f.create_household(engine, village_id=ids["A1"], code="A1-H0020", address="Xóm Giữa")
    names = ["Đỗ Văn Hùng", "Đỗ Thị Hạnh", "Đỗ Minh Khôi"]
    people = [f.create_resident(engine, household_id=family, full_name=n) for n in names]
    with write_session(engine) as s:
        s.get(Resident, people[1]).is_head = True
    with read_session(engine) as s:
        hit = search_households(s, actor=vol, query="A1-H0020")[0]
    assert hit.resident_names == ["Đỗ Thị Hạnh", "Đỗ Văn Hùng", "Đỗ Minh Khôi"]
    assert (hit.last_visited_on, hit.last_outcome, hit.follow_up_on) == (None, None, None)

    def visit(key, days_ago, outcome, follow_in=None, household=family):
        with write_session(engine) as s:
            return record_visit(
                s,
                actor=vol,
                data=VisitInput(
                    idempotency_key=key,
                    visited_on=today() - timedelta(days=days_ago),
                    place="home",
                    outcome=outcome,
                    household_id=household,
                    follow_up_on=None if follow_in is None else today() + timedelta(days=follow_in),
                ),
            )

    visit("s-1", 9, "done")
    visit("s-2", 5, "nobody_home", follow_in=-1)
    later = visit("s-3", 2, "refused")
    with write_session(engine) as s:
        withdraw_visit(s, actor=vol, visit_id=later, reason="Ghi nhầm")
    visit("s-4", 7, "done", household=h["hoa"])
    with read_session(engine) as s:
        hit = search_households(s, actor=vol, query="do thi hanh")[0]
        hoa = search_households(s, actor=vol, query="le van hoa")[0]
    # The withdrawn visit does not count: the latest active one is "nobody home", revisit overdue.
    assert hit.household_id == family
    assert (hit.last_visited_on, hit.last_outcome) == (today() - timedelta(days=5), "nobody_home")
    assert hit.follow_up_on == today() - timedelta(days=1) and hit.revisit_due(today())
    assert [r.full_name for r in hit.residents] == ["Đỗ Thị Hạnh"]  # the one that matched
    assert (hoa.last_visited_on, hoa.last_outcome, hoa.revisit_due(today())) == (
        today() - timedelta(days=7),
        "done",
        False,
    )
