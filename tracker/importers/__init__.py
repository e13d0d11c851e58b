"""Schedule importers, one module per format, behind the interface in base.py."""

from .base import Importer
from .base import ScheduleError

#: --format name -> importer; filled in as the format modules land
IMPORTERS: dict[str, Importer] = {}


def detect_format(data: bytes) -> str:
    """The name of the importer whose format the content looks like.

    :raise ScheduleError: if none recognises it
    """
    head = data[:8192]
    for name, importer in IMPORTERS.items():
        if importer.sniff(head):
            return name
    raise ScheduleError("unknown format: not a frab XML or JSON schedule, an iCalendar file "
                        "or a CSV file with a title and start column")


__all__ = ["IMPORTERS", "Importer", "ScheduleError", "detect_format"]
