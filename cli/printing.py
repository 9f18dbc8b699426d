"""manage.py leaflet | cards | visit-sheets: print material to a PDF file (as the server administrator)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models.db import DatabaseConfigError, DatabaseUnavailable, check_connection, make_engine, read_session


def add_commands(sub, command) -> None:
    p = sub.add_parser("leaflet", help="print one leaflet to a PDF file")
    p.add_argument("--leaflet", required=True, help="leaflet id (see content/leaflets/*.toml)")
    p.add_argument("--size", choices=("A4", "A5"), default="A4")
    p.add_argument("--commune", help="commune or village code: print its name and team contacts")
    p.add_argument("--out", required=True, help="PDF file to write")
    p = sub.add_parser(
        "cards",
        help="household cards of a village (two to an A4 page) to a PDF file; refused while the public "
        "address (Settings page, else APP_BASE_URL) is unset or a loopback address",
    )
    p.add_argument("--village", required=True, help="village code")
    p.add_argument("--out", required=True, help="PDF file to write")
    p = sub.add_parser("visit-sheets", help="paper visit sheets of a village to a PDF file")
    p.add_argument("--village", required=True, help="village code")
    p.add_argument("--out", required=True, help="PDF file to write")
    command("leaflet")(cmd_leaflet)
    command("cards")(cmd_cards)
    command("visit-sheets")(cmd_visit_sheets)


def _fail(message: str, code: int = 1) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _engine():
    try:
        engine = make_engine()
        check_connection(engine)
    except DatabaseConfigError as exc:
        raise SystemExit(_fail(str(exc), 2)) from exc
    except DatabaseUnavailable as exc:
        raise SystemExit(_fail(f"the database did not answer: {exc}", 2)) from exc
    return engine


def _write(out: str, data: bytes, what: str) -> int:
    path = Path(out)
    if not path.parent.is_dir():
        return _fail(f"no such folder: {path.parent}")
    path.write_bytes(data)
    print(f"{what} written to {path} ({len(data) // 1024} KB)")
    return 0


def cmd_leaflet(args: argparse.Namespace) -> int:
    from services.printing.content import get_catalogue
    from services.printing.documents import area_by_code, leaflet_document

    catalogue = get_catalogue()
    if args.leaflet not in catalogue.leaflets:
        known = ", ".join(catalogue.leaflets)
        return _fail(f"unknown leaflet {args.leaflet!r}; known leaflets: {known}")
    if args.commune:
        engine = _engine()
        with read_session(engine) as session:
            area = area_by_code(session, actor=None, code=args.commune)
            data = leaflet_document(
                session, actor=None, leaflet_id=args.leaflet, size=args.size, area_id=area.id
            )
        engine.dispose()
    else:
        data = leaflet_document(None, actor=None, leaflet_id=args.leaflet, size=args.size)
    return _write(args.out, data, f"leaflet {args.leaflet} ({args.size})")


def cmd_cards(args: argparse.Namespace) -> int:
    from services.printing.documents import area_by_code, household_cards_document

    engine = _engine()
    with read_session(engine) as session:
        village = area_by_code(session, actor=None, code=args.village, village=True)
        data = household_cards_document(session, actor=None, village_id=village.id)
    engine.dispose()
    return _write(args.out, data, f"household cards of {village.code}")


def cmd_visit_sheets(args: argparse.Namespace) -> int:
    from models.db import write_session
    from services.printing.documents import area_by_code, visit_sheets_document

    if not Path(args.out).parent.is_dir():  # before the sheets are recorded as printed
        return _fail(f"no such folder: {Path(args.out).parent}")
    engine = _engine()
    with write_session(engine) as session:  # the printed sheets are recorded
        village = area_by_code(session, actor=None, code=args.village, village=True)
        sheets = visit_sheets_document(session, actor=None, village_id=village.id)
    engine.dispose()
    print(f"sheets: {', '.join(sheets.sheet_ids)}")
    return _write(args.out, sheets.pdf, f"visit sheets of {village.code}")
