"""Notes: a user's private Markdown notes on sessions, their notebook per conference, and
the secret links that share a notebook read-only.

Every function takes the user whose notes it reads or changes; none returns another
user's note.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..markdown import shift_headings
from ..models import Conference
from ..models import Note
from ..models import NoteShare
from ..models import Talk
from ..models import User
from ..models import utcnow

#: how far back to look for a duplicate when the form did not say when it was opened
DUPLICATE_WINDOW = timedelta(minutes=10)
TAG_SEPARATORS = re.compile(r"[\s,]+")
SHARE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: characters that would change the meaning of plain text put into Markdown
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


@dataclass(frozen=True)
class NoteContent:
    """What a user writes in a note, normalised the way it is stored."""

    body: str
    rating: int | None
    tags: str

    @classmethod
    def clean(cls, body: str, rating: int | None, tags: str) -> "NoteContent":
        """Browsers send a textarea's line breaks as CRLF; NUL characters, which PostgreSQL
        refuses to store, are dropped; tags are lower-case words, without "#", each once, in
        the order given."""
        if rating is not None and not 1 <= rating <= 5:
            raise ValueError(f"a rating is 1 to 5, not {rating}")
        return cls(body.replace("\r\n", "\n").replace("\0", "").rstrip(), rating, normalise_tags(tags))


@dataclass(frozen=True)
class NotebookFilter:
    tag: str | None = None
    min_rating: int | None = None


def normalise_tags(text: str) -> str:
    words = (word.lstrip("#").lower() for word in TAG_SEPARATORS.split(text.replace("\0", "")))
    return " ".join(dict.fromkeys(word for word in words if word))


def add_note(user: User, talk: Talk, content: NoteContent, opened_at: datetime | None) -> tuple[Note, bool]:
    """Add a note, unless this is the same form sent again.

    A double click, a reload of the answer to a POST or a browser retry sends the same form
    twice. The form carries the time it was opened (`opened_at`); a note of this user on this
    session with the same content, created since then, is that form's first submission, and
    is returned instead of adding a second one. The same text written again in a new form is
    a new note. The user's row is locked first, so that two copies arriving at once are
    checked one after the other.

    :return: the note, and whether it is new
    """
    lock_notes_of(user)
    since = opened_at if opened_at is not None else utcnow() - DUPLICATE_WINDOW
    earlier = db.session.scalar(sa.select(Note).where(
        Note.user_id == user.id, Note.talk_id == talk.id, Note.created_at >= since,
        Note.body == content.body, Note.rating.is_not_distinct_from(content.rating),
        Note.tags == content.tags).order_by(Note.id).limit(1))
    if earlier is not None:
        return earlier, False
    now = utcnow()
    note = Note(user_id=user.id, talk_id=talk.id, body=content.body, rating=content.rating,
                tags=content.tags, created_at=now, updated_at=now)
    db.session.add(note)
    db.session.flush()
    return note, True


def lock_notes_of(user: User) -> None:
    """Take a write lock on the user's row until the transaction ends: a row lock on
    PostgreSQL, the database's write lock on SQLite. A no-op UPDATE does both, where
    SELECT ... FOR UPDATE would do nothing on SQLite."""
    db.session.execute(sa.update(User).where(User.id == user.id).values(id=User.id))


def update_note(note: Note, content: NoteContent) -> Note:
    note.body, note.rating, note.tags = content.body, content.rating, content.tags
    db.session.flush()
    return note


def delete_note(note: Note) -> None:
    db.session.delete(note)
    db.session.flush()


def own_note(user: User, note_id: int) -> Note | None:
    """The note with this id if it is the user's; None for anyone else's, as for none."""
    return db.session.scalar(sa.select(Note).where(Note.id == note_id, Note.user_id == user.id)
                             .options(joinedload(Note.talk).joinedload(Talk.conference)))


def notes_on(user: User, talk: Talk) -> list[Note]:
    """The user's notes on one session, oldest first."""
    return list(db.session.scalars(sa.select(Note).where(
        Note.user_id == user.id, Note.talk_id == talk.id).order_by(Note.created_at, Note.id)))


