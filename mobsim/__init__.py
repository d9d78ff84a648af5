"""mobsim: emergency mobilization simulation of a grid-governance district."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "load", "load_scenario", "run"]


def __getattr__(name: str) -> Any:
    """Import the public API on first use, so `import mobsim` stays light and compiles nothing."""
    if name == "load":
        from mobsim.results.run import load
        return load
    if name == "load_scenario":
        from mobsim.scenario.files import load_scenario
        return load_scenario
    if name == "run":
        from mobsim.runner import run
        return run
    raise AttributeError(f"module 'mobsim' has no attribute {name!r}")
