"""Timestamps of the index (UTC ISO 8601) shown in Hanoi local time, with a human 'how long ago'."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hub.panel.strings import t

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def parse_iso(value: str | None) -> datetime | None:
    """Parse an ISO 8601 timestamp of the index; naive values are UTC; ``None`` if unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def age_seconds(value: str | None, *, now: datetime) -> float | None:
    """Seconds between ``value`` and ``now`` (negative if in the future), ``None`` if unreadable."""
    parsed = parse_iso(value)
    return None if parsed is None else (now - parsed).total_seconds()


def local_time(value: str | None) -> str:
    """``dd/mm/yyyy HH:MM`` in Hanoi time, or an empty string."""
    parsed = parse_iso(value)
    if parsed is None:
        return value or ""
    return parsed.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def relative(value: str | None, *, now: datetime) -> str:
    """How long ago ``value`` was, in words (``5 phút trước``)."""
    age = age_seconds(value, now=now)
    if age is None:
        return t("device.never")
    if age < -60:
        return t("time.in_future")
    if age < 60:
        return t("time.just_now")
    if age < 3600:
        return t("time.minutes_ago", n=int(age // 60))
    if age < 86400:
        return t("time.hours_ago", n=int(age // 3600))
    return t("time.days_ago", n=int(age // 86400))


def human(value: str | None, *, now: datetime | None = None) -> str:
    """Local time plus the relative age, e.g. ``14:03 27/11/2025 (5 phút trước)``."""
    if not value:
        return t("device.never")
    now = now or datetime.now(UTC)
    return f"{local_time(value)} ({relative(value, now=now)})"


def local_date(value: str | None) -> str:
    """``dd/mm/yyyy`` for a date (``2025-11-27``) or a timestamp, or the raw value if unreadable."""
    if not value:
        return ""
    if len(value) == 10:
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    parsed = parse_iso(value)
    return parsed.astimezone(LOCAL_TZ).strftime("%d/%m/%Y") if parsed else value


def today_local() -> date:
    """Today's date in Hanoi."""
    return datetime.now(LOCAL_TZ).date()
