"""Bad and hostile schedule files, through the upload form and through `flask import`.

Each is refused with a message that names the problem and where it is, the form answers
400, the command exits non-zero, and the database holds exactly the rows it held before:
one conference is imported first, with a user's note and plan on it, so that "nothing
written" means something, and some bad files are re-imports of that very conference.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
import sqlalchemy as sa
from pages import text

from tracker.extensions import db
from tracker.models import AgendaEntry
from tracker.models import Note
from tracker.models import Talk
from tracker.services.imports import import_schedule

SAMPLES = Path(__file__).parent / "samples"
LSWT_PATH = SAMPLES / "frab-xml" / "lswt2019-leipzig-semantic-web-day-schedule.xml"
LSWT = LSWT_PATH.read_text(encoding="utf-8")
DEMOCON = (SAMPLES / "frab-json" / "pretalx-democon-demo-schedule.json").read_text(encoding="utf-8")
KIELUX = (SAMPLES / "ical" / "kielux-2020.ics").read_bytes().decode("utf-8")
#: the slug the conference already in the database has
EXISTING = "lswt"


def line_of(text_: str, position: int) -> int:
    return text_.count("\n", 0, position) + 1


def column_of(text_: str, position: int) -> int:
    return position - (text_.rfind("\n", 0, position) + 1) + 1


def lswt_event(event_id: str) -> str:
    return re.search(r'<event id="%s">.*?</event>' % event_id, LSWT, re.S).group(0)


def edit_event(event_id: str, pattern: str, replacement: str) -> str:
    event = lswt_event(event_id)
    edited, count = re.subn(pattern, replacement, event)
    assert count >= 1 and LSWT.count(event) == 1
    return LSWT.replace(event, edited)


@dataclass
class Case:
    id: str
    filename: str
    data: bytes
    #: what the message must say: the problem and where
    says: list[str]
    #: the form's conference field / --conference: a re-import of the existing conference
    conference: str = ""
    #: text that must never show up (a local file's content, an expanded entity)
    never: list[str] = field(default_factory=list)


def malformed_xml() -> Case:
    event = lswt_event("112")
    position = LSWT.index(event) + event.index("</title>")
    data = LSWT[:position] + "</titel>" + LSWT[position + len("</title>"):]
    return Case("malformed-xml", "lswt.xml", data.encode(),
                [f"not well-formed XML at line {line_of(LSWT, position)}, column", "mismatched tag"])


def malformed_json() -> Case:
    after_title = '"title": "Focused 5thgeneration hardware"'
    comma = DEMOCON.index(after_title + ",") + len(after_title)
    data = DEMOCON[:comma] + DEMOCON[comma + 1:]
    next_token = re.compile(r"\S").search(DEMOCON, comma + 1).start()
    return Case("malformed-json", "democon.json", data.encode(),
                ["not valid JSON", f"delimiter at line {line_of(DEMOCON, next_token)}, column"])


BILLION_LAUGHS = """<!DOCTYPE schedule [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""
DTD_REFUSED = "the file declares a DTD or entities"


def with_doctype(doctype: str, title: str) -> bytes:
    """The real schedule with a DOCTYPE after its XML declaration and an entity in its title."""
    declaration, rest = LSWT.split("\n", 1)
    rest = rest.replace("<title>7th Leipzig Semantic Web Day</title>", f"<title>{title}</title>", 1)
    return f"{declaration}\n{doctype}{rest}".encode()


def xml_bomb() -> Case:
    return Case("xml-bomb", "lswt.xml", with_doctype(BILLION_LAUGHS, "&lol9;"), [DTD_REFUSED, "XML bomb"],
                never=["lollollol"])


def external_entity() -> Case:
    doctype = '<!DOCTYPE schedule [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    return Case("external-entity", "lswt.xml", with_doctype(doctype, "&secret;"), [DTD_REFUSED, "local files"],
                conference=EXISTING, never=["root:"])


def external_entity_in_xcal() -> Case:
    """xCal is XML too: the same refusal, from the other XML importer."""
    xcal = (SAMPLES / "ical" / "ccc-33c3-schedule.xcal").read_text(encoding="utf-8")
    doctype = '<!DOCTYPE iCalendar [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    data = doctype + xcal.replace("<x-wr-calname>33c3 Schedule</x-wr-calname>", "<x-wr-calname>&secret;</x-wr-calname>", 1)
    assert "&secret;" in data
    return Case("external-entity-xcal", "33c3.xcal", data.encode(), [DTD_REFUSED], never=["root:"])


def unknown_format() -> Case:
    data = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return Case("unknown-format", "schedule.pdf", data, ["unknown format", "not a frab XML or JSON schedule"])


