"""The UI strings: gettext catalogues `locales/<lang>/LC_MESSAGES/messages.po`, read with Babel.

Message ids are stable keys ("visit.saved"); every key stands in the code as a literal (`t("...")`, or
`N_("...")` in `core.labels` for values the UI labels) so `pybabel extract` finds it. A catalogue is
compiled in memory on first use. Counted messages are gettext plural entries: Vietnamese has one form,
English two, chosen with ngettext from the `n` (else `count`) parameter."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
COUNT_PARAMS = ("n", "count")


@dataclass(frozen=True)
class Catalogue:
    """One language's compiled catalogue and the ids it holds (plural ones apart)."""

    translations: Translations
    keys: frozenset[str]
    plural_keys: frozenset[str]


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(lang: str) -> Catalogue:
    """The catalogue of `lang` (one of LANGS), compiled from its .po file once per process."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    with po_path(lang).open("rb") as po:
        source = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    keys = {message.id[0] if message.pluralizable else message.id for message in source if message.id}
    plural = {message.id[0] for message in source if message.id and message.pluralizable}
    return Catalogue(Translations(compiled, domain=DOMAIN), frozenset(keys), frozenset(plural))


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The message `key` in `lang`, formatted with `params`; an unknown key shows itself so a missing entry
    is visible, not fatal. A plural entry takes its form from the `n` (else `count`) parameter."""
    book = catalogue(lang if lang in LANGS else DEFAULT_LANG)
    if key in book.plural_keys:
        count = next((params[name] for name in COUNT_PARAMS if name in params), None)
        text = book.translations.ngettext(key, key, count if isinstance(count, int) else 2)
    else:
        text = book.translations.gettext(key)
    return text.format(**params) if params else text
