"""The demo: LinuxCon North America 2011 and KVM Forum 2011, from the data file beside this module.

Loading is an upsert keyed on slugs, names, source ids and URLs, so running it again
changes nothing.
"""

import json
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Conference
from ..models import Room
from ..models import Speaker
from ..models import Talk
from ..models import Track
from ..models import WriteUp
from ..services.accounts import create_user
from ..services.accounts import find_user
from ..services.programme import save_talk
from ..services.programme import refresh_search_text
from ..services.programme import set_speakers
from ..timezones import local_to_utc

DATA_FILE = Path(__file__).with_name("linuxcon-kvmforum-2011.json")


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def load_demo(path: Path = DATA_FILE) -> DemoLogin:
    """Load (or refresh) the demo conferences, write-ups and user; the caller commits."""
    data = json.loads(path.read_text(encoding="utf-8"))
    talks_by_guid: dict[tuple[str, str], Talk] = {}
    for conference_data in data["conferences"]:
        conference = _upsert_conference(conference_data)
        for talk in conference.talks:
            talks_by_guid[conference.slug, talk.guid] = talk
    for writeup_data in data["writeups"]:
        _upsert_writeup(writeup_data, talks_by_guid)
    user = data["user"]
    if find_user(user["email"]) is None:
        create_user(user["email"], user["password"], display_name=user["display_name"])
    db.session.flush()
    return DemoLogin(user["email"], user["password"])


def _get_or_add(model, **key):
    thing = db.session.scalar(sa.select(model).filter_by(**key))
    if thing is None:
        thing = model(**key)
        db.session.add(thing)
    return thing


def _upsert_conference(data: dict[str, Any]) -> Conference:
    conference = _get_or_add(Conference, slug=data["slug"])
    for name in ("name", "timezone", "venue", "url", "description"):
        setattr(conference, name, data[name])
    conference.start_date = date.fromisoformat(data["start_date"])
    conference.end_date = date.fromisoformat(data["end_date"])
    db.session.flush()

    rooms = {}
    for position, name in enumerate(data["rooms"]):
        rooms[name] = _get_or_add(Room, conference_id=conference.id, name=name)
        rooms[name].position = position
    tracks = {}
    for position, track_data in enumerate(data["tracks"]):
        tracks[track_data["name"]] = _get_or_add(Track, conference_id=conference.id, name=track_data["name"])
        tracks[track_data["name"]].position = position
        tracks[track_data["name"]].color = track_data["color"]
    speakers = {}
    for speaker_data in data["speakers"]:
        speaker = _get_or_add(Speaker, conference_id=conference.id, external_id=speaker_data["id"])
        speaker.name = speaker_data["name"]
        speaker.affiliation = speaker_data.get("affiliation", "")
        speakers[speaker_data["id"]] = speaker
    db.session.flush()

    for talk_data in data["talks"]:
        talk = _get_or_add(Talk, conference_id=conference.id, guid=talk_data["guid"])
        talk.conference = conference
        save_talk(talk, {
            "title": talk_data["title"],
            "kind": talk_data["kind"],
            "abstract": talk_data["abstract"],
            "starts_at": local_to_utc(datetime.fromisoformat(talk_data["start"]), conference.zone),
            "ends_at": local_to_utc(datetime.fromisoformat(talk_data["end"]), conference.zone),
            "room_id": rooms[talk_data["room"]].id,
            "track_id": tracks[talk_data["track"]].id,
        })
        set_speakers(talk, [speakers[key] for key in talk_data["speakers"]])
        db.session.flush()
        db.session.expire(talk, ["speakers"])
        refresh_search_text(talk)
    db.session.flush()
    db.session.refresh(conference, ["talks"])
    return conference


def _upsert_writeup(data: dict[str, Any], talks_by_guid: dict[tuple[str, str], Talk]) -> WriteUp:
    writeup = _get_or_add(WriteUp, url=data["url"])
    for name in ("title", "author", "kind", "excerpt"):
        setattr(writeup, name, data[name])
    writeup.published_on = date.fromisoformat(data["published_on"])
    for slug, guid in data["talks"]:
        talk = talks_by_guid[slug, guid]
        if talk not in writeup.talks:
            writeup.talks.append(talk)
    return writeup

