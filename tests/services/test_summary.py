"""The Zalo-ready summary (issue #11) on a hand-built commune: the exact Vietnamese message (and its English
version), the best village and the one behind, the 600-character limit with very long names, the chart as
a PNG at most 1080 px wide, and the report's scope rules."""

from __future__ import annotations

import struct
from datetime import timedelta

import pytest

from core.clock import today
from models.db import read_session, write_session
from services import overview as ov
from services import reports
from services import summary as sm
from services.errors import PermissionDenied, ValidationFailed
from services.teams.campaigns import create_campaign, set_quota
from services.visits.record import ResidentInput
from tests import factories as f
from tests.services.test_overview_progress import _visit, _world

ALL_FIVE = {"submit": 3, "pay": 3, "feedback": 3, "receive": 3, "apps": 3}


@pytest.fixture(autouse=True)
def _fresh_cache():
    ov.clear_cache()
    yield
    ov.clear_cache()


def _commune(engine) -> dict:
    """The overview's world (village A1 "Thôn Một": hh1 = r1, r2 (a child); hh2 = r3) plus, in A2 "Thôn
    Hai", hh3 = r4, r5 visited T-1 (done) by M1: r4 guided and doing all five alone, r5 guided (apps 1).
    In the 7 days T-6..T:
      households first done: hh2 (T-2), hh3 (T-1) = 2; visited to date: hh1, hh2, hh3 = 3 of 3;
      first guided: r3 (T-2), r4, r5 (T-1) = 3 (r1 was first guided T-20); guided to date 4 of 5 = 80%;
      level 3 reached: r1 submit, pay (T-5); r3 apps (T-2); r4 all five (T-1) -> submit 2, pay 2,
        feedback 1, receive 1, apps 2 = 8; all five to date: r4 = 1 of 5 = 20%;
      Thôn Hai: 2 guided in the period, all five 1 of 2 = 50% -> the best (Thôn Một: 1 guided);
      Thôn Một: all five 0 of 3 -> behind; hh2's revisit date T-1 has passed -> 1 household overdue."""
    w = _world(engine)
    hh3 = f.create_household(engine, village_id=w["A2"])
    r4 = f.create_resident(engine, household_id=hh3, full_name="Phạm Bốn", birth_year=1970)
    r5 = f.create_resident(engine, household_id=hh3, full_name="Phạm Năm", birth_year=2000)
    residents = [
        ResidentInput(r4, {"guide_submit"}, ALL_FIVE),
        ResidentInput(r5, {"guide_apps"}, {"apps": 1}),
    ]
    _visit(engine, w["vol1"], "v4", hh3, 1, residents)
    return w


def _week():
    return ov.date_range(today() - timedelta(days=6), today())


def _summary(engine, actor, area_id, period=None, lang="vi") -> sm.Summary:
    with read_session(engine) as s:
        return sm.zalo_summary(s, actor=actor, area_id=area_id, period=period or _week(), lang=lang)


def _dates(period) -> tuple[str, str]:
    return f"{period.start:%d/%m/%Y}", f"{period.end:%d/%m/%Y}"


def test_the_message_of_a_commune_exactly(engine):
    w = _commune(engine)
    period = _week()
    start, end = _dates(period)
    s = _summary(engine, w["leader"], w["A"], period)
    assert s.text == (
        f"5 biết, 3 hướng dẫn – Xã An, từ {start} đến {end}\n"
        "Hộ đã đến: 3/3 hộ; 2 hộ hoàn thành lần đầu trong kỳ.\n"
        "Người được hướng dẫn trong kỳ: 3 (cộng dồn 4, 80% số dân).\n"
        "Kỹ năng mới tự làm được: 8 (nộp hồ sơ 2, thanh toán 2, phản ánh 1, nhận kết quả 1, dùng ứng dụng 2)."
        " Biết đủ 5 kỹ năng: 1 người (20%).\n"
        "Dẫn đầu: Thôn Hai (2 người được hướng dẫn, đủ 5 kỹ năng 50%).\n"
        "Cần cố gắng: Thôn Một (đủ 5 kỹ năng 0%); 1 hộ quá hẹn quay lại."
    )
    assert len(s.text) <= sm.MAX_CHARS
    assert (s.best, s.behind) == ("Thôn Hai", "Thôn Một")
    assert "**" not in s.text and "#" not in s.text  # plain text, no markdown

    english = _summary(engine, w["leader"], w["A"], period, lang="en")
    assert english.text.splitlines()[-2:] == [
        "Leading: Thôn Hai (2 guided, all five 50%).",
        "Needs a push: Thôn Một (all five 0%); 1 household past its revisit date.",
    ]


