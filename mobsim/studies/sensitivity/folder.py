"""A sensitivity folder (`mobsim sensitivity -o DIR`): written whole, read back for the report.

    sensitivity.json   settings, the scenario's name, the parameters in design order, time taken
    scenario.toml      the resolved scenario the design varied
    design.parquet     one row per design point: each parameter's unit position, the outputs
    indices.parquet    one row per parameter: the indices of each output ("output/index")
    ends.parquet       the top parameters alone at the ends of their ranges

Every file is written beside its final name and renamed into place, so no file is ever half
written, and the manifest comes last: a folder whose write failed is not read as whole.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from mobsim.errors import InputError
from mobsim.results.folders import reason
from mobsim.scenario import Scenario, load_scenario
from mobsim.scenario.ranges import parameters, select
from mobsim.studies import outputs
from mobsim.studies.outputs import write_atomic
from mobsim.studies.sensitivity.analysis import SensitivityResult, Settings

MANIFEST = "sensitivity.json"
"""The file that makes a folder a sensitivity folder."""

FILES = (MANIFEST, "scenario.toml", "design.parquet", "indices.parquet", "ends.parquet")
"""Every file a sensitivity folder holds (besides report.html)."""

_SEPARATOR = "/"


def check_writable(folder: Path) -> None:
    """Refuse a folder holding anything but a previous sensitivity analysis (before running)."""
    outputs.check_writable(folder, FILES, "sensitivity analysis")


def write_folder(folder: Path, scenario: Scenario, result: SensitivityResult) -> None:
    """Write the analysis to `folder` (created; refused if it holds anything else)."""
    check_writable(folder)
    keys = [p.key for p in result.parameters]
    design = pd.concat([pd.DataFrame(result.points, columns=keys),
                        result.outputs.reset_index(drop=True)], axis=1)
    indices = pd.concat(result.indices, axis=1)
    indices.columns = [_SEPARATOR.join(column) for column in indices.columns]
    manifest = {"kind": "sensitivity", "scenario": scenario.name, "parameters": keys,
                "settings": asdict(result.settings), "elapsed_s": result.elapsed_s}
    try:
        write_atomic(folder / "design.parquet", lambda p: design.to_parquet(p, index=False))
        write_atomic(folder / "indices.parquet", lambda p: indices.to_parquet(p, index=True))
        write_atomic(folder / "ends.parquet", lambda p: result.ends.to_parquet(p, index=False))
        write_atomic(folder / "scenario.toml",
                     lambda p: p.write_text(scenario.to_toml(), "utf-8"))
        write_atomic(folder / MANIFEST,
                     lambda p: p.write_text(json.dumps(manifest, indent=1), "utf-8"))
    except OSError as err:
        raise InputError(f"{folder}/: could not write the sensitivity analysis "
                         f"({reason(err)})") from None


def read_folder(folder: Path) -> tuple[Scenario, SensitivityResult]:
    """The scenario and the analysis a sensitivity folder holds."""
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise InputError(f"{folder}: not a whole sensitivity folder (no {missing[0]})")
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        keys, settings = manifest["parameters"], Settings(**manifest["settings"])
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise InputError(f"{folder / MANIFEST}: not a sensitivity manifest ({err})") from None
    scenario = load_scenario(folder / "scenario.toml")
    design = pd.read_parquet(folder / "design.parquet")
    flat_path = folder / "indices.parquet"
    flat = pd.read_parquet(flat_path)
    indices = {}
    for column in flat.columns:
        output, _, name = column.partition(_SEPARATOR)
        if not name:
            raise InputError(f"{flat_path}: column {column!r} is not output{_SEPARATOR}index")
        indices.setdefault(output, pd.DataFrame(index=flat.index))[name] = flat[column]
    result = SensitivityResult(settings, select(parameters(scenario), keys, scenario),
                               design[keys].to_numpy(), design.drop(columns=keys), indices,
                               pd.read_parquet(folder / "ends.parquet"), manifest["elapsed_s"])
    return scenario, result
