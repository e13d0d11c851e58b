"""The timetable: one conference day as a grid of rooms by time, or as a list by time.

The day, the view and the filters live in the query string, so that a timetable can be
bookmarked and shared: /c/36c3/timetable?day=2019-12-28&track=Security&view=list

The functions above the view are plain: they take a conference and return data, so
tests call them without a request.
"""

import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import partial
from itertools import groupby
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import load_only
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import TALK_KINDS
from ..models import Conference
from ..models import Room
from ..models import Speaker
from ..models import Talk
from ..models import TalkSpeaker
from ..models import Track
from ..schedule import schedule_day
from .lookups import get_conference
from .zones import shown_zone

bp = Blueprint("timetable", __name__)

FILTER_NAMES = ("track", "room", "speaker", "kind")
#: the grid's time resolution: one row per slot
SLOT = timedelta(minutes=5)
#: a time label (and a line across the grid) every this many slots: each half hour
LABEL_SLOTS = 6
#: a session longer than this is drawn cut off at its end (its text gives the real times)
LONGEST_DAY = timedelta(hours=24)
#: how far daylight-saving changes can move a day's bounds; talks found in the margin are
#: then sorted in or out by schedule_day()
DST_MARGIN = timedelta(hours=3)
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Filters:
    """What the visitor narrowed the timetable to; an empty string is no filter."""

    track: str = ""
    room: str = ""
    speaker: str = ""
    kind: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "Filters":
        return cls(**{name: args.get(name, "").strip()[:200] for name in FILTER_NAMES})

    @property
    def params(self) -> dict[str, str]:
        """The filters that are set, as query-string parameters for links that keep them."""
        return {name: value for name in FILTER_NAMES if (value := getattr(self, name))}

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """SQL conditions on Talk, all of which a session must meet."""
        conditions = []
        if self.track:
            conditions.append(Talk.track.has(Track.name == self.track))
        if self.room:
            conditions.append(Talk.room.has(Room.name == self.room))
        if self.kind:
            conditions.append(Talk.kind == self.kind)
        if self.speaker:
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", self.speaker) + "%"
            conditions.append(Talk.speaker_links.any(
                TalkSpeaker.speaker.has(Speaker.name.ilike(pattern, escape="\\"))))
        return conditions


@dataclass(frozen=True)
class Day:
    """A conference day, with how many sessions it has and how many of them match the filters."""

    date: date
    sessions: int
    matching: int


def conference_days(conference: Conference, filters: Filters) -> list[Day]:
    """Every day of the conference that has sessions, in one query grouped by start time."""
    conditions = filters.conditions()
    matching = sa.func.count(sa.case((sa.and_(*conditions), 1))) if conditions else sa.func.count()
    rows = db.session.execute(
        sa.select(Talk.starts_at, sa.func.count(), matching)
        .where(Talk.conference_id == conference.id)
        .group_by(Talk.starts_at))
    counts: dict[date, list[int]] = {}
    for starts_at, sessions, matches in rows:
        day = counts.setdefault(schedule_day(starts_at, conference.zone, conference.day_change), [0, 0])
        day[0] += sessions
        day[1] += matches
    return [Day(day, sessions, matches) for day, (sessions, matches) in sorted(counts.items())]


def choose_day(days: Sequence[Day], wanted: str | None) -> Day | None:
    """The day asked for, else the first with matching sessions, else the first.

    :raise 404: if `wanted` is not one of the days
    """
    if wanted:
        for day in days:
            if day.date.isoformat() == wanted:
                return day
        abort(404)
    return next((day for day in days if day.matching), days[0] if days else None)


#: what the grid and the list show of a session; the long texts stay in the database
SHOWN_COLUMNS = (Talk.id, Talk.conference_id, Talk.room_id, Talk.track_id, Talk.title, Talk.kind,
                 Talk.status, Talk.starts_at, Talk.ends_at)


def day_talks(conference: Conference, day: date, filters: Filters) -> list[Talk]:
    """The day's sessions that match the filters, in time order, with their room, track and
    speakers but not their long texts: two queries, however many sessions."""
    zone, day_change = conference.zone, conference.day_change
    begins = datetime.combine(day, day_change, tzinfo=zone)
    ends = datetime.combine(day + timedelta(days=1), day_change, tzinfo=zone)
    in_window = sa.and_(Talk.conference_id == conference.id,
                        Talk.starts_at >= begins - DST_MARGIN, Talk.starts_at < ends + DST_MARGIN,
                        *filters.conditions())
    talks = [talk for talk in db.session.scalars(
        sa.select(Talk).where(in_window)
        .options(load_only(*SHOWN_COLUMNS), joinedload(Talk.room), joinedload(Talk.track))
        .order_by(Talk.starts_at, Talk.ends_at, Talk.id))
        if schedule_day(talk.starts_at, zone, day_change) == day]
    attach_speakers(talks, sa.select(Talk.id).where(in_window))
    return talks


def attach_speakers(talks: Sequence[Talk], talk_ids: sa.Select) -> None:
    """Load the talks' speakers (names only) in one query by the talks' own condition;
    selectinload would send one query per 500 talks."""
    speakers: dict[int, list[Speaker]] = {talk.id: [] for talk in talks}
    rows = db.session.execute(
        sa.select(TalkSpeaker.talk_id, Speaker)
        .join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
        .where(TalkSpeaker.talk_id.in_(talk_ids))
        .options(load_only(Speaker.id, Speaker.name))
        .order_by(TalkSpeaker.talk_id, TalkSpeaker.position))
    for talk_id, speaker in rows:
        if talk_id in speakers:
            speakers[talk_id].append(speaker)
    for talk in talks:
        set_committed_value(talk, "speakers", speakers[talk.id])


