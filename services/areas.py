"""The area tree: create, rename, move (rollups follow), look up, and import from CSV all-or-nothing.

Area names are official names: stored as given (NFC, spaces trimmed and collapsed, nothing else, so
"Xã Chiêm Hoá" and "Phường Đăk BLa" stay as the national list writes them); look-ups go by `name_key`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, literal, select, update
from sqlmodel import Session

from core.clock import utcnow
from core.text import normalize_official_name, normalize_text, search_key, sort_key
from models.enums import PARENT_LEVELS, AreaLevel
from models.tables import (
    Area,
    RollupArea,
)
from services import audit
from services.access import Actor, ancestor_ids, get_area_in_scope, path_in_scope
from services.errors import FieldProblem, NotFound, ValidationFailed
from services.permissions import Act, authorize, entry
from services.rollups.contributions import TABLES
from services.rollups.deltas import upsert_add

CODE_MAX = 32
NAME_MAX = 200
LEVELS = frozenset(level.value for level in AreaLevel)


@dataclass(frozen=True)
class AreaRow:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    parent_code: str | None
    path: str
    depth: int


def _row(area: Area, parent_code: str | None = None) -> AreaRow:
    return AreaRow(
        area.id, area.code, area.name, area.level, area.parent_id, parent_code, area.path, area.depth
    )


def get_by_code(session: Session, code: str) -> Area | None:
    return session.exec(select(Area).where(Area.code == (code or "").strip())).scalar()


def require_by_code(session: Session, code: str) -> Area:
    area = get_by_code(session, code)
    if area is None:
        raise ValidationFailed([FieldProblem("area", "err.unknown_area", {"code": code})])
    return area


def _check_parent(level: str, parent: Area | None, field: str = "parent") -> list[FieldProblem]:
    try:
        allowed = PARENT_LEVELS[AreaLevel(level)]
    except ValueError:
        return [FieldProblem("level", "err.area_level", {"level": level})]
    parent_level = parent.level if parent else None
    if parent_level not in allowed:
        return [FieldProblem(field, "err.area_parent_level", {"level": level, "parent": parent_level or "-"})]
    return []


def _insert(session: Session, *, code: str, name: str, level: str, parent: Area | None) -> Area:
    area = Area(
        code=code,
        name=name,
        name_key=search_key(name),
        level=level,
        parent_id=parent.id if parent else None,
        path="",
        depth=(parent.depth + 1) if parent else 0,
        created_at=utcnow(),
    )
    session.add(area)
    session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    session.add(area)
    session.flush()
    return area


@entry(Act.AREA_MANAGE)
def create_area(
    session: Session, *, actor: Actor | None, code: str, name: str, level: str, parent_code: str | None
) -> int:
    """Add an area. `actor=None` is the command line; an admin may add only below their own area."""
    if actor is not None:
        authorize(actor, Act.AREA_MANAGE)
    code = normalize_text(code)
    name = normalize_official_name(name)
    level = (level or "").strip()
    parent_code = normalize_text(parent_code)
    parent = get_by_code(session, parent_code) if parent_code else None
    if actor is not None and parent is not None:
        get_area_in_scope(session, actor, parent.id)  # PermissionDenied outside the admin's area
    problems: list[FieldProblem] = []
    if not code or len(code) > CODE_MAX:
        problems.append(FieldProblem("code", "err.area_code"))
    elif get_by_code(session, code) is not None:
        problems.append(FieldProblem("code", "err.area_code_taken", {"code": code}))
    if not name:
        problems.append(FieldProblem("name", "err.required"))
    elif len(name) > NAME_MAX:
        problems.append(FieldProblem("name", "err.area_name_long", {"max": NAME_MAX}))
    level_ok = level in LEVELS
    if not level_ok:
        problems.append(FieldProblem("level", "err.area_level", {"level": level}))
    if parent_code and parent is None:
        problems.append(FieldProblem("parent", "err.unknown_area", {"code": parent_code}))
    elif not parent_code and actor is not None:
        # Only the command line may add a root: an admin's new area sits inside their own.
        problems.append(FieldProblem("parent", "err.required"))
    elif level_ok:
        problems += _check_parent(level, parent)
    if problems:
        raise ValidationFailed(problems)
    area = _insert(session, code=code, name=name, level=level, parent=parent)
    audit.record(
        session,
        user_id=actor.user_id if actor else None,
        action="area.created",
        entity="area",
        entity_id=area.id,
        area_id=area.id,
        details={"code": code, "name": name, "level": level},
    )
    return area.id


@entry(Act.AREA_MANAGE)
def rename_area(session: Session, *, actor: Actor, area_id: int, name: str) -> str:
    """Give an area a new official name (stored as given: NFC, single spaces); returns the stored name."""
    authorize(actor, Act.AREA_MANAGE)
    area = get_area_in_scope(session, actor, area_id)
    name = normalize_official_name(name)
    if not name:
        raise ValidationFailed([FieldProblem("name", "err.required")])
    if len(name) > NAME_MAX:
        raise ValidationFailed([FieldProblem("name", "err.area_name_long", {"max": NAME_MAX})])
    old = area.name
    area.name = name
    area.name_key = search_key(name)
    session.add(area)
    audit.record(
        session,
        user_id=actor.user_id,
        action="area.renamed",
        entity="area",
        entity_id=area.id,
        area_id=area.id,
        details={"from": old, "to": name},
    )
    return name


@entry(Act.AREA_MANAGE)
def move_area(session: Session, *, actor: Actor | None, area_id: int, new_parent_code: str) -> None:
    """Re-parent an area with its whole subtree; its counts leave the old ancestors and join the new."""
    if actor is not None:
        authorize(actor, Act.AREA_MANAGE)
        area = get_area_in_scope(session, actor, area_id)
    else:
        area = session.get(Area, area_id)
        if area is None:
            raise NotFound()
    new_parent_code = normalize_text(new_parent_code)
    if not new_parent_code:
        raise ValidationFailed([FieldProblem("parent", "err.required")])
    new_parent = get_by_code(session, new_parent_code)
    if new_parent is None:
        raise ValidationFailed([FieldProblem("parent", "err.unknown_area", {"code": new_parent_code})])
    if actor is not None:
        get_area_in_scope(session, actor, new_parent.id)
    if new_parent.path.startswith(area.path):
        raise ValidationFailed([FieldProblem("parent", "err.area_cycle")])
    problems = _check_parent(area.level, new_parent)
    if problems:
        raise ValidationFailed(problems)
    if new_parent.id == area.parent_id:
        return
    old_parent_path = area.path[: -len(f"{area.id}/")]
    _shift_rollups(session, area, old_parent_path, new_parent.path)
    old_path, new_path = area.path, f"{new_parent.path}{area.id}/"
    depth_change = new_parent.depth + 1 - area.depth
    # Every descendant's path starts with the old path: swap that prefix in one statement.
    session.exec(
        update(Area)
        .where(Area.path.like(old_path + "%"))
        .values(
            path=literal(new_path).concat(func.substr(Area.path, len(old_path) + 1)),
            depth=Area.depth + depth_change,
        )
        .execution_options(synchronize_session=False)
    )
    session.exec(
        update(Area)
        .where(Area.id == area.id)
        .values(parent_id=new_parent.id)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    audit.record(
        session,
        user_id=actor.user_id if actor else None,
        action="area.moved",
        entity="area",
        entity_id=area.id,
        area_id=area.id,
        details={"from": old_path, "to": new_path},
    )


def _shift_rollups(session: Session, area: Area, old_parent_path: str, new_parent_path: str) -> None:
    """Subtract the area's own subtree totals from its old ancestors and add them to the new ones, in
    every rollup table keyed by area (rollup_member_day is keyed by village, which keeps its identity,
    and rollup_conversion by team or member: nothing to shift there)."""
    old_ancestors = ancestor_ids(old_parent_path)
    new_ancestors = ancestor_ids(new_parent_path)
    for table, (model, keys, columns) in TABLES.items():
        if keys[0] != "area_id":
            continue
        rows = session.exec(
            select(*[getattr(model, c) for c in (*keys, *columns)]).where(model.area_id == area.id)
        ).all()
        for row in rows:
            values = {c: v for c, v in zip(columns, row[len(keys) :], strict=True) if v}
            _shift(session, table, tuple(row[1 : len(keys)]), values, old_ancestors, new_ancestors)


def _shift(session, table, rest, values, old_ancestors, new_ancestors) -> None:
    if not values:
        return
    for ancestor in old_ancestors:
        upsert_add(session, table, (ancestor, *rest), {c: -v for c, v in values.items()})
    for ancestor in new_ancestors:
        upsert_add(session, table, (ancestor, *rest), dict(values))


@entry(Act.AREA_READ)
def list_children(session: Session, *, actor: Actor, parent_id: int | None) -> list[AreaRow]:
    """Direct children of an area in the actor's scope (the actor's own area when parent_id is None)."""
    if parent_id is None:
        area = get_area_in_scope(session, actor, actor.area_id)
        return [_row(area)]
    parent = get_area_in_scope(session, actor, parent_id)
    children = session.exec(select(Area).where(Area.parent_id == parent.id)).scalars().all()
    rows = [_row(a, parent.code) for a in children if _visible(actor, a)]
    return sorted(rows, key=lambda r: sort_key(r.name))


def _visible(actor: Actor, area: Area) -> bool:
    return path_in_scope(actor, area.path)


@dataclass(frozen=True)
class AreaCounts:
    """A child area with the headline counts of its subtree (read from rollup_area)."""

    id: int
    code: str
    name: str
    level: str
    children: int
    households: int
    residents: int
    residents_guided: int


@entry(Act.AREA_READ)
def list_children_with_counts(session: Session, *, actor: Actor, parent_id: int) -> list[AreaCounts]:
    """The children of an area in scope, each with its subtree's counts: a few rows at any tree level."""
    parent = get_area_in_scope(session, actor, parent_id)
    grandchildren = (
        select(Area.parent_id.label("pid"), func.count().label("n")).group_by(Area.parent_id).subquery()
    )
    rows = session.exec(
        select(Area, func.coalesce(grandchildren.c.n, 0), RollupArea)
        .outerjoin(grandchildren, grandchildren.c.pid == Area.id)
        .outerjoin(RollupArea, RollupArea.area_id == Area.id)
        .where(Area.parent_id == parent.id)
    ).all()
    out = [
        AreaCounts(
            id=a.id,
            code=a.code,
            name=a.name,
            level=a.level,
            children=int(n),
            households=r.households if r else 0,
            residents=r.residents if r else 0,
            residents_guided=r.residents_guided if r else 0,
        )
        for a, n, r in rows
        if _visible(actor, a)
    ]
    return sorted(out, key=lambda c: sort_key(c.name))


