"""Certificates for residents with all five skills, checked with real tools: pypdf for the text, page
size and fonts, PDFium and zxing-cpp for the QR code; who gets none and what they miss; the scope."""

from __future__ import annotations

from datetime import date

import pytest

from models.db import read_session, write_session
from models.enums import SKILLS
from services.errors import AppError, NotFound, PermissionDenied
from services.people.admin import set_household_status, set_resident_status
from services.printing import certificates as cert
from services.visits.record import ResidentInput, VisitInput, record_visit
from tests import factories as f
from tests.services.printing.test_pdf import (
    PUBLIC,
    assert_nfc,
    embedded_fonts,
    flat,
    no_space,
    page_sizes,
    page_texts,
    qr_codes,
    set_public_url,
)

A5_LANDSCAPE = (595, 420)
ALL_FIVE = dict.fromkeys((s.value for s in SKILLS), 3)


def visit(engine, actor, key: str, household: int, days_ago: int, *residents: ResidentInput) -> None:
    data = VisitInput(
        key, f.today_minus(days_ago), "home", "done", household_id=household, residents=list(residents)
    )
    with write_session(engine) as s:
        record_visit(s, actor=actor, data=data)


def build_world(engine) -> dict:
    """Village A1 (commune A): Thuỷ reaches the fifth skill 3 days ago, Bình has three of five, Hạnh in
    a household that moved away and Giang who moved away have all five but count nowhere. Village B1
    (commune B): Khoa has all five."""
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], village_ids=(ids["A1"],))
    users = {
        "volunteer": f.create_user(engine, role="volunteer", area_code="A", team_id=team),
        "coordinator": f.create_user(engine, role="coordinator", area_code="A"),
        "leader": f.create_user(engine, role="leader", area_code="A"),
        "leader_b": f.create_user(engine, role="leader", area_code="B"),
        "admin": f.create_user(engine, role="admin", area_code="P"),
        "coordinator_b": f.create_user(engine, role="coordinator", area_code="B"),
    }
    coord = f.actor_for(engine, users["coordinator"])
    hh1 = f.create_household(engine, village_id=ids["A1"], code="A1-001")
    # NFD input, stored composed with one tone-mark placement ("Thuỷ" -> "Thủy").
    thuy = f.create_resident(engine, household_id=hh1, full_name="Nguye\u0302\u0303n Thị Thuỷ")
    binh = f.create_resident(engine, household_id=hh1, full_name="Trần Văn Bình")
    giang = f.create_resident(engine, household_id=hh1, full_name="Võ Văn Giang")
    hh2 = f.create_household(engine, village_id=ids["A1"], code="A1-002")
    hanh = f.create_resident(engine, household_id=hh2, full_name="Hồ Thị Hạnh")
    hh3 = f.create_household(engine, village_id=ids["B1"], code="B1-001")
    khoa = f.create_resident(engine, household_id=hh3, full_name="Mai Văn Khoa")

    four = {**ALL_FIVE, "apps": 2}
    visit(
        engine,
        coord,
        "c1",
        hh1,
        10,
        ResidentInput(thuy, guidance={"guide_submit"}, levels=four),
        ResidentInput(binh, levels={"submit": 3, "feedback": 3, "receive": 3, "pay": 2, "apps": 1}),
        ResidentInput(giang, levels=dict(ALL_FIVE)),
    )
    visit(engine, coord, "c2", hh1, 3, ResidentInput(thuy, guidance={"guide_apps"}, levels={"apps": 3}))
    visit(engine, coord, "c3", hh2, 5, ResidentInput(hanh, levels=dict(ALL_FIVE)))
    coord_b = f.actor_for(engine, users["coordinator_b"])
    visit(engine, coord_b, "c4", hh3, 5, ResidentInput(khoa, levels=dict(ALL_FIVE)))
    with write_session(engine) as s:
        set_resident_status(s, actor=coord, resident_id=giang, status="moved")
        set_household_status(s, actor=coord, household_id=hh2, status="moved")
    people = {"thuy": thuy, "binh": binh, "giang": giang, "hanh": hanh, "khoa": khoa}
    return {"ids": ids, "users": users, "people": people}


@pytest.fixture
def world(engine) -> dict:
    return build_world(engine)


def batch(engine, user: int | None, village_id: int, **kw) -> cert.CertificateBatch:
    actor = f.actor_for(engine, user) if user is not None else None
    with read_session(engine) as s:
        return cert.certificates_document(s, actor=actor, village_id=village_id, **kw)


