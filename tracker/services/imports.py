"""Applying an imported schedule to the database: create or update one conference in place.

One call, one transaction (the caller commits, or rolls back on any error), so a failed
import leaves nothing behind. Sessions are matched by the source's guid; a session that
left the source is cancelled, never deleted, so users' notes, plans and links stay.
"""

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..importers import IMPORTERS
from ..importers import ScheduleError
from ..importers import detect_format
from ..importers.base import ParsedSchedule
from ..importers.base import ParsedTalk
from ..models import Conference
from ..models import ImportRun
from ..models import Room
from ..models import Speaker
from ..models import Talk
from ..models import TalkChange
from ..models import TalkSpeaker
from ..models import Track
from ..models import User
from ..models import utcnow
from ..schedule import schedule_day
from .programme import set_speakers

#: the talk fields an import sets, compared to tell what changed
TEXT_FIELDS = ("title", "subtitle", "abstract", "description", "kind", "language", "status",
               "url", "slides_url", "video_url", "external_id")
#: a change to any of these moves the session in the attendee's day
MOVE_FIELDS = ("starts_at", "ends_at", "room")


@dataclass
class ImportReport:
    """What an import did, for the command line and the report page."""

    conference: Conference
    run: ImportRun
    created: bool
    added: list[str] = field(default_factory=list)
    #: (title, changed field names)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    moved: list[tuple[str, list[str]]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        run = self.run
        lines = [
            f"{'Created' if self.created else 'Updated'} {self.conference.name} "
            f"({self.conference.slug}) from {run.source} ({run.format}):",
            f"  {run.added} new, {run.changed} changed, {run.moved} moved, "
            f"{run.cancelled} cancelled, {run.unchanged} unchanged",
        ]
        lines += [f"  repaired: {repair}" for repair in run.repairs]
        lines += [f"  moved: {title} ({', '.join(fields)})" for title, fields in self.moved]
        lines += [f"  changed: {title} ({', '.join(fields)})" for title, fields in self.changed]
        lines += [f"  cancelled: {title}" for title in self.cancelled]
        return "\n".join(lines)


def parse_schedule(data: bytes, *, format: str | None = None, timezone: str | None = None,
                   slug: str | None = None) -> tuple[ParsedSchedule, str]:
    """Read `data` with the importer for `format` (detected from the content if None).

    :param timezone: the zone for floating times; for a re-import into `slug`, the
        conference's own zone by default
    :return: the schedule and the format's name
    :raise ScheduleError: if the data cannot be imported
    """
    if format is None:
        format = detect_format(data)
    elif format not in IMPORTERS:
        raise ScheduleError(f"unknown format “{format}”; known: {', '.join(IMPORTERS)}")
    existing = find_conference(slug) if slug else None
    if timezone is None and existing is not None:
        timezone = existing.timezone
    parsed = IMPORTERS[format].parse(data, timezone=timezone)
    if not parsed.talks:
        raise ScheduleError("the schedule holds no sessions")
    return parsed, format


def import_schedule(data: bytes, *, source: str, format: str | None = None,
                    timezone: str | None = None, slug: str | None = None,
                    user: User | None = None) -> ImportReport:
    """Parse `data` and save it, as the web form does; the caller commits.

    :param source: file name or URL, kept for the record and for re-imports
    :param slug: the conference to create or update; from the schedule's acronym or title if None
    :raise ScheduleError: if the data cannot be imported; nothing is written then
    """
    parsed, format = parse_schedule(data, format=format, timezone=timezone, slug=slug)
    return save_schedule(parsed, slug=slug or slug_for(parsed), source=source, format=format,
                         content_hash=content_hash(data), user=user)


def slug_for(parsed: ParsedSchedule) -> str:
    return slugify(parsed.acronym or parsed.title)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_conference(slug: str) -> Conference | None:
    return db.session.scalar(sa.select(Conference).where(Conference.slug == slug))


