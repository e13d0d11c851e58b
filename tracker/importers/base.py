"""What every importer returns, and the helpers they share.

An importer turns bytes into a ParsedSchedule: plain frozen dataclasses with aware
datetimes, no database and no Flask. `tracker.services.imports.save_schedule()` applies
one to the database. Anything an importer cannot read raises ScheduleError with a
message that names the problem and where it is; anything it repaired is said in
`ParsedSchedule.repairs`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import is_dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import cache
from functools import cached_property
from typing import ClassVar
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..models import TALK_KINDS
from ..timezones import NonexistentLocalTime
from ..timezones import is_zone
from ..timezones import local_to_utc
from .text import examples
from .text import plural


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
    "devroom": "talk", "maintrack": "talk",
    "keynote": "keynote", "plenary": "keynote",
    "lightning": "lightning", "lightning talk": "lightning", "lightning_talk": "lightning",
    "lightningtalk": "lightning", "lightning-talk": "lightning",
    "workshop": "workshop", "tutorial": "workshop", "hands-on": "workshop",
    "podium": "panel", "panel": "panel", "discussion": "panel", "panel discussion": "panel",
    "meeting": "bof", "bof": "bof", "birds of a feather": "bof",
    "social": "social", "party": "social", "concert": "social", "dinner": "social",
    "dj set": "social", "djset": "social",
    "film": "other", "performance": "other", "other": "other", "break": "other",
}
assert set(KIND_ALIASES.values()) <= set(TALK_KINDS)
#: a session type's trailing note, as in DebConf's "BoF (45 minutes)"
TYPE_NOTE = re.compile(r"\s*\(.*\)\s*$")
#: states (frab and pretalx state, iCalendar STATUS) of a session that will not take place
CANCELLED_STATES = frozenset({"canceled", "cancelled", "withdrawn", "deleted", "rejected"})


def known_kind(raw: str | None) -> str | None:
    """The kind a source's session type names, or None if it names none: the whole type
    without a trailing note ("BoF (45 minutes)"), else its first word, as pretalx's free
    text types have it ("Workshop 60 Min", "LightningTalk 15min")."""
    words = TYPE_NOTE.sub("", raw or "").lower().split()
    whole = KIND_ALIASES.get(" ".join(words))
    return whole or (KIND_ALIASES.get(words[0]) if words else None)


def normalise_kind(raw: str | None) -> str:
    """A source's session type as one of TALK_KINDS; see known_kind()."""
    return known_kind(raw) or "talk"


def normalise_status(raw: str | None) -> str:
    """A source's state as one of TALK_STATUSES: whether the session still takes place."""
    return "cancelled" if (raw or "").strip().lower() in CANCELLED_STATES else "confirmed"


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
    return "name:" + name_key(name)


def add_speakers(speakers: dict[str, ParsedSpeaker], people: Iterable[tuple[object, str]]
                 ) -> tuple[str, ...]:
    """Add a session's people, as (source id or None, name), to the schedule's `speakers`.

    :return: the session's speaker keys, in order, each once
    """
    keys = []
    for source_id, name in people:
        key = speaker_key(source_id, name)
        speakers.setdefault(key, ParsedSpeaker(key=key, name=name))
        keys.append(key)
    return tuple(dict.fromkeys(keys))


def id_or_title(source_id: str, title: str) -> str:
    """A session's guid where the source need not give an id (iCalendar, CSV): the id, else
    the title, case-folded, so that a re-import finds the session while its title stays."""
    return source_id or f"title:{title.casefold()}"


def name_key(name: str) -> str:
    """A person's name as compared: white space folded, case-folded."""
    return " ".join(name.split()).casefold()


def in_order_of_use(names: Iterable[str | None]) -> tuple[str, ...]:
    """Room or track names as sessions first use them, each once."""
    return tuple(dict.fromkeys(name for name in names if name))


def used_rooms(talks: list[ParsedTalk]) -> tuple[str, ...]:
    return in_order_of_use(talk.room for talk in talks)


