"""The frab / pretalx / c3voc schedule.json importer, against the real samples in
tests/samples/frab-json (see SOURCES.md there) and small inline files for the errors.

Counts are checked against the SOURCES.md table and against a direct walk of the JSON
(`raw_events`), never against the importer itself; field values were read from the files.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tracker.importers.base import ParsedLink
from tracker.importers.base import ParsedSchedule
from tracker.importers.base import ParsedTalk
from tracker.importers.base import ParsedTrack
from tracker.importers.base import ScheduleError
from tracker.importers.frab_json import FrabJsonImporter

SAMPLES = Path(__file__).parent / "samples" / "frab-json"
IMPORTER = FrabJsonImporter()
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))

#: events per file, from the table in tests/samples/SOURCES.md
EVENTS_PER_SOURCES_MD = {
    "winterchaos2022-INVALID-example.json": 1,
    "ccc-38c3-hub-excerpt-schedule2-draft.json": 2,
    "pretalx-democon-demo-schedule.json": 36,
    "rc3-2020-channels-pretalx-schedule.json": 48,
    "cccamp2019-frab-schedule.json": 79,
    "rc3-2020-schedule.json": 92,
    "ccc-33c3-schedule.json": 150,
    "ccc-35c3-schedule.json": 167,
}


@cache
def parsed(name: str) -> ParsedSchedule:
    return IMPORTER.parse((SAMPLES / name).read_bytes())


@cache
def document(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def raw_events(name: str) -> list[tuple[str | None, str | None, dict]]:
    """(day date, room name, event) for every event, walking the JSON directly."""
    schedule = document(name)["schedule"]
    if "events" in schedule:
        return [(None, event["room"]["name"], event) for event in schedule["events"]]
    return [(day["date"], room, event)
            for day in schedule["conference"]["days"]
            for room, events in day["rooms"].items()
            for event in events]


def talk(name: str, external_id: str) -> ParsedTalk:
    matches = [talk for talk in parsed(name).talks if talk.external_id == external_id]
    assert len(matches) == 1
    return matches[0]


def speaker_names(name: str, talk: ParsedTalk) -> list[str]:
    by_key = {speaker.key: speaker.name for speaker in parsed(name).speakers}
    return [by_key[key] for key in talk.speakers]


# -- every sample -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EVENTS_PER_SOURCES_MD))
def test_counts_match_the_file(name):
    result = parsed(name)
    events = raw_events(name)
    assert len(result.talks) == len(events) == EVENTS_PER_SOURCES_MD[name]
    assert [talk.title for talk in result.talks] == [event["title"].strip()
                                                     for _, _, event in events]
    people = {person.get("id") or person.get("guid") for _, _, event in events
              for person in event.get("persons", event.get("participants"))}
    assert len(result.speakers) == len(people)
    assert len(result.rooms) == len({room for _, room, _ in events})
    tracks = {track_name(name, event["track"]) for _, _, event in events} - {None, ""}
    assert len(result.tracks) == len(tracks)
    # schedule2 files days by time: both excerpt events fall in day 1 (until 06:00 on the 28th)
    days = len({day for day, _, _ in events}) if events[0][0] else 1
    assert len({talk.day for talk in result.talks}) == days
    assert len({talk.guid for talk in result.talks}) == len(events)


def track_name(name: str, track: str | dict | None) -> str | None:
    """v1 names the track (or gives null); schedule2 refers to a declared track's slug."""
    if not isinstance(track, dict):
        return track
    tracks = document(name)["schedule"]["conference"]["tracks"]
    return next(each["name"] for each in tracks if each["slug"] == track["slug"])


@pytest.mark.parametrize("name", sorted(EVENTS_PER_SOURCES_MD))
def test_every_time_is_the_instant_the_file_gives(name):
    for (_, _, event), talk in zip(raw_events(name), parsed(name).talks, strict=True):
        start = datetime.fromisoformat(event.get("date") or event["start"])
        assert talk.starts_at == start
        assert talk.starts_at.tzinfo is not None and talk.ends_at.tzinfo is not None
        if "duration" in event:
            hours, minutes = event["duration"].split(":")
            duration = timedelta(hours=int(hours), minutes=int(minutes))
            assert talk.ends_at - talk.starts_at == duration
        else:
            assert talk.ends_at == datetime.fromisoformat(event["end"])