@entry(Act.AREA_READ)
def list_subtree(
    session: Session,
    *,
    actor: Actor,
    level: str | None = None,
    levels: tuple[str, ...] | None = None,
    limit: int = 5000,
) -> list[AreaRow]:
    """Areas in the actor's scope (optionally of one or some levels), for pickers; parents' codes included."""
    from sqlalchemy.orm import aliased

    parent = aliased(Area)
    q = (
        select(Area, parent.code)
        .outerjoin(parent, parent.id == Area.parent_id)
        .where(Area.path.like(actor.area_path + "%"))
        .order_by(Area.depth, Area.id)
        .limit(limit)
    )
    if level:
        q = q.where(Area.level == level)
    if levels:
        q = q.where(Area.level.in_(levels))
    return [_row(a, pc) for a, pc in session.exec(q).all() if path_in_scope(actor, a.path)]


@entry(Act.AREA_READ)
def find_areas(session: Session, *, actor: Actor, query: str, limit: int = 20) -> list[AreaRow]:
    """Areas in the actor's scope with every word of `query` starting a word of their name, compared
    by search key: "chiem hoa", "Chiêm Hóa" and "chiêm hoà" all find "Xã Chiêm Hoá"."""
    from sqlalchemy.orm import aliased

    words = search_key(query).split()
    if not words:
        return []
    parent = aliased(Area)
    q = (
        select(Area, parent.code)
        .outerjoin(parent, parent.id == Area.parent_id)
        .where(Area.path.like(actor.area_path + "%"))
    )
    for word in words:
        pattern = word.replace("_", "\\_")
        q = q.where(
            Area.name_key.like(pattern + "%", escape="\\")
            | Area.name_key.like("% " + pattern + "%", escape="\\")
        )
    q = q.order_by(Area.depth, Area.name_key, Area.id).limit(limit)
    return [_row(a, pc) for a, pc in session.exec(q).all() if path_in_scope(actor, a.path)]


