"""xCal schedules: iCalendar in XML, as RFC 6321 defines it and as frab writes it.

RFC 6321: <icalendar xmlns="urn:ietf:params:xml:ns:icalendar-2.0"> holds <vcalendar>s,
each component its <properties> and <components>, each property its <parameters> and
typed values: <dtstart><parameters><tzid><text>Europe/Berlin</text></tzid></parameters>
<date-time>2016-12-27T11:00:00</date-time></dtstart>.

frab (after Pentabarf) writes the older form of the xCal drafts: an <iCalendar> with no
namespace whose components nest directly and whose properties hold their value as
iCalendar writes it (<dtstart>20161229T211500</dtstart>); parameters, if any, are
attributes. Its `pentabarf:` elements add what iCalendar has no property for.

Both are the iCalendar data model, so this module writes the document out as iCalendar
content lines (RFC 6321 section 3 maps one to the other) and ical.py reads those: every
property means what it means in an .ics file (see ical.py), and an error names the line of
the <vevent> in the XML. frab's form needs a few readings of its own:

- <attendee> holds a speaker's name, not an address: the name is the attendee's CN. frab
  writes METHOD:PUBLISH in each vevent instead of the vcalendar: where the vcalendar gives
  no METHOD and its vevents agree on one, it is the calendar's, so that attendees are
  speakers as in a published .ics.
- <url> is scheme-relative ("//fahrplan.events.ccc.de/…"): read as https, and said.
- <duration> is "013000" (hours, minutes, seconds), not an ISO 8601 duration; it only
  counts where a vevent has no <dtend>.
- <category> (not CATEGORIES) is the constant "Lecture" for every session: no track.
- pentabarf:title and pentabarf:subtitle give apart the title and subtitle that <summary>
  joins with "- "; pentabarf:event-id is the session's id, as in frab's schedule.xml, and
  pentabarf:language-code its language. pentabarf:language is not read: for a session
  without a language frab writes its whole table of language names there.
- Its times are floating (the conference's wall clock, no zone): the user gives the zone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import ClassVar
from xml.etree.ElementTree import Element
from xml.parsers import expat

from icalendar import Calendar
from icalendar import Component
from icalendar import Parameters
from icalendar.prop import TypesFactory
from icalendar.prop import vText

from .base import ParsedSchedule
from .base import ParsedTalk
from .base import ScheduleError
from .frab_xml import read_xml
from .frab_xml import xml_start
from .ical import read_calendars
from .text import counted

#: RFC 6321's namespace, the drafts' before it, and none (frab)
XCAL_NAMESPACES = ("urn:ietf:params:xml:ns:icalendar-2.0", "urn:ietf:params:xml:ns:xcal", "")
PENTABARF_NAMESPACE = "http://pentabarf.org"
#: an <icalendar> root (any case, any prefix), after what frab_xml.SCHEDULE_ROOT allows
XCAL_ROOT = re.compile(
    rb"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*"
    rb"<(?:[A-Za-z_][\w.-]*:)?icalendar[\s/>]", re.DOTALL | re.IGNORECASE)
#: the components RFC 5545 and its extensions define; in the drafts' form, any other
#: element of a component is a property
COMPONENTS = frozenset({"VCALENDAR", "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE",
                        "STANDARD", "DAYLIGHT", "VALARM", "VAVAILABILITY", "AVAILABLE"})
#: vcalendar > vtimezone > standard is as deep as iCalendar goes; a little room beyond
MAX_DEPTH = 5
#: RFC 6321 value elements; geo and request-status, which schedules do not use, are left out
VALUE_TYPES = frozenset({"text", "date", "date-time", "time", "duration", "period", "recur",
                         "utc-offset", "uri", "cal-address", "integer", "float", "boolean",
                         "binary", "unknown"})
NAME = re.compile(r"[A-Za-z0-9-]+\Z")
ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}Z?)?\Z")
#: frab's <duration>: format_time_slots() without its colon, and "00" seconds
FRAB_DURATION = re.compile(r"(\d{2,})(\d{2})(\d{2})\Z")
LINE_BREAKS = re.compile(r"\s*[\r\n]\s*")
URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
TYPES = TypesFactory()


class XCalImporter:
    name: ClassVar[str] = "xcal"
    label: ClassVar[str] = "xCal (iCalendar in XML)"

    def sniff(self, head: bytes) -> bool:
        return XCAL_ROOT.match(xml_start(head)) is not None

    def parse(self, data: bytes, *, timezone: str | None = None) -> ParsedSchedule:
        root = read_xml(data)
        namespace, name = split_tag(root)
        if name.lower() != "icalendar":
            raise ScheduleError(f"the root element is <{name}>, not <icalendar>: this is not "
                                "an xCal file")
        if namespace not in XCAL_NAMESPACES:
            raise ScheduleError(f"the root element <{name}> is in the namespace “{namespace}”, "
                                f"not xCal's ({XCAL_NAMESPACES[0]})")
        writer = ContentLines(element_lines(data, root))
        text = writer.document(root)
        try:
            calendars = Calendar.from_ical(text, multiple=True)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise ScheduleError(f"the xCal cannot be read as iCalendar: {exc}") from None
        calendars = [component for component in calendars if component.name == "VCALENDAR"]
        return read_calendars(calendars, writer.event_lines, timezone, writer.repairs(),
                              amend=pentabarf_extras)


def split_tag(element: Element) -> tuple[str, str]:
    """An element's namespace ("" for none) and local name."""
    namespace, _, name = element.tag.rpartition("}")
    return namespace.removeprefix("{"), name


