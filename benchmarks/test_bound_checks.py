"""The 3-hour bound on the shipped scenarios: each gives the verdict documented beside it.

Every file in scenarios/ states `# expected verdict: PASS`, `FAIL` or `UNDECIDED` in its
header, the verdict `mobsim check` gives (mobsim.results.bound.decide). PASS: the target quantile is
shown within the target at the target confidence with N_PASS replications (59 is the fewest
that can show a 95th percentile at 95% confidence). FAIL: shown not met with N_FAIL
replications — the Clopper–Pearson upper bound on P(T ≤ target) is below the quantile — not
merely too few replications (N_PASS when N_FAIL cannot decide it, as for a scenario near the
target). UNDECIDED: N_PASS replications show neither.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mobsim.results.bound import FAIL, UNDECIDED, check_bound
from mobsim.runner import run
from mobsim.scenario.files import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
N_PASS = 59
N_FAIL = 20
SEED = 2026
VERDICT = re.compile(r"^# expected verdict: (PASS|FAIL|UNDECIDED)\b", re.MULTILINE)


def expected_verdicts() -> dict[str, str]:
    """Scenario file → the verdict its header documents (wartime scenarios only)."""
    found = {}
    for path in sorted(SCENARIOS.glob("*.toml")):
        match = VERDICT.search(path.read_text())
        if match:
            found[path.name] = match.group(1)
    return found


def test_every_wartime_scenario_documents_its_verdict() -> None:
    verdicts = expected_verdicts()
    for name in ("xindu-baseline.toml", "xindu-night.toml", "xindu-weekend.toml"):
        assert name in verdicts, f"{name} has no '# expected verdict:' line"


@pytest.mark.verdicts
@pytest.mark.parametrize("name,verdict", sorted(expected_verdicts().items()))
def test_shipped_scenario_gives_its_documented_verdict(name: str, verdict: str, benchmark) -> None:
    scenario = load_scenario(SCENARIOS / name)
    n = N_FAIL if verdict == FAIL else N_PASS
    result = benchmark.pedantic(run, args=(scenario, n, SEED), kwargs={"jobs": 2, "write": False},
                                rounds=1, iterations=1)
    target = scenario.data["target"]
    check = check_bound(result.replications["t_full_min"].to_numpy(dtype=float),
                        target["minutes"], target["quantile"], target["confidence"])
    if check.verdict == UNDECIDED and verdict == FAIL:
        # A scenario near the target (the baseline) needs the full N_PASS to show its FAIL.
        result = run(scenario, N_PASS, SEED, jobs=2, write=False)
        check = check_bound(result.replications["t_full_min"].to_numpy(dtype=float),
                            target["minutes"], target["quantile"], target["confidence"])
    benchmark.extra_info.update(share_within_target=check.share_within_target,
                                empirical_quantile_min=check.empirical_quantile_min)
    assert check.verdict == verdict, check
