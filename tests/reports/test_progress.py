"""Tests of the progress bar: shown only on a terminal, silenced by --quiet."""

import io
import sys

import pytest

from mobsim.reports.progress import progress_bar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_disabled_or_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", _Terminal())
    with progress_bar(enabled=False) as progress:
        assert progress is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress_bar(enabled=True) as progress:
        assert progress is None
    assert sys.stderr.getvalue() == ""


def test_bar_counts_replications_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar(enabled=True) as progress:
        assert progress is not None
        progress(1, 4)
        progress(4, 4)
    out = terminal.getvalue()
    assert "1/4" in out and "4/4" in out and "rep/s" in out and "s left" in out
    assert out.endswith("\n")


def test_a_new_label_starts_the_next_stage_s_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan's probes: each probe has its own bar, named, counting its replications."""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar(enabled=True) as progress:
        progress(30, 200, "probe 1: cadres.at_once = 3241")
        progress(59, 200, "probe 1: cadres.at_once = 3241")
        progress(10, 200, "probe 2: cadres.at_once = 1000")
    out = terminal.getvalue()
    assert "probe 1: cadres.at_once = 3241" in out and "59/200" in out
    assert out.index("59/200") < out.index("probe 2: cadres.at_once = 1000") < out.index("10/200")
