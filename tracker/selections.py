"""Choosing what to export: a conference (or one track or day of it), one session, or a
user's agenda, loaded in a constant number of queries."""

from datetime import date
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .exporters import Selection
from .extensions import db
from .models import AgendaEntry
from .models import Conference
from .models import ImportRun
from .models import Talk
from .models import TalkChange
from .models import User
from .schedule import programme
from .schedule import schedule_day


def talk_url_for(base_url: str):
    """Absolute links to session pages under `base_url` (e.g. "https://tracker.example.org")."""
    base = base_url.rstrip("/")
    return lambda talk: f"{base}/c/{talk.conference.slug}/talks/{talk.id}"


def conference_selection(conference: Conference, base_url: str, *, track: str | None = None,
                         day: date | None = None, feed: bool = False) -> Selection:
    """A conference's sessions, or those of one track and/or one conference day."""
    talks = programme(conference)
    title = conference.name
    if track is not None:
        talks = [talk for talk in talks if talk.track is not None and talk.track.name == track]
        title += f": {track}"
    if day is not None:
        talks = [talk for talk in talks
                 if schedule_day(talk.starts_at, conference.zone, conference.day_change) == day]
        title += f", {day:%A %-d %B}"
    return Selection(title=title, talks=talks, talk_url=talk_url_for(base_url), conference=conference,
                     timezone=conference.timezone, feed=feed, updated_at=last_change(talks))


def talk_selection(talk: Talk, base_url: str) -> Selection:
    return Selection(title=talk.title, talks=[talk], talk_url=talk_url_for(base_url),
                     conference=talk.conference, timezone=talk.conference.timezone,
                     updated_at=talk.updated_at)


def agenda_selection(user: User, base_url: str, *, statuses=("going", "maybe")) -> Selection:
    """The user's agenda across conferences, as a subscription feed."""
    entries = db.session.scalars(
        sa.select(AgendaEntry).join(Talk, AgendaEntry.talk_id == Talk.id)
        .where(AgendaEntry.user_id == user.id, AgendaEntry.status.in_(statuses))
        .options(selectinload(AgendaEntry.talk).options(
            selectinload(Talk.conference), selectinload(Talk.room), selectinload(Talk.track),
            selectinload(Talk.speakers)))
        .order_by(Talk.starts_at, Talk.id)).all()
    talks = [entry.talk for entry in entries]
    zones = [talk.conference.timezone for talk in talks]
    return Selection(
        title=f"{user.label}: my agenda", talks=talks, talk_url=talk_url_for(base_url),
        timezone=user.timezone or (zones[-1] if zones else "UTC"), feed=True,
        agenda={entry.talk_id: entry.status for entry in entries},
        reminder_minutes=user.reminder_minutes, moves=latest_moves([talk.id for talk in talks]),
        updated_at=last_change([*talks, *entries]))


def last_change(rows) -> datetime | None:
    return max((row.updated_at for row in rows), default=None)


def latest_moves(talk_ids: list[int]) -> dict[int, TalkChange]:
    """Each session's most recent move by a re-import, for "it was at ..." notes."""
    moves = db.session.scalars(
        sa.select(TalkChange).join(ImportRun)
        .where(TalkChange.talk_id.in_(talk_ids), TalkChange.kind == "moved")
        .order_by(ImportRun.created_at, TalkChange.id))
    return {move.talk_id: move for move in moves}
