"""Notes on sessions: adding, editing and deleting one's own, privacy, text that is never
lost (validation, expired CSRF tokens, logged-out sessions, double submits), the notebook
with its filters and Markdown export, and share links."""

import re
import threading
import time
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from pages import axe_violations
from pages import log_in
from pages import text
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import Conference
from tracker.models import Note
from tracker.models import NoteShare
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import User
from tracker.models import utcnow
from tracker.services.accounts import create_user
from tracker.services.notes import NoteContent
from tracker.services.notes import add_note
from tracker.services.notes import notebook
from tracker.services.notes import notebook_markdown
from tracker.services.programme import set_speakers

STORAGE = "What to Expect From Linux Storage"
KERNEL = "20 Years of Kernel Development"
KEYNOTE = "Imagine a World Without Linux"
CONFERENCE = "/c/linuxcon-na-2011"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def talk_titled(title: str) -> Talk:
    return db.session.scalar(sa.select(Talk).where(Talk.title == title))


def talk_url(title: str) -> str:
    return f"{CONFERENCE}/talks/{talk_titled(title).id}"


def notes_url(title: str) -> str:
    return f"{talk_url(title)}/notes"


def note_form(body="Btrfs is *nearly* ready.", rating="4", tags="storage btrfs", **extra) -> dict:
    return {"body": body, "rating": rating, "tags": tags,
            "opened_at": (utcnow() - timedelta(minutes=1)).isoformat(), **extra}


def notes_of(user: User) -> list[Note]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Note).where(Note.user_id == user.id).order_by(Note.id)))


def add(user: User, title: str, body: str, rating: int | None = None, tags: str = "",
        created_at: datetime | None = None) -> Note:
    note, _ = add_note(user, talk_titled(title), NoteContent.clean(body, rating, tags), None)
    if created_at is not None:
        note.created_at = note.updated_at = created_at
    db.session.commit()
    return note


def on_its_own(send):
    """Send a test client's request as production does: with an app context, a database
    session and a `g` of its own. Requests sent from the test's thread share the `app`
    fixture's context instead, so the last request's user, CSRF token and loaded rows carry
    over; here the request runs in a thread of its own."""
    answers = []
    thread = threading.Thread(target=lambda: answers.append(send()))
    thread.start()
    thread.join(10)
    return answers[0]


def as_stranger(app, url: str):
    """GET the page as someone who is not logged in."""
    return on_its_own(lambda: app.test_client().get(url))


@pytest.fixture
def bob(app) -> User:
    bob = create_user("bob@example.org", "bob password", display_name="Bob")
    db.session.commit()
    return bob


# --- the session page ---------------------------------------------------------------------

def test_anonymous_visitors_see_only_an_invitation_to_log_in(client, user, demo):
    add(user, STORAGE, "Ada's secret thoughts")
    response = client.get(talk_url(STORAGE))
    page = text(response)
    assert "My notes Log in to take private notes on this session." in page
    assert "secret thoughts" not in page and "Add a note" not in page
    assert "<textarea" not in response.get_data(as_text=True)


def test_add_a_note_and_see_it_rendered_with_rating_tags_and_time(client, logged_in, user, demo):
    before = utcnow()
    response = client.post(notes_url(STORAGE), data=note_form(tags="#Storage, btrfs storage"))
    [note] = notes_of(user)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{talk_url(STORAGE)}#note-{note.id}"
    assert (note.body, note.rating, note.tags) == ("Btrfs is *nearly* ready.", 4, "storage btrfs")
    assert before <= note.created_at == note.updated_at <= utcnow()

    response = client.get(talk_url(STORAGE))
    html, page = response.get_data(as_text=True), text(response)
    assert "<p>Btrfs is <em>nearly</em> ready.</p>" in html
    written = note.created_at.astimezone(talk_titled(STORAGE).conference.zone)
    assert f"Note of {written:%-d %B %Y, %H:%M %Z} ★★★★☆ Rated 4 of 5 Tags: storage btrfs" in page
    assert "Edited" not in page
    assert f'href="{CONFERENCE}/notebook?tag=btrfs"' in html, "tags lead to the filtered notebook"
    assert "Note saved." in page


