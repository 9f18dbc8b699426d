"""manage.py leaflet, cards and visit-sheets, run as real processes; their PDFs checked with real tools."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from models.db import write_session
from services import app_settings
from services.printing.content import get_catalogue
from tests import factories as f
from tests.services.printing.test_pdf import (
    A4,
    A4_LANDSCAPE,
    A5,
    assert_nfc,
    page_sizes,
    page_texts,
    qr_codes,
)

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://5b3h.xa-an.example.vn"


def manage(*args: str, base_url: str | None = BASE) -> subprocess.CompletedProcess:
    env = dict(os.environ, APP_BASE_URL=base_url)  # DATABASE_URL comes from the sqlite_engine fixture
    if base_url is None:
        env.pop("APP_BASE_URL")
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "--lang", "en", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def village_with_households(engine) -> dict:
    ids = f.create_tree(engine)
    team = f.create_team(engine, area_id=ids["A"], name="Tổ CNS xã An", village_ids=(ids["A1"],))
    f.create_member(engine, team_id=team, full_name="Hoàng Thị Lụa")
    hh = f.create_household(engine, village_id=ids["A1"], code="A1-001", address="Xóm Giữa")
    f.create_resident(engine, household_id=hh, full_name="Bùi Thị Thuỷ", birth_year=1949)
    return {"ids": ids, "household": hh}


def test_leaflet_without_database(tmp_path, sqlite_engine):
    out = tmp_path / "pay.pdf"
    result = manage("leaflet", "--leaflet", "pay", "--size", "A5", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    catalogue = get_catalogue()
    assert page_sizes(data) == [A5]
    assert qr_codes(data) == [
        [
            catalogue.portal.url_for("1.004873"),
            catalogue.portal.url_for("2.000815"),
            f"{BASE}/videos?video=clip-pay",
        ]
    ]


def test_leaflet_for_a_commune(tmp_path, sqlite_engine):
    village_with_households(sqlite_engine)
    out = tmp_path / "benefits.pdf"
    result = manage("leaflet", "--leaflet", "benefits", "--commune", "A", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert page_sizes(out.read_bytes()) == [A4]
    assert_nfc(page_texts(out.read_bytes())[0], "Xã An", "Hoàng Thị Lụa (Tổ CNS xã An)")


def test_unknown_ids_and_codes_exit_1_with_a_message(tmp_path, sqlite_engine):
    village_with_households(sqlite_engine)
    out = tmp_path / "x.pdf"
    result = manage("leaflet", "--leaflet", "no-such", "--out", str(out))
    assert result.returncode == 1
    assert "unknown leaflet 'no-such'" in result.stderr and "submit-steps" in result.stderr
    result = manage("leaflet", "--leaflet", "pay", "--commune", "ZZ", "--out", str(out))
    assert result.returncode == 1
    assert "No area with code ZZ" in result.stderr
    result = manage("cards", "--village", "ZZ", "--out", str(out))
    assert result.returncode == 1
    assert "No area with code ZZ" in result.stderr
    result = manage("visit-sheets", "--village", "A", "--out", str(out))  # a commune, not a village
    assert result.returncode == 1
    assert "Choose a village" in result.stderr
    assert not out.exists()


def test_cards_and_visit_sheets(tmp_path, sqlite_engine):
    world = village_with_households(sqlite_engine)
    cards = tmp_path / "cards.pdf"
    result = manage("cards", "--village", "A1", "--out", str(cards))
    assert result.returncode == 0, result.stderr
    assert page_sizes(cards.read_bytes()) == [A4]  # two cards to an A4 page (issue #8)
    assert qr_codes(cards.read_bytes()) == [[f"{BASE}/visit?household={world['household']}"]]
    assert_nfc(page_texts(cards.read_bytes())[0], "Hộ A1-001", "Bùi Thị Thủy", "Xóm Giữa")

    sheets = tmp_path / "sheets.pdf"
    result = manage("visit-sheets", "--village", "A1", "--out", str(sheets))
    assert result.returncode == 0, result.stderr
    sheet_id = result.stdout.split("sheets: ")[1].split()[0]
    assert sheet_id.startswith("PV-A1-")
    assert page_sizes(sheets.read_bytes()) == [A4_LANDSCAPE]
    assert_nfc(page_texts(sheets.read_bytes())[0], f"Số phiếu: {sheet_id}", "Bùi Thị Thủy", "1949")


def test_cards_are_refused_while_the_public_address_is_unset_or_loopback(tmp_path, sqlite_engine):
    """Issue #8: cards printed QR codes to http://127.0.0.1:8501 without a word."""
    world = village_with_households(sqlite_engine)
    out = tmp_path / "cards.pdf"
    result = manage("cards", "--village", "A1", "--out", str(out), base_url=None)
    assert result.returncode == 1
    assert "public address is not set" in result.stderr and "Settings page" in result.stderr
    result = manage("cards", "--village", "A1", "--out", str(out), base_url="http://127.0.0.1:8501")
    assert result.returncode == 1
    assert "http://127.0.0.1:8501 only opens on the server itself" in result.stderr
    assert not out.exists()

    admin = f.actor_for(sqlite_engine, f.create_user(sqlite_engine, role="admin", area_code="P"))
    with write_session(sqlite_engine) as s:  # set in the app: used even with no APP_BASE_URL
        app_settings.set_public_base_url(s, actor=admin, url="https://5b3h.tinh.example.vn")
    result = manage("cards", "--village", "A1", "--out", str(out), base_url=None)
    assert result.returncode == 0, result.stderr
    assert qr_codes(out.read_bytes()) == [
        [f"https://5b3h.tinh.example.vn/visit?household={world['household']}"]
    ]
