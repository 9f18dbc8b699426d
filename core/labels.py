"""Catalogue keys for the values the UI labels (skills, outcomes, roles, filters ...), written out so
that every key stands in the code as a literal `pybabel extract` can find: `t(labels.SKILL[skill.value])`
instead of a key built at run time. `N_` marks a key without translating it (gettext_noop)."""

from __future__ import annotations


def N_(key: str) -> str:
    """Mark `key` for extraction; it is translated where it is shown."""
    return key


AGE_BAND: dict[str, str] = {
    "any": N_("reg.age.any"),
    "under15": N_("reg.age.under15"),
    "15_35": N_("reg.age.15_35"),
    "36_59": N_("reg.age.36_59"),
    "60plus": N_("reg.age.60plus"),
}

AREA_LEVEL: dict[str, str] = {
    "province": N_("level.province"),
    "district": N_("level.district"),
    "commune": N_("level.commune"),
    "village": N_("level.village"),
}

BARRIER: dict[str, str] = {
    "has_smartphone": N_("journey.barrier.has_smartphone"),
    "phone_own_name": N_("journey.barrier.phone_own_name"),
    "vneid_level": N_("journey.barrier.vneid_level"),
    "has_payment_account": N_("journey.barrier.has_payment_account"),
}

BARRIER_FILTER: dict[str, str] = {
    "any": N_("reg.barrier.any"),
    "no_smartphone": N_("reg.barrier.no_smartphone"),
    "phone_not_own": N_("reg.barrier.phone_not_own"),
    "no_vneid2": N_("reg.barrier.no_vneid2"),
    "no_payment": N_("reg.barrier.no_payment"),
    "poor_network": N_("reg.barrier.poor_network"),
    "fears_mistakes": N_("reg.barrier.fears_mistakes"),
    "old_age": N_("reg.barrier.old_age"),
}

DUPLICATE_REASON: dict[str, str] = {
    "name_year": N_("imp.dup.name_year"),
    "phone": N_("imp.dup.phone"),
}

EXPORT_COLUMN: dict[str, str] = {
    "status": N_("exp.col.status"),
    "phone_own_name": N_("exp.col.phone_own_name"),
    "vneid_level": N_("exp.col.vneid_level"),
    "has_payment_account": N_("exp.col.has_payment_account"),
    "poor_network": N_("exp.col.poor_network"),
    "fears_mistakes": N_("exp.col.fears_mistakes"),
    "digital_course_done": N_("exp.col.digital_course_done"),
    "first_guided_on": N_("exp.col.first_guided_on"),
    "last_visited_on": N_("exp.col.last_visited_on"),
}

GUIDANCE: dict[str, str] = {
    "guide_submit": N_("guide.guide_submit"),
    "guide_pay": N_("guide.guide_pay"),
    "guide_apps": N_("guide.guide_apps"),
}

GUIDANCE_SHORT: dict[str, str] = {
    "guide_submit": N_("journey.guide_short.guide_submit"),
    "guide_pay": N_("journey.guide_short.guide_pay"),
    "guide_apps": N_("journey.guide_short.guide_apps"),
}

MEMBER_KIND: dict[str, str] = {
    "officer": N_("kind.officer"),
    "youth_union": N_("kind.youth_union"),
    "teacher": N_("kind.teacher"),
    "police": N_("kind.police"),
    "other": N_("kind.other"),
}

METRIC: dict[str, str] = {
    "households_visited": N_("metric.households_visited"),
    "residents_guided": N_("metric.residents_guided"),
    "skill_mastered": N_("metric.skill_mastered"),
    "all_five": N_("metric.all_five"),
    "online_dossiers": N_("metric.online_dossiers"),
}

OUTCOME: dict[str, str] = {
    "done": N_("journey.outcome.done"),
    "nobody_home": N_("journey.outcome.nobody_home"),
    "refused": N_("journey.outcome.refused"),
    "come_back": N_("journey.outcome.come_back"),
}

PERSON_STATUS: dict[str, str] = {
    "active": N_("person_status.active"),
    "moved": N_("person_status.moved"),
    "deceased": N_("person_status.deceased"),
    "merged": N_("person_status.merged"),
}

PLACE: dict[str, str] = {
    "home": N_("journey.place.home"),
    "counter": N_("journey.place.counter"),
    "community": N_("journey.place.community"),
}

QUOTA_KIND: dict[str, str] = {
    "team": N_("fig.q.kind.team"),
    "member": N_("fig.q.kind.member"),
    "area": N_("fig.q.kind.area"),
}

QUOTA_OWNER: dict[str, str] = {
    "area": N_("owner.area"),
    "team": N_("owner.team"),
    "member": N_("owner.member"),
}

ROLE: dict[str, str] = {
    "admin": N_("role.admin"),
    "coordinator": N_("role.coordinator"),
    "leader": N_("role.leader"),
    "volunteer": N_("role.volunteer"),
}

SESSION_PLACE: dict[str, str] = {
    "community": N_("journey.session_place.community"),
    "counter": N_("journey.session_place.counter"),
}