def test_several_notes_on_one_session_oldest_first(client, logged_in, user, demo):
    for body in ("First thought", "Second thought", "Third thought"):
        assert client.post(notes_url(STORAGE), data=note_form(body=body)).status_code == 302
    page = text(client.get(talk_url(STORAGE)))
    assert page.index("First thought") < page.index("Second thought") < page.index("Third thought")
    assert len(notes_of(user)) == 3


def test_a_rating_alone_is_a_note_but_an_empty_form_is_not(client, logged_in, user, demo):
    assert client.post(notes_url(STORAGE), data=note_form(body="", tags="")).status_code == 302
    response = client.post(notes_url(STORAGE), data=note_form(body="  ", rating="", tags="kernel"))
    assert response.status_code == 200 and "Write something, or give a rating." in text(response)
    assert [(note.body, note.rating) for note in notes_of(user)] == [("", 4)]


def test_characters_postgresql_cannot_store_are_dropped(client, logged_in, user, demo):
    assert client.post(notes_url(STORAGE), data=note_form(body="a\x00b", tags="x\x00y")).status_code == 302
    assert [(note.body, note.tags) for note in notes_of(user)] == [("ab", "xy")]
    assert client.get(f"{CONFERENCE}/notebook?tag=%00").status_code == 200


@pytest.mark.parametrize(("change", "message"), [
    ({"rating": "9"}, "Not a valid choice."),
    ({"rating": "lots"}, "Invalid Choice: could not coerce."),
    ({"tags": "x" * 501}, "Field cannot be longer than 500 characters."),
])
def test_a_form_that_fails_validation_shows_the_text_again(client, logged_in, user, demo, change, message):
    body = "A long note I must not lose:\n\n- point one\n- point <two>"
    response = client.post(notes_url(STORAGE), data=note_form(body=body, **change))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "A long note I must not lose:\n\n- point one\n- point &lt;two&gt;</textarea>" in html
    assert message in text(response)
    assert "data-submitted" in html, "notes.js must not replace the text sent with an older draft"
    assert notes_of(user) == []


def test_edit_a_note(client, logged_in, user, demo):
    note = add(user, STORAGE, "Draft thought", 2, "storage",
               created_at=datetime(2011, 8, 17, 18, 5, tzinfo=UTC))
    form = client.get(f"/notes/{note.id}/edit")
    assert form.status_code == 200
    assert "Draft thought</textarea>" in form.get_data(as_text=True)
    assert '<option selected value="2">2 of 5</option>' in form.get_data(as_text=True)

    response = client.post(f"/notes/{note.id}/edit", data=note_form(body="Better thought", rating="", tags="kernel"))
    assert response.headers["Location"] == f"{talk_url(STORAGE)}#note-{note.id}"
    [note] = notes_of(user)
    assert (note.body, note.rating, note.tags) == ("Better thought", None, "kernel")
    assert note.updated_at > note.created_at
    page = text(client.get(talk_url(STORAGE)))
    assert "Note of 17 August 2011, 11:05 PDT" in page and "Edited" in page
    assert "Better thought" in page and "Draft thought" not in page


def test_edit_goes_back_where_it_came_from_but_only_on_this_site(client, logged_in, user, demo):
    note = add(user, STORAGE, "Thought")
    response = client.post(f"/notes/{note.id}/edit?next={CONFERENCE}/notebook", data=note_form())
    assert response.headers["Location"] == f"{CONFERENCE}/notebook"
    response = client.post(f"/notes/{note.id}/edit?next=https://evil.example/", data=note_form())
    assert response.headers["Location"] == "/"


def test_delete_a_note(client, logged_in, user, demo):
    keep = add(user, STORAGE, "Keep me")
    gone = add(user, STORAGE, "Delete me")
    response = client.post(f"/notes/{gone.id}/delete")
    assert response.headers["Location"] == f"{talk_url(STORAGE)}#notes"
    assert [note.id for note in notes_of(user)] == [keep.id]
    assert "Delete me" not in text(client.get(talk_url(STORAGE)))


