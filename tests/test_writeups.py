"""Write-ups: adding, editing, unlinking and deleting them; the pages that list them; the
suggest-and-tick form; imported recording and slide links; queries per page."""

import re
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import new_page
from pages import axe_violations
from pages import log_in
from pages import text
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import TalkSpeaker
from tracker.models import WriteUp
from tracker.services.writeups import comparable_url

SEED = Path(__file__).parent / "resources" / "xen-at-linuxcon-2011.txt"
STORAGE = "What to Expect From Linux Storage"
KVM = "Optimizing Performance of Persistent Data Storage in KVM-based Clouds"
GALA = "LinuxCon Gala: the Roaring 20's"


def talk_titled(title: str) -> Talk:
    return db.session.scalar(sa.select(Talk).where(Talk.title == title))


def writeup_titled(title: str) -> WriteUp | None:
    return db.session.scalar(sa.select(WriteUp).where(WriteUp.title == title))


def form(*talks: Talk, action="save", **change) -> dict:
    data = {"url": "https://blog.example.org/linuxcon", "title": "My LinuxCon", "author": "Ada",
            "published_on": "2011-08-30", "kind": "blog_post", "excerpt": "", "text": "", "find": "",
            "shown_ids": "", "action": action, "talk_ids": [str(talk.id) for talk in talks]}
    data.update(change)
    return data


@contextmanager
def counted_queries():
    """Count the SQL statements run inside the block: `with counted_queries() as count: ...; count()`."""
    statements = []

    def count(*args) -> None:
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield lambda: len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_add_a_writeup_about_sessions_of_two_conferences(client, logged_in, user, demo):
    storage, kvm = talk_titled(STORAGE), talk_titled(KVM)
    response = client.post("/writeups/new", data=form(storage, kvm, excerpt="Storage everywhere."))
    writeup = writeup_titled("My LinuxCon")
    assert response.status_code == 302 and response.headers["Location"] == f"/writeups/{writeup.id}"
    assert [talk.title for talk in writeup.talks] == [KVM, STORAGE], "in time order"
    assert (writeup.url, writeup.author, writeup.published_on, writeup.kind, writeup.excerpt, writeup.added_by) == (
        "https://blog.example.org/linuxcon", "Ada", date(2011, 8, 30), "blog_post", "Storage everywhere.", user)
    page = text(client.get(response.headers["Location"]))
    assert "My LinuxCon Address https://blog.example.org/linuxcon Kind Blog post Author Ada " \
           "Published 30 August 2011 Added by Ada" in page
    assert "Sessions it is about KVM Forum 2011 Tue 16 Aug, 11:00 PDT " + KVM + " Khoa Huynh" in page
    assert "LinuxCon North America 2011 Wed 17 Aug, 11:00 PDT " + STORAGE + " James Bottomley · Georgia A" in page


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"url": "not a url"}, "url", "Enter a web address starting with http:// or https://."),
    ({"url": "javascript:alert(document.cookie)"}, "url", "Enter a web address starting with http:// or https://."),
    ({"url": "JavaScript://example.org/%0aalert(1)"}, "url", "Enter a web address starting with http:// or https://."),
    ({"url": "ftp://example.org/slides.pdf"}, "url", "Enter a web address starting with http:// or https://."),
    ({"url": ""}, "url", "This field is required."),
    ({"title": "  "}, "title", "This field is required."),
    ({"kind": "poem"}, "kind", "Not a valid choice."),
    ({"published_on": "30/08/2011"}, "published_on", "Not a valid date value."),
    ({"url": "HTTP://XenProject.org/2011/08/25/xen-linuxcon-2011"}, "url",
     "This address is already a write-up, “Xen @ LinuxCon 2011”: edit that one to link it to more sessions."),
])
def test_invalid_writeups_are_refused_with_the_reason(client, logged_in, demo, change, field, message):
    response = client.post("/writeups/new", data=form(talk_titled(STORAGE), **change))
    assert response.status_code == 200
    assert f'<p class="error" id="{field}-error">{message}</p>' in response.get_data(as_text=True)
    assert writeup_titled(change.get("title", "My LinuxCon")) is None
    assert db.session.scalar(sa.select(sa.func.count(WriteUp.id))) == 1, "only the demo's"


