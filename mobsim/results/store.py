"""Finished replications kept on disk until a run is complete, so an interrupted run resumes.

Each replication's tables go to `RUN_DIR/.parts/r<NNNNNN>/`, written under a temporary name
and renamed whole; `RUN_DIR/.parts/run.json` records which run they belong to. When every
replication is there, the parts are merged in replication order into the final tables, so a
resumed run writes the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mobsim.errors import InputError
from mobsim.results.schemas import TableWriter


RESTAGE_BATCH = 64
"""Replications split back into parts at a time when a finished run grows: memory stays that
of 64 replications' rows however large the run."""


def _without_count(identity: dict) -> dict:
    return {key: value for key, value in identity.items() if key != "replications"}


class Staging:
    """The `.parts` folder of one run folder."""

    def __init__(self, out_dir: Path) -> None:
        self.root = out_dir / ".parts"
        self.marker = self.root / "run.json"

    def _part(self, replication: int) -> Path:
        return self.root / f"r{replication:06d}"

    def begin(self, identity: dict, resume: bool) -> None:
        """Start staging for the run `identity`; with `resume`, keep parts of that same run,
        whatever number of replications it was asked for (a replication is the same in both)."""
        if resume and self.marker.is_file():
            earlier = json.loads(self.marker.read_text())
            if _without_count(earlier) != _without_count(identity):
                raise InputError(f"{self.root.parent}: --resume found parts of a different run "
                                 f"(scenario {earlier.get('scenario')!r}, seed {earlier.get('seed')}, "
                                 f"{earlier.get('replications')} replications); use --force to start over")
            if earlier != identity:
                self.marker.write_text(json.dumps(identity, sort_keys=True))
            return
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        self.marker.write_text(json.dumps(identity, sort_keys=True))

    def discard(self) -> None:
        """Drop every part and the marker."""
        shutil.rmtree(self.root, ignore_errors=True)

    def done(self) -> set[int]:
        """Replications whose parts are complete."""
        if not self.root.is_dir():
            return set()
        return {int(p.name[1:]) for p in self.root.iterdir() if p.is_dir() and p.name.startswith("r")}

    def put(self, replication: int, tables: dict[str, pa.Table], schemas: dict[str, pa.Schema]) -> None:
        """Keep one finished replication's tables, all or nothing."""
        tmp = self.root / f".r{replication:06d}.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir()
            for name, schema in schemas.items():
                pq.write_table(tables[name].cast(schema), tmp / f"{name}.parquet",
                               compression="none")
            os.replace(tmp, self._part(replication))
        except BaseException:
            # A full disk or a stop mid-write: free the space of the part that is not whole.
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def restage(self, out_dir: Path, replications: Iterable[int],
                schemas: dict[str, pa.Schema]) -> None:
        """Split the finished tables in `out_dir` back into the parts of `replications` not
        staged yet, so that a finished run grows by merging them with the new ones; each part
        whole, as `put` keeps them."""
        wanted = sorted(set(replications) - self.done())
        for start in range(0, len(wanted), RESTAGE_BATCH):
            batch = wanted[start:start + RESTAGE_BATCH]
            tables: dict[int, dict[str, pa.Table]] = {r: {} for r in batch}
            for name, schema in schemas.items():
                rows = pq.read_table(out_dir / f"{name}.parquet",
                                     filters=[("replication", ">=", batch[0]),
                                              ("replication", "<=", batch[-1])])
                numbers = rows["replication"].to_numpy()
                for replication in batch:
                    first, end = np.searchsorted(numbers, [replication, replication + 1])
                    tables[replication][name] = rows.slice(first, end - first)
            for replication in batch:
                self.put(replication, tables[replication], schemas)

    def read(self, replication: int, name: str) -> pa.Table:
        """One staged table of one replication."""
        return pq.read_table(self._part(replication) / f"{name}.parquet")

    def merge(self, out_dir: Path, replications: int, schemas: dict[str, pa.Schema],
              gather: str = "replications") -> pa.Table:
        """Write the final tables from the parts in replication order (`discard` drops the parts
        once the run's manifest is written, so a failure before that can still --resume).

        Returns the table `gather` (by default the row per replication), gathered on the way.
        """
        gathered = []
        for name, schema in schemas.items():
            with TableWriter(out_dir, name, schema) as writer:
                for replication in range(replications):
                    part = self.read(replication, name)
                    writer.write(part)
                    if name == gather:
                        gathered.append(part.cast(schema))
        return pa.concat_tables(gathered) if gathered else schemas[gather].empty_table()
