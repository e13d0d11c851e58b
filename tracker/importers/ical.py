"""iCalendar (.ics, RFC 5545) schedules: each VEVENT is a session.

A VEVENT's UID is its guid, SUMMARY its title, LOCATION its room, the first of its
CATEGORIES its track, DESCRIPTION its abstract (HTML reduced to text), URL its link and
STATUS:CANCELLED marks it cancelled. Times may carry a TZID (an IANA name, or a zone the
file defines in a VTIMEZONE), be UTC ("Z") or be floating, which are read in the zone
the user gives, else in the calendar's X-WR-TIMEZONE. All-day events cannot be sessions:
they are skipped, and the repairs name them. An event that ends when it starts (or gives
neither DTEND nor DURATION, which RFC 5545 reads alike) is shown 15 minutes long.

Speakers: iCalendar has no field for them. A published calendar (METHOD:PUBLISH) invites
nobody (RFC 5546 gives PUBLISH no ATTENDEE), so the people it lists as attendees are the
ones presenting; elsewhere attendees are invitees and are not taken. A description whose
first line is "Speaker: <names>" (as linux.conf.au writes) names them too.

Tracker's own exports (tracker.exporters.ical) say in X-TRACKER- properties what they
write for people in LOCATION ("room, venue") and DESCRIPTION (abstract, speakers, link):
an event that has them is read from them (see _EventReader.own_fields), so that importing
what tracker exported gives back the same rooms, speakers and abstracts.

The file is unfolded as bytes and only then decoded as UTF-8: some writers fold lines in
the middle of a multi-byte character.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import tzinfo
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Component
from icalendar import vText

from .base import Lengths
from .base import ParsedSchedule
from .base import ParsedSpeaker
from .base import ParsedTalk
from .base import ScheduleError
from .base import add_speakers
from .base import check_times
from .base import http_url
from .base import id_or_title
from .base import normalise_kind
from .base import normalise_status
from .base import require_zone
from .base import unique_guids
from .base import used_rooms
from .base import used_tracks
from .base import zone_of_offset
from .text import counted
from .text import examples
from .text import plain_text
from .text import plural
from ..timezones import is_zone

BOM = b"\xef\xbb\xbf"
#: a line break followed by one space or tab continues the line before (RFC 5545 3.1)
FOLD = re.compile(rb"\r?\n[ \t]")
COMPONENT_LINE = re.compile(rb"^(BEGIN|END):([A-Za-z0-9-]+)[ \t\r]*$", re.MULTILINE | re.IGNORECASE)
SPEAKER_LINE = re.compile(r"\ASpeakers?:[ \t]*([^\n]+?)[ \t]*(?:\n|\Z)", re.IGNORECASE)
NAME_SEPARATOR = re.compile(r"\s*(?:,|&|\band\b)\s*")
DEFAULT_TITLE = "Imported calendar"
#: the property every VEVENT of a tracker export has (see tracker.exporters.ical)
OWN_MARK = "X-TRACKER-KIND"
#: an escape in a TEXT value (RFC 5545, 3.3.11); "\\:", which some writers use, too
TEXT_ESCAPE = re.compile(r"\\([\\;,:nN])")
#: an X-TRACKER- parameter of DESCRIPTION: where a part of its text starts and ends
SPAN = re.compile(r"([0-9]+)-([0-9]+)")


class ICalImporter:
    name = "ical"
    label = "iCalendar (.ics)"

    def sniff(self, head: bytes) -> bool:
        return _starts_calendar(head)

    def parse(self, data: bytes, *, timezone: str | None = None) -> ParsedSchedule:
        data = data.removeprefix(BOM)
        if not _starts_calendar(data):
            raise ScheduleError("not an iCalendar file: it does not start with BEGIN:VCALENDAR")
        lines = _check_nesting(data)
        text, stray_returns = _unfold_and_decode(data)
        repairs = []
        if stray_returns:
            repairs.append(f"{plural(stray_returns, 'stray carriage return')} inside lines: "
                           "removed")
        return read_calendars(_read_calendars(text), lines, timezone, repairs)


def read_calendars(calendars: list[Component], lines: list[int | None], timezone: str | None,
                   repairs: Iterable[str] = (),
                   amend: Callable[[Component, ParsedTalk], ParsedTalk] | None = None
                   ) -> ParsedSchedule:
    """The schedule the VEVENTs of parsed calendars hold; shared with the xCal importer.

    :param lines: the line each VEVENT starts on, in the order of calendar.walk(), to say
        where an event is; ignored unless there is one per event
    :param timezone: the user's zone, if given
    :param repairs: repairs already made to the file, said first
    :param amend: adds to each talk what the format gives beyond iCalendar's properties
    """
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    if not events:
        raise ScheduleError("the calendar has no events (no VEVENT)")
    calendar = calendars[0]
    reader = _EventReader(calendar, calendars, timezone)
    reader.repairs += repairs
    if len(lines) != len(events):
        lines = [None] * len(events)
    talks = [amend(event, talk) if amend else talk
             for event, line in zip(events, lines) if (talk := reader.read(event, line))]
    if not talks:
        raise ScheduleError("the calendar has only all-day events: sessions need a start "
                            "time")
    talks, renamed = unique_guids(talks)
    zone, zone_repairs = reader.conference_zone()
    return ParsedSchedule(
        title=_x_text(calendar, "X-WR-CALNAME") or _text(calendar, "NAME") or DEFAULT_TITLE,
        timezone=zone,
        talks=tuple(talks),
        speakers=tuple(reader.speakers.values()),
        rooms=used_rooms(talks),
        tracks=used_tracks(talks),
        url=http_url(_text(calendar, "URL")),
        repairs=tuple(reader.summary() + renamed + zone_repairs),
    )


def _starts_calendar(data: bytes) -> bool:
    return data.removeprefix(BOM).lstrip()[:15].upper() == b"BEGIN:VCALENDAR"


def _unfold_and_decode(data: bytes) -> tuple[str, int]:
    """The unfolded text without carriage returns, and how many stray ones (not ending a
    line, such as the first of CR CR LF) it had."""
    unfolded = FOLD.sub(b"", data)
    try:
        text = unfolded.decode("utf-8")
    except UnicodeDecodeError:
        raise ScheduleError(_where_not_utf8(data)) from None
    stray = text.count("\r") - text.count("\r\n")
    return text.replace("\r", ""), stray


def _where_not_utf8(data: bytes) -> str:
    """Name the first (unfolded) line that is not UTF-8, by its first physical line."""
    logical: list[bytes] = []
    first_line = 1
    for number, line in enumerate(data.split(b"\n") + [b""], start=1):
        line = line.removesuffix(b"\r")
        if line[:1] in (b" ", b"\t"):
            logical.append(line[1:])
            continue
        joined = b"".join(logical)
        try:
            joined.decode("utf-8")
        except UnicodeDecodeError as exc:
            name = re.split(rb"[;:]", joined, maxsplit=1)[0].decode("ascii", "replace")
            return (f"line {first_line} ({name}): not valid UTF-8 text (byte "
                    f"0x{joined[exc.start]:02x}); iCalendar files must be UTF-8")
        logical = [line]
        first_line = number
    return "the file is not valid UTF-8 text; iCalendar files must be UTF-8"


def _read_calendars(text: str) -> list[Component]:
    try:
        components = Calendar.from_ical(text, multiple=True)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ScheduleError(f"not a readable iCalendar file: {exc}") from None
    calendars = [component for component in components if component.name == "VCALENDAR"]
    if not calendars:
        raise ScheduleError("the file ends before END:VCALENDAR: it is cut short or not "
                            "an iCalendar file")
    return calendars


def _check_nesting(data: bytes) -> list[int]:
    """Check that BEGIN and END lines pair up, to say where they do not.

    :return: the line number of each BEGIN:VEVENT, to say where an event is
    """
    open_components: list[tuple[str, int]] = []
    event_lines = []
    position, line = 0, 1
    for match in COMPONENT_LINE.finditer(data):
        line += data.count(b"\n", position, match.start())
        position = match.start()
        keyword, name = match[1].upper(), match[2].upper().decode()
        if keyword == b"BEGIN":
            open_components.append((name, line))
            if name == "VEVENT":
                event_lines.append(line)
        elif not open_components:
            raise ScheduleError(f"line {line}: END:{name} without a BEGIN:{name}")
        elif open_components[-1][0] != name:
            opened, opened_line = open_components[-1]
            raise ScheduleError(f"line {line}: END:{name} where BEGIN:{opened} of line "
                                f"{opened_line} should end")
        else:
            open_components.pop()
    if open_components:
        name, opened_line = open_components[-1]
        raise ScheduleError(f"the file ends inside BEGIN:{name} of line {opened_line}: it is "
                            f"cut short (no END:{name})")
    return event_lines


def _single(component: Component, name: str):
    """A property that should appear once: the first if the file repeats it."""
    value = component.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(component: Component, name: str) -> str:
    value = _single(component, name)
    return "" if value is None else str(value).strip()


def _all(component: Component, name: str) -> list:
    """Each of a property that may be repeated, in order."""
    value = component.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _x_text(component: Component, name: str) -> str:
    """A non-standard (X-) property as text: see _unescaped."""
    value = _single(component, name)
    return "" if value is None else _unescaped(value)


def _unescaped(value) -> str:
    """The text of a property whose value is TEXT, which an X- property's is unless its VALUE
    says otherwise (RFC 5545, 3.8.8.2): icalendar keeps a property it does not know as
    written, so its escapes are undone here, in one pass ("\\\\n" is a backslash and an n)."""
    if isinstance(value, vText):
        return str(value).strip()
    return TEXT_ESCAPE.sub(lambda match: "\n" if match[1] in "nN" else match[1], str(value)).strip()


@dataclass
class _EventReader:
    """Turns VEVENTs into talks, remembering the speakers, zones and repairs on the way."""

    calendar: Component
    calendars: list[Component]
    #: the user's zone name, if given
    timezone: str | None
    speakers: dict[str, ParsedSpeaker] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    #: titles of the all-day events, which cannot be sessions
    all_day: list[str] = field(default_factory=list)
    lengths: Lengths = field(default_factory=lambda: Lengths(
        "DTEND the same as DTSTART, or neither DTEND nor DURATION"))
    #: IANA names of the TZIDs that sessions start in, in order of first use
    start_zones: dict[str, None] = field(default_factory=dict)
    first_offset: timedelta | None = None
    #: whether the event being read has a floating time, to count each such session once
    floating_event: bool = False

    def __post_init__(self) -> None:
        self.user_zone = self.timezone and require_zone(self.timezone, "the time zone given")
        self.calendar_zone = None if self.user_zone else self._calendar_zone()
        self.floating_zone = self.user_zone or self.calendar_zone
        self.definitions = {_text(zone, "TZID"): zone for calendar in self.calendars
                            for zone in calendar.walk("VTIMEZONE")}
        self.zones: dict[str, tzinfo] = {}
        self.published = _text(self.calendar, "METHOD").upper() == "PUBLISH"

    def _calendar_zone(self) -> str | None:
        name = _text(self.calendar, "X-WR-TIMEZONE")
        return require_zone(name, "X-WR-TIMEZONE") if name else None

    def read(self, event: Component, line: int | None) -> ParsedTalk | None:
        """The event as a talk, or None for an all-day event, which cannot be one."""
        uid = _text(event, "UID")
        where = f"event “{uid}”" if uid else "event without UID"
        if line:
            where += f" (line {line})"
        title = _text(event, "SUMMARY")
        if not title:
            raise ScheduleError(f"{where}: no title (SUMMARY)")
        start = _date_value(event, "DTSTART", where)
        if start is None:
            raise ScheduleError(f"{where}: no start time (DTSTART)")
        if not isinstance(start, datetime):
            if not isinstance(start, date):
                raise ScheduleError(f"{where}: DTSTART is not a date-time")
            self.all_day.append(f"“{title}”")
            return None
        params = _single(event, "DTSTART").params
        self.floating_event = False
        starts_at = self.instant(start, params, where, "DTSTART", first=True)
        ends_at = self.lengths.end(starts_at, self.end(event, starts_at, where), f"“{title}”")
        check_times(starts_at, ends_at, where)
        if self.floating_event:
            self.counts["floating"] += 1
        if not uid:
            self.counts["no uid"] += 1
        if event.get("RRULE") or event.get("RDATE"):
            self.counts["repeats"] += 1
        if event.errors and any(name is None for name, _ in event.errors):
            self.counts["bad lines"] += 1
        fields = self.own_fields(event) if OWN_MARK in event else self.fields(event)
        if fields["room"] is None:
            self.counts["no room"] += 1
        url = _text(event, "URL")
        if url and not http_url(url):
            self.counts["bad url"] += 1
        return ParsedTalk(
            guid=id_or_title(uid, title),
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            external_id=uid or None,
            track=_first_category(event),
            status=normalise_status(_text(event, "STATUS")),
            url=http_url(url),
            **fields,
        )

    def fields(self, event: Component) -> dict:
        """The room, speakers, abstract and language, as calendars write them for people."""
        speakers, description = self.people(event)
        return {
            "room": _text(event, "LOCATION") or None,
            "speakers": speakers,
            "abstract": plain_text(description),
            "language": str(_single(event, "SUMMARY").params.get("LANGUAGE", "")).strip(),
        }

    def own_fields(self, event: Component) -> dict:
        """The session's fields from a tracker export (tracker.exporters.ical), as its
        X-TRACKER- properties and DESCRIPTION's X-TRACKER- parameters give them: the room
        without the venue that LOCATION adds, the speakers by their id, in order, the
        subtitle and abstract (or long description) without the speakers and link that
        DESCRIPTION adds, the kind and the language. One left out is empty. Texts are
        taken as they are: tracker's are plain text already, which plain_text() could
        change (a literal "&amp;")."""
        people = [(str(speaker.params.get("X-TRACKER-ID", "")).strip() or None, name)
                  for speaker in _all(event, "X-TRACKER-SPEAKER") if (name := _unescaped(speaker))]
        description = _single(event, "DESCRIPTION")
        text = "" if description is None else str(description)
        params = {} if description is None else description.params
        parts = {name: _part(text, params.get(f"X-TRACKER-{name.upper()}"))
                 for name in ("subtitle", "abstract", "description")}
        if None in parts.values():
            self.counts["bad parts"] += 1
            parts = {"subtitle": "", "abstract": plain_text(text), "description": ""}
        return {
            "room": _x_text(event, "X-TRACKER-ROOM") or None,
            "speakers": add_speakers(self.speakers, people),
            **parts,
            "kind": normalise_kind(_x_text(event, OWN_MARK)),
            "language": _x_text(event, "X-TRACKER-LANGUAGE"),
        }

    def end(self, event: Component, starts_at: datetime, where: str) -> datetime | None:
        """DTEND, else DTSTART and DURATION, else None: the event gives no length."""
        end = _date_value(event, "DTEND", where)
        if end is not None:
            if not isinstance(end, datetime):
                raise ScheduleError(f"{where}: DTEND is not a date-time, as DTSTART is")
            return self.instant(end, _single(event, "DTEND").params, where, "DTEND")
        duration = _date_value(event, "DURATION", where)
        if duration is None:
            return None
        if not isinstance(duration, timedelta):
            raise ScheduleError(f"{where}: DURATION is not a duration")
        return starts_at + duration

    def instant(self, moment: datetime, params, where: str, name: str,
                first: bool = False) -> datetime:
        """The absolute instant of a DTSTART or DTEND value.

        :param first: this is a session's start, which decides the conference's zone
            when the file names none
        """
        tzid = params.get("TZID")
        if tzid:
            zone = self.zone(str(tzid), where, name)
            if first and is_zone(str(tzid)):
                self.start_zones.setdefault(str(tzid), None)
            utc = _wall_to_utc(moment.replace(tzinfo=None), zone, str(tzid), where)
        elif moment.tzinfo is not None:
            utc = moment.astimezone(UTC)
        elif self.floating_zone:
            self.floating_event = True
            utc = _wall_to_utc(moment, ZoneInfo(self.floating_zone), self.floating_zone, where)
        else:
            raise ScheduleError(
                f"{where}: {name} {moment:%Y-%m-%d %H:%M} is a floating time (no TZID and "
                "no Z) and the file gives no time zone (X-WR-TIMEZONE): give the time zone")
        if first and self.first_offset is None:
            self.first_offset = moment.replace(tzinfo=None) - utc.replace(tzinfo=None)
        return utc

    def zone(self, tzid: str, where: str, name: str) -> tzinfo:
        """An IANA zone by its name, else the file's own VTIMEZONE of that TZID."""
        if tzid not in self.zones:
            if is_zone(tzid):
                self.zones[tzid] = ZoneInfo(tzid)
            elif tzid in self.definitions:
                try:
                    self.zones[tzid] = self.definitions[tzid].to_tz(lookup_tzid=False)
                except (ValueError, TypeError, KeyError) as exc:
                    raise ScheduleError(f"VTIMEZONE “{tzid}” cannot be read: {exc}") from None
            else:
                raise ScheduleError(f"{where}: {name} has the time zone TZID=“{tzid}”, which is "
                                    "neither an IANA time zone nor defined in the file (VTIMEZONE)")
        return self.zones[tzid]

    def people(self, event: Component) -> tuple[tuple[str, ...], str]:
        """The event's speakers' keys, and its description without a speaker line."""
        description = _text(event, "DESCRIPTION")
        names = _attendee_names(event)
        if names and not self.published:
            self.counts["invitees"] += 1
            names = []
        if not names and (match := SPEAKER_LINE.match(description)):
            names = [name for name in NAME_SEPARATOR.split(match[1]) if name]
            description = description[match.end():]
            self.counts["speaker line"] += 1
        return add_speakers(self.speakers, [(None, name) for name in names]), description

    def conference_zone(self) -> tuple[str, list[str]]:
        """The zone to show the conference in: the user's, the calendar's X-WR-TIMEZONE,
        the TZID the sessions start in, else a fixed offset (UTC for UTC-only files)."""
        if self.user_zone or self.calendar_zone:
            return self.user_zone or self.calendar_zone, []
        names = list(self.start_zones)
        if len(names) == 1:
            return names[0], []
        if names:
            return names[0], [f"sessions start in {len(names)} time zones ({', '.join(names)}): "
                              f"showing times in {names[0]}, the first; give the time zone "
                              "to choose another"]
        return zone_of_offset(self.first_offset)

    def summary(self) -> list[str]:
        """The repairs made, one sentence each."""
        repairs = list(self.repairs)
        if self.all_day:
            repairs.append(f"{plural(len(self.all_day), 'all-day event')} skipped, as sessions "
                           f"need a start and an end time: {examples(self.all_day)}")
        return repairs + self.lengths.repairs() + counted(self.counts, {
            "no uid": ("event", " without a UID: identified by their title"),
            "repeats": ("repeating event", " (RRULE or RDATE): imported their first occurrence "
                        "only"),
            "bad lines": ("event", " with unreadable lines: those lines ignored"),
            "no room": ("session", " without a room (LOCATION): left without one"),
            "bad url": ("session URL that is not", "session URLs that are not",
                        " http(s): dropped"),
            "invitees": ("event lists", "events list", " attendees, but the calendar is not "
                         "published (METHOD:PUBLISH), so they are invitees: not taken as "
                         "speakers"),
            "speaker line": ("description starts", "descriptions start", " with a “Speaker:” "
                             "line: taken as the speakers"),
            "floating": ("session has", "sessions have", " floating times (no TZID and no Z): "
                         f"read in {self.floating_zone}"),
            "bad parts": ("tracker event whose", "tracker events whose", " DESCRIPTION no longer "
                          "matches its X-TRACKER- parameters: took it all as the abstract"),
        })


