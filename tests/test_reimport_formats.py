"""Re-importing an organiser's next version of a real schedule, in every import format.

For each format a real sample (for CSV, one built from a real schedule's sessions) is
imported, a user plans, annotates and writes up some of its sessions, and then an edited
copy of the file is imported: one session retitled, one moved to another time (same
length), one moved to another room, one removed and one added. The report must name
exactly those, users' data must survive, the removed session must stay (cancelled), the
same copy again must change nothing, and the original again must bring the removed
session back.

The edits are made on the file itself (its text, or for JSON and CSV its parsed rows
written out again), the way an organiser's tool would write the next version.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tracker.changes import flagged_talk_ids
from tracker.extensions import db
from tracker.models import AgendaEntry
from tracker.models import Conference
from tracker.models import Note
from tracker.models import Talk
from tracker.models import TalkChange
from tracker.models import WriteUp
from tracker.models import writeup_talk
from tracker.services.accounts import create_user
from tracker.services.imports import import_schedule

SAMPLES = Path(__file__).parent / "samples"
SLUG = "next-version"
SHIFT = timedelta(minutes=30)
NEW_TITLE = "Brand-new session added late"
NEW_ID = "987654"
NEW_GUID = "00000000-0000-4000-8000-00000098765a"
RETITLED = "A title the organiser changed"


# -- editing helpers ----------------------------------------------------------------------------

def sub_once(pattern: str, replacement: str, text: str, flags: int = 0) -> str:
    """`text` with the one match of `pattern` replaced (literally); the edit must hit exactly
    once, so that a test never runs on a file its edit silently missed."""
    new, count = re.subn(pattern, lambda _match: replacement, text, flags=flags)
    assert count == 1, f"{pattern!r} matched {count} times"
    return new


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the block to edit appears {text.count(old)} times"
    return text.replace(old, new)


class TextFormat:
    """A format edited as text, one block (event) at a time, found by the session's guid."""

    name: str
    path: Path
    timezone: str | None = None
    #: one session's block
    BLOCK: re.Pattern

    def original(self) -> bytes:
        return self.path.read_bytes()

    def identifies(self, block: str, guid: str) -> bool:
        raise NotImplementedError

    def block(self, text: str, guid: str) -> str:
        found = [match.group(0) for match in self.BLOCK.finditer(text) if self.identifies(match.group(0), guid)]
        assert len(found) == 1, f"{len(found)} blocks for {guid}"
        return found[0]

    def _edit(self, data: bytes, guid: str, change) -> bytes:
        text = data.decode("utf-8")
        block = self.block(text, guid)
        return replace_once(text, block, change(block)).encode("utf-8")

    def retitle(self, data: bytes, guid: str, title: str) -> bytes:
        return self._edit(data, guid, lambda block: self.retitled(block, title))

    def shift(self, data: bytes, guid: str, delta: timedelta) -> bytes:
        return self._edit(data, guid, lambda block: self.shifted(block, delta))

    def move_room(self, data: bytes, guid: str, beside: str, room: str) -> bytes:
        """Put the session in `room`, the room of the session `beside`."""
        return self._edit(data, guid, lambda block: self.in_room(block, room))

    def remove(self, data: bytes, guid: str) -> bytes:
        return self._edit(data, guid, lambda block: "")

    def add_copy(self, data: bytes, guid: str, new_guid: str, new_id: str, title: str) -> bytes:
        """A new session: a copy of `guid`'s with a new identity and title, right after it."""
        return self._edit(data, guid, lambda block: block + self.retitled(
            self.renamed(block, new_guid, new_id), title))

    # what each format defines
    def retitled(self, block: str, title: str) -> str:
        raise NotImplementedError

    def shifted(self, block: str, delta: timedelta) -> str:
        raise NotImplementedError

    def in_room(self, block: str, room: str) -> str:
        raise NotImplementedError

    def renamed(self, block: str, guid: str, external_id: str) -> str:
        raise NotImplementedError


