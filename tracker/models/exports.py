"""When each export last changed: the Last-Modified of files and feeds."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from ..extensions import db
from .types import UTCDateTime


class ExportVersion(db.Model):
    """The ETag an export last had and since when.

    An export's Last-Modified cannot be read off the rows it shows: a session that left a
    track, an agenda entry taken out, a renamed room change the file without leaving a
    newer row in it. So each export remembers its last content hash and the time it first
    saw it; a client that sends only If-Modified-Since is then answered right.
    """

    __tablename__ = "export_version"

    #: sha256 of what is exported, e.g. "conference 36c3 ics track=Hardware day="
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    etag: Mapped[str] = mapped_column(sa.String(64))
    #: whole seconds (HTTP dates have no finer), later for each new content
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