def slugify(text: str) -> str:
    """"36C3: Resource Exhaustion" -> "36c3-resource-exhaustion"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100].strip("-") or "conference"


def save_schedule(parsed: ParsedSchedule, *, slug: str, source: str, format: str,
                  content_hash: str, user: User | None = None,
                  progress: Callable[[int], None] | None = None) -> ImportReport:
    """Create or update the conference `slug` from `parsed`, in the current transaction.

    :param progress: called with 1 for each session saved
    """
    conference = find_conference(slug)
    created = conference is None
    if created:
        conference = Conference(slug=slug)
        db.session.add(conference)
    zone = ZoneInfo(parsed.timezone)
    day_change, day_repairs = choose_day_change(parsed.talks, zone)
    days = {schedule_day(talk.starts_at, zone, day_change) for talk in parsed.talks}
    conference.name = parsed.title
    conference.timezone = parsed.timezone
    conference.day_change = day_change
    conference.start_date = min(days | {parsed.start_date or min(days)})
    conference.end_date = max(days | {parsed.end_date or max(days)})
    if parsed.url:
        conference.url = parsed.url
    if parsed.venue:
        conference.venue = parsed.venue
    conference.source_format, conference.source_location = format, source
    conference.source_imported_at, conference.source_hash = utcnow(), content_hash
    db.session.flush()

    run = ImportRun(conference=conference, user=user, source=source, format=format,
                    content_hash=content_hash, repairs=list(parsed.repairs) + day_repairs)
    db.session.add(run)
    rooms = _sync_named(conference, Room, parsed.rooms, {})
    tracks = _sync_named(conference, Track, [track.name for track in parsed.tracks],
                         {track.name: {"color": track.color} for track in parsed.tracks if track.color})
    speakers = _sync_speakers(conference, parsed)
    report = ImportReport(conference=conference, run=run, created=created)
    _sync_talks(conference, parsed.talks, rooms, tracks, speakers, report, progress)
    db.session.flush()
    _drop_unused(conference, parsed)
    run.added, run.changed, run.moved = len(report.added), len(report.changed), len(report.moved)
    run.cancelled, run.unchanged = len(report.cancelled), report.unchanged
    db.session.flush()
    return report


def choose_day_change(talks: tuple[ParsedTalk, ...], zone: ZoneInfo) -> tuple[time, list[str]]:
    """The hour at which the schedule's days change, so that each session stays under the
    day the file lists it: one hour past the latest session that starts after midnight
    but belongs to the day before, else midnight."""
    late = [local.time() for talk in talks
            if talk.day is not None and (local := talk.starts_at.astimezone(zone)).date() > talk.day]
    if not late:
        return time(0), []
    day_change = time(min(max(late).hour + 1, 23))
    early = sum(1 for talk in talks if talk.day is not None
                and schedule_day(talk.starts_at, zone, day_change) != talk.day)
    repairs = [f"{early} sessions start before the day changes at {day_change:%H:%M} and are "
               "shown under the day before"] if early else []
    return day_change, repairs


def _sync_named(conference: Conference, model: type[Room] | type[Track], names, extra: dict):
    """Rooms or tracks by name, created where missing, in the schedule's order."""
    existing = {part.name: part for part in db.session.scalars(
        sa.select(model).where(model.conference_id == conference.id))}
    for position, name in enumerate(names):
        part = existing.get(name)
        if part is None:
            part = existing[name] = model(conference_id=conference.id, name=name)
            db.session.add(part)
        part.position = position
        for attribute, value in extra.get(name, {}).items():
            setattr(part, attribute, value)
    return existing


def _sync_speakers(conference: Conference, parsed: ParsedSchedule) -> dict[str, Speaker]:
    existing = {speaker.external_id: speaker for speaker in db.session.scalars(
        sa.select(Speaker).where(Speaker.conference_id == conference.id))}
    for person in parsed.speakers:
        speaker = existing.get(person.key)
        if speaker is None:
            speaker = existing[person.key] = Speaker(conference_id=conference.id, external_id=person.key)
            db.session.add(speaker)
        speaker.name = person.name
        for attribute in ("bio", "affiliation", "url"):
            if value := getattr(person, attribute):
                setattr(speaker, attribute, value)
    return existing


