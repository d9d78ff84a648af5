"""The `mobsim run` under test in the interruption tests, and what they look at in its folder."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPLICATIONS, SEED = 8, 3
SHAPE = dict(subdistricts=4, communities=5, grids=6, microgrids=8, members=2)
"""960 micro-grids with the baseline's random parameters: a few tenths of a second a replication."""
WAIT_S = 120.0
"""Longest wait for a subprocess to reach a state (a safety net, not a timing assertion)."""


def run_args(scenario: Path, out: Path, *extra: str) -> list[str]:
    """Arguments of the `mobsim run` under test."""
    return ["run", str(scenario), "-n", str(REPLICATIONS), "--seed", str(SEED), "-j", "1",
            "--quiet", "-o", str(out), *extra]


def finished_parts(out: Path) -> list[Path]:
    """Replications kept whole in `.parts` (renamed into place once complete)."""
    parts = out / ".parts"
    return sorted(p for p in parts.glob("r*") if p.is_dir()) if parts.is_dir() else []


def start_and_wait_for_parts(scenario: Path, out: Path, parts: int,
                             *extra: str) -> subprocess.Popen:
    """Start `mobsim run` in a subprocess; return once `.parts` holds `parts` finished ones."""
    command = [sys.executable, "-m", "mobsim.cli", *run_args(scenario, out, *extra)]
    process = subprocess.Popen(command,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + WAIT_S
    while len(finished_parts(out)) < parts:
        assert process.poll() is None, f"ended before the interruption: {process.communicate()}"
        assert time.monotonic() < deadline, "no finished replication appeared"
        time.sleep(0.01)
    return process


def parquet_bytes(out: Path) -> dict[str, bytes]:
    """Every Parquet file of a run folder (not its parts), by name."""
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.parquet"))}
