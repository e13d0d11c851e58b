"""Every public sample schedule, through the importer into the database and back again.

The format tests check each importer against its files; these check what lands in the
database, that a re-import of the same file changes nothing, that a re-import of an
edited copy reports each change and keeps users' data, and that a refused file writes
nothing.
"""

import json
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.importers import IMPORTERS
from tracker.importers import ScheduleError
from tracker.importers import detect_format
from tracker.models import AgendaEntry
from tracker.models import Conference
from tracker.models import ImportRun
from tracker.models import Note
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import Track
from tracker.models import WriteUp
from tracker.schedule import group_by_day
from tracker.services.imports import import_schedule

SAMPLES = Path(__file__).parent / "samples"
#: files whose times carry no zone: the user gives it
ZONES = {"fosdem-2007-schedule.xml": "Europe/Brussels", "fosdem-2012-schedule.xml": "Europe/Brussels",
         "fosdem-2020-schedule.xml": "Europe/Brussels", "ccc-33c3-schedule.xcal": "Europe/Berlin"}
FORMATS = {".xml": "frab-xml", ".json": "frab-json", ".ics": "ical", ".xcal": "xcal"}
FILES = sorted(path for folder in ("frab-xml", "frab-json", "ical")
               for path in (SAMPLES / folder).iterdir() if path.suffix in FORMATS)


def test_every_sample_is_here():
    assert len(FILES) == 25, "tests/samples holds copies of the shared samples"


def count(model, conference) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)
                             .where(model.conference_id == conference.id))


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_sample_lands_in_the_database_and_reimports_unchanged(app, path):
    data = path.read_bytes()
    assert detect_format(data) == FORMATS[path.suffix]
    zone = ZONES.get(path.name)
    parsed = IMPORTERS[FORMATS[path.suffix]].parse(data, timezone=zone)
    report = import_schedule(data, source=path.name, timezone=zone, slug="sample")
    db.session.commit()
    conference = report.conference
    assert report.run.added == len(parsed.talks)
    assert count(Talk, conference) == len(parsed.talks)
    assert count(Speaker, conference) == len(parsed.speakers)
    assert count(Room, conference) == len(parsed.rooms)
    assert count(Track, conference) == len(parsed.tracks)
    if all(talk.day is not None for talk in parsed.talks):
        shown = group_by_day(conference.talks, conference.zone, conference.day_change)
        assert [(day, sorted(t.guid for t in talks)) for day, talks in shown] == sorted(
            (day, sorted(t.guid for t in parsed.talks if t.day == day))
            for day in {t.day for t in parsed.talks}), "the file's days, each session under its own"

    stored = {talk.guid: talk for talk in conference.talks}
    for parsed_talk in parsed.talks:
        talk = stored[parsed_talk.guid]
        assert (talk.title, talk.starts_at, talk.ends_at) == (
            parsed_talk.title, parsed_talk.starts_at, parsed_talk.ends_at)
        assert (talk.room.name if talk.room else None) == parsed_talk.room
        assert [s.external_id for s in talk.speakers] == list(parsed_talk.speakers)
        assert (talk.abstract, talk.language, talk.url) == (parsed_talk.abstract, parsed_talk.language, parsed_talk.url)

    again = import_schedule(data, source=path.name, timezone=zone, slug="sample")
    db.session.commit()
    assert (again.run.added, again.run.changed, again.run.moved, again.run.cancelled) == (0, 0, 0, 0)
    assert again.run.unchanged == len(parsed.talks)


