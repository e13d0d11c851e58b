"""What the frab XML and frab JSON exports share: one ScheduleData, built once from a Selection.

The frab schedule (c3voc's schema, read by Giggity, ConfClerk, the FOSDEM apps and
EventFahrplan) is a conference, its days and, under each day, the rooms used that day with
their events. Choices that both formats follow:

- Cancelled sessions are left out, as frab and pretalx leave out what will not take place;
  apps that keep an earlier copy (EventFahrplan) show a session that left the file as
  cancelled. Neither schema has a status for an event.
- Days are the conference's days: every date from its first to its last day, and any other
  day a session falls on. Each runs from the conference's day change to the next day's, in
  its zone (tracker.schedule.schedule_day), so a 01:00 session stays under the evening before.
- A session without a room is filed under the room NO_ROOM, since every frab event sits in a
  <room>. Reading the file back gives such sessions that room.
- Times are instants written in the conference's zone with their UTC offset (<date>,
  day start and end), so a conference across a daylight-saving change reads back to the
  same instants; <start> and <duration> repeat them as wall-clock time and length.
- Each event has a guid (a UUID) and an integer id, both unique in the file and the same
  in every export of an unchanged conference, and after a round trip: see `event_guid` and
  `event_ids`. People have tracker's id and a guid derived from their identity in the source.
- The acronym is the conference's slug with "_" for "-" (see `acronym`): the JSON schema
  allows no hyphen in it, and tracker's importer turns it back into the same slug.
"""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from urllib.parse import urlsplit

from ..importers.base import http_url
from ..models import Conference
from ..models import Room
from ..models import Speaker
from ..models import Talk
from ..models import Track
from ..schedule import group_by_day
from .base import Selection

#: the room of sessions that have none
NO_ROOM = "(no room)"
#: every guid this export derives is a uuid5 in this namespace: never change it, or apps
#: that follow the file take every session for a new one
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "tracker:frab-export")
#: the form the schemas require of a guid
UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
#: a positive integer, as an event id must be ("0042" is 42)
POSITIVE = re.compile(r"0*[1-9][0-9]*")
#: the longest title part of an event's slug
SLUG_WORDS = 50


@dataclass(frozen=True)
class FrabPerson:
    id: int
    guid: str
    name: str


@dataclass(frozen=True)
class FrabLink:
    url: str
    title: str
    #: "slides" or "media" (the JSON schema's link types), or "" for any other link
    type: str = ""


@dataclass(frozen=True)
class FrabTrack:
    name: str
    #: "#rrggbb" or ""
    color: str


@dataclass(frozen=True)
class FrabRoom:
    name: str
    guid: str


@dataclass(frozen=True)
class FrabEvent:
    id: int
    guid: str
    slug: str
    #: the session's page in tracker
    url: str
    #: the session's page where it came from, if it has one
    origin_url: str
    title: str
    subtitle: str
    track: str | None
    type: str
    language: str
    abstract: str
    description: str
    room: str
    #: start and end, aware, in the conference's zone
    starts_at: datetime
    ends_at: datetime
    persons: tuple[FrabPerson, ...]
    links: tuple[FrabLink, ...]
    #: the recording's URL, or ""
    recording_url: str

    @property
    def duration(self) -> timedelta:
        # in UTC: between two times of one zone Python subtracts wall-clock times, which is
        # wrong across a daylight-saving change
        return self.ends_at.astimezone(UTC) - self.starts_at.astimezone(UTC)


@dataclass(frozen=True)
class FrabRoomEvents:
    room: FrabRoom
    events: tuple[FrabEvent, ...]


@dataclass(frozen=True)
class FrabDay:
    #: 1, 2, ...
    index: int
    date: date
    #: the day's boundaries, aware, in the conference's zone
    start: datetime
    end: datetime
    #: the rooms used that day, in the conference's room order
    rooms: tuple[FrabRoomEvents, ...]


@dataclass(frozen=True)
class ScheduleData:
    #: changes whenever the conference or an exported session changes
    version: str
    #: the root of tracker's site, "" if unknown (no sessions)
    base_url: str
    acronym: str
    title: str
    start: date
    end: date
    time_zone_name: str
    #: the grid sessions start on and last multiples of, at most an hour
    timeslot_duration: timedelta
    #: the conference's own web site, or ""
    url: str
    tracks: tuple[FrabTrack, ...]
    #: every room the days use, in room order
    rooms: tuple[FrabRoom, ...]
    days: tuple[FrabDay, ...]


