"""A dispatch round's plan: the exact bottleneck against a brute-force search, by hand where the
least latest arrival and the least total ride disagree, and the lending cap."""

import numpy as np
import pytest

from mobsim.kernels import dispatch as k
from mobsim.kernels.flows import max_flow
from mobsim.model.round_plan import Round, plan

KMH = 30.0  # 2 minutes a km, along the straight line (detour 1)


def _round(sources, gaps, now_min=0.0, lend_cap_min=np.inf, penalty_level=2):
    """A round from rows: sources (x, y, speed, scope, community, subdistrict, lends, target,
    eta, supply, set-out minute) and gaps (x, y, community, subdistrict, member's eta, called, soon)."""
    sources, gaps = np.array(sources, dtype=float), np.array(gaps, dtype=float)
    order = np.lexsort((gaps[:, 2], gaps[:, 3]))
    assert (order == np.arange(len(gaps))).all(), "gaps come sorted by sub-district, community"
    n_com = int(max(gaps[:, 2].max(), sources[:, 4].max())) + 1
    n_sub = int(max(gaps[:, 3].max(), sources[:, 5].max())) + 1
    src_f = np.column_stack([sources[:, 0], sources[:, 1], sources[:, 2], sources[:, 8],
                             sources[:, 10]])
    src_i = np.column_stack([sources[:, 3], sources[:, 4], sources[:, 5], sources[:, 6],
                             sources[:, 7], sources[:, 9]]).astype(np.int64)
    gap_f = np.column_stack([gaps[:, 0], gaps[:, 1], np.zeros(len(gaps)), gaps[:, 4]])
    gap_i = np.column_stack([np.zeros(len(gaps)), gaps[:, 2], gaps[:, 3], np.ones(len(gaps)),
                             np.zeros((len(gaps), 2))]).astype(np.int64)
    bounds = np.zeros((n_com + n_sub, 2), np.int64)
    for key, column in ((gaps[:, 2], 0), (gaps[:, 3] + n_com, 0)):
        for value in np.unique(key).astype(int):
            rows = np.flatnonzero(key == value)
            bounds[value] = rows[0], rows[-1] + 1
    return Round(src_f, src_i, gap_f, gap_i, gaps[:, 5].astype(bool), gaps[:, 6].astype(bool),
                 bounds, n_com, n_sub,
                 np.array([now_min, 1.0, 1.0, 15.0, lend_cap_min, 0.0, np.inf]),
                 np.array([penalty_level, 0, 0], np.int64))


def _free(x, y, supply=1, scope=2, community=0, subdistrict=0, lends=0, speed=KMH):
    return [x, y, speed, scope, community, subdistrict, lends, -1, np.inf, supply, 0.0]


def _gap(x, y, community=0, subdistrict=0, late_min=np.inf, called=False, soon=False):
    return [x, y, community, subdistrict, late_min, called, soon]


def test_the_round_aims_at_the_latest_arrival_before_the_least_total_ride() -> None:
    # Gaps A (0, 0) and B (2.5, 0); R1 at (0, 0.25) is 0.25 km from A and 2.5125 km from B;
    # R2 at (-1.15, 1.6359) is 2 km from A and 4 km from B. The least total ride sends R1 to
    # A and R2 to B (0.5 + 8 minutes, the last at 8); the least latest arrival R1 to B and R2
    # to A (5.025 + 4 minutes, the last at 5.025): the round picks that.
    r2 = (-1.15, np.sqrt(4 - 1.15 ** 2))
    problem = _round([_free(0.0, 0.25), _free(*r2)], [_gap(0.0, 0.0), _gap(2.5, 0.0)])
    source, gap, units, bottleneck_min = plan(problem)
    assert dict(zip(source.tolist(), gap.tolist())) == {0: 1, 1: 0}
    assert bottleneck_min == pytest.approx(2 * np.hypot(2.5, 0.25), abs=1e-9)
    assert units.tolist() == [1, 1]


def test_with_too_few_reserves_the_round_places_them_at_the_least_total_ride() -> None:
    # One reserve, two gaps nobody is coming to: some gap stays open whatever the plan, so
    # no bottleneck applies, and the reserve takes the nearer gap.
    problem = _round([_free(1.0, 0.0)], [_gap(0.0, 0.0), _gap(3.0, 0.0)])
    source, gap, units, bottleneck_min = plan(problem)
    assert bottleneck_min == np.inf and gap.tolist() == [0]


