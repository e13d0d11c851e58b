"""The trip report: the Markdown drafted from one user's sessions, notes and write-ups, its
page and its download."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from pages import text

from tracker.extensions import db
from tracker.models import AgendaEntry
from tracker.models import Conference
from tracker.models import Note
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import TalkSpeaker
from tracker.models import WriteUp
from tracker.services.accounts import create_user
from tracker.services.writeups import trip_report
from tracker.tripreport import choose_sessions
from tracker.tripreport import date_range
from tracker.tripreport import latest_rating

EXPECTED = """\
# Trip report: Example Conf 2024

3–4 February 2024, ULB, Brussels

## Saturday 3 February 2024

### Storage \\*at\\* scale

Ana Ruiz, Bo Li · 10:00–10:45 CET · Janson

Rating: 4/5

Great *demo*.

- point one

Follow up with Bo.

Write-ups:

- [Notes from Example Conf](https://blog.example.org/example-2024) (blog post by Carl)
- [Recording](https://video.example.org/a%20b.webm) (from the schedule)
- [Slides of \\[Storage\\]](https://slides.example.org/a/) (slides)

### Late night hacking

01:30–02:15 CET · K.1.105

## Sunday 4 February 2024

### Closing

Ana Ruiz · 17:00–17:30 CET · Janson

Rating: 5/5

Short and sweet.
"""


def brussels(day: int, hour: int, minute: int = 0) -> datetime:
    """A February 2024 wall-clock time in Brussels."""
    return datetime(2024, 2, day, hour, minute, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def example(app, user):
    """Example Conf: Ada attended three sessions and skipped one; Bob planned two."""
    conference = Conference(slug="example-2024", name="Example Conf 2024", timezone="Europe/Brussels",
                            start_date=date(2024, 2, 3), end_date=date(2024, 2, 4), venue="ULB, Brussels",
                            day_change=time(4, 0))
    janson, k1 = Room(conference=conference, name="Janson"), Room(conference=conference, name="K.1.105")
    ana, bo = Speaker(conference=conference, name="Ana Ruiz"), Speaker(conference=conference, name="Bo Li")
    storage = Talk(conference=conference, title="Storage *at* scale", room=janson,
                   starts_at=brussels(3, 10), ends_at=brussels(3, 10, 45),
                   video_url="https://video.example.org/a b.webm", slides_url="https://slides.example.org/a",
                   speaker_links=[TalkSpeaker(speaker=ana, position=0), TalkSpeaker(speaker=bo, position=1)])
    late = Talk(conference=conference, title="Late night hacking", room=k1,
                starts_at=brussels(4, 1, 30), ends_at=brussels(4, 2, 15))
    closing = Talk(conference=conference, title="Closing", room=janson, starts_at=brussels(4, 17),
                   ends_at=brussels(4, 17, 30), speaker_links=[TalkSpeaker(speaker=ana)])
    skipped = Talk(conference=conference, title="Skipped talk", starts_at=brussels(4, 12), ends_at=brussels(4, 13))
    bob = create_user("bob@example.org", "bob password", display_name="Bob")
    db.session.add_all([conference, janson, k1, ana, bo, storage, late, closing, skipped])
    db.session.flush()
    db.session.add_all([
        AgendaEntry(user=user, talk=storage, status="attended"),
        AgendaEntry(user=user, talk=late, status="attended"),
        AgendaEntry(user=user, talk=closing, status="attended"),
        AgendaEntry(user=user, talk=skipped, status="skipped"),
        AgendaEntry(user=bob, talk=storage, status="going"),
        AgendaEntry(user=bob, talk=skipped, status="maybe"),
        Note(user=user, talk=storage, body="Great *demo*.\n\n- point one\n", rating=2,
             created_at=brussels(3, 10, 20), updated_at=brussels(3, 10, 20)),
        Note(user=user, talk=storage, body="Follow up with Bo.", rating=4,
             created_at=brussels(3, 10, 30), updated_at=brussels(3, 10, 30)),
        Note(user=user, talk=storage, body="  ", created_at=brussels(3, 11), updated_at=brussels(3, 11)),
        Note(user=user, talk=closing, body="Short and sweet.", rating=5,
             created_at=brussels(4, 17, 30), updated_at=brussels(4, 17, 30)),
        Note(user=bob, talk=storage, body="Bob's private thoughts", rating=1,
             created_at=brussels(3, 12), updated_at=brussels(3, 12)),
        WriteUp(url="https://blog.example.org/example-2024", title="Notes from Example Conf", author="Carl",
                published_on=date(2024, 2, 10), kind="blog_post", talks=[storage]),
        WriteUp(url="https://slides.example.org/a/", title="Slides of [Storage]", kind="slides", talks=[storage]),
    ])
    db.session.commit()
    return SimpleNamespace(conference=conference, ada=user, bob=bob)


def test_the_draft_of_attended_sessions_with_notes_and_writeups(example):
    report = trip_report(example.ada, example.conference)
    assert report.markdown == EXPECTED
    assert (report.source, report.session_count) == ("attended", 3)


def test_without_attended_sessions_the_planned_ones_and_only_ones_own_notes(example):
    report = trip_report(example.bob, example.conference)
    assert (report.source, report.session_count) == ("planned", 2)
    assert "### Storage \\*at\\* scale" in report.markdown and "### Skipped talk" in report.markdown
    assert "Bob's private thoughts" in report.markdown and "Rating: 1/5" in report.markdown
    assert "Great *demo*" not in report.markdown and "Follow up" not in report.markdown
    assert "Bob's private thoughts" not in trip_report(example.ada, example.conference).markdown


def test_nothing_planned_gives_an_empty_draft(example):
    carol = create_user("carol@example.org", "carol password")
    report = trip_report(carol, example.conference)
    assert report.source is None and report.session_count == 0
    assert report.markdown == ("# Trip report: Example Conf 2024\n\n3–4 February 2024, ULB, Brussels\n\n"
                               "No sessions marked attended, going or maybe yet.\n")


def test_the_page_shows_the_draft_to_edit(client, logged_in, example):
    response = client.get("/c/example-2024/trip-report")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Drafted from the 3 sessions you marked attended" in text(response)
    assert "Great *demo*." in page and "[Notes from Example Conf](https://blog.example.org/example-2024)" in page
    assert 'action="/c/example-2024/trip-report.md"' in page


def test_the_draft_downloads_as_markdown(client, logged_in, example):
    response = client.get("/c/example-2024/trip-report.md")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    assert response.headers["Content-Disposition"] == 'attachment; filename="example-2024-trip-report.md"'
    assert response.get_data(as_text=True) == EXPECTED


def test_the_edited_text_downloads_exactly(client, logged_in, example):
    edited = "# My trip\r\n\r\nSee <https://example.org/>, *really*  \r\nµ ✓\r\n\r\n"
    response = client.post("/c/example-2024/trip-report.md", data={"markdown": edited})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="example-2024-trip-report.md"'
    assert response.get_data(as_text=True) == edited.replace("\r\n", "\n")


def test_each_user_sees_a_draft_of_their_own_data(client, auth, example):
    auth.login("bob@example.org", "bob password")
    page = client.get("/c/example-2024/trip-report").get_data(as_text=True)
    assert "Bob&#39;s private thoughts" in page and "Great *demo*" not in page and "Short and sweet" not in page
    download = client.get("/c/example-2024/trip-report.md").get_data(as_text=True)
    assert "Bob's private thoughts" in download and "Follow up with Bo." not in download


def test_visitors_must_log_in(client, example):
    for url in ("/c/example-2024/trip-report", "/c/example-2024/trip-report.md"):
        assert client.get(url).headers["Location"].startswith("/login")
    response = client.post("/c/example-2024/trip-report.md", data={"markdown": "x"})
    assert response.headers["Location"].startswith("/login")


def test_unknown_conference_is_404(client, logged_in, example):
    assert client.get("/c/no-such-conference/trip-report").status_code == 404


def test_latest_rating_is_of_the_most_recently_changed_rated_note():
    def note(rating, updated):
        return SimpleNamespace(rating=rating, created_at=datetime(2024, 1, 1, tzinfo=UTC),
                               updated_at=datetime(2024, 1, updated, tzinfo=UTC))
    assert latest_rating([note(5, 3), note(2, 4), note(None, 9)]) == 2
    assert latest_rating([note(None, 1)]) is None and latest_rating([]) is None


def test_choose_sessions_prefers_attended():
    entries = [SimpleNamespace(status=status) for status in ("going", "attended", "maybe", "skipped")]
    assert choose_sessions(entries) == ([entries[1]], "attended")
    assert choose_sessions([entries[0], entries[2], entries[3]]) == ([entries[0], entries[2]], "planned")
    assert choose_sessions([entries[3]]) == ([], None)


@pytest.mark.parametrize(("start", "end", "shown"), [
    (date(2011, 8, 17), date(2011, 8, 17), "17 August 2011"),
    (date(2011, 8, 17), date(2011, 8, 19), "17–19 August 2011"),
    (date(2011, 8, 30), date(2011, 9, 2), "30 August – 2 September 2011"),
    (date(2011, 12, 30), date(2012, 1, 2), "30 December 2011 – 2 January 2012"),
])
def test_date_range(start, end, shown):
    assert date_range(start, end) == shown


def test_a_notes_headings_go_below_the_sessions():
    """A note's "# Summary" must not stand level with the report's title."""
    from tracker.tripreport import ReportedSession
    from tracker.tripreport import draft
    conference = SimpleNamespace(name="Example", start_date=date(2024, 2, 3), end_date=date(2024, 2, 3),
                                 venue="", zone=ZoneInfo("Europe/Brussels"), day_change=time(0))
    talk = SimpleNamespace(title="Storage", starts_at=brussels(3, 10), ends_at=brussels(3, 11), room=None,
                           speakers=[], is_cancelled=False)
    note = SimpleNamespace(body="# Summary\n\nFast.\n\n## Details\n\n```\n# not a heading\n```",
                           rating=None, created_at=brussels(3, 11), updated_at=brussels(3, 11))
    report = draft(conference, [ReportedSession(talk=talk, notes=[note], writeups=[])])
    headings = [line for line in report.splitlines() if line.startswith("#")]
    assert headings == ["# Trip report: Example", "## Saturday 3 February 2024", "### Storage",
                        "#### Summary", "##### Details", "# not a heading"]