@pytest.mark.parametrize("name", sorted(EVENTS_PER_SOURCES_MD))
def test_sniff_recognises_every_sample(name):
    assert IMPORTER.sniff((SAMPLES / name).read_bytes()[:8192])


@pytest.mark.parametrize("name", sorted(EVENTS_PER_SOURCES_MD))
def test_every_link_is_a_web_address(name):
    for talk in parsed(name).talks:
        for url in [talk.url, talk.slides_url, talk.video_url, *(link.url for link in talk.links)]:
            assert url == "" or url.startswith(("http://", "https://")), url


def test_large_samples_parse_quickly():
    data = (SAMPLES / "ccc-35c3-schedule.json").read_bytes()
    started = datetime.now(UTC)
    IMPORTER.parse(data)
    assert datetime.now(UTC) - started < timedelta(seconds=0.5)


# -- 33C3: frab v1, no time_zone_name, no base_url ----------------------------------------------

def test_33c3_opening_ceremony():
    name = "ccc-33c3-schedule.json"
    opening = parsed(name).talks[0]
    assert opening.title == "33C3 Opening Ceremony"
    assert opening.guid == "b8e0eb47-4832-4726-bc9b-9015bd96becf"
    assert opening.external_id == "8429"
    assert opening.starts_at == datetime(2016, 12, 27, 11, 0, tzinfo=CET)
    assert opening.ends_at == datetime(2016, 12, 27, 11, 30, tzinfo=CET)
    assert opening.day == date(2016, 12, 27)
    assert (opening.room, opening.track, opening.language) == ("Saal 1", "CCC", "en")
    assert opening.kind == "talk"  # frab's "lecture"
    assert speaker_names(name, opening) == ["anna", "elisa"]
    assert opening.speakers == ("id:5735", "id:7246")
    assert opening.url == ""  # 33C3's JSON has no event urls (SOURCES.md)


def test_33c3_session_after_midnight_keeps_the_day_it_is_listed_under():
    fnord = talk("ccc-33c3-schedule.json", "7960")
    assert fnord.title == "Fnord-Jahresrückblick"
    assert fnord.subtitle == "Wir helfen euch, die Fnords zu sehen!"
    assert fnord.starts_at == datetime(2016, 12, 29, 0, 45, tzinfo=CET)
    assert fnord.ends_at == datetime(2016, 12, 29, 2, 15, tzinfo=CET)
    assert fnord.day == date(2016, 12, 28)
    assert speaker_names("ccc-33c3-schedule.json", fnord) == ["Fefe", "frank"]
    assert (fnord.language, fnord.track) == ("de", "Entertainment")


def test_33c3_without_a_zone_name_shows_times_at_the_fixed_offset():
    result = parsed("ccc-33c3-schedule.json")
    assert result.timezone == "Etc/GMT-1"
    assert any("fixed offset UTC+01:00 (Etc/GMT-1)" in repair for repair in result.repairs)
    assert (result.title, result.acronym) == ("33. Chaos Communication Congress", "33c3")
    assert (result.start_date, result.end_date) == (date(2016, 12, 27), date(2016, 12, 30))


def test_33c3_relative_attachments_are_dropped_without_a_base_url():
    name = "ccc-33c3-schedule.json"
    attachments = [attachment["url"] for _, _, event in raw_events(name)
                   for attachment in event["attachments"]]
    placeholders = [url for url in attachments if url == "/attachments/original/missing.png"]
    relative = [url for url in attachments if url.startswith("/") and url not in placeholders]
    assert (len(placeholders), len(relative)) == (5, 47)
    repairs = parsed(name).repairs
    assert "5 placeholder attachments (“/attachments/original/missing.png”): left out" in repairs
    assert any(repair.startswith("47 relative links: left out") for repair in repairs)
    zappa = talk(name, "7865")
    assert zappa.links == (ParsedLink("https://github.com/Miserlou/Zappa", "Zappa - on Github"),)