def windows_1252_declared_utf8() -> Case:
    """Saved by an editor in Windows-1252 while the declaration still says UTF-8."""
    position = re.search(r"[^\x00-\x7f]", LSWT).start()
    return Case("cp1252-declared-utf8", "lswt.xml", LSWT.encode("cp1252"), [
        f"line {line_of(LSWT, position)}, column {column_of(LSWT, position)}",
        f"byte 0x{LSWT[position].encode('cp1252')[0]:02x} is not valid UTF-8, but the file declares UTF-8"])


def latin1_json() -> Case:
    data = DEMOCON.replace("Focused 5thgeneration hardware", "Café numérique", 1).encode()
    data = data.replace("Café".encode(), "Café".encode("latin-1"), 1)
    offset = data.index(b"Caf\xe9") + 3
    line = data.count(b"\n", 0, offset) + 1
    return Case("latin1-in-json", "democon.json", data, [
        f"byte 0xe9 at byte offset {offset} (line {line}) is not valid UTF-8"])


def no_title() -> Case:
    """A re-import of the conference already imported, one of whose sessions lost its title."""
    return Case("no-title", "lswt.xml", edit_event("112", r"<title>[^<]*</title>", "<title></title>").encode(),
                ["event 112: no <title>"], conference=EXISTING)


def no_start() -> Case:
    data = edit_event("113", r"\s*<(date|start)>[^<]*</\1>", "")
    return Case("no-start", "lswt.xml", data.encode(), [
        "event 113 (“An Ontology Engineering Approach to Support Personalized Gamification of CSCL”): "
        "no start time (neither <date> nor <start>)"])


def end_before_start() -> Case:
    events = re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", KIELUX, re.S)
    event = events[3]
    uid = re.search(r"\r\nUID:(.*?)\r\n", event).group(1)
    start = re.search(r"\r\nDTSTART:(\d{8}T\d{6}Z)\r\n", event).group(1)
    end_line = re.search(r"\r\nDTEND:[^\r]*\r\n", event).group(0)
    backwards = event.replace(end_line, "\r\nDTEND:20200101T000000Z\r\n")
    data = KIELUX.replace(event, backwards)
    return Case("end-before-start", "kielux.ics", data.encode(), [
        f"event “{uid}” (line {line_of(KIELUX, KIELUX.index(event))}): ends (2020-01-01T00:00:00+00:00) "
        f"before it starts ({start[:4]}-{start[4:6]}-{start[6:8]}T{start[9:11]}:{start[11:13]}"])


def unknown_zone() -> Case:
    data = LSWT.replace("<acronym></acronym>", "<acronym></acronym>\n<time_zone_name>Europe/Atlantis</time_zone_name>", 1)
    return Case("unknown-zone", "lswt.xml", data.encode(),
                ["<conference> <time_zone_name>: “Europe/Atlantis” is not an IANA time zone"])


CASES = [malformed_xml(), malformed_json(), xml_bomb(), external_entity(), external_entity_in_xcal(),
         unknown_format(), windows_1252_declared_utf8(), latin1_json(), no_title(), no_start(),
         end_before_start(), unknown_zone()]


# -- the database before and after ------------------------------------------------------------

