"""Schedule exporters, one module per format, behind the interface in base.py."""

from .base import Exporter
from .base import Selection

#: --format name -> exporter; filled in as the format modules land
EXPORTERS: dict[str, Exporter] = {}

__all__ = ["EXPORTERS", "Exporter", "Selection"]
