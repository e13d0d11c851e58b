"""Users and what belongs to one user: agenda entries and notes."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from ..extensions import db
from .types import UTCDateTime
from .types import one_of
from .types import utcnow

if TYPE_CHECKING:
    from .conference import Conference
    from .talk import Talk

AGENDA_STATUSES = ("going", "maybe", "attended", "skipped")


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-case, so that log-in ignores case
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str]
    display_name: Mapped[str] = mapped_column(default="")
    #: IANA zone to show times in instead of each conference's own, if set
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    #: secret for the calendar feed URL; replacing it revokes the old one
    feed_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: minutes before each session of the agenda feed to remind, or None for no reminder
    reminder_minutes: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agenda_entries: Mapped[list[AgendaEntry]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)
    notes: Mapped[list[Note]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def label(self) -> str:
        return self.display_name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class AgendaEntry(db.Model):
    """One user's plan for one talk."""

    __table_args__ = (
        sa.UniqueConstraint("user_id", "talk_id"),
        one_of("status", AGENDA_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    talk_id: Mapped[int] = mapped_column(
        sa.ForeignKey("talk.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="going")
    #: when the user last looked at this session's changes; later re-import changes are flagged
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: a session in the same slot to go to instead if this one is cancelled or moved
    backup_talk_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("talk.id", ondelete="SET NULL"), index=True)
    #: the session this entry took the place of, when a backup stepped in
    replaced_talk_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("talk.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="agenda_entries")
    talk: Mapped[Talk] = relationship(back_populates="agenda_entries", foreign_keys=[talk_id])
    backup_talk: Mapped[Talk | None] = relationship(foreign_keys=[backup_talk_id])
    replaced_talk: Mapped[Talk | None] = relationship(foreign_keys=[replaced_talk_id])


class AgendaRemoval(db.Model):
    """A session the user took out of their agenda: their feed keeps it, cancelled.

    Calendar apps drop an event only when a feed says it is cancelled; one that simply
    vanishes from the feed stays in some calendars forever.
    """

    __tablename__ = "agenda_removal"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    talk_id: Mapped[int] = mapped_column(sa.ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    talk: Mapped[Talk] = relationship()


class Note(db.Model):
    """A user's private note on a talk, in Markdown."""

    __table_args__ = (
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        sa.Index("ix_note_user_id_talk_id", "user_id", "talk_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    #: RESTRICT: deleting a talk must never take someone's notes with it
    talk_id: Mapped[int] = mapped_column(
        sa.ForeignKey("talk.id", ondelete="RESTRICT"), index=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    rating: Mapped[int | None]
    #: space-separated tags
    tags: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="notes")
    talk: Mapped[Talk] = relationship(back_populates="notes")


class NoteShare(db.Model):
    """A secret, revocable link to one user's notes on one conference, read-only."""

    __tablename__ = "note_share"
    __table_args__ = (sa.UniqueConstraint("user_id", "conference_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conference.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    conference: Mapped[Conference] = relationship()
