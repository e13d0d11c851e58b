"""frab XML and JSON exports: valid against c3voc's schemas, and read back by tracker's own
importers into the same sessions, instants, rooms, tracks and speakers."""

import json
import re
import uuid
from collections import Counter
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
import xmlschema
from xmlschema import XMLResource

from tracker.exporters.base import Selection
from tracker.exporters.frab import NAMESPACE
from tracker.exporters.frab import NO_ROOM
from tracker.exporters.frab import event_guid
from tracker.exporters.frab import event_ids
from tracker.exporters.frab_json import FrabJsonExporter
from tracker.exporters.frab_xml import FrabXmlExporter
from tracker.extensions import db
from tracker.importers.base import http_url
from tracker.models import Conference
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import Track
from tracker.schedule import group_by_day
from tracker.schedule import programme
from tracker.services.imports import find_conference
from tracker.services.imports import import_schedule
from tracker.services.imports import parse_schedule
from tracker.services.imports import slug_for
from tracker.services.programme import set_speakers

SAMPLES = Path(__file__).parent / "samples"
#: files whose times carry no zone: the user gives it
ZONES = {"fosdem-2007-schedule.xml": "Europe/Brussels", "fosdem-2012-schedule.xml": "Europe/Brussels",
         "fosdem-2020-schedule.xml": "Europe/Brussels"}
FILES = sorted(path for folder in ("frab-xml", "frab-json", "ical")
               for path in (SAMPLES / folder).iterdir() if path.suffix in (".xml", ".json", ".ics"))
SITE = "https://tracker.example.org"
XML = FrabXmlExporter()
JSON = FrabJsonExporter()
EXPORTERS = {"frab-xml": XML, "frab-json": JSON}
#: the samples whose round trip changes something on purpose: (sessions without a room, which
#: come back in NO_ROOM; cancelled sessions, which are left out)
LOSSY = {"linux-conf-au-2020.ics": (17, 0), "fosdem-2020-schedule.xml": (0, 3)}
UUID_FORM = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


@pytest.fixture(scope="module")
def xml_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SAMPLES / "schema" / "c3voc-schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_schema() -> jsonschema.Draft6Validator:
    schema = json.loads((SAMPLES / "schema" / "c3voc-schedule.schema.json").read_text())
    return jsonschema.Draft6Validator(schema)


@pytest.fixture
def valid(xml_schema, json_schema):
    """Asserts that an export is valid against its schema."""
    def check(format: str, data: bytes) -> None:
        if format == "frab-xml":
            errors = xml_errors(xml_schema, data)
        else:
            errors = [f"{list(error.absolute_path)}: {error.message}"
                      for error in json_schema.iter_errors(json.loads(data))]
        assert errors == [], errors[:3]
    return check


def xml_errors(schema: xmlschema.XMLSchema, data: bytes) -> list[str]:
    """What the XSD finds wrong with `data`.

    xmlschema validates in half the time in lazy mode, which checks each day's subtree on its
    own: its xs:unique constraints (event guids, ids and slugs, day indexes) are checked
    here, over the whole file.
    """
    errors = [str(error) for error in schema.iter_errors(XMLResource(BytesIO(data), lazy=2))]
    root = ElementTree.fromstring(data)
    events = list(root.iter("event"))
    for name, values in (("guid", [event.get("guid") for event in events]),
                         ("id", [event.get("id") for event in events]),
                         ("slug", [event.findtext("slug") for event in events]),
                         ("day index", [day.get("index") for day in root.iter("day")])):
        repeated = [value for value, count in Counter(values).items() if value is not None and count > 1]
        errors += [f"repeated {name}: {value}" for value in repeated]
    return errors


def talk_url(talk: Talk) -> str:
    return f"{SITE}/c/{talk.conference.slug}/talks/{talk.id}"


def export(format: str, conference: Conference, talks: list[Talk] | None = None) -> bytes:
    talks = programme(conference) if talks is None else talks
    return EXPORTERS[format].render(Selection(title=conference.name, talks=talks, talk_url=talk_url,
                                              conference=conference, timezone=conference.timezone))


