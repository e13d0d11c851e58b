"""Planning a conference in a real browser, on a real imported sample: FOSDEM 2025 from its
frab XML (943 sessions over two days, 28 rooms on the Sunday, one track per devroom), as
imported by the import service.

The journeys of issue 5: filter the grid by a track; plan with one click without a reload;
mark two overlapping sessions going and read the clash, its alternatives and their
recordings; search a speaker; show the times in the user's own zone; a FOSDEM-size day on a
phone; plan with the keyboard. axe-core checks the filtered grid, the agenda with a clash
and a session page.

The sample is imported once for the module (about two seconds): the module has its own
`app` fixture, alive for the module, and each test leaves the data as it found it (no plans,
no zone, no recordings).
"""

import re
from collections.abc import Iterator
from datetime import date
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from conftest import empty_tables
from conftest import fresh_g
from conftest import make_app
from flask import Flask
from flask import request_started
from pages import axe_violations
from playwright.sync_api import Page
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.models import AgendaEntry
from tracker.models import Speaker
from tracker.models import Talk
from tracker.models import Track
from tracker.models import User
from tracker.services.accounts import create_user
from tracker.services.imports import import_schedule

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).parent / "samples" / "frab-xml" / "fosdem-2025-schedule.xml"
SLUG = "fosdem-2025"
SUNDAY = date(2025, 2, 2)
BRUSSELS = ZoneInfo("Europe/Brussels")
NEW_YORK = ZoneInfo("America/New_York")
EMAIL, PASSWORD = "ada@example.org", "correct horse"

#: a devroom's track; its name holds a comma and an ampersand, which the URL must carry
TRACK = "HPC, Big Data & Data Science"
#: two Sunday sessions in different rooms that overlap: 09:30–09:45 and 09:40–10:00
FIRST, SECOND = "Tux-EVSE, an open-source EV charger", "rash: asynchronous shell"
#: a speaker with four sessions, and another speaker who shares her first name
SPEAKER = "Karen Sandler"
#: where the one recording this module adds points (the sample lists no recording at all)
RECORDING = "https://video.fosdem.org/2025/recorded-alternative.av1.webm"


# Fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(_schema, database_url, tmp_path_factory) -> Iterator[Flask]:
    """The app with FOSDEM 2025 imported and one attendee, for the whole module: it
    replaces conftest's `app`, which empties the tables after every test."""
    app = make_app(database_url, tmp_path_factory.mktemp("instance"))
    request_started.connect(fresh_g, app)
    with app.app_context():
        import_schedule(SAMPLE.read_bytes(), source=SAMPLE.name)
        create_user(EMAIL, PASSWORD, display_name="Ada")
        db.session.commit()
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def as_found(app) -> Iterator[None]:
    """Each test starts, and leaves the data, with no plans, the conference's zone and no
    recordings; and reads what the server committed, not what its session remembers."""
    db.session.rollback()
    assert plans() == {}, "an earlier test left plans behind"
    yield
    db.session.rollback()
    db.session.execute(sa.delete(AgendaEntry))
    db.session.execute(sa.update(User).values(timezone=None))
    db.session.execute(sa.update(Talk).where(Talk.video_url != "").values(video_url=""))
    db.session.commit()


@pytest.fixture(scope="module")
def session_cookie(app) -> dict:
    """The attendee's session, from one post of the login form for the whole module (each
    login through the browser costs two page loads; test_browser.py logs in that way)."""
    client = app.test_client()
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 302
    cookie = client.get_cookie("session")
    return {"name": cookie.key, "value": cookie.value, "domain": "127.0.0.1", "path": "/"}


def logged_in(page: Page, cookie: dict) -> Page:
    page.context.add_cookies([cookie])
    return page


@pytest.fixture
def attendee(page, session_cookie) -> Page:
    """A desktop page logged in as the attendee."""
    return logged_in(page, session_cookie)


def titled(title: str) -> Talk:
    return db.session.scalars(sa.select(Talk).where(Talk.title == title)).one()