def test_the_same_conference_in_four_formats_has_the_same_instants(app):
    instants = {}
    for name in ("frab-xml/ccc-33c3-schedule.xml", "frab-json/ccc-33c3-schedule.json", "ical/ccc-33c3-schedule.ics",
                 "ical/ccc-33c3-schedule.xcal"):
        path = SAMPLES / name
        report = import_schedule(path.read_bytes(), source=name, timezone=ZONES.get(path.name),
                                 slug=path.suffix.removeprefix("."))
        instants[name] = sorted((t.starts_at, t.ends_at) for t in report.conference.talks)
    assert len(instants["frab-xml/ccc-33c3-schedule.xml"]) == 150
    assert instants["frab-xml/ccc-33c3-schedule.xml"] == instants["frab-json/ccc-33c3-schedule.json"] \
        == instants["ical/ccc-33c3-schedule.ics"] == instants["ical/ccc-33c3-schedule.xcal"]


def plan_and_note(user, talks):
    """A user's note, agenda entries and a write-up on the given talks."""
    db.session.add_all([Note(user=user, talk=talks[0], body="Keep me"),
                        *[AgendaEntry(user=user, talk=t, status="going") for t in talks],
                        WriteUp(url="https://blog.example.org/report", title="Report", talks=list(talks))])
    db.session.commit()


def assert_user_data_intact(user, guids):
    db.session.expire_all()
    assert [n.body for n in db.session.scalars(sa.select(Note))] == ["Keep me"]
    assert {e.talk.guid for e in db.session.scalars(sa.select(AgendaEntry))} == set(guids)
    assert {t.guid for t in db.session.scalar(sa.select(WriteUp)).talks} == set(guids)


EVENT = re.compile(r"<event guid='([^']+)' id='(\d+)'>.*?</event>\n", re.S)


def test_reimport_of_an_edited_frab_xml(app, user):
    original = (SAMPLES / "frab-xml/ccc-33c3-schedule.xml").read_text()
    import_schedule(original.encode(), source="33c3.xml", slug="33c3")
    db.session.commit()
    events = {m.group(2): m for m in EVENT.finditer(original)}
    opening, second, third = events["8429"], events["8425"], events["8295"]
    talks = [db.session.scalar(sa.select(Talk).where(Talk.guid == m.group(1))) for m in (opening, second, third)]
    plan_and_note(user, talks)

    moved = opening.group(0).replace("2016-12-27T11:00:00+01:00", "2016-12-27T11:15:00+01:00") \
        .replace("<start>11:00</start>", "<start>11:15</start>")
    new = opening.group(0).replace(opening.group(1), "00000000-0000-4000-8000-000000000001") \
        .replace("id='8429'", "id='99999'").replace("33C3 Opening Ceremony", "Brand-new session")
    retitled = re.sub(r"<title>[^<]*</title>", "<title>A new title</title>", second.group(0))
    edited = (original.replace(opening.group(0), moved + new).replace(second.group(0), retitled)
              .replace(third.group(0), ""))
    report = import_schedule(edited.encode(), source="33c3.xml", slug="33c3")
    db.session.commit()

    assert report.added == ["Brand-new session"]
    assert report.moved == [("33C3 Opening Ceremony", ["starts_at", "ends_at"])]
    assert report.changed == [("A new title", ["title"])]
    assert report.cancelled == [talks[2].title]
    assert report.unchanged == 147
    assert talks[0].starts_at == datetime(2016, 12, 27, 10, 15, tzinfo=UTC)
    assert talks[2].status == "cancelled"
    assert_user_data_intact(user, [m.group(1) for m in (opening, second, third)])


def test_reimport_of_an_edited_frab_json(app, user):
    document = json.loads((SAMPLES / "frab-json/ccc-35c3-schedule.json").read_text())
    import_schedule(json.dumps(document).encode(), source="35c3.json", slug="35c3")
    db.session.commit()
    day = document["schedule"]["conference"]["days"][0]
    room, events = next(iter(day["rooms"].items()))
    first, second = events[0], events[1]
    talks = [db.session.scalar(sa.select(Talk).where(Talk.guid == e["guid"])) for e in (first, second)]
    plan_and_note(user, talks)
    other_room = list(day["rooms"])[1]
    first["room"] = other_room
    day["rooms"][other_room].append(events.pop(0))
    events.remove(second)
    report = import_schedule(json.dumps(document).encode(), source="35c3.json", slug="35c3")
    db.session.commit()
    assert report.moved == [(first["title"], ["room"])]
    assert report.cancelled == [second["title"]]
    assert talks[0].room.name == other_room
    assert_user_data_intact(user, [first["guid"], second["guid"]])