def read_back(format: str, data: bytes, slug: str) -> Conference:
    report = import_schedule(data, source=f"export.{format}", format=format, slug=slug)
    db.session.commit()
    return report.conference


def guid_of(talk: Talk) -> str:
    """What the export calls a session: its source's guid if that is a UUID, else one made
    from its uid."""
    if talk.guid and UUID_FORM.fullmatch(talk.guid):
        return talk.guid
    return str(uuid.uuid5(NAMESPACE, talk.uid))


def kept(talk: Talk, room: str | None, links: set[str]) -> tuple:
    """What a round trip must keep of a session."""
    return (talk.title, talk.starts_at, talk.ends_at, room, talk.track.name if talk.track else None,
            [speaker.name for speaker in talk.speakers], talk.kind, talk.subtitle, talk.language,
            talk.abstract, talk.description, links)


def link_urls(talk: Talk) -> set[str]:
    """Slides, recording and links: the importers may sort them differently (a link titled
    "Slides" becomes the slides), but none is lost."""
    return {talk.slides_url, talk.video_url, *(link["url"] for link in talk.links)} - {""}


def read_as_link(talk: Talk, format: str) -> set[str]:
    """The session's page at its source: <origin_url> in both formats, which the JSON
    importer keeps as one more link."""
    return {talk.url} if format == "frab-json" and http_url(talk.url) else set()


def by_day(conference: Conference, talks: list[Talk], key) -> list:
    return [(day, sorted(key(talk) for talk in day_talks))
            for day, day_talks in group_by_day(talks, conference.zone, conference.day_change)]


def expectation(conference: Conference, talks: list[Talk], format: str) -> dict:
    """What reading back an export of `talks` in `format` must give: the same sessions (less
    the cancelled ones) at the same instants, under the same days, with the same rooms
    (NO_ROOM for none), tracks and speakers in order; the same conference dates and zone.

    Plain data, taken before the import's commit expires the objects.
    """
    confirmed = [talk for talk in talks if not talk.is_cancelled]
    return {
        "sessions": {guid_of(talk): kept(talk, talk.room.name if talk.room else NO_ROOM,
                                         link_urls(talk) | read_as_link(talk, format))
                     for talk in confirmed},
        "days": by_day(conference, confirmed, guid_of),
        "conference": (conference.name, conference.timezone, conference.start_date, conference.end_date),
        "tracks": {talk.track.name: talk.track.color for talk in confirmed if talk.track},
    }


def assert_round_trip(expected: dict, format: str, data: bytes, back: Conference) -> None:
    """`back`, read from `data`, is as `expected`, and keeps the exported ids and guids."""
    talks = programme(back)
    sessions = {talk.guid: kept(talk, talk.room.name if talk.room else None, link_urls(talk))
                for talk in talks}
    wrong = [(session, sessions.get(guid)) for guid, session in expected["sessions"].items()
             if sessions.get(guid) != session]
    assert (len(sessions), wrong[:2]) == (len(expected["sessions"]), [])
    assert by_day(back, talks, lambda talk: talk.guid) == expected["days"]
    assert (back.name, back.timezone, back.start_date, back.end_date) == expected["conference"]
    assert {track.name: track.color for track in back.tracks} == expected["tracks"]
    exported = ids_and_guids(format, data)
    assert sorted((talk.external_id, talk.guid) for talk in talks) == exported
    ids = event_ids(talks)
    assert sorted((str(ids[talk.id]), event_guid(talk)) for talk in talks) == exported, \
        "a re-export names every session as before"


def round_trip(conference: Conference, format: str, valid, slug: str) -> tuple[bytes, Conference]:
    """Export `conference`, check the file, read it back into `slug` and check that."""
    talks = programme(conference)
    expected = expectation(conference, talks, format)
    data = export(format, conference, talks)
    valid(format, data)
    back = read_back(format, data, slug=slug)
    assert_round_trip(expected, format, data, back)
    return data, back


def events(format: str, data: bytes) -> list[dict]:
    """Every event in an export, in file order; an XML one as {attribute or child: text}."""
    if format == "frab-xml":
        return [{**event.attrib, **{child.tag: child.text for child in event}}
                for event in ElementTree.fromstring(data).iter("event")]
    conference = json.loads(data)["schedule"]["conference"]
    return [event for day in conference["days"] for room in day["rooms"].values() for event in room]