def test_a_village_and_an_empty_period(engine):
    """A village has no child area: no best, and only the overdue revisits behind. Nothing happened in
    the 7 days ending 30 days ago (everything in the world is later)."""
    w = _commune(engine)
    start, end = _dates(_week())
    village = _summary(engine, w["vol1"], w["A1"])
    assert village.text == (
        f"5 biết, 3 hướng dẫn – Thôn Một, từ {start} đến {end}\n"
        "Hộ đã đến: 2/2 hộ; 1 hộ hoàn thành lần đầu trong kỳ.\n"
        "Người được hướng dẫn trong kỳ: 1 (cộng dồn 2, 66,7% số dân).\n"
        "Kỹ năng mới tự làm được: 3 (nộp hồ sơ 1, thanh toán 1, dùng ứng dụng 1)."
        " Biết đủ 5 kỹ năng: 0 người (0%).\n"
        "Cần cố gắng: 1 hộ quá hẹn quay lại."
    )
    past = ov.date_range(today() - timedelta(days=36), today() - timedelta(days=30))
    quiet = _summary(engine, w["leader"], w["A"], past).text.splitlines()
    assert quiet[1:4] == [
        "Hộ đã đến: 3/3 hộ; 0 hộ hoàn thành lần đầu trong kỳ.",
        "Người được hướng dẫn trong kỳ: 0 (cộng dồn 4, 80% số dân).",
        "Chưa có kỹ năng mới tự làm được trong kỳ. Biết đủ 5 kỹ năng: 1 người (20%).",
    ]
    assert not any(line.startswith("Dẫn đầu") for line in quiet)  # no village moved in the period


def test_quotas_at_risk_in_a_campaign_period(engine):
    """Team T1 must visit 100 households by T+20 and has visited 3: its quota is at risk."""
    w = _commune(engine)
    with write_session(engine) as s:
        cid = create_campaign(
            s,
            actor=w["coord"],
            area_id=w["A"],
            name="Đợt 1",
            starts_on=f.today_minus(27),
            ends_on=f.today_minus(-20),
        )
        set_quota(
            s,
            actor=w["coord"],
            campaign_id=cid,
            owner_kind="team",
            owner_id=w["t1"],
            metric="households_visited",
            target=100,
        )
    with read_session(engine) as s:
        period = ov.campaign_period(s, actor=w["leader"], campaign_id=cid)
    text = _summary(engine, w["leader"], w["A"], period).text
    assert text.splitlines()[-1] == (
        "Cần cố gắng: Thôn Một (đủ 5 kỹ năng 0%); 1 hộ quá hẹn quay lại; 1 chỉ tiêu có nguy cơ không đạt."
    )


def test_long_names_are_shortened_to_600_characters(engine):
    """Names of up to 200 characters (the longest an area may have): the message drops the overdue item,
    then cuts the names with "…"."""
    long = "Thôn " + "Rất Dài " * 24
    f.create_area(engine, code="P", name="Tỉnh Thử", level="province")
    ids = {
        "C": f.create_area(engine, code="C", name="Xã " + "Dài Lắm " * 24, level="commune", parent_code="P")
    }
    for code in ("C1", "C2"):
        ids[code] = f.create_area(engine, code=code, name=f"{long}{code}", level="village", parent_code="C")
    team = f.create_team(engine, area_id=ids["C"], village_ids=(ids["C1"], ids["C2"]))
    vol = f.actor_for(engine, f.create_user(engine, role="volunteer", area_code="C", team_id=team))
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code="C"))
    for code, days_ago, follow_up in (("C1", 2, 1), ("C2", 3, None)):  # C1's revisit date has passed
        home = f.create_household(engine, village_id=ids[code])
        r = f.create_resident(engine, household_id=home, birth_year=1980)
        guided = [ResidentInput(r, {"guide_pay"}, {"pay": 3})]
        _visit(engine, vol, code, home, days_ago, guided, follow_up=follow_up)
    s = _summary(engine, leader, ids["C"])
    assert len(s.text) <= sm.MAX_CHARS
    assert "…" in s.text and s.best.endswith("C1") and s.behind.endswith("C2")
    assert "quá hẹn" not in s.text
    lines = s.text.splitlines()
    assert lines[-2].startswith("Dẫn đầu: Thôn Rất Dài") and lines[-1].startswith("Cần cố gắng: Thôn Rất Dài")


def test_the_chart_is_a_png_at_most_1080_px_wide(engine):
    w = _commune(engine)
    s = _summary(engine, w["leader"], w["A"])
    data = sm.summary_chart_png(s)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert 900 <= width <= 1080 and height > 200
    with read_session(engine) as session:
        report = reports.build_report(session, actor=w["leader"], area_id=w["A"], period=_week())
    narrow = sm.summary_chart_png(report, width=720)
    assert struct.unpack(">I", narrow[16:20])[0] <= 720


def test_scope_as_for_reports(engine):
    w = _commune(engine)
    with pytest.raises(PermissionDenied):
        _summary(engine, w["leader_b"], w["A"])  # another commune
    with pytest.raises(ValidationFailed):
        _summary(engine, w["vol1"], w["A"])  # a volunteer: a village of their team only
    with pytest.raises(PermissionDenied):
        _summary(engine, w["vol1"], w["B1"])  # not their team's village
    assert _summary(engine, w["leader_p"], w["A"]).area.name == "Xã An"
