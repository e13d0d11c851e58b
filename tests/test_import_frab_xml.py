"""The frab / Pentabarf schedule.xml importer, against the real files in samples/frab-xml/ and
small inline documents for each way a file can be wrong.

Expected numbers come from the files themselves: counted here with xml.etree (not the
importer's defusedxml path) or read off the file by hand; SOURCES.md gives the event counts.
"""

import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest

from tracker.importers.base import ParsedLink
from tracker.importers.base import ParsedSchedule
from tracker.importers.base import ParsedTalk
from tracker.importers.base import ParsedTrack
from tracker.importers.base import ScheduleError
from tracker.importers.frab_xml import FrabXmlImporter

SAMPLES = Path(__file__).parent / "samples" / "frab-xml"
#: the files with no zone of their own and no UTC offsets: FOSDEM is in Brussels
ZONELESS = ("fosdem-2007-schedule.xml", "fosdem-2012-schedule.xml", "fosdem-2020-schedule.xml")
#: events per file, as SOURCES.md lists them
EVENTS_IN_SOURCES = {
    "privacyweek2016-pretalx-fixture-minimal.xml": 1,
    "lswt2019-leipzig-semantic-web-day-schedule.xml": 31,
    "debconf23-schedule.xml": 117,
    "fosdem-2007-schedule.xml": 215,
    "fosdem-2012-schedule.xml": 442,
    "fosdem-2020-schedule.xml": 872,
    "fosdem-2025-schedule.xml": 943,
    "ccc-31c3-schedule.xml": 138,
    "ccc-33c3-schedule.xml": 150,
    "ccc-36c3-everything-merged-schedule.xml": 1351,
    "ccc-38c3-hub-schedule.xml": 1007,
    "ccc-39c3-hub-schedule-20251206.xml": 215,
}
importer = FrabXmlImporter()


@cache
def imported(name: str) -> ParsedSchedule:
    """Each sample parsed once per test run."""
    timezone = "Europe/Brussels" if name in ZONELESS else None
    return importer.parse((SAMPLES / name).read_bytes(), timezone=timezone)


@cache
def document(name: str) -> ET.Element:
    return ET.parse(SAMPLES / name).getroot()


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def talk(schedule: ParsedSchedule, guid: str) -> ParsedTalk:
    (found,) = [talk for talk in schedule.talks if talk.guid == guid]
    return found


def span(session: ParsedTalk) -> tuple[datetime, datetime]:
    return session.starts_at, session.ends_at


def repair(schedule: ParsedSchedule, words: str) -> str:
    (found,) = [sentence for sentence in schedule.repairs if words in sentence]
    return found


# counting the files independently


def events_with_rooms(root: ET.Element) -> list[tuple[ET.Element, str]]:
    """Each event with its room: the <room name> it sits in, else its own <room> (FOSDEM
    2007/2012 put events straight under <day>)."""
    found = []
    for day in root.findall("day"):
        for child in day:
            if child.tag == "room":
                found += [(event, child.get("name")) for event in child.findall("event")]
            elif child.tag == "event":
                found.append((child, child.findtext("room").strip()))
    return found


def people(root: ET.Element) -> set[tuple[str, str]]:
    """A person with an id (or guid) is one per id and name (36C3's merged file reuses ids
    across its source systems); one without an id lists names separated by commas."""
    found = set()
    for person in root.iter("person"):
        name = " ".join((person.text or "").split()).casefold()
        source_id = person.get("id") or person.get("guid")
        if source_id:
            found.add((source_id, name))
        else:
            found.update(("", part.strip()) for part in name.split(",") if part.strip())
    return found


@pytest.mark.parametrize("name", sorted(EVENTS_IN_SOURCES))
def test_sample_counts(name):
    schedule = imported(name)
    root = document(name)
    events = events_with_rooms(root)
    assert len(schedule.talks) == EVENTS_IN_SOURCES[name] == sum(1 for _ in root.iter("event"))
    assert [talk.title for talk in schedule.talks] == [
        event.findtext("title").strip() for event, _ in events]
    assert len(schedule.speakers) == len(people(root))
    assert schedule.rooms == tuple(dict.fromkeys(room for _, room in events))
    tracks = {event.findtext("track", "").strip() for event, _ in events} - {""}
    assert {track.name for track in schedule.tracks} == tracks
    assert len(schedule.tracks) == len(tracks)
    days_with_events = [day for day in root.findall("day") if day.find(".//event") is not None]
    assert len({talk.day for talk in schedule.talks}) == len(days_with_events)
    assert len({talk.guid for talk in schedule.talks}) == len(schedule.talks)
    assert all(talk.ends_at > talk.starts_at for talk in schedule.talks)
    assert all(talk.starts_at.utcoffset() is not None for talk in schedule.talks)


