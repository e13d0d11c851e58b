"""frab `schedule.xml`, valid against c3voc's schema (tests/samples/schema/c3voc-schedule.xml.xsd).

What it holds, and why, is in frab.py. Particular to XML: the schema has no day change (the
days' start and end say it) and no list of rooms; a recording is given both as a link and as
<recording>, whose <optout> is false since the recording exists, and whose <license> is
empty, because tracker does not know it.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import SubElement
from xml.etree.ElementTree import indent
from xml.etree.ElementTree import tostring

from .base import Exporter
from .base import Selection
from .frab import FrabDay
from .frab import FrabEvent
from .frab import ScheduleData
from .frab import clock
from .frab import hours_minutes
from .frab import schedule_data

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
#: characters XML 1.0 does not allow, which a schedule read from JSON or iCalendar may carry
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class FrabXmlExporter(Exporter):
    name = "xml"
    extension = "xml"
    content_type = "application/xml; charset=utf-8"
    multi_conference = False

    def render(self, selection: Selection) -> bytes:
        root = schedule_element(schedule_data(selection))
        indent(root)
        return DECLARATION + tostring(root, encoding="utf-8") + b"\n"


def schedule_element(data: ScheduleData) -> Element:
    root = Element("schedule")
    SubElement(root, "generator", name="tracker")
    add(root, "version", data.version)
    root.append(conference_element(data))
    for day in data.days:
        root.append(day_element(day))
    return root


def conference_element(data: ScheduleData) -> Element:
    conference = Element("conference")
    add(conference, "acronym", data.acronym)
    add(conference, "title", data.title)
    add(conference, "start", data.start.isoformat())
    add(conference, "end", data.end.isoformat())
    add(conference, "days", str(len(data.days)))
    add(conference, "timeslot_duration", hours_minutes(data.timeslot_duration, seconds=False))
    add(conference, "time_zone_name", data.time_zone_name)
    if data.base_url:
        add(conference, "base_url", data.base_url)
    if data.url:
        add(conference, "url", data.url)
    for track in data.tracks:
        element = SubElement(conference, "track", name=clean(track.name))
        if track.color:
            element.set("color", track.color)
    return conference


def day_element(day: FrabDay) -> Element:
    element = Element("day", index=str(day.index), date=day.date.isoformat(),
                      start=day.start.isoformat(), end=day.end.isoformat())
    for part in day.rooms:
        room = SubElement(element, "room", name=clean(part.room.name), guid=part.room.guid)
        for event in part.events:
            room.append(event_element(event))
    return element


def event_element(event: FrabEvent) -> Element:
    element = Element("event", guid=event.guid, id=str(event.id))
    add(element, "date", event.starts_at.isoformat())
    add(element, "start", clock(event.starts_at, seconds=True))
    add(element, "duration", hours_minutes(event.duration, seconds=True))
    add(element, "room", event.room)
    add(element, "slug", event.slug)
    add(element, "url", event.url)
    add(element, "title", event.title)
    add(element, "subtitle", event.subtitle)
    add(element, "track", event.track or "")
    add(element, "type", event.type)
    add(element, "language", event.language)
    add(element, "abstract", event.abstract)
    add(element, "description", event.description)
    persons = SubElement(element, "persons")
    for person in event.persons:
        add(persons, "person", person.name, id=str(person.id), guid=person.guid)
    links = SubElement(element, "links")
    for link in event.links:
        tag = add(links, "link", link.title, href=clean(link.url))
        if link.type:
            tag.set("type", link.type)
    SubElement(element, "attachments")
    if event.recording_url:
        recording = SubElement(element, "recording")
        add(recording, "license", "")
        add(recording, "optout", "false")
        add(recording, "url", event.recording_url)
    if event.origin_url:
        add(element, "origin_url", event.origin_url)
    return element


def add(parent: Element, tag: str, text: str, **attributes: str) -> Element:
    element = SubElement(parent, tag, attributes)
    element.text = clean(text)
    return element


def clean(text: str) -> str:
    return NOT_XML.sub("", text)
