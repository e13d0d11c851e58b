"""What each schedule import did: the run, and one change record per session it touched."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

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
    from .talk import Talk
    from .user import User

#: most significant first: a session both moved and retitled counts as moved
CHANGE_KINDS = ("cancelled", "moved", "changed", "restored", "added")


class ImportRun(db.Model):
    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conference.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: file name or URL
    source: Mapped[str]
    format: Mapped[str] = mapped_column(sa.String(20))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    moved: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    #: what the importer repaired in the file, one sentence each
    repairs: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    conference: Mapped[Conference] = relationship(back_populates="imports")
    user: Mapped[User | None] = relationship()
    changes: Mapped[list[TalkChange]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True,
        order_by="TalkChange.id")

    @property
    def total_changes(self) -> int:
        return self.added + self.changed + self.moved + self.cancelled


class TalkChange(db.Model):
    """How one import changed one session."""

    __tablename__ = "talk_change"
    __table_args__ = (one_of("kind", CHANGE_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("import_run.id", ondelete="CASCADE"), index=True)
    talk_id: Mapped[int] = mapped_column(sa.ForeignKey("talk.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: names of the fields that changed
    fields: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: their values before, for display: {"starts_at": iso, "room": name, ...}
    before: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    run: Mapped[ImportRun] = relationship(back_populates="changes")
    talk: Mapped[Talk] = relationship()
