"""The iCalendar exporter: every export read back by two independent parsers (icalendar and
vobject) and compared with the database.

Times are read through the file's own VTIMEZONEs, never by trusting the TZID's name, so a
wrong VTIMEZONE fails here as it would in a calendar app that relies on it. Every export is
also held to what strict readers insist on: CRLF line ends, lines of at most 75 octets
folded between characters, a VTIMEZONE for every TZID and no COMMENT directly inside one.

Round trips: tracker's own iCalendar importer reads an export back into the same sessions,
times, rooms, tracks, speakers, subtitles, abstracts, kinds and languages (issue 4), from
the X-TRACKER- properties and parameters that both parsers here see too.
"""

import re
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa
import vobject
from icalendar.parser import unescape_backslash

from tracker.exporters import Selection
from tracker.exporters.ical import ICalExporter
from tracker.extensions import db
from tracker.importers.ical import ICalImporter
from tracker.models import Conference
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import TalkChange
from tracker.models import Track
from tracker.schedule import programme
from tracker.services.accounts import create_user
from tracker.services.imports import ImportReport
from tracker.services.imports import import_schedule
from tracker.services.programme import set_speakers

SAMPLES = Path(__file__).parent / "samples"
EXPORTER = ICalExporter()


def talk_url(talk: Talk) -> str:
    return f"https://tracker.example.org/c/{talk.conference.slug}/talks/{talk.id}"


def conference_selection(conference: Conference, **options) -> Selection:
    return Selection(title=conference.name, talks=programme(conference), talk_url=talk_url,
                     conference=conference, timezone=conference.timezone, **options)


def find_conference(slug: str) -> Conference:
    return db.session.scalar(sa.select(Conference).where(Conference.slug == slug))


def import_sample(name: str, slug: str) -> Conference:
    path = SAMPLES / name
    report = import_schedule(path.read_bytes(), source=path.name, slug=slug)
    db.session.commit()
    return report.conference


@dataclass
class Export:
    """One rendered file as both parsers read it."""

    data: bytes
    calendar: icalendar.Calendar
    vcalendar: vobject.base.Component

    @property
    def events(self) -> dict[str, icalendar.Event]:
        return {str(event["UID"]): event for event in self.calendar.walk("VEVENT")}

    @property
    def vevents(self) -> dict[str, vobject.base.Component]:
        return {vevent.uid.value: vevent for vevent in self.vcalendar.contents.get("vevent", [])}


def read(data: bytes) -> Export:
    """Parse an export with both parsers, after checking what every export must satisfy."""
    assert_strict_lines(data)
    calendar = icalendar.Calendar.from_ical(data)
    vcalendar = vobject.readOne(data.decode("utf-8"))
    assert (calendar["VERSION"], calendar["CALSCALE"]) == ("2.0", "GREGORIAN")
    assert str(calendar["PRODID"]).startswith("-//tracker//")
    assert vcalendar.version.value == "2.0"
    assert_timezones_complete(calendar)
    return Export(data, calendar, vcalendar)


def assert_strict_lines(data: bytes) -> None:
    """CRLF after every line and nowhere else, at most 75 octets a line, and no line that
    splits a UTF-8 sequence (each decodes on its own)."""
    assert data.endswith(b"\r\n")
    for line in data[:-2].split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, line
        line.decode("utf-8")


def assert_timezones_complete(calendar: icalendar.Calendar) -> None:
    """A VTIMEZONE for each TZID used and no other, each starting before the first time
    written with it."""
    defined = {str(vtimezone["TZID"]): vtimezone for vtimezone in calendar.walk("VTIMEZONE")}
    assert len(defined) == len(calendar.walk("VTIMEZONE"))
    used = set()
    for event in calendar.walk("VEVENT"):
        for value in (event["DTSTART"], event["DTEND"]):
            if "TZID" in value.params:
                used.add(str(value.params["TZID"]))
                vtimezone = defined.get(str(value.params["TZID"]))
                assert vtimezone is not None, "a TZID without its VTIMEZONE is read as floating time"
                assert vtimezone.subcomponents[0].DTSTART <= value.dt.replace(tzinfo=None)
    if calendar.walk("VEVENT"):
        assert used == set(defined)
    for vtimezone in defined.values():
        assert "COMMENT" not in vtimezone, "libical refuses a COMMENT directly in a VTIMEZONE"
        assert_onsets_match_tzdata(vtimezone)


def assert_onsets_match_tzdata(vtimezone: icalendar.Timezone) -> None:
    """Each STANDARD or DAYLIGHT part starts at the instant the IANA zone changes to its
    offset: its DTSTART is the wall-clock time before the change (RFC 5545, 3.6.5), so
    DTSTART - TZOFFSETFROM is that instant. Readers differ in how they find the part in
    force, so a DTSTART an hour off shows in some of them and not in others."""
    zone = ZoneInfo(str(vtimezone["TZID"]))
    assert vtimezone.subcomponents
    for part in vtimezone.subcomponents:
        assert part.name in ("STANDARD", "DAYLIGHT")
        onset = (part.DTSTART - part["TZOFFSETFROM"].td).replace(tzinfo=UTC)
        assert onset.astimezone(zone).utcoffset() == part["TZOFFSETTO"].td, (zone, part.DTSTART)
        assert (onset - timedelta(seconds=1)).astimezone(zone).utcoffset() == part["TZOFFSETFROM"].td, (
            zone, part.DTSTART)
        assert (part.name == "DAYLIGHT") == (onset.astimezone(zone).dst() > timedelta(0))


