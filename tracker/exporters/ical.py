"""iCalendar (RFC 5545) export: one VEVENT per session, for downloads, feeds and agendas.

Calendar apps are strict readers, so the file carries a VTIMEZONE for every TZID it uses,
written here rather than by icalendar's `Timezone.from_tzinfo` (see `vtimezone`), and
nothing in it depends on the time of export: a feed is byte-identical until a session
changes, so HTTP validators (ETag) work.

What calendar apps show is written for people: LOCATION is "room, venue", DESCRIPTION
holds the abstract, the speakers and the link back. So that tracker can read its own file
back exactly (tracker.importers.ical), each VEVENT also says what those are made of, in
non-standard properties and parameters, which RFC 5545 lets any component and property
hold (3.8.8.2, 3.2) and tells every other reader to ignore:

    X-TRACKER-KIND             the session's kind, on every event: it marks the event as
                               tracker's, so that a field left out is an empty one
    X-TRACKER-ROOM             the room, if any (LOCATION adds the venue)
    X-TRACKER-SPEAKER          one per speaker, in order, with X-TRACKER-ID=<speaker's id>,
                               which tells two people of the same name apart
    X-TRACKER-LANGUAGE         the language the session is held in, if known
    DESCRIPTION;X-TRACKER-SUBTITLE=<from>-<to>;X-TRACKER-ABSTRACT=<from>-<to>
                               where in DESCRIPTION's text (counted in characters once
                               read, <to> not included) the subtitle and the abstract are;
                               X-TRACKER-DESCRIPTION instead of X-TRACKER-ABSTRACT for the
                               long description that a session without an abstract shows.
                               Pointing into the text rather than repeating it keeps
                               36C3's export (1,351 sessions) from growing by two thirds.

The X- properties' values are TEXT (RFC 5545's default for them), escaped as such. UID
(the session's), SUMMARY, DTSTART and DTEND, STATUS and CATEGORIES (the track) are the
standard properties, read back as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Timezone
from icalendar import TimezoneDaylight
from icalendar import TimezoneStandard
from icalendar import vDuration
from icalendar import vText

from ..models import Talk
from ..models import TalkChange
from .base import Exporter
from .base import Selection

PRODID = "-//tracker//tracker conference talk tracker//EN"
#: how often a subscribed calendar app should fetch a feed again
FEED_REFRESH = timedelta(hours=1)
#: RFC 5545 TEXT allows no control characters but HTAB; CR and LF become "\n" escapes
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: what a TEXT value cannot hold as it is: control characters, and what needs a backslash
NOT_PLAIN_TEXT = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\\;,]")
LINE_BREAKS = re.compile(r"\r\n|[\r\n]")
#: ", " and "\n\n" in a TEXT value, to join values escaped already
ESCAPED_COMMA = "\\, "
ESCAPED_PARAGRAPH_BREAK = "\\n\\n"
#: how many session times the exporter remembers how to write
TIMES_CACHED = 8192


class ICalExporter(Exporter):
    name = "ics"
    extension = "ics"
    content_type = "text/calendar; charset=utf-8"
    multi_conference = True

    def render(self, selection: Selection) -> bytes:
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", vText(one_line(selection.title)))  # vText escapes it
        calendar.add("x-wr-timezone", selection.timezone)
        if selection.feed:
            calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
            # an X- property has no known type: given a bare timedelta, icalendar writes "1:00:00"
            calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
        for component in vtimezones(selection):
            calendar.add_component(component)
        envelope = calendar.to_ical()
        assert envelope.endswith(CALENDAR_END)
        events = b"".join(event(talk, selection) for talk in selection.talks)
        return envelope[:-len(CALENDAR_END)] + events + CALENDAR_END


CALENDAR_END = b"END:VCALENDAR\r\n"


def event(talk: Talk, selection: Selection) -> bytes:
    """The session as a VEVENT, with the user's plan and reminder if it is an agenda.

    Written line by line rather than through icalendar's Event: for a thousand sessions
    icalendar takes about 300 ms, most of it folding lines one character at a time, and a
    feed is rendered on every calendar app's poll. The lines are the same; the tests read
    every export back with icalendar and with vobject. Each text is escaped once, and the
    tracker's own X- properties (see the module's documentation) reuse what the lines for
    people were made of.
    """
    zone = talk.conference.zone
    plan = selection.agenda.get(talk.id)
    room = "" if talk.room is None else text_value(talk.room.name)
    speakers = [(speaker.id, text_value(speaker.name)) for speaker in talk.speakers]
    body_name, body = (("ABSTRACT", talk.abstract) if talk.abstract.strip()
                       else ("DESCRIPTION", talk.description))
    parts = [("SUBTITLE", text_value(talk.subtitle.strip())), (body_name, text_value(body.strip()))]
    stamp = utc_value(talk.updated_at)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{text_value(talk.uid)}",
        f"DTSTAMP:{stamp}",
        f"CREATED:{utc_value(talk.created_at)}",
        f"LAST-MODIFIED:{stamp}",
        f"SEQUENCE:{talk.sequence}",
        f"SUMMARY:{text_value(talk.title)}",
        time_line("DTSTART", talk.starts_at, zone),
        time_line("DTEND", talk.ends_at, zone),
        f"STATUS:{status(talk, plan)}",
    ]
    if place := location(room, talk.conference.venue):
        lines.append(f"LOCATION:{place}")
    # the track only: calendar apps turn categories into the user's own labels, and a
    # kind such as "talk" on nearly every session would only clutter them
    if talk.track is not None:
        lines.append(f"CATEGORIES:{text_value(talk.track.name)}")
    lines.append(description(talk, selection, parts, speakers))
    # the link back rather than talk.url: every session has one, it is where the user's
    # notes and plan are, and that page links to the schedule's own
    lines.append(f"URL:{selection.talk_url(talk)}")
    lines.append(f"X-TRACKER-KIND:{text_value(talk.kind)}")
    if room:
        lines.append(f"X-TRACKER-ROOM:{room}")
    lines += [f"X-TRACKER-SPEAKER;X-TRACKER-ID={speaker_id}:{name}" for speaker_id, name in speakers]
    if talk.language.strip():
        lines.append(f"X-TRACKER-LANGUAGE:{text_value(talk.language.strip())}")
    if selection.reminder_minutes is not None and not talk.is_cancelled and plan != "dropped":
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{text_value(talk.title)}",
                  f"TRIGGER:-PT{selection.reminder_minutes}M", "END:VALARM"]
    lines.append("END:VEVENT")
    return b"".join(fold(line) for line in lines)


def text_value(text: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): control characters dropped, then \\ ; , and line
    breaks escaped."""
    if NOT_PLAIN_TEXT.search(text) is None:  # most names and titles: nothing to do
        return text
    text = clean(text)
    for raw, escaped in TEXT_ESCAPES:
        text = text.replace(raw, escaped)
    return text


