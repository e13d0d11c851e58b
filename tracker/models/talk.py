"""Sessions (talks, keynotes, BoFs, socials...) and their speakers."""

from __future__ import annotations

import uuid
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from ..extensions import db
from .types import UTCDateTime
from .types import one_of
from .types import utcnow

if TYPE_CHECKING:
    from .conference import Conference
    from .conference import Room
    from .conference import Track
    from .user import AgendaEntry
    from .user import Note
    from .writeup import WriteUp

TALK_KINDS = ("talk", "keynote", "lightning", "workshop", "panel", "bof", "social", "other")
TALK_STATUSES = ("confirmed", "cancelled")
#: the fields whose change a calendar app must notice (they raise the SEQUENCE)
SEQUENCED_FIELDS = ("starts_at", "ends_at", "room_id", "title", "status")


def new_uid() -> str:
    return f"{uuid.uuid4()}@tracker"


class Talk(db.Model):
    """Any session in a schedule. Not "Session", which would be confused with the database's."""

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        one_of("kind", TALK_KINDS),
        one_of("status", TALK_STATUSES),
        sa.UniqueConstraint("conference_id", "guid"),
        sa.Index("ix_talk_conference_id_starts_at", "conference_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conference.id", ondelete="CASCADE"))
    room_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("room.id", ondelete="SET NULL"), index=True)
    track_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("track.id", ondelete="SET NULL"), index=True)
    #: the source's stable identifier; a re-import updates the talk that carries it
    guid: Mapped[str | None]
    #: the source's own (often numeric) id, shown for reference
    external_id: Mapped[str | None]
    #: iCalendar UID, made once and never changed, so subscribed calendars never duplicate
    uid: Mapped[str] = mapped_column(unique=True, default=new_uid)
    title: Mapped[str]
    subtitle: Mapped[str] = mapped_column(default="")
    abstract: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(20), default="talk")
    language: Mapped[str] = mapped_column(sa.String(20), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20), default="confirmed")
    #: iCalendar SEQUENCE: goes up whenever the time, room, title or status changes, so that
    #: calendar apps replace their copy
    sequence: Mapped[int] = mapped_column(default=0)
    url: Mapped[str] = mapped_column(default="")
    slides_url: Mapped[str] = mapped_column(default="")
    video_url: Mapped[str] = mapped_column(default="")
    #: title, subtitle, abstract and speakers' names, for full-text search (see tracker.search)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: further links from the schedule: [{"url": ..., "title": ...}]
    links: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    conference: Mapped[Conference] = relationship(back_populates="talks")
    room: Mapped[Room | None] = relationship()
    track: Mapped[Track | None] = relationship()
    speaker_links: Mapped[list[TalkSpeaker]] = relationship(
        back_populates="talk", cascade="all, delete-orphan", passive_deletes=True,
        order_by="TalkSpeaker.position")
    speakers: Mapped[list[Speaker]] = relationship(
        secondary="talk_speaker", order_by="TalkSpeaker.position", viewonly=True)
    writeups: Mapped[list[WriteUp]] = relationship(
        secondary="writeup_talk", back_populates="talks", passive_deletes=True,
        order_by="WriteUp.published_on")
    #: user data: the database refuses to delete a talk that still has any
    notes: Mapped[list[Note]] = relationship(back_populates="talk", passive_deletes="all")
    agenda_entries: Mapped[list[AgendaEntry]] = relationship(
        back_populates="talk", passive_deletes="all", foreign_keys="AgendaEntry.talk_id")

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    def __repr__(self) -> str:
        return f"<Talk {self.id} {self.title!r}>"


class Speaker(db.Model):
    """A person on a conference's programme; the same person at two conferences is two rows,
    as in the schedules we import from."""

    __table_args__ = (sa.UniqueConstraint("conference_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conference.id", ondelete="CASCADE"), index=True)
    #: the source's id for the person, used to deduplicate on import
    external_id: Mapped[str | None]
    name: Mapped[str]
    affiliation: Mapped[str] = mapped_column(default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str] = mapped_column(default="")

    conference: Mapped[Conference] = relationship(back_populates="speakers")
    talk_links: Mapped[list[TalkSpeaker]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", passive_deletes=True)
    talks: Mapped[list[Talk]] = relationship(
        secondary="talk_speaker", order_by="Talk.starts_at", viewonly=True)

    def __repr__(self) -> str:
        return f"<Speaker {self.name!r}>"


class TalkSpeaker(db.Model):
    """Who speaks at a talk, in the order the programme lists them."""

    __tablename__ = "talk_speaker"

    talk_id: Mapped[int] = mapped_column(
        sa.ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True)
    speaker_id: Mapped[int] = mapped_column(
        sa.ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    talk: Mapped[Talk] = relationship(back_populates="speaker_links")
    speaker: Mapped[Speaker] = relationship(back_populates="talk_links")