def instants_by_icalendar(calendar: icalendar.Calendar) -> dict[str, tuple[datetime, datetime]]:
    """Each event's start and end as UTC instants, through the file's VTIMEZONEs."""
    zones = {str(vtimezone["TZID"]): vtimezone.to_tz(lookup_tzid=False)
             for vtimezone in calendar.walk("VTIMEZONE")}

    def instant(value) -> datetime:
        if "TZID" not in value.params:
            assert value.dt.utcoffset() == timedelta(0), "a time without TZID must be UTC"
            return value.dt.astimezone(UTC)
        return value.dt.replace(tzinfo=zones[str(value.params["TZID"])]).astimezone(UTC)

    return {str(event["UID"]): (instant(event["DTSTART"]), instant(event["DTEND"]))
            for event in calendar.walk("VEVENT")}


def instants_by_vobject(vcalendar) -> dict[str, tuple[datetime, datetime]]:
    """The same through vobject, which keeps the file's TZID in X-VOBJ-ORIGINAL-TZID. Its
    own tzinfo comes from a process-wide registry that the first file with that TZID
    filled, so the wall-clock time is read again through this file's VTIMEZONE."""
    zones = {vtimezone.tzid.value: vtimezone.gettzinfo()
             for vtimezone in vcalendar.contents.get("vtimezone", [])}

    def instant(line) -> datetime:
        if "X-VOBJ-ORIGINAL-TZID" not in line.params:
            assert line.value.utcoffset() == timedelta(0), "a time without TZID must be UTC"
            return line.value.astimezone(UTC)
        (tzid,) = line.params["X-VOBJ-ORIGINAL-TZID"]
        return line.value.replace(tzinfo=zones[tzid]).astimezone(UTC)

    return {vevent.uid.value: (instant(vevent.dtstart), instant(vevent.dtend))
            for vevent in vcalendar.contents.get("vevent", [])}


def assert_same_sessions(export: Export, talks: list[Talk]) -> None:
    """One event per talk, with the talk's UID, instants, zone, title, sequence and stamps."""
    vevent_count = len(export.vcalendar.contents.get("vevent", []))
    assert len(export.calendar.walk("VEVENT")) == vevent_count == len(talks)
    assert sorted(export.events) == sorted(export.vevents) == sorted(talk.uid for talk in talks)
    expected = {talk.uid: (talk.starts_at, talk.ends_at) for talk in talks}
    assert instants_by_icalendar(export.calendar) == expected
    assert instants_by_vobject(export.vcalendar) == expected
    events, vevents = export.events, export.vevents
    for talk in talks:
        event, stamp = events[talk.uid], talk.updated_at.replace(microsecond=0)
        assert event["DTSTART"].params.get("TZID", talk.conference.timezone) == talk.conference.timezone
        assert str(event["SUMMARY"]) == vevents[talk.uid].summary.value == talk.title
        assert event["SEQUENCE"] == talk.sequence
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == stamp
        assert str(event["URL"]) == talk_url(talk)
        assert talk_url(talk) in vevents[talk.uid].description.value


def assert_renders_identically(selection: Selection, data: bytes) -> None:
    """The same data, loaded again from the database, gives the same bytes (feeds rely on
    it for ETags): nothing in the file depends on the moment or on object identity."""
    db.session.expire_all()
    conference = find_conference(selection.conference.slug)
    again = replace(selection, conference=conference, talks=programme(conference))
    assert EXPORTER.render(again) == data


def test_exporter_declares_its_format():
    assert (EXPORTER.name, EXPORTER.extension, EXPORTER.multi_conference) == ("ics", "ics", True)
    assert EXPORTER.content_type == "text/calendar; charset=utf-8"


def test_demo_conference_reads_back_as_in_the_database(demo):
    conference = find_conference("linuxcon-na-2011")
    selection = conference_selection(conference)
    data = EXPORTER.render(selection)
    export = read(data)

    assert_same_sessions(export, selection.talks)
    assert str(export.calendar["X-WR-CALNAME"]) == "LinuxCon North America 2011"
    assert str(export.calendar["X-WR-TIMEZONE"]) == "America/Vancouver"
    assert "REFRESH-INTERVAL" not in export.calendar and "X-PUBLISHED-TTL" not in export.calendar
    assert [str(tz["TZID"]) for tz in export.calendar.walk("VTIMEZONE")] == ["America/Vancouver"]
    assert not export.calendar.walk("VALARM")
    for talk in selection.talks:
        event, vevent = export.events[talk.uid], export.vevents[talk.uid]
        assert event["STATUS"] == "CONFIRMED"
        place = f"{talk.room.name}, Hyatt Regency, Vancouver"
        assert str(event["LOCATION"]) == vevent.location.value == place
        assert event["CATEGORIES"].cats == vevent.categories.value == [talk.track.name]
        description = vevent.description.value
        assert str(event["DESCRIPTION"]) == description
        assert description.startswith(talk.abstract)
        assert ", ".join(speaker.name for speaker in talk.speakers) in description
    assert_renders_identically(selection, data)


