"""Which zone a page shows a conference's times in."""

from zoneinfo import ZoneInfo

from flask_login import current_user


def shown_zone(conference) -> ZoneInfo:
    """The user's own zone if they chose one in their settings, else the conference's."""
    if current_user.is_authenticated and current_user.timezone:
        return ZoneInfo(current_user.timezone)
    return conference.zone