def test_a_talk_that_vanished_meanwhile_is_refused(client, logged_in, demo):
    response = client.post("/writeups/new", data=form(talk_titled(STORAGE), talk_ids=["987654"]))
    assert "A session you ticked no longer exists" in text(response)
    assert writeup_titled("My LinuxCon") is None


def test_edit_unticks_and_ticks_sessions(client, logged_in, demo):
    writeup = writeup_titled("Xen @ LinuxCon 2011")
    storage, gala = talk_titled(STORAGE), talk_titled(GALA)
    page = client.get(f"/writeups/{writeup.id}/edit").get_data(as_text=True)
    assert f'name="talk_ids" value="{storage.id}" id="talk-{storage.id}" checked' in page
    assert 'value="https://xenproject.org/2011/08/25/xen-linuxcon-2011/"' in page
    response = client.post(f"/writeups/{writeup.id}/edit", data=form(
        storage, gala, url=writeup.url, title="Xen at LinuxCon 2011", kind="trip_report"))
    assert response.status_code == 302
    db.session.expire_all()
    writeup = db.session.get(WriteUp, writeup.id)
    assert writeup.title == "Xen at LinuxCon 2011" and writeup.kind == "trip_report"
    assert [talk.title for talk in writeup.talks] == [STORAGE, GALA]
    assert talk_titled(KVM) is not None


def test_unlink_and_delete_keep_the_sessions(client, logged_in, demo):
    writeup = writeup_titled("Xen @ LinuxCon 2011")
    storage = talk_titled(STORAGE)
    session_page = f"/c/linuxcon-na-2011/talks/{storage.id}"
    response = client.post(f"/writeups/{writeup.id}/talks/{storage.id}/unlink", data={"next": session_page})
    assert response.headers["Location"] == session_page
    assert "Write-ups Nothing linked yet." in text(client.get(session_page))
    db.session.expire_all()
    assert [talk.title for talk in db.session.get(WriteUp, writeup.id).talks] == [KVM]

    response = client.post(f"/writeups/{writeup.id}/delete")
    assert response.headers["Location"] == "/writeups/"
    assert db.session.get(WriteUp, writeup.id) is None
    assert talk_titled(STORAGE) is not None and talk_titled(KVM) is not None
    assert client.get(f"/writeups/{writeup.id}").status_code == 404


def test_unlink_redirects_only_within_the_site(client, logged_in, demo):
    writeup = writeup_titled("Xen @ LinuxCon 2011")
    response = client.post(f"/writeups/{writeup.id}/talks/{talk_titled(STORAGE).id}/unlink",
                           data={"next": "https://evil.example.org/"})
    assert response.headers["Location"] == "/"


def test_visitors_read_but_do_not_change_writeups(client, demo):
    writeup = writeup_titled("Xen @ LinuxCon 2011")
    page = text(client.get(f"/writeups/{writeup.id}"))
    assert "Xen @ LinuxCon 2011" in page and STORAGE in page
    assert "Unlink" not in page and "Delete" not in page and "Edit write-up" not in page
    for url in ("/writeups/new", f"/writeups/{writeup.id}/edit"):
        assert client.get(url).status_code == 302
    for url in (f"/writeups/{writeup.id}/delete", f"/writeups/{writeup.id}/talks/{talk_titled(KVM).id}/unlink"):
        assert client.post(url).headers["Location"].startswith("/login")
    assert len(writeup_titled("Xen @ LinuxCon 2011").talks) == 2


CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_every_form_carries_a_csrf_token_and_posts_without_it_are_refused(client, user, demo, app_config):
    token = CSRF_TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": "ada@example.org", "password": "correct horse", "csrf_token": token})
    writeup = writeup_titled("Xen @ LinuxCon 2011")
    storage = talk_titled(STORAGE)
    for url in ("/writeups/new", f"/writeups/{writeup.id}", f"/writeups/{writeup.id}/edit",
                f"/c/linuxcon-na-2011/talks/{storage.id}", "/c/linuxcon-na-2011/trip-report"):
        forms = re.findall(r"<form\b.*?</form>", client.get(url).get_data(as_text=True), re.S)
        posting = [form for form in forms if 'method="post"' in form]
        assert posting and all(CSRF_TOKEN.search(form) for form in posting), url

    assert client.post("/writeups/new", data=form(storage)).status_code == 400
    assert client.post(f"/writeups/{writeup.id}/delete").status_code == 400
    assert client.post(f"/writeups/{writeup.id}/talks/{storage.id}/unlink").status_code == 400
    assert client.post("/c/linuxcon-na-2011/trip-report.md", data={"markdown": "x"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(WriteUp.id))) == 1
    assert len(writeup_titled("Xen @ LinuxCon 2011").talks) == 2
    assert client.post("/writeups/new", data=form(storage, csrf_token=token)).status_code == 302


