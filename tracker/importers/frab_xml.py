"""frab / Pentabarf `schedule.xml`: the c3voc schema, and the older and looser files in the wild.

Layout: <schedule><conference/><day date=…><room name=…><event id=… guid=…>; the oldest
FOSDEM files put events straight under <day>. An event's <date> (with a UTC offset) is its
exact start. Without one, <start> is a wall-clock time on the day's date in the conference's
zone, and a start before the day begins (the day's `start` attribute, else the conference's
<day_change>) is after midnight: the next calendar date, still filed under that day.
"""

from __future__ import annotations

import re
from collections import Counter
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import ClassVar
from urllib.parse import urljoin
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError
from xml.parsers import expat
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from .base import Lengths
from .base import ParsedLink
from .base import ParsedSchedule
from .base import ParsedSpeaker
from .base import ParsedTalk
from .base import ParsedTrack
from .base import ScheduleError
from .base import add_speakers
from .base import check_times
from .base import choose_zone
from .base import http_url
from .base import local_instant
from .base import name_key
from .base import normalise_kind
from .base import parse_duration
from .base import unique_guids
from .base import used_rooms
from .text import counted
from .text import plain_text
from .text import plural

#: a <schedule> root, after an optional BOM, XML declaration, comments, processing
#: instructions, a DOCTYPE (so that parse() can refuse it by name) and white space
SCHEDULE_ROOT = re.compile(
    rb"(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*<schedule[\s/>]", re.DOTALL)
