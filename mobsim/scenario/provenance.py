"""Where each baseline key comes from (`provenance.toml`), and a scenario's keys with theirs.

The provenance file holds one entry per key of the built-in baseline (a presence row, one
line of shares, is one key): its kind, the reference(s), the figure quoted, how the figure
maps onto the key, the part still a guess, and for a placeholder that is not a number its
plausible values. A numeric placeholder's range is not kept there but read from the scenario's
`[sensitivity] ranges` (`mobsim.scenario.ranges`), so the range a study varies and the range
`mobsim sources` shows are one fact. `problems()` lists every way the file and the baseline
disagree; the tests keep that list empty.
"""

from __future__ import annotations

import fnmatch
import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from mobsim.clock import clock_minutes
from mobsim.errors import InputError
from mobsim.scenario.files import BASELINE, SHARE_PATTERNS, Scenario, load_scenario
from mobsim.scenario.params import Settings
from mobsim.scenario.ranges import RANGES_KEY, Parameter, parameters
from mobsim.scenario.schema import is_dist_table, is_table

KINDS: tuple[str, ...] = ("article", "published", "calibrated", "scenario-choice", "placeholder")
"""Kinds of provenance, from the source article to a guess awaiting local data."""

SOURCED: tuple[str, ...] = ("article", "published", "calibrated")
"""Kinds that must name a reference and quote its figure."""

FIELDS: tuple[str, ...] = ("kind", "source", "quote", "mapping", "strength", "placeholder_part",
                           "range")
"""The fields an entry may have."""

STRENGTHS: tuple[str, ...] = ("strong", "moderate", "weak")
"""How strongly the source bears on the key: a measurement of the same quantity, of a close
analogue, or a press report, single case or self-report."""

SET_BY_SCENARIO = "set by the scenario"
"""What a key shows when the scenario sets it differently from the baseline."""

TOP_SECTION = "scenario"
"""The section of the keys outside any table (name, description, mode)."""

WILDCARD = "*"
"""An entry under this name covers every key of its table that has no entry of its own."""

FILE = "provenance.toml"
_PACKAGE = "mobsim.scenario"


@dataclass(frozen=True)
class Entry:
    """The provenance of one baseline key."""

    key: str
    kind: str
    reference_ids: tuple[str, ...]
    """Ids of the entry's references (`references()` holds their citations)."""
    quote: str
    mapping: str
    strength: str
    placeholder_part: str
    range_text: str

    @property
    def section(self) -> str:
        """The top-level table the key is in (`channels` for `channels.phone.reach`); keys
        outside any table are in "scenario"."""
        return self.key.partition(".")[0] if "." in self.key else TOP_SECTION

    @property
    def is_placeholder(self) -> bool:
        """A guess awaiting local data, wholly or in part."""
        return self.kind == "placeholder" or bool(self.placeholder_part)

    @property
    def references(self) -> tuple[str, ...]:
        """The full citations of the entry's references."""
        return tuple(references()[name] for name in self.reference_ids)


@dataclass(frozen=True)
class Source:
    """One key of a scenario: its value, its provenance, and whether the scenario set it."""

    entry: Entry
    value: Any
    baseline_value: Any
    set_by_scenario: bool
    range: str
    """The plausible values: the scenario's [sensitivity] range, else the entry's range text."""
    note: str = ""
    """The comment beside the key in the scenario's own file, when the scenario sets it there
    (e.g. the source `mobsim calibrate` writes beside a fitted value)."""

    @property
    def key(self) -> str:
        """The scenario key (a presence row: its table, e.g. `members.presence.day`)."""
        return self.entry.key

    @property
    def kind(self) -> str:
        """The entry's kind, or "set by the scenario"."""
        return SET_BY_SCENARIO if self.set_by_scenario else self.entry.kind

    @property
    def is_placeholder(self) -> bool:
        """A placeholder of the baseline that the scenario leaves as it is."""
        return self.entry.is_placeholder and not self.set_by_scenario


def keys_of(data: dict[str, Any], prefix: str = "") -> list[str]:
    """Every key of a scenario table that provenance covers, in file order: leaves, a row of
    shares as one key, the [sensitivity] section left out."""
    found = []
    for name, value in data.items():
        dotted = prefix + name
        if dotted == RANGES_KEY.partition(".")[0]:
            continue
        if is_table(value) and not _is_share_row(dotted):
            found += keys_of(value, dotted + ".")
        else:
            found.append(dotted)
    return found


