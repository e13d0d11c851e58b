"""The import command and the import page, end to end, with files and a local web server."""

import io
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from pages import text

from tracker.extensions import db
from tracker.models import AgendaEntry
from tracker.models import Conference
from tracker.models import ImportRun
from tracker.models import Talk

SAMPLES = Path(__file__).parent / "samples"
FOSDEM_2012 = SAMPLES / "frab-xml" / "fosdem-2012-schedule.xml"
LSWT = SAMPLES / "frab-xml" / "lswt2019-leipzig-semantic-web-day-schedule.xml"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def schedule_server(tmp_path) -> Iterator[tuple[str, Path]]:
    """A web server on 127.0.0.1 publishing the files in a folder, as an organiser's site does."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", tmp_path
    httpd.shutdown()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_cli_imports_a_file_and_says_what_it_did(runner):
    result = runner.invoke(args=["import", str(FOSDEM_2012), "--timezone", "Europe/Brussels"])
    assert result.exit_code == 0, result.output
    assert "Created FOSDEM 2012 (fosdem-2012) from" in result.output
    assert "442 new, 0 changed, 0 moved, 0 cancelled, 0 unchanged" in result.output
    assert count(Talk) == 442

    again = runner.invoke(args=["import", str(FOSDEM_2012), "--conference", "fosdem-2012"])
    assert again.exit_code == 0, again.output
    assert "Updated FOSDEM 2012" in again.output, "the conference's own zone is used again"
    assert "0 new, 0 changed, 0 moved, 0 cancelled, 442 unchanged" in again.output


def test_cli_refuses_bad_input_with_a_message_and_non_zero_exit(runner, tmp_path):
    result = runner.invoke(args=["import", str(FOSDEM_2012)])
    assert result.exit_code == 1
    assert "time zone" in result.output and "Nothing was imported." in result.output
    broken = tmp_path / "broken.xml"
    broken.write_bytes(LSWT.read_bytes()[:5000])
    result = runner.invoke(args=["import", str(broken)])
    assert result.exit_code == 1 and "line" in result.output
    result = runner.invoke(args=["import", "file:///etc/passwd"])
    assert result.exit_code == 1 and "only http and https" in result.output
    assert count(Conference) == count(Talk) == count(ImportRun) == 0


@pytest.mark.parametrize("app_config", [{"IMPORT_MAX_BYTES": 10_000}])
def test_cli_size_cap(runner, app_config):
    result = runner.invoke(args=["import", str(LSWT)])
    assert result.exit_code == 1 and "is larger than" in result.output


def test_cli_fetches_a_url(runner, schedule_server):
    url, folder = schedule_server
    (folder / "schedule.xml").write_bytes(LSWT.read_bytes())
    result = runner.invoke(args=["import", f"{url}/schedule.xml", "--conference", "lswt"])
    assert result.exit_code == 0, result.output
    conference = db.session.scalar(sa.select(Conference))
    assert conference.source_location == f"{url}/schedule.xml" and conference.source_format == "frab-xml"
    assert count(Talk) == 31


def test_import_page_needs_a_login(client):
    assert client.get("/import").status_code == 302


def test_upload_a_file_and_read_the_report(client, logged_in):
    response = client.post("/import", data={
        "file": (io.BytesIO(FOSDEM_2012.read_bytes()), "fosdem-2012.xml"), "url": "", "format": "",
        "timezone": "Europe/Brussels", "conference": ""}, content_type="multipart/form-data")
    assert response.status_code == 302
    report = text(client.get(response.headers["Location"]))
    assert "442 new, 0 changed, 0 moved, 0 cancelled, 0 unchanged." in report
    assert "From fosdem-2012.xml (frab-xml), by Ada." in report
    page = text(client.get("/c/fosdem-2012"))
    assert "Imported from fosdem-2012.xml (frab-xml)" in page
    assert "Saturday 4 February 2012" in page and "Sunday 5 February 2012" in page


def test_upload_errors_are_shown_on_the_form(client, logged_in):
    response = client.post("/import", data={
        "file": (io.BytesIO(FOSDEM_2012.read_bytes()), "fosdem-2012.xml"), "url": "", "format": "",
        "timezone": "", "conference": ""}, content_type="multipart/form-data")
    assert response.status_code == 400
    page = text(response)
    assert "fosdem-2012.xml:" in page and "time zone" in page and "Nothing was imported." in page
    response = client.post("/import", data={"url": "", "format": "", "timezone": "", "conference": ""})
    assert "Give either a file or an address" in text(response)
    response = client.post("/import", data={"url": "", "timezone": "Mars/Olympus", "format": "", "conference": "",
                                            "file": (io.BytesIO(b"x"), "x.csv")}, content_type="multipart/form-data")
    assert "is not an IANA time zone" in text(response)
    assert count(Conference) == 0


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 50_000}])
def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, logged_in, app_config):
    response = client.post("/import", data={
        "file": (io.BytesIO(b"<schedule>" + b" " * 100_000), "huge.xml"), "url": ""},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert "larger than this instance accepts" in text(response)
    assert count(Conference) == 0


def test_the_import_page_does_not_fetch_from_the_local_network(client, logged_in, schedule_server):
    url, folder = schedule_server
    (folder / "schedule.xml").write_bytes(LSWT.read_bytes())
    response = client.post("/import", data={"url": f"{url}/schedule.xml", "format": "", "timezone": "",
                                            "conference": ""})
    assert response.status_code == 400
    assert ("127.0.0.1 is 127.0.0.1, an address on a local or private network; this instance fetches "
            "schedules from the public internet only. Nothing was imported.") in text(response)
    assert count(Conference) == 0


@pytest.mark.parametrize("app_config", [{"IMPORT_ALLOW_PRIVATE_ADDRESSES": True}])
def test_import_from_a_url_then_reimport_the_changed_schedule(client, logged_in, user, schedule_server, app_config):
    url, folder = schedule_server
    original = LSWT.read_text()
    (folder / "schedule.xml").write_text(original)
    response = client.post("/import", data={"url": f"{url}/schedule.xml", "format": "", "timezone": "",
                                            "conference": "lswt-2019"})
    assert response.status_code == 302, text(response)
    first = db.session.scalar(sa.select(Talk).order_by(Talk.starts_at))
    db.session.add(AgendaEntry(user=user, talk=first, status="going"))
    db.session.commit()

    (folder / "schedule.xml").write_text(original.replace(f"<title>{first.title}</title>",
                                                          "<title>Welcome, renamed</title>", 1))
    response = client.post("/c/lswt-2019/reimport")
    assert response.status_code == 302
    report = text(client.get(response.headers["Location"]))
    assert "0 new, 1 changed, 0 moved, 0 cancelled, 30 unchanged." in report
    assert "Changed (1) Welcome, renamed title" in report
    page = text(client.get("/c/lswt-2019"))
    assert "Welcome, renamed Changed since you planned it" in page
    session = text(client.get(f"/c/lswt-2019/talks/{first.id}"))
    assert "Changed since you planned it" in session and "changed (title)" in session
    client.post(f"/c/lswt-2019/talks/{first.id}/seen")
    assert "Changed since you planned it" not in text(client.get("/c/lswt-2019"))