SETTING_SOURCE: dict[str, str] = {
    "setting": N_("settings.source.setting"),
    "environment": N_("settings.source.environment"),
    "default": N_("settings.source.default"),
}

SEX: dict[str, str] = {
    "male": N_("sex.male"),
    "female": N_("sex.female"),
    "other": N_("sex.other"),
}

SKILL: dict[str, str] = {
    "submit": N_("skill.submit"),
    "pay": N_("skill.pay"),
    "feedback": N_("skill.feedback"),
    "receive": N_("skill.receive"),
    "apps": N_("skill.apps"),
}

SKILL_LEVEL: dict[int, str] = {
    0: N_("skill_level.0"),
    1: N_("skill_level.1"),
    2: N_("skill_level.2"),
    3: N_("skill_level.3"),
}

SKILL_SHORT: dict[str, str] = {
    "submit": N_("journey.skill_short.submit"),
    "pay": N_("journey.skill_short.pay"),
    "feedback": N_("journey.skill_short.feedback"),
    "receive": N_("journey.skill_short.receive"),
    "apps": N_("journey.skill_short.apps"),
}

SORT: dict[str, str] = {
    "name": N_("reg.sort.name"),
    "name_desc": N_("reg.sort.name_desc"),
    "birth_year": N_("reg.sort.birth_year"),
    "household": N_("reg.sort.household"),
    "code": N_("reg.sort.code"),
    "last_visit": N_("reg.sort.last_visit"),
    "follow_up": N_("reg.sort.follow_up"),
}

SPLIT_METHOD: dict[str, str] = {
    "households": N_("method.households"),
    "residents": N_("method.residents"),
    "even": N_("method.even"),
}

STATUS_FILTER: dict[str, str] = {
    "active": N_("reg.status.active"),
    "inactive": N_("reg.status.inactive"),
    "all": N_("reg.status.all"),
}

TEMPLATE_NOTE: dict[str, str] = {
    "household_code": N_("imp.template.note.household_code"),
    "village": N_("imp.template.note.village"),
    "address": N_("imp.template.note.address"),
    "full_name": N_("imp.template.note.full_name"),
    "birth_year": N_("imp.template.note.birth_year"),
    "sex": N_("imp.template.note.sex"),
    "phone": N_("imp.template.note.phone"),
    "is_head": N_("imp.template.note.is_head"),
    "has_smartphone": N_("imp.template.note.has_smartphone"),
}

VISIT_FILTER: dict[str, str] = {
    "any": N_("reg.visit.any"),
    "never": N_("reg.visit.never"),
    "due": N_("reg.visit.due"),
    "visited": N_("reg.visit.visited"),
}

VNEID_LEVEL: dict[int, str] = {
    0: N_("journey.vneid.0"),
    1: N_("journey.vneid.1"),
    2: N_("journey.vneid.2"),
}

WORKLIST_TAG: dict[str, str] = {
    "overdue": N_("journey.tag.overdue"),
    "due": N_("journey.tag.due"),
    "never": N_("journey.tag.never"),
    "visited": N_("journey.tag.visited"),
}

# ---------------------------------------------------------------- the overview (issue #10)

COVERAGE: dict[str, str] = {
    "done": N_("journey.outcome.done"),
    "come_back": N_("journey.outcome.come_back"),
    "nobody_home": N_("journey.outcome.nobody_home"),
    "refused": N_("journey.outcome.refused"),
    "never_visited": N_("reg.visit.never"),
}

INDICATOR: dict[str, str] = {
    "adults_smartphone": N_("ov.ind.adults_smartphone"),
    "adults_payment_account": N_("ov.ind.adults_payment_account"),
    "vneid2_14plus": N_("ov.ind.vneid2_14plus"),
    "adults_online_services": N_("ov.ind.adults_online_services"),
    "digital_course_done": N_("ov.ind.digital_course_done"),
}

OVERVIEW_AGE_BAND: dict[str, str] = {
    "15-29": N_("ov.age.15_29"),
    "30-44": N_("ov.age.30_44"),
    "45-59": N_("ov.age.45_59"),
    "60+": N_("ov.age.60plus"),
    "unknown": N_("ov.age.unknown"),
}

OVERVIEW_BARRIER: dict[str, str] = {
    "no_smartphone": N_("reg.barrier.no_smartphone"),
    "phone_not_own": N_("reg.barrier.phone_not_own"),
    "no_vneid2": N_("reg.barrier.no_vneid2"),
    "no_payment": N_("reg.barrier.no_payment"),
}

REPORT_PERIOD: dict[str, str] = {
    "last-week": N_("report.p.last_week"),
    "this-week": N_("report.p.this_week"),
    "month": N_("report.p.month"),
    "range": N_("report.p.range"),
}
PERIOD: dict[str, str] = {
    "campaign": N_("ov.period.campaign"),
    "week": N_("ov.period.week"),
    "4weeks": N_("ov.period.4weeks"),
    "quarter": N_("ov.period.quarter"),
    "range": N_("ov.period.range"),
}

# A submitted dossier's kind, as the national portal labels online public services.
DOSSIER_KIND: dict[str, str] = {
    "full": N_("visit_form.dossier_full"),
    "partial": N_("visit_form.dossier_partial"),
}
