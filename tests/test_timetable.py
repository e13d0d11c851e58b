"""The timetable: a day as a grid of rooms by time, or as a list, with filters in the URL."""

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from pages import INLINE_TAG
from pages import OTHER_TAG
from pages import axe_violations
from pages import log_in
from pages import text
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import Conference
from tracker.models import Room
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import Track
from tracker.services.agenda import set_plan
from tracker.services.imports import import_schedule
from tracker.schedule import group_by_day
from tracker.services.programme import save_talk
from tracker.views.timetable import Filters
from tracker.views.timetable import build_grid
from tracker.views.timetable import conference_days
from tracker.views.timetable import day_talks
from tracker.views.timetable import lanes

SAMPLE = Path(__file__).parent / "samples" / "frab-xml" / "ccc-33c3-schedule.xml"
DAY_ONE = "/c/33c3/timetable?day=2016-12-27"

#: a session's cell in the grid, up to the next cell or the end of the grid
SESSION = re.compile(
    r'<div class="tt-session(?P<cancelled> cancelled)?" style="grid-area: (?P<row>\d+) / (?P<column>\d+) / '
    r'span (?P<rows>\d+) / span (?P<columns>\d+)(?:; --track: (?P<colour>#\w+))?">.*?'
    r'<a href="[^"]+">(?P<title>[^<]*)</a>.*?(?=<div class="tt-session|</div>\s*</div>\s*</div>)', re.S)
ROOM = re.compile(r'<div class="tt-room" style="grid-column: (\d+) / span (\d+)" title="[^"]*"><span>([^<]*)</span>')
LABEL = re.compile(r'<div class="tt-time[^"]*" style="grid-row: (\d+) / span \d+"><time [^>]+>([\d:]+)</time>')


def sessions(page: str) -> dict[str, re.Match]:
    return {html.unescape(match["title"]): match for match in SESSION.finditer(page)}


def rooms(page: str) -> list[tuple[str, int, int]]:
    return [(html.unescape(name), int(first), int(span)) for first, span, name in ROOM.findall(page)]


def label_rows(page: str) -> dict[str, int]:
    return {label: int(row) for row, label in LABEL.findall(page)}


def links(page: str, path: str) -> list[dict[str, list[str]]]:
    """The query strings of the page's links to `path`."""
    return [parse_qs(urlsplit(html.unescape(href)).query)
            for href in re.findall(r'href="([^"]+)"', page) if urlsplit(html.unescape(href)).path == path]


@pytest.fixture
def congress(app) -> Conference:
    """33C3 as imported from its frab XML (four rooms, eight tracks), one session cancelled
    through the edit service."""
    conference = import_schedule(SAMPLE.read_bytes(), source=SAMPLE.name).conference
    police = db.session.scalar(sa.select(Talk).where(Talk.title == "Check Your Police Record!"))
    save_talk(police, {"status": "cancelled"})
    db.session.commit()
    return conference


def test_grid_has_the_days_rooms_as_columns_in_conference_order(client, congress):
    page = client.get(DAY_ONE).get_data(as_text=True)
    assert rooms(page) == [("Saal 1", 2, 1), ("Saal 2", 3, 1), ("Saal G", 4, 1), ("Saal 6", 5, 1)]
    days = re.search(r'<nav class="tt-days".*?</nav>', page, re.S).group(0)
    assert re.findall(r">(\w{3} \d+ Dec)</a>", days) == ["Tue 27 Dec", "Wed 28 Dec", "Thu 29 Dec", "Fri 30 Dec"]
    assert 'aria-current="page">Tue 27 Dec' in page, "the first day by default"
    for position, room in enumerate(reversed(congress.rooms)):
        room.position = position
    db.session.commit()
    reordered = client.get(DAY_ONE).get_data(as_text=True)
    assert [name for name, _, _ in rooms(reordered)] == ["Saal 6", "Saal G", "Saal 2", "Saal 1"]


def test_a_session_sits_in_its_rooms_column_from_its_start_for_its_length(client, congress):
    page = client.get(DAY_ONE).get_data(as_text=True)
    times = label_rows(page)
    assert list(times)[:3] == ["11:00", "11:30", "12:00"], "the grid starts at the day's first hour"
    drown = sessions(page)["The DROWN Attack"]  # 14:00-15:00 in Saal 2
    assert (int(drown["row"]), int(drown["rows"])) == (times["14:00"], 12), "an hour is 12 five-minute rows"
    assert (int(drown["column"]), int(drown["columns"])) == (3, 1)
    cpu = sessions(page)["Untrusting the CPU"]  # 18:15-19:15 in Saal G
    assert (int(cpu["row"]), int(cpu["rows"]), int(cpu["column"])) == (times["18:00"] + 3, 12, 4)
    late = sessions(page)["Nicht öffentlich."]  # 00:15-01:15, still the 27th (day change 01:00)
    assert int(late["row"]) == times["00:00"] + 3
    assert "14:00–15:00" in text_of(drown) and "Sebastian Schinzel" in text_of(drown)
    assert "Security" in text_of(drown), "the track is written, not only coloured"


