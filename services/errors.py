"""Errors the services raise; each carries a catalogue key so the UI can say it in the user's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.labels import N_


class AppError(Exception):
    """A refusal the user should read. `key` names a message in `core.i18n`."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str = "vi") -> str:
        from core.i18n import t

        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")


class PermissionDenied(AppError):
    """The actor may not touch this (wrong role or outside their area)."""

    def __init__(self, key: str = N_("err.forbidden"), **params: object) -> None:
        super().__init__(key, **params)


class NotFound(AppError):
    def __init__(self, key: str = N_("err.not_found"), **params: object) -> None:
        super().__init__(key, **params)


@dataclass
class FieldProblem:
    """What is wrong with one field (or one cell of one row of an import)."""

    field: str
    key: str
    params: dict = field(default_factory=dict)
    line: int | None = None

    def message(self, lang: str = "vi") -> str:
        from core.i18n import t

        return t(self.key, lang, **self.params)


class ValidationFailed(AppError):
    """One or more fields are wrong; nothing was written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(N_("err.validation"), count=len(problems))
        self.problems = problems

    def for_field(self, name: str) -> list[FieldProblem]:
        return [p for p in self.problems if p.field == name]

    def __str__(self) -> str:
        return "; ".join(
            (f"line {p.line}: " if p.line else "") + f"{p.field}: {p.message('en')}" for p in self.problems
        )


class PossibleDuplicates(AppError):
    """The person being added may already be listed (same name and birth year, or same phone, in the
    commune); nothing was written. `matches` are the likely duplicates (`likely_duplicates`); a caller
    that showed them and was told to go on calls again with `allow_duplicates=True`."""

    def __init__(self, matches: list) -> None:
        super().__init__("journey.duplicate_warning")
        self.matches = matches
