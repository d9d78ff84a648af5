"""One rule for the last post (docs/outputs.md): on runs whose replications never finish, the
summary's line, replications.parquet, bottlenecks.parquet and both of the report's tables give
the same holders, one per replication, ties among never-staffed posts broken alike."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from cli_fixtures import write_scenario
from click.testing import CliRunner
from model_fixtures import without_pools
from report_fixtures import parse_page

import mobsim
from mobsim.cli import main
from mobsim.reports.run_page import write_report

REPLICATIONS = 6
SHAPE = {"subdistricts": 2, "communities": 3, "grids": 2, "microgrids": 4}
NEVER_FILLED = ("alert.horizon_min=200", "escalation.after_min=600.0",
                "escalation.sweep_min=650.0", "members.availability.day=0.7", *without_pools())
"""Nobody fills a gap before the horizon, and about 30% of the members do not come: several
posts in several communities are never staffed in every replication (ties for last)."""

HELD = re.compile(r"(?:: |; )(?P<name>[^;:]+?) \((?P<subdistrict>[^)]+)\) (?P<count>\d+) of (?P<n>\d+)")


def _run(folder: Path, replications: int) -> tuple[Path, str]:
    scenario = write_scenario(folder, *NEVER_FILLED, **SHAPE)
    out = folder / f"run-{replications}"
    result = CliRunner().invoke(main, ["run", str(scenario), "-n", str(replications), "-j", "1",
                                       "--quiet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    line = next(l for l in result.stdout.splitlines() if l.startswith("last post held by: "))
    return out, line


@pytest.fixture(scope="module")
def never_run(tmp_path_factory) -> tuple[Path, str]:
    return _run(tmp_path_factory.mktemp("never"), REPLICATIONS)


def _holders(out: Path) -> Counter:
    """Last-post holders by community name, from replications.parquet."""
    loaded = mobsim.load(out)
    names = loaded.communities.set_index("community_id")["name"]
    return Counter(names[c] for c in loaded.replications["last_community_id"])


def test_the_replications_never_finish_and_their_last_posts_tie(never_run) -> None:
    out, _ = never_run
    microgrids = mobsim.load(out).microgrids
    never = (~np.isfinite(microgrids["activated_min"])).groupby(microgrids["replication"]).sum()
    assert len(never) == REPLICATIONS and (never >= 2).all()


def test_the_summary_line_counts_each_replication_once(never_run) -> None:
    out, line = never_run
    shown = {m["name"]: int(m["count"]) for m in HELD.finditer(line)}
    holders = _holders(out)
    assert shown and all(holders[name] == count for name, count in shown.items())
    assert sorted(shown.values(), reverse=True) == [c for _, c in holders.most_common(len(shown))]
    others = re.search(r"(\d+) other communit(?:y|ies) (\d+) of", line)
    rest = int(others[2]) if others else 0
    assert sum(shown.values()) + rest == REPLICATIONS
    assert f"never staffed in {REPLICATIONS} of {REPLICATIONS} (" in line


def test_every_table_follows_the_same_rule(never_run) -> None:
    out, _ = never_run
    loaded = mobsim.load(out)
    by_replication = loaded.replications.set_index("replication")["last_community_id"]
    bottlenecks = loaded.table("bottlenecks")
    holding = bottlenecks[bottlenecks["holds_last"]].set_index("replication")["community_id"]
    assert holding.sort_index().to_dict() == by_replication.sort_index().to_dict()
    microgrids = loaded.microgrids
    for replication, community in by_replication.items():
        mine = microgrids[microgrids["replication"] == replication]
        never = mine[~np.isfinite(mine["activated_min"])]
        most = never.groupby("community_id").size()
        assert most[community] == most.max()  # the community with most never-staffed posts
        last = loaded.replications.set_index("replication").loc[replication, "last_microgrid_id"]
        tied = never[never["community_id"] == community]["microgrid_id"]
        assert last == tied.min()


def test_both_report_tables_give_the_replications_table_s_counts(never_run) -> None:
    out, _ = never_run
    page = parse_page(write_report(out).read_text(encoding="utf-8"))
    counts = mobsim.load(out).replications["last_community_id"].value_counts()
    first = {int(k.split("-")[1]): int(float(v)) for k, v in page.values.items()
             if re.fullmatch(r"bottleneck-\d+-last", k)}
    second = {int(k.split("-")[1]): int(float(v)) for k, v in page.values.items()
              if re.fullmatch(r"causes-\d+-last", k)}
    assert {c: n for c, n in first.items() if n} == counts.to_dict()
    assert {c: n for c, n in second.items() if n} == counts.to_dict()
    assert sum(first.values()) == sum(second.values()) == REPLICATIONS


def test_one_replication_names_one_holder_and_pads_nothing(tmp_path: Path) -> None:
    _, line = _run(tmp_path, 1)
    assert " 0 of 1" not in line
    assert len([m for m in HELD.finditer(line) if m["count"] == "1"]) == 1
