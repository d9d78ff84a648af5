"""Rules on the values of a merged scenario: single keys, distributions, probabilities, shares."""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mobsim.clock import clock_minutes, weekly_windows
from mobsim.codes import (
    BROADCAST_CHANNELS,
    CHAIN_LEVELS,
    CHASERS,
    COMMUNITY_TASKS,
    DEFINITIONS,
    DISPATCH_POLICIES,
    MODES,
    POOL_ALERTS,
    POOL_LEVELS,
    POOLS,
    WEEKDAYS,
)
from mobsim.distributions import parse_dist
from mobsim.errors import InputError
from mobsim.scenario.schema import Origin, is_dist_table, is_table, leaves, lookup, show
from mobsim.scenario.team_rules import home_problems, pool_problems, team_counts

KERNEL_FAMILIES: tuple[str, ...] = ("fixed", "exponential", "lognormal")
"""Distribution families the door-to-door kernel draws (mobsim.kernels.rng)."""

KERNEL_DURATION_PATTERNS: tuple[str, ...] = (
    "canvass.walk_min.*", "action.service_min.*", "scan.service_min.*",
    "tasks.supply.service_min.*")
"""fnmatch patterns of durations the door-to-door kernel draws: KERNEL_FAMILIES only."""

MAX_ATTEMPTS_LIMIT = 8191
"""Largest `*.max_attempts` the door-to-door kernel takes."""

HORIZON_LIMIT_MIN = 10_080.0
"""Longest `alert.horizon_min`, a week: the outputs hold a row per simulated minute."""

DISPATCH_INTERVAL_FLOOR_MIN = 0.1
"""Shortest `cadres.dispatch_interval_min`: rounds, each a transportation problem, come at
most every 6 seconds (100,800 rounds in the longest horizon)."""

SCAN_DAYS_LIMIT = 3_650
"""Longest `scan.horizon_days`, ten years: the scan outputs hold a row per simulated day."""

PHONE_ATTEMPTS_LIMIT = 100
"""Largest `channels.phone.attempts`: outcomes are drawn for every person and attempt up front."""

GENERATORS: tuple[str, ...] = ("xindu",)
"""Names of the built-in district generators (`district.generator`)."""

SEED_LIMIT = 2**63 - 1
"""Largest `district.seed`."""

PEOPLE_LIMIT = 10_000_000
"""Largest `members.count`, `cadres.count` and `scanners.count` (the generator makes them all)."""

STAFF_LIMIT = 10_000
"""Largest `microgrids.quorum` and `escalation.grid_worker_covers`: staff counts are int32."""

TEAMS_LIMIT = 100_000
"""Largest `pools.*.teams` (per unit) and `pools.*.team_size`: a pool's people are rows of arrays."""

POOL_SPREADS: tuple[str, ...] = ("microgrids", "households")
"""What a pool's teams are spread over its homes in proportion to (`pools.*.spread`)."""

POOL_LIKE: tuple[str, ...] = ("gridworkers", "members", "cadres")
"""Populations whose presence, availability and preparation a pool may follow (`pools.*.like`)."""

_SHARE_TOLERANCE = 1e-6  # the model renormalizes what is left


def check_values(data: dict[str, Any], schema: dict[str, Any], origins: dict[str, Origin],
                 probability_patterns: tuple[str, ...],
                 share_patterns: tuple[str, ...]) -> list[str]:
    """Every rule broken by the merged `data`, one line each, naming the source of the value."""
    problems = []
    for path, base in leaves(schema):
        value, label = lookup(data, path), origins[path].label
        rule = next((r for pattern, r in RULES if fnmatch.fnmatchcase(path, pattern)), None)
        if rule is not None:
            message = rule(value, data)
            problems += [f"{label}: {path}: {message}"] if message else []
        elif isinstance(base, float) or is_dist_table(base):
            probability = any(fnmatch.fnmatchcase(path, p) for p in probability_patterns)
            try:
                family = parse_dist(value, path, probability).family
            except InputError as err:
                problems.append(f"{label}: {err}")
                continue
            if (family not in KERNEL_FAMILIES
                    and any(fnmatch.fnmatchcase(path, p) for p in KERNEL_DURATION_PATTERNS)):
                problems.append(f"{label}: {kernel_family_problem(path, family)}")
    problems += _share_problems(data, schema, origins, share_patterns)
    return (problems + _horizon_problem(data, origins) + _periods_problem(data, origins)
            + pool_problems(data, origins) + home_problems(data, origins))


def kernel_family_problem(path: str, family: str) -> str:
    """The message for a door-to-door duration of a family the kernel cannot draw."""
    return (f"{path}: the door-to-door kernel draws only {', '.join(KERNEL_FAMILIES)} "
            f"durations, got {family}")


