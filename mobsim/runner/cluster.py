"""Replications run on a Dask cluster: batches of replications as tasks, tables back to the client.

A job's shared parts (the district and its layout: mobsim.runner.pool) are scattered to every
worker once per client, however many runs a command makes on it (a study's design points, a
plan's probes); each task carries the job packed without them (a scenario of a few kilobytes)
and a batch of replications, and returns one dict of tables per replication. The client keeps a bounded
number of batches in flight and yields replications as their batches finish, so the runner
stages each one as it arrives. When a worker dies, Dask reruns its batches elsewhere; a
replication is a pure function of (scenario, seed, replication), so a rerun returns the same rows.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from mobsim.errors import InputError
from mobsim.runner.pool import Job, pack, unpack

if TYPE_CHECKING:
    from distributed import Client, Future

INSTALL_HINT = "--executor dask needs Dask's distributed scheduler: pip install 'mobsim[dask]'"
MAX_BATCH = 16
# Several batches per worker thread, so a slow or lost worker's share is spread over the others.
BATCHES_PER_THREAD = 4
# Batches in flight per worker thread (one running, one waiting): workers never wait for the
# client, and finished tables do not pile up on the cluster.
IN_FLIGHT_PER_THREAD = 2


def _distributed() -> Any:
    """The `distributed` package, or an InputError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    return distributed


def batch_size(replications: int, threads: int) -> int:
    """Replications per task: about BATCHES_PER_THREAD tasks per worker thread, 1 to MAX_BATCH."""
    return max(1, min(MAX_BATCH, math.ceil(replications / (BATCHES_PER_THREAD * max(threads, 1)))))


def batches(replications: Sequence[int], size: int) -> list[list[int]]:
    """Consecutive runs of `size` replications (the last may be shorter)."""
    return [list(replications[start:start + size]) for start in range(0, len(replications), size)]


class SharedParts:
    """The shared parts of jobs as one object to scatter (a dict would scatter value by value)."""

    def __init__(self, parts: dict[str, object]) -> None:
        self.parts = parts


def run_batch(shared: SharedParts, payload: bytes, replications: list[int]) -> list[tuple[int, Any]]:
    """Simulate a batch of replications on a worker; one (replication, result) per replication."""
    job = unpack(payload, shared.parts)
    return [(replication, job.run(replication)) for replication in replications]


class DaskExecutor:
    """The runner's executor contract on a connected Dask client."""

    def __init__(self, client: Client, batch: int | None = None) -> None:
        self.client = client
        self.batch = batch
        self._shared: tuple[frozenset[str], Future] | None = None

    def _threads(self) -> int:
        """Worker threads on the cluster now (workers may join or leave during a run)."""
        return max(1, sum(self.client.nthreads().values()))

    def _scattered(self, parts: dict[str, object]) -> Future:
        """The shared parts on every worker: scattered on first use, again only when a job
        needs parts the workers do not hold (another district)."""
        if self._shared is not None and parts.keys() <= self._shared[0]:
            return self._shared[1]
        self.release()
        future = self.client.scatter(SharedParts(parts), broadcast=True, hash=False)
        self._shared = (frozenset(parts), future)
        return future

    def release(self) -> None:
        """Let the cluster drop the shared parts."""
        if self._shared is not None:
            self._shared[1].release()
            self._shared = None

    def __call__(self, job: Job, replications: Iterable[int],
                 jobs: int) -> Iterator[tuple[int, Any]]:
        """Yield (replication, result) as batches finish; the cluster, not `jobs`, sets the parallelism."""
        todo = list(replications)
        if not todo:
            return
        size = self.batch or batch_size(len(todo), self._threads())
        queue = iter(batches(todo, size))
        payload, parts = pack(job)
        shared = self._scattered(parts)
        finished = _distributed().as_completed(with_results=True)
        pending: set[Future] = set()
        try:
            while True:
                while len(pending) < IN_FLIGHT_PER_THREAD * self._threads() and (
                        batch := next(queue, None)) is not None:
                    future = self.client.submit(run_batch, shared, payload, batch, pure=False)
                    pending.add(future)
                    finished.add(future)
                if not pending:
                    return
                future, results = next(finished)
                pending.discard(future)
                yield from results
        finally:
            # A run stopped early (Ctrl-C, an error) leaves no work behind on the cluster.
            self.client.cancel(list(pending))


@contextmanager
def dask_session(scheduler: str | None, workers: int, batch: int | None = None) -> Iterator[DaskExecutor]:
    """An executor on the Dask scheduler at `scheduler`, or on a local cluster of `workers` processes.

    The local cluster (single-threaded worker processes on loopback) lives for the block.
    """
    distributed = _distributed()
    if scheduler is not None:
        with _connect(distributed, scheduler) as client:
            executor = DaskExecutor(client, batch)
            try:
                yield executor
            finally:
                executor.release()
        return
    # No dashboard; the scheduler's HTTP endpoint takes a free loopback port, never a busy 8787.
    with distributed.LocalCluster(n_workers=workers, processes=True, threads_per_worker=1,
                                  host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                  scheduler_kwargs={"dashboard": False}) as cluster, \
            distributed.Client(cluster) as client:
        yield DaskExecutor(client, batch)


def _connect(distributed: Any, scheduler: str) -> Client:
    """A client of the running scheduler at `scheduler`, or an InputError naming it."""
    try:
        return distributed.Client(scheduler)
    except (OSError, ValueError, TypeError) as err:
        raise InputError(f"Dask scheduler {scheduler}: cannot connect ({err})") from None
