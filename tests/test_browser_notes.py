"""Issue 6 end to end, in a real browser (Debian's Chromium through Playwright) on the demo
data: a note written in Markdown and seen rendered, safely; a write-up linked to two
sessions of two conferences through the suggestions; the trip report downloaded and read.
"""

import re
from pathlib import Path

import pytest
from pages import axe_violations
from pages import log_in
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SEED = Path(__file__).parent / "resources" / "xen-at-linuxcon-2011.txt"
LINUXCON = "LinuxCon North America 2011"
KVM_FORUM = "KVM Forum 2011"
STORAGE = "What to Expect From Linux Storage"
KVM = "Optimizing Performance of Persistent Data Storage in KVM-based Clouds"
DEMO_WRITEUP = "Xen @ LinuxCon 2011"
DEMO_WRITEUP_URL = "https://xenproject.org/2011/08/25/xen-linuxcon-2011/"

NOTE = """\
# Storage roadmap

**Btrfs** is nearly ready for production, says James.

- thin provisioning
- SCSI targets in the kernel

Slides: [the deck](https://example.org/x)

<script>window.pwned = "script"</script>

[do not click](javascript:window.pwned='link')

<a href="javascript:window.pwned='raw'">raw anchor</a> <img src=x onerror="window.pwned='img'">
"""


def open_session(page: Page, server: str, conference: str, title: str) -> None:
    """From the home page, as a person gets there: the conference, then the session."""
    page.goto(server)
    page.get_by_role("link", name=conference, exact=True).click()
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def write_note(page: Page, body: str, rating: str, tags: str) -> Locator:
    """Fill the session page's note form and save; the saved note's card."""
    notes = page.get_by_role("region", name="My notes")
    notes.get_by_label("Note", exact=True).fill(body)
    notes.get_by_label("Rating").select_option(label=f"{rating} of 5")
    notes.get_by_label("Tags").fill(tags)
    notes.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status").filter(has_text="Note saved.")).to_be_visible()
    card = notes.get_by_role("article", name=re.compile(r"^Note of "))
    expect(card).to_have_count(1)
    return card


def assert_note_rendered_safely(page: Page, card: Locator) -> None:
    body = card.locator(".note-body")
    # Markdown became HTML: bold, a list, a heading below the note's own h3, one safe link.
    expect(body.locator("strong")).to_have_text(["Btrfs"])
    expect(body.get_by_role("listitem")).to_have_text(["thin provisioning", "SCSI targets in the kernel"])
    heading = body.get_by_role("heading", name="Storage roadmap")
    expect(heading).to_have_count(1)
    level = heading.evaluate("h => Number(h.tagName.slice(1))")
    assert level >= 4, f"the note's heading is an h{level}: it stands level with the page's own headings"
    link = body.get_by_role("link", name="the deck")
    expect(link).to_have_attribute("href", "https://example.org/x")
    expect(link).to_have_attribute("rel", re.compile(r"(^|\s)noopener(\s|$)"))

    # The hostile parts are shown as text and do nothing.
    expect(body.locator("script, img, iframe, object, embed, style")).to_have_count(0)
    expect(body).to_contain_text('<script>window.pwned = "script"</script>')
    expect(body).to_contain_text("do not click")
    expect(body).to_contain_text("raw anchor")
    hrefs = body.locator("[href], [src]").evaluate_all(
        "els => els.map(e => e.getAttribute('href') ?? e.getAttribute('src'))")
    assert hrefs == ["https://example.org/x"], "the javascript: links must have no href"
    handlers = body.locator("*").evaluate_all(
        "els => els.flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))")
    assert handlers == []
    body.get_by_text("do not click").click()
    body.get_by_text("raw anchor").click()
    assert page.evaluate("window.pwned") is None


