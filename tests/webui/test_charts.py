"""The overview's chart specs, checked for their data: what each chart draws (its Vega-Lite datasets),
its table and its CSV are the same figures, built from the overview service's rows; one colour and one
order per skill; Vietnamese labels."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core import labels
from core.i18n import t as translate
from models.enums import SKILLS
from services.overview import AgeBandRow, BarrierRow, ChildRow, LadderRow, OutcomeCounts
from services.printing import charts
from services.teams.campaigns import QuotaProgress


def vi(key: str, **params: object) -> str:
    return translate(key, "vi", **params)


def datasets(spec: charts.ChartSpec) -> list[list[dict]]:
    return list(spec.chart.to_dict()["datasets"].values())


def drawn(spec: charts.ChartSpec) -> list[dict]:
    """The records of the chart's main dataset (the frame); layers such as the target rule hold others."""
    columns = set(spec.frame.columns)
    (main,) = [d for d in datasets(spec) if d and set(d[0]) == columns]
    return main


def csv_rows(spec: charts.ChartSpec) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(spec.csv()), encoding="utf-8-sig")


def child(area_id: int, name: str, residents: int, all_five: int, outcomes: tuple[int, ...]) -> ChildRow:
    counts = OutcomeCounts(*outcomes)
    return ChildRow(
        area_id,
        f"C{area_id}",
        name,
        "commune",
        residents,
        all_five,
        all_five / residents if residents else None,
        counts.households,
        counts,
    )


@pytest.fixture
def ladder_rows() -> list[LadderRow]:
    # Skill i has 10*i residents at level 3 of 100; "apps" is missing level 2 (counts 0).
    rows = []
    for i, skill in enumerate(SKILLS, start=1):
        levels = {0: 50, 1: 30 - 5 * i, 2: 20 - 5 * i + 5 * i, 3: 5 * i}
        levels[0] = 100 - levels[1] - levels[2] - levels[3]
        for level, n in levels.items():
            if not (skill.value == "apps" and level == 2):
                rows.append(LadderRow(skill.value, level, n, n / 100))
    return rows


def test_skill_ladder_draws_every_skill_and_level_in_campaign_order(ladder_rows):
    spec = charts.skill_ladder(ladder_rows, vi)
    records = drawn(spec)
    assert [(r["skill"], r["level"]) for r in records] == [(s.value, lv) for s in SKILLS for lv in range(4)]
    given = {(r.skill, r.level): r.residents for r in ladder_rows}
    assert {(r["skill"], r["level"]): r["residents"] for r in records} == {
        (s.value, lv): given.get((s.value, lv), 0) for s in SKILLS for lv in range(4)
    }
    apps = [r for r in records if r["skill"] == "apps"]
    assert sum(r["residents"] for r in apps) == sum(r.residents for r in ladder_rows if r.skill == "apps")
    assert abs(sum(r["share"] for r in apps) - 1) < 1e-3
    # Vietnamese labels, the skills' order on the axis and one colour per skill (the same in every chart).
    assert records[0]["skill_label"] == "Nộp hồ sơ trực tuyến"
    assert records[3]["level_label"] == "Tự làm được"
    encoding = spec.chart.to_dict()["encoding"]
    assert encoding["y"]["sort"] == [vi(labels.SKILL[s.value]) for s in SKILLS]
    # Each skill in its own colour, "does it alone" in the colour itself, lower levels paler.
    mastered = {r["skill"]: r["colour"] for r in records if r["level"] == 3}
    assert mastered == {s.value: charts.SKILL_COLOURS[s.value].lower() for s in SKILLS}
    assert len({r["colour"] for r in records}) == 20
    assert charts.tint("#0072B2", 0.0) == "#ffffff"
    assert encoding["x"]["stack"] == "normalize"
    assert {tip["title"] for tip in encoding["tooltip"]} == {"Kỹ năng", "Mức", "Người dân", "Tỷ lệ"}


def test_all_five_by_area_is_sorted_highest_first_with_the_target_rule():
    rows = [
        child(1, "Xã An", 200, 20, (10, 5, 1, 4, 80)),
        child(2, "Xã Bình", 100, 40, (50, 0, 0, 0, 50)),
        child(3, "Xã Cát", 0, 0, (0, 0, 0, 0, 0)),
    ]
    spec = charts.all_five_by_area(rows, vi, target=0.5)
    records = drawn(spec)
    assert [(r["area_id"], r["area"], r["residents"], r["all_five"], r["share"]) for r in records] == [
        (2, "Xã Bình", 100, 40, 0.4),
        (1, "Xã An", 200, 20, 0.1),
        (3, "Xã Cát", 0, 0, 0.0),
    ]
    rule = [d for d in datasets(spec) if d and "target" in d[0]]
    assert rule == [[{"target": 0.5, "label": vi("ov.chart.target")}]]
    assert spec.selection == "drill"
    assert "50%" in spec.caption
    table = spec.table()
    assert list(table.columns) == ["Địa bàn", "Người dân", "Thành thạo cả 5", "Tỷ lệ"]
    assert csv_rows(spec).values.tolist() == table.values.tolist()


