"""The iCalendar importer, on the real .ics samples and on small inline calendars."""

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.importers import detect_format
from tracker.importers.base import ParsedSchedule
from tracker.importers.base import ScheduleError
from tracker.importers.ical import ICalImporter

SAMPLES = Path(__file__).parent / "samples" / "ical"
importer = ICalImporter()


@cache
def parsed(name: str) -> ParsedSchedule:
    return importer.parse((SAMPLES / name).read_bytes())


@cache
def unfolded(name: str) -> str:
    return re.sub(rb"\r?\n[ \t]", b"", (SAMPLES / name).read_bytes()).decode()


@cache
def raw_events(name: str) -> list[dict[str, str]]:
    """Each VEVENT's properties as raw text (name -> value, first one wins), read with
    nothing but regular expressions, to count the file independently of the importer."""
    events = []
    for block in re.findall(r"^BEGIN:VEVENT\r?\n(.*?)^END:VEVENT", unfolded(name), re.M | re.S):
        properties: dict[str, str] = {}
        for line in block.splitlines():
            name_and_params, _, value = line.partition(":")
            properties.setdefault(re.split(";", name_and_params)[0], value)
        events.append(properties)
    return events


def talk_by_guid(schedule: ParsedSchedule, guid: str):
    (talk,) = [talk for talk in schedule.talks if talk.guid == guid]
    return talk


def speaker_names(schedule: ParsedSchedule, talk) -> list[str]:
    names = {speaker.key: speaker.name for speaker in schedule.speakers}
    return [names[key] for key in talk.speakers]


def timed_events(name: str) -> list[dict[str, str]]:
    """The raw events that can be sessions: those that start at a time, not on a whole day
    (DTSTART;VALUE=DATE:20220519). jres-2022 has one that ends when it starts: it is kept."""
    return [event for event in raw_events(name) if "T" in event["DTSTART"]]


# Counts checked by hand with grep on the unfolded files: sessions = BEGIN:VEVENT less
# all-day events (no sample has one), rooms = distinct LOCATION, days = distinct DTSTART dates.
@pytest.mark.parametrize(("name", "sessions", "speakers", "rooms", "days"), [
    ("ccc-33c3-schedule.ics", 150, 0, 4, 4),
    ("kielux-2020.ics", 24, 20, 4, 2),
    ("jres-2022.ics", 120, 0, 15, 4),
    ("linux-conf-au-2020.ics", 262, 151, 7, 6),
])
def test_sample_counts(name, sessions, speakers, rooms, days):
    schedule = parsed(name)
    events = timed_events(name)
    assert len(schedule.talks) == len(events) == sessions
    assert [talk.guid for talk in schedule.talks] == [event["UID"] for event in events]
    locations = {event["LOCATION"] for event in events if event.get("LOCATION")}
    assert len(schedule.rooms) == len(locations) == rooms
    assert len(schedule.speakers) == speakers
    assert schedule.tracks == ()  # no sample has CATEGORIES
    zone = ZoneInfo(schedule.timezone)
    local_days = {talk.starts_at.astimezone(zone).date() for talk in schedule.talks}
    assert local_days == {date.fromisoformat(event["DTSTART"][:8]) for event in events}
    assert len(local_days) == days
    for talk in schedule.talks:
        assert talk.starts_at.tzinfo is not None and talk.ends_at > talk.starts_at
        assert talk.day is None
        assert "\r" not in talk.title + talk.abstract


