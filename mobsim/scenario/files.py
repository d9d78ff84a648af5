"""Scenarios: the built-in baseline with `extends` chains and overrides merged over it."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import re
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from mobsim.distributions import Dist, parse_dist
from mobsim.errors import InputError, ScenarioWarning
from mobsim.scenario import tomlwrite
from mobsim.scenario.overrides import OVERRIDE_LABEL, parse_override
from mobsim.scenario.notes import scenario_notes
from mobsim.scenario.rules import check_values
from mobsim.scenario.schema import Origin, is_dist_table, lookup, merge_layer

PROBABILITY_PATTERNS: tuple[str, ...] = (
    "target.quantile",
    "target.confidence",
    "channels.*.reach",
    "channels.phone.answer.*",
    "*.availability.*",
    "*.presence.*.*",
    "canvass.home.*",
    "chase.success",
    "pools.*.night_on_duty_share",
)
"""fnmatch patterns of key paths whose values are probabilities: checked to lie in [0, 1]."""

SHARE_PATTERNS: tuple[str, ...] = ("*.presence.*",)
"""fnmatch patterns of tables whose values are shares of a whole: plain numbers summing to 1."""

BASELINE = "xindu-baseline"
"""Name of the built-in scenario every other one is merged over."""

_DATA_PACKAGE = "mobsim.scenario.builtin"
_TOML_POSITION = re.compile(r"(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)")
_TOML_AT_END = " (at end of document)"
_UNQUOTED_CLOCK = re.compile(r"=\s*\d{1,2}:\d{2}\s*(#.*)?$")


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: the baseline with extended files and overrides merged in, valid."""

    name: str
    data: dict[str, Any]
    path: Path | None

    @classmethod
    def load(cls, source: str | os.PathLike[str] | None = None,
             overrides: Iterable[str] = ()) -> Scenario:
        """A scenario file or built-in name (None: the baseline), with "key=TOML" overrides."""
        return load_scenario(source, overrides)

    def with_(self, changes: Mapping[str, Any]) -> Scenario:
        """This scenario with `changes` (dotted key → value as typed) set, validated again.

        Problems are reported as those of a `--set` override of the key, e.g.
        `Scenario.load("xindu-night").with_({"cadres.count": 6000})`.
        """
        schema = baseline_schema()
        merged: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        folder = self.path.parent if self.path else Path.cwd()
        problems = merge_layer(merged, self.data, schema, Origin(0, self.name, folder), origins)
        for dotted, value in changes.items():
            layer: Any = value
            for part in reversed(dotted.split(".")):
                layer = {part: layer}
            problems += merge_layer(merged, layer, schema, Origin(1, OVERRIDE_LABEL, Path.cwd()),
                                    origins)
        problems += check_values(merged, schema, origins, PROBABILITY_PATTERNS, SHARE_PATTERNS)
        if problems:
            raise InputError(problems[0])
        _warn(scenario_notes(merged, origins, since_rank=1))
        return Scenario(merged["name"], merged, self.path)

    def get(self, dotted: str) -> Any:
        """The raw value at a dotted key path such as "alert.start" (typed reading: params)."""
        return lookup(self.data, dotted)

    def dist(self, dotted: str, probability: bool = False) -> Dist:
        """The distribution at a dotted key path (a number is a fixed distribution)."""
        return parse_dist(self.get(dotted), dotted, probability)

    @property
    def digest(self) -> str:
        """sha256 of the canonical JSON of `data`: equal scenarios have equal digests."""
        canonical = json.dumps(self.to_json_dict(), sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def to_json_dict(self) -> dict[str, Any]:
        """`data` as plain JSON types (TOML dates and times as ISO text), for manifests."""
        return json.loads(json.dumps(self.data, default=lambda value: value.isoformat()))

    def to_toml(self) -> str:
        """`data` as a TOML scenario file that loads back to the same scenario."""
        header = f"mobsim scenario {self.name}, resolved\ndigest {self.digest}"
        return tomlwrite.dumps(self.data, header, inline_table=is_dist_table)


@functools.cache
def baseline_schema() -> dict[str, Any]:
    """The built-in baseline as parsed: every key a scenario may set, with its kind of value.

    Parsed once per process (studies call `Scenario.with_` per design point); read-only.
    """
    return _parse(_builtin(BASELINE))


def builtin_names() -> tuple[str, ...]:
    """Names of the scenarios shipped inside the package."""
    folder = resources.files(_DATA_PACKAGE)
    return tuple(sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                        if p.name.endswith(".toml")))


def load_scenario(source: str | os.PathLike[str] | None = None,
                  overrides: Iterable[str] = ()) -> Scenario:
    """Load a scenario file or built-in name (None: the baseline); InputError on a problem."""
    scenario, problems = _resolve(source, overrides)
    if scenario is None:
        raise InputError(problems[0])
    return scenario


def validate_scenario(source: str | os.PathLike[str] | None = None,
                      overrides: Iterable[str] = ()) -> list[str]:
    """Every problem of a scenario and its overrides, one line each; empty when it is valid."""
    return _resolve(source, overrides)[1]


