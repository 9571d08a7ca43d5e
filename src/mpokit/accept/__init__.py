"""Field acceptance: tester results and OTDR traces reconciled with the plan.

Read the plan (:func:`read_plan`), the tester's results (:func:`read_results`) and OTDR
traces (:func:`read_sor`), then :func:`reconcile` them: one status per designed channel
(``STATUSES``), the likeliest cause of a polarity mismatch, the element holding an OTDR
event's excess loss or reflection. See ``docs/accept.md``.
"""

from __future__ import annotations

from mpokit.accept.design import PlanDesigns, plan_designs, read_plan
from mpokit.accept.limits import limits_table
from mpokit.accept.otdr import OtdrTrace, attribute, parse_sor, read_sor
from mpokit.accept.reconcile import STATUSES, AcceptResult, ChannelFinding, reconcile
from mpokit.accept.report import generate_html, summary, write_json, write_report
from mpokit.accept.results import FieldResults, concat_results, parse_results_text, read_results
from mpokit.accept.simulate import Fault, Simulated, simulate

__all__ = [
    "STATUSES",
    "AcceptResult",
    "ChannelFinding",
    "Fault",
    "FieldResults",
    "OtdrTrace",
    "PlanDesigns",
    "Simulated",
    "attribute",
    "concat_results",
    "generate_html",
    "limits_table",
    "parse_results_text",
    "parse_sor",
    "plan_designs",
    "read_plan",
    "read_results",
    "read_sor",
    "reconcile",
    "simulate",
    "summary",
    "write_json",
    "write_report",
]
