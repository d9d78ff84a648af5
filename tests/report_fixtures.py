"""Report test helpers: small synthetic run and sweep folders, and a parser of report pages."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mobsim.codes import ACTIVATED_BY, COMMUNITY_KINDS, COMPOUND_TYPES, TASKS
from mobsim.district.lonlat import to_lonlat
from mobsim.district.schemas import category_array
from mobsim.results.schemas import GAP_COLUMNS, OUTPUT_SCHEMAS, TableWriter
from mobsim.results.tail import CAUSES

SUBDISTRICTS, COMMUNITIES, MICROGRIDS = 3, 9, 30
HORIZON_MIN = 400
CANVASS_MIN = 60.0
"""Minutes a fake micro-grid takes to reach all its households once activated."""

HOUSEHOLDS_SCHEMA = OUTPUT_SCHEMAS["curves"]
NO_HOUSEHOLDS_SCHEMA = HOUSEHOLDS_SCHEMA.remove(HOUSEHOLDS_SCHEMA.get_field_index("share_households_reached"))


def _district(rng: np.random.Generator) -> dict[str, np.ndarray]:
    community = np.arange(MICROGRIDS, dtype=np.int32) % COMMUNITIES
    return {"microgrid_id": np.arange(MICROGRIDS, dtype=np.int32), "community_id": community,
            "subdistrict_id": (community // (COMMUNITIES // SUBDISTRICTS)).astype(np.int32),
            "compound_type": rng.integers(0, len(COMPOUND_TYPES), MICROGRIDS).astype(np.int8),
            "households": rng.integers(30, 70, MICROGRIDS).astype(np.int32)}


def _activation(rng: np.random.Generator, district: dict, median_min: float, delay_min: float,
                never_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Activation minutes (NaN = never) and activated_by codes of one replication."""
    act = (rng.lognormal(np.log(median_min), 0.5, MICROGRIDS) + 15.0 * district["subdistrict_id"]
           + delay_min)
    by = np.full(MICROGRIDS, ACTIVATED_BY.index("member"), dtype=np.int8)
    late = act > 90.0
    by[late] = np.where(rng.random(late.sum()) < 0.5, ACTIVATED_BY.index("grid_worker"),
                        ACTIVATED_BY.index("cadre"))
    never = rng.random(MICROGRIDS) < never_share
    act[never] = np.nan
    by[never] = ACTIVATED_BY.index("none")
    return act, by


def _curves(replication: int, act: np.ndarray, district: dict, households: bool) -> pa.Table:
    minutes = np.arange(HORIZON_MIN + 1)
    times = np.where(np.isnan(act), np.inf, act)
    columns: dict[str, list] = {"replication": [], "minute": [], "subdistrict_id": [],
                                "share_microgrids_activated": [], "share_households_reached": []}
    for sub in range(SUBDISTRICTS):
        inside = district["subdistrict_id"] == sub
        done = np.clip((minutes[:, None] - times[inside]) / CANVASS_MIN, 0.0, 1.0)
        weights = district["households"][inside]
        columns["replication"].append(np.full(len(minutes), replication))
        columns["minute"].append(minutes)
        columns["subdistrict_id"].append(np.full(len(minutes), sub))
        columns["share_microgrids_activated"].append((times[inside] <= minutes[:, None]).mean(axis=1))
        columns["share_households_reached"].append(done @ weights / weights.sum())
    table = pa.table({k: np.concatenate(v) for k, v in columns.items()})
    return table if households else table.drop_columns(["share_households_reached"])


def _task_curves(replication: int, act: np.ndarray) -> pa.Table:
    """Each task's share done by minute: work starts with the last post, task k taking
    60 (k + 1) minutes to finish at an even pace."""
    minutes = np.arange(HORIZON_MIN + 1)
    start = float(np.nanmax(act))
    shares = [np.clip((minutes - start) / (60.0 * (k + 1)), 0.0, 1.0) for k in range(len(TASKS))]
    return pa.table({
        "replication": np.full(len(minutes) * len(TASKS), replication, dtype=np.int32),
        "task": category_array(np.repeat(np.arange(len(TASKS), dtype=np.int8), len(minutes)), TASKS),
        "minute": np.tile(minutes.astype(np.int32), len(TASKS)),
        "share_done": np.concatenate(shares)})


FAKE_CAUSES = {"member": "alert late", "cadre": "reserve trip long",
               "grid_worker": "covered by a grid worker", "none": "never staffed, no reserve sent"}
"""The cause a fake run gives its last post, by who activated it (any cause of CAUSES would do)."""