@dataclass(frozen=True)
class _File:
    """A scenario file in an `extends` chain: a path on disk or a built-in."""

    label: str
    path: Path | None
    builtin: str | None = None

    @property
    def identity(self) -> str:
        return f"built-in {self.builtin}" if self.builtin else str(self.path.resolve())

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path(str(resources.files(_DATA_PACKAGE)))

    def read_text(self) -> str:
        if self.builtin:
            return (resources.files(_DATA_PACKAGE) / f"{self.builtin}.toml").read_text("utf-8-sig")
        return self.path.read_text("utf-8-sig")


def _resolve(source: str | os.PathLike[str] | None,
             overrides: Iterable[str]) -> tuple[Scenario | None, list[str]]:
    try:
        chain = _read_chain(_source_file(source))
    except InputError as err:
        return None, [str(err)]
    schema = chain[0][1]
    merged: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    problems = []
    for rank, (file, layer) in enumerate(chain):
        origin = Origin(rank, file.label, file.folder)
        problems += merge_layer(merged, layer, schema, origin, origins)
    top_file, top_layer = chain[-1]
    _default_identity(merged, top_file, top_layer, origins)
    for rank, text in enumerate(overrides, start=len(chain)):
        try:
            layer = parse_override(text, schema)
        except InputError as err:
            problems.append(str(err))
            continue
        origin = Origin(rank, OVERRIDE_LABEL, Path.cwd())
        problems += merge_layer(merged, layer, schema, origin, origins)
    problems += check_values(merged, schema, origins, PROBABILITY_PATTERNS, SHARE_PATTERNS)
    if problems:
        return None, problems
    _warn(scenario_notes(merged, origins))
    return Scenario(merged["name"], merged, top_file.path), []


def _warn(notes: list[str]) -> None:
    """Say each value that runs otherwise than written (the command line prints one line)."""
    for note in notes:
        warnings.warn(note, ScenarioWarning, stacklevel=4)


def _default_identity(merged: dict[str, Any], top_file: _File, top_layer: dict[str, Any],
                      origins: dict[str, Origin]) -> None:
    # A file's name and description are its own: those of the file it extends do not carry over.
    stem = top_file.path.stem if top_file.path else (top_file.builtin or "")
    for key, default in (("name", stem), ("description", "")):
        if key in merged and key not in top_layer:
            merged[key] = default
            origins[key] = Origin(origins[key].rank, top_file.label, top_file.folder)


def _builtin(name: str) -> _File:
    return _File(str(resources.files(_DATA_PACKAGE) / f"{name}.toml"), None, name)


def _source_file(source: str | os.PathLike[str] | None) -> _File:
    if source is None:
        return _builtin(BASELINE)
    if isinstance(source, str) and source in builtin_names():
        return _builtin(source)
    path = Path(source)
    if not path.is_file():
        close = difflib.get_close_matches(str(source), builtin_names(), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise InputError(f"{source}: no such scenario file (built-in scenarios: "
                         f"{', '.join(builtin_names())}){hint}")
    return _File(str(source), path.absolute())


def _read_chain(file: _File) -> list[tuple[_File, dict[str, Any]]]:
    """The files from the baseline out to `file`, each with its parsed table (`extends` removed)."""
    chain: list[tuple[_File, dict[str, Any]]] = []
    while True:
        if file.identity in (f.identity for f, _ in chain):
            cycle = " -> ".join([*(f.label for f, _ in chain), file.label])
            raise InputError(f"{chain[-1][0].label}: extends: cycle {cycle}")
        layer = _parse(file)
        extends = layer.pop("extends", BASELINE)
        chain.append((file, layer))
        if file.builtin == BASELINE:
            return chain[::-1]
        file = _extended(extends, file)


def _extended(extends: Any, file: _File) -> _File:
    if not isinstance(extends, str) or not extends.strip():
        raise InputError(f"{file.label}: extends: expected a scenario file name or a built-in name "
                         f"({', '.join(builtin_names())}), got {extends!r}")
    if extends in builtin_names():
        return _builtin(extends)
    path = file.folder / extends
    label = os.path.normpath(os.path.join(os.path.dirname(file.label), extends))
    if not path.is_file():
        raise InputError(f"{file.label}: extends: no scenario file {label} and no built-in "
                         f"named {extends!r}")
    return _File(label, path)


def _parse(file: _File) -> dict[str, Any]:
    try:
        text = file.read_text()
    except UnicodeDecodeError:
        raise InputError(f"{file.label}: not UTF-8 text") from None
    except OSError as err:
        raise InputError(f"{file.label}: cannot read: {err.strerror or err}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(_syntax_message(file.label, text, str(err))) from None
    except ValueError:  # tomllib refuses integers of more than 4300 digits this way
        raise InputError(f"{file.label}: an integer has too many digits to read") from None


def _syntax_message(label: str, text: str, message: str) -> str:
    """tomllib's message as "FILE:LINE:COL: message", the form editors jump to."""
    found = _TOML_POSITION.fullmatch(message)
    if found:
        line = text.split("\n")[int(found["line"]) - 1]
        hint = '; clock times need quotes: "02:00"' if _UNQUOTED_CLOCK.search(line) else ""
        return f"{label}:{found['line']}:{found['col']}: {found['msg']}{hint}"
    if message.endswith(_TOML_AT_END):
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
        return f"{label}:{line}:{col}: {message.removesuffix(_TOML_AT_END)} (at end of file)"
    return f"{label}: {message}"