def test_a_late_member_is_waited_for_when_a_reserve_would_come_later() -> None:
    # Gap 0's member said they arrive at minute 3; the reserve would take 4 minutes: it goes
    # to gap 1 (nobody coming), and gap 0 waits for its member.
    problem = _round([_free(0.0, 2.0)], [_gap(0.0, 0.0, late_min=3.0), _gap(0.0, 4.0)])
    source, gap, _, bottleneck_min = plan(problem)
    assert gap.tolist() == [1] and bottleneck_min == pytest.approx(4.0, abs=1e-9)


def test_a_gap_whose_member_comes_soon_gets_a_reserve_only_if_the_member_would_be_last() -> None:
    # Gap A (0, 1): its member comes at minute 5, soon; gap B (0, 5): nobody coming. Two
    # reserves at (0, 0): B's ride is 10 minutes, A's 2. The last fill is B's at 10 whatever
    # A gets, so A is left to its member (a late member's gap would take the spare reserve,
    # who comes 3 minutes sooner).
    reserves = [_free(0.0, 0.0), _free(0.0, 0.0)]
    soon = plan(_round(reserves, [_gap(0.0, 1.0, late_min=5.0, soon=True), _gap(0.0, 5.0)]))
    assert soon[1].tolist() == [1] and soon[3] == pytest.approx(10.0, abs=1e-9)
    late = plan(_round(reserves, [_gap(0.0, 1.0, late_min=5.0), _gap(0.0, 5.0)]))
    assert sorted(late[1].tolist()) == [0, 1]
    # Alone, A's member at minute 30 would be the last fill: the reserve goes (at 2).
    alone = plan(_round(reserves[:1], [_gap(0.0, 1.0, late_min=30.0, soon=True)]))
    assert alone[1].tolist() == [0] and alone[3] == pytest.approx(2.0, abs=1e-9)


def test_a_lending_ride_over_the_cap_goes_only_where_nobody_else_can() -> None:
    # A cadre of sub-district 0 (x = 0) and a gap of sub-district 1 at x = 10 km: a 20-minute
    # ride, over the 15-minute cap. Alone, it goes (the post is not left for good); beside a
    # reserve of sub-district 1 at x = 9 (no cap), that one goes.
    cadre = _free(0.0, 0.0, lends=1)
    gap = [_gap(10.0, 0.0, community=1, subdistrict=1)]
    alone = plan(_round([cadre], gap, lend_cap_min=15.0))
    assert alone[0].tolist() == [0] and alone[3] == pytest.approx(20.0, abs=1e-9)
    local = _free(9.0, 0.0, scope=1, community=1, subdistrict=1)
    both = plan(_round([cadre, local], gap, lend_cap_min=15.0))
    assert both[0].tolist() == [1] and both[3] == pytest.approx(2.0, abs=1e-9)


def test_a_turn_is_capped_from_where_the_rider_set_out() -> None:
    # A lending cadre set out 10 minutes ago and is now at (0, 0), riding to gap 0 far away.
    # Under a 15-minute cap, a turn to gap 1 (2 km of sub-district 1: 4 minutes, arriving 14
    # minutes after setting out) is within it; to gap 2 (3 km: 6 minutes, 16) it is over.
    rider = _free(0.0, 0.0, lends=1)
    rider[7], rider[8], rider[10] = 0, 100.0, -10.0
    gaps = [_gap(40.0, 0.0), _gap(2.0, 0.0, community=1, subdistrict=1),
            _gap(0.0, 3.0, community=1, subdistrict=1)]
    problem = _round([rider, _free(9.0, 9.0)], gaps, lend_cap_min=15.0)
    arrival, _, over = k.pair_minutes(np.zeros(3, np.int64), np.arange(3), problem.src_f,
                                      problem.src_i, problem.gap_f, problem.gap_i,
                                      problem.settings_f, problem.settings_i)
    assert arrival.tolist() == pytest.approx([100.0, 4.0, 6.0], abs=1e-9)
    assert over.tolist() == [False, False, True]