def _dispatch_policy(value: Any, data: dict[str, Any]) -> str | None:
    if value in DISPATCH_POLICIES:
        return None
    return f"expected one of {', '.join(DISPATCH_POLICIES)}, got {show(value)}"


def _not_empty(value: str, data: dict[str, Any]) -> str | None:
    return None if value.strip() else "must not be empty"


def _clock(value: str, data: dict[str, Any]) -> str | None:
    if clock_minutes(value) is None:
        return f'expected a clock time "HH:MM" from 00:00 to 23:59, got {show(value)}'
    return None


def _weekday(value: str, data: dict[str, Any]) -> str | None:
    if value in WEEKDAYS:
        return None
    return f"expected one of {', '.join(WEEKDAYS)}, got {show(value)}"


def _plain_number(value: Any) -> str | None:
    if isinstance(value, dict):
        return f"expected a plain number here, got {show(value)}"
    return None if math.isfinite(value) else f"expected a finite number, got {show(value)}"


def _number_where(holds: Callable[[float], bool],
                  wanted: str) -> Callable[[Any, dict[str, Any]], str | None]:
    """The rule of a plain number for which `holds` is true; `wanted` says what it must be."""
    def rule(value: Any, data: dict[str, Any]) -> str | None:
        wrong = _plain_number(value)
        if wrong is None and not holds(value):
            wrong = f"{wanted}, got {value:g}"
        return wrong
    return rule


_open_unit = _number_where(lambda v: 0 < v < 1, "must lie strictly between 0 and 1")
_positive = _number_where(lambda v: v > 0, "must be a positive number")
_not_negative = _number_where(lambda v: v >= 0, "must not be negative")
_unit_interval = _number_where(lambda v: 0 <= v <= 1, "must lie between 0 and 1")
_share = _number_where(lambda v: 0 < v <= 1, "must be above 0 and at most 1")


def _at_least_one(value: int, data: dict[str, Any]) -> str | None:
    return None if value >= 1 else f"must be at least 1, got {value}"


def _mode(value: str, data: dict[str, Any]) -> str | None:
    return None if value in MODES else f"expected one of {', '.join(MODES)}, got {show(value)}"


def _count_up_to(limit: int, low: int = 1) -> Callable[[int, dict[str, Any]], str | None]:
    """The rule of a whole number from `low` to `limit`."""
    def rule(value: int, data: dict[str, Any]) -> str | None:
        return None if low <= value <= limit else \
            f"must be a whole number from {low} to {limit}, got {value}"
    return rule


def _horizon(value: Any, data: dict[str, Any]) -> str | None:
    wrong = _positive(value, data)
    if wrong is None and value > HORIZON_LIMIT_MIN:
        wrong = f"must be at most {HORIZON_LIMIT_MIN:g} minutes (one week), got {value:g}"
    return wrong


def _dispatch_interval(value: Any, data: dict[str, Any]) -> str | None:
    wrong = _plain_number(value)
    if wrong is None and not value >= DISPATCH_INTERVAL_FLOOR_MIN:
        wrong = f"must be at least {DISPATCH_INTERVAL_FLOOR_MIN:g} minutes, got {value:g}"
    return wrong


def _windows(value: list[str], data: dict[str, Any]) -> str | None:
    try:
        weekly_windows(value)
    except ValueError as err:
        return str(err)
    return None


def _one_of(names: tuple[str, ...]) -> Callable[[Any, dict[str, Any]], str | None]:
    """The rule of a value that is one of `names`."""
    def rule(value: Any, data: dict[str, Any]) -> str | None:
        return None if value in names else f"expected one of {', '.join(names)}, got {show(value)}"
    return rule


def _generator(value: str, data: dict[str, Any]) -> str | None:
    if value in GENERATORS:
        return None
    return (f"unknown generator {show(value)} (known: {', '.join(map(repr, GENERATORS))}); "
            "or set district.path to a folder of district tables")


def _folder(value: str, data: dict[str, Any]) -> str | None:
    return None if not value or Path(value).is_dir() else f"no folder {value}"


def _task_priority(value: list[str], data: dict[str, Any]) -> str | None:
    if sorted(value) == sorted(COMMUNITY_TASKS):
        return None
    return f"expected each of {', '.join(COMMUNITY_TASKS)} once, in priority order, got {show(value)}"


