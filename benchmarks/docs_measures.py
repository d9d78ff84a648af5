"""What each figure of docs/model.md and the scenario headers is: its runs and its function.

A figure's name says what it measures (benchmarks/docs_figures.py finds the names in the texts):

- `RUN.MEASURE` a measure (`MEASURES`) of one of the `RUNS`, e.g. `night.p95`;
- `RUN.vs.OTHER.MEASURE` a paired comparison of two runs of the same seed (`PAIRED`);
- `district.TABLE` rows of a table of the baseline's district, `pool.NAME` people of a pool;
- `homier.CHANNEL` the share the calibrated night defaults reach within 45 min at 04:00;
- `places.unsourced_km2` the area no source gave; `const.MODULE.NAME[.KEY]` a code constant;
- `=KEY` the value of a scenario key in the text's own scenario, `=KEY@low` / `=KEY@high` the
  ends of its [sensitivity] range.

Every run is 59 replications at seed 1, as `mobsim check -n 59 --seed 1` runs them; each is
run once, on first use, and shared by every figure that reads it.
"""

from __future__ import annotations

import importlib
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from mobsim.codes import ACTIVATED_BY, POOLS, TASKS
from mobsim.district import load_district
from mobsim.model.geometry import geometry
from mobsim.model.pools import Pool, place_people
from mobsim.results.bound import BoundCheck, check_bound
from mobsim.results.run import Run
from mobsim.results.stats import finite_order_statistic
from mobsim.results.tail import last_posts
from mobsim.runner import run
from mobsim.scenario import Scenario, load_scenario
from mobsim.scenario.params import Settings
from mobsim.scenario.ranges import parameters

SEED, REPLICATIONS = 1, 59

CADRES_ALONE = (*(f"pools.{name}.teams=0" for name in POOLS), "branches.count=0",
                "cadres.at_once=3241")
"""The reserves before the pools: no pools, no party branches, every cadre on duty at once."""


@dataclass(frozen=True)
class RunSpec:
    """A run the figures read: a shipped scenario with overrides, and whether its per-post
    tables are kept (who filled each post, the last posts, the tasks) or only its summary."""

    scenario: str
    changes: tuple[str, ...]
    tables: bool
    what: str

    def load(self) -> Scenario:
        return load_scenario(self.scenario, self.changes)


RUNS: dict[str, RunSpec] = {
    "baseline": RunSpec("xindu-baseline", (), True, "xindu-baseline"),
    "baseline.cadres-alone": RunSpec("xindu-baseline", CADRES_ALONE, False,
                                     "xindu-baseline without pools and branches, every cadre on duty"),
    "night": RunSpec("xindu-night", (), True, "xindu-night"),
    "night.cadres-alone": RunSpec("xindu-night", CADRES_ALONE, False,
                                  "xindu-night without pools and branches, every cadre on duty"),
    "night.unit-duty": RunSpec("xindu-night", ("duty_officers.units=true",), False,
                               "xindu-night with a duty officer in every paired unit"),
    "night.late-wake": RunSpec("xindu-night", ('presence.wake_start="13:00"',), False,
                               "xindu-night with nobody waking by the clock before 13:00"),
    "weekend": RunSpec("xindu-weekend", (), True, "xindu-weekend"),
    "more-cadres": RunSpec("xindu-more-cadres", (), False, "xindu-more-cadres"),
}


class Runs:
    """The runs of `RUNS`, each run on first use into a temporary folder and kept."""

    def __init__(self, jobs: int, replications: int = REPLICATIONS) -> None:
        self.jobs, self.replications = jobs, replications
        self.done: dict[str, Run] = {}
        self._folder = tempfile.TemporaryDirectory(prefix="mobsim-docs-figures-")

    def __getitem__(self, name: str) -> Run:
        if name not in self.done:
            spec = RUNS[name]
            out = Path(self._folder.name) / name
            self.done[name] = run(spec.load(), self.replications, SEED, out, self.jobs,
                                  write=spec.tables)
        return self.done[name]

    def close(self) -> None:
        self._folder.cleanup()


def _times(r: Run, column: str = "t_full_min") -> np.ndarray:
    return r.replications[column].to_numpy(dtype=float)


def _check(r: Run, column: str = "t_full_min") -> BoundCheck:
    t = r.target
    return check_bound(_times(r, column), t.minutes, t.quantile, t.confidence)


def _filled(r: Run) -> pd.DataFrame:
    """Posts filled by each kind of staff, per replication."""
    posts = r.table("microgrids")
    return pd.crosstab(posts["replication"], posts["activated_by"].astype(str)).reindex(
        columns=list(ACTIVATED_BY), fill_value=0)


def _last(r: Run) -> pd.DataFrame:
    last = last_posts(r.table("microgrids"))
    kinds = r.table("communities").set_index("community_id")["kind"].astype(str)
    return last.assign(kind=last["community_id"].map(kinds), by=last["activated_by"].astype(str))


