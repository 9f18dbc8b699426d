"""Initial schema: the whole domain model, rollups and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 16:15:47.920086
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_setting")),
    )
    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["area.id"], name=op.f("fk_area_parent_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
    )
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_area_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_area_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_area_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_area_path"), ["path"], unique=False)

    op.create_table(
        "procedure",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("field_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("skill", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("full_online", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_procedure")),
    )
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("target_guided_pct", sa.Integer(), nullable=True),
        sa.Column("target_all_five_pct", sa.Integer(), nullable=True),
        sa.Column("target_online_dossier_pct", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_campaign_period"),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_campaign_area_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_area_id"), ["area_id"], unique=False)

    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("address_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("first_visited_on", sa.Date(), nullable=True),
        sa.Column("last_visited_on", sa.Date(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["household.id"], name=op.f("fk_household_merged_into_id_household")
        ),
        sa.ForeignKeyConstraint(["village_id"], ["area.id"], name=op.f("fk_household_village_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_household_follow_up_on"), ["follow_up_on"], unique=False)
        batch_op.create_index("ix_household_village_address", ["village_id", "address_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_village_id"), ["village_id"], unique=False)

    op.create_table(
        "rollup_area",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("households_visited", sa.Integer(), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.Column("residents_guided", sa.Integer(), nullable=False),
        sa.Column("residents_all_five", sa.Integer(), nullable=False),
        sa.Column("no_smartphone", sa.Integer(), nullable=False),
        sa.Column("phone_not_own", sa.Integer(), nullable=False),
        sa.Column("no_vneid2", sa.Integer(), nullable=False),
        sa.Column("no_payment", sa.Integer(), nullable=False),
        sa.Column("course_done", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_rollup_area_area_id_area")),
        sa.PrimaryKeyConstraint("area_id", name=op.f("pk_rollup_area")),
    )
    op.create_table(
        "rollup_area_week",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("visits_done", sa.Integer(), nullable=False),
        sa.Column("residents_met", sa.Integer(), nullable=False),
        sa.Column("residents_guided", sa.Integer(), nullable=False),
        sa.Column("guide_submit", sa.Integer(), nullable=False),
        sa.Column("guide_pay", sa.Integer(), nullable=False),
        sa.Column("guide_apps", sa.Integer(), nullable=False),
        sa.Column("skills_mastered", sa.Integer(), nullable=False),
        sa.Column("dossiers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_rollup_area_week_area_id_area")),
        sa.PrimaryKeyConstraint("area_id", "week", name=op.f("pk_rollup_area_week")),
    )
    op.create_table(
        "rollup_skill",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("skill", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_rollup_skill_area_id_area")),
        sa.PrimaryKeyConstraint("area_id", "skill", "level", name=op.f("pk_rollup_skill")),
    )
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_team_area_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
    )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_area_id"), ["area_id"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("password_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_app_user_area_id_area")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_app_user_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_app_user_username"), ["username"], unique=True)

    op.create_table(
        "resident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("sex", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("phone_rev", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("is_head", sa.Boolean(), nullable=False),
        sa.Column("has_smartphone", sa.Boolean(), nullable=True),
        sa.Column("phone_own_name", sa.Boolean(), nullable=True),
        sa.Column("vneid_level", sa.Integer(), nullable=True),
        sa.Column("has_payment_account", sa.Boolean(), nullable=True),
        sa.Column("poor_network", sa.Boolean(), nullable=True),
        sa.Column("fears_mistakes", sa.Boolean(), nullable=True),
        sa.Column("digital_course_done", sa.Boolean(), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("first_guided_on", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("vneid_level IS NULL OR vneid_level IN (0, 1, 2)", name="ck_resident_vneid_level"),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_resident_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["resident.id"], name=op.f("fk_resident_merged_into_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident")),
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_name_key"), ["name_key"], unique=False)
        batch_op.create_index("ix_resident_phone_rev", ["phone_rev"], unique=False)

    op.create_table(
        "team_village",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_team_village_team_id_team")),
        sa.ForeignKeyConstraint(["village_id"], ["area.id"], name=op.f("fk_team_village_village_id_area")),
        sa.PrimaryKeyConstraint("team_id", "village_id", name=op.f("pk_team_village")),
    )
    with op.batch_alter_table("team_village", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_village_village_id"), ["village_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_audit_log_area_id_area")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_audit_log_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_user_id"), ["user_id"], unique=False)

    op.create_table(
        "auth_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_auth_token_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_token_token_hash")),
    )
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("is_leader", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_member_team_id_team")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_member_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("user_id", name=op.f("uq_member_user_id")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_team_id"), ["team_id"], unique=False)

    op.create_table(
        "resident_skill",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("skill", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 3", name="ck_resident_skill_level"),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_resident_skill_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("resident_id", "skill", name=op.f("pk_resident_skill")),
    )
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("withdrawn_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_visit_created_by_app_user")),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_visit_household_id_household")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_visit_team_id_team")),
        sa.ForeignKeyConstraint(["village_id"], ["area.id"], name=op.f("fk_visit_village_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_visit_idempotency_key")),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_team_id"), ["team_id"], unique=False)
        batch_op.create_index("ix_visit_village_day", ["village_id", "visited_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_visited_on"), ["visited_on"], unique=False)

    op.create_table(
        "quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("skill", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN member_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN team_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN area_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="ck_quota_one_owner",
        ),
        sa.CheckConstraint("target >= 0", name="ck_quota_target"),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_quota_area_id_area")),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_quota_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_quota_member_id_member")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_quota_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota")),
    )
    with op.batch_alter_table("quota", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quota_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quota_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quota_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quota_team_id"), ["team_id"], unique=False)

    op.create_table(
        "rollup_member_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("visits_done", sa.Integer(), nullable=False),
        sa.Column("residents_met", sa.Integer(), nullable=False),
        sa.Column("residents_guided", sa.Integer(), nullable=False),
        sa.Column("guide_submit", sa.Integer(), nullable=False),
        sa.Column("guide_pay", sa.Integer(), nullable=False),
        sa.Column("guide_apps", sa.Integer(), nullable=False),
        sa.Column("skills_mastered", sa.Integer(), nullable=False),
        sa.Column("dossiers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_rollup_member_day_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["area.id"], name=op.f("fk_rollup_member_day_village_id_area")
        ),
        sa.PrimaryKeyConstraint("day", "member_id", "village_id", name=op.f("pk_rollup_member_day")),
    )
    op.create_table(
        "skill_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("skill", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("previous_level", sa.Integer(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("level BETWEEN 0 AND 3", name="ck_skill_event_level"),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f("fk_skill_event_recorded_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_skill_event_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_skill_event_visit_id_visit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_event")),
    )
    with op.batch_alter_table("skill_event", schema=None) as batch_op:
        batch_op.create_index("ix_skill_event_resident_skill", ["resident_id", "skill"], unique=False)
        batch_op.create_index(batch_op.f("ix_skill_event_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "visit_guidance",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_visit_guidance_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_visit_guidance_visit_id_visit")),
        sa.PrimaryKeyConstraint("visit_id", "resident_id", "kind", name=op.f("pk_visit_guidance")),
    )
    with op.batch_alter_table("visit_guidance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_guidance_resident_id"), ["resident_id"], unique=False)

    op.create_table(
        "visit_member",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_visit_member_member_id_member")),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_visit_member_visit_id_visit")),
        sa.PrimaryKeyConstraint("visit_id", "member_id", name=op.f("pk_visit_member")),
    )
    with op.batch_alter_table("visit_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_member_member_id"), ["member_id"], unique=False)

    op.create_table(
        "visit_resident",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_visit_resident_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_visit_resident_visit_id_visit")),
        sa.PrimaryKeyConstraint("visit_id", "resident_id", name=op.f("pk_visit_resident")),
    )
    with op.batch_alter_table("visit_resident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_resident_resident_id"), ["resident_id"], unique=False)

    op.create_table(
        "visit_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("revised_by", sa.Integer(), nullable=False),
        sa.Column("revised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revised_by"], ["app_user.id"], name=op.f("fk_visit_revision_revised_by_app_user")
        ),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], name=op.f("fk_visit_revision_visit_id_visit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_revision")),
    )
    with op.batch_alter_table("visit_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_revision_visit_id"), ["visit_id"], unique=False)
    _audit_log_append_only()


AUDIT_FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql
"""


