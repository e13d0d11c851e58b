"""The xCal importer: frab's 33c3 .xcal against the file itself and against the same
conference's .ics and schedule.xml, RFC 6321 documents written here, and each way a file
can be wrong.

Expected numbers come from the file, counted with xml.etree (not the importer's path).
"""

import re
import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.extensions import db
from tracker.importers import detect_format
from tracker.importers.base import ParsedSchedule
from tracker.importers.base import ParsedTrack
from tracker.importers.base import ScheduleError
from tracker.importers.frab_xml import FrabXmlImporter
from tracker.importers.ical import ICalImporter
from tracker.importers.xcal import XCalImporter
from tracker.services.imports import import_schedule

SAMPLES = Path(__file__).parent / "samples"
XCAL = SAMPLES / "ical" / "ccc-33c3-schedule.xcal"
PENTABARF = "{http://pentabarf.org}"
BERLIN = ZoneInfo("Europe/Berlin")
importer = XCalImporter()


@cache
def parsed() -> ParsedSchedule:
    """The sample, its floating times read in Berlin, where 33c3 was."""
    return importer.parse(XCAL.read_bytes(), timezone="Europe/Berlin")


@cache
def vevents() -> dict[str, ET.Element]:
    """The sample's <vevent>s by pentabarf:event-id, in file order."""
    root = ET.parse(XCAL).getroot()
    return {event.findtext(f"{PENTABARF}event-id"): event for event in root.iter("vevent")}


def by_id(schedule: ParsedSchedule) -> dict:
    return {talk.external_id: talk for talk in schedule.talks}


def names(schedule: ParsedSchedule, talk) -> list[str]:
    people = {speaker.key: speaker.name for speaker in schedule.speakers}
    return [people[key] for key in talk.speakers]


def berlin(text: str) -> datetime:
    """An xCal floating time ("20161229T211500") in Berlin, as UTC."""
    return datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=BERLIN).astimezone(UTC)


def parse_error(data: bytes, **kwargs) -> str:
    with pytest.raises(ScheduleError) as error:
        importer.parse(data, **kwargs)
    return str(error.value)


# the sample, against itself


def test_sample_counts():
    schedule, events = parsed(), vevents()
    assert len(schedule.talks) == len(events) == 150
    assert [talk.guid for talk in schedule.talks] == [e.findtext("uid") for e in events.values()]
    assert set(schedule.rooms) == {e.findtext("location") for e in events.values()} \
        == {"Saal 1", "Saal 2", "Saal 6", "Saal G"}
    attendees = {" ".join(a.text.split()).casefold() for e in events.values()
                 for a in e.iter("attendee")}
    assert len(schedule.speakers) == len(attendees) == 207
    # frab writes the constant <category>Lecture</category>: no tracks
    assert {e.findtext("category") for e in events.values()} == {"Lecture"}
    assert schedule.tracks == ()
    local_days = {talk.starts_at.astimezone(BERLIN).date() for talk in schedule.talks}
    assert local_days == {date.fromisoformat(e.findtext("dtstart")[:8]) for e in events.values()}
    assert len(local_days) == 4


def test_sample_schedule_and_repairs():
    schedule = parsed()
    assert (schedule.title, schedule.timezone, schedule.url) == ("33c3 Schedule", "Europe/Berlin", "")
    assert schedule.repairs == (
        "150 URLs without a scheme (//host/…): read as https",
        "150 sessions have floating times (no TZID and no Z): read in Europe/Berlin",
    )


