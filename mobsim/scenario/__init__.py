"""Scenarios: files and built-ins, layers and overrides, the rules they obey, typed parameters."""

from mobsim.scenario.files import (
    Scenario,
    builtin_names,
    load_scenario,
    validate_scenario,
)

__all__ = ["Scenario", "builtin_names", "load_scenario", "validate_scenario"]