def test_33c3_html_becomes_text_with_paragraphs_and_list_lines():
    description = talk("ccc-33c3-schedule.json", "8127").description
    assert "<" not in description
    assert "pay TV system.\n\nTopics include:\n\n- chemical decapsulation" in description
    assert "acids,\n- microphotography" in description
    abstract = talk("ccc-33c3-schedule.json", "7865").abstract
    assert abstract.startswith("More and more businesses")
    assert "exists for 60 milliseconds?\n\nThis talk will show" in abstract


def test_33c3_titles_are_not_taken_for_html():
    title = talk("ccc-33c3-schedule.json", "8044").title
    assert title == "What could possibly go wrong with <insert x86 instruction here>?"


def test_33c3_the_speakers_of_a_person_are_one_speaker():
    result = parsed("ccc-33c3-schedule.json")
    ids = [person["id"] for _, _, event in raw_events("ccc-33c3-schedule.json")
           for person in event["persons"]]
    assert len(ids) == 223 and len(set(ids)) == 208
    assert len(result.speakers) == 208
    assert [speaker.key for speaker in result.speakers][:2] == ["id:5735", "id:7246"]


# -- 35C3 and camp2019: frab v1 with base_url ------------------------------------------------

def test_35c3_attachment_resolves_under_the_fahrplan_folder():
    report = talk("ccc-35c3-schedule.json", "9917")
    assert report.title == "Election Cybersecurity Progress Report"
    assert report.url == "https://fahrplan.events.ccc.de/congress/2018/Fahrplan/events/9917.html"
    assert report.links == (ParsedLink(
        "https://fahrplan.events.ccc.de/congress/2018/Fahrplan/system/event_attachments/"
        "attachments/000/003/653/original/"
        "Election_Cybersecurity_Progress_Report_%2835c5__December_2018%29.pdf?1545925095",
        "Slides"),)
    assert report.starts_at == datetime(2018, 12, 27, 12, 50, tzinfo=CET)
    assert (report.room, report.day) == ("Adams", date(2018, 12, 27))


def test_35c3_links_without_a_scheme_get_https():
    name = "ccc-35c3-schedule.json"
    bare = [link["url"] for _, _, event in raw_events(name) for link in event["links"]
            if not link["url"].startswith(("http:", "https:"))]
    assert "www.coreboot.org" in bare
    urls = {link.url for talk in parsed(name).talks for link in talk.links}
    assert "https://www.coreboot.org" in urls
    assert f"{len(bare)} links written without “https://”: added it" in parsed(name).repairs


def test_camp2019_summer_time_and_zone_name():
    name = "cccamp2019-frab-schedule.json"
    result = parsed(name)
    assert result.timezone == "Europe/Berlin"
    assert not any("fixed offset" in repair for repair in result.repairs)
    show = talk(name, "10344")
    assert show.title == "Achtung, Datenpannen!"
    assert show.starts_at == datetime(2019, 8, 22, 23, 0, tzinfo=CEST)
    assert show.ends_at == datetime(2019, 8, 23, 0, 30, tzinfo=CEST)
    assert (show.day, show.room, show.track) == (date(2019, 8, 22), "Meitner", "Entertainment")
    assert speaker_names(name, show) == ["Alvar C.H. Freude", "Stefan Brink"]
    assert show.links[0] == ParsedLink("https://www.baden-wuerttemberg.datenschutz.de",
                                       "LfDI Baden-Württemberg")
    assert show.links[1].title == "FAQ zu Cookies und Tracking"  # trailing space stripped
    assert show.abstract.startswith("Eine Mischung aus einem Vortrag")
    assert "<strong>" not in show.description and "Datenschutz- und DSGVO-Show" in show.description


# -- pretalx ----------------------------------------------------------------------------------