def test_sample_sessions_field_by_field():
    schedule, events = parsed(), vevents()
    for talk in schedule.talks:
        event = events[talk.external_id]
        assert talk.guid == event.findtext("uid")
        assert talk.title == event.findtext(f"{PENTABARF}title").strip()
        assert talk.subtitle == event.findtext(f"{PENTABARF}subtitle").strip()
        assert (talk.starts_at, talk.ends_at) == (berlin(event.findtext("dtstart")),
                                                  berlin(event.findtext("dtend")))
        hours, minutes = int(event.findtext("duration")[:2]), int(event.findtext("duration")[2:4])
        assert talk.ends_at - talk.starts_at == timedelta(hours=hours, minutes=minutes)
        assert talk.room == event.findtext("location")
        assert names(schedule, talk) == [a.text.strip() for a in event.iter("attendee")]
        assert talk.language == (event.findtext(f"{PENTABARF}language-code") or "")
        assert talk.url == "https:" + event.findtext("url")
        assert (talk.status, talk.kind, talk.track, talk.day) == ("confirmed", "talk", None, None)

    irren = by_id(schedule)["7811"]
    assert (irren.guid, irren.title, irren.subtitle) == (
        "7811@33c3@pentabarf.org", "Irren ist staatlich", "10 Jahre Informationsfreiheitsgesetz")
    # 21:15-21:45 in Berlin, in winter (UTC+1)
    assert (irren.starts_at, irren.ends_at) == (datetime(2016, 12, 29, 20, 15, tzinfo=UTC),
                                                datetime(2016, 12, 29, 20, 45, tzinfo=UTC))
    assert (irren.room, irren.language) == ("Saal 2", "de")
    assert names(schedule, irren) == ["Arne Semsrott"]
    assert irren.url == "https://fahrplan.events.ccc.de/congress/2016/Fahrplan/events/7811.html"
    assert irren.abstract.startswith("Dieses Jahr feiert das Informationsfreiheitsgesetz (IFG)")

    # <summary> is "Einführung zu Blockchains- ": the pentabarf title has no dangling "- "
    assert by_id(schedule)["7824"].title == "Einführung zu Blockchains"
    assert by_id(schedule)["7824"].subtitle == ""
    # escaped HTML in <description>: paragraphs of text
    sso = by_id(schedule)["7827"]
    assert sso.abstract.startswith("Many web sites allow users to log in with their Facebook")
    assert "What can go wrong?\n\nOAuth and OpenID Connect do not protect" in sso.abstract
    assert "<p>" not in sso.abstract
    assert names(schedule, sso) == ["Guido Schmitz (gtrs)", "dfett"]
    # twelve attendees, one session; and a stream with none
    assert len(by_id(schedule)["8440"].speakers) == 12
    fnord = by_id(schedule)["8461"]
    assert fnord.speakers == () and fnord.title == "Fnord-Jahresrückblick: Stream"
    # after midnight: 00:45 on the 29th in Berlin
    assert fnord.starts_at == datetime(2016, 12, 28, 23, 45, tzinfo=UTC)
    # frab wrote its whole table of language names into pentabarf:language; the code is empty
    assert "Volapük" in events["8461"].findtext(f"{PENTABARF}language")
    assert fnord.language == ""


# the sample, against the same conference in other formats


def test_same_conference_as_the_ics_and_the_schedule_xml():
    xcal = parsed()
    xml = FrabXmlImporter().parse((SAMPLES / "frab-xml" / "ccc-33c3-schedule.xml").read_bytes())
    ics = ICalImporter().parse((SAMPLES / "ical" / "ccc-33c3-schedule.ics").read_bytes())
    xml_talks = by_id(xml)
    # the .ics has frab's guids as UIDs; its URLs name the event ids
    ics_talks = {re.search(r"/events/(\d+)\.html$", talk.url)[1]: talk for talk in ics.talks}
    assert set(by_id(xcal)) == set(xml_talks) == set(ics_talks)
    assert set(xcal.rooms) == set(xml.rooms) == set(ics.rooms)
    for talk in xcal.talks:
        other = xml_talks[talk.external_id]
        assert (talk.title, talk.subtitle, talk.starts_at, talk.ends_at, talk.room) == (
            other.title, other.subtitle, other.starts_at, other.ends_at, other.room)
        assert (talk.language, talk.abstract) == (other.language, other.abstract)
        assert names(xcal, talk) == names(xml, other)
        calendar = ics_talks[talk.external_id]
        assert (talk.starts_at, talk.ends_at, talk.room) == (
            calendar.starts_at, calendar.ends_at, calendar.room)
        # the .ics summary is "<title> - <speakers>"; its URLs are http
        assert calendar.title.startswith(talk.title)
        assert talk.url.removeprefix("https:") == calendar.url.removeprefix("http:")
        assert talk.abstract == calendar.abstract
    # the schedule.xml gives Elisabeth Pleß two person ids; the .xcal has only names
    assert len(xml.speakers) == len(xcal.speakers) + 1
    assert [s.name for s in xml.speakers].count("Elisabeth Pleß") == 2
    assert [s.name for s in xcal.speakers].count("Elisabeth Pleß") == 1