def test_38c3_feed_of_a_thousand_sessions(app):
    conference = import_sample("frab-xml/ccc-38c3-hub-schedule.xml", "38c3")
    selection = conference_selection(conference, feed=True)
    data = EXPORTER.render(selection)
    export = read(data)

    assert len(selection.talks) == 1007
    assert_same_sessions(export, selection.talks)
    calendar = export.calendar
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == export.vcalendar.x_published_ttl.value == "PT1H"
    assert (str(calendar["X-WR-CALNAME"]), str(calendar["X-WR-TIMEZONE"])) == ("38C3", "Europe/Berlin")
    (berlin,) = calendar.walk("VTIMEZONE")
    assert [(part.name, part.DTSTART, part["TZOFFSETTO"].td) for part in berlin.subcomponents] == [
        ("STANDARD", datetime(2024, 1, 1), timedelta(hours=1)),
        ("DAYLIGHT", datetime(2024, 3, 31, 2), timedelta(hours=2)),
        ("STANDARD", datetime(2024, 10, 27, 3), timedelta(hours=1)),
    ], "the whole year 2024, each change dated on the wall clock before it (RFC 5545 3.6.5)"
    without_abstract = next(talk for talk in selection.talks if not talk.abstract and talk.description)
    shown = export.vevents[without_abstract.uid].description.value
    assert talk_text(without_abstract.description) in shown
    assert_renders_identically(selection, data)


def talk_text(text: str) -> str:
    """A talk's text as it comes back from a calendar: line breaks as LF."""
    return text.strip().replace("\r\n", "\n")


def make_conference(slug: str, timezone: str, sessions: list[tuple[datetime, datetime]]) -> Conference:
    """A hand-made conference with one session per (start, end), all in one room."""
    conference = Conference(slug=slug, name=f"Conference {slug}", timezone=timezone,
                            start_date=min(start for start, _ in sessions).date(),
                            end_date=max(end for _, end in sessions).date(), venue="Town Hall")
    room = Room(conference=conference, name="Hall A")
    conference.talks = [Talk(title=f"Session {number}", starts_at=start, ends_at=end, room=room)
                        for number, (start, end) in enumerate(sessions, 1)]
    db.session.add(conference)
    db.session.commit()
    return conference


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_sessions_across_both_daylight_saving_changes(app):
    """Europe/Berlin, 2024: summer time from 01:00 UTC on 31 March (02:00 becomes 03:00),
    standard time again from 01:00 UTC on 27 October (03:00 becomes 02:00 again)."""
    conference = make_conference("night-owls", "Europe/Berlin", [
        (utc(2024, 3, 31, 0, 30), utc(2024, 3, 31, 1, 30)),  # 01:30 CET to 03:30 CEST, over the gap
        (utc(2024, 3, 31, 1, 15), utc(2024, 3, 31, 1, 45)),  # 03:15 CEST: in summer time's first hour
        (utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1, 30)),  # 02:30 CEST to the second 02:30 (CET)
        (utc(2024, 10, 27, 1, 15), utc(2024, 10, 27, 2, 15)),  # the second 02:15 (CET) to 03:15 CET
    ])
    selection = conference_selection(conference)
    export = read(EXPORTER.render(selection))

    assert_same_sessions(export, selection.talks)
    written = [(event["DTSTART"].to_ical(), event["DTEND"].to_ical(),
                event["DTSTART"].params.get("TZID"), event["DTEND"].params.get("TZID"))
               for event in export.calendar.walk("VEVENT")]
    assert written == [
        (b"20240331T013000", b"20240331T033000", "Europe/Berlin", "Europe/Berlin"),
        (b"20240331T031500", b"20240331T034500", "Europe/Berlin", "Europe/Berlin"),
        (b"20241027T003000Z", b"20241027T013000Z", None, None),
        (b"20241027T011500Z", b"20241027T031500", None, "Europe/Berlin"),
    ], "a time in the repeated hour has no local name that all readers take alike: it is written in UTC"


def test_a_zone_at_utc_all_year_still_has_its_vtimezone(app):
    """Atlantic/Reykjavik has been UTC all year since 1968: it is still written with its TZID
    and a VTIMEZONE, so that no reader takes its times as floating."""
    conference = make_conference("reykjavik", "Atlantic/Reykjavik",
                                 [(utc(2024, 6, 3, 8), utc(2024, 6, 3, 9))])
    selection = conference_selection(conference)
    export = read(EXPORTER.render(selection))

    assert_same_sessions(export, selection.talks)
    (vtimezone,) = export.calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Atlantic/Reykjavik"
    assert str(export.calendar["X-WR-TIMEZONE"]) == "Atlantic/Reykjavik"


