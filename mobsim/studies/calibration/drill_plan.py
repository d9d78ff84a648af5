"""What to measure next: the placeholders a verdict hangs on most, as a drill plan.

The ranking comes from a sensitivity folder (`mobsim sensitivity -o DIR`, its own order), or
for a run folder from the ranking shipped with the package (`SHIPPED`: a screening of the
built-in baseline), keeping the placeholders the run's scenario leaves as they are. For each
placeholder the plan names the drill-log column that would inform it (docs/calibration.md)
and how many observations a drill needs to narrow it:

- a share or probability p with range [low, high]: a 95% binomial interval (normal
  approximation) a quarter as wide as the range, n = (2 z)² p (1 − p) / w², w = (high − low) / 4;
- a time or speed with range [low, high] (a factor range: its two factors): the median's 95%
  interval on the log scale a quarter as wide as the range's, n = (2 z σ / w)²,
  w = ln(high / low) / 4, σ the spread of one observation on the log scale (the distribution's:
  a lognormal's sigma, an exponential's π/√6; `ASSUMED_LOG_SD` when the model holds the number
  fixed);
- a count (phone lines, team sizes, cadres on duty): read off the roster or the plan, no sample;
- anything else: no column of the drill log informs it; the plan says which record would.
"""

from __future__ import annotations

import fnmatch
import functools
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from mobsim.errors import InputError
from mobsim.scenario import Scenario, load_scenario
from mobsim.scenario.provenance import rests_on, sources
from mobsim.scenario.ranges import Parameter, parameters

if TYPE_CHECKING:
    from mobsim.studies.sensitivity.analysis import SensitivityResult

Z95 = 1.959964
"""Two-sided 95% normal quantile."""

NARROWING = 4
"""A drill should narrow a placeholder's range to a 95% interval this many times narrower."""

ASSUMED_LOG_SD = 0.5
"""Person-to-person spread (log scale) assumed for a time or speed the model holds fixed."""

SHIPPED = resources.files("mobsim.scenario.builtin") / "ranking"
"""A sensitivity folder of the built-in baseline shipped with the package: the ranking a run
folder is read against (docs/parameters.md says how it was made and how to make it again)."""


@dataclass(frozen=True)
class Measure:
    """Where a drill observes a key: the drill-log column, who gives one observation, and how."""

    column: str
    who: str
    kind: str  # "share", "time", "count" or "none"


_CALL_LOG = Measure("", "the drill log keeps only the first delivery and the acknowledgement: "
                    "a call log with every attempt would", "none")
_COMMAND = Measure("", "a rule of the command, not a delay of people: the command's log of "
                   "the drill would", "none")
_NOT_LOGGED = Measure("", "not in the drill log (its rows are commands, grid workers, members "
                      "and cadres): the body's own record of the drill would", "none")
_DOOR = Measure("", "door-to-door work is not in the drill log: a record per door visited "
                "would", "none")