@pytest.fixture
def existing(app, user):
    """LSWT 2019 imported, with Ada's note and plan on its first session."""
    report = import_schedule(LSWT.encode(), source="lswt.xml", slug=EXISTING, user=user)
    db.session.commit()
    first = db.session.scalar(sa.select(Talk).order_by(Talk.starts_at, Talk.id))
    db.session.add_all([AgendaEntry(user=user, talk=first, status="going"),
                        Note(user=user, talk=first, body="Welcome: keep this")])
    db.session.commit()
    return report.conference


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table."""
    db.session.expire_all()
    return {table.name: sorted((tuple(row) for row in db.session.execute(sa.select(table))), key=repr)
            for table in db.metadata.sorted_tables}


def row_counts(rows: dict[str, list[tuple]]) -> dict[str, int]:
    return {name: len(table_rows) for name, table_rows in rows.items()}


def assert_unchanged(before: dict[str, list[tuple]]) -> None:
    after = snapshot()
    assert row_counts(after) == row_counts(before)
    assert after == before, "a refused import changed rows"


def upload(client, case: Case, timezone: str = ""):
    return client.post("/import", data={
        "file": (io.BytesIO(case.data), case.filename), "url": "", "format": "", "timezone": timezone,
        "conference": case.conference}, content_type="multipart/form-data")


def run_cli(runner, path: Path, case: Case, *options: str):
    args = ["import", str(path), *options]
    if case.conference:
        args += ["--conference", case.conference]
    return runner.invoke(args=args)


def test_the_starting_state_is_not_empty(existing, logged_in):
    rows = row_counts(snapshot())
    assert rows["conference"] == 1 and rows["talk"] == 31 and rows["import_run"] == 1
    assert rows["note"] == rows["agenda_entry"] == 1 and rows["user"] == 1


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_file_is_refused_on_the_form_and_the_command_line(client, runner, existing, logged_in, tmp_path, case):
    before = snapshot()

    response = upload(client, case)
    page = text(response)
    assert response.status_code == 400, page
    assert 'name="file"' in response.get_data(as_text=True), "the form is shown again"
    assert f"{case.filename}: " in page and page.count("Nothing was imported.") == 1
    for part in case.says:
        assert part in page
    for secret in case.never:
        assert secret not in page
    assert_unchanged(before)

    path = tmp_path / case.filename
    path.write_bytes(case.data)
    result = run_cli(runner, path, case)
    assert result.exit_code == 1, result.output
    assert f"{path}: " in result.output and "Nothing was imported." in result.output
    for part in case.says:
        assert part in result.output
    for secret in case.never:
        assert secret not in result.output
    assert_unchanged(before)


def test_a_refused_reimport_leaves_the_conference_as_it_was(client, runner, existing, logged_in, tmp_path):
    """The existing conference's own file, broken, given for that conference: its sessions,
    rooms, source and import history stay as they were, and a good re-import still works."""
    conference_id, source_hash = existing.id, existing.source_hash
    case = no_title()
    before = snapshot()
    assert upload(client, case).status_code == 400
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    assert run_cli(runner, path, case).exit_code == 1
    assert_unchanged(before)
    db.session.expire_all()
    titles = db.session.scalars(sa.select(Talk.title).where(Talk.conference_id == conference_id)).all()
    assert len(titles) == 31 and all(titles)
    assert existing.source_hash == source_hash

    good = tmp_path / "lswt-good.xml"
    good.write_bytes(LSWT_PATH.read_bytes())
    result = runner.invoke(args=["import", str(good), "--conference", EXISTING])
    assert result.exit_code == 0, result.output
    assert "0 new, 0 changed, 0 moved, 0 cancelled, 31 unchanged" in result.output


@pytest.mark.parametrize("app_config", [{"IMPORT_MAX_BYTES": 10_000}])
def test_a_file_above_the_size_cap_is_refused(client, runner, existing, logged_in, tmp_path, app_config):
    assert len(LSWT_PATH.read_bytes()) > 10_000
    case = Case("too-large", "lswt.xml", LSWT_PATH.read_bytes(), [], conference=EXISTING)
    cap = f"is larger than the {10_000 / 1024 / 1024:g} MB this instance accepts"
    before = snapshot()
    response = upload(client, case)
    assert response.status_code == 400
    assert f"lswt.xml {cap}. Nothing was imported." in text(response)
    assert_unchanged(before)

    result = run_cli(runner, LSWT_PATH, case)
    assert result.exit_code == 1
    assert f"{LSWT_PATH} {cap}. Nothing was imported." in result.output
    assert_unchanged(before)

    small = Case("small", "small.xml", SAMPLES.joinpath(
        "frab-xml", "privacyweek2016-pretalx-fixture-minimal.xml").read_bytes(), [])
    assert upload(client, small).status_code == 302, "a file under the cap is imported"


def test_an_unknown_zone_given_with_the_import_is_refused(client, runner, existing, logged_in, tmp_path):
    """The zone typed in the form or given with --timezone, for a file whose times are floating."""
    xcal = SAMPLES / "ical" / "ccc-33c3-schedule.xcal"
    case = Case("zone-given", "33c3.xcal", xcal.read_bytes(), [])
    before = snapshot()
    page = text(upload(client, case, timezone="Europe/Atlantis"))
    assert "“Europe/Atlantis” is not an IANA time zone, such as Europe/Brussels." in page
    assert_unchanged(before)

    result = run_cli(runner, xcal, case, "--timezone", "Europe/Atlantis")
    assert result.exit_code == 1
    assert "the time zone given: “Europe/Atlantis” is not an IANA time zone" in result.output
    assert_unchanged(before)


def test_an_unknown_zone_typed_in_the_form_answers_400(client, existing, logged_in):
    case = Case("zone-given", "33c3.xcal", (SAMPLES / "ical" / "ccc-33c3-schedule.xcal").read_bytes(), [])
    assert upload(client, case, timezone="Europe/Atlantis").status_code == 400
