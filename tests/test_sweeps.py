"""Tests of what-if sweeps: layout, common seeds, and differences recomputed from the tables."""

import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from scipy import stats

import mobsim
from mobsim.cli import main
from mobsim.errors import InputError
from mobsim.reports.comparison import format_sweep
from mobsim.results.compare import compare
from mobsim.scenario import load_scenario
from mobsim.sweeps import parse_vary, plan_variants, split_values, sweep

REPLICATIONS = 3
SEED = 11
CONFIDENCE = 0.5  # with 3 replications the 50% sign-test interval is [min, max]: finite
VARY = ["--vary", "cadres.count=6000,3241", "--vary", "alert.start=14:00,16:00"]
EXPECTED_VARIANTS = [(6000, "14:00"), (6000, "16:00"), (3241, "14:00"), (3241, "16:00")]


def _sweep_args(out: Path, *extra: str) -> list[str]:
    return ["sweep", *VARY, "-n", str(REPLICATIONS), "--seed", str(SEED), "-j", "1",
            "--set", f"target.confidence={CONFIDENCE}", "-o", str(out), "--quiet", "--json", *extra]


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("sweep") / "what-if"
    result = CliRunner().invoke(main, _sweep_args(out))
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def _reps(out: Path, variant: int) -> pd.DataFrame:
    return mobsim.load(out / f"variant={variant}").replications


def _value(x: object) -> float:
    return math.nan if x is None else float(x)


def test_split_values_keeps_tables_arrays_and_quoted_commas_whole() -> None:
    assert split_values("02:00, 14:00") == ["02:00", "14:00"]
    assert split_values('{dist = "fixed", value = 5},{dist = "exponential", mean = 3}') == [
        '{dist = "fixed", value = 5}', '{dist = "exponential", mean = 3}']
    assert split_values('[1, 2],[3]') == ["[1, 2]", "[3]"]
    assert split_values('"a,b",\'c,d\',"e\\",f"') == ['"a,b"', "'c,d'", '"e\\",f"']


def test_parse_vary_keeps_order_and_rejects_repeats() -> None:
    assert parse_vary(["b=1,2", "a=x"]) == {"b": ["1", "2"], "a": ["x"]}
    with pytest.raises(InputError, match="--vary: b: given twice"):
        parse_vary(["b=1", "b=2"])
    with pytest.raises(InputError, match="expected KEY=V1,V2"):
        parse_vary(["cadres.count"])


def test_plan_is_the_factorial_with_the_last_key_fastest() -> None:
    base = load_scenario(None, ["members.count=12000"])
    variants = plan_variants(base, {"cadres.count": ["6000", "3241"],
                                    "alert.start": ["14:00", "16:00"]})
    assert [v.values for v in variants] == [(str(c), s) for c, s in EXPECTED_VARIANTS]
    for variant in variants:
        assert variant.scenario.get("cadres.count") == int(variant.values[0])
        assert variant.scenario.get("alert.start") == variant.values[1]
        assert variant.scenario.get("members.count") == 12000


def test_plan_errors_name_vary_and_the_value() -> None:
    with pytest.raises(InputError, match=r"^--vary: alert.stat: unknown key"):
        plan_variants(load_scenario(), {"alert.stat": ["02:00"]})
    with pytest.raises(InputError, match=r'^--vary: alert.start: .*"25:00"'):
        plan_variants(load_scenario(), {"alert.start": ["02:00", "25:00"]})
    with pytest.raises(InputError, match="empty value"):
        plan_variants(load_scenario(), {"alert.start": ["02:00", ""]})
    with pytest.raises(InputError, match=r"^--vary: variant 1 \(alert.horizon_min=240, "
                                         r"target.minutes=300\): alert.horizon_min: 240 is "
                                         r"shorter than target.minutes"):
        plan_variants(load_scenario(), {"alert.horizon_min": ["240"],
                                        "target.minutes": ["200", "300"]})


