"""Printed material checked with real tools: PDFium renders every page, zxing-cpp decodes every QR code,
pypdf extracts the text and inspects the embedded fonts."""

from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import date

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

from core.clock import utcnow
from core.settings import get_settings
from models.db import read_session, write_session
from models.tables import Member, ResidentSkill
from services import app_settings
from services.errors import AppError, PermissionDenied
from services.printing import documents as printing
from services.printing import pdf
from services.printing.content import get_catalogue
from tests import factories as f

A4 = (595, 842)
A5 = (420, 595)
A4_LANDSCAPE = (842, 595)


# ---------------- helpers (shared with the CLI and page tests)


def qr_codes(data: bytes, scale: float = 3) -> list[list[str]]:
    """The decoded QR codes of each page, top to bottom then left to right."""
    out = []
    document = pdfium.PdfDocument(data)
    try:
        for page in document:
            image = page.render(scale=scale).to_pil()
            found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            found = sorted(found, key=lambda b: (round(b.position.top_left.y / 40), b.position.top_left.x))
            out.append([b.text for b in found])
    finally:
        document.close()
    return out


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Text without line breaks, so wrapped sentences and links compare whole."""
    return re.sub(r"\s+", " ", text).strip()


def no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_sizes(data: bytes) -> list[tuple[int, int]]:
    return [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height)))
        for p in pypdf.PdfReader(io.BytesIO(data)).pages
    ]


def embedded_fonts(data: bytes) -> dict[str, bool]:
    """Base font name -> whether its TrueType program is embedded (FontFile2), over all pages."""
    fonts: dict[str, bool] = {}
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    return fonts


def assert_nfc(text: str, *expected: str) -> None:
    assert unicodedata.is_normalized("NFC", text)
    flattened = flat(text)
    for item in expected:
        assert unicodedata.is_normalized("NFC", item)
        assert item in flattened, f"{item!r} not in the extracted text"


# ---------------------------------------------------------------- leaflets (no database)


@pytest.mark.parametrize(("size", "expected"), [("A4", A4), ("A5", A5)])
@pytest.mark.parametrize("leaflet_id", list(get_catalogue().leaflets))
def test_every_leaflet_renders_with_working_qr_codes(leaflet_id, size, expected):
    catalogue = get_catalogue()
    leaflet = catalogue.leaflets[leaflet_id]
    base = "https://5b3h.example.vn"
    data = pdf.leaflet_pdf(leaflet, catalogue, base_url=base, size=size)

    assert page_sizes(data) == [expected]  # one sheet of paper
    urls = [catalogue.portal.url_for(code) for code in leaflet.procedures]
    for vid in leaflet.videos:
        video = catalogue.videos[vid]
        urls.append(video.url or f"{base}/videos?video={vid}")
    assert qr_codes(data) == [urls]
    text = page_texts(data)[0]
    assert_nfc(text, leaflet.title, *(s.heading for s in leaflet.sections))
    for url in urls:  # the link is printed under its QR code
        assert url in no_space(text)
    fonts = embedded_fonts(data)
    assert fonts and all(fonts.values()), fonts
    assert all(name.split("+")[-1].startswith("DejaVuSans") for name in fonts), fonts


def test_the_five_steps_leaflet_prints_the_steps_in_order():
    catalogue = get_catalogue()
    data = pdf.leaflet_pdf(catalogue.leaflets["submit-steps"], catalogue, base_url="http://h", size="A5")
    text = flat(page_texts(data)[0])
    steps = ["Đăng nhập", "Chọn thủ tục", "Nhập hồ sơ", "Theo dõi kết quả", "Nhận kết quả"]
    positions = [text.index(f"Bước {n}. {step}") for n, step in enumerate(steps, start=1)]
    assert positions == sorted(positions)


def test_decomposed_input_comes_out_composed():
    catalogue = get_catalogue()
    leaflet = catalogue.leaflets["pay"]
    place = pdf.LeafletPlace(
        commune_name=unicodedata.normalize("NFD", "Xã Quảng Bạch"),
        contacts=(pdf.Contact(unicodedata.normalize("NFD", "Nông Thị Thủy"), "0912345678", "Tổ Một"),),
    )
    text = page_texts(pdf.leaflet_pdf(leaflet, catalogue, base_url="http://h", place=place))[0]
    assert_nfc(text, "Xã Quảng Bạch", "Nông Thị Thủy — 0912345678")


def test_unknown_paper_size_is_refused():
    with pytest.raises(ValueError):
        pdf.new_pdf("A3")


def test_visit_sheet_pagination_keeps_households_whole():
    households = [
        pdf.SheetHousehold(f"H{i}", "", tuple((f"R{i}-{j}", None) for j in range(i % 6))) for i in range(30)
    ]
    sheets = pdf.paginate_visit_sheets(households, rows_per_sheet=20)
    assert [h for sheet in sheets for h in sheet] == households
    assert all(sum(1 + len(h.residents) for h in sheet) <= 20 for sheet in sheets)
    assert len(sheets) > 1


# ---------------- printing for areas (database, both backends)


@pytest.fixture
def world(engine):
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], name="Tổ công nghệ số thôn Một", village_ids=(ids["A1"],))
    f.create_member(engine, team_id=team, full_name="Lê Thị Hoa")
    with write_session(engine) as s:
        leader = Member(
            team_id=team, full_name="Phạm Văn Đức", name_key="pham van duc", kind="officer",
            phone="0987654321", is_leader=True, created_at=utcnow(),
        )  # fmt: skip
        s.add(leader)
    households = []
    for n, (address, people) in enumerate(
        [
            ("Số 1, xóm Đồng", [unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ"), "Trần Văn Bình"]),
            ("Số 2, xóm Bãi", ["Đỗ Hoà"]),
        ]
    ):
        hh = f.create_household(engine, village_id=ids["A1"], code=f"A1-{n + 1:03d}", address=address)
        households.append(hh)
        for i, name in enumerate(people):
            rid = f.create_resident(engine, household_id=hh, full_name=name, birth_year=1950 + i)
            if i == 0:
                with write_session(engine) as s:
                    s.add(
                        ResidentSkill(resident_id=rid, skill="submit", level=2, updated_on=date(2026, 1, 5))
                    )
    other = f.create_household(engine, village_id=ids["B1"], code="B1-001")
    f.create_resident(engine, household_id=other, full_name="Vũ Văn Khác")
    users = {
        "volunteer": f.create_user(engine, role="volunteer", area_code="A", team_id=team),
        "coordinator": f.create_user(engine, role="coordinator", area_code="A"),
        "leader": f.create_user(engine, role="leader", area_code="P"),
    }
    return {"ids": ids, "households": households, "users": users, "team": team}


def test_commune_leaflet_names_the_commune_and_its_team(engine, world):
    actor = f.actor_for(engine, world["users"]["coordinator"])
    with read_session(engine) as s:
        data = printing.leaflet_document(
            s, actor=actor, leaflet_id="benefits", size="A5", area_id=world["ids"]["A"]
        )
    assert page_sizes(data) == [A5]
    text = page_texts(data)[0]
    # The leader (with a phone) is listed first.
    assert_nfc(text, "Xã An", "Phạm Văn Đức — 0987654321", "Lê Thị Hoa", "Vì sao nên làm thủ tục trực tuyến?")
    assert flat(text).index("Phạm Văn Đức") < flat(text).index("Lê Thị Hoa")


def test_village_batch_is_one_document(engine, world):
    actor = f.actor_for(engine, world["users"]["volunteer"])
    catalogue = get_catalogue()
    with read_session(engine) as s:
        data = printing.village_leaflets_document(
            s, actor=actor, village_id=world["ids"]["A1"], leaflet_ids=["pay", "apps"], copies=2
        )
    assert page_sizes(data) == [A4] * 4
    codes = qr_codes(data)
    base = get_settings().app_base_url
    pay = [catalogue.portal.url_for(c) for c in catalogue.leaflets["pay"].procedures] + [
        f"{base}/videos?video=clip-pay"
    ]
    assert codes[0] == codes[1] == pay
    for text in page_texts(data):
        assert_nfc(text, "Thôn Một, Xã An", "Phạm Văn Đức")


PUBLIC = "https://5b3h.xa-an.example.vn"


def set_public_url(engine, url: str = PUBLIC) -> None:
    """What an admin of the whole installation does on the Settings page."""
    admin = f.actor_for(engine, f.create_user(engine, role="admin", area_code="P"))
    with write_session(engine) as s:
        app_settings.set_public_base_url(s, actor=admin, url=url)


def test_household_cards_two_per_a4_page_with_a_qr_to_the_visit_page(engine, world):
    # Issue #8: one card per A5 page left half the sheet blank; now two cards share an A4 page.
    set_public_url(engine)
    actor = f.actor_for(engine, world["users"]["volunteer"])
    with read_session(engine) as s:
        data = printing.household_cards_document(s, actor=actor, village_id=world["ids"]["A1"])
    assert page_sizes(data) == [A4]
    assert qr_codes(data) == [[f"{PUBLIC}/visit?household={hh}" for hh in world["households"]]]
    (text,) = page_texts(data)
    # NFD input was stored normalised: composed, one tone-mark placement.
    assert_nfc(text, "Hộ A1-001", "Nguyễn Thị Thủy", "Trần Văn Bình", "Thôn Một, Xã An", "Nộp hồ sơ")
    assert_nfc(text, "Hộ A1-002", "Đỗ Hòa", "Số 2, xóm Bãi")
    assert flat(text).index("Hộ A1-001") < flat(text).index("Đỗ Hòa")
    assert "Vũ Văn Khác" not in text


def test_household_card_fills_the_boxes_of_the_current_level():
    """The ladder is drawn: the level-2 resident's row has two filled boxes (dark pixels) more."""
    card = pdf.HouseholdCard(
        1, "X", "", "V", "C", (pdf.CardResident("A", None, {"submit": 2}),), "http://h/visit?household=1"
    )
    empty = pdf.HouseholdCard(
        1, "X", "", "V", "C", (pdf.CardResident("A", None, {}),), "http://h/visit?household=1"
    )

    def dark_pixels(data: bytes) -> int:
        document = pdfium.PdfDocument(data)
        image = document[0].render(scale=1).to_pil().convert("L")
        document.close()
        return sum(image.histogram()[:100])

    filled = dark_pixels(pdf.household_cards_pdf([card], printed_on=date(2026, 1, 1)))
    blank = dark_pixels(pdf.household_cards_pdf([empty], printed_on=date(2026, 1, 1)))
    assert filled - blank > 2 * 8  # two boxes of about 11 x 11 px at 72 dpi, at least


