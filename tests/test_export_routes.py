"""Export URLs, the CLI export, and agenda feeds: tokens, revocation, conditional requests."""

from datetime import UTC
from datetime import datetime

import icalendar
import pytest
import sqlalchemy as sa
import vobject
from pages import text

from tracker.extensions import db
from tracker.models import AgendaEntry
from tracker.models import Talk
from tracker.services.accounts import create_user


def events(response) -> list:
    """The VEVENTs as icalendar reads them, once vobject (a second, independent parser)
    has read the same events at the same instants."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    found = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    second = vobject.readOne(response.data.decode("utf-8")).contents.get("vevent", [])
    assert sorted((e.uid.value, e.dtstart.value, e.dtend.value) for e in second) == sorted(
        (str(e["UID"]), e.decoded("DTSTART"), e.decoded("DTEND")) for e in found)
    return found


def talk_titled(title: str) -> Talk:
    return db.session.scalar(sa.select(Talk).where(Talk.title == title))


def test_conference_track_and_day_exports(client, demo):
    assert len(events(client.get("/c/linuxcon-na-2011/schedule.ics"))) == 10
    storage = events(client.get("/c/linuxcon-na-2011/schedule.ics?track=Storage"))
    assert [str(e["SUMMARY"]) for e in storage] == ["What to Expect From Linux Storage"]
    thursday = events(client.get("/c/linuxcon-na-2011/schedule.ics?day=2011-08-18"))
    assert len(thursday) == 4
    assert client.get("/c/linuxcon-na-2011/schedule.ics?track=Nope").status_code == 404
    assert client.get("/c/linuxcon-na-2011/schedule.ics?day=18.08.2011").status_code == 404
    assert client.get("/c/nope/schedule.ics").status_code == 404


def test_frab_exports_are_served(client, demo):
    xml = client.get("/c/kvm-forum-2011/schedule.xml")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert b"Optimizing Performance of Persistent Data Storage" in xml.data
    data = client.get("/c/kvm-forum-2011/schedule.json")
    assert data.mimetype == "application/json"
    assert data.json["schedule"]["conference"]["title"] == "KVM Forum 2011"


def test_session_export(client, demo):
    talk = talk_titled("What to Expect From Linux Storage")
    (event,) = events(client.get(f"/c/linuxcon-na-2011/talks/{talk.id}.ics"))
    assert str(event["UID"]) == talk.uid
    assert event.decoded("DTSTART") == datetime(2011, 8, 17, 18, 0, tzinfo=UTC)
    assert client.get(f"/c/kvm-forum-2011/talks/{talk.id}.ics").status_code == 404
    page = client.get(f"/c/linuxcon-na-2011/talks/{talk.id}").get_data(as_text=True)
    assert f'href="/c/linuxcon-na-2011/talks/{talk.id}.ics"' in page


@pytest.fixture
def agenda(demo, user):
    """Ada goes to Bottomley's talk, may go to the gala; Bob goes to the kernel talk."""
    bob = create_user("bob@example.org", "bob password")
    plans = [(user, "What to Expect From Linux Storage", "going"), (user, "LinuxCon Gala: the Roaring 20's", "maybe"),
             (user, "The Stable Kernel Tree", "skipped"), (bob, "20 Years of Kernel Development", "going")]
    talks = {title: talk_titled(title) for _, title, _ in plans}
    db.session.add_all([AgendaEntry(user=who, talk=talks[title], status=status) for who, title, status in plans])
    db.session.commit()
    return user


def feed(client, user, **params):
    return client.get(f"/feeds/{user.feed_token}/agenda.ics", query_string=params)


def test_feed_needs_only_the_token_and_holds_only_that_users_agenda(client, agenda):
    response = feed(client, agenda)
    assert "private" in response.headers["Cache-Control"]
    by_title = {str(e["SUMMARY"]): str(e["STATUS"]) for e in events(response)}
    assert by_title == {"What to Expect From Linux Storage": "CONFIRMED",
                        "LinuxCon Gala: the Roaring 20's": "TENTATIVE",
                        "The Stable Kernel Tree": "CANCELLED"}  # skipped
    going = {str(e["SUMMARY"]): str(e["STATUS"]) for e in events(feed(client, agenda, only="going"))}
    assert going == {"What to Expect From Linux Storage": "CONFIRMED",
                     "LinuxCon Gala: the Roaring 20's": "CANCELLED", "The Stable Kernel Tree": "CANCELLED"}


def test_what_leaves_the_agenda_stays_in_the_feed_cancelled(client, agenda, auth):
    """A calendar app removes an event only when the feed says it is cancelled."""
    storage = talk_titled("What to Expect From Linux Storage")
    auth.login()
    client.post(f"/plan/{storage.id}", data={"status": "none"})
    (event,) = [e for e in events(feed(client, agenda)) if str(e["SUMMARY"]) == storage.title]
    assert str(event["STATUS"]) == "CANCELLED" and not event.walk("VALARM")
    assert str(event["DESCRIPTION"]).startswith("Not in your agenda any more.")
    assert str(event["UID"]) == storage.uid
    client.post(f"/plan/{storage.id}", data={"status": "attended"})
    (event,) = [e for e in events(feed(client, agenda)) if str(e["SUMMARY"]) == storage.title]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Not in your agenda" not in str(event["DESCRIPTION"])


