"""Overhead of the Dask executor over the local process pool: the same sweep, timed in one run.

The sweep (Xindu, the order at 14:00 and at 02:00, half the replications each) runs on the
local pool of 2 processes and on a LocalCluster of 2 single-threaded workers. Both are warmed
up first (imports, compiled kernels); the cluster's start and warm-up are reported apart. The
figure is the extra wall time per replication, (dask_s - local_s) / replications, in
extra_info and printed. Only the identity of the results is asserted.

Size: MOBSIM_DASK_BENCH_REPLICATIONS (default 8); the 200-replication version is marked slow:
`pytest benchmarks/test_dask_bench.py -m slow -s`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mobsim.runner import Executor
from mobsim.runner.cluster import dask_session
from mobsim.runner.local import run_local
from mobsim.scenario import load_scenario
from mobsim.sweeps import sweep

WORKERS = 2
SEED = 3
VARY = {"alert.start": ["14:00", "02:00"]}
SIZES = [int(os.environ.get("MOBSIM_DASK_BENCH_REPLICATIONS", "8")),
         pytest.param(200, marks=pytest.mark.slow)]


def timed_sweep(out: Path, replications: int, executor: Executor) -> float:
    """Seconds to run the sweep of `replications` in all (split over the variants) into `out`."""
    started = time.perf_counter()
    sweep(load_scenario(), VARY, max(1, replications // len(VARY["alert.start"])), SEED, out, jobs=WORKERS,
          executor=executor)
    return time.perf_counter() - started


@pytest.mark.parametrize("replications", SIZES)
def test_dask_overhead_per_replication(benchmark, tmp_path: Path, replications: int) -> None:
    timed_sweep(tmp_path / "local-warm-up", 1, run_local)
    local_s = timed_sweep(tmp_path / "local", replications, run_local)
    started = time.perf_counter()
    with dask_session(None, WORKERS) as on_dask:
        timed_sweep(tmp_path / "dask-warm-up", 2 * WORKERS, on_dask)
        cluster_start_s = time.perf_counter() - started
        dask_s = benchmark.pedantic(timed_sweep, (tmp_path / "dask", replications, on_dask),
                                    rounds=1, iterations=1)
    overhead_s = (dask_s - local_s) / replications
    benchmark.extra_info.update(replications=replications, local_s=round(local_s, 3),
                                dask_s=round(dask_s, 3), cluster_start_s=round(cluster_start_s, 3),
                                overhead_per_replication_s=round(overhead_s, 4))
    print(f"\n{replications} replications on {WORKERS} workers: local {local_s:.1f} s, dask "
          f"{dask_s:.1f} s, overhead {overhead_s * 1000:+.0f} ms per replication "
          f"(cluster start and warm-up {cluster_start_s:.1f} s apart)")
    files = sorted(p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*.parquet"))
    assert files
    for name in files:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