def sunday_talks() -> list[Talk]:
    """The Sunday's sessions, found without the app's own day logic: by their start on
    the Brussels wall clock (FOSDEM runs from morning to evening, nothing past midnight)."""
    return [talk for talk in db.session.scalars(sa.select(Talk).order_by(Talk.starts_at, Talk.id))
            if talk.starts_at.astimezone(BRUSSELS).date() == SUNDAY]


def plans() -> dict[str, str]:
    """The attendee's agenda as the database holds it: title -> status."""
    db.session.rollback()  # see what the server's threads committed
    return dict(db.session.execute(
        sa.select(Talk.title, AgendaEntry.status).join(AgendaEntry, AgendaEntry.talk_id == Talk.id)
        .join(User, User.id == AgendaEntry.user_id).where(User.email == EMAIL)).all())


def talk_url(server: str, talk: Talk) -> str:
    return f"{server}/c/{SLUG}/talks/{talk.id}"


def hm(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def grid_cell(page: Page, title: str):
    """A session's cell in the grid, by its title."""
    return page.locator(".tt-session").filter(has=page.get_by_role("link", name=title, exact=True))


def main_frame_loads(page: Page) -> list[str]:
    """Every navigation of the page's main frame from now on (a reload or a form post
    that the script did not catch would be one)."""
    loads: list[str] = []
    page.on("framenavigated", lambda frame: loads.append(frame.url) if frame == page.main_frame else None)
    return loads


def test_the_sample_is_fosdem_size_and_has_no_recordings(app):
    """What the other tests count on: two days, dozens of rooms on the Sunday, the track
    and the overlapping sessions they use, and no recording anywhere."""
    talks = sunday_talks()
    assert len(talks) == 473
    assert len({talk.room_id for talk in talks}) == 28
    assert titled(FIRST).starts_at < titled(SECOND).starts_at < titled(FIRST).ends_at
    assert titled(FIRST).room_id != titled(SECOND).room_id
    assert db.session.scalar(sa.select(sa.func.count()).where(Talk.video_url != "")) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Track).where(Track.name == TRACK)) == 1


# 1. Filter the grid by a track ---------------------------------------------------------------

def test_filter_the_grid_by_a_track_through_its_form(attendee, live_server):
    page = attendee
    expected = [talk for talk in sunday_talks() if talk.track and talk.track.name == TRACK]
    assert len(expected) == 20

    page.goto(f"{live_server}/c/{SLUG}/timetable?day=2025-02-02")
    expect(page.get_by_role("heading", name="Sunday 2 February 2025", level=2)).to_be_visible()
    expect(page.locator(".tt-session")).to_have_count(473)

    page.get_by_text("Filter by track, room, kind or speaker").click()
    page.get_by_label("Track", exact=True).select_option(TRACK)
    page.get_by_role("button", name="Filter", exact=True).click()

    def check_filtered() -> None:
        query = parse_qs(urlsplit(page.url).query)
        assert query == {"day": ["2025-02-02"], "track": [TRACK]}, page.url
        cells = page.locator(".tt-session")
        expect(cells).to_have_count(len(expected))
        assert sorted(cells.locator(".tt-title").all_inner_texts()) == sorted(talk.title for talk in expected)
        assert set(cells.locator(".tt-track").all_inner_texts()) == {TRACK}
        expect(page.locator(".tt-room")).to_have_text([expected[0].room.name])
        expect(page.get_by_label("Track", exact=True)).to_have_value(TRACK)
        days = page.get_by_role("navigation", name="Days")
        expect(days.get_by_role("link", name="Sun 2 Feb")).to_have_text(f"Sun 2 Feb ({len(expected)} of 473)")
        expect(days.get_by_role("link", name="Sat 1 Feb")).to_have_text(re.compile(r"\(0 of 470\)"))

    check_filtered()
    page.reload()
    check_filtered()

    assert axe_violations(page) == []


# 2. One click on the grid, no reload ---------------------------------------------------------

