"""One typed settings object, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw and raw.strip() else default


@dataclass(frozen=True)
class Settings:
    database_url: str
    auto_seed_demo: bool = True
    idle_minutes: int = 30
    token_hours: int = 12
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    min_password_length: int = 10
    app_base_url: str = "http://127.0.0.1:8501"
    data_dir: Path = field(default=PROJECT_ROOT / "data")


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / '5b3h.sqlite'}"


def get_settings() -> Settings:
    """Read the settings now (tests change the environment between cases)."""
    data_dir = Path(os.environ.get("DATA_DIR") or PROJECT_ROOT / "data")
    url = os.environ.get("DATABASE_URL", "").strip() or default_sqlite_url(data_dir)
    return Settings(
        database_url=url,
        auto_seed_demo=_bool("AUTO_SEED_DEMO", True),
        idle_minutes=_int("IDLE_MINUTES", 30),
        token_hours=_int("TOKEN_HOURS", 12),
        app_base_url=os.environ.get("APP_BASE_URL", "http://127.0.0.1:8501").rstrip("/"),
        data_dir=data_dir,
    )
