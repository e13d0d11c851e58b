"""Schedule importers, one module per format, behind the interface in base.py."""

from .base import Importer
from .base import ScheduleError
from .csv_file import CsvImporter
from .frab_json import FrabJsonImporter
from .frab_xml import FrabXmlImporter
from .ical import ICalImporter
from .xcal import XCalImporter

#: --format name -> importer, in the order detect_format() asks them: frab XML and xCal
#: are told apart by their root element (<schedule>, <icalendar>), and CSV, whose sniff
#: only reads a header line, comes last
IMPORTERS: dict[str, Importer] = {
    importer.name: importer
    for importer in (FrabXmlImporter(), FrabJsonImporter(), ICalImporter(), XCalImporter(),
                     CsvImporter())
}


def detect_format(data: bytes) -> str:
    """The name of the importer whose format the content looks like.

    :raise ScheduleError: if none recognises it
    """
    head = data[:8192]
    for name, importer in IMPORTERS.items():
        if importer.sniff(head):
            return name
    raise ScheduleError("unknown format: not a frab XML or JSON schedule, an iCalendar or "
                        "xCal file or a CSV file with a title and start column")


__all__ = ["IMPORTERS", "Importer", "ScheduleError", "detect_format"]
