"""Reading a schedule from a file or an http(s) URL, with a size cap and a timeout."""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from functools import partial
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


class _Deadline(threading.local):
    """When the fetch running in this thread must be done by (time.monotonic()), if any."""

    at: float | None = None


_deadline = _Deadline()


def _keep_deadline(sock: socket.socket) -> None:
    """Before each read, wait no longer than the fetch has left: a socket timeout alone
    bounds each read, and a server sending its headers or body a byte at a time would
    hold the import open for as long as it likes."""
    if _deadline.at is not None:
        left = _deadline.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        sock.settimeout(left)


class _DeadlineSocket(socket.socket):
    def recv_into(self, buffer, nbytes=0, flags=0):
        _keep_deadline(self)
        return super().recv_into(buffer, nbytes, flags)


class _DeadlineSSLSocket(ssl.SSLSocket):
    def recv_into(self, buffer, nbytes=0, flags=0):
        _keep_deadline(self)
        return super().recv_into(buffer, nbytes, flags)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 address may carry its zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global


def open_connection(address: tuple[str, int], timeout: float | None = None, source_address=None,
                    *, public_only: bool = False) -> socket.socket:
    """`socket.create_connection`, giving a socket that keeps the fetch's deadline and, with
    `public_only`, refusing loopback, private, link-local and other addresses that are not
    on the public internet.

    A URL given on the web form must not reach the instance's own network (a database's
    admin page, a cloud's metadata service at 169.254.169.254). The address checked is
    the one connected to, so a host name that resolves differently a second time (DNS
    rebinding) cannot slip past, and redirects are checked as they are followed.
    """
    host, port = address
    refused, error = None, None
    for family, kind, protocol, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if public_only and not is_public(sockaddr[0]):
            refused = sockaddr[0]
            continue
        sock = _DeadlineSocket(family, kind, protocol)
        try:
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    if error is not None:
        raise error
    raise ScheduleError(f"{host} is {refused}, an address on a local or private network; "
                        "this instance fetches schedules from the public internet only")


def _connection(base: type[http.client.HTTPConnection], public_only: bool, host: str, **options):
    connection = base(host, **options)
    # http.client's own hook for opening the socket (private, but there since Python 3.0)
    connection._create_connection = partial(open_connection, public_only=public_only)
    return connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, public_only: bool):
        super().__init__()
        self.public_only = public_only

    def http_open(self, req):
        return self.do_open(partial(_connection, http.client.HTTPConnection, self.public_only), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, public_only: bool):
        context = ssl.create_default_context()
        context.sslsocket_class = _DeadlineSSLSocket
        super().__init__(context=context)
        self.public_only = public_only

    def https_open(self, req):
        return self.do_open(partial(_connection, http.client.HTTPSConnection, self.public_only), req,
                            context=self._context)


_openers = {public_only: urllib.request.build_opener(
    _HttpOnlyRedirects, _HTTPHandler(public_only), _HTTPSHandler(public_only)) for public_only in (False, True)}


def fetch(url: str, *, max_bytes: int, timeout: float, public_only: bool = False) -> bytes:
    """GET an http(s) URL, reading at most `max_bytes` within `timeout` seconds in all."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ScheduleError(f"{url}: only http and https addresses can be fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "tracker schedule import"})
    _deadline.at = time.monotonic() + timeout
    try:
        with _openers[public_only].open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ScheduleError(too_large(url, max_bytes))
            body = bytearray()
            while chunk := response.read1(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise ScheduleError(too_large(url, max_bytes))
            return bytes(body)
    except urllib.error.HTTPError as exc:
        raise ScheduleError(f"{url} answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ScheduleError(f"{url} did not answer within {timeout:g} seconds") from exc
        raise ScheduleError(f"cannot fetch {url}: {exc.reason}") from exc
    except TimeoutError as exc:
        raise ScheduleError(f"{url} did not answer within {timeout:g} seconds") from exc
    finally:
        _deadline.at = None
