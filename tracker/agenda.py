"""Planning a personal agenda: clashes and the alternatives in their slot, free time, what
is on now and next, and how one user's day reads.

Plain functions over plain objects: anything with a Talk's `id`, `starts_at`, `ends_at`,
`status` and `video_url` will do (and, for agenda entries, a `talk` and a `status`), so
tests need neither a request nor a database.

Every comparison is made on UTC instants: two aware datetimes that share a tzinfo are
compared on their wall clocks, fold ignored, which gets the hour repeated when daylight
saving time ends wrong.
"""

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from itertools import groupby
from typing import Any
from typing import ClassVar
from zoneinfo import ZoneInfo

from .schedule import schedule_day

#: a shorter pause between two sessions is the walk from one room to the next, not free time
SHORTEST_GAP = timedelta(minutes=15)


def utc(moment: datetime) -> datetime:
    """The instant in UTC; naive datetimes are refused, as everywhere in tracker."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: planning needs aware times")
    return moment.astimezone(UTC)


def takes_place(talk: Any) -> bool:
    """False for a cancelled session: it neither clashes nor is on."""
    return talk.status != "cancelled"


def in_time_order(talks: Iterable[Any]) -> list[Any]:
    return sorted(talks, key=lambda talk: (utc(talk.starts_at), utc(talk.ends_at), talk.id))


def overlaps(talk: Any, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether the session runs during part of [starts_at, ends_at); sessions that merely
    touch (one ends as the other starts) do not overlap."""
    return utc(talk.starts_at) < utc(ends_at) and utc(starts_at) < utc(talk.ends_at)


@dataclass(frozen=True)
class Option:
    """A session one could go to in a clash's slot, and whether it is recorded, so that
    one can go to the other and watch this one later."""

    talk: Any

    @property
    def has_recording(self) -> bool:
        return bool(self.talk.video_url)


@dataclass(frozen=True)
class Clash:
    """Going sessions that overlap one another (directly or through each other), the slot
    they fill together, and what else the conference has on in that slot."""

    kind: ClassVar[str] = "clash"
    starts_at: datetime
    ends_at: datetime
    #: the going sessions, in time order
    sessions: tuple[Option, ...]
    #: the conference's other sessions overlapping the slot, cancelled ones left out
    alternatives: tuple[Option, ...]


@dataclass(frozen=True)
class Gap:
    """Free time between two going sessions of one conference day."""

    kind: ClassVar[str] = "gap"
    day: date
    starts_at: datetime
    ends_at: datetime

    @property
    def duration(self) -> timedelta:
        return utc(self.ends_at) - utc(self.starts_at)


@dataclass(frozen=True)
class NowNext:
    #: sessions running at the moment, in time order
    now: list[Any]
    #: the sessions that start next (all of those starting at that one moment)
    next: list[Any]


@dataclass(frozen=True)
class Planned:
    """A session of the user's agenda, as the agenda page shows it."""

    kind: ClassVar[str] = "session"
    entry: Any
    #: the other going sessions it overlaps, for "Clashes with ..."
    clashes_with: tuple[Any, ...] = ()
    #: sessions overlapping it that could stand in for it if it is cancelled or moved
    backup_candidates: tuple[Any, ...] = ()

    @property
    def talk(self) -> Any:
        return self.entry.talk


@dataclass(frozen=True)
class AgendaDay:
    day: date
    #: Planned, Gap and Clash items in time order; a clash follows its last session
    items: list[Any] = field(default_factory=list)


def clashing_with(going: Iterable[Any]) -> dict[int, list[Any]]:
    """For each going session that clashes, the other going sessions it overlaps, in time
    order. Cancelled sessions clash with nothing."""
    live = in_time_order(talk for talk in going if takes_place(talk))
    found: dict[int, list[Any]] = {}
    for position, talk in enumerate(live):
        for later in live[position + 1:]:
            if utc(later.starts_at) >= utc(talk.ends_at):
                break  # later ones start later still
            found.setdefault(talk.id, []).append(later)
            found.setdefault(later.id, []).append(talk)
    return found


def _overlapping_groups(talks: Sequence[Any]) -> Iterator[list[Any]]:
    """Sessions in time order, cut into runs in which each overlaps an earlier one."""
    group: list[Any] = []
    busy_until = None
    for talk in talks:
        if group and utc(talk.starts_at) >= busy_until:
            yield group
            group = []
        busy_until = utc(talk.ends_at) if not group else max(busy_until, utc(talk.ends_at))
        group.append(talk)
    if group:
        yield group


