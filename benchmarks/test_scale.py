"""Scale: a district ten times Xindu, and a thousand replications, in bounded time and memory.

Each measurement runs in its own interpreter (`measure`), so its peak resident memory
(getrusage maxrss) is its own. The 10× district tiles ten copies of the Xindu district side by
side (ids offset, 60 km apart): 101,610 micro-grids, 125,180 members, 32,410 cadres. Slow:
run with `pytest -m slow benchmarks/test_scale.py -s` to see the figures.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from mobsim.district import District, write_district
from mobsim.generate import generate_xindu
from mobsim.tables import FOREIGN_KEYS, PRIMARY_KEYS

pytestmark = pytest.mark.slow

TILE_SPACING_KM = 60.0
"""Offset between copies: more than Xindu's diameter (25 km), so copies do not mix."""
CHEAP = ("alert.horizon_min=240",)
"""A shorter horizon for the many-replication runs: a Xindu replication in well under a second."""
X_COLUMNS = ("x_km", "home_x_km")


def tile_xindu(copies: int) -> District:
    """`copies` Xindu districts side by side: every id offset by the rows of its table."""
    xindu = generate_xindu()
    referenced = {column: table for refs in FOREIGN_KEYS.values() for column, table in refs}
    tables = {}
    for name, table in xindu.tables().items():
        columns = {}
        for column, values in table.items():
            key_table = name if PRIMARY_KEYS[name] == column else referenced.get(column)
            if key_table is not None:
                step = xindu.rows(key_table)
                columns[column] = np.concatenate([values + k * step for k in range(copies)]
                                                 ).astype(values.dtype)
            elif column in X_COLUMNS:
                columns[column] = np.concatenate([values + k * TILE_SPACING_KM
                                                  for k in range(copies)])
            else:
                columns[column] = np.concatenate([values] * copies)
        tables[name] = columns
    return District(**tables)


def measure(copies: int, replications: int, overrides: tuple[str, ...] = ()) -> None:
    """Print {"seconds", "max_rss_mb", ...} of a run of the tiled district (in a fresh process).

    The kernels are loaded first by a one-replication run of the built-in district, so the
    time is that of the simulation, collection and writing only.
    """
    from mobsim.runner import run
    from mobsim.scenario import load_scenario

    with tempfile.TemporaryDirectory() as folder:
        run(load_scenario(None, CHEAP), 1, 1, Path(folder) / "warm-up", jobs=1)
        district = tile_xindu(copies)
        write_district(district, Path(folder) / "district")
        counts = [f"{table}.count={district.rows(table)}"
                  for table in ("members", "cadres", "scanners")]
        scenario = load_scenario(None, [f"district.path='{folder}/district'", *counts, *overrides])
        start = time.perf_counter()
        result = run(scenario, replications, 1, Path(folder) / "run", jobs=1)
        seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "microgrids": district.rows("microgrids"), "members": district.rows("members"),
        "replications": len(result.replications),
        "never_activated": int(result.replications["never_activated"].sum()),
    }))


def measured(copies: int, replications: int, *overrides: str) -> dict:
    """`measure` in a subprocess."""
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"from test_scale import measure; measure({copies}, {replications}, {overrides!r})")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n{copies}x Xindu, {replications} replications {overrides}: {figures}")
    return figures


def test_tiling_keeps_the_district_consistent() -> None:
    from mobsim.district_check import check_district

    tiled = tile_xindu(2)
    assert check_district(tiled) == []
    assert tiled.rows("microgrids") == 2 * generate_xindu().rows("microgrids")


def test_ten_times_xindu_grows_no_worse_than_linearly() -> None:
    """One replication of 1× and of 10× Xindu.

    Time: every part of a replication is meant to be linear in the number of people and posts
    (events, per-entity draws, per-post outputs), except the dispatcher, whose rounds work on
    waiting communities × open gaps, both ten times larger. Allowing 50% over linear (ratio
    ≤ 15) absorbs the fixed costs that do not shrink in the 1× run and the load of a shared
    machine; a quadratic part would show as a ratio near 100. Memory: the 10× run must stay
    under 4 GB at its peak.
    """
    one = measured(1, 1)
    ten = measured(10, 1)
    assert ten["microgrids"] == 10 * one["microgrids"]
    assert ten["seconds"] / one["seconds"] <= 10 * 1.5
    assert ten["max_rss_mb"] < 4096


def test_peak_memory_does_not_grow_with_replications() -> None:
    """50 and 200 replications of Xindu (short horizon): the same peak memory within 10%.

    Results are staged on disk replication by replication and merged by streaming, so the
    peak is one replication's working set. Holding the tables of the 150 extra replications
    in memory would add about 150 × (microgrids + members + curve rows) × ~40 bytes, over
    100 MB: far beyond the 10% margin, which covers allocator noise.
    """
    fifty = measured(1, 50, *CHEAP)
    two_hundred = measured(1, 200, *CHEAP)
    assert two_hundred["replications"] == 200
    assert two_hundred["max_rss_mb"] <= 1.10 * fifty["max_rss_mb"]