def ids_and_guids(format: str, data: bytes) -> list[tuple[str, str]]:
    return sorted((str(event["id"]), event["guid"]) for event in events(format, data))


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_sample_round_trips_through_both_formats(app, valid, path):
    original = import_schedule(path.read_bytes(), source=path.name, timezone=ZONES.get(path.name),
                               slug="original").conference
    db.session.commit()
    talks = programme(original)
    assert (sum(talk.room is None for talk in talks), sum(talk.is_cancelled for talk in talks)) == \
        LOSSY.get(path.name, (0, 0))
    expected = {format: expectation(original, talks, format) for format in EXPORTERS}
    exported = {format: export(format, original, talks) for format in EXPORTERS}
    for format, data in exported.items():
        valid(format, data)
        assert_round_trip(expected[format], format, data, read_back(format, data, slug=format))


@pytest.mark.parametrize("format", EXPORTERS)
def test_demo_conferences_round_trip(app, demo, valid, format):
    for slug in ("linuxcon-na-2011", "kvm-forum-2011"):
        data, back = round_trip(find_conference(slug), format, valid, slug=f"{slug}-back")
        assert slug_for(parse_schedule(data, format=format)[0]) == slug, \
            "imported without a slug, the export comes back under the conference's own"
        assert ids_and_guids(format, export(format, back)) == ids_and_guids(format, data)


def demo_talk(title: str) -> Talk:
    return next(talk for talk in find_conference("linuxcon-na-2011").talks if talk.title == title)


@pytest.fixture
def storage_talk(demo) -> Talk:
    """Bottomley's talk, with slides, a recording, a link and a page at its source."""
    talk = demo_talk("What to Expect From Linux Storage")
    talk.slides_url = "https://example.org/storage.pdf"
    talk.video_url = "https://video.example.org/storage.mp4"
    talk.links = [{"url": "https://lwn.net/Articles/456/", "title": "LWN write-up"},
                  {"url": "https://example.org/storage.pdf", "title": "the same slides"}]
    talk.url = "https://events.linuxfoundation.org/storage"
    set_speakers(talk, [*talk.speakers, demo_talk("The Stable Kernel Tree").speakers[0]])
    db.session.commit()
    return talk


def test_xml_event_content(app, storage_talk):
    conference = storage_talk.conference
    root = ElementTree.fromstring(export("frab-xml", conference))
    assert root.findtext("version") == max(
        [conference.updated_at, *(talk.updated_at for talk in conference.talks)]).isoformat(timespec="seconds")
    head = root.find("conference")
    assert (head.findtext("acronym"), head.findtext("title")) == ("linuxcon_na_2011", "LinuxCon North America 2011")
    assert (head.findtext("start"), head.findtext("end"), head.findtext("days")) == ("2011-08-17", "2011-08-19", "3")
    assert (head.findtext("time_zone_name"), head.findtext("timeslot_duration")) == ("America/Vancouver", "00:05")
    assert head.findtext("base_url") == f"{SITE}/"
    assert [(track.get("name"), track.get("color")) for track in head.iter("track")] == [
        ("Keynotes", "#7a4fa3"), ("Kernel", "#2f6f9f"), ("Storage", "#3f8f4f"), ("Social", "#b5523b")]
    day = root.find("day[@date='2011-08-17']")
    assert (day.get("index"), day.get("start"), day.get("end")) == (
        "1", "2011-08-17T00:00:00-07:00", "2011-08-18T00:00:00-07:00")
    assert [room.get("name") for room in day.findall("room")] == [
        "Regency Ballroom", "Georgia A", "Georgia B", "Off-site"], "in room order"
    event = root.find(f".//event[title='{storage_talk.title}']")
    assert event.get("guid") == str(uuid.uuid5(NAMESPACE, storage_talk.uid))
    assert event.get("id") == str(storage_talk.id)
    assert [event.findtext(tag) for tag in ("date", "start", "duration", "room", "track", "type")] == [
        "2011-08-17T11:00:00-07:00", "11:00", "00:50", "Georgia A", "Storage", "talk"]
    assert event.findtext("slug") == f"linuxcon_na_2011-{storage_talk.id:02d}-what-to-expect-from-linux-storage"
    assert event.findtext("url") == f"{SITE}/c/linuxcon-na-2011/talks/{storage_talk.id}"
    assert event.findtext("origin_url") == "https://events.linuxfoundation.org/storage"
    assert [(person.text, person.get("id")) for person in event.iter("person")] == [
        (speaker.name, str(speaker.id)) for speaker in storage_talk.speakers]
    assert len(storage_talk.speakers) == 2
    assert [(link.get("href"), link.text, link.get("type")) for link in event.iter("link")] == [
        ("https://example.org/storage.pdf", "Slides", "slides"),
        ("https://video.example.org/storage.mp4", "Video recording", "media"),
        ("https://lwn.net/Articles/456/", "LWN write-up", None)]
    assert event.findtext("recording/url") == "https://video.example.org/storage.mp4"
    assert event.findtext("recording/optout") == "false"


