"""Provenance as data: the file and the baseline agree key for key, every sourced key cites and
quotes, every placeholder has one range, and docs/parameters.md is the generated text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobsim.cli import main
from mobsim.reports.sources import sources_markdown
from mobsim.scenario import load_scenario, provenance
from mobsim.scenario.provenance import SOURCED, entries, keys_of, problems, references, sources
from mobsim.scenario.ranges import parameters

ROOT = Path(__file__).resolve().parents[2]


def test_the_provenance_and_the_baseline_agree_key_for_key() -> None:
    assert problems() == []
    baseline = load_scenario(None)
    assert list(entries()) == keys_of(baseline.data)
    # a presence row is one key; the [sensitivity] section is not a key
    assert "members.presence.night" in entries() and "members.presence.night.away" not in entries()
    assert not any(key.startswith("sensitivity") for key in entries())


def _raw_with(change) -> dict:
    raw = provenance._raw()
    change(raw)
    return raw


@pytest.mark.parametrize("change,expected", [
    (lambda raw: raw["travel"].pop("walk_speed_mps"), "travel.walk_speed_mps: no provenance"),
    (lambda raw: raw["travel"].update(run_speed_mps={"kind": "placeholder", "mapping": "x"}),
     "travel.run_speed_mps: no such baseline key, or not a table"),
    (lambda raw: raw["travel"].update(detour_factor="placeholder"),
     "travel.detour_factor: no such baseline key, or not a table"),
    (lambda raw: raw["travel"]["walk_speed_mps"].pop("quote"),
     "travel.walk_speed_mps: kind published needs a source and a quoted figure"),
    (lambda raw: raw["escalation"]["handover_min"].update(range="2 to 15"),
     "escalation.handover_min: range given twice: here and in sensitivity.ranges"),
    (lambda raw: raw["travel"]["walk_speed_mps"].update(strength="solid"),
     "travel.walk_speed_mps: strength is one of strong, moderate, weak, for an entry with a "
     "source"),
    (lambda raw: raw["duty_officers"]["units"].pop("range"),
     "duty_officers.units: a placeholder needs its plausible values (range)"),
    (lambda raw: raw["escalation"]["handover_min"].update(kind="guess"),
     "escalation.handover_min: kind 'guess' is not one of article, published, calibrated, "
     "scenario-choice, placeholder"),
    (lambda raw: raw["members"]["presence"].update(day={"home": {"kind": "placeholder",
                                                                 "mapping": "x"}}),
     "members.presence.day.home: not one key of the baseline (a table, or part of a key)"),
])
def test_a_disagreement_is_found_and_named(monkeypatch, change, expected: str) -> None:
    raw = _raw_with(change)
    monkeypatch.setattr(provenance, "_raw", lambda: raw)
    assert expected in problems()


def test_a_numeric_placeholder_without_a_sensitivity_range_is_found(monkeypatch) -> None:
    baseline = load_scenario(None)
    entries_ = [e for e in baseline.get("sensitivity.ranges")
                if e["key"] != "cadres.dispatch_interval_min"]
    shorter = baseline.with_({"sensitivity.ranges": entries_})
    monkeypatch.setattr(provenance, "load_scenario", lambda name: shorter)
    assert problems() == ["cadres.dispatch_interval_min: a placeholder number needs a range in "
                          "sensitivity.ranges"]


def test_every_sourced_key_cites_a_reference_and_quotes_its_figure() -> None:
    known = references()
    for entry in entries().values():
        assert entry.mapping, entry.key
        if entry.kind in SOURCED:
            assert entry.reference_ids and entry.quote, entry.key
            assert all(name in known for name in entry.reference_ids), entry.key


def test_every_placeholder_shows_exactly_one_range() -> None:
    baseline = load_scenario(None)
    ranged = {p.key.rpartition(".")[0] if p.kind == "share" else p.key for p in parameters(baseline)}
    for source in sources(baseline):
        if source.entry.kind == "placeholder":
            assert source.range, source.key
            assert (source.key in ranged) != bool(source.entry.range_text), source.key


def test_every_default_lies_in_its_range() -> None:
    for parameter in parameters(load_scenario(None)):
        if parameter.kind == "factor":
            assert parameter.low <= 1.0 <= parameter.high, parameter.key
            continue
        base = parameter.base
        if parameter.kind == "share":
            base = base[parameter.key.rpartition(".")[2]]
        elif isinstance(base, dict):  # a beta spec
            base = base["a"] / (base["a"] + base["b"])
        # "HH:MM" texts order as the clock times they name
        assert parameter.value(0.0) <= base <= parameter.value(1.0), parameter.key


def test_a_key_the_scenario_sets_is_marked_and_no_longer_a_placeholder() -> None:
    night = {s.key: s for s in sources(load_scenario("xindu-night", ["cadres.at_once=3000"]))}
    assert night["alert.start"].kind == "set by the scenario"
    assert night["alert.start"].baseline_value == "14:00" and night["alert.start"].value == "02:00"
    assert night["cadres.at_once"].set_by_scenario and not night["cadres.at_once"].is_placeholder
    assert night["cadres.speed_kmh"].is_placeholder and not night["cadres.speed_kmh"].set_by_scenario
    assert not night["name"].set_by_scenario  # a scenario's own name sets nothing


def test_ranges_are_the_scenarios_own() -> None:
    mine = load_scenario(None, ['sensitivity.ranges=[{key = "cadres.speed_kmh", low = 20.0, '
                                'high = 30.0}]'])
    found = {s.key: s for s in sources(mine)}
    assert found["cadres.speed_kmh"].range == "20.0 to 30.0"
    assert found["escalation.after_min"].range == ""  # the scenario's list replaced the baseline's


def test_docs_parameters_md_is_the_generated_text() -> None:
    generated = sources_markdown(sources(load_scenario(None)), references())
    assert (ROOT / "docs" / "parameters.md").read_text("utf-8") == generated, (
        "docs/parameters.md is stale: run `mobsim sources --markdown -o docs/parameters.md`")


def test_the_command_lists_placeholders_with_counts_by_section(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["sources", "xindu-night", "--placeholders"])
    assert done.exit_code == 0, done.output
    counts = provenance.placeholder_counts(sources(load_scenario("xindu-night")))
    assert ("placeholders by section (" + str(sum(counts.values()))) in done.output
    assert ", ".join(f"{s} {n}" for s, n in counts.items()) in done.output
    assert "  cadres.speed_kmh = 25.0" in done.output
    assert "  channels.phone.reach =" not in done.output  # sourced: not a placeholder
    assert "alert.start" not in done.output  # set by the night scenario
    whole = CliRunner().invoke(main, ["sources", "xindu-night", "--json"])
    rows = {row["key"]: row for row in json.loads(whole.output)["keys"]}
    assert rows["alert.start"]["kind"] == "set by the scenario"
    assert rows["channels.phone.reach"]["references"] == [references()["emerg-radiol-2010"]]


def test_the_command_writes_the_markdown_file_and_refuses_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "parameters.md"
    done = CliRunner().invoke(main, ["sources", "--markdown", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text("utf-8") == (ROOT / "docs" / "parameters.md").read_text("utf-8")
    bad = CliRunner().invoke(main, ["sources", "no-such-scenario"])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1
    unwritable = CliRunner().invoke(main, ["sources", "-o", str(tmp_path / "no" / "dir.txt")])
    assert unwritable.exit_code == 2 and "could not write" in unwritable.output


def test_a_key_set_in_a_file_shows_the_comment_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text('[cadres]\nat_once = 2500  # roster of the district office, March\n'
                    'speed_kmh = 25.0  # as the baseline\n', encoding="utf-8")
    found = {s.key: s for s in sources(load_scenario(path))}
    assert found["cadres.at_once"].note == "roster of the district office, March"
    assert found["cadres.speed_kmh"].note == ""  # the baseline's value: not set by the scenario
    done = CliRunner().invoke(main, ["sources", str(path)])
    assert "set by the scenario: roster of the district office, March" in done.output