def test_one_a5_landscape_page_for_the_resident_with_all_five(engine, world):
    set_public_url(engine)
    people = world["people"]
    result = batch(engine, world["users"]["coordinator"], world["ids"]["A1"], issued_on=date(2026, 3, 20))

    assert [(r.resident_id, r.name, r.household_code) for r in result.issued] == [
        (people["thuy"], "Nguyễn Thị Thủy", "A1-001")
    ]
    assert result.issued[0].reached == f.today_minus(3)  # the day the last of the five was reached
    assert page_sizes(result.pdf) == [A5_LANDSCAPE]
    (text,) = page_texts(result.pdf)
    assert_nfc(
        text,
        "GIẤY CHỨNG NHẬN",
        "CÔNG DÂN SỐ",
        "Nguyễn Thị Thủy",
        "Thôn Một, Xã An",
        f"Ngày đạt đủ 5 kỹ năng: {f.today_minus(3):%d/%m/%Y}",
        "ĐẠI DIỆN XÃ AN",
        "Xã An, ngày 20 tháng 3 năm 2026",
    )
    for other in ("Trần Văn Bình", "Võ Văn Giang", "Hồ Thị Hạnh", "Mai Văn Khoa"):
        assert other not in flat(text)
    fonts = embedded_fonts(result.pdf)
    assert fonts and all(fonts.values()), fonts
    assert all(name.split("+")[-1].startswith("DejaVuSans") for name in fonts), fonts

    record = f"{PUBLIC}/residents?resident={people['thuy']}"
    assert record == cert.resident_url(people["thuy"], PUBLIC + "/")
    assert qr_codes(result.pdf) == [[record]]
    assert record in no_space(text)  # the link is printed under the code


def test_the_others_are_listed_with_what_they_miss(engine, world):
    set_public_url(engine)
    result = batch(engine, world["users"]["volunteer"], world["ids"]["A1"])
    # Bình only: Giang moved away, Hạnh's household moved away; neither counts.
    assert [(m.resident_id, m.name, m.household_code, m.skills) for m in result.missing] == [
        (world["people"]["binh"], "Trần Văn Bình", "A1-001", ("pay", "apps"))
    ]


def test_a_village_where_nobody_has_all_five_gets_no_pdf(engine, world):
    set_public_url(engine)
    hh = f.create_household(engine, village_id=world["ids"]["A2"], code="A2-001")
    f.create_resident(engine, household_id=hh, full_name="Đỗ Văn Tâm")
    result = batch(engine, world["users"]["leader"], world["ids"]["A2"])
    assert result.pdf is None and result.issued == ()
    assert [(m.name, m.skills) for m in result.missing] == [("Đỗ Văn Tâm", tuple(s.value for s in SKILLS))]


def test_many_certificates_are_one_document_in_name_order():
    people = ["Lê Văn Cường", "Phạm Thị An", "Hà Văn Bảo"]
    certificates = [
        cert.Certificate(name, "Thôn Một", "Xã An", date(2026, 1, 5), f"https://h/residents?resident={i}")
        for i, name in enumerate(people, 1)
    ]
    data = cert.certificates_pdf(certificates, issued_on=date(2026, 1, 9))
    assert page_sizes(data) == [A5_LANDSCAPE] * 3
    assert [flat(t).split("Chứng nhận ")[1].split(" Thôn")[0] for t in page_texts(data)] == people
    assert qr_codes(data) == [[c.url] for c in certificates]


def test_villages_outside_the_actors_scope_are_refused(engine, world):
    set_public_url(engine)
    b1, a1, a2 = world["ids"]["B1"], world["ids"]["A1"], world["ids"]["A2"]
    with pytest.raises(PermissionDenied):  # another commune's leader
        batch(engine, world["users"]["leader_b"], a1)
    with pytest.raises(PermissionDenied):  # a commune's coordinator, a village of another commune
        batch(engine, world["users"]["coordinator"], b1)
    with pytest.raises(PermissionDenied):  # a volunteer: only their team's villages
        batch(engine, world["users"]["volunteer"], a2)
    # The province's admin and the server administrator (actor None) reach every village.
    assert [r.name for r in batch(engine, world["users"]["admin"], b1).issued] == ["Mai Văn Khoa"]
    assert [r.name for r in batch(engine, None, b1).issued] == ["Mai Văn Khoa"]
    with read_session(engine) as s:
        volunteer = f.actor_for(engine, world["users"]["volunteer"])
        assert [v.code for v in cert.villages_in_scope(s, actor=volunteer)] == ["A1"]
        leader = f.actor_for(engine, world["users"]["leader"])
        assert {v.code for v in cert.villages_in_scope(s, actor=leader)} == {"A1", "A2"}


def test_only_villages_and_a_public_address(engine, world, monkeypatch):
    with pytest.raises(AppError) as err:  # a commune is not a village
        batch(engine, None, world["ids"]["A"])
    assert err.value.key == "err.print_not_village"
    with pytest.raises(NotFound):
        batch(engine, None, 987654)
    monkeypatch.setenv("APP_BASE_URL", "http://127.0.0.1:8501")  # no phone could open the QR code
    with pytest.raises(AppError) as err:
        batch(engine, world["users"]["coordinator"], world["ids"]["A1"])
    assert err.value.key == "err.public_url_loopback"
    # Nothing to print, nothing refused: the list of who misses what still comes back.
    assert batch(engine, world["users"]["coordinator"], world["ids"]["A2"]).pdf is None
    with pytest.raises(PermissionDenied):  # the scope is checked first
        batch(engine, world["users"]["leader_b"], world["ids"]["A1"])