# ---------------------------------------------------------------- CSV import


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    created: int
    renamed: int
    unchanged: int
    created_codes: tuple[str, ...] = ()
    renamed_codes: tuple[str, ...] = ()
    dry_run: bool = False


AREA_CSV_COLUMNS = ("code", "name", "level", "parent_code")
# Level words people write in their sheets (search keys) -> level code.
LEVEL_ALIASES = {
    "tinh": AreaLevel.PROVINCE,
    "huyen": AreaLevel.DISTRICT,
    "xa": AreaLevel.COMMUNE,
    "phuong": AreaLevel.COMMUNE,
    "dac khu": AreaLevel.COMMUNE,
    "thon": AreaLevel.VILLAGE,
    "xom": AreaLevel.VILLAGE,
    "ban": AreaLevel.VILLAGE,
    "ap": AreaLevel.VILLAGE,
    "to dan pho": AreaLevel.VILLAGE,
    "khu pho": AreaLevel.VILLAGE,
}
# Allowed parents always sit higher: inserting by rank puts every parent before its children.
_RANK = {AreaLevel.PROVINCE: 0, AreaLevel.DISTRICT: 1, AreaLevel.COMMUNE: 2, AreaLevel.VILLAGE: 3}
_CHUNK = 500


@dataclass(frozen=True)
class _CsvRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


