"""What every importer returns, and the helpers they share.

An importer turns bytes into a ParsedSchedule: plain frozen dataclasses with aware
datetimes, no database and no Flask. `tracker.services.imports.save_schedule()` applies
one to the database. Anything an importer cannot read raises ScheduleError with a
message that names the problem and where it is; anything it repaired is said in
`ParsedSchedule.repairs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import ClassVar
from typing import Protocol

from ..models import TALK_KINDS
from ..timezones import is_zone


class ScheduleError(ValueError):
    """The input cannot be imported. The message says what is wrong and where
    (line, event id or field), in words a user can act on."""


@dataclass(frozen=True)
class ParsedSpeaker:
    #: how the schedule identifies the person: "id:<source id>", else "name:<name, case-folded>"
    key: str
    name: str
    bio: str = ""
    affiliation: str = ""
    url: str = ""


@dataclass(frozen=True)
class ParsedLink:
    url: str
    title: str = ""


@dataclass(frozen=True)
class ParsedTrack:
    name: str
    #: "#rrggbb" or ""
    color: str = ""


@dataclass(frozen=True)
class ParsedTalk:
    #: the source's stable identifier (frab guid, else "id:<event id>"; iCalendar UID; CSV id);
    #: re-imports match sessions by it, so it must be unique within a schedule
    guid: str
    title: str
    #: aware datetimes, the absolute instants the file gives
    starts_at: datetime
    ends_at: datetime
    #: the source's own id for the session, shown for reference
    external_id: str | None = None
    #: the schedule day the source files the session under (a talk at 01:00 can belong to the
    #: day before); None where the format has no days
    day: date | None = None
    room: str | None = None
    track: str | None = None
    subtitle: str = ""
    abstract: str = ""
    description: str = ""
    #: one of tracker.models.TALK_KINDS; see normalise_kind()
    kind: str = "talk"
    language: str = ""
    status: str = "confirmed"
    url: str = ""
    slides_url: str = ""
    video_url: str = ""
    #: ParsedSpeaker keys, in the order the schedule lists the speakers
    speakers: tuple[str, ...] = ()
    #: further links (and attachments) the schedule gives for the session
    links: tuple[ParsedLink, ...] = ()


@dataclass(frozen=True)
class ParsedSchedule:
    title: str
    #: IANA zone name the conference's times are shown in
    timezone: str
    talks: tuple[ParsedTalk, ...]
    speakers: tuple[ParsedSpeaker, ...] = ()
    #: rooms and tracks in the order the schedule gives them
    rooms: tuple[str, ...] = ()
    tracks: tuple[ParsedTrack, ...] = ()
    #: the schedule's short name (frab acronym), used for the conference's slug
    acronym: str = ""
    url: str = ""
    venue: str = ""
    #: the schedule's own first and last day, if it says; the talks may widen them
    start_date: date | None = None
    end_date: date | None = None
    #: one sentence per deliberate repair, e.g. "3 duplicate ids: kept the first, renamed the rest"
    repairs: tuple[str, ...] = field(default=())


class Importer(Protocol):
    #: the --format name
    name: ClassVar[str]
    #: what the web form calls it
    label: ClassVar[str]

    def sniff(self, head: bytes) -> bool:
        """Whether the first few kilobytes look like this format."""

    def parse(self, data: bytes, *, timezone: str | None = None) -> ParsedSchedule:
        """Read a whole file.

        :param timezone: IANA zone from the user: the zone for floating times, and the
            conference's zone in place of the file's own
        :raise ScheduleError: if the file cannot be imported
        """


#: source session types, lower-cased, to tracker's kinds; anything else is a "talk"
KIND_ALIASES = {
    "lecture": "talk", "talk": "talk", "presentation": "talk", "contest": "other",
    "keynote": "keynote", "plenary": "keynote",
    "lightning": "lightning", "lightning talk": "lightning", "lightning_talk": "lightning",
    "lightningtalk": "lightning", "lightning-talk": "lightning",
    "workshop": "workshop", "tutorial": "workshop", "hands-on": "workshop",
    "podium": "panel", "panel": "panel", "discussion": "panel", "panel discussion": "panel",
    "meeting": "bof", "bof": "bof", "birds of a feather": "bof",
    "social": "social", "party": "social", "concert": "social", "dinner": "social",
    "film": "other", "performance": "other", "other": "other", "break": "other",
}


def normalise_kind(raw: str | None) -> str:
    """A source's session type as one of TALK_KINDS."""
    kind = KIND_ALIASES.get((raw or "").strip().lower(), "talk")
    assert kind in TALK_KINDS
    return kind


def parse_duration(text: str, where: str) -> timedelta:
    """frab durations: "1:30", "01:30", "01:30:00" (hours and minutes, then seconds), or
    "0:30:00"; also "1:02:30:00" (days) as frab writes very long ones.

    :param where: named in the error, e.g. "event 1234"
    """
    parts = (text or "").strip().split(":")
    if not 2 <= len(parts) <= 4 or not all(part.isdigit() for part in parts):
        raise ScheduleError(f"{where}: duration “{text}” is not in the form HH:MM or HH:MM:SS")
    numbers = [int(part) for part in parts]
    if len(numbers) == 2:
        hours, minutes, seconds, days = numbers[0], numbers[1], 0, 0
    elif len(numbers) == 3:
        hours, minutes, seconds, days = numbers[0], numbers[1], numbers[2], 0
    else:
        days, hours, minutes, seconds = numbers
    if minutes >= 60 or seconds >= 60:
        raise ScheduleError(f"{where}: duration “{text}” has more than 59 minutes or seconds")
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def speaker_key(source_id: object, name: str) -> str:
    """Deduplicate people by the source's id, else by their name."""
    if source_id not in (None, ""):
        return f"id:{source_id}"
    return "name:" + " ".join(name.split()).casefold()


def fixed_offset_zone(offset: timedelta) -> str:
    """The IANA name of a fixed UTC offset of whole hours ("Etc/GMT-1" is UTC+01:00;
    the sign is inverted by POSIX convention), or "UTC"."""
    hours, remainder = divmod(int(offset.total_seconds()), 3600)
    if remainder:
        raise ScheduleError(f"the file's times are at UTC offset {offset}, which has no "
                            "IANA zone of its own; give the time zone")
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{-hours:+d}"


def require_zone(name: str, where: str) -> str:
    name = name.strip()
    if not is_zone(name):
        raise ScheduleError(f"{where}: “{name}” is not an IANA time zone, such as Europe/Brussels")
    return name


def check_times(starts_at: datetime, ends_at: datetime, where: str) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ScheduleError(f"{where}: time without a time zone")
    if ends_at <= starts_at:
        raise ScheduleError(f"{where}: ends ({ends_at.isoformat()}) before it starts "
                            f"({starts_at.isoformat()})")


def unique_guids(talks: list[ParsedTalk]) -> tuple[list[ParsedTalk], list[str]]:
    """Rename repeated guids ("x", "x" -> "x", "x#2") so that re-imports can match every session.

    :return: the talks and the repairs made, for ParsedSchedule.repairs
    """
    seen: dict[str, int] = {}
    renamed = 0
    result = []
    for talk in talks:
        count = seen.get(talk.guid, 0) + 1
        seen[talk.guid] = count
        if count > 1:
            renamed += 1
            talk = replace(talk, guid=f"{talk.guid}#{count}")
        result.append(talk)
    repairs = [f"{renamed} duplicate session ids: kept the first, renamed the rest"] if renamed else []
    return result, repairs