MEASURES: tuple[tuple[str, Measure], ...] = (
    ("cascade.district.processing_min", Measure(
        "notified_min of the subdistrict rows", "drills (one observation each: the district "
        "command)", "time")),
    ("cascade.subdistricts.processing_min", Measure(
        "first notified_min of its community rows − acknowledged_min", "sub-district commands",
        "time")),
    ("cascade.communities.processing_min", Measure(
        "first notified_min of its gridworker rows − acknowledged_min", "community heads",
        "time")),
    ("cascade.gridworkers.processing_min", Measure(
        "first notified_min of its member rows − acknowledged_min", "grid workers", "time")),
    ("cascade.*.callers", Measure("", "the command post's phone lines (its plan)", "count")),
    ("cascade.units.*", _NOT_LOGGED),
    ("channels.phone.*", _CALL_LOG),
    ("channels.messaging.reach", Measure(
        "channel, for rows relayed on messaging", "people relayed on messaging", "share")),
    ("channels.messaging.read_min.*", Measure(
        "acknowledged_min − notified_min, channel messaging", "people who acknowledge on "
        "messaging while {last}", "time")),
    ("channels.sms.reach", Measure("channel, for rows relayed by SMS", "people relayed by SMS",
                                   "share")),
    ("channels.sms.read_min.*", Measure(
        "acknowledged_min − notified_min, channel sms (delivery and reading together)",
        "people who acknowledge by SMS while {last}", "time")),
    ("commanders.presence.*", Measure("state of the subdistrict and community rows",
                                      "command posts at a drill ordered in the {before} period", "share")),
    ("gridworkers.presence.*", Measure("state of the gridworker rows",
                                       "grid workers at a drill ordered in the {before} period", "share")),
    ("members.presence.*", Measure("state of the member rows", "members at a drill ordered in the {before} period",
                                   "share")),
    ("cadres.presence.*", Measure("state of the cadre rows", "cadres at a drill ordered in the {before} period",
                                  "share")),
    ("members.availability.*", Measure(
        "set_out_min given acknowledged_min (state not away)", "members who acknowledge at a "
        "drill ordered in the {last} period", "share")),
    ("cadres.availability.*", Measure(
        "arrived_min given acknowledged_min (state not away)", "cadres who acknowledge at a "
        "drill ordered in the {last} period", "share")),
    ("members.prepare_min.*", Measure("set_out_min − acknowledged_min",
                                      "members who acknowledge while {last}", "time")),
    ("cadres.prepare_min.*", Measure("set_out_min − acknowledged_min",
                                     "cadres who acknowledge while {last}", "time")),
    ("gridworkers.*", Measure("", "grid workers going to gaps are not in the drill log: their "
                              "record of the gaps they covered would", "none")),
    ("travel.ride_speed_kmh", Measure(
        "arrived_min − set_out_min over the route (members beyond travel.walk_max_km)",
        "members riding from home", "time")),
    ("travel.inside_compound_min.*", Measure(
        "arrived_min − set_out_min less the route's walk, posts in {last} compounds",
        "members walking from home to such posts", "time")),
    ("travel.*", Measure("", "a property of routes, not of people: a map or GPS traces of the "
                         "trips would", "none")),
    ("periods.*", Measure("", "clock hours of daily life: a time-use survey would", "none")),
    ("presence.*", Measure("", "waking times are not in the drill log (a night drill's "
                           "acknowledgements mix them with reading): a survey would", "none")),
    ("cadres.speed_kmh", Measure("arrived_min − set_out_min over the ride from the unit",
                                 "cadres", "time")),
    ("cadres.at_once", Measure("cadre rows with arrived_min within the first hours",
                               "the roster: count the cadres on duty", "count")),
    ("chase.after_min", Measure("acknowledged_min of rows with channel door after failed calls",
                                "members found at the door", "time")),
    ("chase.success", Measure("channel door among members whose calls failed",
                              "members chased at the door", "share")),
    ("pools.*.team_size", Measure("", "the pool's roster", "count")),
    ("branches.*", _COMMAND),
    ("escalation.*", _COMMAND),
    ("cadres.*", _COMMAND),
    ("tasks.*", Measure("", "the wartime tasks are not in the drill log: the sites' and "
                        "checkpoints' own records would", "none")),
    ("canvass.*", _DOOR), ("action.*", _DOOR), ("scan.*", _DOOR),
    ("*", _NOT_LOGGED),
)
"""Key patterns (first match wins) → where a drill observes them."""


def measure_of(key: str) -> Measure:
    """Where a drill observes `key`, {last} and {before} filled from its last two parts."""
    parts = [part.replace("_", " ") for part in key.split(".")]
    for pattern, measure in MEASURES:
        if fnmatch.fnmatchcase(key, pattern):
            who = measure.who.replace("{last}", parts[-1]).replace("{before}", parts[-2])
            column = measure.column.replace("{last}", parts[-1])
            return Measure(column, who, measure.kind)
    raise AssertionError("the last pattern matches every key")


def observations_needed(measure: Measure, parameter: Parameter | None,
                        scenario: Scenario) -> int | None:
    """Observations that narrow the range `NARROWING` times (module docstring); None when the
    key is a count, is not in the drill log, or has no range to narrow."""
    if parameter is None or measure.kind not in ("share", "time"):
        return None
    low, high = parameter.value(0.0), parameter.value(1.0)
    if measure.kind == "share":
        p = _share(parameter)
        width = (float(high) - float(low)) / NARROWING
        return math.ceil((2 * Z95) ** 2 * p * (1 - p) / width ** 2) if width > 0 else None
    if parameter.kind == "factor":
        low, high = parameter.low, parameter.high
    if not (isinstance(low, (int, float)) and low > 0 and high > low):
        return None
    width = math.log(high / low) / NARROWING
    return math.ceil((2 * Z95 * _log_sd(scenario, parameter.key) / width) ** 2)


def _share(parameter: Parameter) -> float:
    if parameter.kind == "share":
        return float(parameter.base[parameter.key.rpartition(".")[2]])
    if isinstance(parameter.base, dict):
        a, b = parameter.base.get("a", 1.0), parameter.base.get("b", 1.0)
        return a / (a + b)
    return float(parameter.base)


def _log_sd(scenario: Scenario, key: str) -> float:
    """Spread of one observation on the log scale (module docstring)."""
    dist = scenario.dist(key)
    if dist.family == "lognormal":
        return dist.param("sigma")
    if dist.family == "exponential":
        return math.pi / math.sqrt(6)
    if dist.family == "gamma":
        from scipy.special import polygamma
        return math.sqrt(float(polygamma(1, dist.param("shape"))))
    if dist.family == "uniform":
        return _uniform_log_sd(dist.param("low"), dist.param("high"))
    return ASSUMED_LOG_SD


def _uniform_log_sd(a: float, b: float) -> float:
    if a <= 0 or b <= a:
        return ASSUMED_LOG_SD

    def moments(x: float) -> tuple[float, float]:
        log = math.log(x)
        return x * log - x, x * (log * log - 2 * log + 2)

    (m1a, m2a), (m1b, m2b) = moments(a), moments(b)
    mean, square = (m1b - m1a) / (b - a), (m2b - m2a) / (b - a)
    return math.sqrt(max(square - mean * mean, 0.0))