def _channels(value: list[str], data: dict[str, Any]) -> str | None:
    # The channels a relay may use are those the scenario describes under [channels].
    known = tuple(data.get("channels", ()))
    unknown = [name for name in value if name not in known]
    if unknown or not value or len(set(value)) < len(value):
        return f"expected distinct names from {', '.join(known)}, at least one, got {show(value)}"
    return None


def _names_from(allowed: tuple[str, ...]) -> Callable[[Any, dict[str, Any]], str | None]:
    """The rule of a list of distinct names from `allowed`, possibly empty."""
    def rule(value: list[str], data: dict[str, Any]) -> str | None:
        if all(name in allowed for name in value) and len(set(value)) == len(value):
            return None
        return f"expected distinct names from {', '.join(allowed)} (or none), got {show(value)}"
    return rule


def _broadcast_rules() -> tuple[tuple[str, Callable[[Any, dict[str, Any]], str | None]], ...]:
    """Each level broadcasts on messaging or SMS, to levels below it."""
    def below(i: int) -> tuple[str, ...]:
        return CHAIN_LEVELS[i + 1:] + (("cadres",) if i == 0 else ())
    return (("broadcast.*.channels", _names_from(BROADCAST_CHANNELS)),
            *((f"broadcast.{level}.to", _names_from(below(i)))
              for i, level in enumerate(CHAIN_LEVELS[:-1])))


# The first pattern that matches a key path gives its rule. Numbers with no rule are
# distributions (a plain number is a fixed one); the rules below make settings plain numbers.
RULES: tuple[tuple[str, Callable[[Any, dict[str, Any]], str | None]], ...] = (
    ("name", _not_empty),
    ("mode", _mode),
    ("district.generator", _generator),
    ("district.path", _folder),
    ("district.seed", _count_up_to(SEED_LIMIT, low=0)),
    ("alert.start", _clock),
    ("alert.weekday", _weekday),
    ("alert.horizon_min", _horizon),
    ("target.minutes", _positive),
    ("target.quantile", _open_unit),
    ("target.confidence", _open_unit),
    ("target.households_share", _unit_interval),
    ("target.definition", _one_of(DEFINITIONS)),
    ("target.share", _share),
    ("periods.*_start", _clock),
    ("presence.wake_start", _clock),
    ("presence.availability_ramp_min", _not_negative),
    ("chase.by", _one_of(CHASERS)),
    *_broadcast_rules(),
    ("cascade.*.channels", _channels),
    ("cascade.*.callers", _at_least_one),
    ("channels.phone.attempts", _count_up_to(PHONE_ATTEMPTS_LIMIT)),
    ("microgrids.quorum", _count_up_to(STAFF_LIMIT)),
    ("*.count", _count_up_to(PEOPLE_LIMIT, low=0)),
    ("escalation.grid_worker_covers", _count_up_to(STAFF_LIMIT, low=0)),
    ("cadres.speed_kmh", _positive),
    ("cadres.dispatch_interval_min", _dispatch_interval),
    ("cadres.leave_pair_penalty_min", _not_negative),
    ("cadres.lend_max_ride_min", _positive),
    ("cadres.dispatch_policy", _dispatch_policy),
    ("cadres.at_once", _count_up_to(PEOPLE_LIMIT, low=0)),
    ("pools.*.teams", _count_up_to(TEAMS_LIMIT, low=0)),
    ("pools.*.team_size", _count_up_to(TEAMS_LIMIT)),
    ("pools.*.teams_by_subdistrict", team_counts(TEAMS_LIMIT)),
    ("pools.*.teams_by_community", team_counts(TEAMS_LIMIT)),
    ("pools.*.spread", _one_of(POOL_SPREADS)),
    ("pools.*.channels", _channels),
    ("pools.*.callers", _count_up_to(STAFF_LIMIT)),
    ("pools.*.per", _one_of(POOL_LEVELS)),
    ("pools.*.home", _one_of(POOL_LEVELS)),
    ("pools.*.scope", _one_of(POOL_LEVELS)),
    ("pools.*.alerted_by", _one_of(POOL_ALERTS)),
    ("pools.*.like", _one_of(POOL_LIKE)),
    ("pools.*.speed_kmh", _positive),
    ("branches.roll_call_min", _not_negative),
    ("branches.dispatch_interval_min", _dispatch_interval),
    ("travel.walk_speed_mps", _positive),
    ("travel.detour_factor", _positive),
    ("travel.walk_max_km", _not_negative),
    ("travel.ride_speed_kmh", _positive),
    ("travel.village_factor", _positive),
    ("travel.inside_compound_min.*", _not_negative),
    ("canvass.absent_min", _not_negative),
    ("canvass.home_factor.*", _positive),
    ("*.revisit_gap_min", _not_negative),
    ("*.max_attempts", _count_up_to(MAX_ATTEMPTS_LIMIT)),
    ("scan.horizon_days", _count_up_to(SCAN_DAYS_LIMIT)),
    ("scan.windows", _windows),
    ("tasks.priority", _task_priority),
    ("tasks.post_keep", _count_up_to(STAFF_LIMIT)),
    ("tasks.scan_weeks", _not_negative),
    ("tasks.scan_run", _folder),
    ("tasks.testing.household_size", _positive),
    ("tasks.testing.residents_per_site", _positive),
    ("tasks.staff_scope", _one_of(POOL_LEVELS)),
    ("tasks.dispatch_interval_min", _dispatch_interval),
    ("tasks.testing.min_staff", _count_up_to(STAFF_LIMIT)),
    ("tasks.testing.stations", _count_up_to(STAFF_LIMIT)),
    ("tasks.testing.*_per_community", _count_up_to(STAFF_LIMIT, low=0)),
    ("tasks.testing.support_staff", _count_up_to(STAFF_LIMIT, low=0)),
    ("tasks.testing.turnout", _unit_interval),
    ("tasks.checkpoints.staff", _count_up_to(STAFF_LIMIT)),
    ("tasks.checkpoints.shift_min", _positive),
    ("tasks.checkpoints.households_per_compound.*", _positive),
    ("tasks.checkpoints.gates_per_compound.*", _count_up_to(STAFF_LIMIT, low=0)),
    ("tasks.publicity.message_reach", _unit_interval),
    ("tasks.verification.verified_*_factor", _positive),
    ("tasks.supply.share", _unit_interval),
    ("tasks.supply.ready_min", _not_negative),
)
"""(fnmatch pattern of key paths, rule giving the problem of a value or None), first match wins."""