def test_visit_sheets_carry_their_ids(engine, world):
    actor = f.actor_for(engine, world["users"]["coordinator"])
    with read_session(engine) as s:
        sheets = printing.visit_sheets_document(
            s, actor=actor, village_id=world["ids"]["A1"], printed_on=date(2026, 3, 9)
        )
    assert sheets.sheet_ids == ("PV-A1-20260309-01",)
    assert page_sizes(sheets.pdf) == [A4_LANDSCAPE]
    text = page_texts(sheets.pdf)[0]
    assert_nfc(
        text,
        "Số phiếu: PV-A1-20260309-01",
        "Hộ A1-001",
        "Nguyễn Thị Thủy",
        "Đỗ Hòa",
        "Vắng nhà",
        "HD nộp",
        "Ứng dụng",
    )
    assert all(embedded_fonts(sheets.pdf).values())


def test_cards_and_sheets_stay_inside_the_actors_villages(engine, world):
    volunteer = f.actor_for(engine, world["users"]["volunteer"])
    leader = f.actor_for(engine, world["users"]["leader"])
    with read_session(engine) as s:
        with pytest.raises(PermissionDenied):
            printing.household_cards_document(s, actor=volunteer, village_id=world["ids"]["B1"])
        with pytest.raises(PermissionDenied):
            printing.visit_sheets_document(s, actor=volunteer, village_id=world["ids"]["A2"])
        with pytest.raises(PermissionDenied):  # a leader reads reports; cards are field work
            printing.household_cards_document(s, actor=leader, village_id=world["ids"]["A1"])
        with pytest.raises(PermissionDenied):
            printing.leaflet_document(s, actor=volunteer, leaflet_id="pay", area_id=world["ids"]["B"])
        assert [v.code for v in printing.villages_in_scope(s, actor=volunteer)] == ["A1"]
        assert [c.code for c in printing.communes_in_scope(s, actor=volunteer)] == ["A"]
        assert {c.code for c in printing.communes_in_scope(s, actor=leader)} == {"A", "B"}


