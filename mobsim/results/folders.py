"""Output folders: one kind of thing per folder, writable before a run starts, failed writes told.

`mobsim run` and `mobsim sweep` claim their folder here before anything runs: a folder that
holds the other kind, or files mobsim did not write, is refused without --force, with a message
saying what is there. With --force the other kind's files are removed; files mobsim did not
write are never removed (the new output is written beside them). A folder that cannot be
written is refused before anything runs; a write that fails later (a full disk) is one line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from mobsim.errors import InputError
from mobsim.results.dataset import VARIANT_FILE

RUN, SWEEP = "run", "sweep"
"""The two kinds of output folder."""

RUN_MARKERS = ("manifest.json", ".parts")
"""Entries that make a folder a run folder (finished, or interrupted with its parts)."""
RUN_FILES = ("manifest.json", "scenario.toml", ".parts")
"""A run folder's own entries besides the tables its manifest lists."""
SWEEP_FILE = "variants.parquet"
"""The table of variants that, with the variant folders, makes a folder a sweep folder."""
SHARED_FILES = ("report.html",)
"""Files either kind may hold (`mobsim report`'s default output)."""

_VARIANT = re.compile(r"variant=\d+")
_SHOWN = 3


@dataclass(frozen=True)
class Contents:
    """What a folder holds: mobsim's runs and sweeps, and the names of anything else."""

    run: list[str]
    sweep: list[str]
    other: list[str]


def _is_variant_folder(path: Path) -> bool:
    return path.is_dir() and bool(_VARIANT.fullmatch(path.name))


def _is_sweep_entry(path: Path) -> bool:
    """variants.parquet, a variant's run folder, or a table's dataset of variant files (or of
    `variant=K` folders, as sweeps wrote them before)."""
    if path.name == SWEEP_FILE or _is_variant_folder(path):
        return True
    children = list(path.iterdir()) if path.is_dir() else []
    return bool(children) and all(VARIANT_FILE.fullmatch(child.name)
                                  or _is_variant_folder(child) for child in children)


def _run_entries(folder: Path) -> set[str]:
    """Names a run folder owns: its fixed files and every table its manifest lists."""
    names = set(RUN_FILES)
    try:
        names.update(json.loads((folder / "manifest.json").read_text()).get("tables", []))
    except (OSError, json.JSONDecodeError, AttributeError):
        names.update(p.name for p in folder.glob("*.parquet") if p.name != SWEEP_FILE)
    return names


def contents(folder: Path) -> Contents:
    """Sort the entries of `folder` (absent: empty) into run, sweep and other ones."""
    if not folder.is_dir():
        return Contents([], [], [])
    entries = sorted(folder.iterdir())
    is_run = any((folder / marker).exists() for marker in RUN_MARKERS)
    owned = _run_entries(folder) if is_run else set()
    run, sweep, other = [], [], []
    for path in entries:
        name = path.name
        if name in SHARED_FILES or (name.startswith(".") and name.endswith(".partial")):
            continue
        if name in owned:
            run.append(name)
        elif _is_sweep_entry(path):
            sweep.append(name + ("/" if path.is_dir() else ""))
        elif not name.startswith("."):
            other.append(name + ("/" if path.is_dir() else ""))
    return Contents(run, sweep, other)


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f", … ({len(names)} in all)" if len(names) > _SHOWN else "")


def _remove(folder: Path, names: list[str]) -> None:
    for name in names:
        path = folder / name.rstrip("/")
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def claim(folder: Path, kind: str, force: bool) -> None:
    """Check that `folder` holds nothing but a `kind` folder; with `force`, clear the other kind.

    Raises InputError naming what the folder holds otherwise. Whether a folder of the same
    kind holds the same run or sweep is the caller's to judge.
    """
    held = contents(folder)
    foreign = held.sweep if kind == RUN else held.run
    other_kind = SWEEP if kind == RUN else RUN
    if force:
        _remove(folder, foreign)
        return
    hint = "use --force to replace it or -o to choose another folder"
    if foreign:
        raise InputError(f"{folder}: holds a {other_kind} ({_listing(foreign)}), not a {kind}; "
                         f"{hint}")
    if held.other:
        raise InputError(f"{folder}: holds files mobsim did not write ({_listing(held.other)}); "
                         f"choose an empty or new folder with -o, or use --force to write the "
                         f"{kind} beside them")


RESUME_HINT = "make space and run the same command with --resume to continue"


def prepare_folder(folder: Path) -> None:
    """Create `folder` and write a file in it, or raise InputError saying why it cannot be used."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder; choose another -o")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".mobsim-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise InputError(f"{folder}: cannot write there ({reason(err)}); choose another -o") from None


def reason(err: OSError) -> str:
    """What the system said, with the path it was about when there is one."""
    # Arrow's errors carry the errno but wrap its text in their own words.
    said = os.strerror(err.errno) if err.errno else str(err).splitlines()[0]
    return f"{said}: {err.filename}" if err.filename else said


def write_failed(out: Path, what: str, err: OSError, kept: int, total: int) -> InputError:
    """The one line for a write that failed mid-run: what, why, what is kept, how to go on."""
    return InputError(f"{out}/: could not write {what} ({reason(err)}); kept {kept} of {total} "
                      f"finished replications: {RESUME_HINT}")
