"""The leaflets page in AppTest: preview, a real PDF download, household cards for a volunteer's village,
and the refusal of a village outside the volunteer's team."""

from __future__ import annotations

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from models.settings import PROJECT_ROOT, get_settings
from services.content import get_catalogue
from services.i18n import t
from tests import factories as f
from tests.services.test_pdf import A4, A5, assert_nfc, page_sizes, page_texts, qr_codes
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
    at.get("button_group")[0].set_value("A5").run()  # the paper-size segmented control
    assert not at.exception, at.exception
    assert page_sizes(downloads[-1]) == [A5]
    # A leader prints leaflets but not household cards.
    assert not [s for s in at.selectbox if s.key == "leaflets.village"]
    assert t("leaflets.make_cards", "vi") not in [b.label for b in at.button]


def test_volunteer_prints_cards_for_their_village(world, downloads):
    at = page(world["users"]["volunteer"]).run()
    assert not at.exception, at.exception
    village = at.selectbox(key="leaflets.village")
    assert village.options == ["Thôn Một (A1)"]
    next(b for b in at.button if b.label == t("leaflets.make_cards", "vi")).click().run()
    assert not at.exception, at.exception
    labels = [d.proto.label for d in at.get("download_button")]
    assert t("leaflets.cards_download", "vi") in labels
    cards = downloads[-1]
    assert qr_codes(cards) == [[f"{get_settings().app_base_url}/visit?household={world['household']}"]]
    assert_nfc(page_texts(cards)[0], "Hộ A1-007", "Đinh Thị Xuân")


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
