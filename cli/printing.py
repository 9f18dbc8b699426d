"""manage.py leaflet | cards | visit-sheets | certificates: print material to a PDF file (as the server
administrator)."""

from __future__ import annotations

import argparse

from cli.common import engine_or_exit, fail, output_folder_or_exit, say
from models.db import read_session
from services.errors import AppError


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
    p = sub.add_parser(
        "certificates",
        help="certificates of a village (one A5 landscape page per resident with all five skills) to a PDF "
        "file; lists who is still missing which skill",
    )
    p.add_argument("--village", required=True, help="village code")
    p.add_argument("--out", required=True, help="PDF file to write")
    command("leaflet")(cmd_leaflet)
    command("cards")(cmd_cards)
    command("visit-sheets")(cmd_visit_sheets)
    command("certificates")(cmd_certificates)


def _write(out: str, data: bytes, what: str) -> int:
    path = output_folder_or_exit(out)
    path.write_bytes(data)
    print(say("cli.written", what=what, path=str(path), kb=len(data) // 1024))
    return 0


def cmd_leaflet(args: argparse.Namespace) -> int:
    from services.printing.content import get_catalogue
    from services.printing.documents import area_by_code, leaflet_document

    catalogue = get_catalogue()
    if args.leaflet not in catalogue.leaflets:
        known = ", ".join(catalogue.leaflets)
        return fail(say("cli.unknown_leaflet", leaflet=args.leaflet, known=known))
    if args.commune:
        engine = engine_or_exit()
        with read_session(engine) as session:
            area = area_by_code(session, actor=None, code=args.commune)
            data = leaflet_document(
                session, actor=None, leaflet_id=args.leaflet, size=args.size, area_id=area.id
            )
        engine.dispose()
    else:
        data = leaflet_document(None, actor=None, leaflet_id=args.leaflet, size=args.size)
    return _write(args.out, data, say("cli.what_leaflet", leaflet=args.leaflet, size=args.size))


def cmd_cards(args: argparse.Namespace) -> int:
    from services.printing.documents import area_by_code, household_cards_document

    engine = engine_or_exit()
    with read_session(engine) as session:
        village = area_by_code(session, actor=None, code=args.village, village=True)
        data = household_cards_document(session, actor=None, village_id=village.id)
    engine.dispose()
    return _write(args.out, data, say("cli.what_cards", village=village.code))


def cmd_visit_sheets(args: argparse.Namespace) -> int:
    from models.db import write_session
    from services.printing.documents import area_by_code, visit_sheets_document

    output_folder_or_exit(args.out)  # before the sheets are recorded as printed
    engine = engine_or_exit()
    with write_session(engine) as session:  # the printed sheets are recorded
        village = area_by_code(session, actor=None, code=args.village, village=True)
        sheets = visit_sheets_document(session, actor=None, village_id=village.id)
    engine.dispose()
    print(say("cli.sheets", ids=", ".join(sheets.sheet_ids)))
    return _write(args.out, sheets.pdf, say("cli.what_sheets", village=village.code))


def cmd_certificates(args: argparse.Namespace) -> int:
    from core.i18n import t
    from services.printing.certificates import certificates_document
    from services.printing.documents import area_by_code

    path = output_folder_or_exit(args.out)
    engine = engine_or_exit()
    with read_session(engine) as session:
        try:
            village = area_by_code(session, actor=None, code=args.village, village=True)
        except AppError as exc:  # an unknown code or not a village: a bad argument
            return fail(exc.message(args.lang), 2)
        batch = certificates_document(session, actor=None, village_id=village.id)
    engine.dispose()
    name = f"{village.name} ({village.code})"
    if batch.pdf is None:  # nobody has all five yet: say who misses what, write nothing
        _print_missing(batch.missing, args.lang)
        return fail(t("cert.none_eligible", args.lang, village=name))
    path.write_bytes(batch.pdf)
    print(t("cert.cli_written", args.lang, count=len(batch.issued), village=name, path=path))
    _print_missing(batch.missing, args.lang)
    return 0


def _print_missing(missing, lang: str) -> None:
    """`Not yet all five (n):` and one line per resident with the skills they still miss."""
    from core import labels
    from core.i18n import t

    if not missing:
        return
    print(t("cert.cli_missing", lang, count=len(missing)))
    for row in missing:
        skills = ", ".join(t(labels.SKILL[s], lang) for s in row.skills)
        print("  " + t("cert.missing_line", lang, name=row.name, household=row.household_code, skills=skills))