def test_json_event_content(app, storage_talk, valid):
    data = export("frab-json", storage_talk.conference)
    valid("frab-json", data)
    conference = json.loads(data)["schedule"]["conference"]
    assert (conference["acronym"], conference["daysCount"], conference["time_zone_name"]) == (
        "linuxcon_na_2011", 3, "America/Vancouver")
    used = {talk.room.name for talk in storage_talk.conference.talks}
    assert [room["name"] for room in conference["rooms"]] == [
        room.name for room in storage_talk.conference.rooms if room.name in used]
    first = conference["days"][0]
    assert (first["date"], first["day_start"], first["day_end"]) == (
        "2011-08-17", "2011-08-17T00:00:00-07:00", "2011-08-18T00:00:00-07:00")
    (event,) = [event for events in first["rooms"].values() for event in events
                if event["title"] == storage_talk.title]
    assert event["guid"] == str(uuid.uuid5(NAMESPACE, storage_talk.uid))
    assert (event["date"], event["end"], event["start"], event["duration"]) == (
        "2011-08-17T11:00:00-07:00", "2011-08-17T11:50:00-07:00", "11:00", "00:50")
    assert [(person["id"], person["name"]) for person in event["persons"]] == [
        (speaker.id, speaker.name) for speaker in storage_talk.speakers]
    assert all(UUID_FORM.fullmatch(person["guid"]) for person in event["persons"])
    assert event["links"][:2] == [
        {"url": "https://example.org/storage.pdf", "title": "Slides", "type": "slides"},
        {"url": "https://video.example.org/storage.mp4", "title": "Video recording", "type": "media"}]
    assert event["do_not_record"] is False


def make_conference(slug: str, zone: str, first: date, last: date, day_change: time = time(0)) -> Conference:
    conference = Conference(slug=slug, name=f"Conference {slug}", timezone=zone, start_date=first,
                            end_date=last, day_change=day_change)
    db.session.add(conference)
    db.session.flush()
    return conference


def add_talk(conference: Conference, title: str, starts_at: datetime, ends_at: datetime, **fields) -> Talk:
    talk = Talk(conference=conference, title=title, starts_at=starts_at, ends_at=ends_at, **fields)
    db.session.add(talk)
    db.session.flush()
    return talk


@pytest.fixture
def autumn(app) -> Conference:
    """Berlin over the night the clocks go back (03:00 CEST -> 02:00 CET on 27 October 2024),
    with days that change at 04:00: both 02:30s that night belong to the 26th."""
    conference = make_conference("herbst", "Europe/Berlin", date(2024, 10, 26), date(2024, 10, 27), time(4))
    hall = Room(conference=conference, name="Hall")
    add_talk(conference, "Summer time", datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
             datetime(2024, 10, 27, 1, 0, tzinfo=UTC), room=hall)
    add_talk(conference, "Winter time", datetime(2024, 10, 27, 1, 30, tzinfo=UTC),
             datetime(2024, 10, 27, 2, 0, tzinfo=UTC), room=hall)
    add_talk(conference, "Morning", datetime(2024, 10, 27, 9, 0, tzinfo=UTC),
             datetime(2024, 10, 27, 10, 0, tzinfo=UTC), room=hall)
    db.session.commit()
    return conference


