"""Time in one place: aware UTC for timestamps, Vietnam's calendar day for visits and follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

VN_OFFSET = timedelta(hours=7)


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return (utcnow() + VN_OFFSET).date()


def local_day(moment: datetime) -> date:
    """The day in Vietnam of a stored timestamp (naive ones are UTC, as SQLite gives them back)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment.astimezone(UTC) + VN_OFFSET).date()


def week_start(day: date) -> date:
    """Monday of the ISO week holding `day` (weekly series are keyed by it)."""
    return day - timedelta(days=day.weekday())
