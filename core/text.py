"""Vietnamese text: normalise names on the way in, search keys without diacritics, alphabetical order.

People's names: NFC, trimmed, single spaces, and the tone mark placed by one rule (the traditional
placement: "Hòa", "Thủy", "Khỏe") so "Hoà"/"Hòa" and "Thuỷ"/"Thủy" are the same stored string; the
capitals and apostrophes of names like "H'Hen Niê" or "Ksor H'Lan" are kept. Official names (areas
from the national list) only get NFC and single spaces: "Xã Chiêm Hoá", "Phường Đăk BLa" stay as given.
Both match by `search_key`, which ignores case, diacritics and tone-mark placement.
"""

from __future__ import annotations

import contextlib
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
    text = unicodedata.normalize("NFD", clean_text(str(value)))
    text = _WORD.sub(lambda m: _place_tone(m.group(0)), text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


def normalize_official_name(value: str | None) -> str:
    """An official name (an area from the national list): NFC, trimmed, single spaces, nothing else."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", clean_text(str(value)))).strip()


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
    elif digits.startswith("84") and len(digits) in (11, 12):  # 84 + a mobile or a landline number
        digits = "0" + digits[2:]
    return digits


# Mobile numbers: 10 digits, 03x 05x 07x 08x 09x; landlines: 11 digits, 02 + area code (024, 0203, ...).
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")


def is_valid_phone(phone: str | None) -> bool:
    """A Vietnamese mobile (10 digits: 03, 05, 07, 08, 09 ...) or landline (11 digits: 02 ...) number
    after `normalize_phone`."""
    return bool(phone) and (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)) is not None


def has_phone_length(phone: str | None) -> bool:
    """10 or 11 digits starting with 0: the shape of a Vietnamese number, whatever its prefix."""
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


# ---------------------------------------------------------------- characters no one can see


# Line breaks and tabs become a space; these look blank but are letters or marks, so they go too.
_BREAKS = "\t\n\v\f\r\x85\u2028\u2029"
_BLANK_LOOKING = "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0"


class _Cleaning(dict):
    """str.translate table built on demand: code point -> " " (a break or an odd space), None (dropped:
    a control, format or surrogate character) or itself."""

    def __missing__(self, code: int):
        ch = chr(code)
        category = unicodedata.category(ch)
        if ch in _BREAKS or (category in ("Zs", "Zl", "Zp") and ch != " "):
            out = " "
        elif category in ("Cc", "Cf", "Cs") or ch in _BLANK_LOOKING:
            out = None
        else:
            out = code
        self[code] = out
        return out


_CLEANING = _Cleaning()
# ANSI/VT escape sequences: CSI (ESC [ ... final byte) and OSC (ESC ] ... BEL or ESC \).
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")


def clean_text(value: str | None) -> str:
    """Text minus what no one can see or type on purpose, for anything a person typed or a file brought in.

    Drops C0 and C1 control characters (ESC, BEL, NUL: PostgreSQL refuses NUL and openpyxl refuses most
    controls, so one of them would break the commune's export; a terminal escape sequence such as
    ESC [31m goes whole), Unicode format characters (the
    bidirectional overrides and isolates such as RLO U+202E that make text display reversed, zero-width
    space/joiners, word joiner, BOM, soft hyphen), lone surrogates and a few letters that render blank
    (Hangul fillers). Line breaks, tabs and odd spaces (no-break, ideographic) become a plain space.
    Everything else is kept as typed: NFC, tone marks and spaces are `normalize_text`'s job. A value that
    is empty after cleaning had nothing visible in it."""
    if value is None:
        return ""
    text = str(value)
    if text.isprintable():  # the usual case, checked in C: letters, marks, digits, punctuation, " "
        return text
    if "\x1b" in text:  # a terminal escape sequence goes whole, not just its ESC
        text = _ESCAPE_SEQUENCE.sub("", text)
    return text.translate(_CLEANING)


def clean_notes(value: str | None) -> str:
    """Free text kept on several lines (notes, reasons): each line cleaned like `clean_text`, trailing
    spaces and blank lines at both ends dropped."""
    if value is None:
        return ""
    lines = [clean_text(line).rstrip() for line in str(value).replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


# ---------------------------------------------------------------- citizen ID numbers


# A citizen identity card (CCCD) number: 12 digits: the province of birth (001-096), the century and
# sex (0-3 for 1900-2099), the year of birth (2 digits), 6 more; written whole or in groups of three.
# Such numbers must not be stored in this app.
_ID_NUMBER = re.compile(r"(?<!\d)0(?:0[1-9]|[1-8]\d|9[0-6])[ .]?[0-3]\d{2}[ .]?\d{3}[ .]?\d{3}(?!\d)")


def looks_like_id_number(value: str | None) -> bool:
    """True when the text holds what looks like a 12-digit citizen ID (CCCD) number."""
    return bool(value) and len(value) >= 12 and _ID_NUMBER.search(value) is not None


# ---------------------------------------------------------------- legacy Vietnamese encodings


# TCVN 5712 (TCVN3, the ".VnTime" ABC fonts): bytes 0x80-0xFF as Unicode (0x00-0x7F are ASCII).
_TCVN3_HIGH = (
    "\u00c0\u1ea2\u00c3\u00c1\u1ea0\u1eb6\u1eac\u00c8\u1eba\u1ebc\u00c9\u1eb8\u1ec6\u00cc\u1ec8\u0128"  # 0x80
    "\u00cd\u1eca\u00d2\u1ece\u00d5\u00d3\u1ecc\u1ed8\u1edc\u1ede\u1ee0\u1eda\u1ee2\u00d9\u1ee6\u0168"  # 0x90
    "\u00a0\u0102\u00c2\u00ca\u00d4\u01a0\u01af\u0110\u0103\u00e2\u00ea\u00f4\u01a1\u01b0\u0111\u1eb0"  # 0xA0
    "\u0300\u0309\u0303\u0301\u0323\u00e0\u1ea3\u00e3\u00e1\u1ea1\u1eb2\u1eb1\u1eb3\u1eb5\u1eaf\u1eb4"  # 0xB0
    "\u1eae\u1ea6\u1ea8\u1eaa\u1ea4\u1ec0\u1eb7\u1ea7\u1ea9\u1eab\u1ea5\u1ead\u00e8\u1ec2\u1ebb\u1ebd"  # 0xC0
    "\u00e9\u1eb9\u1ec1\u1ec3\u1ec5\u1ebf\u1ec7\u00ec\u1ec9\u1ec4\u1ebe\u1ed2\u0129\u00ed\u1ecb\u00f2"  # 0xD0
    "\u1ed4\u1ecf\u00f5\u00f3\u1ecd\u1ed3\u1ed5\u1ed7\u1ed1\u1ed9\u1edd\u1edf\u1ee1\u1edb\u1ee3\u00f9"  # 0xE0
    "\u1ed6\u1ee7\u0169\u00fa\u1ee5\u1eeb\u1eed\u1eef\u1ee9\u1ef1\u1ef3\u1ef7\u1ef9\u00fd\u1ef5\u1ed0"  # 0xF0
)
_TCVN3 = {0x80 + i: ch for i, ch in enumerate(_TCVN3_HIGH)}
_TOKEN = re.compile(r"[^\s\d,;:.!?\"'()\[\]/\\|=+*&%$#@<>_-]+")
_VIETNAMESE_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZđĐ") | TONE_MARKS | VOWEL_MARKS


def _reads_as_vietnamese(text: str) -> tuple[int, int]:
    """(words with a non-ASCII letter that read as Vietnamese, words that cannot): a Vietnamese
    syllable is Latin letters, đ, vowel marks and at most one tone mark."""
    good = bad = 0
    for word in _TOKEN.findall(text):
        if word.isascii():
            continue
        letters = unicodedata.normalize("NFD", word)
        tones = sum(ch in TONE_MARKS for ch in letters)
        if tones <= 1 and all(ch in _VIETNAMESE_CHARS for ch in letters):
            good += 1
        else:
            bad += 1
    return good, bad


def guess_legacy_encoding(data: bytes) -> str | None:
    """ "cp1258" (Windows-1258) or "tcvn3" when the bytes (not UTF-8) read as Vietnamese in that
    encoding, else None. Only the first 64 KiB are looked at."""
    sample = data[:65_536]
    candidates = []
    with contextlib.suppress(UnicodeDecodeError):  # a byte Windows-1258 leaves undefined
        candidates.append(("cp1258", sample.decode("cp1258")))
    candidates.append(("tcvn3", sample.decode("latin-1").translate(_TCVN3)))
    best: tuple[int, str] | None = None
    for name, text in candidates:
        good, bad = _reads_as_vietnamese(text)
        if good and good >= 3 * bad and (best is None or good - bad > best[0]):
            best = (good - bad, name)
    return best[1] if best else None
