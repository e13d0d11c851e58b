"""Exports: a conference, track, day or session as a download, and users' agenda feeds."""

import hashlib
import re
import unicodedata
from datetime import date

from flask import Blueprint
from flask import Response
from flask import abort
from flask import request

from ..exporters import EXPORTERS
from ..exporters import Selection
from ..models import Talk
from ..selections import agenda_selection
from ..selections import conference_selection
from ..selections import talk_selection
from ..services.accounts import user_by_feed_token
from ..services.exports import changed_at
from .lookups import get_conference
from .lookups import get_in_conference

bp = Blueprint("exports", __name__)


def export_response(selection: Selection, format: str, filename: str, *, version: str,
                    private: bool = False) -> Response:
    """The rendered file, answering If-None-Match / If-Modified-Since with 304 when unchanged.

    :param version: names the export for its Last-Modified (see services.exports)
    """
    exporter = EXPORTERS[format]
    body = exporter.render(selection)
    response = Response(body, content_type=exporter.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.{exporter.extension}"'
    etag = hashlib.sha256(body).hexdigest()
    response.set_etag(etag)
    response.last_modified = changed_at(f"{request.url_root} {version} {format}", etag)
    response.cache_control.no_cache = True
    if private:
        response.cache_control.private = True
    return response.make_conditional(request)


def _day_argument() -> date | None:
    value = request.args.get("day")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


@bp.get("/c/<slug>/schedule.<any(ics, xml, json):format>")
def conference(slug: str, format: str):
    """The whole conference; ?track=NAME and ?day=YYYY-MM-DD narrow it."""
    conference = get_conference(slug)
    track, day = request.args.get("track"), _day_argument()
    if track is not None and track not in {t.name for t in conference.tracks}:
        abort(404)
    selection = conference_selection(conference, request.url_root, track=track, day=day,
                                     feed=format == "ics")
    name = "-".join(part for part in (slug, track and _filename_part(track), day and day.isoformat()) if part)
    return export_response(selection, format, name, version=f"conference {conference.id} track={track} day={day}")


@bp.get("/c/<slug>/talks/<int:talk_id>.ics")
def talk(slug: str, talk_id: int):
    """One session, to add to a calendar."""
    talk = get_in_conference(Talk, get_conference(slug), talk_id)
    return export_response(talk_selection(talk, request.url_root), "ics", f"{slug}-{talk_id}",
                           version=f"talk {talk.id}")


@bp.get("/feeds/<token>/agenda.ics")
def agenda(token: str):
    """A user's agenda, for calendar apps to subscribe to: the secret token is the login.

    :raise 404: for an unknown or revoked token
    """
    user = user_by_feed_token(token)
    if user is None:
        abort(404)
    only_going = request.args.get("only") == "going"
    return export_response(agenda_selection(user, request.url_root, only_going=only_going), "ics",
                           "agenda", version=f"agenda {user.id} only_going={only_going}", private=True)


def _filename_part(text: str) -> str:
    """ASCII letters and digits of `text` for a file name ("Kernel & Storage" -> "kernel-storage"):
    a header's value must be Latin-1, and some servers take only ASCII."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "track"

