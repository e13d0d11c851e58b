"""Words for people: text fields reduced from HTML to plain text, and the counts in repairs.

Schedules put HTML in their descriptions (frab, pretalx, calendars exported from them),
escape it (FOSDEM), mix it with Markdown (frab, pretalx) or with plain text whose line
breaks matter (kielux), and write things that look like tags but are text, such as
"<insert x86 instruction here>" or "git checkout -b <branch-name>". plain_text() reads
all of these alike, so that the same session reads the same from every format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser

#: HTML elements whose tags are markup; any other <word> is text, like "<branch-name>"
INLINE_TAGS = frozenset({"a", "abbr", "b", "big", "cite", "code", "del", "em", "font", "i",
                         "img", "ins", "kbd", "mark", "q", "s", "small", "span", "strike",
                         "strong", "sub", "sup", "td", "th", "tt", "u", "var"})
PARAGRAPH_TAGS = frozenset({"p", "div", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6",
                            "blockquote", "pre", "table", "hr", "section", "article",
                            "header", "footer", "figure", "html", "body"})
LINE_TAGS = frozenset({"li", "dt", "dd", "tr"})
SKIPPED_TAGS = frozenset({"script", "style"})
KNOWN_TAGS = INLINE_TAGS | PARAGRAPH_TAGS | LINE_TAGS | SKIPPED_TAGS | {"br"}
#: tags whose presence means the text is HTML proper, where a line break is only a space
LAYOUT_TAGS = frozenset({"p", "br", "div"})
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")
CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)
#: stand-ins for the breaks the markup asks for (two <br> in a row are a paragraph, as a
#: browser shows them) and for the spaces of <pre>, resolved once all text is in
PARAGRAPH = "\x00"
LINE = "\x01"
BR = "\x02"
KEPT_SPACE = "\x03"
STAND_INS = re.compile("[\x00-\x03]")
#: what the tags of a known element stand for, at its start and at its end
BREAK_OF = {**dict.fromkeys(PARAGRAPH_TAGS, PARAGRAPH), **dict.fromkeys(LINE_TAGS, LINE)}
#: a line break and one or more blank lines: a new paragraph, in HTML as in Markdown
BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
SPACES = re.compile(r"[ \t\n\f\v]+")
BREAKS = re.compile(r"[\s\x03]*[\x00-\x02][\s\x00-\x02]*")


def plain_text(raw: str) -> str:
    """A text field as plain text: paragraphs separated by blank lines, <br> a line break,
    list items lines that start with "- ", scripts and styles left out, character
    references decoded. Text with neither tags nor references stays as written.

    Text with <p>, <br> or <div> is HTML proper, whose line breaks are wrapping (33C3);
    other text with markup is plain text with a few tags (kielux), whose line breaks stay.
    In both a blank line within the text is a new paragraph, as Markdown mixed in means it.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    tags = {name.lower() for name in TAG.findall(text)} & KNOWN_TAGS
    if not tags and not CHARACTER_REFERENCE.search(text):
        return text.strip()
    extractor = _TextExtractor(html_proper=bool(tags & LAYOUT_TAGS))
    extractor.feed(STAND_INS.sub("", text))
    extractor.close()
    return extractor.text()


class _TextExtractor(HTMLParser):
    def __init__(self, html_proper: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.html_proper = html_proper
        self.parts: list[str] = []
        self.skipping = 0
        self.preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in KNOWN_TAGS:
            self.parts.append(self.get_starttag_text() or "")
        elif tag in SKIPPED_TAGS:
            self.skipping += 1
        self.parts.append(BR if tag == "br" else BREAK_OF.get(tag, ""))
        if tag == "li":
            self.parts.append("- ")
        elif tag == "pre":
            self.preformatted += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """<br/>: a known element opens and closes; an unknown one is text, written once."""
        self.handle_starttag(tag, attrs)
        if tag in KNOWN_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in KNOWN_TAGS:
            self.parts.append(f"</{tag}>")
        elif tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)
        self.parts.append(BREAK_OF.get(tag, ""))

    def handle_data(self, data: str) -> None:
        """Line breaks stay in <pre> and outside HTML proper; a blank line is a paragraph
        there, and in HTML proper where it is within text, not between tags."""
        if self.skipping:
            return
        keeps_lines = self.preformatted or not self.html_proper
        if keeps_lines or data.strip():
            data = BLANK_LINES.sub(PARAGRAPH, data)
        if self.preformatted:
            data = data.replace(" ", KEPT_SPACE).replace("\t", KEPT_SPACE)
        if keeps_lines:
            data = data.replace("\n", LINE)
        self.parts.append(data)

    def text(self) -> str:
        joined = SPACES.sub(" ", "".join(self.parts))
        return BREAKS.sub(_break, joined).replace(KEPT_SPACE, " ").strip()


def _break(match: re.Match) -> str:
    breaks = match[0]
    return "\n\n" if PARAGRAPH in breaks or breaks.count(BR) > 1 else "\n"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """"1 session", "2 sessions"; give the plural where it is not the singular and an s,
    or where a verb follows: plural(n, "event lists", "events list")."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def counted(counts: Mapping[str, int], sentences: Mapping[str, tuple[str, ...]]) -> list[str]:
    """A repair sentence for each thing counted. `sentences` maps a count's key to the words
    for one such thing, perhaps the words for several, then the rest of the sentence:
    {"no room": ("session", " without a room: left without one")}."""
    said = []
    for key, (*thing, rest) in sentences.items():
        if counts[key]:
            said.append(plural(counts[key], *thing) + rest)
    return said


def examples(places: list[str], shown: int = 3) -> str:
    """The first few of a repair's places, and how many more there are."""
    more = f" and {len(places) - shown} more" if len(places) > shown else ""
    return ", ".join(places[:shown]) + more