def _share_min(times: np.ndarray, share: float) -> float:
    """The ceil(share·n)-th smallest of `times`."""
    ordered = np.sort(times)
    return float(ordered[max(int(np.ceil(share * len(ordered) - 1e-9)), 1) - 1])


def _defined_min(times: np.ndarray, district: dict[str, np.ndarray], over: str,
                 share: float) -> float:
    """The minute the last group (the district, each community or sub-district) had `share`
    of its micro-grids activated."""
    if over == "posts":
        return _share_min(times, share)
    group = district["community_id" if over == "communities" else "subdistrict_id"]
    return max(_share_min(times[group == g], share) for g in np.unique(group))


def _summary(replication: int, act: np.ndarray, by: np.ndarray, target: dict,
             district: dict[str, np.ndarray]) -> pa.Table:
    target_min = float(target["minutes"])
    households = district["households"]
    latest = np.where(np.isnan(act), np.inf, act)
    last = int(np.flatnonzero(latest == latest.max())[0])
    times = np.sort(latest)
    t = lambda q: times[max(int(np.ceil(q * len(times) - 1e-9)), 1) - 1]  # noqa: E731
    counts = np.bincount(by, minlength=len(ACTIVATED_BY))
    defined = {"posts_99p9": _defined_min(latest, district, "posts", 0.999),
               "posts_99": _defined_min(latest, district, "posts", 0.99),
               "communities_95": _defined_min(latest, district, "communities", 0.95),
               "target": _defined_min(latest, district, target.get("definition", "posts"),
                                      float(target.get("share", 1.0)))}
    return pa.table({
        "replication": [replication], "seed": [7],
        "t50_min": [t(0.5)], "t90_min": [t(0.9)], "t95_min": [t(0.95)], "t_full_min": [t(1.0)],
        **{f"t_{name}_min": [value] for name, value in defined.items()},
        "share_activated_at_target": [float(np.mean(times <= target_min))],
        "share_households_reached_at_target": [float(
            np.clip((target_min - times) / CANVASS_MIN, 0.0, 1.0) @ households / households.sum())],
        "met_target": [bool(defined["target"] <= target_min)],
        **{column: [int(counts[ACTIVATED_BY.index(who)])] for who, column in GAP_COLUMNS.items()},
        "never_activated": [int(counts[ACTIVATED_BY.index("none")])], "events": [0],
        "last_microgrid_id": [int(district["microgrid_id"][last])],
        "last_community_id": [int(district["community_id"][last])],
        "last_subdistrict_id": [int(district["subdistrict_id"][last])],
        "last_cause": category_array(np.array([CAUSES.index(FAKE_CAUSES[ACTIVATED_BY[by[last]]])]),
                                     CAUSES),
        # The wartime tasks: able to act 30 minutes after the posts, testing last.
        "t_act_min": [t(1.0) + 30.0],
        **{f"t_act_{name}_min": [value + 30.0] for name, value in defined.items()},
        "act_limited_by": ["testing"],
        **{column: [0.5] for column in ("share_informed_at_target", "share_tested_at_target",
                                        "share_supplied_at_target", "checkpoints_kept_at_target",
                                        "share_units_acting_at_target")},
        "people_short_at_target": [int(_short(replication).sum())]})


def _short(replication: int) -> np.ndarray:
    """People short at the target per community and task (TASKS order): community c lacks
    (c + replication) mod 3 people at its checkpoints, and one at its posts in odd replications."""
    short = np.zeros((COMMUNITIES, len(TASKS)), np.int32)
    short[:, TASKS.index("checkpoints")] = (np.arange(COMMUNITIES) + replication) % 3
    short[:, TASKS.index("verification")] = replication % 2
    return short


def _tasks(replication: int) -> pa.Table:
    """tasks.parquet rows with the people short of `_short` (other columns placeholders)."""
    n = COMMUNITIES * len(TASKS)
    return pa.table({
        "replication": np.full(n, replication, np.int32),
        "community_id": np.repeat(np.arange(COMMUNITIES, dtype=np.int32), len(TASKS)),
        "task": category_array(np.tile(np.arange(len(TASKS), dtype=np.int8), COMMUNITIES), TASKS),
        "able_min": np.full(n, 200.0), "staff_at_target": np.ones(n, np.int32),
        "done_at_target": np.full(n, 0.5), "units": np.ones(n, np.int32),
        "units_acting_at_target": np.zeros(n, np.int32),
        "short_at_target": _short(replication).ravel()})


