"""The verdict under each definition of "mobilized", as the run summary and the report show it."""

from __future__ import annotations

from html import escape

import pandas as pd

from mobsim.reports.page import minutes_text, number, paragraph, section, table
from mobsim.results.side_by_side import verdicts_by_definition
from mobsim.scenario.params import Definition, Target

OWN_MARK = "*"
"""Marks the scenario's own definition in the terminal table."""

EXPLANATION = (
    "all posts: every micro-grid has staff on post (the source article's reading, the default); "
    "99.9% / 99% of posts: that share of the district's micro-grids; every community at 95%: "
    "each community has 95% of its own micro-grids staffed. Able to act reads each task's "
    "units the same way (docs/model.md section 13).")
"""What the definitions mean, under the table."""


def _phrase(definition: Definition, items: str) -> str:
    share = f"{definition.share * 100:g}%"
    if definition.over == "posts":
        return f"{share} of {items}"
    unit = "community" if definition.over == "communities" else "sub-district"
    return f"every {unit} with {share} of its {items}"


def mobilized_phrase(definition: Definition) -> str:
    """What the district time measures: "last micro-grid on post", "99% of micro-grids on post"."""
    if definition.every_post:
        return "last micro-grid on post"
    return _phrase(definition, "micro-grids on post")


def act_phrase(definition: Definition) -> str:
    """What the able-to-act minute measures under `definition`."""
    if definition.every_post:
        return "every community, every task at its minimum staffing"
    return _phrase(definition, "units of each task ready")


def definitions_lines(replications: pd.DataFrame, target: Target) -> list[str]:
    """The run summary's table of verdicts by definition (none when the run holds one only)."""
    frame = verdicts_by_definition(replications, target)
    if len(frame) < 2:
        return []
    act = "act_verdict" in frame.columns
    q = f"p{target.quantile * 100:g}"
    headers = ["", "definition", f"{q} (min)", "in time", "verdict",
               *((f"able to act {q}", "verdict") if act else ())]
    rows = [[OWN_MARK if row["own"] else "", row["label"], minutes_text(row["quantile_min"]),
             f"{row['within_target']}/{row['replications']}", row["verdict"],
             *((minutes_text(row["act_quantile_min"]), row["act_verdict"]) if act else ())]
            for _, row in frame.iterrows()]
    widths = [max(len(line[i]) for line in (headers, *rows)) for i in range(len(headers))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            for line in (headers, *rows)]
    return [f"verdict at {target.minutes:g} min under each definition of mobilized "
            f"({OWN_MARK} the scenario's):", *(f"  {line}" for line in text)]


def definitions_section(replications: pd.DataFrame, target: Target) -> str:
    """The report's table of the verdict and target percentile under each definition."""
    frame = verdicts_by_definition(replications, target)
    act = "act_verdict" in frame.columns
    q = f"{target.quantile * 100:g}th percentile"
    rows = []
    for index, row in frame.iterrows():
        key = f"definition-{index}"
        label = escape(row["label"]) + (" (this scenario's)" if row["own"] else "")
        cells = [f"<strong>{label}</strong>" if row["own"] else label,
                 number(f"{key}-quantile-min", row["quantile_min"],
                        minutes_text(row["quantile_min"]), "td"),
                 number(f"{key}-within-target", row["within_target"],
                        f"{row['within_target']} of {row['replications']}", "td"),
                 number(f"{key}-verdict", row["verdict"].lower(), row["verdict"], "td",
                        row["verdict"].lower())]
        if act:
            cells += [number(f"{key}-act-quantile-min", row["act_quantile_min"],
                             minutes_text(row["act_quantile_min"]), "td"),
                      number(f"{key}-act-verdict", row["act_verdict"].lower(),
                             row["act_verdict"], "td", row["act_verdict"].lower())]
        rows.append(cells)
    headers = ["definition of mobilized", f"{q} (min)", f"within {target.minutes:g} min",
               "verdict", *((f"able to act: {q} (min)", "verdict") if act else ())]
    return section(
        "What counts as mobilized",
        paragraph("The verdict and the target percentile under each standard definition, so "
                  "that it shows whether the answer hangs on the last few posts."),
        table(headers, rows),
        paragraph(escape(EXPLANATION), "meta"))