def text_of(match: re.Match) -> str:
    """A session cell's text as a browser shows it."""
    return html.unescape(re.sub(r"\s+", " ", OTHER_TAG.sub(" ", INLINE_TAG.sub("", match.group(0)))))


def test_cancelled_session_is_struck_through_and_labelled(client, congress):
    page = client.get(DAY_ONE).get_data(as_text=True)
    police = sessions(page)["Check Your Police Record!"]
    assert police["cancelled"] and "Cancelled" in text_of(police)
    assert not sessions(page)["The DROWN Attack"]["cancelled"]
    assert ".tt-session.cancelled .tt-title a { text-decoration: line-through; }" in \
        client.get("/static/timetable.css").get_data(as_text=True)
    listed = text(client.get(DAY_ONE + "&view=list"))
    assert "16:00–16:30 Check Your Police Record! Cancelled" in listed


def test_filters_combine_and_stay_in_every_link(client, congress):
    url = DAY_ONE + "&track=Security&room=Saal+2"
    page = client.get(url).get_data(as_text=True)
    assert sorted(sessions(page)) == [
        "Deploying TLS 1.3: the great, the good and the bad", "How Do I Crack Satellite and Cable Pay TV?",
        "Nintendo Hacking 2016", "The DROWN Attack",
        "You can -j REJECT but you can not hide: Global scanning of the IPv6 Internet"]
    assert rooms(page) == [("Saal 2", 2, 1)], "only rooms with matching sessions"
    kept, cleared = [], []
    for query in links(page, "/c/33c3/timetable"):
        (kept if "track" in query else cleared).append(query)
    assert len(kept) == 7, "four days, the two views and the list link of the hint"
    assert all(query["track"] == ["Security"] and query["room"] == ["Saal 2"] for query in kept)
    assert cleared == [{"day": ["2016-12-27"]}], "Clear filters keeps the day"
    assert '<option value="Security" selected>' in page and '<option value="Saal 2" selected>' in page
    assert "(5 of 44)" in text(client.get(url)), "each day says how many of its sessions match"

    narrowed = client.get(url + "&speaker=nick").get_data(as_text=True)
    assert list(sessions(narrowed)) == ["Deploying TLS 1.3: the great, the good and the bad"]
    assert list(sessions(client.get(DAY_ONE + "&kind=other").get_data(as_text=True))) == ["Nicht öffentlich."]
    assert sessions(client.get(DAY_ONE + "&speaker=%25").get_data(as_text=True)) == {}, "% is no wildcard"


def test_filters_work_as_a_plain_get_form(client, congress):
    page = client.get(DAY_ONE).get_data(as_text=True)
    form = re.search(r'<form method="get" action="/c/33c3/timetable".*?</form>', page, re.S).group(0)
    for name, label in (("track", "Track"), ("room", "Room"), ("kind", "Kind"), ("speaker", "Speaker")):
        assert f'<label for="filter-{name}">{label}</label>' in form and f'id="filter-{name}" name="{name}"' in form
    assert '<input type="hidden" name="day" value="2016-12-27">' in form
    assert "csrf_token" not in form, "a GET form that anyone can share"


def test_filter_matching_nothing_on_the_day_points_to_the_days_that_match(client, congress):
    page = text(client.get(DAY_ONE + "&speaker=Fefe"))
    assert "No sessions on this day match these filters. Matching sessions on: Wednesday 28 December (1)" in page
    first = client.get("/c/33c3/timetable?speaker=Fefe").get_data(as_text=True)
    assert 'aria-current="page">Wed 28 Dec' in first, "without a day, the first day with a match"


def test_list_view_by_time_keeps_the_filters(client, congress):
    page = client.get(DAY_ONE + "&view=list&track=Security").get_data(as_text=True)
    shown = text(client.get(DAY_ONE + "&view=list&track=Security"))
    assert "tt-session" not in page
    assert shown.index("11:30 ") < shown.index("What could possibly go wrong") < shown.index("12:45 ") < \
        shown.index("How Do I Crack"), "sessions under the time they start"
    assert "Law Enforcement" not in shown, "an Ethics session is filtered out"
    grid_link = [query for query in links(page, "/c/33c3/timetable") if "view" not in query]
    assert grid_link and all(query.get("track") == ["Security"] for query in grid_link)
    assert '<input type="hidden" name="view" value="list">' in page


