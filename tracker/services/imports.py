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
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..extensions import db
from ..importers import IMPORTERS
from ..importers import ScheduleError
from ..importers import detect_format
from ..importers.base import ParsedSchedule
from ..importers.base import ParsedTalk
from ..importers.base import tidy
from ..models import Conference
from ..models import ImportRun
from ..models import SEQUENCED_FIELDS
from ..models import Room
from ..models import Speaker
from ..models import Talk
from ..models import TalkChange
from ..models import TalkSpeaker
from ..models import Track
from ..models import User
from ..models import utcnow
from ..schedule import schedule_day
from ..search import search_document
from .agenda import apply_backups

#: the talk fields an import copies as they are
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
    parsed = tidy(IMPORTERS[format].parse(data, timezone=timezone))
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
    db.session.flush()
    report = ImportReport(conference=conference, run=run, created=created)
    speaker_ids = _sync_speakers(conference, parsed)
    _sync_talks(conference, parsed, {name: room.id for name, room in rooms.items()},
                {name: track.id for name, track in tracks.items()}, speaker_ids, report, progress)
    _drop_unused(conference, parsed)
    run.added, run.changed, run.moved = len(report.added), len(report.changed), len(report.moved)
    run.cancelled, run.unchanged = len(report.cancelled), report.unchanged
    apply_backups(run)
    db.session.flush()
    refresh_statistics()
    # the bulk statements went around the ORM: make loaded objects read the new rows
    db.session.expire_all()
    return report


#: the tables an import fills in bulk, whose statistics the query planner relies on
IMPORTED_TABLES = ("talk", "speaker", "talk_speaker", "room", "track")


def refresh_statistics() -> None:
    """Let SQLite's query planner see the imported rows: without statistics it picks poor
    plans for the agenda's slot queries (FOSDEM: about 400 ms instead of 20), and it never
    gathers them by itself. PostgreSQL's autovacuum does, within a minute of an import."""
    if db.session.get_bind().dialect.name == "sqlite":
        for table in IMPORTED_TABLES:
            db.session.execute(sa.text(f"ANALYZE {table}"))


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


def _sync_speakers(conference: Conference, parsed: ParsedSchedule) -> dict[str, int]:
    """Create and update the schedule's speakers in bulk; their ids by ParsedSpeaker key."""
    columns = ("name", "bio", "affiliation", "url")
    existing = {row.external_id: row for row in db.session.execute(
        sa.select(Speaker.id, Speaker.external_id, *(getattr(Speaker, c) for c in columns))
        .where(Speaker.conference_id == conference.id))}
    ids = {key: row.id for key, row in existing.items()}
    new, updates = [], []
    for person in parsed.speakers:
        # an empty field in the file never erases what the conference already has
        values = {"name": person.name, **{c: getattr(person, c) for c in columns[1:] if getattr(person, c)}}
        row = existing.get(person.key)
        if row is None:
            new.append({"bio": "", "affiliation": "", "url": "", **values,
                        "conference_id": conference.id, "external_id": person.key})
        elif any(getattr(row, c) != v for c, v in values.items()):
            updates.append({"id": row.id, **{c: values.get(c, getattr(row, c)) for c in columns}})
    if new:
        inserted = db.session.execute(
            sa.insert(Speaker).returning(Speaker.id, Speaker.external_id, sort_by_parameter_order=True), new)
        ids.update({row.external_id: row.id for row in inserted})
    if updates:
        db.session.execute(sa.update(Speaker), updates)
    return ids


#: the talk columns an import sets, compared to tell what changed
TALK_COLUMNS = TEXT_FIELDS + ("starts_at", "ends_at", "room_id", "track_id", "links", "search_text")
#: kept in step with the others, but no change a user is told about
UNREPORTED = frozenset({"search_text"})
#: what the change records and reports call them
FIELD_NAMES = {"room_id": "room", "track_id": "track"}


def _talk_values(parsed: ParsedTalk, room_ids: dict[str, int], track_ids: dict[str, int],
                 speaker_names: dict[str, str]) -> dict[str, Any]:
    values = {name: getattr(parsed, name) for name in TEXT_FIELDS}
    values["search_text"] = search_document(parsed.title, parsed.subtitle, parsed.abstract,
                                            (speaker_names[key] for key in parsed.speakers))
    values["starts_at"], values["ends_at"] = parsed.starts_at, parsed.ends_at
    values["room_id"] = room_ids[parsed.room] if parsed.room else None
    values["track_id"] = track_ids[parsed.track] if parsed.track else None
    values["links"] = [{"url": link.url, "title": link.title} for link in parsed.links]
    return values


