"""The page side of the access matrix: every page that opens a target from its address (a printed QR,
a bookmark, a link) × every role that may open the page × a target inside and outside the user's
area. Outside, the page shows nothing of commune B (whose every name carries the marker) and writes
nothing; inside, the target opens. The world is the service matrix's (tests/services/test_access_matrix)."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import PROJECT_ROOT
from models.db import make_engine
from models.enums import Role
from services.permissions import Act, may
from tests.pages.test_page_access import texts
from tests.services.test_access_matrix import MARKER, _build, fingerprint
from webui import state
from webui.registry import PAGES

TIMEOUT = 30

# page -> (query parameter, how to name the target in the world, text shown for the inside target)
DEEP_LINKS = {
    "pages/visit.py": ("household", lambda w, side: w[f"h{side}"], "HMa1"),
    "pages/residents.py": ("resident", lambda w, side: w[f"r{side}"], "Nguyễn Một An"),
    "pages/leaflets.py": ("village", lambda w, side: "MA1" if side == "a" else "MB1", "Thôn Một"),
    "pages/overview.py": ("area", lambda w, side: w["A"] if side == "a" else w["B"], "Xã An"),
    "pages/sheet_entry.py": ("sheet", lambda w, side: w[f"s{side}"], "Thôn Một"),
}
CASES = [
    pytest.param(spec.path, role, side, id=f"{spec.url_path}-{role.value}-{side}")
    for spec in PAGES
    if spec.path in DEEP_LINKS
    for role in (Role.ADMIN, Role.COORDINATOR, Role.LEADER, Role.VOLUNTEER)
    if role in spec.roles
    for side in ("a", "b")
]


@pytest.fixture(scope="module")
def world_file(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("page-area") / "world.sqlite"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    w = _build(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, w


@pytest.fixture
def world(world_file, tmp_path, monkeypatch):
    path, w = world_file
    copy = tmp_path / "app.sqlite"
    shutil.copy(path, copy)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    engine = make_engine(f"sqlite:///{copy}")
    yield engine, w
    engine.dispose()


def _all_text(at: AppTest) -> str:
    return "\n".join(texts(at.main)).lower()


@pytest.mark.parametrize(("path", "role", "side"), CASES)
def test_a_deep_link_opens_only_inside_the_area(world, path: str, role: Role, side: str):
    engine, w = world
    param, target, inside_text = DEEP_LINKS[path]
    at = AppTest.from_file(str(PROJECT_ROOT / path), default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = w["users"][role]
    at.query_params[param] = str(target(w, side))
    before = fingerprint(engine)
    at.run()
    assert not at.exception, at.exception
    shown = _all_text(at)
    assert MARKER not in shown, f"{path} showed commune B to {role}"
    if side == "b":
        assert fingerprint(engine) == before, f"{path} wrote something for {role} from an outside link"
    elif path != "pages/leaflets.py" or may(role, Act.FIELD_PRINT):  # ?village= is the field roles' part
        assert inside_text.lower() in shown, f"{path} did not open the inside target for {role}"
