"""Time-zone rules: aware UTC inside, the conference's (or viewer's) zone on the outside."""

from datetime import UTC
from datetime import date
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo
from zoneinfo import available_timezones


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change, such as 02:30 on a spring-forward night."""


@cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone(name: str) -> bool:
    return name in zone_names()


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Read a naive wall-clock time in `zone` and return it as aware UTC.

    An ambiguous time (the hour repeated when clocks go back) is taken as its first
    occurrence; a time that never happened is refused.
    """
    aware = local.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local:
        raise NonexistentLocalTime(
            f"{local:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks skip it")
    return utc


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