def test_33c3_berlin_times_and_html():
    schedule = parsed("ccc-33c3-schedule.ics")
    assert schedule.title == "Imported calendar"
    assert schedule.timezone == "Europe/Berlin"
    assert schedule.rooms == ("Saal 6", "Saal 1", "Saal G", "Saal 2")
    assert schedule.repairs == ()
    talk = schedule.talks[0]
    assert talk.guid == talk.external_id == "2aba641b-114d-4dac-866e-533314a3c108@frab.cccv.de"
    assert talk.title == "From Server Farm to Data Table - Ingrid Burrington"
    # 21:15 and 21:45 in Berlin, in winter (UTC+1)
    assert talk.starts_at == datetime(2016, 12, 29, 20, 15, tzinfo=UTC)
    assert talk.ends_at == datetime(2016, 12, 29, 20, 45, tzinfo=UTC)
    assert talk.room == "Saal 6"
    assert talk.url == "http://fahrplan.events.ccc.de/congress/2016/Fahrplan/events/8412.html"
    assert talk.abstract.startswith("Early digital computers were the size of rooms. While the "
                                    "devices have gotten smaller, because")
    assert talk.status == "confirmed" and talk.kind == "talk" and talk.speakers == ()
    # "<insert x86 instruction here>" is text, not a tag; the title runs over a fold
    (x86,) = [talk for talk in schedule.talks if "x86" in talk.title]
    assert x86.title == ("What could possibly go wrong with <insert x86 instruction here>? "
                         "- Clémentine Maurice, Moritz Lipp")
    lambda_talk = talk_by_guid(schedule, next(
        event["UID"] for event in raw_events("ccc-33c3-schedule.ics")
        if "AWS Lambda" in event.get("DESCRIPTION", "")))
    assert "only exists for 60 milliseconds?\n\nThis talk will show" in lambda_talk.abstract
    assert "<" not in lambda_talk.abstract


def test_kielux_utc_and_attendees_as_speakers():
    schedule = parsed("kielux-2020.ics")
    assert schedule.title == "18. Kieler Open Source und Linux Tage"
    assert schedule.timezone == "UTC"
    assert any("in UTC" in repair and "give the conference's time zone" in repair
               for repair in schedule.repairs)
    attendees = set(re.findall(r'^ATTENDEE;CN="([^"]+)"', unfolded("kielux-2020.ics"), re.M))
    assert len(attendees) == 20
    assert {speaker.name for speaker in schedule.speakers} == attendees
    talk = talk_by_guid(schedule, "467@KOLT20")
    assert talk.title == "Xen - ist das nicht tot?"
    assert talk.starts_at == datetime(2020, 9, 18, 12, 0, tzinfo=UTC)
    assert talk.ends_at == datetime(2020, 9, 18, 13, 0, tzinfo=UTC)
    assert talk.room == "Ravensberg"
    assert speaker_names(schedule, talk) == ["Jürgen Groß"]
    assert talk.url == "https://kielux.de/programm/KOLT20#467"
    # plain text with a few tags: the tags go, the line breaks stay
    assert talk.abstract.startswith("von: Jürgen Groß\n\nXen war lange Zeit die Plattform zur "
                                    "Virtualisierung in der Open-Source Welt")
    (m23,) = [talk for talk in schedule.talks if "m23." in talk.abstract]
    assert ("Das können z.B. sein:\n\n- Automatische Updates\n- Skripte für Clients "
            "erstellen\n") in m23.abstract


def test_jres_paris_without_vtimezone_and_broken_bytes():
    schedule = parsed("jres-2022.ics")
    raw = (SAMPLES / "jres-2022.ics").read_bytes()
    assert schedule.title == "JRES 2021/22"
    assert schedule.timezone == "Europe/Paris"
    stray_returns = raw.count(b"\r\r\n")
    assert f"{stray_returns} stray carriage returns inside lines: removed" in schedule.repairs
    # DTSTART and DTEND are both 20220519T160000: shown 15 minutes long, and said
    (zero,) = [event for event in raw_events("jres-2022.ics") if event["DTSTART"] == event["DTEND"]]
    assert ("1 session with no length (DTEND the same as DTSTART, or neither DTEND nor "
            "DURATION: “12 - Portail invités EDUSPOT”): shown 15 minutes long, a default"
            ) in schedule.repairs
    portal = talk_by_guid(schedule, zero["UID"])
    assert portal.title == zero["SUMMARY"] == "12 - Portail invités EDUSPOT"
    assert portal.starts_at == datetime(2022, 5, 19, 14, 0, tzinfo=UTC)  # 16:00 in Paris
    assert portal.ends_at == datetime(2022, 5, 19, 14, 15, tzinfo=UTC)
    talk = talk_by_guid(schedule, "presentation_129@conf-ng.jres.org")
    assert talk.title == ("182 - Numérique : Enjeux géopolitiques, externalités "
                          "environnementales et chaînes de dépendance")
    assert talk.room == "Amphithéâtre 1600"
    # 14:00-16:00 in Paris in May (UTC+2)
    assert talk.starts_at == datetime(2022, 5, 17, 12, 0, tzinfo=UTC)
    assert talk.ends_at == datetime(2022, 5, 17, 14, 0, tzinfo=UTC)
    assert talk.abstract.startswith("Les interdépendances du monde numérique commencent par les "
                                    "territoires, leurs richesses, leur géographie, leur "
                                    "histoire… \nEt, aujourd'hui")
    # the fold at line 1600 splits the three bytes of "’"
    folded = talk_by_guid(schedule, "presentation_209@conf-ng.jres.org")
    assert "sans effort sur différents systèmes d’exploitation." in folded.abstract
    assert folded.starts_at == datetime(2022, 5, 18, 16, 15, tzinfo=UTC)
    assert folded.ends_at == datetime(2022, 5, 18, 17, 0, tzinfo=UTC)


