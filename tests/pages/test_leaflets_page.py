"""The leaflets page in AppTest: preview, a real PDF download, household cards for a volunteer's village,
and the refusal of a village outside the volunteer's team."""

from __future__ import annotations

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT, get_settings
from services.printing.content import get_catalogue
from tests import factories as f
from tests.services.printing.test_pdf import A4, A5, assert_nfc, page_sizes, page_texts, qr_codes
from webui import state

TIMEOUT = 60


@pytest.fixture
def downloads(monkeypatch) -> list[bytes]:
    """The bytes every download button hands to Streamlit's media store (the real store still runs)."""
    seen: list[bytes] = []
    real = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if mimetype == "application/pdf":
            seen.append(bytes(path_or_data))
        return real(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return seen


@pytest.fixture
def world(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], name="Tổ CNS thôn Một", village_ids=(ids["A1"],))
    hh = f.create_household(e, village_id=ids["A1"], code="A1-007", address="Xóm Chùa")
    f.create_resident(e, household_id=hh, full_name="Đinh Thị Xuân")
    f.create_household(e, village_id=ids["B1"], code="B1-001")
    users = {
        "coordinator": f.create_user(e, role="coordinator", area_code="A"),
        "volunteer": f.create_user(e, role="volunteer", area_code="A", team_id=team),
        "leader": f.create_user(e, role="leader", area_code="P"),
    }
    return {"ids": ids, "users": users, "household": hh}


def page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages/leaflets.py"), default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at


def test_coordinator_previews_and_downloads_a_leaflet_for_the_commune(world, downloads):
    at = page(world["users"]["coordinator"]).run()
    assert not at.exception, at.exception
    at.selectbox(key="leaflets.leaflet").select("submit-steps")
    at.selectbox(key="leaflets.place").select(world["ids"]["A"])
    at.run()
    assert not at.exception, at.exception
    assert at.get("download_button")[0].proto.label == t("leaflets.download", "vi")
    # The preview shows the steps as text.
    shown = " ".join(m.value for m in at.markdown)
    assert "Bước 1. Đăng nhập" in shown and "Bước 5. Nhận kết quả" in shown

    data = downloads[-1]
    assert page_sizes(data) == [A4]
    catalogue = get_catalogue()
    base = get_settings().app_base_url
    expected = [catalogue.portal.url_for(c) for c in catalogue.leaflets["submit-steps"].procedures]
    assert qr_codes(data) == [[*expected, f"{base}/videos?video=clip-submit"]]
    assert_nfc(page_texts(data)[0], "Xã An", "Nộp hồ sơ trực tuyến: 5 bước")


def test_a5_size_is_honoured(world, downloads):
    at = page(world["users"]["leader"]).run()
    size = next(g for g in at.get("button_group") if g.key == "leaflets.size")  # paper size
    size.set_value("A5").run()
    assert not at.exception, at.exception
    assert page_sizes(downloads[-1]) == [A5]
    # A leader prints leaflets but not household cards.
    assert not [s for s in at.selectbox if s.key == "leaflets.village"]
    assert t("leaflets.make_cards", "vi") not in [b.label for b in at.button]


def test_volunteer_prints_cards_for_their_village(world, downloads, monkeypatch):
    monkeypatch.setenv("APP_BASE_URL", "https://5b3h.xa-an.example.vn")  # cards need a public address
    at = page(world["users"]["volunteer"]).run()
    assert not at.exception, at.exception
    assert t("leaflets.cards_hint", "vi") in [c.value for c in at.caption]
    village = at.selectbox(key="leaflets.village")
    assert village.options == ["Thôn Một (A1)"]
    next(b for b in at.button if b.label == t("leaflets.make_cards", "vi")).click().run()
    assert not at.exception, at.exception
    labels = [d.proto.label for d in at.get("download_button")]
    assert t("leaflets.cards_download", "vi") in labels
    cards = downloads[-1]
    assert page_sizes(cards) == [A4]
    assert qr_codes(cards) == [[f"https://5b3h.xa-an.example.vn/visit?household={world['household']}"]]
    assert_nfc(page_texts(cards)[0], "Hộ A1-007", "Đinh Thị Xuân")


@pytest.mark.parametrize("base_url", [None, "http://127.0.0.1:8501"])
def test_cards_are_refused_while_the_public_address_is_unset_or_loopback(
    world, downloads, monkeypatch, base_url
):
    """Issue #8: the QR codes pointed at http://127.0.0.1:8501 without a word."""
    if base_url is None:
        monkeypatch.delenv("APP_BASE_URL", raising=False)
        expected = t("err.public_url_unset", "vi")
    else:
        monkeypatch.setenv("APP_BASE_URL", base_url)
        expected = t("err.public_url_loopback", "vi", url=base_url)
    at = page(world["users"]["coordinator"]).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [expected]
    cards_button = next(b for b in at.button if b.label == t("leaflets.make_cards", "vi"))
    assert cards_button.disabled
    sheets_button = next(b for b in at.button if b.label == t("leaflets.make_sheets", "vi"))
    assert not sheets_button.disabled  # visit sheets carry no QR code
    assert t("leaflets.cards_download", "vi") not in [d.proto.label for d in at.get("download_button")]


def test_volunteer_is_refused_a_village_outside_their_team(world, downloads):
    at = page(world["users"]["volunteer"])
    at.query_params["village"] = "B1"
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [t("err.out_of_scope", "vi")]
    # Only their own village can be chosen; nothing of B1 was printed.
    assert at.selectbox(key="leaflets.village").options == ["Thôn Một (A1)"]
    for data in downloads:
        assert "B1-001" not in " ".join(page_texts(data))