def test_democon_keeps_instants_although_they_disagree_with_its_zone_name():
    """time_zone_name says UTC, the dates say +01:00: the dates win, and the repair says so."""
    name = "pretalx-democon-demo-schedule.json"
    result = parsed(name)
    assert result.timezone == "UTC"
    first = result.talks[0]
    assert first.title == "Focused 5thgeneration hardware"
    assert first.guid == "8079583e-8321-506c-95af-fd2903a5f075"
    assert first.starts_at == datetime(2020, 12, 14, 8, 0, tzinfo=UTC)
    assert first.ends_at == datetime(2020, 12, 14, 8, 30, tzinfo=UTC)
    assert first.url == "http://localhost/democon/talk/G9JGWY/"
    assert (first.room, first.track, first.kind) == ("Gray Room", "Phased", "talk")
    assert result.rooms == ("Gray Room", "Tan Room")  # conference.rooms order
    assert any(repair.startswith("36 sessions give a UTC offset that UTC does not have")
               for repair in result.repairs)
    speaker = next(each for each in result.speakers if each.key == first.speakers[0])
    assert speaker.name == "Brian Robinson"
    assert speaker.key == "id:26"
    assert speaker.bio.startswith("Break through direction.")
    workshops = sum(event["type"] == "Workshop" for _, _, event in raw_events(name))
    assert sum(talk.kind == "workshop" for talk in result.talks) == workshops == 9


def test_rc3_channels_free_text_types_and_html():
    name = "rc3-2020-channels-pretalx-schedule.json"
    result = parsed(name)
    assert result.timezone == "Etc/GMT-1"
    kinds = {event["type"]: talk.kind
             for (_, _, event), talk in zip(raw_events(name), result.talks, strict=True)}
    assert kinds["Workshop 60 Min"] == "workshop"
    assert kinds["LightningTalk 15min 10min Q&A"] == "lightning"
    assert kinds["Talk 30 min + 10min Q&A"] == "talk"
    esp = talk(name, "151")
    assert esp.title == "ESP-ENA - Exposure Notification API on ESP32"
    assert esp.starts_at == datetime(2020, 12, 29, 13, 0, tzinfo=CET)
    assert esp.room == "r3s - Monheim/Rhein"
    assert speaker_names(name, esp) == ["Lurkars"]
    assert esp.abstract.startswith("English Version below\n\nIm Juni 2020 habe ich")
    assert esp.description.startswith("English Version below\n\nEinführung\n\nZu Beginn")


def test_rc3_markdown_autolinks_are_not_taken_for_tags():
    name = "rc3-2020-schedule.json"
    lvi = talk(name, "11365")
    assert "see: <https://lviattack.eu/>\n\nA technical paper" in lvi.description
    assert speaker_names(name, lvi) == ["Jo Van Bulck", "Michael Schwarz"]
    resists = talk(name, "11364")
    assert resists.description.startswith("Resists? What's that?\n\n- What are their applications")
    assert "Pros & cons" in resists.description
    assert resists.day == date(2020, 12, 30)
    kinds = [talk.kind for talk in parsed(name).talks]
    lightning = sum(event["type"] == "lightning_talk" for _, _, event in raw_events(name))
    assert kinds.count("lightning") == lightning == 3


# -- schedule2 draft and the "invalid" example -------------------------------------------------

