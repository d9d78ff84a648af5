"""What-if sweeps: every combination of listed values of scenario keys, all run with the same seeds.

A sweep folder holds one hive-partitioned dataset per table, `DIR/<table>/variant=K/`
(`mobsim.sweep_dataset`), the run folder of each variant `DIR/variant=K/` (manifest and
resolved scenario; `mobsim.load` opens it) and `DIR/variants.parquet`, one row per variant
(`variant` int32, then one column per varied key holding its values with their type: numbers as
numbers, clock times, words and tables as the text typed). variants.parquet is written last:
a folder that has it holds a finished sweep.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mobsim import folders
from mobsim.compare import compare
from mobsim.comparison_table import format_comparison
from mobsim.checking import require_wartime
from mobsim.errors import InputError
from mobsim.job import run_local
from mobsim.overrides import OVERRIDE_LABEL
from mobsim.runner import Executor, ProgressFn, run
from mobsim.scenario import Scenario, load_scenario
from mobsim.sweep_dataset import move_into_dataset, stale_partitions, typed_column
from mobsim.sweep_report import variant_label

VARIANTS_FILE = "variants.parquet"
"""The table of variants in a sweep folder."""

VARY_LABEL = "--vary"
"""How messages name the source of a varied value."""

@dataclass(frozen=True)
class Variant:
    """One combination of the varied values and the scenario it makes."""

    number: int
    values: tuple[str, ...]
    scenario: Scenario


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep: its folder, its variants and the comparison table of them."""

    out_dir: Path
    variants: pd.DataFrame
    table: pd.DataFrame
    replications: int
    seed: int
    elapsed_s: float


def variant_folder(out_dir: Path, number: int) -> Path:
    """The run folder of variant `number` in a sweep folder."""
    return out_dir / f"variant={number}"


def split_values(text: str) -> list[str]:
    """Split "V1,V2,..." at the commas outside brackets, braces and quotes; values stripped."""
    values, current, depth, quote, escaped = [], [], 0, "", False
    for char in text:
        if quote:
            if char == quote and not escaped:
                quote = ""
            escaped = not escaped and char == "\\" and quote == '"'
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            values.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    values.append("".join(current).strip())
    return values


def parse_vary(texts: Iterable[str]) -> dict[str, list[str]]:
    """The --vary options ("KEY=V1,V2,...") as an ordered mapping of key to values."""
    vary: dict[str, list[str]] = {}
    for text in texts:
        key, equals, listed = (part.strip() for part in text.partition("="))
        if not equals or not key:
            raise InputError(f"{VARY_LABEL}: {text!r}: expected KEY=V1,V2,..., "
                             "e.g. alert.start=02:00,14:00")
        if key in vary:
            raise InputError(f"{VARY_LABEL}: {key}: given twice; list all its values in one "
                             f"{VARY_LABEL}")
        vary[key] = split_values(listed)
    return vary


def _load(source: str | os.PathLike[str] | None, overrides: Sequence[str],
          settings: Mapping[str, str], context: str) -> Scenario:
    """The scenario with `settings` set; errors named by `context` rather than by --set."""
    try:
        return load_scenario(source, [*overrides, *(f"{k}={v}" for k, v in settings.items())])
    except InputError as err:
        reason = str(err).removeprefix(f"{OVERRIDE_LABEL}: ")
        raise InputError(f"{context}: {reason}") from None


def plan_variants(source: str | os.PathLike[str] | None, vary: Mapping[str, Sequence[str]],
                  overrides: Sequence[str] = ()) -> list[Variant]:
    """Every variant's scenario, the last key varying fastest; InputError before anything runs."""
    require_wartime(load_scenario(source, overrides), "sweep")
    for key, values in vary.items():
        if not values or "" in values:
            raise InputError(f"{VARY_LABEL}: {key}: an empty value; separate values by single "
                             "commas, e.g. alert.start=02:00,14:00")
        for value in values:
            _load(source, overrides, {key: value}, VARY_LABEL)
    variants = []
    for number, values in enumerate(itertools.product(*vary.values())):
        settings = dict(zip(vary, values))
        label = ", ".join(f"{k}={v}" for k, v in settings.items())
        variants.append(Variant(number, values, _load(source, overrides, settings,
                                                      f"{VARY_LABEL}: variant {number} ({label})")))
    return variants


