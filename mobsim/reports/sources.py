"""`mobsim sources`: every key of a scenario with its provenance, as terminal text, JSON or the
Markdown of docs/parameters.md."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from html import escape
from typing import Any

from mobsim.scenario.provenance import KINDS, SET_BY_SCENARIO, Source, placeholder_counts
from mobsim.errors import InputError
from mobsim.reports.page import paragraph
from mobsim.results.run import Run
from mobsim.scenario import Scenario, load_scenario
from mobsim.studies.calibration.drill_plan import DrillPlan, RestsOn, rests_on_summary
from mobsim.studies.calibration.drill_plan import Step as DrillStep
from mobsim.scenario.tomlwrite import inline

WIDTH = 100
"""Terminal text is wrapped to this many columns."""

COLUMNS = ("placeholder", "in part", *(k for k in KINDS if k != "placeholder"), SET_BY_SCENARIO)
"""The columns of the counts by section: placeholders, sourced in part, each sourced kind."""


def _kind_of(source: Source) -> str:
    if source.set_by_scenario:
        return SET_BY_SCENARIO
    if source.entry.kind != "placeholder" and source.entry.placeholder_part:
        return "in part"
    return source.entry.kind


def counts_by_section(found: Iterable[Source]) -> dict[str, dict[str, int]]:
    """Keys of each kind (a sourced key with a guessed part counts "in part"), by section."""
    table: dict[str, dict[str, int]] = {}
    for source in found:
        row = table.setdefault(source.entry.section, dict.fromkeys(COLUMNS, 0))
        row[_kind_of(source)] += 1
    return table


def summary_line(name: str, found: list[Source]) -> str:
    """"xindu-baseline: 250 keys; 174 placeholders and 17 sourced in part; …"."""
    totals = dict.fromkeys(COLUMNS, 0)
    for row in counts_by_section(found).values():
        for column, n in row.items():
            totals[column] += n
    parts = [f"{totals[c]} {c}" for c in COLUMNS[2:] if totals[c]]
    return (f"{name}: {len(found)} keys; {totals['placeholder']} placeholders and "
            f"{totals['in part']} sourced in part (a guessed part); " + ", ".join(parts))


def value_text(value: Any) -> str:
    """A value as written in a scenario file."""
    return inline(value)


def _explanation(source: Source) -> str:
    entry = source.entry
    if source.set_by_scenario:
        note = f": {source.note}" if source.note else ""
        return (f"{SET_BY_SCENARIO}{note} (baseline {value_text(source.baseline_value)}, "
                f"{entry.kind})")
    parts = [entry.kind + (f" ({entry.strength})" if entry.strength else "")]
    if entry.reference_ids:
        cited = ", ".join(f"[{name}]" for name in entry.reference_ids)
        parts.append(f"{cited} \"{entry.quote}\"" if entry.quote else cited)
    parts.append(entry.mapping)
    if entry.placeholder_part:
        parts.append(f"still a placeholder: {entry.placeholder_part}")
    if source.range:
        parts.append(f"range {source.range}")
    return " — ".join(parts)


def by_section(found: Iterable[Source]) -> dict[str, list[Source]]:
    """The keys grouped by section, sections in the order they first appear."""
    groups: dict[str, list[Source]] = {}
    for source in found:
        groups.setdefault(source.entry.section, []).append(source)
    return groups


def format_sources(name: str, found: list[Source], references: dict[str, str],
                   placeholders_only: bool = False) -> str:
    """The terminal listing, section by section, the placeholders by section, the references."""
    lines = [summary_line(name, found)]
    cited: set[str] = set()
    for section, group in by_section(found).items():
        shown = [s for s in group if s.is_placeholder or not placeholders_only]
        if shown:
            lines.append(f"\n[{section}]")
        for source in shown:
            lines.append(f"  {source.key} = {value_text(source.value)}")
            lines += textwrap.wrap(_explanation(source), WIDTH, initial_indent="      ",
                                   subsequent_indent="      ")
            cited.update(source.entry.reference_ids if not source.set_by_scenario else ())
    counts = placeholder_counts(found)
    lines.append(f"\nplaceholders by section ({sum(counts.values())}, a sourced key with a "
                 "guessed part included): " + ", ".join(f"{s} {n}" for s, n in counts.items()))
    lines += ["", "references:"] + [f"  [{ref}] {text}" for ref, text in references.items()
                                    if ref in cited]
    return "\n".join(lines)


def sources_json(name: str, found: list[Source]) -> str:
    """Every key as one JSON object: value, kind, references, quote, mapping, range."""
    rows = [{"key": s.key, "value": s.value, "kind": s.kind, "placeholder": s.is_placeholder,
             "references": list(s.entry.references), "quote": s.entry.quote,
             "mapping": s.entry.mapping, "strength": s.entry.strength,
             "placeholder_part": s.entry.placeholder_part,
             "range": s.range, "baseline_value": s.baseline_value, "note": s.note}
            for s in found]
    return json.dumps({"scenario": name, "keys": rows,
                       "placeholders_by_section": placeholder_counts(found)},
                      indent=1, ensure_ascii=False, default=str)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


MARKDOWN_COMMAND = "mobsim sources --markdown -o docs/parameters.md"
"""The command that writes docs/parameters.md."""


def sources_markdown(found: list[Source], references: dict[str, str]) -> str:
    """docs/parameters.md: the counts by section, one table per section (references by id),
    the references cited in full."""
    counts = counts_by_section(found)
    lines = [
        "# Parameters and where they come from",
        "",
        "Generated from `mobsim/scenario/provenance.toml` and the built-in baseline",
        f"(`mobsim/scenario/builtin/xindu-baseline.toml`) by `{MARKDOWN_COMMAND}`;",
        "a test fails when this file differs from the generated text. `mobsim sources SCENARIO`",
        "shows the same for any scenario, with the keys it sets itself marked, and",
        "`mobsim sources --rank DIR` the placeholders a verdict hangs on most, as a drill plan.",
        "",
        "Kinds: **article** a figure of the source article; **published** a figure of an outside",
        "study, guideline or statistic; **calibrated** fitted so that the model reproduces a",
        "published figure; **scenario-choice** what the scenario asks or how the model is set",
        "up; **placeholder** a guess awaiting local data. A sourced key with a guessed part (a",
        "spread, a period effect) counts *in part*. A placeholder's range is its entry in the",
        "baseline's `[sensitivity] ranges` (what `mobsim sensitivity` varies), or for a value",
        "that is not a number the plausible values. A strength beside the kind says how strongly",
        "the source bears on the key: strong (a measurement of the same quantity, a national",
        "standard), moderate (a close analogue), weak (a press report, a single case).",
        "",
        summary_line("The baseline", found) + ".",
        "",
        "| section | " + " | ".join(COLUMNS[:-1]) + " |",
        "| --- | " + " | ".join("---:" for _ in COLUMNS[:-1]) + " |",
    ]
    lines += [f"| `{section}` | " + " | ".join(str(row[c]) for c in COLUMNS[:-1]) + " |"
              for section, row in counts.items()]
    lines.append("| all | " + " | ".join(str(sum(row[c] for row in counts.values()))
                                         for c in COLUMNS[:-1]) + " |")
    for section, group in by_section(found).items():
        lines += ["", f"## `{section}`", "",
                  "| key | default | kind | source and figure | how it maps | range |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [_markdown_row(source) for source in group]
    lines += ["", "## References", ""]
    lines += [f"- `{name}`: {citation}" for name, citation in references.items()]
    return "\n".join(lines) + "\n"


def _markdown_row(source: Source) -> str:
    """One key as a row of its section's table."""
    entry = source.entry
    kind = entry.kind + (f", {entry.strength}" if entry.strength else "") + (
        f" (in part: {entry.placeholder_part})" if entry.placeholder_part else "")
    cited = ", ".join(f"[{name}](#references)" for name in entry.reference_ids)
    figure = f"{cited}: “{entry.quote}”" if entry.quote else cited
    return "| " + " | ".join(_cell(t) for t in (
        f"`{source.key}`", f"`{value_text(source.value)}`", kind, figure, entry.mapping,
        source.range)) + " |"