@pytest.mark.parametrize("name", sorted(EVENTS_IN_SOURCES))
def test_sniff_recognises_every_sample(name):
    assert importer.sniff((SAMPLES / name).read_bytes()[:8192])


# the samples, session by session


def test_privacyweek_offsets_without_zone_name():
    schedule = imported("privacyweek2016-pretalx-fixture-minimal.xml")
    assert schedule.title == "PrivacyWeek 2016"
    assert schedule.acronym == "pw16"
    assert schedule.timezone == "Etc/GMT-2"
    assert "UTC+02:00 (Etc/GMT-2)" in repair(schedule, "no time zone name")
    assert (schedule.start_date, schedule.end_date) == (date(2016, 10, 24), date(2016, 10, 30))
    (opening,) = schedule.talks
    assert opening.guid == "1ed6fafa-20a6-466c-8086-89ae4d3b29e5"
    assert opening.external_id == "69"
    assert opening.title == "Eröffnungsrede"
    assert opening.subtitle == "Privatsphäre im digitalen Zeitalter"
    assert span(opening) == (utc(2016, 10, 24, 7, 30), utc(2016, 10, 24, 8))
    assert opening.day == date(2016, 10, 24)
    assert opening.room == "Volkskundemuseum"
    assert opening.track == "Privatsphäre im digitalen Zeitalter"
    assert (opening.kind, opening.language, opening.status) == ("talk", "de", "confirmed")
    assert opening.speakers == ("id:76",)
    assert schedule.speakers[0].name == "Peter Purgathofer"


def test_31c3_fixed_offset_and_non_uuid_guid():
    schedule = imported("ccc-31c3-schedule.xml")
    assert schedule.timezone == "Etc/GMT-1"
    assert "UTC+01:00 (Etc/GMT-1)" in repair(schedule, "no time zone name")
    opening = schedule.talks[0]
    assert opening.guid == "29aecfd7-2e44-4f49-ab86-29b5e0877325"
    assert opening.speakers == ("id:1544", "id:3874")
    agenda = talk(schedule, "HOqeNIb6G7M4hYFKFRkCmQ")
    assert agenda.title == "„Wir beteiligen uns aktiv an den Diskussionen“"
    assert span(agenda) == (utc(2014, 12, 27, 11, 45), utc(2014, 12, 27, 12, 45))
    assert (agenda.room, agenda.track) == ("Saal 1", "Ethics, Society & Politics")
    assert agenda.language == "de"
    assert agenda.speakers == ("id:4085",)
    assert agenda.links == (ParsedLink("http://breitband.deutschlandradiokultur.de/brb140823/",
                                       "Maha kurz bei Breitband zu diesem Thema"),)
    # href='www.mr-beam.org' and the like: no scheme, no base URL to resolve against
    assert repair(schedule, "links without an absolute http(s) URL").startswith("5 links")


def test_33c3_relative_attachment_without_base_url_is_dropped():
    schedule = imported("ccc-33c3-schedule.xml")
    pegasus = talk(schedule, "cb67ad7f-7e12-4f34-aec0-748a61f3f958")
    assert pegasus.title == "Pegasus internals"
    assert span(pegasus) == (utc(2016, 12, 27, 16, 30), utc(2016, 12, 27, 17))
    assert pegasus.slides_url == ""
    assert pegasus.links == (ParsedLink(
        "https://blog.lookout.com/blog/2016/08/25/trident-pegasus/",
        "Sophisticated, persistent mobile attack against high-value targets on iOS"),)
    relative = sum(1 for element in document("ccc-33c3-schedule.xml").iter("attachment")
                   if element.get("href").startswith("/"))
    assert repair(schedule, "without an absolute http(s) URL").startswith(f"{relative} links")


