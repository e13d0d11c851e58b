"""End to end, in a real browser: Debian's Chromium driven by Playwright, against the app
served by the `live_server` fixture with the demo loaded.

No browser is ever downloaded: the tests use /usr/bin/chromium and fail (they do not skip)
when it is missing.
"""

import re

import pytest
from conftest import CHROMIUM
from conftest import chromium_missing
from pages import axe_violations
from pages import log_in
from playwright.sync_api import Page
from playwright.sync_api import Response
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CONFERENCE = "LinuxCon North America 2011"
TALK = "What to Expect From Linux Storage"
WRITEUP = "Xen @ LinuxCon 2011"
WRITEUP_URL = "https://xenproject.org/2011/08/25/xen-linuxcon-2011/"


def test_chromium_is_installed():
    """Fails, rather than skips, where the browser is missing; the browser tests then error."""
    assert CHROMIUM.exists(), chromium_missing()


def failed_responses(page: Page) -> list[str]:
    """Collect the app's answers of 400 and above while the page is used (favicon aside)."""
    failures: list[str] = []

    def check(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            failures.append(f"{response.status} {response.request.method} {response.url}")

    page.on("response", check)
    return failures


def test_log_in_and_read_a_session(page, live_server, demo):
    failures = failed_responses(page)
    site = page.get_by_role("navigation", name="Site")

    # Log in through the form, from the header's link.
    page.goto(live_server)
    expect(page.get_by_role("heading", name="Conferences", level=1)).to_be_visible()
    site.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    page.get_by_label("E-mail").fill(demo.email)
    page.get_by_label("Password", exact=True).fill(demo.password)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Conferences", level=1)).to_be_visible()
    expect(site.get_by_text("Demo attendee", exact=True)).to_be_visible()
    expect(site.get_by_role("button", name="Log out")).to_be_visible()
    expect(site.get_by_role("link", name="Log in")).to_have_count(0)

    # The conference's programme, by day in its zone.
    page.get_by_role("link", name=CONFERENCE).click()
    expect(page.get_by_role("heading", name=CONFERENCE, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Wednesday 17 August 2011", level=2)).to_be_visible()

    # One session: who, when (on the conference's wall clock), and what was written about it.
    page.get_by_role("link", name=TALK).click()
    expect(page.get_by_role("heading", name=TALK, level=1)).to_be_visible()
    expect(page.get_by_role("link", name="James Bottomley", exact=True)).to_be_visible()
    when = page.get_by_role("definition").filter(has_text="Wednesday 17 August 2011")
    expect(when).to_have_count(1)
    expect(when).to_contain_text(re.compile(r"11:00\s*–\s*11:50\s+PDT\b"))

    writeups = page.get_by_role("region", name="Write-ups")
    expect(writeups.get_by_role("heading", name="Write-ups")).to_be_visible()
    link = writeups.get_by_role("link", name=WRITEUP, exact=True)
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", WRITEUP_URL)

    # Still logged in, three pages on.
    expect(site.get_by_text("Demo attendee", exact=True)).to_be_visible()
    assert failures == [], "the app answered with an error"


def test_conference_page_fits_a_phone(phone, live_server, demo):
    phone.goto(live_server)
    phone.get_by_role("link", name=CONFERENCE).click()
    expect(phone.get_by_role("heading", name="Wednesday 17 August 2011", level=2)).to_be_visible()

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the conference page is {width}px wide on a 360px screen: it scrolls sideways"


@pytest.mark.parametrize("path", ["/", "/c/linuxcon-na-2011", "/c/linuxcon-na-2011/speakers/",
                                  "/c/linuxcon-na-2011/tracks/", "/import", "/settings/"])
def test_pages_have_no_serious_accessibility_problems(page, live_server, demo, path):
    log_in(page, live_server, demo.email, demo.password)
    page.goto(live_server + path)
    assert axe_violations(page) == []


def test_session_page_accessible_and_plan_changes_without_reload(page, live_server, demo):
    log_in(page, live_server, demo.email, demo.password)
    page.goto(live_server + "/c/linuxcon-na-2011")
    page.get_by_role("link", name=TALK).click()
    assert axe_violations(page) == []
    page.evaluate("window.notReloaded = true")
    going = page.get_by_role("button", name="Going")
    going.click()
    expect(going).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.notReloaded") is True, "the plan changed without a page load"
    page.reload()
    expect(page.get_by_role("button", name="Going")).to_have_attribute("aria-pressed", "true")


def test_a_plan_click_after_the_login_is_gone_asks_to_log_in(page, live_server, demo):
    """Without the JSON answer it expects (here: the session ended), plan.js posts the form
    as a page would, with the clicked button, and the server says what to do."""
    log_in(page, live_server, demo.email, demo.password)
    page.goto(live_server + "/c/linuxcon-na-2011")
    page.get_by_role("link", name=TALK).click()
    page.context.clear_cookies()
    page.get_by_role("button", name="Going").click()
    page.wait_for_url("**/login**")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_visitors_are_invited_to_log_in_to_plan(page, live_server, demo):
    page.goto(live_server + "/c/linuxcon-na-2011")
    page.get_by_role("link", name=TALK).click()
    assert page.get_by_role("button", name="Going").count() == 0
    page.get_by_text("to plan this session").get_by_role("link", name="Log in").click()
    page.fill("input[name=email]", demo.email)
    page.fill("input[name=password]", demo.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=TALK)).to_be_visible()
    page.get_by_role("button", name="Going").click()
    expect(page.get_by_role("button", name="Going")).to_have_attribute("aria-pressed", "true")
