import sqlalchemy as sa
from pages import text

from tracker.extensions import db
from tracker.models import Speaker
from tracker.models import Talk


def speaker_named(name: str) -> Speaker:
    return db.session.scalar(sa.select(Speaker).where(Speaker.name == name))


def test_speaker_page_lists_their_sessions_and_write_ups(client, demo):
    greg = speaker_named("Greg Kroah-Hartman")
    page = text(client.get(f"/c/linuxcon-na-2011/speakers/{greg.id}"))
    assert page.index("16:30–17:30 Linus Torvalds in Conversation with Greg Kroah-Hartman") < page.index(
        "11:00–11:50 The Stable Kernel Tree")
    james = speaker_named("James Bottomley")
    page = text(client.get(f"/c/linuxcon-na-2011/speakers/{james.id}"))
    assert "What to Expect From Linux Storage" in page
    assert "Write-ups about these sessions Xen @ LinuxCon 2011 trip report" in page


def test_speaker_list_and_wrong_conference(client, demo):
    page = text(client.get("/c/kvm-forum-2011/speakers/"))
    assert "Khoa Huynh IBM" in page and "James Bottomley" not in page
    james = speaker_named("James Bottomley")
    assert client.get(f"/c/kvm-forum-2011/speakers/{james.id}").status_code == 404


def test_add_edit_and_delete_a_speaker(client, logged_in, demo):
    response = client.post("/c/kvm-forum-2011/speakers/new", data={
        "name": "Badari Pulavarty", "affiliation": "IBM", "url": "", "bio": ""})
    assert response.status_code == 302
    badari = speaker_named("Badari Pulavarty")
    assert client.post(f"/c/kvm-forum-2011/speakers/{badari.id}/edit", data={
        "name": "Badari Pulavarty", "affiliation": "IBM Linux Technology Center",
        "url": "not a url", "bio": ""}).status_code == 200, "a bad web address is refused"
    client.post(f"/c/kvm-forum-2011/speakers/{badari.id}/edit", data={
        "name": "Badari Pulavarty", "affiliation": "IBM Linux Technology Center", "url": "", "bio": ""})
    db.session.expire_all()
    assert speaker_named("Badari Pulavarty").affiliation == "IBM Linux Technology Center"

    khoa = speaker_named("Khoa Huynh")
    assert client.post(f"/c/kvm-forum-2011/speakers/{khoa.id}/delete").status_code == 302
    talk = db.session.scalar(sa.select(Talk).where(Talk.title.startswith("Optimizing")))
    assert talk is not None and talk.speakers == []


def test_speaker_name_is_required(client, logged_in, demo):
    response = client.post("/c/kvm-forum-2011/speakers/new", data={"name": " "})
    assert 'id="name-error">This field is required.' in response.get_data(as_text=True)