def test_write_a_note_in_markdown_and_see_it_rendered_safely(page, live_server, demo):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, demo.email, demo.password)
    open_session(page, live_server, LINUXCON, STORAGE)
    talk_url = page.url

    card = write_note(page, NOTE, "4", "storage btrfs")
    assert page.url.startswith(talk_url + "#note-"), "back on the session, at the new note"
    expect(card).to_contain_text("Rated 4 of 5")
    expect(card.get_by_role("link", name="storage", exact=True)).to_be_visible()
    expect(card.get_by_role("link", name="btrfs", exact=True)).to_be_visible()
    assert_note_rendered_safely(page, card)

    # Stored, not just shown: a reload shows the same note, and the form is empty again.
    page.reload()
    notes = page.get_by_role("region", name="My notes")
    expect(notes.get_by_label("Note", exact=True)).to_have_value("")
    card = notes.get_by_role("article", name=re.compile(r"^Note of "))
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Rated 4 of 5")
    assert_note_rendered_safely(page, card)

    # The notebook shows it under its session.
    notes.get_by_role("link", name=f"My notebook for {LINUXCON}").click()
    expect(page.get_by_role("heading", name=f"My notebook: {LINUXCON}", level=1)).to_be_visible()
    expect(page.get_by_text("1 note on 1 session")).to_be_visible()
    session = page.get_by_role("region", name=STORAGE)
    expect(session.get_by_role("heading", name=STORAGE, level=2)).to_be_visible()
    expect(session).to_contain_text("James Bottomley")
    card = session.get_by_role("article", name=re.compile(r"^Note of "))
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Rated 4 of 5")
    assert_note_rendered_safely(page, card)
    assert axe_violations(page) == []
    assert dialogs == []


@pytest.mark.parametrize("start", ["write-ups page", "conference page"])
def test_link_a_writeup_to_two_conferences_talks_through_the_suggestions(page, live_server, demo, start):
    log_in(page, live_server, demo.email, demo.password)
    look_in = page.get_by_role("group", name="Look in")
    if start == "write-ups page":
        # No conference ticked: every conference is looked in.
        page.get_by_role("navigation", name="Site").get_by_role("link", name="Write-ups").click()
        page.get_by_role("link", name="Add a write-up", exact=True).click()
        expect(page.get_by_role("heading", name="Add a write-up", level=1)).to_be_visible()
        expect(look_in.get_by_role("checkbox", checked=True)).to_have_count(0)
    else:
        # From LinuxCon's page only LinuxCon is ticked; the other talk is at KVM Forum.
        page.goto(live_server)
        page.get_by_role("link", name=LINUXCON, exact=True).click()
        page.get_by_role("link", name="Add a write-up", exact=True).click()
        expect(page.get_by_role("heading", name="Add a write-up", level=1)).to_be_visible()
        expect(look_in.get_by_role("checkbox", name=LINUXCON)).to_be_checked()
        expect(look_in.get_by_role("checkbox", name=KVM_FORUM)).not_to_be_checked()
        look_in.get_by_role("checkbox", name=KVM_FORUM).check()

    page.get_by_label("Address").fill("https://blog.example.org/2011/xen-at-linuxcon")
    page.get_by_label("Title", exact=True).fill("Xen at LinuxCon, a copy")
    page.get_by_label("Kind").select_option(label="Trip report")
    page.get_by_label("Text to find sessions in").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Suggest sessions").click()

    expect(page.locator(".suggest-status")).to_contain_text(re.compile(r"\d+ sessions suggested, likeliest first"))
    choices = page.locator(".talk-choices > li")
    titles = choices.locator(".title").all_inner_texts()
    assert sorted(titles[:2]) == sorted([STORAGE, KVM]), f"the two talks the text names come first: {titles}"
    expect(page.get_by_role("checkbox", name=STORAGE)).to_be_checked()
    expect(page.get_by_role("checkbox", name=KVM)).to_be_checked()
    # What was typed is still there after suggesting.
    expect(page.get_by_label("Title", exact=True)).to_have_value("Xen at LinuxCon, a copy")
    expect(page.get_by_label("Kind")).to_have_value("trip_report")
    assert axe_violations(page) == []

    # Keep only the two: untick whatever else was ticked.
    for choice in choices.all():
        if choice.locator(".title").inner_text() not in (STORAGE, KVM):
            choice.get_by_role("checkbox").uncheck()
    expect(choices.get_by_role("checkbox", checked=True)).to_have_count(2)
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name="Xen at LinuxCon, a copy", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Saved “Xen at LinuxCon, a copy”, about 2 sessions.")
    writeup_url = page.url
    expect(page.get_by_role("definition").filter(has_text="Trip report")).to_have_count(1)
    sessions = page.get_by_role("region", name="Sessions it is about")
    expect(sessions.get_by_role("heading", level=3)).to_have_text([KVM_FORUM, LINUXCON])
    expect(sessions.get_by_role("link")).to_have_text([KVM, STORAGE])

    for title in (KVM, STORAGE):
        page.goto(writeup_url)
        page.get_by_role("region", name="Sessions it is about").get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        writeups = page.get_by_role("region", name="Write-ups")
        link = page.get_by_role("link", name="Xen at LinuxCon, a copy", exact=True)
        expect(writeups.locator(link)).to_have_attribute("href", "https://blog.example.org/2011/xen-at-linuxcon")
        expect(writeups.get_by_role("listitem").filter(has=link)).to_contain_text("trip report")
        writeups.get_by_role("link", name=re.compile(r"^About this write-up\s*: Xen at LinuxCon, a copy$")).click()
        expect(page).to_have_url(writeup_url)