RULE = ("observations needed: enough for a 95% interval a quarter as wide as the placeholder's "
        "range — a share p: n = (2·1.96)² p(1 − p) / w², w = (high − low)/4 (binomial); a time "
        "or speed: n = (2·1.96·σ / w)², w = ln(high/low)/4, σ the spread of one observation on "
        "the log scale (lognormal sigma; exponential π/√6; 0.5 assumed for a number the model "
        "holds fixed); a count is read off the roster, not sampled")
"""How the drill plan counts the observations a placeholder needs (mobsim.studies.calibration.drill_plan)."""


def _drill_text(step: DrillStep) -> str:
    measure = step.measure
    if measure.kind == "none":
        return f"no drill-log column: {measure.who}"
    if measure.kind == "count":
        return f"a count: {measure.who}" + (f" ({measure.column})" if measure.column else "")
    needed = (f"{step.observations:,} {measure.who}" if step.observations is not None
              else f"{measure.who} (no range to narrow)")
    return f"column {measure.column}: {needed}"


def format_drill_plan(plan: DrillPlan, top: int) -> str:
    """`mobsim sources --rank`: the top placeholders in the ranking's order, as a drill plan."""
    lines = textwrap.wrap(f"{plan.scenario}: what to measure next — the placeholders in order of "
                          f"their effect on the target percentile of the district time, "
                          f"{plan.index} (ranking: {plan.ranking})", WIDTH)
    for step in plan.steps[:top]:
        lines.append(f"{step.rank:4d}. {step.key}  {plan.index.partition(' ')[0]} "
                     f"{step.effect_min:.3g}, range {step.range}")
        lines += textwrap.wrap(_drill_text(step), WIDTH, initial_indent="        ",
                               subsequent_indent="        ")
    left = len(plan.steps) - min(top, len(plan.steps))
    if left:
        lines.append(f"      … {left} more ranked placeholders (--top {len(plan.steps)} lists all)")
    if plan.sourced:
        lines += textwrap.wrap("ranked but not placeholders here (sourced, or set by the "
                               "scenario): " + ", ".join(f"{key} ({rank})"
                                                         for rank, key in plan.sourced),
                               WIDTH)
    lines += textwrap.wrap(RULE, WIDTH)
    return "\n".join(lines)


