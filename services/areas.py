"""The area tree: create, rename, move (rollups follow), look up, and import from CSV all-or-nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, literal, select, update
from sqlmodel import Session

from models.enums import PARENT_LEVELS, AreaLevel, Role
from models.tables import Area, RollupArea, RollupAreaWeek, RollupSkill
from services import audit
from services.clock import utcnow
from services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from services.rollups import ACTIVITY_COLUMNS, AREA_COLUMNS, upsert_add
from services.scope import Actor, ancestor_ids, get_area_in_scope, path_in_scope, require_role
from services.text import normalize_name, normalize_text, search_key, sort_key

CODE_MAX = 32


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


def create_area(
    session: Session, *, actor: Actor | None, code: str, name: str, level: str, parent_code: str | None
) -> int:
    """Add an area. `actor=None` is the command line; an admin may add only below their own area."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    code = (code or "").strip()
    name = normalize_name(name)
    problems: list[FieldProblem] = []
    if not code or len(code) > CODE_MAX:
        problems.append(FieldProblem("code", "err.area_code"))
    elif get_by_code(session, code) is not None:
        problems.append(FieldProblem("code", "err.area_code_taken", {"code": code}))
    if not name:
        problems.append(FieldProblem("name", "err.required"))
    parent = None
    if parent_code:
        parent = get_by_code(session, parent_code)
        if parent is None:
            problems.append(FieldProblem("parent", "err.unknown_area", {"code": parent_code}))
    if not problems:
        problems += _check_parent(level, parent)
    if problems:
        raise ValidationFailed(problems)
    if actor is not None:
        if parent is None:
            raise PermissionDenied("err.out_of_scope")
        get_area_in_scope(session, actor, parent.id)
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


def rename_area(session: Session, *, actor: Actor, area_id: int, name: str) -> None:
    require_role(actor, Role.ADMIN)
    area = get_area_in_scope(session, actor, area_id)
    name = normalize_name(name)
    if not name:
        raise ValidationFailed([FieldProblem("name", "err.required")])
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


def move_area(session: Session, *, actor: Actor | None, area_id: int, new_parent_code: str) -> None:
    """Re-parent an area with its whole subtree; its counts leave the old ancestors and join the new."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
        area = get_area_in_scope(session, actor, area_id)
    else:
        area = session.get(Area, area_id)
        if area is None:
            raise NotFound()
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
    """Subtract the area's own subtree totals from its old ancestors and add them to the new ones."""
    old_ancestors = ancestor_ids(old_parent_path)
    new_ancestors = ancestor_ids(new_parent_path)
    own_area = session.get(RollupArea, area.id)
    if own_area is not None:
        values = {c: getattr(own_area, c) for c in AREA_COLUMNS if getattr(own_area, c)}
        _shift(session, "rollup_area", (), values, old_ancestors, new_ancestors)
    for row in session.exec(select(RollupSkill).where(RollupSkill.area_id == area.id)).scalars().all():
        if row.residents:
            _shift(
                session,
                "rollup_skill",
                (row.skill, row.level),
                {"residents": row.residents},
                old_ancestors,
                new_ancestors,
            )
    for row in session.exec(select(RollupAreaWeek).where(RollupAreaWeek.area_id == area.id)).scalars().all():
        values = {c: getattr(row, c) for c in ACTIVITY_COLUMNS if getattr(row, c)}
        _shift(session, "rollup_area_week", (row.week,), values, old_ancestors, new_ancestors)
    # rollup_member_day is keyed by village, which keeps its identity: nothing to shift there.


def _shift(session, table, rest, values, old_ancestors, new_ancestors) -> None:
    if not values:
        return
    for ancestor in old_ancestors:
        upsert_add(session, table, (ancestor, *rest), {c: -v for c, v in values.items()})
    for ancestor in new_ancestors:
        upsert_add(session, table, (ancestor, *rest), dict(values))


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


def list_subtree(
    session: Session, *, actor: Actor, level: str | None = None, limit: int = 5000
) -> list[AreaRow]:
    """Areas in the actor's scope (optionally of one level), for pickers; parents' codes included."""
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
    return [_row(a, pc) for a, pc in session.exec(q).all() if path_in_scope(actor, a.path)]


# ---------------------------------------------------------------- CSV import


@dataclass(frozen=True)
class ImportReport:
    created: int
    renamed: int
    unchanged: int


AREA_CSV_COLUMNS = ("code", "name", "level", "parent_code")