def test_personal_agenda_across_two_conferences_and_zones(demo):
    linuxcon = programme(find_conference("linuxcon-na-2011"))
    jres = programme(import_sample("ical/jres-2022.ics", "jres"))
    going, maybe, resized = linuxcon[:3]
    planned, cancelled = jres[:2]
    cancelled.status, cancelled.sequence = "cancelled", cancelled.sequence + 1
    db.session.commit()
    moved_from = utc(2011, 8, 17, 18)  # 11:00 in Vancouver
    moves = {
        going.id: TalkChange(kind="moved", fields=["starts_at", "ends_at", "room"], before={
            "starts_at": moved_from.isoformat(), "ends_at": (moved_from + going.duration).isoformat(),
            "room": "Georgia A"}),
        resized.id: TalkChange(kind="moved", fields=["ends_at"], before={
            "ends_at": (resized.ends_at + timedelta(minutes=30)).isoformat()}),
    }
    talks = sorted([going, maybe, resized, planned, cancelled], key=lambda talk: talk.starts_at)
    agenda = {going.id: "going", maybe.id: "maybe", resized.id: "going", planned.id: "maybe",
              cancelled.id: "going"}
    selection = Selection(title="Ada's agenda", talks=talks, talk_url=talk_url, timezone="Europe/Paris",
                          feed=True, agenda=agenda, reminder_minutes=10, moves=moves)
    export = read(EXPORTER.render(selection))

    assert_same_sessions(export, talks)
    calendar = export.calendar
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Vancouver", "Europe/Paris"]
    assert (str(calendar["X-WR-CALNAME"]), str(calendar["X-WR-TIMEZONE"])) == ("Ada's agenda", "Europe/Paris")
    events, vevents = export.events, export.vevents
    assert {talk.title: events[talk.uid]["STATUS"] for talk in talks} == {
        going.title: "CONFIRMED", maybe.title: "TENTATIVE", resized.title: "CONFIRMED",
        planned.title: "TENTATIVE", cancelled.title: "CANCELLED"}
    assert {talk.title: events[talk.uid]["DTSTART"].params["TZID"] for talk in talks} == {
        talk.title: talk.conference.timezone for talk in talks}

    assert vevents[going.uid].description.value.startswith(
        "Moved: it was on Wednesday 17 August 11:00 in Georgia A\n\n")
    start = resized.starts_at.astimezone(resized.conference.zone)
    old_end = (resized.ends_at + timedelta(minutes=30)).astimezone(resized.conference.zone)
    assert vevents[resized.uid].description.value.startswith(
        f"Moved: it was on {start:%A} {start.day} {start:%B %H:%M}–{old_end:%H:%M}\n\n")
    assert "Moved" not in vevents[maybe.uid].description.value
    assert vevents[cancelled.uid].description.value.startswith("Cancelled.")

    for talk in talks:
        alarms = events[talk.uid].walk("VALARM")
        valarms = vevents[talk.uid].contents.get("valarm", [])
        if talk is cancelled:
            assert alarms == [] and valarms == [], "no reminder for a cancelled session"
            continue
        (alarm,), (valarm,) = alarms, valarms
        assert (alarm["ACTION"], str(alarm["DESCRIPTION"]), alarm["TRIGGER"].dt) == (
            "DISPLAY", talk.title, timedelta(minutes=-10))
        assert (valarm.action.value, valarm.trigger.value) == ("DISPLAY", timedelta(minutes=-10))


EVENT = re.compile(r"<event guid='([^']+)' id='(\d+)'>.*?</event>\n", re.S)
VEVENT = re.compile(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.S)


def vevent_blocks(data: bytes) -> dict[str, bytes]:
    """Each VEVENT's bytes, by UID."""
    blocks = {}
    for block in VEVENT.findall(data):
        uid = re.search(rb"^UID:(.*?)\r\n", re.sub(rb"\r\n ", b"", block), re.M).group(1)
        blocks[uid.decode()] = block
    return blocks


