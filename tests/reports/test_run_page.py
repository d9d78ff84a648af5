"""Tests of the run report: every printed figure is recomputed here from the tables."""

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from matplotlib.image import imread
from report_fixtures import parse_page, write_fake_run, write_fake_sweep

from mobsim.errors import InputError
from mobsim.reports.page import minutes_text, percent_text
from mobsim.reports.run_page import write_report
from mobsim.results.bound import check_bound

TARGET_MIN = 180.0


def _order_statistic(values: np.ndarray, q: float) -> float:
    """The ceil(q·n)-th smallest value, NaN counted as +inf (written out here on purpose)."""
    ordered = np.sort(np.where(np.isnan(values), np.inf, values))
    return float(ordered[max(math.ceil(q * len(ordered) - 1e-9), 1) - 1])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fake_run(tmp_path_factory.mktemp("run"), replications=12, seed=3, households=True)


@pytest.fixture(scope="module")
def page(run_dir: Path):
    return parse_page(write_report(run_dir).read_text(encoding="utf-8"))


def _value(page, element_id: str) -> float:
    return float(page.values[element_id])


def test_report_goes_to_the_run_folder_by_default_or_to_out(run_dir: Path, tmp_path: Path) -> None:
    assert write_report(run_dir) == run_dir / "report.html"
    out = write_report(run_dir, tmp_path / "mail" / "xindu.html")
    assert out == tmp_path / "mail" / "xindu.html" and out.read_text().startswith("<!DOCTYPE html>")


def test_every_plot_is_an_embedded_png_and_nothing_is_external(run_dir: Path, page) -> None:
    html = (run_dir / "report.html").read_text()
    assert len(page.images) == 7 and page.other_sources == []
    for png in page.images:
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
        pixels = imread(io.BytesIO(png))
        assert pixels.shape[1] >= 800 and pixels[..., :3].std() > 0.05
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")


def test_district_time_figures_match_replications_table(run_dir: Path, page) -> None:
    t_full = pq.read_table(run_dir / "replications.parquet")["t_full_min"].to_numpy(zero_copy_only=False)
    t_full = np.asarray(t_full, dtype=float)
    expected = {"t-full-median": _order_statistic(t_full, 0.5),
                "t-full-quantile": _order_statistic(t_full, 0.95),
                "t-full-max": _order_statistic(t_full, 1.0)}
    for element_id, value in expected.items():
        assert _value(page, element_id) == value
        assert page.texts[element_id] == minutes_text(value)
    assert _value(page, "never-finished") == np.isinf(t_full).sum()
    assert _value(page, "within-target") == np.sum(t_full <= TARGET_MIN)
    assert _value(page, "replications") == len(t_full) == 12


def test_verdict_matches_the_bound_check(run_dir: Path, page) -> None:
    t_full = pq.read_table(run_dir / "replications.parquet").to_pandas()["t_full_min"].to_numpy()
    check = check_bound(t_full, TARGET_MIN, 0.95, 0.95)
    assert page.values["verdict"] == check.verdict.lower()
    assert _value(page, "lower-bound-share") == pytest.approx(check.lower_bound_share, abs=0)
    assert page.texts["lower-bound-share"] == f"{check.lower_bound_share:.4f}"


def test_share_at_target_matches_microgrid_times(run_dir: Path, page) -> None:
    mg = pd.read_parquet(run_dir / "microgrids.parquet")
    per_rep = (mg["activated_min"] <= TARGET_MIN).groupby(mg["replication"]).mean().to_numpy()
    for suffix, q in (("median", 0.5), ("lower", 0.05), ("upper", 0.95)):
        expected = _order_statistic(per_rep, q)
        assert _value(page, f"share-at-target-{suffix}") == pytest.approx(expected, abs=1e-12)
        assert page.texts[f"share-at-target-{suffix}"] == percent_text(expected)


def test_households_at_target_matches_the_curves(run_dir: Path, page) -> None:
    curves = pd.read_parquet(run_dir / "curves.parquet")
    mg = pd.read_parquet(run_dir / "microgrids.parquet")
    households = mg[mg["replication"] == 0].groupby("subdistrict_id")["households"].sum()
    at = curves[curves["minute"] == TARGET_MIN]
    reached = (at["share_households_reached"] * at["subdistrict_id"].map(households)
               ).groupby(at["replication"]).sum() / households.sum()
    expected = _order_statistic(reached.to_numpy(), 0.5)
    assert _value(page, "households-at-target-median") == pytest.approx(expected, abs=1e-12)


