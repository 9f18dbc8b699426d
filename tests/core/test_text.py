"""Vietnamese normalisation, search keys, alphabetical order and phone handling."""

import unicodedata

import pytest

from core.text import (
    is_valid_phone,
    normalize_name,
    normalize_official_name,
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
    ("typed", "stored"),
    [
        ("H'Hen Niê", "H'Hen Niê"),
        ("h'hen niê", "H'Hen Niê"),
        ("H'HEN NIÊ", "H'Hen Niê"),
        ("Y Moan Ênuôl", "Y Moan Ênuôl"),
        ("y moan  ênuôl", "Y Moan Ênuôl"),
        ("Ksor H'Lan", "Ksor H'Lan"),
        ("KSOR H'LAN", "Ksor H'Lan"),
        ("Ksor H’Lan", "Ksor H’Lan"),  # a typographic apostrophe is kept too
        ("Đinh Y KDăm", "Đinh Y KDăm"),  # mixed case was typed on purpose
    ],
)
def test_ethnic_minority_names_keep_their_capitals_and_apostrophes(typed, stored):
    """Issue #8: person names of ethnic minorities keep capitals and apostrophes."""
    assert normalize_name(typed) == stored
    assert search_key(normalize_name(typed)) == search_key(stored)


@pytest.mark.parametrize(
    "name",
    ["Thành phố Hà Nội", "Đặc khu Vân Đồn", "Phường Đăk BLa", "Xã KDang", "Xã Chiêm Hoá", "thôn đông"],
)
def test_official_names_are_kept_as_given(name):
    """Issue #8: official area names get NFC and single spaces only — no capitals, no tone moves."""
    assert normalize_official_name(name) == name
    assert normalize_official_name(f"  {unicodedata.normalize('NFD', name)}  ") == name
    assert normalize_official_name(name.replace(" ", " \t  ")) == name


def test_official_names_match_by_key_whatever_the_tone_placement():
    assert search_key("Xã Chiêm Hoá") == search_key("xã chiêm hóa") == search_key("XA CHIEM HOA")
    assert normalize_official_name(None) == ""


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
