"""Speed gates stay out of the default test run and CI runs them as their own stage."""

import ast
import configparser
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _marks(node: ast.FunctionDef) -> set[str]:
    """Names of the `pytest.mark.X` decorators of a test function."""
    return {d.attr for d in node.decorator_list if isinstance(d, ast.Attribute)} | {
        d.func.attr for d in node.decorator_list
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)}


def _timed_tests() -> dict[str, set[str]]:
    """Every test in tests/ and benchmarks/ that reads the clock or compares a speed-up, with its marks."""
    found = {}
    for path in [*ROOT.glob("tests/**/test_*.py"), *ROOT.glob("benchmarks/test_*.py")]:
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                body = ast.unparse(node)
                if node.name.endswith("_gate") or "best_seconds" in body or "best_rate" in body:
                    found[f"{path.name}::{node.name}"] = _marks(node)
    return found


def test_every_speed_gate_is_marked_bench() -> None:
    timed = _timed_tests()
    assert len(timed) >= 4, timed
    unmarked = [name for name, marks in timed.items() if not marks & {"bench", "slow"}]
    assert unmarked == []


def test_default_run_deselects_bench_and_ci_runs_it() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    addopts = shlex.split(config["tool:pytest"]["addopts"])
    selection = addopts[addopts.index("-m") + 1]
    assert all(f"not {mark}" in selection
               for mark in ("bench", "slow", "browser", "verdicts", "examples"))
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    suite = next(i for i, line in enumerate(ci_lines) if line.endswith(".venv/bin/python -m pytest -n 2 --dist loadfile"))
    bench = ci_lines.index(".venv/bin/python -m pytest -m bench benchmarks")
    browser = ci_lines.index(".venv/bin/python -m pytest -m browser tests/reports/test_report_browser.py")
    # the second-seed check runs while it fits the limit (`if_time MINUTES command`)
    verdicts = next(i for i, line in enumerate(ci_lines) if line.endswith(
        ".venv/bin/python -m pytest -m verdicts benchmarks/test_bound_checks.py"))
    figures = ci_lines.index(".venv/bin/python -m pytest -m verdicts benchmarks/test_docs_figures.py")
    examples = ci_lines.index(".venv/bin/python -m pytest -m examples tests")
    assert min(bench, browser, verdicts, figures, examples) > suite