def test_subdistrict_table_matches_microgrids(run_dir: Path, page) -> None:
    mg = pd.read_parquet(run_dir / "microgrids.parquet")
    for sub, rows in mg.groupby("subdistrict_id"):
        times = rows["activated_min"].to_numpy()
        prefix = f"subdistrict-{sub}"
        assert _value(page, f"{prefix}-microgrids") == rows["microgrid_id"].nunique()
        assert _value(page, f"{prefix}-median-min") == _order_statistic(times, 0.5)
        assert _value(page, f"{prefix}-p95-min") == _order_statistic(times, 0.95)
        assert _value(page, f"{prefix}-share-by-target") == pytest.approx(np.mean(times <= TARGET_MIN))
        assert _value(page, f"{prefix}-never") == pytest.approx(np.isinf(times).sum() / 12)
        assert page.texts[f"{prefix}-median-min"] == minutes_text(_order_statistic(times, 0.5))


def test_compound_table_matches_microgrids(run_dir: Path, page) -> None:
    mg = pd.read_parquet(run_dir / "microgrids.parquet")
    for kind, rows in mg.groupby("compound_type", observed=True):
        prefix = f"compound-{kind}"
        assert _value(page, f"{prefix}-households") == rows["households"].sum() / 12
        median = _order_statistic(rows["activated_min"].to_numpy(), 0.5)
        assert _value(page, f"{prefix}-median-min") == median


def test_gap_counts_match_the_replications_table(run_dir: Path, page) -> None:
    reps = pd.read_parquet(run_dir / "replications.parquet")
    for who, column in (("grid_worker", "gaps_by_grid_worker"), ("cadre", "gaps_by_cadre"),
                        ("none", "never_activated")):
        assert _value(page, f"gap-{who}-mean") == pytest.approx(reps[column].mean())
        assert _value(page, f"gap-{who}-min") == reps[column].min()
        assert _value(page, f"gap-{who}-max") == reps[column].max()
    members = 30 - reps["gaps_by_grid_worker"] - reps["gaps_by_cadre"] - reps["never_activated"]
    assert _value(page, "gap-member-mean") == pytest.approx(members.mean())


def test_run_without_door_to_door_measure_says_so(tmp_path: Path) -> None:
    page = parse_page(write_report(write_fake_run(tmp_path / "run")).read_text())
    assert len(page.images) == 6  # no households figure; the tasks figure is there
    assert "no door-to-door measure" in page.text
    assert "households-at-target-median" not in page.values


def test_every_replication_finishing_in_time_passes(tmp_path: Path) -> None:
    run = write_fake_run(tmp_path / "run", replications=59, never_share=0.0, median_min=20.0)
    t_full = pd.read_parquet(run / "replications.parquet")["t_full_min"]
    page = parse_page(write_report(run).read_text())
    assert (t_full <= TARGET_MIN).all()
    assert page.values["verdict"] == "pass" and _value(page, "never-finished") == 0
    assert _value(page, "upper-bound-min") == t_full.max()


def test_sweep_folder_renders(tmp_path: Path) -> None:
    page = parse_page(write_report(write_fake_sweep(tmp_path / "sweep")).read_text())
    assert len(page.images) == 1 and len(page.images[0]) > 10_000
    assert {page.values[f"variant-{k}-verdict"] for k in range(3)} <= {"pass", "fail", "undecided"}


def test_folder_that_is_not_a_run_is_one_line_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        write_report(tmp_path)
    assert str(tmp_path) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(InputError, match="no such folder"):
        write_report(tmp_path / "missing")


def test_run_missing_a_column_is_an_input_error(tmp_path: Path) -> None:
    run = write_fake_run(tmp_path / "run")
    curves = pq.read_table(run / "curves.parquet")
    pq.write_table(curves.drop_columns(["minute"]), run / "curves.parquet")
    with pytest.raises(InputError, match=r"curves\.parquet: no column 'minute'"):
        write_report(run)


