"""The report page of an allocation folder: teams per sub-district, and every step."""

from __future__ import annotations

from html import escape
from pathlib import Path

from mobsim.reports.page import document, number, paragraph, section, table
from mobsim.scenario.params import Settings
from mobsim.studies.allocate import (
    allocation_rows,
    answer_text,
    cost_text,
    search_text,
    step_rows,
)
from mobsim.studies.allocation_folder import read_allocation


def _cells(rows: list[list[str]], prefix: str, verdict: int | None = None) -> list[list[str]]:
    """Table cells carrying their values (`data-value`), the verdict column classed."""
    return [[number(f"{prefix}-{k}-{column}", cell, escape(cell), "td",
                    cell.lower() if column == verdict else None)
             for column, cell in enumerate(row)] for k, row in enumerate(rows, start=1)]


def allocation_page(folder: Path) -> str:
    """The report page of an allocation folder (mobsim plan --allocate -o)."""
    scenario, name, result = read_allocation(folder)
    target = Settings(scenario).target
    step_headers, steps = step_rows(result)
    teams_headers, teams = allocation_rows(result)
    body = "".join([
        f"<h1>Allocation report: {escape(name)}</h1>",
        paragraph(f"{escape(search_text(result))}; target: the {target.quantile * 100:g}th "
                  f"percentile of the district time at most {target.minutes:g} min with "
                  f"{target.confidence * 100:g}% confidence; folder {escape(str(folder))}",
                  "meta"),
        section("Teams per sub-district", paragraph(escape(answer_text(result))),
                table(teams_headers, _cells(teams, "teams")),
                paragraph("Each step is a sequential check (check --until-decided) on the same "
                          "seed; while it does not pass, the next teams go to the sub-district "
                          "that held the last post most often among the replications that "
                          "missed the target.", "meta")),
        section("Every step, in the order run",
                table(step_headers, _cells(steps, "step", step_headers.index("verdict"))),
                paragraph(escape(cost_text(result)), "meta")),
    ])
    return document(f"mobsim allocation report: {name}", body)
