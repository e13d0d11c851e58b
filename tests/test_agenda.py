"""The agenda pages and services: my agenda with clashes, alternatives, free time and
backups; what re-imports changed; now and next with an injected clock; and never another
user's plans. With the demo, an imported sample and a small schedule across a change of
daylight saving time."""

import re
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user
from pages import axe_violations
from pages import log_in
from pages import text
from playwright.sync_api import expect

from tracker.changes import flagged_talk_ids
from tracker.extensions import db
from tracker.importers.base import ParsedSchedule
from tracker.importers.base import ParsedTalk
from tracker.models import AgendaEntry
from tracker.models import Conference
from tracker.models import ImportRun
from tracker.models import Talk
from tracker.models import TalkChange
from tracker.services.accounts import create_user
from tracker.services.accounts import find_user
from tracker.services.agenda import agenda_changes
from tracker.services.agenda import mark_all_seen
from tracker.services.agenda import set_backup
from tracker.services.imports import import_schedule
from tracker.services.imports import save_schedule

SAMPLES = Path(__file__).parent / "samples"
BERLIN = ZoneInfo("Europe/Berlin")
PACIFIC = ZoneInfo("America/Vancouver")


def berlin(day: int, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(2024, 10, day, hour, minute, tzinfo=BERLIN, fold=fold)


def parsed(guid, title, start, minutes=60, **fields) -> ParsedTalk:
    return ParsedTalk(guid=guid, title=title, starts_at=start, ends_at=start + timedelta(minutes=minutes), **fields)


#: a weekend in Berlin over the night daylight saving time ends (03:00 CEST -> 02:00 CET)
HACK = ParsedSchedule(
    title="Hack Weekend", acronym="hack24", timezone="Europe/Berlin", rooms=("A", "B", "C"),
    talks=(
        parsed("keynote", "Keynote", berlin(26, 10), room="A", day=date(2024, 10, 26)),
        parsed("left", "Left", berlin(26, 11), room="A", day=date(2024, 10, 26)),
        parsed("right", "Right", berlin(26, 11), room="B", day=date(2024, 10, 26),
               video_url="https://media.example.org/right"),
        parsed("third", "Third", berlin(26, 11, 30), room="C", day=date(2024, 10, 26)),
        parsed("before", "Before the change", berlin(27, 2), 45, room="A", day=date(2024, 10, 26)),
        ParsedTalk(guid="after", title="After the change", starts_at=berlin(27, 2, 15, fold=1),
                   ends_at=berlin(27, 3), room="B", day=date(2024, 10, 26)),
        parsed("sunday", "Sunday talk", berlin(27, 11), room="A", day=date(2024, 10, 27)),
    ))


def save(schedule: ParsedSchedule = HACK):
    report = save_schedule(schedule, slug="hack24", source="hack.xml", format="frab-xml", content_hash="x")
    db.session.commit()
    return report


def edited(*, drop=(), **changes) -> ParsedSchedule:
    """HACK as the organiser's next version: sessions dropped or with fields changed, by guid."""
    return replace(HACK, talks=tuple(replace(talk, **changes.get(talk.guid, {}))
                                     for talk in HACK.talks if talk.guid not in drop))


def titled(title: str) -> Talk:
    return db.session.scalar(sa.select(Talk).where(Talk.title == title))


def plan(user, title: str, status: str = "going", **fields) -> AgendaEntry:
    entry = AgendaEntry(user=user, talk=titled(title), status=status,
                        seen_at=datetime(2000, 1, 1, tzinfo=UTC), **fields)
    db.session.add(entry)
    db.session.commit()
    return entry


def entries(user) -> dict[str, tuple[str, str | None]]:
    """The user's agenda: title -> (status, title of the session it replaced)."""
    db.session.expire_all()
    return {entry.talk.title: (entry.status, entry.replaced_talk.title if entry.replaced_talk else None)
            for entry in db.session.scalars(sa.select(AgendaEntry).where(AgendaEntry.user_id == user.id))}


@pytest.fixture
def bob(app):
    bob = create_user("bob@example.org", "bob password", display_name="Bob")
    db.session.commit()
    return bob


def clock(moment: datetime) -> dict:
    """Settings that stop the app's clock at `moment`."""
    return {"CLOCK": lambda: moment}


@contextmanager
def counting_statements():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


# access

@pytest.mark.parametrize("path", ["/c/linuxcon-na-2011/agenda", "/agenda/changes"])
def test_agenda_pages_need_a_login(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_conference_is_404(client, logged_in):
    assert client.get("/c/nope/agenda").status_code == 404
    assert client.get("/c/nope/now").status_code == 404


# my agenda, with the demo

def test_agenda_with_the_demo_clashes_alternatives_and_free_time(client, logged_in, user, demo):
    storage, kernel = titled("What to Expect From Linux Storage"), titled("20 Years of Kernel Development")
    kernel.video_url = "https://media.example.org/kernel"
    lightning = Talk(conference=storage.conference, title="Lightning talks", starts_at=storage.starts_at,
                     ends_at=storage.starts_at + timedelta(minutes=30))
    db.session.add(lightning)
    plan(user, "Imagine a World Without Linux")
    plan(user, storage.title)
    plan(user, kernel.title)
    plan(user, "LinuxCon Gala: the Roaring 20's", "maybe")
    plan(user, "The Stable Kernel Tree", "attended")

    response = client.get("/c/linuxcon-na-2011/agenda")
    assert response.status_code == 200
    page = text(response)
    assert "My agenda" in page and "Times in America/Vancouver" in page
    day = page[page.index("Wednesday 17 August 2011"):]
    assert re.search(r"09:00–09:30 Imagine a World Without Linux Going .*"
                     r"09:30–11:00 Free time, 1 h 30 min .*"
                     r"11:00–11:50 What to Expect From Linux Storage Going .*"
                     r"11:00–11:50 20 Years of Kernel Development Going .*"
                     r"Clash, 11:00–11:50: .*"
                     r"19:00–23:00 LinuxCon Gala: the Roaring 20's Maybe", day), day
    assert "The Stable Kernel Tree" not in page, "attended sessions are not in the plan"
    assert "Clashes with “20 Years of Kernel Development” (11:00–11:50)" in page
    assert "Clashes with “What to Expect From Linux Storage” (11:00–11:50)" in page
    assert "1 clash: sessions you are going to overlap" in page
    clash = page[page.index("Clash, 11:00–11:50"):page.index("19:00–23:00 LinuxCon Gala")]
    assert re.search(r"What to Expect From Linux Storage .* No recording listed .*"
                     r"20 Years of Kernel Development .* Has a recording: watch later .*"
                     r"Also on in this slot: 11:00–11:30 Lightning talks No recording listed", clash), clash
    assert clash.count("My plan for") == 3, "each choice has its plan buttons"
    html = response.get_data(as_text=True)
    assert f'action="/plan/{lightning.id}"' in html
    assert f'<select id="backup-{storage.id}" name="backup">' in html


def test_agenda_in_the_users_own_zone(client, logged_in, user, demo):
    user.timezone = "Asia/Tokyo"
    plan(user, "LinuxCon Gala: the Roaring 20's")
    page = text(client.get("/c/linuxcon-na-2011/agenda"))
    assert "Times in your zone, Asia/Tokyo (the conference's is America/Vancouver)" in page
    # 19:00 PDT is 11:00 the next day in Tokyo: still the conference's Wednesday, the date said
    assert "Wednesday 17 August 2011 Thu 11:00–15:00 LinuxCon Gala" in page


def test_empty_agenda_says_how_to_fill_it(client, logged_in, demo):
    page = text(client.get("/c/linuxcon-na-2011/agenda"))
    assert "Nothing in your agenda for LinuxCon North America 2011 yet." in page


@pytest.mark.parametrize("app_config", [clock(datetime(2011, 8, 17, 11, 20, tzinfo=PACIFIC))])
def test_other_users_agendas_are_never_shown(client, logged_in, user, bob, demo):
    plan(bob, "What to Expect From Linux Storage")
    plan(bob, "20 Years of Kernel Development", backup_talk=titled("What to Expect From Linux Storage"))
    plan(user, "The Stable Kernel Tree")
    page = text(client.get("/c/linuxcon-na-2011/agenda"))
    assert "The Stable Kernel Tree" in page
    assert "Linux Storage" not in page and "Clash" not in page
    # Ada cannot set a backup on Bob's plan
    kernel = titled("20 Years of Kernel Development")
    response = client.post(f"/c/linuxcon-na-2011/agenda/{kernel.id}/backup", data={"backup": ""},
                           follow_redirects=True)
    assert "Only a session you are going to can have a backup." in text(response)
    db.session.expire_all()
    assert db.session.scalar(sa.select(AgendaEntry.backup_talk_id).where(
        AgendaEntry.user_id == bob.id, AgendaEntry.talk_id == kernel.id)) is not None
    now = text(client.get("/c/linuxcon-na-2011/now"))
    assert "What to Expect From Linux Storage Georgia A" in now and "Linux Storage Going" not in now
    assert "Next Thu 11:00–11:50 The Stable Kernel Tree Going" in now, "Ada's own plan, tomorrow"


def test_agenda_page_runs_the_same_queries_for_n_and_3n_sessions(app, client, logged_in, user):
    """FOSDEM 2025's schedule; an agenda of 8 sessions, then of 24: the same number of
    statements, with clashes, free time, maybe sessions, backups and changes in both."""
    import_schedule((SAMPLES / "frab-xml/fosdem-2025-schedule.xml").read_bytes(), source="fosdem.xml",
                    slug="fosdem-2025")
    db.session.commit()
    conference = db.session.scalar(sa.select(Conference))
    talks = list(db.session.scalars(sa.select(Talk).where(Talk.conference_id == conference.id)
                                    .order_by(Talk.starts_at, Talk.id)))

    def clashing_pairs(*positions) -> list[Talk]:
        """Sessions at these places in the programme, each with the next session overlapping it."""
        picked = []
        for position in positions:
            talk = talks[position]
            picked += [talk, next(other for other in talks[position + 1:] if other.starts_at < talk.ends_at)]
        return picked

    def add_sessions(picked):
        """Plan these sessions; a re-import cancelled the third, whose backup took its
        place, and moved the fifth to another room."""
        entries = [AgendaEntry(user=user, talk=talk, status="maybe" if position % 8 == 7 else "going",
                               seen_at=datetime(2000, 1, 1, tzinfo=UTC)) for position, talk in enumerate(picked)]
        cancelled, stand_in = entries[2], entries[3]
        cancelled.status, stand_in.replaced_talk = "skipped", cancelled.talk
        run = ImportRun(conference=conference, source="fosdem.xml", format="frab-xml", content_hash="x")
        db.session.add_all([*entries, TalkChange(run=run, talk=cancelled.talk, kind="cancelled", fields=["status"]),
                            TalkChange(run=run, talk=picked[4], kind="moved", fields=["room"],
                                       before={"room": "K.1.105"})])
        db.session.commit()
        set_backup(user, picked[0], picked[1])
        db.session.commit()

    def statements_for_the_page() -> tuple[int, str]:
        # a request of its own app context, as in production: the test's would share `g`
        with app.app_context(), counting_statements() as statements:
            response = client.get("/c/fosdem-2025/agenda")
        assert response.status_code == 200
        return len(statements), text(response)

    add_sessions(clashing_pairs(100, 300, 500, 700))
    small, small_page = statements_for_the_page()
    add_sessions(clashing_pairs(150, 200, 250, 350, 400, 450, 550, 600))
    large, large_page = statements_for_the_page()
    assert db.session.scalar(sa.select(sa.func.count(AgendaEntry.id))) == 24
    for page in (small_page, large_page):
        assert "Clashes with" in page and "Free time" in page and "Changed since you planned it" in page
        assert "was cancelled: your backup" in page
    assert small == large, f"{small} statements for 8 sessions, {large} for 24"


# backups

@pytest.fixture
def hack(app, user, bob):
    """The hack weekend imported; Ada goes to Left with Right as its backup, Bob to Left without."""
    save()
    plan(user, "Left", backup_talk=titled("Right"))
    plan(bob, "Left")
    return user


def test_choose_and_drop_a_backup_on_the_agenda_page(client, logged_in, user, app):
    save()
    left, right, third, sunday = (titled(t) for t in ("Left", "Right", "Third", "Sunday talk"))
    plan(user, "Left")
    html = client.get("/c/hack24/agenda").get_data(as_text=True)
    options = re.search(rf'<select id="backup-{left.id}" name="backup">(.*?)</select>', html, re.S).group(1)
    assert [text_ for text_ in re.findall(r">([^<]+)</option>", options)] == [
        "No backup", "11:00 Right (B)", "11:30 Third (C)"], "the other sessions in the slot"

    response = client.post(f"/c/hack24/agenda/{left.id}/backup", data={"backup": str(right.id)})
    assert response.status_code == 302 and response.headers["Location"] == "/c/hack24/agenda"
    db.session.expire_all()
    assert db.session.scalar(sa.select(AgendaEntry.backup_talk_id)) == right.id
    html = client.get("/c/hack24/agenda").get_data(as_text=True)
    assert f'<option value="{right.id}" selected>' in html

    response = client.post(f"/c/hack24/agenda/{left.id}/backup", data={"backup": str(sunday.id)},
                           follow_redirects=True)
    assert "“Sunday talk” is not on at the same time, so it cannot be the backup." in text(response)
    client.post(f"/c/hack24/agenda/{left.id}/backup", data={"backup": ""})
    db.session.expire_all()
    assert db.session.scalar(sa.select(AgendaEntry.backup_talk_id)) is None
    assert client.post(f"/c/hack24/agenda/{left.id}/backup", data={"backup": "x"}).status_code == 400


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_agenda_forms_carry_the_csrf_token_and_need_it(client, user, app_config):
    save()
    plan(user, "Left")
    client.post("/login", data={"email": "ada@example.org", "password": "correct horse",
                                "csrf_token": csrf_token_of(client.get("/login"))})
    page = client.get("/c/hack24/agenda")
    token = csrf_token_of(page)
    left, right = titled("Left"), titled("Right")
    url = f"/c/hack24/agenda/{left.id}/backup"
    assert client.post(url, data={"backup": str(right.id)}).status_code == 400
    assert client.post("/agenda/changes/seen", data={"upto": "2024-10-26T10:00:00+00:00"}).status_code == 400
    assert client.post(url, data={"backup": str(right.id), "csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(AgendaEntry.backup_talk_id)) == right.id


def csrf_token_of(response) -> str:
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_a_backup_in_another_conference_is_404(client, logged_in, user, demo):
    save()
    plan(user, "Left")
    other = titled("What to Expect From Linux Storage")
    response = client.post(f"/c/hack24/agenda/{titled('Left').id}/backup", data={"backup": str(other.id)})
    assert response.status_code == 404


def test_backup_form_for_the_session_page(app, user):
    save()
    plan(user, "Left", backup_talk=titled("Third"))
    template = '{% include "agenda/_backup.html" %}'
    left, keynote = titled("Left"), titled("Keynote")
    with app.test_request_context("/c/hack24/talks/1"):
        login_user(user)
        html = render_template_string(template, talk=left, conference=left.conference)
        assert f'<option value="{titled("Third").id}" selected>11:30 Third (C)</option>' in html
        assert 'name="next" value="/c/hack24/talks/1?"' in html
        assert render_template_string(template, talk=keynote, conference=keynote.conference).strip() == "", \
            "only for sessions I am going to"


def test_a_cancelled_session_is_replaced_by_its_backup(client, hack, bob, auth):
    save(edited(drop={"left"}))
    assert entries(hack) == {"Left": ("skipped", None), "Right": ("going", "Left")}
    assert entries(bob) == {"Left": ("going", None)}, "Bob chose no backup"

    auth.login()
    page = text(client.get("/c/hack24/agenda"))
    assert "“Left” was cancelled: your backup “Right” took its place." in page
    assert "11:00–12:00 Right Going" in page and "Your backup, in place of “Left”." in page
    changes = text(client.get("/agenda/changes"))
    assert "Left now Sat 26 Oct 11:00–12:00, A; in your agenda: skipped" in changes
    assert "Cancelled. “Left” was cancelled: your backup “Right” took its place." in changes

    feed = client.get(f"/feeds/{hack.feed_token}/agenda.ics")
    events = {str(event["SUMMARY"]): event for event in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")}
    assert str(events["Right"]["STATUS"]) == "CONFIRMED"
    assert str(events["Right"]["DESCRIPTION"]).startswith("Your backup, in place of “Left”.")
    # kept, cancelled, so that subscribed calendars remove it rather than keep it forever
    assert str(events["Left"]["STATUS"]) == "CANCELLED"
    assert "Your backup “Right” takes its place." in str(events["Left"]["DESCRIPTION"])


def test_a_session_moved_to_another_time_is_replaced_by_its_backup(client, hack, auth):
    save(edited(left={"starts_at": berlin(26, 15), "ends_at": berlin(26, 16)}))
    assert entries(hack) == {"Left": ("skipped", None), "Right": ("going", "Left")}
    auth.login()
    page = text(client.get("/c/hack24/agenda"))
    assert "“Left” was moved: your backup “Right” took its place." in page
    changes = text(client.get("/agenda/changes"))
    assert "Moved from Sat 26 Oct 11:00–12:00 to Sat 26 Oct 15:00–16:00." in changes
    assert "“Left” was moved: your backup “Right” took its place." in changes


def test_a_new_room_or_a_cancelled_backup_keeps_the_session(hack):
    save(edited(left={"room": "C"}))
    assert entries(hack) == {"Left": ("going", None)}, "I can still go, in the other room"
    save(edited(drop={"left", "right"}))
    assert entries(hack) == {"Left": ("going", None)}, "the backup is off too"


def test_a_backup_i_might_go_to_becomes_going(hack):
    plan(hack, "Right", "maybe")
    save(edited(drop={"left"}))
    assert entries(hack) == {"Left": ("skipped", None), "Right": ("going", "Left")}


# what changed

def test_what_changed_lists_each_change_across_conferences_and_marks_them_seen(client, logged_in, user, bob, demo):
    save()
    for title in ("Keynote", "Left", "Third", "Sunday talk"):
        plan(user, title)
    plan(bob, "After the change")
    plan(user, "What to Expect From Linux Storage")
    save(edited(drop={"sunday"}, keynote={"starts_at": berlin(26, 10, 30), "ends_at": berlin(26, 11, 30)},
                left={"room": "B"}, third={"video_url": "https://media.example.org/third"},
                after={"title": "After the change (updated)"}))

    response = client.get("/agenda/changes")
    page = text(response)
    assert "Hack Weekend" in page and "LinuxCon" not in page, "only conferences whose sessions changed"
    assert re.search(r"Keynote now Sat 26 Oct 10:30–11:30, A; in your agenda: going .*"
                     r"Moved from Sat 26 Oct 10:00–11:00 to Sat 26 Oct 10:30–11:30\.", page), page
    assert "Left now Sat 26 Oct 11:00–12:00, B; in your agenda: going" in page
    assert "New room: B (was A)." in page
    assert "Third" in page and "New recording: watch it." in page
    assert 'href="https://media.example.org/third"' in response.get_data(as_text=True)
    assert "Sunday talk now Sun 27 Oct 11:00–12:00, A; in your agenda: going" in page and "Cancelled." in page
    assert "After the change" not in page, "Bob's session"

    agenda = text(client.get("/c/hack24/agenda"))
    assert agenda.count("Changed since you planned it") == 4
    assert "New room: B (was A)." in agenda

    upto = re.search(r'name="upto" value="([^"]+)"', response.get_data(as_text=True)).group(1)
    response = client.post("/agenda/changes/seen", data={"upto": upto}, follow_redirects=True)
    assert "Nothing has changed in your agenda since you last looked." in text(response)
    conference = db.session.scalar(sa.select(Conference).where(Conference.slug == "hack24"))
    assert flagged_talk_ids(user, conference) == set()
    assert "Changed since you planned it" not in text(client.get("/c/hack24/agenda"))
    assert flagged_talk_ids(bob, conference) == {titled("After the change (updated)").id}, "Bob's are his to see"

    save(edited(keynote={"room": "C"}))
    assert "New room: C (was A)." in text(client.get("/agenda/changes")), "later changes are flagged again"


def test_mark_all_seen_keeps_changes_made_after_the_page_was_shown(app, user):
    save()
    plan(user, "Keynote")
    plan(user, "Left")
    save(edited(keynote={"room": "B"}))
    shown = db.session.scalar(sa.select(sa.func.max(ImportRun.created_at)))
    save(edited(keynote={"room": "B"}, left={"room": "C"}))
    mark_all_seen(user, shown)
    db.session.commit()
    changed = agenda_changes(user)
    assert [(session.talk.title, [c.kind for c in session.changes]) for _, sessions in changed
            for session in sessions] == [("Left", ["moved"])]


def test_mark_all_seen_needs_an_aware_time(client, logged_in):
    assert client.post("/agenda/changes/seen", data={"upto": "2024-10-26T10:00:00"}).status_code == 400
    assert client.post("/agenda/changes/seen", data={"upto": "yesterday"}).status_code == 400


# an imported sample with sessions after midnight

@pytest.fixture
def congress(app, user):
    """33C3 from its frab XML; its days change at 01:00, so 00:15 belongs to the day before."""
    import_schedule((SAMPLES / "frab-xml/ccc-33c3-schedule.xml").read_bytes(), source="33c3.xml", slug="33c3")
    db.session.commit()
    for title in ("Lockpicking in the IoT", "Deploying TLS 1.3: the great, the good and the bad",
                  "Console Hacking 2016", "Nicht öffentlich."):
        plan(user, title)
    return user


def test_agenda_of_an_imported_sample_past_midnight(client, logged_in, congress):
    page = text(client.get("/c/33c3/agenda"))
    tuesday = page[page.index("Tuesday 27 December 2016"):]
    assert "Wednesday 28 December 2016" not in page, "00:15 still belongs to Tuesday"
    assert re.search(r"21:45–22:45 Lockpicking in the IoT Going .*"
                     r"21:45–22:45 Deploying TLS 1.3.* Going .*"
                     r"Clash, 21:45–22:45: .*Also on in this slot: .*Where in the World Is Carmen Sandiego\? .*"
                     r"Netzpolitik in Österreich .*"
                     r"22:45–23:00 Free time, 15 min .*"
                     r"23:00–00:00 Console Hacking 2016 Going .*"
                     r"00:00–00:15 Free time, 15 min .*"
                     r"00:15–01:15 Nicht öffentlich\. Going", tuesday), tuesday


def test_days_stay_the_conference_s_in_the_user_s_zone(client, logged_in, congress, user):
    """Read from Tokyo (8 hours ahead), Tuesday's evening sessions stay on Tuesday, as on
    the timetable; only the clock readings change, and no "free time" spans the night."""
    user.timezone = "Asia/Tokyo"
    db.session.commit()
    page = text(client.get("/c/33c3/agenda"))
    assert "Times in your zone, Asia/Tokyo" in page
    assert "Wednesday 28 December 2016" not in page
    tuesday = page[page.index("Tuesday 27 December 2016"):]
    assert re.search(r"05:45–06:45 Lockpicking in the IoT Going .*"
                     r"07:00–08:00 Console Hacking 2016 Going .*"
                     r"08:15–09:15 Nicht öffentlich\. Going", tuesday), tuesday


def test_backup_replaces_a_sample_session_cancelled_by_a_reimport(client, logged_in, congress):
    lockpicking, carmen = titled("Lockpicking in the IoT"), titled("Where in the World Is Carmen Sandiego?")
    client.post(f"/c/33c3/agenda/{lockpicking.id}/backup", data={"backup": str(carmen.id)})
    original = (SAMPLES / "frab-xml/ccc-33c3-schedule.xml").read_text()
    event = re.search(rf"<event guid='{lockpicking.guid}' id='\d+'>.*?</event>\n", original, re.S).group(0)
    import_schedule(original.replace(event, "").encode(), source="33c3.xml", slug="33c3")
    db.session.commit()
    assert entries(congress)["Lockpicking in the IoT"] == ("skipped", None)
    assert entries(congress)[carmen.title] == ("going", "Lockpicking in the IoT")
    page = text(client.get("/c/33c3/agenda"))
    assert f"“Lockpicking in the IoT” was cancelled: your backup “{carmen.title}” took its place." in page


def test_backup_replaces_a_sample_session_moved_by_a_reimport(client, logged_in, congress):
    lockpicking, carmen = titled("Lockpicking in the IoT"), titled("Where in the World Is Carmen Sandiego?")
    client.post(f"/c/33c3/agenda/{lockpicking.id}/backup", data={"backup": str(carmen.id)})
    original = (SAMPLES / "frab-xml/ccc-33c3-schedule.xml").read_text()
    event = re.search(rf"<event guid='{lockpicking.guid}' id='\d+'>.*?</event>\n", original, re.S).group(0)
    moved = event.replace("2016-12-27T21:45:00+01:00", "2016-12-28T14:00:00+01:00") \
        .replace("<start>21:45</start>", "<start>14:00</start>")
    import_schedule(original.replace(event, moved).encode(), source="33c3.xml", slug="33c3")
    db.session.commit()
    assert entries(congress)[carmen.title] == ("going", "Lockpicking in the IoT")
    changes = text(client.get("/agenda/changes"))
    assert "Moved from Tue 27 Dec 21:45–22:45 to Wed 28 Dec 14:00–15:00." in changes
    feed = client.get(f"/feeds/{congress.feed_token}/agenda.ics")
    statuses = {str(event["SUMMARY"]): str(event["STATUS"])
                for event in icalendar.Calendar.from_ical(feed.data).walk("VEVENT")}
    assert (statuses[carmen.title], statuses["Lockpicking in the IoT"]) == ("CONFIRMED", "CANCELLED")


# now and next, with the clock set

@pytest.mark.parametrize("app_config", [clock(datetime(2011, 8, 17, 11, 20, tzinfo=PACIFIC))])
def test_now_and_next_for_anonymous_visitors(client, demo):
    page = text(client.get("/c/linuxcon-na-2011/now"))
    assert "It is 11:20 PDT, conference day Wednesday 17 August 2011" in page
    assert "Log in to see what is on now and next in your own agenda too." in page
    assert "My agenda" not in page
    assert re.search(r"Whole conference On now 11:00–11:50 What to Expect From Linux Storage .*"
                     r"11:00–11:50 20 Years of Kernel Development .* Next 16:30–17:30 Linus Torvalds", page), page


@pytest.mark.parametrize("app_config", [clock(datetime(2011, 8, 17, 11, 20, tzinfo=PACIFIC))])
def test_now_and_next_in_my_agenda(client, logged_in, user, bob, demo):
    plan(user, "What to Expect From Linux Storage")
    plan(user, "LinuxCon Gala: the Roaring 20's", "maybe")
    plan(bob, "20 Years of Kernel Development")
    page = text(client.get("/c/linuxcon-na-2011/now"))
    mine = page[page.index("My agenda"):page.index("Whole conference")]
    assert re.search(r"On now 11:00–11:50 What to Expect From Linux Storage Going .*"
                     r"Next 19:00–23:00 LinuxCon Gala: the Roaring 20's Maybe", mine), mine
    assert "Kernel Development" not in mine, "Bob's plan"
    assert "Log in to see" not in page


@pytest.mark.parametrize("app_config", [clock(datetime(2011, 8, 19, 12, tzinfo=PACIFIC))])
def test_now_and_next_after_the_conference(client, demo):
    page = text(client.get("/c/linuxcon-na-2011/now"))
    assert "No session is on right now." in page and "No more sessions are scheduled." in page


@pytest.mark.parametrize("app_config", [clock(datetime(2016, 12, 28, 0, 30, tzinfo=ZoneInfo("Etc/GMT-1")))])
def test_now_and_next_past_midnight(client, logged_in, congress):
    page = text(client.get("/c/33c3/now"))
    assert "It is 00:30 +01, conference day Tuesday 27 December 2016" in page
    mine = page[page.index("My agenda"):page.index("Whole conference")]
    assert re.search(r"On now 00:15–01:15 Nicht öffentlich\. Going .* Next Nothing more in your agenda\.", mine), mine
    everyone = page[page.index("Whole conference"):]
    assert re.search(r"On now 00:15–01:15 Nicht öffentlich\. .* "
                     r"Next Wed 11:30–12:00 Es sind die kleinen Dinge im Leben", everyone), everyone


@pytest.mark.parametrize(("app_config", "expected"), [
    (clock(datetime(2024, 10, 27, 0, 30, tzinfo=UTC)),
     r"It is 02:30 CEST, conference day Saturday 26 October 2024 .* On now 02:00 CEST–02:45 CEST Before the change .*"
     r"Next 02:15 CET–03:00 After the change"),
    (clock(datetime(2024, 10, 27, 1, 10, tzinfo=UTC)),
     r"It is 02:10 CET, conference day Saturday 26 October 2024 .* On now No session is on right now\. "
     r"Next 02:15 CET–03:00 After the change"),
    (clock(datetime(2024, 10, 27, 2, 30, tzinfo=UTC)),
     r"It is 03:30 CET, conference day Sunday 27 October 2024 .* On now No session is on right now\. "
     r"Next 11:00–12:00 Sunday talk"),
])
def test_now_and_next_on_the_night_daylight_saving_time_ends(client, app, expected):
    save()
    page = text(client.get("/c/hack24/now"))
    assert re.search(expected, page), page


def test_agenda_across_the_change_of_daylight_saving_time(client, logged_in, user):
    save()
    plan(user, "Before the change")
    plan(user, "After the change")
    page = text(client.get("/c/hack24/agenda"))
    assert "Clash" not in page, "02:00–02:45 CEST and 02:15–03:00 CET do not overlap"
    # the hour that happens twice says which time it means
    assert "02:00 CEST–02:45 CEST Before the change" in page
    assert "02:45 CEST–02:15 CET Free time, 30 min" in page
    assert "02:15 CET–03:00 After the change" in page
    assert "Sunday 27 October" not in page, "before 03:00 the night belongs to Saturday"


# in a browser

@pytest.fixture
def demo_agenda(demo):
    """The demo attendee's agenda: a clash, free time, a maybe and one change to see."""
    attendee = find_user(demo.email)
    for title in ("Imagine a World Without Linux", "What to Expect From Linux Storage",
                  "20 Years of Kernel Development"):
        plan(attendee, title)
    plan(attendee, "LinuxCon Gala: the Roaring 20's", "maybe")
    storage = titled("What to Expect From Linux Storage")
    run = ImportRun(conference=storage.conference, source="linuxcon.xml", format="frab-xml", content_hash="x")
    db.session.add(TalkChange(run=run, talk=storage, kind="moved", fields=["room"], before={"room": "Georgia B"}))
    db.session.commit()
    return demo


@pytest.mark.browser
@pytest.mark.parametrize("app_config", [clock(datetime(2011, 8, 17, 11, 20, tzinfo=PACIFIC))])
@pytest.mark.parametrize("path", ["/c/linuxcon-na-2011/agenda", "/c/linuxcon-na-2011/now", "/agenda/changes"])
def test_agenda_pages_are_accessible_on_a_phone(phone, live_server, demo_agenda, path):
    log_in(phone, live_server, demo_agenda.email, demo_agenda.password)
    phone.goto(live_server + path)
    assert axe_violations(phone) == []
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path} is {width}px wide on a 360px screen: it scrolls sideways"


@pytest.mark.browser
def test_a_plan_changed_on_the_agenda_page_updates_its_clashes(page, live_server, demo_agenda):
    log_in(page, live_server, demo_agenda.email, demo_agenda.password)
    page.goto(live_server + "/c/linuxcon-na-2011/agenda")
    expect(page.get_by_text("Clashes with")).to_have_count(2)
    plan_buttons = page.locator("li.talk form[data-plan]").filter(
        has_text="My plan for 20 Years of Kernel Development")
    plan_buttons.get_by_role("button", name="Maybe").click()
    expect(page.get_by_text("Clashes with")).to_have_count(0)
    expect(page.locator("li.talk.maybe")).to_have_count(2)