def schedule_data(selection: Selection) -> ScheduleData:
    """The frab view of a selection of one conference's sessions.

    :raise ValueError: if the selection names no conference and has no sessions to find it by
    """
    conference = selection_conference(selection)
    talks = [talk for talk in selection.talks if not talk.is_cancelled]
    ids = event_ids(talks)
    name = acronym(conference)
    days = [day_data(index, day, day_talks, conference, selection, ids, name)
            for index, (day, day_talks) in enumerate(conference_days(conference, talks), 1)]
    return ScheduleData(
        version=version(conference, selection),
        base_url=site_root(selection.talk_url(talks[0])) if talks else "",
        acronym=name,
        title=selection.title,
        start=days[0].date,
        end=days[-1].date,
        time_zone_name=conference.timezone,
        timeslot_duration=timeslot(talks, conference),
        url=http_url(conference.url),
        tracks=tuple(FrabTrack(track.name, track.color if COLOUR.fullmatch(track.color) else "")
                     for track in tracks_in_order(talks)),
        rooms=tuple(dict.fromkeys(room_of(talk, conference) for talk in in_room_order(talks))),
        days=tuple(days),
    )


def selection_conference(selection: Selection) -> Conference:
    if selection.conference is not None:
        return selection.conference
    if selection.talks:
        return selection.talks[0].conference
    raise ValueError("a frab schedule is one conference's: the selection names none")


def acronym(conference: Conference) -> str:
    """The slug as both schemas allow an acronym: "linuxcon-na-2011" -> "linuxcon_na_2011"
    (the JSON schema allows "-" only first); one shorter than four characters gets the year,
    "rc3" -> "rc3_2020"."""
    name = re.sub(r"[^a-z0-9_]", "_", conference.slug.lower())
    return name if len(name) >= 4 else f"{name}_{conference.start_date.year}"


def version(conference: Conference, selection: Selection) -> str:
    """The last change to the conference or the exported sessions, so that apps that compare
    versions (EventFahrplan) notice an update, and an unchanged schedule exports the same."""
    moments = [conference.updated_at, selection.updated_at,
               *(talk.updated_at for talk in selection.talks)]
    return max(moment for moment in moments if moment is not None).isoformat(timespec="seconds")


def site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/" if http_url(url) else ""