def test_schedule2_events_list():
    name = "ccc-38c3-hub-excerpt-schedule2-draft.json"
    result = parsed(name)
    assert result.timezone == "Europe/Berlin"
    assert (result.start_date, result.end_date) == (date(2024, 12, 27), date(2024, 12, 30))
    opening, racing = result.talks
    assert opening.guid == "270fa44c-821a-577f-8ca3-33e8d4a8c2a7"
    assert opening.external_id == "HQCCYH"
    assert opening.starts_at == datetime(2024, 12, 27, 10, 30, tzinfo=CET)
    assert opening.ends_at == datetime(2024, 12, 27, 11, 0, tzinfo=CET)
    assert (opening.room, opening.track, opening.kind) == ("Saal 1", "CCC", "other")
    assert speaker_names(name, opening) == ["Gabriela Bogk", "Aline Blankertz", "Senficon"]
    assert opening.slides_url == "https://example.net/foo/bar/1235.pdf"
    assert opening.links[0] == ParsedLink("https://example.net/", "foo bar")
    assert opening.links[1] == ParsedLink(
        "https://fahrplan.events.ccc.de/congress/2024/fahrplan/talk/HQCCYH/", "Origin")
    # 00:15 on the 28th falls in day 1, which runs until 06:00
    assert racing.starts_at == datetime(2024, 12, 28, 0, 15, tzinfo=CET)
    assert racing.day == date(2024, 12, 27)
    assert (racing.room, racing.track) == ("Saal ZIGZAG", "Hardware & Making")
    assert racing.subtitle == "Most Wanted Using Deep Reinforcement Learning"
    assert "\r" not in racing.description and "\n\nThis talk will present" in racing.description
    assert result.rooms == ("Saal 1", "Saal ZIGZAG")
    assert result.tracks == (ParsedTrack("Hardware & Making", "#685b9d"),
                             ParsedTrack("CCC", "#f2f006"))
    bogk = next(speaker for speaker in result.speakers if speaker.name == "Gabriela Bogk")
    assert bogk.key == "id:0c16ffaa-709d-599f-959f-9a38b911361a"
    assert bogk.bio.startswith("Gabriela, the hacker formerly known as Andreas")
    assert bogk.url == ("https://events.ccc.de/congress/2024/hub/user/"
                        "speaker_0c16ffaa-709d-599f-959f-9a38b911361a/")


def test_invalid_example_imports_string_ids_and_ignores_answers():
    """Invalid only against the strict schema (string ids, ``answers``): it imports."""
    name = "winterchaos2022-INVALID-example.json"
    result = parsed(name)
    assert result.timezone == "Europe/Zurich"
    (session,) = result.talks
    assert session.title == "Internal Penetration Testing Basics"
    assert session.external_id == "2814"
    assert session.guid == "7a0fc001-e587-47e1-b378-b6ec7e666337"
    assert session.starts_at == datetime(2022, 12, 28, 14, 0, tzinfo=CET)
    assert session.ends_at == datetime(2022, 12, 28, 14, 45, tzinfo=CET)
    assert (session.room, session.track, session.language) == ("Winterchaos", "Winterchaos", "de")
    assert session.url == ("https://laborluxeria.github.io/winterchaos2022/sessions/"
                           "2814-internal-network-penetration-testing-basics")
    assert [(speaker.key, speaker.name) for speaker in result.speakers] == [("id:dsadf", "Mänu")]
    assert "ausgenützt werden können.\n\nEine Mischung" in session.description
    assert "\n\n* Einführung ins Active Directory\n* Analyse" in session.description
    assert result.repairs == ()


# -- small inline files -----------------------------------------------------------------------

def event(**fields) -> dict:
    base = {"id": 7, "guid": "g-7", "date": "2024-05-04T10:00:00+02:00", "start": "10:00",
            "duration": "00:45", "room": "Main", "title": "Hello", "track": "Core",
            "type": "lecture", "language": "en", "persons": [{"id": 1, "public_name": "Ada"}],
            "links": [], "attachments": []}
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def schedule_bytes(*events: object, zone: str | None = "Europe/Berlin") -> bytes:
    """A v1 file with one day, 09:00 to 03:00, and one room holding the events."""
    day = {"index": 1, "date": "2024-05-04", "day_start": "2024-05-04T09:00:00+02:00",
           "day_end": "2024-05-05T03:00:00+02:00", "rooms": {"Main": list(events)}}
    conference = {"acronym": "t", "title": "Test", "start": "2024-05-04", "end": "2024-05-04",
                  "days": [day]}
    if zone:
        conference["time_zone_name"] = zone
    return json.dumps({"schedule": {"version": "1", "conference": conference}}).encode()


def parse_error(data: bytes, **kwargs: str) -> str:
    with pytest.raises(ScheduleError) as caught:
        IMPORTER.parse(data, **kwargs)
    return str(caught.value)


def test_minimal_schedule():
    result = IMPORTER.parse(schedule_bytes(event()))
    (session,) = result.talks
    assert session.starts_at == datetime(2024, 5, 4, 8, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2024, 5, 4, 8, 45, tzinfo=UTC)
    assert result.speakers[0].key == "id:1"
    assert result.repairs == ()


