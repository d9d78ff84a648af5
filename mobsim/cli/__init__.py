"""Command-line interface: click only, every command a thin call of the Python API."""

from __future__ import annotations

import click

from mobsim import __version__
from mobsim.cli.options import Commands
from mobsim.cli.runs import check, compare, generate, report, run, sweep, validate
from mobsim.cli.sources import sources
from mobsim.cli.studies import calibrate, plan, sensitivity


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mobsim")
def main() -> None:
    """mobsim: simulate a district's switch from peacetime to wartime mobilization.

    SCENARIO is a scenario TOML file or a built-in name; omitted, the built-in Xindu
    baseline is used. Bad input exits with code 2 and one line saying what is wrong.
    Ctrl-C exits with 130 and SIGTERM with 143, keeping finished replications for --resume.

    \b
    Examples:
      mobsim run                                   # the Xindu baseline, 59 replications
      mobsim run xindu-night -n 20 --set cadres.at_once=3241   # every cadre on duty at night
      mobsim check -n 59                           # is the 95th percentile within 3 hours?
      mobsim check --until-decided                 # run batches until PASS or FAIL
      mobsim sensitivity --parameters cadres.at_once,members.availability.day -n 20
      mobsim plan --lever cadres.at_once=1000..3241 --step 250   # least cadres on duty that pass
      mobsim sweep --vary cadres.at_once=2000,3241 -n 20 -o runs/cadres
      mobsim compare runs/xindu-baseline runs/xindu-night
      mobsim report runs/xindu-baseline            # one HTML file with the plots
      mobsim validate xindu-weekend
      mobsim generate -o district/                 # the district tables as Parquet
      mobsim sources --placeholders                # which defaults are guesses, and why
    """


for _command in (run, check, sweep, compare, report, validate, generate, sensitivity, plan,
                 calibrate, sources):
    main.add_command(_command)

__all__ = ["main"]