def clashes(going: Iterable[Any], programme: Iterable[Any]) -> list[Clash]:
    """The clashes among the going sessions, each with the alternatives in its slot.

    :param programme: the conference's sessions, or at least all those overlapping a going one
    """
    live = in_time_order(talk for talk in going if takes_place(talk))
    others = in_time_order(talk for talk in programme if takes_place(talk))
    found = []
    for group in _overlapping_groups(live):
        if len(group) < 2:
            continue
        starts_at, ends_at = utc(group[0].starts_at), max(utc(talk.ends_at) for talk in group)
        ids = {talk.id for talk in group}
        alternatives = [talk for talk in others if talk.id not in ids and overlaps(talk, starts_at, ends_at)]
        found.append(Clash(starts_at, ends_at, tuple(map(Option, group)), tuple(map(Option, alternatives))))
    return found


def backup_candidates(talk: Any, programme: Iterable[Any]) -> list[Any]:
    """The sessions that could stand in for `talk`: the others overlapping it, not cancelled."""
    return in_time_order(other for other in programme if other.id != talk.id and takes_place(other)
                         and overlaps(other, talk.starts_at, talk.ends_at))


def gaps(going: Iterable[Any], zone: ZoneInfo, day_change: time = time(0),
         shortest: timedelta = SHORTEST_GAP) -> list[Gap]:
    """Free time between going sessions, within each conference day (days run from
    `day_change` in `zone`); none before the first session of a day or after its last."""
    live = in_time_order(talk for talk in going if takes_place(talk))
    found = []
    for day, talks in groupby(live, key=lambda talk: schedule_day(talk.starts_at, zone, day_change)):
        busy_until = None
        for talk in talks:
            starts_at = utc(talk.starts_at)
            if busy_until is not None and starts_at - busy_until >= shortest and starts_at > busy_until:
                found.append(Gap(day, busy_until, starts_at))
            busy_until = utc(talk.ends_at) if busy_until is None else max(busy_until, utc(talk.ends_at))
    return found


def now_and_next(talks: Iterable[Any], now: datetime) -> NowNext:
    """What is on at `now` (an aware datetime) and what starts next; cancelled sessions are
    neither."""
    moment = utc(now)
    live = in_time_order(talk for talk in talks if takes_place(talk))
    on = [talk for talk in live if utc(talk.starts_at) <= moment < utc(talk.ends_at)]
    upcoming = [talk for talk in live if utc(talk.starts_at) > moment]
    first = utc(upcoming[0].starts_at) if upcoming else None
    return NowNext(now=on, next=[talk for talk in upcoming if utc(talk.starts_at) == first])


def agenda_days(entries: Iterable[Any], programme: Iterable[Any], zone: ZoneInfo,
                day_change: time = time(0), shortest_gap: timedelta = SHORTEST_GAP) -> list[AgendaDay]:
    """A user's agenda day by day: their sessions, the free time between going ones and,
    after the last session of each clash, the clash with its alternatives.

    :param entries: agenda entries (anything with `talk` and `status`), going and maybe
    :param programme: the conference's sessions overlapping the going ones (or all of them)
    """
    entries = list(entries)
    programme = list(programme)
    going = [entry.talk for entry in entries if entry.status == "going"]
    overlapping = clashing_with(going)
    items: list[tuple[tuple, Any]] = []
    for entry in entries:
        talk = entry.talk
        candidates = backup_candidates(talk, programme) if entry.status == "going" else []
        planned = Planned(entry, tuple(overlapping.get(talk.id, ())), tuple(candidates))
        items.append(((utc(talk.starts_at), 0, utc(talk.ends_at), talk.id), planned))
    for gap in gaps(going, zone, day_change, shortest_gap):
        items.append(((gap.starts_at, 1, gap.ends_at, 0), gap))
    for clash in clashes(going, programme):
        last_start = max(utc(option.talk.starts_at) for option in clash.sessions)
        items.append(((last_start, 2, clash.ends_at, 0), clash))
    items.sort(key=lambda item: item[0])
    days: dict[date, AgendaDay] = {}
    for (moment, *_), item in items:
        day = item.day if isinstance(item, Gap) else schedule_day(moment, zone, day_change)
        days.setdefault(day, AgendaDay(day)).items.append(item)
    return sorted(days.values(), key=lambda agenda_day: agenda_day.day)
