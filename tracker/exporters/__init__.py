"""Schedule exporters, one module per format, behind the interface in base.py."""

from .base import Exporter
from .base import Selection
from .frab_json import FrabJsonExporter
from .frab_xml import FrabXmlExporter
from .ical import ICalExporter

#: --format name (and URL extension) -> exporter
EXPORTERS: dict[str, Exporter] = {
    exporter.name: exporter for exporter in (ICalExporter(), FrabXmlExporter(), FrabJsonExporter())
}

__all__ = ["EXPORTERS", "Exporter", "Selection"]