def test_reimport_moves_in_place_and_cancels_what_left(app):
    original = (SAMPLES / "frab-xml/ccc-33c3-schedule.xml").read_text()
    conference = import_sample("frab-xml/ccc-33c3-schedule.xml", "33c3")
    before = EXPORTER.render(conference_selection(conference))
    events = {match.group(2): match for match in EVENT.finditer(original)}
    opening, dropped = events["8429"], events["8295"]
    moved = opening.group(0).replace("2016-12-27T11:00:00+01:00", "2016-12-27T11:15:00+01:00") \
        .replace("<start>11:00</start>", "<start>11:15</start>")
    edited = original.replace(opening.group(0), moved).replace(dropped.group(0), "")
    import_schedule(edited.encode(), source="33c3.xml", slug="33c3")
    db.session.commit()

    conference = find_conference("33c3")
    talks = {talk.guid: talk for talk in programme(conference)}
    opening_talk, dropped_talk = talks[opening.group(1)], talks[dropped.group(1)]
    change = db.session.scalar(sa.select(TalkChange).where(TalkChange.talk_id == opening_talk.id,
                                                        TalkChange.kind == "moved"))
    after = EXPORTER.render(conference_selection(conference, moves={opening_talk.id: change}))
    old, new = read(before), read(after)

    assert_same_sessions(new, list(talks.values()))
    assert len(new.events) == len(old.events) == 150
    uid = opening_talk.uid
    assert new.events[uid]["SEQUENCE"] > old.events[uid]["SEQUENCE"]
    assert instants_by_icalendar(new.calendar)[uid][0] == utc(2016, 12, 27, 10, 15)
    assert instants_by_icalendar(old.calendar)[uid][0] == utc(2016, 12, 27, 10)
    assert new.vevents[uid].description.value.startswith(
        "Moved: it was on Tuesday 27 December 11:00\n\n")
    gone = dropped_talk.uid
    assert (old.events[gone]["STATUS"], new.events[gone]["STATUS"]) == ("CONFIRMED", "CANCELLED")
    assert new.events[gone]["SEQUENCE"] == old.events[gone]["SEQUENCE"] + 1
    old_blocks, new_blocks = vevent_blocks(before), vevent_blocks(after)
    assert {found for found in new_blocks if new_blocks[found] != old_blocks[found]} == {uid, gone}, \
        "every other session is exported byte for byte as before"


def test_text_is_cleaned_escaped_and_folded_between_characters(app):
    conference = make_conference("zurich", "Europe/Zurich", [(utc(2024, 6, 3, 8), utc(2024, 6, 3, 9))])
    talk = conference.talks[0]
    talk.title = "Grüße, Schlösser; und \\ Backslashes: " + "Ünïcödé 🎉 " * 12 + "Ende"
    talk.subtitle = "A subtitle"
    talk.abstract = "First line,\r\nsecond; line\x7f with a DEL\x0c and a form feed.\n" + "ß" * 100
    talk.track = Track(conference=conference, name="Security; Privacy, Safety")
    speakers = [Speaker(conference=conference, name=name) for name in ("Zoë", "Ferhat Öz")]
    db.session.add_all(speakers)
    set_speakers(talk, speakers)
    db.session.commit()
    selection = conference_selection(conference)
    export = read(EXPORTER.render(selection))

    (event,), (vevent,) = export.calendar.walk("VEVENT"), export.vcalendar.vevent_list
    assert str(event["SUMMARY"]) == vevent.summary.value == talk.title
    assert event["CATEGORIES"].cats == vevent.categories.value == ["Security; Privacy, Safety"]
    assert str(event["LOCATION"]) == vevent.location.value == "Hall A, Town Hall"
    assert vevent.description.value == str(event["DESCRIPTION"]) == "\n\n".join([
        "A subtitle",
        "First line,\nsecond; line with a DEL and a form feed.\n" + "ß" * 100,
        "Speakers: Zoë, Ferhat Öz",
        talk_url(talk)])


def test_empty_selection_is_still_a_valid_calendar(app):
    selection = Selection(title="Nothing planned yet", talks=[], talk_url=talk_url,
                          timezone="Europe/Berlin", feed=True)
    export = read(EXPORTER.render(selection))

    assert export.events == {} and export.vevents == {}
    assert [str(tz["TZID"]) for tz in export.calendar.walk("VTIMEZONE")] == ["Europe/Berlin"], \
        "RFC 5545 wants at least one component in a VCALENDAR"
    assert export.calendar.walk("VTIMEZONE")[0].subcomponents[0].DTSTART.date() == date(1970, 1, 1)


# Round trips: an export read back by tracker's own importer

#: samples whose sessions an export must bring back exactly, with the zone they need
ROUND_TRIP_SAMPLES = {
    # subtitles, sessions in German and in English, two speakers of the same name
    "frab-xml/ccc-33c3-schedule.xml": None,
    # languages such as "en, de", whose comma is escaped
    "frab-xml/ccc-39c3-hub-schedule-20251206.xml": None,
    # cancelled sessions, a venue, keynotes, lightning talks and BoFs; 872 sessions
    "frab-xml/fosdem-2020-schedule.xml": "Europe/Brussels",
    # 85 of 117 sessions with a long description and no abstract
    "frab-xml/debconf23-schedule.xml": None,
    # an iCalendar source: 17 sessions without a room, speakers from "Speaker:" lines
    "ical/linux-conf-au-2020.ics": None,
}