def notebook(user: User, conference: Conference, only: NotebookFilter = NotebookFilter()) -> list[tuple[Talk, list[Note]]]:
    """The user's notes on a conference, grouped by session in programme order, with what the
    notebook shows of each session loaded: a fixed number of queries, however many notes."""
    query = (sa.select(Note).join(Note.talk)
             .where(Note.user_id == user.id, Talk.conference_id == conference.id)
             .options(contains_eager(Note.talk).joinedload(Talk.room),
                      contains_eager(Note.talk).selectinload(Talk.speakers))
             .order_by(Talk.starts_at, Talk.ends_at, Talk.id, Note.created_at, Note.id))
    if only.tag:
        padded = sa.literal(" ") + Note.tags + sa.literal(" ")
        query = query.where(padded.contains(f" {only.tag} ", autoescape=True))
    if only.min_rating is not None:
        query = query.where(Note.rating >= only.min_rating)
    notes = db.session.scalars(query)
    return [(talk, list(talk_notes)) for talk, talk_notes in groupby(notes, key=lambda note: note.talk)]


def notebook_tags(user: User, conference: Conference) -> list[str]:
    """Every tag the user put on a note of this conference, sorted."""
    tag_strings = db.session.scalars(sa.select(Note.tags).join(Note.talk).where(
        Note.user_id == user.id, Talk.conference_id == conference.id, Note.tags != "").distinct())
    return sorted({tag for tags in tag_strings for tag in tags.split()})


def share_of(user: User, conference: Conference) -> NoteShare | None:
    return db.session.scalar(sa.select(NoteShare).where(
        NoteShare.user_id == user.id, NoteShare.conference_id == conference.id))


def share_notebook(user: User, conference: Conference) -> NoteShare:
    """The user's secret link to their notes on the conference, made if there is none (so a
    second click shows the same link)."""
    share = share_of(user, conference)
    if share is None:
        share = NoteShare(user_id=user.id, conference_id=conference.id)
        db.session.add(share)
        db.session.flush()
    return share


def revoke_share(user: User, conference: Conference) -> bool:
    """Delete the link: its address stops working, and sharing again makes a new one.

    :return: whether there was a link
    """
    share = share_of(user, conference)
    if share is None:
        return False
    db.session.delete(share)
    db.session.flush()
    return True


def shared_by_token(token: str) -> NoteShare | None:
    """The share with this token; None for a token that cannot be one (see new_feed_token)."""
    if not SHARE_TOKEN.fullmatch(token):
        return None
    return db.session.scalar(sa.select(NoteShare).where(NoteShare.token == token)
                             .options(joinedload(NoteShare.user), joinedload(NoteShare.conference)))


def escape_markdown(text: str) -> str:
    """Plain text (a title, a name) that Markdown shows as written."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def session_facts(talk: Talk, conference: Conference) -> list[str]:
    """When (on the conference's clock), where and who, for the export's heading."""
    start, end = talk.starts_at.astimezone(conference.zone), talk.ends_at.astimezone(conference.zone)
    facts = [f"{start:%A %-d %B %Y, %H:%M}–{end:%H:%M} {start:%Z}"]
    if talk.room is not None:
        facts.append(escape_markdown(talk.room.name))
    if talk.speakers:
        facts.append(escape_markdown(", ".join(speaker.name for speaker in talk.speakers)))
    if talk.is_cancelled:
        facts.append("Cancelled")
    return facts


#: a session is an h2 and its facts an h3: a note's own headings go below them
NOTE_HEADING_SHIFT = 3


def note_markdown(note: Note) -> str:
    """One note: a line with its rating and tags, if any, then its body as written, its
    headings moved below the session's."""
    about = []
    if note.rating is not None:
        about.append(f"Rating: {note.rating}/5")
    if note.tags:
        about.append(f"Tags: {escape_markdown(note.tags)}")
    return "\n\n".join(part for part in (" · ".join(about), shift_headings(note.body, NOTE_HEADING_SHIFT)) if part)


def notebook_markdown(conference: Conference, sessions: Iterable[tuple[Talk, list[Note]]]) -> str:
    """The notebook as one Markdown file: a heading per session, under it a heading with
    its time, room and speakers, then its notes, separated by rules."""
    parts = [f"# {escape_markdown(conference.name)}: my notes"]
    for talk, notes in sessions:
        parts.append(f"## {escape_markdown(talk.title)}")
        parts.append(f"### {' · '.join(session_facts(talk, conference))}")
        parts.append("\n\n* * *\n\n".join(note_markdown(note) for note in notes))
    return "\n\n".join(parts) + "\n"
