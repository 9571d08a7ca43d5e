"""Channel loss, reach and reflectance budgets (docs/loss.md).

* :func:`budget` / :func:`budget_for_check`: deterministic budget of a compiled channel
  (per lane, worst case and nominal) with findings ``loss``, ``reach``, ``fiber_type``,
  ``reflectance``;
* :func:`monte_carlo`: probability that a channel built from graded parts passes;
* :func:`supportable_length` / :func:`reach_table`: how far an application reaches with
  so many connections of a grade;
* :func:`tester_limits`: per-channel limits for field certification (CSV / JSON);
* :func:`budget_batch` / :func:`budget_arrays`: vectorised budgets for planners.

Examples
--------
>>> supportable_length("400GBASE-SR8", "OM4", connections=4, grade="C").limited_by
'infeasible'
>>> supportable_length("400GBASE-SR8", "OM4", connections=4, grade="C", case="nominal").length_m
100.0
"""

from mpokit.loss.budget import (
    BatchBudget,
    LossBudget,
    Part,
    Reflection,
    budget,
    budget_arrays,
    budget_batch,
    budget_for_check,
)
from mpokit.loss.export import (
    generate_tester_csv,
    generate_tester_json,
    tester_limits,
    write_tester_limits,
    write_tester_records,
)
from mpokit.loss.findings import CODES
from mpokit.loss.grades import Grade, defaults, extend_grades, grade, grades
from mpokit.loss.limits import (
    Application,
    Fiber,
    Limit,
    application,
    applications,
    attenuation,
    channel_limit,
    fiber,
    fibers,
)
from mpokit.loss.montecarlo import McResult, monte_carlo, monte_carlo_arrays
from mpokit.loss.reach import Reach, reach_table, supportable_length
from mpokit.loss.sets import SetBudgets, budget_set, monte_carlo_set, tester_limits_set
from mpokit.loss.temperature import CaseMargins, cold_hot_margins, segment_change_db_per_km

__all__ = [
    "CODES",
    "Application",
    "BatchBudget",
    "CaseMargins",
    "Fiber",
    "Grade",
    "Limit",
    "LossBudget",
    "McResult",
    "Part",
    "Reach",
    "Reflection",
    "SetBudgets",
    "application",
    "applications",
    "attenuation",
    "budget",
    "budget_arrays",
    "budget_batch",
    "budget_for_check",
    "budget_set",
    "channel_limit",
    "cold_hot_margins",
    "defaults",
    "extend_grades",
    "fiber",
    "fibers",
    "generate_tester_csv",
    "generate_tester_json",
    "grade",
    "grades",
    "monte_carlo",
    "monte_carlo_arrays",
    "monte_carlo_set",
    "reach_table",
    "segment_change_db_per_km",
    "supportable_length",
    "tester_limits",
    "tester_limits_set",
    "write_tester_limits",
    "write_tester_records",
]