def shown_text(text: str) -> str:
    """A text as a calendar reads it: without the control characters TEXT cannot hold, line
    breaks as LF."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", talk_text(text))


def session_fields(talk: Talk) -> tuple:
    """What an iCalendar round trip keeps of a session: everything but the long description
    of a session that has an abstract, which the file does not hold (DESCRIPTION shows one
    or the other)."""
    return (talk.title, talk.starts_at, talk.ends_at, talk.room.name if talk.room else None,
            talk.track.name if talk.track else None, [speaker.name for speaker in talk.speakers],
            talk.subtitle, talk.abstract, "" if talk.abstract.strip() else talk.description,
            talk.kind, talk.language, talk.status)


def read_back(data: bytes, slug: str) -> ImportReport:
    report = import_schedule(data, source="export.ics", format="ical", slug=slug)
    db.session.commit()
    return report


def assert_round_trip(selection: Selection, data: bytes, slug: str,
                      expected: dict[str, tuple] | None = None) -> Conference:
    """`data`, the export of `selection`, read back into the new conference `slug`: a session
    for each event, whose guid is the exported UID, with the same fields (`expected`, by UID,
    where the file cleans them), whose link is the link back, and with the same people, none
    merged with another of the same name. Importing the same file again changes nothing and
    keeps every session's own UID.

    Plain data is taken first: the import's commit expires the selection's objects.
    """
    expected = expected or {talk.uid: session_fields(talk) for talk in selection.talks}
    links = {talk.uid: talk_url(talk) for talk in selection.talks}
    people = {talk.uid: [speaker.id for speaker in talk.speakers] for talk in selection.talks}

    back = read_back(data, slug).conference
    talks = programme(back)
    found = {talk.guid: session_fields(talk) for talk in talks}
    wrong = [(uid, fields, found.get(uid)) for uid, fields in expected.items() if found.get(uid) != fields]
    assert (len(found), wrong[:2]) == (len(expected), [])
    assert {talk.guid: talk.external_id for talk in talks} == {uid: uid for uid in expected}
    assert {talk.guid: talk.url for talk in talks} == links, "the link back is the session's link"
    same = {(before, after.id) for talk in talks
            for before, after in zip(people[talk.guid], talk.speakers, strict=True)}
    assert len(same) == len({before for before, _ in same}) == len({after for _, after in same})

    uids = {talk.guid: talk.uid for talk in talks}
    run = read_back(data, slug).run
    assert (run.added, run.changed, run.moved, run.cancelled, run.unchanged) == (0, 0, 0, 0, len(talks))
    assert {talk.guid: talk.uid for talk in programme(find_conference(slug))} == uids
    return find_conference(slug)


def assert_own_properties(export: Export, talks: list[Talk]) -> None:
    """Both parsers find each session's own fields in the X-TRACKER- properties, and its
    subtitle and abstract where DESCRIPTION's X-TRACKER- parameters say, beside what the
    event shows people."""
    events, vevents = export.events, export.vevents
    for talk in talks:
        event, vevent = events[talk.uid], vevents[talk.uid]
        own = {name: [line.value for line in lines] for name, lines in vevent.contents.items()
               if name.startswith("x-tracker-")}
        assert own.pop("x-tracker-kind") == [talk.kind]
        assert own.pop("x-tracker-room", []) == ([talk.room.name] if talk.room else [])
        assert own.pop("x-tracker-language", []) == ([talk.language] if talk.language else [])
        assert own.pop("x-tracker-speaker", []) == [speaker.name for speaker in talk.speakers]
        assert own == {}
        assert [line.params["X-TRACKER-ID"] for line in vevent.contents.get("x-tracker-speaker", [])] == [
            [str(speaker.id)] for speaker in talk.speakers]
        # icalendar keeps a property it does not know as written: its own unescaping reads it
        speakers = event.get("X-TRACKER-SPEAKER", [])
        speakers = speakers if isinstance(speakers, list) else [speakers]
        assert [unescape_backslash(str(line)) for line in speakers] == [
            speaker.name for speaker in talk.speakers]
        room = unescape_backslash(str(event.get("X-TRACKER-ROOM", "")))
        assert room == (talk.room.name if talk.room else "")
        body = (("X-TRACKER-ABSTRACT", talk.abstract) if talk.abstract.strip()
                else ("X-TRACKER-DESCRIPTION", talk.description))
        parts = {name: text.strip() for name, text in (("X-TRACKER-SUBTITLE", talk.subtitle), body)
                 if text.strip()}
        for description, params in ((str(event["DESCRIPTION"]), event["DESCRIPTION"].params),
                                    (vevent.description.value, {name: value for name, (value,) in
                                                                vevent.description.params.items()})):
            spans = {name: [int(offset) for offset in params[name].split("-")] for name in params}
            assert {name: description[start:end] for name, (start, end) in spans.items()} == {
                name: shown_text(text) for name, text in parts.items()}


def test_demo_conferences_round_trip_exactly(demo):
    for slug in ("linuxcon-na-2011", "kvm-forum-2011"):
        conference = find_conference(slug)
        selection = conference_selection(conference)
        data = EXPORTER.render(selection)
        export = read(data)
        assert_own_properties(export, selection.talks)
        name, zone, venue = conference.name, conference.timezone, conference.venue
        talk = selection.talks[0]
        assert str(export.events[talk.uid]["LOCATION"]) == f"{talk.room.name}, {venue}", \
            "for people, as before"

        back = assert_round_trip(selection, data, slug=f"{slug}-back")
        assert (back.name, back.timezone) == (name, zone)
        again = conference_selection(back)
        assert_round_trip(again, EXPORTER.render(again), slug=f"{slug}-back-again")


@pytest.mark.parametrize("name", ROUND_TRIP_SAMPLES, ids=lambda name: Path(name).stem)
def test_samples_round_trip_exactly(app, name):
    path = SAMPLES / name
    conference = import_schedule(path.read_bytes(), source=path.name, timezone=ROUND_TRIP_SAMPLES[name],
                                 slug="original").conference
    db.session.commit()
    selection = conference_selection(conference)
    data = EXPORTER.render(selection)
    export = read(data)
    assert_same_sessions(export, selection.talks)
    assert_own_properties(export, selection.talks)
    title, timezone = conference.name, conference.timezone

    back = assert_round_trip(selection, data, slug="back")
    assert (back.name, back.timezone) == (title, timezone)


def test_what_the_file_cleans_round_trips_as_cleaned(app):
    """Names and texts full of what TEXT escapes, or what would be HTML, two speakers of the
    same name, a room with a comma of its own, a cancelled session and an agenda's notes
    before the abstract: each field comes back as the event shows it, from its own
    property or part."""
    conference = make_conference("zurich", "Europe/Zurich", [
        (utc(2024, 6, 3, 8), utc(2024, 6, 3, 9)), (utc(2024, 6, 3, 10), utc(2024, 6, 3, 11)),
        (utc(2024, 6, 3, 12), utc(2024, 6, 3, 13))])
    conference.venue = "Town Hall, Zürich"
    workshop, cancelled, bare = conference.talks
    workshop.room.name = "Hall A, east; wing \\ 2"
    workshop.title = "Grüße, Schlösser; und \\ Backslashes"
    workshop.subtitle = "Paths like C:\\new, and; more"
    workshop.abstract = ("First line,\r\nsecond; line\x7f with a DEL\x0c and \\n as text.\n\n"
                         "HTML writes &amp; for & and <p> for a paragraph. " + "ß" * 100)
    workshop.description = "Not in the file: the abstract is shown."
    workshop.kind, workshop.language = "workshop", "en, de"
    workshop.track = Track(conference=conference, name="Security; Privacy, Safety")
    cancelled.room, cancelled.kind, cancelled.status = None, "bof", "cancelled"
    cancelled.description = "Only a long description, and no abstract."
    bare.kind = "social"
    people = [Speaker(conference=conference, name=name) for name in ("Doe, Jane", "Alex Smith", "Alex Smith")]
    db.session.add_all(people)
    set_speakers(workshop, people)
    set_speakers(bare, people[2:])
    db.session.commit()
    moved = TalkChange(kind="moved", fields=["room"], before={"room": "Hall B"})
    selection = Selection(title="Ada's agenda, with; everything", talks=programme(conference),
                          talk_url=talk_url, timezone="Europe/Zurich", feed=True,
                          agenda={workshop.id: "maybe"}, reminder_minutes=5, moves={workshop.id: moved})
    data = EXPORTER.render(selection)
    export = read(data)
    assert_own_properties(export, selection.talks)
    shown = export.vevents[workshop.uid]
    abstract = ("First line,\nsecond; line with a DEL and \\n as text.\n\n"
                "HTML writes &amp; for & and <p> for a paragraph. " + "ß" * 100)
    assert shown.location.value == "Hall A, east; wing \\ 2, Town Hall, Zürich"
    assert shown.description.value == "\n\n".join([
        "Moved: it was in Hall B", "Paths like C:\\new, and; more", abstract,
        "Speakers: Doe, Jane, Alex Smith, Alex Smith", talk_url(workshop)])
    assert export.vevents[cancelled.uid].description.value.startswith("Cancelled.\n\nOnly a long description")
    expected = {talk.uid: session_fields(talk) for talk in selection.talks}
    expected[workshop.uid] = (*expected[workshop.uid][:7], abstract, "", "workshop", "en, de", "confirmed")
    alex = people[2].id

    back = assert_round_trip(selection, data, slug="zurich-back", expected=expected)
    assert back.name == "Ada's agenda, with; everything"
    speakers = {talk.title: [speaker.external_id for speaker in talk.speakers] for talk in back.talks}
    assert speakers[bare.title] == [f"id:{alex}"], "the second Alex Smith, not the first"
    assert len({key for keys in speakers.values() for key in keys}) == 3


def test_an_edited_description_is_read_as_a_whole(demo):
    """A calendar app that changed DESCRIPTION after export may keep its X-TRACKER-
    parameters: where they no longer fit, the whole text is the abstract, and it is said."""
    talk = next(talk for talk in find_conference("linuxcon-na-2011").talks
                if talk.title == "What to Expect From Linux Storage")
    selection = Selection(title=talk.title, talks=[talk], talk_url=talk_url, conference=talk.conference,
                          timezone=talk.conference.timezone)
    data = EXPORTER.render(selection)
    assert re.search(rb"\r\nDESCRIPTION;X-TRACKER-ABSTRACT=0-\d+:The newest ", data)
    edited = data.replace(b":The newest ", b":Edited: the newest ", 1)

    schedule = ICalImporter().parse(edited)
    (back,) = schedule.talks
    assert back.abstract.startswith("Edited: the newest ") and back.abstract.endswith(talk_url(talk))
    assert ("1 tracker event whose DESCRIPTION no longer matches its X-TRACKER- parameters: "
            "took it all as the abstract") in schedule.repairs
    assert (back.room, [speaker.name for speaker in schedule.speakers]) == ("Georgia A", ["James Bottomley"])


REPEATED = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//example//repeats//EN", "X-WR-CALNAME:Repeats",
    "X-WR-TIMEZONE:Europe/Berlin",
    *(line for day in (3, 4) for line in (
        "BEGIN:VEVENT", "UID:workshop-7@example.org", "SUMMARY:Kernel hacking workshop",
        f"DTSTART:202406{day:02d}T070000Z", f"DTEND:202406{day:02d}T090000Z", "LOCATION:Lab",
        "END:VEVENT",
        "BEGIN:VEVENT", "SUMMARY:Lightning talks", f"DTSTART:202406{day:02d}T150000Z",
        f"DTEND:202406{day:02d}T160000Z", "LOCATION:Hall", "END:VEVENT")),
    "END:VCALENDAR", ""]).encode()


def occurrences(data: bytes) -> dict[tuple[str, datetime], str]:
    """Each event's UID, by its title and start."""
    export = read(data)
    starts = instants_by_icalendar(export.calendar)
    uids = {(str(event["SUMMARY"]), starts[str(event["UID"])][0]): str(event["UID"])
            for event in export.calendar.walk("VEVENT")}
    assert len(set(uids.values())) == len(uids) == len(export.calendar.walk("VEVENT"))
    return uids


