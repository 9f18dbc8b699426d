"""The UI catalogues (locales/<lang>/LC_MESSAGES/messages.po) against the code: every key the code uses is
in both languages, nothing in them is unused, and no key is built at run time (pybabel must see them all)."""

from __future__ import annotations

import ast
import logging
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po

from core.i18n import LANGS, po_path, t

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("app.py", "manage.py", "core", "models", "services", "webui", "pages", "cli", "demo")
# The calls whose first (or named) argument is a catalogue key; the same list goes to `pybabel extract -k`.
KEYWORDS = {
    "t": None,
    "say": None,  # cli.common.say: the command line's messages
    "N_": None,
    "AppError": None,
    "PermissionDenied": None,
    "NotFound": None,
    "FieldProblem": (2,),
}
KEY_FUNCTIONS = {"t", "say", "N_"}


def source_files() -> list[Path]:
    files: list[Path] = []
    for name in SOURCES:
        path = ROOT / name
        files.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return files


def used_keys() -> dict[str, str]:
    """Every key pybabel's Python extractor finds, with where it was first seen."""
    used: dict[str, str] = {}
    logging.getLogger("babel").setLevel(logging.ERROR)  # f-strings that are not keys are fine
    for path in source_files():
        with path.open("rb") as source:
            for lineno, message, _comments, _context in extract("python", source, keywords=KEYWORDS):
                key = message if isinstance(message, str) else message[0]
                used.setdefault(key, f"{path.relative_to(ROOT)}:{lineno}")
    return used


def catalogue_entries(lang: str) -> dict[str, tuple[str, ...]]:
    with po_path(lang).open("rb") as po:
        catalogue = read_po(po, locale=lang)
    return {
        (m.id[0] if m.pluralizable else m.id): (tuple(m.string) if m.pluralizable else (m.string,))
        for m in catalogue
        if m.id
    }


def called_name(call: ast.Call) -> str | None:
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)


@pytest.fixture(scope="module")
def used() -> dict[str, str]:
    return used_keys()


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_the_code_uses_is_in_the_catalogue(used, lang):
    entries = catalogue_entries(lang)
    missing = {key: where for key, where in used.items() if key not in entries}
    assert not missing, f"missing from {lang}: {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_catalogue_holds_no_key_nothing_uses(used, lang):
    unused = sorted(set(catalogue_entries(lang)) - set(used))
    assert not unused, f"unused in {lang}: {unused}"


def test_no_key_is_built_at_run_time_or_hidden_in_an_f_string():
    """`t(f"skill.{s}")` or `t("skill." + s)` cannot be extracted; nor can a `t()` inside an f-string
    (Python 3.11's tokenizer hands pybabel an f-string as one token)."""
    problems = []
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Call)
                and called_name(node) in KEY_FUNCTIONS
                and node.args
                and isinstance(node.args[0], ast.JoinedStr | ast.BinOp)
            ):
                problems.append(f"{where} builds its key")
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Call) and called_name(inner) in KEY_FUNCTIONS:
                        problems.append(
                            f"{path.relative_to(ROOT)}:{inner.lineno} calls t() inside an f-string"
                        )
    assert not problems, problems


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_entries_and_placeholders():
    vi, en = catalogue_entries("vi"), catalogue_entries("en")
    assert list(vi) == list(en)
    for key in vi:
        assert all(vi[key]) and all(en[key]), f"{key} is untranslated"
        assert len(vi[key]) == 1, f"{key}: Vietnamese has one plural form"
        assert len(en[key]) in (1, 2), key
        assert all(placeholders(text) == placeholders(vi[key][0]) for text in en[key]) or len(en[key]) == 2, (
            key
        )


def test_plural_entries_count_with_the_n_or_count_parameter():
    for key, forms in catalogue_entries("en").items():
        if len(forms) == 2:
            names = placeholders(forms[1])
            assert names & {"n", "count"}, f"{key} is plural but has no n/count placeholder"


@pytest.mark.parametrize(
    ("key", "n", "english"),
    [
        ("journey.residents_n", 1, "1 person"),
        ("journey.residents_n", 3, "3 people"),
        ("journey.residents_n", 0, "0 people"),
        ("err.validation", 1, "1 entry is not valid."),
        ("err.validation", 2, "2 entries are not valid."),
    ],
)
def test_english_plurals(key, n, english):
    param = "n" if "n" in placeholders(catalogue_entries("en")[key][-1]) else "count"
    assert t(key, "en", **{param: n}) == english
    assert t(key, "vi", **{param: 1}) == t(key, "vi", **{param: 2}).replace(
        "2", "1"
    )  # Vietnamese has one form


def test_an_unknown_key_shows_itself():
    assert t("no.such.key", "vi") == "no.such.key"