def test_variants_table(swept: tuple[Path, list[dict]]) -> None:
    out, _ = swept
    table = pq.read_table(out / "variants.parquet")
    assert table.schema.names == ["variant", "cadres.count", "alert.start"]
    assert [str(t) for t in table.schema.types] == ["int32", "int64", "string"]
    rows = table.to_pylist()
    assert [r["variant"] for r in rows] == [0, 1, 2, 3]
    assert [(r["cadres.count"], r["alert.start"]) for r in rows] == EXPECTED_VARIANTS


def test_every_variant_is_a_run_of_its_values_with_the_same_seeds(
        swept: tuple[Path, list[dict]]) -> None:
    out, _ = swept
    seeds, replications = set(), []
    for variant, (cadres, start) in enumerate(EXPECTED_VARIANTS):
        manifest = json.loads((out / f"variant={variant}" / "manifest.json").read_text())
        assert manifest["scenario_data"]["cadres"]["count"] == int(cadres)
        assert manifest["scenario_data"]["alert"]["start"] == start
        seeds.add(manifest["seed"])
        reps = _reps(out, variant)
        replications.append(reps[["replication", "seed"]].sort_values("replication")
                             .reset_index(drop=True))
    assert seeds == {SEED}
    for other in replications[1:]:
        pd.testing.assert_frame_equal(other, replications[0])
    assert replications[0]["seed"].tolist() == [SEED] * REPLICATIONS


def _difference(a: float, b: float) -> float:
    """a − b of stored times (never = +inf), never − never counting as no difference."""
    return 0.0 if math.isinf(a) and math.isinf(b) else a - b


def test_printed_differences_match_the_tables(swept: tuple[Path, list[dict]]) -> None:
    out, records = swept
    assert [r["variant"] for r in records] == [0, 1, 2, 3]
    assert records[0]["pairing"] == "reference" and records[0]["share_diff"] is None
    reference = _reps(out, 0).sort_values("replication")
    for record in records[1:]:
        reps = _reps(out, record["variant"]).sort_values("replication")
        assert record["pairing"] == f"paired by seed {SEED}"
        shares = reps["share_activated_at_target"].to_numpy()
        ref_shares = reference["share_activated_at_target"].to_numpy()
        assert record["share_diff"] == pytest.approx(np.mean(shares - ref_shares))
        if np.ptp(shares - ref_shares) > 0:
            ci = stats.ttest_rel(shares, ref_shares).confidence_interval(CONFIDENCE)
            assert (record["share_diff_low"], record["share_diff_high"]) == pytest.approx(
                (ci.low, ci.high))
        diffs = sorted(_difference(a, b)
                       for a, b in zip(reps["t_full_min"], reference["t_full_min"]))
        # n = 3 at 50%: P(Bin(3, 1/2) = 0) = 1/8 <= 1/4 < P(<= 1), so the interval is [d(1), d(3)]
        assert _value(record["t_full_diff_min"]) == diffs[1]
        assert (_value(record["t_full_diff_low_min"]), _value(record["t_full_diff_high_min"])) \
            == (diffs[0], diffs[2])
        never = int(np.isinf(reps["t_full_min"]).sum())
        assert record["never"] == never


def test_api_table_equals_the_printed_json(swept: tuple[Path, list[dict]]) -> None:
    out, records = swept
    table = compare([out / f"variant={k}" for k in range(4)])
    for column in ("share_diff_low", "t_full_diff_min", "median_min", "share_at_target"):
        assert [_value(r[column]) for r in records] == pytest.approx(list(table[column]),
                                                                      nan_ok=True)


def test_the_sweep_folder_reads_as_one_duckdb_dataset(swept: tuple[Path, list[dict]]) -> None:
    out, _ = swept
    rows = duckdb.sql(f"SELECT variant, typeof(variant), count(*) FROM "
                      f"read_parquet('{out}/replications/*.parquet') GROUP BY ALL "
                      "ORDER BY variant").fetchall()
    assert rows == [(k, "INTEGER", REPLICATIONS) for k in range(4)]


