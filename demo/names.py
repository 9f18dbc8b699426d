"""Illustrative names for the demo: weighted Vietnamese name parts, place-name parts, phone numbers.

Generated from common name parts, not a register of real people or of the official area list.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

from core.text import normalize_name, search_key


def _weighted(pairs: list[tuple[str, float]]) -> tuple[list[tuple[str, str]], list[float]]:
    """Normalised (name, search key) parts and cumulative weights for bisect picking."""
    parts = [(normalize_name(n), search_key(n)) for n, _w in pairs]
    return parts, list(accumulate(w for _n, w in pairs))


def _words(text: str) -> list[str]:
    return text.split()


FAMILY, FAMILY_CUM = _weighted(
    [
        ("Nguyễn", 38),
        ("Trần", 11),
        ("Lê", 9.5),
        ("Phạm", 7),
        ("Hoàng", 5),
        ("Huỳnh", 4),
        ("Phan", 4.5),
        ("Vũ", 4),
        ("Võ", 3.5),
        ("Đặng", 2),
        ("Bùi", 2),
        ("Đỗ", 1.5),
        ("Hồ", 1.3),
        ("Ngô", 1.3),
        ("Dương", 1),
        ("Lý", 0.5),
    ]
)
MIDDLE_M, MIDDLE_M_CUM = _weighted(
    [("Văn", 40), ("Đức", 12), ("Minh", 12), ("Quang", 8), ("Hữu", 8), ("Công", 6), ("Thanh", 6), ("Ngọc", 4)]
)
MIDDLE_F, MIDDLE_F_CUM = _weighted(
    [("Thị", 55), ("Ngọc", 10), ("Thu", 8), ("Thanh", 8), ("Minh", 6), ("Kim", 5), ("Hồng", 5), ("Bảo", 3)]
)
GIVEN_M = [
    (normalize_name(n), search_key(n))
    for n in _words(
        "An Bình Cường Dũng Đạt Hải Hiếu Hoàng Hùng Huy Khánh Khoa Kiên Long Lâm Lực Mạnh Nam Nghĩa "
        "Phong Phúc Quân Quang Sơn Tài Tâm Thắng Thành Thịnh Toàn Trọng Trung Tuấn Tùng Việt Vinh Vũ "
        "Hưng Đông Hòa"
    )
]
GIVEN_F = [
    (normalize_name(n), search_key(n))
    for n in _words(
        "Anh Chi Dung Giang Hà Hạnh Hằng Hiền Hoa Hồng Hương Huyền Lan Liên Linh Loan Mai Ngân Nga Nhung "
        "Oanh Phương Quyên Thảo Thủy Thúy Trang Tuyết Vân Yến Xuân Hòa Nhàn Lụa Tươi"
    )
]
COMMUNE_PARTS = _words(
    "An Bình Tân Phú Hòa Thạch Đông Tây Nam Bắc Hưng Long Minh Quang Thanh Vĩnh Xuân Yên Đức Gia "
    "Hồng Kim Lạc Mỹ Ngọc Phúc Sơn Thái Trung Hải Lâm Nghĩa Thịnh Thuận Tiến Lợi Lộc Phong Thành"
)
VILLAGE_PARTS = _words(
    "Chiềng Đông Đoài Trung Thượng Hạ Nam Bắc Mới Cầu Giữa Bãi Đình Chùa Rừng Đồng Tâm Tân Lập Hòa "
    "Bình Quyết Tiến Thắng Lợi Hạnh Phúc Đồi Suối Nà Khe Gạo Sen Cốc Bến Đò Gò"
)
VILLAGE_KINDS = ("Thôn", "Xóm", "Bản", "Ấp")


def pick(rng: random.Random, parts: list, cum: list[float]):
    return parts[bisect(cum, rng.random() * cum[-1])]


def person_name(rng: random.Random, male: bool, family: tuple[str, str] | None = None) -> tuple[str, str]:
    family = family or pick(rng, FAMILY, FAMILY_CUM)
    middle = pick(rng, MIDDLE_M, MIDDLE_M_CUM) if male else pick(rng, MIDDLE_F, MIDDLE_F_CUM)
    given = rng.choice(GIVEN_M if male else GIVEN_F)
    # Each part is already normalised, so the joined name is too.
    return f"{family[0]} {middle[0]} {given[0]}", f"{family[1]} {middle[1]} {given[1]}"


def phone(rng: random.Random) -> str:
    return rng.choice(("03", "05", "07", "08", "09")) + f"{rng.randrange(10**8):08d}"