@entry(Act.AREA_MANAGE)
def import_areas_csv(
    session: Session, *, actor: Actor | None, data: bytes, dry_run: bool = False
) -> ImportReport:
    """Load `code,name,level,parent_code` rows. All or nothing; every bad row reported with its line.

    Names are stored as given (NFC, single spaces). Idempotent: an area that exists with the same level
    and parent is left alone (renamed if the name changed). Parents may come later in the file than
    their children. With `dry_run` nothing is written: the report says what would be created and renamed.
    """
    if actor is not None:
        authorize(actor, Act.AREA_MANAGE)
    rows, problems, bad_codes = _parse_area_rows(_decode(data))
    in_file = {r.code: r for r in rows}
    existing = _existing_areas(session, set(in_file) | {r.parent_code for r in rows if r.parent_code})
    for r in rows:
        problems += _row_problems(r, actor, in_file, existing, bad_codes)
    if problems:
        order = {c: i for i, c in enumerate(AREA_CSV_COLUMNS)}
        raise ValidationFailed(sorted(problems, key=lambda p: (p.line or 0, order.get(p.field, -1))))

    to_create = [r for r in rows if r.code not in existing]
    to_rename = [r for r in rows if r.code in existing and existing[r.code][0].name != r.name]
    report = ImportReport(
        created=len(to_create),
        renamed=len(to_rename),
        unchanged=len(rows) - len(to_create) - len(to_rename),
        created_codes=tuple(r.code for r in to_create),
        renamed_codes=tuple(r.code for r in to_rename),
        dry_run=dry_run,
    )
    if dry_run:
        return report
    areas = {code: area for code, (area, _pc) in existing.items()}
    for r in sorted(to_create, key=lambda r: (_RANK[AreaLevel(r.level)], r.line)):
        parent = areas[r.parent_code] if r.parent_code else None
        areas[r.code] = _insert(session, code=r.code, name=r.name, level=r.level, parent=parent)
    for r in to_rename:
        area = areas[r.code]
        area.name, area.name_key = r.name, search_key(r.name)
        session.add(area)
    session.flush()
    audit.record(
        session,
        user_id=actor.user_id if actor else None,
        action="area.imported",
        entity="area",
        details={"created": report.created, "renamed": report.renamed, "unchanged": report.unchanged},
    )
    return report