def _is_share_row(dotted: str) -> bool:
    return any(fnmatch.fnmatchcase(dotted, p) for p in SHARE_PATTERNS)


def _raw() -> dict[str, Any]:
    text = (resources.files(_PACKAGE) / FILE).read_text("utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"mobsim/scenario/{FILE}: {err}") from None


def _entries(raw: dict[str, Any], baseline: dict[str, Any]) -> tuple[dict[str, dict], list[str]]:
    """Raw entries by baseline key ("*" expanded), and the keys the file names that do not exist."""
    found: dict[str, dict] = {}
    unknown: list[str] = []

    def walk(node: dict[str, Any], base: Any, prefix: str) -> None:
        wildcard = node.get(WILDCARD)
        for name, value in node.items():
            dotted = prefix + name
            if name == WILDCARD:
                continue
            if not is_table(base) or name not in base or not isinstance(value, dict):
                unknown.append(dotted)
            elif "kind" in value:
                found[dotted] = value
            else:
                walk(value, base[name], dotted + ".")
        if wildcard is not None:
            if not is_table(base):
                unknown.append(prefix + WILDCARD)
                return
            for name in base:
                if name not in node:
                    found[prefix + name] = wildcard

    walk({k: v for k, v in raw.items() if k != "references"}, baseline, "")
    return found, unknown


def problems() -> list[str]:
    """Every disagreement between the provenance file and the baseline, one line each."""
    raw = _raw()
    references = raw.get("references", {})
    baseline = load_scenario(BASELINE)
    wanted = keys_of(baseline.data)
    found, unknown = _entries(raw, baseline.data)
    lines = [f"{key}: no such baseline key, or not a table" for key in unknown]
    lines += [f"{key}: not one key of the baseline (a table, or part of a key)" for key in found
              if key not in wanted]
    lines += [f"{key}: no provenance" for key in wanted if key not in found]
    ranged = _ranged_keys(parameters(baseline))
    for key in (k for k in wanted if k in found):
        lines += [f"{key}: {line}" for line in _entry_problems(found[key], references,
                                                               baseline.get(key), key in ranged)]
    return lines


def _entry_problems(raw: dict[str, Any], references: dict[str, str], value: Any,
                    ranged: bool) -> list[str]:
    kind = raw.get("kind")
    lines = [f"unknown field {name}" for name in raw if name not in FIELDS]
    if kind not in KINDS:
        return [*lines, f"kind {kind!r} is not one of {', '.join(KINDS)}"]
    ids = _ids(raw.get("source", []))
    lines += [f"reference {name!r} is not in [references]" for name in ids if name not in references]
    if not raw.get("mapping"):
        lines.append("no mapping")
    if kind in SOURCED and not (ids and raw.get("quote")):
        lines.append(f"kind {kind} needs a source and a quoted figure")
    if raw.get("strength") is not None and (raw["strength"] not in STRENGTHS or not ids):
        lines.append(f"strength is one of {', '.join(STRENGTHS)}, for an entry with a source")
    if kind == "placeholder" and raw.get("placeholder_part"):
        lines.append("placeholder_part is for a sourced value, not a placeholder")
    if kind == "placeholder":
        lines += _range_problems(raw, value, ranged)
    elif raw.get("range"):
        lines.append("range is for placeholders")
    return lines


def _range_problems(raw: dict[str, Any], value: Any, ranged: bool) -> list[str]:
    if ranged and raw.get("range"):
        return [f"range given twice: here and in {RANGES_KEY}"]
    if _has_numbers(value) and not ranged:
        return [f"a placeholder number needs a range in {RANGES_KEY}"]
    if not _has_numbers(value) and not raw.get("range"):
        return ["a placeholder needs its plausible values (range)"]
    return []


def _has_numbers(value: Any) -> bool:
    """A number, a distribution, a row of shares or a clock time: values a range can span."""
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float, dict)) or (isinstance(value, str)
                                                     and clock_minutes(value) is not None)


def _ids(source: Any) -> tuple[str, ...]:
    return (source,) if isinstance(source, str) else tuple(source)


