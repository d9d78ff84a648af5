"""Tests of the report figures: each renders a legible PNG, edge cases included."""

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from mobsim.reports import figures as report_figures
from mobsim.reports import plots

TARGET_MIN = 180.0


def _pixels(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return imread(io.BytesIO(png))


def _assert_drawn(png: bytes) -> None:
    pixels = _pixels(png)
    assert pixels.shape[1] == round(plots.WIDTH_IN * plots.DPI)
    assert pixels[..., :3].std() > 0.05 and len(png) > 10_000


def _band(minutes: int = 400) -> pd.DataFrame:
    t = np.arange(minutes + 1)
    median = np.clip(t / 150, 0, 1)
    return pd.DataFrame({"lower": median * 0.9, "median": median, "upper": np.minimum(median * 1.1, 1)},
                        index=pd.Index(t, name="minute"))


def test_curve_band() -> None:
    _assert_drawn(plots.curve_band_png(_band(), TARGET_MIN, "micro-grids activated", "t", 20))


def test_curve_axis_ends_after_the_last_change_and_the_target() -> None:
    band = _band()
    assert plots.curve_end_min(band, TARGET_MIN) == pytest.approx(1.15 * TARGET_MIN)
    assert plots.curve_end_min(band, 60.0) == pytest.approx(1.1 * 150)
    assert plots.curve_end_min(band, 1000.0) == 400


@pytest.mark.parametrize("t_full", [
    np.array([150.0, 170, 175, 190, np.inf, np.inf]),
    np.full(4, np.inf),
    np.array([100.0, 120, 130]),
])
def test_district_time_with_and_without_never(t_full: np.ndarray) -> None:
    quantile_min = float(np.sort(t_full)[-1])
    _assert_drawn(plots.district_time_png(t_full, TARGET_MIN, 0.95, quantile_min))


def test_breakdown_with_a_group_that_never_activates() -> None:
    frame = lambda n, never: pd.DataFrame({  # noqa: E731
        "median_activation_min": [60.0 + 10 * i for i in range(n)][:n - never] + [np.inf] * never,
        "p95_activation_min": [150.0 + 10 * i for i in range(n)][:n - never] + [np.inf] * never,
        "share_by_target": np.linspace(1.0, 0.2, n)})
    _assert_drawn(plots.breakdown_png(frame(3, 1), frame(7, 0), {0: "a", 1: "b", 2: "c"}, TARGET_MIN))


def test_gap_filling() -> None:
    summary = pd.DataFrame({"mean": [9800.0, 200.5, 150.2, 3.0], "min": [9700, 180, 120, 0],
                            "max": [9900, 230, 170, 9]},
                           index=["member", "grid_worker", "cadre", "none"])
    _assert_drawn(plots.gap_filling_png(summary))


@pytest.mark.parametrize("variants", [2, 9])
def test_variant_bands(variants: int) -> None:
    band = _band()
    bands = {f"cadres.count={1000 * k}": np.clip(band * (1 + k / 5), 0, 1) for k in range(variants)}
    _assert_drawn(report_figures.variant_bands_png(bands, [TARGET_MIN] * variants))


@pytest.mark.parametrize("posts_left", [0.0, 40.0])
def test_tail_on_a_log_scale_with_and_without_posts_left(posts_left: float) -> None:
    share = _band()
    band = pd.DataFrame({"lower": (1.0 - share["upper"]) * 10_000, "median": (1.0 - share["median"]) * 10_000,
                         "upper": (1.0 - share["lower"]) * 10_000}, index=share.index) + posts_left
    _assert_drawn(report_figures.tail_png(band, TARGET_MIN, 30))
