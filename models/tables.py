"""SQLModel tables: the area tree, people, teams, campaigns, visits, skills, users, audit, rollups.

Enum-like columns are short strings holding the codes of `models.enums`; the services validate them.
Datetimes are timezone-aware UTC; calendar dates (visit day, follow-up) are local dates in Vietnam.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Index, SmallInteger, Text
from sqlmodel import Field, SQLModel

# Stable constraint names, so migrations generated on SQLite and PostgreSQL agree.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# ---------------------------------------------------------------- areas


class Area(SQLModel, table=True):
    """One node of the area tree: province → (district) → commune/ward → village/residential group."""

    __tablename__ = "area"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, index=True)
    level: str = Field(max_length=16, index=True)
    parent_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    # Materialised path of ids, e.g. "/1/7/42/": subtree = path LIKE '/1/7/%'.
    path: str = Field(max_length=400, index=True)
    depth: int = 0
    created_at: datetime


# ---------------------------------------------------------------- households and residents


class Household(SQLModel, table=True):
    __tablename__ = "household"
    __table_args__ = (Index("ix_household_village_address", "village_id", "address_key"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    village_id: int = Field(foreign_key="area.id", index=True)
    address: str = Field(default="", max_length=300)
    address_key: str = Field(default="", max_length=300)
    phone: str | None = Field(default=None, max_length=20)
    status: str = Field(default="active", max_length=16)
    merged_into_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    # Derived from the active visits (kept by services.people.derived): worklist ordering without scans.
    first_visited_on: date | None = None
    last_visited_on: date | None = None
    # Outcome of the latest active visit (by date, then id); None: never visited. Derived like the dates.
    last_outcome: str | None = Field(default=None, max_length=16)
    follow_up_on: date | None = Field(default=None, index=True)
    created_at: datetime
    updated_at: datetime


class Resident(SQLModel, table=True):
    __tablename__ = "resident"
    __table_args__ = (
        CheckConstraint("vneid_level IS NULL OR vneid_level IN (0, 1, 2)", name="ck_resident_vneid_level"),
        Index("ix_resident_phone_rev", "phone_rev"),
        Index("ix_resident_sort_name", "sort_name", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    full_name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, index=True)
    birth_year: int | None = None
    sex: str | None = Field(default=None, max_length=8)
    phone: str | None = Field(default=None, max_length=20)
    # Phone digits reversed, so "last digits" search is an indexed prefix match.
    phone_rev: str | None = Field(default=None, max_length=20)
    # Vietnamese alphabetical order (given name first) as a byte-comparable string, so a registry page
    # is an indexed ORDER BY; filled from full_name on insert when the writer leaves it out.
    sort_name: str | None = Field(
        default=None, max_length=600, sa_column_kwargs={"default": lambda ctx: _sort_name_default(ctx)}
    )
    is_head: bool = False
    # Barrier flags: None = not asked yet.
    has_smartphone: bool | None = None
    phone_own_name: bool | None = None
    vneid_level: int | None = None
    has_payment_account: bool | None = None
    poor_network: bool | None = None
    fears_mistakes: bool | None = None
    digital_course_done: bool = False  # "Bình dân học vụ số" completed
    consent_on: date | None = None
    consent_by: int | None = None  # app_user.id of who recorded it (no FK: see migration 0010)
    consent_method: str | None = Field(default=None, max_length=16)  # verbal | written | imported
    status: str = Field(default="active", max_length=16)
    merged_into_id: int | None = Field(default=None, foreign_key="resident.id", index=True)
    first_guided_on: date | None = None  # derived: earliest guidance in an active visit
    created_at: datetime
    updated_at: datetime


def _sort_name_default(context) -> str:
    from core.text import person_sort_name  # no project imports: no cycle

    return person_sort_name(context.get_current_parameters().get("full_name"))


# ---------------------------------------------------------------- teams


class Team(SQLModel, table=True):
    __tablename__ = "team"
    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="area.id", index=True)  # the commune or village it belongs to
    name: str = Field(max_length=200)
    active: bool = True
    created_at: datetime


class Member(SQLModel, table=True):
    __tablename__ = "member"
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    full_name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=16)
    phone: str | None = Field(default=None, max_length=20)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", unique=True)
    is_leader: bool = False  # the team leader (tổ trưởng)
    active: bool = True
    created_at: datetime


class TeamVillage(SQLModel, table=True):
    __tablename__ = "team_village"
    team_id: int = Field(foreign_key="team.id", primary_key=True)
    village_id: int = Field(foreign_key="area.id", primary_key=True, index=True)


# ---------------------------------------------------------------- campaigns and quotas


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ck_campaign_period"),)
    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    target_guided_pct: int | None = None
    target_all_five_pct: int | None = None
    target_online_dossier_pct: int | None = None
    active: bool = True
    created_at: datetime


class Quota(SQLModel, table=True):
    """A target for a member, a team or an area (village) within a campaign, for one metric."""

    __tablename__ = "quota"
    __table_args__ = (
        CheckConstraint("target >= 0", name="ck_quota_target"),
        CheckConstraint(
            "(CASE WHEN member_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN team_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN area_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="ck_quota_one_owner",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    metric: str = Field(max_length=32)
    skill: str | None = Field(default=None, max_length=16)
    target: int


# ---------------------------------------------------------------- visits, guidance, skills


class Visit(SQLModel, table=True):
    """A home visit (one household) or a group session / counter visit (attendees from many)."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_village_day", "village_id", "visited_on"),)
    id: int | None = Field(default=None, primary_key=True)
    # One per form instance: a double tap or a retry after a dropped connection cannot add a second.
    idempotency_key: str = Field(max_length=64, unique=True)
    kind: str = Field(default="household", max_length=16)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    village_id: int = Field(foreign_key="area.id")  # where it counts in the rollups
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    visited_on: date = Field(index=True)
    place: str = Field(max_length=16)
    outcome: str = Field(max_length=16)
    follow_up_on: date | None = None
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    status: str = Field(default="active", max_length=16)
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    created_by: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime
    updated_at: datetime


