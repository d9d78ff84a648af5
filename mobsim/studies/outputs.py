"""Output folders of studies (sensitivity, plan): claimed before the study runs, written whole."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from mobsim.errors import InputError
from mobsim.results.folders import contents, prepare_folder


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