TEXT_ESCAPES = (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\r\n", "\\n"), ("\n", "\\n"), ("\r", "\\n"))


def utc_value(moment: datetime) -> str:
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    # a third of the time strftime takes, on three stamps a session
    return "%04d%02d%02dT%02d%02d%02dZ" % (moment.year, moment.month, moment.day, moment.hour,
                                          moment.minute, moment.second)


@lru_cache(maxsize=TIMES_CACHED)
def time_line(name: str, moment: datetime, zone: ZoneInfo) -> str:
    """DTSTART/DTEND on the conference's wall clock with its TZID (see wall_clock).

    Cached, as wall_clock is: sessions share their start and end times, and working them
    out took a sixth of the time of writing a VEVENT."""
    local = wall_clock(moment, zone)
    if local.tzinfo is UTC:
        return f"{name}:{utc_value(local)}"
    return f"{name};TZID={zone.key}:{local:%Y%m%dT%H%M%S}"


def fold(line: str) -> bytes:
    """One content line, folded into pieces of at most 75 octets (RFC 5545, 3.1), never
    inside a UTF-8 sequence, with CRLF after each."""
    data = line.encode()
    if len(data) <= 75:
        return data + b"\r\n"
    pieces, start, limit = [], 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: cut before its sequence
            cut -= 1
        pieces.append(data[start:cut])
        start, limit = cut, 74  # continuation lines begin with a space
    pieces.append(data[start:])
    return b"\r\n ".join(pieces) + b"\r\n"


@lru_cache(maxsize=TIMES_CACHED)
def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` in `zone`, to be written with its TZID; or in UTC if that wall-clock time
    happens twice (the hour repeated when clocks go back): RFC 5545 (3.3.5) reads it as
    the first, libical (Evolution, Thunderbird's past) as the second, so only UTC is
    exact everywhere."""
    local = moment.astimezone(zone)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return moment.astimezone(UTC)
    return local


def location(room: str, venue: str) -> str:
    """"Room, venue", with whichever of the two the session has, as a TEXT value.

    :param room: the room's name as a TEXT value already
    """
    return ESCAPED_COMMA.join(part for part in (room, venue and text_value(venue)) if part)


def status(talk: Talk, plan: str | None) -> str:
    """CANCELLED stays in the file so that subscribed calendars drop the session; so does
    a session that left the user's agenda ("dropped")."""
    if talk.is_cancelled or plan == "dropped":
        return "CANCELLED"
    return "TENTATIVE" if plan == "maybe" else "CONFIRMED"


def description(talk: Talk, selection: Selection, parts: list[tuple[str, str]],
                speakers: list[tuple[int, str]]) -> str:
    """The DESCRIPTION line: what a calendar app shows under the title, the agenda's note
    and changes first, then the subtitle, the abstract (or the long description when a
    schedule gives no abstract, as 170 of the 1,007 sessions of 38C3 do), the speakers and
    the link back; with an
    X-TRACKER-<part>=<from>-<to> parameter for each of `parts` that it holds.

    :param parts: ("SUBTITLE", subtitle) and ("ABSTRACT" or "DESCRIPTION", text), as TEXT
        values already; an empty one is left out
    :param speakers: (id, name) each, the name as a TEXT value already
    """
    paragraphs = []
    if note := selection.agenda_notes.get(talk.id):
        paragraphs.append(text_value(note))
    if talk.is_cancelled:
        paragraphs.append("Cancelled.")
    if (change := selection.moves.get(talk.id)) is not None and (note := move_note(talk, change)):
        paragraphs.append(text_value(note))
    parameters = ""
    start = sum(read_length(paragraph) + 2 for paragraph in paragraphs)
    for name, text in parts:
        if text:
            end = start + read_length(text)
            parameters += f";X-TRACKER-{name}={start}-{end}"
            paragraphs.append(text)
            start = end + 2
    if speakers:
        label = "Speakers" if len(speakers) > 1 else "Speaker"
        paragraphs.append(f"{label}: " + ESCAPED_COMMA.join(name for _, name in speakers))
    paragraphs.append(text_value(selection.talk_url(talk)))
    return f"DESCRIPTION{parameters}:{ESCAPED_PARAGRAPH_BREAK.join(paragraphs)}"


def read_length(value: str) -> int:
    """How many characters a TEXT value made by text_value() holds once read: each escape
    (\\\\ \\; \\, \\n) is two characters for one, and a backslash is only ever part of one."""
    return len(value) - value.count("\\") + value.count("\\\\")


def move_note(talk: Talk, change: TalkChange) -> str:
    """"Moved: it was on Wednesday 17 August 11:00 in Georgia A", in the conference's zone,
    from whichever of the time and room the move changed; the old end only if the
    session's length changed too."""
    before, zone = change.before, talk.conference.zone
    parts = []
    if "starts_at" in before or "ends_at" in before:
        start = parse_instant(before.get("starts_at"), talk.starts_at).astimezone(zone)
        end = parse_instant(before.get("ends_at"), talk.ends_at).astimezone(zone)
        when = f"on {start:%A} {start.day} {start:%B %H:%M}"
        parts.append(when if end - start == talk.duration else f"{when}–{end:%H:%M}")
    if "room" in before:
        parts.append(f"in {before['room']}" if before["room"] else "without a room")
    return f"Moved: it was {' '.join(parts)}" if parts else ""


def parse_instant(value: str | None, default: datetime) -> datetime:
    return datetime.fromisoformat(value) if value else default


def clean(text: str) -> str:
    """Text without the control characters RFC 5545 forbids (some schedules carry them)."""
    return CONTROL_CHARACTERS.sub("", text)


def one_line(text: str) -> str:
    """A name shown on one line, such as the calendar's (X-WR-CALNAME): line breaks become
    spaces (a user's display name can hold one), other control characters go."""
    return clean(LINE_BREAKS.sub(" ", text))


def vtimezones(selection: Selection) -> Iterator[Timezone]:
    """A VTIMEZONE for each TZID the events use, in TZID order, each covering the whole
    years of the sessions' times. Without events the calendar's own zone is still given:
    RFC 5545 wants at least one component in a VCALENDAR."""
    years: dict[str, tuple[int, int]] = {}
    for talk in selection.talks:
        zone = talk.conference.zone
        for moment in (talk.starts_at, talk.ends_at):
            local = wall_clock(moment, zone)
            if local.tzinfo is not UTC:
                first, last = years.get(zone.key, (local.year, local.year))
                years[zone.key] = (min(first, local.year), max(last, local.year))
    if not selection.talks:
        year = selection.conference.start_date.year if selection.conference else 1970
        years[selection.timezone] = (year, year)
    for tzid, (first, last) in sorted(years.items()):
        yield vtimezone(ZoneInfo(tzid), date(first, 1, 1), date(last + 1, 1, 1))


def vtimezone(zone: ZoneInfo, first: date, last: date) -> Timezone:
    """`zone` from local midnight on `first` to `last`, one observance per change of offset.

    Not `Timezone.from_tzinfo`, which (icalendar 7.3) dates each DAYLIGHT onset at the new
    wall-clock time (03:00 for Europe/Berlin, where RFC 5545 wants the 02:00 that the old
    offset shows), which puts summer time's start an hour late (DTSTART - TZOFFSETFROM is
    02:00 UTC, not 01:00), and which puts a COMMENT directly in the VTIMEZONE, which
    Evolution's libical rejects. Each onset is its own
    observance with no RRULE or RDATE: the form every reader understands, and exact for
    past years whose rules differ from today's.
    """
    component = Timezone()
    component.add("tzid", zone.key)
    start = datetime.combine(first, time(0), zone).astimezone(UTC)
    end = datetime.combine(last, time(0), zone).astimezone(UTC)
    component.add_component(observance(start, zone, zone_state(start, zone)[0]))
    for onset, offset_before in transitions(zone, start, end):
        component.add_component(observance(onset, zone, offset_before))
    return component


def observance(onset: datetime, zone: ZoneInfo,
               offset_from: timedelta) -> TimezoneStandard | TimezoneDaylight:
    """The STANDARD or DAYLIGHT part that starts at the UTC instant `onset`; its DTSTART is
    the wall-clock time the old offset shows then (RFC 5545, 3.6.5)."""
    offset_to, name, summer_time = zone_state(onset, zone)
    part = TimezoneDaylight() if summer_time else TimezoneStandard()
    part.add("dtstart", (onset + offset_from).replace(tzinfo=None))
    part.add("tzoffsetfrom", offset_from)
    part.add("tzoffsetto", offset_to)
    part.add("tzname", name)
    return part


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[tuple[datetime, timedelta]]:
    """Each UTC instant in (start, end) at which `zone` changes offset, name or daylight
    saving, with the offset before it: a day-by-day walk, then a bisection to the second
    (no zone changes twice in a day)."""
    moment, state = start, zone_state(start, zone)
    while moment < end:
        later = min(moment + timedelta(days=1), end)
        if zone_state(later, zone) == state:
            moment = later
            continue
        low, high = int(moment.timestamp()), int(later.timestamp())
        while high - low > 1:
            middle = (low + high) // 2
            if zone_state(datetime.fromtimestamp(middle, UTC), zone) == state:
                low = middle
            else:
                high = middle
        moment = datetime.fromtimestamp(high, UTC)
        yield moment, state[0]
        state = zone_state(moment, zone)


def zone_state(moment: datetime, zone: ZoneInfo) -> tuple[timedelta, str | None, bool]:
    """The offset, abbreviation and whether it is summer time (Europe/Dublin's negative
    winter "daylight saving" counts as standard time, as calendar apps expect)."""
    local = moment.astimezone(zone)
    return local.utcoffset(), local.tzname(), local.dst() > timedelta(0)
