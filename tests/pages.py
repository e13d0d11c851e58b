"""Reading pages in tests."""

import html
import re

INLINE_TAG = re.compile(r"</?(?:a|abbr|em|small|span|strong|time)\b[^>]*>")
OTHER_TAG = re.compile(r"<[^>]+>")


def text(response) -> str:
    """The page's text roughly as a browser shows it: inline tags dropped, block tags as
    spaces, white space folded, entities decoded."""
    page = OTHER_TAG.sub(" ", INLINE_TAG.sub("", response.get_data(as_text=True)))
    return html.unescape(re.sub(r"\s+", " ", page))