def _sync_talks(conference, parsed: ParsedSchedule, room_ids, track_ids, speaker_ids,
                report: ImportReport, progress) -> None:
    """Insert, update and cancel sessions with a few bulk statements, recording each change."""
    existing = {row["guid"]: row for row in db.session.execute(
        sa.select(Talk.id, Talk.guid, Talk.sequence, *(getattr(Talk, c) for c in TALK_COLUMNS))
        .where(Talk.conference_id == conference.id, Talk.guid.is_not(None))).mappings()}
    current_speakers: dict[int, list[int]] = {}
    for talk_id, speaker_id in db.session.execute(
            sa.select(TalkSpeaker.talk_id, TalkSpeaker.speaker_id).join(Talk)
            .where(Talk.conference_id == conference.id).order_by(TalkSpeaker.talk_id, TalkSpeaker.position)):
        current_speakers.setdefault(talk_id, []).append(speaker_id)
    room_names = {room_id: name for name, room_id in room_ids.items()}
    track_names = {track_id: name for name, track_id in track_ids.items()}
    recorder = _ChangeRecorder(report, room_names, track_names)

    new, new_speakers, updates, relinked = [], {}, [], {}
    speaker_names = {person.key: person.name for person in parsed.speakers}
    for talk in parsed.talks:
        values = _talk_values(talk, room_ids, track_ids, speaker_names)
        speakers = [speaker_ids[key] for key in talk.speakers]
        row = existing.pop(talk.guid, None)
        if row is None:
            new.append({**values, "conference_id": conference.id, "guid": talk.guid})
            new_speakers[talk.guid] = speakers
            recorder.added(talk.guid, talk.title)
        else:
            differ = [name for name, value in values.items() if row[name] != value]
            fields = [name for name in differ if name not in UNREPORTED]
            if current_speakers.get(row["id"], []) != speakers:
                relinked[row["id"]] = speakers
                fields.append("speakers")
            if differ or fields:
                updates.append({"id": row["id"], **values, "sequence": next_sequence(row, fields)})
            recorder.compared(row, values["status"], talk.title, fields)
        if progress is not None:
            progress(1)
    cancelled = [row for row in existing.values() if row["status"] != "cancelled"]
    for row in cancelled:
        recorder.compared(row, "cancelled", row["title"], ["status"])

    talk_ids = {}
    if new:
        # a plain executemany, its ids read after: with RETURNING, SQLAlchemy sends the rows
        # as statements of a thousand VALUES each, which psycopg re-parses placeholder by
        # placeholder (13,510 sessions on PostgreSQL: 7 s; this way 2)
        db.session.execute(sa.insert(Talk), new)
        new_guids = {row["guid"] for row in new}
        talk_ids = {guid: talk_id for guid, talk_id in db.session.execute(
            sa.select(Talk.guid, Talk.id).where(Talk.conference_id == conference.id)) if guid in new_guids}
    if updates:
        db.session.execute(sa.update(Talk), updates)
    if cancelled:
        db.session.execute(sa.update(Talk), [{"id": row["id"], "status": "cancelled", "sequence": row["sequence"] + 1}
                                             for row in cancelled])
    if relinked:
        db.session.execute(sa.delete(TalkSpeaker).where(TalkSpeaker.talk_id.in_(relinked)))
    links = [{"talk_id": talk_ids[guid], "speaker_id": speaker_id, "position": position}
             for guid, speakers in new_speakers.items() for position, speaker_id in enumerate(speakers)]
    links += [{"talk_id": talk_id, "speaker_id": speaker_id, "position": position}
              for talk_id, speakers in relinked.items() for position, speaker_id in enumerate(speakers)]
    if links:
        db.session.execute(sa.insert(TalkSpeaker), links)
    recorder.save(talk_ids)


def next_sequence(row, fields: list[str]) -> int:
    """The session's iCalendar SEQUENCE after these fields changed."""
    return row["sequence"] + 1 if any(name in SEQUENCED_FIELDS for name in fields) else row["sequence"]


class _ChangeRecorder:
    """Sorts each session's changes into the report and keeps them as TalkChange rows."""

    def __init__(self, report: ImportReport, room_names: dict[int, str], track_names: dict[int, str]):
        self.report, self.room_names, self.track_names = report, room_names, track_names
        self.rows: list[dict[str, Any]] = []

    def added(self, guid: str, title: str) -> None:
        """A new session; its row id is known only once it is inserted, so keep its guid."""
        self.report.added.append(title)
        self.rows.append({"talk_id": None, "guid": guid, "kind": "added", "fields": [], "before": {}})

    def compared(self, row, new_status: str, title: str, fields: list[str]) -> None:
        """Record how an existing session (`row`, as it was) changed, if it did."""
        report = self.report
        if not fields:
            report.unchanged += 1
            return
        names = [FIELD_NAMES.get(name, name) for name in fields]
        if "status" in fields and new_status == "cancelled":
            kind = "cancelled"
            report.cancelled.append(title)
        elif any(name in MOVE_FIELDS for name in names):
            kind = "moved"
            report.moved.append((title, names))
        else:
            kind = "restored" if "status" in fields else "changed"
            report.changed.append((title, names))
        before = {FIELD_NAMES.get(name, name): self._shown(name, row[name])
                  for name in fields if name not in ("speakers", "links")}
        self.rows.append({"talk_id": row["id"], "guid": None, "kind": kind, "fields": names, "before": before})

    def _shown(self, name: str, value: Any) -> Any:
        """A field's old value as the change record keeps it (JSON)."""
        if name == "room_id":
            return self.room_names.get(value)
        if name == "track_id":
            return self.track_names.get(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    def save(self, new_talk_ids: dict[str, int]) -> None:
        """Insert the change records, now that new sessions have ids."""
        db.session.flush()  # gives the run its id
        rows = [{"import_run_id": self.report.run.id,
                 "talk_id": row["talk_id"] or new_talk_ids[row["guid"]],
                 "kind": row["kind"], "fields": row["fields"], "before": row["before"]}
                for row in self.rows]
        if rows:
            db.session.execute(sa.insert(TalkChange), rows)


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
