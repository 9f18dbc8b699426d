"""Vietnamese normalisation, search keys, alphabetical order and phone handling."""

import unicodedata

import pytest

from services.text import (
    is_valid_phone,
    normalize_name,
    normalize_phone,
    normalize_text,
    person_sort_key,
    search_key,
    sort_key,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Hoà", "Hòa"), ("Thuỷ", "Thủy"), ("khoẻ", "khỏe"), ("Xuất Hoá", "Xuất Hóa"), ("tuý", "túy")],
)
def test_both_tone_placements_store_the_same_string(a, b):
    assert normalize_text(a) == normalize_text(b)


@pytest.mark.parametrize(
    "word",
    ["hoàng", "toán", "quý", "thuyền", "người", "giường", "Nguyễn", "ngoài", "khuỷu", "Quỳnh", "gì", "của"],
)
def test_tone_stays_where_the_rule_puts_it_for_ordinary_words(word):
    assert normalize_text(word) == unicodedata.normalize("NFC", word)


def test_decomposed_input_comes_out_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ")
    out = normalize_name(nfd)
    assert out == "Nguyễn Thị Thủy"
    assert unicodedata.is_normalized("NFC", out)


def test_names_are_trimmed_spaced_and_capitalised():
    assert normalize_name("  NGUYỄN   thị  thuỷ ") == "Nguyễn Thị Thủy"
    assert normalize_name(None) == ""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Nguyễn Thị Thuỷ", "nguyen thi thuy"),
        ("Nguyễn Thị Thủy", "nguyen thi thuy"),
        ("Đặng Đình Đức", "dang dinh duc"),
        ("Xóm Xưa Hạ, số 12", "xom xua ha so 12"),
    ],
)
def test_search_key_drops_diacritics_and_d_bar(text, key):
    assert search_key(text) == key


def test_vietnamese_alphabetical_order():
    words = ["Đào", "Dung", "Ân", "Anh", "Ăn", "Bình", "Ánh", "Ơn", "Ông", "Oanh"]
    expected = ["Anh", "Ánh", "Ăn", "Ân", "Bình", "Dung", "Đào", "Oanh", "Ông", "Ơn"]
    assert sorted(words, key=sort_key) == expected


def test_people_sort_by_given_name_first():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Văn An"]
    assert sorted(names, key=person_sort_key) == ["Lê Văn An", "Nguyễn Thị An", "Trần Văn Bình"]


@pytest.mark.parametrize(
    ("raw", "phone", "valid"),
    [
        ("0912 345 678", "0912345678", True),
        ("+84 912.345.678", "0912345678", True),
        ("84912345678", "0912345678", True),
        ("12345", "12345", False),
        ("", None, False),
    ],
)
def test_phone_normalisation(raw, phone, valid):
    assert normalize_phone(raw) == phone
    assert is_valid_phone(phone) is valid
