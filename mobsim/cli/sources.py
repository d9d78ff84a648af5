"""`mobsim sources`: where every key of a scenario comes from, and what to measure next."""

from __future__ import annotations

from pathlib import Path

import click

from mobsim.cli.options import SCENARIO_ARG, SET_OPTION


@click.command(epilog="Examples:\n\n\b\n  mobsim sources xindu-night --placeholders\n"
                      "  mobsim sources --rank runs/sensitivity --top 5\n"
                      "  mobsim sources --markdown -o parameters.md")
@SCENARIO_ARG
@click.option("--placeholders", is_flag=True,
              help="Only the placeholders (a sourced key with a guessed part included), then "
                   "their counts by section.")
@click.option("--rank", "rank_dir", type=click.Path(path_type=Path), default=None,
              help="A sensitivity folder (its ranking) or a run folder (the baseline ranking "
                   "shipped with mobsim): the placeholders the verdict hangs on most, as a "
                   "drill plan.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Placeholders the drill plan lists (with --rank).")
@click.option("--json", "as_json", is_flag=True, help="Every key as one JSON object.")
@click.option("--markdown", is_flag=True, help="The Markdown of docs/parameters.md (baseline only).")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="Write to this file instead of the terminal.")
@SET_OPTION
def sources(scenario: str | None, placeholders: bool, rank_dir: Path | None, top: int,
            as_json: bool, markdown: bool, out: Path | None, overrides: tuple[str, ...]) -> None:
    """Every key of the scenario with its source, the figure quoted and how it maps onto the
    key, or "placeholder" and its range; keys the scenario sets itself are marked."""
    from mobsim.reports import sources as text
    from mobsim.scenario import load_scenario
    from mobsim.scenario import provenance

    if rank_dir is not None:
        if scenario or overrides or placeholders or as_json or markdown:
            raise click.UsageError("--rank reads the scenario of its folder: give it alone "
                                   "(with --top and -o)")
        from mobsim.studies.calibration.drill_plan import drill_plan
        _emit(text.format_drill_plan(drill_plan(rank_dir), top), out)
        return
    if markdown and (scenario or overrides or placeholders or as_json):
        raise click.UsageError("--markdown describes the built-in baseline: give it alone")
    loaded = load_scenario(scenario, overrides)
    found = provenance.sources(loaded)
    if markdown:
        _emit(text.sources_markdown(found, provenance.references()), out)
    elif as_json:
        _emit(text.sources_json(loaded.name, found), out)
    else:
        _emit(text.format_sources(loaded.name, found, provenance.references(), placeholders), out)


def _emit(content: str, out: Path | None) -> None:
    """Print, or write the file whole (a failed write leaves no half-written file)."""
    if out is None:
        click.echo(content)
        return
    from mobsim.errors import InputError
    from mobsim.results.folders import reason
    from mobsim.studies.outputs import write_atomic

    try:
        write_atomic(out, lambda p: p.write_text(content if content.endswith("\n")
                                                 else content + "\n", "utf-8"))
    except OSError as err:
        raise InputError(f"{out}: could not write ({reason(err)})") from None
    click.echo(f"wrote {out}")