def _random_round(seed: int) -> Round:
    """Sources and gaps over two sub-districts of two communities each, some of them riders,
    some gaps with a late member, some scopes narrow, cadres lending with a cap."""
    rng = np.random.default_rng(seed)
    n_gaps = int(rng.integers(1, 14))
    gaps = []
    for community in range(4):
        for _ in range(int(rng.integers(0, n_gaps))):
            late = rng.uniform(1, 30) if rng.random() < 0.3 else np.inf
            gaps.append(_gap(rng.uniform(0, 8) + 8 * (community // 2), rng.uniform(0, 8),
                             community, community // 2, late, rng.random() < 0.1,
                             late < np.inf and rng.random() < 0.5))
    if not gaps:
        gaps.append(_gap(1.0, 1.0))
    gaps.sort(key=lambda row: (row[3], row[2]))
    sources = []
    for _ in range(int(rng.integers(1, 12))):
        community = int(rng.integers(0, 4))
        scope = int(rng.choice([0, 1, 2]))
        row = _free(rng.uniform(0, 16), rng.uniform(0, 8), int(rng.integers(1, 3)), scope,
                    community, community // 2, int(scope == 2 and rng.random() < 0.5),
                    rng.uniform(10, 40))
        if rng.random() < 0.3:  # a rider to some gap, arriving when planned
            row[7], row[9] = int(rng.integers(0, len(gaps))), 1
            row[8] = np.hypot(row[0] - gaps[row[7]][0], row[1] - gaps[row[7]][1]) * 60 / row[2]
            row[10] = -rng.uniform(0, 20)  # set out a while ago
        sources.append(row)
    return _round(sources, gaps, lend_cap_min=float(rng.uniform(5, 30)))


def _brute_bottleneck(problem: Round) -> float:
    """The least threshold at which a maximum flow over every pair arriving by it (within the
    cap, but where no reserve reaches a gap within it) covers the required gaps and the late
    ones whose member comes after it; inf if none does."""
    n_s, n_g = len(problem.src_i), len(problem.gap_i)
    source, gap = np.repeat(np.arange(n_s), n_g), np.tile(np.arange(n_g), n_s)
    problem.settings_i[k.CAP_STRICT] = 1
    arrival = k.pair_minutes(source, gap, problem.src_f, problem.src_i, problem.gap_f,
                             problem.gap_i, problem.settings_f, problem.settings_i)[0]
    reached = np.bincount(gap[arrival < np.inf], minlength=n_g) > 0
    problem.gap_i[:, k.UNCAPPED] = ~reached
    arrival = k.pair_minutes(source, gap, problem.src_f, problem.src_i, problem.gap_f,
                             problem.gap_i, problem.settings_f, problem.settings_i)[0]
    eta, need = problem.gap_f[:, k.LATE], problem.gap_i[:, k.NEED]
    for limit in np.unique(np.concatenate([arrival[arrival < np.inf], eta[eta < np.inf]])):
        waited = problem.required | (problem.late & (eta > limit))
        use = (arrival <= limit) & waited[gap]
        flow = max_flow(n_s, n_g, problem.src_i[:, k.SUPPLY], np.where(waited, need, 0),
                        source[use], gap[use], np.zeros(int(use.sum()), np.int64))[0]
        if flow.sum() == need[waited].sum():
            return float(limit)
    return np.inf


@pytest.mark.parametrize("seed", range(60))
def test_the_bottleneck_is_the_exact_one(seed: int) -> None:
    problem = _random_round(seed)
    expected = _brute_bottleneck(_random_round(seed))
    n_s, n_g = len(problem.src_i), len(problem.gap_i)
    # With the reserves able to cover every required gap (by any admissible ride, over the
    # cap too), the round finds the brute-force threshold; otherwise none applies.
    source, gap = np.repeat(np.arange(n_s), n_g), np.tile(np.arange(n_g), n_s)
    admissible = k.pair_minutes(source, gap, problem.src_f, problem.src_i, problem.gap_f,
                                problem.gap_i, problem.settings_f, problem.settings_i)[0] < np.inf
    need = problem.gap_i[:, k.NEED]
    covered = max_flow(n_s, n_g, problem.src_i[:, k.SUPPLY], np.where(problem.required, need, 0),
                       source[admissible], gap[admissible],
                       np.zeros(int(admissible.sum()), np.int64))[0].sum()
    coverable = covered == need[problem.required].sum()
    source, gap, units, bottleneck_min = plan(problem)
    if coverable and (problem.required | problem.late).any():
        assert bottleneck_min == expected
    else:
        assert bottleneck_min == np.inf
    # Nobody is sent twice, no gap gets more than it needs; a gap whose member comes soon
    # gets a reserve only when the bottleneck waits for the member.
    assert (np.bincount(source, units, n_s) <= problem.src_i[:, k.SUPPLY]).all()
    assert (np.bincount(gap, units, n_g) <= problem.gap_i[:, k.NEED]).all()
    eta = problem.gap_f[:, k.LATE]
    assert not (problem.soon & (eta <= bottleneck_min))[gap].any()
