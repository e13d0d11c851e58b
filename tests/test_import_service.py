"""Saving parsed schedules: creating, re-importing in place, keeping users' data, all or nothing."""

from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tracker.changes import flagged_talk_ids
from tracker.changes import mark_seen
from tracker.changes import unseen_changes
from tracker.extensions import db
from tracker.importers import ScheduleError
from tracker.importers.base import ParsedLink
from tracker.importers.base import ParsedSchedule
from tracker.importers.base import ParsedSpeaker
from tracker.importers.base import ParsedTalk
from tracker.importers.base import ParsedTrack
from tracker.models import AgendaEntry
from tracker.models import Conference
from tracker.models import ImportRun
from tracker.models import Note
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import WriteUp
from tracker.schedule import group_by_day
from tracker.services.imports import choose_day_change
from tracker.services.imports import import_schedule
from tracker.services.imports import save_schedule
from tracker.services.imports import slugify

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2019, 12, day, hour, minute, tzinfo=BERLIN)


def talk(guid, title, start, minutes=40, **fields) -> ParsedTalk:
    return ParsedTalk(guid=guid, title=title, starts_at=start, ends_at=start + timedelta(minutes=minutes),
                      **fields)


SCHEDULE = ParsedSchedule(
    title="36C3: Resource Exhaustion", acronym="36c3", timezone="Europe/Berlin",
    start_date=date(2019, 12, 27), end_date=date(2019, 12, 30),
    rooms=("Ada", "Borg"), tracks=(ParsedTrack("Security", "#ff0000"), ParsedTrack("Art")),
    speakers=(ParsedSpeaker("id:1", "Bernd Fix"), ParsedSpeaker("id:2", "Jöran Müller"),
              ParsedSpeaker("name:rosa", "Rosa")),
    talks=(
        talk("a", "Opening", at(27, 11), room="Ada", track="Security", day=date(2019, 12, 27),
             speakers=("id:1",), language="en", links=(ParsedLink("https://example.org/a", "Slides"),)),
        talk("b", "Löten für alle", at(27, 12), room="Borg", track="Art", day=date(2019, 12, 27),
             speakers=("id:2", "name:rosa")),
        talk("c", "Late night", at(28, 1, 30), room="Ada", day=date(2019, 12, 27), kind="social"),
        talk("d", "Day two", at(28, 11), room="Borg", day=date(2019, 12, 28), speakers=("id:1",)),
    ))


def save(parsed=SCHEDULE, slug="36c3"):
    report = save_schedule(parsed, slug=slug, source="schedule.xml", format="frab-xml", content_hash="x")
    db.session.commit()
    return report


def by_title(title) -> Talk:
    return db.session.scalar(sa.select(Talk).where(Talk.title == title))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_first_import_creates_the_conference(app):
    report = save()
    assert report.created and report.run.added == 4 and report.run.unchanged == 0
    conference = db.session.scalar(sa.select(Conference))
    assert (conference.slug, conference.name, conference.timezone) == ("36c3", "36C3: Resource Exhaustion", "Europe/Berlin")
    assert (conference.start_date, conference.end_date) == (date(2019, 12, 27), date(2019, 12, 30))
    assert conference.day_change == time(2), "01:30 belongs to the day before"
    days = group_by_day(conference.talks, conference.zone, conference.day_change)
    assert [(day, [t.title for t in talks]) for day, talks in days] == [
        (date(2019, 12, 27), ["Opening", "Löten für alle", "Late night"]),
        (date(2019, 12, 28), ["Day two"])]
    assert [room.name for room in conference.rooms] == ["Ada", "Borg"]
    assert [(t.name, t.color) for t in conference.tracks] == [("Security", "#ff0000"), ("Art", "")]
    opening = by_title("Opening")
    assert opening.starts_at == datetime(2019, 12, 27, 10, 0, tzinfo=UTC)
    assert opening.links == [{"url": "https://example.org/a", "title": "Slides"}]
    assert [s.name for s in by_title("Löten für alle").speakers] == ["Jöran Müller", "Rosa"]
    assert count(Speaker) == 3, "Bernd Fix speaks twice and is one speaker"
    assert by_title("Late night").kind == "social"