def test_malformed_json_names_line_and_column():
    message = parse_error(b'{"schedule": {\n  "conference": [1,,2]}}')
    assert "not valid JSON" in message and "line 2, column 20" in message


def test_not_an_object():
    assert "JSON array, not an object" in parse_error(b"[1, 2]")


def test_no_schedule_key():
    message = parse_error(b'{"conference": {"title": "x"}}')
    assert "no “schedule” key" in message


def test_no_conference():
    assert "“schedule.conference” is missing" in parse_error(b'{"schedule": {"version": "1"}}')


def test_event_without_title():
    message = parse_error(schedule_bytes(event(id=4242, title="  ")))
    assert "event 4242" in message and "no title" in message


def test_event_without_start():
    message = parse_error(schedule_bytes(event(id=4243, date=None, start=None)))
    assert "event 4243" in message and "no start" in message


def test_event_with_unreadable_date():
    message = parse_error(schedule_bytes(event(id=4247, date="4 May 2024 10:00")))
    assert "event 4247" in message and "date “4 May 2024 10:00”" in message


def test_negative_duration():
    message = parse_error(schedule_bytes(event(id=4244, duration="-00:30")))
    assert "event 4244" in message and "duration “-00:30”" in message


def test_zero_or_no_length_gets_a_default_and_is_reported():
    result = IMPORTER.parse(schedule_bytes(event(id=4245, duration="00:00"),
                                           event(id=4248, guid="g-8", duration=None)))
    assert [talk.ends_at - talk.starts_at for talk in result.talks] == [timedelta(minutes=15)] * 2
    assert result.repairs == (
        "2 sessions with no length (no duration or end, or a zero one: event 4245 (“Hello”), "
        "event 4248 (“Hello”)): shown 15 minutes long, a default",)


def test_no_length_gets_the_timeslot_duration():
    data = json.loads(schedule_bytes(event(id=4249, end="2024-05-04T10:00:00+02:00")))
    data["schedule"]["conference"]["timeslot_duration"] = "00:10"
    (session,) = IMPORTER.parse(json.dumps(data).encode()).talks
    assert session.ends_at - session.starts_at == timedelta(minutes=10)


def test_end_before_start():
    message = parse_error(schedule_bytes(event(id=4246, end="2024-05-04T09:00:00+02:00")))
    assert "event 4246" in message and "before it starts" in message


def test_unknown_time_zone_name():
    message = parse_error(schedule_bytes(event(), zone="Mars/Olympus_Mons"))
    assert "time_zone_name" in message and "“Mars/Olympus_Mons” is not an IANA time zone" in message


def test_unknown_time_zone_given():
    message = parse_error(schedule_bytes(event()), timezone="Europe/Atlantis")
    assert "the time zone given" in message and "Europe/Atlantis" in message


def test_latin1_bytes_name_the_byte_offset():
    data = schedule_bytes(event(title="Caf\u00e9")).replace("Caf\\u00e9".encode(), b"Caf\xe9")
    offset = data.index(b"\xe9")
    message = parse_error(data)
    assert "not UTF-8" in message and f"byte offset {offset} (line 1)" in message


def test_utf8_bom_and_non_ascii_are_kept():
    title = "Caf\u00e9 \u201cM\u00fcnchen\u201d \u2615"
    data = b"\xef\xbb\xbf" + schedule_bytes(event(title=f"  {title} "))
    assert IMPORTER.sniff(data)
    assert IMPORTER.parse(data).talks[0].title == title


def test_given_zone_overrides_the_file_but_not_the_instants():
    result = IMPORTER.parse(schedule_bytes(event()), timezone="America/New_York")
    assert result.timezone == "America/New_York"
    assert result.talks[0].starts_at == datetime(2024, 5, 4, 8, 0, tzinfo=UTC)


def test_floating_times_are_read_in_the_zone():
    result = IMPORTER.parse(schedule_bytes(event(date="2024-05-04T10:00:00")))
    assert result.talks[0].starts_at == datetime(2024, 5, 4, 8, 0, tzinfo=UTC)


