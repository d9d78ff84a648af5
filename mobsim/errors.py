"""What stops a command: bad user input, or an interruption that kept finished work; and what
does not stop it but is said: a scenario value that runs otherwise than written."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad scenario, district table or command-line value; the message is one line for the user."""


class ScenarioWarning(UserWarning):
    """A scenario value that is valid but takes effect otherwise than written; one line."""


class RunInterrupted(Exception):
    """A run stopped by Ctrl-C or SIGTERM; finished replications are kept for --resume."""

    def __init__(self, out_dir: Path, kept: int, total: int, exit_code: int = 130) -> None:
        super().__init__(f"interrupted: kept {kept} of {total} finished replications in {out_dir}/; "
                         f"run the same command with --resume to finish")
        self.out_dir, self.kept, self.total = out_dir, kept, total
        self.exit_code = exit_code  # 130 after Ctrl-C (SIGINT), 143 after SIGTERM
