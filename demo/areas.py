"""The demo's area tree: one province, its communes (or wards) and their villages, with codes and paths."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

from core.text import normalize_name, search_key
from demo.context import FIRST_COMMUNE_CODE, PROVINCE_CODE, Context
from demo.names import COMMUNE_PARTS, VILLAGE_KINDS, VILLAGE_PARTS


@dataclass(frozen=True)
class Province:
    id: int
    path: str


class Village(NamedTuple):
    id: int
    code: str
    name: str
    poor_network: bool


@dataclass(frozen=True)
class Commune:
    index: int  # its place in the province (0: the commune the named demo accounts belong to)
    id: int
    code: str
    name: str
    path: str
    villages: list[Village]


def add_province(ctx: Context) -> Province:
    province_id = ctx.new_id("area")
    path = f"/{province_id}/"
    name = normalize_name("Tỉnh Minh Họa")
    ctx.w.insert(
        "area", [(province_id, PROVINCE_CODE, name, search_key(name), "province", None, path, 0, ctx.now)]
    )
    ctx.report.areas += 1
    return Province(province_id, path)


def commune_names(rng: random.Random, count: int) -> list[str]:
    """Two distinct name parts each; the first is a commune ("Xã"), the others mostly so."""
    pairs = [(a, b) for a in COMMUNE_PARTS for b in COMMUNE_PARTS if a != b]
    chosen = rng.sample(pairs, count)
    out = []
    for i, (a, b) in enumerate(chosen):
        prefix = "Xã" if i == 0 or rng.random() < 0.85 else "Phường"
        out.append(normalize_name(f"{prefix} {a} {b}"))
    return out


def add_commune(ctx: Context, rng: random.Random, province: Province, index: int, name: str) -> Commune:
    """The commune's area row and its villages' (codes "<commune>-<nnn>"); some villages have poor network."""
    now = ctx.now
    code = f"{FIRST_COMMUNE_CODE + 3 * index:05d}"
    commune_id = ctx.new_id("area")
    path = f"{province.path}{commune_id}/"
    area_rows = [(commune_id, code, name, search_key(name), "commune", province.id, path, 1, now)]
    n_villages = rng.randint(*ctx.scale.villages)
    names = village_names(rng, n_villages, ward=name.startswith("Phường"))
    villages = []
    for v in range(n_villages):
        vid = ctx.new_id("area")
        village = Village(vid, f"{code}-{v + 1:03d}", names[v], rng.random() < 0.15)
        villages.append(village)
        area_rows.append(
            (
                vid,
                village.code,
                village.name,
                search_key(village.name),
                "village",
                commune_id,
                f"{path}{vid}/",
                2,
                now,
            )
        )
    ctx.w.insert("area", area_rows)
    ctx.report.areas += len(area_rows)
    ctx.report.communes += 1
    ctx.report.villages += n_villages
    return Commune(index, commune_id, code, name, path, villages)


def village_names(rng: random.Random, count: int, ward: bool) -> list[str]:
    if ward:
        kind = rng.choice(("Tổ dân phố", "Khu phố"))
        return [normalize_name(f"{kind} {i + 1}") for i in range(count)]
    kind = rng.choice(VILLAGE_KINDS)
    parts = rng.sample(VILLAGE_PARTS, min(count, len(VILLAGE_PARTS)))
    names = [normalize_name(f"{kind} {p}") for p in parts]
    names += [normalize_name(f"{kind} {i + 1}") for i in range(len(names), count)]
    return names
