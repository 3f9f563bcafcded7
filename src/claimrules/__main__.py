"""`python -m claimrules`."""

from claimrules.cli import main

main()
