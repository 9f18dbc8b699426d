"""The videos page in AppTest: every role sees it; local clips play in place, links open outside;
each entry shows the QR code of its link; a printed QR (?video=<id>) opens the page at that clip."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT, get_settings
from models.enums import Role
from services.printing.content import get_catalogue, video_link
from tests import factories as f
from webui import state

TIMEOUT = 60


@pytest.fixture
def images(monkeypatch) -> list[bytes]:
    """The PNG images the page hands to Streamlit's media store (the real store still runs)."""
    seen: list[bytes] = []
    real = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if mimetype == "image/png":
            seen.append(bytes(path_or_data))
        return real(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return seen


@pytest.fixture
def users(sqlite_engine):
    e = sqlite_engine
    ids = f.create_tree(e)
    team = f.create_team(e, area_id=ids["A"], village_ids=(ids["A1"],))
    return {
        Role.ADMIN: f.create_user(e, role="admin", area_code="P"),
        Role.COORDINATOR: f.create_user(e, role="coordinator", area_code="A"),
        Role.LEADER: f.create_user(e, role="leader", area_code="P"),
        Role.VOLUNTEER: f.create_user(e, role="volunteer", area_code="A", team_id=team),
    }


def page(user_id: int) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages/videos.py"), default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at


def decoded(png: bytes) -> list[str]:
    image = Image.open(io.BytesIO(png))
    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_every_video_with_its_qr(users, images, role):
    at = page(users[role]).run()
    assert not at.exception, at.exception
    catalogue = get_catalogue()
    local = [v for v in catalogue.videos.values() if v.is_local]
    online = [v for v in catalogue.videos.values() if not v.is_local]
    assert len(at.get("video")) == len(local)
    assert [h.value for h in at.subheader] == [v.title for v in catalogue.videos.values()]
    base = get_settings().app_base_url
    assert [text for png in images for text in decoded(png)] == [
        video_link(v, base) for v in catalogue.videos.values()
    ]
    assert len(online) == len([b for b in at.get("link_button")])


def test_filter_by_skill(users, images):
    at = page(users[Role.VOLUNTEER]).run()
    at.selectbox(key="videos.skill").select("apps").run()
    assert not at.exception, at.exception
    apps = get_catalogue().videos_for("apps")
    assert [h.value for h in at.subheader] == [v.title for v in apps]
    assert len(at.get("video")) == 1
    assert [b.proto.url for b in at.get("link_button")] == [v.url for v in apps if v.url]
    assert any(
        t("videos.leaflets", "vi", titles="Cài đặt và sử dụng ứng dụng") == c.value for c in at.caption
    )


def test_a_printed_qr_opens_the_page_at_its_clip(users, images):
    at = page(users[Role.LEADER])
    at.query_params["video"] = "clip-pay"
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="videos.skill").value == "pay"
    assert at.subheader[0].value == get_catalogue().videos["clip-pay"].title