def test_saving_tells_the_next_page_which_drafts_to_forget(client, logged_in, user, demo):
    client.post(notes_url(STORAGE), data=note_form())
    [note] = notes_of(user)
    assert f'data-forget-drafts="talk-{talk_titled(STORAGE).id}"' in client.get(talk_url(STORAGE)).get_data(as_text=True)
    assert "data-forget-drafts" not in client.get(talk_url(STORAGE)).get_data(as_text=True), "only once"
    client.post(f"/notes/{note.id}/edit?next={CONFERENCE}/notebook", data=note_form())
    assert f'data-forget-drafts="note-{note.id}"' in client.get(f"{CONFERENCE}/notebook").get_data(as_text=True)


# --- double submits ----------------------------------------------------------------------

def test_the_same_form_sent_twice_adds_one_note(client, logged_in, user, demo):
    form = note_form()
    first = client.post(notes_url(STORAGE), data=form)
    second = client.post(notes_url(STORAGE), data=form)
    [note] = notes_of(user)
    assert first.headers["Location"] == second.headers["Location"] == f"{talk_url(STORAGE)}#note-{note.id}"
    assert "This note was saved already; it was not added twice." in text(client.get(talk_url(STORAGE)))


def test_the_same_text_in_a_new_form_or_changed_text_is_a_new_note(client, logged_in, user, demo):
    form = note_form()
    client.post(notes_url(STORAGE), data=form)
    client.post(notes_url(STORAGE), data={**form, "body": "Changed before sending again"})
    client.post(notes_url(STORAGE), data={**form, "opened_at": utcnow().isoformat()})
    client.post(notes_url(KERNEL), data=form)
    assert len(notes_of(user)) == 4


def test_a_form_without_its_opening_time_is_still_guarded(client, logged_in, user, demo):
    for opened_at in ("", "yesterday", "2011-08-17T11:00:00"):  # missing, garbled, naive
        client.post(notes_url(STORAGE), data=note_form(opened_at=opened_at))
    assert len(notes_of(user)) == 1