def _date_value(event: Component, name: str, where: str) -> datetime | date | timedelta | None:
    value = _single(event, name)
    if value is None:
        return None
    try:
        return value.dt
    except (ValueError, AttributeError):
        raise ScheduleError(f"{where}: {name} “{value}” is not a valid iCalendar "
                            "date, date-time or duration") from None


def _wall_to_utc(wall: datetime, zone: tzinfo, zone_name: str, where: str) -> datetime:
    """A wall-clock time in `zone` as UTC, with the rule of tracker.timezones.local_to_utc
    (the first of a repeated hour; a skipped time is refused), which needs a ZoneInfo
    where a VTIMEZONE gives another tzinfo."""
    utc = wall.replace(tzinfo=zone).astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != wall:
        raise ScheduleError(f"{where}: {wall:%Y-%m-%d %H:%M} does not exist in {zone_name}: "
                            "the clocks skip it")
    return utc


def _part(text: str, span) -> str | None:
    """The part of a tracker export's DESCRIPTION `text` that an X-TRACKER- parameter's
    "<from>-<to>" names: "" without one, None if it names no whole paragraphs of it (the
    file was changed since)."""
    if span is None:
        return ""
    if (match := SPAN.fullmatch(str(span))) is None:
        return None
    start, end = int(match[1]), int(match[2])
    starts_paragraph = start == 0 or text.endswith("\n\n", 0, start)
    ends_paragraph = end == len(text) or text.startswith("\n\n", end)
    if not (start <= end <= len(text) and starts_paragraph and ends_paragraph):
        return None
    return text[start:end].strip()


def _first_category(event: Component) -> str | None:
    value = _single(event, "CATEGORIES")
    for category in getattr(value, "cats", ()):
        if name := str(category).strip():
            return name
    return None


def _attendee_names(event: Component) -> list[str]:
    """Names of the people (not rooms or resources) attending."""
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    names = []
    for attendee in attendees:
        params = getattr(attendee, "params", {})
        person = str(params.get("CUTYPE", "INDIVIDUAL")).upper() == "INDIVIDUAL"
        taking_part = str(params.get("ROLE", "")).upper() != "NON-PARTICIPANT"
        if person and taking_part and (name := str(params.get("CN", "")).strip()):
            names.append(name)
    return names
