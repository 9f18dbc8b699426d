"""One typed settings object, read from the environment (the variables the README's Configuration lists).

`get_settings()` reads the environment each time it is called (tests change it between cases) and
refuses a value it cannot use with `SettingsError`, whose message names the variable:
"IDLE_MINUTES must be a whole number of minutes (1 or more), got 'abc'". An unset or blank variable
takes its default. `app.py` and `manage.py` check the settings first and stop with that message.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE_URL = "http://127.0.0.1:8501"
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


class SettingsError(ValueError):
    """An environment variable holds a value the app cannot use; the message names the variable."""


def _whole_number(variable: str, unit: str, value: Any) -> int:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError(f"{variable} must be a whole number of {unit} (1 or more), got {str(value)!r}")
    return int(text)


class Settings(BaseSettings):
    """The installation's settings; frozen: read once per call of `get_settings()`."""

    model_config = SettingsConfigDict(
        frozen=True, case_sensitive=True, extra="ignore", env_file=None, validate_default=False
    )

    data_dir: Path = Field(PROJECT_ROOT / "data", validation_alias="DATA_DIR")
    # Unset: the SQLite file in data_dir (see `database_url`); checked by models.db when it is used.
    database_url_from_environment: str | None = Field(None, validation_alias="DATABASE_URL")
    auto_seed_demo: bool = Field(True, validation_alias="AUTO_SEED_DEMO")
    idle_minutes: int = Field(30, validation_alias="IDLE_MINUTES")
    token_hours: int = Field(12, validation_alias="TOKEN_HOURS")
    # Unset: DEFAULT_BASE_URL (see `app_base_url`); checked where QR codes are printed.
    app_base_url_from_environment: str | None = Field(None, validation_alias="APP_BASE_URL")

    # Sign-in policy: fixed, not read from the environment.
    lockout_attempts: ClassVar[int] = 5
    lockout_minutes: ClassVar[int] = 15
    min_password_length: ClassVar[int] = 10

    @model_validator(mode="before")
    @classmethod
    def _blank_means_unset(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @field_validator("idle_minutes", mode="before")
    @classmethod
    def _idle_minutes(cls, value: Any) -> int:
        return _whole_number("IDLE_MINUTES", "minutes", value)

    @field_validator("token_hours", mode="before")
    @classmethod
    def _token_hours(cls, value: Any) -> int:
        return _whole_number("TOKEN_HOURS", "hours", value)

    @field_validator("auto_seed_demo", mode="before")
    @classmethod
    def _auto_seed_demo(cls, value: Any) -> bool:
        word = str(value).strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValueError(
            f"AUTO_SEED_DEMO must be 1 or 0 (also true/false, yes/no, on/off), got {str(value)!r}"
        )

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: Any) -> Path:
        return Path(str(value).strip())

    @field_validator("database_url_from_environment", mode="before")
    @classmethod
    def _database_url(cls, value: Any) -> str | None:
        return None if value is None else str(value).strip()

    @field_validator("app_base_url_from_environment", mode="before")
    @classmethod
    def _app_base_url(cls, value: Any) -> str | None:
        return None if value is None else str(value).strip().rstrip("/") or None

    @property
    def database_url(self) -> str:
        return self.database_url_from_environment or default_sqlite_url(self.data_dir)

    @property
    def app_base_url(self) -> str:
        """APP_BASE_URL without a trailing slash, else DEFAULT_BASE_URL."""
        return self.app_base_url_from_environment or DEFAULT_BASE_URL

    @property
    def app_base_url_is_set(self) -> bool:
        """True when APP_BASE_URL is set (the default is a loopback address, not meant for QR codes)."""
        return self.app_base_url_from_environment is not None


# The environment variables Settings reads (its fields' aliases).
VARIABLES = tuple(field.validation_alias for field in Settings.model_fields.values())


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / '5b3h.sqlite'}"


def get_settings() -> Settings:
    """The settings as the environment says now; SettingsError (naming the variable) on a bad value."""
    return _settings_for(tuple(os.environ.get(name) for name in VARIABLES))


@lru_cache(maxsize=16)
def _settings_for(_values: tuple[str | None, ...]) -> Settings:
    """Parsed once per distinct set of values (callers read the settings often)."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError("; ".join(_message(error) for error in exc.errors())) from None


def _message(error: dict) -> str:
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, ValueError):
        return str(cause)
    variable = ".".join(str(part) for part in error["loc"])
    return f"{variable}: {error['msg']}"
