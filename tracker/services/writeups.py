"""Write-ups: saving them and their links to sessions, and loading what the pages, the
mention suggestions and the trip report show, each in a fixed number of queries.

The recording and slides links that come with an imported schedule (Talk.video_url,
Talk.slides_url) are listed as write-ups of the kinds "recording" and "slides" without
being stored as rows: a re-import changes or removes them, and a row would then go stale.
A write-up added by hand with the same address takes their place, so none is listed twice.
"""

from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from .. import mentions
from .. import tripreport
from ..extensions import db
from ..models import AgendaEntry
from ..models import Conference
from ..models import Note
from ..models import Talk
from ..models import User
from ..models import WriteUp
from ..models import writeup_talk

#: the write-up kinds of the links an import brings, by Talk column
IMPORTED_KINDS = {"video_url": "recording", "slides_url": "slides"}
#: at most this many suggestions are offered
SUGGESTION_LIMIT = 20


@dataclass
class ListedWriteUp:
    """A write-up as lists show it: a stored one, or a link that came with the schedule."""

    url: str
    title: str
    kind: str
    author: str = ""
    published_on: date | None = None
    excerpt: str = ""
    #: the stored write-up, or None for a recording or slides link from the schedule
    writeup: WriteUp | None = None
    #: the listed sessions it is about
    talks: list[Talk] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ")

    @property
    def imported(self) -> bool:
        return self.writeup is None


def comparable_url(url: str) -> str:
    """The address as compared for duplicates: scheme, case of the host, a trailing slash
    and the fragment make no difference."""
    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"


def sort_key(item: ListedWriteUp) -> tuple:
    """Dated write-ups by date, then undated ones (links from the schedule among them)."""
    return item.published_on is None, item.published_on or date.min, item.title.casefold(), item.url


def listed_for_talk(talk: Talk, writeups: Iterable[WriteUp]) -> list[ListedWriteUp]:
    """One session's write-ups: the stored ones, then its links from the schedule whose
    address none of those has."""
    listed = [ListedWriteUp(url=w.url, title=w.title, kind=w.kind, author=w.author, published_on=w.published_on,
                            excerpt=w.excerpt, writeup=w, talks=[talk]) for w in writeups]
    seen = {comparable_url(item.url) for item in listed}
    for column, kind in IMPORTED_KINDS.items():
        url = getattr(talk, column)
        if url and comparable_url(url) not in seen:
            seen.add(comparable_url(url))
            listed.append(ListedWriteUp(url=url, title=kind.capitalize(), kind=kind, talks=[talk]))
    return sorted(listed, key=sort_key)


def writeups_by_talk(talks: Sequence[Talk]) -> dict[int, list[ListedWriteUp]]:
    """Each session's write-ups, by talk id: one query for all of them."""
    stored: dict[int, list[WriteUp]] = {talk.id: [] for talk in talks}
    if talks:
        rows = db.session.execute(
            sa.select(writeup_talk.c.talk_id, WriteUp)
            .join(writeup_talk, writeup_talk.c.writeup_id == WriteUp.id)
            .where(writeup_talk.c.talk_id.in_(list(stored))))
        for talk_id, writeup in rows:
            stored[talk_id].append(writeup)
    return {talk.id: listed_for_talk(talk, stored[talk.id]) for talk in talks}


def writeups_about(talks: Sequence[Talk]) -> list[ListedWriteUp]:
    """The write-ups about any of these sessions, each once, with the sessions it is about."""
    by_talk = writeups_by_talk(talks)
    merged: dict[str, ListedWriteUp] = {}
    for talk in talks:
        for item in by_talk[talk.id]:
            key = comparable_url(item.url)
            if key in merged:
                merged[key].talks.append(talk)
            else:
                merged[key] = item
    return sorted(merged.values(), key=sort_key)


def load_writeup(writeup_id: int) -> WriteUp | None:
    """A write-up with its sessions, their conferences, rooms and speakers: three queries."""
    return db.session.scalar(
        sa.select(WriteUp).where(WriteUp.id == writeup_id).options(
            joinedload(WriteUp.added_by),
            selectinload(WriteUp.talks).options(
                joinedload(Talk.conference), joinedload(Talk.room), selectinload(Talk.speakers))))


