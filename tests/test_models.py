"""The database itself refuses what must never be stored, whatever code writes to it."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import StatementError

from tracker.extensions import db
from tracker.models import AgendaEntry
from tracker.models import Conference
from tracker.models import Note
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import TalkSpeaker
from tracker.models import User
from tracker.models import WriteUp

START = datetime(2011, 8, 17, 18, 0, tzinfo=UTC)


@pytest.fixture
def conference(app):
    conference = Conference(slug="pycon-x", name="PyCon X", timezone="Europe/Rome",
                            start_date=date(2011, 8, 17), end_date=date(2011, 8, 19))
    db.session.add(conference)
    db.session.commit()
    return conference


def add_talk(conference, **fields):
    talk = Talk(conference=conference, title=fields.pop("title", "A talk"),
                starts_at=fields.pop("starts_at", START),
                ends_at=fields.pop("ends_at", START + timedelta(minutes=45)), **fields)
    db.session.add(talk)
    db.session.commit()
    return talk


def refused(statement_or_commit):
    with pytest.raises(IntegrityError):
        statement_or_commit()
    db.session.rollback()


def test_talk_must_end_after_it_starts(conference):
    refused(lambda: add_talk(conference, ends_at=START))
    refused(lambda: add_talk(conference, ends_at=START - timedelta(minutes=1)))
    assert db.session.scalar(sa.select(sa.func.count(Talk.id))) == 0


def test_talk_end_check_holds_for_raw_sql_too(conference):
    talk = add_talk(conference)
    refused(lambda: db.session.execute(
        sa.update(Talk).where(Talk.id == talk.id).values(ends_at=START - timedelta(hours=1))))


def test_times_are_stored_in_utc_and_come_back_aware(conference):
    vancouver = ZoneInfo("America/Vancouver")
    talk = add_talk(conference, starts_at=datetime(2011, 8, 17, 11, 0, tzinfo=vancouver),
                    ends_at=datetime(2011, 8, 17, 11, 50, tzinfo=vancouver))
    db.session.expire_all()
    talk = db.session.get(Talk, talk.id)
    assert talk.starts_at == datetime(2011, 8, 17, 18, 0, tzinfo=UTC)
    assert talk.starts_at.utcoffset() == timedelta(0)
    assert talk.duration == timedelta(minutes=50)
    stored = db.session.execute(sa.text("SELECT starts_at FROM talk")).scalar_one()
    assert str(stored).startswith("2011-08-17 18:00:00")


def test_naive_times_are_refused(conference):
    with pytest.raises(StatementError, match="naive datetime"):
        add_talk(conference, starts_at=datetime(2011, 8, 17, 11, 0),
                 ends_at=datetime(2011, 8, 17, 12, 0))
    db.session.rollback()


def test_slugs_are_unique(conference):
    db.session.add(Conference(slug="pycon-x", name="Another", timezone="UTC",
                              start_date=date(2012, 1, 1), end_date=date(2012, 1, 1)))
    refused(db.session.commit)


def test_conference_dates_in_order(app):
    db.session.add(Conference(slug="backwards", name="Backwards", timezone="UTC",
                              start_date=date(2012, 1, 2), end_date=date(2012, 1, 1)))
    refused(db.session.commit)


def test_vocabularies_are_checked(conference):
    refused(lambda: add_talk(conference, kind="lecture"))
    refused(lambda: add_talk(conference, status="postponed"))


def test_room_names_unique_per_conference(conference):
    db.session.add_all([Room(conference=conference, name="Hall A"),
                        Room(conference=conference, name="Hall A")])
    refused(db.session.commit)


@pytest.fixture
def ada(app):
    user = User(email="ada@example.org", password_hash="x")
    db.session.add(user)
    db.session.commit()
    return user


def test_one_agenda_entry_per_user_and_talk(conference, ada):
    talk = add_talk(conference)
    db.session.add_all([AgendaEntry(user=ada, talk=talk, status="going"),
                        AgendaEntry(user=ada, talk=talk, status="maybe")])
    refused(db.session.commit)


def test_agenda_status_and_rating_are_checked(conference, ada):
    talk = add_talk(conference)
    db.session.add(AgendaEntry(user=ada, talk=talk, status="sleeping"))
    refused(db.session.commit)
    db.session.add(Note(user=ada, talk=talk, body="great", rating=6))
    refused(db.session.commit)


def test_deleting_a_talk_never_takes_notes_with_it(conference, ada):
    talk = add_talk(conference)
    db.session.add(Note(user=ada, talk=talk, body="remember this"))
    db.session.commit()
    refused(lambda: db.session.execute(sa.delete(Talk).where(Talk.id == talk.id)))
    db.session.delete(db.session.get(Talk, talk.id))
    refused(db.session.commit)
    db.session.delete(db.session.get(Conference, conference.id))
    refused(db.session.commit)
    assert db.session.scalar(sa.select(Note.body)) == "remember this"


def test_deleting_a_talk_never_takes_agenda_entries_with_it(conference, ada):
    talk = add_talk(conference)
    db.session.add(AgendaEntry(user=ada, talk=talk))
    db.session.commit()
    refused(lambda: db.session.execute(sa.delete(Talk).where(Talk.id == talk.id)))


def test_deleting_a_user_deletes_their_own_notes_and_plans(conference, ada):
    talk = add_talk(conference)
    db.session.add_all([Note(user=ada, talk=talk, body="mine"), AgendaEntry(user=ada, talk=talk)])
    db.session.commit()
    db.session.execute(sa.delete(User).where(User.id == ada.id))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Note.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AgendaEntry.id))) == 0
    assert db.session.get(Talk, talk.id) is not None


def test_deleting_an_unused_conference_removes_its_programme(conference):
    talk = add_talk(conference, room=Room(conference=conference, name="Hall A"))
    speaker = Speaker(conference=conference, name="Grace")
    db.session.add(speaker)
    talk.speaker_links.append(TalkSpeaker(speaker=speaker))
    writeup = WriteUp(url="https://example.org/report", title="Report", talks=[talk])
    db.session.add(writeup)
    db.session.commit()
    db.session.execute(sa.delete(Conference).where(Conference.id == conference.id))
    db.session.commit()
    for model in (Talk, Room, Speaker, TalkSpeaker):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    db.session.expire_all()
    assert db.session.get(WriteUp, writeup.id).talks == []


def test_deleting_a_room_keeps_its_talks(conference):
    room = Room(conference=conference, name="Hall A")
    talk = add_talk(conference, room=room)
    db.session.execute(sa.delete(Room).where(Room.id == room.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Talk, talk.id).room is None


def test_speakers_keep_their_order(conference):
    talk = add_talk(conference)
    names = ["Zed", "Ada", "Mel"]
    for position, name in enumerate(names):
        speaker = Speaker(conference=conference, name=name)
        db.session.add(speaker)
        talk.speaker_links.append(TalkSpeaker(speaker=speaker, position=position))
    db.session.commit()
    db.session.expire_all()
    assert [s.name for s in db.session.get(Talk, talk.id).speakers] == names


def test_talk_uids_are_made_once_and_unique(conference):
    first, second = add_talk(conference), add_talk(conference, title="Another")
    assert first.uid != second.uid and first.uid.endswith("@tracker")
    uid = first.uid
    first.title = "Renamed"
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Talk, first.id).uid == uid