class FrabXml(TextFormat):
    """DebConf23 (wafer): guids, a UTC <date> with a local <start> in Asia/Kolkata, events
    filed under <day><room name=…>."""

    name = "frab-xml"
    path = SAMPLES / "frab-xml" / "debconf23-schedule.xml"
    BLOCK = re.compile(r"<event id=\"[^\"]*\" guid=\"[^\"]*\">.*?</event>", re.S)

    def identifies(self, block, guid):
        return f'guid="{guid}"' in block.split(">", 1)[0]

    def retitled(self, block, title):
        return sub_once(r"<title>[^<]*</title>", f"<title>{escape(title)}</title>", block)

    def shifted(self, block, delta):
        date = re.search(r"<date>([^<]+)</date>", block).group(1)
        start = re.search(r"<start>(\d\d):(\d\d)</start>", block)
        clock = datetime(2000, 1, 1, int(start.group(1)), int(start.group(2))) + delta
        block = sub_once(r"<date>[^<]+</date>",
                         f"<date>{(datetime.fromisoformat(date) + delta).isoformat()}</date>", block)
        return sub_once(r"<start>[^<]+</start>", f"<start>{clock:%H:%M}</start>", block)

    def in_room(self, block, room):
        return sub_once(r"<room>[^<]*</room>", f"<room>{escape(room)}</room>", block)

    def move_room(self, data, guid, beside, room):
        """The room is the <room name=…> the event is filed under: move its block there,
        after the event `beside` (and fix its own <room> element too, as wafer writes one)."""
        text = data.decode("utf-8")
        block = self.block(text, guid)
        text = replace_once(text, block, "")
        neighbour = self.block(text, beside)
        return replace_once(text, neighbour, neighbour + "\n" + self.in_room(block, room)).encode()

    def renamed(self, block, guid, external_id):
        return sub_once(r"<event id=\"[^\"]*\" guid=\"[^\"]*\">", f'<event id="{external_id}" guid="{guid}">',
                        block)


class ICal(TextFormat):
    """linux.conf.au 2020: CRLF, TZID=Australia/Brisbane without a VTIMEZONE, folded lines,
    HTML in descriptions, speakers in a "Speaker:" line."""

    name = "ical"
    path = SAMPLES / "ical" / "linux-conf-au-2020.ics"
    BLOCK = re.compile(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.S)
    #: a whole (possibly folded) content line of a property
    LINE = r"^{name}[;:].*?\r\n(?![ \t])"

    def identifies(self, block, guid):
        return f"\r\nUID:{guid}\r\n" in block

    @staticmethod
    def text_value(value: str) -> str:
        return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")

    def retitled(self, block, title):
        return sub_once(self.LINE.format(name="SUMMARY"), f"SUMMARY:{self.text_value(title)}\r\n", block,
                        re.M | re.S)

    def shifted(self, block, delta):
        def later(match):
            moment = datetime.strptime(match.group(3), "%Y%m%dT%H%M%S") + delta
            return f"{match.group(1)}{match.group(2)}:{moment:%Y%m%dT%H%M%S}"
        block, count = re.subn(r"^(DTSTART|DTEND)((?:;[^:\r\n]*)?):(\d{8}T\d{6})", later, block, flags=re.M)
        assert count == 2, "the session gives DTSTART and DTEND"
        return block

    def in_room(self, block, room):
        return sub_once(self.LINE.format(name="LOCATION"), f"LOCATION:{self.text_value(room)}\r\n", block,
                        re.M | re.S)

    def renamed(self, block, guid, external_id):
        return sub_once(r"^UID:[^\r]*\r\n", f"UID:{guid}\r\n", block, re.M)