def timeslot(talks: Sequence[Talk], conference: Conference) -> timedelta:
    """The largest grid of whole minutes, dividing an hour, that every start and length fits."""
    minutes = [talk.starts_at.astimezone(conference.zone).minute for talk in talks]
    minutes += [int(talk.duration.total_seconds() // 60) for talk in talks]
    return timedelta(minutes=math.gcd(60, *minutes))


def tracks_in_order(talks: Sequence[Talk]) -> list[Track]:
    """The sessions' tracks, each once, in the conference's order."""
    unique = {talk.track.id: talk.track for talk in talks if talk.track is not None}
    return sorted(unique.values(), key=lambda track: (track.position, track.name))


def in_room_order(talks: Sequence[Talk]) -> list[Talk]:
    """Sessions by room, in the conference's room order, NO_ROOM last; in time order within
    a room if they came so."""
    return sorted(talks, key=lambda talk: (talk.room is None, *room_rank(talk.room)))


def room_rank(room: Room | None) -> tuple[int, str]:
    return (room.position, room.name) if room is not None else (0, "")


def event_ids(talks: Sequence[Talk]) -> dict[int, int]:
    """Talk id -> event id, unique in the file as the schemas require.

    The source's own ids where every session has a positive integer one and no two share it,
    so that apps that keep favourites by id (EventFahrplan) follow a schedule they first read
    from the source; else tracker's own ids, all of them, since mixing the two could repeat
    an id. Either way a re-export of an unchanged conference keeps its ids.
    """
    numbers = [int(talk.external_id) if POSITIVE.fullmatch(talk.external_id or "") else None
               for talk in talks]
    if None not in numbers and len(set(numbers)) == len(numbers):
        return {talk.id: number for talk, number in zip(talks, numbers, strict=True)}
    return {talk.id: talk.id for talk in talks}


def event_guid(talk: Talk) -> str:
    """The event's guid: a UUID, as the schemas require.

    The source's guid where it is already a UUID (frab, pretalx and hub files), so that the
    export names each session as its source does; else a uuid5 of talk.uid, which is made once
    and never changes, where the source's guid is none ("id:123", a frab guid in base64, an
    iCalendar UID) or the session is tracker's own. Importing the export gives each session
    the derived UUID as its guid, which a re-export keeps: round trips are stable.
    """
    if talk.guid and UUID.fullmatch(talk.guid):
        return talk.guid
    return str(uuid.uuid5(NAMESPACE, talk.uid))


def speaker_guid(speaker: Speaker, conference: Conference) -> str:
    """A person's guid, derived from what identifies them in the conference: the source's
    key for them, else tracker's id."""
    return str(uuid.uuid5(NAMESPACE, f"{conference.slug}/speaker/{speaker.external_id or speaker.id}"))


def room_of(talk: Talk, conference: Conference) -> FrabRoom:
    name = talk.room.name if talk.room is not None else NO_ROOM
    return FrabRoom(name, str(uuid.uuid5(NAMESPACE, f"{conference.slug}/room/{name}")))


def conference_days(conference: Conference, talks: Sequence[Talk]) -> list[tuple[date, list[Talk]]]:
    """Every conference day with its sessions, in time order, and any day outside the
    conference's dates that a session falls on."""
    by_day = dict(group_by_day(talks, conference.zone, conference.day_change))
    span = (conference.end_date - conference.start_date).days + 1
    days = {conference.start_date + timedelta(days=offset) for offset in range(span)} | set(by_day)
    return [(day, by_day.get(day, [])) for day in sorted(days)]


def day_data(index: int, day: date, talks: list[Talk], conference: Conference,
             selection: Selection, ids: dict[int, int], name: str) -> FrabDay:
    rooms: dict[FrabRoom, list[FrabEvent]] = {}
    for talk in in_room_order(talks):
        room = room_of(talk, conference)
        rooms.setdefault(room, []).append(event(talk, room, conference, selection, ids[talk.id], name))
    return FrabDay(
        index=index,
        date=day,
        start=datetime.combine(day, conference.day_change, tzinfo=conference.zone),
        end=datetime.combine(day + timedelta(days=1), conference.day_change, tzinfo=conference.zone),
        rooms=tuple(FrabRoomEvents(room, tuple(events)) for room, events in rooms.items()),
    )


def event(talk: Talk, room: FrabRoom, conference: Conference, selection: Selection,
          event_id: int, name: str) -> FrabEvent:
    return FrabEvent(
        id=event_id,
        guid=event_guid(talk),
        slug=event_slug(name, event_id, talk.title),
        url=selection.talk_url(talk),
        origin_url=http_url(talk.url),
        title=talk.title,
        subtitle=talk.subtitle,
        track=talk.track.name if talk.track is not None else None,
        type=talk.kind,
        language=talk.language,
        abstract=talk.abstract,
        description=talk.description,
        room=room.name,
        starts_at=talk.starts_at.astimezone(conference.zone),
        ends_at=talk.ends_at.astimezone(conference.zone),
        persons=tuple(FrabPerson(speaker.id, speaker_guid(speaker, conference), speaker.name)
                      for speaker in talk.speakers),
        links=links(talk),
        recording_url=http_url(talk.video_url),
    )


def event_slug(name: str, event_id: int, title: str) -> str:
    """"<acronym>-<id>-<title words>", as frab makes them: unique by the id, and in the XSD's
    form, which wants four characters after the first hyphen (hence "-07-" for id 7, since
    a title may give a single letter): "fosdem_2020-9001-unicode-you" for "Ünïcode & you"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:SLUG_WORDS].strip("-")
    return f"{name}-{event_id:02d}-{words or 'session'}"


def links(talk: Talk) -> tuple[FrabLink, ...]:
    """The slides, the recording, then the session's other links; http(s) only, each once.
    Their titles are the ones tracker's importers read as slides and recording."""
    candidates = [FrabLink(talk.slides_url, "Slides", "slides"),
                  FrabLink(talk.video_url, "Video recording", "media")]
    candidates += [FrabLink(link.get("url", ""), link.get("title", "")) for link in talk.links]
    unique: dict[str, FrabLink] = {}
    for link in candidates:
        if http_url(link.url) and link.url not in unique:
            unique[link.url] = link
    return tuple(unique.values())


def clock(moment: datetime, seconds: bool) -> str:
    """"09:30", or "09:30:15" where the time has seconds and the format allows them."""
    return f"{moment:%H:%M:%S}" if seconds and moment.second else f"{moment:%H:%M}"


def hours_minutes(length: timedelta, seconds: bool) -> str:
    """A duration as frab writes it: "01:30", or "01:30:15" where the format allows seconds."""
    minutes, second = divmod(int(length.total_seconds()), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}:{second:02d}" if seconds and second else f"{hours:02d}:{minute:02d}"
