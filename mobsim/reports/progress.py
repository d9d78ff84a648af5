"""A progress bar on stderr for long runs (click's): replications done, rate and time left.

The callback is `progress(done, total, label="replications")`: a run calls it with two
numbers; a study that runs in stages (the probes of a plan) names each stage, and a new
label ends the stage's bar and starts the next one.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack, contextmanager
from typing import Callable, Iterator

import click

DEFAULT_LABEL = "replications"


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[..., None] | None]:
    """Yield a progress callback, or None when disabled or stderr is not a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with ExitStack() as stages:
        stage: dict = {"label": None, "bar": None, "started": 0.0, "open": None}

        def rate(_item: object) -> str:
            bar = stage["bar"]
            elapsed = time.perf_counter() - stage["started"]
            per_s = bar.pos / elapsed if bar is not None and elapsed > 0 else 0.0
            left = f", {(bar.length - bar.pos) / per_s:.0f} s left" if per_s > 0 else ""
            return f"{per_s:.2f} rep/s{left}"

        def show(done: int, total: int, label: str = DEFAULT_LABEL) -> None:
            bar = stage["bar"]
            if bar is None or stage["label"] != label or bar.length != total:
                if stage["open"] is not None:  # the stage before is over: its bar stays shown
                    stage["open"].close()
                bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                        show_pos=True, show_eta=False, item_show_func=rate,
                                        update_min_steps=1)
                stage.update(label=label, bar=bar, started=time.perf_counter(),
                             open=stages.enter_context(ExitStack()))
                stage["open"].enter_context(bar)
            bar.update(done - bar.pos)

        yield show