class XCal(TextFormat):
    """33C3 as frab writes xCal: floating times (the zone is given), pentabarf: elements."""

    name = "xcal"
    path = SAMPLES / "ical" / "ccc-33c3-schedule.xcal"
    timezone = "Europe/Berlin"
    BLOCK = re.compile(r"<vevent>\n.*?</vevent>\n", re.S)

    def identifies(self, block, guid):
        return f"<uid>{escape(guid)}</uid>" in block

    def retitled(self, block, title):
        subtitle = re.search(r"<pentabarf:subtitle>([^<]*)</pentabarf:subtitle>", block).group(1)
        block = sub_once(r"<pentabarf:title>[^<]*</pentabarf:title>",
                         f"<pentabarf:title>{escape(title)}</pentabarf:title>", block)
        return sub_once(r"<summary>[^<]*</summary>", f"<summary>{escape(title)}- {subtitle}</summary>", block)

    def shifted(self, block, delta):
        for name in ("dtstart", "dtend"):
            moment = datetime.strptime(re.search(f"<{name}>([^<]+)</{name}>", block).group(1), "%Y%m%dT%H%M%S")
            block = sub_once(f"<{name}>[^<]+</{name}>", f"<{name}>{moment + delta:%Y%m%dT%H%M%S}</{name}>", block)
        return block

    def in_room(self, block, room):
        return sub_once(r"<location>[^<]*</location>", f"<location>{escape(room)}</location>", block)

    def renamed(self, block, guid, external_id):
        block = sub_once(r"<uid>[^<]*</uid>", f"<uid>{escape(guid)}</uid>", block)
        return sub_once(r"<pentabarf:event-id>[^<]*</pentabarf:event-id>",
                        f"<pentabarf:event-id>{external_id}</pentabarf:event-id>", block)


class FrabJson:
    """pretalx's DemoCon export: v1 days and rooms, pretalx persons (code and name), a
    time_zone_name of UTC with times at +01:00."""

    name = "frab-json"
    path = SAMPLES / "frab-json" / "pretalx-democon-demo-schedule.json"
    timezone = None

    def original(self) -> bytes:
        return self.path.read_bytes()

    @staticmethod
    def find(document: dict, guid: str) -> tuple[list, dict]:
        found = [(events, event) for day in document["schedule"]["conference"]["days"]
                 for events in day["rooms"].values() for event in events if event["guid"] == guid]
        assert len(found) == 1, f"{len(found)} events for {guid}"
        return found[0]

    def _edit(self, data: bytes, guid: str, change) -> bytes:
        document = json.loads(data)
        change(document, *self.find(document, guid))
        return json.dumps(document, ensure_ascii=False, indent=1).encode()

    def retitle(self, data, guid, title):
        return self._edit(data, guid, lambda document, events, event: event.update(title=title))

    def shift(self, data, guid, delta):
        def later(document, events, event):
            starts_at = datetime.fromisoformat(event["date"]) + delta
            event.update(date=starts_at.isoformat(), start=f"{starts_at:%H:%M}")
        return self._edit(data, guid, later)

    def move_room(self, data, guid, beside, room):
        def move(document, events, event):
            events.remove(event)
            other_events, other = self.find(document, beside)
            assert other["room"] == room
            other_events.append({**event, "room": room})
        return self._edit(data, guid, move)

    def remove(self, data, guid):
        return self._edit(data, guid, lambda document, events, event: events.remove(event))

    def add_copy(self, data, guid, new_guid, new_id, title):
        def add(document, events, event):
            events.insert(events.index(event) + 1,
                          {**copy.deepcopy(event), "guid": new_guid, "id": int(new_id), "title": title})
        return self._edit(data, guid, add)


CSV_COLUMNS = ("id", "title", "start", "end", "room", "track", "speakers", "abstract", "url")


