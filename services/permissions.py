"""Who may do what: one declaration of role × action × area, read by the services and by the pages.

Every service entry point (a public function that receives the signed-in `actor`) is marked with
`@entry(Act.X)`: the role is checked here, before the function runs, and the function itself then
checks the area (the target must lie in the actor's area; a volunteer's area is their team's
villages). The pages take their roles from the same table (webui.registry), the README's access table
is printed from it (`manage.py access-table`) and tests/services/test_access_matrix.py calls every
entry point as every role, inside and outside the area.

`actor=None` is the command line run by the server's administrator; it is accepted only by entry
points whose `actor` parameter allows None.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from models.enums import Role
from services.errors import PermissionDenied

A, C, L, V = Role.ADMIN, Role.COORDINATOR, Role.LEADER, Role.VOLUNTEER
EVERYONE = (A, C, L, V)


class Scope(StrEnum):
    """Which targets an allowed role may touch."""

    AREA = "area"  # inside the actor's area (a volunteer: their team's villages)
    TOP = "top"  # the whole installation: only an admin of a top-level area
    OWN = "own"  # the actor's own account, drafts and visits (coordinators: their area's visits)


class Act(StrEnum):
    HOME = "home.view"
    OVERVIEW = "overview.view"
    REPORT = "report.produce"
    EMULATION = "emulation.view"
    VISIT_RECORD = "visit.record"
    VISIT_CORRECT = "visit.correct"
    VISIT_FIND = "visit.find"
    SHEET_ENTER = "sheet.enter"
    HOUSEHOLD_ADD = "household.add"
    HOUSEHOLD_CARD = "household.card"
    REGISTRY_READ = "registry.read"
    REGISTRY_EDIT = "registry.edit"
    RESIDENTS_IMPORT = "residents.import"
    CONSENT_RECORD = "consent.record"
    RESIDENT_ERASE = "resident.erase"
    TEAM_READ = "team.read"
    TEAM_PLAN = "team.plan"
    TEAM_MANAGE = "team.manage"
    CAMPAIGN_READ = "campaign.read"
    CAMPAIGN_MANAGE = "campaign.manage"
    LEAFLET_PRINT = "leaflet.print"
    FIELD_PRINT = "field.print"
    CERTIFICATE_PRINT = "certificate.print"
    VIDEO_WATCH = "video.watch"
    AREA_READ = "area.read"
    AREA_MANAGE = "area.manage"
    USER_MANAGE = "user.manage"
    ACCOUNT_OWN = "account.own"
    SETTINGS_MANAGE = "settings.manage"
    BACKUP_TAKE = "backup.take"
    AUDIT_READ = "audit.read"


@dataclass(frozen=True)
class Rule:
    roles: tuple[Role, ...]
    scope: Scope
    what: str  # one line for the README's access table


# The declaration. Order: the field work, the office work, administration (as the menu).
RULES: dict[Act, Rule] = {
    Act.HOME: Rule(EVERYONE, Scope.AREA, "Home: the area's figures and today's work"),
    Act.OVERVIEW: Rule(EVERYONE, Scope.AREA, "Overview, indicators, charts, chat summary"),
    Act.REPORT: Rule(EVERYONE, Scope.AREA, "Weekly report (PDF, XLSX)"),
    Act.EMULATION: Rule(EVERYONE, Scope.AREA, "Emulation board"),
    Act.VISIT_RECORD: Rule((C, V), Scope.AREA, "Record a visit or a group session"),
    Act.VISIT_CORRECT: Rule((C, V), Scope.OWN, "Correct or withdraw a visit (own; coordinator: area's)"),
    Act.VISIT_FIND: Rule(EVERYONE, Scope.AREA, "Find households, worklist, recent visits"),
    Act.SHEET_ENTER: Rule((C, V), Scope.AREA, "Enter a paper visit sheet"),
    Act.HOUSEHOLD_ADD: Rule((C, V), Scope.AREA, "Add a household or a resident at the door"),
    Act.HOUSEHOLD_CARD: Rule(EVERYONE, Scope.AREA, "A household's card (phones masked but for field roles)"),
    Act.REGISTRY_READ: Rule((A, C, L), Scope.AREA, "Registry, details, export (phones masked for leaders)"),
    Act.REGISTRY_EDIT: Rule((A, C), Scope.AREA, "Edit, move, merge households and residents"),
    Act.RESIDENTS_IMPORT: Rule((A, C), Scope.AREA, "Import residents"),
    Act.CONSENT_RECORD: Rule((A, C, V), Scope.AREA, "Record consent to keep personal data"),
    Act.RESIDENT_ERASE: Rule((A,), Scope.AREA, "Erase a resident or household on request"),
    Act.TEAM_READ: Rule(EVERYONE, Scope.AREA, "Teams and members (a volunteer: their own team)"),
    Act.TEAM_PLAN: Rule((A, C, L), Scope.AREA, "A commune's villages with household counts"),
    Act.TEAM_MANAGE: Rule((A, C), Scope.AREA, "Create teams, members, villages, balance"),
    Act.CAMPAIGN_READ: Rule((A, C, L), Scope.AREA, "Campaigns and quota progress"),
    Act.CAMPAIGN_MANAGE: Rule((A, C), Scope.AREA, "Create campaigns, set quotas"),
    Act.LEAFLET_PRINT: Rule(EVERYONE, Scope.AREA, "Print leaflets"),
    Act.FIELD_PRINT: Rule((C, V), Scope.AREA, "Print household cards and paper visit sheets"),
    Act.CERTIFICATE_PRINT: Rule(EVERYONE, Scope.AREA, "Print certificates"),
    Act.VIDEO_WATCH: Rule(EVERYONE, Scope.AREA, "Watch the how-to videos"),
    Act.AREA_READ: Rule(EVERYONE, Scope.AREA, "Browse the area tree"),
    Act.AREA_MANAGE: Rule((A,), Scope.AREA, "Add, rename, move and import areas"),
    Act.USER_MANAGE: Rule((A,), Scope.AREA, "Create users, reset passwords, unlock, deactivate"),
    Act.ACCOUNT_OWN: Rule(EVERYONE, Scope.OWN, "Own password, language, sign out"),
    Act.SETTINGS_MANAGE: Rule((A,), Scope.TOP, "Installation settings (public address)"),
    Act.BACKUP_TAKE: Rule((A,), Scope.TOP, "Download a backup"),
    Act.AUDIT_READ: Rule((A, C), Scope.AREA, "Audit log of the area"),
}


def roles_of(action: Act) -> tuple[Role, ...]:
    return RULES[action].roles


def may(role: str | None, action: Act) -> bool:
    return role is not None and role in RULES[action].roles


def authorize(actor, action: Act) -> None:
    """PermissionDenied unless the actor's role may do `action` (the area is the entry point's check)."""
    if actor is None or actor.role not in RULES[action].roles:
        raise PermissionDenied()


# Every function marked with @entry, "module:function" -> action (filled at import).
ENTRY_POINTS: dict[str, Act] = {}

F = TypeVar("F", bound=Callable)


def entry(action: Act) -> Callable[[F], F]:
    """Mark a service entry point: the actor's role is checked against RULES before it runs."""
    if action not in RULES:
        raise KeyError(action)

    def mark(fn: F) -> F:
        params = list(inspect.signature(fn).parameters.values())
        names = [p.name for p in params]
        name = "actor" if "actor" in names else "current"
        if name not in names:
            raise TypeError(f"{fn.__qualname__} has no actor parameter")
        param = params[names.index(name)]
        position = names.index(name) if param.kind is not inspect.Parameter.KEYWORD_ONLY else None
        system_allowed = "None" in str(param.annotation)
        allowed = RULES[action].roles

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            if name in kwargs:
                actor = kwargs[name]
            elif position is not None and position < len(args):
                actor = args[position]
            else:
                actor = param.default if param.default is not inspect.Parameter.empty else None
            if actor is None:
                if not system_allowed:
                    raise PermissionDenied()
            elif actor.role not in allowed:
                raise PermissionDenied()
            return fn(*args, **kwargs)

        checked.__action__ = action
        ENTRY_POINTS[f"{fn.__module__}:{fn.__qualname__}"] = action
        return checked  # type: ignore[return-value]

    return mark


def access_table() -> str:
    """The declaration as a Markdown table (README)."""
    roles = [A, C, L, V]
    head = "| action | what | " + " | ".join(r.value for r in roles) + " | scope |"
    rule = "|---|---|" + "---|" * len(roles) + "---|"
    lines = [head, rule]
    for action, r in RULES.items():
        marks = " | ".join("✓" if role in r.roles else "" for role in roles)
        lines.append(f"| `{action.value}` | {r.what} | {marks} | {r.scope.value} |")
    return "\n".join(lines)