def test_one_click_plan_on_the_grid_without_a_reload(attendee, live_server):
    page = attendee
    talk = titled("Exa-Tracer: Tracing HPC Supercomputers with LTTng")
    page.goto(f"{live_server}/c/{SLUG}/timetable?{urlencode({'day': '2025-02-02', 'track': TRACK})}")
    cell = grid_cell(page, talk.title)
    expect(cell).to_have_count(1)
    going, maybe = cell.get_by_role("button", name="Going"), cell.get_by_role("button", name="Maybe")
    expect(going).to_have_attribute("aria-pressed", "false")

    page.evaluate("window.__marker = 1")
    loads = main_frame_loads(page)
    cell.hover()  # a short session shows all it holds when pointed at
    with page.expect_response(lambda response: response.url.endswith(f"/plan/{talk.id}")) as answer:
        going.click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("application/json"), "sent by fetch()"
    expect(going).to_have_attribute("aria-pressed", "true")
    expect(maybe).to_have_attribute("aria-pressed", "false")
    assert plans() == {talk.title: "going"}

    maybe.click()
    expect(maybe).to_have_attribute("aria-pressed", "true")
    expect(going).to_have_attribute("aria-pressed", "false")
    assert plans() == {talk.title: "maybe"}

    maybe.click()  # a second click on the chosen status takes the session out of the agenda
    expect(maybe).to_have_attribute("aria-pressed", "false")
    assert plans() == {}

    assert page.evaluate("window.__marker") == 1, "the page was loaded again"
    assert loads == [], f"the page navigated: {loads}"
    expect(page.locator(".flash")).to_have_count(0)  # the form post's redirect would flash


# 3. A clash, its alternatives and their recordings --------------------------------------------

def test_two_overlapping_sessions_going_show_the_clash_and_the_alternatives(attendee, live_server):
    """The sample lists no recording: the test gives one alternative a recording in the
    database, then marks the two sessions going by clicking on their pages."""
    page = attendee
    first, second = titled(FIRST), titled(SECOND)
    slot_start, slot_end = first.starts_at, max(first.ends_at, second.ends_at)
    alternatives = [talk for talk in sunday_talks() if talk.id not in (first.id, second.id)
                    and talk.starts_at < slot_end and slot_start < talk.ends_at]
    assert len(alternatives) == 35
    recorded = alternatives[len(alternatives) // 2]
    recorded.video_url = RECORDING
    db.session.commit()

    for talk in (first, second):
        page.goto(talk_url(live_server, talk))
        going = page.get_by_role("button", name="Going")
        going.click()
        expect(going).to_have_attribute("aria-pressed", "true")
    assert plans() == {FIRST: "going", SECOND: "going"}

    page.goto(f"{live_server}/c/{SLUG}/agenda")
    expect(page.get_by_role("heading", name="My agenda", level=1)).to_be_visible()
    expect(page.locator(".clash-summary")).to_have_text(re.compile(r"^1 clash: sessions you are going to overlap\."))

    # each session says whom it clashes with, in words
    first_row = page.locator("li.talk").filter(has=page.get_by_role("link", name=FIRST, exact=True))
    expect(first_row.locator(".clash-text")).to_have_text(f"Clashes with “{SECOND}” (09:40–10:00)")
    second_row = page.locator("li.talk").filter(has=page.get_by_role("link", name=SECOND, exact=True))
    expect(second_row.locator(".clash-text")).to_have_text(f"Clashes with “{FIRST}” (09:30–09:45)")

    clash = page.locator("li.clash")
    expect(clash).to_have_count(1)
    expect(clash.locator("p").first).to_have_text("Clash, 09:30–10:00: you can be at only one of these.")
    chosen = clash.get_by_role("list", name="The sessions you are going to in this slot")
    expect(chosen.locator("li.option a").filter(has_not_text="watch later")).to_have_text([FIRST, SECOND])

    others = clash.get_by_role("list", name="Other sessions in this slot")
    options = others.locator("li.option")
    expect(options).to_have_count(len(alternatives))
    titles = [option.get_by_role("link").first.inner_text() for option in options.all()]
    assert titles == [talk.title for talk in sorted(alternatives, key=lambda talk: (talk.starts_at, talk.ends_at))], \
        "in time order: by start, then by end"

    # whether each alternative has a recording, said in words
    with_recording = options.filter(has_text="Has a recording")
    expect(with_recording).to_have_count(1)
    expect(with_recording.get_by_role("link").first).to_have_text(recorded.title)
    watch = with_recording.get_by_role("link", name=f"watch later ({recorded.title})")
    expect(watch).to_have_attribute("href", RECORDING)
    expect(options.filter(has_text="No recording listed")).to_have_count(len(alternatives) - 1)
    expect(chosen.locator("li.option").filter(has_text="No recording listed")).to_have_count(2)

    assert axe_violations(page) == []


# 4. Search a speaker -----------------------------------------------------------------------

def test_search_a_speaker_by_name_through_the_search_box(attendee, live_server):
    page = attendee
    hers = {talk.title for talk in db.session.scalars(
        sa.select(Talk).where(Talk.speakers.any(Speaker.name == SPEAKER)))}
    assert len(hers) == 4
    namesake = titled("Tuning Postgres for Analytics")  # by Karen Jex
    assert SPEAKER not in {speaker.name for speaker in namesake.speakers}

    page.goto(live_server)
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Search").click()
    page.get_by_label("Words to find").fill(SPEAKER)
    page.get_by_role("button", name="Search", exact=True).click()

    assert parse_qs(urlsplit(page.url).query)["q"] == [SPEAKER]
    expect(page.get_by_role("heading", name=f"4 sessions matching “{SPEAKER}”", level=2)).to_be_visible()
    results = page.locator("ol.search-results > li")
    expect(results).to_have_count(4)
    assert set(results.locator("h3").all_inner_texts()) == hers
    for result in results.all():
        expect(result.locator(".meta")).to_contain_text(SPEAKER)

    # every word must match: her first name alone finds her namesake's session too
    page.get_by_label("Words to find").fill("Karen")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="5 sessions matching “Karen”", level=2)).to_be_visible()
    assert set(results.locator("h3").all_inner_texts()) == hers | {namesake.title}


