"""Every screen, its menu title and the roles that may open it (the menu and st.navigation use it;
each page still checks its own roles)."""

from __future__ import annotations

from dataclasses import dataclass

from core.labels import N_
from models.enums import Role

ALL_ROLES = tuple(Role)


@dataclass(frozen=True)
class PageSpec:
    path: str
    title_key: str
    icon: str
    roles: tuple[str, ...]
    url_path: str


FIELD = (Role.VOLUNTEER, Role.COORDINATOR)
OFFICE = (Role.COORDINATOR, Role.ADMIN, Role.LEADER)

# Menu order: the field work first, then the office work, then administration.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", N_("nav.home"), ":material/home:", ALL_ROLES, "home"),
    # Leaders, coordinators and admins see their area; a volunteer their team's villages.
    PageSpec("pages/overview.py", N_("nav.overview"), ":material/insights:", ALL_ROLES, "overview"),
    PageSpec("pages/emulation.py", N_("emu.nav"), ":material/emoji_events:", ALL_ROLES, "emulation"),
    PageSpec("pages/reports.py", N_("nav.reports"), ":material/summarize:", ALL_ROLES, "reports"),
    PageSpec("pages/visit.py", "nav.visit", ":material/edit_note:", FIELD, "visit"),
    PageSpec("pages/session.py", N_("nav.session"), ":material/co_present:", FIELD, "session"),
    PageSpec("pages/my_visits.py", "nav.my_visits", ":material/history:", FIELD, "my-visits"),
    PageSpec("pages/sheet_entry.py", "nav.sheet_entry", ":material/fact_check:", FIELD, "sheet-entry"),
    PageSpec("pages/households.py", N_("nav.households"), ":material/home_work:", OFFICE, "households"),
    PageSpec("pages/residents.py", "nav.residents", ":material/person_search:", OFFICE, "residents"),
    PageSpec(
        "pages/import_residents.py",
        N_("nav.import_residents"),
        ":material/upload_file:",
        (Role.COORDINATOR, Role.ADMIN),
        "import-residents",
    ),
    PageSpec("pages/teams.py", N_("nav.teams"), ":material/groups:", ALL_ROLES, "teams"),
    PageSpec("pages/quotas.py", N_("nav.quotas"), ":material/flag:", OFFICE, "quotas"),
    PageSpec("pages/leaflets.py", N_("nav.leaflets"), ":material/print:", ALL_ROLES, "leaflets"),
    PageSpec("pages/certificates.py", N_("cert.nav"), ":material/verified:", ALL_ROLES, "certificates"),
    PageSpec("pages/videos.py", N_("nav.videos"), ":material/smart_display:", ALL_ROLES, "videos"),
    PageSpec(
        "pages/admin_users.py", N_("nav.admin_users"), ":material/manage_accounts:", (Role.ADMIN,), "users"
    ),
    PageSpec(
        "pages/admin_areas.py", N_("nav.admin_areas"), ":material/account_tree:", (Role.ADMIN,), "areas"
    ),
    PageSpec(
        "pages/admin_settings.py", N_("nav.admin_settings"), ":material/settings:", (Role.ADMIN,), "settings"
    ),
    PageSpec("pages/admin_backup.py", N_("backup.nav"), ":material/backup:", (Role.ADMIN,), "backup"),
    PageSpec("pages/audit.py", N_("audit.nav"), ":material/policy:", (Role.ADMIN, Role.COORDINATOR), "audit"),
    PageSpec("pages/account.py", N_("nav.account"), ":material/person:", ALL_ROLES, "account"),
)


def pages_for(role: str | None) -> list[PageSpec]:
    """The pages st.navigation registers. Signed out: every page, so a deep link (a printed card's QR,
    a bookmark) opens its page, whose guard shows the sign-in form and then the page itself — never a
    "page not found" dialog. Signed in: only the role's pages."""
    if role is None:
        return list(PAGES)
    return [p for p in PAGES if role in p.roles]
