"""Output folders of studies (sensitivity, plan): claimed before the study runs, written whole."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from mobsim.errors import InputError
from mobsim.results.folders import contents, prepare_folder, reason
from mobsim.scenario import Scenario, load_scenario

T = TypeVar("T")


def check_writable(folder: Path, files: Sequence[str], what: str) -> None:
    """A new or empty folder, or one holding only a previous `what` (`files`), that can be
    written; InputError otherwise (checked before the study runs, and again to write)."""
    held = contents(folder)
    others = [n for n in held.run + held.sweep + held.other if n not in files]
    if others:
        raise InputError(f"{folder}: holds files that are not a {what}'s "
                         f"({', '.join(others[:3])}); choose an empty or new folder with -o")
    prepare_folder(folder)


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write `path` beside its final name, then rename it into place."""
    partial = path.with_name(f".{path.name}.partial")
    write(partial)
    os.replace(partial, path)


@dataclass(frozen=True)
class JsonFolder:
    """A study folder of one JSON file beside the resolved scenario (a plan, an allocation)."""

    manifest: str
    """The file that makes a folder one of these: what the study's --json prints."""
    what: str

    @property
    def files(self) -> tuple[str, ...]:
        """Every file the folder holds (besides report.html)."""
        return (self.manifest, "scenario.toml")

    def check_writable(self, folder: Path) -> None:
        """Refuse a folder holding anything but a previous one (before the study runs)."""
        check_writable(folder, self.files, self.what)

    def write(self, folder: Path, scenario: Scenario, found: dict[str, Any]) -> None:
        """Write `found` and the scenario the study ran on to `folder`."""
        self.check_writable(folder)
        try:
            write_atomic(folder / "scenario.toml",
                         lambda p: p.write_text(scenario.to_toml(), "utf-8"))
            write_atomic(folder / self.manifest,
                         lambda p: p.write_text(json.dumps(found, indent=1), "utf-8"))
        except OSError as err:
            raise InputError(f"{folder}/: could not write the {self.what} ({reason(err)})") from None

    def read(self, folder: Path, parse: Callable[[dict[str, Any]], T]) -> tuple[Scenario, str, T]:
        """The scenario, its name (the JSON's "scenario") and `parse` of the JSON."""
        missing = [name for name in self.files if not (folder / name).is_file()]
        if missing:
            raise InputError(f"{folder}: not a whole {self.what} folder (no {missing[0]})")
        try:
            found = json.loads((folder / self.manifest).read_text("utf-8"))
            result = parse(found)
            name = found["scenario"]
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise InputError(f"{folder / self.manifest}: unreadable {self.what} ({err})") from None
        return load_scenario(folder / "scenario.toml"), name, result
