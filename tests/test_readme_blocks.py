"""The README's code runs as written, in order, in an empty folder after the quick start
(on a small district: doc_fixtures)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from doc_fixtures import commands, invoke, small_generator

pytestmark = pytest.mark.examples

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_quick_start_then_every_python_block_runs(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    small_generator(monkeypatch, tmp_path / "small-district")
    work = tmp_path / "empty"
    work.mkdir()
    monkeypatch.chdir(work)
    quick_start = commands(_blocks("sh")[0].replace("&& ", "\n").replace(".venv/bin/", ""))
    assert quick_start == ["mobsim run"]
    result = invoke(quick_start[0])
    assert result.exit_code in (0, 1, 3) and "wrote runs/xindu-baseline/" in result.stdout, \
        result.output
    namespace: dict = {}
    shown = io.StringIO()
    python = _blocks("python")
    assert len(python) >= 2
    with contextlib.redirect_stdout(shown):
        for block in python:
            exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - the README's code
    run, swept = namespace["run"], namespace["swept"]
    assert shown.getvalue().strip() == repr(run) and "\n" not in repr(run) and len(repr(run)) < 200
    assert repr(run) == ("Run(path='runs/every-cadre', scenario='xindu-baseline', "
                         "replications=59, seed=1)")
    assert "\n" not in repr(swept) and len(repr(swept)) < 200
    table = swept.comparison()
    assert list(table["alert.start"]) == ["02:00", "14:00"] and "verdict" in table.columns
    assert namespace["table"]["pairing"].iloc[1] == "paired by seed 1"
    assert (work / "runs" / "every-cadre" / "report.html").is_file()