def test_a_session_held_twice_has_a_uid_for_each_time(app):
    """A source may list the same session twice, under one UID (or without one, under one
    title): each occurrence is a session of its own, with its own UID, which re-imports of
    the source, and of the export, keep."""
    report = import_schedule(REPEATED, source="repeats.ics", slug="repeats")
    db.session.commit()
    assert sorted(talk.guid for talk in report.conference.talks) == [
        "title:lightning talks", "title:lightning talks#2",
        "workshop-7@example.org", "workshop-7@example.org#2"]
    first = EXPORTER.render(conference_selection(report.conference))
    uids = occurrences(first)
    assert sorted(uids) == [(title, utc(2024, 6, day, hour)) for title, hour in (
        ("Kernel hacking workshop", 7), ("Lightning talks", 15)) for day in (3, 4)]

    run = import_schedule(REPEATED, source="repeats.ics", slug="repeats").run
    db.session.commit()
    assert (run.added, run.unchanged) == (0, 4)
    assert occurrences(EXPORTER.render(conference_selection(find_conference("repeats")))) == uids

    back = read_back(first, "repeats-back").conference
    assert sorted(talk.guid for talk in back.talks) == sorted(uids.values())
    exported = occurrences(EXPORTER.render(conference_selection(back)))
    assert read_back(first, "repeats-back").run.unchanged == 4
    assert occurrences(EXPORTER.render(conference_selection(find_conference("repeats-back")))) == exported
    assert set(exported.values()).isdisjoint(uids.values()), \
        "another conference's sessions: UIDs of their own"