# 5. The user's own zone ---------------------------------------------------------------------

def save_zone(page: Page, zone: str) -> None:
    """Through the settings page, from the header of the page shown."""
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Ada").click()
    page.get_by_label("Show times in").fill(zone)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Saved your settings.")


def test_times_in_the_users_own_zone_and_back(attendee, live_server):
    page = attendee
    talk = titled(FIRST)
    brussels = f"{hm(talk.starts_at, BRUSSELS)}–{hm(talk.ends_at, BRUSSELS)}"
    new_york = f"{hm(talk.starts_at, NEW_YORK)}–{hm(talk.ends_at, NEW_YORK)}"
    assert (brussels, new_york) == ("09:30–09:45", "03:30–03:45"), "six hours apart in February"
    page.goto(talk_url(live_server, talk))
    page.get_by_role("button", name="Going").click()
    expect(page.get_by_role("button", name="Going")).to_have_attribute("aria-pressed", "true")
    timetable = f"{live_server}/c/{SLUG}/timetable?{urlencode({'day': '2025-02-02', 'room': talk.room.name})}"

    def check(times: str, zone_label: str, abbreviation: str, session_zone: str) -> None:
        page.goto(timetable)
        expect(page.locator(".timetable .meta").first).to_contain_text(zone_label)
        expect(page.locator(".tt-corner")).to_have_text(abbreviation)
        expect(grid_cell(page, talk.title).locator(".tt-when")).to_have_text(re.compile("^" + times))

        page.goto(f"{live_server}/c/{SLUG}/agenda")
        expect(page.locator("p.meta").first).to_contain_text(zone_label)
        row = page.locator("li.talk").filter(has=page.get_by_role("link", name=talk.title, exact=True))
        expect(row.locator(".time")).to_have_text(times)

        page.goto(talk_url(live_server, talk))
        when = page.get_by_role("definition").filter(has_text="2025")
        expect(when).to_contain_text(f"Sunday 2 February 2025, {times} {abbreviation}")
        expect(when).to_contain_text(session_zone)

    save_zone(page, "America/New_York")
    check(new_york, "Times in your zone, America/New_York (the conference's is Europe/Brussels)", "EST",
          "(your zone, America/New_York; the conference is in Europe/Brussels)")

    save_zone(page, "")
    check(brussels, "Times in Europe/Brussels", "CET", "(Europe/Brussels)")
    db.session.rollback()
    assert db.session.scalar(sa.select(User.timezone).where(User.email == EMAIL)) is None


