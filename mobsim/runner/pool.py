"""One process pool kept for a whole command: every run of a study shares its workers, and each
district goes to them once.

A job (mobsim.runner.local.ReplicationJob, or any object with the same three methods) is
`run(replication)`, `load_kernels()` and `shared()`: its large parts that many jobs have in
common — the district and what is derived from it — by a token naming their content. A job
travels to the workers as a pickle in which those parts are references to the copy the workers
already hold (`pack`, `unpack`); the copy goes with the pool's start (inherited by fork, or
pickled once per worker), and a job whose district the workers do not hold starts a new pool
holding it. So a sensitivity design of 110 points, a plan's probes or a calibration's trials
send a scenario of a few kilobytes per run, not the district, and start their workers once.
"""

from __future__ import annotations

import io
import itertools
import pickle
import signal
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Protocol

if TYPE_CHECKING:
    from mobsim.district.tables import District


class Job(Protocol):
    """What an executor runs: replications by number, with large parts the workers keep."""

    def run(self, replication: int) -> Any:
        """The result of one replication."""

    def shared(self) -> dict[str, object]:
        """The job's large parts shared with other jobs, by a token naming their content."""

    def load_kernels(self) -> None:
        """Load the compiled kernels the job calls (before a pool forks, so workers inherit them)."""


def district_parts(district: District, **derived: object) -> dict[str, object]:
    """A job's shared parts: the district and what it derived from it alone (e.g. `layout`),
    named by the district's digest."""
    return {district.digest: district,
            **{f"{district.digest}/{name}": part for name, part in derived.items()}}


class _Packer(pickle.Pickler):
    def __init__(self, file: io.BytesIO, tokens: dict[int, str]) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self._tokens = tokens

    def persistent_id(self, obj: object) -> str | None:
        return self._tokens.get(id(obj))


class _Unpacker(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, held: dict[str, object]) -> None:
        super().__init__(file)
        self._held = held

    def persistent_load(self, token: str) -> object:
        return self._held[token]


def pack(job: Job) -> tuple[bytes, dict[str, object]]:
    """The job pickled without its shared parts (references to them instead), and the parts."""
    parts = job.shared()
    buffer = io.BytesIO()
    _Packer(buffer, {id(part): token for token, part in parts.items()}).dump(job)
    return buffer.getvalue(), parts


def unpack(payload: bytes, held: dict[str, object]) -> Any:
    """A packed job, its references resolved to the parts a worker holds."""
    return _Unpacker(io.BytesIO(payload), held).load()


_HELD: dict[str, object] = {}
_CURRENT: tuple[int, Any] | None = None


def _init_worker(held: dict[str, object]) -> None:
    global _HELD
    # Ctrl-C and SIGTERM sent to the whole process group are the parent's to handle: it stops
    # the run, keeps what is finished and ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _HELD = held


def _run_in_worker(token: int, payload: bytes, replication: int) -> tuple[int, Any]:
    global _CURRENT
    if _CURRENT is None or _CURRENT[0] != token:  # a job is unpacked once per worker
        _CURRENT = (token, unpack(payload, _HELD))
    return replication, _CURRENT[1].run(replication)


class WorkerPool:
    """An executor (mobsim.runner.Executor) of `workers` processes kept until `close`.

    Calls with `jobs` of 1, or one replication, run in this process. At most two replications
    per worker are in flight, so memory stays flat however many replications a call has.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._held: dict[str, object] = {}
        self._tokens = itertools.count()
        self.pools_started = 0
        """How many pools this executor has started (one per district, unless interrupted)."""

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the workers (after their replications in flight)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __call__(self, job: Job, replications: Iterable[int],
                 jobs: int) -> Iterator[tuple[int, Any]]:
        """Yield (replication, result) as they finish."""
        todo = list(replications)
        if min(jobs, self.workers) <= 1 or len(todo) <= 1:
            for replication in todo:
                yield replication, job.run(replication)
            return
        payload, parts = pack(job)
        pool = self._pool_holding(job, parts)
        token, queue = next(self._tokens), iter(todo)
        in_flight: set[Future] = set()
        try:
            while True:
                while len(in_flight) < 2 * self.workers and (rep := next(queue, None)) is not None:
                    in_flight.add(pool.submit(_run_in_worker, token, payload, rep))
                if not in_flight:
                    return
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: f.result()[0]):
                    yield future.result()
        except (KeyboardInterrupt, GeneratorExit):
            self._end_workers()
            raise
        finally:
            for future in in_flight:
                future.cancel()

    def _pool_holding(self, job: Job, parts: dict[str, object]) -> ProcessPoolExecutor:
        """The pool, started anew when its workers do not hold the job's shared parts."""
        if self._pool is not None and parts.keys() <= self._held.keys():
            return self._pool
        self.close()
        job.load_kernels()
        self._held = parts
        self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_init_worker,
                                         initargs=(parts,))
        self.pools_started += 1
        return self._pool

    def _end_workers(self) -> None:
        """Stop the workers now: their replications in flight are lost either way.

        A shutdown alone waits for every running replication; Python has no public way to end
        the workers before 3.14 (`terminate_workers`), hence the pool's own process table.
        """
        pool, self._pool = self._pool, None
        if pool is None:
            return
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.kill()