def test_same_schedule_twice_changes_nothing(app):
    save()
    uids = set(db.session.scalars(sa.select(Talk.uid)))
    report = save()
    assert not report.created
    assert (report.run.added, report.run.changed, report.run.moved, report.run.cancelled,
            report.run.unchanged) == (0, 0, 0, 0, 4)
    assert "0 new, 0 changed, 0 moved, 0 cancelled, 4 unchanged" in report.summary()
    assert set(db.session.scalars(sa.select(Talk.uid))) == uids
    assert count(Talk) == 4 and count(Speaker) == 3 and count(Room) == 2


@pytest.fixture
def planned(app, user):
    """The schedule imported, with a user's note, agenda entries and a write-up on it."""
    save()
    opening, late = by_title("Opening"), by_title("Late night")
    db.session.add_all([
        Note(user=user, talk=opening, body="Great start"),
        AgendaEntry(user=user, talk=opening, status="going", seen_at=datetime(2019, 1, 1, tzinfo=UTC)),
        AgendaEntry(user=user, talk=late, status="maybe", seen_at=datetime(2019, 1, 1, tzinfo=UTC)),
        WriteUp(url="https://blog.example.org/36c3", title="My 36C3", talks=[opening, late]),
    ])
    db.session.commit()
    return user


def modified(schedule: ParsedSchedule) -> ParsedSchedule:
    """The organiser's next version: Opening moved, Löten retitled, Late night gone, one new."""
    a, b, _, d = schedule.talks
    return replace(schedule, talks=(
        replace(a, starts_at=a.starts_at + timedelta(hours=1), ends_at=a.ends_at + timedelta(hours=1), room="Borg"),
        replace(b, title="Löten für alle (und jeden)"),
        d,
        talk("e", "Closing", at(30, 17), room="Ada"),
    ))


def test_reimport_reports_each_change_and_keeps_user_data(planned):
    report = save(modified(SCHEDULE))
    assert report.added == ["Closing"]
    assert report.moved == [("Opening", ["starts_at", "ends_at", "room"])]
    assert report.changed == [("Löten für alle (und jeden)", ["title"])]
    assert report.cancelled == ["Late night"]
    assert report.unchanged == 1

    opening, late = by_title("Opening"), by_title("Late night")
    assert opening.starts_at == datetime(2019, 12, 27, 11, 0, tzinfo=UTC) and opening.room.name == "Borg"
    assert late.status == "cancelled", "a session that left the schedule is cancelled, not deleted"
    assert [n.body for n in opening.notes] == ["Great start"]
    assert {e.talk.title for e in planned.agenda_entries} == {"Opening", "Late night"}
    assert {t.title for t in db.session.scalar(sa.select(WriteUp)).talks} == {"Opening", "Late night"}

    run = db.session.scalar(sa.select(ImportRun).order_by(ImportRun.id.desc()))
    moved = next(change for change in run.changes if change.kind == "moved")
    assert moved.before == {"starts_at": "2019-12-27T10:00:00+00:00",
                            "ends_at": "2019-12-27T10:40:00+00:00", "room": "Ada"}


def test_reimport_flags_changed_sessions_in_users_agendas(planned, admin):
    conference = db.session.scalar(sa.select(Conference))
    assert flagged_talk_ids(planned, conference) == set(), "first import: nothing changed"
    save(modified(SCHEDULE))
    opening, late = by_title("Opening"), by_title("Late night")
    assert flagged_talk_ids(planned, conference) == {opening.id, late.id}
    assert flagged_talk_ids(admin, conference) == set(), "not in the admin's agenda"
    assert [c.kind for c in unseen_changes(planned, late)] == ["cancelled"]
    mark_seen(planned, opening)
    db.session.commit()
    assert flagged_talk_ids(planned, conference) == {late.id}