def test_xml_across_a_daylight_saving_change(autumn):
    root = ElementTree.fromstring(export("frab-xml", autumn))
    assert [(day.get("date"), day.get("start"), day.get("end")) for day in root.iter("day")] == [
        ("2024-10-26", "2024-10-26T04:00:00+02:00", "2024-10-27T04:00:00+01:00"),
        ("2024-10-27", "2024-10-27T04:00:00+01:00", "2024-10-28T04:00:00+01:00")]
    by_day = {day.get("date"): [(event.findtext("title"), event.findtext("date"), event.findtext("start"))
                                for event in day.iter("event")] for day in root.iter("day")}
    assert by_day == {
        "2024-10-26": [("Summer time", "2024-10-27T02:30:00+02:00", "02:30"),
                       ("Winter time", "2024-10-27T02:30:00+01:00", "02:30")],
        "2024-10-27": [("Morning", "2024-10-27T10:00:00+01:00", "10:00")]}


@pytest.mark.parametrize("format", EXPORTERS)
def test_daylight_saving_changes_round_trip(app, autumn, valid, format):
    spring = make_conference("spring", "America/New_York", date(2024, 3, 9), date(2024, 3, 10))
    add_talk(spring, "Across the gap", datetime(2024, 3, 10, 6, 30, tzinfo=UTC),  # 01:30 EST
             datetime(2024, 3, 10, 7, 30, tzinfo=UTC),  # 03:30 EDT: an hour later
             room=Room(conference=spring, name="Hall"))
    db.session.commit()
    for original in (autumn, spring):
        round_trip(original, format, valid, slug=f"{original.slug}-{format}")
    (gap,) = events(format, export(format, spring))
    assert (gap["date"], gap["start"], gap["duration"]) == ("2024-03-10T01:30:00-05:00", "01:30", "01:00")


@pytest.mark.parametrize("format", EXPORTERS)
def test_sessions_without_room_cancelled_or_with_seconds(app, valid, format):
    """Decided losses: a session without a room comes back in NO_ROOM; a cancelled one is
    left out. Seconds survive: <duration> has them in XML, `end` in JSON."""
    conference = make_conference("odd", "Europe/Brussels", date(2020, 2, 1), date(2020, 2, 1))
    ada = Speaker(conference=conference, name="Ada", external_id="id:1")
    bob = Speaker(conference=conference, name="Bob")
    db.session.add_all([ada, bob])
    roomless = add_talk(conference, "Hallway track", datetime(2020, 2, 1, 9, 0, tzinfo=UTC),
                        datetime(2020, 2, 1, 9, 30, tzinfo=UTC), guid="id:7", external_id="7")
    add_talk(conference, "Called off", datetime(2020, 2, 1, 10, 0, tzinfo=UTC),
             datetime(2020, 2, 1, 11, 0, tzinfo=UTC), status="cancelled", guid="id:8", external_id="8")
    add_talk(conference, "Odd length", datetime(2020, 2, 1, 12, 0, 15, tzinfo=UTC),
             datetime(2020, 2, 1, 12, 20, 45, tzinfo=UTC), guid="id:9", external_id="9", kind="workshop",
             room=Room(conference=conference, name="Main"), track=Track(conference=conference, name="Odd"))
    set_speakers(roomless, [bob, ada])
    db.session.commit()

    data, back = round_trip(conference, format, valid, slug="back")
    assert b"Called off" not in data
    assert [(str(event["id"]), event["title"]) for event in events(format, data)] == [
        ("9", "Odd length"), ("7", "Hallway track")], "the source's ids; no room comes last"
    odd = events(format, data)[0]
    assert (odd["start"], odd["duration"]) == (("13:00:15", "00:20:30") if format == "frab-xml" else ("13:00", "00:20"))
    assert {talk.title: talk.room.name for talk in back.talks} == {"Hallway track": NO_ROOM, "Odd length": "Main"}
    assert [room.name for room in back.rooms] == ["Main", NO_ROOM]


