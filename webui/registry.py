"""Every screen, its menu title and the action it serves. The roles that may open a screen come from
the one declaration in services.permissions; the menu lists them and each page's guard checks the
same action (webui.guard.require)."""

from __future__ import annotations

from dataclasses import dataclass

from core.labels import N_
from models.enums import Role
from services.permissions import Act, roles_of


@dataclass(frozen=True)
class PageSpec:
    path: str
    title_key: str
    icon: str
    action: Act
    url_path: str

    @property
    def roles(self) -> tuple[Role, ...]:
        return roles_of(self.action)


# Menu order: the field work first, then the office work, then administration.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", N_("nav.home"), ":material/home:", Act.HOME, "home"),
    # Leaders, coordinators and admins see their area; a volunteer their team's villages.
    PageSpec("pages/overview.py", N_("nav.overview"), ":material/insights:", Act.OVERVIEW, "overview"),
    PageSpec("pages/emulation.py", N_("emu.nav"), ":material/emoji_events:", Act.EMULATION, "emulation"),
    PageSpec("pages/reports.py", N_("nav.reports"), ":material/summarize:", Act.REPORT, "reports"),
    PageSpec("pages/visit.py", "nav.visit", ":material/edit_note:", Act.VISIT_RECORD, "visit"),
    PageSpec("pages/session.py", N_("nav.session"), ":material/co_present:", Act.VISIT_RECORD, "session"),
    PageSpec("pages/my_visits.py", "nav.my_visits", ":material/history:", Act.VISIT_CORRECT, "my-visits"),
    PageSpec(
        "pages/sheet_entry.py", "nav.sheet_entry", ":material/fact_check:", Act.SHEET_ENTER, "sheet-entry"
    ),
    PageSpec(
        "pages/households.py", N_("nav.households"), ":material/home_work:", Act.REGISTRY_READ, "households"
    ),
    PageSpec(
        "pages/residents.py", "nav.residents", ":material/person_search:", Act.REGISTRY_READ, "residents"
    ),
    PageSpec(
        "pages/import_residents.py",
        N_("nav.import_residents"),
        ":material/upload_file:",
        Act.RESIDENTS_IMPORT,
        "import-residents",
    ),
    PageSpec("pages/teams.py", N_("nav.teams"), ":material/groups:", Act.TEAM_READ, "teams"),
    PageSpec("pages/quotas.py", N_("nav.quotas"), ":material/flag:", Act.CAMPAIGN_READ, "quotas"),
    PageSpec("pages/leaflets.py", N_("nav.leaflets"), ":material/print:", Act.LEAFLET_PRINT, "leaflets"),
    PageSpec(
        "pages/certificates.py", N_("cert.nav"), ":material/verified:", Act.CERTIFICATE_PRINT, "certificates"
    ),
    PageSpec("pages/videos.py", N_("nav.videos"), ":material/smart_display:", Act.VIDEO_WATCH, "videos"),
    PageSpec(
        "pages/admin_users.py", N_("nav.admin_users"), ":material/manage_accounts:", Act.USER_MANAGE, "users"
    ),
    PageSpec(
        "pages/admin_areas.py", N_("nav.admin_areas"), ":material/account_tree:", Act.AREA_MANAGE, "areas"
    ),
    PageSpec(
        "pages/admin_settings.py",
        N_("nav.admin_settings"),
        ":material/settings:",
        Act.SETTINGS_MANAGE,
        "settings",
    ),
    PageSpec("pages/admin_backup.py", N_("backup.nav"), ":material/backup:", Act.BACKUP_TAKE, "backup"),
    PageSpec("pages/audit.py", N_("audit.nav"), ":material/policy:", Act.AUDIT_READ, "audit"),
    PageSpec("pages/account.py", N_("nav.account"), ":material/person:", Act.ACCOUNT_OWN, "account"),
)


def pages_for(role: str | None) -> list[PageSpec]:
    """The pages st.navigation registers. Signed out: every page, so a deep link (a printed card's QR,
    a bookmark) opens its page, whose guard shows the sign-in form and then the page itself — never a
    "page not found" dialog. Signed in: only the role's pages."""
    if role is None:
        return list(PAGES)
    return [p for p in PAGES if role in p.roles]


def spec_for(path: str) -> PageSpec:
    return next(p for p in PAGES if p.path == path)
