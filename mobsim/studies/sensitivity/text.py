"""The sensitivity analysis as a planner reads it in a terminal, and as JSON."""

from __future__ import annotations

import pandas as pd

from mobsim.results.jsonable import dumps
from mobsim.studies.sensitivity.analysis import SensitivityResult
from mobsim.studies.sensitivity.evaluate import OUTPUTS

_GAP = "  "


def _aligned(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows)]
    return [_GAP.join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            for line in [headers, *rows]]


ONE_TRAJECTORY = "needs two trajectories"
"""What the σ of a one-trajectory Morris design says (and its μ* has no ±)."""


def _index_cells(row: pd.Series, output: str, method: str, scale: float) -> list[str]:
    if method == "morris":
        mu, conf, sigma = (row[(output, name)] * scale
                           for name in ("mu_star", "mu_star_conf", "sigma"))
        if pd.isna(sigma):
            return [f"{mu:.2f}", ONE_TRAJECTORY]
        return [f"{mu:.2f} ± {conf:.2f}", f"{sigma:.2f}"]
    return [f"{row[(output, 'S1')]:.2f} ± {row[(output, 'S1_conf')]:.2f}",
            f"{row[(output, 'ST')]:.2f} ± {row[(output, 'ST_conf')]:.2f}"]


def ranking_rows(result: SensitivityResult) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the ranking table, most influential parameter first."""
    method = result.settings.method
    names = ("μ*", "σ") if method == "morris" else ("S1", "ST")
    headers = ["parameter", "range",
               *(f"{n} time (min)" if method == "morris" else f"{n} time" for n in names),
               *(f"{n} on post (pts)" if method == "morris" else f"{n} on post" for n in names)]
    rows = [[key, row[("range", "")], *_index_cells(row, "quantile_min", method, 1.0),
             *_index_cells(row, "share_on_post", method, 100.0)]
            for key, row in result.ranking().iterrows()]
    return headers, rows


ENDS_HEADERS = ["parameter", "range", "verdict at low end", "baseline", "at high end", "flips"]
"""Headers of the table of verdicts at the ends of the ranges."""


def ends_rows(ends: pd.DataFrame) -> list[list[str]]:
    """Rows of the table of verdicts at the ends, in the order of `ends`."""
    return [[r.key, r.range, r.low, r.base, r.high, "yes" if r.flips else "no"]
            for r in ends.itertuples()]


def ends_title(result: SensitivityResult) -> str:
    """What the ends table shows."""
    return (f"verdict with each of the top {len(result.ends)} alone at the ends of its range "
            f"({result.settings.ends_replications} replications; in time/replications)")


def _ends_lines(result: SensitivityResult) -> list[str]:
    if result.ends.empty:
        return []
    return ["", ends_title(result) + ":", *_aligned(ENDS_HEADERS, ends_rows(result.ends))]


def notes(result: SensitivityResult) -> list[str]:
    """What the indices mean, the outputs, and the design's size and cost."""
    s = result.settings
    if s.method == "morris":
        what = ("μ*: mean absolute elementary effect of moving the parameter across 2/3 of its "
                "range (Morris screening), ± its 95% bootstrap half-width; σ: their spread "
                "(interactions or curvature). Time in minutes, on post in percentage points.")
        if s.size < 2:
            what += (" One trajectory gives one effect per parameter: σ and the ± of μ* need "
                     "two trajectories or more (--size 2).")
    else:
        what = ("S1: share of the output's variance from the parameter alone; ST: with all its "
                "interactions (Sobol, Saltelli design), ± 95% bootstrap half-widths.")
    return [what,
            f"time: {OUTPUTS['quantile_min']}; on post: {OUTPUTS['share_on_post']}.",
            f"{len(result.points)} design points × {s.replications} replications, the same "
            f"seed {s.seed} at every point (common random numbers); {result.elapsed_s:.0f} s."]


def format_sensitivity(name: str, result: SensitivityResult) -> str:
    """The ranking table, the verdict at the ends of the top parameters' ranges, the notes."""
    title = (f"{name}: {result.settings.method} sensitivity of {len(result.parameters)} "
             "parameters, ranked by their effect on the district time, then on the share on post")
    return "\n".join([title, "", *_aligned(*ranking_rows(result)), *_ends_lines(result), "",
                      *notes(result)])


def sensitivity_json(name: str, result: SensitivityResult) -> str:
    """Indices per output and parameter, the verdict at the ends, the design's size (an index
    of an output that never varied is null: mobsim.results.jsonable)."""
    return dumps({
        "scenario": name, "method": result.settings.method,
        "design_points": len(result.points), "replications_per_point": result.settings.replications,
        "seed": result.settings.seed, "elapsed_s": round(result.elapsed_s, 3),
        "indices": {output: frame.to_dict("index") for output, frame in result.indices.items()},
        "ends": result.ends.to_dict("records"),
    })