@contextmanager
def in_thread_app_context(app):
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def test_two_copies_arriving_at_once_add_one_note(app, user, demo):
    """The first copy has added its note but not committed yet when the second arrives: the
    second waits for the first's lock, then finds its note."""
    user_id, talk_id = user.id, talk_titled(STORAGE).id
    content = NoteContent.clean("Sent twice", 3, "")
    opened_at = utcnow()
    first_added = threading.Event()
    results: dict[str, bool] = {}

    def send(name: str) -> None:
        with in_thread_app_context(app):
            if name == "second":
                first_added.wait(5)
            _, is_new = add_note(db.session.get(User, user_id), db.session.get(Talk, talk_id), content, opened_at)
            if name == "first":
                first_added.set()
                time.sleep(0.3)
            db.session.commit()
            results[name] = is_new

    threads = [threading.Thread(target=send, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {"first": True, "second": False}
    assert [note.body for note in notes_of(user)] == ["Sent twice"]


# --- privacy -----------------------------------------------------------------------------

def test_another_users_notes_are_404_on_every_route(client, auth, user, bob, demo):
    note = add(user, STORAGE, "Ada's private note", 5, "secret")
    auth.login("bob@example.org", "bob password")
    bobs = add(bob, STORAGE, "Bob's own note")
    highest = note.id + bobs.id + 10
    for note_id in [note.id, *range(1, highest)]:  # guessing ids finds nothing but one's own
        if note_id == bobs.id:
            continue
        assert client.get(f"/notes/{note_id}/edit").status_code == 404
        assert client.post(f"/notes/{note_id}/edit", data=note_form(body="Overwritten")).status_code == 404
        assert client.post(f"/notes/{note_id}/delete").status_code == 404
    [kept] = notes_of(user)
    assert (kept.body, kept.rating, kept.tags) == ("Ada's private note", 5, "secret")
    for url in (talk_url(STORAGE), f"{CONFERENCE}/notebook", f"{CONFERENCE}/notebook.md",
                f"{CONFERENCE}/notebook?tag=secret"):
        assert "Ada's private note" not in client.get(url).get_data(as_text=True), url
    assert "Bob's own note" in text(client.get(talk_url(STORAGE)))


def test_a_note_added_by_another_user_is_theirs(client, auth, user, bob, demo):
    auth.login("bob@example.org", "bob password")
    client.post(notes_url(STORAGE), data=note_form(body="Bob writes"))
    assert [note.body for note in notes_of(bob)] == ["Bob writes"] and notes_of(user) == []


def test_anonymous_visitors_cannot_read_or_change_notes(client, user, demo):
    note = add(user, STORAGE, "Ada's private note")
    response = client.get(f"/notes/{note.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post(f"/notes/{note.id}/delete").status_code == 302
    for url in (f"{CONFERENCE}/notebook", f"{CONFERENCE}/notebook.md"):
        assert client.get(url).status_code == 302, url
    response = client.post(f"/notes/{note.id}/edit", data=note_form(body="My edit"))
    assert response.status_code == 401
    assert "Ada's private note" not in text(response) and "STORAGE" not in text(response)
    [kept] = notes_of(user)
    assert kept.body == "Ada's private note"


def test_a_logged_out_user_gets_the_text_back(client, user, demo):
    response = client.post(notes_url(STORAGE), data=note_form(body="Typed while logged out"))
    assert response.status_code == 401
    assert "You are logged out, so your note was not saved." in text(response)
    assert "Typed while logged out</textarea>" in response.get_data(as_text=True)
    assert notes_of(user) == []


# --- CSRF --------------------------------------------------------------------------------

def token_on(page) -> str:
    return CSRF_TOKEN.search(page.get_data(as_text=True)).group(1)


def log_in_with_token(client) -> None:
    response = client.post("/login", data={"email": "ada@example.org", "password": "correct horse",
                                           "csrf_token": token_on(client.get("/login"))})
    assert response.status_code == 302


def signed_token(app, client, age: int = 0) -> str:
    """The client's CSRF token signed `age` seconds ago, as Flask-WTF signs it."""
    with client.session_transaction() as cookie_session:
        raw = cookie_session["csrf_token"]
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - age)
        return serializer.dumps(raw)


@pytest.fixture
def expired_token(app):
    """The client's CSRF token signed an hour longer ago than the instance accepts."""
    return lambda client: signed_token(app, client, age=app.config["WTF_CSRF_TIME_LIMIT"] + 3600)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
class TestExpiredForms:
    """With CSRF protection on, as in production."""

    def test_a_note_with_an_expired_token_comes_back_with_its_text(self, client, user, demo, expired_token):
        log_in_with_token(client)
        form = note_form(body="Written in a long talk", csrf_token=expired_token(client))
        url = notes_url(STORAGE)
        response = on_its_own(lambda: client.post(url, data=form))
        assert response.status_code == 400
        assert "This page was open too long, so your note was not saved." in text(response)
        html = response.get_data(as_text=True)
        assert "Written in a long talk</textarea>" in html and '<option selected value="4">' in html
        assert notes_of(user) == []
        again = client.post(url, data={**form, "csrf_token": token_on(response)})
        assert again.status_code == 302, "the form that came back sends"
        assert [note.body for note in notes_of(user)] == ["Written in a long talk"]

    def test_a_note_without_a_token_comes_back_with_its_text(self, client, user, demo):
        log_in_with_token(client)
        response = client.post(notes_url(STORAGE), data=note_form(body="No token"))
        assert response.status_code == 400 and "No token</textarea>" in response.get_data(as_text=True)
        assert notes_of(user) == []

    def test_an_edit_with_an_expired_token_comes_back_with_its_text(self, app, client, user, demo, expired_token):
        note = add(user, STORAGE, "Before")
        log_in_with_token(client)
        response = client.post(f"/notes/{note.id}/edit", data=note_form(body="After", csrf_token=expired_token(client)))
        assert response.status_code == 400 and "After</textarea>" in response.get_data(as_text=True)
        assert "Edit note on “What to Expect From Linux Storage”" in text(response)
        assert notes_of(user)[0].body == "Before"
        fresh = signed_token(app, client, age=0)
        assert client.post(f"/notes/{note.id}/edit", data=note_form(body="After", csrf_token=fresh)).status_code == 302
        assert notes_of(user)[0].body == "After", "the same token, signed now, is accepted"

    def test_an_expired_form_shows_nothing_of_another_users_note(self, client, user, bob, demo):
        note = add(bob, STORAGE, "Bob's note")
        log_in_with_token(client)
        assert client.post(f"/notes/{note.id}/edit", data=note_form(body="Mine?")).status_code == 404

    def test_a_logged_out_form_comes_back_with_its_text(self, client, user, demo):
        response = client.post(notes_url(STORAGE), data=note_form(body="Session gone"))
        assert response.status_code == 401 and "You are logged out" in text(response)
        assert "Session gone</textarea>" in response.get_data(as_text=True)

    def test_other_note_forms_without_a_token_change_nothing(self, client, user, demo):
        note = add(user, STORAGE, "Still here")
        log_in_with_token(client)
        response = client.post(f"/notes/{note.id}/delete", data={"next": talk_url(STORAGE)})
        assert response.status_code == 302 and response.headers["Location"] == talk_url(STORAGE)
        assert "This page was open too long, so nothing was changed: try again." in text(client.get(talk_url(STORAGE)))
        response = client.post(f"{CONFERENCE}/notebook/share")
        assert response.headers["Location"] == f"{CONFERENCE}/notebook"
        assert len(notes_of(user)) == 1 and db.session.scalar(sa.select(NoteShare)) is None

    def test_every_note_form_carries_a_token(self, client, user, demo):
        note = add(user, STORAGE, "A note")
        log_in_with_token(client)
        client.post(f"{CONFERENCE}/notebook/share", data={"csrf_token": token_on(client.get(f"{CONFERENCE}/notebook"))})
        for url in (talk_url(STORAGE), f"/notes/{note.id}/edit", f"{CONFERENCE}/notebook"):
            forms = re.findall(r"<form\b.*?</form>", client.get(url).get_data(as_text=True), re.S)
            posting = [form for form in forms if 'method="post"' in form]
            assert posting and all('name="csrf_token"' in form for form in posting), url


# --- the notebook ------------------------------------------------------------------------

@pytest.fixture
def notebook_notes(user, demo) -> None:
    """Ada's notes, added in another order than the programme's."""
    add(user, KERNEL, "Kernel: process", 3, "kernel history")
    add(user, STORAGE, "Storage: btrfs", 5, "storage")
    add(user, KEYNOTE, "Keynote: no rating", None, "history")
    add(user, STORAGE, "Storage: second note", 2, "")
    kvm = db.session.scalar(sa.select(Talk).join(Talk.conference).where(Conference.slug == "kvm-forum-2011"))
    add(user, kvm.title, "A KVM Forum note", 5, "storage")


def test_notebook_lists_my_notes_in_programme_order(client, logged_in, notebook_notes):
    page = text(client.get(f"{CONFERENCE}/notebook"))
    assert "My notebook: LinuxCon North America 2011" in page
    assert "4 notes on 3 sessions" in page
    order = [page.index(each) for each in (KEYNOTE, "Keynote: no rating", STORAGE, "Storage: btrfs",
                                           "Storage: second note", KERNEL, "Kernel: process")]
    assert order == sorted(order), "by session start (storage and kernel both at 11:00: by end, then id)"
    assert "A KVM Forum note" not in page
    assert "Wednesday 17 August 2011, 11:00–11:50 PDT · Georgia A · James Bottomley" in page


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("?tag=storage", ["Storage: btrfs"], ["Storage: second note", "Kernel: process", "Keynote: no rating"]),
    ("?tag=%23History", ["Kernel: process", "Keynote: no rating"], ["Storage: btrfs"]),
    ("?tag=hist", [], ["Kernel: process", "Keynote: no rating"]),
    ("?tag=%25", [], ["Kernel: process", "Storage: btrfs"]),
    ("?min_rating=3", ["Storage: btrfs", "Kernel: process"], ["Storage: second note", "Keynote: no rating"]),
    ("?min_rating=5&tag=storage", ["Storage: btrfs"], ["Kernel: process", "A KVM Forum note"]),
    ("?min_rating=9", ["Storage: btrfs", "Keynote: no rating"], []),
    ("?min_rating=many&tag=", ["Storage: btrfs", "Keynote: no rating"], []),
])
def test_notebook_filters(client, logged_in, notebook_notes, query, shown, hidden):
    page = text(client.get(f"{CONFERENCE}/notebook{query}"))
    assert all(note in page for note in shown), shown
    assert not any(note in page for note in hidden), hidden
    if not shown:
        assert "No notes match this filter." in page


