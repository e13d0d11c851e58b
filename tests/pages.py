"""Reading pages in tests."""

import html
import json
import re
from pathlib import Path

INLINE_TAG = re.compile(r"</?(?:a|abbr|em|small|span|strong|time)\b[^>]*>")
OTHER_TAG = re.compile(r"<[^>]+>")


def text(response) -> str:
    """The page's text roughly as a browser shows it: inline tags dropped, block tags as
    spaces, white space folded, entities decoded."""
    page = OTHER_TAG.sub(" ", INLINE_TAG.sub("", response.get_data(as_text=True)))
    return html.unescape(re.sub(r"\s+", " ", page))


#: installed by the test command: npm install --prefix tests axe-core@4
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    """The serious and critical accessibility problems axe-core finds on the page."""
    assert AXE.exists(), f"{AXE} is missing: the test command installs it with npm"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    return [f"{v['id']} ({v['impact']}): {v['help']}, e.g. {v['nodes'][0]['html'][:120]}"
            for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]


def log_in(page, server: str, email: str, password: str) -> None:
    """Log in through the form, as a person does."""
    page.goto(f"{server}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
