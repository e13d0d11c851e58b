"""Reading schedules from files and from URLs, against an HTTP server on 127.0.0.1."""

import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest

from tracker.importers import ScheduleError
from tracker.sources import read_source

LIMIT = 1000


class Handler(BaseHTTPRequestHandler):
    """A few misbehaving web servers in one."""

    def do_GET(self):
        if self.path == "/schedule.xml":
            self.reply(b"<schedule/>", {"Content-Length": "11"})
        elif self.path == "/declared-too-big":
            self.reply(b"", {"Content-Length": str(10 * LIMIT)})
        elif self.path == "/endless":
            self.send_response(200)
            self.end_headers()
            for _ in range(100):  # no Content-Length: the cap must stop the read
                self.wfile.write(b"x" * 100)
        elif self.path == "/to-file":
            self.reply(b"", {"Location": "file:///etc/passwd"}, status=302)
        elif self.path == "/to-ftp":
            self.reply(b"", {"Location": "ftp://127.0.0.1/schedule.xml"}, status=302)
        elif self.path == "/to-schedule":
            self.reply(b"", {"Location": "/schedule.xml"}, status=301)
        elif self.path == "/slow":
            time.sleep(5)
            self.reply(b"late", {})
        elif self.path == "/drip-headers":
            self.wfile.write(b"HTTP/1.0 200 OK\r\n")
            for number in range(20):  # each header line well within the timeout, all of them not
                self.wfile.write(f"X-Line-{number}: x\r\n".encode())
                self.wfile.flush()
                time.sleep(0.25)
            self.wfile.write(b"\r\nlate")
        elif self.path == "/drip":
            self.send_response(200)
            self.end_headers()
            for _ in range(20):  # each byte well within the timeout, all of them not
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.25)
        else:
            self.reply(b"not here", {}, status=404)

    def reply(self, body: bytes, headers: dict, status: int = 200):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def read(source, timeout=5.0):
    return read_source(source, max_bytes=LIMIT, timeout=timeout)


def test_fetches_a_url_and_follows_http_redirects(server):
    assert read(f"{server}/schedule.xml") == b"<schedule/>"
    assert read(f"{server}/to-schedule") == b"<schedule/>"


@pytest.mark.parametrize(("path", "message"), [
    ("/declared-too-big", "is larger than the 0.000953674 MB this instance accepts"),
    ("/endless", "is larger than"),
    ("/to-file", "Redirection to url 'file:///etc/passwd' is not allowed"),
    ("/to-ftp", "redirects to ftp://127.0.0.1/schedule.xml, which is not http or https"),
    ("/missing", "answered 404 Not Found"),
])
def test_refuses_what_a_server_should_not_make_us_read(server, path, message):
    with pytest.raises(ScheduleError, match=message):
        read(server + path)


def test_gives_up_after_the_timeout(server):
    started = time.monotonic()
    with pytest.raises(ScheduleError, match="did not answer within 0.5 seconds|timed out"):
        read(f"{server}/slow", timeout=0.5)
    assert time.monotonic() - started < 4, "the read gave up long before the server answered"


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_a_server_cannot_drip_feed_past_the_timeout(server, path):
    started = time.monotonic()
    with pytest.raises(ScheduleError, match="did not answer within 1 seconds"):
        read(server + path, timeout=1)
    assert time.monotonic() - started < 1.5, "the read went on after the timeout"


@pytest.mark.parametrize(("host", "address"), [
    ("127.0.0.1", "127.0.0.1"), ("localhost", "127.0.0.1|::1"), ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
])
def test_public_only_refuses_the_local_network(server, host, address):
    """What the web form asks for (test_fetches_a_url shows the server answers without it)."""
    port = server.rsplit(":", 1)[1]
    url = f"http://{host}:{port}/schedule.xml"
    with pytest.raises(ScheduleError, match=rf"is ({address}), an address on a local or private network"):
        read_source(url, max_bytes=LIMIT, timeout=5, public_only=True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/schedule.xml",
                                 "gopher://example.org/"])
def test_only_http_and_https(url):
    with pytest.raises(ScheduleError, match="only http and https"):
        read(url)


def test_nobody_listening():
    with pytest.raises(ScheduleError, match="cannot fetch http://127.0.0.1:9/"):
        read("http://127.0.0.1:9/")


def test_local_files(tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_bytes(b"<schedule/>")
    assert read(str(path)) == b"<schedule/>"
    path.write_bytes(b"x" * (LIMIT + 1))
    with pytest.raises(ScheduleError, match="is larger than"):
        read(str(path))
    with pytest.raises(ScheduleError, match="cannot read .*missing.xml: No such file or directory"):
        read(str(tmp_path / "missing.xml"))


@pytest.fixture(scope="module")
def https_server(tmp_path_factory) -> Iterator[str]:
    """An https server on 127.0.0.1 with a self-signed certificate, made by openssl."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", folder / "key.pem", "-out", folder / "cert.pem"],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_https_certificates_are_checked(https_server):
    with pytest.raises(ScheduleError, match="cannot fetch https://127.0.0.1:.*CERTIFICATE_VERIFY_FAILED"):
        read(f"{https_server}/schedule.xml")
    with pytest.raises(ScheduleError, match="an address on a local or private network"):
        read_source(f"{https_server}/schedule.xml", max_bytes=LIMIT, timeout=5, public_only=True)