def test_floating_times_without_any_zone_are_refused():
    message = parse_error(schedule_bytes(event(date="2024-05-04T10:00:00"), zone=None))
    assert "no time zone" in message and "give the time zone" in message


def test_floating_time_skipped_by_daylight_saving():
    data = schedule_bytes(event(id=99, date="2024-03-31T02:30:00"))
    message = parse_error(data)
    assert "event 99" in message and "does not exist in Europe/Berlin" in message


def test_half_hour_offset_without_zone_name_needs_a_zone():
    data = schedule_bytes(event(date="2024-05-04T10:00:00+05:30"), zone=None)
    assert "give the time zone" in parse_error(data)
    assert IMPORTER.parse(data, timezone="Asia/Kolkata").timezone == "Asia/Kolkata"


def test_clock_time_only_is_read_on_its_day_and_after_midnight_on_the_next():
    data = schedule_bytes(event(id=1, guid="a", date=None, start="23:30"),
                          event(id=2, guid="b", date=None, start="01:15"))
    late, night = IMPORTER.parse(data).talks
    assert late.starts_at == datetime(2024, 5, 4, 23, 30, tzinfo=CEST)
    assert night.starts_at == datetime(2024, 5, 5, 1, 15, tzinfo=CEST)
    assert night.day == date(2024, 5, 4)


def test_duplicate_guids_are_renamed():
    result = IMPORTER.parse(schedule_bytes(event(id=1), event(id=2)))
    assert [talk.guid for talk in result.talks] == ["g-7", "g-7#2"]
    assert ("1 session had a guid used before: kept the first, renamed the rest (#2, #3...)"
            in result.repairs)


def test_guid_falls_back_to_the_id():
    result = IMPORTER.parse(schedule_bytes(event(id=31, guid=None)))
    assert result.talks[0].guid == "id:31"


def test_persons_by_pretalx_code_or_plain_name():
    persons = [{"code": "ABC12", "name": "Grace"}, "  Linus  ", {"public_name": ""}]
    result = IMPORTER.parse(schedule_bytes(event(persons=persons)))
    assert [(speaker.key, speaker.name) for speaker in result.speakers] == [
        ("id:ABC12", "Grace"), ("name:linus", "Linus")]
    assert "1 person without a name: left out" in result.repairs


def test_unsafe_and_relative_links_are_dropped():
    links = [{"url": "javascript:alert(1)", "title": "x"}, {"url": "/slides.pdf", "title": "y"},
             {"url": "https://example.org/a", "title": "ok"}]
    result = IMPORTER.parse(schedule_bytes(event(links=links, url="mailto:x@example.org")))
    assert result.talks[0].links == (ParsedLink("https://example.org/a", "ok"),)
    assert result.talks[0].url == ""
    assert "2 links that are not web addresses (http or https): left out" in result.repairs
    assert any(repair.startswith("1 relative link: left out") for repair in result.repairs)


def test_cancelled_state():
    result = IMPORTER.parse(schedule_bytes(event(state="CANCELED")))
    assert result.talks[0].status == "cancelled"