def test_a_session_taken_out_then_brought_back_by_a_backup_is_in_the_feed_once(client, agenda):
    """A backup stepping in (apply_backups) makes an entry without going through set_plan."""
    from tracker.models import AgendaRemoval
    storage = talk_titled("What to Expect From Linux Storage")
    db.session.add(AgendaRemoval(user_id=agenda.id, talk_id=storage.id))
    db.session.commit()
    uids = [str(e["UID"]) for e in events(feed(client, agenda))]
    assert uids.count(storage.uid) == 1 and len(uids) == len(set(uids))


def test_wrong_and_revoked_tokens_get_404(client, agenda, auth):
    assert client.get("/feeds/not-a-token/agenda.ics").status_code == 404
    old = agenda.feed_token
    auth.login()
    page = client.get("/settings/").get_data(as_text=True)
    assert f'value="http://localhost/feeds/{old}/agenda.ics"' in page
    assert f'href="webcal://localhost/feeds/{old}/agenda.ics"' in page
    client.post("/settings/feed-token")
    db.session.refresh(agenda)
    assert agenda.feed_token != old
    assert client.get(f"/feeds/{old}/agenda.ics").status_code == 404
    assert feed(client, agenda).status_code == 200


def test_feed_answers_conditional_requests(client, agenda):
    first = feed(client, agenda)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert feed(client, agenda).data == first.data, "the same agenda gives the same bytes"
    again = client.get(f"/feeds/{agenda.feed_token}/agenda.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get(f"/feeds/{agenda.feed_token}/agenda.ics", headers={"If-Modified-Since": modified})
    assert since.status_code == 304

    talk = talk_titled("What to Expect From Linux Storage")
    talk.title = "What to Expect From Linux Storage (updated)"
    db.session.commit()
    changed = client.get(f"/feeds/{agenda.feed_token}/agenda.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize("change", ["entry removed", "reminder", "room renamed", "venue", "left the track"])
def test_last_modified_follows_every_change(client, agenda, change):
    """Clients that send only If-Modified-Since must see changes that leave no newer row
    in the file: an agenda entry taken out, a setting, a room or venue renamed, a session
    leaving the exported track."""
    storage = talk_titled("What to Expect From Linux Storage")
    url = (f"/c/linuxcon-na-2011/schedule.ics?track={storage.track.name}" if change == "left the track"
           else f"/feeds/{agenda.feed_token}/agenda.ics")
    before = client.get(url)
    assert client.get(url, headers={"If-Modified-Since": before.headers["Last-Modified"]}).status_code == 304
    if change == "entry removed":
        db.session.execute(sa.delete(AgendaEntry).where(AgendaEntry.talk_id == storage.id))
    elif change == "reminder":
        agenda.reminder_minutes = 10
    elif change == "room renamed":
        storage.room.name = "Grand Ballroom"
    elif change == "venue":
        storage.conference.venue = "Vancouver Convention Centre"
    else:
        storage.track = None
    db.session.commit()
    after = client.get(url, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200 and after.data != before.data
    assert after.last_modified > before.last_modified
    assert client.get(url, headers={"If-Modified-Since": after.headers["Last-Modified"]}).status_code == 304


def test_a_non_ascii_track_name_gives_an_ascii_file_name(client, demo):
    storage = talk_titled("What to Expect From Linux Storage")
    storage.track.name = "Speicher 日本 & Co"
    db.session.commit()
    response = client.get("/c/linuxcon-na-2011/schedule.ics", query_string={"track": "Speicher 日本 & Co"})
    assert response.headers["Content-Disposition"] == 'inline; filename="linuxcon-na-2011-speicher-co.ics"'
    response.headers["Content-Disposition"].encode("ascii")


def test_settings_reminder_reaches_the_feed(client, agenda, auth):
    auth.login()
    response = client.post("/settings/", data={"display_name": "Ada L.", "timezone": "Europe/London",
                                                "reminder_minutes": "15"})
    assert response.status_code == 302
    for event in events(feed(client, agenda)):
        if str(event["STATUS"]) == "CANCELLED":  # the skipped session: nothing to remind of
            assert not event.walk("VALARM")
            continue
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("TRIGGER").total_seconds() == -15 * 60
    bad = client.post("/settings/", data={"timezone": "Middle/Earth", "reminder_minutes": "-5"})
    assert "is not an IANA time zone" in text(bad) and "Between 0 and 1440 minutes." in text(bad)


def test_cli_export(runner, demo, tmp_path):
    output = tmp_path / "linuxcon.ics"
    result = runner.invoke(args=["export", "linuxcon-na-2011", "--format", "ics", "--output", str(output)])
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(output.read_bytes())
    assert len(calendar.walk("VEVENT")) == 10
    assert "http://127.0.0.1:5000/c/linuxcon-na-2011/talks/" in output.read_text()
    result = runner.invoke(args=["export", "linuxcon-na-2011", "--format", "xml"])
    assert result.exit_code == 0 and "<schedule" in result.output
    result = runner.invoke(args=["export", "nope"])
    assert result.exit_code == 1 and "no conference has the short name nope" in result.output