def talks_with_speakers(*criteria: sa.ColumnElement[bool]) -> list[Talk]:
    """The talks that match, in time order, with their conference and speakers loaded."""
    return list(db.session.scalars(
        sa.select(Talk).where(*criteria)
        .options(joinedload(Talk.conference), joinedload(Talk.room), selectinload(Talk.speakers))
        .order_by(Talk.starts_at, Talk.id)))


def _in_conferences(conference_ids: Collection[int]) -> list[sa.ColumnElement[bool]]:
    """No ids: every conference."""
    return [Talk.conference_id.in_(list(conference_ids))] if conference_ids else []


def suggest_talks(text: str, conference_ids: Collection[int] = ()) -> list[mentions.Mention]:
    """The sessions of these conferences (none given: of all) that `text` mentions, best first."""
    talks = talks_with_speakers(*_in_conferences(conference_ids))
    return mentions.suggest(text, talks)[:SUGGESTION_LIMIT]


def find_talks(query: str, conference_ids: Collection[int] = ()) -> list[Talk]:
    """Sessions of these conferences (none given: of all) whose title or speakers contain
    every word of `query`."""
    return mentions.search(query, talks_with_speakers(*_in_conferences(conference_ids)))[:SUGGESTION_LIMIT]


def save_writeup(writeup: WriteUp, data: dict[str, Any], talks: Iterable[Talk]) -> WriteUp:
    """Set a write-up's fields (model column names) and make `talks` exactly its sessions."""
    for name, value in data.items():
        setattr(writeup, name, value)
    writeup.talks = sorted(set(talks), key=lambda talk: (talk.starts_at, talk.id))
    db.session.add(writeup)
    db.session.flush()
    return writeup


def unlink(writeup: WriteUp, talk: Talk) -> None:
    """The write-up is no longer about this session; both stay."""
    if talk in writeup.talks:
        writeup.talks.remove(talk)
    db.session.flush()


def delete_writeup(writeup: WriteUp) -> None:
    """Delete the write-up and its links; the sessions stay."""
    db.session.delete(writeup)
    db.session.flush()


def url_taken(url: str, except_id: int | None = None) -> WriteUp | None:
    """The stored write-up with this address (as compared for duplicates), other than `except_id`."""
    wanted = comparable_url(url)
    host = urlsplit(url.strip()).netloc.lower()
    candidates = db.session.scalars(sa.select(WriteUp).where(
        sa.func.lower(WriteUp.url).contains(host, autoescape=True)))
    return next((writeup for writeup in candidates
                 if writeup.id != except_id and comparable_url(writeup.url) == wanted), None)


def trip_report(user: User, conference: Conference) -> tripreport.TripReport:
    """The user's trip report draft for the conference, from their own agenda, notes and
    the sessions' write-ups: five queries, whatever the number of sessions."""
    entries = db.session.scalars(
        sa.select(AgendaEntry).join(Talk, AgendaEntry.talk_id == Talk.id)
        .where(AgendaEntry.user_id == user.id, Talk.conference_id == conference.id)
        .options(selectinload(AgendaEntry.talk).options(joinedload(Talk.room), selectinload(Talk.speakers)))).all()
    chosen, source = tripreport.choose_sessions(entries)
    talks = [entry.talk for entry in chosen]
    notes = db.session.scalars(
        sa.select(Note).where(Note.user_id == user.id, Note.talk_id.in_([talk.id for talk in talks]))
        .order_by(Note.created_at, Note.id)).all() if talks else []
    notes_by_talk: dict[int, list[Note]] = {talk.id: [] for talk in talks}
    for note in notes:
        notes_by_talk[note.talk_id].append(note)
    writeups = writeups_by_talk(talks)
    sessions = [tripreport.ReportedSession(talk, notes_by_talk[talk.id], writeups[talk.id]) for talk in talks]
    return tripreport.TripReport(tripreport.draft(conference, sessions), source, len(sessions))
