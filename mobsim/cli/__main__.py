"""`python -m mobsim.cli`: the command line."""

from mobsim.cli import main

main()