def _communities(rng: np.random.Generator) -> pa.Table:
    ids = np.arange(COMMUNITIES, dtype=np.int32)
    x_km, y_km = rng.uniform(0.0, 20.0, COMMUNITIES), rng.uniform(0.0, 15.0, COMMUNITIES)
    lon_deg, lat_deg = to_lonlat(x_km, y_km)
    return pa.table({"community_id": ids, "subdistrict_id": ids // (COMMUNITIES // SUBDISTRICTS),
                     "kind": category_array((ids % 2).astype(np.int8), COMMUNITY_KINDS),
                     "x_km": x_km, "y_km": y_km,
                     "name": [f"community {chr(ord('A') + i)}" for i in ids],
                     "lon_deg": lon_deg, "lat_deg": lat_deg})


def write_fake_run(path: Path, replications: int = 5, seed: int = 0, households: bool = False,
                   median_min: float = 50.0, delay_min: float = 0.0, never_share: float = 0.03,
                   target: dict | None = None, tasks: bool = True) -> Path:
    """Write a run folder of 3 sub-districts, 9 communities, 30 micro-grids and random times
    (with the wartime tasks' curves if `tasks`)."""
    rng = np.random.default_rng(seed)
    target = target or {"minutes": 180.0, "quantile": 0.95, "confidence": 0.95}
    path.mkdir(parents=True, exist_ok=True)
    district = _district(rng)
    curve_schema = HOUSEHOLDS_SCHEMA if households else NO_HOUSEHOLDS_SCHEMA
    task_curves = []
    with TableWriter(path, "microgrids", OUTPUT_SCHEMAS["microgrids"]) as mg_out, \
            TableWriter(path, "curves", curve_schema) as curve_out, \
            TableWriter(path, "replications", OUTPUT_SCHEMAS["replications"]) as rep_out:
        for rep in range(replications):
            act, by = _activation(rng, district, median_min, delay_min, never_share)
            mg_out.write(pa.table({
                "replication": np.full(MICROGRIDS, rep, dtype=np.int32), **district,
                "compound_type": category_array(district["compound_type"], COMPOUND_TYPES),
                "activated_min": np.where(np.isnan(act), np.inf, act),
                "activated_by": category_array(by, ACTIVATED_BY),
                "hand_changes": np.zeros(MICROGRIDS, np.int32)}))
            curve_out.write(_curves(rep, act, district, households))
            rep_out.write(_summary(rep, act, by, target, district))
            task_curves.append(_task_curves(rep, act))
    with TableWriter(path, "communities", OUTPUT_SCHEMAS["communities"]) as out:
        out.write(_communities(rng))
    if tasks:
        with TableWriter(path, "task_curves", OUTPUT_SCHEMAS["task_curves"]) as out:
            out.write(pa.concat_tables(task_curves))
        with TableWriter(path, "tasks", OUTPUT_SCHEMAS["tasks"]) as out:
            out.write(pa.concat_tables([_tasks(rep) for rep in range(replications)]))
    manifest = {"mobsim_version": "0.1.0", "scenario": "fake", "scenario_digest": "x",
                "scenario_data": {"target": target}, "seed": 7, "replications": replications,
                "tables": ["communities.parquet", "microgrids.parquet", "curves.parquet",
                           "replications.parquet",
                           *(["task_curves.parquet", "tasks.parquet"] if tasks else [])],
                "run_time_s": 0.1}
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def write_fake_sweep(path: Path, cadres: tuple[int, ...] = (3000, 4000, 5000)) -> Path:
    """Write a sweep folder over `cadres.count`, each variant a fake run a little faster."""
    path.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"variant": np.arange(len(cadres)), "cadres.count": list(cadres)}),
                   path / "variants.parquet")
    for k in range(len(cadres)):
        write_fake_run(path / f"variant={k}", seed=k, delay_min=30.0 * (len(cadres) - k))
    return path


@dataclass
class ParsedPage:
    """What a report page holds: its numbers by element id, its images, its text."""

    values: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    images: list[bytes] = field(default_factory=list)
    other_sources: list[str] = field(default_factory=list)
    text: str = ""


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = ParsedPage()
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "img":
            src = found.get("src") or ""
            prefix = "data:image/png;base64,"
            if src.startswith(prefix):
                self.page.images.append(base64.b64decode(src[len(prefix):], validate=True))
            else:
                self.page.other_sources.append(src)
            return
        if "data-value" in found:
            self.page.values[found["id"]] = found["data-value"]
            self.page.texts[found["id"]] = ""
        self._open.append((tag, found.get("id") if "data-value" in found else None))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.page.text += data
        for _, element_id in self._open:
            if element_id is not None:
                self.page.texts[element_id] += data


def parse_page(html: str) -> ParsedPage:
    """Parse a report page into numbers by id, decoded PNG images and plain text."""
    parser = _PageParser()
    parser.feed(html)
    return parser.page