def test_attend_take_a_note_and_download_the_edited_trip_report(page, live_server, demo):
    log_in(page, live_server, demo.email, demo.password)
    open_session(page, live_server, LINUXCON, STORAGE)

    # One click marks it attended, without a page load.
    page.evaluate("window.notReloaded = true")
    attended = page.get_by_role("button", name="Attended")
    attended.click()
    expect(attended).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.notReloaded") is True

    write_note(page, "Btrfs is nearly ready; fsck is the missing piece.\n\n- ask about SCSI targets",
               "5", "storage")
    expect(page.get_by_role("button", name="Attended")).to_have_attribute("aria-pressed", "true")

    page.locator(".crumbs").get_by_role("link", name=LINUXCON).click()
    page.get_by_role("link", name="Trip report", exact=True).click()
    expect(page.get_by_role("heading", name="Trip report", level=1)).to_be_visible()
    expect(page.get_by_text("Drafted from the 1 session you marked attended")).to_be_visible()
    assert axe_violations(page) == []

    editor = page.get_by_label("Your trip report, in Markdown")
    expect(editor).to_have_value(re.compile(r"^# Trip report: LinuxCon North America 2011\n"))
    editor.press("ControlOrMeta+End")
    page.keyboard.type("\nMet Khoa Huynh at the Gala.\n")

    with page.expect_download() as edited:
        page.get_by_role("button", name="Download as Markdown (.md)").click()
    download = edited.value
    assert download.failure() is None
    assert download.suggested_filename == "linuxcon-na-2011-trip-report.md"
    report = Path(download.path()).read_bytes().decode("utf-8")  # not read_text: it would turn \r\n into \n

    lines = report.splitlines()
    assert lines[0] == "# Trip report: LinuxCon North America 2011"
    assert "## Wednesday 17 August 2011" in lines
    assert "### What to Expect From Linux Storage" in lines
    assert lines.index("## Wednesday 17 August 2011") < lines.index("### What to Expect From Linux Storage")
    assert [line for line in lines if line.startswith("### ")] == ["### What to Expect From Linux Storage"], \
        "only the attended session"
    facts = lines[lines.index("### What to Expect From Linux Storage") + 2]
    assert "James Bottomley" in facts and "11:00–11:50 PDT" in facts
    assert "Rating: 5/5" in lines
    assert "Btrfs is nearly ready; fsck is the missing piece." in lines
    assert "- ask about SCSI targets" in lines
    assert f"- [{DEMO_WRITEUP}]({DEMO_WRITEUP_URL}) (trip report by Xen Project blog)" in lines
    assert lines[-1] == "Met Khoa Huynh at the Gala."
    assert "\r" not in report

    # The other link downloads the draft as drafted, without the edit.
    with page.expect_download() as unedited:
        page.get_by_role("link", name="Download the draft without edits").click()
    draft = Path(unedited.value.path()).read_bytes().decode("utf-8")
    assert draft.startswith("# Trip report: LinuxCon North America 2011\n")
    assert "Btrfs is nearly ready; fsck is the missing piece." in draft
    assert "Met Khoa Huynh" not in draft
