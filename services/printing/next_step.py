"""What to show a resident next: the first of the five skills they have not mastered, with the leaflet
and the video that teach it (the visit page calls `next_material` after recording a visit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from models.enums import SKILLS, SkillLevel
from services.printing.content import Catalogue, Leaflet, Video, get_catalogue


class NextMaterial(NamedTuple):
    skill: str
    leaflet: Leaflet
    video: Video


def next_material(levels: Mapping[str, int], catalogue: Catalogue | None = None) -> NextMaterial | None:
    """The lowest missing skill — the first skill in campaign order (submit, pay, feedback, receive,
    apps) whose level is below 3 ("does it alone"); a skill absent from `levels` counts as level 0 —
    and the catalogue's first leaflet and first video for that skill (local clips before links).
    None when all five are mastered. Unpacks as `(skill, leaflet, video)`."""
    catalogue = catalogue or get_catalogue()
    for skill in SKILLS:
        if levels.get(skill.value, 0) < SkillLevel.MASTERED:
            leaflets = catalogue.leaflets_for(skill.value)
            videos = sorted(catalogue.videos_for(skill.value), key=lambda v: not v.is_local)
            # The catalogue is validated: every skill has at least one leaflet and one video.
            return NextMaterial(skill.value, leaflets[0], videos[0])
    return None
