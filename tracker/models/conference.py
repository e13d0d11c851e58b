"""A conference and the rooms and tracks its sessions are arranged by."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from ..extensions import db
from .types import UTCDateTime
from .types import utcnow

if TYPE_CHECKING:
    from .imports import ImportRun
    from .talk import Speaker
    from .talk import Talk


class Conference(db.Model):
    __table_args__ = (sa.CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: URL name, unique across the instance: /c/<slug>
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name: Mapped[str]
    #: IANA zone name; times are shown in it, stored in UTC
    timezone: Mapped[str] = mapped_column(sa.String(64))
    start_date: Mapped[date]
    end_date: Mapped[date]
    #: local time at which one schedule day ends and the next begins (frab's day_change),
    #: so that a session at 01:00 stays under the evening before
    day_change: Mapped[time] = mapped_column(default=time(0))
    venue: Mapped[str] = mapped_column(default="")
    url: Mapped[str] = mapped_column(default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: where the schedule came from, for re-import: format, URL or file name, when, content hash
    source_format: Mapped[str | None]
    source_location: Mapped[str | None]
    source_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source_hash: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    rooms: Mapped[list[Room]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(Room.position, Room.name)")
    tracks: Mapped[list[Track]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(Track.position, Track.name)")
    talks: Mapped[list[Talk]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(Talk.starts_at, Talk.id)")
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Speaker.name")
    imports: Mapped[list[ImportRun]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ImportRun.created_at.desc()")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def __repr__(self) -> str:
        return f"<Conference {self.slug}>"


class Room(db.Model):
    __table_args__ = (sa.UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conference.id", ondelete="CASCADE"))
    name: Mapped[str]
    #: order of the room's column in the timetable
    position: Mapped[int] = mapped_column(default=0)

    conference: Mapped[Conference] = relationship(back_populates="rooms")

    def __repr__(self) -> str:
        return f"<Room {self.name}>"


class Track(db.Model):
    __table_args__ = (sa.UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(sa.ForeignKey("conference.id", ondelete="CASCADE"))
    name: Mapped[str]
    #: "#rrggbb", or "" for the default colour
    color: Mapped[str] = mapped_column(sa.String(7), default="")
    position: Mapped[int] = mapped_column(default=0)

    conference: Mapped[Conference] = relationship(back_populates="tracks")

    def __repr__(self) -> str:
        return f"<Track {self.name}>"
