"""`mobsim check --until-decided`: run replications in batches until the verdict is decided."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Iterable

import pandas as pd
import pyarrow as pa

from mobsim.district import load_district
from mobsim.results.check import Verdict, check_run
from mobsim.results.rows import layout
from mobsim.results.bound import PASS
from mobsim.results.sequential import (
    Look,
    SequentialOutcome,
    decide_sequentially,
    plan_looks,
)
from mobsim.runner import Executor, ProgressFn, within
from mobsim.runner.lifecycle import closing_stream
from mobsim.runner.local import ReplicationJob, pool_for, run_local
from mobsim.scenario import Scenario
from mobsim.scenario.params import Settings, Target


def replication_summaries(job: ReplicationJob, replications: Iterable[int], jobs: int,
                          executor: Executor = run_local,
                          progress: ProgressFn | None = None) -> pd.DataFrame:
    """The replications table rows of `replications` (in replication order), nothing written;
    `progress(done, total)` after each."""
    schema = job.schemas["replications"]
    asked = list(replications)
    rows = {}
    with closing_stream(executor(job, asked, jobs)) as finished:
        for rep, tables in finished:
            rows[rep] = tables["replications"].cast(schema)
            if progress is not None:
                progress(len(rows), len(asked))
    return pa.concat_tables([rows[rep] for rep in sorted(rows)]).to_pandas()


def summary_job(scenario: Scenario, seed: int) -> ReplicationJob:
    """A job that sends back only the replications row, for checks that write nothing."""
    district = load_district(scenario)
    return ReplicationJob(scenario, district, layout(district), seed, False, summary_only=True)


def check_until_decided(scenario: Scenario, seed: int, max_replications: int, jobs: int,
                        executor: Executor = run_local, progress: ProgressFn | None = None,
                        measure: str = "district") -> tuple[Verdict, SequentialOutcome]:
    """Run batches of replications 0, 1, … until a planned look decides PASS or FAIL about
    `measure` (mobsim.results.check.MEASURES).

    Replication r is the same as in `mobsim check -n N` with the same seed, for any N > r.
    """
    verdict, outcome, _ = check_with_summaries(scenario, seed, max_replications, jobs, executor,
                                               progress, measure)
    return verdict, outcome


def check_with_summaries(scenario: Scenario, seed: int, max_replications: int, jobs: int,
                         executor: Executor = run_local, progress: ProgressFn | None = None,
                         measure: str = "district", early_fail: bool = True
                         ) -> tuple[Verdict, SequentialOutcome, pd.DataFrame]:
    """`check_until_decided` and the replications table rows of the replications it ran
    (without `early_fail`, no look before the first that can show a PASS: a caller that reads
    more than the verdict from the rows gets as many as a PASS would need)."""
    target = Settings(scenario).target
    plan = plan_looks(max_replications, target.quantile, target.confidence)
    if not early_fail:
        plan = plan.without_early_fails()
    job = summary_job(scenario, seed)
    batches: list[pd.DataFrame] = []
    verdicts: dict[int, Verdict] = {}

    def verdict_at(look: Look, run_on: Executor) -> str:
        done = sum(len(batch) for batch in batches)
        batches.append(replication_summaries(job, range(done, look.replications), jobs, run_on,
                                             within(progress, done, max_replications)))
        verdicts[look.replications] = look_verdict(pd.concat(batches, ignore_index=True),
                                                   target, look, measure)
        return verdicts[look.replications].verdict

    with pool_for(executor, jobs) as run_on:  # one pool for every look
        outcome = decide_sequentially(plan, functools.partial(verdict_at, run_on=run_on))
    return verdicts[outcome.replications], outcome, pd.concat(batches, ignore_index=True)


def look_verdict(replications: pd.DataFrame, target: Target, look: Look,
                 measure: str = "district") -> Verdict:
    """The verdict at a look: the check at its PASS confidence if that shows a PASS, else the
    check at its FAIL confidence, a FAIL or UNDECIDED (it is the higher of the two, so it shows
    no PASS the other did not)."""
    if look.pass_confidence is not None:
        shown = check_run(replications, replace(target, confidence=look.pass_confidence), measure)
        if shown.verdict == PASS:
            return shown
    return check_run(replications, replace(target, confidence=look.fail_confidence), measure)
