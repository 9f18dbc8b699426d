"""Benchmark: 500 leaflets, each with its own QR code, as one multi-page PDF (target: 10 s or less),
beside the naive way, one new document per leaflet.

    .venv/bin/python bench/bench_leaflets.py [--count 500] [--size A4|A5]

Each leaflet carries its usual QR codes plus one of its own (a household's link on the visit page),
so no two pages share an image.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.printing import pdf
from services.printing.content import get_catalogue
from services.printing.documents import visit_url

BASE = "https://5b3h.example.vn"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--size", choices=("A4", "A5"), default="A4")
    args = parser.parse_args()
    catalogue = get_catalogue()
    leaflet = catalogue.leaflets["submit-steps"]
    standard = pdf.leaflet_targets(leaflet, catalogue, BASE)
    own = [[*standard, pdf.QrTarget(visit_url(n, BASE), f"Hộ số {n}")] for n in range(1, args.count + 1)]

    start = time.perf_counter()
    document = pdf.new_pdf(args.size)
    for targets in own:
        pdf.add_leaflet_page(document, leaflet, catalogue, base_url=BASE, targets=targets)
    data = pdf.to_bytes(document)
    single = time.perf_counter() - start
    pages = len(document.pages)

    start = time.perf_counter()
    total = 0
    for targets in own:
        one = pdf.new_pdf(args.size)
        pdf.add_leaflet_page(one, leaflet, catalogue, base_url=BASE, targets=targets)
        total += len(pdf.to_bytes(one))
    separate = time.perf_counter() - start

    print(f"{args.count} leaflets ({args.size}), each with {len(own[0])} QR codes, one of them its own")
    print(f"  one multi-page document: {single:6.2f} s  ({pages} pages, {len(data) / 1e6:.1f} MB)")
    print(f"  one document per leaflet: {separate:6.2f} s  ({total / 1e6:.1f} MB in all)")
    print(f"  ratio: {separate / single:.1f}x; target for the single document: <= 10 s -> "
          f"{'met' if single <= 10 else 'NOT met'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
