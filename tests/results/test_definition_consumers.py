"""Compare, the sensitivity's measure and a stored run's target read the run's own definition
of mobilized."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_fixtures import write_fake_run

import mobsim
from mobsim.errors import InputError
from mobsim.scenario.files import load_scenario
from mobsim.scenario.params import Definition
from mobsim.studies.sensitivity.evaluate import measure

OWN = {"minutes": 150.0, "quantile": 0.9, "confidence": 0.8, "definition": "subdistricts",
       "share": 0.8}


def _order_statistic(values: np.ndarray, q: float) -> float:
    ordered = np.sort(values)
    return float(ordered[max(math.ceil(q * len(ordered) - 1e-9), 1) - 1])


def test_compare_reads_each_run_s_own_definition(tmp_path: Path) -> None:
    """The same fake replications under every post and under 80% of each sub-district: the
    second's figures are its t_target_min, its paired difference the median of
    t_target − t_full."""
    every = write_fake_run(tmp_path / "every", replications=12, seed=2, median_min=40.0,
                           never_share=0.0, target={**OWN, "definition": "posts", "share": 1.0})
    own = write_fake_run(tmp_path / "own", replications=12, seed=2, median_min=40.0,
                         never_share=0.0, target=OWN)
    table = mobsim.compare([every, own])
    assert list(table["definition"]) == ["all posts", "every sub-district at 80%"]
    reps = mobsim.load(own).replications
    t_target = reps["t_target_min"].to_numpy()
    assert table["quantile_min"].iloc[1] == _order_statistic(t_target, 0.9)
    assert table["quantile_min"].iloc[0] == _order_statistic(reps["t_full_min"].to_numpy(), 0.9)
    differences = t_target - reps["t_full_min"].to_numpy()
    assert (differences <= 0).all() and (differences < 0).any()
    assert table["t_full_diff_min"].iloc[1] == _order_statistic(differences, 0.5)
    assert table["verdict"].iloc[1] == mobsim.load(own).check().district.verdict


def test_the_sensitivity_s_measure_is_the_scenario_s_definition() -> None:
    """A never-staffed post decides every post, not 90% of them."""
    reps = pd.DataFrame({
        "t_full_min": [np.inf, 100.0, 120.0], "t_target_min": [90.0, 80.0, 100.0],
        "share_activated_at_target": [0.9, 1.0, 1.0]})
    every = measure(reps, load_scenario(None, ["target.quantile=0.5"]))
    share = measure(reps, load_scenario(None, ["target.quantile=0.5", "target.share=0.9"]))
    assert (every["quantile_min"], every["within_target"]) == (120.0, 2)
    assert (share["quantile_min"], share["within_target"]) == (90.0, 3)


def test_a_stored_run_s_target_carries_its_definition(tmp_path: Path) -> None:
    run = mobsim.load(write_fake_run(tmp_path / "own", replications=3, target=OWN))
    assert run.target.definition == Definition("subdistricts", 0.8)
    manifest = tmp_path / "own" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["scenario_data"]["target"]["definition"] = "wards"
    manifest.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"manifest\.json: scenario_data\.target: definition "
                                         r"'wards' with share 0\.8 is not a definition"):
        _ = mobsim.load(tmp_path / "own").target
