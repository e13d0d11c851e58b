"""CSV schedules: one session a row, under a header row.

The file is UTF-8 (a byte order mark is allowed). Cells are separated by commas,
semicolons or tabs, found from the header row; quote a cell that holds the separator
or a line break with double quotes (write a quote inside one as ""). The header names
the columns, in any order and any letter case:

========== ======== ==========================================================
column     needed   what it holds
========== ======== ==========================================================
title      yes      the session's title
start      yes      when it starts: "2011-08-17 10:00" (also "2011-08-17T10:00",
                    with or without seconds)
end        yes [1]_ when it ends, written like start
duration   [1]_     how long it lasts, if there is no end: "1:30" (hours and
                    minutes), "01:30:00", or whole minutes such as "90"
id         no       a stable id for the session; re-imports match sessions by it
                    (without one, by their title)
room       no       where it takes place
track      no       the track it belongs to
speakers   no       names, separated by ";"
abstract   no       plain text
url        no       the session's web page (http or https)
kind       no       talk, keynote, lightning, workshop, panel, bof, social or
                    other (also: lecture, tutorial, meeting, …)
language   no       a language code, such as "en"
day        no       the schedule day it belongs to, "2011-08-17", for sessions
                    after midnight that belong to the day before
========== ======== ==========================================================

.. [1] the header needs an end or a duration column. A row with neither, or with a length
   of zero, is shown 15 minutes long, and the repairs say so.

Times are the conference's wall-clock times, read in the time zone given with the
import (such as America/Vancouver). A time with a UTC offset ("2011-08-17 10:00-07:00"
or "…Z") is an exact instant; if every time has one, no time zone need be given.
Other columns are ignored. The schedule's title is "Imported schedule"; CSV has none.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from .base import Lengths
from .base import ParsedSchedule
from .base import ParsedSpeaker
from .base import ParsedTalk
from .base import ScheduleError
from .base import add_speakers
from .base import check_times
from .base import http_url
from .base import id_or_title
from .base import known_kind
from .base import local_instant
from .base import normalise_kind
from .base import parse_duration
from .base import require_zone
from .base import unique_guids
from .base import used_rooms
from .base import used_tracks
from .base import zone_of_offset
from .text import counted
from .text import plural

COLUMNS = ("title", "start", "end", "duration", "id", "room", "track", "speakers",
           "abstract", "url", "kind", "language", "day")
BOM = b"\xef\xbb\xbf"
DELIMITERS = ",;\t"
DEFAULT_TITLE = "Imported schedule"
TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2})?",
                  re.IGNORECASE)
EXAMPLE_TIME = "2011-08-17 10:00"


class CsvImporter:
    name = "csv"
    label = "CSV with a header row"

    def sniff(self, head: bytes) -> bool:
        first_line = head.decode("utf-8-sig", errors="replace").split("\n", 1)[0]
        names = {name.strip().lower() for name in _split_line(first_line)}
        return {"title", "start"} <= names

    def parse(self, data: bytes, *, timezone: str | None = None) -> ParsedSchedule:
        text = _decode(data)
        if not text.strip():
            raise ScheduleError("the file is empty: a CSV schedule needs a header row with "
                                "title, start and end columns")
        rows = _rows(text)
        _, header = next(rows)
        if not any(cell.strip() for cell in header):
            raise ScheduleError("line 1: no header row; a CSV schedule starts with a header "
                                "row with title, start and end columns")
        reader = _RowReader(header, timezone)
        talks = [reader.read(row, line) for line, row in rows if any(cell.strip() for cell in row)]
        if not talks:
            raise ScheduleError("the file has a header row but no sessions")
        talks, renamed = unique_guids(talks)
        zone, zone_repairs = reader.conference_zone()
        return ParsedSchedule(
            title=DEFAULT_TITLE,
            timezone=zone,
            talks=tuple(talks),
            speakers=tuple(reader.speakers.values()),
            rooms=used_rooms(talks),
            tracks=used_tracks(talks),
            repairs=tuple(reader.summary() + renamed + zone_repairs),
        )


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each row (the header first) with the line number it starts on.

    :raise ScheduleError: for broken quoting, such as a quote that is never closed
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True,
                        **_dialect(text.split("\n", 1)[0]))
    previous_line = 0
    try:
        for row in reader:
            yield previous_line + 1, row
            previous_line = reader.line_num
    except csv.Error as exc:
        raise ScheduleError(f"line {reader.line_num}: not readable as CSV ({exc}); quote "
                            "cells with double quotes and write a quote inside one as \"\"") from None


def _decode(data: bytes) -> str:
    data = data.removeprefix(BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = _column_of_bad_byte(data)
        raise ScheduleError(f"line {line}{column}: not valid UTF-8 text (byte "
                            f"0x{data[exc.start]:02x}); save the file as UTF-8") from None


def _column_of_bad_byte(data: bytes) -> str:
    """", column “name”" for the cell holding the first byte that is not UTF-8, if the
    header can be read."""
    try:
        rows = [row for _, row in _rows(data.decode("utf-8", errors="replace"))]
    except ScheduleError:
        return ""
    header = [name.strip().lower() for name in rows[0]] if rows else []
    for row in rows:
        for index, cell in enumerate(row):
            if "\ufffd" in cell:
                return f", column “{header[index]}”" if index < len(header) else ""
    return ""


def _dialect(header_line: str) -> dict:
    """The separator, from csv.Sniffer on the header row.

    Only the separator is taken: from one line the sniffer cannot tell how quotes are
    escaped, so the rest stays the standard ("excel") dialect.
    """
    try:
        sniffed = csv.Sniffer().sniff(header_line, delimiters=DELIMITERS)
    except csv.Error:
        return {"delimiter": max(DELIMITERS, key=header_line.count)}
    return {"delimiter": sniffed.delimiter, "skipinitialspace": sniffed.skipinitialspace}


def _split_line(line: str) -> list[str]:
    return next(csv.reader([line], **_dialect(line)), [])


def _columns(header: list[str]) -> dict[str, int]:
    """Each known column's index in a row."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = cell.strip().lower()
        if name in columns:
            raise ScheduleError(f"line 1, column {index + 1}: “{name}” appears twice in the header")
        if name:
            columns[name] = index
    for required in ("title", "start"):
        if required not in columns:
            raise ScheduleError(f"line 1: no “{required}” column; the header row needs title, "
                                "start and end (or duration) columns")
    if "end" not in columns and "duration" not in columns:
        raise ScheduleError("line 1: no “end” column (nor “duration”); the header row needs "
                            "title, start and end (or duration) columns")
    return columns


