"""Resident sort_name: Vietnamese alphabetical order as an indexed, byte-comparable column.

Revision ID: 0002
Revises: 0001
"""

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    # Byte order is what the encoding relies on: PostgreSQL must not apply a locale collation.
    collation = "C" if bind.dialect.name == "postgresql" else None
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_name", sa.String(length=600, collation=collation), nullable=True))
    # Fill existing rows with the frozen copy below of the application's function at this revision.
    resident = sa.table("resident", sa.column("id", sa.Integer), sa.column("full_name", sa.String))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(resident.c.id, resident.c.full_name)
            .where(resident.c.id > last_id)
            .order_by(resident.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            sa.text("UPDATE resident SET sort_name = :s WHERE id = :i"),
            [{"s": person_sort_name(name), "i": rid} for rid, name in rows],
        )
        last_id = rows[-1][0]
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index("ix_resident_sort_name", ["sort_name", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_sort_name")
        batch_op.drop_column("sort_name")


# ---------------------------------------------------------------- frozen copy (revision 0002)
# The Vietnamese order as the application computed it when this revision was written. A revision never
# imports application code, which may change under it.


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng


TONE_ORDER = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


VOWEL_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex (â ê ô), breve (ă), horn (ơ ư)


VOWELS = set("aeiouyAEIOUY")


_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


_SPACES = re.compile(r"\s+")


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


def sort_key(value: str | None) -> tuple:
    """Vietnamese alphabetical order: letters first (ă after a, đ after d, ...), tones break ties."""
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
