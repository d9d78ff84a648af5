"""The report page of a plan folder: the least combination of levers, and every probe."""

from __future__ import annotations

from html import escape
from pathlib import Path

from mobsim.reports.page import document, number, paragraph, section, table
from mobsim.scenario.params import Settings
from mobsim.studies.plan import answer_text, cost_text, measure_text, probe_rows, ranges_text
from mobsim.studies.plan_folder import read_plan


def plan_page(folder: Path) -> str:
    """The report page of a plan folder (mobsim plan -o)."""
    scenario, name, result = read_plan(folder)
    target = Settings(scenario).target
    headers, rows = probe_rows(result)
    verdict = headers.index("verdict")
    cells = [[number(f"probe-{k}-{column}", cell, escape(cell), "td",
                     cell.lower() if column == verdict else None)
              for column, cell in enumerate(row)] for k, row in enumerate(rows, start=1)]
    answer = table(["lever", "least value shown to pass"],
                   [[escape(key), number(f"answer-{key}", float(value), f"{value:g}", "td")]
                    for key, value in result.answer.items()]) if result.answer else ""
    body = "".join([
        f"<h1>Plan report: {escape(name)}</h1>",
        paragraph(f"{escape(ranges_text(result))}; target: {escape(measure_text(result))}, "
                  f"its {target.quantile * 100:g}th percentile at most {target.minutes:g} min "
                  f"with {target.confidence * 100:g}% confidence; plan folder "
                  f"{escape(str(folder))}", "meta"),
        section("The least that meets the target", paragraph(escape(answer_text(result))),
                answer,
                paragraph("Every lever at its highest value is checked first; then the levers "
                          "are lowered one at a time in the order given, each range halved "
                          "down to its step, the levers before at the values found and those "
                          "after at their highest. Each probe is a sequential check (check "
                          "--until-decided) on the same seed; UNDECIDED counts as not passing.",
                          "meta")),
        section("Every probe, in the order run", table(headers, cells),
                paragraph(escape(cost_text(result)), "meta")),
    ])
    return document(f"mobsim plan report: {name}", body)
