"""frab `schedule.json`, valid against c3voc's schema (tests/samples/schema/c3voc-schedule.schema.json).

The same data as the XML (see frab.py), in the JSON shape: days hold {room name: [events]}.
Particular to JSON:

- Each event also has its exact `end`, and `date` its exact start: the schema's `start` and
  `duration` allow no seconds.
- People are {"id", "guid", "name"}: `name`, not the deprecated `public_name`, because the
  schema requires a person to match exactly one of its frab and pretalx shapes, and one with
  `id` and `public_name` and `name` would match both.
- `time_zone_name` is left out where the schema's pattern refuses the zone ("Etc/GMT-1",
  as an import of a file without a zone name gives): the instants still carry their offsets,
  and tracker's importer takes the zone from the first of them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .base import Exporter
from .base import Selection
from .frab import FrabDay
from .frab import FrabEvent
from .frab import ScheduleData
from .frab import clock
from .frab import hours_minutes
from .frab import schedule_data

SCHEMA = "https://c3voc.de/schedule/schema.json"
#: the schema's pattern for time_zone_name, as written there (searched, so only anchored in part)
ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")


class FrabJsonExporter(Exporter):
    name = "json"
    extension = "json"
    content_type = "application/json"
    multi_conference = False

    def render(self, selection: Selection) -> bytes:
        document = {"$schema": SCHEMA, "generator": {"name": "tracker"},
                    "schedule": schedule_object(schedule_data(selection))}
        # compact: programs read it, and the C encoder writes it (indent= would use Python's)
        return json.dumps(document, ensure_ascii=False).encode("utf-8")


def schedule_object(data: ScheduleData) -> dict[str, Any]:
    schedule: dict[str, Any] = {"version": data.version}
    if data.base_url:
        schedule["base_url"] = data.base_url
    schedule["conference"] = conference_object(data)
    return schedule


def conference_object(data: ScheduleData) -> dict[str, Any]:
    conference: dict[str, Any] = {
        "acronym": data.acronym,
        "title": data.title,
        "start": data.start.isoformat(),
        "end": data.end.isoformat(),
        "daysCount": len(data.days),
        "timeslot_duration": hours_minutes(data.timeslot_duration, seconds=False),
    }
    if ZONE_NAME.search(data.time_zone_name):
        conference["time_zone_name"] = data.time_zone_name
    if data.url:
        conference["url"] = data.url
    conference["tracks"] = [{"name": track.name, **({"color": track.color} if track.color else {})}
                            for track in data.tracks]
    conference["rooms"] = [{"name": room.name, "guid": room.guid} for room in data.rooms]
    conference["days"] = [day_object(day) for day in data.days]
    return conference


def day_object(day: FrabDay) -> dict[str, Any]:
    return {
        "index": day.index,
        "date": day.date.isoformat(),
        "day_start": day.start.isoformat(),
        "day_end": day.end.isoformat(),
        "rooms": {part.room.name: [event_object(event) for event in part.events]
                  for part in day.rooms},
    }


def event_object(event: FrabEvent) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "guid": event.guid,
        "id": event.id,
        "date": event.starts_at.isoformat(),
        "start": clock(event.starts_at, seconds=False),
        "end": event.ends_at.isoformat(),
        "duration": hours_minutes(event.duration, seconds=False),
        "room": event.room,
        "slug": event.slug,
        "url": event.url,
        "title": event.title,
        "subtitle": event.subtitle,
        "track": event.track,
        "type": event.type,
        "language": event.language,
        "abstract": event.abstract,
        "description": event.description,
        "recording_license": "",
        "do_not_record": False if event.recording_url else None,
        "persons": [{"id": person.id, "guid": person.guid, "name": person.name}
                    for person in event.persons],
        "links": [{"url": link.url, "title": link.title, **({"type": link.type} if link.type else {})}
                  for link in event.links],
        "attachments": [],
    }
    if event.origin_url:
        fields["origin_url"] = event.origin_url
    return fields