class VisitMember(SQLModel, table=True):
    """Who went: the user's member record plus teammates."""

    __tablename__ = "visit_member"
    visit_id: int = Field(foreign_key="visit.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)


class VisitResident(SQLModel, table=True):
    """A resident present at a visit or session, with their optional 1–5 satisfaction rating of the
    guidance they were given there (only a guided resident may give one)."""

    __tablename__ = "visit_resident"
    visit_id: int = Field(foreign_key="visit.id", primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", primary_key=True, index=True)
    satisfaction: int | None = Field(default=None, sa_column=Column(SmallInteger, nullable=True))


class VisitGuidance(SQLModel, table=True):
    """One of the "3 hướng dẫn" given to one resident in one visit."""

    __tablename__ = "visit_guidance"
    visit_id: int = Field(foreign_key="visit.id", primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", primary_key=True, index=True)
    kind: str = Field(max_length=16, primary_key=True)


class VisitRevision(SQLModel, table=True):
    """The state of a visit before a correction or withdrawal (history is never overwritten)."""

    __tablename__ = "visit_revision"
    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    revised_by: int = Field(foreign_key="app_user.id")
    revised_at: datetime
    action: str = Field(max_length=16)  # corrected | withdrawn
    reason: str | None = Field(default=None, max_length=500)
    snapshot: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the visit before


class SkillEvent(SQLModel, table=True):
    """An observed skill level for a resident (the ladder's full, dated history)."""

    __tablename__ = "skill_event"
    __table_args__ = (
        CheckConstraint("level BETWEEN 0 AND 3", name="ck_skill_event_level"),
        Index("ix_skill_event_resident_skill", "resident_id", "skill"),
    )
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id")
    skill: str = Field(max_length=16)
    level: int
    previous_level: int = 0
    observed_on: date
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    evidence: str | None = Field(default=None, max_length=200)
    # With a dossier code: "full" (dịch vụ công trực tuyến toàn trình) or "partial" (một phần).
    dossier_kind: str | None = Field(default=None, max_length=8)
    reason: str | None = Field(default=None, max_length=500)  # required when the level goes down
    active: bool = True  # False once its visit is withdrawn or corrected away
    recorded_by: int = Field(foreign_key="app_user.id")
    recorded_at: datetime


class ResidentSkill(SQLModel, table=True):
    """Current level per resident and skill; absent row = level 0."""

    __tablename__ = "resident_skill"
    __table_args__ = (CheckConstraint("level BETWEEN 0 AND 3", name="ck_resident_skill_level"),)
    resident_id: int = Field(foreign_key="resident.id", primary_key=True)
    skill: str = Field(max_length=16, primary_key=True)
    level: int
    updated_on: date
    # derived: the day the current run at level 3 began (the first active level-3 event after the last
    # active event below 3); None below level 3
    mastered_on: date | None = None


class Procedure(SQLModel, table=True):
    """An online procedure on the National Public Service Portal (catalogue from content/)."""

    __tablename__ = "procedure"
    code: str = Field(max_length=40, primary_key=True)
    name: str = Field(max_length=300)
    field_name: str = Field(default="", max_length=200)
    skill: str = Field(max_length=16)
    full_online: bool = True  # "toàn trình"


# ---------------------------------------------------------------- users, sessions, audit


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=16)
    area_id: int = Field(foreign_key="area.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    is_active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = None
    password_changed_at: datetime
    last_login_at: datetime | None = None
    # The UI language this user chose last ("vi" / "en"); None = the default (Vietnamese).
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime


class VisitDraft(SQLModel, table=True):
    """A half-filled visit form kept on the server per user × household, so a reload loses nothing."""

    __tablename__ = "visit_draft"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    household_id: int = Field(foreign_key="household.id", primary_key=True, index=True)
    data: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the form's fields
    updated_at: datetime


class VisitSheet(SQLModel, table=True):
    """A printed paper visit sheet (id printed on it) and, once typed back in, when and by whom."""

    __tablename__ = "visit_sheet"
    id: str = Field(max_length=64, primary_key=True)  # e.g. PV-<village code>-<yyyymmdd>-<nn>
    village_id: int = Field(foreign_key="area.id", index=True)
    printed_on: date
    printed_by: int | None = Field(default=None, foreign_key="app_user.id")
    # JSON list of the household ids in the sheet's printed order.
    household_ids: str = Field(sa_column=Column(Text, nullable=False))
    entered_at: datetime | None = None
    entered_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime


class AuthToken(SQLModel, table=True):
    """A remember-me sign-in: only the SHA-256 of the random token is stored."""

    __tablename__ = "auth_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None


class AuditLog(SQLModel, table=True):
    """Append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class AppSetting(SQLModel, table=True):
    __tablename__ = "app_setting"
    key: str = Field(max_length=64, primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))


# ---------------------------------------------------------------- rollups (counts at every tree level)


class RollupSkill(SQLModel, table=True):
    """Active residents in an area's subtree at each level of each skill."""

    __tablename__ = "rollup_skill"
    area_id: int = Field(foreign_key="area.id", primary_key=True)
    skill: str = Field(max_length=16, primary_key=True)
    level: int = Field(primary_key=True)
    residents: int = 0


class RollupArea(SQLModel, table=True):
    """Headline counts of an area's subtree (active households and residents only)."""

    __tablename__ = "rollup_area"
    area_id: int = Field(foreign_key="area.id", primary_key=True)
    households: int = 0
    households_visited: int = 0  # with at least one active *done* visit
    households_reached: int = 0  # with at least one active visit of any outcome ("visited")
    residents: int = 0
    residents_guided: int = 0
    residents_all_five: int = 0
    no_smartphone: int = 0
    phone_not_own: int = 0
    no_vneid2: int = 0
    no_payment: int = 0
    course_done: int = 0


class RollupCohort(SQLModel, table=True):
    """Active residents of an area's subtree per birth year (0 = unknown), so age-bound figures (adults
    15+, 14+, age bands) are computed at read time for any date and stay exact as the calendar moves."""

    __tablename__ = "rollup_cohort"
    area_id: int = Field(foreign_key="area.id", primary_key=True)
    birth_year: int = Field(primary_key=True)
    residents: int = 0
    guided: int = 0
    all_five: int = 0
    smartphone: int = 0  # has_smartphone is True
    payment_account: int = 0  # has_payment_account is True
    vneid2: int = 0  # vneid_level == 2
    course_done: int = 0
    online_user: int = 0  # level 3 in at least one of submit, pay, feedback, receive
    below_no_smartphone: int = 0  # below_*: not all five at level 3, with the barrier
    below_phone_not_own: int = 0
    below_no_vneid2: int = 0
    below_no_payment: int = 0


class RollupOutcome(SQLModel, table=True):
    """Active households of an area's subtree by the outcome of their latest active visit."""

    __tablename__ = "rollup_outcome"
    area_id: int = Field(foreign_key="area.id", primary_key=True)
    outcome: str = Field(max_length=16, primary_key=True)
    households: int = 0


class RollupMemberDay(SQLModel, table=True):
    """Activity per day × member × village (a visit counts for every member who went)."""

    __tablename__ = "rollup_member_day"
    day: date = Field(primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    village_id: int = Field(foreign_key="area.id", primary_key=True)
    visits: int = 0
    visits_done: int = 0
    residents_met: int = 0
    residents_guided: int = 0
    guide_submit: int = 0
    guide_pay: int = 0
    guide_apps: int = 0
    skills_mastered: int = 0
    dossiers: int = 0
    dossiers_full: int = 0
    dossiers_partial: int = 0


class RollupAreaWeek(SQLModel, table=True):
    """Activity per ISO week (Monday) for an area's subtree, at every tree level."""

    __tablename__ = "rollup_area_week"
    area_id: int = Field(foreign_key="area.id", primary_key=True)
    week: date = Field(primary_key=True)
    visits: int = 0
    visits_done: int = 0
    residents_met: int = 0
    residents_guided: int = 0
    guide_submit: int = 0
    guide_pay: int = 0
    guide_apps: int = 0
    skills_mastered: int = 0
    dossiers: int = 0
    dossiers_full: int = 0
    dossiers_partial: int = 0


class RollupDated(SQLModel, table=True):
    """What an area's subtree counts now, by the date it entered the count: residents registered, first
    guided, reaching level 3 in each skill (the current run) and in all five, households first visited
    with a done outcome — by the week (its Monday) — and households' pending follow-ups by exact day."""

    __tablename__ = "rollup_dated"
    area_id: int = Field(foreign_key="area.id", primary_key=True)
    measure: str = Field(max_length=24, primary_key=True)
    day: date = Field(primary_key=True)
    count: int = 0


class RollupTeamRating(SQLModel, table=True):
    """Satisfaction ratings given to a team's guidance (the visit's team, active visits) per day and
    score; an area's ratings are rollup_dated measures "rating_1" … "rating_5"."""

    __tablename__ = "rollup_team_rating"
    team_id: int = Field(foreign_key="team.id", primary_key=True)
    day: date = Field(primary_key=True)
    score: int = Field(primary_key=True)
    residents: int = 0


class RollupConversion(SQLModel, table=True):
    """Residents a team or a member first guided (active visits) in a week, per skill, by the week they
    reached level 3 in it (NOT_MASTERED when not at level 3 now). A resident already at level 3 in a
    skill before that first guidance is not counted for that skill. Owner "team" counts each resident
    once per team (the visit's team), "member" once per member who went."""

    __tablename__ = "rollup_conversion"
    owner: str = Field(max_length=8, primary_key=True)  # team | member
    owner_id: int = Field(primary_key=True)
    skill: str = Field(max_length=16, primary_key=True)
    guided_week: date = Field(primary_key=True)
    mastered_week: date = Field(primary_key=True)
    residents: int = 0


__all__ = [
    "AppSetting",
    "Area",
    "AuditLog",
    "AuthToken",
    "Campaign",
    "Household",
    "Member",
    "Procedure",
    "Quota",
    "Resident",
    "ResidentSkill",
    "RollupArea",
    "RollupAreaWeek",
    "RollupCohort",
    "RollupConversion",
    "RollupDated",
    "RollupMemberDay",
    "RollupOutcome",
    "RollupSkill",
    "RollupTeamRating",
    "SkillEvent",
    "Team",
    "TeamVillage",
    "User",
    "Visit",
    "VisitDraft",
    "VisitGuidance",
    "VisitMember",
    "VisitResident",
    "VisitRevision",
    "VisitSheet",
]