def test_36c3_merged_duplicates_and_shared_person_ids():
    schedule = imported("ccc-36c3-everything-merged-schedule.xml")
    assert schedule.url == "https://fahrplan.events.ccc.de/congress/2019/Fahrplan/"
    assert repair(schedule, "had a guid used before") == (
        "3 sessions had a guid used before: kept the first, renamed the rest (#2, #3...)")
    first = talk(schedule, "81f5f0c4-3d35-522c-8f1c-c8825b92f00a")
    again = talk(schedule, "81f5f0c4-3d35-522c-8f1c-c8825b92f00a#2")
    assert first.title == again.title == "Beginners Workshop: How to Hack your Web Application"
    assert first.starts_at == utc(2019, 12, 27, 15, 10)
    assert again.starts_at == utc(2019, 12, 27, 16, 15)
    # id 127 is Régine Débatty in one source system and Äpex in another
    assert [speaker.name for speaker in schedule.speakers if speaker.key.startswith("id:127/")] == [
        "Régine Débatty", "Äpex"]
    assert repair(schedule, "person ids shared").startswith("155 person ids")


def test_36c3_links_durations_and_rooms():
    schedule = imported("ccc-36c3-everything-merged-schedule.xml")
    angels = talk(schedule, "5d91410d-7e49-4e12-a2fc-16abda0103bc")  # <duration>1:30</duration>
    assert span(angels) == (utc(2019, 12, 27, 16), utc(2019, 12, 27, 17, 30))
    assert angels.kind == "panel"  # <type>discussion</type>
    assert angels.links == (ParsedLink("https://c3voc.de/"),)  # <link> with the URL as its text
    replicant = talk(schedule, "4881d40f-72f0-43fe-9052-30eadd34a36c")
    assert replicant.url == "https://frab.riat.at/en/36C3/public/schedule/events/130.html"
    # a relative attachment of an event from frab.riat.at resolves against that event's page
    assert replicant.slides_url == ("https://frab.riat.at/system/event_attachments/attachments/"
                                    "000/000/053/original/Replicant_introduction.pdf?1577462722")
    assert replicant.links == (ParsedLink(
        "https://git.replicant.us/contrib/GNUtoo/presentations/tree/36c3/Replicant_introduction",
        "Git repo for slides"),)
    assert replicant.kind == "lightning"
    # ids 87 and 111 also name other people in other source systems of the merged file
    assert replicant.speakers == ("id:87/dllud", "id:111/denis 'gnutoo' carikli")
    rockets = talk(schedule, "7581590f-0f77-5766-94d6-a4f3a0c43a2f")  # <duration>00:00</duration>
    assert rockets.ends_at - rockets.starts_at == timedelta(minutes=10)  # <timeslot_duration>
    assert "event 399" in repair(schedule, "with no length")
    # the merged file's room is "1Komona headnut", the event's own <room> says "headnut"
    assert "1Komona headnut" in schedule.rooms
    assert "headnut" not in schedule.rooms


def test_38c3_zone_colours_and_sessions_after_midnight():
    schedule = imported("ccc-38c3-hub-schedule.xml")
    assert schedule.timezone == "Europe/Berlin"
    assert schedule.repairs == ()
    assert schedule.tracks[0] == ParsedTrack("Art & Beauty", "#f9b000")
    declared = document("ccc-38c3-hub-schedule.xml").iterfind("conference/track")
    assert [track.name for track in schedule.tracks] == [track.get("name") for track in declared]
    late = talk(schedule, "1c8f06f9-ce0d-51bc-9bf3-0a1f71e8e484")  # 00:15 on the 28th
    assert late.title == "Desiring Technology. Über Porno, Abhängigkeit und Fortschritt"
    assert span(late) == (utc(2024, 12, 27, 23, 15), utc(2024, 12, 27, 23, 55))
    assert late.day == date(2024, 12, 27)
    assert late.room == "Saal 1"
    assert late.url == ("https://events.ccc.de/congress/2024/hub/de/event/"
                        "desiring-technology-ber-porno-abhngigkeit-und-fortschritt/")


