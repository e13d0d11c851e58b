"""Reading a programme: plain functions over talks, no requests or sessions."""

from collections.abc import Iterable
from datetime import date
from itertools import groupby
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Conference
from .models import Talk


def group_by_day(talks: Iterable[Talk], zone: ZoneInfo) -> list[tuple[date, list[Talk]]]:
    """Talks by the day they start on in `zone`, each day in time order."""
    ordered = sorted(talks, key=lambda talk: (talk.starts_at, talk.ends_at, talk.id))
    return [(day, list(day_talks))
            for day, day_talks in groupby(ordered, key=lambda talk: talk.starts_at.astimezone(zone).date())]


def programme(conference: Conference) -> list[Talk]:
    """All of a conference's talks in time order, with what a listing shows loaded up front."""
    return list(db.session.scalars(
        sa.select(Talk)
        .where(Talk.conference_id == conference.id)
        .options(selectinload(Talk.room), selectinload(Talk.track), selectinload(Talk.speakers))
        .order_by(Talk.starts_at, Talk.ends_at, Talk.id)))
