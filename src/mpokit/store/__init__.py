"""The QC store: a traceability database of IL/RL and geometry results per assembly serial.

Open it with :func:`open_store` (embedded SQLite by default, PostgreSQL by URL), import station
files with :func:`import_file`, grade assemblies, run incoming inspections and issue
certificates. See ``docs/store.md``.
"""

from __future__ import annotations

from mpokit.store.db import Store, default_url, open_store
from mpokit.store.importer import ImportResult, import_file
from mpokit.store.layouts import Mapping, parse_mapping, read_mapping

__all__ = [
    "ImportResult",
    "Mapping",
    "Store",
    "default_url",
    "import_file",
    "open_store",
    "parse_mapping",
    "read_mapping",
]
