"""What every exporter gets and gives.

An exporter turns a Selection (sessions with their conference, room, track and speakers
loaded) into bytes. It needs no request and no database session: views, feeds, the CLI
and tests all call `render()` the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import ClassVar

from ..models import Conference
from ..models import Talk
from ..models import TalkChange


@dataclass(frozen=True)
class Selection:
    """What to export."""

    #: the calendar's or file's title, e.g. "FOSDEM 2020" or "FOSDEM 2020: Python track"
    title: str
    #: the sessions, in time order, with .conference, .room, .track and .speakers loaded
    talks: Sequence[Talk]
    #: an absolute URL of each session's page, for links back
    talk_url: Callable[[Talk], str]
    #: the conference, when all sessions belong to one (a personal agenda may span several)
    conference: Conference | None = None
    #: IANA zone that calendar apps should show the calendar in (X-WR-TIMEZONE)
    timezone: str = "UTC"
    #: a subscription feed rather than a download: calendar apps are told to refresh it
    feed: bool = False
    #: a personal agenda: talk id -> how it holds the session: "going", "maybe", or
    #: "dropped" (skipped or taken out: kept, cancelled, so that calendar apps remove it)
    agenda: Mapping[int, str] = field(default_factory=dict)
    #: a personal agenda: talk id -> a line on why it stands so ("Your backup, in place of ...")
    agenda_notes: Mapping[int, str] = field(default_factory=dict)
    #: minutes before each session to remind the user (VALARM), if any
    reminder_minutes: int | None = None
    #: talk id -> its most recent move by a re-import, to say where and when it was before
    moves: Mapping[int, TalkChange] = field(default_factory=dict)
    #: when anything in the selection last changed (HTTP Last-Modified), if known
    updated_at: datetime | None = None


class Exporter:
    #: the --format name and the URL's extension
    name: ClassVar[str]
    extension: ClassVar[str]
    content_type: ClassVar[str]
    #: whether the format can hold sessions of several conferences (a personal agenda)
    multi_conference: ClassVar[bool] = False

    def render(self, selection: Selection) -> bytes:
        raise NotImplementedError
