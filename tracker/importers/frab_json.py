"""frab / pretalx / c3voc ``schedule.json``: the c3voc v1 schema and the "schedule2" draft.

v1 nests sessions as ``schedule.conference.days[].rooms{room name: [event]}``; the schedule2
draft lists them in ``schedule.events`` and gives each day ``start``/``end`` instants instead.
An event's ``date`` (v1) or ``start`` (schedule2) carries a UTC offset and is the authoritative
instant; only where it is missing is a v1 ``start`` ("HH:MM") read on the event's day.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from urllib.parse import urljoin
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .base import Lengths
from .base import ParsedLink
from .base import ParsedSchedule
from .base import ParsedSpeaker
from .base import ParsedTalk
from .base import ParsedTrack
from .base import ScheduleError
from .base import check_times
from .base import choose_zone
from .base import http_url
from .base import in_order_of_use
from .base import local_instant
from .base import normalise_kind
from .base import normalise_status
from .base import parse_duration
from .base import speaker_key
from .base import unique_guids
from .text import counted
from .text import plain_text

_BOM = b"\xef\xbb\xbf"
#: a JSON object with a "schedule" key (not an escaped one inside a string)
_SNIFF = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{.*?(?<!\\)"schedule"\s*:', re.DOTALL)
_CLOCK_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_ISO_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
#: "www.example.org/x" or "example.org": a web address written without its scheme
_BARE_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?(?:[/?#]|$)",
                        re.IGNORECASE)
_COLOR = re.compile(r"#([0-9a-f]{6}|[0-9a-f]{3})", re.IGNORECASE)
_SLIDE_TYPES = frozenset({"slides"})
_VIDEO_TYPES = frozenset({"media", "video", "recording"})
_VIDEO_SERVICES = frozenset({"mediacccde", "peertube"})


class FrabJsonImporter:
    name = "frab-json"
    label = "frab / pretalx schedule.json"

    def sniff(self, head: bytes) -> bool:
        return _SNIFF.match(head) is not None

    def parse(self, data: bytes, *, timezone: str | None = None) -> ParsedSchedule:
        schedule, conference = _schedule_parts(_load_json(data))
        days = _days(conference)
        listed = _listed_events(schedule, days)
        zone_name, repairs = choose_zone(timezone, _plain(conference.get("time_zone_name")),
                                         "conference time_zone_name", _start_texts(listed))
        zone = ZoneInfo(zone_name)
        reader = _Reader(zone, schedule, conference, days)
        talks, guid_repairs = unique_guids([reader.talk(item) for item in listed])
        return ParsedSchedule(
            title=_conference_title(conference),
            timezone=zone_name,
            talks=tuple(talks),
            speakers=tuple(reader.speakers.values()),
            rooms=reader.used_rooms(talks),
            tracks=reader.used_tracks(talks),
            acronym=_plain(conference.get("acronym")),
            url=reader.web_url(conference.get("url")) or reader.base_url,
            start_date=_conference_date(conference.get("start"), zone, "conference start"),
            end_date=_conference_date(conference.get("end"), zone, "conference end"),
            repairs=tuple(repairs + reader.repairs() + guid_repairs),
        )


# -- reading the document ---------------------------------------------------------------------

def _load_json(data: bytes) -> object:
    """Strict UTF-8 (a BOM allowed), then JSON; errors name the byte, or the line and column."""
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(body)
        line = data.count(b"\n", 0, offset) + 1
        raise ScheduleError(f"the file is not UTF-8: byte 0x{data[offset]:02x} at byte offset "
                            f"{offset} (line {line}) is not valid UTF-8; save the file as UTF-8"
                            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScheduleError(f"not valid JSON: {exc.msg} at line {exc.lineno}, "
                            f"column {exc.colno}") from None
    except RecursionError:
        raise ScheduleError("the JSON is nested too deeply to read") from None


def _schedule_parts(document: object) -> tuple[dict, dict]:
    if not isinstance(document, dict):
        raise ScheduleError(f"the file holds a JSON {_json_type(document)}, not an object with "
                            "a “schedule” key")
    if "schedule" not in document:
        raise ScheduleError("the JSON object has no “schedule” key: not a frab / pretalx "
                            "schedule.json")
    schedule = _object(document["schedule"], "“schedule”")
    conference = _object(schedule.get("conference"), "“schedule.conference”")
    return schedule, conference


def _json_type(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "true/false",
             type(None): "null"}
    return names.get(type(value), "number")


def _object(value: object, where: str) -> dict:
    if value is None:
        raise ScheduleError(f"{where} is missing")
    if not isinstance(value, dict):
        raise ScheduleError(f"{where} is a JSON {_json_type(value)}, not an object")
    return value


def _list(value: object, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScheduleError(f"{where} is a JSON {_json_type(value)}, not a list")
    return value


@dataclass(frozen=True)
class _Day:
    date: date
    #: the day's start and end as the file writes them (v1 day_start/day_end, schedule2 start/end)
    start: str | None
    end: str | None
    rooms: dict


@dataclass(frozen=True)
class _Listed:
    """An event where the file lists it."""
    event: dict
    #: names the event in messages: "event 8429 (“33C3 Opening Ceremony”)"
    where: str
    #: the v1 day and room the event is listed under; None in schedule2
    day: _Day | None = None
    room: str | None = None


def _days(conference: dict) -> list[_Day]:
    days = []
    for number, raw in enumerate(_list(conference.get("days"), "“conference.days”"), 1):
        where = f"day {number} of “conference.days”"
        raw = _object(raw, where)
        try:
            day = date.fromisoformat(str(raw.get("date")))
        except ValueError:
            raise ScheduleError(f"{where}: date “{raw.get('date')}” is not a date (YYYY-MM-DD)"
                                ) from None
        rooms = raw.get("rooms") or {}
        if not isinstance(rooms, dict):
            raise ScheduleError(f"day {day}: “rooms” is a JSON {_json_type(rooms)}, not an "
                                "object of room name to events")
        days.append(_Day(day, _string_or_none(raw.get("day_start") or raw.get("start")),
                         _string_or_none(raw.get("day_end") or raw.get("end")), rooms))
    return days


def _listed_events(schedule: dict, days: list[_Day]) -> list[_Listed]:
    """Every event in file order: schedule2's ``schedule.events`` where the file has that list,
    else v1's days, rooms and events."""
    if "events" in schedule:
        events = _list(schedule["events"], "“schedule.events”")
        return [_Listed(event, _event_name(event, f"event {number} of “schedule.events”"))
                for number, event in enumerate(events, 1)]
    listed = []
    for day in days:
        for room, events in day.rooms.items():
            place = f"day {day.date}, room “{room}”"
            for number, event in enumerate(_list(events, place), 1):
                listed.append(_Listed(event, _event_name(event, f"event {number} of {place}"),
                                      day, room))
    return listed


