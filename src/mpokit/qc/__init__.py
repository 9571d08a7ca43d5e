"""Connector QC: end-face geometry of MT and round ferrules from interferometer height maps.

Data flows one way: a height-map file -> :class:`Scan` -> geometry (:class:`MtGeometry` or
:class:`RoundGeometry`) -> :class:`QcResult` (checks against a limit profile) -> JSON, CSV
summary or HTML report. Definitions of every number: ``docs/qc.md``.

Examples
--------
>>> from mpokit.qc import analyze_scan, simulate_mt
>>> scan, truth = simulate_mt(fibers=12, seed=7)
>>> result = analyze_scan(scan, "mt-pc")
>>> len(result.geometry.height_nm), result.profile, result.verdict in ("pass", "fail")
(12, 'mt-pc', True)
"""

from mpokit.qc.analyze import QcFailure, QcResult, Verdict, analyze_scan, measure
from mpokit.qc.batch import analyze_file, discover, run_batch, summary_csv
from mpokit.qc.io import Scan, read_scan, write_scan
from mpokit.qc.limits import ScanLimits
from mpokit.qc.lot import LotSummary, ParameterStats, lot_summary
from mpokit.qc.mt import MtGeometry, analyze_mt
from mpokit.qc.profiles import Check, Limit, Profile, builtin_profiles, get_profile
from mpokit.qc.round import RoundGeometry, analyze_round
from mpokit.qc.simulate import MtTruth, RoundTruth, simulate, simulate_mt, simulate_round

__all__ = [
    "Check",
    "Limit",
    "LotSummary",
    "MtGeometry",
    "MtTruth",
    "ParameterStats",
    "Profile",
    "QcFailure",
    "QcResult",
    "RoundGeometry",
    "RoundTruth",
    "Scan",
    "ScanLimits",
    "Verdict",
    "analyze_file",
    "analyze_mt",
    "analyze_round",
    "analyze_scan",
    "builtin_profiles",
    "discover",
    "get_profile",
    "lot_summary",
    "measure",
    "read_scan",
    "run_batch",
    "simulate",
    "simulate_mt",
    "simulate_round",
    "summary_csv",
    "write_scan",
]