DECLARED_ENCODING = re.compile(
    rb"""(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

#: FOSDEM marks a cancelled session by its title: "CANCELLED Testing apps with …"
CANCELLED_TITLE = re.compile(r"\s*[\[(]?(?:CANCELL?ED|ABGESAGT)\b")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
WHITE_SPACE = re.compile(r"\s+")
SLIDES_TITLE = re.compile(r"\bslides?\b|\bslide ?deck\b", re.IGNORECASE)
#: "Video recording (mp4)", "Video (Ogg/Theora)"; not "Video" alone nor "Video demo"
RECORDING_TITLE = re.compile(r"\s*video(?: recording\b|\s*\()", re.IGNORECASE)
#: event elements that give the session's own recording, best first
RECORDING_ELEMENTS = ("recording/url", "recording/link", "video_download_url", "video")
#: hosts that serve only the conference's own recordings
RECORDING_HOSTS = frozenset({"video.fosdem.org"})


def xml_start(head: bytes) -> bytes:
    """The start of an XML document as UTF-8 without a byte order mark, to look for its
    root element in."""
    if head.startswith(UTF16_BOMS):
        head = head.decode("utf-16", errors="ignore").encode()
    return head.removeprefix(b"\xef\xbb\xbf")


class FrabXmlImporter:
    name: ClassVar[str] = "frab-xml"
    label: ClassVar[str] = "frab / Pentabarf schedule.xml"

    def sniff(self, head: bytes) -> bool:
        return SCHEDULE_ROOT.match(xml_start(head)) is not None

    def parse(self, data: bytes, *, timezone: str | None = None) -> ParsedSchedule:
        root = read_xml(data)
        if root.tag != "schedule":
            raise ScheduleError(f"the root element is <{root.tag}>, not <schedule>: "
                                "this is not a frab schedule.xml")
        return ScheduleReader(root, timezone).read()


def read_xml(data: bytes) -> Element:
    """Parse with defusedxml, refusing any DTD: entities could expand into an XML bomb or
    pull in local files."""
    try:
        return SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ScheduleError(
            "the file declares a DTD or entities (<!DOCTYPE …>, <!ENTITY …>): a schedule needs "
            "none, and they can expand into an XML bomb or read local files, so it is refused"
        ) from exc
    except ParseError as exc:
        line, column = exc.position
        problem = utf8_problem(data) or expat.ErrorString(exc.code)
        raise ScheduleError(
            f"not well-formed XML at line {line}, column {column + 1}: {problem}") from exc


def utf8_problem(data: bytes) -> str | None:
    """Why a file read as UTF-8 is not, if that is what broke the parse."""
    declared = DECLARED_ENCODING.match(data)
    encoding = declared[1].decode().lower().replace("_", "-") if declared else "utf-8"
    if encoding not in ("utf-8", "utf8") or data.startswith(UTF16_BOMS):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        said = "declares" if declared else "is read as"
        return (f"byte 0x{data[exc.start]:02x} is not valid UTF-8, but the file {said} UTF-8; "
                "save it as UTF-8 or declare its real encoding")
    return None


@dataclass(frozen=True)
class Slot:
    """Where the file puts one event: under which day (and its start), in which room."""

    event: Element
    day: date | None
    day_start: datetime | None
    room: str | None


@dataclass(frozen=True)
class Reference:
    """An event's link or attachment, before it is sorted into slides, video and links."""

    link: ParsedLink
    type: str
    attachment: bool


class ScheduleReader:
    """Reads one parsed document; collects speakers and counts repairs on the way."""

    def __init__(self, root: Element, user_zone: str | None) -> None:
        conference = root.find("conference")
        if conference is None:
            raise ScheduleError("the <schedule> has no <conference> element")
        self.root = root
        self.conference = conference
        self.zone_name, self.repairs = choose_zone(
            user_zone, text(conference, "time_zone_name"), "<conference> <time_zone_name>",
            first_times(root))
        self.zone = ZoneInfo(self.zone_name)
        self.base_url = absolute_url(text(conference, "base_url"), "")
        day_change = text(conference, "day_change")
        self.day_change = (parse_clock(day_change, "<conference> <day_change>")
                           if day_change else None)
        self.ambiguous_person_ids = ambiguous_person_ids(root)
        self.speakers: dict[str, ParsedSpeaker] = {}
        self.counts: Counter[str] = Counter(shared_ids=len(self.ambiguous_person_ids))
        self.lengths = Lengths("<duration> empty or 00:00", self._timeslot, "<timeslot_duration>")

    def read(self) -> ParsedSchedule:
        title = text(self.conference, "title") or text(self.conference, "acronym")
        if not title:
            raise ScheduleError("the <conference> has no <title>")
        talks = [self._talk(slot, position) for position, slot in enumerate(self._slots(), 1)]
        talks, renamed = unique_guids(talks)
        tracks = self._tracks(talks)
        return ParsedSchedule(
            title=title,
            timezone=self.zone_name,
            talks=tuple(talks),
            speakers=tuple(self.speakers.values()),
            rooms=used_rooms(talks),
            tracks=tracks,
            acronym=text(self.conference, "acronym"),
            url=absolute_url(text(self.conference, "url"), "") or self.base_url,
            venue=", ".join(filter(None, (text(self.conference, "venue"),
                                          text(self.conference, "city")))),
            start_date=self._conference_date("start"),
            end_date=self._conference_date("end"),
            repairs=tuple(self.repairs + self.lengths.repairs() + self._counted_repairs()
                          + renamed),
        )

    # the conference

    def _conference_date(self, tag: str) -> date | None:
        """<start>/<end>: a date, or a date and time (read in the conference's zone)."""
        raw = text(self.conference, tag)
        if not raw:
            return None
        moment = parse_datetime(raw, f"<conference> <{tag}>")
        return moment.astimezone(self.zone).date() if moment.tzinfo else moment.date()

    def _tracks(self, talks: list[ParsedTalk]) -> tuple[ParsedTrack, ...]:
        """The tracks sessions use: declared ones first, in declared order, with colours."""
        declared: dict[str, str] = {}
        for track in [*self.conference.findall("track"), *self.root.findall("tracks/track")]:
            name = (track.get("name") or track.text or "").strip()
            if name and name not in declared:
                declared[name] = self._colour(track.get("color"))
        rank = {name: position for position, name in enumerate(declared)}
        used = dict.fromkeys(talk.track for talk in talks if talk.track)
        ordered = sorted(used, key=lambda name: rank.get(name, len(rank)))
        return tuple(ParsedTrack(name, declared.get(name, "")) for name in ordered)

    def _colour(self, raw: str | None) -> str:
        raw = (raw or "").strip()
        if COLOUR.fullmatch(raw):
            return raw.lower()
        if raw:
            self.counts["colour"] += 1
        return ""

    def _timeslot(self) -> timedelta | None:
        raw = text(self.conference, "timeslot_duration")
        return parse_duration(raw, "<conference> <timeslot_duration>") if raw else None

    # events

    def _slots(self) -> list[Slot]:
        """Every event with its day and room, in file order."""
        slots = []
        for day in self.root.findall("day"):
            day_date, day_start = self._day(day)
            for child in day:
                if child.tag == "room":
                    room = (child.get("name") or "").strip() or None
                    slots += [Slot(event, day_date, day_start, room)
                              for event in child.findall("event")]
                elif child.tag == "event":
                    slots.append(Slot(child, day_date, day_start, None))
        stray = sum(1 for _ in self.root.iter("event")) - len(slots)
        if stray:
            raise ScheduleError(f"{plural(stray, '<event> element is', '<event> elements are')}"
                                " outside <day> and <day><room>")
        return slots

    def _day(self, day: Element) -> tuple[date | None, datetime | None]:
        """A <day>'s date and start. The start, read in the conference's zone, decides the
        date: wafer (DebConf23) dates each day by the UTC date of its start, the day before
        the date it starts on in Asia/Kolkata."""
        where = f"<day index=\"{day.get('index', '')}\">"
        day_date = parse_date(day.get("date"), where) if day.get("date") else None
        if not day.get("start"):
            return day_date, None
        day_start = parse_datetime(day.get("start"), f"{where} start")
        if day_start.tzinfo is None:
            return day_date, local_instant(day_start, self.zone, where)
        local_date = day_start.astimezone(self.zone).date()
        if day_date is not None and day_date != local_date:
            self.counts["redated_days"] += 1
        return local_date, day_start

    def _talk(self, slot: Slot, position: int) -> ParsedTalk:
        event = slot.event
        external_id = (event.get("id") or "").strip()
        title = text(event, "title")
        where = describe(external_id, title, position)
        if not title:
            raise ScheduleError(f"{where}: no <title>")
        guid = (event.get("guid") or "").strip() or (f"id:{external_id}" if external_id else "")
        if not guid:
            raise ScheduleError(f"{where}: neither a guid nor an id, so a re-import could "
                                "not find it")
        starts_at = self._start(event, slot, where)
        ends_at = self._end(starts_at, event, where)
        check_times(starts_at, ends_at, where)
        room = slot.room or text(event, "room") or None
        if room is None:
            self.counts["roomless"] += 1
        status = "cancelled" if CANCELLED_TITLE.match(title) else "confirmed"
        if status == "cancelled":
            self.counts["cancelled"] += 1
        page_url = absolute_url(text(event, "url"), self.base_url)
        slides_url, video_url, links = self._links(event, page_url)
        return ParsedTalk(
            guid=guid, title=title, starts_at=starts_at, ends_at=ends_at,
            external_id=external_id or None, day=slot.day, room=room,
            track=text(event, "track") or None, subtitle=text(event, "subtitle"),
            abstract=plain_text(text(event, "abstract")),
            description=plain_text(text(event, "description")),
            kind=normalise_kind(text(event, "type")),
            language=text(event, "language"), status=status, url=page_url,
            slides_url=slides_url, video_url=video_url,
            speakers=self._speakers(event), links=links)

    def _start(self, event: Element, slot: Slot, where: str) -> datetime:
        """<date> if it has an offset (the exact instant), else <start> on the day's date."""
        clock_text = text(event, "start")
        clock = parse_clock(clock_text, f"{where}: <start>") if clock_text else None
        if exact := text(event, "date"):
            moment = parse_datetime(exact, f"{where}: <date>")
            if moment.tzinfo is None:
                return local_instant(moment, self.zone, where)
            if clock is not None and moment.astimezone(self.zone).time() != clock:
                self.counts["clock_disagrees"] += 1
            return moment.astimezone(UTC)
        if clock is None:
            raise ScheduleError(f"{where}: no start time (neither <date> nor <start>)")
        if slot.day is None:
            raise ScheduleError(f"{where}: no <date>, and its <day> has no date attribute")
        starts_at = local_instant(datetime.combine(slot.day, clock), self.zone, where)
        if self._before_day_starts(starts_at, clock, slot):
            self.counts["after_midnight"] += 1
            next_day = datetime.combine(slot.day + timedelta(days=1), clock)
            starts_at = local_instant(next_day, self.zone, where)
        return starts_at

    def _before_day_starts(self, starts_at: datetime, clock: time, slot: Slot) -> bool:
        """Whether a wall-clock start on the day's date is before the day begins."""
        if slot.day_start is not None:
            return starts_at < slot.day_start
        return self.day_change is not None and clock < self.day_change

    def _end(self, starts_at: datetime, event: Element, where: str) -> datetime:
        """<duration> after the start; an empty or zero one (real files have both) gets the
        default length."""
        raw = text(event, "duration")
        length = parse_duration(raw, f"{where}: <duration>") if raw else timedelta(0)
        try:
            return self.lengths.end(starts_at, starts_at + length, where)
        except OverflowError as exc:
            raise ScheduleError(f"{where}: <duration> “{raw}” is too long") from exc

    def _speakers(self, event: Element) -> tuple[str, ...]:
        persons = [*event.findall("persons/person"), *event.findall("person")]
        return add_speakers(self.speakers, [one for person in persons
                                            for one in self._people(person)])

    def _people(self, person: Element) -> list[tuple[str | None, str]]:
        """The (source id, name) of the people one <person> names.

        A person with an id (or guid) is one account, whatever its name says ("Stefan,
        DK6TM"); where the same id carries different names (merged schedules number people
        per source system) the name tells them apart. A person without any id is free text,
        and its commas separate names ("Dr. A, B" in lswt2019).
        """
        name = "".join(person.itertext()).strip()
        source_id = (person.get("id") or person.get("guid") or "").strip()
        if not name:
            return []
        if source_id in self.ambiguous_person_ids:
            return [(f"{source_id}/{name_key(name)}", name)]
        if source_id:
            return [(source_id, name)]
        names = [part.strip() for part in name.split(",") if part.strip()]
        if len(names) > 1:
            self.counts["split_people"] += 1
        return [(None, one) for one in names]

    # links

    def _links(self, event: Element, page_url: str) -> tuple[str, str, tuple[ParsedLink, ...]]:
        """(slides_url, video_url, further links) from links, attachments and recordings.

        A relative reference resolves against the page the event came from (<origin_url>,
        else its <url>: a merged file holds events from several systems), else <base_url>.
        """
        origin = absolute_url(text(event, "origin_url"), "")
        references = self._references(event, origin or page_url or self.base_url)
        slug = text(event, "slug")
        recordings = [absolute_url(text(event, path), "") for path in RECORDING_ELEMENTS]
        recordings += [ref.link.url for ref in references if is_recording(ref, slug)]
        video_url = next(filter(None, recordings), "")
        slides = [ref for ref in references
                  if ref.link.url != video_url and slides_rank(ref) is not None]
        slides_url = min(slides, key=slides_rank).link.url if slides else ""
        used = {page_url, slides_url, video_url}
        links = []
        for ref in references:
            if ref.link.url not in used:
                used.add(ref.link.url)
                links.append(ref.link)
        return slides_url, video_url, tuple(links)

    def _references(self, event: Element, base: str) -> list[Reference]:
        """<links><link> and <attachments><attachment>, in file order; the URL is the href
        (39C3 adds <type> and <title> children), else a text that is itself a URL (36C3)."""
        references = []
        for group in event:
            if group.tag not in ("links", "attachments"):
                continue
            for item in group.iterfind("*"):
                if item.tag not in ("link", "attachment"):
                    continue
                title = text(item, "title") or (item.text or "").strip()
                href = (item.get("href") or text(item, "url")).strip()
                if not href and " " not in title:
                    href, title = title, ""
                url = absolute_url(href, base)
                if not url:
                    self.counts["bad_link"] += 1
                    continue
                kind = (item.get("type") or text(item, "type")).lower()
                references.append(
                    Reference(ParsedLink(url, title), kind, item.tag == "attachment"))
        return references

    # repairs

    def _counted_repairs(self) -> list[str]:
        zone = self.zone_name
        return counted(self.counts, {
            "after_midnight": ("session", " starting before the day's start: placed after "
                               "midnight, on the next calendar date, under the same day"),
            "redated_days": ("day", f" with a date other than the one they start on in {zone} "
                             "(wafer writes UTC dates): filed under the date they start on"),
            "clock_disagrees": ("session", f" whose <start> differs from their <date> in {zone}: "
                                "used <date>, the exact instant"),
            "roomless": ("session", " without a room: left without one"),
            "cancelled": ("session", " whose title starts with CANCELLED: marked cancelled"),
            "split_people": ("speaker entry", "speaker entries", " without an id listing "
                             "several names separated by commas: split into one speaker per name"),
            "shared_ids": ("person id", " shared by people with different names (a merged "
                           "schedule): told apart by id and name"),
            "bad_link": ("link", " without an absolute http(s) URL (relative, another scheme, or "
                         "no URL at all): dropped"),
            "colour": ("track colour", " not in the form #rrggbb: ignored"),
        })


def text(element: Element, path: str) -> str:
    return (element.findtext(path) or "").strip()


def describe(external_id: str, title: str, position: int) -> str:
    """How an error names an event: its id and title, else its place in the file."""
    name = f"event {external_id}" if external_id else f"event #{position} in the file"
    return f"{name} (“{title}”)" if title else name


def parse_clock(raw: str, where: str) -> time:
    """<start> and <day_change>: "9:30", "09:30" or "09:30:00"."""
    parts = raw.strip().split(":")
    numbers = [int(part) for part in parts if part.isdigit()]
    if len(numbers) != len(parts) or len(numbers) not in (2, 3):
        raise ScheduleError(f"{where}: “{raw}” is not a time of day such as 09:30")
    try:
        return time(*numbers)
    except ValueError as exc:
        raise ScheduleError(f"{where}: “{raw}” is not a time of day such as 09:30") from exc


def parse_datetime(raw: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ScheduleError(f"{where}: “{raw}” is not a date and time such as "
                            "2020-02-01T09:30:00+01:00") from exc
    check_year(moment, raw, where)
    return moment


def parse_date(raw: str, where: str) -> date:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ScheduleError(f"{where}: date “{raw}” is not a date such as 2020-02-01") from exc
    check_year(day, raw, where)
    return day


def check_year(when: date, raw: str, where: str) -> None:
    """Refuse the first and last years Python has, so that moving a time to another zone or
    to the next day cannot overflow."""
    if not date.min.year < when.year < date.max.year:
        raise ScheduleError(f"{where}: “{raw}” is out of range")


def first_times(root: Element) -> Iterator[str]:
    """Where a fixed offset is looked for: the event <date>s, then the <day> starts."""
    for element in root.iter("date"):
        yield element.text or ""
    for day in root.iter("day"):
        yield day.get("start", "")


def ambiguous_person_ids(root: Element) -> set[str]:
    """Person ids that the file gives to people with different names."""
    names: defaultdict[str, set[str]] = defaultdict(set)
    for person in root.iter("person"):
        source_id = (person.get("id") or person.get("guid") or "").strip()
        if name := name_key("".join(person.itertext())):
            names[source_id].add(name)
    names.pop("", None)
    return {source_id for source_id, found in names.items() if len(found) > 1}


def absolute_url(raw: str, base: str) -> str:
    """`raw` as an absolute http(s) URL, else "".

    A root-relative path ("/media/x.pdf", as frab and pretalx write attachments) is resolved
    against `base`, the page the event came from: unlike frab's JSON export, whose
    base_url names the folder its files are copied to, this resolves against the host.
    Other relative references, such as a bare "www.example.org", are not guessed at.
    """
    raw = raw.strip()
    if base and raw.startswith("/") and not raw.startswith("//") and not WHITE_SPACE.search(raw):
        raw = urljoin(base, raw)
    return http_url(raw)


def is_recording(reference: Reference, slug: str) -> bool:
    """Whether a link is the session's own recording, not a video it refers to."""
    parts = urlsplit(reference.link.url)
    host = parts.hostname or ""
    if host in RECORDING_HOSTS or RECORDING_TITLE.match(reference.link.title):
        return True
    return host == "media.ccc.de" and bool(slug) and parts.path.rstrip("/") == f"/v/{slug}"


def slides_rank(reference: Reference) -> int | None:
    """How surely a link is the slides, best first: typed "slides" (FOSDEM), an attachment
    (a file the speaker uploaded) titled so, a PDF attachment, a link titled so; None if
    it is none of these."""
    titled = SLIDES_TITLE.search(reference.link.title) is not None
    if reference.type == "slides":
        return 0
    if reference.attachment and titled:
        return 1
    if reference.attachment and urlsplit(reference.link.url).path.lower().endswith(".pdf"):
        return 2
    return 3 if titled else None
