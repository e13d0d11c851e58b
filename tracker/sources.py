"""Reading a schedule from a file or an http(s) URL, with a size cap and a timeout."""

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from .importers import ScheduleError

CHUNK = 64 * 1024


def is_url(source: str) -> bool:
    return "://" in source


def read_source(source: str, *, max_bytes: int, timeout: float) -> bytes:
    """The bytes of a local file or of an http(s) URL.

    :raise ScheduleError: for another URL scheme, a missing file, a network failure, or
        more than `max_bytes`
    """
    if is_url(source):
        return fetch(source, max_bytes=max_bytes, timeout=timeout)
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


_opener = urllib.request.build_opener(_HttpOnlyRedirects)


def fetch(url: str, *, max_bytes: int, timeout: float) -> bytes:
    """GET an http(s) URL, reading at most `max_bytes`."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ScheduleError(f"{url}: only http and https addresses can be fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "tracker schedule import"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ScheduleError(too_large(url, max_bytes))
            body = bytearray()
            while chunk := response.read(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise ScheduleError(too_large(url, max_bytes))
            return bytes(body)
    except urllib.error.HTTPError as exc:
        raise ScheduleError(f"{url} answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise ScheduleError(f"cannot fetch {url}: {exc.reason}") from exc
    except TimeoutError as exc:
        raise ScheduleError(f"{url} did not answer within {timeout:g} seconds") from exc
