"""The report's verdict section: the verdict and target percentile under each definition of
mobilized, the scenario's own marked; figures recomputed here from replications.parquet."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from report_fixtures import parse_page, write_fake_run

from mobsim.reports.run_page import write_report
from mobsim.results.bound import check_bound

COLUMNS = [("all posts", "t_full_min", "t_act_min"),
           ("99.9% of posts", "t_posts_99p9_min", "t_act_posts_99p9_min"),
           ("99% of posts", "t_posts_99_min", "t_act_posts_99_min"),
           ("every community at 95%", "t_communities_95_min", "t_act_communities_95_min")]
"""The standard definitions in the report's order and the columns each reads."""


def _order_statistic(values: np.ndarray, q: float) -> float:
    ordered = np.sort(values)
    return float(ordered[max(math.ceil(q * len(ordered) - 1e-9), 1) - 1])


@pytest.mark.parametrize("target, own", [
    ({"minutes": 150.0, "quantile": 0.9, "confidence": 0.8}, "all posts"),
    ({"minutes": 150.0, "quantile": 0.9, "confidence": 0.8, "definition": "subdistricts",
      "share": 0.8}, "every sub-district at 80%"),
], ids=["default", "own"])
def test_the_verdict_under_each_definition_is_shown(tmp_path: Path, target: dict,
                                                    own: str) -> None:
    run_dir = write_fake_run(tmp_path, replications=20, seed=5, median_min=40.0,
                             never_share=0.0, target=target)
    page = parse_page(write_report(run_dir).read_text(encoding="utf-8"))
    reps = pq.read_table(run_dir / "replications.parquet").to_pandas()
    rows = COLUMNS + ([] if own == "all posts" else [(own, "t_target_min", "t_act_target_min")])
    assert "What counts as mobilized" in page.text
    verdicts = set()
    for index, (label, column, act_column) in enumerate(rows):
        key = f"definition-{index}"
        times = reps[column].to_numpy(dtype=float)
        check = check_bound(times, 150.0, 0.9, 0.8)
        verdicts.add(check.verdict)
        assert page.values[f"{key}-verdict"] == check.verdict.lower()
        assert float(page.values[f"{key}-quantile-min"]) == _order_statistic(times, 0.9)
        assert float(page.values[f"{key}-within-target"]) == check.within_target
        assert float(page.values[f"{key}-act-quantile-min"]) == _order_statistic(
            reps[act_column].to_numpy(dtype=float), 0.9)
        assert label in page.text
    assert f"{own} (this scenario's)" in page.text
    assert f"definition-{len(rows)}-verdict" not in page.values
    # the verdict at the top is the scenario's own
    own_check = check_bound(reps[rows[-1][1] if own != "all posts" else "t_full_min"]
                            .to_numpy(dtype=float), 150.0, 0.9, 0.8)
    assert page.values["verdict"] == own_check.verdict.lower()
    # 30 posts: 99.9%, 99% and every community (3 posts) at 95% are every post; the
    # scenario's 80% of each sub-district's posts is earlier
    assert len(verdicts) == (1 if own == "all posts" else 2)