def _share_problems(data: dict[str, Any], schema: dict[str, Any], origins: dict[str, Origin],
                    share_patterns: tuple[str, ...]) -> list[str]:
    problems = []
    for path in _table_paths(schema):
        table = lookup(data, path)
        if not table or not any(fnmatch.fnmatchcase(path, p) for p in share_patterns):
            continue
        not_numbers = [key for key, value in table.items() if isinstance(value, dict)]
        if not_numbers:
            at = f"{path}.{not_numbers[0]}"
            problems.append(f"{origins[at].label}: {at}: {_plain_number(table[not_numbers[0]])}")
            continue
        total = sum(table.values())
        if not abs(total - 1) <= _SHARE_TOLERANCE:
            # Blame the file or override that set a share last: its change broke the sum.
            at = max((f"{path}.{k}" for k in table), key=lambda p: origins[p].rank)
            terms = " + ".join(f"{k} {v:g}" for k, v in table.items())
            problems.append(f"{origins[at].label}: {path}: shares must sum to 1, "
                            f"got {total:g} ({terms})")
    return problems


def _horizon_problem(data: dict[str, Any], origins: dict[str, Origin]) -> list[str]:
    horizon, target = lookup(data, "alert.horizon_min"), lookup(data, "target.minutes")
    if _positive(horizon, data) or _positive(target, data) or horizon >= target:
        return []
    # Blame the later of the two settings: that is the one that broke the pair.
    if origins["alert.horizon_min"].rank >= origins["target.minutes"].rank:
        return [f"{origins['alert.horizon_min'].label}: alert.horizon_min: {horizon:g} is shorter "
                f"than target.minutes ({target:g}); a run must last at least the target"]
    return [f"{origins['target.minutes'].label}: target.minutes: {target:g} is longer than "
            f"alert.horizon_min ({horizon:g}); a run must last at least the target"]


def _periods_problem(data: dict[str, Any], origins: dict[str, Origin]) -> list[str]:
    keys = [f"periods.{name}_start" for name in ("day", "evening", "night")]
    clocks = [lookup(data, key) for key in keys if key in origins]
    minutes = [clock_minutes(clock) for clock in clocks]
    if len(clocks) < len(keys) or None in minutes or minutes[0] < minutes[1] < minutes[2]:
        return []
    # Blame the clock set last: its change broke the order.
    at = max(keys, key=lambda key: origins[key].rank)
    shown = ", ".join(f"{key.partition('.')[2]} {clock}" for key, clock in zip(keys, clocks))
    return [f"{origins[at].label}: {at}: day_start, evening_start and night_start must follow "
            f"each other within one day, got {shown}"]


def _table_paths(node: dict[str, Any], prefix: str = "") -> list[str]:
    found = []
    for key, value in node.items():
        if is_table(value):
            found += [prefix + key, *_table_paths(value, f"{prefix}{key}.")]
    return found
