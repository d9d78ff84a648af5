"""A progress bar on stderr for long runs (click's): replications done, rate and time left."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack, contextmanager
from typing import Callable, Iterator

import click


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a progress callback, or None when disabled or stderr is not a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    started = time.perf_counter()
    with ExitStack() as stack:
        bars: list[click.progressbar] = []

        def rate(_item: object) -> str:
            elapsed = time.perf_counter() - started
            done, total = (bars[0].pos, bars[0].length) if bars else (0, 0)
            per_s = done / elapsed if elapsed > 0 else 0.0
            left = f", {(total - done) / per_s:.0f} s left" if per_s > 0 else ""
            return f"{per_s:.2f} rep/s{left}"

        def show(done: int, total: int) -> None:
            if not bars:  # the total is known at the first replication
                bars.append(stack.enter_context(click.progressbar(
                    length=total, label="replications", file=sys.stderr, show_pos=True,
                    show_eta=False, item_show_func=rate, update_min_steps=1)))
            bars[0].update(done - bars[0].pos)

        yield show