def test_run_folder_written_by_the_runner_renders(tmp_path: Path) -> None:
    from mobsim.runner import run
    from mobsim.scenario.files import load_scenario

    out = run(load_scenario(None), replications=2, seed=5, out=tmp_path / "run", jobs=1).path
    page = parse_page(write_report(out).read_text())
    t_full = pd.read_parquet(out / "replications.parquet")["t_full_min"].to_numpy()
    assert len(page.images) >= 5
    assert _value(page, "t-full-max") == _order_statistic(t_full, 1.0)
    assert _value(page, "replications") == 2
    html = (out / "report.html").read_text()
    assert "What holds the district back" in html and "of 2." in html


def test_a_run_without_members_table_says_the_last_posts_cannot_be_traced(run_dir: Path) -> None:
    html = write_report(run_dir).read_text()
    assert "What holds the district back" in html and "cannot be traced" in html


def test_the_tasks_section_gives_the_act_verdict_and_each_task_s_share_at_the_target(
        run_dir: Path, page) -> None:
    reps = pd.read_parquet(run_dir / "replications.parquet")
    act = check_bound(reps["t_act_min"].to_numpy(dtype=float), TARGET_MIN, 0.95, 0.95)
    assert page.values["act-verdict"] == act.verdict.lower()
    curves = pd.read_parquet(run_dir / "task_curves.parquet")
    at_target = curves[curves["minute"] == int(TARGET_MIN)]
    for task, rows in at_target.groupby("task", observed=True):
        shares = rows["share_done"].to_numpy()
        assert _value(page, f"task-{task}-median") == pytest.approx(_order_statistic(shares, 0.5))


def test_the_communities_short_at_the_target_are_named_with_the_people_who_would_fix_them(
        run_dir: Path, page) -> None:
    tasks = pd.read_parquet(run_dir / "tasks.parquet")
    per_rep = tasks.pivot_table(index=["community_id", "replication"], columns="task",
                                values="short_at_target", aggfunc="sum", observed=True)
    # The post tasks lack the same people: counted once, with the sites' and checkpoints'.
    people = (per_rep["testing"] + per_rep["checkpoints"]
              + per_rep[["verification", "publicity", "supply"]].max(axis=1))
    mean, most = people.groupby(level="community_id").mean(), people.groupby(level="community_id").max()
    for community in mean.index:
        assert _value(page, f"short-{community}-people_short") == pytest.approx(mean[community])
        assert _value(page, f"short-{community}-most_short") == most[community]
    html = write_report(run_dir).read_text()
    assert "9 of 9 communities were short of people" in html and "community A" in html


def test_a_run_without_the_tasks_says_so(tmp_path: Path) -> None:
    html = write_report(write_fake_run(tmp_path / "run", tasks=False)).read_text()
    assert "This run has no wartime tasks" in html


def test_the_district_fills_over_time_on_maps_of_its_communities(run_dir: Path, page) -> None:
    """A map at 30, 60, 120 min and the target: each community's figure is the mean over
    replications of its share of micro-grids on post by then, each title the district's."""
    mg = pd.read_parquet(run_dir / "microgrids.parquet")
    times = np.where(np.isnan(mg["activated_min"]), np.inf, mg["activated_min"])
    for minute in (30, 60, 120, int(TARGET_MIN)):
        on_post = mg.assign(on=times <= minute)
        district = on_post.groupby("replication")["on"].mean().mean()
        assert _value(page, f"filling-{minute}") == pytest.approx(district)
        by_community = on_post.groupby(["community_id", "replication"])["on"].mean() \
            .groupby(level=0).mean()
        for community, share in by_community.items():
            assert _value(page, f"filling-{minute}-{community}") == pytest.approx(share)
    html = (run_dir / "report.html").read_text()
    assert html.index("The district filling over time") < html.index("Why the last posts")


def test_task_names_are_the_summary_s(run_dir: Path, page) -> None:
    """The report's tasks table names and orders the tasks as the run summary does."""
    from mobsim.reports.summary import format_summary
    from mobsim.results.run import load_run

    loaded = load_run(run_dir)
    line = next(l for l in format_summary("r", loaded.replications, loaded.target).splitlines()
                if l.startswith("work done by"))
    named = [part.split()[0] for part in line.split(": ", 1)[1].split(", ")]
    shown = [k.removeprefix("task-").removesuffix("-median") for k in page.values
             if k.startswith("task-") and k.endswith("-median")]
    assert named == shown == ["verification", "publicity", "supply", "testing", "checkpoints"]