def element_lines(data: bytes, root: Element) -> dict[Element, int]:
    """The line each element starts on. ElementTree does not say, so expat reads the file
    again: read_xml() has refused any DTD by then, so no entity can expand."""
    lines: list[int] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, attributes: lines.append(parser.CurrentLineNumber)
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return {}
    return dict(zip(root.iter(), lines))


class ContentLines:
    """Writes an xCal document as iCalendar content lines (RFC 6321 section 3, backwards)."""

    def __init__(self, lines: dict[Element, int]) -> None:
        self.lines = lines
        self.out: list[str] = []
        #: the line of each <vevent>, in the order calendar.walk() finds them
        self.event_lines: list[int | None] = []
        self.counts: Counter[str] = Counter()

    def document(self, root: Element) -> str:
        calendars = [child for child in root if self.is_xcal(child, "vcalendar")]
        if not calendars:
            raise ScheduleError("the <icalendar> holds no <vcalendar>")
        for calendar in calendars:
            self.component(calendar, 1)
        return "\r\n".join(self.out) + "\r\n"

    def repairs(self) -> list[str]:
        return counted(self.counts, {
            "scheme-relative": ("URL", " without a scheme (//host/…): read as https"),
        })

    def where(self, element: Element) -> str:
        _, name = split_tag(element)
        line = self.lines.get(element)
        return f"line {line}: <{name}>" if line else f"<{name}>"

    @staticmethod
    def is_xcal(element: Element, name: str | None = None) -> bool:
        namespace, local = split_tag(element)
        return namespace in XCAL_NAMESPACES and (name is None or local.lower() == name)

    def component(self, element: Element, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ScheduleError(f"{self.where(element)} is nested {depth} components deep; "
                                f"iCalendar nests at most {MAX_DEPTH}")
        name = split_tag(element)[1].upper()
        if not NAME.match(name):
            return  # no iCalendar name: RFC 6321 ignores what it does not know
        if name == "VEVENT":
            self.event_lines.append(self.lines.get(element))
        self.out.append(f"BEGIN:{name}")
        start = len(self.out)
        properties, components = self.parts(element)
        methods: set[str] = set()
        for prop in properties:
            self.property(prop, name)
        for child in components:
            if name == "VCALENDAR" and self.is_xcal(child, "vevent"):
                methods |= {method.strip().upper() for method in self.texts(child, "method")}
            self.component(child, depth + 1)
        if name == "VCALENDAR" and not self.texts(element, "method") and len(methods) == 1:
            self.out.insert(start, f"METHOD:{methods.pop()}")
        self.out.append(f"END:{name}")

    def parts(self, element: Element) -> tuple[list[Element], list[Element]]:
        """A component's properties (with pentabarf: elements) and subcomponents: inside
        <properties> and <components> (RFC 6321), else its own children (the drafts)."""
        children = [child for child in element if self.is_xcal(child)]
        wrapped = [child for child in children
                   if split_tag(child)[1].lower() in ("properties", "components")]
        if wrapped:
            properties = [prop for part in wrapped if self.is_xcal(part, "properties")
                          for prop in part]
            components = [child for part in wrapped if self.is_xcal(part, "components")
                          for child in part if self.is_xcal(child)]
            extras = [child for child in element if self.is_pentabarf(child)]
            return properties + extras, components
        properties, components = [], []
        for child in element:
            if self.is_xcal(child) and split_tag(child)[1].upper() in COMPONENTS:
                components.append(child)
            elif self.is_xcal(child) or self.is_pentabarf(child):
                properties.append(child)
        return properties, components

    @staticmethod
    def is_pentabarf(element: Element) -> bool:
        return split_tag(element)[0] == PENTABARF_NAMESPACE

    def texts(self, component: Element, name: str) -> list[str]:
        """The text of each of a component's properties of that name, in either form."""
        properties, _ = self.parts(component)
        return ["".join(prop.itertext()) for prop in properties
                if self.is_xcal(prop, name)]

    def property(self, element: Element, component: str) -> None:
        namespace, local = split_tag(element)
        if namespace == PENTABARF_NAMESPACE:
            name = f"X-PENTABARF-{local.upper()}"
            if component == "VEVENT" and NAME.match(local) and not self.written(name, component):
                self.write(name, {"VALUE": "TEXT"}, escape_text("".join(element.itertext())))
            return
        name = local.upper()
        if not NAME.match(name) or name in ("BEGIN", "END") or namespace not in XCAL_NAMESPACES:
            return  # another namespace's extension, or no property's name: RFC 6321 ignores it
        values = [child for child in element
                  if self.is_xcal(child) and split_tag(child)[1] in VALUE_TYPES]
        if values or any(self.is_xcal(child, "parameters") for child in element):
            params = self.parameters(element)
            kind, value = self.typed_value(values)
        elif len(element):
            return  # a structured value (geo, request-status) that no session needs
        else:
            params = {key.upper(): one_line(value) for key, value in element.attrib.items()
                      if "}" not in key and NAME.match(key)}
            kind, value = self.draft_value(name, "".join(element.itertext()), params)
        if name == "URL" and value.startswith("//"):
            self.counts["scheme-relative"] += 1
            value = "https:" + value
        if name == "ATTENDEE" and value and not URI_SCHEME.match(value) and "CN" not in params:
            params = {**params, "CN": value}
        if kind and kind != TYPES.default_value_type(name.lower()) and kind != "unknown":
            params.setdefault("VALUE", kind.upper())
        self.write(name, params, value)

    def written(self, name: str, component: str) -> bool:
        """Whether the component being written has that property already."""
        for line in reversed(self.out):
            if line == f"BEGIN:{component}":
                return False
            if line.startswith((f"{name}:", f"{name};")):
                return True
        return False

    def write(self, name: str, params: dict[str, str | list[str]], value: str) -> None:
        params = {key: value for key, value in params.items() if value}
        head = f"{name};{Parameters(params).to_ical(sorted=False).decode()}" if params else name
        self.out.append(f"{head}:{value}")

    def parameters(self, element: Element) -> dict[str, str | list[str]]:
        params: dict[str, str | list[str]] = {}
        for group in element:
            if not self.is_xcal(group, "parameters"):
                continue
            for param in group:
                name = split_tag(param)[1].upper()
                values = [one_line("".join(value.itertext())) for value in param] or [
                    one_line("".join(param.itertext()))]
                if NAME.match(name) and name != "VALUE":
                    params[name] = values[0] if len(values) == 1 else values
        return params

    def typed_value(self, values: list[Element]) -> tuple[str | None, str]:
        """RFC 6321 value elements as one iCalendar value, and their type."""
        if not values:
            return None, ""
        kind = split_tag(values[0])[1]
        same = [value for value in values if split_tag(value)[1] == kind]
        return kind, ",".join(typed_text(kind, value) for value in same)

    @staticmethod
    def draft_value(name: str, raw: str, params: dict) -> tuple[str | None, str]:
        """A property written as the drafts do, its value as iCalendar writes it: text is
        escaped as content lines need; other types are one token."""
        kind = str(params.pop("VALUE", "")).lower() or TYPES.default_value_type(name.lower())
        if kind in ("text", "unknown"):
            return "text", escape_text(raw)
        value = one_line(raw)
        if kind in ("date-time", "date") and ISO_DATE_TIME.match(value):
            value = value.replace("-", "").replace(":", "")
        elif name == "DURATION" and (frab := FRAB_DURATION.match(value)):
            hours, minutes, seconds = (int(part) for part in frab.groups())
            value = f"PT{hours}H{minutes}M{seconds}S"
        return kind, value


def typed_text(kind: str, element: Element) -> str:
    """One RFC 6321 value in iCalendar's notation."""
    raw = "".join(element.itertext())
    if kind == "text":
        return escape_text(raw)
    if kind == "period":
        parts = {split_tag(child)[1]: compact(one_line(child.text or "")) for child in element}
        return f"{parts.get('start', '')}/{parts.get('end') or parts.get('duration', '')}"
    if kind == "recur":
        rule: dict[str, list[str]] = {}
        for child in element:
            part = split_tag(child)[1].upper()
            value = one_line(child.text or "")
            rule.setdefault(part, []).append(compact(value) if part == "UNTIL" else value)
        return ";".join(f"{part}={','.join(values)}" for part, values in rule.items())
    if kind == "unknown":  # iCalendar's own text of the value, escapes and all
        return raw.strip().replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    value = one_line(raw)
    if kind in ("date", "date-time", "time"):
        return compact(value)
    if kind == "utc-offset":
        return value[:1] + value[1:].replace(":", "")
    return value.upper() if kind == "boolean" else value


def compact(value: str) -> str:
    """ISO 8601's extended form as iCalendar writes it: 2016-12-27T11:00:00 -> 20161227T110000."""
    return value.replace("-", "").replace(":", "")


def one_line(raw: str) -> str:
    """A value that is no text, as written but for its line breaks, which a content line
    cannot hold (and which, in a name, are no part of it)."""
    return LINE_BREAKS.sub(" ", raw).strip()


def escape_text(raw: str) -> str:
    return vText(raw.replace("\r\n", "\n").replace("\r", "\n")).to_ical().decode()


def pentabarf_extras(event: Component, talk: ParsedTalk) -> ParsedTalk:
    """What frab's pentabarf: elements add to a session (see the module's docstring)."""
    def extra(name: str) -> str:
        value = event.get(f"X-PENTABARF-{name}")
        return "" if value is None else str(value).strip()

    return replace(talk, title=extra("TITLE") or talk.title,
                   subtitle=extra("SUBTITLE") or talk.subtitle,
                   external_id=extra("EVENT-ID") or talk.external_id,
                   language=extra("LANGUAGE-CODE") or talk.language)
