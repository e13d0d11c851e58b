"""Write-ups (blog posts, slides, recordings, trip reports) and the talks they cover."""

from __future__ import annotations

from datetime import date
from datetime import datetime
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
    from .talk import Talk
    from .user import User

WRITEUP_KINDS = ("blog_post", "slides", "recording", "article", "trip_report")

writeup_talk = sa.Table(
    "writeup_talk",
    db.metadata,
    sa.Column("writeup_id", sa.ForeignKey("writeup.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("talk_id", sa.ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class WriteUp(db.Model):
    __tablename__ = "writeup"
    __table_args__ = (one_of("kind", WRITEUP_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str]
    author: Mapped[str] = mapped_column(default="")
    published_on: Mapped[date | None]
    kind: Mapped[str] = mapped_column(sa.String(20), default="blog_post")
    excerpt: Mapped[str] = mapped_column(sa.Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    talks: Mapped[list[Talk]] = relationship(
        secondary=writeup_talk, back_populates="writeups", order_by="Talk.starts_at")
    added_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ")

    def __repr__(self) -> str:
        return f"<WriteUp {self.title!r}>"
