"""Replications run on a Dask cluster: batches of replications as tasks, tables back to the client.

The job (district and scenario) is scattered once to every worker; each task runs a batch of
replications there and returns one dict of tables per replication. The client keeps a bounded
number of batches in flight and yields replications as their batches finish, so the runner
stages each one as it arrives. When a worker dies, Dask reruns its batches elsewhere; a
replication is a pure function of (scenario, seed, replication), so a rerun returns the same rows.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from mobsim.errors import InputError
from mobsim.runner.local import ReplicationJob, Tables

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


def run_batch(job: ReplicationJob, replications: list[int]) -> list[tuple[int, Tables]]:
    """Simulate a batch of replications on a worker; one (replication, tables) per replication."""
    return [(replication, job.run(replication)) for replication in replications]


class DaskExecutor:
    """The runner's executor contract on a connected Dask client."""

    def __init__(self, client: Client, batch: int | None = None) -> None:
        self.client = client
        self.batch = batch

    def _threads(self) -> int:
        """Worker threads on the cluster now (workers may join or leave during a run)."""
        return max(1, sum(self.client.nthreads().values()))

    def __call__(self, job: ReplicationJob, replications: Iterable[int],
                 jobs: int) -> Iterator[tuple[int, Tables]]:
        """Yield (replication, tables) as batches finish; the cluster, not `jobs`, sets the parallelism."""
        todo = list(replications)
        if not todo:
            return
        size = self.batch or batch_size(len(todo), self._threads())
        queue = iter(batches(todo, size))
        shared_job = self.client.scatter(job, broadcast=True, hash=False)
        finished = _distributed().as_completed(with_results=True)
        pending: set[Future] = set()
        try:
            while True:
                while len(pending) < IN_FLIGHT_PER_THREAD * self._threads() and (
                        batch := next(queue, None)) is not None:
                    future = self.client.submit(run_batch, shared_job, batch, pure=False)
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
            shared_job.release()


@contextmanager
def dask_session(scheduler: str | None, workers: int, batch: int | None = None) -> Iterator[DaskExecutor]:
    """An executor on the Dask scheduler at `scheduler`, or on a local cluster of `workers` processes.

    The local cluster (single-threaded worker processes on loopback) lives for the block.
    """
    distributed = _distributed()
    if scheduler is not None:
        with _connect(distributed, scheduler) as client:
            yield DaskExecutor(client, batch)
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
