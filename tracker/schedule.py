"""Reading a programme: plain functions over talks, no requests or sessions."""

from collections.abc import Iterable
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Conference
from .models import Talk


def schedule_day(moment: datetime, zone: ZoneInfo, day_change: time = time(0)) -> date:
    """The conference day an instant belongs to: its date in `zone`, where each day runs
    from `day_change` to `day_change` (a 01:00 session with day_change 04:00 belongs to
    the day before)."""
    return (moment.astimezone(zone) - timedelta(hours=day_change.hour, minutes=day_change.minute)).date()


def group_by_day(talks: Iterable[Talk], zone: ZoneInfo, day_change: time = time(0)) -> list[tuple[date, list[Talk]]]:
    """Talks by the conference day they start on, each day in time order."""
    ordered = sorted(talks, key=lambda talk: (talk.starts_at, talk.ends_at, talk.id))
    return [(day, list(day_talks)) for day, day_talks in groupby(
        ordered, key=lambda talk: schedule_day(talk.starts_at, zone, day_change))]


def programme(conference: Conference) -> list[Talk]:
    """All of a conference's talks in time order, with what a listing shows loaded up front."""
    return list(db.session.scalars(
        sa.select(Talk)
        .where(Talk.conference_id == conference.id)
        .options(joinedload(Talk.room), joinedload(Talk.track), selectinload(Talk.speakers))
        .order_by(Talk.starts_at, Talk.ends_at, Talk.id)))