def test_writeup_text_is_escaped(client, logged_in, demo):
    client.post("/writeups/new", data=form(talk_titled(STORAGE), title="<script>alert(1)</script>",
                                           excerpt="<img src=x onerror=alert(1)>"))
    for url in ("/writeups/", f"/c/linuxcon-na-2011/talks/{talk_titled(STORAGE).id}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
        assert "<img src=x" not in page


def test_the_add_form_suggests_the_sessions_a_pasted_text_mentions(client, logged_in, demo):
    linuxcon = talk_titled(STORAGE).conference
    response = client.post("/writeups/new", data=form(
        action="suggest", url="", title="", text=SEED.read_text(encoding="utf-8"),
        conference_ids=[str(linuxcon.id)]))
    assert response.status_code == 200 and writeup_titled("") is None
    page = response.get_data(as_text=True)
    storage, gala, conversation = (talk_titled(STORAGE), talk_titled(GALA),
                                   talk_titled("Linus Torvalds in Conversation with Greg Kroah-Hartman"))
    assert page.index(f'value="{storage.id}"') < page.index(f'value="{gala.id}"') < page.index(
        f'value="{conversation.id}"'), "best first"
    assert f'value="{storage.id}" id="talk-{storage.id}" checked' in page
    assert f'value="{conversation.id}" id="talk-{conversation.id}">' in page, "a speaker named alone is not ticked"
    assert f'value="{talk_titled(KVM).id}"' not in page, "another conference's session"
    shown = text(response)
    assert "3 sessions suggested" in shown
    assert "Suggested, 100%: title matched; speaker named: James Bottomley" in shown
    assert "Suggested, 40%: speaker named: Linus Torvalds" in shown


def test_suggesting_again_keeps_what_the_user_unticked(client, logged_in, demo):
    storage, gala = talk_titled(STORAGE), talk_titled(GALA)
    response = client.post("/writeups/new", data=form(
        action="suggest", text=SEED.read_text(encoding="utf-8"), talk_ids=[str(storage.id)],
        shown_ids=f"{storage.id} {gala.id}"))
    page = response.get_data(as_text=True)
    assert f'value="{gala.id}" id="talk-{gala.id}">' in page, "unticked before, stays unticked"
    assert f'value="{talk_titled(KVM).id}" id="talk-{talk_titled(KVM).id}" checked' in page, "newly suggested"


def test_search_by_title_or_speaker_offers_more_sessions(client, logged_in, demo):
    stable = talk_titled("The Stable Kernel Tree")
    response = client.post("/writeups/new", data=form(action="suggest", find="stable kernel"))
    page = response.get_data(as_text=True)
    assert f'value="{stable.id}" id="talk-{stable.id}">' in page
    assert "Matches your search" in text(response)
    response = client.post("/writeups/new", data=form(action="suggest", find="no such thing"))
    assert "No session matches “no such thing”." in text(response)


def test_suggest_then_save(client, logged_in, demo):
    seed = SEED.read_text(encoding="utf-8")
    page = client.post("/writeups/new", data=form(action="suggest", text=seed)).get_data(as_text=True)
    ticked = [talk.id for talk in db.session.scalars(sa.select(Talk))
              if f'value="{talk.id}" id="talk-{talk.id}" checked' in page]
    client.post("/writeups/new", data=form(text=seed, talk_ids=[str(i) for i in ticked]))
    titles = [talk.title for talk in writeup_titled("My LinuxCon").talks]
    assert titles[:1] == [KVM] and STORAGE in titles


def test_add_from_a_session_page_ticks_that_session(client, logged_in, demo):
    storage = talk_titled(STORAGE)
    session = client.get(f"/c/linuxcon-na-2011/talks/{storage.id}").get_data(as_text=True)
    assert f'href="/writeups/new?talk={storage.id}"' in session
    page = client.get(f"/writeups/new?talk={storage.id}").get_data(as_text=True)
    assert f'value="{storage.id}" id="talk-{storage.id}" checked' in page
    assert f'name="conference_ids" value="{storage.conference_id}" checked' in page


def test_session_and_speaker_pages_list_the_writeups(client, demo):
    storage = talk_titled(STORAGE)
    writeup = writeup_titled("Xen @ LinuxCon 2011")
    session = client.get(f"/c/linuxcon-na-2011/talks/{storage.id}").get_data(as_text=True)
    assert f'href="/writeups/{writeup.id}"' in session
    speaker = storage.speakers[0]
    page = text(client.get(f"/c/linuxcon-na-2011/speakers/{speaker.id}"))
    assert ("Write-ups about these sessions Xen @ LinuxCon 2011 trip report by Xen Project blog, "
            f"25 August 2011; about {STORAGE} About this write-up") in page


def writeups_section(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index('<section aria-labelledby="writeups">'):].split("</section>")[0]


def test_imported_recording_and_slides_are_listed_once(client, logged_in, demo):
    storage = talk_titled(STORAGE)
    storage.video_url = "https://video.example.org/storage.webm"
    storage.slides_url = "https://slides.example.org/storage/"
    db.session.commit()
    session_url = f"/c/linuxcon-na-2011/talks/{storage.id}"
    page = text(client.get(session_url))
    assert "Recording recording, from the schedule" in page and "Slides slides, from the schedule" in page

    client.post("/writeups/new", data=form(storage, url="http://SLIDES.example.org/storage", title="Storage slides",
                                           kind="slides", author="James Bottomley", published_on=""))
    html = writeups_section(client.get(session_url))
    assert html.count('href="http://SLIDES.example.org/storage"') == 1
    assert "slides.example.org/storage/" not in html, "the schedule's link gave way to the one added by hand"
    assert html.count('href="https://video.example.org/storage.webm"') == 1
    html = client.get(f"/c/linuxcon-na-2011/speakers/{storage.speakers[0].id}").get_data(as_text=True)
    assert html.count('href="http://SLIDES.example.org/storage"') == 1
    assert html.count('href="https://video.example.org/storage.webm"') == 1
    assert "slides.example.org/storage/" not in html
    assert db.session.scalar(sa.select(sa.func.count(WriteUp.id))) == 2, "no rows for imported links"


def test_comparable_urls():
    assert comparable_url("HTTPS://Example.org/a/") == comparable_url("http://example.org/a#part")
    assert comparable_url("https://example.org/a") != comparable_url("https://example.org/a?page=2")
    assert comparable_url("https://example.org/A") != comparable_url("https://example.org/a")


def add_talks(count: int, conference) -> list[Talk]:
    """`count` more sessions with a speaker each, copies of the storage talk's time and room."""
    storage = talk_titled(STORAGE)
    talks = []
    for number in range(count):
        speaker = Speaker(conference=conference, name=f"Speaker {number}")
        db.session.add(speaker)
        talks.append(Talk(conference=conference, title=f"Extra {number}", starts_at=storage.starts_at,
                          ends_at=storage.ends_at, room=storage.room,
                          speaker_links=[TalkSpeaker(speaker=speaker)]))
    db.session.add_all(talks)
    db.session.commit()
    return talks


def test_writeup_page_in_a_constant_number_of_queries(client, logged_in, demo):
    writeup = writeup_titled("Xen @ LinuxCon 2011")
    url = f"/writeups/{writeup.id}"
    with counted_queries() as few:
        assert client.get(url).status_code == 200
    extra = add_talks(5, talk_titled(KVM).conference) + add_talks(3, talk_titled(STORAGE).conference)
    writeup.talks.extend(extra)
    db.session.commit()
    with counted_queries() as many:
        page = text(client.get(url))
    assert "Extra 4 Speaker 4" in page and "Extra 2 Speaker 2" in page
    assert many() == few()


def test_session_writeups_in_a_constant_number_of_queries(client, logged_in, demo):
    storage = talk_titled(STORAGE)
    url = f"/c/linuxcon-na-2011/talks/{storage.id}"
    db.session.expire_all()  # both requests load the session afresh, as in production
    with counted_queries() as one:
        client.get(url)
    for number in range(4):
        db.session.add(WriteUp(url=f"https://blog.example.org/{number}", title=f"Post {number}", talks=[storage]))
    storage.video_url = "https://video.example.org/storage.webm"
    db.session.commit()
    db.session.expire_all()
    with counted_queries() as five:
        page = text(client.get(url))
    assert "Post 3" in page and "Recording" in page
    assert five() == one()


@pytest.mark.browser
def test_suggest_tick_and_save_in_a_browser_without_javascript(browser, live_server, demo):
    page = new_page(browser, java_script_enabled=False)
    log_in(page, live_server, demo.email, demo.password)
    page.goto(f"{live_server}/c/linuxcon-na-2011/talks/{talk_titled(STORAGE).id}")
    page.get_by_role("link", name="Add a write-up about this session").click()
    expect(page.get_by_role("checkbox", name=STORAGE)).to_be_checked()
    page.get_by_label("Address").fill("https://blog.example.org/xen-linuxcon")
    page.get_by_label("Title", exact=True).fill("Xen at LinuxCon, again")
    page.get_by_label("Text to find sessions in").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_role("checkbox", name="KVM Forum 2011").check()
    page.get_by_role("button", name="Suggest sessions").click()

    expect(page.get_by_role("status")).to_contain_text("sessions suggested, likeliest first")
    expect(page.get_by_role("checkbox", name=KVM)).to_be_checked()
    expect(page.get_by_role("checkbox", name=STORAGE)).to_be_checked()
    page.get_by_role("checkbox", name=GALA).uncheck()
    page.get_by_role("checkbox", name="Device Emulation BoF").uncheck()
    expect(page.get_by_role("checkbox", name="Linus Torvalds in Conversation")).not_to_be_checked()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Xen at LinuxCon, again", level=1)).to_be_visible()
    sessions = page.get_by_role("region", name="Sessions it is about")
    expect(sessions.get_by_role("link")).to_have_text([KVM, STORAGE])
    page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1000, 360])
def test_writeup_pages_are_accessible_and_fit_a_phone(browser, live_server, demo, width):
    page = new_page(browser, viewport={"width": width, "height": 800})
    log_in(page, live_server, demo.email, demo.password)
    writeup = writeup_titled("Xen @ LinuxCon 2011")
    page.goto(f"{live_server}/writeups/new")
    page.get_by_label("Text to find sessions in").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Suggest sessions").click()
    expect(page.get_by_role("checkbox", name=STORAGE)).to_be_checked()
    for url in (None, f"/writeups/{writeup.id}", "/writeups/", f"/writeups/{writeup.id}/edit",
                "/c/linuxcon-na-2011/trip-report", f"/c/linuxcon-na-2011/talks/{talk_titled(STORAGE).id}"):
        if url:
            page.goto(live_server + url)
        assert axe_violations(page) == [], url or "the suggestions"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url or "the suggestions"
    page.context.close()