def _audit_log_append_only() -> None:
    """The audit log refuses UPDATE and DELETE at the database, whatever the code does."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_FUNCTION)
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS audit_log_no_update"
        + (" ON audit_log" if op.get_bind().dialect.name == "postgresql" else "")
    )
    op.execute(
        "DROP TRIGGER IF EXISTS audit_log_no_delete"
        + (" ON audit_log" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("visit_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_revision_visit_id"))

    op.drop_table("visit_revision")
    with op.batch_alter_table("visit_resident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_resident_resident_id"))

    op.drop_table("visit_resident")
    with op.batch_alter_table("visit_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_member_member_id"))

    op.drop_table("visit_member")
    with op.batch_alter_table("visit_guidance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_guidance_resident_id"))

    op.drop_table("visit_guidance")
    with op.batch_alter_table("skill_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_event_visit_id"))
        batch_op.drop_index("ix_skill_event_resident_skill")

    op.drop_table("skill_event")
    op.drop_table("rollup_member_day")
    with op.batch_alter_table("quota", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quota_team_id"))
        batch_op.drop_index(batch_op.f("ix_quota_member_id"))
        batch_op.drop_index(batch_op.f("ix_quota_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_quota_area_id"))

    op.drop_table("quota")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_visited_on"))
        batch_op.drop_index("ix_visit_village_day")
        batch_op.drop_index(batch_op.f("ix_visit_team_id"))
        batch_op.drop_index(batch_op.f("ix_visit_household_id"))
        batch_op.drop_index(batch_op.f("ix_visit_created_by"))

    op.drop_table("visit")
    op.drop_table("resident_skill")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_team_id"))
        batch_op.drop_index(batch_op.f("ix_member_name_key"))

    op.drop_table("member")
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_token_user_id"))

    op.drop_table("auth_token")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    with op.batch_alter_table("team_village", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_village_village_id"))

    op.drop_table("team_village")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_phone_rev")
        batch_op.drop_index(batch_op.f("ix_resident_name_key"))
        batch_op.drop_index(batch_op.f("ix_resident_household_id"))

    op.drop_table("resident")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_username"))
        batch_op.drop_index(batch_op.f("ix_app_user_area_id"))

    op.drop_table("app_user")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_area_id"))

    op.drop_table("team")
    op.drop_table("rollup_skill")
    op.drop_table("rollup_area_week")
    op.drop_table("rollup_area")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_village_id"))
        batch_op.drop_index("ix_household_village_address")
        batch_op.drop_index(batch_op.f("ix_household_follow_up_on"))
        batch_op.drop_index(batch_op.f("ix_household_code"))

    op.drop_table("household")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_area_id"))

    op.drop_table("campaign")
    op.drop_table("procedure")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_path"))
        batch_op.drop_index(batch_op.f("ix_area_parent_id"))
        batch_op.drop_index(batch_op.f("ix_area_name_key"))
        batch_op.drop_index(batch_op.f("ix_area_level"))
        batch_op.drop_index(batch_op.f("ix_area_code"))

    op.drop_table("area")
    op.drop_table("app_setting")