def test_sample_imports_and_reimports_without_changes(app):
    data = XCAL.read_bytes()
    report = import_schedule(data, source=XCAL.name, timezone="Europe/Berlin", slug="33c3-xcal")
    db.session.commit()
    assert report.run.format == "xcal"
    assert report.run.added == 150
    conference = report.conference
    assert (conference.timezone, len(conference.rooms), len(conference.speakers)) == (
        "Europe/Berlin", 4, 207)
    stored = {talk.external_id: talk for talk in conference.talks}
    assert stored["7811"].title == "Irren ist staatlich"
    assert stored["7811"].starts_at == datetime(2016, 12, 29, 20, 15, tzinfo=UTC)
    # a re-import into the conference uses its zone: no need to give it again
    again = import_schedule(data, source=XCAL.name, slug="33c3-xcal")
    db.session.commit()
    assert (again.run.added, again.run.changed, again.run.moved, again.run.cancelled) == (0, 0, 0, 0)
    assert again.run.unchanged == 150


# detection


def test_sniff_and_detect():
    head = XCAL.read_bytes()[:8192]
    assert importer.sniff(head) and detect_format(XCAL.read_bytes()) == "xcal"
    assert not FrabXmlImporter().sniff(head) and not ICalImporter().sniff(head)
    for other in ("frab-xml/ccc-33c3-schedule.xml", "ical/ccc-33c3-schedule.ics",
                  "frab-json/ccc-33c3-schedule.json"):
        assert not importer.sniff((SAMPLES / other).read_bytes()[:8192])


@pytest.mark.parametrize("head", [
    b'<?xml version="1.0" encoding="utf-8"?>\n<icalendar xmlns="urn:ietf:params:xml:ns:icalendar-2.0">',
    b'\xef\xbb\xbf<!-- exported -->\n<xc:icalendar xmlns:xc="urn:ietf:params:xml:ns:icalendar-2.0">',
    '<?xml version="1.0" encoding="UTF-16"?><icalendar/>'.encode("utf-16"),
    b"<!DOCTYPE icalendar [<!ENTITY a 'b'>]><iCalendar>",
])
def test_sniff_recognises_xcal(head):
    assert importer.sniff(head)


@pytest.mark.parametrize("head", [
    b"<schedule><conference>",
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
    b'{"schedule": {}}',
    b"title,start\nA talk,2024-02-03 10:00\n",
    b"<icalendarx>",
])
def test_sniff_refuses_other_formats(head):
    assert not importer.sniff(head)


# RFC 6321


def rfc6321(*events: str, properties: str = "", components: str = "") -> bytes:
    """An RFC 6321 document whose first <vevent> is on line 5, the next on line 6, and so on
    (each event is one line; `components` come before them, on line 4)."""
    body = "\n".join(f"<vevent><properties>{event}</properties></vevent>" for event in events)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n'
            f'<icalendar xmlns="urn:ietf:params:xml:ns:icalendar-2.0"><vcalendar>\n'
            f"<properties><version><text>2.0</text></version>{properties}</properties>\n"
            f"<components>{components}\n{body}\n</components></vcalendar></icalendar>\n").encode()


def prop(name: str, value: str, kind: str = "text", **params: str) -> str:
    parameters = "".join(f"<{key}><text>{value}</text></{key}>" for key, value in params.items())
    parameters = f"<parameters>{parameters}</parameters>" if parameters else ""
    return f"<{name}>{parameters}<{kind}>{value}</{kind}></{name}>"


def event(uid: str = "a1", summary: str = "A talk", start: str = "2020-03-01T10:00:00Z",
          end: str = "2020-03-01T11:00:00Z", *more: str) -> str:
    parts = [prop("uid", uid) if uid else "", prop("summary", summary) if summary else "",
             prop("dtstart", start, "date-time") if start else "",
             prop("dtend", end, "date-time") if end else "", *more]
    return "".join(parts)