def test_sniff_refuses_other_formats():
    assert not IMPORTER.sniff(b'<?xml version="1.0"?><schedule></schedule>')
    assert not IMPORTER.sniff(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert not IMPORTER.sniff(b'{"events": []}')
    assert not IMPORTER.sniff(b'[{"schedule": 1}]')
    assert not IMPORTER.sniff(b'{"title": "my \\"schedule\\": draft"}')


def schedule2_bytes(*events: dict) -> bytes:
    conference = {
        "acronym": "s2", "title": "Schedule2", "start": "2024-05-04T08:00:00+00:00",
        "end": "2024-05-05T20:00:00+00:00", "time_zone_name": "Europe/Berlin",
        "rooms": [{"name": "Hall A", "guid": "r-a"}, {"name": "Hall B", "guid": "r-b"}],
        "tracks": [{"name": "Science", "slug": "science", "color": "#0a0"}],
        "days": [{"index": 1, "date": "2024-05-04", "start": "2024-05-04T08:00:00+02:00",
                  "end": "2024-05-05T04:00:00+02:00"}]}
    return json.dumps({"schedule": {"version": "2", "conference": conference,
                                    "events": list(events)}}).encode()


def test_schedule2_iso_duration_room_by_guid_and_localised_text():
    result = IMPORTER.parse(schedule2_bytes(
        {"guid": "e-1", "title": "Late", "start": "2024-05-05T01:00:00+02:00",
         "duration": "PT1H30M", "room": {"guid": "r-b"}, "track": {"slug": "science"},
         "language": "de", "abstract": {"en": "English", "de": "Deutsch"}, "type": "WORKSHOP",
         "participants": [{"guid": "p-1", "name": "Ada"}], "state": "CANCELED"},
        {"guid": "e-2", "title": "Roomless", "start": "2024-05-05T10:00:00+02:00",
         "end": "2024-05-05T11:00:00+02:00"}))
    late, roomless = result.talks
    assert late.ends_at - late.starts_at == timedelta(hours=1, minutes=30)
    assert (late.day, late.room, late.track) == (date(2024, 5, 4), "Hall B", "Science")
    assert (late.abstract, late.kind, late.status) == ("Deutsch", "workshop", "cancelled")
    assert result.tracks == (ParsedTrack("Science", "#00aa00"),)
    assert roomless.room is None and roomless.day == date(2024, 5, 5)
    assert result.rooms == ("Hall B",)
    assert "1 session without a room: left without one" in result.repairs


def test_schedule2_bad_iso_duration():
    message = parse_error(schedule2_bytes(
        {"guid": "e-3", "title": "T", "start": "2024-05-04T10:00:00+02:00", "duration": "PT"}))
    assert "event e-3" in message and "duration “PT”" in message


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(
        ["", "x", "00:30", "-1:00", "PT1H", "2024-05-04T10:00:00+02:00", "2024-05-04",
         "10:00", "Europe/Berlin", "javascript:x", "/a", "<p>x</p>"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["schedule", "conference", "days", "rooms", "events", "date", "start",
                         "end", "duration", "title", "persons", "links", "guid", "id", "room",
                         "track", "time_zone_name", "day_start", "name", "url", "Main"]),
        children, max_size=5),
    max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES)
def test_any_json_gives_a_schedule_or_a_schedule_error(value):
    """Whatever stands where an event, a list of events or a whole file should be."""
    patched = {**event(), **value} if isinstance(value, dict) else value
    candidates = [schedule_bytes(patched), schedule_bytes(value, zone=None),
                  schedule2_bytes(patched), json.dumps(value).encode(),
                  json.dumps({"schedule": {"conference": value}}).encode()]
    for candidate in candidates:
        try:
            IMPORTER.parse(candidate)
        except ScheduleError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60))
def test_any_bytes_give_a_schedule_or_a_schedule_error(data):
    try:
        IMPORTER.parse(data)
    except ScheduleError:
        pass


def test_renamed_guids_never_take_a_guid_the_file_uses():
    result = IMPORTER.parse(schedule_bytes(event(id=1), event(id=2), event(id=3, guid="g-7#2")))
    assert [talk.guid for talk in result.talks] == ["g-7", "g-7#3", "g-7#2"]


def test_values_the_database_would_refuse_are_repaired_and_said(app):
    """NUL in text (PostgreSQL refuses it) and a "language" longer than the column: the
    import names the repair instead of failing the save."""
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import Talk
    from tracker.services.imports import import_schedule

    data = schedule_bytes(event(id=1, guid="a", title="Hel\u0000lo\u0007", language="English, German and a bit of French"),
                          event(id=2, guid="b", start="11:00", date="2024-05-04T11:00:00+02:00", language="de"))
    report = import_schedule(data, source="t.json")
    db.session.commit()
    first, second = db.session.scalars(sa.select(Talk).order_by(Talk.starts_at))
    assert (first.title, first.language, second.language) == ("Hello", "", "de")
    assert "control characters (such as NUL) removed from the text" in report.summary()
    assert "1 session with a language longer than 20 characters (“Hello”): left without one" in report.summary()
