"""mobsim: emergency mobilization simulation of a grid-governance district.

The public API (everything else is internal and may change)::

    import mobsim
    base = mobsim.Scenario.load("xindu-baseline")          # a built-in name or a TOML file
    every_cadre = base.with_({"cadres.at_once": 3241})     # typed, validated
    run = mobsim.run(every_cadre, replications=59, seed=1, out="runs/every-cadre")
    run.replications.t_full_min.describe(); run.table("microgrids"); run.check().passed
    same = mobsim.load("runs/every-cadre")                 # the same Run, from its folder
    table = mobsim.compare(["runs/xindu-baseline", run])   # paired by seed 1
    mobsim.definition_verdicts(run)                        # the verdict by definition of mobilized
    swept = mobsim.sweep(base, {"alert.start": ["02:00", "14:00"]}, replications=20, seed=7)
    swept.comparison()                                     # the table `mobsim sweep` prints
    mobsim.report("runs/every-cadre")                      # one HTML file
    result = mobsim.simulate(district, base, seed=7, replication=0)   # one replication

Names load on first use, so `import mobsim` stays light and compiles no kernel.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC: dict[str, tuple[str, str]] = {
    "District": ("mobsim.district", "District"),
    "InputError": ("mobsim.errors", "InputError"),
    "Run": ("mobsim.results.run", "Run"),
    "Scenario": ("mobsim.scenario", "Scenario"),
    "Sweep": ("mobsim.sweeps", "Sweep"),
    "compare": ("mobsim.results.compare", "compare"),
    "definition_verdicts": ("mobsim.results.side_by_side", "definition_verdicts"),
    "load": ("mobsim.results.run", "load"),
    "load_district": ("mobsim.district", "load_district"),
    "report": ("mobsim.reports.run_page", "write_report"),
    "run": ("mobsim.runner", "run"),
    "simulate": ("mobsim.model", "simulate"),
    "sweep": ("mobsim.sweeps", "sweep"),
}
"""Public name → (module, attribute)."""

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'mobsim' has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    return getattr(importlib.import_module(module), attribute)
