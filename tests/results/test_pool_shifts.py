"""reserve_shifts names the pool of every reserve: cadres and grid workers by their district
ids, a pool's people by their number within the pool."""

from dataclasses import replace

import numpy as np
from model_fixtures import small_district

from mobsim.codes import ACTIVATED_BY, POOLS
from mobsim.model.handover import SHIFT_DTYPE
from mobsim.results.rows import layout, shifts_table


def test_each_shift_names_its_pool_and_the_reserve_within_it() -> None:
    lay = layout(small_district(units=1, cadres=3))
    lay = replace(lay, cadre_id=lay.cadre_id + 100, general_grid_id=lay.general_grid_id + 500)
    kinds = ["cadre", "grid_worker", *POOLS]
    shifts = np.array([(ACTIVATED_BY.index(kind), who, 0, 1.0, np.inf, 0)
                       for who, kind in enumerate(kinds)], dtype=SHIFT_DTYPE)
    table = shifts_table(shifts, lay, 7).to_pydict()
    assert table["kind"] == kinds
    assert table["reserve_id"] == [100, 501, 2, 3, 4, 5]  # a cadre's id, a grid's id, then rows
    assert table["replication"] == [7] * len(kinds)
