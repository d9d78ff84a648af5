"""A run's fixed cost (start-up, district, merge) as a ratio to the SimPy reference of the same run.

Target: at most 2 s for Xindu on the 2-core development machine, where the SimPy reference
workload (timing.simpy_reference) takes 0.49 s: about 4.1 references. The cost is measured as a
planner pays it, `mobsim run xindu-baseline -j 1` in a fresh process: T(n), the wall time of a
run of n replications, for n = 1 and 3, best of three rounds each taken in turn. A replication
costs (T(3) − T(1)) / 2; the fixed cost is what T(1) holds beyond one replication,
T(1) − (T(3) − T(1)) / 2: the interpreter and imports, loading the compiled kernels, building
the district, writing and merging the tables, the summary. One run first fills the kernels'
cache (a fresh installation compiles them once, about 10 s, which no later run pays).

The reference is measured in a fresh interpreter (timing.fresh_reference_s): 0.23–0.28 s on the
free 2-core development machine on 2026-12-08, where the fixed cost was 1.53–1.65 s, ratio
6.0–6.7: under the 2 s of the target, over its 4.1 references. It had been 2.42 s: every run
imported SALib and scipy.stats (0.8 s) to print which placeholders its verdict rests on; they
are now loaded only by the studies that use them. Until the speed issue brings the ratio to
the target, the gate holds it where it is, with margin for a loaded machine, on which starting
fresh interpreters slows far more than the reference (`GATE`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from timing import best_seconds_each, fresh_reference_s

FIXED_TARGET_S = 2.0
REFERENCE_S = 0.49
"""The SimPy reference on the machine the 2 s target was set on."""
GATE = 12.0
"""The ratio held: the measured 6.7, and as much again less a tenth for a loaded machine, where
the fixed cost was seen at 1.75 times its free-machine time (the target, 2 s, is 4.1)."""


def _run(out: Path, replications: int) -> None:
    subprocess.run([sys.executable, "-m", "mobsim.cli", "run", "xindu-baseline", "-j", "1",
                    "-n", str(replications), "-o", str(out), "--quiet", "--force"],
                   check=True, stdout=subprocess.DEVNULL)


@pytest.mark.bench
def test_fixed_cost_gate(tmp_path: Path, record_property) -> None:
    _run(tmp_path / "warm-up", 1)
    one, three = best_seconds_each([lambda: _run(tmp_path / "one", 1),
                                    lambda: _run(tmp_path / "three", 3)], 3)
    reference_s = fresh_reference_s()
    replication_s = (three - one) / 2
    fixed_s = one - replication_s
    for name, value in (("one_replication_run_s", one), ("three_replications_run_s", three),
                        ("fixed_s", fixed_s), ("simpy_reference_s", reference_s)):
        record_property(name, value)
    gate = GATE
    print(f"\nrun -n 1 {one:.2f} s, -n 3 {three:.2f} s: a replication {replication_s:.2f} s, "
          f"fixed {fixed_s:.2f} s; SimPy reference {reference_s:.3f} s, ratio "
          f"{fixed_s / reference_s:.2f} (gate {gate:.1f}; target {FIXED_TARGET_S / REFERENCE_S:.1f})")
    assert fixed_s / reference_s <= gate, (
        f"fixed cost of a run {fixed_s:.2f} s (run -n 1 {one:.2f} s, -n 3 {three:.2f} s, best "
        f"of 3 each, in turn) against the SimPy reference {reference_s:.3f} s: ratio "
        f"{fixed_s / reference_s:.2f}, gate {gate:.1f}")
