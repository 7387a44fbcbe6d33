"""`python -m rasid` runs the `rasid` command."""

from rasid.cli import main

main()
