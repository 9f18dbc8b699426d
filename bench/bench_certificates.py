"""Benchmark: 500 certificates (A5 landscape, each with its own QR to a resident's record) as one PDF,
beside the naive way, one new document per certificate.

    .venv/bin/python bench/bench_certificates.py [--count 500]

Both ways use the layout the app prints (services/printing/certificates.py) and start with empty QR
and line-breaking caches, so neither profits from the other's work.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.printing import pdf
from services.printing.certificates import Certificate, certificates_pdf, resident_url

BASE = "https://5b3h.example.vn"
GIVEN = ("An", "Bình", "Cúc", "Dũng", "Hạnh", "Khoa", "Lan", "Minh", "Nga", "Thủy")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi")


def people(count: int) -> list[Certificate]:
    return [
        Certificate(
            name=f"{FAMILY[n % len(FAMILY)]} Thị {GIVEN[n % len(GIVEN)]} {n}",
            village_name="Thôn Một",
            commune_name="Xã An Khánh",
            reached=date(2026, 1, 1 + n % 28),
            url=resident_url(100_000 + n, BASE),
        )
        for n in range(count)
    ]


def cold_caches() -> None:
    pdf.qr_image.cache_clear()
    pdf._LINES.clear()  # paragraph line breaks, remembered per text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    certificates = people(args.count)
    issued_on = date(2026, 2, 1)

    cold_caches()
    start = time.perf_counter()
    data = certificates_pdf(certificates, issued_on=issued_on)
    single = time.perf_counter() - start

    cold_caches()
    start = time.perf_counter()
    total = sum(len(certificates_pdf([c], issued_on=issued_on)) for c in certificates)
    separate = time.perf_counter() - start

    print(f"{args.count} certificates (A5 landscape), each with its own QR code")
    print(f"  one multi-page document:       {single:6.2f} s  ({len(data) / 1e6:.1f} MB)")
    print(f"  one document per certificate:  {separate:6.2f} s  ({total / 1e6:.1f} MB in all)")
    print(f"  ratio: {separate / single:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