def test_39c3_links_with_child_elements():
    schedule = imported("ccc-39c3-hub-schedule-20251206.xml")
    tickets = talk(schedule, "a2dd3dc7-ecae-50b3-82d9-266ad02f7a40")
    assert span(tickets) == (utc(2025, 12, 27, 15), utc(2025, 12, 27, 16))
    assert tickets.links == (ParsedLink("https://zügli.app", "Zügli"),)
    assert tickets.speakers == ("id:7fa522b7-3b42-5b1c-8f62-eb9a7c3c5dab",
                                "id:20b0b20d-d206-5bef-988a-1f46d006beca")
    hegemony = talk(schedule, "c31906d3-4cd5-5b05-aebe-5ce1538c70b8")
    assert hegemony.links[0] == ParsedLink("https://hegemony-eroding.make-gyver.de/",
                                           "Hegemony eroding")
    # a pretalx attachment path resolves against the event's <origin_url>, cfp.cccv.de
    assert hegemony.links[-1] == ParsedLink(
        "https://cfp.cccv.de/media/39c3/submissions/RDABLB/resources/bestes_Beispiel_JGuIMX2.webp",
        "a crack one word wide")
    assert len(hegemony.links) == 4


def test_debconf23_utc_dates_with_local_starts():
    schedule = imported("debconf23-schedule.xml")
    assert schedule.timezone == "Asia/Kolkata"
    assert schedule.acronym == "debconf23"
    assert schedule.url == "https://debconf23.debconf.org"
    opening = talk(schedule, "455d075f-48c0-2ec2-24b3-f5add30c383a")
    assert opening.title == "Opening Ceremony"
    # <date>2023-09-10T05:00:00+00:00</date> with <start>10:30</start>, India's time
    assert span(opening) == (utc(2023, 9, 10, 5), utc(2023, 9, 10, 5, 20))
    # <day date="2023-09-09" start="2023-09-09T21:30:00+00:00">: 03:00 on the 10th in Kolkata
    assert opening.day == date(2023, 9, 10)
    assert "8 days" in repair(schedule, "with a date other than")
    assert opening.room == "Anamudi"
    assert opening.track == "Community, diversity, local outreach and social context"
    assert opening.kind == "talk"  # "Long talk (45 minutes)"
    assert opening.url == "https://debconf23.debconf.org/talks/18-opening-ceremony/"
    assert opening.description == "Welcome to DebConf23"


@pytest.mark.parametrize("name", ZONELESS)
def test_fosdem_without_zone_needs_one(name):
    with pytest.raises(ScheduleError, match="gives no time zone"):
        importer.parse((SAMPLES / name).read_bytes())


def test_fosdem_2007_events_without_rooms():
    schedule = imported("fosdem-2007-schedule.xml")
    assert schedule.timezone == "Europe/Brussels"
    assert schedule.venue == "ULB (Université Libre de Bruxelles), Brussels"
    assert schedule.repairs == (repair(schedule, "links without"),)  # no session before 09:00
    aiglx = talk(schedule, "id:0")
    assert (aiglx.title, aiglx.external_id) == ("AIGLX", "0")
    assert span(aiglx) == (utc(2007, 2, 25, 14), utc(2007, 2, 25, 14, 45))
    assert (aiglx.room, aiglx.track) == ("Chavanne", "Desktop Applications")
    assert aiglx.day == date(2007, 2, 25)
    assert aiglx.video_url == "http://video.fosdem.org/2007/FOSDEM2007-AIGLX.ogg"
    assert aiglx.speakers == ("id:1",)
    assert schedule.speakers[0].name == "Kristian Høgsberg"
    assert aiglx.abstract.startswith("In this talk, Kristian will take a look at technologies")
    assert "<" not in aiglx.description
    assert aiglx.description.count("\n\n") == 1  # two <p>


def test_fosdem_2012_escaped_html():
    schedule = imported("fosdem-2012-schedule.xml")
    mozilla = talk(schedule, "id:0")
    assert mozilla.title == "2012: New perspectives for Mozilla"
    assert span(mozilla) == (utc(2012, 2, 4, 12, 30), utc(2012, 2, 4, 13))
    assert (mozilla.room, mozilla.track) == ("UD2.218A", "Mozilla Devroom")
    assert mozilla.speakers == ("id:1",)
    # &lt;p&gt;…users&amp;#39; freedom…: escaped HTML holding an escaped apostrophe
    assert "How is users' freedom protected" in mozilla.abstract
    assert "<p>" not in mozilla.abstract


