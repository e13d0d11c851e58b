"""Editing a conference's programme: talks, speakers and the deletes that must keep user data."""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import AgendaEntry
from ..models import Conference
from ..models import SEQUENCED_FIELDS
from ..models import Note
from ..models import Speaker
from ..models import Talk
from ..models import TalkSpeaker
from ..search import search_document


class InUseError(Exception):
    """Deleting this would take users' notes or plans with it."""


def save_talk(talk: Talk, data: dict[str, Any]) -> Talk:
    """Set a talk's fields from `data` (model column names, plus speaker_ids in order)."""
    speaker_ids = data.pop("speaker_ids", None)
    db.session.add(talk)
    if talk.id is not None and any(name in data and getattr(talk, name) != data[name]
                                   for name in SEQUENCED_FIELDS):
        talk.sequence += 1
    for name, value in data.items():
        setattr(talk, name, value)
    if speaker_ids is not None:
        speakers = db.session.scalars(sa.select(Speaker).where(
            Speaker.id.in_(speaker_ids), Speaker.conference_id == talk.conference.id)).all()
        by_id = {speaker.id: speaker for speaker in speakers}
        set_speakers(talk, [by_id[i] for i in speaker_ids if i in by_id])
    db.session.flush()
    db.session.expire(talk, ["speakers"])
    refresh_search_text(talk)
    return talk


def refresh_search_text(talk: Talk) -> None:
    """Keep the talk's full-text document in step with its title, abstract and speakers."""
    talk.search_text = search_document(talk.title, talk.subtitle, talk.abstract,
                                       (speaker.name for speaker in talk.speakers))


def set_speakers(talk: Talk, speakers: Sequence[Speaker]) -> None:
    """Make `speakers` the talk's speakers, in this order, keeping the links that stay (so
    that no link is deleted and inserted again in one flush)."""
    wanted = {speaker.id: position for position, speaker in enumerate(speakers)}
    for link in list(talk.speaker_links):
        if link.speaker_id not in wanted:
            talk.speaker_links.remove(link)
    kept = {link.speaker_id: link for link in talk.speaker_links}
    for position, speaker in enumerate(speakers):
        if (link := kept.get(speaker.id)) is None:
            talk.speaker_links.append(TalkSpeaker(speaker=speaker, position=position))
        else:
            link.position = position


def user_data_count(*talk_filter: sa.ColumnElement[bool]) -> int:
    """How many notes and agenda entries hang on the talks that match."""
    talk_ids = sa.select(Talk.id).where(*talk_filter)
    notes = db.session.scalar(sa.select(sa.func.count()).where(Note.talk_id.in_(talk_ids)))
    plans = db.session.scalar(sa.select(sa.func.count()).where(AgendaEntry.talk_id.in_(talk_ids)))
    return notes + plans


def delete_talk(talk: Talk) -> None:
    """Delete a talk nobody has notes or plans on; otherwise refuse, since cancelling keeps them."""
    if count := user_data_count(Talk.id == talk.id):
        raise InUseError(f"“{talk.title}” holds users' notes or agenda entries ({count}). "
                         "Mark it cancelled instead, which keeps them.")
    db.session.delete(talk)
    db.session.flush()


def delete_conference(conference: Conference) -> None:
    """Delete a conference and its programme, unless users have notes or plans on it."""
    if count := user_data_count(Talk.conference_id == conference.id):
        raise InUseError(f"{conference.name} holds users' notes or agenda entries ({count}); "
                         "it cannot be deleted without losing them.")
    db.session.delete(conference)
    db.session.flush()
