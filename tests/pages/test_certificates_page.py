"""The certificates page in AppTest: who is listed and what they miss, a real PDF download whose QR opens
the resident's record; each role sees only its villages; the record opens only for a signed-in user
whose area holds the resident."""

from __future__ import annotations

import pytest
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from tests import factories as f
from tests.services.printing.test_certificates import A5_LANDSCAPE, build_world
from tests.services.printing.test_pdf import assert_nfc, page_sizes, page_texts, qr_codes
from webui import state

TIMEOUT = 60
BASE = "https://5b3h.xa-an.example.vn"


@pytest.fixture
def downloads(monkeypatch) -> list[bytes]:
    """The bytes every PDF download button hands to Streamlit's media store (the real store still runs)."""
    seen: list[bytes] = []
    real = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if mimetype == "application/pdf":
            seen.append(bytes(path_or_data))
        return real(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return seen


@pytest.fixture
def world(sqlite_engine, monkeypatch) -> dict:
    monkeypatch.setenv("APP_BASE_URL", BASE)
    return build_world(sqlite_engine)


def page(path: str, user_id: int | None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / path), default_timeout=TIMEOUT)
    if user_id is not None:
        at.session_state[state.USER_ID] = user_id
    return at


def shown(at: AppTest) -> str:
    """The page's text: markdown, captions, alerts, subheaders and every table cell."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "error", "warning", "subheader")
        for e in at.get(kind)
    ]
    parts += [" ".join(map(str, df.value.to_numpy().ravel())) for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_coordinator_sees_who_misses_what_and_downloads_the_certificates(world, downloads):
    at = page("pages/certificates.py", world["users"]["coordinator"]).run()
    assert not at.exception, at.exception
    village = at.selectbox(key="certificates.village")
    assert village.options == ["Thôn Hai (A2)", "Thôn Một (A1)"]  # the villages of their commune
    village.select(world["ids"]["A1"]).run()
    assert not at.exception, at.exception
    issued, missing = (df.value for df in at.dataframe)
    assert issued.values.tolist() == [["Nguyễn Thị Thủy", "A1-001", f"{f.today_minus(3):%d/%m/%Y}"]]
    # The charts' short skill names: the column fits a tablet.
    assert missing.values.tolist() == [["Trần Văn Bình", "A1-001", "T.toán, Ứ.dụng"]]
    assert list(missing.columns) == [t("cert.col.name"), t("cert.col.household"), t("cert.col.missing")]

    next(b for b in at.button if b.label == t("cert.make")).click().run()
    assert not at.exception, at.exception
    assert [d.proto.label for d in at.get("download_button")] == [t("cert.download", count=1)]
    data = downloads[-1]
    assert page_sizes(data) == [A5_LANDSCAPE]
    assert qr_codes(data) == [[f"{BASE}/residents?resident={world['people']['thuy']}"]]
    assert_nfc(page_texts(data)[0], "Nguyễn Thị Thủy", "Thôn Một, Xã An")


def test_a_village_with_nobody_eligible_says_so(world, downloads):
    at = page("pages/certificates.py", world["users"]["leader"]).run()
    at.selectbox(key="certificates.village").select(world["ids"]["A2"]).run()
    assert not at.exception, at.exception
    assert t("cert.none_eligible", village="Thôn Hai (A2)") in [i.value for i in at.info]
    assert t("cert.make") not in [b.label for b in at.button]
    assert not downloads


@pytest.mark.parametrize(
    ("role", "villages"),
    [
        ("leader_b", ["Thôn Ba (B1)"]),  # the leader of another commune
        ("volunteer", ["Thôn Một (A1)"]),  # their team's village only
        ("admin", ["Thôn Ba (B1)", "Thôn Hai (A2)", "Thôn Một (A1)"]),  # the province's admin
    ],
)
def test_each_role_sees_only_its_villages(world, downloads, role, villages):
    at = page("pages/certificates.py", world["users"][role]).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="certificates.village").options == villages
    if role == "leader_b":  # B1's own certificate, and nothing of commune A
        next(b for b in at.button if b.label == t("cert.make")).click().run()
        assert "Mai Văn Khoa" in shown(at)
        assert "Nguyễn Thị Thủy" not in shown(at) and "Trần Văn Bình" not in shown(at)
        assert [page_texts(d)[0].count("Nguyễn Thị Thủy") for d in downloads] == [0]


def test_the_public_address_must_open_on_a_phone(world, monkeypatch):
    monkeypatch.setenv("APP_BASE_URL", "http://127.0.0.1:8501")
    at = page("pages/certificates.py", world["users"]["coordinator"]).run()
    at.selectbox(key="certificates.village").select(world["ids"]["A1"]).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [t("err.public_url_loopback", url="http://127.0.0.1:8501")]
    assert next(b for b in at.button if b.label == t("cert.make")).disabled


def test_the_qr_link_opens_the_record_only_for_a_signed_in_user_of_the_area(world):
    """`/residents?resident=<id>`: the record for a coordinator of the commune; a refusal for another
    commune's leader; the sign-in form alone for anyone not signed in."""
    thuy = str(world["people"]["thuy"])
    at = page("pages/residents.py", world["users"]["coordinator"])
    at.query_params["resident"] = thuy
    at.run()
    assert not at.exception, at.exception
    assert "Nguyễn Thị Thủy" in [s.value for s in at.subheader]

    at = page("pages/residents.py", world["users"]["leader_b"])
    at.query_params["resident"] = thuy
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [t("err.out_of_scope")]
    assert "Nguyễn Thị Thủy" not in shown(at)

    at = page("pages/residents.py", None)
    at.query_params["resident"] = thuy
    at.run()
    assert not at.exception, at.exception
    assert [w.label for w in at.text_input] == [t("login.username"), t("login.password")]
    assert [w.proto.type for w in at.text_input][1] == TextInputProto.PASSWORD
    assert "Nguyễn Thị Thủy" not in shown(at) and not at.dataframe