def test_reimport_of_an_edited_ical(app, user):
    original = (SAMPLES / "ical/kielux-2020.ics").read_bytes().decode()
    import_schedule(original.encode(), source="kielux.ics", slug="kielux")
    db.session.commit()
    events = re.findall(r"BEGIN:VEVENT.*?END:VEVENT\r?\n", original, re.S)
    uid = re.search(r"UID:(.*?)\r?\n", events[0]).group(1)
    talk = db.session.scalar(sa.select(Talk).where(Talk.guid == uid))
    plan_and_note(user, [talk])
    start = re.search(r"DTSTART:(\d{8}T\d{6}Z)", events[0]).group(1)
    later = (datetime.strptime(start, "%Y%m%dT%H%M%SZ") + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    end_line = re.search(r"DTEND:.*?\r?\n", events[0]).group(0)
    moved = events[0].replace(f"DTSTART:{start}", f"DTSTART:{later}").replace(end_line, "DURATION:PT30M\r\n")
    edited = original.replace(events[0], moved)
    report = import_schedule(edited.encode(), source="kielux.ics", slug="kielux")
    db.session.commit()
    assert [title for title, _ in report.moved] == [talk.title]
    assert talk.starts_at == datetime.strptime(later, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert talk.duration == timedelta(minutes=30)
    assert_user_data_intact(user, [uid])


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<schedule><conference><title>&lol3;</title></conference></schedule>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<schedule><conference><title>&secret;</title></conference></schedule>"""


@pytest.mark.parametrize(("data", "timezone", "message"), [
    (b"<schedule><conference><title>x</title></conference><day", None, "line 1"),
    (BOMB, None, "DTD|entit"),
    (EXTERNAL, None, "DTD|entit"),
    (b'{"schedule": {"conference": ', None, "line 1"),
    (b"%PDF-1.4 not a schedule", None, "unknown format"),
    ((SAMPLES / "frab-xml/fosdem-2020-schedule.xml").read_bytes(), None, "time zone"),
    ((SAMPLES / "frab-xml/fosdem-2020-schedule.xml").read_bytes(), "Europe/Atlantis", "Europe/Atlantis"),
    ((SAMPLES / "ical/ccc-33c3-schedule.xcal").read_bytes(), None, "floating time"),
    ("title,start,end\nCafé,2011-08-17 10:00,2011-08-17 11:00\n".encode("latin-1"), "UTC", "UTF-8"),
    (b"title,start,end\nBackwards,2011-08-17 10:00,2011-08-17 09:00\n", "UTC", "line 2"),
    (b"title,start,end\n,2011-08-17 10:00,2011-08-17 11:00\n", "UTC", "line 2"),
    (b"title,start,end\nTalk,17/08/2011 10:00,2011-08-17 11:00\n", "UTC", "17/08/2011"),
], ids=["malformed-xml", "xml-bomb", "external-entity", "malformed-json", "unknown-format",
        "no-zone", "unknown-zone", "xcal-no-zone", "latin-1", "end-before-start", "no-title", "bad-date"])
def test_refused_input_writes_nothing(app, demo, data, timezone, message):
    before = {model: db.session.scalar(sa.select(sa.func.count()).select_from(model))
              for model in (Conference, Talk, Speaker, Room, ImportRun)}
    with pytest.raises(ScheduleError, match=message) as refused:
        import_schedule(data, source="bad", timezone=timezone)
    db.session.rollback()
    assert "root:" not in str(refused.value), "a local file leaked into the message"
    after = {model: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in before}
    assert after == before