def test_fosdem_2020_no_dates_no_guids():
    schedule = imported("fosdem-2020-schedule.xml")
    welcome = talk(schedule, "id:9025")
    assert welcome.title == "Welcome to FOSDEM 2020"
    assert span(welcome) == (utc(2020, 2, 1, 8, 30), utc(2020, 2, 1, 8, 55))
    assert (welcome.room, welcome.track, welcome.kind) == ("Janson", "Keynotes", "keynote")
    assert welcome.speakers == ("id:6",)
    assert welcome.video_url == "https://video.fosdem.org/2020/Janson/keynotes_welcome.webm"
    assert welcome.links == (
        ParsedLink("https://video.fosdem.org/2020/Janson/keynotes_welcome.mp4",
                   "Video recording (mp4)"),
        ParsedLink("https://submission.fosdem.org/feedback/9025.php", "Submit feedback"))
    kernel = talk(schedule, "id:10715")
    assert kernel.slides_url.endswith("/slides/3890/Fosdem_Leemhuis_Kernel_Steps.pdf")
    assert kernel.video_url == "https://video.fosdem.org/2020/Janson/linux_kernel.webm"
    cancelled = [talk.title for talk in schedule.talks if talk.status == "cancelled"]
    assert cancelled == [title.text for title in document("fosdem-2020-schedule.xml").iter("title")
                         if title.text.startswith("CANCELLED")]
    assert repair(schedule, "CANCELLED").startswith("3 sessions")


def test_fosdem_2025_declared_tracks():
    schedule = imported("fosdem-2025-schedule.xml")
    assert schedule.timezone == "Europe/Brussels"
    assert schedule.acronym == "fosdem-2025"
    declared = [track.text for track in document("fosdem-2025-schedule.xml").iter("track")
                if track.get("online_qa") is not None]
    assert [track.name for track in schedule.tracks] == [
        name for name in declared if name in {talk.track for talk in schedule.talks}]
    llvm = talk(schedule, "852280ac-61d3-588c-b74c-8d87f9d9d2c6")
    assert span(llvm) == (utc(2025, 2, 1, 9, 35), utc(2025, 2, 1, 10))
    assert (llvm.room, llvm.track, llvm.language) == ("K.3.201", "LLVM", "en")
    assert llvm.speakers == ("id:4744",)


def test_lswt2019_comma_separated_people_and_missing_duration():
    schedule = imported("lswt2019-leipzig-semantic-web-day-schedule.xml")
    assert schedule.timezone == "UTC"  # <date>…Z</date>, no zone name
    assert "its times are in UTC" in repair(schedule, "no time zone name")
    welcome = talk(schedule, "id:101")
    assert span(welcome) == (utc(2019, 5, 22, 9), utc(2019, 5, 22, 9, 10))
    # <person>Dr. Sebastian Tramp, Andreas Heinecke</person>, with no id
    assert welcome.speakers == ("name:dr. sebastian tramp", "name:andreas heinecke")
    assert repair(schedule, "separated by commas").startswith("4 speaker entries")
    hackathon = talk(schedule, "id:300")  # <duration></duration>, no <timeslot_duration>
    assert hackathon.ends_at - hackathon.starts_at == timedelta(minutes=15)
    assert hackathon.speakers == ()  # <person></person>
    assert "Ideen wurden bereits eingereicht:\n\n- Spacelabel [Belgien]" in hackathon.description
    renamed = [talk.guid for talk in schedule.talks if "#" in talk.guid]
    assert renamed == ["id:997#2", "id:998#2", "id:999#2"]


# small documents


BRUSSELS = "<time_zone_name>Europe/Brussels</time_zone_name>"


def schedule_xml(events: str, *, conference: str = BRUSSELS,
                 day: str = 'date="2024-02-03" index="1"') -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<schedule>\n'
            f"<conference><title>Test con</title>{conference}</conference>\n"
            f'<day {day}>\n<room name="Hall">\n{events}\n</room>\n</day>\n</schedule>\n').encode()


def event_xml(event_id: str = "7", **fields: str | None) -> str:
    """An <event>; fields name its child elements, None leaves one out."""
    values = {"title": "A talk", "start": "10:00", "duration": "00:30"} | fields
    children = "".join(f"<{tag}>{value}</{tag}>"
                       for tag, value in values.items() if value is not None)
    return f'<event id="{event_id}">{children}</event>'


