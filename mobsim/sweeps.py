"""What-if sweeps: every combination of listed values of scenario keys, all run with the same seeds.

A sweep folder holds one dataset per table, `DIR/<table>/variant-K.parquet` with a `variant`
column (`mobsim.results.dataset`), the run folder of each variant `DIR/variant=K/` (manifest and
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
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mobsim.errors import InputError
from mobsim.results import folders
from mobsim.results.check import require_wartime
from mobsim.results.dataset import move_into_dataset, stale_partitions, typed_column
from mobsim.results.folders import prepare_folder
from mobsim.results.run import VARIANTS_FILE, Sweep, load_run
from mobsim.runner import Executor, ProgressFn, run, within
from mobsim.runner.local import pool_for, run_local
from mobsim.scenario.files import Scenario, baseline_schema
from mobsim.scenario.overrides import OVERRIDE_LABEL, parse_setting
from mobsim.scenario.params import Settings

VARY_LABEL = "--vary"
"""How messages name the source of a varied value."""


@dataclass(frozen=True)
class Variant:
    """One combination of the varied values and the scenario it makes."""

    number: int
    values: tuple[str, ...]
    scenario: Scenario


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


def _typed(base: Scenario, key: str, text: str) -> Any:
    """The value `text` of `key` as typed (read like a --set value), checked on its own."""
    try:
        _, value = parse_setting(f"{key}={text}", baseline_schema())
        base.with_({key: value})
    except InputError as err:
        raise InputError(f"{VARY_LABEL}: {str(err).removeprefix(f'{OVERRIDE_LABEL}: ')}") from None
    return value


def plan_variants(base: Scenario, vary: Mapping[str, Sequence[str]]) -> list[Variant]:
    """Every variant's scenario, the last key varying fastest; InputError before anything runs."""
    require_wartime(base, "sweep")
    typed = {}
    for key, texts in vary.items():
        if not texts or "" in texts:
            raise InputError(f"{VARY_LABEL}: {key}: an empty value; separate values by single "
                             "commas, e.g. alert.start=02:00,14:00")
        typed[key] = [_typed(base, key, text) for text in texts]
    variants = []
    choices = itertools.product(*(range(len(texts)) for texts in vary.values()))
    for number, picks in enumerate(choices):
        texts = tuple(vary[key][pick] for key, pick in zip(vary, picks))
        changes = {key: typed[key][pick] for key, pick in zip(vary, picks)}
        try:
            scenario = base.with_(changes)
        except InputError as err:
            label = ", ".join(f"{k}={v}" for k, v in zip(vary, texts))
            reason = str(err).removeprefix(f"{OVERRIDE_LABEL}: ")
            raise InputError(f"{VARY_LABEL}: variant {number} ({label}): {reason}") from None
        variants.append(Variant(number, texts, scenario))
    return variants


def variants_table(keys: Sequence[str], variants: Sequence[Variant]) -> pa.Table:
    """variants.parquet: the variant number and each varied key's values with their type."""
    columns = {"variant": pa.array([v.number for v in variants], pa.int32())}
    for index, key in enumerate(keys):
        columns[key] = typed_column([Settings(v.scenario).value(key) for v in variants],
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
        for path in stale:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
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


def sweep(scenario: Scenario, vary: Mapping[str, Sequence[str]], replications: int = 1,
          seed: int = 1, out: str | os.PathLike[str] | None = None, jobs: int = 1,
          progress: ProgressFn | None = None, force: bool = False, resume: bool = False,
          executor: Executor = run_local) -> Sweep:
    """Run every variant of `vary` (key → values as typed) with the same seeds and compare them.

    With `resume`, variants already finished in `out` are kept and an interrupted one
    continues from its finished replications.
    """
    started = time.perf_counter()
    variants = plan_variants(scenario, vary)
    out_dir = Path(out) if out is not None else Path("runs") / f"{scenario.name}-sweep"
    table = variants_table(list(vary), variants)
    _claim_sweep_dir(out_dir, variants, table, seed, replications, force)
    prepare_folder(out_dir)
    (out_dir / VARIANTS_FILE).unlink(missing_ok=True)  # until every variant is finished again
    runs = []
    with pool_for(executor, jobs) as run_on:  # one pool for every variant
        for variant in variants:
            folder = variant_folder(out_dir, variant.number)
            if not (resume and _finished(folder, variant, seed, replications)):
                run(variant.scenario, replications, seed, folder, jobs,
                    progress=within(progress, variant.number * replications,
                                    len(variants) * replications),
                    force=force, resume=resume, executor=run_on)
            move_into_dataset(out_dir, folder, variant.number)
            runs.append(load_run(folder))  # its manifest now names where its tables are
    _write_atomic(table, out_dir / VARIANTS_FILE)
    return Sweep(out_dir, table.to_pandas(), runs, time.perf_counter() - started)


def variant_label(row: pd.Series, keys: list[str]) -> str:
    """The name of a variant: its varied keys and their values."""
    return ", ".join(f"{key}={row[key]}" for key in keys) or f"variant {row['variant']}"