def _ranged_keys(found: list[Parameter]) -> dict[str, Parameter]:
    """Each ranged parameter by the provenance key it belongs to (a share: its row)."""
    return {(p.key.rpartition(".")[0] if p.kind == "share" else p.key): p for p in found}


@functools.cache
def _baseline() -> Scenario:
    """The shipped baseline, loaded once: a run's summary compares with it three times
    (`problems` loads its own, which a test replaces)."""
    return load_scenario(BASELINE)


@functools.cache
def entries() -> dict[str, Entry]:
    """The provenance of every baseline key, in the baseline's order (InputError if the file
    and the baseline disagree)."""
    found_problems = problems()
    if found_problems:
        raise InputError(f"mobsim/scenario/{FILE}: {found_problems[0]}")
    raw = _raw()
    baseline = _baseline()
    found, _ = _entries(raw, baseline.data)
    return {key: Entry(key, found[key]["kind"], _ids(found[key].get("source", [])),
                       found[key].get("quote", ""), found[key]["mapping"],
                       found[key].get("strength", ""), found[key].get("placeholder_part", ""),
                       found[key].get("range", ""))
            for key in keys_of(baseline.data)}


@functools.cache
def references() -> dict[str, str]:
    """Reference id → full citation, in the file's order."""
    return dict(_raw().get("references", {}))


def sources(scenario: Scenario) -> list[Source]:
    """Every key of the scenario with its provenance; keys it sets differently from the
    baseline are marked, and ranges are the scenario's own [sensitivity] ranges."""
    baseline = _baseline()
    ranged = _ranged_keys(parameters(scenario))
    notes = _comments(scenario.path) if scenario.path is not None else {}
    found = []
    for key, entry in entries().items():
        value, base = scenario.get(key), baseline.get(key)
        parameter = ranged.get(key)
        if parameter is None:
            shown = entry.range_text
        elif parameter.kind == "share":
            shown = f"{parameter.key.rpartition('.')[2]}: {parameter.describe_range()}"
        else:
            shown = parameter.describe_range()
        changed = value != base and key not in _NAMING
        found.append(Source(entry, value, base, changed, shown,
                            notes.get(key, "") if changed else ""))
    return found


def _comments(path: Path) -> dict[str, str]:
    """The comment beside each key of a scenario file (its own lines, not those it extends)."""
    import tomlkit  # only for a scenario read from a file

    try:
        document = tomlkit.parse(path.read_text("utf-8-sig"))
    except (OSError, ValueError):
        return {}
    found: dict[str, str] = {}

    def walk(table: Any, prefix: str) -> None:
        for name, item in table.items():
            comment = getattr(getattr(item, "trivia", None), "comment", "")
            if comment:
                found[prefix + name] = comment.lstrip("# ").strip()
            if isinstance(item, dict) and "dist" not in item:
                walk(item, f"{prefix}{name}.")

    walk(document, "")
    return found


_NAMING = ("name", "description")
"""Keys that name a scenario rather than set it: never "set by the scenario"."""


NOT_IN_DISTRICT_TIME: tuple[str, ...] = ("canvass.home.*", "canvass.walk_min.*",
                                          "canvass.absent_min", "action.*", "scan.*", "tasks.*")
"""Keys that cannot move the district time: door-to-door work, the scan campaign, the tasks
(`canvass.home_factor` can: it shapes who is home, docs/model.md 7.13)."""


def rests_on(scenario: Scenario) -> list[Source]:
    """The placeholders the district-time verdict rests on: those the scenario leaves as they
    are, less the keys that cannot move the district time (`NOT_IN_DISTRICT_TIME`, and the
    presence rows of periods other than the order's: states are drawn at the order)."""
    period = Settings(scenario).order_period()
    return [s for s in sources(scenario) if s.is_placeholder
            and not any(fnmatch.fnmatchcase(s.key, p) for p in NOT_IN_DISTRICT_TIME)
            and not (_is_share_row(s.key) and s.key.rpartition(".")[2] != period)]


def placeholder_counts(found: list[Source]) -> dict[str, int]:
    """Placeholders (wholly or in part) by section, in the order sections first appear."""
    counts: dict[str, int] = {}
    for source in found:
        if source.is_placeholder:
            counts[source.entry.section] = counts.get(source.entry.section, 0) + 1
    return counts
