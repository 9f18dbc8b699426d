"""Vietnamese text: normalise names on the way in, search keys without diacritics, alphabetical order.

People's names: NFC, trimmed, single spaces, and the tone mark placed by one rule (the traditional
placement: "Hòa", "Thủy", "Khỏe") so "Hoà"/"Hòa" and "Thuỷ"/"Thủy" are the same stored string; the
capitals and apostrophes of names like "H'Hen Niê" or "Ksor H'Lan" are kept. Official names (areas
from the national list) only get NFC and single spaces: "Xã Chiêm Hoá", "Phường Đăk BLa" stay as given.
Both match by `search_key`, which ignores case, diacritics and tone-mark placement.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from functools import lru_cache

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
# Order of tones in Vietnamese dictionaries: ngang, huyền, hỏi, ngã, sắc, nặng.
TONE_ORDER = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
VOWEL_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex (â ê ô), breve (ă), horn (ơ ư)
VOWELS = set("aeiouyAEIOUY")
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
_SPACES = re.compile(r"\s+")

# Vietnamese alphabet order of the base letters (with their vowel marks).
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}


def _place_tone(syllable: str) -> str:
    """Re-place the single tone mark of one syllable (given in NFD) on the vowel the rule picks."""
    tones = [ch for ch in syllable if ch in TONE_MARKS]
    if len(tones) != 1:
        return syllable
    tone = tones[0]
    bare = [ch for ch in syllable if ch not in TONE_MARKS]
    # Group base letters with their combining vowel marks.
    letters: list[str] = []
    for ch in bare:
        if unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    lower = [unicodedata.normalize("NFC", x).lower() for x in letters]
    start = 0
    if (len(lower) > 2 and lower[0] == "q" and lower[1] == "u") or (
        len(lower) > 2 and lower[0] == "g" and lower[1] == "i" and lower[2][0] in "aeiouyăâêôơư"
    ):
        start = 2
    while start < len(lower) and not _is_vowel(letters[start]):
        start += 1
    end = start
    while end < len(lower) and _is_vowel(letters[end]):
        end += 1
    if start >= end:
        if lower[:2] == ["g", "i"]:  # "gì": the i is the vowel
            start, end = 1, 2
        else:
            return syllable
    cluster = list(range(start, end))
    marked = [i for i in cluster if any(m in letters[i] for m in VOWEL_MARKS)]
    if marked:
        target = marked[-1]
    elif end < len(letters):  # closed syllable: the last vowel ("hoàng", "toán")
        target = cluster[-1]
    elif len(cluster) >= 3:  # "ngoài", "khuỷu"
        target = cluster[1]
    else:  # open syllable: the first vowel ("hòa", "thủy", "mía")
        target = cluster[0]
    letters[target] = letters[target] + tone  # after any vowel mark: canonical order
    return "".join(letters)


def _is_vowel(letter: str) -> bool:
    return letter[:1] in VOWELS


def normalize_text(value: str | None) -> str:
    """NFC, trimmed, single spaces; tone marks placed by one rule."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFD", str(value))
    text = _WORD.sub(lambda m: _place_tone(m.group(0)), text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


def normalize_official_name(value: str | None) -> str:
    """An official name (an area from the national list): NFC, trimmed, single spaces, nothing else."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


_NAME_PART = re.compile(r"[^\W\d_]+")  # a run of letters (NFC), between apostrophes, hyphens, ...
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def _capitalise(part: str) -> str:
    """One run of letters: all lower or all upper case gets a capital initial ("nguyễn", "NGUYỄN" ->
    "Nguyễn"); mixed case was typed on purpose and is kept ("KDang")."""
    if part.islower() or part.isupper():
        return part[:1].upper() + part[1:].lower()
    return part


def normalize_name(value: str | None) -> str:
    """A person's name: normalised text (one tone-mark placement), each run of letters capitalised
    unless typed in mixed case; apostrophes stay ("h'hen niê" -> "H'Hen Niê")."""
    return " ".join(_name_word(w) for w in normalize_text(value).split(" "))


def _name_word(word: str) -> str:
    """Capitalise a name-like word (letters joined by apostrophes or hyphens); leave anything else as
    typed (codes, digits, formulas), as before."""
    if not _NAME_WORD.fullmatch(word):
        return word
    return _NAME_PART.sub(lambda m: _capitalise(m.group(0)), word)


def search_key(value: str | None) -> str:
    """Lowercase, no diacritics, đ → d, single spaces: "Nguyễn Thị Thuỷ" → "nguyen thi thuy"."""
    text = unicodedata.normalize("NFD", str(value or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("đ", "d").replace("Đ", "D").lower()
    text = re.sub(r"[^\w]+", " ", text)
    return _SPACES.sub(" ", text).strip()


@functools.lru_cache(maxsize=65_536)
def sort_key(value: str | None) -> tuple:
    """Vietnamese alphabetical order: letters first (ă after a, đ after d, ...), tones break ties.
    (Cached: lists sort the same names of areas, teams and people over and over.)"""
    text = normalize_text(value).lower()
    letters: list[int] = []
    tones: list[int] = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        tone = next((m for m in decomposed if m in TONE_MARKS), "")
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in TONE_MARKS))
        letters.append(_RANK.get(base, 100 + ord(base[0]) if base else 0))
        tones.append(TONE_ORDER[tone])
    return (tuple(letters), tuple(tones))


def person_sort_key(full_name: str | None) -> tuple:
    """People are listed by given name (the last word), then by the full name."""
    text = normalize_text(full_name)
    given = text.rsplit(" ", 1)[-1] if text else ""
    return (sort_key(given), sort_key(text))


def normalize_phone(value: str | None) -> str | None:
    """Digits only, +84/84 → 0. Returns None for empty input; validity is checked by `is_valid_phone`."""
    if value is None:
        return None
    digits = re.sub(r"[\s.\-()]", "", str(value).strip())
    if not digits:
        return None
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def is_valid_phone(phone: str | None) -> bool:
    """A Vietnamese mobile or landline number after `normalize_phone`: 10 or 11 digits starting with 0."""
    return bool(phone) and re.fullmatch(r"0\d{9,10}", phone) is not None


def reversed_digits(phone: str | None) -> str | None:
    return phone[::-1] if phone else None


# ---------------------------------------------------------------- Vietnamese order as a stored string


def _letter(rank: int) -> str:
    """One letter's rank as text: the 33 letters of the alphabet are one character each ('A'..'a');
    anything else (sort_key ranks it 100 + code point) is '~' and four hex digits, after every letter."""
    return chr(0x41 + rank) if rank < 100 else f"~{min(rank - 100, 0xFFFF):04x}"


_SPACE = _letter(100 + ord(" "))


@lru_cache(maxsize=200_000)
def _word_code(word: str) -> tuple[str, str]:
    letters, tones = sort_key(word)
    return "".join(_letter(r) for r in letters), "".join(str(t) for t in tones)


def _text_code(words: list[str]) -> tuple[str, str]:
    codes = [_word_code(w) for w in words]
    return _SPACE.join(c[0] for c in codes), "0".join(c[1] for c in codes)


def person_sort_name(full_name: str | None) -> str:
    """`person_sort_key` as a string whose byte order is the same order: given name's letters, its
    tones (one digit each), then the full name's letters and tones, parts separated by a space, which
    sorts below every code character, so a shorter prefix comes first."""
    return sort_name_of_words([w for w in normalize_text(full_name).lower().split(" ") if w])


def sort_name_of_words(words: list[str]) -> str:
    """`person_sort_name` of a name already normalised, lowercased and split into words."""
    if not words:
        return ""
    given_letters, given_tones = _word_code(words[-1])
    full_letters, full_tones = _text_code(words)
    return f"{given_letters} {given_tones} {full_letters} {full_tones}"[:600]
