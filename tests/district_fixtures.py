"""Checks of the generator's cadres shared by the district tests: every community paired,
each given its share of the cadres by households."""

from __future__ import annotations

import numpy as np

from mobsim.district import District


def cadres_and_households(district: District) -> tuple[np.ndarray, np.ndarray]:
    """Cadres reporting to each community, and its households (rows of the communities table)."""
    n = district.rows("communities")
    cadres = np.bincount(district.position("communities", district.cadres["community_id"]),
                         minlength=n)
    households = np.bincount(district.position("communities", district.microgrids["community_id"]),
                             district.microgrids["households"], n)
    return cadres, households


def assert_every_community_has_its_share(district: District, total: int) -> None:
    """Every community has cadres from its paired unit, within one cadre of its share
    total × households / all households (Sainte-Laguë: within half a cadre of its share at the
    common divisor; one cadre is the bound stated in docs/model.md 11)."""
    cadres, households = cadres_and_households(district)
    assert cadres.sum() == len(district.cadres["cadre_id"]) == total
    assert cadres.min() >= 1
    share = total * households / households.sum()
    assert np.abs(cadres - share).max() < 1
    pairs = set(zip(district.pairings["unit_id"].tolist(), district.pairings["community_id"].tolist()))
    assert set(zip(district.cadres["unit_id"].tolist(),
                   district.cadres["community_id"].tolist())) <= pairs
