"""Drafting a trip report in Markdown from one user's sessions, notes and write-up links.

Plain functions over plain objects: services.writeups.trip_report loads one user's data
and calls draft(); tests call it directly. The draft is the user's to edit, so it is
plain, predictable Markdown: a heading per day, one per session, then the facts, the
rating, the notes as written and the write-ups as a list of links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import time
from itertools import groupby
from typing import Any

from .markdown import shift_headings
from .schedule import schedule_day

#: a session is an h3: a note's own headings go below it
NOTE_HEADING_SHIFT = 3
#: what counts as planned when nothing is marked attended
PLANNED_STATUSES = ("going", "maybe")
#: characters that would otherwise start emphasis, code, links or HTML
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
#: characters a link target may not hold bare
URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


@dataclass(frozen=True)
class ReportedSession:
    """A session in the report.

    :param talk: with title, starts_at, ends_at (aware), room (with name, or None),
        speakers (with name) and is_cancelled
    :param notes: the user's own notes on it, with body, rating, created_at, updated_at
    :param writeups: with url, title, kind_label, author and imported
    """

    talk: Any
    notes: Sequence[Any]
    writeups: Sequence[Any]


@dataclass(frozen=True)
class TripReport:
    markdown: str
    #: "attended", "planned", or None when the user has neither
    source: str | None
    session_count: int


def choose_sessions(entries: Iterable[Any]) -> tuple[list[Any], str | None]:
    """The agenda entries a report is drafted from: the attended ones, or if there are
    none the planned ones (going or maybe); and which of the two it is."""
    entries = list(entries)
    attended = [entry for entry in entries if entry.status == "attended"]
    if attended:
        return attended, "attended"
    planned = [entry for entry in entries if entry.status in PLANNED_STATUSES]
    return planned, "planned" if planned else None


def latest_rating(notes: Iterable[Any]) -> int | None:
    """The rating of the most recently changed note that has one."""
    rated = [note for note in notes if note.rating is not None]
    if not rated:
        return None
    return max(rated, key=lambda note: (note.updated_at, note.created_at)).rating


def escape(text: str) -> str:
    """Text that Markdown shows as it is."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def link(title: str, url: str) -> str:
    target = "".join(URL_UNSAFE.get(char, char) for char in url)
    return f"[{escape(title)}]({target})"


def date_range(start: date, end: date) -> str:
    """17 August 2011; 17–19 August 2011; 30 August – 2 September 2011."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def draft(conference: Any, sessions: Iterable[ReportedSession]) -> str:
    """The Markdown draft.

    :param conference: with name, start_date, end_date, venue, zone (ZoneInfo) and
        day_change (local time a schedule day ends)
    """
    lines = [f"# Trip report: {escape(conference.name)}", "",
             ", ".join(filter(None, [date_range(conference.start_date, conference.end_date),
                                     escape(conference.venue)])), ""]
    day_change = conference.day_change or time(0)
    ordered = sorted(sessions, key=lambda session: (session.talk.starts_at, session.talk.ends_at, session.talk.title))
    if not ordered:
        lines += ["No sessions marked attended, going or maybe yet.", ""]
    by_day = groupby(ordered, key=lambda session: schedule_day(session.talk.starts_at, conference.zone, day_change))
    for day, day_sessions in by_day:
        lines += [f"## {day:%A} {day.day} {day:%B %Y}", ""]
        for session in day_sessions:
            lines += _session_lines(session, conference)
    return "\n".join(lines).rstrip("\n") + "\n"


def _session_lines(session: ReportedSession, conference: Any) -> list[str]:
    talk = session.talk
    lines = [f"### {escape(talk.title)}", "", " · ".join(_facts(talk, conference)), ""]
    if (rating := latest_rating(session.notes)) is not None:
        lines += [f"Rating: {rating}/5", ""]
    for note in sorted(session.notes, key=lambda note: note.created_at):
        if note.body.strip():
            lines += [shift_headings(note.body.strip(), NOTE_HEADING_SHIFT), ""]
    if session.writeups:
        lines += ["Write-ups:", ""]
        lines += [f"- {link(item.title, item.url)} ({_about(item)})" for item in session.writeups]
        lines += [""]
    return lines


def _facts(talk: Any, conference: Any) -> list[str]:
    """Who, when (on the conference's clock) and where."""
    start = talk.starts_at.astimezone(conference.zone)
    end = talk.ends_at.astimezone(conference.zone)
    when = f"{start:%H:%M}–{end:%H:%M}{' (next day)' if end.date() != start.date() else ''} {start:%Z}"
    facts = [escape(", ".join(speaker.name for speaker in talk.speakers)), when,
             escape(talk.room.name) if talk.room else "", "cancelled" if talk.is_cancelled else ""]
    return [fact for fact in facts if fact]


def _about(item: Any) -> str:
    if item.imported:
        return "from the schedule"
    return f"{item.kind_label} by {escape(item.author)}" if item.author else item.kind_label