def test_notebook_offers_my_tags_and_keeps_the_filter_in_the_export_link(client, logged_in, notebook_notes):
    html = client.get(f"{CONFERENCE}/notebook?tag=storage&min_rating=2").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"', html.split('id="filter-tag"')[1].split("</select>")[0])
    assert options == ["", "history", "kernel", "storage"], "not the KVM Forum's tags"
    assert '<option value="storage" selected>storage</option>' in html
    assert f'href="{CONFERENCE}/notebook.md?tag=storage&amp;min_rating=2"' in html
    assert f'href="{CONFERENCE}/notebook.md"' in client.get(f"{CONFERENCE}/notebook").get_data(as_text=True)


def test_an_empty_notebook_says_where_to_add_notes(client, logged_in, demo):
    assert "No notes on this conference yet." in text(client.get(f"{CONFERENCE}/notebook"))
    assert client.get("/c/no-such-conference/notebook").status_code == 404


@pytest.fixture
def tiny(user) -> Conference:
    """A small conference to export: two sessions in Berlin, one with a title full of Markdown."""
    conference = Conference(slug="tiny", name="Tiny *Conf*", timezone="Europe/Berlin",
                            start_date=date(2024, 9, 2), end_date=date(2024, 9, 2))
    hall, side = Room(name="Main hall", conference=conference), Room(name="Room 2", conference=conference)
    ana, bob = Speaker(name="Ana Lovelace", conference=conference), Speaker(name="Bob_Babbage", conference=conference)
    keynote = Talk(conference=conference, title="Opening keynote", room=hall,
                   starts_at=datetime(2024, 9, 2, 7, 0, tzinfo=UTC), ends_at=datetime(2024, 9, 2, 8, 0, tzinfo=UTC))
    rust = Talk(conference=conference, title="C# & *Rust* in [prod] #1", room=side,
                starts_at=datetime(2024, 9, 2, 9, 0, tzinfo=UTC), ends_at=datetime(2024, 9, 2, 9, 30, tzinfo=UTC))
    quiet = Talk(conference=conference, title="No notes here", room=None,
                 starts_at=datetime(2024, 9, 2, 8, 0, tzinfo=UTC), ends_at=datetime(2024, 9, 2, 8, 30, tzinfo=UTC))
    db.session.add_all([conference, hall, side, ana, bob, keynote, rust, quiet])
    db.session.flush()
    set_speakers(keynote, [ana, bob])
    set_speakers(rust, [bob])
    add(user, "C# & *Rust* in [prod] #1", "Too fast.", 2, "")
    add(user, "Opening keynote", "Great **start**.\n\n- one\n- two", 5, "inspiring keynote")
    add(user, "Opening keynote", "Second thought.", None, "")
    return conference