EASTERN = """<vtimezone><properties><tzid><text>Custom/Eastern</text></tzid></properties>
<components><standard><properties>
<dtstart><date-time>2006-11-05T02:00:00</date-time></dtstart>
<rrule><recur><freq>YEARLY</freq><byday>1SU</byday><bymonth>11</bymonth></recur></rrule>
<tzoffsetfrom><utc-offset>-04:00</utc-offset></tzoffsetfrom>
<tzoffsetto><utc-offset>-05:00</utc-offset></tzoffsetto></properties></standard>
<daylight><properties>
<dtstart><date-time>2007-03-11T02:00:00</date-time></dtstart>
<rrule><recur><freq>YEARLY</freq><byday>2SU</byday><bymonth>3</bymonth></recur></rrule>
<tzoffsetfrom><utc-offset>-05:00</utc-offset></tzoffsetfrom>
<tzoffsetto><utc-offset>-04:00</utc-offset></tzoffsetto></properties></daylight></components>
</vtimezone>"""


def test_rfc6321_properties_mean_what_they_mean_in_ics():
    first = event("a1", "", "", "",
                  prop("summary", "Tabs, commas; and \\backslashes", language="en"),
                  '<dtstart><parameters><tzid><text>Europe/Brussels</text></tzid></parameters>'
                  "<date-time>2020-03-01T10:00:00</date-time></dtstart>",
                  prop("duration", "PT45M", "duration"),
                  prop("location", "Room 1"), prop("url", "https://example.org/a1", "uri"),
                  "<categories><text>Security</text><text>Crypto</text></categories>",
                  prop("description", "First line\nsecond line"),
                  '<attendee><parameters><cn><text>Ada "A." Lovelace</text></cn></parameters>'
                  "<cal-address>mailto:ada@example.org</cal-address></attendee>",
                  "<attendee><parameters><cn><text>Room 1</text></cn><cutype><text>ROOM</text>"
                  "</cutype></parameters><cal-address>mailto:r1@example.org</cal-address></attendee>")
    second = event("b2", "In a zone of the file's own", "", "",
                   '<dtstart><parameters><tzid><text>Custom/Eastern</text></tzid></parameters>'
                   "<date-time>2020-03-08T10:00:00</date-time></dtstart>",
                   '<dtend><parameters><tzid><text>Custom/Eastern</text></tzid></parameters>'
                   "<date-time>2020-03-08T11:00:00</date-time></dtend>",
                   prop("status", "CANCELLED"),
                   "<rdate><period><start>2020-03-09T10:00:00Z</start>"
                   "<duration>PT1H</duration></period></rdate>")
    all_day = event("c3", "All day", "", "", "<dtstart><date>2020-03-02</date></dtstart>")
    data = rfc6321(first, second, all_day,
                   properties=prop("method", "PUBLISH") + prop("x-wr-calname", "Example, Conf")
                   + prop("x-wr-timezone", "Europe/Brussels", "unknown"),
                   components=EASTERN)
    schedule = importer.parse(data)
    assert (schedule.title, schedule.timezone) == ("Example, Conf", "Europe/Brussels")
    a1, b2 = schedule.talks
    assert (a1.title, a1.language) == ("Tabs, commas; and \\backslashes", "en")
    # 10:00 in Brussels (UTC+1), then 45 minutes
    assert (a1.starts_at, a1.ends_at) == (datetime(2020, 3, 1, 9, 0, tzinfo=UTC),
                                          datetime(2020, 3, 1, 9, 45, tzinfo=UTC))
    assert (a1.room, a1.track, a1.url) == ("Room 1", "Security", "https://example.org/a1")
    assert a1.abstract == "First line\nsecond line"
    assert names(schedule, a1) == ['Ada "A." Lovelace'], "published: people, not rooms"
    assert schedule.tracks == (ParsedTrack("Security"),)
    # 2020-03-08 is the second Sunday of March: daylight time, UTC-4, by the file's VTIMEZONE
    assert b2.starts_at == datetime(2020, 3, 8, 14, 0, tzinfo=UTC)
    assert b2.status == "cancelled"
    assert any(repair.startswith("1 all-day event skipped") for repair in schedule.repairs)
    assert any(repair.startswith("1 repeating event") for repair in schedule.repairs)