def test_linux_conf_au_brisbane_speaker_lines_and_html():
    schedule = parsed("linux-conf-au-2020.ics")
    assert schedule.timezone == "Australia/Brisbane"
    events = raw_events("linux-conf-au-2020.ics")
    speaker_lines = {re.match(r"Speaker: ([^\\]+)", event["DESCRIPTION"])[1]
                     for event in events if event["DESCRIPTION"].startswith("Speaker: ")}
    assert {speaker.name for speaker in schedule.speakers} == speaker_lines
    without_room = sum("LOCATION" not in event for event in events)
    assert f"{without_room} sessions without a room (LOCATION): left without one" in schedule.repairs
    opening = talk_by_guid(schedule, "104@lca2020.linux.org.au")
    assert opening.title == "Conference Opening"
    # 09:00-10:10 in Brisbane (UTC+10, no daylight saving)
    assert opening.starts_at == datetime(2020, 1, 12, 23, 0, tzinfo=UTC)
    assert opening.ends_at == datetime(2020, 1, 13, 0, 10, tzinfo=UTC)
    assert opening.room == "Arena"
    assert speaker_names(schedule, opening) == ["Joel Addison"]
    assert opening.abstract == "The official launch of linux.conf.au 2020."
    assert opening.url == "http://lca2020.linux.org.au/schedule/presentation/212/"
    breakfast = talk_by_guid(schedule, "201@lca2020.linux.org.au")
    assert breakfast.abstract == ("Women of Open Technology Breakfast, Presented by ThoughtWorks"
                                  "\n\nOnly for attendees with a ticket.\n\nGold Coast Convention "
                                  "and Exhibition Centre, Room 5")
    assert talk_by_guid(schedule, "235@lca2020.linux.org.au").room is None
    (git,) = [talk for talk in schedule.talks if "git newbranch" in talk.abstract]
    assert "`git newbranch <branch-name>` instead of `git checkout -b <branch-name>`" in git.abstract


def test_sniff():
    assert importer.sniff((SAMPLES / "jres-2022.ics").read_bytes()[:8192])
    assert importer.sniff(b"\xef\xbb\xbf\r\n begin:vcalendar\r\n")
    # the same conference in xCal is XML, for the xcal importer
    xcal = (SAMPLES / "ccc-33c3-schedule.xcal").read_bytes()
    assert not importer.sniff(xcal[:8192])
    assert detect_format(xcal) == "xcal"
    assert not importer.sniff(b"title,start,end\n")


