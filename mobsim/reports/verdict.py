"""The bound verdict in a planner's words, and the statistics behind it for `--verbose`."""

from __future__ import annotations

import math

from mobsim.results.bound import FAIL, PASS, BoundCheck
from mobsim.results.shares import percent_text

IN_TIME = "were in time"
"""What a replication within the district-time target did, in plain words."""


def _pct(share: float) -> str:
    return f"{share * 100:g}%"


def more_runs(check: BoundCheck) -> str:
    """How many more replications would decide an UNDECIDED check, in words."""
    if check.replications_needed is None:
        return ("the share in time sits at the asked share, so more runs would hardly decide it; "
                "change the scenario or the target")
    more = check.replications_needed - check.replications
    return f"about {more} more run{'s' if more != 1 else ''} would decide it if the share held"


def plain_verdict(check: BoundCheck, in_time: str = IN_TIME,
                  finish: str = "finish in time") -> str:
    """"59 of 59 runs were in time; with 95% confidence at least 95% of orders … finish in time"."""
    runs = f"{check.within_target} of {check.replications} runs {in_time}"
    confidence, asked = _pct(check.confidence), _pct(check.quantile)
    if check.verdict == PASS:
        return (f"{runs}; with {confidence} confidence at least {asked} of orders like this one "
                f"{finish}.")
    if check.verdict == FAIL:
        return (f"{runs}; with {confidence} confidence fewer than {asked} of orders like this one "
                f"{finish} (at most {_pct(round(check.upper_bound_share, 3))}).")
    return (f"{runs}; not yet enough to say with {confidence} confidence whether at least "
            f"{asked} of orders like this one {finish}: {more_runs(check)}.")


def _minutes(value: float) -> str:
    return f"{value:.1f}" if math.isfinite(value) else "never"


def statistics_lines(check: BoundCheck) -> list[str]:
    """The named statistics behind the verdict (order statistic, Clopper–Pearson bounds)."""
    q_pct, c_pct = f"{check.quantile * 100:g}th", _pct(check.confidence)
    if check.order_index is None:
        bound = "none: too few replications for any order statistic to bound it"
    else:
        bound = (f"{_minutes(check.upper_bound_min)} min (order statistic {check.order_index} "
                 f"of {check.replications})")
    return [
        f"within target: {check.within_target} of {check.replications} "
        f"({percent_text(check.share_within_target)})",
        f"empirical {q_pct} percentile: {_minutes(check.empirical_quantile_min)} min; "
        f"one-sided upper bound: {bound}",
        f"one-sided Clopper–Pearson {c_pct} bounds on P(T ≤ {check.target_min:g} min): "
        f"lower {check.lower_bound_share:.4f}, upper {check.upper_bound_share:.4f}; "
        f"PASS when lower ≥ {check.quantile:g}, FAIL when upper < {check.quantile:g}",
    ]
