"""tracker.importers.text: HTML in text fields reduced to plain text, and repair wording.

What the samples hold is tested with each importer; these are the rules themselves.
"""

import pytest

from tracker.importers.text import examples
from tracker.importers.text import plain_text
from tracker.importers.text import plural


@pytest.mark.parametrize(("raw", "text"), [
    ("a < b and\nc > d", "a < b and\nc > d"),
    ("  line one\r\n\r\n    indented\rlast  ", "line one\n\n    indented\nlast"),
    ("see: <https://example.org/>\n\nnext", "see: <https://example.org/>\n\nnext"),
])
def test_plain_text_stays_as_written_but_for_line_endings(raw, text):
    assert plain_text(raw) == text


def test_paragraphs_line_breaks_and_list_items():
    assert plain_text("<p>wrapped\nline</p>\n\n<p>next &lt;p&gt;</p>") == "wrapped line\n\nnext <p>"
    assert plain_text("<ul>\n <li>one</li>\n <li>two</li>\n</ul>") == "- one\n- two"
    html = "<div>a<br>b<br/>c</div><ol><li>d<li>e</ol>tail"
    assert plain_text(html) == "a\nb\nc\n\n- d\n- e\n\ntail"


def test_two_line_breaks_in_a_row_are_a_paragraph():
    assert plain_text("one.<br/>\r\n<br/>\r\nTwo:<br />* three") == "one.\n\nTwo:\n* three"


def test_html_proper_wraps_lines_but_keeps_blank_lines_within_text():
    html = ("<p>frab mixes\nMarkdown in:\n\nthis is a paragraph</p>\n\n\n"
            "<ul>\n\n<li>a</li>\n\n<li>b</li></ul>")
    assert plain_text(html) == "frab mixes Markdown in:\n\nthis is a paragraph\n\n- a\n- b"


def test_text_with_a_few_tags_keeps_its_line_breaks():
    assert plain_text("Run <i>this</i>\nthen <cmd>") == "Run this\nthen <cmd>"
    assert plain_text("von: <b>A</b>\n\nText\n  more") == "von: A\n\nText\nmore"


def test_character_references_are_decoded():
    assert plain_text("Tom &amp; Jerry&nbsp;&#8212; &#x263A;\nnext") == "Tom & Jerry\xa0— ☺\nnext"
    assert plain_text("AT&T; &unknown;") == "AT&T; &unknown;"


def test_scripts_and_styles_are_left_out():
    html = "<style>p { color: red }</style><p>shown</p><script>alert('<p>x</p>')</script>"
    assert plain_text(html) == "shown"


@pytest.mark.parametrize("raw", [
    "What could possibly go wrong with <insert x86 instruction here>?",
    "Use `git newbranch <branch-name>` instead of `git checkout -b <branch-name>`",
    "<p>What could possibly go wrong with <insert x86 instruction here>?</p>",
])
def test_pseudo_tags_are_text(raw):
    assert plain_text(raw) == raw.removeprefix("<p>").removesuffix("</p>")


def test_unknown_tags_are_written_once():
    assert plain_text("<p>a <quote>b</quote> <empty/> c</p>") == "a <quote>b</quote> <empty/> c"


def test_preformatted_text_keeps_its_lines_and_spaces():
    html = "<pre><code>x = 1  # one\n    y = 2 \n\nz\n</code></pre>\n\n<p>after</p>"
    assert plain_text(html) == "x = 1  # one\n    y = 2\n\nz\n\nafter"


def test_stand_in_characters_in_the_input_are_dropped():
    assert plain_text("<p>a\x00b\x01c\x02d\x03e</p>") == "abcde"


def test_plural():
    assert plural(1, "session") == "1 session"
    assert plural(0, "session") == "0 sessions"
    assert plural(2, "speaker entry", "speaker entries") == "2 speaker entries"
    assert plural(1, "event lists", "events list") == "1 event lists"


def test_examples():
    assert examples(["a", "b"]) == "a, b"
    assert examples(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
