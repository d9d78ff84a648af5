"""Tests of the sweep report: per-variant figures recomputed from each variant's tables."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from report_fixtures import parse_page, write_fake_sweep

from mobsim.errors import InputError
from mobsim.reports.sweep_page import read_variants, sweep_page, variant_label
from mobsim.results.bound import check_bound


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fake_sweep(tmp_path_factory.mktemp("sweep"))


def test_each_variant_row_matches_its_tables(sweep: Path) -> None:
    html = sweep_page(sweep)
    page = parse_page(html)
    for k, cadres in enumerate((3000, 4000, 5000)):
        reps = pd.read_parquet(sweep / f"variant={k}" / "replications.parquet")
        t_full = reps["t_full_min"].to_numpy()
        ordered = np.sort(np.where(np.isnan(t_full), np.inf, t_full))
        n = len(ordered)
        assert float(page.values[f"variant-{k}-median-min"]) == ordered[math.ceil(0.5 * n) - 1]
        assert float(page.values[f"variant-{k}-quantile-min"]) == ordered[math.ceil(0.95 * n) - 1]
        assert float(page.values[f"variant-{k}-never"]) == np.isinf(t_full).sum()
        check = check_bound(t_full, 180.0, 0.95, 0.95)
        assert page.values[f"variant-{k}-verdict"] == check.verdict.lower()
        assert f"cadres.count={cadres}" in page.text
    assert len(page.images) == 1 and "<script" not in html


def test_variant_label_names_the_varied_keys() -> None:
    row = pd.Series({"variant": 2, "cadres.count": 4000, "alert.start": "02:00"})
    assert variant_label(row, ["cadres.count", "alert.start"]) == "cadres.count=4000, alert.start=02:00"
    assert variant_label(row, []) == "variant 2"


def test_variants_table_without_variant_column(tmp_path: Path) -> None:
    pq.write_table(pa.table({"cadres.count": [1, 2]}), tmp_path / "variants.parquet")
    with pytest.raises(InputError, match="no column 'variant'"):
        read_variants(tmp_path)


def test_missing_variant_folder_is_an_input_error(sweep: Path, tmp_path: Path) -> None:
    pq.write_table(pa.table({"variant": [0, 7], "cadres.count": [1, 2]}), tmp_path / "variants.parquet")
    (tmp_path / "variant=0").symlink_to(sweep / "variant=0")
    with pytest.raises(InputError, match=r"variant=7: not a run folder"):
        sweep_page(tmp_path)


def test_unreadable_variants_table(tmp_path: Path) -> None:
    (tmp_path / "variants.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        read_variants(tmp_path)


def test_sweep_page_prints_the_differences_table_and_coloured_verdicts(sweep: Path) -> None:
    from mobsim.reports.comparison import difference_rows
    from mobsim.results.compare import compare

    html = sweep_page(sweep)
    variants = read_variants(sweep)
    table = pd.concat([variants, compare([sweep / f"variant={k}" for k in range(3)])], axis=1)
    _, rows = difference_rows(table, ["variant", "cadres.count"])
    assert "Differences from variant 0 (cadres.count=3000)" in html
    for row in rows:
        assert "".join(f"<td>{cell}</td>" for cell in row) in html
    page = parse_page(html)
    for k in range(3):
        verdict = page.values[f"variant-{k}-verdict"]
        assert f'id="variant-{k}-verdict" class="{verdict}"' in html