TINY_EXPORT = """\
# Tiny \\*Conf\\*: my notes

## Opening keynote

### Monday 2 September 2024, 09:00–10:00 CEST · Main hall · Ana Lovelace, Bob\\_Babbage

Rating: 5/5 · Tags: inspiring keynote

Great **start**.

- one
- two

* * *

Second thought.

## C\\# \\& \\*Rust\\* in \\[prod\\] \\#1

### Monday 2 September 2024, 11:00–11:30 CEST · Room 2 · Bob\\_Babbage

Rating: 2/5

Too fast.
"""


def test_notebook_export_as_markdown(client, logged_in, tiny):
    response = client.get("/c/tiny/notebook.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="tiny-notes.md"'
    assert response.get_data(as_text=True) == TINY_EXPORT


def test_the_export_reads_back_as_the_same_structure(user, tiny):
    from markdown_it import MarkdownIt
    add(user, "Opening keynote", "# Summary\n\nShort.\n\nDetails\n-------", None, "")
    tokens = MarkdownIt("commonmark").parse(notebook_markdown(tiny, notebook(user, tiny)))
    headings = [(token.tag, "".join(child.content for child in tokens[index + 1].children))
                for index, token in enumerate(tokens) if token.type == "heading_open"]
    assert headings == [
        ("h1", "Tiny *Conf*: my notes"),
        ("h2", "Opening keynote"), ("h3", "Monday 2 September 2024, 09:00–10:00 CEST · Main hall · Ana Lovelace, Bob_Babbage"),
        ("h4", "Summary"), ("h5", "Details"),  # the note's own headings, below the session's
        ("h2", "C# & *Rust* in [prod] #1"), ("h3", "Monday 2 September 2024, 11:00–11:30 CEST · Room 2 · Bob_Babbage"),
    ]


def test_notebook_export_follows_the_filter(client, logged_in, tiny):
    exported = client.get("/c/tiny/notebook.md?min_rating=5").get_data(as_text=True)
    assert "Great **start**." in exported
    assert "Second thought." not in exported and "Too fast." not in exported


def count_queries(client, url: str) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert on_its_own(lambda: client.get(url)).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def add_notes_on_every_session(user, numbers: range) -> None:
    talks = db.session.scalars(sa.select(Talk).join(Talk.conference).where(Conference.slug == "linuxcon-na-2011"))
    for talk in talks:
        for number in numbers:
            add_note(user, talk, NoteContent.clean(f"Note {number} on {talk.title}", 1 + number % 5, f"tag{number}"), None)
    db.session.commit()


def test_notebook_queries_do_not_grow_with_the_notes(client, logged_in, user, demo):
    add_notes_on_every_session(user, range(1))
    share = client.post(f"{CONFERENCE}/notebook/share")
    assert share.status_code == 302
    token = db.session.scalar(sa.select(NoteShare.token))
    few = {url: count_queries(client, url) for url in (
        f"{CONFERENCE}/notebook", f"{CONFERENCE}/notebook?tag=tag0", f"{CONFERENCE}/notebook.md", f"/shared/{token}")}
    add_notes_on_every_session(user, range(1, 3))
    many = {url: count_queries(client, url) for url in few}
    assert many == few
    assert len(notes_of(user)) == 3 * len(talk_titled(STORAGE).conference.talks)


def test_session_page_queries_do_not_grow_with_the_notes(client, logged_in, user, demo):
    add(user, STORAGE, "One", 3, "a b")
    few = count_queries(client, talk_url(STORAGE))
    for body in ("Two", "Three", "Four"):
        add(user, STORAGE, body, 4, "c d")
    assert count_queries(client, talk_url(STORAGE)) == few


# --- sharing -----------------------------------------------------------------------------

def shared_url() -> str:
    return f"/shared/{db.session.scalar(sa.select(NoteShare.token))}"


def test_share_a_notebook_read_only(app, client, logged_in, user, bob, notebook_notes):
    add(bob, STORAGE, "Bob's note on the same session")
    assert "Make a link to share" in text(client.get(f"{CONFERENCE}/notebook"))
    response = client.post(f"{CONFERENCE}/notebook/share")
    assert response.headers["Location"] == f"{CONFERENCE}/notebook#share"
    url = shared_url()
    notebook_page = client.get(f"{CONFERENCE}/notebook").get_data(as_text=True)
    assert f'value="http://localhost{url}"' in notebook_page
    assert client.post(f"{CONFERENCE}/notebook/share").status_code == 302
    assert shared_url() == url, "a second click shows the same link"

    response = as_stranger(app, url)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert "Notes on LinuxCon North America 2011 by Ada" in page
    assert "Storage: btrfs" in page and "Kernel: process" in page and "Rated 5 of 5" in page
    assert "A KVM Forum note" not in page and "Bob's note" not in page
    html = response.get_data(as_text=True)
    assert "/edit" not in html and "/delete" not in html and 'method="post"' not in html
    assert "ada@example.org" not in html, "the e-mail address is not shared"


def test_revoke_a_share_and_share_again(app, client, logged_in, user, notebook_notes):
    client.post(f"{CONFERENCE}/notebook/share")
    old = shared_url()
    assert as_stranger(app, old).status_code == 200
    response = client.post(f"{CONFERENCE}/notebook/share/revoke")
    assert response.headers["Location"] == f"{CONFERENCE}/notebook#share"
    assert as_stranger(app, old).status_code == 404
    assert "The link is revoked" in text(client.get(f"{CONFERENCE}/notebook"))
    client.post(f"{CONFERENCE}/notebook/share")
    new = shared_url()
    assert new != old
    assert as_stranger(app, new).status_code == 200 and as_stranger(app, old).status_code == 404


def test_wrong_tokens_are_404(client, logged_in, notebook_notes):
    client.post(f"{CONFERENCE}/notebook/share")
    token = shared_url().removeprefix("/shared/")
    for wrong in (token[:-1], token.upper(), token + "x", "x", "%00", "' OR '1'='1"):
        assert client.get(f"/shared/{wrong}").status_code == 404, wrong


def test_another_user_cannot_revoke_my_share(app, client, auth, user, bob, notebook_notes):
    auth.login()
    client.post(f"{CONFERENCE}/notebook/share")
    url = shared_url()
    auth.logout()
    auth.login("bob@example.org", "bob password")
    client.post(f"{CONFERENCE}/notebook/share/revoke")
    assert "Make a link to share" in text(client.get(f"{CONFERENCE}/notebook")), "bob has no link of his own"
    assert as_stranger(app, url).status_code == 200


def test_a_share_is_per_conference(app, client, logged_in, notebook_notes):
    client.post("/c/kvm-forum-2011/notebook/share")
    page = text(as_stranger(app, shared_url()))
    assert "A KVM Forum note" in page and "Storage: btrfs" not in page


# --- in a browser ------------------------------------------------------------------------

@pytest.mark.browser
def test_a_draft_survives_a_reload_and_goes_once_saved(page, live_server, demo):
    log_in(page, live_server, demo.email, demo.password)
    page.goto(f"{live_server}{talk_url(STORAGE)}")
    notes = page.get_by_role("region", name="My notes")
    notes.get_by_label("Note", exact=True).fill("Typed, then the tab closed")
    notes.get_by_label("Tags").fill("draft")
    page.reload()
    expect(notes.get_by_label("Note", exact=True)).to_have_value("Typed, then the tab closed")
    expect(notes.get_by_label("Tags")).to_have_value("draft")
    expect(notes.get_by_role("status")).to_contain_text("Your unsaved draft")

    notes.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note saved.")).to_be_visible()
    expect(notes.get_by_role("heading", level=3, name=re.compile("^Note of"))).to_have_count(1)
    expect(notes.get_by_label("Note", exact=True)).to_have_value("")
    page.reload()
    expect(notes.get_by_label("Note", exact=True)).to_have_value("")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tracker:note-draft:'))") == []

    page.once("dialog", lambda dialog: dialog.dismiss())
    notes.get_by_role("button", name=re.compile("^Delete")).click()
    expect(notes.get_by_role("heading", level=3, name=re.compile("^Note of"))).to_have_count(1)
    assert axe_violations(page) == []


@pytest.mark.browser
def test_hostile_markdown_runs_nothing_in_the_browser(page, live_server, demo):
    user = db.session.scalar(sa.select(User).where(User.email == demo.email))
    add(user, STORAGE, '<img src=x onerror="window.pwned=1">\n\n[click](jav&#x09;ascript:window.pwned=1)\n\n'
                       '![image](data:image/png;base64,iVBORw0KGgo=)')
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, demo.email, demo.password)
    page.goto(f"{live_server}{talk_url(STORAGE)}")
    expect(page.get_by_text('<img src=x onerror="window.pwned=1">')).to_be_visible()
    page.get_by_text("click", exact=True).click()
    page.get_by_text("image", exact=True).click()
    assert page.evaluate("window.pwned") is None and dialogs == []


@pytest.mark.browser
def test_the_notebook_reads_on_a_phone(phone, live_server, demo):
    user = db.session.scalar(sa.select(User).where(User.email == demo.email))
    add(user, STORAGE, "A note with a long link https://example.org/" + "x" * 120 + "\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        4, "storage btrfs")
    log_in(phone, live_server, demo.email, demo.password)
    phone.goto(f"{live_server}{CONFERENCE}/notebook")
    expect(phone.get_by_role("heading", level=1)).to_have_text("My notebook: LinuxCon North America 2011")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(phone) == []