# 6. A FOSDEM-size day on a phone -----------------------------------------------------------

def test_fosdem_sunday_grid_on_a_360_px_phone(phone, live_server, session_cookie):
    logged_in(phone, session_cookie)  # with every session's plan buttons
    rooms = {talk.room.name for talk in sunday_talks()}
    phone.goto(f"{live_server}/c/{SLUG}/timetable?day=2025-02-02")
    expect(phone.locator(".tt-session")).to_have_count(473)
    expect(phone.locator(".tt-room")).to_have_count(len(rooms))
    assert set(phone.locator(".tt-room").all_inner_texts()) == rooms

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide on a 360px screen: it scrolls sideways"

    box = phone.locator(".tt-scroll")
    assert box.evaluate("box => box.scrollWidth > 5 * box.clientWidth"), "28 rooms do not fit: the grid scrolls"
    assert box.evaluate("box => box.scrollHeight > 2 * box.clientHeight")
    box.evaluate("box => box.scrollIntoView({block: 'start'})")
    scrolled = box.evaluate("""box => {
        box.scrollTop = box.scrollHeight / 2; box.scrollLeft = box.scrollWidth / 2;
        return [box.scrollTop, box.scrollLeft, window.scrollX]; }""")
    assert scrolled[0] > 0 and scrolled[1] > 0, "the grid scrolls inside its box"
    assert scrolled[2] == 0, "the page did not scroll sideways"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    frame = box.bounding_box()
    # what is drawn just inside the top of the box, in its middle: a room's name, not a session
    top = phone.evaluate("""([x, y]) => {
        const room = document.elementFromPoint(x, y)?.closest('.tt-room');
        return room && [room.textContent.trim(), room.getBoundingClientRect().top]; }""",
                         [frame["x"] + frame["width"] / 2, frame["y"] + 12])
    assert top is not None, "after scrolling down, the room names are not at the top of the grid"
    name, header_top = top
    assert name in rooms
    assert abs(header_top - frame["y"]) <= 2, "the room names stick to the top of the box"
    # and the times to its left
    side = phone.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('.tt-time')?.textContent.trim()",
                          [frame["x"] + 8, frame["y"] + frame["height"] / 2])
    assert side and re.fullmatch(r"\d\d:\d\d", side), "the times stay at the left of the box"


# 7. The keyboard ----------------------------------------------------------------------------

def tab_to(page: Page, label: str, limit: int = 40) -> None:
    """Press Tab until the plan button `label` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('form[data-plan] button') "
                         "&& document.activeElement.textContent.trim()") == label:
            return
    pytest.fail(f"{limit} presses of Tab did not reach the {label} button")


def test_plan_with_the_keyboard_on_a_session_page(attendee, live_server):
    page = attendee
    talk = titled(SECOND)
    page.goto(talk_url(live_server, talk))
    assert axe_violations(page) == []
    going, maybe = page.get_by_role("button", name="Going"), page.get_by_role("button", name="Maybe")
    loads = main_frame_loads(page)

    tab_to(page, "Going")
    outline = page.evaluate("""() => { const style = getComputedStyle(document.activeElement);
        return [style.outlineStyle, style.outlineWidth]; }""")
    assert outline[0] != "none" and outline[1] != "0px", f"no visible focus: outline {outline}"
    page.keyboard.press("Enter")
    expect(going).to_have_attribute("aria-pressed", "true")
    assert plans() == {talk.title: "going"}

    page.keyboard.press("Tab")
    expect(maybe).to_be_focused()
    page.keyboard.press("Space")
    expect(maybe).to_have_attribute("aria-pressed", "true")
    expect(going).to_have_attribute("aria-pressed", "false")
    assert plans() == {talk.title: "maybe"}
    expect(maybe).to_be_focused()  # the focus stays where it was: no reload
    assert loads == []
