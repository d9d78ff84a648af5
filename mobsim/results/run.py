"""Runs and sweeps: folders (or memory) of manifests and tables loaded on first use, and checks.

A sweep folder is one dataset per table, `DIR/<table>/variant-K.parquet`, beside
`DIR/variant=K/` (each variant's manifest and scenario) and `DIR/variants.parquet`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mobsim.codes import DEFINITIONS
from mobsim.errors import InputError
from mobsim.results.check import Verdict, check_run
from mobsim.scenario.params import Definition, Target

VARIANTS_FILE = "variants.parquet"
"""The table of variants that makes a folder a sweep folder."""

TARGET_NUMBERS = ("minutes", "quantile", "confidence", "households_share")
"""The numbers of `Target`, in order."""

DEFAULT_TARGET = {"minutes": 180.0, "quantile": 0.95, "confidence": 0.95, "households_share": 0.0,
                  "share": 1.0}
"""The built-in baseline's target numbers, used where a manifest does not state them (a run
made before `target.share` counted every post)."""


@dataclass
class Run:
    """A run of a scenario: written to `path` (None when nothing was written) or held in memory.

    Tables load from the folder on first access and stay; `run.replications`, `run.microgrids`
    and the like are shorthands of `run.table(name)`.
    """

    path: Path | None
    manifest: dict
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        where = f"path='{self.path}'" if self.path is not None else "in memory"
        return (f"Run({where}, scenario={self.manifest.get('scenario')!r}, "
                f"replications={self.manifest.get('replications')}, seed={self.seed})")

    @property
    def table_names(self) -> list[str]:
        """Names of the tables the run holds."""
        listed = [Path(name).stem for name in self.manifest.get("tables", [])]
        return listed or list(self._tables)

    def table_path(self, name: str) -> Path:
        """Where table `name` is: in the run folder, or (a sweep's variant) in the sweep's dataset."""
        return self.path / self.manifest.get("table_paths", {}).get(name, f"{name}.parquet")

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame (categories as pandas categoricals, times that never
        happened as +inf)."""
        if name not in self.table_names:
            raise InputError(f"{self.path}: the run has no table {name!r}; "
                             f"it has {', '.join(self.table_names)}")
        if name not in self._tables:
            self._tables[name] = pq.read_table(self.table_path(name)).to_pandas()
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
        over = stated.get("definition", Definition().over)
        if over not in DEFINITIONS or not 0 < values["share"] <= 1:
            raise InputError(f"{self._manifest_path}: scenario_data.target: definition "
                             f"{over!r} with share {values['share']:g} is not a definition "
                             f"(one of {', '.join(DEFINITIONS)}, a share above 0, at most 1)")
        return Target(**{key: values[key] for key in TARGET_NUMBERS},
                      definition=Definition(over, values["share"]))

    @property
    def _manifest_path(self) -> Path | str:
        return self.path / "manifest.json" if self.path is not None else "manifest"

    def check(self, target: Target | None = None, measure: str = "district") -> Verdict:
        """The bound check of the run against `target` (default: the run's own target), the
        verdict about `measure` ("district" or "act"), under the target's definition."""
        return check_run(self.replications, target or self.target, measure,
                         own=self.target.definition)


@dataclass
class Sweep:
    """A sweep: its variants, each variant's run, and every table with a `variant` column."""

    path: Path
    variants: pd.DataFrame
    runs: list[Run]
    elapsed_s: float = math.nan
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        varied = [c for c in self.variants.columns if c != "variant"]
        return (f"Sweep(path='{self.path}', variants={len(self.variants)}, varied={varied}, "
                f"replications={self.replication_count}, seed={self.seed})")

    def comparison(self) -> pd.DataFrame:
        """The comparison `mobsim sweep` prints: each variant's values, its figures and its
        difference from variant 0 (common seeds), one row per variant."""
        from mobsim.results.compare import compare  # compare builds on Run: imported on use
        return pd.concat([self.variants, compare(self.runs)], axis=1)

    @property
    def table_names(self) -> list[str]:
        """Names of the tables every variant wrote."""
        return self.runs[0].table_names if self.runs else []

    @property
    def seed(self) -> int | None:
        """The seed every variant ran with."""
        return self.runs[0].seed if self.runs else None

    @property
    def replication_count(self) -> int:
        """Replications of each variant."""
        return int(self.runs[0].manifest.get("replications", 0)) if self.runs else 0

    def table(self, name: str) -> pd.DataFrame:
        """Every variant's rows of table `name`, with the `variant` column (int32)."""
        if name not in self.table_names:
            raise InputError(f"{self.path}: the sweep has no table {name!r}; "
                             f"it has {', '.join(self.table_names)}")
        if name not in self._tables:
            frames = [run.table(name).assign(variant=np.full(len(run.table(name)), number, np.int32))
                      for number, run in zip(self.variants["variant"], self.runs)]
            self._tables[name] = pd.concat(frames, ignore_index=True)
        return self._tables[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_") or name not in self.table_names:
            raise AttributeError(name)
        return self.table(name)


def read_variants(sweep_dir: Path) -> pd.DataFrame:
    """variants.parquet: one row per variant, its number and the value of each varied key."""
    path = sweep_dir / VARIANTS_FILE
    try:
        variants = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowInvalid) as err:
        reason = str(err).splitlines()[0]
        raise InputError(f"{path}: not a readable Parquet file ({reason})") from None
    if "variant" not in variants.columns:
        raise InputError(f"{path}: no column 'variant'")
    if variants.empty:
        raise InputError(f"{path}: the table has no rows")
    return variants


def is_sweep(path: Path) -> bool:
    """Whether `path` is a finished sweep folder rather than a run folder."""
    return (path / VARIANTS_FILE).is_file() and not (path / "manifest.json").is_file()


def variant_dirs(sweep_dir: Path) -> list[Path]:
    """The run folders of a sweep's variants, in variant order."""
    return [sweep_dir / f"variant={int(k)}" for k in read_variants(sweep_dir)["variant"]]


def load_run(run_dir: str | Path) -> Run:
    """Open the run folder `run_dir` written by `mobsim run` (or a sweep's variant folder)."""
    path = Path(run_dir)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(f"{path}: not a run folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"{manifest_path}:{err.lineno}:{err.colno}: {err.msg}") from None
    return Run(path, manifest)


def load_sweep(sweep_dir: str | Path) -> Sweep:
    """Open the sweep folder `sweep_dir` written by `mobsim sweep`."""
    path = Path(sweep_dir)
    return Sweep(path, read_variants(path), [load_run(p) for p in variant_dirs(path)])


def load(folder: str | Path) -> Run | Sweep:
    """Open a run folder written by `mobsim run`, or a sweep folder written by `mobsim sweep`."""
    path = Path(folder)
    if is_sweep(path):
        return load_sweep(path)
    if not (path / "manifest.json").is_file():
        raise InputError(f"{path}: not a run folder (no manifest.json) nor a sweep folder "
                         f"(no {VARIANTS_FILE})")
    return load_run(path)
