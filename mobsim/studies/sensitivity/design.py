"""Designs and indices of a sensitivity analysis (SALib): Morris screening and Sobol indices.

Every parameter is sampled on the unit interval; `ranges.Parameter.value` maps a unit number
to the key's value (a range, a beta prior's quantile, a factor), so one design serves every
kind of parameter.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from mobsim.errors import InputError

METHODS = ("morris", "sobol")
"""Methods `mobsim sensitivity` offers."""

MORRIS_LEVELS = 4
"""Grid levels of a Morris design (steps of 2/3 of the range, the usual choice)."""

INDEX_CONFIDENCE = 0.95
"""Confidence of the bootstrap intervals SALib gives with the indices."""


def problem(names: list[str]) -> dict:
    """The SALib problem: every parameter on [0, 1]."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sample(method: str, names: list[str], size: int, seed: int) -> np.ndarray:
    """Unit design points (rows) of `method`: `size` trajectories (Morris) or base samples (Sobol)."""
    # SALib, and scipy.stats with it, loads here, not on import: every `mobsim run` reads the
    # shipped ranking through this package, and the import was a third of a run's fixed cost.
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method == "morris":
        return morris_sample.sample(problem(names), size, num_levels=MORRIS_LEVELS, seed=seed)
    if method == "sobol":
        if size & (size - 1):
            raise InputError(f"--size {size}: Sobol base samples must be a power of 2")
        return sobol_sample.sample(problem(names), size, calc_second_order=False, seed=seed)
    raise InputError(f"--method {method}: expected one of {', '.join(METHODS)}")


def indices(method: str, names: list[str], points: np.ndarray, outputs: np.ndarray,
            seed: int) -> pd.DataFrame:
    """One row per parameter: μ*, its interval half-width, μ and σ (Morris), or S1, ST ± (Sobol)."""
    from SALib.analyze import morris as morris_analyze  # on use: see `sample`
    from SALib.analyze import sobol as sobol_analyze

    if method == "morris":
        with warnings.catch_warnings():
            # one trajectory: the spread of one effect is undefined (NaN, said in the text)
            warnings.simplefilter("ignore", RuntimeWarning)
            found = morris_analyze.analyze(problem(names), points, outputs,
                                           num_levels=MORRIS_LEVELS,
                                           conf_level=INDEX_CONFIDENCE, seed=seed)
        table = pd.DataFrame({"mu_star": found["mu_star"], "mu_star_conf": found["mu_star_conf"],
                              "mu": found["mu"], "sigma": found["sigma"]}, index=names)
        if trajectories(points, names) < 2:  # a bootstrap of one effect has no width to give
            table[["mu_star_conf", "sigma"]] = np.nan
        return table
    if np.ptp(outputs) == 0:
        # no variance to apportion: every index is zero, exactly (SALib would divide by zero)
        zero = np.zeros(len(names))
        return pd.DataFrame({"S1": zero, "S1_conf": zero, "ST": zero, "ST_conf": zero},
                            index=names)
    found = sobol_analyze.analyze(problem(names), outputs, calc_second_order=False,
                                  conf_level=INDEX_CONFIDENCE, seed=seed)
    return pd.DataFrame({"S1": found["S1"], "S1_conf": found["S1_conf"], "ST": found["ST"],
                         "ST_conf": found["ST_conf"]}, index=names)


def trajectories(points: np.ndarray, names: list[str]) -> int:
    """Morris trajectories in a design: each is parameters + 1 points."""
    return len(points) // (len(names) + 1)


def ranking_column(method: str) -> str:
    """The index parameters are ranked by: μ* (Morris) or ST (Sobol)."""
    return "mu_star" if method == "morris" else "ST"
