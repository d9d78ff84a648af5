"""Every figure quoted in docs/model.md and in the shipped scenarios' headers, computed.

A computed figure is followed by its name in footnote form: `95th percentile 188[^baseline.p95]
min`. In Markdown that is a footnote reference (the definitions, what each figure is, are the
generated block at the end of docs/model.md); in a TOML comment it reads as a note mark. The
figure is the word before the mark; its format (decimals, a thousands comma, a percent sign)
is the one written there. benchmarks/docs_measures.py says what each name measures.

    python benchmarks/docs_figures.py --check   # exit 1, listing every figure that differs
    python benchmarks/docs_figures.py --write   # rewrite them in place (and docs/parameters.md)
    python benchmarks/docs_figures.py --list    # every figure named in the texts, no runs

Each run is made once and shared by the figures that read it (-j: worker processes): 8 runs
of 59 replications, 472 in all, about 600 CPU-seconds (15 min with -j 2 on the shared 2-core
development machine under a load of 4 to 5; about 5 min on two free cores).
`pytest -m verdicts benchmarks/test_docs_figures.py` runs the check.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docs_measures import REPLICATIONS, Runs, description, value

from mobsim.reports.sources import sources_markdown
from mobsim.scenario import Scenario, load_scenario
from mobsim.scenario.provenance import references, sources

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "docs" / "model.md"
PARAMETERS = ROOT / "docs" / "parameters.md"
BUILTIN = ROOT / "mobsim" / "scenario" / "builtin"

MARK = re.compile(r"(?P<value>[\w.,%:+−-]*\w%?)\[\^(?P<name>[^\]\s]+)\](?!:)")
"""A figure and its name: `188[^baseline.p95]` (not a footnote definition `[^name]:`)."""

NOTES_START = "<!-- Figure notes: written by `python benchmarks/docs_figures.py --write`. -->"
"""The line before the generated footnote definitions of docs/model.md."""


@dataclass(frozen=True)
class Figure:
    """One marked figure: where it is, its name, the text written there."""

    path: Path
    line: int
    name: str
    text: str
    scenario: str


def texts() -> list[tuple[Path, str]]:
    """The texts with figures and the scenario their `=KEY` figures read."""
    headers = [(path, path.stem) for path in sorted(BUILTIN.glob("*.toml"))]
    return [(MODEL, "xindu-baseline"), *headers]


def _body(path: Path) -> str:
    text = path.read_text("utf-8")
    return text.split("\n" + NOTES_START)[0] if path == MODEL else text


def figures() -> list[Figure]:
    """Every marked figure of every text, in reading order."""
    found = []
    for path, scenario in texts():
        # a TOML value never holds "[^", so only its comments can hold marks
        for number, line in enumerate(_body(path).splitlines(), start=1):
            found += [Figure(path, number, m["name"], m["value"], scenario)
                      for m in MARK.finditer(line)]
    return found


def formatted(computed: Any, written: str) -> str:
    """`computed` in the format of `written`: its decimals, thousands comma and percent sign."""
    if isinstance(computed, bool):
        return "true" if computed else "false"
    if not isinstance(computed, (int, float)):
        return str(computed)
    percent = written.endswith("%")
    number = written.rstrip("%")
    decimals = len(number.partition(".")[2]) if "." in number else 0
    amount = computed * 100 if percent else computed
    text = f"{amount:,.{decimals}f}" if "," in number else f"{amount:.{decimals}f}"
    return text + ("%" if percent else "")


def computed_texts(found: list[Figure], jobs: int, replications: int = REPLICATIONS
                   ) -> tuple[dict[tuple[str, str], str], float]:
    """The text each figure should have, by (name, scenario), and the seconds it took."""
    started = time.perf_counter()
    runs = Runs(jobs, replications)
    scenarios: dict[str, Scenario] = {}
    wanted: dict[tuple[str, str], str] = {}
    try:
        for figure in found:
            scenario = scenarios.setdefault(figure.scenario, load_scenario(figure.scenario))
            wanted.setdefault((figure.name, figure.scenario),
                              formatted(value(figure.name, runs, scenario), figure.text))
    finally:
        runs.close()
    return wanted, time.perf_counter() - started


def notes(found: list[Figure]) -> str:
    """The footnote definitions of docs/model.md: what each of its figures is."""
    names = dict.fromkeys(f.name for f in found if f.path == MODEL)
    return "\n".join([NOTES_START, ""] + [f"[^{name}]: {description(name)}." for name in names])


def differences(found: list[Figure], wanted: dict[tuple[str, str], str]) -> list[str]:
    """One line per figure whose text differs, and per stale generated file."""
    lines = [f"{f.path.relative_to(ROOT)}:{f.line}: {f.name}: written {f.text}, computed "
             f"{wanted[(f.name, f.scenario)]}" for f in found if f.text != wanted[(f.name, f.scenario)]]
    if MODEL.read_text("utf-8") != _with_notes(MODEL.read_text("utf-8"), found):
        lines.append("docs/model.md: the figure notes at the end are not the generated ones")
    if PARAMETERS.read_text("utf-8") != _parameters():
        lines.append("docs/parameters.md: not the generated text")
    return lines


def _with_notes(text: str, found: list[Figure]) -> str:
    return text.split("\n" + NOTES_START)[0].rstrip("\n") + "\n\n" + notes(found) + "\n"


def _parameters() -> str:
    return sources_markdown(sources(load_scenario(None)), references())


def write(found: list[Figure], wanted: dict[tuple[str, str], str]) -> int:
    """Rewrite every figure in place, the notes of docs/model.md and docs/parameters.md."""
    changed = 0
    for path, scenario in texts():
        text = path.read_text("utf-8")

        def replace(m: re.Match, scenario: str = scenario) -> str:
            return wanted[(m["name"], scenario)] + f"[^{m['name']}]"

        new = MARK.sub(replace, _body(path))
        if path == MODEL:
            new = _with_notes(new, found)
        if new != text:
            path.write_text(new, "utf-8")
            changed += 1
    if PARAMETERS.read_text("utf-8") != _parameters():
        PARAMETERS.write_text(_parameters(), "utf-8")
        changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    """--check, --write or --list (module docstring); 0 when the texts hold the computed figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="exit 1 listing each figure that differs")
    action.add_argument("--write", action="store_true", help="rewrite the figures in place")
    action.add_argument("--list", action="store_true", help="every figure named, and what it is")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("-n", "--replications", type=int, default=REPLICATIONS,
                        help=f"replications a run (default {REPLICATIONS}, what the texts quote; "
                             "fewer only to try the script: --write refuses them)")
    args = parser.parse_args(argv)
    if args.write and args.replications != REPLICATIONS:
        parser.error(f"--write writes the figures of {REPLICATIONS} replications a run")
    found = figures()
    if args.list:
        for name in dict.fromkeys(f.name for f in found):
            print(f"{name}: {description(name)}")
        return 0
    wanted, seconds = computed_texts(found, args.jobs, args.replications)
    print(f"{len(found)} figures ({len(wanted)} distinct) computed in {seconds:.0f} s")
    if args.write:
        print(f"rewrote {write(found, wanted)} file(s)")
        return 0
    lines = differences(found, wanted)
    for line in lines:
        print(line)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