def calendar(*event: str, properties: tuple[str, ...] = (), more: tuple[str, ...] = ()) -> bytes:
    """A calendar with one VEVENT (line 3 is its BEGIN:VEVENT), then more components and
    the calendar's own properties."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", *event, "END:VEVENT", *more,
             *properties, "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


def event(*lines: str, uid: str = "a1", start: str = "DTSTART:20200301T100000Z",
          end: str = "DTEND:20200301T110000Z") -> tuple[str, ...]:
    return tuple(line for line in (f"UID:{uid}", "SUMMARY:Talk", start, end, *lines) if line)


def parse_error(data: bytes, **kwargs) -> str:
    with pytest.raises(ScheduleError) as error:
        importer.parse(data, **kwargs)
    return str(error.value)


def test_not_a_calendar():
    assert "does not start with BEGIN:VCALENDAR" in parse_error(b"<html>hello</html>")


def test_no_vevent():
    message = parse_error(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    assert "no events" in message and "VEVENT" in message


def test_cut_short():
    message = parse_error(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n")
    assert "BEGIN:VEVENT of line 2" in message and "cut short" in message


def test_vevent_without_dtstart():
    message = parse_error(calendar(*event(start="")))
    assert "“a1”" in message and "line 3" in message and "DTSTART" in message


def test_dtend_before_dtstart():
    message = parse_error(calendar(*event(end="DTEND:20200301T090000Z")))
    assert "“a1”" in message and "before it starts" in message


def test_neither_dtend_nor_duration_or_a_zero_one_gets_a_default_length():
    """RFC 5545 3.6.1: without DTEND and DURATION an event ends when it starts."""
    for end in ("", "DTEND:20200301T100000Z", "DURATION:PT0S"):
        schedule = importer.parse(calendar(*event(end=end)))
        talk = schedule.talks[0]
        assert talk.ends_at - talk.starts_at == timedelta(minutes=15)
        assert ("1 session with no length (DTEND the same as DTSTART, or neither DTEND nor "
                "DURATION: “Talk”): shown 15 minutes long, a default") in schedule.repairs


def test_negative_duration():
    message = parse_error(calendar(*event(end="DURATION:-PT30M")))
    assert "“a1”" in message and "before it starts" in message


def test_bad_date_value():
    message = parse_error(calendar(*event(start="DTSTART:2020031T100000Z")))
    assert "“a1”" in message and "DTSTART “2020031T100000Z”" in message


def test_unknown_tzid():
    message = parse_error(calendar(*event(start="DTSTART;TZID=Mars/Olympus:20200301T100000")))
    assert "“a1”" in message and "Mars/Olympus" in message and "neither an IANA" in message


def test_floating_times_need_a_zone():
    floating = calendar(*event(start="DTSTART:20200301T100000", end="DTEND:20200301T110000"))
    message = parse_error(floating)
    assert "“a1”" in message and "floating" in message and "give the time zone" in message
    schedule = importer.parse(floating, timezone="America/Vancouver")
    assert schedule.timezone == "America/Vancouver"
    assert ("1 session has floating times (no TZID and no Z): read in America/Vancouver"
            in schedule.repairs), "one session, though both its times float"
    assert schedule.talks[0].starts_at == datetime(2020, 3, 1, 18, 0, tzinfo=UTC)
    with_calendar_zone = calendar(*event(start="DTSTART:20200301T100000", end="DURATION:PT45M"),
                                  properties=("X-WR-TIMEZONE:Europe/Brussels",))
    talk = importer.parse(with_calendar_zone).talks[0]
    assert (talk.starts_at, talk.ends_at) == (datetime(2020, 3, 1, 9, 0, tzinfo=UTC),
                                              datetime(2020, 3, 1, 9, 45, tzinfo=UTC))


def test_time_skipped_by_daylight_saving():
    message = parse_error(calendar(*event(start="DTSTART;TZID=Europe/Berlin:20200329T023000",
                                          end="DTEND;TZID=Europe/Berlin:20200329T033000")))
    assert "“a1”" in message and "does not exist in Europe/Berlin" in message


def test_invalid_utf8_after_unfolding():
    latin1 = calendar(*event("LOCATION:Salle Caf\xe9")).replace(b"Caf\xc3\xa9", b"Caf\xe9")
    message = parse_error(latin1)
    assert "line 8 (LOCATION)" in message and "UTF-8" in message
    # a fold between the two bytes of "é" is fine
    split = calendar(*event("LOCATION:Salle Caf\xe9")).replace(b"Caf\xc3\xa9", b"Caf\xc3\r\n \xa9")
    assert importer.parse(split).talks[0].room == "Salle Café"


def test_all_day_events_are_skipped():
    schedule = importer.parse(calendar(*event(), more=(
        "BEGIN:VEVENT", "UID:day", "SUMMARY:Registration", "DTSTART;VALUE=DATE:20200301",
        "END:VEVENT")))
    assert [talk.guid for talk in schedule.talks] == ["a1"]
    assert ("1 all-day event skipped, as sessions need a start and an end time: “Registration”"
            in schedule.repairs)
    message = parse_error(calendar(*event(start="DTSTART;VALUE=DATE:20200301", end="")))
    assert "all-day" in message


def test_fields_and_cancelled():
    schedule = importer.parse(calendar(*event(
        "LOCATION: Room 1 ", "CATEGORIES:Security,Networks", "STATUS:CANCELLED",
        "URL:javascript:alert(1)", "DESCRIPTION:<p>One &amp; two</p><p>three<br>four</p>",
        "SUMMARY;LANGUAGE=de:Vortrag"), properties=("X-WR-CALNAME:Konferenz",)))
    talk = schedule.talks[0]
    assert schedule.title == "Konferenz"
    assert (talk.room, talk.track, talk.status, talk.url) == ("Room 1", "Security", "cancelled", "")
    assert schedule.tracks[0].name == "Security"
    assert talk.abstract == "One & two\n\nthree\nfour"
    assert "1 session URL that is not http(s): dropped" in schedule.repairs


def test_attendees_are_speakers_only_in_a_published_calendar():
    attendees = event('ATTENDEE;CN="Zoë Ångström";ROLE=REQ-PARTICIPANT:mailto:zoe@example.org',
                      "ATTENDEE;CN=Room 5;CUTYPE=ROOM:mailto:room5@example.org",
                      "ORGANIZER;CN=Chair:mailto:chair@example.org")
    published = importer.parse(calendar(*attendees, properties=("METHOD:PUBLISH",)))
    assert [speaker.name for speaker in published.speakers] == ["Zoë Ångström"]
    assert published.talks[0].speakers == (published.speakers[0].key,)
    invitation = importer.parse(calendar(*attendees, properties=("METHOD:REQUEST",)))
    assert invitation.speakers == () and invitation.talks[0].speakers == ()
    assert any("not taken as speakers" in repair for repair in invitation.repairs)


def test_duplicate_and_missing_uids():
    schedule = importer.parse(calendar(*event(uid="same"), more=(
        "BEGIN:VEVENT", *event(uid="same"), "END:VEVENT",
        "BEGIN:VEVENT", *event(uid="")[1:], "END:VEVENT")))
    assert [talk.guid for talk in schedule.talks] == ["same", "same#2", "title:talk"]
    assert ("1 session had a guid used before: kept the first, renamed the rest (#2, #3...)"
            in schedule.repairs)
    assert "1 event without a UID: identified by their title" in schedule.repairs


def test_zone_of_the_file_own_vtimezone():
    vtimezone = ("BEGIN:VTIMEZONE", "TZID:Arabia Standard Time", "BEGIN:STANDARD",
                 "DTSTART:16010101T000000", "TZOFFSETFROM:+0300", "TZOFFSETTO:+0300",
                 "END:STANDARD", "END:VTIMEZONE")
    schedule = importer.parse(calendar(*event(
        start="DTSTART;TZID=Arabia Standard Time:20200301T100000",
        end="DTEND;TZID=Arabia Standard Time:20200301T113000"), more=vtimezone))
    talk = schedule.talks[0]
    assert (talk.starts_at, talk.ends_at) == (datetime(2020, 3, 1, 7, 0, tzinfo=UTC),
                                              datetime(2020, 3, 1, 8, 30, tzinfo=UTC))
    assert schedule.timezone == "Etc/GMT-3"
    assert any("UTC+03:00 (Etc/GMT-3)" in repair for repair in schedule.repairs)


def test_zone_given_overrides_the_file():
    data = (SAMPLES / "linux-conf-au-2020.ics").read_bytes()
    schedule = importer.parse(data, timezone="Europe/London")
    assert schedule.timezone == "Europe/London"
    assert schedule.talks == parsed("linux-conf-au-2020.ics").talks  # TZID times stay exact
    assert "not an IANA time zone" in parse_error(data, timezone="Gold Coast")
    bad_calendar_zone = calendar(*event(), properties=("X-WR-TIMEZONE:Nowhere",))
    assert "X-WR-TIMEZONE" in parse_error(bad_calendar_zone)
