from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
import sqlalchemy as sa
from pages import text

from tracker.extensions import db
from tracker.models import Conference
from tracker.models import Note
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk


def talk_titled(title: str) -> Talk:
    return db.session.scalar(sa.select(Talk).where(Talk.title == title))


def test_session_page_shows_everything_about_the_talk(client, demo):
    talk = talk_titled("What to Expect From Linux Storage")
    page = text(client.get(f"/c/linuxcon-na-2011/talks/{talk.id}"))
    assert "Wednesday 17 August 2011, 11:00–11:50 PDT (America/Vancouver)" in page
    assert "Room Georgia A" in page and "Track Storage" in page and "Kind Talk" in page
    assert "Speaker James Bottomley" in page
    assert "Write-ups Xen @ LinuxCon 2011 trip report by Xen Project blog, 25 August 2011" in page
    html = client.get(f"/c/linuxcon-na-2011/talks/{talk.id}").get_data(as_text=True)
    assert 'href="https://xenproject.org/2011/08/25/xen-linuxcon-2011/"' in html
    speaker = talk.speakers[0]
    assert f'href="/c/linuxcon-na-2011/speakers/{speaker.id}"' in html


def test_session_page_of_another_conference_is_404(client, demo):
    talk = talk_titled("What to Expect From Linux Storage")
    assert client.get(f"/c/kvm-forum-2011/talks/{talk.id}").status_code == 404
    assert client.get("/c/linuxcon-na-2011/talks/999999").status_code == 404


def test_session_text_is_escaped(client, demo):
    talk = talk_titled("What to Expect From Linux Storage")
    talk.abstract = "<script>alert('x')</script>"
    db.session.commit()
    html = client.get(f"/c/linuxcon-na-2011/talks/{talk.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def form_for(conference_slug="linuxcon-na-2011", **change):
    conference = db.session.scalar(sa.select(Conference).where(Conference.slug == conference_slug))
    room = db.session.scalar(sa.select(Room).where(Room.conference_id == conference.id, Room.name == "Georgia B"))
    speaker = db.session.scalar(sa.select(Speaker).where(Speaker.name == "James Bottomley"))
    data = {"title": "Btrfs in Production", "subtitle": "", "kind": "talk", "status": "confirmed",
            "starts_at": "2011-08-19T15:00", "ends_at": "2011-08-19T15:45",
            "room_id": str(room.id), "track_id": "0", "speaker_ids": [str(speaker.id)],
            "language": "en", "abstract": "", "description": "", "url": "", "slides_url": "",
            "video_url": ""}
    data.update(change)
    return data


def test_add_session_in_local_time_stores_utc(client, logged_in, demo):
    response = client.post("/c/linuxcon-na-2011/talks/new", data=form_for())
    assert response.status_code == 302
    talk = talk_titled("Btrfs in Production")
    assert talk.starts_at == datetime(2011, 8, 19, 22, 0, tzinfo=UTC)
    assert talk.ends_at == datetime(2011, 8, 19, 22, 45, tzinfo=UTC)
    assert talk.room.name == "Georgia B" and talk.track is None
    assert [s.name for s in talk.speakers] == ["James Bottomley"]
    page = text(client.get(response.headers["Location"]))
    assert "Friday 19 August 2011, 15:00–15:45 PDT" in page


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"ends_at": "2011-08-19T14:00"}, "ends_at", "The session must end after it starts."),
    ({"ends_at": "2011-08-19T15:00"}, "ends_at", "The session must end after it starts."),
    ({"starts_at": "2011-08-20T10:00", "ends_at": "2011-08-20T11:00"}, "starts_at",
     "The session must start during the conference, 17 August 2011 to 19 August 2011."),
    ({"starts_at": "2011-08-19 15:00"}, "starts_at", "Not a valid datetime value."),
    ({"title": ""}, "title", "This field is required."),
    ({"room_id": "424242"}, "room_id", "Not a valid choice"),
    ({"slides_url": "javascript:alert(1)"}, "slides_url", "Enter a full web address"),
])
def test_add_session_errors_beside_the_field(client, logged_in, demo, change, field, message):
    before = db.session.scalar(sa.select(sa.func.count(Talk.id)))
    response = client.post("/c/linuxcon-na-2011/talks/new", data=form_for(**change))
    assert response.status_code == 200
    assert f'id="{field}-error">{message}' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Talk.id))) == before


def test_a_time_skipped_by_daylight_saving_is_refused(client, logged_in):
    db.session.add(Conference(slug="fosdem-2024", name="Spring", timezone="Europe/Brussels",
                              start_date=date(2024, 3, 30), end_date=date(2024, 3, 31)))
    db.session.commit()
    response = client.post("/c/fosdem-2024/talks/new", data={
        "title": "Night owls", "kind": "social", "status": "confirmed", "room_id": "0", "track_id": "0",
        "starts_at": "2024-03-31T02:30", "ends_at": "2024-03-31T04:00"})
    assert "2024-03-31 02:30 does not exist in Europe/Brussels" in text(response)
    response = client.post("/c/fosdem-2024/talks/new", data={
        "title": "Night owls", "kind": "social", "status": "confirmed", "room_id": "0", "track_id": "0",
        "starts_at": "2024-03-31T01:30", "ends_at": "2024-03-31T04:00"})
    assert response.status_code == 302
    assert talk_titled("Night owls").duration.total_seconds() == 90 * 60, "one hour is skipped"


def test_edit_session_moves_it_and_cancels_it(client, logged_in, demo):
    talk = talk_titled("What to Expect From Linux Storage")
    url = f"/c/linuxcon-na-2011/talks/{talk.id}"
    form = client.get(url + "/edit").get_data(as_text=True)
    assert 'value="2011-08-17T11:00"' in form, "the form shows local time"
    response = client.post(url + "/edit", data=form_for(
        title=talk.title, status="cancelled", starts_at="2011-08-18T10:00", ends_at="2011-08-18T10:50"))
    assert response.status_code == 302
    db.session.expire_all()
    talk = talk_titled("What to Expect From Linux Storage")
    assert talk.status == "cancelled"
    assert talk.sequence == 1, "one edit, however many fields"
    assert talk.starts_at == datetime(2011, 8, 18, 17, 0, tzinfo=UTC)
    assert len(talk.writeups) == 1, "editing keeps the write-up link"
    page = text(client.get(url))
    assert "Cancelled. This session will not take place." in page


def test_delete_session_refused_while_it_has_notes(client, logged_in, user, demo):
    talk = talk_titled("What to Expect From Linux Storage")
    db.session.add(Note(user=user, talk=talk, body="Barriers are going away"))
    db.session.commit()
    response = client.post(f"/c/linuxcon-na-2011/talks/{talk.id}/delete", follow_redirects=True)
    assert "holds users' notes or agenda entries (1)" in text(response)
    assert talk_titled("What to Expect From Linux Storage") is not None


def test_delete_session_without_user_data(client, logged_in, demo):
    talk = talk_titled("The Stable Kernel Tree")
    response = client.post(f"/c/linuxcon-na-2011/talks/{talk.id}/delete")
    assert response.status_code == 302
    assert talk_titled("The Stable Kernel Tree") is None
    assert db.session.scalar(sa.select(Speaker).where(Speaker.name == "Greg Kroah-Hartman"))