def _event_name(event: object, position: str) -> str:
    event = _object(event, position)
    ident = next((event[key] for key in ("id", "code", "guid")
                  if isinstance(event.get(key), (str, int)) and str(event[key]).strip()), None)
    title = event.get("title")
    title = title.strip() if isinstance(title, str) else ""
    if ident is not None and title:
        return f"event {ident} (“{title}”)"
    if ident is not None:
        return f"event {ident}"
    if title:
        return f"event “{title}” ({position})"
    return position


def _conference_title(conference: dict) -> str:
    title = _plain(conference.get("title")) or _plain(conference.get("acronym"))
    if not title:
        raise ScheduleError("“schedule.conference” has no title")
    return title


def _conference_date(value: object, zone: ZoneInfo, field: str) -> date | None:
    """frab writes "2016-12-27"; schedule2 an instant, whose date in the conference's zone
    is meant."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ScheduleError(f"{field} “{value}” is not a date (YYYY-MM-DD)") from None
    return moment.astimezone(zone).date() if moment.tzinfo else moment.date()


# -- time zone --------------------------------------------------------------------------------

def _start_texts(listed: list[_Listed]) -> Iterator[str]:
    """The events' start fields, where a fixed offset is looked for."""
    for item in listed:
        yield _start_field(item.event, item.where)[1]


