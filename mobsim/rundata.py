"""Read a run or sweep folder back: its tables as pandas DataFrames and its manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mobsim.errors import InputError

VARIANTS_FILE = "variants.parquet"
"""The table of variants that makes a folder a sweep folder."""


@dataclass
class RunData:
    """A run folder opened for analysis; tables load on first access."""

    path: Path
    manifest: dict
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def table_names(self) -> list[str]:
        """Names of the tables the run wrote."""
        return [Path(name).stem for name in self.manifest.get("tables", [])]

    def table_path(self, name: str) -> Path:
        """Where table `name` is: in the run folder, or (a sweep's variant) in the sweep's dataset."""
        return self.path / self.manifest.get("table_paths", {}).get(name, f"{name}.parquet")

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame (categories as pandas categoricals, times that never
        happened as +inf)."""
        if name not in self.table_names:
            raise InputError(f"{self.path}: the run has no table {name!r}; "
                             f"it has {', '.join(self.table_names)}")
        if name not in self._cache:
            self._cache[name] = pq.read_table(self.table_path(name)).to_pandas()
        return self._cache[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_") or name not in self.table_names:
            raise AttributeError(name)
        return self.table(name)


@dataclass
class SweepData:
    """A sweep folder opened for analysis: its variants, each variant's run, whole tables."""

    path: Path
    variants: pd.DataFrame
    runs: list[RunData]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def table_names(self) -> list[str]:
        """Names of the tables every variant wrote."""
        return self.runs[0].table_names if self.runs else []

    def table(self, name: str) -> pd.DataFrame:
        """Every variant's rows of table `name`, with the `variant` column (int32)."""
        if name not in self.table_names:
            raise InputError(f"{self.path}: the sweep has no table {name!r}; "
                             f"it has {', '.join(self.table_names)}")
        if name not in self._cache:
            frames = [run.table(name).assign(variant=np.full(len(run.table(name)), number, np.int32))
                      for number, run in zip(self.variants["variant"], self.runs)]
            self._cache[name] = pd.concat(frames, ignore_index=True)
        return self._cache[name]

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


def load_run(run_dir: str | Path) -> RunData:
    """Open the run folder `run_dir` written by `mobsim run` (or a sweep's variant folder)."""
    path = Path(run_dir)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(f"{path}: not a run folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"{manifest_path}:{err.lineno}:{err.colno}: {err.msg}") from None
    return RunData(path, manifest)


def load(folder: str | Path) -> RunData | SweepData:
    """Open a run folder written by `mobsim run`, or a sweep folder written by `mobsim sweep`
    (its variants as runs)."""
    path = Path(folder)
    if is_sweep(path):
        variants = read_variants(path)
        return SweepData(path, variants, [load_run(p) for p in variant_dirs(path)])
    if not (path / "manifest.json").is_file():
        raise InputError(f"{path}: not a run folder (no manifest.json) nor a sweep folder "
                         f"(no {VARIANTS_FILE})")
    return load_run(path)