@pytest.mark.parametrize("format", EXPORTERS)
def test_ids_fall_back_to_tracker_ids_when_the_source_ids_clash(app, valid, format):
    conference = make_conference("clash", "UTC", date(2020, 2, 1), date(2020, 2, 1))
    first = add_talk(conference, "One", datetime(2020, 2, 1, 9, tzinfo=UTC), datetime(2020, 2, 1, 10, tzinfo=UTC),
                     guid="A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", external_id="5")
    second = add_talk(conference, "Ü", datetime(2020, 2, 1, 10, tzinfo=UTC), datetime(2020, 2, 1, 11, tzinfo=UTC),
                      external_id="05")
    db.session.commit()
    data = export(format, conference)
    valid(format, data)
    assert ids_and_guids(format, data) == sorted([
        (str(first.id), "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
        (str(second.id), str(uuid.uuid5(NAMESPACE, second.uid)))])
    assert [event["slug"] for event in events(format, data)] == [
        f"clash-{first.id:02d}-one", f"clash-{second.id:02d}-u"], "four characters after the first hyphen"


@pytest.mark.parametrize("format", EXPORTERS)
def test_an_empty_selection_still_has_the_conference_days(app, valid, format):
    conference = make_conference("quiet", "Asia/Kolkata", date(2023, 9, 10), date(2023, 9, 12))
    db.session.commit()
    data = EXPORTERS[format].render(Selection(title="Nothing yet", talks=[], talk_url=talk_url,
                                              conference=conference))
    valid(format, data)
    if format == "frab-xml":
        starts = [day.get("start") for day in ElementTree.fromstring(data).iter("day")]
    else:
        starts = [day["day_start"] for day in json.loads(data)["schedule"]["conference"]["days"]]
    assert starts == ["2023-09-10T00:00:00+05:30", "2023-09-11T00:00:00+05:30", "2023-09-12T00:00:00+05:30"]


def test_the_xml_check_finds_what_the_schema_refuses(autumn, xml_schema):
    """A repeated id across days, which lazy validation alone can miss, and a bad value."""
    data = export("frab-xml", autumn)
    assert xml_errors(xml_schema, data) == []
    (first, *_, last) = re.findall(rb'<event guid="[^"]+" id="(\d+)"', data)
    assert data.index(b"<day index=\"2\"") < data.rindex(b'id="%s"' % last), "the last event is on day 2"
    repeated = data.replace(b'id="%s"' % last, b'id="%s"' % first)
    assert f"repeated id: {first.decode()}" in xml_errors(xml_schema, repeated)
    assert xml_errors(xml_schema, data.replace(b"<duration>01:00</duration>", b"<duration>1h</duration>"))


def test_xml_leaves_out_characters_xml_cannot_hold(app, valid):
    conference = make_conference("ctl", "UTC", date(2020, 2, 1), date(2020, 2, 1))
    add_talk(conference, "Form\x0cfeed", datetime(2020, 2, 1, 9, tzinfo=UTC), datetime(2020, 2, 1, 10, tzinfo=UTC),
             abstract="bell\x07 and tab\t")
    db.session.commit()
    data = export("frab-xml", conference)
    valid("frab-xml", data)
    event = ElementTree.fromstring(data).find(".//event")
    assert (event.findtext("title"), event.findtext("abstract")) == ("Formfeed", "bell and tab\t")


def test_json_leaves_out_a_zone_name_the_schema_refuses(app, valid):
    conference = make_conference("fixed", "Etc/GMT-1", date(2016, 12, 27), date(2016, 12, 27))
    add_talk(conference, "Opening", datetime(2016, 12, 27, 10, tzinfo=UTC), datetime(2016, 12, 27, 11, tzinfo=UTC))
    db.session.commit()
    data = export("frab-json", conference)
    valid("frab-json", data)
    assert "time_zone_name" not in json.loads(data)["schedule"]["conference"]
    assert read_back("frab-json", data, slug="back").timezone == "Etc/GMT-1", "from the offsets"


def test_exporter_names():
    assert (XML.name, XML.extension, XML.content_type, XML.multi_conference) == (
        "xml", "xml", "application/xml; charset=utf-8", False)
    assert (JSON.name, JSON.extension, JSON.content_type, JSON.multi_conference) == (
        "json", "json", "application/json", False)
