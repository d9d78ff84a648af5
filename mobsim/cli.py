"""Command-line interface: thin wrappers over the Python API."""

from __future__ import annotations

import click

from mobsim import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mobsim")
def main() -> None:
    """mobsim: simulate a district's switch from peacetime to wartime mobilization."""


if __name__ == "__main__":
    main()