def _target_clock(spec: RunSpec) -> str:
    settings = Settings(spec.load())
    minute = (settings.order_minute_of_week() + int(settings.target.minutes)) % (24 * 60)
    return f"{minute // 60:02d}:{minute % 60:02d}"


Measure = Callable[[Run], Any]

MEASURES: dict[str, tuple[str, Measure]] = {
    "verdict": ("the verdict of the district time", lambda r: _check(r).verdict),
    "within": ("replications with every post staffed by the target", lambda r: _check(r).within_target),
    "finished": ("replications with every post filled within the horizon",
                 lambda r: int(np.isfinite(_times(r)).sum())),
    "late": ("replications with a post staffed after the target",
             lambda r: _check(r).replications - _check(r).within_target),
    "p95": ("the target percentile of the district time, min", lambda r: _check(r).empirical_quantile_min),
    "upper": ("the upper confidence bound on that percentile, min", lambda r: _check(r).upper_bound_min),
    "needed": ("replications that would decide the verdict if the share in time held",
               lambda r: _check(r).replications_needed),
    "median": ("the median district time, min", lambda r: finite_order_statistic(_times(r), 0.5)),
    "share_at_target": ("mean share of posts staffed by the target",
                        lambda r: r.replications["share_activated_at_target"].mean()),
    "reserves": ("posts filled by reserves (not members) per replication, mean",
                 lambda r: _filled(r).drop(columns=["none", "member"]).sum(axis=1).mean()),
    "last.cadre": ("replications whose last post a cadre filled",
                   lambda r: int((_last(r)["by"] == "cadre").sum())),
    "last.pool": ("replications whose last post a reserve pool's person filled",
                  lambda r: int(_last(r)["by"].isin(POOLS).sum())),
    "last.village": ("replications whose last post is in a village",
                     lambda r: int((_last(r)["kind"] == "village").sum())),
    "act.verdict": ("the verdict of the minute every community can act",
                    lambda r: _check(r, "t_act_min").verdict),
    "act.able": ("replications able to act within the horizon",
                 lambda r: int(np.isfinite(_times(r, "t_act_min")).sum())),
    **{f"act.last.{task}": (f"replications in which {task} comes last",
                            lambda r, task=task: int((r.replications["act_limited_by"] == task).sum()))
       for task in TASKS},
    "act.units_acting": ("sites and checkpoints acting at the target, mean share over the "
                         "replications, %",
                         lambda r: 100 * r.replications["share_units_acting_at_target"].mean()),
    "act.short": ("people short at the target for every site and checkpoint to act, mean",
                  lambda r: r.replications["people_short_at_target"].mean()),
    **{f"filled.{kind}": (f"posts filled by {kind.replace('_', ' ')} per replication, mean",
                          lambda r, kind=kind: _filled(r)[kind].mean())
       for kind in ACTIVATED_BY[1:]},
}
"""Measures of one run: name → (what it is, its function)."""


PAIRED: dict[str, tuple[str, Callable[[np.ndarray], float]]] = {
    "median_gain": ("the median of the paired gain in district time, min",
                    lambda gain: float(np.median(gain))),
    "slower": ("replications slower than the reference", lambda gain: int((gain < 0).sum())),
    "slower_max": ("the most a replication is slower than the reference, min",
                   lambda gain: float(-gain.min())),
}
"""Paired comparisons: the gain is the reference's district time minus the run's, replication
by replication (same seed: common random numbers); never counts as the horizon."""


def _paired(runs: Runs, first: str, reference: str, measure: str) -> float:
    horizon = runs[first].manifest["scenario_data"]["alert"]["horizon_min"]
    mine, theirs = (np.minimum(_times(runs[name]), horizon) for name in (first, reference))
    return PAIRED[measure][1](theirs - mine)


def _homier(channel: str) -> float:
    """The share reached within 45 min at 04:00 by the calibrated night defaults (7.2)."""
    s = load_scenario(None)
    if channel == "phone":
        answer = s.dist("channels.phone.answer.asleep", probability=True).mean
        return s.get("channels.phone.reach") * (1 - (1 - answer) ** s.get("channels.phone.attempts"))
    read = s.dist(f"channels.{channel}.read_min.asleep").mean
    if channel == "messaging":
        return s.get("channels.messaging.reach") * (1 - math.exp(-45 / read))
    # SMS: exponential delivery then exponential reading, within 45 min (hypoexponential)
    deliver = s.dist("channels.sms.delivery_min").mean
    within = 1 - (read * math.exp(-45 / read) - deliver * math.exp(-45 / deliver)) / (read - deliver)
    return s.get("channels.sms.reach") * within


CONSTANT_MODULES = {"generate": "mobsim.district.generate", "places": "mobsim.district.places",
                    "lonlat": "mobsim.district.lonlat", "dispatcher": "mobsim.model.dispatcher"}
"""Modules whose constants `const.MODULE.NAME` may name."""


