"""The model's event loop: SimPy's order and results, stopping at the horizon."""

import gc

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from mobsim.model.event_loop import EventLoop


def _log_of(env: simpy.Environment, delays: list[tuple[float, float]]) -> list[tuple[float, int]]:
    """Processes that wait, then each schedule a timeout; the log of (time, process) they make."""
    log: list[tuple[float, int]] = []

    def person(k: int, first: float, second: float):
        yield env.timeout(first)
        log.append((env.now, k))
        env.timeout(second).callbacks.append(lambda _: log.append((env.now, -k - 1)))

    for k, (first, second) in enumerate(delays):
        env.process(person(k, first, second))
    return log


def test_run_before_counts_the_events_it_processes_and_stops_before_the_horizon() -> None:
    clock = EventLoop()
    for delay in (1.0, 2.0, 5.0):
        clock.timeout(delay)
    assert clock.run_before(4.0) == 2 and clock.now == 2.0
    assert clock.peek() == 5.0  # the event at the horizon's far side is still scheduled


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 1.0, 2.5, 3.0]),
                          st.sampled_from([0.0, 0.5, 1.0, 4.0])), max_size=12))
def test_run_before_processes_events_in_simpy_order_ties_included(
        delays: list[tuple[float, float]]) -> None:
    # Ties are frequent by construction: their order is SimPy's (priority, then scheduling).
    clock, env = EventLoop(), simpy.Environment()
    ours, simpys = _log_of(clock, delays), _log_of(env, delays)
    clock.run_before(4.0)
    while env.peek() < 4.0:
        env.step()
    assert ours == simpys and clock.now == env.now


def test_a_failed_event_nobody_defused_raises_its_error() -> None:
    clock = EventLoop()

    def broken():
        yield clock.timeout(1.0)
        raise RuntimeError("a process of the model failed")

    clock.process(broken())
    with pytest.raises(RuntimeError, match="failed"):
        clock.run_before(10.0)


def test_the_collector_is_paused_during_the_loop_and_restored_after() -> None:
    clock, seen = EventLoop(), []
    clock.timeout(1.0).callbacks.append(lambda _: seen.append(gc.isenabled()))
    was = gc.isenabled()
    clock.run_before(2.0)
    assert seen == [False] and gc.isenabled() == was