def _start_field(event: dict, where: str) -> tuple[str | None, str]:
    """Which field gives the start, and its text: ``date`` where present, else ``start``."""
    for key in ("date", "start"):
        value = event.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ScheduleError(f"{where}: {key} is a JSON {_json_type(value)}, not text")
        if value.strip():
            return key, value.strip()
    return None, ""


# -- text -------------------------------------------------------------------------------------

def _string_or_none(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _plain(value: object) -> str:
    """A one-line field: numbers as written, null as empty, surrounding white space removed."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return ""


def _localised(value: object, language: str) -> object:
    """schedule2 allows {"en": "...", "de": "..."}: the session's language, else English,
    else the first."""
    if isinstance(value, dict) and value:
        return value.get(language) or value.get("en") or next(iter(value.values()))
    return value


def _multiline(value: object, language: str, where: str, field: str) -> str:
    """Abstracts and descriptions as plain text (frab and pretalx write Markdown, some of
    it with HTML)."""
    value = _localised(value, language)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScheduleError(f"{where}: {field} is a JSON {_json_type(value)}, not text")
    return plain_text(value)


def _color(track: dict) -> str:
    colors = track.get("colors") if isinstance(track.get("colors"), dict) else {}
    for raw in (track.get("color"), colors.get("light"), colors.get("dark")):
        match = _COLOR.fullmatch(_plain(raw))
        if match:
            digits = match.group(1).lower()
            return "#" + (digits if len(digits) == 6 else "".join(ch * 2 for ch in digits))
    return ""


# -- sessions ---------------------------------------------------------------------------------

class _Reader:
    """Turns listed events into ParsedTalks, collecting speakers and counting repairs."""

    def __init__(self, zone: ZoneInfo, schedule: dict, conference: dict, days: list[_Day]
                 ) -> None:
        self.zone = zone
        self.days = days
        self.base_url = http_url(_plain(schedule.get("base_url")))
        defaults = conference.get("defaults")
        self.default_language = _plain(defaults.get("language")) if isinstance(
            defaults, dict) else ""
        self.speakers: dict[str, ParsedSpeaker] = {}
        self.counts: Counter[str] = Counter()
        self.lengths = Lengths("no duration or end, or a zero one",
                               lambda: _timeslot(conference.get("timeslot_duration")),
                               "timeslot_duration")
        self.offset_example = ""
        self.declared_rooms = _declared_rooms(schedule, conference)
        self.room_names_by_guid = _room_names_by_guid(conference)
        self.declared_tracks = _declared_tracks(conference)
        self.people_by_guid = {_plain(person.get("guid")): person
                               for person in _list(schedule.get("persons"), "“schedule.persons”")
                               if isinstance(person, dict) and _plain(person.get("guid"))}
        self._day_ranges: list[tuple[datetime, datetime, date]] | None = None

    def talk(self, item: _Listed) -> ParsedTalk:
        event, where = item.event, item.where
        language = _plain(event.get("language")) or self.default_language
        title = _plain(_localised(event.get("title"), language))
        if not title:
            raise ScheduleError(f"{where}: no title")
        starts_at = self._start(item)
        ends_at = self._end(event, starts_at, where)
        check_times(starts_at, ends_at, where)
        links = self._links(event, where)
        return ParsedTalk(
            guid=self._guid(event, title),
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            external_id=_plain(event.get("id")) or _plain(event.get("code")) or None,
            day=item.day.date if item.day else self._day_of(starts_at),
            room=self._room(item.room if item.room is not None else event.get("room")),
            track=self._track(event.get("track")),
            subtitle=_plain(_localised(event.get("subtitle"), language)),
            abstract=_multiline(event.get("abstract"), language, where, "abstract"),
            description=_multiline(event.get("description"), language, where, "description"),
            kind=normalise_kind(_plain(event.get("type"))),
            language=language,
            status=normalise_status(_plain(event.get("state") or event.get("status"))),
            url=self.web_url(event.get("url")),
            slides_url=next((link.url for link, kind in links if kind in _SLIDE_TYPES), ""),
            video_url=next((link.url for link, kind in links if kind in _VIDEO_TYPES), ""),
            speakers=self._speaker_keys(event, where),
            links=tuple(link for link, _type in links),
        )

    # identity and state

    def _guid(self, event: dict, title: str) -> str:
        guid = _plain(event.get("guid"))
        if guid:
            return guid
        for key in ("id", "code"):
            if _plain(event.get(key)):
                return f"{key}:{_plain(event.get(key))}"
        self.counts["no id"] += 1
        return f"title:{title}"

    # times

    def _start(self, item: _Listed) -> datetime:
        """v1's ``date`` or schedule2's ``start``, else v1's clock time ``start`` on its day."""
        event, where = item.event, item.where
        key, text = _start_field(event, where)
        if key is None:
            raise ScheduleError(f"{where}: no start (neither “date” nor “start” gives one)")
        if key == "date" or not _CLOCK_TIME.fullmatch(text):
            return self._instant(text, where, key, check_offset=True)
        if item.day is None:
            raise ScheduleError(f"{where}: start “{text}” is a time of day without a date")
        self.counts["clock only"] += 1
        return self._clock_time_on_day(text, item.day, where)

    def _instant(self, text: str, where: str, field: str, check_offset: bool = False
                 ) -> datetime:
        """An ISO 8601 date and time; one with a UTC offset is taken as written, a floating
        one is read in the conference's zone."""
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ScheduleError(f"{where}: {field} “{text}” is not an ISO 8601 date and time"
                                ) from None
        if moment.tzinfo is None:
            return local_instant(moment, self.zone, where)
        if check_offset and moment.utcoffset() != moment.astimezone(self.zone).utcoffset():
            self.counts["offset"] += 1
            self.offset_example = self.offset_example or text.strip()
        return moment.astimezone(UTC)

    def _clock_time_on_day(self, text: str, day: _Day, where: str) -> datetime:
        """frab's "start" ("01:30") on the event's day; a time before the day starts belongs
        to the night after it."""
        match = _CLOCK_TIME.fullmatch(text.strip())
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ScheduleError(f"{where}: start “{text}” is not a time of day (HH:MM)")
        local = datetime.combine(day.date, time(int(match.group(1)), int(match.group(2))))
        if day.start:
            day_start = self._instant(day.start, f"day {day.date}", "day_start")
            if local.time() < day_start.astimezone(self.zone).time():
                local += timedelta(days=1)
        return local_instant(local, self.zone, where)

    def _end(self, event: dict, starts_at: datetime, where: str) -> datetime:
        end = event.get("end")
        if isinstance(end, str) and end.strip():
            ends_at = self._instant(end, where, "end")
        elif event.get("duration") in (None, ""):
            ends_at = None
        else:
            ends_at = starts_at + _duration(str(event["duration"]), where)
        return self.lengths.end(starts_at, ends_at, where)

    def _day_of(self, starts_at: datetime) -> date:
        """schedule2 files days by their start and end instants; outside them, the date in the
        conference's zone."""
        for start, end, day in self._ranges():
            if start <= starts_at < end:
                return day
        return starts_at.astimezone(self.zone).date()

    def _ranges(self) -> list[tuple[datetime, datetime, date]]:
        if self._day_ranges is None:
            self._day_ranges = [
                (self._instant(day.start, f"day {day.date}", "start"),
                 self._instant(day.end, f"day {day.date}", "end"), day.date)
                for day in self.days if day.start and day.end]
        return self._day_ranges

    # rooms and tracks

    def _room(self, raw: object) -> str | None:
        """schedule2 refers to a room by an object with a name, or only its guid."""
        if isinstance(raw, dict):
            name = _plain(raw.get("name")) or self.room_names_by_guid.get(_plain(raw.get("guid")))
            name = name or _plain(raw.get("slug"))
        else:
            name = _plain(raw)
        if not name:
            self.counts["no room"] += 1
        return name or None

    def _track(self, raw: object) -> str | None:
        """v1 names the track; schedule2 refers to a declared track by its slug."""
        if isinstance(raw, dict):
            slug = _plain(raw.get("slug"))
            name = _plain(raw.get("name")) or self.declared_tracks.names_by_slug.get(slug, slug)
        else:
            name = _plain(raw)
        return name or None

    def used_rooms(self, talks: list[ParsedTalk]) -> tuple[str, ...]:
        return _in_declared_order(self.declared_rooms, [talk.room for talk in talks])

    def used_tracks(self, talks: list[ParsedTalk]) -> tuple[ParsedTrack, ...]:
        names = _in_declared_order(self.declared_tracks.names, [talk.track for talk in talks])
        return tuple(ParsedTrack(name, self.declared_tracks.colors.get(name, ""))
                     for name in names)

    # links

    def web_url(self, raw: object) -> str:
        """An http(s) URL, or "" (counted) for anything else.

        Relative URLs are resolved against ``base_url`` as frab's static exports lay them out:
        "/system/event_attachments/..." lives under the Fahrplan folder the base names, not at
        the host's root. A bare host ("www.example.org") gets "https://".
        """
        text = _plain(raw)
        if not text:
            return ""
        if http_url(text):
            return text
        if _scheme(text) != "":
            self.counts["not web"] += 1
            return ""
        if text.endswith("/original/missing.png"):
            self.counts["placeholder"] += 1
            return ""
        if _BARE_HOST.match(text):
            self.counts["bare host"] += 1
            return "https://" + text
        if not self.base_url:
            self.counts["relative"] += 1
            return ""
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return urljoin(base, text[1:] if text.startswith("/") and text[1:2] != "/" else text)

    def _links(self, event: dict, where: str) -> list[tuple[ParsedLink, str]]:
        """The event's links, then its attachments, then its feedback and origin pages, each
        with its type ("slides", "media", ... or "")."""
        references = []
        for field in ("links", "attachments"):
            references += _list(event.get(field), f"{where}: “{field}”")
        references += [{"url": event.get(field), "type": kind} for field, kind in
                       (("feedback_url", "feedback"), ("origin_url", "origin")) if event.get(field)]
        links, seen = [], set()
        for reference in references:
            if isinstance(reference, str):
                reference = {"url": reference}
            if not isinstance(reference, dict):
                raise ScheduleError(f"{where}: a link is a JSON {_json_type(reference)}, "
                                    "not an object with a url")
            url = self.web_url(reference.get("url"))
            if not url or url in seen:
                continue
            seen.add(url)
            kind = _plain(reference.get("type")).lower()
            if _plain(reference.get("service")).lower() in _VIDEO_SERVICES:
                kind = kind or "media"
            title = _plain(reference.get("title")) or kind.capitalize()
            links.append((ParsedLink(url, title), kind))
        return links

    # speakers

    def _speaker_keys(self, event: dict, where: str) -> tuple[str, ...]:
        field = "persons" if "persons" in event else "participants"
        keys: list[str] = []
        for person in _list(event.get(field), f"{where}: “{field}”"):
            speaker = self._speaker(person, where)
            if speaker is None:
                continue
            known = self.speakers.get(speaker.key)
            if known is None:
                self.speakers[speaker.key] = speaker
            elif speaker.bio and not known.bio:
                self.speakers[speaker.key] = replace(known, bio=speaker.bio)
            if speaker.key not in keys:
                keys.append(speaker.key)
        return tuple(keys)

    def _speaker(self, person: object, where: str) -> ParsedSpeaker | None:
        """frab gives ``id`` and ``public_name``, pretalx ``code`` and ``name`` (and perhaps a
        ``guid``), schedule2 a ``guid`` whose details are in ``schedule.persons``; some files
        give only a name. The id comes first, as in the frab XML importer, so that the same
        schedule read from either format names its people alike."""
        if isinstance(person, str):
            person = {"name": person}
        if not isinstance(person, dict):
            raise ScheduleError(f"{where}: a person is a JSON {_json_type(person)}, not an "
                                "object or a name")
        details = {**self.people_by_guid.get(_plain(person.get("guid")), {}), **person}
        name = next((_plain(details.get(key)) for key in ("public_name", "name", "full_name")
                     if _plain(details.get(key))), "")
        if not name:
            self.counts["nameless person"] += 1
            return None
        source_id = next((_plain(details.get(key)) for key in ("id", "guid", "code")
                          if _plain(details.get(key))), None)
        return ParsedSpeaker(
            key=speaker_key(source_id, name),
            name=name,
            bio=_multiline(details.get("biography"), self.default_language,
                           f"{where}: person “{name}”", "biography"),
            url=self.web_url(details.get("url")),
        )

    # repairs

    def repairs(self) -> list[str]:
        zone = self.zone.key
        return self.lengths.repairs() + counted(self.counts, {
            "clock only": ("session", " without a full date: read their “start” time on the "
                           f"day they are listed under, in {zone}"),
            "offset": ("session gives", "sessions give", f" a UTC offset that {zone} does not "
                       f"have at that time (such as {self.offset_example}): kept the instants "
                       f"the file gives, shown in {zone}"),
            "no id": ("session", " without a guid, id or code: identified by their title"),
            "no room": ("session", " without a room: left without one"),
            "nameless person": ("person", "persons", " without a name: left out"),
            "placeholder": ("placeholder attachment",
                            " (“/attachments/original/missing.png”): left out"),
            "bare host": ("link", " written without “https://”: added it"),
            "relative": ("relative link", ": left out, because the file gives no base_url"),
            "not web": ("link that is not a web address", "links that are not web addresses",
                        " (http or https): left out"),
        })


def _scheme(text: str) -> str | None:
    """The URL's scheme, "" for a relative URL, None for one that cannot be read."""
    try:
        return urlsplit(text).scheme.lower()
    except ValueError:
        return None


def _duration(text: str, where: str) -> timedelta:
    """v1 "HH:MM" (see parse_duration); schedule2 ISO 8601 ("PT1H30M"), which is this
    format's own: no other writes it, so parse_duration does not read it."""
    text = text.strip()
    if not text.startswith("P"):
        return parse_duration(text, where)
    match = _ISO_DURATION.fullmatch(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ScheduleError(f"{where}: duration “{text}” is not an ISO 8601 duration such as "
                            "PT1H30M")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _timeslot(raw: object) -> timedelta | None:
    """The conference's ``timeslot_duration``, if it gives one."""
    text = _plain(raw)
    return _duration(text, "conference timeslot_duration") if text else None


@dataclass(frozen=True)
class _DeclaredTracks:
    names: list[str]
    names_by_slug: dict[str, str]
    colors: dict[str, str]


def _declared_tracks(conference: dict) -> _DeclaredTracks:
    names, by_slug, colors = [], {}, {}
    for track in _list(conference.get("tracks"), "“conference.tracks”"):
        if not isinstance(track, dict) or not _plain(track.get("name")):
            continue
        name = _plain(track.get("name"))
        names.append(name)
        if _plain(track.get("slug")):
            by_slug[_plain(track.get("slug"))] = name
        colors[name] = _color(track)
    return _DeclaredTracks(names, by_slug, colors)


def _declared_rooms(schedule: dict, conference: dict) -> list[str]:
    """pretalx and schedule2 list rooms in ``conference.rooms``; older pretalx in
    ``schedule.rooms``."""
    rooms = _list(conference.get("rooms"), "“conference.rooms”") or _list(
        schedule.get("rooms"), "“schedule.rooms”")
    names = (_plain(room.get("name")) if isinstance(room, dict) else _plain(room) for room in rooms)
    return [name for name in names if name]


def _room_names_by_guid(conference: dict) -> dict[str, str]:
    return {_plain(room.get("guid")): _plain(room.get("name"))
            for room in _list(conference.get("rooms"), "“conference.rooms”")
            if isinstance(room, dict) and _plain(room.get("guid")) and _plain(room.get("name"))}


def _in_declared_order(declared: list[str], used: list[str | None]) -> tuple[str, ...]:
    """The names sessions use: declared ones in declared order, then the rest as they come."""
    used_names = in_order_of_use(used)
    declared_used = [name for name in dict.fromkeys(declared) if name in used_names]
    return tuple(declared_used + [name for name in used_names if name not in declared_used])