def _existing_areas(session: Session, codes: set[str]) -> dict[str, tuple[Area, str]]:
    """The stored areas among `codes`, each with its parent's code ("" for a root)."""
    from sqlalchemy.orm import aliased

    parent = aliased(Area)
    out: dict[str, tuple[Area, str]] = {}
    wanted = sorted(codes)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for area, parent_code in session.exec(
            select(Area, parent.code)
            .outerjoin(parent, parent.id == Area.parent_id)
            .where(Area.code.in_(chunk))
        ).all():
            out[area.code] = (area, parent_code or "")
    return out


def _row_problems(
    r: _CsvRow,
    actor: Actor | None,
    in_file: dict[str, _CsvRow],
    existing: dict[str, tuple[Area, str]],
    bad_codes: set[str],
) -> list[FieldProblem]:
    """What is wrong with one well-formed row given the rest of the file and the database."""
    current = existing.get(r.code)
    if current is not None:
        area, current_parent = current
        if actor is not None and not path_in_scope(actor, area.path):
            return [FieldProblem("code", "err.out_of_scope", {}, r.line)]
        if area.level != r.level or current_parent != r.parent_code:
            return [FieldProblem("code", "err.area_conflict", {"code": r.code}, r.line)]
        return []
    parent_level: str | None = None
    if r.parent_code:
        if r.parent_code in in_file:
            parent_level = in_file[r.parent_code].level
        elif r.parent_code in existing:
            parent = existing[r.parent_code][0]
            if actor is not None and not path_in_scope(actor, parent.path):
                return [FieldProblem("parent_code", "err.out_of_scope", {}, r.line)]
            parent_level = parent.level
        elif r.parent_code in bad_codes:
            return []  # the parent's own line is reported; this row is fine once that one is fixed
        else:
            return [FieldProblem("parent_code", "err.unknown_area", {"code": r.parent_code}, r.line)]
    elif actor is not None:
        return [FieldProblem("parent_code", "err.out_of_scope", {}, r.line)]
    if parent_level not in PARENT_LEVELS[AreaLevel(r.level)]:
        return [
            FieldProblem(
                "parent_code",
                "err.area_parent_level",
                {"level": r.level, "parent": parent_level or "-"},
                r.line,
            )
        ]
    return []


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _parse_level(raw: str) -> str | None:
    key = search_key(raw)
    if key in LEVELS:
        return key
    alias = LEVEL_ALIASES.get(key)
    return alias.value if alias else None


def _parse_area_rows(text: str) -> tuple[list[_CsvRow], list[FieldProblem], set[str]]:
    """Well-formed rows, the problems of the others, and the codes of rows that had problems."""
    problems: list[FieldProblem] = []
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return [], [FieldProblem("file", "err.empty_file", {}, 1)], set()
    names = [search_key(h).replace(" ", "_") for h in header]
    missing = [c for c in AREA_CSV_COLUMNS if c not in names]
    if missing:
        return [], [FieldProblem("header", "err.missing_columns", {"columns": ", ".join(missing)}, 1)], set()
    index = {c: names.index(c) for c in AREA_CSV_COLUMNS}
    rows: list[_CsvRow] = []
    seen: dict[str, int] = {}
    bad_codes: set[str] = set()
    for raw in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in raw):
            continue
        cell = {c: (raw[i].strip() if i < len(raw) else "") for c, i in index.items()}
        code = normalize_text(cell["code"])
        name = normalize_official_name(cell["name"])
        level = _parse_level(cell["level"])
        row_problems: list[FieldProblem] = []
        if not code or len(code) > CODE_MAX:
            row_problems.append(FieldProblem("code", "err.area_code", {}, line))
        elif code in seen:
            row_problems.append(
                FieldProblem("code", "err.duplicate_in_file", {"code": code, "other": seen[code]}, line)
            )
        if not name:
            row_problems.append(FieldProblem("name", "err.required", {}, line))
        elif len(name) > NAME_MAX:
            row_problems.append(FieldProblem("name", "err.area_name_long", {"max": NAME_MAX}, line))
        if level is None:
            row_problems.append(FieldProblem("level", "err.area_level", {"level": cell["level"]}, line))
        if code and code not in seen:
            seen[code] = line
            if row_problems:
                bad_codes.add(code)
        if row_problems:
            problems += row_problems
            continue
        rows.append(_CsvRow(line, code, name, level, normalize_text(cell["parent_code"])))
    return rows, problems, bad_codes
