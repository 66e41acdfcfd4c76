"""Campaign calendar: local dates and month keys from aware UTC instants (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache


@cache  # called several times per action on the server's hot path; there are only a few offsets
def campaign_tz(offset_minutes: int) -> timezone:
    """A fixed-offset zone; Asia/Shanghai has had no DST since 1991, so +08:00 is exact."""
    return timezone(timedelta(minutes=offset_minutes))


def require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("rules need an aware datetime (with tzinfo)")
    return now


def local_date(now: datetime, offset_minutes: int) -> date:
    return require_aware(now).astimezone(campaign_tz(offset_minutes)).date()


def month_key(now: datetime, offset_minutes: int) -> str:
    """'YYYY-MM' of the campaign-local month containing ``now``."""
    d = local_date(now, offset_minutes)
    return f"{d.year:04d}-{d.month:02d}"


def month_bounds(key: str, offset_minutes: int) -> tuple[datetime, datetime]:
    """UTC [start, end) of a campaign-local month."""
    year, month = (int(p) for p in key.split("-"))
    tz = campaign_tz(offset_minutes)
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)
