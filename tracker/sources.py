"""Reading a schedule from a file or an http(s) URL, with a size cap and a timeout."""

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from .importers import ScheduleError

CHUNK = 64 * 1024


def is_url(source: str) -> bool:
    return "://" in source


def read_source(source: str, *, max_bytes: int, timeout: float, public_only: bool = False) -> bytes:
    """The bytes of a local file or of an http(s) URL.

    :raise ScheduleError: for another URL scheme, a missing file, a network failure, more
        than `max_bytes`, or (with `public_only`) an address that is not on the internet
    """
    if is_url(source):
        return fetch(source, max_bytes=max_bytes, timeout=timeout, public_only=public_only)
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ScheduleError(too_large(source, max_bytes))
        return path.read_bytes()
    except OSError as exc:
        raise ScheduleError(f"cannot read {source}: {exc.strerror}") from exc


def too_large(source: str, max_bytes: int) -> str:
    return f"{source} is larger than the {max_bytes / 1024 / 1024:g} MB this instance accepts"


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only, never to file:, ftp: or others."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise ScheduleError(f"{req.full_url} redirects to {newurl}, which is not http or https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def connect_to_public_address(address: tuple[str, int], timeout: float | None = None,
                               source_address=None) -> socket.socket:
    """`socket.create_connection` that refuses loopback, private, link-local and other
    addresses that are not on the public internet.

    A URL given on the web form must not reach the instance's own network (a database's
    admin page, a cloud's metadata service at 169.254.169.254). The address checked is
    the one connected to, so a host name that resolves differently a second time (DNS
    rebinding) cannot slip past, and redirects are checked as they are followed.
    """
    host, port = address
    refused = None
    for family, kind, protocol, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        ip = ipaddress.ip_address(sockaddr[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global:
            refused = ip
            continue
        sock = socket.socket(family, kind, protocol)
        try:
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError:
            sock.close()
            raise
    raise ScheduleError(f"{host} is {refused}, an address on a local or private network; "
                        "this instance fetches schedules from the public internet only")


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect_to_public_address


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect_to_public_address


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


_opener = urllib.request.build_opener(_HttpOnlyRedirects)
_public_opener = urllib.request.build_opener(_HttpOnlyRedirects, _PublicHTTPHandler, _PublicHTTPSHandler)


def fetch(url: str, *, max_bytes: int, timeout: float, public_only: bool = False) -> bytes:
    """GET an http(s) URL, reading at most `max_bytes` within `timeout` seconds in all
    (a server that answers a byte at a time cannot hold the import open)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ScheduleError(f"{url}: only http and https addresses can be fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "tracker schedule import"})
    deadline = time.monotonic() + timeout
    opener = _public_opener if public_only else _opener
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ScheduleError(too_large(url, max_bytes))
            body = bytearray()
            while chunk := response.read1(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise ScheduleError(too_large(url, max_bytes))
                if time.monotonic() > deadline:
                    raise TimeoutError
            return bytes(body)
    except urllib.error.HTTPError as exc:
        raise ScheduleError(f"{url} answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise ScheduleError(f"cannot fetch {url}: {exc.reason}") from exc
    except TimeoutError as exc:
        raise ScheduleError(f"{url} did not answer within {timeout:g} seconds") from exc