def test_village_level_leader_and_coordinator_are_offered_only_what_they_may_print(engine, world):
    """Scoped to one village, they are offered that village (its leaflet names the commune too),
    not the commune above, which lies outside their area and would be refused."""
    for role in ("leader", "coordinator"):
        actor = f.actor_for(engine, f.create_user(engine, role=role, area_code="A1"))
        with read_session(engine) as s:
            choices = printing.communes_in_scope(s, actor=actor)
            assert [(c.code, c.level) for c in choices] == [("A1", "village")]
            for choice in choices:
                data = printing.leaflet_document(s, actor=actor, leaflet_id="pay", area_id=choice.id)
                assert_nfc(page_texts(data)[0], "Thôn Một, Xã An", "Phạm Văn Đức")
            with pytest.raises(PermissionDenied):
                printing.leaflet_document(s, actor=actor, leaflet_id="pay", area_id=world["ids"]["A"])


# ---------------- household cards: layout and the public address (issue #8)


def cards(n: int, residents: int = 3) -> list[pdf.HouseholdCard]:
    return [
        pdf.HouseholdCard(
            i,
            f"H-{i:03d}",
            f"Số {i}",
            "Thôn Một",
            "Xã Chiêm Hoá",
            tuple(pdf.CardResident(f"Người {i}-{j}", 1960 + j) for j in range(residents)),
            f"{PUBLIC}/visit?household={i}",
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_cards_fill_both_halves_of_each_a4_page(n):
    data = pdf.household_cards_pdf(cards(n), printed_on=date(2026, 1, 1))
    assert page_sizes(data) == [A4] * math.ceil(n / 2)
    urls = [f"{PUBLIC}/visit?household={i}" for i in range(1, n + 1)]
    assert qr_codes(data) == [urls[i : i + 2] for i in range(0, n, 2)]
    for page, text in enumerate(page_texts(data)):
        for i in range(2 * page + 1, min(2 * page + 2, n) + 1):
            assert f"Hộ H-{i:03d}" in text


def test_a_large_household_goes_on_over_the_next_half():
    """Nineteen residents do not fit half a page: the card continues, names in order, none lost."""
    big, small = cards(1, residents=19)[0], cards(2, residents=2)[1]
    data = pdf.household_cards_pdf([big, small], printed_on=date(2026, 1, 1))
    texts = [flat(t) for t in page_texts(data)]
    assert page_sizes(data) == [A4, A4]  # the big card fills page 1 (both halves), the small one page 2
    positions = [texts[0].index(f"Người 1-{j} ") for j in range(19)]
    assert positions == sorted(positions)
    assert "Hộ H-001 (tiếp theo)" in texts[0]
    assert "Người 1-" not in texts[1] and "Hộ H-002" in texts[1]
    # One QR per household, on its first half.
    assert qr_codes(data) == [[f"{PUBLIC}/visit?household=1"], [f"{PUBLIC}/visit?household=2"]]


@pytest.mark.parametrize(
    ("env", "key"),
    [
        (None, "err.public_url_unset"),
        ("http://127.0.0.1:8501", "err.public_url_loopback"),
        ("http://localhost:8501", "err.public_url_loopback"),
        ("http://[::1]:8501", "err.public_url_loopback"),
        ("http://0.0.0.0:8501", "err.public_url_loopback"),
        ("5b3h.xa-an.vn", "err.public_url_invalid"),
    ],
)
def test_cards_are_refused_without_a_public_address(engine, world, monkeypatch, env, key):
    """Issue #8: cards printed QR codes to http://127.0.0.1:8501 without a word."""
    if env is None:
        monkeypatch.delenv("APP_BASE_URL", raising=False)
    else:
        monkeypatch.setenv("APP_BASE_URL", env)
    actor = f.actor_for(engine, world["users"]["coordinator"])
    with read_session(engine) as s, pytest.raises(AppError) as err:
        printing.household_cards_document(s, actor=actor, village_id=world["ids"]["A1"])
    assert err.value.key == key
    assert "Cài đặt" in err.value.message("vi") and "Settings" in err.value.message("en")
    # The scope is checked first: a village outside the team is refused as such.
    volunteer = f.actor_for(engine, world["users"]["volunteer"])
    with read_session(engine) as s, pytest.raises(PermissionDenied):
        printing.household_cards_document(s, actor=volunteer, village_id=world["ids"]["B1"])


def test_the_address_set_in_the_app_wins_over_the_environment(engine, world, monkeypatch):
    monkeypatch.setenv("APP_BASE_URL", "https://from-env.example.vn")
    actor = f.actor_for(engine, world["users"]["coordinator"])
    with read_session(engine) as s:
        data = printing.household_cards_document(s, actor=actor, village_id=world["ids"]["A1"])
    assert qr_codes(data)[0][0].startswith("https://from-env.example.vn/visit?household=")
    set_public_url(engine, "https://5b3h.xa-an.example.vn/app/")
    with read_session(engine) as s:
        data = printing.household_cards_document(s, actor=actor, village_id=world["ids"]["A1"])
    expected = [f"https://5b3h.xa-an.example.vn/app/visit?household={hh}" for hh in world["households"]]
    assert qr_codes(data) == [expected]