def test_all_five_without_a_campaign_has_no_rule():
    spec = charts.all_five_by_area([child(1, "Xã An", 10, 1, (1, 0, 0, 0, 9))], vi)
    assert not [d for d in datasets(spec) if d and "target" in d[0]]


def test_coverage_draws_every_outcome_and_the_never_visited_per_area():
    rows = [child(1, "Xã An", 10, 1, (3, 2, 1, 4, 5)), child(2, "Xã Bình", 10, 1, (0, 0, 0, 0, 7))]
    spec = charts.coverage(rows, vi)
    records = drawn(spec)
    # OutcomeCounts(done, nobody_home, refused, come_back, never_visited); drawn best to worst.
    assert [(r["area"], r["outcome"], r["households"]) for r in records] == [
        ("Xã An", "done", 3),
        ("Xã An", "come_back", 4),
        ("Xã An", "nobody_home", 2),
        ("Xã An", "refused", 1),
        ("Xã An", "never_visited", 5),
        ("Xã Bình", "done", 0),
        ("Xã Bình", "come_back", 0),
        ("Xã Bình", "nobody_home", 0),
        ("Xã Bình", "refused", 0),
        ("Xã Bình", "never_visited", 7),
    ]
    assert sum(r["households"] for r in records if r["area"] == "Xã An") == rows[0].households
    assert records[4]["outcome_label"] == "Chưa đến lần nào"
    assert len(spec.table()) == len(records)


def test_barriers_and_age_bands_draw_the_services_rows_in_order():
    spec = charts.barriers(
        [BarrierRow("no_payment", 7), BarrierRow("no_smartphone", 12), BarrierRow("phone_not_own", 3)], vi
    )
    assert [(r["label"], r["residents"]) for r in drawn(spec)] == [
        ("Không có điện thoại thông minh", 12),
        ("Số điện thoại không chính chủ", 3),
        ("Chưa có VNeID mức 2", 0),
        ("Chưa có tài khoản thanh toán", 7),
    ]
    ages = charts.age_bands(
        [
            AgeBandRow("15-29", 40, 10, 30),
            AgeBandRow("30-44", 50, 20, 30),
            AgeBandRow("45-59", 30, 25, 5),
            AgeBandRow("60+", 20, 19, 1),
            AgeBandRow("unknown", 4, 4, 0),
        ],
        vi,
    )
    assert [(r["label"], r["residents"], r["of"], r["share"]) for r in drawn(ages)] == [
        ("15–29 tuổi", 10, 40, 0.25),
        ("30–44 tuổi", 20, 50, 0.4),
        ("45–59 tuổi", 25, 30, 0.8333),
        ("60 tuổi trở lên", 19, 20, 0.95),
        ("Chưa rõ tuổi", 4, 4, 1.0),
    ]
    assert csv_rows(ages).values.tolist() == ages.table().values.tolist()


def test_charts_follow_the_container_width_with_readable_fonts(ladder_rows):
    spec = charts.skill_ladder(ladder_rows, vi).chart.to_dict()
    assert spec["width"] == "container"
    assert spec["config"]["axis"]["labelFontSize"] >= 12
    assert spec["config"]["axis"]["labelLimit"] >= 200


def quota(
    qid: int, kind: str, name: str, metric: str, target: int, progress: int, *, at_risk: bool, skill=None
):
    return QuotaProgress(qid, kind, qid * 10, name, metric, skill, target, progress, progress * 1.5, at_risk)


