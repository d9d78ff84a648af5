"""The figures quoted in docs/model.md and the scenario headers are the computed ones.

The full check (`-m verdicts`) runs every run the figures need, 59 replications each; the
default selection checks what needs no run: every mark names a known figure, the figures read
off the scenarios, the district and the code, the notes of docs/model.md.
"""

from __future__ import annotations

import pytest
from docs_figures import MARK, differences, figures, formatted, main, notes
from docs_measures import Runs, description, split_run, value

from mobsim.scenario import load_scenario


def test_the_format_is_the_one_written() -> None:
    assert formatted(187.64, "188") == "188"
    assert formatted(0.8571, "86%") == "86%"
    assert formatted(5471.2, "5,450") == "5,471"
    assert formatted(1.5, "2.0") == "1.5" and formatted(2, "0.90") == "2.00"
    assert formatted("UNDECIDED", "FAIL") == "UNDECIDED"
    assert formatted(True, "false") == "true"


def test_a_mark_takes_the_word_before_it_and_not_a_note_definition() -> None:
    found = [(m["value"], m["name"]) for m in MARK.finditer(
        "(2,000[^=cadres.at_once] of 3,241), before 05:00[^night.target_clock]. "
        "Marked [^name] alone is no figure.\n[^baseline.p95]: the note")]
    assert found == [("2,000", "=cadres.at_once"), ("05:00", "night.target_clock")]


def _needs_no_run(name: str) -> bool:
    try:
        _, measure = split_run(name)
    except KeyError:
        return not name.startswith("example.")
    return measure == "target_clock" or measure.startswith("=")


def test_every_mark_names_a_known_figure_and_those_needing_no_run_hold() -> None:
    runs = Runs(jobs=1)
    try:
        wrong = []
        for figure in figures():
            assert description(figure.name), figure.name  # a name the measures know
            if _needs_no_run(figure.name):
                text = formatted(value(figure.name, runs, load_scenario(figure.scenario)),
                                 figure.text)
                if text != figure.text:
                    wrong.append(f"{figure.path.name}:{figure.line}: {figure.name}: written "
                                 f"{figure.text}, computed {text}")
        assert runs.done == {}  # none of them ran anything
    finally:
        runs.close()
    assert wrong == []


def test_the_notes_of_docs_model_md_are_the_generated_ones() -> None:
    found = figures()
    lines = differences(found, {(f.name, f.scenario): f.text for f in found})
    assert lines == [], lines
    assert notes(found).count("\n[^") == len({f.name for f in found if f.path.suffix == ".md"})


@pytest.mark.verdicts
def test_every_quoted_figure_is_the_computed_one(capsys) -> None:
    code = main(["--check", "-j", "2"])
    assert code == 0, capsys.readouterr().out
