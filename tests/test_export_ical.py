"""The iCalendar exporter: every export read back by two independent parsers (icalendar and
vobject) and compared with the database.

Times are read through the file's own VTIMEZONEs, never by trusting the TZID's name, so a
wrong VTIMEZONE fails here as it would in a calendar app that relies on it. Every export is
also held to what strict readers insist on: CRLF line ends, lines of at most 75 octets
folded between characters, a VTIMEZONE for every TZID and no COMMENT directly inside one.
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
import sqlalchemy as sa
import vobject

from tracker.exporters import Selection
from tracker.exporters.ical import ICalExporter
from tracker.extensions import db
from tracker.models import Conference
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import TalkChange
from tracker.models import Track
from tracker.schedule import programme
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