def test_each_table_reads_whole_with_pandas_and_pyarrow(swept: tuple[Path, list[dict]]) -> None:
    """The documented readers (docs/outputs.md) all give `variant` as int32."""
    out, _ = swept
    frame = pd.read_parquet(out / "replications")
    assert frame["variant"].dtype == np.int32
    assert sorted(frame.groupby("variant").size().items()) == [(k, REPLICATIONS) for k in range(4)]
    assert pq.read_table(out / "replications").schema.field("variant").type == pa.int32()
    assert mobsim.load(out).replications["variant"].dtype == np.int32
    dataset = ds.dataset(out / "microgrids")
    assert dataset.schema.field("variant").type == pa.int32()
    for k in range(4):
        assert dataset.filter(ds.field("variant") == k).count_rows() == len(
            mobsim.load(out / f"variant={k}").microgrids)


def test_load_gives_the_sweep_with_its_variants_as_runs(swept: tuple[Path, list[dict]]) -> None:
    out, _ = swept
    loaded = mobsim.load(out)
    assert [(r["cadres.count"], r["alert.start"]) for _, r in loaded.variants.iterrows()] \
        == EXPECTED_VARIANTS
    assert [run.manifest["scenario_data"]["cadres"]["count"] for run in loaded.runs] \
        == [cadres for cadres, _ in EXPECTED_VARIANTS]
    reps = loaded.replications
    for k in range(4):
        pd.testing.assert_frame_equal(reps[reps["variant"] == k].reset_index(drop=True),
                                      _reps(out, k))


def test_compare_takes_the_sweep_folder(swept: tuple[Path, list[dict]]) -> None:
    out, _ = swept
    whole = compare([out])
    by_variant = compare([out / f"variant={k}" for k in range(4)])
    labels = ["variant", "cadres.count", "alert.start"]
    assert whole.attrs["labels"] == ["run", *labels]
    assert list(whole.columns[1:4]) == labels
    assert [tuple(row) for row in whole[labels[1:]].itertuples(index=False)] == EXPECTED_VARIANTS
    pd.testing.assert_frame_equal(whole.drop(columns=labels), by_variant)


def test_resume_keeps_finished_variants(swept: tuple[Path, list[dict]]) -> None:
    out, records = swept
    manifests = [out / f"variant={k}" / "manifest.json" for k in range(4)]
    before = [m.stat().st_mtime_ns for m in manifests]
    result = CliRunner().invoke(main, _sweep_args(out, "--resume"))
    assert result.exit_code == 0, result.output
    assert [m.stat().st_mtime_ns for m in manifests] == before
    assert json.loads(result.stdout) == records


def test_a_different_sweep_is_refused_before_running(swept: tuple[Path, list[dict]]) -> None:
    out, _ = swept
    before = (out / "variants.parquet").read_bytes()
    result = CliRunner().invoke(main, ["sweep", "--vary", "cadres.count=1,2", "-o", str(out)])
    assert result.exit_code == 2
    assert "already holds a different sweep" in result.stderr
    assert (out / "variants.parquet").read_bytes() == before


@pytest.mark.parametrize("vary", ["alert.stat=02:00,14:00", "alert.start=02:00,25:00"])
def test_bad_vary_exits_2_with_one_line_and_writes_nothing(tmp_path: Path, vary: str) -> None:
    out = tmp_path / "never-written"
    result = CliRunner().invoke(main, ["sweep", "--vary", vary, "-o", str(out), "--quiet"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --vary: alert.sta")
    assert result.stderr.strip().count("\n") == 0
    assert not out.exists()


def test_api_sweep_and_forced_smaller_sweep(tmp_path: Path) -> None:
    out = tmp_path / "api"
    result = sweep(load_scenario(), {"alert.start": ["14:00", "16:00"]}, replications=1, seed=3,
                   out=out)
    assert list(result.variants.columns) == ["variant", "alert.start"]
    table = result.comparison()
    assert list(table["variant"]) == [0, 1]
    assert table.loc[1, "pairing"] == "paired by seed 3"
    text = format_sweep(result, table)
    assert "difference from variant 0 (alert.start=14:00)" in text
    smaller = sweep(load_scenario(), {"alert.start": ["15:00"]}, replications=1, seed=3, out=out,
                    force=True)
    assert len(smaller.comparison()) == 1
    assert [p for p in out.rglob("variant*") if p.name not in ("variant=0", "variant-0.parquet",
                                                                  "variants.parquet")] == []
    assert mobsim.load(out).replications["variant"].tolist() == [0]