# The calendar's name

def test_calendar_name_is_escaped_text(app):
    """A track and day export's title has a comma: unescaped, vobject read only what came
    before it."""
    title = "LinuxCon North America 2011: Keynotes, Thursday 18 August; \\o/"
    conference = make_conference("linuxcon", "America/Vancouver",
                                 [(utc(2011, 8, 18, 16), utc(2011, 8, 18, 17))])
    data = EXPORTER.render(replace(conference_selection(conference), title=title))
    export = read(data)

    unfolded = re.sub(rb"\r\n ", b"", data)
    assert (b"\r\nX-WR-CALNAME:LinuxCon North America 2011: Keynotes\\, Thursday 18 August\\; \\\\o/\r\n"
            in unfolded)
    assert export.vcalendar.x_wr_calname.value == title
    # icalendar keeps a property it does not know as written; its own unescaping reads it
    assert unescape_backslash(str(export.calendar["X-WR-CALNAME"])) == title
    assert ICalImporter().parse(data).title == title


def test_a_line_break_in_the_calendar_name_becomes_a_space(app):
    selection = Selection(title="Ada\nLovelace\r\n(ALU)\x07: my agenda", talks=[], talk_url=talk_url,
                          timezone="Europe/London", feed=True)
    export = read(EXPORTER.render(selection))

    assert export.vcalendar.x_wr_calname.value == "Ada Lovelace (ALU): my agenda"
    assert unescape_backslash(str(export.calendar["X-WR-CALNAME"])) == "Ada Lovelace (ALU): my agenda"


def test_agenda_feed_of_a_user_whose_name_has_a_line_break(client):
    """A display name can hold a line break; the feed's name is one line, not an error."""
    user = create_user("ada@example.org", "correct horse", display_name="Ada\nLovelace")
    db.session.commit()
    response = client.get(f"/feeds/{user.feed_token}/agenda.ics")

    assert response.status_code == 200
    assert read(response.data).vcalendar.x_wr_calname.value.startswith("Ada Lovelace")