def rests_on_lines(found: RestsOn, run_dir: str) -> list[str]:
    """The run summary's lines: the placeholders the verdict rests on and the top three."""
    lines = [f"placeholders: the verdict rests on {found.count} (of the scenario's "
             f"{found.placeholders}; the others cannot move the district time)"]
    if found.top:
        whose = "" if found.own else " (a ranking of the baseline, not of this scenario)"
        lines.append(f"  most effect first, by {found.ranking}{whose}: {', '.join(found.top)}; "
                     f"drill plan: mobsim sources --rank {run_dir}")
    return lines


def rests_on_html(found: RestsOn) -> str:
    """The run report's paragraph on the placeholders the verdict rests on."""
    text = (f"The verdict rests on {found.count} placeholders, values that await local data "
            f"(of the scenario's {found.placeholders}; the others cannot move the district "
            "time). ")
    if found.top:
        whose = "" if found.own else " (a ranking of the baseline, not of this scenario)"
        text += (f"The three it hangs on most, by {escape(found.ranking)}{escape(whose)}: "
                 + ", ".join(f"<code>{escape(key)}</code>" for key in found.top) + ". ")
    text += ("<code>mobsim sources --rank RUN_DIR</code> lists them as a drill plan: which "
             "column of a drill log would measure each, and how many people it needs.")
    return paragraph(text)


def run_rests_on(run: Run) -> RestsOn | None:
    """What the verdict of a run folder rests on (None: its scenario does not load here)."""
    path = run.path / "scenario.toml" if run.path is not None else None
    try:
        if path is not None and path.is_file():
            return rests_on_summary(load_scenario(path))
        data = run.manifest.get("scenario_data", {})
        return rests_on_summary(Scenario(data["name"], data, None))
    except (InputError, KeyError):
        return None