def used_tracks(talks: list[ParsedTalk]) -> tuple[ParsedTrack, ...]:
    """The tracks sessions name, in order of first use, without colours: for formats that
    declare no tracks of their own."""
    return tuple(ParsedTrack(name) for name in in_order_of_use(talk.track for talk in talks))


def http_url(raw: str) -> str:
    """`raw` if it is an absolute http(s) URL with a host, else "": other schemes
    (javascript:, mailto:) and relative references are no links for a session page."""
    raw = raw.strip()
    try:
        parts = urlsplit(raw)
    except ValueError:  # such as an unclosed "[" of an IPv6 host
        return ""
    return raw if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


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


def choose_zone(given: str | None, named: str, field_name: str, times: Iterable[str]
                ) -> tuple[str, list[str]]:
    """The conference's zone in a frab schedule: the user's, else the one the file names
    (in `field_name`), else the fixed offset of the first of `times` that has one.

    :return: the zone's name and the repair made, if any
    """
    if given:
        return require_zone(given, "the time zone given"), []
    if named:
        return require_zone(named, field_name), []
    offset = first_offset(times)
    if offset is None:
        raise ScheduleError(
            f"the file gives no time zone (no {field_name}, and its times have no UTC offsets): "
            "give the time zone its times are in, such as Europe/Brussels")
    return zone_of_offset(offset)


def first_offset(times: Iterable[str]) -> timedelta | None:
    """The UTC offset of the first ISO 8601 date and time that has one; the others (dates,
    floating times, unreadable ones, which their session reports) are passed over."""
    for raw in times:
        try:
            offset = datetime.fromisoformat(raw.strip()).utcoffset()
        except ValueError:
            continue
        if offset is not None:
            return offset
    return None


def zone_of_offset(offset: timedelta) -> tuple[str, list[str]]:
    """The zone for a file that names none, from the UTC offset of its first time, and
    the repair that says so."""
    zone = fixed_offset_zone(offset)
    if zone == "UTC":
        return zone, ["no time zone name in the file and its times are in UTC: showing times "
                      "in UTC; give the conference's time zone to show local times"]
    return zone, [f"no time zone name in the file: showing times at the fixed offset "
                  f"UTC{format_offset(offset)} ({zone}); give the time zone to use local rules"]


def format_offset(offset: timedelta) -> str:
    """"+01:00", "-07:00", "+05:30"."""
    sign = "-" if offset < timedelta(0) else "+"
    hours, minutes = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def local_instant(wall_clock: datetime, zone: ZoneInfo, where: str) -> datetime:
    """A wall-clock time in `zone` as UTC (see local_to_utc); one the clocks skip is an
    error that names `where`."""
    try:
        return local_to_utc(wall_clock, zone)
    except NonexistentLocalTime as exc:
        raise ScheduleError(f"{where}: {exc}") from None


def check_times(starts_at: datetime, ends_at: datetime, where: str) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ScheduleError(f"{where}: time without a time zone")
    if ends_at <= starts_at:
        raise ScheduleError(f"{where}: ends ({ends_at.isoformat()}) before it starts "
                            f"({starts_at.isoformat()})")


#: how long a session is shown whose source gives it no length, where the schedule has no
#: time slot of its own
DEFAULT_LENGTH = timedelta(minutes=15)


