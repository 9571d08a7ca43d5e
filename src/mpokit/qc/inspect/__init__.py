"""End-face inspection from microscope images (IEC 61300-3-35 zones, scratches, defects).

Data flows one way: an image file -> :class:`EndFaceImage` -> fibers located and their
cladding edges fitted -> flaws detected and measured -> zones counted and graded against
the acceptance table of the connector class -> :class:`InspectResult` (verdict and action
per fiber) -> JSON, flat records, overlay images and an HTML report. Definitions:
``docs/inspect.md``. Needs the ``inspect`` extra (scikit-image, scipy, Pillow, tifffile).

Example:
    >>> from mpokit.qc.inspect import inspect_image, simulate_inspection
    >>> img, truth = simulate_inspection(layout="mt", fibers=4, seed=1)
    >>> res = inspect_image(img, "mm-pc")
    >>> res.ferrule, len(res.fibers), res.verdict
    ('mt', 4, 'pass')
"""

from mpokit.qc.inspect.analyze import (
    FiberInspection,
    InspectedFeature,
    InspectResult,
    ZoneTally,
    inspect_image,
)
from mpokit.qc.inspect.image import EndFaceImage, discover_images, read_image, write_image
from mpokit.qc.inspect.rules import RuleSet, builtin_rules, get_rules
from mpokit.qc.inspect.simulate import SimTruth, simulate_inspection

__all__ = [
    "EndFaceImage",
    "FiberInspection",
    "InspectResult",
    "InspectedFeature",
    "RuleSet",
    "SimTruth",
    "ZoneTally",
    "builtin_rules",
    "discover_images",
    "get_rules",
    "inspect_image",
    "read_image",
    "simulate_inspection",
    "write_image",
]