def test_unknown_day_or_conference_is_404(client, congress):
    assert client.get("/c/33c3/timetable?day=2016-12-31").status_code == 404
    assert client.get("/c/33c3/timetable?day=yesterday").status_code == 404
    assert client.get("/c/nope/timetable").status_code == 404


def test_demo_timetable_with_track_colours_and_only_the_days_rooms(client, demo):
    page = client.get("/c/linuxcon-na-2011/timetable").get_data(as_text=True)
    assert [name for name, _, _ in rooms(page)] == ["Regency Ballroom", "Georgia A", "Georgia B", "Off-site"]
    storage = sessions(page)["What to Expect From Linux Storage"]
    assert storage["colour"] == "#3f8f4f" and "Storage" in text_of(storage)
    assert "Times in America/Vancouver" in text(client.get("/c/linuxcon-na-2011/timetable"))
    assert ">PDT</div>" in page
    second = client.get("/c/linuxcon-na-2011/timetable?day=2011-08-18").get_data(as_text=True)
    assert [name for name, _, _ in rooms(second)] == ["Regency Ballroom", "Georgia B"]


def test_times_in_the_users_zone_with_plan_buttons(client, logged_in, user, demo):
    user.timezone = "Europe/London"
    storage = db.session.scalar(sa.select(Talk).where(Talk.title == "What to Expect From Linux Storage"))
    set_plan(user, storage, "going")
    db.session.commit()
    page = client.get("/c/linuxcon-na-2011/timetable").get_data(as_text=True)
    assert "Times in your zone, Europe/London (the conference's is America/Vancouver)" in text(
        client.get("/c/linuxcon-na-2011/timetable"))
    cell = sessions(page)["What to Expect From Linux Storage"]
    assert "19:00–19:50" in text_of(cell) and ">BST</div>" in page
    assert f'action="/plan/{storage.id}"' in cell.group(0) and 'aria-pressed="true"' in cell.group(0)
    filtered = client.get("/c/linuxcon-na-2011/timetable?track=Storage").get_data(as_text=True)
    assert 'name="next" value="/c/linuxcon-na-2011/timetable?track=Storage"' in filtered, "a click comes back here"


def test_anonymous_visitors_see_the_timetable_without_plan_buttons(client, demo):
    page = client.get("/c/linuxcon-na-2011/timetable").get_data(as_text=True)
    assert "What to Expect From Linux Storage" in page and 'action="/plan/' not in page


def test_conference_without_sessions(client, app):
    db.session.add(Conference(slug="empty", name="Empty", timezone="UTC",
                              start_date=date(2030, 1, 1), end_date=date(2030, 1, 2)))
    db.session.commit()
    assert "No sessions yet." in text(client.get("/c/empty/timetable"))


def test_user_text_is_escaped(client, congress):
    drown = db.session.scalar(sa.select(Talk).where(Talk.title == "The DROWN Attack"))
    save_talk(drown, {"title": "<script>alert(1)</script>"})
    db.session.commit()
    page = client.get(DAY_ONE).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in client.get(DAY_ONE + "&view=list&room=<script>").get_data(as_text=True)


# The layout, without a request ------------------------------------------------------------

def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 1, 1, hour, minute, tzinfo=UTC)


def test_overlapping_sessions_in_one_room_get_lanes_and_others_the_whole_room():
    room = Room(id=1, name="Hall")
    long = Talk(id=1, title="Workshop", room_id=1, starts_at=at(10), ends_at=at(12))
    short = Talk(id=2, title="Lightning", room_id=1, starts_at=at(10, 30), ends_at=at(10, 35))
    after = Talk(id=3, title="Keynote", room_id=1, starts_at=at(12), ends_at=at(13))
    assert [(talk.title, lane, used) for talk, lane, used in lanes([after, short, long])] == [
        ("Workshop", 0, 2), ("Lightning", 1, 2), ("Keynote", 0, 1)]
    grid = build_grid([long, short, after], [room], UTC)
    assert grid.width == 2 and grid.rows == 36
    cells = {cell.talk.title: (cell.row, cell.rows, cell.column, cell.columns) for cell in grid.cells}
    assert cells == {"Workshop": (2, 24, 2, 1), "Lightning": (8, 1, 3, 1), "Keynote": (26, 12, 2, 2)}
    assert [(label.row, label.at.strftime("%H:%M")) for label in grid.labels][:2] == [(2, "10:00"), (8, "10:30")]


def test_grid_starts_on_the_hour_of_the_shown_zone():
    """Kathmandu is UTC+05:45: the grid starts on its full hour, not UTC's."""
    talk = Talk(id=1, title="x", room_id=None, starts_at=at(4, 30), ends_at=at(5))  # 10:15 local
    grid = build_grid([talk], [], ZoneInfo("Asia/Kathmandu"))
    assert grid.labels[0].at.astimezone(ZoneInfo("Asia/Kathmandu")).strftime("%H:%M") == "10:00"
    assert grid.cells[0].row == 2 + 3 and grid.columns[0].name == "No room given"


