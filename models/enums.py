"""Stable codes of the campaign: levels, skills, guidance kinds, roles, visit vocabulary."""

from __future__ import annotations

from enum import StrEnum


class AreaLevel(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"  # only in older data
    COMMUNE = "commune"
    VILLAGE = "village"


# Allowed parent level for each level (None: a root).
PARENT_LEVELS: dict[AreaLevel, tuple[AreaLevel | None, ...]] = {
    AreaLevel.PROVINCE: (None,),
    AreaLevel.DISTRICT: (AreaLevel.PROVINCE,),
    AreaLevel.COMMUNE: (AreaLevel.PROVINCE, AreaLevel.DISTRICT),
    AreaLevel.VILLAGE: (AreaLevel.COMMUNE,),
}


class Skill(StrEnum):
    """The five skills ("5 biết"), in campaign order."""

    SUBMIT = "submit"
    PAY = "pay"
    FEEDBACK = "feedback"
    RECEIVE = "receive"
    APPS = "apps"


SKILLS: tuple[Skill, ...] = tuple(Skill)


class SkillLevel:
    NOT_YET = 0
    GUIDED = 1
    WITH_HELP = 2
    MASTERED = 3


SKILL_LEVELS = (0, 1, 2, 3)


class Guidance(StrEnum):
    """The three kinds of guidance ("3 hướng dẫn")."""

    SUBMIT = "guide_submit"
    PAY = "guide_pay"
    APPS = "guide_apps"


GUIDANCE_KINDS: tuple[Guidance, ...] = tuple(Guidance)


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    LEADER = "leader"
    VOLUNTEER = "volunteer"


class MemberKind(StrEnum):
    OFFICER = "officer"
    YOUTH_UNION = "youth_union"
    TEACHER = "teacher"
    POLICE = "police"
    OTHER = "other"


class VisitPlace(StrEnum):
    HOME = "home"
    COUNTER = "counter"
    COMMUNITY = "community"


class VisitOutcome(StrEnum):
    DONE = "done"
    NOBODY_HOME = "nobody_home"
    REFUSED = "refused"
    COME_BACK = "come_back"


class VisitKind(StrEnum):
    HOUSEHOLD = "household"  # one household, usually at home
    SESSION = "session"  # a group session or the counter, attendees from many households


class VisitStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class PersonStatus(StrEnum):
    ACTIVE = "active"
    MOVED = "moved"
    DECEASED = "deceased"
    MERGED = "merged"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"


class QuotaMetric(StrEnum):
    HOUSEHOLDS_VISITED = "households_visited"
    RESIDENTS_GUIDED = "residents_guided"
    SKILL_MASTERED = "skill_mastered"  # with a skill
    ALL_FIVE = "all_five"
    ONLINE_DOSSIERS = "online_dossiers"
