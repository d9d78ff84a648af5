"""The peacetime scan feeds the wartime verification round (平战结合): paired, common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from canvass_fixtures import fixed_doors, scan_run, with_scanners
from model_fixtures import small_district

from mobsim.errors import InputError
from mobsim.model.canvass import households
from mobsim.model.tasks.verification import verification_reached_min
from mobsim.random import Streams
from mobsim.runner.scan_state import scan_run_shares, verified_households
from mobsim.scenario import load_scenario
from mobsim.scenario.params import Parameters, Settings

WEEKS = (0.0, 1.0, 2.0, 4.0)
SEED = 5


def district():
    """Two communities of 4 micro-grids of 50 households, one scanner each."""
    return with_scanners(small_district(subdistricts=1, communities=2, grids=1, microgrids=4,
                                        units=1, cadres=1), [0, 1])


ACTIVATED_MIN = np.array([0.0, 5.0, 12.0, 30.0, 2.0, 7.0, 9.0, 60.0])


def doors(home_p: float) -> list[str]:
    """Doors open with `home_p` at any hour; a random (lognormal) service the scan shortens."""
    return fixed_doors("action", 4.0, 1.0, home_p=home_p) + [
        "action.service_min.commercial_housing={dist = 'lognormal', median = 6.0, sigma = 0.6}"]


def verification_after(weeks: float, place, home_p: float = 1.0,
                       replication: int = 0) -> tuple[np.ndarray | None, np.ndarray]:
    """(verified records, minute each household was verified in wartime) after `weeks` of scan."""
    loaded = load_scenario(None, doors(home_p) + ["scanners.count=2", f"tasks.scan_weeks={weeks}"])
    homes = households(place)
    verified = verified_households(place, Settings(loaded), SEED, homes)
    reached = verification_reached_min(homes, Parameters(loaded, Streams(SEED, replication)),
                                       ACTIVATED_MIN, verified)
    return verified, reached


def test_more_scanning_weeks_never_make_verification_slower() -> None:
    """Everyone opens at the first visit: each household's verification minute, exactly."""
    place = district()
    previous_verified, previous_reached = None, None
    for weeks in WEEKS:
        verified, reached = verification_after(weeks, place)
        done = np.nan_to_num(reached, nan=np.inf)
        if previous_reached is not None:
            before = np.zeros(len(done), bool) if previous_verified is None else previous_verified
            # The longer scan verified a superset, and every household is verified no later.
            assert (verified >= before).all()
            assert (done <= previous_reached).all(), weeks
        previous_verified, previous_reached = verified, done
    assert previous_verified.mean() > 0.5  # four weeks of two scanners verify most records
    # ...and it matters: the round ends sooner than with no verified record.
    assert previous_reached.max() < np.nan_to_num(verification_after(0.0, place)[1]).max()


def test_with_absent_households_more_scanning_verifies_more_by_the_target_paired() -> None:
    """Doors open half the time: the share verified by 120 min, paired over replications,
    is higher after four weeks of scanning than after none, by more than 4 standard errors."""
    place = district()
    gains = []
    for replication in range(12):
        shares = [np.mean(np.nan_to_num(verification_after(w, place, 0.5, replication)[1],
                                        nan=np.inf) <= 120.0) for w in (0.0, 4.0)]
        gains.append(shares[1] - shares[0])
    assert np.mean(gains) > 4 * np.std(gains, ddof=1) / np.sqrt(len(gains))


def test_no_scan_leaves_the_round_as_it_was() -> None:
    place = district()
    verified, reached = verification_after(0.0, place)
    assert verified is None
    plain = verification_reached_min(households(place),
                                     Parameters(load_scenario(None, doors(1.0)), Streams(SEED, 0)),
                                     ACTIVATED_MIN)
    np.testing.assert_array_equal(reached, plain)


def test_a_scan_run_folder_gives_each_subdistrict_its_final_share(tmp_path) -> None:
    folder = scan_run(tmp_path, "scan", jobs=1)
    import pandas as pd
    curves = pd.read_parquet(folder / "scan_curves.parquet")
    last = curves[curves["day"] == curves["day"].max()]
    expected = last.groupby("subdistrict_id")["share_households_verified"].mean()
    ids = np.array(sorted(expected.index))
    np.testing.assert_allclose(scan_run_shares(folder, ids), expected.loc[ids].to_numpy())
    with pytest.raises(InputError, match=r"tasks.scan_run: .* \(no scan_curves.parquet\)"):
        scan_run_shares(tmp_path, ids)