def _constant(path: str) -> Any:
    module, name, *key = path.split(".")
    value = getattr(importlib.import_module(CONSTANT_MODULES[module]), name)
    for part in key:
        if isinstance(value, (tuple, list)):
            value = value[int(part)]
        else:
            value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def _setting(scenario: Scenario, name: str) -> Any:
    key, _, end = name.partition("@")
    if end:
        ranged = {p.key: p for p in parameters(scenario)}[key]
        return ranged.value(0.0 if end == "low" else 1.0)
    node: Any = scenario.data
    for part in key.split("."):
        node = node[part]
    return node


PLACES: dict[str, tuple[str, Callable[[list], float]]] = {
    "unsourced_km2": ("area of the sub-districts no source gave, km²",
                      lambda sites: sum(s.area_km2 for s in sites
                                        if s.area_source.startswith("placeholder"))),
    "tolerance_min_km": ("the least seat tolerance, km", lambda sites: min(s.seat_tolerance_km for s in sites)),
    "tolerance_max_km": ("the largest seat tolerance, km", lambda sites: max(s.seat_tolerance_km for s in sites)),
    "urban": ("urban communities over the sub-districts", lambda sites: sum(s.urban for s in sites)),
    "villages": ("villages over the sub-districts", lambda sites: sum(s.villages for s in sites)),
}
"""Figures of the sub-districts' sites (mobsim/district/places.py)."""


def _places(name: str) -> float:
    return PLACES[name][1](list(_constant("places.SITES")))


def _communities_per_unit(end: str) -> int:
    district = load_district(Settings(load_scenario(None)).district_source)
    counts = np.bincount(district.pairings["unit_id"])
    return int(counts.min() if end == "min" else counts.max())


def _pool_people(name: str) -> int:
    settings = Settings(load_scenario(None))
    district = load_district(settings.district_source)
    return len(place_people(Pool.of(settings, name), geometry(district)).community)


def value(name: str, runs: Runs, scenario: Scenario) -> Any:
    """The figure `name` (module docstring); `scenario` is the text's own, for `=KEY`."""
    head, _, rest = name.partition(".")
    if name.startswith("="):
        return _setting(scenario, name[1:])
    if head == "const":
        return _constant(rest)
    if head == "district":
        return load_district(Settings(load_scenario(None)).district_source).rows(rest)
    if head == "pool":
        return _pool_people(rest)
    if head == "homier":
        return _homier(rest)
    if head == "places":
        return _places(rest)
    if head == "pairing":
        return _communities_per_unit(rest)
    run_name, measure = split_run(name)
    if measure == "target_clock":
        return _target_clock(RUNS[run_name])
    if measure.startswith("="):
        return _setting(RUNS[run_name].load(), measure[1:])
    if measure.startswith("vs."):
        reference, _, paired = measure[3:].rpartition(".")
        return _paired(runs, run_name, reference, paired)
    return MEASURES[measure][1](runs[run_name])


def split_run(name: str) -> tuple[str, str]:
    """(run, measure) of `RUN.MEASURE`, the longest run name first; KeyError if none fits."""
    for run_name in sorted(RUNS, key=len, reverse=True):
        if name.startswith(run_name + "."):
            measure = name[len(run_name) + 1:]
            known = measure == "target_clock" or measure in MEASURES or measure.startswith("=") or (
                measure.startswith("vs.") and measure.rpartition(".")[2] in PAIRED
                and measure[3:].rpartition(".")[0] in RUNS)
            if known:
                return run_name, measure
    raise KeyError(name)


def description(name: str) -> str:
    """What the figure is, in one line: the footnote of docs/model.md."""
    head, _, rest = name.partition(".")
    if name.startswith("="):
        key, _, end = name[1:].partition("@")
        return (f"the {end} end of the range of `{key}` in `[sensitivity]`" if end
                else f"the value of `{key}` (docs/parameters.md)")
    module, _, attribute = rest.partition(".")
    fixed = {"const": f"`{attribute}` of `{CONSTANT_MODULES.get(module, module)}`", "district": f"rows of the district's "
             f"{rest.replace('_', ' ')} table", "pool": f"people of the {rest.replace('_', ' ')} pool",
             "homier": f"share reached by {rest} within 45 min at 04:00 with the calibrated night "
             "defaults", "pairing": f"the {rest} of the communities a paired unit serves"}
    if head in fixed:
        return fixed[head]
    if head == "places":
        return PLACES[rest][0]
    run_name, measure = split_run(name)
    where = f"{RUNS[run_name].what}, {REPLICATIONS} replications at seed {SEED}"
    if measure == "target_clock":
        return f"clock time of the target in {RUNS[run_name].what}"
    if measure.startswith("="):
        return f"the value of `{measure[1:]}` in {RUNS[run_name].what}"
    if measure.startswith("vs."):
        reference, _, paired = measure[3:].rpartition(".")
        return f"{where}, against {RUNS[reference].what}: {PAIRED[paired][0]}"
    return f"{where}: {MEASURES[measure][0]}"