@dataclass(frozen=True)
class Step:
    """One placeholder of the plan: its rank in the ranking, its effect, how a drill measures it."""

    rank: int
    key: str
    effect_min: float
    range: str
    measure: Measure
    observations: int | None


@dataclass(frozen=True)
class DrillPlan:
    """The placeholders in ranking order, where the ranking came from, and what it left out."""

    scenario: str
    ranking: str
    index: str
    """The index the ranking sorts by, with its unit: "μ* (min)" or "ST"."""
    steps: list[Step]
    sourced: list[tuple[int, str]]
    """Ranked keys that are not placeholders (rank, key): already sourced or set by the scenario."""


def drill_plan(folder: str | Path) -> DrillPlan:
    """The drill plan of a sensitivity folder (its ranking) or a run folder (the shipped one)."""
    from mobsim.studies.sensitivity.folder import MANIFEST  # the studies' package: on use

    folder = Path(folder)
    if (folder / MANIFEST).is_file():
        scenario, ranked, index = _ranking(folder)
        what = f"sensitivity folder {folder}"
    elif (folder / "manifest.json").is_file() and (folder / "scenario.toml").is_file():
        scenario = load_scenario(folder / "scenario.toml")
        _, ranked, index = _ranked(*_shipped())
        what = f"the baseline ranking shipped with mobsim ({shipped_description()})"
    else:
        raise InputError(f"{folder}: neither a sensitivity folder (no {MANIFEST}) nor a run "
                         "folder (no manifest.json and scenario.toml)")
    return plan_of(scenario, ranked, what, index)


def _ranking(folder: Path) -> tuple[Scenario, list[tuple[str, float, str]], str]:
    """(key, effect on the target percentile, range) in the folder's ranking order, and the
    index it sorts by."""
    from mobsim.studies.sensitivity.folder import read_folder

    return _ranked(*read_folder(folder))


@functools.cache
def _shipped() -> tuple[Scenario, SensitivityResult]:
    """The ranking shipped with the package (`SHIPPED`), read once: a run's summary uses it
    three times."""
    from mobsim.studies.sensitivity.folder import read_folder

    return read_folder(Path(str(SHIPPED)))


def _ranked(scenario: Scenario, result: SensitivityResult
            ) -> tuple[Scenario, list[tuple[str, float, str]], str]:
    """`_ranking` of a folder's scenario and analysis."""
    from mobsim.studies.sensitivity.design import ranking_column

    table = result.ranking()
    column = ranking_column(result.settings.method)
    ranges = {p.key: p.describe_range() for p in result.parameters}
    index = "μ* (min)" if column == "mu_star" else column
    return scenario, [(key, float(table.loc[key, ("quantile_min", column)]), ranges[key])
                      for key in table.index], index


def plan_of(scenario: Scenario, ranked: list[tuple[str, float, str]], ranking: str,
            index: str) -> DrillPlan:
    """The plan for `scenario` from a ranking: its placeholders in order, the others named."""
    found = {source.key: source for source in sources(scenario)}
    ranged = {p.key: p for p in parameters(scenario)}
    steps, sourced = [], []
    for rank, (key, effect, shown) in enumerate(ranked, start=1):
        # a ranked share belongs to its presence row
        source = found.get(key) or found.get(key.rpartition(".")[0])
        if source is None or not source.is_placeholder:
            sourced.append((rank, key))
            continue
        measure = measure_of(key)
        steps.append(Step(rank, key, effect, shown, measure,
                          observations_needed(measure, ranged.get(key), scenario)))
    return DrillPlan(scenario.name, ranking, index, steps, sourced)


def shipped_description() -> str:
    """How the shipped ranking was made: method, design, replications, seed, scenario."""
    _, result = _shipped()
    s = result.settings
    return (f"{s.method}, size {s.size}, {s.replications} replications a point, seed {s.seed}, "
            f"{len(result.parameters)} placeholders")


@dataclass(frozen=True)
class RestsOn:
    """How many placeholders a scenario's verdict rests on, and the first of them by a ranking."""

    count: int
    """Placeholders that can move the district time (`provenance.rests_on`)."""
    placeholders: int
    """Placeholders of the scenario, wholly or in part."""
    top: list[str]
    """The first three of them in the ranking's order."""
    ranking: str
    """Where the ranking comes from."""
    own: bool
    """The ranking is of this very scenario (not of the baseline)."""


def rests_on_summary(scenario: Scenario) -> RestsOn:
    """The placeholders `scenario`'s verdict rests on, the top three by the shipped ranking."""
    shipped_scenario, ranked, index = _ranked(*_shipped())
    steps = plan_of(scenario, ranked, "", index).steps
    resting = {source.key for source in rests_on(scenario)}
    top = [s.key for s in steps if s.key in resting or s.key.rpartition(".")[0] in resting][:3]
    found = sources(scenario)
    return RestsOn(len(resting), sum(s.is_placeholder for s in found), top,
                   f"the baseline ranking shipped with mobsim ({shipped_description()})",
                   shipped_scenario.digest == scenario.digest)
