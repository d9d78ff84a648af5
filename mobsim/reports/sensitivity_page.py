"""The report page of a sensitivity folder: the ranking, the tornado chart, the verdict's ends."""

from __future__ import annotations

from html import escape
from pathlib import Path

from mobsim.reports.page import document, figure, number, paragraph, section, table
from mobsim.reports.tornado import tornado_order, tornado_png
from mobsim.scenario.params import Settings, Target
from mobsim.studies.sensitivity.analysis import SensitivityResult
from mobsim.studies.sensitivity.folder import read_folder
from mobsim.studies.sensitivity.text import (
    ENDS_HEADERS,
    ends_rows,
    ends_title,
    notes,
    ranking_rows,
)


def _ranking_section(result: SensitivityResult) -> str:
    headers, rows = ranking_rows(result)
    cells = [[number(f"rank-{rank}", row[0], escape(row[0]), "td"), *map(escape, row[1:])]
             for rank, row in enumerate(rows, start=1)]
    return section("Which parameters the district time hangs on",
                   paragraph("Ranked by the effect on the district time's target percentile, "
                             "then on the share of micro-grids on post by the target."),
                   table(headers, cells))


def _tornado_section(result: SensitivityResult, target: Target) -> str:
    if result.ends.empty:
        return section("Each parameter at the ends of its range", paragraph(
            "No end runs in this analysis (it ran with --ends-top 0).", "note"))
    ends = tornado_order(result.ends)
    flipping = [key for key, flips in zip(ends["key"], ends["flips"]) if flips]
    said = (f"At an end of its range, {', '.join(flipping)} "
            f"{'flips' if len(flipping) == 1 else 'flip'} the verdict." if flipping else
            "No parameter alone, at either end of its range, flips the verdict.")
    rows = [[number(f"tornado-{rank}", row[0], escape(row[0]), "td"), *map(escape, row[1:])]
            for rank, row in enumerate(ends_rows(ends), start=1)]
    return section(
        "Each parameter at the ends of its range",
        paragraph(escape(said)),
        figure(tornado_png(ends, target.minutes, target.quantile),
               "tornado chart of the top parameters",
               f"The {target.quantile * 100:g}th percentile of the district time with each "
               "parameter alone at the low (grey) and high (blue) end of its range, the others "
               "at the scenario's values; widest swing first; red: the target."),
        paragraph(escape(ends_title(result)) + ":"), table(ENDS_HEADERS, rows))


def sensitivity_page(folder: Path) -> str:
    """The report page of a sensitivity folder (mobsim sensitivity -o)."""
    scenario, result = read_folder(folder)
    s = result.settings
    body = "".join([
        f"<h1>Sensitivity report: {escape(scenario.name)}</h1>",
        paragraph(f"{escape(s.method)} design of {len(result.parameters)} parameters, "
                  f"{len(result.points)} points × {s.replications} replications, seed {s.seed}; "
                  f"sensitivity folder {escape(str(folder))}", "meta"),
        _ranking_section(result),
        _tornado_section(result, Settings(scenario).target),
        *(paragraph(escape(line), "meta") for line in notes(result)),
    ])
    return document(f"mobsim sensitivity report: {scenario.name}", body)
