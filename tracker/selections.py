"""Choosing what to export: a conference (or one track or day of it), one session, or a
user's agenda, loaded in a constant number of queries."""

from datetime import date
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .exporters import Selection
from .extensions import db
from .models import AgendaEntry
from .models import AgendaRemoval
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


def agenda_selection(user: User, base_url: str, *, only_going: bool = False) -> Selection:
    """The user's agenda across conferences, as a subscription feed: going (and attended)
    sessions confirmed, maybe ones tentative (or, with `only_going`, cancelled), and those
    they skipped or took out cancelled, so that calendar apps remove them."""
    talk_options = (selectinload(Talk.conference), selectinload(Talk.room), selectinload(Talk.track),
                    selectinload(Talk.speakers))
    entries = db.session.scalars(
        sa.select(AgendaEntry).where(AgendaEntry.user_id == user.id)
        .options(selectinload(AgendaEntry.talk).options(*talk_options),
                 selectinload(AgendaEntry.replaced_talk))).all()
    # a session taken out and back in by a backup stepping in has both: the entry counts
    removals = db.session.scalars(
        sa.select(AgendaRemoval).where(AgendaRemoval.user_id == user.id,
                                       AgendaRemoval.talk_id.not_in([entry.talk_id for entry in entries]))
        .options(selectinload(AgendaRemoval.talk).options(*talk_options))).all()
    plans = {removal.talk_id: ("dropped", "Not in your agenda any more.") for removal in removals}
    stand_ins = {entry.replaced_talk_id: entry.talk.title for entry in entries
                 if entry.replaced_talk_id is not None and entry.status != "skipped"}
    for entry in entries:
        plans[entry.talk_id] = feed_plan(entry, only_going, stand_ins)
    talks = sorted([*(entry.talk for entry in entries), *(removal.talk for removal in removals)],
                   key=lambda talk: (talk.starts_at, talk.id))
    zones = [talk.conference.timezone for talk in talks]
    return Selection(
        title=f"{user.label}: my agenda", talks=talks, talk_url=talk_url_for(base_url),
        timezone=user.timezone or (zones[-1] if zones else "UTC"), feed=True,
        agenda={talk_id: plan for talk_id, (plan, _) in plans.items()},
        agenda_notes={talk_id: note for talk_id, (_, note) in plans.items() if note},
        reminder_minutes=user.reminder_minutes, moves=latest_moves([talk.id for talk in talks]),
        updated_at=last_change([*talks, *entries]))


def feed_plan(entry: AgendaEntry, only_going: bool, stand_ins: dict[int, str]) -> tuple[str, str]:
    """How the feed holds an entry, "going", "maybe" or "dropped", and why, if it says.

    :param stand_ins: the titles of backups that took a session's place, by its talk id
    """
    if entry.status == "skipped":
        if entry.talk_id in stand_ins:
            return "dropped", f"Your backup “{stand_ins[entry.talk_id]}” takes its place."
        return "dropped", "You skip it."
    if entry.status == "maybe" and only_going:
        return "dropped", ""
    note = f"Your backup, in place of “{entry.replaced_talk.title}”." if entry.replaced_talk else ""
    return ("maybe" if entry.status == "maybe" else "going"), note


def last_change(rows) -> datetime | None:
    return max((row.updated_at for row in rows), default=None)


def latest_moves(talk_ids: list[int]) -> dict[int, TalkChange]:
    """Each session's most recent move by a re-import, for "it was at ..." notes."""
    moves = db.session.scalars(
        sa.select(TalkChange).join(ImportRun)
        .where(TalkChange.talk_id.in_(talk_ids), TalkChange.kind == "moved")
        .order_by(ImportRun.created_at, TalkChange.id))
    return {move.talk_id: move for move in moves}