def csv_from_frab_json(path: Path) -> bytes:
    """The sessions of a real frab schedule.json as a CSV with the documented header: wall-clock
    times (the zone is given with the import), speakers separated by ";"."""
    document = json.loads(path.read_text())
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS)
    writer.writeheader()
    for day in document["schedule"]["conference"]["days"]:
        for room, events in day["rooms"].items():
            for event in events:
                starts_at = datetime.fromisoformat(event["date"]).replace(tzinfo=None)
                hours, minutes = event["duration"].split(":")
                ends_at = starts_at + timedelta(hours=int(hours), minutes=int(minutes))
                writer.writerow({
                    "id": event["guid"], "title": event["title"], "start": f"{starts_at:%Y-%m-%d %H:%M}",
                    "end": f"{ends_at:%Y-%m-%d %H:%M}", "room": room, "track": event.get("track") or "",
                    "speakers": "; ".join(person["public_name"] for person in event["persons"]),
                    "abstract": event.get("abstract") or "", "url": event.get("url") or ""})
    return out.getvalue().encode()


class Csv:
    """35C3's sessions (frab-json/ccc-35c3-schedule.json) as a CSV file, in Europe/Berlin."""

    name = "csv"
    timezone = "Europe/Berlin"

    def original(self) -> bytes:
        return csv_from_frab_json(SAMPLES / "frab-json" / "ccc-35c3-schedule.json")

    def _edit(self, data: bytes, guid: str, change) -> bytes:
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        found = [row for row in rows if row["id"] == guid]
        assert len(found) == 1, f"{len(found)} rows for {guid}"
        change(rows, found[0])
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()

    def retitle(self, data, guid, title):
        return self._edit(data, guid, lambda rows, row: row.update(title=title))

    def shift(self, data, guid, delta):
        def later(rows, row):
            for column in ("start", "end"):
                row[column] = f"{datetime.strptime(row[column], '%Y-%m-%d %H:%M') + delta:%Y-%m-%d %H:%M}"
        return self._edit(data, guid, later)

    def move_room(self, data, guid, beside, room):
        return self._edit(data, guid, lambda rows, row: row.update(room=room))

    def remove(self, data, guid):
        return self._edit(data, guid, lambda rows, row: rows.remove(row))

    def add_copy(self, data, guid, new_guid, new_id, title):
        return self._edit(data, guid, lambda rows, row: rows.insert(
            rows.index(row) + 1, {**row, "id": new_guid, "title": title}))


FORMATS = [FrabXml(), FrabJson(), ICal(), XCal(), Csv()]


# -- the sessions to edit, and the users' data on them ------------------------------------------

@dataclass
class Picked:
    changed: Talk
    moved_time: Talk
    moved_room: Talk
    removed: Talk
    unchanged: Talk
    #: a session on the same day as moved_room, in the room it moves to
    beside: Talk

    def edited(self) -> list[Talk]:
        return [self.changed, self.moved_time, self.moved_room, self.removed]


def pick(conference: Conference) -> Picked:
    """Five different daytime sessions with a room and a title no other session has, and a
    sixth on moved_room's day in another room."""
    zone = ZoneInfo(conference.timezone)
    talks = sorted(conference.talks, key=lambda talk: (talk.starts_at, talk.guid))
    titles = Counter(talk.title for talk in talks)
    fit = [talk for talk in talks if talk.status == "confirmed" and talk.room is not None
           and titles[talk.title] == 1 and 9 <= talk.starts_at.astimezone(zone).hour < 18]
    assert len(fit) >= 8, "the sample has enough sessions to edit"
    changed, moved_time, removed, unchanged = fit[0], fit[2], fit[4], fit[5]
    day = lambda talk: talk.starts_at.astimezone(zone).date()  # noqa: E731
    moved_room, beside = next((talk, other) for talk in reversed(fit[6:]) for other in fit[6:]
                              if other.room != talk.room and day(other) == day(talk))
    return Picked(changed, moved_time, moved_room, removed, unchanged, beside)


def user_data() -> dict[str, list[tuple]]:
    """Every row users made, as plain values."""
    return {
        "notes": sorted(db.session.execute(sa.select(Note.user_id, Note.talk_id, Note.body)).all()),
        "agenda": sorted(db.session.execute(
            sa.select(AgendaEntry.user_id, AgendaEntry.talk_id, AgendaEntry.status)).all()),
        "writeups": sorted(db.session.execute(sa.select(writeup_talk.c.writeup_id, writeup_talk.c.talk_id)).all()),
    }