def test_rfc6321_utc_times_and_x_wr_timezone_for_floating_ones():
    data = rfc6321(event(start="2020-03-01T10:00:00", end="2020-03-01T11:00:00"),
                   properties=prop("x-wr-timezone", "America/Vancouver"))
    talk = importer.parse(data).talks[0]
    assert talk.starts_at == datetime(2020, 3, 1, 18, 0, tzinfo=UTC)
    assert importer.parse(rfc6321(event())).talks[0].starts_at == datetime(2020, 3, 1, 10, 0,
                                                                          tzinfo=UTC)


# refused files: the problem and where


@pytest.mark.parametrize(("events", "message"), [
    ((event(start=""),), r"event “a1” \(line 5\): no start time \(DTSTART\)"),
    ((event(), event("b2", summary="")), r"event “b2” \(line 6\): no title \(SUMMARY\)"),
    ((event(end="2020-03-01T09:00:00Z"),),
     r"event “a1” \(line 5\): ends \(2020-03-01T09:00:00\+00:00\) before it starts "
     r"\(2020-03-01T10:00:00\+00:00\)"),
    ((event(start="2020-03-01T10:00:00"),), r"event “a1” \(line 5\): DTSTART 2020-03-01 10:00 "
                                            r"is a floating time .* give the time zone"),
    ((event(start="2020-13-01T10:00:00Z"),), r"event “a1” \(line 5\): DTSTART .* is not a valid"),
    ((), r"no events \(no VEVENT\)"),
], ids=["no-dtstart", "no-summary", "end-before-start", "floating", "bad-date", "no-vevent"])
def test_refused_events(events, message):
    with pytest.raises(ScheduleError, match=message):
        importer.parse(rfc6321(*events))


def test_sample_without_a_zone_is_refused_at_its_first_vevent():
    first_vevent = XCAL.read_bytes().split(b"\n").index(b"<vevent>") + 1
    message = parse_error(XCAL.read_bytes())
    assert f"event “7811@33c3@pentabarf.org” (line {first_vevent}): DTSTART 2016-12-29 21:15 " \
           "is a floating time" in message and "give the time zone" in message


def test_sample_cut_short_names_the_line():
    data = XCAL.read_bytes()[:5000]
    lines = data.count(b"\n") + 1
    assert re.search(rf"not well-formed XML at line {lines}, column \d+", parse_error(data))


