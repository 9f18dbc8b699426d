"""The content catalogue under content/: procedures, leaflets, videos and the portal's URL pattern.

Files are read with the standard library only (csv, tomllib) and validated as a whole: every problem
is listed at once (`CatalogueError.problems`), so a reviewer fixes a broken catalogue in one pass.
All text is normalised (NFC, one tone-mark placement) on the way in.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from core.settings import PROJECT_ROOT
from core.text import normalize_text
from models.enums import SKILLS

CONTENT_DIR = PROJECT_ROOT / "content"
MAX_CLIP_BYTES = 1_000_000
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")
ONLINE_KINDS = {"toàn trình": True, "một phần": False}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class CatalogueError(ValueError):
    """The content catalogue is broken; `problems` says where, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("content catalogue: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Portal:
    name: str
    home_url: str
    procedure_url: str  # pattern with "{code}"
    checked_on: date

    def url_for(self, code: str) -> str:
        """The portal address of the procedure with this code (the only place such URLs are built)."""
        return self.procedure_url.format(code=quote(code, safe=""))


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    skill: str
    full_online: bool  # "toàn trình" (True) or "một phần"

    @property
    def online_label(self) -> str:
        return "toàn trình" if self.full_online else "một phần"


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class Leaflet:
    id: str
    title: str
    intro: str
    sections: tuple[Section, ...]
    procedures: tuple[str, ...]  # procedure codes
    videos: tuple[str, ...]  # video ids
    closing: str = ""
    skill: str | None = None  # None: general (e.g. the benefits leaflet)


@dataclass(frozen=True)
class Video:
    id: str
    skill: str
    title: str
    file: str | None = None  # a local clip in content/videos/
    url: str | None = None  # an online video or page
    captions: tuple[str, ...] = ()

    @property
    def is_local(self) -> bool:
        return self.file is not None


@dataclass(frozen=True)
class Catalogue:
    root: Path
    portal: Portal
    procedures: dict[str, Procedure]
    leaflets: dict[str, Leaflet]  # in file-name order
    videos: dict[str, Video]  # in catalogue order

    def procedure_url(self, code: str) -> str:
        return self.portal.url_for(self.procedures[code].code)

    def video_path(self, video_id: str) -> Path | None:
        video = self.videos[video_id]
        return self.root / "videos" / video.file if video.file else None

    def leaflets_for(self, skill: str) -> list[Leaflet]:
        return [lf for lf in self.leaflets.values() if lf.skill == skill]

    def videos_for(self, skill: str | None = None) -> list[Video]:
        return [v for v in self.videos.values() if skill is None or v.skill == skill]


def video_link(video: Video, base_url: str) -> str:
    """Where a video's QR code points: its own URL, or the app's video page opened at this clip."""
    return video.url if video.url else f"{base_url.rstrip('/')}/videos?video={quote(video.id)}"


@functools.cache
def _cached(root: str) -> Catalogue:
    return load_catalogue(Path(root))


def get_catalogue() -> Catalogue:
    """The validated catalogue of this installation, read once per process."""
    return _cached(str(CONTENT_DIR))


def load_catalogue(root: Path = CONTENT_DIR) -> Catalogue:
    """Read and validate everything under `root`; raise CatalogueError listing every problem."""
    problems: list[str] = []
    portal = _load_portal(root / "portal.toml", problems)
    procedures = _load_procedures(root / "leaflets" / "procedures.csv", problems)
    videos = _load_videos(root / "videos", problems)
    leaflets = _load_leaflets(root / "leaflets", problems)
    for lf in leaflets.values():
        for code in lf.procedures:
            if code not in procedures:
                problems.append(f"leaflet {lf.id}: unknown procedure {code}")
        for vid in lf.videos:
            if vid not in videos:
                problems.append(f"leaflet {lf.id}: unknown video {vid}")
    for skill in SKILLS:
        if not any(lf.skill == skill for lf in leaflets.values()):
            problems.append(f"skill {skill.value}: no leaflet teaches it")
        if not any(v.skill == skill for v in videos.values()):
            problems.append(f"skill {skill.value}: no video teaches it")
    if problems or portal is None:
        raise CatalogueError(problems or ["portal.toml is missing"])
    return Catalogue(root=root, portal=portal, procedures=procedures, leaflets=leaflets, videos=videos)


def _read_toml(path: Path, problems: list[str]) -> dict | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path.name}: missing")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{path.name}: not valid TOML ({exc})")
    return None


def _text(value: object) -> str:
    return normalize_text(value) if isinstance(value, str) else ""