@dataclass
class _RowReader:
    """Turns rows into talks, remembering the speakers, zone and repairs on the way."""

    header: list[str]
    #: the user's zone name, if given
    timezone: str | None
    speakers: dict[str, ParsedSpeaker] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    lengths: Lengths = field(default_factory=lambda: Lengths("no end or duration, or a zero one"))
    first_offset: timedelta | None = None

    def __post_init__(self) -> None:
        self.columns = _columns(self.header)
        self.zone = None
        if self.timezone:
            self.zone = ZoneInfo(require_zone(self.timezone, "the time zone given"))
        self.unknown = [name for name in self.columns if name not in COLUMNS]

    def read(self, row: list[str], line: int) -> ParsedTalk:
        if any(cell.strip() for cell in row[len(self.header):]):
            raise ScheduleError(f"line {line}: {len(row)} cells, but the header row has "
                                f"{len(self.header)} columns")
        cells = {name: row[index].strip() if index < len(row) else ""
                 for name, index in self.columns.items()}
        title = cells["title"]
        if not title:
            raise ScheduleError(f"line {line}, column “title”: empty title")
        starts_at = self.instant(cells["start"], line, "start")
        ends_at = self.lengths.end(starts_at, self.end(cells, starts_at, line), f"line {line}")
        check_times(starts_at, ends_at, f"line {line}, column “end”")
        session_id = cells.get("id", "")
        if not session_id:
            self.counts["no id"] += 1
        raw_kind = cells.get("kind", "")
        if raw_kind and known_kind(raw_kind) is None:
            self.counts["unknown kind"] += 1
        url = http_url(cells.get("url", ""))
        if cells.get("url") and not url:
            self.counts["bad url"] += 1
        return ParsedTalk(
            guid=id_or_title(session_id, title),
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            external_id=session_id or None,
            day=_day(cells.get("day", ""), line),
            room=cells.get("room") or None,
            track=cells.get("track") or None,
            abstract=cells.get("abstract", ""),
            kind=normalise_kind(raw_kind),
            language=cells.get("language", ""),
            url=url,
            speakers=self.people(cells.get("speakers", "")),
        )

    def end(self, cells: dict[str, str], starts_at: datetime, line: int) -> datetime | None:
        """The end cell, else the start and the duration cell, else None: no length."""
        if cells.get("end"):
            return self.instant(cells["end"], line, "end")
        if cells.get("duration"):
            return starts_at + _duration(cells["duration"], f"line {line}, column “duration”")
        return None

    def instant(self, text: str, line: int, column: str) -> datetime:
        """A cell's time as an aware datetime: exact if it has an offset, else read in
        the zone given."""
        where = f"line {line}, column “{column}”"
        if not text:
            raise ScheduleError(f"{where}: no time")
        match = TIME.fullmatch(text)
        try:
            if not match:
                raise ValueError(text)
            moment = datetime.fromisoformat(f"{match[1]}T{match[2]}{(match[3] or '').upper()}")
        except ValueError:
            raise ScheduleError(f"{where}: “{text}” is not a date and time such as "
                                f"“{EXAMPLE_TIME}”") from None
        if moment.tzinfo is not None:
            if self.first_offset is None:
                self.first_offset = moment.utcoffset()
            return moment.astimezone(UTC)
        if self.zone is None:
            raise ScheduleError(f"{where}: “{text}” has no UTC offset, so the time zone "
                                "must be given (such as America/Vancouver)")
        return local_instant(moment, self.zone, where)

    def people(self, names: str) -> tuple[str, ...]:
        return add_speakers(self.speakers, [(None, name.strip()) for name in names.split(";")
                                            if name.strip()])

    def conference_zone(self) -> tuple[str, list[str]]:
        """The zone given, else the fixed offset of the first time (all have one)."""
        if self.zone is not None:
            return self.zone.key, []
        return zone_of_offset(self.first_offset)

    def summary(self) -> list[str]:
        """The repairs made, one sentence each."""
        repairs = self.lengths.repairs() + counted(self.counts, {
            "no id": ("session", " without an id: identified by their title"),
            "unknown kind": ("session", " of an unknown kind: taken as talks"),
            "bad url": ("session URL that is not", "session URLs that are not",
                        " http(s): dropped"),
        })
        if self.unknown:
            repairs.append(f"{plural(len(self.unknown), 'unknown column')} ignored: "
                           + ", ".join(f"“{name}”" for name in self.unknown))
        return repairs


def _duration(text: str, where: str) -> timedelta:
    """frab's "1:30" (see parse_duration), or whole minutes ("90"), as spreadsheets are
    written; a frab file's bare number is no duration, so parse_duration refuses it."""
    if text.isdigit():
        return timedelta(minutes=int(text))
    return parse_duration(text, where)


def _day(text: str, line: int) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ScheduleError(f"line {line}, column “day”: “{text}” is not a date such as "
                            "“2011-08-17”") from None
