"""The CSV importer, on small inline files (LinuxCon North America 2011, in Vancouver)."""

import csv
import io
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.importers.base import ParsedSchedule
from tracker.importers.base import ScheduleError
from tracker.importers.csv_file import CsvImporter

importer = CsvImporter()
VANCOUVER = "America/Vancouver"

# August in Vancouver is PDT, UTC-7. The gala runs past midnight but belongs to the 17th.
LINUXCON = """\
id,title,start,end,room,track,speakers,kind,language,url,day,abstract
lc-1,Imagine a World Without Linux,2011-08-17 09:00,2011-08-17 09:30,Regency Ballroom,Keynotes,Jim Zemlin,keynote,en,https://events.linuxfoundation.org/events/linuxcon,,
lc-2,20 Years of Linux,2011-08-17 09:30,2011-08-17 10:15,Regency Ballroom,Keynotes,"Jon ""maddog"" Hall; Eben Moglen; Dan Frye; Jim Zemlin",panel,en,,,"A panel on two decades of Linux,
moderated by Jim Zemlin."
lc-3,What to Expect From Linux Storage,2011-08-17 11:00,2011-08-17 11:50,Georgia A,Storage,James Bottomley,talk,en,,,
lc-4,20 Years of Kernel Development,2011-08-17T11:00,2011-08-17T11:50:00,Georgia B,Kernel,Jon Corbet,Lecture,en,,,
lc-5,LinuxCon Gala: the Roaring 20's,2011-08-17 19:00,2011-08-18 00:30,Off-site,Social,,party,,,2011-08-17,
lc-6,Linux – A Short Retrospective and an Opinion on the Future,2011-08-18 09:30,2011-08-18 10:00,Regency Ballroom,Keynotes,Irving Wladawsky-Berger,Plenary,en,,,
lc-7,Eucalyptus and the Open Cloud,2011-08-18 10:00,2011-08-18 10:30,Regency Ballroom,Keynotes,Mårten Mickos,keynote,en,,,
lc-8,Linus Torvalds in Conversation,2011-08-17 16:30,2011-08-17 17:30,Regency Ballroom,Keynotes,Linus Torvalds;Greg Kroah-Hartman,keynote,en,,,
"""


def parse(text: str, timezone: str | None = VANCOUVER) -> ParsedSchedule:
    return importer.parse(text.encode(), timezone=timezone)


def parse_error(data: bytes | str, timezone: str | None = VANCOUVER) -> str:
    if isinstance(data, str):
        data = data.encode()
    with pytest.raises(ScheduleError) as error:
        importer.parse(data, timezone=timezone)
    return str(error.value)


def by_id(schedule: ParsedSchedule) -> dict:
    return {talk.guid: talk for talk in schedule.talks}


def speaker_names(schedule: ParsedSchedule, talk) -> list[str]:
    names = {speaker.key: speaker.name for speaker in schedule.speakers}
    return [names[key] for key in talk.speakers]


def test_counts_against_the_csv_module():
    schedule = parse(LINUXCON)
    rows = list(csv.DictReader(io.StringIO(LINUXCON)))
    people = {name.strip() for row in rows for name in row["speakers"].split(";") if name.strip()}
    assert len(schedule.talks) == len(rows) == 8
    assert len(schedule.speakers) == len(people) == 10
    assert schedule.rooms == tuple(dict.fromkeys(row["room"] for row in rows))
    assert schedule.rooms == ("Regency Ballroom", "Georgia A", "Georgia B", "Off-site")
    assert [track.name for track in schedule.tracks] == ["Keynotes", "Storage", "Kernel", "Social"]
    assert {talk.starts_at.astimezone(ZoneInfo(VANCOUVER)).date() for talk in schedule.talks} == {
        date(2011, 8, 17), date(2011, 8, 18)}
    assert schedule.title == "Imported schedule"
    assert schedule.timezone == VANCOUVER
    assert schedule.repairs == ()