def parse(data: bytes, **options) -> ParsedSchedule:
    return importer.parse(data, **options)


def test_malformed_xml_names_the_line():
    with pytest.raises(ScheduleError, match=r"not well-formed XML at line 4, column \d+: mis"):
        parse(b'<?xml version="1.0"?>\n<schedule>\n  <conference>\n</schedule>\n')


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [
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
<schedule><conference><title>&lol9;</title></conference></schedule>
"""


def test_billion_laughs_is_refused():
    assert importer.sniff(BILLION_LAUGHS)  # so that the user hears why, not "unknown format"
    with pytest.raises(ScheduleError, match="DTD or entities.*XML bomb"):
        parse(BILLION_LAUGHS)


def test_external_entity_is_refused_and_never_read():
    doctype = b'<!DOCTYPE schedule [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    data = schedule_xml(event_xml(title="&secret;")).replace(b"<schedule>", doctype + b"<schedule>")
    with pytest.raises(ScheduleError, match="DTD or entities.*read local files") as raised:
        parse(data, timezone="UTC")
    passwd = Path("/etc/passwd")
    secrets = passwd.read_text().splitlines() if passwd.exists() else []
    said = str(raised.value) + repr(raised.value.__cause__) + repr(raised.value.__context__)
    assert not any(line in said for line in secrets if line)
    assert "root:" not in said


def test_root_other_than_schedule():
    with pytest.raises(ScheduleError, match="root element is <iCalendar>, not <schedule>"):
        parse(b'<?xml version="1.0"?><iCalendar><vcalendar/></iCalendar>')


def test_event_without_title():
    with pytest.raises(ScheduleError, match=r"event 7: no <title>"):
        parse(schedule_xml(event_xml(title="  ")))


def test_event_without_start():
    with pytest.raises(ScheduleError, match="event 7 \\(“A talk”\\): no start time"):
        parse(schedule_xml(event_xml(start=None)))


def test_zero_duration_gets_the_timeslot_and_is_reported():
    """A duration of 00:00 cannot end after it starts; 36C3's merged file has one, so it is
    repaired (and said), not refused."""
    schedule = parse(schedule_xml(
        event_xml(duration="00:00"),
        conference=BRUSSELS + "<timeslot_duration>00:05</timeslot_duration>"))
    (session,) = schedule.talks
    assert session.starts_at == utc(2024, 2, 3, 9)
    assert session.ends_at == utc(2024, 2, 3, 9, 5)
    assert schedule.repairs == (
        "1 session with no length (<duration> empty or 00:00: event 7 (“A talk”)): shown 5 "
        "minutes long, the schedule's <timeslot_duration>",)


def test_missing_duration_without_timeslot_gets_a_default():
    schedule = parse(schedule_xml(event_xml(duration=None) + event_xml("8", duration="")))
    assert [talk.ends_at - talk.starts_at for talk in schedule.talks] == [timedelta(minutes=15)] * 2
    assert "2 sessions with no length" in schedule.repairs[0]


@pytest.mark.parametrize("duration", ["1:30", "01:30", "01:30:00"])
def test_duration_forms(duration):
    (session,) = parse(schedule_xml(event_xml(duration=duration))).talks
    assert session.ends_at - session.starts_at == timedelta(minutes=90)


def test_bad_duration_names_the_event():
    with pytest.raises(ScheduleError, match="event 7 .*<duration>.*“90 min”"):
        parse(schedule_xml(event_xml(duration="90 min")))


def test_bad_date_names_the_event():
    with pytest.raises(ScheduleError, match="event 7 .*<date>: “tomorrow”"):
        parse(schedule_xml(event_xml(date="tomorrow")))


def test_unknown_time_zone_name():
    data = schedule_xml(event_xml(), conference="<time_zone_name>Europe/Atlantis</time_zone_name>")
    with pytest.raises(ScheduleError, match="<time_zone_name>: “Europe/Atlantis” is not an IANA"):
        parse(data)


def test_unknown_time_zone_given():
    with pytest.raises(ScheduleError, match="the time zone given: “Mars/Olympus” is not"):
        parse(schedule_xml(event_xml()), timezone="Mars/Olympus")


def test_non_utf8_bytes_in_a_utf8_file():
    data = schedule_xml(event_xml(title="Caf\N{LATIN SMALL LETTER E WITH ACUTE}"))
    data = data.replace("é".encode(), b"\xe9")
    line = data[:data.index(b"\xe9")].count(b"\n") + 1
    assert line == 6
    with pytest.raises(ScheduleError, match=f"line {line}, column .*byte 0xe9 is not valid UTF-8, "
                                            "but the file declares UTF-8"):
        parse(data)


def test_declared_latin1_is_read_as_latin1():
    data = schedule_xml(event_xml(title="Caf\xe9")).decode().replace("UTF-8", "ISO-8859-1")
    (session,) = parse(data.encode("latin-1")).talks
    assert session.title == "Café"


def test_no_zone_anywhere():
    with pytest.raises(ScheduleError, match="gives no time zone.*such as Europe/Brussels"):
        parse(schedule_xml(event_xml(), conference=""))


def test_given_zone_overrides_the_file_and_dates_stay_exact():
    data = schedule_xml(event_xml(date="2024-02-03T10:00:00+01:00"))
    schedule = parse(data, timezone="America/New_York")
    assert schedule.timezone == "America/New_York"
    assert schedule.talks[0].starts_at == utc(2024, 2, 3, 9)
    assert "differs from their <date> in America/New_York" in schedule.repairs[0]


def test_utc_date_with_local_start_agrees():
    schedule = parse(schedule_xml(event_xml(date="2024-02-03T09:00:00+00:00", start="10:00")))
    assert schedule.talks[0].starts_at == utc(2024, 2, 3, 9)
    assert schedule.repairs == ()


def test_start_before_day_change_is_after_midnight():
    data = schedule_xml(event_xml(start="01:30") + event_xml("8", start="09:00"),
                        conference="<day_change>09:00:00</day_change>")
    night, morning = parse(data, timezone="Europe/Brussels").talks
    assert night.starts_at == utc(2024, 2, 4, 0, 30)
    assert night.day == date(2024, 2, 3)
    assert morning.starts_at == utc(2024, 2, 3, 8)
    assert parse(data, timezone="Europe/Brussels").repairs == (
        "1 session starting before the day's start: placed after midnight, on the next calendar "
        "date, under the same day",)


def test_start_before_the_days_start_attribute_is_after_midnight():
    data = schedule_xml(event_xml(start="02:00"),
                        day='date="2024-02-03" index="1" start="2024-02-03T10:00:00+01:00"')
    (night,) = parse(data).talks
    assert (night.starts_at, night.day) == (utc(2024, 2, 4, 1), date(2024, 2, 3))


def test_local_time_skipped_by_dst():
    data = schedule_xml(event_xml(start="02:30"), day='date="2024-03-31" index="1"')
    with pytest.raises(ScheduleError, match=r"event 7 \(“A talk”\): 2024-03-31 02:30 does not"):
        parse(data)


def test_events_directly_under_day_use_their_own_room():
    data = schedule_xml("").replace(b'<room name="Hall">\n\n</room>',
                                    event_xml(room="H.1302").encode() + event_xml("8").encode())
    first, second = parse(data).talks
    assert (first.room, second.room) == ("H.1302", None)
    assert "1 session without a room" in parse(data).repairs[0]


def test_event_outside_a_day_is_refused():
    stray = event_xml("8").encode()
    data = schedule_xml(event_xml()).replace(b"</schedule>", stray + b"</schedule>")
    with pytest.raises(ScheduleError, match="1 <event> element is outside <day>"):
        parse(data)


def test_people_with_ids_are_never_split():
    data = schedule_xml(
        event_xml(persons='<person id="154">Stefan, DK6TM</person><person>Ann, Bob</person>')
        + event_xml("8", persons='<person id="154">Stefan, DK6TM</person>'))
    schedule = parse(data)
    assert schedule.talks[0].speakers == ("id:154", "name:ann", "name:bob")
    assert schedule.talks[1].speakers == ("id:154",)
    assert [speaker.name for speaker in schedule.speakers] == ["Stefan, DK6TM", "Ann", "Bob"]


def test_links_resolve_and_sort():
    links = ('<link href="/media/slides.pdf">Slides</link>'
             '<link href="javascript:alert(1)">Click</link>'
             '<link href="https://media.ccc.de/v/talk-7">Recording</link>'
             '<link href="https://media.ccc.de/v/other-talk">An older talk</link>')
    data = schedule_xml(event_xml(slug="talk-7", url="/talk/7", links=links),
                        conference="<time_zone_name>UTC</time_zone_name>"
                                   "<base_url>https://example.org/schedule/</base_url>")
    schedule = parse(data)
    (session,) = schedule.talks
    assert session.url == "https://example.org/talk/7"
    assert session.slides_url == "https://example.org/media/slides.pdf"
    assert session.video_url == "https://media.ccc.de/v/talk-7"
    assert session.links == (ParsedLink("https://media.ccc.de/v/other-talk", "An older talk"),)
    assert schedule.repairs == ("1 link without an absolute http(s) URL (relative, another scheme, "
                                "or no URL at all): dropped",)


@pytest.mark.parametrize(("attachments", "slides"), [
    # an uploaded file titled slides, over a PDF and over a link titled slides
    ('<attachment href="https://x.org/paper.pdf">Paper</attachment>'
     '<attachment href="https://x.org/talk.odp">Slides (ODP)</attachment>',
     "https://x.org/talk.odp"),
    # an uploaded PDF over a link titled slides (36C3: "Git repo for slides")
    ('<attachment href="https://x.org/paper.pdf">Paper</attachment>', "https://x.org/paper.pdf"),
    # FOSDEM's type="slides", whatever its title
    ('<attachment href="https://x.org/paper.pdf">Paper</attachment>'
     '<attachment type="slides" href="https://x.org/cpu.png">A chart</attachment>',
     "https://x.org/cpu.png"),
    ("", "https://x.org/deck"),
])
def test_slides_are_the_likeliest_link(attachments, slides):
    data = schedule_xml(event_xml(links='<link href="https://x.org/deck">Slide deck</link>',
                                  attachments=attachments))
    (session,) = parse(data).talks
    assert session.slides_url == slides
    assert slides not in {link.url for link in session.links}


def test_html_and_plain_text():
    escaped = ("&lt;p&gt;One &amp;amp; two.&lt;/p&gt;"
               "&lt;ul&gt;&lt;li&gt;a&lt;/li&gt;&lt;li&gt;b&lt;/li&gt;&lt;/ul&gt;")
    plain = "x &lt; y &amp;&amp; “z”\n\n  next"
    data = schedule_xml(event_xml(abstract=escaped, description=plain))
    (session,) = parse(data).talks
    assert session.abstract == "One & two.\n\n- a\n- b"
    assert session.description == "x < y && “z”\n\n  next"


@pytest.mark.parametrize(("type_", "kind"), [
    ("BoF (45 minutes)", "bof"), ("Workshop 2h", "workshop"), ("Lightning Talk", "lightning"),
    ("DJ Set", "social"), ("djset", "social"), ("devroom", "talk"), ("maintrack", "talk"),
    ("Game show", "talk"),
])
def test_session_types(type_, kind):
    (session,) = parse(schedule_xml(event_xml(type=type_))).talks
    assert session.kind == kind


def test_cancelled_title():
    data = schedule_xml(event_xml(title="CANCELLED Old news")
                        + event_xml("8", title="Cancelling syscalls"))
    assert [talk.status for talk in parse(data).talks] == ["cancelled", "confirmed"]


@pytest.mark.parametrize("head", [
    b"<schedule>",
    b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\n<schedule xmlns:xsi="x">',
    b"<?xml version='1.0'?>\n<!-- exported by frab -->\n  \n<schedule>\n<version>1</version>",
    '<?xml version="1.0" encoding="UTF-16"?><schedule/>'.encode("utf-16"),
])
def test_sniff_recognises_a_schedule(head):
    assert importer.sniff(head)


@pytest.mark.parametrize("head", [
    b'{"schedule": {"conference": {}}}',
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
    b'<?xml version="1.0"?><iCalendar xmlns="urn:ietf:params:xml:ns:xcal"><vcalendar>',
    b"<schedules>",
    b"title,start\nA talk,2024-02-03 10:00\n",
])
def test_sniff_refuses_other_formats(head):
    assert not importer.sniff(head)
