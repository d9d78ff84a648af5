"""Scenarios: the built-in baseline, shipped scenarios, extends chains, overrides, files and digests."""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobsim.distributions import fixed, parse_dist
from mobsim.errors import InputError
from mobsim.scenario.files import (
    BASELINE,
    PROBABILITY_PATTERNS,
    SHARE_PATTERNS,
    Scenario,
    builtin_names,
    load_scenario,
    validate_scenario,
)
from mobsim.scenario.params import Settings
from mobsim.scenario.rules import RULES
from mobsim.scenario.schema import is_dist_table, is_table, leaves

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASELINE_TEXT = (resources.files("mobsim.scenario.builtin") / "xindu-baseline.toml").read_text("utf-8")


def write(folder: Path, name: str, text: str) -> Path:
    """Write a scenario file and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def differences(a: Scenario, b: Scenario) -> set[str]:
    """Key paths whose values differ between two scenarios."""
    return {path for path, value in leaves(a.data) if value != b.get(path)}


def first_dist_key() -> str:
    """A key whose baseline value is a distribution table."""
    return next(path for path, value in leaves(tomllib.loads(BASELINE_TEXT)) if is_dist_table(value))


def test_the_baseline_is_built_in_and_is_the_default() -> None:
    baseline = load_scenario()
    assert (baseline.name, baseline.path) == (BASELINE, None)
    assert baseline.data == tomllib.loads(BASELINE_TEXT)
    assert load_scenario(BASELINE).digest == baseline.digest
    assert BASELINE in builtin_names()


def test_the_scenarios_folder_links_to_the_built_in_baseline() -> None:
    link = SCENARIOS / "xindu-baseline.toml"
    assert link.is_symlink()
    assert link.resolve() == Path(str(resources.files("mobsim.scenario.builtin") / "xindu-baseline.toml")).resolve()
    assert load_scenario(link).digest == load_scenario().digest


@pytest.mark.parametrize(("file", "name", "changed", "minute"), [
    ("xindu-night.toml", "xindu-night", {"alert.start"}, 1 * 1440 + 2 * 60),
    ("xindu-weekend.toml", "xindu-weekend", {"alert.weekday"}, 5 * 1440 + 14 * 60),
])
def test_shipped_scenarios_differ_from_the_baseline_only_where_stated(
        file: str, name: str, changed: set[str], minute: int) -> None:
    scenario, baseline = load_scenario(SCENARIOS / file), load_scenario()
    assert scenario.name == name and scenario.path == SCENARIOS / file
    assert differences(scenario, baseline) == {"name", "description", *changed}
    assert Settings(scenario).order_minute_of_week() == minute


def test_order_minute_of_the_baseline_is_tuesday_afternoon() -> None:
    def minute(*overrides: str) -> int:
        return Settings(load_scenario(None, overrides)).order_minute_of_week()
    assert minute() == 1440 + 14 * 60
    assert minute("alert.weekday=mon", "alert.start=00:00") == 0
    assert minute("alert.weekday=sun", "alert.start=23:59") == 7 * 1440 - 1


def test_extends_chain_merges_outwards_relative_to_each_file(tmp_path: Path) -> None:
    write(tmp_path, "two/b.toml", f'extends = "{SCENARIOS / "xindu-night.toml"}"\n'
                                  '[target]\nminutes = 120.0\nquantile = 0.9\n')
    a = write(tmp_path, "one/a.toml", 'extends = "../two/b.toml"\n[target]\nquantile = 0.8\n')
    scenario = load_scenario(a)
    assert scenario.get("alert.start") == "02:00"  # from xindu-night
    assert scenario.get("target.minutes") == 120.0  # from b
    assert scenario.get("target.quantile") == 0.8  # from a, over b
    assert differences(scenario, load_scenario()) == \
        {"name", "description", "alert.start", "target.minutes", "target.quantile"}


def test_extending_the_baseline_by_name_is_the_default(tmp_path: Path) -> None:
    named = write(tmp_path, "named.toml", 'extends = "xindu-baseline"\nname = "s"\n')
    plain = write(tmp_path, "plain.toml", 'name = "s"\n')
    assert load_scenario(named).digest == load_scenario(plain).digest


def test_a_file_without_name_is_named_by_its_stem_and_has_no_inherited_description(
        tmp_path: Path) -> None:
    path = write(tmp_path, "rainy-night.toml", 'extends = "../night.toml"\n')
    write(tmp_path.parent, "night.toml", 'name = "night"\ndescription = "at night"\n')
    scenario = load_scenario(path)
    assert scenario.name == scenario.get("name") == "rainy-night"
    assert scenario.get("description") == ""
    assert load_scenario(path, ["name=wet"]).name == "wet"


@pytest.mark.parametrize(("files", "message"), [
    ({"a.toml": 'extends = "b.toml"', "b.toml": 'extends = "a.toml"'},
     "{d}/b.toml: extends: cycle {d}/a.toml -> {d}/b.toml -> {d}/a.toml"),
    ({"a.toml": 'extends = "a.toml"'}, "{d}/a.toml: extends: cycle {d}/a.toml -> {d}/a.toml"),
    ({"a.toml": 'extends = "./b.toml"', "b.toml": 'extends = "../d/a.toml"'},
     "{d}/b.toml: extends: cycle {d}/a.toml -> {d}/b.toml -> {d}/a.toml"),
    ({"a.toml": 'extends = "missing.toml"'},
     "{d}/a.toml: extends: no scenario file {d}/missing.toml and no built-in named 'missing.toml'"),
    ({"a.toml": "extends = 3"},
     "{d}/a.toml: extends: expected a scenario file name or a built-in name (xindu-baseline"),
    ({"a.toml": "[alert\nstart = 1"}, "{d}/a.toml:1:7: Expected ']' at the end of a table declaration"),
    ({"a.toml": 'name = "x"\n\n[alert]\nstart = "02:00" x\n'},
     "{d}/a.toml:4:17: Expected newline or end of document after a statement"),
    ({"a.toml": "[alert]\nstart = 02:00  # night\n"},
     '{d}/a.toml:2:10: Expected newline or end of document after a statement; '
     'clock times need quotes: "02:00"'),
    ({"a.toml": "name = "}, "{d}/a.toml:1:8: Invalid value (at end of file)"),
    ({"a.toml": "[district]\nseed = " + "1" * 5000},
     "{d}/a.toml: an integer has too many digits to read"),
    ({"a.toml": 'extends = "b.toml"', "b.toml": "name = = 1"}, "{d}/b.toml:1:8: Invalid value"),
])
def test_file_errors_are_one_line_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  files: dict[str, str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkdir("d")
    for name, text in files.items():
        write(Path("d"), name, text)
    found = validate_scenario("d/a.toml")
    assert len(found) == 1 and found[0].startswith(message.format(d="d"))
    with pytest.raises(InputError) as err:
        load_scenario("d/a.toml")
    assert str(err.value) == found[0]


def test_unreadable_sources(tmp_path: Path) -> None:
    (tmp_path / "latin1.toml").write_bytes('name = "caf\xe9"'.encode("latin-1"))
    assert validate_scenario(tmp_path / "latin1.toml") == [f"{tmp_path / 'latin1.toml'}: not UTF-8 text"]
    names = ", ".join(builtin_names())
    assert validate_scenario(tmp_path / "none.toml") == \
        [f"{tmp_path / 'none.toml'}: no such scenario file (built-in scenarios: {names})"]
    assert validate_scenario("xindu-nite") == \
        [f"xindu-nite: no such scenario file (built-in scenarios: {names}); "
         "did you mean xindu-night?"]
    assert validate_scenario(tmp_path) == \
        [f"{tmp_path}: no such scenario file (built-in scenarios: {names})"]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbfname = "bom"\n')
    assert load_scenario(path).name == "bom"


def test_all_problems_of_all_files_and_overrides_are_listed_load_raises_the_first(
        tmp_path: Path) -> None:
    write(tmp_path, "base.toml", "[alert]\nstrat = '02:00'\n")
    top = write(tmp_path, "top.toml", 'extends = "base.toml"\n[target]\nquantile = 2.0\n')
    found = validate_scenario(top, ["alert.weekday=Tue", "members.cuont=3"])
    assert found == [
        f"{tmp_path / 'base.toml'}: alert.strat: unknown key; did you mean alert.start?",
        "--set: members.cuont: unknown key; did you mean members.count?",
        '--set: alert.weekday: expected one of mon, tue, wed, thu, fri, sat, sun, got "Tue"',
        f"{top}: target.quantile: must lie strictly between 0 and 1, got 2",
    ]
    with pytest.raises(InputError) as err:
        load_scenario(top, ["alert.weekday=Tue"])
    assert str(err.value) == found[0]


def test_overrides_apply_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkdir("tables")
    dist_key = first_dist_key()
    scenario = load_scenario(SCENARIOS / "xindu-night.toml", [
        "alert.start=03:30", "members.count=4000", f'{dist_key}={{dist="fixed",value=3}}',
        "target={minutes=120, quantile=0.9}", "district.path=tables"])
    assert scenario.get("alert.start") == "03:30"
    assert scenario.get("members.count") == 4000
    assert scenario.dist(dist_key) == fixed(3)
    assert (scenario.get("target.minutes"), scenario.get("target.quantile"),
            scenario.get("target.confidence")) == (120.0, 0.9, 0.95)
    assert scenario.get("district.path") == str(tmp_path / "tables")
    assert scenario.name == "xindu-night"


@pytest.mark.parametrize(("override", "message"), [
    ("alert.strat=02:00", "--set: alert.strat: unknown key; did you mean alert.start?"),
    ("alert=02:00", "--set: alert: is a table; set one of its keys (alert.start, alert.weekday"),
    ("alert.start.hour=2", "--set: alert.start.hour: alert.start is a single value, not a table"),
    ("alert.start=25:00", '--set: alert.start: expected a clock time "HH:MM" from 00:00 to 23:59'),
    ("members.count=-3", "--set: members.count: expected a non-negative integer, got -3"),
    ("alert.horizon_min=abc", '--set: alert.horizon_min: "abc" is not a TOML value'),
    ("alert={start=0}", "--set: alert.start: expected text in quotes, got 0"),
    ("district.path=no-such-folder", "--set: district.path: no folder "),
])
def test_override_errors(override: str, message: str) -> None:
    found = validate_scenario(None, [override])
    assert len(found) == 1 and found[0].startswith(message)


def test_get_and_dist() -> None:
    baseline = load_scenario()
    assert baseline.get("alert.horizon_min") == 720.0
    assert baseline.dist("alert.horizon_min") == fixed(720.0)
    key = first_dist_key()
    assert baseline.dist(key) == parse_dist(baseline.get(key), key)
    with pytest.raises(KeyError, match="alert.strat: no such scenario key; did you mean alert.start"):
        baseline.get("alert.strat")


def test_patterns_name_keys_of_the_baseline() -> None:
    paths = [path for path, _ in leaves(load_scenario().data)]
    tables = [path for path in {p.rpartition(".")[0] for p in paths} if path]
    for pattern in (*PROBABILITY_PATTERNS, *(pattern for pattern, _ in RULES)):
        assert fnmatch.filter(paths, pattern), f"{pattern} matches no key of the baseline"
    for pattern in SHARE_PATTERNS:
        assert fnmatch.filter(tables, pattern), f"{pattern} matches no table of the baseline"


def test_digest_is_stable_across_processes() -> None:
    code = "from mobsim.scenario.files import load_scenario; print(load_scenario().digest)"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
            for seed in ("1", "2")}
    assert runs == {load_scenario().digest}


def test_digest_changes_with_any_value() -> None:
    baseline = load_scenario()
    digests = {baseline.digest}
    for path, _ in leaves(baseline.data):
        data = json.loads(json.dumps(baseline.data))
        *tables, key = path.split(".")
        node = data
        for table in tables:
            node = node[table]
        node[key] = "changed"
        digests.add(Scenario(baseline.name, data, None).digest)
    assert len(digests) == 1 + len(list(leaves(baseline.data)))


def test_digest_ignores_key_order_and_int_for_float(tmp_path: Path) -> None:
    one = write(tmp_path, "one.toml", 'name = "s"\n[alert]\nstart = "02:00"\n[target]\nminutes = 120\n')
    two = write(tmp_path, "two.toml", '[target]\nminutes = 120.0\n[alert]\nstart = "02:00"\n'
                                      '[district]\nseed = 2020\n')
    assert load_scenario(one).digest == load_scenario(two, ["name=s"]).digest
    assert load_scenario(None, ["alert.horizon_min=720"]).digest == load_scenario().digest


def test_resolved_scenario_loads_back_as_the_same(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "xindu-weekend.toml",
                             [f'{first_dist_key()}={{dist="gamma",shape=2,mean=9}}'])
    again = load_scenario(write(tmp_path, "resolved.toml", scenario.to_toml()))
    assert again.data == scenario.data and again.digest == scenario.digest
    assert json.loads(json.dumps(scenario.to_json_dict())) == scenario.data


_KNOWN_KEYS = [path for path, _ in leaves(tomllib.loads(BASELINE_TEXT))]
_TABLE_KEYS = sorted({p.rpartition(".")[0] for p in _KNOWN_KEYS} - {""})
_VALUE_TEXTS = st.one_of(
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.floats().map(repr),
    st.sampled_from(["02:00", "23:59", "24:00", "tue", "sun", "true", "''", '"x"', "[]",
                     "['phone', 'sms']", "{}", "{start='01:00'}", "{dist='fixed', value=3}",
                     "{dist='beta', a=1, b=2}", "{dist='lognormal', median=0, sigma=1}",
                     "{dist='uniform', low=1}", "{home=1.0, work=0.0, asleep=0.0, away=0.0}",
                     "1979-05-27", "nan", "-inf", "= =", "{dist=[1]}"]),
    st.text(max_size=12),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_KNOWN_KEYS + _TABLE_KEYS) | st.text(max_size=8),
                          _VALUE_TEXTS).map("=".join), max_size=3))
def test_random_overrides_validate_or_give_input_error(overrides: list[str]) -> None:
    found = validate_scenario(None, overrides)
    assert all(isinstance(line, str) and "\n" not in line for line in found)
    try:
        scenario = load_scenario(None, overrides)
    except InputError as err:
        assert found and str(err) == found[0]
    else:
        assert found == [] and is_table(scenario.data)


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
def test_any_file_text_validates_or_gives_one_line_problems(text: str) -> None:
    path = Path(tempfile.gettempdir()) / f"mobsim-fuzz-{os.getpid()}.toml"
    path.write_text("[alert]\n" + text, encoding="utf-8")
    try:
        found = validate_scenario(path)
    finally:
        path.unlink()
    assert all(line.startswith(str(path)) and "\n" not in line for line in found)


def test_every_shipped_scenario_is_a_built_in_reachable_by_name() -> None:
    shipped = sorted(p.stem for p in SCENARIOS.glob("*.toml"))
    assert list(builtin_names()) == shipped
    for name in shipped:
        by_name, by_file = load_scenario(name), load_scenario(SCENARIOS / f"{name}.toml")
        assert by_name.name == name and by_name.digest == by_file.digest