def test_sessions_field_by_field():
    schedule = parse(LINUXCON)
    talks = by_id(schedule)
    keynote = talks["lc-1"]
    assert keynote.title == "Imagine a World Without Linux"
    assert keynote.external_id == "lc-1"
    assert keynote.starts_at == datetime(2011, 8, 17, 16, 0, tzinfo=UTC)
    assert keynote.ends_at == datetime(2011, 8, 17, 16, 30, tzinfo=UTC)
    assert (keynote.room, keynote.track, keynote.kind, keynote.language) == (
        "Regency Ballroom", "Keynotes", "keynote", "en")
    assert keynote.url == "https://events.linuxfoundation.org/events/linuxcon"
    assert keynote.day is None
    panel = talks["lc-2"]
    assert speaker_names(schedule, panel) == ['Jon "maddog" Hall', "Eben Moglen", "Dan Frye", "Jim Zemlin"]
    assert panel.speakers[-1] == keynote.speakers[0]  # one Jim Zemlin
    assert panel.abstract == "A panel on two decades of Linux,\nmoderated by Jim Zemlin."
    assert panel.kind == "panel"
    assert talks["lc-4"].kind == "talk"  # "Lecture"
    assert talks["lc-4"].ends_at == datetime(2011, 8, 17, 18, 50, tzinfo=UTC)  # ISO with T and seconds
    gala = talks["lc-5"]
    assert (gala.starts_at, gala.ends_at) == (datetime(2011, 8, 18, 2, 0, tzinfo=UTC),
                                              datetime(2011, 8, 18, 7, 30, tzinfo=UTC))
    assert gala.day == date(2011, 8, 17)
    assert (gala.kind, gala.speakers, gala.language, gala.url) == ("social", (), "", "")
    retrospective = talks["lc-6"]
    assert retrospective.title == "Linux – A Short Retrospective and an Opinion on the Future"
    assert retrospective.kind == "keynote"  # "Plenary"
    assert speaker_names(schedule, talks["lc-7"]) == ["Mårten Mickos"]
    assert speaker_names(schedule, talks["lc-8"]) == ["Linus Torvalds", "Greg Kroah-Hartman"]


