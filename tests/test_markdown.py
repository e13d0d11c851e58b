"""Markdown in notes: rendered, then sanitised, so that nothing a user writes runs in a page."""

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tracker.extensions import db
from tracker.markdown import ALLOWED_TAGS
from tracker.markdown import render_markdown
from tracker.markdown import sanitise_html
from tracker.models import Talk
from tracker.services.notes import NoteContent
from tracker.services.notes import add_note
from tracker.services.notes import share_notebook

SAFE_SCHEMES = ("http:", "https:", "mailto:")


class Elements(HTMLParser):
    """Every start tag in a fragment, with its attributes (entities decoded, as a browser reads them)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def problems(html: str) -> list[str]:
    """What in rendered HTML could run script or load something: none, for safe output."""
    found = []
    for tag, attributes in Elements(html).found:
        if tag not in ALLOWED_TAGS:
            found.append(f"<{tag}>")
        for name, value in attributes.items():
            if name.startswith("on") or name in ("src", "srcdoc", "formaction", "action", "data", "xlink:href"):
                found.append(f"{tag} {name}")
            if name == "href" and not value.strip().lower().startswith(SAFE_SCHEMES):
                found.append(f"{tag} href={value}")
            if name == "style" and not value.startswith("text-align:"):
                found.append(f"{tag} style={value}")
    return found


def hrefs(html: str) -> list[str | None]:
    return [attributes.get("href") for tag, attributes in Elements(html).found if tag == "a"]


# --- what a note may use ------------------------------------------------------------------

@pytest.mark.parametrize(("markdown", "html"), [
    ("Some *emphasis*, **strong** and `code`.",
     "<p>Some <em>emphasis</em>, <strong>strong</strong> and <code>code</code>.</p>\n"),
    ("# Title\n\n### Small", "<h4>Title</h4>\n<h6>Small</h6>\n"),
    ("- one\n- two\n\n3. three", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol start=\"3\">\n<li>three</li>\n</ol>\n"),
    ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"),
    ("~~gone~~", "<p><s>gone</s></p>\n"),
    ("[slides](https://example.org/slides.pdf \"The slides\")",
     '<p><a href="https://example.org/slides.pdf" title="The slides" rel="noopener noreferrer">slides</a></p>\n'),
    ("<https://example.org>", '<p><a href="https://example.org" rel="noopener noreferrer">https://example.org</a></p>\n'),
    ("[mail me](mailto:ada@example.org)", '<p><a href="mailto:ada@example.org" rel="noopener noreferrer">mail me</a></p>\n'),
    ("| a | b |\n|--:|---|\n| 1 | 2 |",
     '<table>\n<thead>\n<tr>\n<th style="text-align:right">a</th>\n<th>b</th>\n</tr>\n</thead>\n'
     '<tbody>\n<tr>\n<td style="text-align:right">1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n'),
    ("```html\n<script>alert(1)</script>\n```", "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"),
    ("line one  \nline two\n\n---", "<p>line one<br>\nline two</p>\n<hr>\n"),
])
def test_markdown_renders(markdown, html):
    assert render_markdown(markdown) == html


def test_images_become_links_so_that_a_note_loads_nothing():
    html = render_markdown("![The *stage*](https://example.org/stage.jpg)")
    assert html == '<p><a href="https://example.org/stage.jpg" rel="noopener noreferrer">The stage</a></p>\n'


def test_links_only_to_the_web_and_mail():
    html = render_markdown("[site](/c/x/talks/1) [ftp](ftp://example.org/f) [file](file:///etc/passwd) "
                           "[tel](tel:+123) [ok](http://example.org)")
    assert hrefs(html) == [None, None, None, "http://example.org"]
    assert "[file](file:///etc/passwd)" in html, "markdown-it leaves a file: link as text"


# --- what must render harmless ------------------------------------------------------------

HOSTILE = {
    "script element": "<script>alert(1)</script>",
    "script split over lines": "<scr\nipt>alert(1)</script>",
    "script in a paragraph": "Hello <script src=https://evil.example/x.js></script> world",
    "style element": "<style>body{display:none}</style>",
    "img onerror": '<img src=x onerror="alert(1)">',
    "svg onload": "<svg onload=alert(1)>",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "event attribute on allowed tag": '<p onclick="alert(1)">click</p>',
    "raw link to javascript": '<a href="javascript:alert(1)">x</a>',
    "html comment": "<!-- <script>alert(1)</script> -->",
    "javascript link": "[x](javascript:alert(1))",
    "javascript link, mixed case": "[x](JaVaScRiPt:alert(1))",
    "javascript link, leading space": "[x]( javascript:alert(1))",
    "javascript link in angle brackets": "[x](<javascript:alert(1)>)",
    "javascript autolink": "<javascript:alert(1)>",
    "javascript reference link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "javascript image": "![x](javascript:alert(1))",
    "vbscript link": "[x](vbscript:msgbox(1))",
    "data: html link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data: image": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "data: svg image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "entity: decimal j": "[x](&#106;avascript:alert(1))",
    "entity: hex j and colon": "[x](&#x6A;avascript&colon;alert(1))",
    "entity: colon": "[x](javascript&#58;alert(1))",
    "entity: tab inside the scheme": "[x](jav&#x09;ascript:alert(1))",
    "entity: newline inside the scheme": "[x](java&#10;script:alert(1))",
    "entity: escaped tags": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "entity: numeric tags": "&#60;script&#62;alert(1)&#60;/script&#62;",
    "entity: named without semicolon": "&ltscript&gtalert(1)&lt/script&gt",
    "entity: data in a link": "[x](&#100;ata:text/html,<script>alert(1)</script>)",
    "percent-encoded scheme": "[x](javascript%3Aalert(1))",
    "attribute breakout in a title": '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "attribute breakout in a url": '[x](<https://example.org/" onmouseover="alert(1)>)',
    "attribute breakout in an image alt": '![" onerror="alert(1)](https://example.org/x.png)',
    "nested markdown and html": "**<b onmouseover=alert(1)>bold</b>**",
    "protocol-relative url": "[x](//evil.example/x)",
}


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_harmless(markdown):
    html = render_markdown(markdown)
    assert problems(html) == [], html
    assert "<script" not in html.lower()


def test_raw_html_is_shown_as_text_not_dropped():
    """The user sees what they typed, escaped: nothing silently vanishes."""
    assert render_markdown("<b>bold?</b> & <i>") == "<p>&lt;b&gt;bold?&lt;/b&gt; &amp; &lt;i&gt;</p>\n"


@pytest.mark.parametrize(("html", "safe"), [
    ('<a href="javascript:alert(1)" onclick="alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ('<a href="https://example.org" rel="opener" target="_top">x</a>',
     '<a href="https://example.org" rel="noopener noreferrer">x</a>'),
    ('<img src="x" onerror="alert(1)"><script>alert(1)</script><p>kept</p>', "<p>kept</p>"),
    ('<table><tr><td style="position:fixed;text-align:center">1</td></tr></table>',
     '<table><tbody><tr><td style="text-align:center">1</td></tr></tbody></table>'),
    ('<a href="data:text/html,x">x</a><a href="/relative">y</a>',
     '<a rel="noopener noreferrer">x</a><a rel="noopener noreferrer">y</a>'),
    ("<h1>big</h1><div class=x>y</div>", "bigy"),
])
def test_the_sanitiser_alone_stops_what_the_renderer_might_let_through(html, safe):
    """Defence in depth: were markdown-it ever to pass raw HTML, nh3 still cleans it."""
    assert sanitise_html(html) == safe


MARKUP = st.sampled_from(["<", ">", "&", "#", ";", ":", "/", "\"", "'", "(", ")", "[", "]", "!", "`", "*",
                          "\n", " ", "=", "javascript", "data", "script", "img", "onerror", "href", "&#x3A;",
                          "&#58;", "&colon;", "\t", "<a ", "svg", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKUP, max_size=40).map("".join))
def test_any_text_renders_harmless(markdown):
    assert problems(render_markdown(markdown)) == []


# --- on the pages -------------------------------------------------------------------------

PAGE_ATTACK = ('<script>alert("page")</script>\n\n<img src=x onerror=alert(1)>\n\n'
               '[x](javascript:alert(1)) ![y](data:image/svg+xml,<svg/onload=alert(1)>)')


@pytest.fixture
def hostile_note(user, demo):
    talk = db.session.scalar(sa.select(Talk).where(Talk.title == "What to Expect From Linux Storage"))
    add_note(user, talk, NoteContent.clean(PAGE_ATTACK, 3, "<b>tag</b> \"quoted"), None)
    share = share_notebook(user, talk.conference)
    db.session.commit()
    return talk, share


def note_body(html: str) -> str:
    return html.split('<div class="note-body">')[1].split("</div>")[0]


@pytest.mark.parametrize("where", ["session", "notebook", "shared"])
def test_hostile_notes_are_harmless_on_every_page_showing_them(client, logged_in, hostile_note, where):
    talk, share = hostile_note
    url = {"session": f"/c/linuxcon-na-2011/talks/{talk.id}", "notebook": "/c/linuxcon-na-2011/notebook",
           "shared": f"/shared/{share.token}"}[where]
    html = client.get(url).get_data(as_text=True)
    body = note_body(html)
    assert problems(body) == [], body
    assert "&lt;script&gt;alert(" in body and "&lt;img src=x onerror=alert(1)&gt;" in body, "shown as text"
    assert "<script>alert" not in html
    assert "&lt;b&gt;tag&lt;/b&gt;" in html and "<b>tag</b>" not in html, "tags are escaped"