def _talk_values(parsed: ParsedTalk, rooms: dict[str, Room], tracks: dict[str, Track]) -> dict[str, Any]:
    values = {name: getattr(parsed, name) for name in TEXT_FIELDS}
    values["external_id"] = parsed.external_id
    values["starts_at"], values["ends_at"] = parsed.starts_at, parsed.ends_at
    values["room"] = rooms[parsed.room] if parsed.room else None
    values["track"] = tracks[parsed.track] if parsed.track else None
    values["links"] = [{"url": link.url, "title": link.title} for link in parsed.links]
    return values


def _current_values(talk: Talk) -> dict[str, Any]:
    values = {name: getattr(talk, name) for name in TEXT_FIELDS}
    values.update(starts_at=talk.starts_at, ends_at=talk.ends_at, room=talk.room,
                  track=talk.track, links=talk.links)
    return values


def _shown(value: Any) -> Any:
    """A field's old value as the change record keeps it (JSON)."""
    if isinstance(value, Room | Track):
        return value.name
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _sync_talks(conference, parsed_talks, rooms, tracks, speakers, report: ImportReport, progress) -> None:
    existing = {talk.guid: talk for talk in db.session.scalars(
        sa.select(Talk).where(Talk.conference_id == conference.id, Talk.guid.is_not(None))
        .options(selectinload(Talk.room), selectinload(Talk.track),
                 selectinload(Talk.speaker_links).selectinload(TalkSpeaker.speaker)))}
    run = report.run
    for parsed in parsed_talks:
        values = _talk_values(parsed, rooms, tracks)
        talk_speakers = [speakers[key] for key in parsed.speakers]
        talk = existing.pop(parsed.guid, None)
        if talk is None:
            talk = Talk(conference=conference, guid=parsed.guid, **values)
            db.session.add(talk)
            talk.speaker_links = [TalkSpeaker(speaker=speaker, position=position)
                                  for position, speaker in enumerate(talk_speakers)]
            run.changes.append(TalkChange(talk=talk, kind="added"))
            report.added.append(parsed.title)
        else:
            before = _current_values(talk)
            fields = [name for name, value in values.items() if before[name] != value]
            if [link.speaker for link in talk.speaker_links] != talk_speakers:
                fields.append("speakers")
                set_speakers(talk, talk_speakers)
            for name in fields:
                if name != "speakers":
                    setattr(talk, name, values[name])
            _record(report, talk, fields, before)
        if progress is not None:
            progress(1)
    for talk in existing.values():
        if talk.status != "cancelled":
            before = _current_values(talk)
            talk.status = "cancelled"
            _record(report, talk, ["status"], before)


def _record(report: ImportReport, talk: Talk, fields: list[str], before: dict[str, Any]) -> None:
    if not fields:
        report.unchanged += 1
        return
    if "status" in fields and talk.status == "cancelled":
        kind = "cancelled"
        report.cancelled.append(talk.title)
    elif any(name in MOVE_FIELDS for name in fields):
        kind = "moved"
        report.moved.append((talk.title, fields))
    elif "status" in fields:
        kind = "restored"
        report.changed.append((talk.title, fields))
    else:
        kind = "changed"
        report.changed.append((talk.title, fields))
    shown_before = {name: _shown(before[name]) for name in fields if name in before and name != "links"}
    report.run.changes.append(TalkChange(talk=talk, kind=kind, fields=fields, before=shown_before))


def _drop_unused(conference: Conference, parsed: ParsedSchedule) -> None:
    """Remove the rooms, tracks and speakers that left the schedule and that no session
    of the conference (a cancelled one included) still uses."""
    talks = sa.select(Talk.id).where(Talk.conference_id == conference.id)
    track_names = [track.name for track in parsed.tracks]
    for model, column, names in ((Room, Talk.room_id, parsed.rooms), (Track, Talk.track_id, track_names)):
        used = sa.select(column).where(Talk.conference_id == conference.id, column.is_not(None))
        db.session.execute(sa.delete(model).where(
            model.conference_id == conference.id, model.name.not_in(names), model.id.not_in(used)))
    linked = sa.select(TalkSpeaker.speaker_id).where(TalkSpeaker.talk_id.in_(talks))
    keys = [person.key for person in parsed.speakers]
    db.session.execute(sa.delete(Speaker).where(
        Speaker.conference_id == conference.id, Speaker.external_id.not_in(keys),
        Speaker.id.not_in(linked)))