def test_malformed_xml():
    message = parse_error(b'<?xml version="1.0"?>\n<icalendar>\n<vcalendar>\n</icalendar>\n')
    assert re.search(r"not well-formed XML at line 4, column \d+: mismatched tag", message)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE icalendar [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<iCalendar><vcalendar><x-wr-calname>&lol9;</x-wr-calname><vevent><uid>a</uid>
<summary>&lol9;</summary><dtstart>20200301T100000Z</dtstart></vevent></vcalendar></iCalendar>
"""


def test_entity_bomb_is_refused():
    assert detect_format(BOMB) == "xcal", "so that the user hears why, not “unknown format”"
    assert re.search("DTD or entities.*XML bomb", parse_error(BOMB))


def test_external_entity_is_refused_and_never_read():
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE iCalendar [<!ENTITY secret SYSTEM '
            b'"file:///etc/passwd">]>\n<iCalendar><vcalendar><vevent><uid>a</uid>'
            b"<summary>&secret;</summary><dtstart>20200301T100000Z</dtstart>"
            b"</vevent></vcalendar></iCalendar>")
    with pytest.raises(ScheduleError, match="DTD or entities.*read local files") as raised:
        importer.parse(data, timezone="UTC")
    said = str(raised.value) + repr(raised.value.__cause__) + repr(raised.value.__context__)
    passwd = Path("/etc/passwd")
    secrets = passwd.read_text().splitlines() if passwd.exists() else []
    assert "root:" not in said and not any(line in said for line in secrets if line)


@pytest.mark.parametrize(("data", "message"), [
    (b"<schedule><conference/></schedule>", "root element is <schedule>, not <icalendar>"),
    (b'<icalendar xmlns="urn:example:other"><vcalendar/></icalendar>',
     "namespace “urn:example:other”, not xCal's"),
    (b'<icalendar xmlns="urn:ietf:params:xml:ns:icalendar-2.0"/>', "holds no <vcalendar>"),
    (b"<iCalendar>" + b"<vcalendar>" + b"<vevent>" * 5 + b"</vevent>" * 5 + b"</vcalendar>"
     b"</iCalendar>", r"line 1: <vevent> is nested 6 components deep"),
])
def test_refused_documents(data, message):
    assert re.search(message, parse_error(data))


# frab's older form


def frab(*events: str, calendar: str = "<x-wr-calname>Conf</x-wr-calname>") -> bytes:
    body = "".join(f"<vevent>{event}</vevent>" for event in events)
    return (f"<iCalendar xmlns:pentabarf='http://pentabarf.org' "
            f"xmlns:xCal='urn:ietf:params:xml:ns:xcal'><vcalendar>{calendar}{body}"
            f"</vcalendar></iCalendar>").encode()


def test_frab_duration_counts_where_there_is_no_dtend():
    data = frab("<uid>1@c@pentabarf.org</uid><summary>Long</summary>"
                "<dtstart>20161227T230000</dtstart><duration>013000</duration>")
    talk = importer.parse(data, timezone="Europe/Berlin").talks[0]
    assert talk.ends_at - talk.starts_at == timedelta(hours=1, minutes=30)


def test_frab_attendees_are_speakers_only_in_a_published_calendar():
    session = ("<uid>1</uid><summary>Talk</summary><dtstart>20161227T110000Z</dtstart>"
               "<dtend>20161227T120000Z</dtend><attendee>Ada Lovelace</attendee>"
               "<attendee>  Grace   Hopper </attendee>")
    published = importer.parse(frab("<method>PUBLISH</method>" + session))
    assert [speaker.name for speaker in published.speakers] == ["Ada Lovelace", "Grace   Hopper"]
    unpublished = importer.parse(frab(session))
    assert unpublished.speakers == ()
    assert any("not published (METHOD:PUBLISH)" in repair for repair in unpublished.repairs)


def test_frab_pentabarf_extras_and_escapes():
    data = frab("<method>PUBLISH</method><uid>9@c@pentabarf.org</uid>"
                "<pentabarf:event-id>9</pentabarf:event-id>"
                "<pentabarf:title>Semi; colons, commas \\ and more</pentabarf:title>"
                "<pentabarf:subtitle>A subtitle</pentabarf:subtitle>"
                "<pentabarf:language-code>fr</pentabarf:language-code>"
                "<summary>Semi; colons, commas \\ and more- A subtitle</summary>"
                "<dtstart>20161227T110000Z</dtstart><dtend>20161227T120000Z</dtend>"
                "<url>https://example.org/9</url><location>Hall; A</location>")
    talk = importer.parse(data).talks[0]
    assert (talk.guid, talk.external_id) == ("9@c@pentabarf.org", "9")
    assert (talk.title, talk.subtitle, talk.language) == (
        "Semi; colons, commas \\ and more", "A subtitle", "fr")
    assert (talk.room, talk.url) == ("Hall; A", "https://example.org/9")


def test_no_element_can_write_a_line_of_its_own():
    """Names and values that would end a content line or a component are kept inside."""
    data = frab("<uid>1</uid><summary>Title\nBEGIN:VEVENT</summary><end>VEVENT</end>"
                "<dtstart>20161227T110000Z</dtstart><dtend>20161227T120000Z</dtend>"
                "<location x-note='a&#10;END:VEVENT'>Hall\r\nEND:VCALENDAR</location>")
    (talk,) = importer.parse(data).talks
    assert (talk.title, talk.room) == ("Title\nBEGIN:VEVENT", "Hall\nEND:VCALENDAR")
