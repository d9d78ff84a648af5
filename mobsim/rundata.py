"""Read a run folder back: its tables as pandas DataFrames and its manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from mobsim.errors import InputError


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

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame (categories as pandas categoricals, times that never happened as +inf)."""
        if name not in self.table_names:
            raise InputError(f"{self.path}: the run has no table {name!r}; "
                             f"it has {', '.join(self.table_names)}")
        if name not in self._cache:
            self._cache[name] = pq.read_table(self.path / f"{name}.parquet").to_pandas()
        return self._cache[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_") or name not in self.table_names:
            raise AttributeError(name)
        return self.table(name)


def load(run_dir: str | Path) -> RunData:
    """Open the run folder `run_dir` written by `mobsim run`."""
    path = Path(run_dir)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(f"{path}: not a run folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"{manifest_path}:{err.lineno}:{err.colno}: {err.msg}") from None
    return RunData(path, manifest)