def test_quota_progress_draws_teams_then_members_with_the_true_share_and_the_at_risk_flag():
    rows = [
        quota(1, "member", "Chị Lan", "households_visited", 10, 4, at_risk=True),
        quota(2, "team", "Tổ Thôn Một", "residents_guided", 20, 30, at_risk=False),
        quota(3, "area", "Thôn Một", "households_visited", 50, 5, at_risk=True),  # not drawn
        quota(4, "member", "Anh Minh", "skill_mastered", 8, 2, at_risk=False, skill="pay"),
        quota(5, "team", "Tổ Thôn Hai", "all_five", 0, 0, at_risk=False),
    ]
    spec = charts.quota_progress(rows, vi)
    got = [
        (
            r["quota_id"],
            r["owner_kind"],
            r["owner"],
            r["progress"],
            r["target"],
            r["share"],
            r["shown"],
            r["at_risk"],
        )
        for r in drawn(spec)
    ]
    assert got == [
        (2, "team", "Tổ Thôn Một", 30, 20, 1.5, 1.0, False),  # the bar stops at 100 %, the share does not
        (5, "team", "Tổ Thôn Hai", 0, 0, None, 0.0, False),
        (1, "member", "Chị Lan", 4, 10, 0.4, 0.4, True),
        (4, "member", "Anh Minh", 2, 8, 0.25, 0.25, False),
    ]
    by_id = {r["quota_id"]: r for r in drawn(spec)}
    assert by_id[1]["metric_label"] == vi(labels.METRIC["households_visited"])
    assert by_id[4]["metric_label"] == vi("ov.chart.quota_skill", skill=vi(labels.SKILL["pay"]))
    assert by_id[1]["owner_kind_label"] == vi(labels.QUOTA_OWNER["member"])
    assert by_id[1]["status_label"] == vi("ov.chart.at_risk") and by_id[2]["status_label"] == vi(
        "ov.chart.on_track"
    )
    assert by_id[1]["projected"] == 6.0
    # The table and the CSV list the true share; the legend names the warning colour; a rule at 100 %.
    table = spec.table()
    assert list(table[vi("ov.chart.quota_share")])[:1] == [1.5]
    assert csv_rows(spec)[vi("ov.chart.owner")].tolist() == [
        "Tổ Thôn Một",
        "Tổ Thôn Hai",
        "Chị Lan",
        "Anh Minh",
    ]
    layers = spec.chart.to_dict()["layer"]
    colour = layers[0]["encoding"]["color"]
    assert colour["scale"]["range"] == [charts.QUOTA_COLOUR, charts.AT_RISK_COLOUR]
    assert colour["scale"]["domain"] == [vi("ov.chart.on_track"), vi("ov.chart.at_risk")]
    assert {"full": 1.0} in [row for d in datasets(spec) for row in d]
    assert vi("ov.chart.projected") in [tip["title"] for tip in layers[0]["encoding"]["tooltip"]]