def test_days_follow_the_day_change_and_count_matches(app, congress):
    days = conference_days(congress, Filters(track="Security"))
    expected = [(day, len(talks), sum(talk.track.name == "Security" for talk in talks))
                for day, talks in group_by_day(congress.talks, congress.zone, congress.day_change)]
    assert [(day.date, day.sessions, day.matching) for day in days] == expected
    assert [day.sessions for day in days] == [44, 43, 44, 19]
    talks = day_talks(congress, date(2016, 12, 27), Filters())
    assert len(talks) == 44 and talks[-1].title == "Nicht öffentlich.", "00:15 is before the 01:00 day change"


# Queries per page --------------------------------------------------------------------------

@contextmanager
def counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def statements_for(app, client, url: str) -> int:
    """SQL statements of one request, in an app context of its own as a real request has
    (the test's own context would keep loaded rows and per-request caches)."""
    with app.app_context(), counting_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def add_sessions(conference: Conference, count: int, user) -> None:
    """`count` more sessions on 1 January 2030 in rooms A, B and C, each with two speakers
    and the track Kernel, every other one in the user's plan."""
    rooms_ = conference.rooms
    track = conference.tracks[0]
    first = db.session.scalar(sa.select(sa.func.count(Talk.id)).where(Talk.conference_id == conference.id))
    for number in range(first, first + count):
        start = at(9) + timedelta(minutes=30 * (number // 3))
        speakers = [Speaker(conference=conference, name=f"Speaker {number}{side}") for side in "ab"]
        db.session.add_all(speakers)
        db.session.flush()
        talk = save_talk(Talk(conference=conference), {
            "title": f"Kernel session {number}", "starts_at": start, "ends_at": start + timedelta(minutes=25),
            "room_id": rooms_[number % 3].id, "track_id": track.id, "speaker_ids": [s.id for s in speakers]})
        if number % 2:
            set_plan(user, talk, "going")
    db.session.commit()


@pytest.mark.parametrize("query", ["", "&view=list", "&track=Kernel&speaker=1a"])
def test_timetable_queries_do_not_grow_with_the_sessions(app, client, logged_in, user, query):
    conference = Conference(slug="big", name="Big", timezone="Europe/Brussels",
                            start_date=date(2030, 1, 1), end_date=date(2030, 1, 1))
    conference.rooms = [Room(name=name, position=position) for position, name in enumerate("ABC")]
    conference.tracks = [Track(name="Kernel", color="#336699")]
    db.session.add(conference)
    db.session.flush()
    add_sessions(conference, 8, user)
    url = f"/c/big/timetable?day=2030-01-01{query}"
    few = statements_for(app, client, url)
    add_sessions(conference, 16, user)
    shown = client.get(url).get_data(as_text=True).count('href="/c/big/talks/')
    assert shown == (24 if "speaker" not in query else 3), "speakers 1a, 11a and 21a"
    assert statements_for(app, client, url) == few


# In a browser ------------------------------------------------------------------------------

@pytest.mark.browser
def test_grid_scrolls_in_its_box_with_rooms_and_times_in_view_on_a_phone(phone, live_server, congress):
    phone.goto(live_server + DAY_ONE)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "the page itself never scrolls sideways"
    box = phone.locator(".tt-scroll")
    assert box.evaluate("box => box.scrollWidth > box.clientWidth && box.scrollHeight > box.clientHeight")
    box.evaluate("box => { box.scrollTop = 900; box.scrollLeft = 300; }")
    frame = box.bounding_box()
    header = phone.locator(".tt-room").nth(2).bounding_box()
    assert abs(header["y"] - frame["y"]) <= 2, "the room names stay at the top of the box"
    first_time = phone.locator(".tt-time").nth(8).bounding_box()
    assert abs(first_time["x"] - frame["x"]) <= 2, "the times stay at the left of the box"


@pytest.mark.browser
@pytest.mark.parametrize("view", ["", "&view=list"])
def test_timetable_is_accessible_and_plans_in_place(page, live_server, demo, view):
    log_in(page, live_server, demo.email, demo.password)
    page.goto(live_server + "/c/linuxcon-na-2011/timetable?day=2011-08-17" + view)
    assert axe_violations(page) == []
    page.locator(".tt-session, li.talk").first.hover()  # a short session shows all it holds
    going = page.get_by_role("button", name="Going").first
    going.click()
    expect(going).to_have_attribute("aria-pressed", "true")