def test_semicolons_tabs_header_order_and_case_bom_and_crlf():
    rows = list(csv.reader(io.StringIO(LINUXCON)))
    order = [11, 3, 2, 1, 0, 6, 4, 5, 7, 8, 9, 10]
    expected = parse(LINUXCON).talks
    for delimiter in (";", "\t"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([rows[0][index].upper() for index in order])
        writer.writerows([[row[index] for index in order] for row in rows[1:]])
        data = b"\xef\xbb\xbf" + out.getvalue().encode()
        assert importer.sniff(data[:8192])
        assert importer.parse(data, timezone=VANCOUVER).talks == expected


def test_guid_is_the_title_without_an_id_column():
    first = parse("Title,Start,End\nKVM Performance,2011-08-15 10:00,2011-08-15 10:45\n"
                  "Lunch,2011-08-15 12:00,2011-08-15 13:00\n"
                  "lunch,2011-08-16 12:00,2011-08-16 13:00\n")
    assert [talk.guid for talk in first.talks] == [
        "title:kvm performance", "title:lunch", "title:lunch#2"]
    assert "3 sessions without an id: identified by their title" in first.repairs
    assert ("1 session had a guid used before: kept the first, renamed the rest (#2, #3...)"
            in first.repairs)
    moved = parse("title,start,end\nKVM Performance,2011-08-16 14:00,2011-08-16 14:45\n")
    assert moved.talks[0].guid == first.talks[0].guid
    assert moved.talks[0].external_id is None


def test_duration_instead_of_end():
    schedule = parse("title,start,duration\nA,2011-08-17 10:00,1:30\nB,2011-08-17 12:00,45\n"
                     "C,2011-08-17 13:00,00:20:00\n")
    assert [talk.ends_at - talk.starts_at for talk in schedule.talks] == [
        timedelta(hours=1, minutes=30), timedelta(minutes=45), timedelta(minutes=20)]
    message = parse_error("title,start,duration\nA,2011-08-17 10:00,1h\n")
    assert "line 2" in message and "duration" in message


def test_no_length_or_a_zero_one_gets_a_default():
    schedule = parse("title,start,end,duration\nA,2011-08-17 10:00,,\n"
                     "B,2011-08-17 11:00,2011-08-17 11:00,\nC,2011-08-17 12:00,,0\n"
                     "D,2011-08-17 13:00,,0:30\n")
    assert [talk.ends_at - talk.starts_at for talk in schedule.talks] == [
        timedelta(minutes=15)] * 3 + [timedelta(minutes=30)]
    assert schedule.repairs[0] == (
        "3 sessions with no length (no end or duration, or a zero one: line 2, line 3, line 4): "
        "shown 15 minutes long, a default")


def test_times_with_offsets_need_no_zone():
    schedule = parse("title,start,end\nA,2011-08-17 10:00-07:00,2011-08-17 11:00-07:00\n"
                     "B,2011-08-17T18:00Z,2011-08-17T19:00:00Z\n", timezone=None)
    assert [talk.starts_at for talk in schedule.talks] == [
        datetime(2011, 8, 17, 17, 0, tzinfo=UTC), datetime(2011, 8, 17, 18, 0, tzinfo=UTC)]
    assert schedule.timezone == "Etc/GMT+7"
    assert any("fixed offset" in repair and "Etc/GMT+7" in repair for repair in schedule.repairs)
    # with the zone given, an offset is still the exact instant
    assert parse("title,start,end\nA,2011-08-17 10:00+02:00,2011-08-17 11:00+02:00\n"
                 ).talks[0].starts_at == datetime(2011, 8, 17, 8, 0, tzinfo=UTC)


def test_local_times_need_the_zone():
    message = parse_error("title,start,end\nA,2011-08-17 10:00-07:00,2011-08-17 11:00-07:00\n"
                          "B,2011-08-17 12:00,2011-08-17 13:00\n", timezone=None)
    assert "line 3, column “start”" in message and "time zone must be given" in message


def test_missing_required_column():
    assert "no “start” column" in parse_error("title,end\nA,2011-08-17 10:00\n")
    assert "no “title” column" in parse_error("name,start,end\nA,2011-08-17 10:00,2011-08-17 11:00\n")
    message = parse_error("title,start\nA,2011-08-17 10:00\n")
    assert "line 1" in message and "“end”" in message and "duration" in message


def test_bad_date():
    message = parse_error("title,start,end\nA,17/08/2011 10:00,2011-08-17 11:00\n")
    assert "line 2, column “start”" in message and "“17/08/2011 10:00”" in message
    message = parse_error("title,start,end\nA,2011-08-17 10:00,2011-08-17\n")
    assert "line 2, column “end”" in message


def test_end_before_start_after_a_multiline_cell():
    message = parse_error('title,start,end,abstract\nA,2011-08-17 10:00,2011-08-17 11:00,"one\ntwo"\n'
                          "\nB,2011-08-17 10:00,2011-08-17 09:00,\n")
    assert "line 5, column “end”" in message and "before it starts" in message


def test_empty_title():
    message = parse_error("title;start;end\n  ;2011-08-17 10:00;2011-08-17 11:00\n")
    assert "line 2, column “title”" in message and "empty title" in message


def test_unknown_zone():
    message = parse_error("title,start,end\nA,2011-08-17 10:00,2011-08-17 11:00\n",
                          timezone="Vancouver")
    assert "“Vancouver”" in message and "not an IANA time zone" in message


def test_non_utf8_bytes():
    data = "title,start,end,room\nA,2011-08-17 10:00,2011-08-17 11:00,Salle Café\n".encode("latin-1")
    for with_bom in (data, b"\xef\xbb\xbf" + data):
        message = parse_error(with_bom)
        assert "line 2, column “room”" in message and "byte 0xe9" in message and "UTF-8" in message


def test_quote_never_closed():
    message = parse_error('title,start,end\nA,2011-08-17 10:00,2011-08-17 11:00\n'
                          '"B,2011-08-17 10:00,2011-08-17 11:00\n')
    assert "line 3" in message and "CSV" in message


def test_time_skipped_by_daylight_saving():
    message = parse_error("title,start,end\nA,2011-03-13 02:30,2011-03-13 03:30\n")
    assert "line 2, column “start”" in message and "does not exist in America/Vancouver" in message


def test_more_cells_than_columns_and_a_bad_day():
    assert "line 2: 4 cells" in parse_error("title,start,end\nA,2011-08-17 10:00,2011-08-17 11:00,x\n")
    message = parse_error("title,start,end,day\nA,2011-08-17 10:00,2011-08-17 11:00,Wednesday\n")
    assert "line 2, column “day”" in message


def test_empty_file_and_header_only():
    assert "empty" in parse_error(b"")
    assert "no sessions" in parse_error("title,start,end\n\n")


def test_unknown_columns_urls_and_kinds():
    schedule = parse("title,start,end,url,kind,notes\n"
                     "A,2011-08-17 10:00,2011-08-17 11:00,javascript:alert(1),hackathon,x\n")
    talk = schedule.talks[0]
    assert (talk.url, talk.kind) == ("", "talk")
    assert "1 session URL that is not http(s): dropped" in schedule.repairs
    assert "1 session of an unknown kind: taken as talks" in schedule.repairs
    assert "1 unknown column ignored: “notes”" in schedule.repairs


def test_free_text_kinds():
    schedule = parse("title,start,end,kind\nA,2011-08-17 10:00,2011-08-17 11:00,Workshop 60 Min\n"
                     "B,2011-08-17 10:00,2011-08-17 11:00,BoF (45 minutes)\n"
                     "C,2011-08-17 10:00,2011-08-17 11:00,DJ Set\n")
    assert [talk.kind for talk in schedule.talks] == ["workshop", "bof", "social"]
    assert schedule.repairs == ("3 sessions without an id: identified by their title",)


def test_sniff():
    assert importer.sniff(LINUXCON.encode()[:100])
    assert importer.sniff(b"\xef\xbb\xbfTitle;Start;Duration\r\n")
    assert not importer.sniff(b"name,when\n")
    assert not importer.sniff(b"BEGIN:VCALENDAR\r\n")