def variants_table(keys: Sequence[str], variants: Sequence[Variant]) -> pa.Table:
    """variants.parquet: the variant number and each varied key's values with their type."""
    columns = {"variant": pa.array([v.number for v in variants], pa.int32())}
    for index, key in enumerate(keys):
        columns[key] = typed_column([v.scenario.get(key) for v in variants],
                                    [v.values[index] for v in variants])
    return pa.table(columns)


def _same_table(path: Path, table: pa.Table) -> bool:
    try:
        return pq.read_table(path).equals(table)
    except (OSError, pa.ArrowInvalid):
        return False


def _finished(folder: Path, variant: Variant, seed: int, replications: int) -> bool:
    """Whether `folder` holds this variant's finished run (same scenario, seed, replications)."""
    try:
        earlier = json.loads((folder / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError):
        return False
    return ((earlier.get("scenario_digest"), earlier.get("seed"), earlier.get("replications"))
            == (variant.scenario.digest, seed, replications))


def _claim_sweep_dir(out_dir: Path, variants: Sequence[Variant], table: pa.Table, seed: int,
                     replications: int, force: bool) -> None:
    """Refuse, before anything runs, to overwrite a different sweep (or a run, or files mobsim
    did not write) without `force`."""
    folders.claim(out_dir, folders.SWEEP, force)
    stale = stale_partitions(out_dir, len(variants))
    if force:
        for folder in stale:
            shutil.rmtree(folder)
        return
    hint = "use --force to overwrite it or -o to choose another folder"
    earlier = out_dir / VARIANTS_FILE
    if earlier.is_file() and not _same_table(earlier, table):
        raise InputError(f"{out_dir}: already holds a different sweep ({VARIANTS_FILE} lists "
                         f"other variants); {hint}")
    if stale:
        raise InputError(f"{stale[0]}: a variant folder of a different sweep; {hint}")
    for variant in variants:
        folder = variant_folder(out_dir, variant.number)
        if (folder / "manifest.json").is_file() and not _finished(folder, variant, seed,
                                                                 replications):
            raise InputError(f"{folder}: already holds a different run; {hint}")


def _write_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _overall(progress: ProgressFn | None, number: int, replications: int,
             count: int) -> ProgressFn | None:
    """A variant's progress reported as progress through the whole sweep."""
    if progress is None:
        return None
    return lambda done, _total: progress(number * replications + done, count * replications)


def sweep(source: str | os.PathLike[str] | None, vary: Mapping[str, Sequence[str]],
          replications: int = 1, seed: int = 1, out_dir: str | os.PathLike[str] | None = None,
          jobs: int = 1, overrides: Sequence[str] = (), progress: ProgressFn | None = None,
          force: bool = False, resume: bool = False, executor: Executor = run_local) -> SweepResult:
    """Run every variant of `vary` with the same seeds into one sweep folder and compare them.

    With `resume`, variants already finished in `out_dir` are kept and an interrupted one
    continues from its finished replications.
    """
    started = time.perf_counter()
    variants = plan_variants(source, vary, overrides)
    out = Path(out_dir) if out_dir is not None else (
        Path("runs") / f"{load_scenario(source, overrides).name}-sweep")
    table = variants_table(list(vary), variants)
    _claim_sweep_dir(out, variants, table, seed, replications, force)
    (out / VARIANTS_FILE).unlink(missing_ok=True)  # until every variant is finished again
    for variant in variants:
        folder = variant_folder(out, variant.number)
        if not (resume and _finished(folder, variant, seed, replications)):
            run(variant.scenario, replications, seed, folder, jobs,
                progress=_overall(progress, variant.number, replications, len(variants)),
                force=force, resume=resume, executor=executor)
        move_into_dataset(out, folder, variant.number)
    _write_atomic(table, out / VARIANTS_FILE)
    frame = table.to_pandas()
    comparison = compare([variant_folder(out, v.number) for v in variants])
    return SweepResult(out, frame, pd.concat([frame, comparison], axis=1), replications, seed,
                       time.perf_counter() - started)


def format_sweep(result: SweepResult) -> str:
    """The sweep's comparison table as text, variant 0 the reference."""
    keys = [c for c in result.variants.columns if c != "variant"]
    count = len(result.variants)
    title = (f"sweep of {count} variant{'s' if count != 1 else ''} × {result.replications} "
             f"replication{'s' if result.replications != 1 else ''}, seed {result.seed}: every "
             "variant draws the same random numbers, so differences come from the varied keys")
    reference = f"variant 0 ({variant_label(result.variants.iloc[0], keys)})"
    return format_comparison(result.table, ["variant", *keys], title, reference)
