"""A run: its folder, manifest and tables (loaded on first use), its check and comparisons."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from mobsim.errors import InputError
from mobsim.results.check import Verdict, check_run
from mobsim.scenario.files import Scenario
from mobsim.scenario.params import Target

DEFAULT_TARGET = {"minutes": 180.0, "quantile": 0.95, "confidence": 0.95, "households_share": 0.0}
"""The built-in baseline's target, used where a manifest does not state one."""


@dataclass
class Run:
    """A run of a scenario: written to `path` (None when nothing was written) or held in memory.

    Tables load from the folder on first access and stay; `run.replications`, `run.microgrids`
    and the like are shorthands of `run.table(name)`.
    """

    path: Path | None
    manifest: dict
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def table_names(self) -> list[str]:
        """Names of the tables the run holds."""
        listed = [Path(name).stem for name in self.manifest.get("tables", [])]
        return listed or list(self._tables)

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame (categories as pandas categoricals, null times as NaN)."""
        if name not in self.table_names:
            raise InputError(f"{self.path}: the run has no table {name!r}; "
                             f"it has {', '.join(self.table_names)}")
        if name not in self._tables:
            self._tables[name] = pq.read_table(self.path / f"{name}.parquet").to_pandas()
        return self._tables[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_") or name not in self.table_names:
            raise AttributeError(name)
        return self.table(name)

    @property
    def replications(self) -> pd.DataFrame:
        """One row per replication: the district time and the shares at the target."""
        return self.table("replications")

    @property
    def seed(self) -> int | None:
        """The run's seed."""
        return self.manifest.get("seed")

    @property
    def elapsed_s(self) -> float:
        """Seconds the run took, from start to written files (NaN when not recorded)."""
        return float(self.manifest.get("run_time_s", math.nan))

    @property
    def scenario(self) -> Scenario:
        """The resolved scenario the run simulated."""
        return Scenario(self.manifest.get("scenario", ""), self.manifest.get("scenario_data", {}),
                        None)

    @property
    def target(self) -> Target:
        """The target the run is judged against (the built-in baseline's where not stated)."""
        stated = self.manifest.get("scenario_data", {}).get("target", {})
        values = {}
        for key, default in DEFAULT_TARGET.items():
            try:
                values[key] = float(stated.get(key, default))
            except (TypeError, ValueError):
                raise InputError(f"{self._manifest_path}: scenario_data.target.{key} is "
                                 f"{stated.get(key)!r}, not a number") from None
        return Target(**values)

    @property
    def _manifest_path(self) -> Path | str:
        return self.path / "manifest.json" if self.path is not None else "manifest"

    def check(self, target: Target | None = None) -> Verdict:
        """The bound check of the run against `target` (default: the run's own target)."""
        return check_run(self.replications, target or self.target)


def load(run_dir: str | Path) -> Run:
    """Open the run folder `run_dir` written by `mobsim run`."""
    path = Path(run_dir)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(f"{path}: not a run folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"{manifest_path}:{err.lineno}:{err.colno}: {err.msg}") from None
    return Run(path, manifest)
