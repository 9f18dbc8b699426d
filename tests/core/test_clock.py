"""Vietnam's calendar day: a timestamp stored at 17:30 UTC is already the next day in Vietnam."""

from datetime import UTC, date, datetime, timedelta, timezone

from core.clock import local_day, week_start


def test_local_day_of_stored_timestamps():
    assert local_day(datetime(2026, 12, 3, 16, 59, tzinfo=UTC)) == date(2026, 12, 3)
    assert local_day(datetime(2026, 12, 3, 17, 30, tzinfo=UTC)) == date(2026, 12, 4)
    assert local_day(datetime(2026, 12, 3, 17, 30)) == date(2026, 12, 4)  # naive = UTC (SQLite)
    assert local_day(datetime(2026, 12, 4, 0, 30, tzinfo=timezone(timedelta(hours=7)))) == date(2026, 12, 4)
    assert week_start(date(2026, 12, 6)) == date(2026, 11, 30)
