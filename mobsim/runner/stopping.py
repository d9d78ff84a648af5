"""SIGTERM stops a run as Ctrl-C does: it is what `kill`, systemd and Kubernetes send.

Python turns SIGINT into KeyboardInterrupt and leaves SIGTERM to end the process on the spot,
which orphans a pool's workers and loses the clean-up that keeps finished replications.
Within `sigterm_stops()`, SIGTERM raises `Terminated`, a KeyboardInterrupt, so one path stops
the run either way; the exit code then says which signal it was (128 + its number).
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Iterator


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as on Ctrl-C."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def sigterm_stops() -> Iterator[None]:
    """Within the block, SIGTERM raises Terminated in the main thread (the caller must be it)."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def exit_code(stop: BaseException) -> int:
    """The shell's code for a process ended by the signal behind `stop`: 143 SIGTERM, 130 SIGINT."""
    return 128 + (signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT)
