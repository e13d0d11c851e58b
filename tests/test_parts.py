import pytest
import sqlalchemy as sa
from pages import text

from tracker.extensions import db
from tracker.models import Room
from tracker.models import Talk
from tracker.models import Track


def test_rooms_and_tracks_are_listed_in_order(client, demo):
    assert "Regency Ballroom Georgia A Georgia B Off-site" in text(client.get("/c/linuxcon-na-2011/rooms/"))
    page = text(client.get("/c/linuxcon-na-2011/tracks/"))
    assert [page.index(f"{name} iCalendar of {name}") for name in ("Keynotes", "Kernel", "Storage", "Social")] \
        == sorted(page.index(f"{name} iCalendar of {name}") for name in ("Keynotes", "Kernel", "Storage", "Social"))
    assert client.get("/c/linuxcon-na-2011/halls/").status_code == 404


@pytest.mark.parametrize(("kind", "model"), [("rooms", Room), ("tracks", Track)])
def test_add_edit_delete(client, logged_in, demo, kind, model):
    url = f"/c/kvm-forum-2011/{kind}/"
    assert client.post(url, data={"name": "Junior Ballroom", "position": "5"}).status_code == 302
    part = db.session.scalar(sa.select(model).where(model.name == "Junior Ballroom"))
    assert part.position == 5
    duplicate = client.post(url, data={"name": "Junior Ballroom"})
    assert duplicate.status_code == 400
    assert "This conference already has a" in text(duplicate)
    assert client.post(f"{url}{part.id}/edit", data={"name": "Junior Ballroom B", "position": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(model, part.id).name == "Junior Ballroom B"
    assert client.post(f"{url}{part.id}/delete").status_code == 302
    assert db.session.get(model, part.id) is None


def test_track_colour_is_validated(client, logged_in, demo):
    response = client.post("/c/kvm-forum-2011/tracks/", data={"name": "Networking", "color": "red"})
    assert 'id="color-error">Use the form #3366cc.' in response.get_data(as_text=True)
    client.post("/c/kvm-forum-2011/tracks/", data={"name": "Networking", "color": "#3366cc"})
    assert db.session.scalar(sa.select(Track.color).where(Track.name == "Networking")) == "#3366cc"


def test_deleting_a_room_keeps_its_sessions(client, logged_in, demo):
    room = db.session.scalar(sa.select(Room).where(Room.name == "Plaza A"))
    client.post(f"/c/kvm-forum-2011/rooms/{room.id}/delete")
    db.session.expire_all()
    talk = db.session.scalar(sa.select(Talk).where(Talk.title.startswith("Optimizing")))
    assert talk.room is None
    assert "Room Not given" in text(client.get(f"/c/kvm-forum-2011/talks/{talk.id}"))


def test_a_room_of_another_conference_is_404(client, logged_in, demo):
    room = db.session.scalar(sa.select(Room).where(Room.name == "Plaza A"))
    assert client.get(f"/c/linuxcon-na-2011/rooms/{room.id}/edit").status_code == 404
