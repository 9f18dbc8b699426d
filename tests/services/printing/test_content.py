"""The content catalogue: the shipped one is complete and valid, a broken one is reported in full,
the portal pattern is the one place procedure links come from, and next_material picks the gap."""

from __future__ import annotations

import shutil
import unicodedata

import pytest

from models.enums import SKILLS
from services.printing.content import (
    CONTENT_DIR,
    MAX_CLIP_BYTES,
    CatalogueError,
    get_catalogue,
    load_catalogue,
)
from services.printing.next_step import next_material
from services.printing.pdf import leaflet_targets


def test_shipped_catalogue_covers_every_skill():
    catalogue = load_catalogue()
    for skill in SKILLS:
        assert catalogue.leaflets_for(skill.value), skill
        local = [v for v in catalogue.videos_for(skill.value) if v.is_local]
        assert local, f"no local clip for {skill}"
    assert any(not v.is_local for v in catalogue.videos.values())  # a few URL entries too


def test_local_clips_are_small_mp4_files():
    catalogue = get_catalogue()
    for video in catalogue.videos.values():
        if video.is_local:
            path = catalogue.video_path(video.id)
            head = path.read_bytes()[:12]
            assert head[4:8] == b"ftyp", path.name  # an ISO media (MP4) file
            assert path.stat().st_size < MAX_CLIP_BYTES
            assert video.captions


def test_text_is_composed_and_the_five_steps_are_there():
    catalogue = get_catalogue()
    for leaflet in catalogue.leaflets.values():
        for text in (leaflet.title, leaflet.intro, *(s.heading + s.text for s in leaflet.sections)):
            assert unicodedata.is_normalized("NFC", text)
    headings = [s.heading for s in catalogue.leaflets["submit-steps"].sections]
    assert headings == [
        "Bước 1. Đăng nhập",
        "Bước 2. Chọn thủ tục",
        "Bước 3. Nhập hồ sơ",
        "Bước 4. Theo dõi kết quả",
        "Bước 5. Nhận kết quả",
    ]
    benefits = " ".join(s.heading for s in catalogue.leaflets["benefits"].sections).lower()
    for word in ("nhanh", "mọi lúc, mọi nơi", "xếp hàng", "hồ sơ đến đâu", "nhận kết quả"):
        assert word in benefits


def test_procedures_carry_field_skill_and_online_kind():
    procedures = get_catalogue().procedures
    assert procedures["1.001193"].name == "Đăng ký khai sinh"
    assert procedures["1.001193"].field == "Hộ tịch"
    assert procedures["1.001193"].full_online is True
    assert procedures["2.000815"].online_label == "một phần"
    assert {p.skill for p in procedures.values()} <= {s.value for s in SKILLS}


def _copy(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root, ignore=shutil.ignore_patterns("fonts"))
    return root


def test_the_portal_pattern_is_the_one_place_links_come_from(tmp_path):
    root = _copy(tmp_path)
    portal = root / "portal.toml"
    text = portal.read_text(encoding="utf-8")
    old = get_catalogue().portal.procedure_url
    portal.write_text(
        text.replace(old, "https://dichvucong.gov.vn/thu-tuc/{code}/chi-tiet"), encoding="utf-8"
    )
    catalogue = load_catalogue(root)
    targets = leaflet_targets(catalogue.leaflets["submit-steps"], catalogue, "http://h")
    assert [t.url for t in targets[:3]] == [
        "https://dichvucong.gov.vn/thu-tuc/1.001193/chi-tiet",
        "https://dichvucong.gov.vn/thu-tuc/1.000656/chi-tiet",
        "https://dichvucong.gov.vn/thu-tuc/1.014027/chi-tiet",
    ]


def test_a_broken_catalogue_is_reported_in_full(tmp_path):
    root = _copy(tmp_path)
    pay = root / "leaflets" / "pay.toml"
    pay.write_text(
        pay.read_text(encoding="utf-8")
        .replace('"1.004873"', '"9.999999"')
        .replace('videos = ["clip-pay"]', 'videos = ["clip-missing"]'),
        encoding="utf-8",
    )
    (root / "leaflets" / "feedback.toml").unlink()  # no leaflet teaches "feedback" any more
    (root / "videos" / "clip-receive.mp4").unlink()
    (root / "leaflets" / "procedures.csv").write_text(
        (root / "leaflets" / "procedures.csv").read_text(encoding="utf-8")
        + "1.00x,Thủ tục lạ,Khác,submit,toàn trình\n",
        encoding="utf-8",
    )
    (root / "portal.toml").write_text(
        '[portal]\nname = "x"\nhome_url = "https://a"\n'
        'procedure_url = "https://a/b"\nchecked_on = 2026-01-01\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(root)
    problems = "\n".join(caught.value.problems)
    assert "procedure_url must be an https:// pattern containing {code}" in problems
    assert "leaflet pay: unknown procedure 9.999999" in problems
    assert "leaflet pay: unknown video clip-missing" in problems
    assert "skill feedback: no leaflet teaches it" in problems
    assert "clip clip-receive.mp4 is not in content/videos" in problems
    assert "procedures.csv line 10: procedure code '1.00x'" in problems
    # The missing clip also leaves its leaflet pointing nowhere and its skill without a video.
    assert "leaflet receive: unknown video clip-receive" in problems
    assert "skill receive: no video teaches it" in problems
    assert len(caught.value.problems) == 8


def test_a_shipped_catalogue_copy_loads_unchanged(tmp_path):
    """The broken-catalogue test above starts from a copy that is itself valid."""
    catalogue = load_catalogue(_copy(tmp_path))
    assert set(catalogue.leaflets) == set(get_catalogue().leaflets)


# ---------------------------------------------------------------- next_material


def test_next_material_is_the_first_skill_below_mastery():
    first = next_material({})
    assert first.skill == "submit"
    skill, leaflet, video = first
    assert skill == "submit"
    assert leaflet.id == "submit-steps" and video.id == "clip-submit"

    chosen = next_material({"submit": 3, "pay": 2, "feedback": 0})
    assert chosen.skill == "pay"
    assert chosen.leaflet.skill == "pay" and chosen.video.skill == "pay"

    assert next_material({"submit": 3, "pay": 3, "feedback": 3, "receive": 3}).skill == "apps"
    assert next_material({s.value: 3 for s in SKILLS}) is None


def test_next_material_prefers_a_local_clip():
    # "apps" has a local clip and two store links; the clip plays without internet.
    chosen = next_material({"submit": 3, "pay": 3, "feedback": 3, "receive": 3, "apps": 1})
    assert chosen.video.is_local
    assert chosen.leaflet.id == "apps"
