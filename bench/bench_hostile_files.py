"""Benchmark: hostile and broken resident lists through `manage.py import-residents --dry-run`, one fresh
process per file, with its wall time and peak RSS (from the kernel's accounting of that process).

    .venv/bin/python bench/bench_hostile_files.py            # every file
    .venv/bin/python bench/bench_hostile_files.py --only bomb --keep

Issue #12 figures before the fix, for comparison: the 1 MB workbook whose shared string inflates to
1 GB drove the importer to 5.8 GB; an 8 MB workbook of 11M rows took ~28 min; a 50 MB single-line CSV
took 62 s and then said "Tệp rỗng". The files are built here (the XLSX bombs by repeating one deflate
block, so building them costs seconds). A small valid file and full-size valid files at the row cap are
measured too: the price of the import itself. Prints a table; never fails on time.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.db import make_engine, write_session  # noqa: E402
from models.migrate import upgrade_to_head  # noqa: E402
from services.areas import create_area  # noqa: E402
from services.people.importing import ROWS_MAX  # noqa: E402
from tests.services.people.test_import_hostile import (  # noqa: E402
    HEADER,
    MAIN,
    letters,
    repeated,
    xlsx,
    xlsx_bomb,
)

VILLAGE = "BX-001"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hòa", "Hương", "Lan", "Long", "Mai", "Nam"]


def people(count: int, seed: int = 1) -> list[list[str]]:
    """`count` plausible rows (4 residents a household, never twice the same given name) in the bench
    village."""
    rng = random.Random(seed)
    return [
        [f"H{i // 4:06d}", VILLAGE, f"Số {i // 4} đường {i // 4 % 300}",
         f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {GIVEN[i % 4 * 3 + rng.randrange(3)]}",
         str(1940 + rng.randrange(80)),
         rng.choice(["Nam", "Nữ"]), f"09{rng.randrange(10**8):08d}", "x" if i % 4 == 0 else "",
         rng.choice(["có", "không", ""])]
        for i in range(count)
    ]  # fmt: skip


def csv_bytes(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n").encode()


def sheet_of(rows: list[list[str]]) -> bytes:
    """A worksheet with inline strings (as openpyxl writes one), built as text: fast."""
    out = [f'<worksheet xmlns="{MAIN}"><sheetData>']
    for r, row in enumerate([HEADER, *rows], start=1):
        out.append(f'<row r="{r}">')
        for c, value in enumerate(row, start=1):
            out.append(f'<c r="{letters(c)}{r}" t="inlineStr"><is><t>{value}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def eleven_million_rows() -> bytes:
    """~11M identical rows without row numbers (the sheet deflated by repeating one block)."""
    row = b'<row><c t="inlineStr"><is><t>H1</t></is></c><c t="inlineStr"><is><t>BX-001</t></is></c></row>'
    per_unit = (1 << 20) // len(row)
    unit = row * per_unit  # a unit made of whole rows, repeated: it refers back only to itself
    count = 11_000_000 // per_unit
    end = b"</sheetData></worksheet>"
    return xlsx(sheet=repeated(sheet_of([])[: -len(end)], unit, count, end))


def files(only: set[str] | None) -> list[tuple[str, str, callable]]:
    """(label, file name, builder) for each file measured."""
    cap = ROWS_MAX
    quote = b'H9,BX-001,,"Lan\nH9,BX-001,,Mai"\n'
    big = b"H9,BX-001,," + b"x" * 200_000
    all_files = [
        ("small valid CSV (10 rows)", "small.csv", lambda: csv_bytes(people(10))),
        ("XLSX bomb: 1 GB shared string", "bomb.xlsx", lambda: xlsx_bomb(1 << 30)),
        ("XLSX of 11M rows", "rows11m.xlsx", eleven_million_rows),
        (f"XLSX {cap + 1:,} data rows", "rows_cap.xlsx", lambda: xlsx(sheet=sheet_of(people(cap + 1)))),
        (f"CSV {cap + 1:,} data rows", "rows_cap.csv", lambda: csv_bytes(people(cap + 1))),
        ("CSV 50 MB on one line", "one_line.csv", lambda: b"Ma ho,Thon,Ho va ten," + b"x," * (25 << 20)),
        ("CSV cell of 200 KB", "big_cell.csv", lambda: csv_bytes(people(10)) + big),
        ("CSV quote closed a line later", "quote.csv", lambda: csv_bytes(people(10)) + quote),
        ("CSV quote never closed (10k lines)", "quote_eof.csv",
         lambda: csv_bytes(people(10)) + b'H9,BX-001,,"Lan\n' + csv_bytes(people(10_000))),
        ("CSV header only", "header.csv", lambda: csv_bytes([])),
        (f"valid CSV {cap:,} rows (reference)", "valid.csv", lambda: csv_bytes(people(cap))),
        (f"valid XLSX {cap:,} rows (reference)", "valid.xlsx", lambda: xlsx(sheet=sheet_of(people(cap)))),
    ]  # fmt: skip
    return [f for f in all_files if not only or any(o in f[1] for o in only)]


def database(folder: Path) -> str:
    """A migrated SQLite file with a commune BX and its village BX-001."""
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with write_session(engine) as s:
        create_area(s, actor=None, code="BP", name="Tỉnh Đo Lường", level="province", parent_code=None)
        create_area(s, actor=None, code="BX", name="Xã Thử", level="commune", parent_code="BP")
        create_area(s, actor=None, code=VILLAGE, name="Thôn Một", level="village", parent_code="BX")
    engine.dispose()
    return url


# Forks the measured command from a small process and reports that child's rusage: a child forked from
# this (large) script would report at least this script's RSS as its own peak (Linux keeps the parent's
# high-water mark across fork and exec).
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def measure(path: Path, url: str, folder: Path) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak RSS in MB, the verdict line) of one dry-run import process."""
    env = {**os.environ, "DATABASE_URL": url}
    log, figures = folder / "output.txt", folder / "rusage.txt"
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "import-residents",
        str(path),
        "--commune",
        "BX",
        "--dry-run",
    ]
    start = time.perf_counter()
    with log.open("wb") as output:
        subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(figures), *command],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    took = time.perf_counter() - start
    code, rss_kb = (int(x) for x in figures.read_text().split())
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    log.unlink()
    figures.unlink()
    verdict = lines[1] if code == 1 and len(lines) > 1 else (lines[-1] if lines else "")
    return code, took, rss_kb / 1024, verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="file names containing these words (bomb, rows, csv...)")
    parser.add_argument("--keep", action="store_true", help="keep the files and the database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hostile-"))
    url = database(folder)
    print(f"files and database in {folder}; one `manage.py import-residents --dry-run` process per file\n")
    print(f"{'file':38} {'size':>9} {'build':>6} {'exit':>4} {'time':>7} {'peak RSS':>9}  verdict")
    for label, name, build in files(set(args.only) if args.only else None):
        start = time.perf_counter()
        data = build()
        built = time.perf_counter() - start
        path = folder / name
        path.write_bytes(data)
        del data
        code, took, rss, verdict = measure(path, url, folder)
        size = path.stat().st_size
        figures = f"{size / 1e6:7.1f} MB {built:5.1f}s {code:>4} {took:6.1f}s {rss:6.0f} MB"
        print(f"{label:38} {figures}  {verdict[:110]}", flush=True)
        if not args.keep:
            path.unlink()
    if not args.keep:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