def import_areas_csv(session: Session, *, actor: Actor | None, data: bytes) -> ImportReport:
    """Load `code,name,level,parent_code` rows. All or nothing; every bad row reported with its line.

    Idempotent: an area that exists with the same parent is left alone (renamed if the name changed).
    Parents may come later in the file than their children.
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    text = _decode(data)
    rows, problems = _parse_area_rows(text)
    existing = {a.code: a for a in session.exec(select(Area)).scalars().all()}
    in_file = {r["code"]: r for r in rows}
    for r in rows:
        line = r["line"]
        parent_code = r["parent_code"]
        parent_level: str | None = None
        if parent_code:
            if parent_code in in_file:
                parent_level = in_file[parent_code]["level"]
            elif parent_code in existing:
                parent_level = existing[parent_code].level
            else:
                problems.append(FieldProblem("parent_code", "err.unknown_area", {"code": parent_code}, line))
                continue
        try:
            allowed = PARENT_LEVELS[AreaLevel(r["level"])]
        except ValueError:
            continue  # reported by the parser
        if parent_level not in allowed:
            problems.append(
                FieldProblem(
                    "parent_code",
                    "err.area_parent_level",
                    {"level": r["level"], "parent": parent_level or "-"},
                    line,
                )
            )
        current = existing.get(r["code"])
        if current is not None:
            current_parent = session.get(Area, current.parent_id).code if current.parent_id else ""
            if current.level != r["level"] or current_parent != parent_code:
                problems.append(FieldProblem("code", "err.area_conflict", {"code": r["code"]}, line))
        if actor is not None:
            anchor = existing.get(parent_code) if parent_code else None
            if parent_code and anchor is not None and not anchor.path.startswith(actor.area_path):
                problems.append(FieldProblem("parent_code", "err.out_of_scope", {}, line))
            if not parent_code:
                problems.append(FieldProblem("parent_code", "err.out_of_scope", {}, line))
    if _has_cycle(in_file):
        problems.append(FieldProblem("parent_code", "err.area_cycle", {}, None))
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda p: (p.line or 0, p.field)))

    created = renamed = unchanged = 0
    pending = list(rows)
    while pending:
        progressed = []
        for r in pending:
            if r["code"] in existing:
                area = existing[r["code"]]
                if area.name != r["name"]:
                    area.name, area.name_key = r["name"], search_key(r["name"])
                    session.add(area)
                    renamed += 1
                else:
                    unchanged += 1
                progressed.append(r)
            elif not r["parent_code"] or r["parent_code"] in existing:
                parent = existing.get(r["parent_code"]) if r["parent_code"] else None
                existing[r["code"]] = _insert(
                    session, code=r["code"], name=r["name"], level=r["level"], parent=parent
                )
                created += 1
                progressed.append(r)
        pending = [r for r in pending if r not in progressed]
    audit.record(
        session,
        user_id=actor.user_id if actor else None,
        action="area.imported",
        entity="area",
        details={"created": created, "renamed": renamed, "unchanged": unchanged},
    )
    return ImportReport(created=created, renamed=renamed, unchanged=unchanged)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _parse_area_rows(text: str) -> tuple[list[dict], list[FieldProblem]]:
    problems: list[FieldProblem] = []
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return [], [FieldProblem("file", "err.empty_file", {}, 1)]
    names = [search_key(h).replace(" ", "_") for h in header]
    missing = [c for c in AREA_CSV_COLUMNS if c not in names]
    if missing:
        return [], [FieldProblem("header", "err.missing_columns", {"columns": ", ".join(missing)}, 1)]
    index = {c: names.index(c) for c in AREA_CSV_COLUMNS}
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        cell = {c: (raw[i].strip() if i < len(raw) else "") for c, i in index.items()}
        code = normalize_text(cell["code"])
        name = normalize_name(cell["name"])
        level = search_key(cell["level"])
        row_ok = True
        if not code or len(code) > CODE_MAX:
            problems.append(FieldProblem("code", "err.area_code", {}, line))
            row_ok = False
        elif code in seen:
            problems.append(
                FieldProblem("code", "err.duplicate_in_file", {"code": code, "other": seen[code]}, line)
            )
            row_ok = False
        if not name:
            problems.append(FieldProblem("name", "err.required", {}, line))
            row_ok = False
        if level not in {lv.value for lv in AreaLevel}:
            problems.append(FieldProblem("level", "err.area_level", {"level": cell["level"]}, line))
            row_ok = False
        if code:
            seen.setdefault(code, line)
        if row_ok:
            rows.append(
                {
                    "line": line,
                    "code": code,
                    "name": name,
                    "level": level,
                    "parent_code": normalize_text(cell["parent_code"]),
                }
            )
    return rows, problems


def _has_cycle(in_file: dict[str, dict]) -> bool:
    for code in in_file:
        seen = set()
        current = code
        while current in in_file:
            if current in seen:
                return True
            seen.add(current)
            current = in_file[current]["parent_code"]
    return False