def test_a_cancelled_session_that_returns_is_restored(planned):
    save(modified(SCHEDULE))
    report = save(SCHEDULE)
    assert by_title("Late night").status == "confirmed"
    assert ("Late night", ["status"]) in report.changed
    assert by_title("Closing").status == "cancelled"


def test_rooms_and_speakers_that_leave_the_schedule_go_unless_used(app):
    save()
    a, b, c, d = SCHEDULE.talks
    smaller = replace(SCHEDULE, rooms=("Ada",), speakers=SCHEDULE.speakers[:1],
                      talks=(a, replace(b, room="Ada", speakers=()), c, replace(d, room="Ada")))
    save(smaller)
    assert [r.name for r in db.session.scalars(sa.select(Room))] == ["Ada"]
    assert [s.name for s in db.session.scalars(sa.select(Speaker))] == ["Bernd Fix"]


def test_a_failed_save_leaves_nothing_behind(app):
    broken = replace(SCHEDULE, talks=SCHEDULE.talks + (
        ParsedTalk(guid="z", title="Backwards", starts_at=at(28, 12), ends_at=at(28, 11)),))
    with pytest.raises(IntegrityError):
        save_schedule(broken, slug="36c3", source="s", format="frab-xml", content_hash="x")
    db.session.rollback()
    assert count(Conference) == count(Talk) == count(Room) == count(Speaker) == count(ImportRun) == 0


def test_a_failed_reimport_leaves_the_previous_version(planned):
    before = {t.guid: (t.title, t.starts_at, t.status) for t in db.session.scalars(sa.select(Talk))}
    broken = replace(modified(SCHEDULE), talks=modified(SCHEDULE).talks + (
        ParsedTalk(guid="z", title="Backwards", starts_at=at(28, 12), ends_at=at(28, 12)),))
    with pytest.raises(IntegrityError):
        save_schedule(broken, slug="36c3", source="s", format="frab-xml", content_hash="y")
    db.session.rollback()
    db.session.expire_all()
    assert {t.guid: (t.title, t.starts_at, t.status) for t in db.session.scalars(sa.select(Talk))} == before
    assert count(ImportRun) == 1


def test_unknown_format_name_is_refused(app):
    with pytest.raises(ScheduleError, match="unknown format “pdf”"):
        import_schedule(b"x", source="x", format="pdf")


@pytest.mark.parametrize(("text", "slug"), [
    ("36C3: Resource Exhaustion", "36c3-resource-exhaustion"),
    ("FOSDEM 2020", "fosdem-2020"),
    ("Jöran’s Café — Ünïcode", "jorans-cafe-unicode"),
    ("!!!", "conference"),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_day_change_midnight_without_late_sessions():
    assert choose_day_change(SCHEDULE.talks[:2], BERLIN) == (time(0), [])
    assert choose_day_change((talk("x", "x", at(27, 10), day=date(2019, 12, 27)),), BERLIN) == (time(0), [])


def test_sequence_rises_when_time_room_title_or_status_change(planned):
    a, b, c, d = SCHEDULE.talks
    save(replace(SCHEDULE, talks=(replace(a, room="Borg"), replace(b, abstract="Now with an abstract"), d)))
    assert by_title("Opening").sequence == 1, "moved to another room"
    assert by_title("Löten für alle").sequence == 0, "an abstract does not concern calendars"
    assert by_title("Late night").sequence == 1, "cancelled"
    assert by_title("Day two").sequence == 0
    save(replace(SCHEDULE, talks=(replace(a, room="Borg", title="Opening!"), b, c, d)))
    assert by_title("Opening!").sequence == 2 and by_title("Late night").sequence == 2
