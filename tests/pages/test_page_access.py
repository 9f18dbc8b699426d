"""Every page in the registry, for every role and for anonymous visitors: who may open it, and what
the others see (only the refusal or the sign-in form, never the data). New pages are covered by
iterating webui.registry.PAGES."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.testing.v1 import AppTest

from core.i18n import t
from core.settings import PROJECT_ROOT
from models.db import make_engine, read_session
from models.enums import Role
from models.tables import User
from tests import factories as f
from webui import state
from webui.registry import PAGES, PageSpec

TIMEOUT = 30
MARKER = "Zeta"  # in every name below, so one search finds any leak

ROLES = tuple(r.value for r in Role)
CASES = [pytest.param(spec, role, id=f"{spec.url_path}-{role}") for spec in PAGES for role in ROLES]


def vi(key: str) -> str:
    return t(key, "vi")


USERNAMES = {
    "admin": "zeta_admin",
    "coordinator": "zeta_coord",
    "leader": "zeta_leader",
    "volunteer": "zeta_vol",
}


@pytest.fixture(scope="module")
def sqlite_template(sqlite_template, tmp_path_factory):
    """The migrated template plus this module's data, built once (password hashing is slow on purpose);
    `sqlite_engine` hands each test its own copy."""
    path = tmp_path_factory.mktemp("page-access") / "world.sqlite"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    _build_world(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _build_world(e) -> None:
    """A province with two communes, villages, a household, a resident, a team and one user per role."""
    f.create_area(e, code="ZP", name=f"Tỉnh {MARKER} Một", level="province")
    a = f.create_area(e, code="ZA", name=f"Xã {MARKER} Hai", level="commune", parent_code="ZP")
    f.create_area(e, code="ZB", name=f"Xã {MARKER} Ba", level="commune", parent_code="ZP")
    v1 = f.create_area(e, code="ZA1", name=f"Thôn {MARKER} Bốn", level="village", parent_code="ZA")
    f.create_area(e, code="ZB1", name=f"Thôn {MARKER} Năm", level="village", parent_code="ZB")
    hh = f.create_household(e, village_id=v1, address=f"Xóm {MARKER} Sáu")
    f.create_resident(e, household_id=hh, full_name=f"Nguyễn {MARKER} Bảy")
    team = f.create_team(e, area_id=a, name=f"Tổ {MARKER} Tám", village_ids=(v1,))
    f.create_user(e, role="admin", area_code="ZP", username=USERNAMES["admin"])
    f.create_user(e, role="coordinator", area_code="ZA", username=USERNAMES["coordinator"])
    f.create_user(e, role="leader", area_code="ZP", username=USERNAMES["leader"])
    f.create_user(e, role="volunteer", area_code="ZA", team_id=team, username=USERNAMES["volunteer"])


@pytest.fixture
def world(sqlite_engine) -> dict[str, int]:
    """Role -> user id in this test's copy of the data."""
    assert set(USERNAMES) == set(ROLES), "a role was added: give it a user in _build_world"
    with read_session(sqlite_engine) as session:
        rows = session.execute(select(User.username, User.id)).all()
    ids = dict(rows)
    return {role: ids[name] for role, name in USERNAMES.items()}


SHELL_TOP = "shell_top"  # the signed-in user's own name, role and area, and the menu


def texts(node) -> list[str]:
    """Every piece of text under an element tree node (protos carry labels, values and bodies),
    except the top bar that names the signed-in user (their own area is no leak)."""
    if getattr(node, "key", None) == SHELL_TOP:
        return []
    found = []
    proto = getattr(node, "proto", None)
    if proto is not None:
        found.append(str(proto))
    for child in getattr(node, "children", {}).values():
        found.extend(texts(child))
    return found


def marker_hits(node) -> list[str]:
    return [text for text in texts(node) if MARKER.lower() in text.lower()]


def signed_in(path: str, user_id: int) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / path), default_timeout=TIMEOUT)
    at.session_state[state.USER_ID] = user_id
    return at


@pytest.mark.parametrize(("spec", "role"), CASES)
def test_role_page_access(world, spec: PageSpec, role: str):
    user_id = world[role]
    at = signed_in("app.py", user_id).run()
    assert not at.exception, at.exception
    forbidden = vi("login.forbidden_page")
    if role in spec.roles:
        at.switch_page(spec.path).run()
        assert not at.exception, at.exception
        assert forbidden not in [e.value for e in at.error]
        assert not _has_key(at, "login_password"), "an allowed page showed the sign-in form"
        return

    # Every page is registered for everyone (issue #8, item 15): another role's page opens and its
    # guard refuses in the app's words, instead of Streamlit's "Page not found" dialog (the old
    # behaviour, a ValueError here, was the defect).
    at.switch_page(spec.path).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.main.error] == [forbidden]
    assert not marker_hits(at.main), marker_hits(at.main)
    assert not _has_key(at, "login_password")

    direct = signed_in(spec.path, user_id).run()
    assert not direct.exception, direct.exception
    assert [e.value for e in direct.main.error] == [forbidden]
    assert not marker_hits(direct.main), marker_hits(direct.main)


def _has_key(at: AppTest, key: str) -> bool:
    return any(getattr(w, "key", None) == key for w in at.text_input)


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.url_path) for s in PAGES])
def test_anonymous_sees_only_the_sign_in_form(world, spec: PageSpec):
    at = AppTest.from_file(str(PROJECT_ROOT / spec.path), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert state.USER_ID not in at.session_state
    passwords = [w for w in at.text_input if w.proto.type == TextInputProto.PASSWORD]
    assert [w.label for w in passwords] == [vi("login.password")]
    assert [w.label for w in at.text_input] == [vi("login.username"), vi("login.password")]
    assert not at.error
    assert not marker_hits(at.main) and not marker_hits(at.sidebar)
