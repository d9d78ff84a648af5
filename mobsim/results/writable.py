"""Output folders checked before a run starts, and failed writes (a full disk) told in one line."""

from __future__ import annotations

import os
from pathlib import Path

from mobsim.errors import InputError

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
