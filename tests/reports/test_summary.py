"""Tests of the printed run summary."""

import numpy as np
import pandas as pd

from mobsim.reports.summary import format_summary
from mobsim.scenario.params import Settings, Target

TARGET = Target(180.0, 0.95, 0.95, 0.0)


def _reps(t_full: list[float], reached: list[float] | None = None) -> pd.DataFrame:
    n = len(t_full)
    return pd.DataFrame({"t_full_min": t_full, "share_activated_at_target": [1.0] * n,
                         "share_households_reached_at_target": reached or [0.5] * n,
                         "met_target": [t <= 180 for t in t_full], "gaps_by_grid_worker": [5] * n,
                         "gaps_by_cadre": [7] * n, "never_activated": [0] * n})


def test_verdict_is_plain_words_with_three_outcomes() -> None:
    shown = format_summary("s", _reps([100.0] * 59), TARGET).splitlines()[-1]
    assert shown == ("target 180 min: PASS — 59 of 59 runs were in time; with 95% confidence "
                     "at least 95% of orders like this one finish in time.")
    # 20 of 20 in time: 1 - 0.95^n >= 0.95 first holds at n = 59, so 39 more would show it
    early = format_summary("s", _reps([100.0] * 20), TARGET).splitlines()[-1]
    assert early.startswith("target 180 min: UNDECIDED — 20 of 20 runs were in time")
    assert "about 39 more runs would decide it" in early
    missed = format_summary("s", _reps([100.0] * 5 + [200.0] * 15), TARGET)
    assert missed.splitlines()[-1].startswith("target 180 min: FAIL — 5 of 20 runs were in time")
    assert "fewer than 95% of orders" in missed


def test_verbose_adds_the_statistics_names() -> None:
    plain = format_summary("s", _reps([100.0] * 59), TARGET)
    verbose = format_summary("s", _reps([100.0] * 59), TARGET, verbose=True)
    assert "Clopper–Pearson" not in plain and "order statistic" not in plain
    assert "Clopper–Pearson" in verbose and "order statistic 59 of 59" in verbose


def test_households_reached_line_counts_replications_at_the_asked_share() -> None:
    reps = _reps([100.0] * 4, reached=[0.2, 0.5, 0.6, 0.7])
    plain = format_summary("s", reps, TARGET)
    assert "households reached door to door by 180 min: 50.00% (mean over replications)" in plain
    assert "replications reached at least" not in plain
    asked = format_summary("s", reps, Target(180.0, 0.95, 0.95, 0.5))
    assert "; 3 of 4 replications reached at least 50%" in asked


def test_scan_summary_gives_weeks_median_and_quantile() -> None:
    days = [7.0 * w for w in range(1, 21)]
    reps = pd.DataFrame({"days_to_95pct": days, "days_to_full": days[:19] + [np.nan],
                         "share_verified_at_horizon": [0.98] * 20})
    text = format_summary("scan", reps, TARGET)
    assert "building-scan campaign" in text
    assert "95% of households verified: median 10.0 weeks   95th pct 19.0 weeks" in text
    assert "median 10.0 weeks   95th pct 19.0 weeks   not within the horizon: 1 of 20" in text
    assert "households verified within the horizon: 98.00%" in text


def test_the_verdict_names_both_checks_and_the_overall_answer() -> None:
    from mobsim.reports.summary import format_verdict
    from mobsim.results.check import check_run
    from mobsim.scenario.files import load_scenario

    scenario = load_scenario(None, ["target.households_share=0.3"])
    reps = pd.DataFrame({"t_full_min": [100.0] * 59, "share_households_reached_at_target": [0.1] * 59})
    text = format_verdict("s", check_run(reps, Settings(scenario).target))
    assert "verdict: PASS" in text
    assert "verdict: FAIL — 0 of 59 runs reached 30% of households in time" in text
    assert text.splitlines()[-1] == "overall: FAIL"


def test_every_kind_of_reserve_that_fills_posts_is_in_the_summary(tmp_path) -> None:
    """A small district where members rarely come: the posts are filled by grid workers,
    cadres and every reserve pool; each kind's mean is the micro-grids it activated."""
    from cli_fixtures import write_scenario

    import mobsim
    from mobsim.reports.summary import GAP_FILLERS
    from mobsim.results.schemas import GAP_COLUMNS

    # the pools small, so that they run out and cadres are needed too
    scenario = write_scenario(tmp_path, "members.availability.day=0.1", "escalation.after_min=5.0",
                              "pools.volunteer_team.team_size=1", "pools.community_staff.team_size=1",
                              subdistricts=3, communities=3, grids=3, microgrids=6)
    run = mobsim.run(mobsim.Scenario.load(scenario), replications=3, seed=2, out=tmp_path / "run")
    counts = run.microgrids.groupby(["replication", "activated_by"], observed=False).size()
    line = next(l for l in format_summary("s", run.replications, TARGET).splitlines()
                if l.startswith("gaps filled per replication"))
    for who, name in GAP_FILLERS.items():
        mine = counts.xs(who, level="activated_by").to_numpy()
        assert mine.sum() > 0, who  # the district is built so that every kind fills posts
        assert list(run.replications[GAP_COLUMNS[who]]) == list(mine)
        assert f"{name} {mine.mean():.1f}" in line
    assert line.endswith(f"never filled {run.replications['never_activated'].mean():.1f}")


def test_a_share_below_one_never_prints_as_100_percent() -> None:
    from mobsim.results.shares import percent_text

    assert percent_text(0.99996) == ">99.9%" and percent_text(0.99996, 2) == ">99.99%"
    assert percent_text(1.0) == "100.0%" and percent_text(0.9994) == "99.9%"
    assert percent_text(0.0001) == "<0.1%" and percent_text(0.0) == "0.0%"
    reps = _reps([100.0] * 59).assign(share_activated_at_target=0.99999)
    assert "micro-grids activated by 180 min: >99.99% (mean" in format_summary("s", reps, TARGET)