def test_trend_draws_cumulative_lines_the_target_and_the_pace_needed():
    from datetime import date

    from services.overview import PaceRow, TrendRow

    weeks = (date(2026, 11, 23), date(2026, 11, 30))
    rows = [TrendRow(w, s.value, 2 + i, 10 + 2 * i + 2) for i, w in enumerate(weeks) for s in SKILLS]
    pace = [PaceRow(s.value, 40, 14, 3, 8.7) for s in SKILLS]
    spec = charts.trend(rows, vi, pace=pace, campaign_end=date(2026, 12, 21))
    frame = spec.frame
    actual = frame[frame["series"] == vi("ov.chart.actual")]
    assert list(zip(actual["skill"], actual["cumulative"], strict=True)) == [
        (r.skill, r.cumulative) for r in rows
    ]
    needed = frame[frame["series"] == vi("ov.chart.pace_needed")]
    assert len(needed) == 2 * len(SKILLS)  # from where each skill stands to the target on the last day
    assert set(needed["cumulative"]) == {14, 40} and set(needed["needed_per_week"]) == {8.7}
    layers = spec.chart.to_dict()["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["line", "line", "rule"]
    assert layers[0]["encoding"]["color"]["scale"]["range"] == [charts.SKILL_COLOURS[s.value] for s in SKILLS]
    table = spec.table()
    assert list(table.columns)[:2] == [vi("ov.chart.week"), vi("ov.chart.skill")]
    assert len(csv_rows(spec)) == len(frame)
    assert spec.caption == vi("ov.chart.trend_help")
    bare = charts.trend(rows, vi)
    assert [layer["mark"]["type"] for layer in bare.chart.to_dict()["layer"]] == ["line"]
    assert bare.caption == vi("ov.chart.trend_help_no_target")


def test_conversion_grid_shows_each_share_with_the_residents_behind_it():
    from services.overview import ConversionRow

    rows = [
        ConversionRow("team", 1, "Tổ Một", "Tổ Một", s.value, 40, 10 if s.value == "pay" else 0, None)
        for s in SKILLS
    ] + [ConversionRow("member", 7, "Lê Thị Hoa", "Tổ Một", s.value, 2, 2, 1.0) for s in SKILLS]
    teams = charts.conversion(rows, vi, owner="team")
    assert list(teams.frame["name"]) == ["Tổ Một"] * len(SKILLS)
    cells = dict(zip(teams.frame["skill"], teams.frame["cell"], strict=True))
    assert cells["pay"] == vi("ov.chart.cell", share="25%", n=40) and cells["submit"] == "0% · 40"
    members = charts.conversion(rows, vi, owner="member")
    assert set(members.frame["cell"]) == {"100% · 2"}  # a small 100 % shows how few it is
    assert vi("ov.chart.team") in members.table().columns
    assert len(csv_rows(members)) == len(SKILLS)
    assert members.key == "conversion_member" and teams.key == "conversion_team"


def test_satisfaction_draws_each_area_then_team_with_its_average_and_no_bar_without_a_rating():
    from services.satisfaction import RatingRow, Ratings

    rows = [
        RatingRow("area", 1, "Thôn Một", Ratings((0, 0, 1, 4, 7))),
        RatingRow("area", 2, "Thôn Hai", Ratings()),
        RatingRow("team", 9, "Tổ công nghệ số cộng đồng Xóm Đồi – Xóm Cốc", Ratings((1, 1, 2, 3, 2))),
    ]
    spec = charts.satisfaction(rows, vi)
    frame = spec.frame.astype(object).where(spec.frame.notna(), None)  # NaN (no average) as None
    assert frame.to_dict("records") == [
        {
            "owner": "area",
            "owner_label": "Địa bàn",
            "owner_id": 1,
            "name": "Thôn Một",
            "ratings": 12,
            "average": 4.5,
            "average_label": "4,50",
            "satisfied": 0.9167,
            "score_1": 0,
            "score_2": 0,
            "score_3": 1,
            "score_4": 4,
            "score_5": 7,
            "label_at": 4.5,
            "label": "4,5 · 12 lượt đánh giá",
        },
        {
            "owner": "area",
            "owner_label": "Địa bàn",
            "owner_id": 2,
            "name": "Thôn Hai",
            "ratings": 0,
            "average": None,
            "average_label": "–",
            "satisfied": None,
            "score_1": 0,
            "score_2": 0,
            "score_3": 0,
            "score_4": 0,
            "score_5": 0,
            "label_at": 0.0,
            "label": "chưa có đánh giá",
        },
        {
            "owner": "team",
            "owner_label": "Tổ",
            "owner_id": 9,
            "name": "Tổ công nghệ số cộng đồng Xóm Đồi – Xóm Cốc",
            "ratings": 9,
            "average": 3.44,  # 31 / 9
            "average_label": "3,44",
            "satisfied": 0.5556,
            "score_1": 1,
            "score_2": 1,
            "score_3": 2,
            "score_4": 3,
            "score_5": 2,
            "label_at": 3.44,
            "label": "3,4 · 9 lượt đánh giá",
        },
    ]
    # What the chart draws is the frame; the bars leave out the row with no rating (no zero bar).
    assert [r["name"] for r in drawn(spec)] == [r.name for r in rows]
    layers = spec.chart.to_dict()["layer"]
    assert layers[0]["mark"]["type"] == "bar"
    assert layers[0]["transform"] == [{"filter": "(datum.ratings > 0)"}]
    assert layers[0]["encoding"]["x"]["scale"]["domain"] == [0, 5]
    assert [layer["mark"]["type"] for layer in layers] == ["bar", "text", "text", "text"]
    assert layers[1]["mark"]["color"] == "white"  # 4,5 and 3,44: inside their bars
    assert layers[3]["transform"] == [{"filter": "(datum.ratings === 0)"}]
    assert layers[3]["mark"]["fontStyle"] == "italic"
    assert layers[0]["encoding"]["color"]["legend"] == {"title": "Loại"}  # areas and teams told apart
    table = spec.table()
    assert list(table.columns) == [
        "Địa bàn / tổ",
        "Lượt đánh giá",
        "Điểm trung bình",
        "Tỷ lệ hài lòng (4–5 điểm)",
        "1 điểm",
        "2 điểm",
        "3 điểm",
        "4 điểm",
        "5 điểm",
    ]
    assert csv_rows(spec).fillna(-1).values.tolist() == table.fillna(-1).values.tolist()
    english = charts.satisfaction(rows[:1], lambda key, **p: translate(key, "en", **p), comma=False)
    assert english.frame["label"].tolist() == ["4.5 · 12 ratings"]
    assert english.chart.to_dict()["layer"][0]["encoding"]["color"]["legend"] is None  # areas only