def talk_by_guid(conference_id: int, guid: str) -> Talk:
    return db.session.scalar(sa.select(Talk).where(Talk.conference_id == conference_id, Talk.guid == guid))


def talk_count(conference_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Talk).where(Talk.conference_id == conference_id))


def change_kinds(report) -> dict[int, str]:
    return dict(db.session.execute(sa.select(TalkChange.talk_id, TalkChange.kind)
                                   .where(TalkChange.import_run_id == report.run.id)).all())


def counts(report) -> tuple[int, ...]:
    run = report.run
    return (run.added, run.changed, run.moved, run.cancelled, run.unchanged)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.name)
def test_reimport_of_an_edited_copy_keeps_users_data(app, user, fmt):
    original = fmt.original()
    first = import_schedule(original, source=f"schedule.{fmt.name}", timezone=fmt.timezone, slug=SLUG)
    db.session.commit()
    assert first.run.format == fmt.name, "the format is detected from the content"
    conference = first.conference
    conference_id, total = conference.id, talk_count(conference.id)
    assert first.run.added == total

    picked = pick(conference)
    edited_talks = picked.edited()
    guids = {role: getattr(picked, role).guid for role in ("changed", "moved_time", "moved_room", "removed",
                                                            "unchanged", "beside")}
    ids = {role: getattr(picked, role).id for role in guids}
    titles = {role: getattr(picked, role).title for role in guids}
    before = {role: (getattr(picked, role).starts_at, getattr(picked, role).ends_at,
                     getattr(picked, role).room.name) for role in guids}
    new_room = picked.beside.room.name
    assert new_room != before["moved_room"][2]

    # Ada plans, annotates and writes up the sessions that will change; Bob plans one that won't
    bob = create_user("bob@example.org", "another horse", display_name="Bob")
    db.session.add_all([
        *[AgendaEntry(user=user, talk=talk, status="going") for talk in [*edited_talks, picked.unchanged]],
        *[Note(user=user, talk=talk, body=f"My note on {talk.guid}") for talk in edited_talks],
        AgendaEntry(user=bob, talk=picked.unchanged, status="going"),
        Note(user=bob, talk=picked.removed, body="Bob's private note"),
        WriteUp(url="https://blog.example.org/removed", title="About the removed one", talks=[picked.removed]),
    ])
    db.session.commit()
    made = user_data()
    assert len(made["notes"]) == 5 and len(made["agenda"]) == 6 and len(made["writeups"]) == 1
    assert flagged_talk_ids(user, conference) == set(), "nothing changed yet"

    # the organiser's next version
    modified = fmt.add_copy(original, guids["unchanged"], NEW_GUID, NEW_ID, NEW_TITLE)
    modified = fmt.retitle(modified, guids["changed"], RETITLED)
    modified = fmt.shift(modified, guids["moved_time"], SHIFT)
    modified = fmt.move_room(modified, guids["moved_room"], guids["beside"], new_room)
    modified = fmt.remove(modified, guids["removed"])
    assert modified != original

    report = import_schedule(modified, source=f"schedule.{fmt.name}", slug=SLUG)
    db.session.commit()
    assert report.conference.id == conference_id and not report.created
    assert report.added == [NEW_TITLE]
    assert report.changed == [(RETITLED, ["title"])]
    assert sorted(report.moved) == sorted([(titles["moved_time"], ["starts_at", "ends_at"]),
                                           (titles["moved_room"], ["room"])])
    assert report.cancelled == [titles["removed"]]
    assert report.unchanged == total - 4
    assert counts(report) == (1, 1, 2, 1, total - 4)
    assert talk_count(conference_id) == total + 1, "nothing deleted, one added"

    talks = {role: talk_by_guid(conference_id, guid) for role, guid in guids.items()}
    assert {role: talk.id for role, talk in talks.items()} == ids, "matched by guid, updated in place"
    new = talk_by_guid(conference_id, NEW_GUID)
    assert new is not None and new.title == NEW_TITLE and new.status == "confirmed"
    assert change_kinds(report) == {ids["changed"]: "changed", ids["moved_time"]: "moved",
                                    ids["moved_room"]: "moved", ids["removed"]: "cancelled", new.id: "added"}

    removed = talks["removed"]
    assert removed.status == "cancelled", "a session that left the schedule is cancelled, not deleted"
    assert (removed.title, removed.starts_at, removed.room.name) == (titles["removed"], *before["removed"][::2])
    assert talks["changed"].title == RETITLED
    assert (talks["changed"].starts_at, talks["changed"].ends_at, talks["changed"].room.name) == before["changed"]
    moved_time = talks["moved_time"]
    assert (moved_time.starts_at, moved_time.ends_at, moved_time.room.name) == (
        before["moved_time"][0] + SHIFT, before["moved_time"][1] + SHIFT, before["moved_time"][2])
    moved_room = talks["moved_room"]
    assert (moved_room.starts_at, moved_room.ends_at, moved_room.room.name) == (*before["moved_room"][:2], new_room)
    assert moved_room.title == titles["moved_room"] and moved_time.title == titles["moved_time"]
    assert all(talks[role].status == "confirmed" for role in ("changed", "moved_time", "moved_room", "unchanged"))

    assert user_data() == made, "every note, agenda entry and write-up link is where it was"
    assert [n.body for n in removed.notes if n.user_id == user.id] == [f"My note on {guids['removed']}"]
    assert [w.url for w in removed.writeups] == ["https://blog.example.org/removed"]
    flagged = {ids[role] for role in ("changed", "moved_time", "moved_room", "removed")}
    assert flagged_talk_ids(user, conference) == flagged, "Ada's changed sessions are flagged, not the others"
    assert flagged_talk_ids(bob, conference) == set(), "Bob's only session did not change"

    # the same next version again changes nothing
    again = import_schedule(modified, source=f"schedule.{fmt.name}", slug=SLUG)
    db.session.commit()
    assert (again.added, again.changed, again.moved, again.cancelled) == ([], [], [], [])
    assert counts(again) == (0, 0, 0, 0, total), "the file's sessions, the new one included, unchanged"
    assert change_kinds(again) == {}
    assert talk_count(conference_id) == total + 1
    assert user_data() == made
    assert talk_by_guid(conference_id, guids["removed"]).status == "cancelled"

    # the organiser undoes it all: the removed session comes back, the new one goes
    restored = import_schedule(original, source=f"schedule.{fmt.name}", slug=SLUG)
    db.session.commit()
    assert restored.added == []
    assert sorted(restored.changed) == sorted([(titles["changed"], ["title"]), (titles["removed"], ["status"])])
    assert sorted(restored.moved) == sorted([(titles["moved_time"], ["starts_at", "ends_at"]),
                                             (titles["moved_room"], ["room"])])
    assert restored.cancelled == [NEW_TITLE]
    assert counts(restored) == (0, 2, 2, 1, total - 4)
    assert change_kinds(restored) == {ids["changed"]: "changed", ids["moved_time"]: "moved",
                                      ids["moved_room"]: "moved", ids["removed"]: "restored", new.id: "cancelled"}
    assert talk_count(conference_id) == total + 1
    for role, guid in guids.items():
        talk = talk_by_guid(conference_id, guid)
        assert talk.id == ids[role]
        assert (talk.title, talk.status, talk.starts_at, talk.ends_at, talk.room.name) == (
            titles[role], "confirmed", *before[role]), role
    assert talk_by_guid(conference_id, NEW_GUID).status == "cancelled"
    assert user_data() == made, "nothing lost on the way back"
    assert flagged_talk_ids(user, conference) == flagged
