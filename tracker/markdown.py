"""Markdown written by users (notes), turned into HTML that is safe to put in a page.

Two layers, so that a mistake in one is caught by the other: markdown-it-py renders
CommonMark (plus tables and strikethrough) with raw HTML turned off, so `<script>` in a
note is shown as text; then nh3 keeps only a short list of tags and attributes, and only
http, https and mailto links, whatever the renderer let through.
"""

import re
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markupsafe import Markup

#: what a note may contain once rendered; headings start at h4 (see demote_headings)
ALLOWED_TAGS = {
    "p", "br", "hr", "h4", "h5", "h6", "em", "strong", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
URL_SCHEMES = {"http", "https", "mailto"}
#: a note's "# Heading" becomes an h4: notes sit under the page's h1, a section's h2 and the
#: note's own h3, and their headings must nest below those
HEADING_OFFSET = 3

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    url_relative="deny",
    link_rel="noopener noreferrer",
    filter_style_properties={"text-align"},  # table column alignment, nothing else
    clean_content_tags={"script", "style"},
    strip_comments=True,
)


def demote_headings(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + HEADING_OFFSET)}"


def image_as_link(renderer, tokens, idx, options, env) -> str:
    """Show an image as a link to it: a note never loads anything from elsewhere by itself
    (no tracking pixels on a shared page, no mixed content)."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    label = renderer.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escape(src)}">{escape(label)}</a>'


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.core.ruler.push("demote_headings", demote_headings)
    parser.add_render_rule("image", image_as_link)
    return parser


_markdown = _parser()


_structure = MarkdownIt("commonmark")
#: on a line known to hold an ATX heading: its hashes, after any indentation, blockquote
#: markers and list markers
ATX_HEADING = re.compile(r"^([\s>*+\-.)\d]*?)(#{1,6})(?=[ \t]|$)")


def shift_headings(text: str, levels: int) -> str:
    """Markdown `text` with each heading `levels` deeper (h6 at most), for notes copied into
    an export under its own headings: a note's "# Summary" must not stand level with the
    export's title. Code blocks are left alone; a setext heading (underlined with = or -)
    becomes an ATX one, as its underline cannot say h3."""
    lines = text.splitlines()
    headings = [token for token in _structure.parse(text) if token.type == "heading_open" and token.map]
    for token in reversed(headings):  # from the end, so that earlier line numbers stay right
        first, last = token.map
        hashes = "#" * min(6, int(token.tag[1]) + levels)
        if token.markup.startswith("#"):
            lines[first] = ATX_HEADING.sub(lambda match: match[1] + hashes, lines[first], count=1)
        elif token.level == 0:
            title = " ".join(line.strip() for line in lines[first:last - 1])
            lines[first:last] = [f"{hashes} {title}"]
    return "\n".join(lines)


def sanitise_html(html: str) -> str:
    """Only ALLOWED_TAGS and ALLOWED_ATTRIBUTES, links to URL_SCHEMES with rel="noopener
    noreferrer"; everything else goes (a script or style element with its content)."""
    return _cleaner.clean(html)


def render_markdown(text: str) -> Markup:
    """A note's Markdown as sanitised HTML, ready for a template."""
    return Markup(sanitise_html(_markdown.render(text)))