class Lengths:
    """One policy for sessions whose source gives no length, or a zero one, in every format:
    they are kept, shown as long as the schedule's time slot (frab's timeslot_duration),
    else DEFAULT_LENGTH, and the repairs say so. A negative length is no gap but a broken
    file: check_times() refuses it.

    :param missing: how the format gives no length, for the repair: "<duration> empty or 00:00"
    :param timeslot: reads the schedule's time slot, only if some session needs it
    :param timeslot_name: where the format writes it: "<timeslot_duration>"
    """

    def __init__(self, missing: str, timeslot: Callable[[], timedelta | None] | None = None,
                 timeslot_name: str = "") -> None:
        self.missing = missing
        self.timeslot = timeslot
        self.timeslot_name = timeslot_name
        self.places: list[str] = []

    @cached_property
    def default(self) -> tuple[timedelta, str]:
        """How long a session with no length is shown, and why that long."""
        timeslot = self.timeslot() if self.timeslot else None
        if timeslot:
            return timeslot, f"the schedule's {self.timeslot_name}"
        return DEFAULT_LENGTH, "a default"

    def end(self, starts_at: datetime, ends_at: datetime | None, session: str) -> datetime:
        """`ends_at`, or the default length after the start where it is None or the start.

        :param session: names the session in the repair, e.g. "event 1234 (“Opening”)"
        """
        if ends_at is not None and ends_at != starts_at:
            return ends_at
        self.places.append(session)
        return starts_at + self.default[0]

    def repairs(self) -> list[str]:
        if not self.places:
            return []
        length, source = self.default
        minutes = int(length.total_seconds() // 60)
        return [f"{plural(len(self.places), 'session')} with no length ({self.missing}: "
                f"{examples(self.places)}): shown {minutes} minutes long, {source}"]


def unique_guids(talks: list[ParsedTalk]) -> tuple[list[ParsedTalk], list[str]]:
    """Rename repeated guids ("x", "x" -> "x", "x#2") so that re-imports can match every session.

    A new name is never one the file uses itself ("x", "x", "x#2" -> "x", "x#3", "x#2").

    :return: the talks and the repairs made, for ParsedSchedule.repairs
    """
    taken = {talk.guid for talk in talks}
    seen: set[str] = set()
    renamed = 0
    result = []
    for talk in talks:
        if talk.guid in seen:
            renamed += 1
            count = 2
            while f"{talk.guid}#{count}" in taken:
                count += 1
            talk = replace(talk, guid=f"{talk.guid}#{count}")
            taken.add(talk.guid)
        seen.add(talk.guid)
        result.append(talk)
    if not renamed:
        return result, []
    return result, [f"{plural(renamed, 'session')} had a guid used before: kept the first, "
                    "renamed the rest (#2, #3...)"]


#: characters that no text a schedule brings may hold: PostgreSQL refuses NUL in text, and
#: the other C0 controls (all but tab and line breaks) only garble pages and calendars
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: the longest language tag kept (the column's width; "en", "de-CH", "zh-Hant-TW")
LANGUAGE_MAX_LENGTH = 20


def tidy(schedule: ParsedSchedule) -> ParsedSchedule:
    """The schedule without control characters in any text, and without a "language"
    longer than a language tag can be, each repair said.

    Run on every importer's result, so that a value the database would refuse is repaired
    or named here rather than failing the save.
    """
    cleaned = _without_control_characters(schedule)
    repairs = []
    if cleaned is not schedule:
        repairs.append("control characters (such as NUL) removed from the text")
    long_languages = [talk for talk in cleaned.talks if len(talk.language) > LANGUAGE_MAX_LENGTH]
    if long_languages:
        places = [f"“{talk.title}”" for talk in long_languages]
        repairs.append(f"{plural(len(places), 'session')} with a language longer than "
                       f"{LANGUAGE_MAX_LENGTH} characters ({examples(places)}): left without one")
        cleaned = replace(cleaned, talks=tuple(
            replace(talk, language="") if len(talk.language) > LANGUAGE_MAX_LENGTH else talk
            for talk in cleaned.talks))
    if not repairs:
        return schedule
    return replace(cleaned, repairs=(*cleaned.repairs, *repairs))


def _without_control_characters(value):
    """`value` (a string, a tuple or a dataclass of them), the same object if it holds no
    control characters."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value) if CONTROL_CHARACTERS.search(value) else value
    if isinstance(value, tuple):
        items = tuple(_without_control_characters(item) for item in value)
        return value if all(new is old for new, old in zip(items, value)) else items
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _field_names(type(value)):
            old = getattr(value, name)
            if (new := _without_control_characters(old)) is not old:
                changes[name] = new
        return replace(value, **changes) if changes else value
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(kind))