def _load_portal(path: Path, problems: list[str]) -> Portal | None:
    data = _read_toml(path, problems)
    if data is None:
        return None
    p = data.get("portal", {})
    pattern = p.get("procedure_url", "")
    ok = True
    if not isinstance(pattern, str) or "{code}" not in pattern or not pattern.startswith("https://"):
        problems.append(f"{path.name}: procedure_url must be an https:// pattern containing {{code}}")
        ok = False
    if not isinstance(p.get("checked_on"), date):
        problems.append(f"{path.name}: checked_on must be a date (YYYY-MM-DD)")
        ok = False
    home = p.get("home_url", "")
    if not isinstance(home, str) or not home.startswith("https://"):
        problems.append(f"{path.name}: home_url must start with https://")
        ok = False
    if not ok:
        return None
    return Portal(
        name=_text(p.get("name", "")), home_url=home, procedure_url=pattern, checked_on=p["checked_on"]
    )


def _load_procedures(path: Path, problems: list[str]) -> dict[str, Procedure]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(f"{path.name}: missing")
        return {}
    out: dict[str, Procedure] = {}
    reader = csv.DictReader(io.StringIO(raw))
    missing = {"code", "name", "field", "skill", "online"} - set(reader.fieldnames or [])
    if missing:
        problems.append(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        return {}
    for line, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip()
        where = f"{path.name} line {line}"
        if not PROCEDURE_CODE.match(code):
            problems.append(f"{where}: procedure code {code!r} is not like 1.001193")
            continue
        if code in out:
            problems.append(f"{where}: procedure {code} is listed twice")
            continue
        skill = (row["skill"] or "").strip()
        online = normalize_text(row["online"]).lower()
        if skill not in SKILLS:
            problems.append(f"{where}: unknown skill {skill!r}")
            continue
        if online not in ONLINE_KINDS:
            problems.append(f"{where}: online must be 'toàn trình' or 'một phần', not {row['online']!r}")
            continue
        name = _text(row["name"])
        if not name:
            problems.append(f"{where}: procedure {code} has no name")
            continue
        out[code] = Procedure(code, name, _text(row["field"]), skill, ONLINE_KINDS[online])
    return out


def _load_leaflets(folder: Path, problems: list[str]) -> dict[str, Leaflet]:
    out: dict[str, Leaflet] = {}
    for path in sorted(folder.glob("*.toml")):
        data = _read_toml(path, problems)
        if data is None:
            continue
        lid = data.get("id", "")
        where = f"{path.name}"
        if not isinstance(lid, str) or not _ID.match(lid):
            problems.append(f"{where}: id must be lowercase letters, digits and dashes")
            continue
        if lid in out:
            problems.append(f"{where}: leaflet id {lid} is used twice")
            continue
        skill = data.get("skill")
        if skill is not None and skill not in SKILLS:
            problems.append(f"{where}: unknown skill {skill!r}")
            continue
        sections = tuple(
            Section(_text(s.get("heading")), _text(s.get("text")))
            for s in data.get("sections", [])
            if isinstance(s, dict)
        )
        title = _text(data.get("title"))
        if not title or not sections or any(not s.heading or not s.text for s in sections):
            problems.append(f"{where}: a leaflet needs a title and sections with heading and text")
            continue
        out[lid] = Leaflet(
            id=lid,
            title=title,
            intro=_text(data.get("intro")),
            sections=sections,
            procedures=tuple(str(c) for c in data.get("procedures", [])),
            videos=tuple(str(v) for v in data.get("videos", [])),
            closing=_text(data.get("closing")),
            skill=skill,
        )
    if not out:
        problems.append("leaflets: none found")
    return out


def _load_videos(folder: Path, problems: list[str]) -> dict[str, Video]:
    data = _read_toml(folder / "catalogue.toml", problems)
    if data is None:
        return {}
    out: dict[str, Video] = {}
    for n, entry in enumerate(data.get("videos", []), start=1):
        vid = entry.get("id", "")
        where = f"catalogue.toml video {n} ({vid})"
        if not isinstance(vid, str) or not _ID.match(vid):
            problems.append(f"{where}: id must be lowercase letters, digits and dashes")
            continue
        if vid in out:
            problems.append(f"{where}: video id is used twice")
            continue
        if entry.get("skill") not in SKILLS:
            problems.append(f"{where}: unknown skill {entry.get('skill')!r}")
            continue
        file, url = entry.get("file"), entry.get("url")
        if (file is None) == (url is None):
            problems.append(f"{where}: give either file or url")
            continue
        if file is not None:
            clip = folder / str(file)
            if Path(str(file)).name != file or not clip.is_file():
                problems.append(f"{where}: clip {file} is not in content/videos")
                continue
            if clip.stat().st_size > MAX_CLIP_BYTES:
                problems.append(f"{where}: clip {file} is larger than 1 MB")
                continue
        if url is not None and not str(url).startswith("https://"):
            problems.append(f"{where}: url must start with https://")
            continue
        out[vid] = Video(
            id=vid,
            skill=entry["skill"],
            title=_text(entry.get("title")) or vid,
            file=file,
            url=url,
            captions=tuple(_text(c) for c in entry.get("captions", [])),
        )
    return out
