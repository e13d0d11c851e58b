"""iCalendar (RFC 5545) export: one VEVENT per session, for downloads, feeds and agendas.

Calendar apps are strict readers, so the file carries a VTIMEZONE for every TZID it uses,
written here rather than by icalendar's `Timezone.from_tzinfo` (see `vtimezone`), and
nothing in it depends on the time of export: a feed is byte-identical until a session
changes, so HTTP validators (ETag) work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Timezone
from icalendar import TimezoneDaylight
from icalendar import TimezoneStandard
from icalendar import vDuration

from ..models import Talk
from ..models import TalkChange
from .base import Exporter
from .base import Selection

PRODID = "-//tracker//tracker conference talk tracker//EN"
#: how often a subscribed calendar app should fetch a feed again
FEED_REFRESH = timedelta(hours=1)
#: RFC 5545 TEXT allows no control characters but HTAB; CR and LF become "\n" escapes
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        calendar.add("x-wr-calname", clean(selection.title))
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
    every export back with icalendar and with vobject.
    """
    zone = talk.conference.zone
    lines = [
        "BEGIN:VEVENT",
        f"UID:{text_value(talk.uid)}",
        f"DTSTAMP:{utc_value(talk.updated_at)}",
        f"CREATED:{utc_value(talk.created_at)}",
        f"LAST-MODIFIED:{utc_value(talk.updated_at)}",
        f"SEQUENCE:{talk.sequence}",
        f"SUMMARY:{text_value(talk.title)}",
        time_line("DTSTART", talk.starts_at, zone),
        time_line("DTEND", talk.ends_at, zone),
        f"STATUS:{status(talk, selection.agenda.get(talk.id))}",
    ]
    if place := location(talk):
        lines.append(f"LOCATION:{text_value(place)}")
    # the track only: calendar apps turn categories into the user's own labels, and a
    # kind such as "talk" on nearly every session would only clutter them
    if talk.track is not None:
        lines.append(f"CATEGORIES:{text_value(talk.track.name)}")
    lines.append(f"DESCRIPTION:{text_value(description(talk, selection))}")
    # the link back rather than talk.url: every session has one, it is where the user's
    # notes and plan are, and that page links to the schedule's own
    lines.append(f"URL:{selection.talk_url(talk)}")
    if selection.reminder_minutes is not None and not talk.is_cancelled:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{text_value(talk.title)}",
                  f"TRIGGER:-PT{selection.reminder_minutes}M", "END:VALARM"]
    lines.append("END:VEVENT")
    return b"".join(fold(line) for line in lines)


def text_value(text: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): control characters dropped, then \\ ; , and line
    breaks escaped."""
    text = clean(text)
    for raw, escaped in TEXT_ESCAPES:
        text = text.replace(raw, escaped)
    return text


TEXT_ESCAPES = (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\r\n", "\\n"), ("\n", "\\n"), ("\r", "\\n"))


def utc_value(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def time_line(name: str, moment: datetime, zone: ZoneInfo) -> str:
    """DTSTART/DTEND on the conference's wall clock with its TZID (see wall_clock)."""
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


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` in `zone`, to be written with its TZID; or in UTC if that wall-clock time
    happens twice (the hour repeated when clocks go back): RFC 5545 (3.3.5) reads it as
    the first, libical (Evolution, Thunderbird's past) as the second, so only UTC is
    exact everywhere."""
    local = moment.astimezone(zone)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return moment.astimezone(UTC)
    return local


def location(talk: Talk) -> str:
    """"Room, venue", with whichever of the two the session has."""
    return ", ".join(part for part in (talk.room and talk.room.name, talk.conference.venue) if part)


def status(talk: Talk, plan: str | None) -> str:
    """CANCELLED stays in the file so that subscribed calendars drop the session."""
    if talk.is_cancelled:
        return "CANCELLED"
    return "TENTATIVE" if plan == "maybe" else "CONFIRMED"


def description(talk: Talk, selection: Selection) -> str:
    """What a calendar app shows under the title: changes first, then the subtitle, the
    abstract (or the long description when a schedule gives no abstract, as 170 of the
    1,007 sessions of 38C3 do), the speakers and the link back."""
    paragraphs = []
    if talk.is_cancelled:
        paragraphs.append("Cancelled.")
    if (change := selection.moves.get(talk.id)) is not None and (note := move_note(talk, change)):
        paragraphs.append(note)
    for text in (talk.subtitle, talk.abstract or talk.description):
        if text.strip():
            paragraphs.append(text.strip())
    if talk.speakers:
        label = "Speakers" if len(talk.speakers) > 1 else "Speaker"
        paragraphs.append(f"{label}: {', '.join(speaker.name for speaker in talk.speakers)}")
    paragraphs.append(selection.talk_url(talk))
    return "\n\n".join(paragraphs)


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
