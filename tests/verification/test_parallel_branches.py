"""Verification case 4 (brief section 5): the district time is the maximum of N parallel branches.

scenarios/parallel-branches.toml on the Xindu district with one member per micro-grid, living
at the post: every member has the order at the same minute S (messaging, fixed delays), then
leaves after Exp(rate) minutes, so the N = 10,161 activations are S plus i.i.d. exponentials
and the district time is S plus their maximum:

    E[max] = H_N / rate (H_10161 = 9.80),  sd[max] = sqrt(sum_k 1/k²) / rate < π / (√6 · rate),
    P(max <= t) = (1 - e^(-rate·t))^N.

The run goes through the whole pipeline (scenario file, district folder, runner, Parquet
tables), so the district time tested is the one `mobsim run` reports. Tolerances: the mean
of the replications' district times within 4 standard errors of S + H_N / rate; KS tests at
a fixed seed, significance 1%.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scenario_files import case_on_district
from scipy import stats

from mobsim.district.generate import MICROGRIDS, generate_xindu
from mobsim.results.run import load
from mobsim.runner import run

REPLICATIONS, SEED = 12, 4


@pytest.fixture(scope="module")
def branches(tmp_path_factory):
    """(common start S, rate, district times, activation offsets) of a run of the case."""
    xindu = generate_xindu(members=MICROGRIDS)  # exactly one member per micro-grid
    post = xindu.position("microgrids", xindu.members["microgrid_id"])
    district = replace(xindu, members={**xindu.members,
                                       "home_x_km": xindu.microgrids["x_km"][post],
                                       "home_y_km": xindu.microgrids["y_km"][post]})
    folder = tmp_path_factory.mktemp("branches")
    scenario = case_on_district("parallel-branches", district, folder)
    result = run(scenario, REPLICATIONS, SEED, folder / "run", jobs=1)
    relays = ("district", "subdistricts", "communities", "gridworkers")
    start = sum(scenario.get(f"cascade.{level}.processing_min")
                + scenario.get("channels.messaging.read_min.home") for level in relays)
    rate = 1.0 / scenario.dist("members.prepare_min.home").mean
    activated = load(result.path).table("microgrids")["activated_min"].to_numpy()
    return start, rate, result.replications["t_full_min"].to_numpy(), activated - start


def test_each_activation_is_an_exponential_delay_after_the_common_start(branches) -> None:
    _, rate, _, offsets = branches
    assert len(offsets) == REPLICATIONS * MICROGRIDS
    assert offsets.min() >= 0.0
    assert stats.kstest(offsets, stats.expon(scale=1.0 / rate).cdf).pvalue > 0.01


def test_district_time_has_the_mean_of_the_maximum_of_n_exponentials(branches) -> None:
    start, rate, district_min, _ = branches
    k = np.arange(1, MICROGRIDS + 1)
    harmonic = np.sum(1.0 / k)
    assert round(harmonic, 2) == 9.80
    sd = math.sqrt(np.sum(1.0 / k**2)) / rate
    assert sd < math.pi / (math.sqrt(6) * rate)
    assert abs(district_min.mean() - (start + harmonic / rate)) < 4 * sd / math.sqrt(REPLICATIONS)


def test_district_time_follows_the_law_of_the_maximum(branches) -> None:
    start, rate, district_min, _ = branches
    law_of_max = lambda t: (-np.expm1(-rate * np.maximum(t, 0.0))) ** MICROGRIDS  # noqa: E731
    assert stats.kstest(district_min - start, law_of_max).pvalue > 0.01
