"""Standards and catalogues as data: connectors, polishes, transceivers.

Every record carries ``source`` and ``status`` (verified / derived / vendor / typical).

Examples
--------
>>> from mpokit.standards import connector, transceiver
>>> connector("MPO-16").key
'offset'
>>> transceiver("800G-2xDR4").ports[1].connector
'MPO-12'
"""

from mpokit.standards._records import Record, Status, Strict
from mpokit.standards.catalog import Catalog
from mpokit.standards.connectors import (
    Connector,
    Gender,
    KeyStyle,
    MdiPort,
    Polish,
    PolishSpec,
    Transceiver,
    connector,
    connectors,
    polishes,
    transceiver,
    transceivers,
)
from mpokit.standards.environments import (
    CableConstruction,
    Environment,
    EnvironmentCatalog,
    cpr_satisfies,
    environment_catalog,
)
from mpokit.standards.parts import (
    Breakout,
    BreakoutLeg,
    Cassette,
    breakout,
    breakouts,
    cassette,
    cassettes,
)
from mpokit.standards.provenance import (
    Provenance,
    is_standard,
    provenance_tag,
    weakest,
    with_provenance,
)
from mpokit.standards.user import load_user_catalog

__all__ = [
    "Breakout",
    "BreakoutLeg",
    "CableConstruction",
    "Cassette",
    "Catalog",
    "Connector",
    "Environment",
    "EnvironmentCatalog",
    "Gender",
    "KeyStyle",
    "MdiPort",
    "Polish",
    "PolishSpec",
    "Provenance",
    "Record",
    "Status",
    "Strict",
    "Transceiver",
    "breakout",
    "breakouts",
    "cassette",
    "cassettes",
    "connector",
    "connectors",
    "cpr_satisfies",
    "environment_catalog",
    "is_standard",
    "load_user_catalog",
    "polishes",
    "provenance_tag",
    "transceiver",
    "transceivers",
    "weakest",
    "with_provenance",
]