@dataclass(frozen=True)
class Column:
    """A room's header: its name over the grid columns its sessions use."""

    name: str
    first: int
    lanes: int


@dataclass(frozen=True)
class Cell:
    """A session's place in the grid, as CSS grid lines (row 1 holds the room names,
    column 1 the times)."""

    talk: Talk
    row: int
    rows: int
    column: int
    columns: int

    @property
    def colour(self) -> str:
        """The track's colour if it is a well-formed #rrggbb, since it goes into a style."""
        track = self.talk.track
        return track.color if track is not None and COLOUR.match(track.color) else ""


@dataclass(frozen=True)
class Label:
    """A time down the side of the grid, and a line across it."""

    at: datetime
    row: int
    rows: int


@dataclass(frozen=True)
class Grid:
    columns: list[Column]
    cells: list[Cell]
    labels: list[Label]
    #: how many slot rows and session columns the grid has (besides the header and time column)
    rows: int
    width: int


def lanes(talks: Sequence[Talk]) -> list[tuple[Talk, int, int]]:
    """Side-by-side lanes for one room's sessions, so that overlapping ones do not cover
    each other: (talk, its lane, how many lanes the sessions it overlaps with use), in
    time order."""
    placed: list[tuple[Talk, int, int]] = []
    cluster: list[tuple[Talk, int]] = []  # sessions that overlap, directly or in a chain
    lane_ends: list[datetime] = []  # when each lane of the cluster is free again
    for talk in sorted(talks, key=lambda talk: (talk.starts_at, talk.ends_at, talk.id)):
        if cluster and talk.starts_at >= max(lane_ends):
            placed += [(each, lane, len(lane_ends)) for each, lane in cluster]
            cluster, lane_ends = [], []
        lane = next((i for i, end in enumerate(lane_ends) if end <= talk.starts_at), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(talk.ends_at)
        else:
            lane_ends[lane] = talk.ends_at
        cluster.append((talk, lane))
    placed += [(each, lane, len(lane_ends)) for each, lane in cluster]
    return placed


def grid_start(first: datetime, zone: ZoneInfo) -> datetime:
    """The full hour, on the wall clock of `zone`, at or before `first`."""
    local = first.astimezone(zone)
    return first - timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)


def build_grid(talks: Sequence[Talk], rooms: Sequence[Room], zone: ZoneInfo) -> Grid:
    """Lay a day's sessions out with rooms as columns (in the conference's room order, only
    rooms with sessions) and time as rows, one per SLOT, with time labels in `zone`.

    A session spans the rows of its length; sessions that overlap in one room get a lane
    each, and a session that overlaps nothing spans the whole room.
    """
    if not talks:
        return Grid([], [], [], 0, 0)
    start = grid_start(min(talk.starts_at for talk in talks), zone)
    end = max(min(max(talk.ends_at for talk in talks), start + LONGEST_DAY),
              max(talk.starts_at for talk in talks) + SLOT)
    rows = -(-(end - start) // SLOT)
    by_room: dict[int | None, list[Talk]] = {}
    for talk in talks:
        by_room.setdefault(talk.room_id, []).append(talk)
    room_order = [(room.id, room.name) for room in rooms if room.id in by_room]
    if None in by_room:
        room_order.append((None, "No room given"))

    columns, cells, next_column = [], [], 2
    for room_id, name in room_order:
        room_lanes = lanes(by_room[room_id])
        width = max(used for _, _, used in room_lanes)
        columns.append(Column(name, next_column, width))
        for talk, lane, used in room_lanes:
            row = 2 + (talk.starts_at - start) // SLOT
            last = 2 + min(-(-(talk.ends_at - start) // SLOT), rows)
            column, span = (next_column, width) if used == 1 else (next_column + lane, 1)
            cells.append(Cell(talk, row, max(1, last - row), column, span))
        next_column += width
    cells.sort(key=lambda cell: (cell.talk.starts_at, cell.column))
    labels = [Label(start + slot * SLOT, 2 + slot, min(LABEL_SLOTS, rows - slot))
              for slot in range(0, rows, LABEL_SLOTS)]
    return Grid(columns, cells, labels, rows, next_column - 2)


def by_start(talks: Sequence[Talk]) -> list[tuple[datetime, list[Talk]]]:
    """Talks grouped by their start, for the list view."""
    return [(start, list(group)) for start, group in groupby(talks, key=lambda talk: talk.starts_at)]


def timetable_link(conference: Conference, state: dict[str, str], **changes: str) -> str:
    """The timetable's address with the current day, view and filters, some of them changed
    (an empty value drops a parameter)."""
    params = {name: value for name, value in {**state, **changes}.items() if value}
    return url_for("timetable.show", slug=conference.slug, **params)


@bp.get("/c/<slug>/timetable")
def show(slug: str):
    """A day of the conference as a grid (rooms across, time down) or, with ?view=list, a list."""
    conference = get_conference(slug)
    filters = Filters.from_args(request.args)
    view = "list" if request.args.get("view") == "list" else "grid"
    days = conference_days(conference, filters)
    day = choose_day(days, request.args.get("day"))
    talks = day_talks(conference, day.date, filters) if day is not None else []
    zone = shown_zone(conference)
    state = {"day": day.date.isoformat() if day else "", "view": "list" if view == "list" else "",
             **filters.params}
    return render_template(
        "timetable/show.html", conference=conference, days=days, day=day, view=view,
        filters=filters, kinds=TALK_KINDS, talks=talks, zone=zone,
        grid=build_grid(talks, conference.rooms, zone) if view == "grid" else None,
        starts=by_start(talks) if view == "list" else None,
        link=partial(timetable_link, conference, state))
